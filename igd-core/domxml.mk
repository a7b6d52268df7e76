# igd-core/domxml.mk: the domain-XML policy engine (SPEC.md §4): the domain
# model, its rules as {check, fix} pairs, rewrite/verify, and its tests (golden cases, libvirt's own QEMU
# driver, the libvirt corpus, setup/undo against test:///default).
igd_core_libigdcore_a_SOURCES += \
	igd-core/igd-xml.c igd-core/igd-xml.h \
	igd-core/igd-domain.c igd-core/igd-domain.h \
	igd-core/igd-domain-rules.c igd-core/igd-domain-rules.h \
	igd-core/igd-domxml.c igd-core/igd-domxml.h

check_PROGRAMS += tests/test-domxml
TESTS += tests/test-domxml
tests_test_domxml_SOURCES = tests/test-domxml.c tests/hw-lspci.c tests/hw-lspci.h tests/hand-snapshot.c \
	tests/hand-snapshot.h
tests_test_domxml_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_domxml_LDADD = $(IGD_TEST_LIBS)
tests/test-domxml.$(OBJEXT): xml-schemas/igd-domain.rng

EXTRA_DIST += tests/domxmldata

dist_check_SCRIPTS += tests/domxml-native.sh
TESTS += tests/domxml-native.sh

# The libvirt corpus: tests may link libvirt (the CLI may not).
check_PROGRAMS += tests/test-corpus
TESTS += tests/test-corpus
tests_test_corpus_SOURCES = tests/test-corpus.c tests/hw-lspci.c tests/hw-lspci.h tests/hand-snapshot.c \
	tests/hand-snapshot.h
tests_test_corpus_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_corpus_CFLAGS = $(AM_CFLAGS) $(LIBVIRT_CFLAGS)
tests_test_corpus_LDADD = $(IGD_TEST_LIBS) $(LIBVIRT_LIBS)

# setup/undo: the CLI's own sources with main() renamed, run in the test's
# process so that test:///default keeps its state between commands.
check_LIBRARIES += tests/libigdcli.a
tests_libigdcli_a_SOURCES = tools/igd-assign.c tools/cmd-pending.c
tests_libigdcli_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools -Dmain=igd_assign_main
tests_libigdcli_a_CFLAGS = $(AM_CFLAGS) -Wno-missing-prototypes
check_PROGRAMS += tests/test-setup-undo
TESTS += tests/test-setup-undo
# (the commands under test are objects of the program, so that cmd-pending.c's
# weak placeholders in the archive do not stand in for them)
tests_test_setup_undo_SOURCES = tests/test-setup-undo.c tools/cmd-rewrite.c tools/cmd-setup.c tools/cmd-undo.c \
	tools/igd-virt.c
tests_test_setup_undo_CPPFLAGS = $(IGD_TEST_CPPFLAGS) -I$(top_srcdir)/tools
tests_test_setup_undo_CFLAGS = $(AM_CFLAGS) $(LIBVIRT_CFLAGS)
tests_test_setup_undo_LDADD = tests/libigdcli.a $(IGD_TEST_LIBS) $(LIBVIRT_LIBS) -ldl

dist_check_SCRIPTS += tests/domxml-cli.sh
TESTS += tests/domxml-cli.sh

dist_check_SCRIPTS += tests/domxml-corpus-native.sh
TESTS += tests/domxml-corpus-native.sh

# verify, data-driven: tests/verifydata/<case>.{xml,host,findings}.
check_PROGRAMS += tests/test-verify
TESTS += tests/test-verify
tests_test_verify_SOURCES = tests/test-verify.c
tests_test_verify_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_verify_LDADD = $(IGD_TEST_LIBS)
EXTRA_DIST += tests/verifydata

# The domain rule iommu-width (OVMF guest within the IOMMU's address width):
# the golden cases tests/domxmldata/ovmf-iommu-width*, and undo through the
# CLI in this process against libvirt's test driver (as test-setup-undo).
check_PROGRAMS += tests/test-iommu-width
TESTS += tests/test-iommu-width
tests_test_iommu_width_SOURCES = tests/test-iommu-width.c tools/cmd-undo.c tools/igd-virt.c
tests_test_iommu_width_CPPFLAGS = $(IGD_TEST_CPPFLAGS) -I$(top_srcdir)/tools
tests_test_iommu_width_CFLAGS = $(AM_CFLAGS) $(LIBVIRT_CFLAGS)
tests_test_iommu_width_LDADD = tests/libigdcli.a $(IGD_TEST_LIBS) $(LIBVIRT_LIBS) -ldl
