# igd-core/capture.mk: `igd-assign report`: what igd-assign reads about a
# host's IGDs captured as a host tree (igd-capture.c), written as a .tar.xz
# (igd-archive.c: our own ustar/pax headers through liblzma, which the CLI
# links already; see igd-archive.c for why not tar(1)/xz(1)).
igd_core_libigdcore_a_SOURCES += igd-core/igd-capture.c igd-core/igd-capture.h \
	igd-core/igd-capture-output.c igd-core/igd-capture-private.h \
	igd-core/igd-archive.c igd-core/igd-archive.h \
	igd-core/igd-redact.c igd-core/igd-redact.h

check_PROGRAMS += tests/test-capture
TESTS += tests/test-capture
tests_test_capture_SOURCES = tests/test-capture.c
tests_test_capture_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_capture_LDADD = $(IGD_TEST_LIBS) $(LZMA_LIBS)

# The command end to end on every host tree, bad destinations, hostile trees, mkhost --import-report.
dist_check_SCRIPTS += tests/report-cli.sh
TESTS += tests/report-cli.sh
