/*
 * test-sysroot.c: host trees are outside input (igd-core/igd-sysroot.c).
 *
 * A tree given with --sysfs-root (or in a user's report archive) may hold a
 * FIFO, a device node, a directory, a socket, a link loop, a link out of
 * the tree (absolute, or climbing with ".." past the root) or an oversized
 * file where a sysfs/procfs file, a VFIO node or a directory is expected.
 * Every reader refuses each of them with an error naming the path and the
 * reason, in bounded time (each case runs under an alarm and must take less
 * than a second), and reads nothing outside the tree: the links point at a
 * file holding MARKER, which must never show up in what comes back. Links
 * inside the tree (sysfs "driver", "iommu_group", bus/pci/devices/<dev>)
 * keep working.
 *
 * Every in-process case runs twice: with the kernel's openat2()
 * RESOLVE_BENEATH ("/sysroot/openat2/...") and with openat2() hidden as on
 * Linux < 5.6 ("/sysroot/walk/...": the user-space walk, tests/no-openat2.c).
 * "/sysroot/host/..." is the real host: links followed, nothing blocks, a
 * FIFO or device is still no attribute. "/sysroot/cli/..." runs `check`,
 * `inspect` and `dump` on a copy of a captured tree with one hostile node;
 * "/sysroot/owner/..." is igd-assignd's ownership transaction (in process,
 * as tests/test-owner.c) on such a tree. The program runs under the VFIO
 * double (tests/vfio-double.c), which asks the kernel before it answers,
 * so the confinement of VFIO nodes is tested through it too.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "igd-common.h"
#include "igd-host.h"
#include "igd-owner.h"
#include "igd-pci.h"
#include "igd-sysroot.h"
#include "igd-test.h"
#include "no-openat2.h"
#include "vfio-double-client.h"

#define MARKER     "IGD-SYSROOT-MARKER-outside-the-tree-7f3a"
#define DEV        "0000:00:02.0"
#define DEV_DIR    "sys/devices/pci0000:00/" DEV /* the real directory; sys/bus/pci/devices/DEV links to it */
#define HOST_DIR   "/sys/bus/pci/devices/" DEV   /* the path the engine reads */
#define CLIMB      "../../../../../../../../../../../../../../../../../../../../" /* ".." at / stays at / */
#define LIMIT_USEC (1 * G_USEC_PER_SEC)

/* ------------------------------------------------------------------ time limits */

/* The time a case may take: 1 s, more under valgrind (make check-valgrind). */
static gint64
limit_usec(void)
{
    const char *vg = g_getenv("IGD_VALGRIND");

    return vg && *vg ? 20 * LIMIT_USEC : LIMIT_USEC;
}

/* A hang is a failure, not a stuck test run: SIGALRM ends the program. */
static void
guard_start(void)
{
    alarm((guint)(limit_usec() / G_USEC_PER_SEC) * 10);
}

static void
guard_stop(gint64 t0, const char *what)
{
    gint64 took = g_get_monotonic_time() - t0;

    alarm(0);
    g_test_message("%s: %" G_GINT64_FORMAT " us", what, took);
    if (took >= limit_usec())
        g_error("%s took %" G_GINT64_FORMAT " us, the limit is %" G_GINT64_FORMAT, what, took, limit_usec());
}

/* ------------------------------------------------------------------ a small tree */

typedef struct {
    char *base;    /* removed at the end */
    char *root;    /* base/root: the tree */
    char *outside; /* base/outside: stands for the host's own files */
    char *secret;  /* outside/secret: MARKER */
    IgdSysroot *sysroot;
} Tree;

static void
put(const char *root, const char *rel, const void *data, gssize len)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);
    g_autoptr(GError) error = NULL;

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    if (!g_file_set_contents(path, data, len, &error))
        g_error("%s", error->message);
}

static void
put_link(const char *root, const char *rel, const char *target)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    if (symlink(target, path) < 0)
        g_error("symlink %s: %s", path, g_strerror(errno));
}

/* Config space of a Skylake IGD: vendor 8086, device 1916, the rest zero. */
static GBytes *
config_bytes(void)
{
    guint8 *c = g_malloc0(256);

    c[0] = 0x86;
    c[1] = 0x80;
    c[2] = 0x16;
    c[3] = 0x19;
    return g_bytes_new_take(c, 256);
}

/*
 * A host tree as sysfs lays it out: the device's real directory under
 * sys/devices, sys/bus/pci/devices/<dev> a relative link to it, "driver"
 * and "iommu_group" relative links (drivers/vfio-pci is missing: a dangling
 * link inside the tree, as a partial capture has), the IOMMU group's
 * devices/ link back; the VFIO nodes, /dev/kmsg and /proc/iomem as regular
 * files. Outside: MARKER in a file and in a directory holding what a
 * device directory holds.
 */
static Tree *
tree_new(void)
{
    Tree *t = g_new0(Tree, 1);
    g_autoptr(GBytes) cfg = config_bytes();

    g_unsetenv("IGD_VFIO_DOUBLE"); /* the double passes everything on: these are the kernel's answers */
    t->base = igd_test_mkdtemp();
    t->root = g_build_filename(t->base, "root", NULL);
    t->outside = g_build_filename(t->base, "outside", NULL);
    t->secret = g_build_filename(t->outside, "secret", NULL);
    put(t->outside, "secret", MARKER "\n", -1);
    put(t->outside, "device/vendor", MARKER "\n", -1);
    put(t->outside, "device/config", MARKER "\n", -1);
    put(t->outside, "device/" DEV, MARKER "\n", -1);
    put(t->root, DEV_DIR "/vendor", "0x8086\n", -1);
    put(t->root, DEV_DIR "/device", "0x1916\n", -1);
    put(t->root, DEV_DIR "/class", "0x030000\n", -1);
    put(t->root, DEV_DIR "/driver_override", "(null)\n", -1);
    put(t->root, DEV_DIR "/config", g_bytes_get_data(cfg, NULL), (gssize)g_bytes_get_size(cfg));
    put_link(t->root, "sys/bus/pci/devices/" DEV, "../../../devices/pci0000:00/" DEV);
    put_link(t->root, DEV_DIR "/driver", "../../../bus/pci/drivers/vfio-pci");
    put_link(t->root, DEV_DIR "/iommu_group", "../../../kernel/iommu_groups/0");
    put_link(t->root, "sys/kernel/iommu_groups/0/devices/" DEV, "../../../../devices/pci0000:00/" DEV);
    put(t->root, "dev/vfio/vfio", "", 0);
    put(t->root, "dev/vfio/0", "", 0);
    put(t->root, "dev/kmsg", "6,1,1000,-;hello\n", -1);
    put(t->root, "proc/iomem", "00000000-00000fff : Reserved\n", -1);
    t->sysroot = igd_sysroot_new(t->root);
    return t;
}

