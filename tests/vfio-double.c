/*
 * vfio-double.c: a test double for /dev/vfio, loaded with LD_PRELOAD
 * (tests/libigdvfiodouble.so). It overrides open/openat/close/ioctl, and
 * syscall(SYS_openat2) (the engine's confined open under a tree: glibc
 * 2.36 has no openat2() wrapper), for paths under $IGD_VFIO_DOUBLE (the
 * sysroot's /dev/vfio; a dirfd is turned into its path through
 * /proc/self/fd) and answers the
 * real VFIO ioctls of <linux/vfio.h> the way Linux's vfio core and vfio-pci
 * do (drivers/vfio/container.c, group.c, pci/vfio_pci_core.c
 * vfio_pci_ioctl_get_region_info), so igd-vfio.c's real ioctl and
 * capability-parsing code runs in the tests. Everything else passes
 * through to libc.
 *
 * Environment (documented in tests/data/vfio/README.md):
 *   IGD_VFIO_DOUBLE         absolute path standing for /dev/vfio
 *   IGD_VFIO_DOUBLE_CONFIG  key file describing the group, device and
 *                           regions (default: $IGD_VFIO_DOUBLE/double.conf);
 *                           re-read whenever no double fd is open
 *   IGD_VFIO_DOUBLE_LOG     file to which every open/ioctl/close is appended
 *
 * The device fd is a memfd whose bytes at each region's offset (index << 40,
 * vfio-pci's VFIO_PCI_OFFSET_SHIFT) are the region contents, so pread() on
 * it is real.
 *
 * The kernel is asked first: an open the double answers is done for real
 * on the tree's stand-in file (an empty regular file), so a link out of the
 * tree, a missing node or a loop fails as it would without the double.
 * O_PATH opens (the engine looking at what a node is) are not the double's.
 * The fds it hands out are memfds: regular files, as the engine expects of
 * a node in a tree.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(SYS_openat2) && __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#include "syscall-args.h"
#define DOUBLE_HAVE_OPENAT2 1
#endif

#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
    __u32 argsz;
    __u32 flags;
    __s32 iommufd;
    __u32 out_devid;
};
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
#endif

#define DOUBLE_OFFSET_SHIFT 40 /* VFIO_PCI_OFFSET_SHIFT */
#define DOUBLE_MAX_FDS 64
#define DOUBLE_MAX_REGIONS 16
#define DOUBLE_INFO_SIZE ((guint32)sizeof(struct vfio_region_info)) /* 32 */

/* Exported for tests that link nothing else of the double. */
int igd_vfio_double_open_fds(void);
int open(const char *path, int flags, ...);
int open64(const char *path, int flags, ...);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int openat(int dirfd, const char *path, int flags, ...);
int openat64(int dirfd, const char *path, int flags, ...);
int close(int fd);
int ioctl(int fd, unsigned long request, ...);
long syscall(long number, ...);

typedef enum {
    KIND_NONE,
    KIND_CONTAINER,
    KIND_GROUP,
    KIND_DEVICE,
    KIND_CDEV,
    KIND_IOMMUFD,
} Kind;

static const char *const kind_names[] = { "none", "container", "group", "device", "cdev", "iommufd" };

typedef struct {
    int fd;
    Kind kind;
    int container;   /* group: the container fd it is attached to, -1 */
    int iommu_type;  /* container: VFIO_SET_IOMMU done (type), 0 */
    gboolean has_group;
    gboolean bound;  /* cdev: VFIO_DEVICE_BIND_IOMMUFD done */
} DoubleFd;

typedef struct {
    gboolean present;
    guint64 size;
    guint32 flags;
    guint32 type, subtype;
    gboolean has_type;
    guint64 backed; /* bytes of the device fd behind the region (a short region reads short) */
    char *chain;
    GBytes *data;
} DoubleRegion;

typedef struct {
    gboolean loaded;
    char *group;         /* "1" */
    char *device;        /* "0000:00:02.0" */
    char *cdev;          /* "vfio0" */
    gboolean viable, busy;
    int api_version;
    int extensions[8];
    guint n_extensions;
    guint32 device_flags;
    guint num_regions;
    DoubleRegion regions[DOUBLE_MAX_REGIONS];
} DoubleConfig;

static DoubleFd fds[DOUBLE_MAX_FDS];
static DoubleConfig config;
static GRecMutex lock; /* recursive: GLib calls close() inside config_load() */

