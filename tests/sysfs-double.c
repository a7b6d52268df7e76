/*
 * sysfs-double.c: the Linux PCI core's answer to driver binding writes, for
 * a copy of a host tree, loaded with LD_PRELOAD (tests/libigdsysfsdouble.so).
 *
 * igd_sysroot_write() opens an attribute for writing, write()s the value
 * and close()s it. Under a tree the open is openat2(rootfd, "sys/...",
 * RESOLVE_BENEATH) through syscall() (glibc 2.36 has no wrapper), or, on
 * kernels without openat2(), openat(dirfd, "<attribute>", O_NOFOLLOW) at
 * the end of a walk; on the host a plain open(). The double sees all three
 * (open/openat and syscall(SYS_openat2) are overridden; a dirfd is turned
 * into its path through /proc/self/fd). Under the root named by
 * $IGD_SYSFS_DOUBLE it catches the writes to
 *
 *   sys/bus/pci/devices/<dev>/driver_override
 *   sys/bus/pci/drivers/<drv>/unbind, sys/bus/pci/drivers/<drv>/bind
 *   sys/bus/pci/drivers_probe
 *
 * and does what drivers/pci/pci-sysfs.c, drivers/base/bus.c and
 * drivers/base/dd.c do: store the override as the kernel shows it
 * ("vfio-pci\n", "(null)\n" once cleared), drop or make the device's
 * "driver" link (and the driver's link back to the device). Faults and
 * refusing drivers come from a key file. Everything else goes to libc.
 *
 * Safety net: an open for writing of anything under the real /sys aborts
 * the program, so a test can never bind or unbind a device of the machine.
 *
 * Environment (documented in tests/data/sysfs/README.md):
 *   IGD_SYSFS_DOUBLE         the sysroot directory (absolute, stands for "/")
 *   IGD_SYSFS_DOUBLE_CONFIG  optional key file: faults, refusing drivers,
 *                            default drivers; read again at every write
 *   IGD_SYSFS_DOUBLE_LOG     optional file: one line per caught write
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(SYS_openat2) && __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#include "syscall-args.h"
#define DOUBLE_HAVE_OPENAT2 1
#endif

#define DOUBLE_MAX_FDS 16
#define DOUBLE_DEFAULT_DRIVER "i915"
/* Relative link targets as the captured trees have them (tests/data/hosts). */
#define DOUBLE_DRIVER_LINK "../../../../bus/pci/drivers/%s"
#define DOUBLE_DEVICE_LINK "../../devices/%s"

/* Exported: how many caught attribute fds are open (tests assert 0). */
int igd_sysfs_double_open_fds(void);
int open(const char *path, int flags, ...);
int open64(const char *path, int flags, ...);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int openat(int dirfd, const char *path, int flags, ...);
int openat64(int dirfd, const char *path, int flags, ...);
long syscall(long number, ...);
ssize_t write(int fd, const void *buf, size_t count);
int close(int fd);

typedef enum {
    ATTR_NONE,
    ATTR_OVERRIDE, /* devices/<name>/driver_override */
    ATTR_UNBIND,   /* drivers/<name>/unbind */
    ATTR_BIND,     /* drivers/<name>/bind */
    ATTR_PROBE,    /* drivers_probe */
} Attr;

typedef struct {
    int fd;
    Attr attr;
    char *root;      /* $IGD_SYSFS_DOUBLE when the attribute was opened */
    char *path;      /* the file as opened */
    char *host_path; /* "/sys/bus/pci/..." for the log and the faults */
    char *name;      /* the device (ATTR_OVERRIDE) or driver (UNBIND, BIND) */
} Caught;

static Caught caught[DOUBLE_MAX_FDS];
static gint n_caught;
static GRecMutex lock; /* recursive: loading the config closes fds */

static int (*real_openat)(int, const char *, int, ...);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_close)(int);
static long (*real_syscall)(long, ...);

