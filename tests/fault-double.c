/*
 * fault-double.c: a fault at the Nth change a program makes to the files
 * under some directories, loaded with LD_PRELOAD
 * (tests/libigdfaultdouble.so), for tests/daemon-faults.sh: igd-assignd
 * killed (SIGKILL) before each step of a Prepare, or a step failing as a
 * full disk does, without a line of test code in the daemon.
 *
 * A step is one call that changes a file or directory under a watched
 * directory: open(), openat() and openat2() (through syscall(), as
 * igd-sysroot.c opens a tree's files) for writing or creating, write(),
 * pwrite(), fsync(), fdatasync(), fchmod(), fchown(), ftruncate() of a file
 * opened under one (directories too: a directory's fsync is a step),
 * mkdir(), rmdir(), unlink(), rename() and their *at() forms, renameat2(),
 * symlink(), link(), chmod(), chown(), truncate(). Steps are counted only
 * while the arm file exists, so a test counts exactly the steps of the
 * call it makes (the daemon's start is not counted). What a double loaded
 * after this one does inside a write() (the sysfs double moving a driver
 * link, as the kernel does in one go) is part of that write.
 *
 * Environment:
 *   IGD_FAULT_DIRS    watched directories, ':'-separated absolute paths
 *   IGD_FAULT_ARM     the arm file: steps count while it exists
 *   IGD_FAULT_AT      the step (1 = the first) that faults; unset = none
 *   IGD_FAULT_ACTION  "kill" (SIGKILL before the step is done) or an
 *                     errno name (ENOSPC, EIO, EDQUOT): the step fails so,
 *                     undone; default kill
 *   IGD_FAULT_LOG     optional file: "N call path" per step, and
 *                     " -> FAULT" on the faulting one
 *
 * Only the first IGD_FAULT_MAX_FDS descriptors are followed. Thread-safe
 * enough for a daemon whose steps are all made by one thread.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#if defined(SYS_openat2) && __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#include "syscall-args.h"
#define FAULT_HAVE_OPENAT2 1
#endif

#define IGD_FAULT_MAX_FDS 4096
#define IGD_FAULT_MAX_DIRS 8

int open(const char *path, int flags, ...);
int open64(const char *path, int flags, ...);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int openat(int dirfd, const char *path, int flags, ...);
int openat64(int dirfd, const char *path, int flags, ...);
int __openat_2(int dirfd, const char *path, int flags);
int creat(const char *path, mode_t mode);
ssize_t write(int fd, const void *buf, size_t count);
ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset);
ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset);
int fsync(int fd);
int fdatasync(int fd);
int fchmod(int fd, mode_t mode);
int fchown(int fd, uid_t uid, gid_t gid);
int ftruncate(int fd, off_t length);
int close(int fd);
int mkdir(const char *path, mode_t mode);
int mkdirat(int dirfd, const char *path, mode_t mode);
int rmdir(const char *path);
int unlink(const char *path);
int unlinkat(int dirfd, const char *path, int flags);
int rename(const char *from, const char *to);
int renameat(int fromfd, const char *from, int tofd, const char *to);
int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags);
int symlink(const char *target, const char *path);
int link(const char *from, const char *to);
int chmod(const char *path, mode_t mode);
int chown(const char *path, uid_t uid, gid_t gid);
int truncate(const char *path, off_t length);
long syscall(long number, ...);

static char *watched[IGD_FAULT_MAX_DIRS];
static int n_watched = -1;
static const char *arm_file;
static long fault_at;
static int fault_errno; /* 0 = kill */
static int log_fd = -1;
static char *fd_path[IGD_FAULT_MAX_FDS]; /* a descriptor opened under a watched directory: its path */
static long steps;
/*
 * Inside a write() handed on: what a double loaded after this one does to
 * emulate the kernel's answer (the sysfs double moving a driver link) is
 * part of that one step, never a step of its own.
 */
static __thread int in_write;

#define REAL(ret, name, ...)                                                                                          \
    static ret (*real)(__VA_ARGS__);                                                                                  \
    if (real == NULL)                                                                                                 \
        real = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, name)

