/*
 * igd-sysroot.c: host paths under one root prefix.
 *
 * A host tree (--sysfs-root, a captured or reported host) is outside input:
 * every node is opened without blocking (O_NONBLOCK | O_NOCTTY |
 * O_CLOEXEC), checked to be what it should be before and after the open
 * (a regular file; a directory for listings; a character device only on
 * the real host), and files are read with a size bound. Under a tree every
 * link is resolved inside the root: openat2() with RESOLVE_BENEATH (Linux
 * 5.6+; glibc 2.36 has no wrapper, so through syscall()), else the same
 * walk in user space, one O_PATH|O_NOFOLLOW component at a time. A link
 * that leaves the tree (absolute, or ".." above the root) is refused, not
 * reinterpreted inside it as RESOLVE_IN_ROOT would: a tree captured from
 * sysfs has only relative links that stay inside, so one that leaves is
 * hostile or broken, and the user should hear so. On the real host ("/")
 * the kernel's links are followed as they are, but nothing blocks and a
 * FIFO is never taken for an attribute.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(SYS_openat2) && __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define IGD_HAVE_OPENAT2 1
#endif

#include "igd-common.h"
#include "igd-sysroot.h"

#define LINKS_MAX       40 /* Linux's MAXSYMLINKS: the walk gives ELOOP after as many links */
#define OPENAT2_RETRIES 8  /* EAGAIN: a rename raced with a ".." under RESOLVE_BENEATH; then the walk */

struct _IgdSysroot {
    char *root; /* "" for the real host */
};

/* What a node must be: the public IgdSysrootNode, and directories for listings. */
typedef enum {
    EXPECT_FILE,
    EXPECT_DEVICE,
    EXPECT_DIR,
} Expect;

IgdSysroot *
igd_sysroot_new(const char *root)
{
    IgdSysroot *sysroot = g_new0(IgdSysroot, 1);
    g_autofree char *copy = g_strdup(root ? root : "");

    while (*copy && copy[strlen(copy) - 1] == '/')
        copy[strlen(copy) - 1] = '\0';
    sysroot->root = g_steal_pointer(&copy);
    return sysroot;
}

void
igd_sysroot_free(IgdSysroot *sysroot)
{
    if (sysroot == NULL)
        return;
    g_free(sysroot->root);
    g_free(sysroot);
}

const char *
igd_sysroot_get_root(const IgdSysroot *sysroot)
{
    return sysroot->root;
}

gboolean
igd_sysroot_is_host(const IgdSysroot *sysroot)
{
    return sysroot->root[0] == '\0';
}

static gboolean
path_is_clean(const char *abs_path)
{
    g_auto(GStrv) parts = NULL;

    if (abs_path == NULL || abs_path[0] != '/')
        return FALSE;
    parts = g_strsplit(abs_path, "/", -1);
    for (guint i = 0; parts[i]; i++) {
        if (g_str_equal(parts[i], ".."))
            return FALSE;
    }
    return TRUE;
}

char *
igd_sysroot_path(const IgdSysroot *sysroot, const char *abs_path)
{
    if (!path_is_clean(abs_path)) {
        g_critical("refusing host path '%s': not absolute or has '..'", abs_path ? abs_path : "(null)");
        return NULL;
    }
    return g_strconcat(sysroot->root, abs_path, NULL);
}

char *
igd_sysroot_pathf(const IgdSysroot *sysroot, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *abs_path = NULL;

    va_start(ap, fmt);
    abs_path = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return igd_sysroot_path(sysroot, abs_path);
}

/* ------------------------------------------------------------------ resolving inside a tree */

static void
close_keep_errno(int fd)
{
    int e = errno;

    close(fd);
    errno = e;
}

/* Put the components of @path in front of @queue, in order ("" and "." dropped). */
static void
queue_components(GQueue *queue, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);

    for (gint i = (gint)g_strv_length(parts) - 1; i >= 0; i--) {
        if (parts[i][0] != '\0' && !g_str_equal(parts[i], "."))
            g_queue_push_head(queue, g_strdup(parts[i]));
    }
}

static void
fds_close(GArray *fds)
{
    for (guint i = 0; i < fds->len; i++)
        close(g_array_index(fds, int, i));
    g_array_set_size(fds, 0);
}