static void
tree_free(Tree *t)
{
    igd_sysroot_free(t->sysroot);
    igd_test_rmtree(t->base);
    g_free(t->base);
    g_free(t->root);
    g_free(t->outside);
    g_free(t->secret);
    g_free(t);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Tree, tree_free)

/* ------------------------------------------------------------------ hostile nodes */

typedef enum {
    H_FIFO,
    H_CHARDEV,   /* /dev/zero's numbers (1, 5): reading it would never end */
    H_DIR,
    H_SOCKET,
    H_FILE,      /* a regular file where a directory or a link is expected */
    H_LOOP,      /* a link to itself */
    H_LOOP2,     /* two links pointing at each other */
    H_OUT_ABS,   /* an absolute link to the outside */
    H_OUT_CLIMB, /* a relative link climbing past the root to the outside */
    H_BIG,       /* one byte more than the reader's bound (sparse) */
    H_DIR_OUT,   /* the device's directory (not the file) is a link out */
} Hostile;

static const char *const hostile_names[] = {
    "fifo", "chardev", "directory", "socket", "file", "loop", "loop2", "link-out-absolute", "link-out-climbing",
    "oversized", "directory-link-out",
};

static void
unlink_in(const char *root, const char *rel)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);

    g_assert_cmpint(g_unlink(path), ==, 0);
}

/* Remove whatever is at @path (file, link, directory). */
static void
clear(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
        igd_test_rmtree(path);
    else
        g_unlink(path);
}

/*
 * Put hostile node @h at @rel of @root. @big: the size for H_BIG. @outside:
 * the file or directory links out point to. FALSE (test skipped) when the
 * node cannot be made here (a device node needs root).
 */
static gboolean
place(const char *root, const char *rel, Hostile h, gsize big, const char *outside)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *climb = NULL;
    g_autofree char *other = NULL;

    clear(path);
    switch (h) {
    case H_FIFO:
        g_assert_cmpint(mkfifo(path, 0644), ==, 0);
        break;
    case H_CHARDEV:
        if (mknod(path, S_IFCHR | 0644, makedev(1, 5)) < 0) {
            g_test_skip("mknod needs root");
            return FALSE;
        }
        break;
    case H_DIR:
        g_assert_cmpint(g_mkdir(path, 0755), ==, 0);
        break;
    case H_SOCKET: {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);

        g_assert_cmpint(fd, >=, 0);
        if (strlen(path) >= sizeof(sa.sun_path)) {
            close(fd);
            g_test_skip("socket path too long");
            return FALSE;
        }
        strcpy(sa.sun_path, path);
        g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
        close(fd);
        break;
    }
    case H_FILE:
        g_assert_true(g_file_set_contents(path, "0\n", -1, NULL));
        break;
    case H_LOOP:
        g_assert_cmpint(symlink(base, path), ==, 0);
        break;
    case H_LOOP2:
        other = g_strconcat(path, "-loop", NULL);
        clear(other);
        g_assert_cmpint(symlink(base, other), ==, 0);
        g_assert_cmpint(symlink(strrchr(other, '/') + 1, path), ==, 0);
        break;
    case H_OUT_ABS:
        g_assert_cmpint(symlink(outside, path), ==, 0);
        break;
    case H_OUT_CLIMB:
        climb = g_strconcat(CLIMB, outside + 1, NULL);
        g_assert_cmpint(symlink(climb, path), ==, 0);
        break;
    case H_BIG: {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(ftruncate(fd, (off_t)big), ==, 0);
        close(fd);
        break;
    }
    case H_DIR_OUT:
        g_assert_not_reached();
    }
    return TRUE;
}

/* ------------------------------------------------------------------ readers in process */

typedef enum {
    R_READ,      /* igd_sysroot_read() */
    R_U64,       /* igd_sysroot_read_u64() */
    R_LINE,      /* igd_sysroot_read_line() */
    R_LINK,      /* igd_sysroot_read_link_name() */
    R_OPEN_DEV,  /* igd_sysroot_open(IGD_SYSROOT_DEVICE) */
    R_LIST,      /* igd_sysroot_list() */
    R_WRITE,     /* igd_sysroot_write() */
} Reader;

typedef struct {
    const char *name;
    Reader reader;
    const char *host_path; /* what the engine asks for */
    const char *tree_rel;  /* where the node really is in the tree */
    gsize max;             /* the reader's bound (R_READ) */
    int flags;             /* R_OPEN_DEV */
} Target;

static const Target targets[] = {
    { "config", R_READ, HOST_DIR "/config", DEV_DIR "/config", 4096, 0 },
    { "vendor", R_U64, HOST_DIR "/vendor", DEV_DIR "/vendor", IGD_SYSROOT_LINE_MAX, 0 },
    { "driver_override", R_LINE, HOST_DIR "/driver_override", DEV_DIR "/driver_override", IGD_SYSROOT_LINE_MAX, 0 },
    { "iomem", R_READ, "/proc/iomem", "proc/iomem", 8u << 20, 0 },
    { "driver", R_LINK, HOST_DIR "/driver", DEV_DIR "/driver", 0, 0 },
    { "iommu_group", R_LINK, HOST_DIR "/iommu_group", DEV_DIR "/iommu_group", 0, 0 },
    { "vfio-group", R_OPEN_DEV, "/dev/vfio/0", "dev/vfio/0", 0, O_RDWR },
    { "vfio-container", R_OPEN_DEV, "/dev/vfio/vfio", "dev/vfio/vfio", 0, O_RDWR },
    { "kmsg", R_OPEN_DEV, "/dev/kmsg", "dev/kmsg", 0, O_RDONLY },
    { "group-devices", R_LIST, "/sys/kernel/iommu_groups/0/devices", "sys/kernel/iommu_groups/0/devices", 0, 0 },
    { "pci-devices", R_LIST, "/sys/bus/pci/devices", "sys/bus/pci/devices", 0, 0 },
    { "write-override", R_WRITE, HOST_DIR "/driver_override", DEV_DIR "/driver_override", 0, 0 },
};