static void
double_init(void)
{
    if (real_openat != NULL)
        return;
    real_write = dlsym(RTLD_NEXT, "write");
    real_close = dlsym(RTLD_NEXT, "close");
    real_syscall = dlsym(RTLD_NEXT, "syscall");
    real_openat = dlsym(RTLD_NEXT, "openat");
}

/* Before any thread: syscall() is called by GLib's own locks. */
__attribute__((constructor)) static void
double_ctor(void)
{
    double_init();
}

static const struct {
    const char *name;
    int value;
} errno_names[] = {
    { "EIO", EIO },       { "EBUSY", EBUSY },   { "ENODEV", ENODEV }, { "EINVAL", EINVAL },
    { "ENOENT", ENOENT }, { "EPERM", EPERM },   { "EACCES", EACCES }, { "ENOMEM", ENOMEM },
    { "ENXIO", ENXIO },   { "EAGAIN", EAGAIN }, { "ENOSPC", ENOSPC }, { "EEXIST", EEXIST },
};

static const char *
errno_name(int e)
{
    for (guint i = 0; i < G_N_ELEMENTS(errno_names); i++)
        if (errno_names[i].value == e)
            return errno_names[i].name;
    return "E?";
}

G_GNUC_NORETURN static void
double_die(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void
double_die(const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (real_write(STDERR_FILENO, "sysfs-double: ", 14) < 0 || real_write(STDERR_FILENO, msg, strlen(msg)) < 0 ||
        real_write(STDERR_FILENO, "\n", 1) < 0) {
        /* aborting anyway */
    }
    abort();
}

static int
errno_parse(const char *group, const char *s)
{
    for (guint i = 0; i < G_N_ELEMENTS(errno_names); i++)
        if (g_str_equal(errno_names[i].name, s))
            return errno_names[i].value;
    double_die("[%s] errno=%s: not one of EIO, EBUSY, ENODEV, EINVAL, ... (tests/data/sysfs/README.md)", group, s);
}

/* ---- the configuration ---------------------------------------------- */

static char *config_text;   /* the key file as last read, to notice a change */
static GKeyFile *config;    /* never NULL after config_refresh() */
static GHashTable *matched; /* "[write ...]" group → writes it has seen since the config changed */

static void
config_refresh(void)
{
    const char *path = g_getenv("IGD_SYSFS_DOUBLE_CONFIG");
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;

    if (path != NULL && *path != '\0' && !g_file_get_contents(path, &text, NULL, &error))
        double_die("IGD_SYSFS_DOUBLE_CONFIG: %s", error->message);
    if (text == NULL)
        text = g_strdup("");
    if (config != NULL && g_str_equal(text, config_text))
        return;
    g_clear_pointer(&config, g_key_file_free);
    g_free(config_text);
    config_text = g_steal_pointer(&text);
    config = g_key_file_new();
    if (!g_key_file_load_from_data(config, config_text, -1, G_KEY_FILE_NONE, &error))
        double_die("%s: %s", path, error->message);
    if (matched == NULL)
        matched = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_remove_all(matched);
}

/* A configured fault for this write: [write <host path>] errno=E... skip=N. 0 when none. */
static int
config_fault(const char *host_path)
{
    g_autofree char *group = g_strdup_printf("write %s", host_path);
    g_autofree char *name = NULL;
    guint seen;
    gint64 skip;

    if (!g_key_file_has_group(config, group))
        return 0;
    seen = GPOINTER_TO_UINT(g_hash_table_lookup(matched, group));
    g_hash_table_replace(matched, g_strdup(group), GUINT_TO_POINTER(seen + 1));
    skip = g_key_file_get_int64(config, group, "skip", NULL);
    if (seen < skip)
        return 0;
    name = g_key_file_get_string(config, group, "errno", NULL);
    if (name == NULL)
        double_die("[%s] has no errno=", group);
    return errno_parse(group, g_strstrip(name));
}

/* The errno the probe of driver @drv returns ([driver <drv>] refuse=E...), 0 when it takes the device. */
static int
config_refusal(const char *drv)
{
    g_autofree char *group = g_strdup_printf("driver %s", drv);
    g_autofree char *name = g_key_file_get_string(config, group, "refuse", NULL);

    return name ? errno_parse(group, g_strstrip(name)) : 0;
}

/* The driver whose id table matches @dev ([device <dev>] driver=, i915 by default, "" for none). */
static char *
config_default_driver(const char *dev)
{
    g_autofree char *group = g_strdup_printf("device %s", dev);
    char *drv = g_key_file_get_string(config, group, "driver", NULL);

    return drv ? g_strstrip(drv) : g_strdup(DOUBLE_DEFAULT_DRIVER);
}

/* ---- the model: files under <root>/sys/bus/pci ----------------------- */

static gboolean
name_ok(const char *name)
{
    return *name != '\0' && strchr(name, '/') == NULL && !g_str_equal(name, ".") && !g_str_equal(name, "..");
}

static char *
pci_path(const char *root, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static char *
pci_path(const char *root, const char *fmt, ...)
{
    g_autofree char *rel = NULL;
    va_list ap;

    va_start(ap, fmt);
    rel = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return g_strconcat(root, "/sys/bus/pci/", rel, NULL);
}

/* The driver @dev is bound to, NULL when none. */
static char *
bound_driver(const char *root, const char *dev)
{
    g_autofree char *link = pci_path(root, "devices/%s/driver", dev);
    g_autofree char *target = g_file_read_link(link, NULL);

    return target ? g_path_get_basename(target) : NULL;
}

/* The device's driver_override as the kernel keeps it (NULL when none). */
static char *
override_of(const char *root, const char *dev)
{
    g_autofree char *path = pci_path(root, "devices/%s/driver_override", dev);
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    g_strchomp(text);
    if (*text == '\0' || g_str_equal(text, "(null)"))
        return NULL;
    return g_steal_pointer(&text);
}

static gboolean
driver_loaded(const char *root, const char *drv)
{
    g_autofree char *dir = pci_path(root, "drivers/%s", drv);

    return name_ok(drv) && g_file_test(dir, G_FILE_TEST_IS_DIR);
}

/* The name a write to unbind/bind/drivers_probe names (sysfs_streq: one trailing newline ignored). */
static char *
device_named(const char *root, const char *data)
{
    g_autofree char *name = g_strdup(data);
    g_autofree char *dir = NULL;
    gsize n = strlen(name);

    if (n > 0 && name[n - 1] == '\n')
        name[n - 1] = '\0';
    if (!name_ok(name))
        return NULL;
    dir = pci_path(root, "devices/%s", name);
    return g_file_test(dir, G_FILE_TEST_IS_DIR) ? g_steal_pointer(&name) : NULL;
}

/* pci_match_device(): with driver_override only that driver matches, else the device's own driver. */
static gboolean
driver_matches(const char *root, const char *dev, const char *drv)
{
    g_autofree char *override = override_of(root, dev);
    g_autofree char *def = NULL;

    if (override != NULL)
        return g_str_equal(override, drv);
    def = config_default_driver(dev);
    return g_str_equal(def, drv);
}

static int
link_driver(const char *root, const char *dev, const char *drv)
{
    g_autofree char *link = pci_path(root, "devices/%s/driver", dev);
    g_autofree char *target = g_strdup_printf(DOUBLE_DRIVER_LINK, drv);
    g_autofree char *back = pci_path(root, "drivers/%s/%s", drv, dev);
    g_autofree char *back_target = g_strdup_printf(DOUBLE_DEVICE_LINK, dev);

    if (symlink(target, link) < 0)
        return errno;
    if (symlink(back_target, back) < 0 && errno != EEXIST)
        return errno;
    return 0;
}

static int
unlink_driver(const char *root, const char *dev, const char *drv)
{
    g_autofree char *link = pci_path(root, "devices/%s/driver", dev);
    g_autofree char *back = pci_path(root, "drivers/%s/%s", drv, dev);

    if (unlink(link) < 0)
        return errno;
    if (unlink(back) < 0 && errno != ENOENT)
        return errno;
    return 0;
}

/* driver_set_override(): the first line is the override, an empty one clears it. */
static int
store_override(Caught *c, const char *data)
{
    g_autofree char *value = g_strndup(data, strcspn(data, "\n"));
    g_autofree char *shown = g_strdup_printf("%s\n", *value ? value : "(null)");
    int fd, e = 0;

    if (strlen(data) >= 4095) /* PAGE_SIZE - 1 */
        return EINVAL;
    fd = real_openat(AT_FDCWD, c->path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno;
    if (real_write(fd, shown, strlen(shown)) != (ssize_t)strlen(shown))
        e = EIO;
    real_close(fd);
    return e;
}

/* unbind_store(): only the driver the device is bound to can let it go. */
static int
store_unbind(Caught *c, const char *data)
{
    g_autofree char *dev = device_named(c->root, data);
    g_autofree char *drv = dev ? bound_driver(c->root, dev) : NULL;

    if (drv == NULL || !g_str_equal(drv, c->name))
        return ENODEV;
    return unlink_driver(c->root, dev, drv);
}

/* bind_store(): the driver must match the device, which must be free; its probe may refuse. */
static int
store_bind(Caught *c, const char *data)
{
    g_autofree char *dev = device_named(c->root, data);
    g_autofree char *drv = NULL;
    int refusal;

    if (dev == NULL || !driver_matches(c->root, dev, c->name))
        return ENODEV;
    drv = bound_driver(c->root, dev);
    if (drv != NULL)
        return EBUSY;
    refusal = config_refusal(c->name);
    if (refusal != 0)
        return refusal;
    return link_driver(c->root, dev, c->name);
}

/*
 * drivers_probe_store(): a free device goes to the matching loaded driver.
 * A probe that fails leaves it free and the write succeeds (dd.c goes on
 * to the next driver and ignores the probe's error).
 */
static int
store_probe(Caught *c, const char *data)
{
    g_autofree char *dev = device_named(c->root, data);
    g_autofree char *drv = NULL;
    g_autofree char *want = NULL;

    if (dev == NULL)
        return ENODEV;
    drv = bound_driver(c->root, dev);
    if (drv != NULL)
        return 0;
    want = override_of(c->root, dev);
    if (want == NULL)
        want = config_default_driver(dev);
    if (!driver_loaded(c->root, want) || config_refusal(want) != 0)
        return 0;
    return link_driver(c->root, dev, want);
}

static void
double_log(const Caught *c, const char *data, int e)
{
    const char *path = g_getenv("IGD_SYSFS_DOUBLE_LOG");
    g_autofree char *shown = g_strescape(data, NULL);
    g_autofree char *line = NULL;
    int fd;

    if (path == NULL || *path == '\0')
        return;
    line = g_strdup_printf("%s=%s%s%s\n", c->host_path, shown, e ? " -> " : "", e ? errno_name(e) : "");
    fd = real_openat(AT_FDCWD, path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        double_die("cannot open the log %s: %s", path, g_strerror(errno));
    if (real_write(fd, line, strlen(line)) != (ssize_t)strlen(line))
        double_die("cannot write the log %s", path);
    real_close(fd);
}

static int
double_store(Caught *c, const char *data)
{
    int e;

    config_refresh();
    e = config_fault(c->host_path);
    if (e == 0) {
        switch (c->attr) {
        case ATTR_OVERRIDE:
            e = store_override(c, data);
            break;
        case ATTR_UNBIND:
            e = store_unbind(c, data);
            break;
        case ATTR_BIND:
            e = store_bind(c, data);
            break;
        case ATTR_PROBE:
            e = store_probe(c, data);
            break;
        case ATTR_NONE:
            break;
        }
    }
    double_log(c, data, e);
    return e;
}

/* ---- which opens are ours ------------------------------------------- */

static char *
absolute_path(int dirfd, const char *path)
{
    g_autofree char *base = NULL;

    if (path[0] == '/')
        return g_strdup(path);
    if (dirfd == AT_FDCWD) {
        base = g_get_current_dir();
    } else {
        g_autofree char *proc = g_strdup_printf("/proc/self/fd/%d", dirfd);
        base = g_file_read_link(proc, NULL);
        if (base == NULL)
            return NULL;
    }
    return g_build_filename(base, path, NULL);
}

static gboolean
under(const char *path, const char *dir)
{
    gsize n = strlen(dir);

    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/*
 * @abs with every link followed, whether or not the end exists (as
 * `readlink -m`): realpath() gives up on a missing component, and a link
 * into /sys where sysfs is not mounted (a chroot) must still be caught.
 * At most 40 links (the kernel's MAXSYMLINKS); NULL beyond.
 */
static char *
resolve_missing_ok(const char *abs)
{
    g_autoptr(GString) done = g_string_new("");
    g_autofree char *todo = g_strdup(abs);
    guint links = 0;

    for (;;) {
        char *p = todo;
        gboolean again = FALSE;

        while (*p != '\0' && !again) {
            const char *comp;
            char *link;
            gsize mark = done->len;

            while (*p == '/')
                p++;
            comp = p;
            while (*p != '\0' && *p != '/')
                p++;
            if (p == comp)
                break;
            if (p - comp == 1 && comp[0] == '.')
                continue;
            if (p - comp == 2 && comp[0] == '.' && comp[1] == '.') {
                char *slash = strrchr(done->str, '/');
                g_string_truncate(done, slash ? (gsize)(slash - done->str) : 0);
                continue;
            }
            g_string_append_c(done, '/');
            g_string_append_len(done, comp, p - comp);
            link = g_file_read_link(done->str, NULL);
            if (link == NULL)
                continue;
            if (++links > 40) {
                g_free(link);
                return NULL;
            }
            g_string_truncate(done, g_path_is_absolute(link) ? 0 : mark);
            {
                char *rest = g_strconcat(link, "/", p, NULL);
                g_free(link);
                g_free(todo);
                todo = rest;
            }
            if (g_path_is_absolute(todo))
                g_string_truncate(done, 0);
            again = TRUE;
        }
        if (!again)
            break;
        /* a relative target continues from where the link was */
        if (!g_path_is_absolute(todo)) {
            char *joined = g_strconcat(done->str, "/", todo, NULL);
            g_free(todo);
            todo = joined;
            g_string_truncate(done, 0);
        }
    }
    if (done->len == 0)
        g_string_append_c(done, '/');
    return g_string_free(g_steal_pointer(&done), FALSE);
}

/* Abort when an open for writing would reach the machine's own /sys. */
static void
guard_real_sys(const char *abs, const char *root)
{
    g_autofree char *resolved = resolve_missing_ok(abs);

    if (under(abs, "/sys") || resolved == NULL || under(resolved, "/sys"))
        double_die("refusing to open %s for writing: it is the real /sys (IGD_SYSFS_DOUBLE=%s)", abs,
                   root ? root : "unset");
}

/* The root from the environment, without trailing '/'; NULL when unset. */
static char *
double_root(void)
{
    const char *env = g_getenv("IGD_SYSFS_DOUBLE");
    g_autofree char *root = NULL;
    g_autofree char *real = NULL;
    gsize n;

    if (env == NULL || *env == '\0')
        return NULL;
    root = g_strdup(env);
    n = strlen(root);
    while (n > 0 && root[n - 1] == '/')
        root[--n] = '\0';
    real = realpath(env, NULL);
    if (!g_path_is_absolute(env) || n == 0 || under(root, "/sys") || (real && under(real, "/sys")))
        double_die("IGD_SYSFS_DOUBLE=%s must be an absolute sysroot copy, not / or /sys", env);
    return g_steal_pointer(&root);
}

/*
 * @abs as the engine named it: an open relative to a dirfd comes back from
 * /proc/self/fd with the root's real path, which is put back as $IGD_SYSFS_DOUBLE
 * spells it (the engine opens "sys/bus/pci/devices/<dev>/..." from the
 * root, so the rest is the path the engine asked for).
 */
static char *
logical_path(const char *abs, const char *root)
{
    g_autofree char *real = NULL;
    gsize n;

    if (root == NULL || under(abs, root))
        return g_strdup(abs);
    real = realpath(root, NULL);
    if (real == NULL || !under(abs, real))
        return g_strdup(abs);
    n = strlen(real);
    return g_strconcat(root, abs + n, NULL);
}

/* Which attribute @abs is under @root ("/sys/bus/pci/..." in *@host_path, the name in *@name). */
static Attr
classify(const char *abs, const char *root, char **host_path, char **name)
{
    g_auto(GStrv) parts = NULL;
    const char *rel;
    guint n;

    if (!under(abs, root))
        return ATTR_NONE;
    rel = abs + strlen(root);
    if (!g_str_has_prefix(rel, "/sys/bus/pci/"))
        return ATTR_NONE;
    parts = g_strsplit(rel + strlen("/sys/bus/pci/"), "/", -1);
    n = g_strv_length(parts);
    *host_path = g_strdup(rel);
    if (n == 1 && g_str_equal(parts[0], "drivers_probe"))
        return ATTR_PROBE;
    if (n == 3 && name_ok(parts[1])) {
        *name = g_strdup(parts[1]);
        if (g_str_equal(parts[0], "devices") && g_str_equal(parts[2], "driver_override"))
            return ATTR_OVERRIDE;
        if (g_str_equal(parts[0], "drivers") && g_str_equal(parts[2], "unbind"))
            return ATTR_UNBIND;
        if (g_str_equal(parts[0], "drivers") && g_str_equal(parts[2], "bind"))
            return ATTR_BIND;
        g_clear_pointer(name, g_free);
    }
    g_clear_pointer(host_path, g_free);
    return ATTR_NONE;
}

static gboolean
opens_for_writing(int flags)
{
    return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC | O_APPEND)) != 0 ||
           (flags & O_TMPFILE) == O_TMPFILE;
}

static Caught *
caught_lookup(int fd)
{
    for (guint i = 0; i < DOUBLE_MAX_FDS; i++)
        if (caught[i].attr != ATTR_NONE && caught[i].fd == fd)
            return &caught[i];
    return NULL;
}

/* The real open: openat(), or openat2() with @how when the engine used it. */
static int
real_open_how(int dirfd, const char *path, int flags, mode_t mode, const void *how, size_t how_size)
{
#ifdef DOUBLE_HAVE_OPENAT2
    if (how != NULL)
        return (int)real_syscall(SYS_openat2, (long)dirfd, (long)path, (long)how, (long)how_size, 0L, 0L);
#else
    (void)how;
    (void)how_size;
#endif
    return real_openat(dirfd, path, flags, mode);
}

static int
double_openat(int dirfd, const char *path, int flags, mode_t mode, const void *how, size_t how_size)
{
    g_autofree char *abs = NULL;
    g_autofree char *root = NULL;
    g_autofree char *host_path = NULL;
    g_autofree char *name = NULL;
    Attr attr = ATTR_NONE;
    int fd;

    double_init();
    if (path == NULL || !opens_for_writing(flags))
        return real_open_how(dirfd, path, flags, mode, how, how_size);
    abs = absolute_path(dirfd, path);
    root = double_root();
    if (abs == NULL)
        double_die("cannot tell where %s (dirfd %d) is: refusing to open it for writing", path, dirfd);
    guard_real_sys(abs, root);
    if (root != NULL) {
        g_autofree char *logical = logical_path(abs, root);
        g_free(abs);
        abs = g_steal_pointer(&logical);
        attr = classify(abs, root, &host_path, &name);
    }
    fd = real_open_how(dirfd, path, flags, mode, how, how_size);
    if (fd < 0 || attr == ATTR_NONE)
        return fd;

    g_rec_mutex_lock(&lock);
    for (guint i = 0; i < DOUBLE_MAX_FDS; i++) {
        Caught *c = &caught[i];
        if (c->attr != ATTR_NONE)
            continue;
        *c = (Caught){ fd, attr, g_steal_pointer(&root), g_steal_pointer(&abs), g_steal_pointer(&host_path),
                       g_steal_pointer(&name) };
        g_atomic_int_inc(&n_caught);
        g_rec_mutex_unlock(&lock);
        return fd;
    }
    g_rec_mutex_unlock(&lock);
    double_die("more than %d sysfs attributes open at once", DOUBLE_MAX_FDS);
}

/* ---- the libc entry points ------------------------------------------ */

int
igd_sysfs_double_open_fds(void)
{
    return g_atomic_int_get(&n_caught);
}

static mode_t
open_mode(int flags, va_list ap)
{
    if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
        return va_arg(ap, mode_t);
    return 0;
}

int
open(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return double_openat(AT_FDCWD, path, flags, mode, NULL, 0);
}

int
open64(const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return double_openat(AT_FDCWD, path, flags | O_LARGEFILE, mode, NULL, 0);
}

int
__open_2(const char *path, int flags)
{
    return double_openat(AT_FDCWD, path, flags, 0, NULL, 0);
}

int
__open64_2(const char *path, int flags)
{
    return double_openat(AT_FDCWD, path, flags | O_LARGEFILE, 0, NULL, 0);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return double_openat(dirfd, path, flags, mode, NULL, 0);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    mode_t mode;

    va_start(ap, flags);
    mode = open_mode(flags, ap);
    va_end(ap);
    return double_openat(dirfd, path, flags | O_LARGEFILE, mode, NULL, 0);
}

/*
 * syscall(SYS_openat2, dirfd, path, how, size): the engine's confined open
 * under a tree. Everything else goes to libc untouched (up to six
 * arguments, as glibc's syscall() itself passes on).
 */
long
syscall(long number, ...)
{
    va_list ap;
    long a[6];

    va_start(ap, number);
    igd_test_syscall_args(number, ap, a);
    va_end(ap);
    double_init();
#ifdef DOUBLE_HAVE_OPENAT2
    if (number == SYS_openat2 && a[2] != 0 && (size_t)a[3] >= sizeof(struct open_how)) {
        const struct open_how *how = (const struct open_how *)a[2];
        return double_openat((int)a[0], (const char *)a[1], (int)how->flags, (mode_t)how->mode, how, (size_t)a[3]);
    }
#endif
    return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* Each write() to a caught attribute is one store, as sysfs calls the attribute's store(). */
ssize_t
write(int fd, const void *buf, size_t count)
{
    g_autofree char *data = NULL;
    Caught *c;
    int e;

    double_init();
    if (g_atomic_int_get(&n_caught) == 0)
        return real_write(fd, buf, count);
    g_rec_mutex_lock(&lock);
    c = caught_lookup(fd);
    if (c == NULL) {
        g_rec_mutex_unlock(&lock);
        return real_write(fd, buf, count);
    }
    data = g_strndup(buf, count);
    e = double_store(c, data);
    g_rec_mutex_unlock(&lock);
    if (e != 0) {
        errno = e;
        return -1;
    }
    return (ssize_t)count;
}

int
close(int fd)
{
    Caught *c;

    double_init();
    if (g_atomic_int_get(&n_caught) == 0)
        return real_close(fd);
    g_rec_mutex_lock(&lock);
    c = caught_lookup(fd);
    if (c != NULL) {
        g_free(c->root);
        g_free(c->path);
        g_free(c->host_path);
        g_free(c->name);
        *c = (Caught){ -1, ATTR_NONE, NULL, NULL, NULL, NULL };
        g_atomic_int_add(&n_caught, -1);
    }
    g_rec_mutex_unlock(&lock);
    return real_close(fd);
}