/*
 * RESOLVE_BENEATH in user space (kernels without openat2(), or a seccomp
 * filter that hides it): walk @rel from @rootfd one component at a time,
 * each directory opened O_PATH|O_NOFOLLOW and each link read and followed
 * by hand. An absolute link target or ".." at the root is EXDEV; more than
 * LINKS_MAX links is ELOOP. Returns an O_PATH fd of the directory holding
 * the last component and that component in *@leaf ("." for the directory
 * itself); a link as the last component is followed too when @follow.
 *
 * With @dangling_ok the walk goes on past a missing component lexically
 * (".." takes one level back, a name adds one) to tell a dangling link
 * inside the tree (ENOENT) from one that climbs out (EXDEV).
 */
static int
walk_beneath(int rootfd, const char *rel, gboolean follow, gboolean dangling_ok, char **leaf)
{
    g_autoptr(GArray) fds = g_array_new(FALSE, FALSE, sizeof(int));
    GQueue *queue = g_queue_new(); /* the components still to walk */
    g_autofree char *name = NULL;
    guint links = 0;
    guint below_missing = 0; /* lexical depth under the first missing component */
    gboolean missing = FALSE;
    int fd, e = 0, dirfd;

    *leaf = NULL;
    fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    g_array_append_val(fds, fd);
    queue_components(queue, rel);
    while ((name = g_queue_pop_head(queue)) != NULL) {
        int top = g_array_index(fds, int, fds->len - 1);
        gboolean last = g_queue_is_empty(queue);
        struct stat st;

        if (g_str_equal(name, "..")) {
            if (missing && below_missing > 0) {
                below_missing--;
            } else if (fds->len > 1) {
                close(top);
                g_array_set_size(fds, fds->len - 1);
            } else {
                e = EXDEV;
                break;
            }
            g_clear_pointer(&name, g_free);
            continue;
        }
        if (missing) {
            below_missing++;
            g_clear_pointer(&name, g_free);
            continue;
        }
        if (last && !follow) {
            *leaf = g_steal_pointer(&name);
            break;
        }
        if (fstatat(top, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            e = errno;
            if (e == ENOENT && dangling_ok) {
                missing = TRUE;
                below_missing = 1;
                g_clear_pointer(&name, g_free);
                continue;
            }
            break;
        }
        if (S_ISLNK(st.st_mode)) {
            char target[PATH_MAX];
            ssize_t n;

            if (++links > LINKS_MAX) {
                e = ELOOP;
                break;
            }
            n = readlinkat(top, name, target, sizeof(target));
            if (n < 0 || (gsize)n >= sizeof(target)) {
                e = n < 0 ? errno : ENAMETOOLONG;
                break;
            }
            target[n] = '\0';
            if (target[0] == '/') {
                e = EXDEV;
                break;
            }
            queue_components(queue, target);
            g_clear_pointer(&name, g_free);
            continue;
        }
        if (last) {
            *leaf = g_steal_pointer(&name);
            break;
        }
        if (!S_ISDIR(st.st_mode)) {
            e = ENOTDIR;
            break;
        }
        fd = openat(top, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            e = errno;
            break;
        }
        g_array_append_val(fds, fd);
        g_clear_pointer(&name, g_free);
    }
    g_queue_free_full(queue, g_free);
    if (e == 0 && missing)
        e = ENOENT;
    if (e != 0) {
        g_clear_pointer(leaf, g_free);
        fds_close(fds);
        errno = e;
        return -1;
    }
    if (*leaf == NULL)
        *leaf = g_strdup(".");
    dirfd = g_array_index(fds, int, fds->len - 1);
    g_array_set_size(fds, fds->len - 1);
    fds_close(fds);
    return dirfd;
}

/* openat() of @rel under @rootfd through walk_beneath(). */
static int
walk_open(int rootfd, const char *rel, int flags)
{
    g_autofree char *leaf = NULL;
    int dirfd = walk_beneath(rootfd, rel, !(flags & O_NOFOLLOW), FALSE, &leaf);
    int fd;

    if (dirfd < 0)
        return -1;
    /* the walk followed a last link already; one that appeared since is refused (ELOOP) */
    fd = openat(dirfd, leaf, flags | O_NOFOLLOW);
    close_keep_errno(dirfd);
    return fd;
}

/*
 * Open @rel (relative to the tree's root, "" for the root itself) under
 * @rootfd without leaving it: the kernel's RESOLVE_BENEATH, or the walk.
 * -1 with errno as openat2() gives it (EXDEV: the path leads out; ELOOP).
 */
static int
open_beneath(int rootfd, const char *rel, int flags)
{
    const char *path = rel[0] != '\0' ? rel : ".";

#ifdef IGD_HAVE_OPENAT2
    struct open_how how = { 0 };

    how.flags = (guint64)(guint)flags;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    for (guint tries = 0;; tries++) {
        long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

        if (fd >= 0)
            return (int)fd;
        if (errno == EINTR || (errno == EAGAIN && tries < OPENAT2_RETRIES))
            continue;
        /*
         * ENOSYS: Linux < 5.6. EPERM: a seccomp filter of an older
         * container runtime (a real denial gives EPERM in the walk too).
         * EAGAIN still after the retries: a machine busy renaming (seen
         * about once in 10^5 reads of a sysfs link under load); the walk
         * does not depend on the kernel's rename sequence count.
         */
        if (errno != ENOSYS && errno != EPERM && errno != EAGAIN)
            return -1;
        break;
    }
#endif
    return walk_open(rootfd, path, flags);
}

/* The tree's root directory as an O_PATH fd; -1 with errno. */
static int
open_root(const IgdSysroot *sysroot)
{
    int fd;

    do {
        fd = open(sysroot->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

/* ------------------------------------------------------------------ opening a node */

static gint
name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *
kind_name(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
        return "a regular file";
    case S_IFDIR:
        return "a directory";
    case S_IFIFO:
        return "a FIFO";
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    case S_IFSOCK:
        return "a socket";
    case S_IFLNK:
        return "a symbolic link";
    default:
        return "a file of unknown kind";
    }
}

/*
 * What @expect means here: a regular file (also for a device node of a
 * tree: a copied tree stands for it with a regular file, and a device node
 * in it would be one of this machine's), a directory, or a character
 * device on the real host.
 */
static mode_t
expected_mode(const IgdSysroot *sysroot, Expect expect)
{
    switch (expect) {
    case EXPECT_DIR:
        return S_IFDIR;
    case EXPECT_DEVICE:
        return igd_sysroot_is_host(sysroot) ? S_IFCHR : S_IFREG;
    case EXPECT_FILE:
    default:
        return S_IFREG;
    }
}

/*
 * Errors say "cannot open 'P'", "cannot open 'P' for writing", "cannot list
 * 'P'", "cannot read link 'P'": @verb is "open", "write", "list" or "read link".
 */
static const char *
verb_suffix(const char *verb)
{
    return g_str_equal(verb, "write") ? " for writing" : "";
}

static const char *
verb_word(const char *verb)
{
    return g_str_equal(verb, "write") ? "open" : verb;
}

static gboolean
check_kind(const IgdSysroot *sysroot, int fd, Expect expect, const char *verb, const char *path, GError **error)
{
    mode_t want = expected_mode(sysroot, expect);
    struct stat st;

    if (fstat(fd, &st) < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot %s '%s'%s: %s", verb_word(verb), path, verb_suffix(verb),
                    g_strerror(e));
        return FALSE;
    }
    if ((st.st_mode & S_IFMT) == want)
        return TRUE;
    g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "refusing to %s '%s'%s: %s, not %s%s", verb_word(verb), path,
                verb_suffix(verb), kind_name(st.st_mode), kind_name(want),
                !igd_sysroot_is_host(sysroot) && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                    ? " (a device node in a host tree would be this machine's)"
                    : "");
    return FALSE;
}

/*
 * The error of a failed open, naming the path and why. Links out of the
 * tree are DENIED (as writes always were), loops INVALID; for device nodes
 * EBUSY and EACCES say who holds or guards them.
 */
static void
set_open_error(const IgdSysroot *sysroot, int e, Expect expect, const char *verb, const char *path, GError **error)
{
    int code = IGD_ERROR_IO;

    switch (e) {
    case EXDEV:
        g_set_error(error, IGD_ERROR, IGD_ERROR_DENIED,
                    "refusing to %s '%s'%s: a link in its path leads outside the sysroot '%s'", verb_word(verb), path,
                    verb_suffix(verb), sysroot->root);
        return;
    case ELOOP:
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "refusing to %s '%s'%s: a link loop (more than %d levels of symbolic links)", verb_word(verb), path,
                    verb_suffix(verb), LINKS_MAX);
        return;
    case ENOENT:
        code = IGD_ERROR_NOT_FOUND;
        break;
    case ENODEV:
        code = expect == EXPECT_DEVICE ? IGD_ERROR_NOT_FOUND : IGD_ERROR_IO;
        break;
    case EBUSY:
        code = expect == EXPECT_DEVICE ? IGD_ERROR_CONFLICT : IGD_ERROR_IO;
        break;
    case EACCES:
    case EPERM:
        code = expect == EXPECT_DEVICE ? IGD_ERROR_DENIED : IGD_ERROR_IO;
        break;
    default:
        break;
    }
    g_set_error(error, IGD_ERROR, code, "cannot %s '%s'%s: %s", verb_word(verb), path, verb_suffix(verb), g_strerror(e));
}