/* What the reader must say about @h at @t: the error code and a part of the message. */
static gboolean
expected(const Target *t, Hostile h, int *code, const char **reason)
{
    gboolean want_dir = t->reader == R_LIST;
    gboolean want_link = t->reader == R_LINK;

    switch (h) {
    case H_FIFO:
    case H_CHARDEV:
    case H_SOCKET:
    case H_DIR:
    case H_FILE:
        if (want_link) {
            *code = IGD_ERROR_IO;
            *reason = "not a symbolic link";
            return TRUE;
        }
        if ((h == H_DIR && want_dir) || (h == H_FILE && !want_dir))
            return FALSE; /* what is expected: no case */
        *code = IGD_ERROR_INVALID;
        *reason = h == H_FIFO      ? (want_dir ? "a FIFO, not a directory" : "a FIFO, not a regular file")
                  : h == H_CHARDEV ? (want_dir ? "a character device, not a directory"
                                               : "a character device, not a regular file")
                  : h == H_SOCKET  ? (want_dir ? "a socket, not a directory" : "a socket, not a regular file")
                  : h == H_DIR     ? "a directory, not a regular file"
                                   : "a regular file, not a directory";
        return TRUE;
    case H_LOOP:
    case H_LOOP2:
        if (t->reader == R_WRITE) {
            /* a write never follows the attribute's own name */
            *code = IGD_ERROR_INVALID;
            *reason = "a symbolic link, not a regular file";
            return TRUE;
        }
        *code = IGD_ERROR_INVALID;
        *reason = "a link loop";
        return TRUE;
    case H_OUT_ABS:
    case H_OUT_CLIMB:
        if (t->reader == R_WRITE) {
            *code = IGD_ERROR_INVALID;
            *reason = "a symbolic link, not a regular file";
            return TRUE;
        }
        *code = IGD_ERROR_DENIED;
        *reason = want_link ? "outside the sysroot" : "leads outside the sysroot";
        return TRUE;
    case H_BIG:
        if (t->reader != R_READ && t->reader != R_U64 && t->reader != R_LINE)
            return FALSE;
        *code = IGD_ERROR_INVALID;
        *reason = "is larger than";
        return TRUE;
    case H_DIR_OUT:
        if (!g_str_has_prefix(t->tree_rel, DEV_DIR "/"))
            return FALSE;
        *code = IGD_ERROR_DENIED;
        *reason = "outside the sysroot";
        return TRUE;
    }
    return FALSE;
}

/* Run @t's reader; FALSE with @error on failure (an fd or a listing that worked is released). */
static gboolean
run_reader(const IgdSysroot *sysroot, const Target *t, char **got, GError **error)
{
    g_autofree guint8 *data = NULL;
    gsize len = 0;
    guint64 v = 0;

    *got = NULL;
    switch (t->reader) {
    case R_READ:
        if (!igd_sysroot_read(sysroot, t->host_path, t->max, FALSE, &data, &len, error))
            return FALSE;
        *got = g_strndup((const char *)data, len);
        return TRUE;
    case R_U64:
        if (!igd_sysroot_read_u64(sysroot, t->host_path, &v, error))
            return FALSE;
        *got = g_strdup_printf("0x%" G_GINT64_MODIFIER "x", v);
        return TRUE;
    case R_LINE:
        *got = igd_sysroot_read_line(sysroot, t->host_path, error);
        return *got != NULL;
    case R_LINK:
        *got = igd_sysroot_read_link_name(sysroot, t->host_path, error);
        return *got != NULL;
    case R_OPEN_DEV: {
        int fd = igd_sysroot_open(sysroot, t->host_path, IGD_SYSROOT_DEVICE, t->flags, error);
        char buf[256];
        ssize_t n;

        if (fd < 0)
            return FALSE;
        g_assert_cmpint(fcntl(fd, F_GETFL) & O_NONBLOCK, !=, 0);
        n = read(fd, buf, sizeof(buf) - 1);
        *got = g_strndup(buf, n > 0 ? (gsize)n : 0);
        close(fd);
        return TRUE;
    }
    case R_LIST: {
        g_autoptr(GPtrArray) names = igd_sysroot_list(sysroot, t->host_path, error);
        g_autoptr(GString) s = g_string_new(NULL);

        if (names == NULL)
            return FALSE;
        for (guint i = 0; i < names->len; i++)
            g_string_append_printf(s, "%s\n", (const char *)names->pdata[i]);
        *got = g_string_free(g_steal_pointer(&s), FALSE);
        return TRUE;
    }
    case R_WRITE:
        if (!igd_sysroot_write(sysroot, t->host_path, "vfio-pci", error))
            return FALSE;
        *got = g_strdup("written");
        return TRUE;
    }
    g_assert_not_reached();
}

typedef struct {
    const Target *target;
    Hostile hostile;
    gboolean walk; /* openat2() hidden */
} ReaderCase;

static void
set_mode(gboolean walk)
{
    igd_test_hide_openat2(walk);
    if (!walk && !igd_test_kernel_has_openat2())
        g_test_message("this kernel has no openat2(): the user-space walk runs in both modes");
}

