/*
 * no-openat2.c: see no-openat2.h.
 */
#include "config.h"

#include "no-openat2.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "syscall-args.h"

long syscall(long number, ...);

static gint hidden; /* the errno openat2() answers with, 0: not hidden */
static guint hidden_calls;
static long (*next_syscall)(long, ...);

__attribute__((constructor)) static void
no_openat2_init(void)
{
    next_syscall = dlsym(RTLD_NEXT, "syscall");
}

void
igd_test_hide_openat2(gboolean hide)
{
    g_atomic_int_set(&hidden, hide ? ENOSYS : 0);
}

void
igd_test_fail_openat2(int err)
{
    g_atomic_int_set(&hidden, err);
}

guint
igd_test_openat2_hidden_calls(void)
{
    return g_atomic_int_get(&hidden_calls);
}

gboolean
igd_test_kernel_has_openat2(void)
{
#ifdef SYS_openat2
    /* a NULL path with a zero-sized how: EFAULT or EINVAL when the call exists */
    long r = next_syscall(SYS_openat2, (long)AT_FDCWD, 0L, 0L, 0L, 0L, 0L);

    return !(r < 0 && errno == ENOSYS);
#else
    return FALSE;
#endif
}

long
syscall(long number, ...)
{
    va_list ap;
    long a[6];

    va_start(ap, number);
    igd_test_syscall_args(number, ap, a);
    va_end(ap);
    if (next_syscall == NULL)
        no_openat2_init();
#ifdef SYS_openat2
    if (number == SYS_openat2 && g_atomic_int_get(&hidden)) {
        g_atomic_int_inc((gint *)&hidden_calls);
        errno = g_atomic_int_get(&hidden);
        return -1;
    }
#endif
    return next_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
