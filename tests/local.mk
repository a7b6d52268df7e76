# tests: shared helpers and the foundation's own tests.
check_LIBRARIES += tests/libigdtest.a
tests_libigdtest_a_SOURCES = tests/igd-test.c tests/igd-test.h
tests_libigdtest_a_CPPFLAGS = $(AM_CPPFLAGS) -DTESTS_SRCDIR=\"$(abs_top_srcdir)/tests\"

# A test program links the helpers and igd-core.
IGD_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests -DTESTS_SRCDIR=\"$(abs_top_srcdir)/tests\" \
	-DTESTS_BUILDDIR=\"$(abs_top_builddir)/tests\"
IGD_TEST_LIBS = tests/libigdtest.a $(IGD_CORE_LIBS)

check_PROGRAMS += tests/test-common
TESTS += tests/test-common
tests_test_common_SOURCES = tests/test-common.c
tests_test_common_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_common_LDADD = $(IGD_TEST_LIBS)

EXTRA_DIST += tests/data

# The CLI on every captured host tree (tests/golden/), usage errors.
check_PROGRAMS += tests/test-cli
TESTS += tests/test-cli
tests_test_cli_SOURCES = tests/test-cli.c
tests_test_cli_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_cli_LDADD = $(IGD_TEST_LIBS)
EXTRA_DIST += tests/golden tests/cli-fake-qemu