/* One open of @abs_path: plain on the host, confined under a tree (@rootfd). */
static int
raw_open(const IgdSysroot *sysroot, int rootfd, const char *abs_path, int flags)
{
    int fd;

    if (rootfd >= 0)
        return open_beneath(rootfd, abs_path + 1, flags);
    do {
        fd = open(abs_path, flags);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

/*
 * Open @abs_path as @expect with @flags (access mode, O_NOFOLLOW,
 * O_DIRECTORY): first as O_PATH to look at what it is without opening it
 * (a device node is never opened where a file is expected, a FIFO never
 * waits for a writer), then for real, non-blocking, and looked at again.
 * @verb names the action in errors (see verb_suffix()).
 */
static int
sysroot_open(const IgdSysroot *sysroot, const char *abs_path, Expect expect, int flags, const char *verb,
             GError **error)
{
    g_autofree char *path = igd_sysroot_path(sysroot, abs_path);
    int rootfd = -1, fd;

    if (path == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "bad host path '%s'", abs_path ? abs_path : "(null)");
        return -1;
    }
    if (!igd_sysroot_is_host(sysroot)) {
        rootfd = open_root(sysroot);
        if (rootfd < 0) {
            set_open_error(sysroot, errno, expect, verb, path, error);
            return -1;
        }
    }
    fd = raw_open(sysroot, rootfd, abs_path, O_PATH | O_CLOEXEC | (flags & O_NOFOLLOW));
    if (fd < 0) {
        set_open_error(sysroot, errno, expect, verb, path, error);
        if (rootfd >= 0)
            close(rootfd);
        return -1;
    }
    if (!check_kind(sysroot, fd, expect, verb, path, error)) {
        close(fd);
        if (rootfd >= 0)
            close(rootfd);
        return -1;
    }
    close(fd);
    fd = raw_open(sysroot, rootfd, abs_path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        set_open_error(sysroot, errno, expect, verb, path, error);
    if (rootfd >= 0)
        close_keep_errno(rootfd);
    if (fd >= 0 && !check_kind(sysroot, fd, expect, verb, path, error)) {
        close(fd);
        return -1;
    }
    return fd;
}

int
igd_sysroot_open(const IgdSysroot *sysroot, const char *abs_path, IgdSysrootNode node, int flags, GError **error)
{
    g_return_val_if_fail((flags & ~(O_ACCMODE | O_NOFOLLOW)) == 0, -1);
    return sysroot_open(sysroot, abs_path, node == IGD_SYSROOT_DEVICE ? EXPECT_DEVICE : EXPECT_FILE, flags, "open",
                        error);
}

gboolean
igd_sysroot_lookup(const IgdSysroot *sysroot, const char *abs_path, GError **error)
{
    g_autofree char *path = igd_sysroot_path(sysroot, abs_path);
    int rootfd = -1, fd;

    if (path == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "bad host path '%s'", abs_path ? abs_path : "(null)");
        return FALSE;
    }
    if (!igd_sysroot_is_host(sysroot)) {
        rootfd = open_root(sysroot);
        if (rootfd < 0) {
            set_open_error(sysroot, errno, EXPECT_FILE, "open", path, error);
            return FALSE;
        }
    }
    fd = raw_open(sysroot, rootfd, abs_path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        set_open_error(sysroot, errno, EXPECT_FILE, "open", path, error);
    if (rootfd >= 0)
        close(rootfd);
    if (fd < 0)
        return FALSE;
    close(fd);
    return TRUE;
}

gboolean
igd_sysroot_exists(const IgdSysroot *sysroot, const char *abs_path)
{
    return path_is_clean(abs_path) && igd_sysroot_lookup(sysroot, abs_path, NULL);
}

GPtrArray *
igd_sysroot_list(const IgdSysroot *sysroot, const char *abs_path, GError **error)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *path = NULL;
    struct dirent *ent;
    DIR *dir;
    int fd = sysroot_open(sysroot, abs_path, EXPECT_DIR, O_RDONLY | O_DIRECTORY, "list", error);

    if (fd < 0)
        return NULL;
    dir = fdopendir(fd);
    if (dir == NULL) {
        int e = errno;
        close(fd);
        path = igd_sysroot_path(sysroot, abs_path);
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot list '%s': %s", path, g_strerror(e));
        return NULL;
    }
    for (;;) {
        errno = 0;
        ent = readdir(dir);
        if (ent == NULL)
            break;
        if (g_str_equal(ent->d_name, ".") || g_str_equal(ent->d_name, ".."))
            continue;
        if (names->len >= IGD_SYSROOT_LIST_MAX) {
            closedir(dir);
            path = igd_sysroot_path(sysroot, abs_path);
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "refusing to list '%s': more than %u entries", path,
                        IGD_SYSROOT_LIST_MAX);
            return NULL;
        }
        g_ptr_array_add(names, g_strdup(ent->d_name));
    }
    if (errno != 0) {
        int e = errno;
        closedir(dir);
        path = igd_sysroot_path(sysroot, abs_path);
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot list '%s': %s", path, g_strerror(e));
        return NULL;
    }
    closedir(dir);
    g_ptr_array_sort(names, name_cmp);
    return g_steal_pointer(&names);
}

