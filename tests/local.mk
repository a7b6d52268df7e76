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

EXTRA_DIST += tests/data tests/syscall-args.h

# Host trees as outside input: every igd-sysroot reader, with openat2() and
# with the user-space walk, the real host, the CLI and the owner on hostile trees.
check_PROGRAMS += tests/test-sysroot
TESTS += tests/test-sysroot
tests_test_sysroot_SOURCES = tests/test-sysroot.c tests/no-openat2.c tests/no-openat2.h \
	tests/vfio-double-client.c tests/vfio-double-client.h tests/double-preload.c tests/double-preload.h
tests_test_sysroot_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_sysroot_LDADD = $(IGD_TEST_LIBS) -ldl

# The CLI on every captured host tree (tests/golden/), usage errors.
check_PROGRAMS += tests/test-cli
TESTS += tests/test-cli
tests_test_cli_SOURCES = tests/test-cli.c
tests_test_cli_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_cli_LDADD = $(IGD_TEST_LIBS)
EXTRA_DIST += tests/golden tests/cli-fake-qemu
