# daemon/local.mk: igd-assignd, its D-Bus/systemd/polkit files and its tests.
sbin_PROGRAMS += daemon/igd-assignd
daemon_igd_assignd_SOURCES = \
	daemon/igd-assignd.c \
	daemon/igd-daemon.c daemon/igd-daemon.h daemon/igd-daemon-private.h \
	daemon/igd-daemon-dbus.c \
	daemon/igd-daemon-config.c daemon/igd-daemon-config.h \
	daemon/igd-watcher.c daemon/igd-watcher.h \
	daemon/igd-tarpit.c daemon/igd-tarpit.h
nodist_daemon_igd_assignd_SOURCES = daemon/igd-introspection.h
daemon_igd_assignd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)/daemon
daemon_igd_assignd_CFLAGS = $(AM_CFLAGS) $(POLKIT_CFLAGS) $(LIBVIRT_CFLAGS)
# libvirt for the optional watcher ([libvirt] watch), SPEC.md §7.
daemon_igd_assignd_LDADD = $(IGD_CORE_LIBS) $(GIO_LIBS) $(POLKIT_LIBS) $(LIBVIRT_LIBS)

# The introspection XML is the source of truth; the daemon embeds it.
daemon/igd-introspection.h: daemon/org.igdassign.Manager1.xml
	$(AM_V_GEN)$(MKDIR_P) daemon && { \
	  echo '/* Generated from org.igdassign.Manager1.xml by daemon/local.mk. */'; \
	  echo 'static const char igd_introspection_xml[] ='; \
	  $(SED) -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $(srcdir)/daemon/org.igdassign.Manager1.xml; \
	  echo ';'; } >$@.tmp && mv $@.tmp $@
BUILT_SOURCES += daemon/igd-introspection.h
$(daemon_igd_assignd_OBJECTS): daemon/igd-introspection.h
CLEANFILES += daemon/igd-introspection.h

# Where dbus-daemon, polkitd and systemd look (configure: from their .pc files).
dbusinterfacedir = $(dbus_interfacedir)
dist_dbusinterface_DATA = daemon/org.igdassign.Manager1.xml

dbussystemdir = $(dbus_systemdir)
dist_dbussystem_DATA = daemon/org.igdassign.Manager1.conf

dbusservicedir = $(dbus_servicedir)
dbusservice_DATA = daemon/org.igdassign.Manager1.service

systemdsystemunit_DATA = daemon/igd-assignd.service

if HAVE_POLKIT
polkitactiondir = $(polkit_actiondir)
polkitaction_DATA = daemon/org.igdassign.policy
endif

igdassignconfdir = $(sysconfdir)/igd-assign
dist_igdassignconf_DATA = daemon/igd-assignd.conf

# @sbindir@ and friends substituted at make time (they may reference ${prefix}).
daemon_subst = $(SED) -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@statedir[@]|$(igd_statedir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g'
daemon/igd-assignd.service: daemon/igd-assignd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) daemon && $(daemon_subst) $(srcdir)/daemon/igd-assignd.service.in >$@.tmp && mv $@.tmp $@
daemon/org.igdassign.Manager1.service: daemon/org.igdassign.Manager1.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) daemon && $(daemon_subst) $(srcdir)/daemon/org.igdassign.Manager1.service.in >$@.tmp && mv $@.tmp $@
daemon/org.igdassign.policy: daemon/org.igdassign.policy.in Makefile
	$(AM_V_GEN)$(MKDIR_P) daemon && $(daemon_subst) $(srcdir)/daemon/org.igdassign.policy.in >$@.tmp && mv $@.tmp $@
CLEANFILES += daemon/igd-assignd.service daemon/org.igdassign.Manager1.service daemon/org.igdassign.policy
EXTRA_DIST += daemon/igd-assignd.service.in daemon/org.igdassign.Manager1.service.in daemon/org.igdassign.policy.in

# Tests on a real private bus (tests/data/daemon/bus.conf) and of `make install`.
dist_check_SCRIPTS += tests/daemon.sh tests/daemon-install.sh tests/daemon-flood.sh tests/daemon-faults.sh \
	tests/daemon-polkit.sh tests/watcher-libvirtd.sh
TESTS += tests/daemon.sh tests/daemon-install.sh tests/daemon-flood.sh tests/daemon-faults.sh tests/daemon-polkit.sh \
	tests/watcher-libvirtd.sh

check_PROGRAMS += tests/test-daemon-config
TESTS += tests/test-daemon-config
tests_test_daemon_config_SOURCES = tests/test-daemon-config.c daemon/igd-daemon-config.c
tests_test_daemon_config_CPPFLAGS = $(IGD_TEST_CPPFLAGS) -I$(top_srcdir)/daemon
tests_test_daemon_config_LDADD = $(IGD_TEST_LIBS)

check_PROGRAMS += tests/test-watcher
TESTS += tests/test-watcher
tests_test_watcher_SOURCES = tests/test-watcher.c daemon/igd-watcher.c
tests_test_watcher_CPPFLAGS = $(IGD_TEST_CPPFLAGS) -I$(top_srcdir)/daemon $(LIBVIRT_CFLAGS)
tests_test_watcher_LDADD = $(IGD_TEST_LIBS) $(LIBVIRT_LIBS)

# The daemon on "the system bus" (a private one named by $DBUS_SYSTEM_BUS_ADDRESS):
# a caller that is not root goes through polkit.
dist_check_SCRIPTS += tests/daemon-system-bus.sh
TESTS += tests/daemon-system-bus.sh

# Loads the daemon with many connections and times calls under that load
# (tests/daemon-flood.sh, bench/daemon-flood.sh).
check_PROGRAMS += tests/dbus-load
tests_dbus_load_SOURCES = tests/dbus-load.c
tests_dbus_load_LDADD = $(GIO_LIBS)

# A fault at the Nth file change under some directories (LD_PRELOAD), for
# tests/daemon-faults.sh: igd-assignd killed before each step of Prepare,
# or the step failing as a full disk does. Like the other doubles it is built
# without --enable-sanitizers' flags (igd-core/vfio.mk).
check_PROGRAMS += tests/libigdfaultdouble.so
tests_libigdfaultdouble_so_SOURCES = tests/fault-double.c
tests_libigdfaultdouble_so_CFLAGS = $(IGD_BASE_CFLAGS) -fPIC
tests_libigdfaultdouble_so_LDFLAGS = -shared -fPIC
tests_libigdfaultdouble_so_LDADD = -ldl
