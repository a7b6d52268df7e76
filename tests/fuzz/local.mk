# tests/fuzz: one fuzz target per parser of outside bytes (tests/fuzz/README.md).
#
# `make check` builds every target as a plain program (fuzz-replay.c) that
# replays its corpus tests/fuzz/corpus/<target>/ (any compiler, no libFuzzer).
# `make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS='a b']` builds them again with
# clang, libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer in
# tests/fuzz/build/ and runs each for N seconds (tests/fuzz/run-fuzz);
# `make fuzz-coverage` prints the line coverage of each parser by its corpus.
FUZZ_TARGETS = opregion vbt rom gmch pci-address sysfs-number state watchlog hook-scan rewrite versions kmsg iomem json
FUZZ_SECONDS = 60
FUZZ_RUNS = 1000000
FUZZ_BUILDDIR = $(abs_top_builddir)/tests/fuzz/build

check_LIBRARIES += tests/fuzz/libfuzzreplay.a
tests_fuzz_libfuzzreplay_a_SOURCES = tests/fuzz/fuzz-replay.c tests/fuzz/fuzz-common.c tests/fuzz/fuzz.h
tests_fuzz_libfuzzreplay_a_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
FUZZ_REPLAY_LIBS = tests/fuzz/libfuzzreplay.a $(IGD_TEST_LIBS)