/* ------------------------------------------------------------------ readers */

gboolean
igd_sysroot_read(const IgdSysroot *sysroot, const char *abs_path, gsize max,
                 gboolean truncate_ok, guint8 **data, gsize *len, GError **error)
{
    g_autofree guint8 *buf = NULL;
    gsize have = 0;
    int fd = sysroot_open(sysroot, abs_path, EXPECT_FILE, O_RDONLY, "open", error);

    if (fd < 0)
        return FALSE;
    buf = g_malloc(max + 2);
    for (;;) {
        ssize_t n = read(fd, buf + have, max + 1 - have);
        if (n < 0) {
            int e = errno;
            g_autofree char *path = NULL;
            if (e == EINTR)
                continue;
            close(fd);
            path = igd_sysroot_path(sysroot, abs_path);
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot read '%s': %s", path, g_strerror(e));
            return FALSE;
        }
        if (n == 0)
            break;
        have += (gsize)n;
        if (have > max)
            break;
    }
    close(fd);
    if (have > max) {
        if (!truncate_ok) {
            g_autofree char *path = igd_sysroot_path(sysroot, abs_path);
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                        "'%s' is larger than %" G_GSIZE_FORMAT " bytes", path, max);
            return FALSE;
        }
        have = max;
    }
    buf[have] = '\0';
    *len = have;
    *data = g_steal_pointer(&buf);
    return TRUE;
}