static void
test_reader_case(gconstpointer data)
{
    const ReaderCase *c = data;
    const Target *t = c->target;
    g_autoptr(Tree) tree = tree_new();
    g_autoptr(GError) error = NULL;
    g_autofree char *got = NULL;
    g_autofree char *outside_copy = NULL;
    g_autofree char *path = NULL;
    const char *reason = NULL;
    const char *out_target = t->reader == R_LIST ? NULL : tree->secret;
    g_autofree char *out_dir = g_build_filename(tree->outside, "device", NULL);
    guint hidden_before = igd_test_openat2_hidden_calls();
    int code = 0;
    gint64 t0;
    gboolean ok;

    g_assert_true(expected(t, c->hostile, &code, &reason));
    if (c->hostile == H_DIR_OUT) {
        g_autofree char *dir = g_build_filename(tree->root, DEV_DIR, NULL);
        igd_test_rmtree(dir);
        g_assert_cmpint(symlink(out_dir, dir), ==, 0);
    } else if (!place(tree->root, t->tree_rel, c->hostile, t->max + 1, out_target ? out_target : out_dir)) {
        return;
    }
    set_mode(c->walk);

    guard_start();
    t0 = g_get_monotonic_time();
    ok = run_reader(tree->sysroot, t, &got, &error);
    guard_stop(t0, "refusal");
    igd_test_hide_openat2(FALSE);

    if (ok)
        g_error("%s on %s read '%s' instead of refusing", t->name, hostile_names[c->hostile], got);
    g_test_message("%s", error->message);
    g_assert_error(error, IGD_ERROR, code);
    /* the path as the engine named it (root included) and the reason */
    path = g_strconcat(tree->root, t->host_path, NULL);
    if (strstr(error->message, path) == NULL)
        g_error("'%s' does not name '%s'", error->message, path);
    if (strstr(error->message, reason) == NULL)
        g_error("'%s' does not say '%s'", error->message, reason);
    g_assert_null(strstr(error->message, MARKER));
    /* nothing written outside either */
    g_assert_true(g_file_get_contents(tree->secret, &outside_copy, NULL, NULL));
    g_assert_cmpstr(outside_copy, ==, MARKER "\n");
    if (c->walk && igd_test_kernel_has_openat2() && c->hostile != H_FILE && t->reader != R_LINK)
        g_assert_cmpuint(igd_test_openat2_hidden_calls(), >, hidden_before);
}