static void
watch_add(const char *dir)
{
    char buf[PATH_MAX];
    size_t len = strlen(dir);

    while (len > 1 && dir[len - 1] == '/')
        len--;
    if (len == 0 || dir[0] != '/' || n_watched >= IGD_FAULT_MAX_DIRS)
        return;
    watched[n_watched++] = strndup(dir, len);
    /* The same directory as /proc/self/fd shows it (links resolved), for the *at() calls. */
    if (realpath(watched[n_watched - 1], buf) != NULL && strcmp(buf, watched[n_watched - 1]) != 0 &&
        n_watched < IGD_FAULT_MAX_DIRS)
        watched[n_watched++] = strdup(buf);
}

static void
fault_init(void)
{
    const char *dirs, *at, *action, *log;
    char *copy, *save = NULL;

    if (n_watched >= 0)
        return;
    n_watched = 0;
    dirs = getenv("IGD_FAULT_DIRS");
    arm_file = getenv("IGD_FAULT_ARM");
    at = getenv("IGD_FAULT_AT");
    action = getenv("IGD_FAULT_ACTION");
    log = getenv("IGD_FAULT_LOG");
    fault_at = at ? strtol(at, NULL, 10) : 0;
    if (action == NULL || strcmp(action, "kill") == 0)
        fault_errno = 0;
    else if (strcmp(action, "ENOSPC") == 0)
        fault_errno = ENOSPC;
    else if (strcmp(action, "EIO") == 0)
        fault_errno = EIO;
    else if (strcmp(action, "EDQUOT") == 0)
        fault_errno = EDQUOT;
    else
        abort(); /* a test's mistake */
    if (dirs != NULL && (copy = strdup(dirs)) != NULL) {
        for (char *d = strtok_r(copy, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save))
            watch_add(d);
        free(copy);
    }
    if (log != NULL) {
        REAL(int, "open", const char *, int, ...);
        log_fd = real(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    }
}

static int
is_watched(const char *path)
{
    for (int i = 0; path != NULL && i < n_watched; i++) {
        size_t len = strlen(watched[i]);
        if (strncmp(path, watched[i], len) == 0 && (path[len] == '/' || path[len] == '\0'))
            return 1;
    }
    return 0;
}

/* @path as an absolute path (relative to @dirfd or the working directory), into @buf. */
static const char *
absolute(int dirfd, const char *path, char buf[PATH_MAX])
{
    char base[PATH_MAX];
    ssize_t n;

    if (path == NULL || path[0] == '/')
        return path;
    if (dirfd == AT_FDCWD) {
        if (getcwd(base, sizeof base) == NULL)
            return path;
    } else {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
        n = readlink(link, base, sizeof base - 1);
        if (n < 0)
            return path;
        base[n] = '\0';
    }
    if (strlen(base) + 1 + strlen(path) >= PATH_MAX)
        return path;
    memcpy(buf, base, strlen(base));
    buf[strlen(base)] = '/';
    strcpy(buf + strlen(base) + 1, path);
    return buf;
}

/*
 * A step on @path (NULL: not watched) by @call: counted while armed; the
 * faulting one kills the process or returns -1 with the errno to fail
 * with (the caller then does not make the call). 0: go on.
 */
static int
step(const char *call, const char *path)
{
    char line[PATH_MAX + 64];
    long n;
    int fault;

    fault_init();
    if (in_write || path == NULL || !is_watched(path) || arm_file == NULL || access(arm_file, F_OK) != 0)
        return 0;
    n = __atomic_add_fetch(&steps, 1, __ATOMIC_SEQ_CST);
    fault = fault_at > 0 && n == fault_at;
    if (log_fd >= 0) {
        REAL(ssize_t, "write", int, const void *, size_t);
        int len = snprintf(line, sizeof line, "%ld %s %s%s\n", n, call, path, fault ? " -> FAULT" : "");
        if (len > 0 && real(log_fd, line, (size_t)len) < 0) {
            /* the log is best effort */
        }
    }
    if (!fault)
        return 0;
    if (fault_errno == 0)
        raise(SIGKILL);
    return fault_errno;
}

static const char *
fd_watched(int fd)
{
    return fd >= 0 && fd < IGD_FAULT_MAX_FDS ? fd_path[fd] : NULL;
}

static void
fd_remember(int fd, const char *path)
{
    fault_init();
    if (fd < 0 || fd >= IGD_FAULT_MAX_FDS)
        return;
    free(fd_path[fd]);
    fd_path[fd] = path != NULL && is_watched(path) ? strdup(path) : NULL;
}

static int
fail(int e)
{
    errno = e;
    return -1;
}

static int
mutates(int flags)
{
    return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0;
}

/* ---- opening ---- */

static int
do_openat(const char *name, int dirfd, const char *path, int flags, mode_t mode)
{
    REAL(int, "openat", int, const char *, int, ...);
    char buf[PATH_MAX];
    const char *abs;
    int e, fd;

    fault_init();
    abs = n_watched > 0 ? absolute(dirfd, path, buf) : NULL;
    if (mutates(flags) && (e = step(name, abs)) != 0)
        return fail(e);
    fd = real(dirfd, path, flags, mode);
    if (fd >= 0 && abs != NULL)
        fd_remember(fd, abs);
    return fd;
}

#define MODE_ARG(flags)                                                                                               \
    mode_t mode = 0;                                                                                                  \
    if ((flags) & (O_CREAT | O_TMPFILE)) {                                                                            \
        va_list ap;                                                                                                   \
        va_start(ap, flags);                                                                                          \
        mode = (mode_t)va_arg(ap, int);                                                                               \
        va_end(ap);                                                                                                   \
    }

int
open(const char *path, int flags, ...)
{
    MODE_ARG(flags)
    return do_openat("open", AT_FDCWD, path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
    MODE_ARG(flags)
    return do_openat("open", AT_FDCWD, path, flags, mode);
}

int
__open_2(const char *path, int flags)
{
    return do_openat("open", AT_FDCWD, path, flags, 0);
}

int
__open64_2(const char *path, int flags)
{
    return do_openat("open", AT_FDCWD, path, flags, 0);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
    MODE_ARG(flags)
    return do_openat("openat", dirfd, path, flags, mode);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
    MODE_ARG(flags)
    return do_openat("openat", dirfd, path, flags, mode);
}

int
__openat_2(int dirfd, const char *path, int flags)
{
    return do_openat("openat", dirfd, path, flags, 0);
}

static long (*real_syscall)(long, ...);

/* Before any thread: GLib's locks call syscall(). */
__attribute__((constructor)) static void
fault_ctor(void)
{
    real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
}

long
syscall(long number, ...)
{
    long a[6];
    va_list ap;

    va_start(ap, number);
    igd_test_syscall_args(number, ap, a);
    va_end(ap);
    if (real_syscall == NULL)
        fault_ctor();
#ifdef FAULT_HAVE_OPENAT2
    if (number == SYS_openat2 && a[2] != 0) {
        const struct open_how *how = (const struct open_how *)a[2];
        const char *path = (const char *)a[1];
        char buf[PATH_MAX];
        const char *abs;
        long fd;
        int e;

        fault_init();
        abs = n_watched > 0 ? absolute((int)a[0], path, buf) : NULL;
        if (mutates((int)how->flags) && (e = step("openat2", abs)) != 0)
            return fail(e);
        fd = real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (fd >= 0 && abs != NULL)
            fd_remember((int)fd, abs);
        return fd;
    }
#endif
    return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int
creat(const char *path, mode_t mode)
{
    return do_openat("creat", AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int
close(int fd)
{
    REAL(int, "close", int);
    if (fd >= 0 && fd < IGD_FAULT_MAX_FDS && fd_path[fd] != NULL) {
        free(fd_path[fd]);
        fd_path[fd] = NULL;
    }
    return real(fd);
}

/* ---- through a descriptor ---- */

ssize_t
write(int fd, const void *buf, size_t count)
{
    REAL(ssize_t, "write", int, const void *, size_t);
    int e = step("write", fd_watched(fd));
    ssize_t n;

    if (e != 0)
        return fail(e);
    in_write++;
    n = real(fd, buf, count);
    in_write--;
    return n;
}

ssize_t
pwrite(int fd, const void *buf, size_t count, off_t offset)
{
    REAL(ssize_t, "pwrite", int, const void *, size_t, off_t);
    int e = step("pwrite", fd_watched(fd));
    return e ? fail(e) : real(fd, buf, count, offset);
}

ssize_t
pwrite64(int fd, const void *buf, size_t count, off_t offset)
{
    REAL(ssize_t, "pwrite64", int, const void *, size_t, off_t);
    int e = step("pwrite", fd_watched(fd));
    return e ? fail(e) : real(fd, buf, count, offset);
}

int
fsync(int fd)
{
    REAL(int, "fsync", int);
    int e = step("fsync", fd_watched(fd));
    return e ? fail(e) : real(fd);
}

int
fdatasync(int fd)
{
    REAL(int, "fdatasync", int);
    int e = step("fdatasync", fd_watched(fd));
    return e ? fail(e) : real(fd);
}

int
fchmod(int fd, mode_t mode)
{
    REAL(int, "fchmod", int, mode_t);
    int e = step("fchmod", fd_watched(fd));
    return e ? fail(e) : real(fd, mode);
}

int
fchown(int fd, uid_t uid, gid_t gid)
{
    REAL(int, "fchown", int, uid_t, gid_t);
    int e = step("fchown", fd_watched(fd));
    return e ? fail(e) : real(fd, uid, gid);
}

int
ftruncate(int fd, off_t length)
{
    REAL(int, "ftruncate", int, off_t);
    int e = step("ftruncate", fd_watched(fd));
    return e ? fail(e) : real(fd, length);
}

/* ---- by name ---- */

static const char *
at_path(int dirfd, const char *path, char buf[PATH_MAX])
{
    fault_init();
    return n_watched > 0 ? absolute(dirfd, path, buf) : NULL;
}

int
mkdir(const char *path, mode_t mode)
{
    REAL(int, "mkdir", const char *, mode_t);
    char buf[PATH_MAX];
    int e = step("mkdir", at_path(AT_FDCWD, path, buf));
    return e ? fail(e) : real(path, mode);
}

int
mkdirat(int dirfd, const char *path, mode_t mode)
{
    REAL(int, "mkdirat", int, const char *, mode_t);
    char buf[PATH_MAX];
    int e = step("mkdirat", at_path(dirfd, path, buf));
    return e ? fail(e) : real(dirfd, path, mode);
}

int
rmdir(const char *path)
{
    REAL(int, "rmdir", const char *);
    char buf[PATH_MAX];
    int e = step("rmdir", at_path(AT_FDCWD, path, buf));
    return e ? fail(e) : real(path);
}

int
unlink(const char *path)
{
    REAL(int, "unlink", const char *);
    char buf[PATH_MAX];
    int e = step("unlink", at_path(AT_FDCWD, path, buf));
    return e ? fail(e) : real(path);
}

int
unlinkat(int dirfd, const char *path, int flags)
{
    REAL(int, "unlinkat", int, const char *, int);
    char buf[PATH_MAX];
    int e = step("unlinkat", at_path(dirfd, path, buf));
    return e ? fail(e) : real(dirfd, path, flags);
}

int
rename(const char *from, const char *to)
{
    REAL(int, "rename", const char *, const char *);
    char buf[PATH_MAX];
    int e = step("rename", at_path(AT_FDCWD, to, buf));
    return e ? fail(e) : real(from, to);
}

int
renameat(int fromfd, const char *from, int tofd, const char *to)
{
    REAL(int, "renameat", int, const char *, int, const char *);
    char buf[PATH_MAX];
    int e = step("renameat", at_path(tofd, to, buf));
    return e ? fail(e) : real(fromfd, from, tofd, to);
}

int
renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags)
{
    REAL(int, "renameat2", int, const char *, int, const char *, unsigned int);
    char buf[PATH_MAX];
    int e = step("renameat2", at_path(tofd, to, buf));
    return e ? fail(e) : real(fromfd, from, tofd, to, flags);
}

int
symlink(const char *target, const char *path)
{
    REAL(int, "symlink", const char *, const char *);
    char buf[PATH_MAX];
    int e = step("symlink", at_path(AT_FDCWD, path, buf));
    return e ? fail(e) : real(target, path);
}

int
link(const char *from, const char *to)
{
    REAL(int, "link", const char *, const char *);
    char buf[PATH_MAX];
    int e = step("link", at_path(AT_FDCWD, to, buf));
    return e ? fail(e) : real(from, to);
}

int
chmod(const char *path, mode_t mode)
{
    REAL(int, "chmod", const char *, mode_t);
    char buf[PATH_MAX];
    int e = step("chmod", at_path(AT_FDCWD, path, buf));
    return e ? fail(e) : real(path, mode);
}

int
chown(const char *path, uid_t uid, gid_t gid)
{
    REAL(int, "chown", const char *, uid_t, gid_t);
    char buf[PATH_MAX];
    int e = step("chown", at_path(AT_FDCWD, path, buf));
    return e ? fail(e) : real(path, uid, gid);
}

int
truncate(const char *path, off_t length)
{
    REAL(int, "truncate", const char *, off_t);
    char buf[PATH_MAX];
    int e = step("truncate", at_path(AT_FDCWD, path, buf));
    return e ? fail(e) : real(path, length);
}