char *
igd_sysroot_read_line(const IgdSysroot *sysroot, const char *abs_path, GError **error)
{
    g_autofree guint8 *data = NULL;
    gsize len = 0;
    char *nl;

    /* a sysfs attribute is at most one page (sysfs_emit()): anything larger is not one */
    if (!igd_sysroot_read(sysroot, abs_path, IGD_SYSROOT_LINE_MAX, FALSE, &data, &len, error))
        return NULL;
    nl = strchr((char *)data, '\n');
    if (nl)
        *nl = '\0';
    return (char *)g_steal_pointer(&data);
}

gboolean
igd_sysroot_read_u64(const IgdSysroot *sysroot, const char *abs_path, guint64 *value, GError **error)
{
    g_autofree char *line = igd_sysroot_read_line(sysroot, abs_path, error);
    char *end = NULL;
    guint64 v;

    if (line == NULL)
        return FALSE;
    g_strstrip(line);
    errno = 0;
    v = g_ascii_strtoull(line, &end, 0);
    /* strtoull() takes a sign and negates: "-1" would read as 2^64 - 1. */
    if (!g_ascii_isdigit(line[0]) || errno != 0 || end == NULL || *end != '\0') {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "'%s%s' is not a number: '%.64s'",
                    sysroot->root, abs_path, line);
        return FALSE;
    }
    *value = v;
    return TRUE;
}