/* The same readers on the tree as it is: links inside the tree work, in both modes. */
static void
test_inside(gconstpointer data)
{
    gboolean walk = GPOINTER_TO_INT(data);
    g_autoptr(Tree) tree = tree_new();
    g_autofree char *override = g_build_filename(tree->root, DEV_DIR, "driver_override", NULL);
    g_autofree char *text = NULL;
    static const char *const want[] = {
        "config", "0x8086", "(null)", "00000000-00000fff : Reserved\n", "vfio-pci", "0", "", "", "6,1,1000,-;hello\n",
        DEV "\n", DEV "\n", "written",
    };

    G_STATIC_ASSERT(G_N_ELEMENTS(want) == G_N_ELEMENTS(targets));
    set_mode(walk);
    for (guint i = 0; i < G_N_ELEMENTS(targets); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *got = NULL;

        g_assert_true(run_reader(tree->sysroot, &targets[i], &got, &error));
        g_assert_no_error(error);
        if (targets[i].reader == R_READ && g_str_equal(targets[i].name, "config"))
            g_assert_cmpuint((guchar)got[0], ==, 0x86);
        else
            g_assert_cmpstr(got, ==, want[i]);
    }
    g_assert_true(g_file_get_contents(override, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "vfio-pci");
    g_assert_true(igd_sysroot_exists(tree->sysroot, HOST_DIR));
    g_assert_true(igd_sysroot_exists(tree->sysroot, HOST_DIR "/iommu_group"));
    g_assert_false(igd_sysroot_exists(tree->sysroot, HOST_DIR "/driver")); /* dangling */
    igd_test_hide_openat2(FALSE);
}

/*
 * openat2() answering EAGAIN on every try (a rename racing with ".." under
 * RESOLVE_BENEATH, as on a busy machine): the readers still answer, by the
 * user-space walk after igd-sysroot.c's retries (OPENAT2_RETRIES, 8), and
 * a link out of the tree is still refused.
 */
static void
test_openat2_eagain(void)
{
    g_autoptr(Tree) tree = tree_new();
    g_autoptr(GError) error = NULL;
    g_autofree char *vendor = NULL;
    g_autofree char *link = g_build_filename(tree->root, DEV_DIR, "vendor-out", NULL);
    guint before = igd_test_openat2_hidden_calls();

    if (!igd_test_kernel_has_openat2()) {
        g_test_skip("this kernel has no openat2(): nothing answers EAGAIN");
        return;
    }
    g_assert_cmpint(symlink(tree->secret, link), ==, 0);
    igd_test_fail_openat2(EAGAIN);
    vendor = igd_sysroot_read_line(tree->sysroot, HOST_DIR "/vendor", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(vendor, ==, "0x8086");
    /* the first try and 8 retries, then the walk */
    g_assert_cmpuint(igd_test_openat2_hidden_calls() - before, >=, 9);
    g_clear_pointer(&vendor, g_free);
    vendor = igd_sysroot_read_line(tree->sysroot, HOST_DIR "/vendor-out", &error);
    igd_test_fail_openat2(0);
    g_assert_null(vendor);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_DENIED);
    g_assert_nonnull(strstr(error->message, "leads outside the sysroot"));
}

/*
 * The edges of confinement, both modes: ".." up to the root and back in is
 * inside; one more is out. A chain of 40 links resolves (Linux's
 * MAXSYMLINKS), 41 is a loop. A link into a directory that is itself a
 * link out is out, even when only the name is read.
 */
static void
test_edges(gconstpointer data)
{
    gboolean walk = GPOINTER_TO_INT(data);
    g_autoptr(Tree) tree = tree_new();
    g_autoptr(GError) error = NULL;
    g_autofree char *name = NULL;
    g_autofree guint8 *bytes = NULL;
    gsize len = 0;

    set_mode(walk);
    /* proc/a -> ../sys/../proc/iomem: climbs to the root and back in */
    put_link(tree->root, "proc/a", "../sys/../proc/iomem");
    g_assert_true(igd_sysroot_read(tree->sysroot, "/proc/a", 4096, FALSE, &bytes, &len, &error));
    g_assert_no_error(error);
    g_clear_pointer(&bytes, g_free);
    /* proc/b -> ../../root/proc/iomem: one ".." too many, even though it would come back in */
    put_link(tree->root, "proc/b", "../../root/proc/iomem");
    g_assert_false(igd_sysroot_read(tree->sysroot, "/proc/b", 4096, FALSE, &bytes, &len, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_DENIED);
    g_clear_error(&error);

    for (guint n = 40; n <= 41; n++) {
        g_autofree char *first = NULL;
        for (guint i = 0; i < n; i++) {
            g_autofree char *rel = g_strdup_printf("chain%u/l%u", n, i);
            g_autofree char *to = i + 1 < n ? g_strdup_printf("l%u", i + 1) : g_strdup("../proc/iomem");
            put_link(tree->root, rel, to);
        }
        first = g_strdup_printf("/chain%u/l0", n);
        if (n == 40) {
            g_assert_true(igd_sysroot_read(tree->sysroot, first, 4096, FALSE, &bytes, &len, &error));
            g_assert_no_error(error);
            g_clear_pointer(&bytes, g_free);
        } else {
            g_assert_false(igd_sysroot_read(tree->sysroot, first, 4096, FALSE, &bytes, &len, &error));
            g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
            g_assert_nonnull(strstr(error->message, "a link loop"));
            g_clear_error(&error);
        }
    }

    /* driver -> ../../../bus/pci/drivers/escape/vfio-pci, drivers/escape -> outside */
    put_link(tree->root, "sys/bus/pci/drivers/escape", tree->outside);
    unlink_in(tree->root, DEV_DIR "/driver");
    put_link(tree->root, DEV_DIR "/driver", "../../../bus/pci/drivers/escape/device");
    name = igd_sysroot_read_link_name(tree->sysroot, HOST_DIR "/driver", &error);
    g_assert_null(name);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_DENIED);
    g_clear_error(&error);
    /* a dangling link that climbs out lexically past a missing directory */
    unlink_in(tree->root, DEV_DIR "/driver");
    put_link(tree->root, DEV_DIR "/driver", "missing/" CLIMB "etc/vfio-pci");
    name = igd_sysroot_read_link_name(tree->sysroot, HOST_DIR "/driver", &error);
    g_assert_null(name);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_DENIED);
    g_clear_error(&error);
    /* the same depth inside the tree is fine: only the name is read */
    unlink_in(tree->root, DEV_DIR "/driver");
    put_link(tree->root, DEV_DIR "/driver", "missing/../../../../bus/pci/drivers/vfio-pci");
    name = igd_sysroot_read_link_name(tree->sysroot, HOST_DIR "/driver", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(name, ==, "vfio-pci");
    igd_test_hide_openat2(FALSE);
}

/*
 * The real host ("/") is no tree: links are followed as the kernel made
 * them, but a FIFO is still refused in bounded time and a device is still
 * no attribute. /dev/kmsg is read to its end without blocking.
 */
static void
test_host(void)
{
    g_autoptr(IgdSysroot) host = igd_sysroot_new("/");
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *fifo = g_build_filename(dir, "fifo", NULL);
    g_autofree char *file = g_build_filename(dir, "file", NULL);
    g_autofree char *link = g_build_filename(dir, "link", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree guint8 *data = NULL;
    g_autoptr(GPtrArray) names = NULL;
    gsize len = 0;
    gint64 t0;
    int fd;

    g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);
    guard_start();
    t0 = g_get_monotonic_time();
    g_assert_false(igd_sysroot_read(host, fifo, 4096, FALSE, &data, &len, &error));
    guard_stop(t0, "host FIFO");
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "a FIFO, not a regular file"));
    g_clear_error(&error);
    g_assert_null(igd_sysroot_read_line(host, fifo, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_clear_error(&error);
    g_assert_cmpint(igd_sysroot_open(host, fifo, IGD_SYSROOT_DEVICE, O_RDONLY, &error), ==, -1);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "a FIFO, not a character device"));
    g_clear_error(&error);
    g_assert_false(igd_sysroot_write(host, fifo, "1", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_clear_error(&error);

    /* a character device where a file is expected */
    g_assert_false(igd_sysroot_read(host, "/dev/zero", 4096, FALSE, &data, &len, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "'/dev/zero': a character device, not a regular file"));
    g_clear_error(&error);
    /* where a device is expected, a device (and nothing else) */
    fd = igd_sysroot_open(host, "/dev/null", IGD_SYSROOT_DEVICE, O_RDONLY, &error);
    g_assert_no_error(error);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(g_file_set_contents(file, "0x8086\n", -1, NULL));
    g_assert_cmpint(igd_sysroot_open(host, file, IGD_SYSROOT_DEVICE, O_RDONLY, &error), ==, -1);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "a regular file, not a character device"));
    g_clear_error(&error);

    /* links are the kernel's on the host: followed wherever they go */
    g_assert_cmpint(symlink(file, link), ==, 0);
    g_assert_true(igd_sysroot_read(host, link, 4096, FALSE, &data, &len, &error));
    g_assert_no_error(error);
    g_assert_cmpstr((const char *)data, ==, "0x8086\n");
    g_clear_pointer(&data, g_free);

    names = igd_sysroot_list(host, "/proc/self", &error);
    g_assert_no_error(error);
    g_assert_true(g_ptr_array_find_with_equal_func(names, "status", g_str_equal, NULL));

    /* /dev/kmsg: a character device, read without blocking to its end (EAGAIN) */
    fd = igd_sysroot_open(host, "/dev/kmsg", IGD_SYSROOT_DEVICE, O_RDONLY, &error);
    if (fd < 0) {
        g_test_message("no /dev/kmsg here: %s", error->message);
        g_clear_error(&error);
    } else {
        char buf[16384];
        guint64 total = 0;

        guard_start();
        t0 = g_get_monotonic_time();
        for (;;) {
            ssize_t n = read(fd, buf, sizeof(buf));
            if (n < 0 && (errno == EINTR || errno == EPIPE))
                continue;
            if (n <= 0) {
                g_assert_true(n == 0 || errno == EAGAIN || errno == EINVAL);
                break;
            }
            total += (guint64)n;
        }
        guard_stop(t0, "host /dev/kmsg");
        g_test_message("/dev/kmsg: %" G_GUINT64_FORMAT " bytes", total);
        close(fd);
    }
    igd_test_rmtree(dir);
}

