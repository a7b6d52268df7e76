/*
 * syscall-args.h: the arguments of a syscall() call, for the test doubles
 * that define syscall() (tests/no-openat2.c, fault-double.c, sysfs-double.c,
 * vfio-double.c).
 *
 * syscall() is variadic and says nothing of how many arguments follow.
 * Reading six where the caller passed four reads past them, into the
 * caller's stack (undefined; AddressSanitizer reports a
 * stack-buffer-underflow when the caller is instrumented). openat2(), the
 * call these doubles look at, takes four (dirfd, path, how, size); any
 * other call is passed on with the six registers the kernel's calling
 * convention has, as glibc's own syscall() does.
 */
#pragma once

#include <stdarg.h>
#include <sys/syscall.h>

static inline void
igd_test_syscall_args(long number, va_list ap, long a[6])
{
    int n = 6;

#ifdef SYS_openat2
    if (number == SYS_openat2)
        n = 4;
#endif
    for (int i = 0; i < 6; i++)
        a[i] = i < n ? va_arg(ap, long) : 0;
}