/*
 * readlink() of the last component of @abs_path under a tree: the
 * directory holding it resolved inside the root, and the link itself must
 * stay inside too (its target is followed as far as it exists: a loop or a
 * way out is refused, a target missing from the tree is fine, only the
 * name is used).
 */
static char *
read_link_in_tree(const IgdSysroot *sysroot, const char *abs_path, const char *path, GError **error)
{
    g_autofree char *leaf = NULL;
    char target[PATH_MAX];
    ssize_t n;
    int rootfd, dirfd, fd;

    rootfd = open_root(sysroot);
    if (rootfd < 0) {
        set_open_error(sysroot, errno, EXPECT_FILE, "read link", path, error);
        return NULL;
    }
    dirfd = walk_beneath(rootfd, abs_path + 1, FALSE, FALSE, &leaf);
    if (dirfd < 0) {
        set_open_error(sysroot, errno, EXPECT_FILE, "read link", path, error);
        close(rootfd);
        return NULL;
    }
    n = readlinkat(dirfd, leaf, target, sizeof(target));
    if (n < 0 || (gsize)n >= sizeof(target)) {
        int e = n < 0 ? errno : ENAMETOOLONG;
        close(dirfd);
        close(rootfd);
        if (e == EINVAL)
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot read link '%s': not a symbolic link", path);
        else
            set_open_error(sysroot, e, EXPECT_FILE, "read link", path, error);
        return NULL;
    }
    close(dirfd);
    target[n] = '\0';
    g_clear_pointer(&leaf, g_free);
    fd = walk_beneath(rootfd, abs_path + 1, TRUE, TRUE, &leaf);
    if (fd >= 0)
        close(fd);
    else if (errno != ENOENT && errno != ENOTDIR) {
        set_open_error(sysroot, errno, EXPECT_FILE, "read link", path, error);
        close(rootfd);
        return NULL;
    }
    close(rootfd);
    return g_strdup(target);
}

char *
igd_sysroot_read_link_name(const IgdSysroot *sysroot, const char *abs_path, GError **error)
{
    g_autofree char *path = igd_sysroot_path(sysroot, abs_path);
    g_autofree char *target = NULL;

    if (path == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "bad host path '%s'", abs_path ? abs_path : "(null)");
        return NULL;
    }
    if (igd_sysroot_is_host(sysroot)) {
        GError *local = NULL;

        target = g_file_read_link(path, &local);
        if (target == NULL) {
            gboolean missing = g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT);
            g_set_error(error, IGD_ERROR, missing ? IGD_ERROR_NOT_FOUND : IGD_ERROR_IO,
                        "cannot read link '%s': %s", path, local->message);
            g_error_free(local);
            return NULL;
        }
    } else {
        target = read_link_in_tree(sysroot, abs_path, path, error);
        if (target == NULL)
            return NULL;
    }
    return g_path_get_basename(target);
}

gboolean
igd_sysroot_write(const IgdSysroot *sysroot, const char *abs_path, const char *data, GError **error)
{
    g_autofree char *path = NULL;
    gsize len = strlen(data);
    gsize done = 0;
    /* the attribute itself is never a link (sysfs has none), its directories may be */
    int fd = sysroot_open(sysroot, abs_path, EXPECT_FILE, O_WRONLY | O_NOFOLLOW, "write", error);

    if (fd < 0)
        return FALSE;
    path = igd_sysroot_path(sysroot, abs_path);
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0) {
            int e = errno;
            if (e == EINTR)
                continue;
            close(fd);
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot write '%s' to '%s': %s",
                        data, path, g_strerror(e));
            return FALSE;
        }
        done += (gsize)n;
    }
    if (close(fd) < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot write '%s' to '%s': %s",
                    data, path, g_strerror(e));
        return FALSE;
    }
    return TRUE;
}