/* ------------------------------------------------------------------ the CLI on a captured tree */

#define CLI_HOST "skl-ideapad-vfio" /* on vfio-pci, IOMMU group 0 */
#define CLI_DEV  "sys/bus/pci/devices/" DEV

typedef struct {
    const char *name;
    const char *rel;          /* the node in the tree */
    const char *const *cmds;  /* commands that read it: "check", "inspect", "dump-rom", "dump-opregion" */
    gboolean link;            /* the node is a link (read by name) */
    gsize big;                /* the reader's bound, 0: no oversized case */
    gboolean dir;             /* a directory: only links (loops, ways out) are put there */
} CliTarget;

static const char *const cmds_all[] = { "check", "inspect", "dump-rom", NULL };
static const char *const cmds_snapshot[] = { "check", "inspect", NULL };
static const char *const cmds_vfio[] = { "check", "inspect", "dump-opregion", NULL };
static const char *const cmds_rom[] = { "inspect", "dump-rom", NULL };
static const char *const cmds_check[] = { "check", NULL }; /* inspect reads no /proc/iomem, no kernel log */

static const CliTarget cli_targets[] = {
    { "config", CLI_DEV "/config", cmds_snapshot, FALSE, 4096, FALSE },
    { "vendor", CLI_DEV "/vendor", cmds_all, FALSE, IGD_SYSROOT_LINE_MAX, FALSE },
    { "driver", CLI_DEV "/driver", cmds_all, TRUE, 0, FALSE },
    { "iommu_group", CLI_DEV "/iommu_group", cmds_snapshot, TRUE, 0, FALSE },
    { "vfio-group", "dev/vfio/0", cmds_vfio, FALSE, 0, FALSE },
    { "iomem", "proc/iomem", cmds_check, FALSE, 8u << 20, FALSE },
    { "rom", CLI_DEV "/rom", cmds_rom, FALSE, IGD_PCI_ROM_MAX, FALSE },
    { "kmsg", "dev/kmsg", cmds_check, FALSE, 0, FALSE },
    /* the device's directory, and the directory of all devices, are links out or loops */
    { "device-dir", CLI_DEV, cmds_all, FALSE, 0, TRUE },
    { "pci-devices", "sys/bus/pci/devices", cmds_all, FALSE, 0, TRUE },
};

typedef struct {
    const CliTarget *target;
    const char *cmd;
    Hostile hostile;
} CliCase;

static const char *
cli_reason(const CliTarget *t, Hostile h)
{
    switch (h) {
    case H_FIFO:
        return t->link ? "not a symbolic link" : "a FIFO, not a regular file";
    case H_CHARDEV:
        return t->link ? "not a symbolic link" : "a character device, not a regular file";
    case H_DIR:
        return t->link ? "not a symbolic link" : "a directory, not a regular file";
    case H_LOOP:
    case H_LOOP2:
        return "a link loop";
    case H_OUT_ABS:
    case H_OUT_CLIMB:
        return "outside the sysroot";
    case H_BIG:
        return "is larger than";
    default:
        g_assert_not_reached();
    }
}

/* Run igd-assign with @args on @root under the VFIO double; exit status, output in @out. */
static int
run_cli(const char *root, const char *const *args, char **out, gint64 *took)
{
    g_autofree char *prog = g_build_filename(TESTS_BUILDDIR, "..", "tools", "igd-assign", NULL);
    g_autofree char *fake_qemu = igd_test_srcpath("cli-fake-qemu");
    g_autofree char *preload = g_build_filename(TESTS_BUILDDIR, "libigdvfiodouble.so", NULL);
    g_autofree char *vfio = g_build_filename(root, "dev", "vfio", NULL);
    g_autofree char *data = igd_test_datapath("");
    g_autofree char *stdout_text = NULL, *stderr_text = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_auto(GStrv) env = g_get_environ();
    g_autoptr(GError) error = NULL;
    int status = 0;
    gint64 t0;

    /* a hang is killed after 10 times the limit, and fails */
    g_autofree char *kill_after = g_strdup_printf("%" G_GINT64_FORMAT, limit_usec() * 10 / G_USEC_PER_SEC);
    g_ptr_array_add(argv, (char *)"timeout");
    g_ptr_array_add(argv, (char *)"-k1");
    g_ptr_array_add(argv, kill_after);
    g_ptr_array_add(argv, prog);
    g_ptr_array_add(argv, (char *)"--sysfs-root");
    g_ptr_array_add(argv, (char *)root);
    for (guint i = 0; args[i]; i++)
        g_ptr_array_add(argv, (char *)args[i]);
    g_ptr_array_add(argv, NULL);
    env = g_environ_setenv(env, "IGD_QEMU", fake_qemu, TRUE);
    env = g_environ_setenv(env, "IGD_ASSIGN_CACHE_DIR", "", TRUE);
    env = g_environ_unsetenv(env, "IGD_ASSIGN_SYSFS_ROOT");
    env = g_environ_setenv(env, "LD_PRELOAD", preload, TRUE);
    env = g_environ_setenv(env, "IGD_VFIO_DOUBLE", vfio, TRUE);
    env = g_environ_unsetenv(env, "IGD_VFIO_DOUBLE_CONFIG");
    env = g_environ_unsetenv(env, "IGD_VFIO_DOUBLE_LOG");
    env = g_environ_setenv(env, "IGD_TEST_DATA_DIR", data, TRUE);
    t0 = g_get_monotonic_time();
    if (!g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &stdout_text, &stderr_text,
                      &status, &error))
        g_error("spawn %s: %s", prog, error->message);
    *took = g_get_monotonic_time() - t0;
    *out = g_strconcat(stdout_text, stderr_text, NULL);
    if (!WIFEXITED(status))
        return 128;
    return WEXITSTATUS(status);
}

