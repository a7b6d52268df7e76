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
/* TRUE when the running kernel has openat2() (asked once, hidden or not). */
gboolean igd_test_kernel_has_openat2(void);
/* How many openat2() calls were answered ENOSYS while hidden. */
guint igd_test_openat2_hidden_calls(void);

G_END_DECLS
