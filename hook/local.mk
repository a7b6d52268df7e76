# hook: the libvirt qemu hook (SPEC.md §6, §8), in two halves.
#
# igd-assign-hook (installed as $(libvirt_hooksdir)/qemu.d/igd-assign, the
# directory libvirtd reads: /etc/libvirt/hooks, whatever our prefix)
# is the fast front: libc only, so a domain without an IGD costs about what
# exec'ing /bin/true costs. It execs igd-assign-hook-full ($(libexecdir),
# igd-core + libxml2 + GIO) only when its byte scan cannot prove the domain
# IGD-free. libvirtd looks for hooks when it starts (or on SIGHUP): restart
# it once after the first install.
qemuhookdir = $(libvirt_hooksdir)/qemu.d
noinst_PROGRAMS += hook/igd-assign-hook
hook_igd_assign_hook_SOURCES = hook/igd-assign-hook.c hook/igd-hook-common.c hook/igd-hook-common.h
hook_igd_assign_hook_CFLAGS = $(WARN_CFLAGS)
hook_igd_assign_hook_LDADD =

libexec_PROGRAMS += hook/igd-assign-hook-full
hook_igd_assign_hook_full_SOURCES = hook/igd-assign-hook-full.c hook/igd-hook-common.c hook/igd-hook-common.h
hook_igd_assign_hook_full_LDADD = $(IGD_CORE_LIBS) $(GIO_LIBS)

# The front is installed under the name libvirt runs (no PROGRAMS primary
# can rename, so install/uninstall it by hand).
install-exec-local: install-igd-assign-hook
uninstall-local: uninstall-igd-assign-hook
install-igd-assign-hook: hook/igd-assign-hook
	$(MKDIR_P) '$(DESTDIR)$(qemuhookdir)'
	$(INSTALL_PROGRAM) hook/igd-assign-hook '$(DESTDIR)$(qemuhookdir)/igd-assign'
	@echo "igd-assign: hook installed as $(qemuhookdir)/igd-assign; restart libvirtd once (or send it SIGHUP) so it finds the hook"
uninstall-igd-assign-hook:
	rm -f '$(DESTDIR)$(qemuhookdir)/igd-assign'
.PHONY: install-igd-assign-hook uninstall-igd-assign-hook

EXTRA_DIST += hook/README.md

# Tests: the hook run directly (captured host trees, private bus/daemon),
# and inside a real libvirtd (root only; skipped otherwise).
dist_check_SCRIPTS += tests/hook-direct.sh tests/hook-libvirtd.sh
TESTS += tests/hook-direct.sh tests/hook-libvirtd.sh

# The hook, data-driven: tests/hookdata/<case>.{args,expect} (see tests/test-hook.c).
check_PROGRAMS += tests/test-hook
TESTS += tests/test-hook
tests_test_hook_SOURCES = tests/test-hook.c
tests_test_hook_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_hook_LDADD = $(IGD_TEST_LIBS) $(GIO_LIBS)
tests/test-hook.$(OBJEXT): hook/igd-assign-hook hook/igd-assign-hook-full
EXTRA_DIST += tests/hookdata