/* A copy of the captured tree, its VFIO nodes and the double's config (the real OpRegion as region 9). */
static char *
cli_tree(const char *base)
{
    g_autofree char *src = igd_test_srcpath("data/hosts/" CLI_HOST);
    char *root = g_build_filename(base, "root", NULL);

    igd_test_copytree(src, root);
    put(root, "dev/vfio/vfio", "", 0);
    put(root, "dev/vfio/0", "", 0);
    put(root, "dev/vfio/double.conf",
        "[group]\nnumber=0\ndevice=" DEV "\n[device]\nnum-regions=10\n"
        "[region 9]\nfile=data:fixtures/opregion/skl-asus-b150m-plus-d3-i7-6700.bin\nflags=read\n"
        "type=0x80008086\nsubtype=1\n",
        -1);
    return root;
}

/* The CLI cases share one copy (made once), each puts back the node it changed. */
static char *cli_base;
static char *cli_root;

static void
cli_restore(const char *rel)
{
    g_autofree char *src_tree = igd_test_srcpath("data/hosts/" CLI_HOST);
    g_autofree char *src = g_build_filename(src_tree, rel, NULL);
    g_autofree char *dst = g_build_filename(cli_root, rel, NULL);
    g_autofree char *extra = g_strconcat(dst, "-loop", NULL);
    g_autofree char *target = NULL;
    g_autofree char *bytes = NULL;
    gsize len = 0;

    clear(dst);
    g_unlink(extra);
    if (g_file_test(src, G_FILE_TEST_IS_DIR) && !g_file_test(src, G_FILE_TEST_IS_SYMLINK))
        igd_test_copytree(src, dst);
    else if ((target = g_file_read_link(src, NULL)) != NULL)
        g_assert_cmpint(symlink(target, dst), ==, 0);
    else if (g_file_get_contents(src, &bytes, &len, NULL))
        g_assert_true(g_file_set_contents(dst, bytes, (gssize)len, NULL));
    else if (g_str_has_prefix(rel, "dev/vfio/"))
        g_assert_true(g_file_set_contents(dst, "", 0, NULL)); /* the stand-in cli_tree() made */
}

static void
test_cli_case(gconstpointer data)
{
    const CliCase *c = data;
    g_autofree char *outside = NULL;
    g_autofree char *secret = NULL;
    g_autofree char *dump = NULL;
    g_autofree char *out = NULL;
    g_autofree char *dumped = NULL;
    const char *reason = cli_reason(c->target, c->hostile);
    const char *check[] = { "check", NULL };
    const char *inspect[] = { "--json", "inspect", NULL };
    const char *dump_rom[] = { "dump", "rom", "-o", NULL, NULL };
    const char *dump_opregion[] = { "dump", "opregion", "-o", NULL, NULL };
    const char *const *args = g_str_equal(c->cmd, "check")     ? check
                              : g_str_equal(c->cmd, "inspect") ? inspect
                              : g_str_equal(c->cmd, "dump-rom") ? dump_rom
                                                                : dump_opregion;
    gint64 took = 0;
    int rc;

    if (cli_base == NULL) {
        cli_base = igd_test_mkdtemp();
        cli_root = cli_tree(cli_base);
        outside = g_build_filename(cli_base, "outside", NULL);
        put(outside, "secret", MARKER "\n", -1);
        /* what a device directory holds, with MARKER where the output would show it */
        put(outside, "device/vendor", "0x8086\n", -1);
        put(outside, "device/device", "0x1916\n", -1);
        put(outside, "device/class", "0x030000\n", -1);
        put(outside, "device/driver_override", MARKER "\n", -1);
        put(outside, "devices/" DEV "/vendor", "0x8086\n", -1);
        put(outside, "devices/" DEV "/device", "0x1916\n", -1);
        put(outside, "devices/" DEV "/class", "0x030000\n", -1);
        put(outside, "devices/" DEV "/driver_override", MARKER "\n", -1);
        g_clear_pointer(&outside, g_free);
    }
    secret = !c->target->dir ? g_build_filename(cli_base, "outside", "secret", NULL)
             : g_str_equal(c->target->name, "device-dir") ? g_build_filename(cli_base, "outside", "device", NULL)
                                                          : g_build_filename(cli_base, "outside", "devices", NULL);
    dump = g_build_filename(cli_base, "dump.bin", NULL);
    dump_rom[3] = dump;
    dump_opregion[3] = dump;
    g_unlink(dump);
    if (!place(cli_root, c->target->rel, c->hostile, c->target->big + 1, secret))
        return;
    rc = run_cli(cli_root, args, &out, &took);
    cli_restore(c->target->rel);
    g_test_message("exit %d after %" G_GINT64_FORMAT " us:\n%s", rc, took, out);
    if (rc >= 124)
        g_error("igd-assign %s did not finish (exit %d)", c->cmd, rc);
    if (took >= limit_usec())
        g_error("igd-assign %s took %" G_GINT64_FORMAT " us", c->cmd, took);
    /* the path and the reason, nothing of the outside */
    if (strstr(out, c->target->rel) == NULL)
        g_error("the output does not name %s:\n%s", c->target->rel, out);
    if (strstr(out, reason) == NULL)
        g_error("the output does not say '%s':\n%s", reason, out);
    g_assert_null(strstr(out, MARKER));
    if (g_file_get_contents(dump, &dumped, NULL, NULL))
        g_assert_null(strstr(dumped, MARKER));
}

/* ------------------------------------------------------------------ the daemon's transaction */

/*
 * igd-assignd on a hostile tree (in process, as tests/test-owner.c): its
 * start (reconcile), Check and Prepare come back in bounded time with the
 * path and the reason; nothing is bound, no blob written.
 */
typedef struct {
    const char *name;
    const char *rel;
    Hostile hostile;
    const char *reason;
} OwnerCase;

static const OwnerCase owner_cases[] = {
    { "config-fifo", CLI_DEV "/config", H_FIFO, "a FIFO, not a regular file" },
    { "vendor-fifo", CLI_DEV "/vendor", H_FIFO, "a FIFO, not a regular file" },
    { "vendor-link-out", CLI_DEV "/vendor", H_OUT_ABS, "outside the sysroot" },
    { "driver-loop", CLI_DEV "/driver", H_LOOP, "a link loop" },
    { "iommu_group-link-out", CLI_DEV "/iommu_group", H_OUT_CLIMB, "outside the sysroot" },
    { "vfio-group-fifo", "dev/vfio/0", H_FIFO, "a FIFO, not a regular file" },
    { "vfio-group-chardev", "dev/vfio/0", H_CHARDEV, "a character device, not a regular file" },
    { "vfio-group-link-out", "dev/vfio/0", H_OUT_ABS, "outside the sysroot" },
    { "vfio-container-link-out", "dev/vfio/vfio", H_OUT_CLIMB, "outside the sysroot" },
};

