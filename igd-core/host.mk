# igd-core/host.mk: the host's own files (igd-host.c), one snapshot of an
# IGD (igd-snapshot.c), the requirements table (igd-requirements.c), the
# captured host trees (tests/data/hosts, built by tests/mkhost) and their tests.
igd_core_libigdcore_a_SOURCES += igd-core/igd-host.c igd-core/igd-host.h \
	igd-core/igd-snapshot.c igd-core/igd-snapshot.h \
	igd-core/igd-requirements.c igd-core/igd-requirements.h

dist_check_SCRIPTS += tests/test-mkhost.sh
TESTS += tests/test-mkhost.sh
EXTRA_DIST += tests/mkhost tests/fetch-libvirt-corpus

check_PROGRAMS += tests/test-host
TESTS += tests/test-host
tests_test_host_SOURCES = tests/test-host.c
tests_test_host_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_host_LDADD = $(IGD_TEST_LIBS)
