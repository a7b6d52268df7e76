/*
 * no-openat2.h: run the engine as on a kernel without openat2() (Linux <
 * 5.6, or a container whose seccomp filter answers ENOSYS), so the
 * user-space walk of igd-sysroot.c is tested on any kernel. A test program
 * that links tests/no-openat2.c defines syscall(): the engine's
 * syscall(SYS_openat2, ...) gets ENOSYS while hidden; every other call, and
 * openat2 while not hidden, goes on to the next definition (a preloaded
 * test double, then libc).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Hide openat2() from now on (TRUE) or show it again (FALSE). */
void igd_test_hide_openat2(gboolean hide);
/*
 * Every openat2() answers -1 with errno @err from now on (0: the real call
 * again). EAGAIN is what the kernel gives under RESOLVE_BENEATH when a
 * rename or mount anywhere races with a ".." of the walk.
 */
void igd_test_fail_openat2(int err);
/* TRUE when the running kernel has openat2() (asked once, hidden or not). */
gboolean igd_test_kernel_has_openat2(void);
/* How many openat2() calls were answered with an error while hidden or failing. */
guint igd_test_openat2_hidden_calls(void);

G_END_DECLS