static void
owner_log(GLogLevelFlags level, const char *uuid, const char *pci, const char *message, gpointer user_data)
{
    g_ptr_array_add(user_data, g_strdup(message));
}

static void
test_owner_case(gconstpointer data)
{
    const OwnerCase *c = data;
    g_autofree char *base = igd_test_mkdtemp();
    g_autofree char *root = cli_tree(base);
    g_autofree char *state = g_build_filename(base, "state", NULL);
    g_autofree char *secret = g_build_filename(base, "outside", "secret", NULL);
    g_autofree char *blobs = g_build_filename(state, "c7a5fdbd-edaf-9455-926a-d65c16db1809", NULL);
    g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func(g_free);
    IgdOwnerConfig oc = { root, state, FALSE, -1 };
    IgdPrepareRequest req = { "c7a5fdbd-edaf-9455-926a-d65c16db1809", "win10", DEV, "legacy", NULL, 0 };
    g_autoptr(IgdOwner) owner = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *doc = NULL;
    gint64 t0;
    gboolean ok;

    put(base, "outside/secret", MARKER "\n", -1);
    if (!place(root, c->rel, c->hostile, 0, secret)) {
        igd_test_rmtree(base);
        return;
    }
    igd_vfio_double_setup(root, "skl-opregion", 0, NULL);
    owner = igd_owner_new(&oc);
    igd_owner_set_log_func(owner, owner_log, log);

    guard_start();
    t0 = g_get_monotonic_time();
    igd_owner_reconcile(owner);
    doc = igd_owner_check(owner, DEV, &error);
    g_assert_no_error(error);
    ok = igd_owner_prepare(owner, &req, &error);
    guard_stop(t0, "reconcile, check, prepare");

    g_assert_false(ok);
    g_test_message("prepare: %s", error->message);
    if (strstr(error->message, c->rel) == NULL || strstr(error->message, c->reason) == NULL)
        g_error("prepare's error '%s' does not name %s and say '%s'", error->message, c->rel, c->reason);
    g_assert_null(strstr(error->message, MARKER));
    g_assert_null(strstr(doc, MARKER));
    for (guint i = 0; i < log->len; i++)
        g_assert_null(strstr(log->pdata[i], MARKER));
    g_assert_false(g_file_test(blobs, G_FILE_TEST_EXISTS));
    g_assert_cmpint(igd_vfio_double_count_fds(), ==, 0);
    g_unsetenv("IGD_VFIO_DOUBLE");
    igd_test_rmtree(base);
}

/* ------------------------------------------------------------------ main */

int
main(int argc, char **argv)
{
    igd_vfio_double_reexec(argc, argv);
    g_test_init(&argc, &argv, NULL);

    for (guint m = 0; m < 2; m++) {
        const char *mode = m ? "walk" : "openat2";
        g_autofree char *inside = g_strdup_printf("/sysroot/%s/inside-links", mode);
        g_autofree char *edges = g_strdup_printf("/sysroot/%s/edges", mode);

        g_test_add_data_func(inside, GINT_TO_POINTER(m), test_inside);
        g_test_add_data_func(edges, GINT_TO_POINTER(m), test_edges);
        for (guint t = 0; t < G_N_ELEMENTS(targets); t++) {
            for (guint h = 0; h < G_N_ELEMENTS(hostile_names); h++) {
                int code;
                const char *reason;
                ReaderCase *c;
                g_autofree char *path = NULL;

                if (!expected(&targets[t], (Hostile)h, &code, &reason))
                    continue;
                c = g_new0(ReaderCase, 1); /* lives as long as the program */
                *c = (ReaderCase){ &targets[t], (Hostile)h, m == 1 };
                path = g_strdup_printf("/sysroot/%s/%s/%s", mode, targets[t].name, hostile_names[h]);
                g_test_add_data_func_full(path, c, test_reader_case, g_free);
            }
        }
    }
    g_test_add_func("/sysroot/host", test_host);
    g_test_add_func("/sysroot/openat2-eagain", test_openat2_eagain);

    for (guint t = 0; t < G_N_ELEMENTS(cli_targets); t++) {
        const CliTarget *ct = &cli_targets[t];
        const Hostile kinds[] = { H_FIFO, H_CHARDEV, H_DIR, H_LOOP, H_LOOP2, H_OUT_ABS, H_OUT_CLIMB, H_BIG };

        for (guint k = 0; k < G_N_ELEMENTS(kinds); k++) {
            if (kinds[k] == H_BIG && (ct->big == 0 || ct->link))
                continue;
            if (ct->dir && kinds[k] != H_LOOP && kinds[k] != H_LOOP2 && kinds[k] != H_OUT_ABS &&
                kinds[k] != H_OUT_CLIMB)
                continue;
            for (guint i = 0; ct->cmds[i]; i++) {
                CliCase *c = g_new0(CliCase, 1);
                g_autofree char *path = g_strdup_printf("/sysroot/cli/%s/%s/%s", ct->cmds[i], ct->name,
                                                        hostile_names[kinds[k]]);
                *c = (CliCase){ ct, ct->cmds[i], kinds[k] };
                g_test_add_data_func_full(path, c, test_cli_case, g_free);
            }
        }
    }
    for (guint i = 0; i < G_N_ELEMENTS(owner_cases); i++) {
        g_autofree char *path = g_strdup_printf("/sysroot/owner/%s", owner_cases[i].name);
        g_test_add_data_func(path, &owner_cases[i], test_owner_case);
    }
    {
        int ret = g_test_run();
        if (cli_base != NULL)
            igd_test_rmtree(cli_base);
        g_free(cli_base);
        g_free(cli_root);
        return ret;
    }
}