static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static int (*real_ioctl)(int, unsigned long, ...);
static long (*real_syscall)(long, ...);

static void
double_init(void)
{
    if (real_open != NULL)
        return;
    real_openat = dlsym(RTLD_NEXT, "openat");
    real_close = dlsym(RTLD_NEXT, "close");
    real_ioctl = dlsym(RTLD_NEXT, "ioctl");
    real_syscall = dlsym(RTLD_NEXT, "syscall");
    real_open = dlsym(RTLD_NEXT, "open");
}

/* Before any thread: syscall() is called by GLib's own locks. */
__attribute__((constructor)) static void
double_ctor(void)
{
    double_init();
}

static void
double_log(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void
double_log(const char *fmt, ...)
{
    const char *path = g_getenv("IGD_VFIO_DOUBLE_LOG");
    g_autofree char *line = NULL;
    va_list ap;
    int fd;

    if (path == NULL || *path == '\0')
        return;
    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fd = real_open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    if (write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0) {
        /* best effort */
    }
    real_close(fd);
}

static void
config_clear(void)
{
    g_free(config.group);
    g_free(config.device);
    g_free(config.cdev);
    for (guint i = 0; i < DOUBLE_MAX_REGIONS; i++) {
        g_free(config.regions[i].chain);
        if (config.regions[i].data)
            g_bytes_unref(config.regions[i].data);
    }
    memset(&config, 0, sizeof(config));
}

static guint64
key_u64(GKeyFile *kf, const char *group, const char *key, guint64 def)
{
    g_autofree char *s = g_key_file_get_string(kf, group, key, NULL);
    guint64 v;

    if (s == NULL)
        return def;
    g_strstrip(s);
    if (!(g_str_has_prefix(s, "0x") ? g_ascii_string_to_unsigned(s + 2, 16, 0, G_MAXUINT64, &v, NULL)
                                    : g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT64, &v, NULL))) {
        g_warning("vfio-double: [%s] %s=%s is not a number", group, key, s);
        return def;
    }
    return v;
}

/* "data:<rel>" is under $IGD_TEST_DATA_DIR (tests/data), a relative path is beside the config file. */
static char *
config_resolve(const char *config_dir, const char *file)
{
    if (g_str_has_prefix(file, "data:")) {
        const char *data = g_getenv("IGD_TEST_DATA_DIR");
        return g_build_filename(data ? data : ".", file + strlen("data:"), NULL);
    }
    if (g_path_is_absolute(file))
        return g_strdup(file);
    return g_build_filename(config_dir, file, NULL);
}