check_PROGRAMS += tests/fuzz/fuzz-opregion
TESTS += tests/fuzz/fuzz-opregion
tests_fuzz_fuzz_opregion_SOURCES = tests/fuzz/fuzz-opregion.c
tests_fuzz_fuzz_opregion_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_fuzz_fuzz_opregion_LDADD = $(FUZZ_REPLAY_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-vbt
TESTS += tests/fuzz/fuzz-vbt
tests_fuzz_fuzz_vbt_SOURCES = tests/fuzz/fuzz-vbt.c
tests_fuzz_fuzz_vbt_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_fuzz_fuzz_vbt_LDADD = $(FUZZ_REPLAY_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-rom
TESTS += tests/fuzz/fuzz-rom
tests_fuzz_fuzz_rom_SOURCES = tests/fuzz/fuzz-rom.c
tests_fuzz_fuzz_rom_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_fuzz_fuzz_rom_LDADD = $(FUZZ_REPLAY_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-gmch
TESTS += tests/fuzz/fuzz-gmch
tests_fuzz_fuzz_gmch_SOURCES = tests/fuzz/fuzz-gmch.c
tests_fuzz_fuzz_gmch_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_fuzz_fuzz_gmch_LDADD = $(FUZZ_REPLAY_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-pci-address
TESTS += tests/fuzz/fuzz-pci-address
tests_fuzz_fuzz_pci_address_SOURCES = tests/fuzz/fuzz-pci-address.c
tests_fuzz_fuzz_pci_address_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_fuzz_fuzz_pci_address_LDADD = $(FUZZ_REPLAY_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-sysfs-number
TESTS += tests/fuzz/fuzz-sysfs-number
tests_fuzz_fuzz_sysfs_number_SOURCES = tests/fuzz/fuzz-sysfs-number.c
tests_fuzz_fuzz_sysfs_number_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_fuzz_fuzz_sysfs_number_LDADD = $(FUZZ_REPLAY_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-state
TESTS += tests/fuzz/fuzz-state
tests_fuzz_fuzz_state_SOURCES = tests/fuzz/fuzz-state.c
tests_fuzz_fuzz_state_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_fuzz_fuzz_state_LDADD = $(FUZZ_REPLAY_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-watchlog
TESTS += tests/fuzz/fuzz-watchlog
tests_fuzz_fuzz_watchlog_SOURCES = tests/fuzz/fuzz-watchlog.c
tests_fuzz_fuzz_watchlog_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_fuzz_fuzz_watchlog_LDADD = $(FUZZ_REPLAY_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-hook-scan
TESTS += tests/fuzz/fuzz-hook-scan
tests_fuzz_fuzz_hook_scan_SOURCES = tests/fuzz/fuzz-hook-scan.c hook/igd-hook-common.c
tests_fuzz_fuzz_hook_scan_CPPFLAGS = $(IGD_TEST_CPPFLAGS) -I$(top_srcdir)/hook
tests_fuzz_fuzz_hook_scan_LDADD = $(FUZZ_REPLAY_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-rewrite
TESTS += tests/fuzz/fuzz-rewrite
tests_fuzz_fuzz_rewrite_SOURCES = tests/fuzz/fuzz-rewrite.c hook/igd-hook-common.c tests/hw-lspci.c tests/hand-snapshot.c
tests_fuzz_fuzz_rewrite_CPPFLAGS = $(IGD_TEST_CPPFLAGS) -I$(top_srcdir)/hook
tests_fuzz_fuzz_rewrite_LDADD = $(FUZZ_REPLAY_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-versions
TESTS += tests/fuzz/fuzz-versions
tests_fuzz_fuzz_versions_SOURCES = tests/fuzz/fuzz-versions.c
tests_fuzz_fuzz_versions_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_fuzz_fuzz_versions_LDADD = $(FUZZ_REPLAY_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-kmsg
TESTS += tests/fuzz/fuzz-kmsg
tests_fuzz_fuzz_kmsg_SOURCES = tests/fuzz/fuzz-kmsg.c
tests_fuzz_fuzz_kmsg_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_fuzz_fuzz_kmsg_LDADD = $(FUZZ_REPLAY_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-iomem
TESTS += tests/fuzz/fuzz-iomem
tests_fuzz_fuzz_iomem_SOURCES = tests/fuzz/fuzz-iomem.c
tests_fuzz_fuzz_iomem_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_fuzz_fuzz_iomem_LDADD = $(FUZZ_REPLAY_LIBS)
check_PROGRAMS += tests/fuzz/fuzz-json
TESTS += tests/fuzz/fuzz-json
tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz-json.c
tests_fuzz_fuzz_json_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_fuzz_fuzz_json_LDADD = $(FUZZ_REPLAY_LIBS)

# The fuzzers: a clang build of igd-core and the targets (run-fuzz says what it compiles).
FUZZ_ENV = FUZZ_TARGETS='$(FUZZ_TARGETS)' FUZZ_SECONDS='$(FUZZ_SECONDS)' \
	FUZZ_SRCDIR='$(abs_top_srcdir)' FUZZ_BUILDDIR='$(FUZZ_BUILDDIR)' \
	FUZZ_CORE_SOURCES='$(igd_core_libigdcore_a_SOURCES)' \
	FUZZ_CPPFLAGS='$(IGD_TEST_CPPFLAGS) -I$(top_srcdir)/hook -I$(top_srcdir)/tests/fuzz $(GLIB_CFLAGS) $(LIBXML_CFLAGS)' \
	FUZZ_LIBS='$(GIO_LIBS) $(GLIB_LIBS) $(LIBXML_LIBS)'
fuzz: all
	$(FUZZ_ENV) $(SHELL) $(srcdir)/tests/fuzz/run-fuzz run
fuzz-long: all
	$(FUZZ_ENV) FUZZ_RUNS='$(FUZZ_RUNS)' $(SHELL) $(srcdir)/tests/fuzz/run-fuzz long
fuzz-build: all
	$(FUZZ_ENV) $(SHELL) $(srcdir)/tests/fuzz/run-fuzz build
fuzz-coverage: all
	$(FUZZ_ENV) $(SHELL) $(srcdir)/tests/fuzz/run-fuzz coverage
fuzz-clean:
	rm -rf tests/fuzz/build
.PHONY: fuzz fuzz-long fuzz-build fuzz-coverage fuzz-clean
clean-local: fuzz-clean

EXTRA_DIST += tests/fuzz/README.md tests/fuzz/run-fuzz tests/fuzz/corpus tests/fuzz/known tests/fuzz/seed-corpus
