# igd-core/daemon-core.mk: the daemon's state file, the ownership
# transaction (igd-owner, in process over a host tree and the VFIO double),
# and the client of igd-assignd (used by the hook), with their tests.
igd_core_libigdcore_a_SOURCES += \
	igd-core/igd-state.c igd-core/igd-state.h \
	igd-core/igd-watchlog.c igd-core/igd-watchlog.h \
	igd-core/igd-private-xml.c igd-core/igd-private-xml.h \
	igd-core/igd-owner.c igd-core/igd-owner.h \
	igd-core/igd-dbus-common.c igd-core/igd-dbus-common.h \
	igd-core/igd-client.c igd-core/igd-client.h

check_PROGRAMS += tests/test-state
TESTS += tests/test-state
tests_test_state_SOURCES = tests/test-state.c
tests_test_state_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_state_LDADD = $(IGD_TEST_LIBS)

# The libvirt watcher's last action per domain (the daemon writes, status reads).
check_PROGRAMS += tests/test-watchlog
TESTS += tests/test-watchlog
tests_test_watchlog_SOURCES = tests/test-watchlog.c
tests_test_watchlog_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_watchlog_LDADD = $(IGD_TEST_LIBS)

# The ownership transaction without D-Bus (libvirt's virhostdevtest.c for virhostdev.c).
check_PROGRAMS += tests/test-owner
TESTS += tests/test-owner
tests_test_owner_SOURCES = tests/test-owner.c tests/vfio-double-client.c tests/vfio-double-client.h \
	tests/sysfs-double-client.c tests/sysfs-double-client.h tests/double-preload.c tests/double-preload.h
tests_test_owner_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_owner_LDADD = $(IGD_TEST_LIBS) -ldl

# The client on a private bus: against a fake service, and against the real
# daemon (skipped until daemon/igd-assignd is built, and when not root).
check_PROGRAMS += tests/test-client
TESTS += tests/test-client
tests_test_client_SOURCES = tests/test-client.c
tests_test_client_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_client_LDADD = $(IGD_TEST_LIBS) $(GIO_LIBS)