static void
config_load(void)
{
    const char *root = g_getenv("IGD_VFIO_DOUBLE");
    const char *path = g_getenv("IGD_VFIO_DOUBLE_CONFIG");
    g_autofree char *def = NULL;
    g_autofree char *dir = NULL;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) exts = NULL;
    g_auto(GStrv) groups = NULL;
    gsize n = 0;

    config_clear();
    if (path == NULL) {
        def = g_build_filename(root, "double.conf", NULL);
        path = def;
    }
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &error)) {
        g_warning("vfio-double: cannot load %s: %s", path, error->message);
        return;
    }
    dir = g_path_get_dirname(path);
    config.group = g_key_file_get_string(kf, "group", "number", NULL);
    config.device = g_key_file_get_string(kf, "group", "device", NULL);
    config.viable = g_key_file_get_boolean(kf, "group", "viable", &error);
    if (error) {
        config.viable = TRUE;
        g_clear_error(&error);
    }
    config.busy = g_key_file_get_boolean(kf, "group", "busy", NULL);
    config.cdev = g_key_file_get_string(kf, "device", "cdev", NULL);
    config.api_version = (int)key_u64(kf, "container", "api-version", VFIO_API_VERSION);
    exts = g_key_file_get_string_list(kf, "container", "extensions", &n, NULL);
    if (exts == NULL) {
        config.extensions[config.n_extensions++] = VFIO_TYPE1_IOMMU;
        config.extensions[config.n_extensions++] = VFIO_TYPE1v2_IOMMU;
    }
    for (gsize i = 0; exts && i < n && config.n_extensions < G_N_ELEMENTS(config.extensions); i++)
        config.extensions[config.n_extensions++] = (int)g_ascii_strtoll(exts[i], NULL, 0);
    config.device_flags = (guint32)key_u64(kf, "device", "flags", VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
    config.num_regions = (guint)key_u64(kf, "device", "num-regions", VFIO_PCI_NUM_REGIONS + 1);
    if (config.num_regions > DOUBLE_MAX_REGIONS)
        config.num_regions = DOUBLE_MAX_REGIONS;

    groups = g_key_file_get_groups(kf, NULL);
    for (guint g = 0; groups[g]; g++) {
        DoubleRegion *r;
        guint64 index;
        g_autofree char *file = NULL;
        g_auto(GStrv) flags = NULL;

        if (!g_str_has_prefix(groups[g], "region ") ||
            !g_ascii_string_to_unsigned(groups[g] + 7, 10, 0, DOUBLE_MAX_REGIONS - 1, &index, NULL))
            continue;
        r = &config.regions[index];
        r->present = TRUE;
        file = g_key_file_get_string(kf, groups[g], "file", NULL);
        if (file) {
            g_autofree char *full = config_resolve(dir, file);
            char *contents = NULL;
            gsize len = 0;
            if (!g_file_get_contents(full, &contents, &len, &error)) {
                g_warning("vfio-double: %s", error->message);
                g_clear_error(&error);
            } else {
                r->data = g_bytes_new_take(contents, len);
            }
        }
        if (r->data == NULL && g_key_file_has_key(kf, groups[g], "fill", NULL)) {
            guint64 size = MIN(key_u64(kf, groups[g], "size", 0), 1u << 20);
            guint8 fill = (guint8)key_u64(kf, groups[g], "fill", 0);
            guint8 *buf = g_malloc(size ? size : 1);
            memset(buf, fill, size);
            r->data = g_bytes_new_take(buf, size);
        }
        /* Without file or fill the region reads as zeros (a hole in the memfd). */
        r->size = key_u64(kf, groups[g], "size", r->data ? g_bytes_get_size(r->data) : 0);
        r->backed = key_u64(kf, groups[g], "backed", r->size);
        flags = g_key_file_get_string_list(kf, groups[g], "flags", NULL, NULL);
        if (flags == NULL)
            r->flags = VFIO_REGION_INFO_FLAG_READ;
        for (guint i = 0; flags && flags[i]; i++) {
            if (g_str_equal(flags[i], "read"))
                r->flags |= VFIO_REGION_INFO_FLAG_READ;
            else if (g_str_equal(flags[i], "write"))
                r->flags |= VFIO_REGION_INFO_FLAG_WRITE;
            else if (g_str_equal(flags[i], "mmap"))
                r->flags |= VFIO_REGION_INFO_FLAG_MMAP;
        }
        r->has_type = g_key_file_has_key(kf, groups[g], "type", NULL);
        r->type = (guint32)key_u64(kf, groups[g], "type", 0);
        r->subtype = (guint32)key_u64(kf, groups[g], "subtype", 0);
        r->chain = g_key_file_get_string(kf, groups[g], "chain", NULL);
        if (r->chain == NULL)
            r->chain = g_strdup("normal");
    }
    config.loaded = TRUE;
}

int
igd_vfio_double_open_fds(void)
{
    int n = 0;

    g_rec_mutex_lock(&lock);
    for (guint i = 0; i < DOUBLE_MAX_FDS; i++)
        if (fds[i].kind != KIND_NONE)
            n++;
    g_rec_mutex_unlock(&lock);
    return n;
}

static DoubleFd *
fd_lookup(int fd)
{
    for (guint i = 0; i < DOUBLE_MAX_FDS; i++)
        if (fds[i].kind != KIND_NONE && fds[i].fd == fd)
            return &fds[i];
    return NULL;
}

static gboolean
fds_empty(void)
{
    for (guint i = 0; i < DOUBLE_MAX_FDS; i++)
        if (fds[i].kind != KIND_NONE)
            return FALSE;
    return TRUE;
}

static int
fd_add(int fd, Kind kind)
{
    for (guint i = 0; i < DOUBLE_MAX_FDS; i++) {
        if (fds[i].kind == KIND_NONE) {
            memset(&fds[i], 0, sizeof(fds[i]));
            fds[i].fd = fd;
            fds[i].kind = kind;
            fds[i].container = -1;
            return fd;
        }
    }
    real_close(fd);
    errno = EMFILE;
    return -1;
}

static gboolean
group_is_open(void)
{
    for (guint i = 0; i < DOUBLE_MAX_FDS; i++)
        if (fds[i].kind == KIND_GROUP || fds[i].kind == KIND_CDEV)
            return TRUE;
    return FALSE;
}

/* A container, group or iommufd fd: a memfd, a regular file as the tree's stand-in is. */
static int
placeholder_fd(void)
{
    return memfd_create("vfio-double", MFD_CLOEXEC);
}

/* A memfd holding every region at index << 40. */
static int
device_fd_new(void)
{
    int fd = memfd_create("igd-vfio-double-device", MFD_CLOEXEC);
    off_t end = 0;

    if (fd < 0)
        return -1;
    for (guint i = 0; i < config.num_regions; i++) {
        DoubleRegion *r = &config.regions[i];
        gsize len;
        const guint8 *p;
        if (!r->present)
            continue;
        p = r->data ? g_bytes_get_data(r->data, &len) : NULL;
        if (p == NULL)
            len = 0;
        len = MIN(len, MIN(r->size, r->backed));
        if (len && pwrite(fd, p, len, (off_t)i << DOUBLE_OFFSET_SHIFT) != (ssize_t)len) {
            int e = errno;
            real_close(fd);
            errno = e;
            return -1;
        }
        end = MAX(end, (off_t)((guint64)i << DOUBLE_OFFSET_SHIFT) + (off_t)MIN(r->backed, r->size));
    }
    if (ftruncate(fd, end) < 0) {
        int e = errno;
        real_close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* What @path names under the double rooted at @root (its /dev/vfio). */
static Kind
classify_under(const char *path, const char *root)
{
    g_autofree char *parent = g_path_get_dirname(root);
    g_autofree char *iommu = g_build_filename(parent, "iommu", NULL);
    gsize n = strlen(root);
    const char *rest;

    if (g_str_equal(path, iommu))
        return KIND_IOMMUFD;
    if (strncmp(path, root, n) != 0 || path[n] != '/')
        return KIND_NONE;
    rest = path + n + 1;
    if (g_str_equal(rest, "vfio"))
        return KIND_CONTAINER;
    if (g_str_has_prefix(rest, "devices/"))
        return KIND_CDEV;
    if (*rest != '\0' && strspn(rest, "0123456789") == strlen(rest))
        return KIND_GROUP;
    return KIND_NONE;
}

/*
 * What does @path name under the double? KIND_NONE when it is not ours. An
 * open relative to a dirfd comes back from /proc/self/fd with real paths,
 * so $IGD_VFIO_DOUBLE's real path counts too.
 */
static Kind
double_classify(const char *path)
{
    /* realpath() of $IGD_VFIO_DOUBLE, made once per value (a readlink() per component on every open of the
     * program under test would be most of what an open costs, and benchmarks run under the double) */
    static GMutex real_lock;
    static char *real_of, *real;
    const char *root = g_getenv("IGD_VFIO_DOUBLE");
    g_autofree char *mine = NULL;
    Kind kind;

    if (root == NULL || *root == '\0' || path == NULL)
        return KIND_NONE;
    kind = classify_under(path, root);
    if (kind != KIND_NONE)
        return kind;
    g_mutex_lock(&real_lock);
    if (g_strcmp0(real_of, root) != 0 || real == NULL) { /* a root that did not exist yet is looked at again */
        g_free(real_of);
        free(real);
        real_of = g_strdup(root);
        real = realpath(root, NULL);
    }
    mine = g_strdup(real);
    g_mutex_unlock(&real_lock);
    return mine ? classify_under(path, mine) : KIND_NONE;
}

/* @path relative to @dirfd as an absolute path (NULL when the dirfd has none). */
static char *
absolute_path(int dirfd, const char *path)
{
    g_autofree char *proc = NULL;
    g_autofree char *base = NULL;

    if (path == NULL)
        return NULL;
    if (path[0] == '/')
        return g_strdup(path);
    if (dirfd == AT_FDCWD) {
        base = g_get_current_dir();
    } else {
        proc = g_strdup_printf("/proc/self/fd/%d", dirfd);
        base = g_file_read_link(proc, NULL);
        if (base == NULL)
            return NULL;
    }
    return g_build_filename(base, path, NULL);
}

static int
double_open(const char *path, Kind kind)
{
    int fd;

    g_rec_mutex_lock(&lock);
    if (fds_empty() || !config.loaded)
        config_load();
    switch (kind) {
    case KIND_CONTAINER:
    case KIND_IOMMUFD:
        fd = fd_add(placeholder_fd(), kind);
        break;
    case KIND_GROUP: {
        const char *name = strrchr(path, '/') + 1;
        if (config.group == NULL || !g_str_equal(name, config.group)) {
            errno = ENOENT;
            fd = -1;
        } else if (config.busy || group_is_open()) {
            errno = EBUSY;
            fd = -1;
        } else {
            fd = fd_add(placeholder_fd(), kind);
        }
        break;
    }
    case KIND_CDEV: {
        const char *name = strrchr(path, '/') + 1;
        if (config.cdev == NULL || !g_str_equal(name, config.cdev)) {
            errno = ENOENT;
            fd = -1;
        } else if (config.busy || group_is_open()) {
            errno = EBUSY;
            fd = -1;
        } else {
            int mfd = device_fd_new();
            fd = mfd < 0 ? -1 : fd_add(mfd, kind);
        }
        break;
    }
    default:
        errno = ENOENT;
        fd = -1;
    }
    {
        int e = errno;
        double_log("open %s %s", kind_names[kind], fd < 0 ? g_strerror(e) : "ok");
        errno = e;
    }
    g_rec_mutex_unlock(&lock);
    return fd;
}

/*
 * An open of @path (@abs absolute) through the kernel first (openat(), or
 * openat2() with @how), then, when it is ours and the kernel let it
 * through, answered by the double.
 */
static int
double_openat(int dirfd, const char *path, int flags, mode_t mode, const void *how, size_t how_size)
{
    g_autofree char *abs = NULL;
    Kind kind = KIND_NONE;
    int fd;

    double_init();
    if (!(flags & O_PATH)) {
        abs = absolute_path(dirfd, path);
        kind = double_classify(abs);
    }
#ifdef DOUBLE_HAVE_OPENAT2
    if (how != NULL)
        fd = (int)real_syscall(SYS_openat2, (long)dirfd, (long)path, (long)how, (long)how_size, 0L, 0L);
    else
#endif
        fd = real_openat(dirfd, path, flags, mode);
    if (fd < 0 || kind == KIND_NONE)
        return fd;
    real_close(fd);
    return double_open(abs, kind);
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

int
close(int fd)
{
    DoubleFd *d;

    double_init();
    g_rec_mutex_lock(&lock);
    d = fd_lookup(fd);
    if (d != NULL) {
        double_log("close %s", kind_names[d->kind]);
        if (d->kind == KIND_GROUP && d->container >= 0) {
            DoubleFd *c = fd_lookup(d->container);
            if (c) {
                c->has_group = FALSE;
                c->iommu_type = 0;
            }
        }
        if (d->kind == KIND_CONTAINER) {
            for (guint i = 0; i < DOUBLE_MAX_FDS; i++)
                if (fds[i].kind == KIND_GROUP && fds[i].container == fd)
                    fds[i].container = -1;
        }
        d->kind = KIND_NONE;
        d->fd = -1;
    }
    g_rec_mutex_unlock(&lock);
    return real_close(fd);
}

/* The capability bytes of @r for its chain mode, laid out from offset 32. */
static GByteArray *
region_caps(const DoubleRegion *r, guint32 *first, guint32 *needed)
{
    GByteArray *caps = g_byte_array_new();
    guint8 type_cap[16] = { 0 };
    guint8 sparse_cap[32] = { 0 };
    const char *chain = r->chain;

    /* struct vfio_region_info_cap_type: id 2, version 1, next, type, subtype */
    type_cap[0] = VFIO_REGION_INFO_CAP_TYPE;
    type_cap[2] = 1;
    memcpy(type_cap + 8, &r->type, 4);
    memcpy(type_cap + 12, &r->subtype, 4);
    /* struct vfio_region_info_cap_sparse_mmap with one area: id 1, version 1 */
    sparse_cap[0] = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
    sparse_cap[2] = 1;
    sparse_cap[8] = 1; /* nr_areas */
    memcpy(sparse_cap + 24, &r->size, 8); /* area 0: offset 0, size */

    *first = DOUBLE_INFO_SIZE;
    if (g_str_equal(chain, "sparse-then-type") || g_str_equal(chain, "loop")) {
        guint32 next = DOUBLE_INFO_SIZE + sizeof(sparse_cap);
        memcpy(sparse_cap + 4, &next, 4);
        if (g_str_equal(chain, "loop")) {
            guint32 back = DOUBLE_INFO_SIZE;
            memcpy(type_cap + 4, &back, 4);
        }
        g_byte_array_append(caps, sparse_cap, sizeof(sparse_cap));
        g_byte_array_append(caps, type_cap, sizeof(type_cap));
    } else if (g_str_equal(chain, "missing-type")) {
        g_byte_array_append(caps, sparse_cap, sizeof(sparse_cap));
    } else if (g_str_equal(chain, "self-loop")) {
        guint32 self = DOUBLE_INFO_SIZE;
        memcpy(type_cap + 4, &self, 4);
        g_byte_array_append(caps, type_cap, sizeof(type_cap));
    } else if (g_str_equal(chain, "overrun")) {
        /* Only the 8-byte header of the type capability fits in argsz. */
        g_byte_array_append(caps, type_cap, 8);
    } else if (g_str_equal(chain, "past-argsz")) {
        g_byte_array_append(caps, type_cap, sizeof(type_cap));
        *first = DOUBLE_INFO_SIZE + 256;
    } else if (g_str_equal(chain, "into-header")) {
        g_byte_array_append(caps, type_cap, sizeof(type_cap));
        *first = 8;
    } else {
        /* "normal" (and "argsz-never-enough", which lies about the size) */
        g_byte_array_append(caps, type_cap, sizeof(type_cap));
    }
    *needed = DOUBLE_INFO_SIZE + caps->len;
    return caps;
}

static int
device_ioctl(DoubleFd *d, unsigned long request, void *arg)
{
    if (d->kind == KIND_CDEV && !d->bound && request != VFIO_DEVICE_BIND_IOMMUFD) {
        errno = EINVAL;
        return -1;
    }
    switch (request) {
    case VFIO_DEVICE_BIND_IOMMUFD: {
        struct vfio_device_bind_iommufd *b = arg;
        DoubleFd *io;
        if (d->kind != KIND_CDEV || b->argsz < sizeof(*b)) {
            errno = EINVAL;
            return -1;
        }
        io = fd_lookup(b->iommufd);
        if (io == NULL || io->kind != KIND_IOMMUFD) {
            errno = EBADF;
            return -1;
        }
        d->bound = TRUE;
        b->out_devid = 1;
        return 0;
    }
    case VFIO_DEVICE_GET_INFO: {
        struct vfio_device_info *info = arg;
        if (info->argsz < G_STRUCT_OFFSET(struct vfio_device_info, num_irqs) + 4) {
            errno = EINVAL;
            return -1;
        }
        info->flags = config.device_flags;
        info->num_regions = config.num_regions;
        info->num_irqs = VFIO_PCI_NUM_IRQS;
        return 0;
    }
    case VFIO_DEVICE_GET_REGION_INFO: {
        guint8 *buf = arg;
        struct vfio_region_info info;
        const DoubleRegion *r;
        g_autoptr(GByteArray) caps = NULL;
        guint32 first = 0, needed = DOUBLE_INFO_SIZE;

        memcpy(&info, buf, sizeof(info));
        if (info.argsz < DOUBLE_INFO_SIZE || info.index >= config.num_regions) {
            errno = EINVAL;
            return -1;
        }
        r = &config.regions[info.index];
        info.flags = 0;
        info.cap_offset = 0;
        info.size = 0;
        info.offset = (guint64)info.index << DOUBLE_OFFSET_SHIFT;
        if (r->present) {
            info.flags = r->flags;
            info.size = r->size;
        }
        if (r->present && (r->has_type || !g_str_equal(r->chain, "normal"))) {
            caps = region_caps(r, &first, &needed);
            info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
            if (g_str_equal(r->chain, "argsz-never-enough")) {
                info.argsz += 16;
            } else if (info.argsz < needed) {
                /* vfio_pci_ioctl_get_region_info: report the size needed, no caps copied */
                info.argsz = needed;
            } else {
                memcpy(buf + DOUBLE_INFO_SIZE, caps->data, caps->len);
                info.cap_offset = first;
                if (g_str_equal(r->chain, "past-argsz") || g_str_equal(r->chain, "overrun"))
                    info.argsz = needed;
            }
        }
        memcpy(buf, &info, sizeof(info));
        return 0;
    }
    default:
        errno = ENOTTY;
        return -1;
    }
}

static int
double_ioctl(DoubleFd *d, unsigned long request, void *arg)
{
    switch (d->kind) {
    case KIND_CONTAINER:
        switch (request) {
        case VFIO_GET_API_VERSION:
            return config.api_version;
        case VFIO_CHECK_EXTENSION:
            for (guint i = 0; i < config.n_extensions; i++)
                if (config.extensions[i] == (int)(gintptr)arg)
                    return 1;
            return 0;
        case VFIO_SET_IOMMU:
            if (!d->has_group) {
                errno = EINVAL;
                return -1;
            }
            for (guint i = 0; i < config.n_extensions; i++) {
                if (config.extensions[i] == (int)(gintptr)arg) {
                    d->iommu_type = (int)(gintptr)arg;
                    return 0;
                }
            }
            errno = EINVAL;
            return -1;
        default:
            errno = ENOTTY;
            return -1;
        }
    case KIND_GROUP:
        switch (request) {
        case VFIO_GROUP_GET_STATUS: {
            struct vfio_group_status *s = arg;
            if (s->argsz < sizeof(*s)) {
                errno = EINVAL;
                return -1;
            }
            s->flags = (config.viable ? VFIO_GROUP_FLAGS_VIABLE : 0) |
                       (d->container >= 0 ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
            return 0;
        }
        case VFIO_GROUP_SET_CONTAINER: {
            DoubleFd *c = fd_lookup(*(int *)arg);
            if (c == NULL || c->kind != KIND_CONTAINER) {
                errno = EBADF;
                return -1;
            }
            if (!config.viable) {
                errno = EPERM;
                return -1;
            }
            if (d->container >= 0) {
                errno = EINVAL;
                return -1;
            }
            d->container = c->fd;
            c->has_group = TRUE;
            return 0;
        }
        case VFIO_GROUP_GET_DEVICE_FD: {
            DoubleFd *c = d->container >= 0 ? fd_lookup(d->container) : NULL;
            int mfd;
            if (c == NULL || c->iommu_type == 0) {
                errno = EINVAL;
                return -1;
            }
            if (config.device == NULL || !g_str_equal((const char *)arg, config.device)) {
                errno = ENODEV;
                return -1;
            }
            mfd = device_fd_new();
            return mfd < 0 ? -1 : fd_add(mfd, KIND_DEVICE);
        }
        default:
            errno = ENOTTY;
            return -1;
        }
    case KIND_DEVICE:
    case KIND_CDEV:
        return device_ioctl(d, request, arg);
    default:
        errno = ENOTTY;
        return -1;
    }
}

static const char *
request_name(unsigned long request)
{
    switch (request) {
    case VFIO_GET_API_VERSION: return "VFIO_GET_API_VERSION";
    case VFIO_CHECK_EXTENSION: return "VFIO_CHECK_EXTENSION";
    case VFIO_SET_IOMMU: return "VFIO_SET_IOMMU";
    case VFIO_GROUP_GET_STATUS: return "VFIO_GROUP_GET_STATUS";
    case VFIO_GROUP_SET_CONTAINER: return "VFIO_GROUP_SET_CONTAINER";
    case VFIO_GROUP_GET_DEVICE_FD: return "VFIO_GROUP_GET_DEVICE_FD";
    case VFIO_DEVICE_GET_INFO: return "VFIO_DEVICE_GET_INFO";
    case VFIO_DEVICE_GET_REGION_INFO: return "VFIO_DEVICE_GET_REGION_INFO";
    case VFIO_DEVICE_BIND_IOMMUFD: return "VFIO_DEVICE_BIND_IOMMUFD";
    default: return "unknown";
    }
}

int
ioctl(int fd, unsigned long request, ...)
{
    DoubleFd *d;
    va_list ap;
    void *arg;
    int ret;

    double_init();
    va_start(ap, request);
    arg = va_arg(ap, void *);
    va_end(ap);
    g_rec_mutex_lock(&lock);
    d = fd_lookup(fd);
    if (d == NULL) {
        g_rec_mutex_unlock(&lock);
        return real_ioctl(fd, request, arg);
    }
    ret = double_ioctl(d, request, arg);
    {
        int e = errno;
        double_log("ioctl %s %s %s", kind_names[d->kind], request_name(request),
                   ret < 0 ? g_strerror(e) : "ok");
        errno = e;
    }
    g_rec_mutex_unlock(&lock);
    return ret;
}
