/*
 * test-capture.c: `igd-assign report`'s engine: the .tar.xz writer
 * (igd-archive.c, read back with GNU tar and xz) and the capture
 * (igd-capture.c) on small hand-made host trees: what is kept, where, what
 * is redacted and what is left out (links leaving the tree, loops, FIFOs,
 * oversized files), and the saved QEMU probe (igd_qemu_caps_save/load).
 * The whole command on the captured host trees is tests/report-cli.sh.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "igd-archive.h"
#include "igd-capture.h"
#include "igd-common.h"
#include "igd-qemu.h"
#include "igd-test.h"

/* ------------------------------------------------------------------ helpers */

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
link_at(const char *root, const char *rel, const char *target)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_assert_cmpint(symlink(target, path), ==, 0);
}

static void
mkdir_at(const char *root, const char *rel)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);

    g_assert_cmpint(g_mkdir_with_parents(path, 0755), ==, 0);
}

/* A PCI device directory with the attributes igd-assign reads and a config space of @cfg_len bytes. */
static void
put_device(const char *root, const char *dir, const char *vendor, const char *device, const char *klass,
           const guint8 *cfg, gsize cfg_len)
{
    const char *attrs[][2] = {
        { "vendor", vendor }, { "device", device }, { "class", klass }, { "revision", "0x07\n" },
        { "subsystem_vendor", "0x17aa\n" }, { "subsystem_device", "0x39c5\n" }, { "driver_override", "(null)\n" },
        { "resource", "0x00000000b0000000 0x00000000b0ffffff 0x0000000000140204\n" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(attrs); i++) {
        g_autofree char *rel = g_strdup_printf("%s/%s", dir, attrs[i][0]);
        put(root, rel, attrs[i][1], -1);
    }
    {
        g_autofree char *rel = g_strdup_printf("%s/config", dir);
        put(root, rel, cfg, (gssize)cfg_len);
    }
}

/* A minimal host: the IGD 00:02.0 (vendor 0x8086, display), the host bridge, proc files, an empty log. */
static char *
make_host(void)
{
    char *root = igd_test_mkdtemp();
    guint8 cfg[256] = { 0x86, 0x80, 0x16, 0x19 };

    cfg[0x0b] = 0x03;
    put_device(root, "sys/bus/pci/devices/0000:00:02.0", "0x8086\n", "0x1916\n", "0x030000\n", cfg, sizeof(cfg));
    cfg[0x0b] = 0x06;
    put_device(root, "sys/bus/pci/devices/0000:00:00.0", "0x8086\n", "0x1904\n", "0x060000\n", cfg, sizeof(cfg));
    put(root, "proc/iomem", "00000000-00000fff : Reserved\n", -1);
    put(root, "proc/cmdline", "BOOT_IMAGE=/vmlinuz ro quiet intel_iommu=on\n", -1);
    put(root, "proc/sys/kernel/osrelease", "6.1.0-28-amd64\n", -1);
    put(root, "dev/kmsg", "", 0);
    return root;
}

static IgdCapture *
capture_of(const char *root, const char *const *words)
{
    g_autoptr(IgdSysroot) sysroot = igd_sysroot_new(root);
    g_autoptr(IgdCapture) c = igd_capture_new(sysroot);
    g_autoptr(GError) error = NULL;

    for (guint i = 0; words && words[i]; i += 2)
        igd_capture_add_private_word(c, words[i], words[i + 1]);
    igd_capture_set_time(c, 1700000000);
    if (!igd_capture_run(c, &error))
        g_error("capture of %s: %s", root, error->message);
    return g_steal_pointer(&c);
}

static const IgdCaptureEntry *
entry(IgdCapture *c, const char *path)
{
    GPtrArray *all = igd_capture_get_entries(c);

    for (guint i = 0; i < all->len; i++) {
        const IgdCaptureEntry *e = all->pdata[i];
        if (g_str_equal(e->path, path))
            return e;
    }
    return NULL;
}

static char *
entry_text(IgdCapture *c, const char *path)
{
    const IgdCaptureEntry *e = entry(c, path);

    if (e == NULL || e->kind != IGD_CAPTURE_FILE) {
        g_test_message("no file '%s' in the capture", path);
        g_test_fail();
        return g_strdup("");
    }
    return g_strndup(g_bytes_get_data(e->data, NULL), g_bytes_get_size(e->data));
}

/* The omission whose source is @source, or NULL. */
static const IgdCaptureOmission *
omission(IgdCapture *c, const char *source)
{
    GPtrArray *all = igd_capture_get_omissions(c);

    for (guint i = 0; i < all->len; i++) {
        const IgdCaptureOmission *o = all->pdata[i];
        if (g_str_equal(o->source, source))
            return o;
    }
    return NULL;
}

static guint
redaction_count(IgdCapture *c, const char *path, const char *what)
{
    GPtrArray *all = igd_capture_get_redactions(c);
    guint n = 0;

    for (guint i = 0; i < all->len; i++) {
        const IgdCaptureRedaction *r = all->pdata[i];
        if (g_str_equal(r->path, path) && g_str_equal(r->what, what))
            n += r->count;
    }
    return n;
}

static char *
run_ok(const char *const *argv, const char *cwd)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *err = NULL;
    char *out = NULL;
    int status = 0;

    if (!g_spawn_sync(cwd, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error))
        g_error("%s: %s", argv[0], error->message);
    if (!g_spawn_check_wait_status(status, &error))
        g_error("%s: %s: %s", argv[0], error->message, err);
    return out;
}

/* ------------------------------------------------------------------ the archive writer */

static void
test_archive_roundtrip(void)
{
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *dest = g_build_filename(dir, "t.tar.xz", NULL);
    g_autofree char *long_dir = g_strnfill(120, 'd');
    g_autofree char *long_path = g_strdup_printf("top/%s/file", long_dir);
    g_autofree char *long_target = g_strdup_printf("../%s/../%s/file", long_dir, long_dir);
    g_autoptr(IgdArchive) a = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *listing = NULL;
    g_autofree char *got = NULL;
    g_autofree char *link = NULL;
    const guint8 bin[] = { 0, 1, 2, 0xff, '\n', 0 };
    struct stat st;

    a = igd_archive_create(dest, 1700000000, &error);
    g_assert_no_error(error);
    g_assert_true(igd_archive_add_dir(a, "top", &error));
    g_assert_true(igd_archive_add_file(a, "top/bin", bin, sizeof(bin), &error));
    g_assert_true(igd_archive_add_file(a, "top/empty", NULL, 0, &error));
    g_assert_true(igd_archive_add_symlink(a, "top/link", "bin", &error));
    g_assert_true(igd_archive_add_file(a, long_path, (const guint8 *)"long", 4, &error));
    g_assert_true(igd_archive_add_symlink(a, "top/longlink", long_target, &error));
    g_assert_no_error(error);
    /* nothing at the destination until the commit */
    g_assert_false(g_file_test(dest, G_FILE_TEST_EXISTS));
    g_assert_true(igd_archive_commit(a, &error));
    g_assert_no_error(error);
    g_assert_cmpint(stat(dest, &st), ==, 0);
    g_assert_cmpuint((guint64)st.st_size, ==, igd_archive_get_size(a));
    g_clear_pointer(&a, igd_archive_free);
    g_assert_true(g_file_test(dest, G_FILE_TEST_EXISTS)); /* freeing a committed archive keeps it */

    {
        const char *xz[] = { "xz", "-t", dest, NULL };
        g_autofree char *o = run_ok(xz, NULL);
    }
    {
        const char *tar[] = { "tar", "-tvJf", dest, NULL };
        listing = run_ok(tar, NULL);
    }
    g_test_message("%s", listing);
    g_assert_nonnull(strstr(listing, "top/link -> bin"));
    g_assert_nonnull(strstr(listing, long_path));
    g_assert_nonnull(strstr(listing, long_target));
    g_assert_nonnull(strstr(listing, "root/root"));
    g_assert_nonnull(strstr(listing, "2023-11-14")); /* 1700000000 */
    {
        const char *tar[] = { "tar", "-xJf", dest, NULL };
        g_autofree char *o = run_ok(tar, dir);
    }
    {
        g_autofree char *p = g_build_filename(dir, "top", "bin", NULL);
        gsize len = 0;
        g_assert_true(g_file_get_contents(p, &got, &len, NULL));
        g_assert_cmpmem(got, len, bin, sizeof(bin));
    }
    {
        g_autofree char *p = g_build_filename(dir, "top", "longlink", NULL);
        link = g_file_read_link(p, NULL);
        g_assert_cmpstr(link, ==, long_target);
    }
    {
        g_autofree char *p = g_build_filename(dir, long_path, NULL);
        g_autofree char *text = NULL;
        g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
        g_assert_cmpstr(text, ==, "long");
    }
    igd_test_rmtree(dir);
}

static guint
count_files(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    guint n = 0;

    while (d && g_dir_read_name(d))
        n++;
    return n;
}

static void
test_archive_never_replaces(void)
{
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *dest = g_build_filename(dir, "r.tar.xz", NULL);
    g_autofree char *dangling = g_build_filename(dir, "d.tar.xz", NULL);
    g_autofree char *sub = g_build_filename(dir, "sub.tar.xz", NULL);
    g_autofree char *in_file = g_build_filename(dest, "x.tar.xz", NULL);
    g_autofree char *missing = g_build_filename(dir, "no", "x.tar.xz", NULL);
    g_autofree char *late = g_build_filename(dir, "late.tar.xz", NULL);
    g_autofree char *abandoned = g_build_filename(dir, "abandoned.tar.xz", NULL);
    g_autofree char *text = NULL;
    g_autoptr(IgdArchive) a = NULL;
    g_autoptr(IgdArchive) b = NULL;
    g_autoptr(GError) error = NULL;

    put(dir, "r.tar.xz", "old", -1);
    g_assert_cmpint(symlink("nowhere", dangling), ==, 0);
    g_assert_cmpint(g_mkdir(sub, 0755), ==, 0);

    g_assert_null(igd_archive_create(dest, 0, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CONFLICT);
    g_clear_error(&error);
    g_assert_null(igd_archive_create(dangling, 0, &error)); /* a link is not followed to create its target */
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CONFLICT);
    g_clear_error(&error);
    g_assert_null(igd_archive_create(sub, 0, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CONFLICT);
    g_assert_nonnull(strstr(error->message, "is a directory"));
    g_clear_error(&error);
    g_assert_null(igd_archive_create(in_file, 0, &error)); /* the "directory" is a file */
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    g_clear_error(&error);
    g_assert_null(igd_archive_create(missing, 0, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    g_clear_error(&error);
    g_assert_true(g_file_get_contents(dest, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "old");
    g_assert_cmpuint(count_files(dir), ==, 3);

    /* a file appearing while the report is written is not replaced either, and no temporary file stays */
    a = igd_archive_create(late, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(count_files(dir), ==, 4); /* the temporary file */
    put(dir, "late.tar.xz", "someone else's", -1);
    g_assert_false(igd_archive_commit(a, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CONFLICT);
    g_clear_error(&error);
    g_clear_pointer(&text, g_free);
    g_assert_true(g_file_get_contents(late, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "someone else's");
    g_assert_cmpuint(count_files(dir), ==, 4);

    /* an archive freed without a commit leaves nothing */
    b = igd_archive_create(abandoned, 0, &error);
    g_assert_no_error(error);
    g_assert_true(igd_archive_add_file(b, "top/x", (const guint8 *)"x", 1, &error));
    g_clear_pointer(&b, igd_archive_free);
    g_assert_cmpuint(count_files(dir), ==, 4);
    igd_test_rmtree(dir);
}

static void
test_archive_bad_paths(void)
{
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *dest = g_build_filename(dir, "b.tar.xz", NULL);
    g_autoptr(IgdArchive) a = igd_archive_create(dest, 0, NULL);
    const char *bad[] = { "", "/abs", "../up", "a/../b", "a//b", "a/./b", "a/", ".", "a\nb" };

    g_assert_nonnull(a);
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        g_assert_false(igd_archive_add_file(a, bad[i], (const guint8 *)"x", 1, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    }
    {
        g_autoptr(GError) error = NULL;
        g_assert_false(igd_archive_add_symlink(a, "top/l", "", &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    }
    g_clear_pointer(&a, igd_archive_free);
    g_assert_cmpuint(count_files(dir), ==, 0);
    igd_test_rmtree(dir);
}

/* ------------------------------------------------------------------ the capture */

static void
test_capture_minimal(void)
{
    g_autofree char *root = make_host();
    g_autoptr(IgdCapture) c = capture_of(root, NULL);
    GPtrArray *igds = igd_capture_get_igds(c);
    g_autofree char *readme = entry_text(c, "README.md");
    GPtrArray *all = igd_capture_get_entries(c);

    g_assert_cmpuint(igds->len, ==, 1);
    g_assert_cmpstr(igds->pdata[0], ==, "0000:00:02.0");
    g_assert_nonnull(entry(c, "sys/bus/pci/devices/0000:00:02.0/config"));
    g_assert_nonnull(entry(c, "sys/bus/pci/devices/0000:00:00.0/vendor"));
    g_assert_nonnull(entry(c, "proc/iomem"));
    g_assert_nonnull(entry(c, "dev/kmsg"));
    /* no LPC bridge in this tree, no QEMU given: said so */
    g_assert_null(entry(c, "sys/bus/pci/devices/0000:00:1f.0"));
    g_assert_nonnull(omission(c, "QEMU probe"));
    g_assert_nonnull(omission(c, "/sys/bus/pci/devices/0000:00:02.0/rom"));
    /* README lists every file and link */
    for (guint i = 0; i < all->len; i++) {
        const IgdCaptureEntry *e = all->pdata[i];
        g_autofree char *row = g_strdup_printf("| %s |", e->path);
        if (e->kind != IGD_CAPTURE_DIR && strstr(readme, row) == NULL) {
            g_test_message("README lacks %s", e->path);
            g_test_fail();
        }
    }
    g_assert_nonnull(strstr(readme, "2023-11-14T22:13:20Z"));
    igd_test_rmtree(root);
}

/* The kernel's real layout: devices are links into sys/devices, drivers and groups link back. */
static void
test_capture_physical_paths(void)
{
    g_autofree char *root = make_host();
    g_autoptr(IgdCapture) c = NULL;
    guint8 cfg[64] = { 0x86, 0x80, 0x16, 0x19 };
    const IgdCaptureEntry *e;

    g_autofree char *sys = g_build_filename(root, "sys", NULL);

    igd_test_rmtree(sys);
    cfg[0x0b] = 0x03;
    put_device(root, "sys/devices/pci0000:00/0000:00:02.0", "0x8086\n", "0x1916\n", "0x030000\n", cfg, 64);
    link_at(root, "sys/bus/pci/devices/0000:00:02.0", "../../../devices/pci0000:00/0000:00:02.0");
    link_at(root, "sys/devices/pci0000:00/0000:00:02.0/driver", "../../../bus/pci/drivers/i915");
    link_at(root, "sys/devices/pci0000:00/0000:00:02.0/iommu_group", "../../../kernel/iommu_groups/3");
    link_at(root, "sys/bus/pci/drivers/i915/0000:00:02.0", "../../../../devices/pci0000:00/0000:00:02.0");
    link_at(root, "sys/bus/pci/drivers/i915/module", "../../../../module/i915");
    link_at(root, "sys/kernel/iommu_groups/3/devices/0000:00:02.0", "../../../../devices/pci0000:00/0000:00:02.0");
    mkdir_at(root, "sys/kernel/iommu_groups/0");
    mkdir_at(root, "sys/devices/virtual/iommu/dmar0/devices");
    put(root, "sys/devices/virtual/iommu/dmar0/intel-iommu/cap", "d2008c40660462\n", -1);
    link_at(root, "sys/class/iommu/dmar0", "../../devices/virtual/iommu/dmar0");
    link_at(root, "sys/devices/virtual/iommu/dmar0/devices/0000:00:02.0", "../../../../pci0000:00/0000:00:02.0");
    put(root, "sys/module/vfio_pci/parameters/disable_vga", "N\n", -1);

    c = capture_of(root, NULL);
    e = entry(c, "sys/bus/pci/devices/0000:00:02.0");
    g_assert_nonnull(e);
    g_assert_cmpint(e->kind, ==, IGD_CAPTURE_LINK);
    g_assert_cmpstr(e->target, ==, "../../../devices/pci0000:00/0000:00:02.0");
    g_assert_nonnull(entry(c, "sys/devices/pci0000:00/0000:00:02.0/config"));
    g_assert_null(entry(c, "sys/bus/pci/devices/0000:00:02.0/config")); /* never copied through a link */
    e = entry(c, "sys/devices/pci0000:00/0000:00:02.0/driver");
    g_assert_nonnull(e);
    g_assert_cmpstr(e->target, ==, "../../../bus/pci/drivers/i915");
    e = entry(c, "sys/bus/pci/drivers/i915/0000:00:02.0");
    g_assert_nonnull(e);
    g_assert_cmpstr(e->target, ==, "../../../../devices/pci0000:00/0000:00:02.0");
    g_assert_null(entry(c, "sys/bus/pci/drivers/i915/module"));
    g_assert_nonnull(entry(c, "sys/bus/pci/drivers/i915/bind"));
    g_assert_nonnull(entry(c, "sys/kernel/iommu_groups/3/devices/0000:00:02.0"));
    g_assert_nonnull(entry(c, "sys/kernel/iommu_groups/0")); /* every group, for the count */
    e = entry(c, "sys/class/iommu/dmar0");
    g_assert_nonnull(e);
    g_assert_cmpint(e->kind, ==, IGD_CAPTURE_LINK);
    g_assert_nonnull(entry(c, "sys/devices/virtual/iommu/dmar0/intel-iommu/cap"));
    g_assert_nonnull(entry(c, "sys/devices/virtual/iommu/dmar0/devices/0000:00:02.0"));
    g_assert_nonnull(entry(c, "sys/module/vfio_pci/parameters/disable_vga"));
    g_assert_cmpuint(igd_capture_get_omissions(c)->len, ==, 4); /* rom, OpRegion, VBT, no QEMU */
    igd_test_rmtree(root);
}

/* Links leaving the tree, loops, FIFOs and oversized files are left out, quickly, with a note. */
static void
test_capture_hostile(void)
{
    g_autofree char *root = make_host();
    g_autofree char *fifo = g_build_filename(root, "sys/bus/pci/devices/0000:00:02.0/rom", NULL);
    g_autofree char *kfifo = g_build_filename(root, "dev/kmsg", NULL);
    g_autofree char *iomem = g_build_filename(root, "proc/iomem", NULL);
    g_autofree char *boot_vga = g_build_filename(root, "sys/bus/pci/devices/0000:00:02.0/boot_vga", NULL);
    g_autofree char *cmdline = g_build_filename(root, "proc/cmdline", NULL);
    g_autoptr(IgdCapture) c = NULL;
    GPtrArray *all;
    gint64 start;
    int fd;

    g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);
    g_assert_cmpint(unlink(kfifo), ==, 0);
    g_assert_cmpint(mkfifo(kfifo, 0644), ==, 0);
    /* 20 MiB (sparse): over the 8 MiB igd-assign reads of /proc/iomem */
    fd = open(iomem, O_WRONLY | O_TRUNC);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 20 << 20), ==, 0);
    close(fd);
    g_assert_cmpint(symlink("/etc/passwd", boot_vga), ==, 0);
    g_assert_cmpint(unlink(cmdline), ==, 0);
    link_at(root, "proc/cmdline", "../../../../../../../../etc/passwd");
    link_at(root, "sys/class/iommu/loop", "loop");
    link_at(root, "sys/class/iommu/away", "/sys/devices/virtual/iommu/dmar0");
    link_at(root, "sys/bus/pci/devices/0000:00:02.0/iommu_group", "../../../../../../kernel/iommu_groups/0");
    link_at(root, "sys/bus/pci/devices/0000:00:02.0/driver", "/sys/bus/pci/drivers/i915");

    start = g_get_monotonic_time();
    c = capture_of(root, NULL);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 10 * G_USEC_PER_SEC);
    g_assert_nonnull(strstr(omission(c, "/sys/bus/pci/devices/0000:00:02.0/rom")->why, "a FIFO"));
    g_assert_nonnull(strstr(omission(c, "/dev/kmsg")->why, "a FIFO"));
    g_assert_nonnull(strstr(omission(c, "/proc/iomem")->why, "larger than 8388608 bytes"));
    g_assert_nonnull(strstr(omission(c, "/proc/cmdline")->why, "above the root"));
    g_assert_nonnull(strstr(omission(c, "/sys/bus/pci/devices/0000:00:02.0/boot_vga")->why, "outside the tree"));
    g_assert_nonnull(strstr(omission(c, "/sys/class/iommu/loop")->why, "too many levels of links"));
    g_assert_nonnull(strstr(omission(c, "/sys/class/iommu/away")->why, "outside the tree"));
    g_assert_nonnull(omission(c, "/sys/bus/pci/devices/0000:00:02.0/iommu_group"));
    g_assert_nonnull(omission(c, "/sys/bus/pci/devices/0000:00:02.0/driver"));
    /* no message shows the tree's own location */
    for (guint i = 0; i < igd_capture_get_omissions(c)->len; i++) {
        const IgdCaptureOmission *o = igd_capture_get_omissions(c)->pdata[i];
        g_assert_null(strstr(o->why, root));
    }
    all = igd_capture_get_entries(c);
    for (guint i = 0; i < all->len; i++) {
        const IgdCaptureEntry *e = all->pdata[i];
        g_assert_false(g_str_has_prefix(e->path, "proc/iomem"));
        g_assert_false(g_str_equal(e->path, "dev/kmsg"));
        g_assert_false(g_str_equal(e->path, "proc/cmdline"));
        if (e->kind == IGD_CAPTURE_LINK)
            g_assert_false(g_path_is_absolute(e->target));
        if (e->kind == IGD_CAPTURE_FILE && e->data)
            g_assert_null(g_strstr_len(g_bytes_get_data(e->data, NULL), (gssize)g_bytes_get_size(e->data),
                                       "root:x:0:0"));
    }
    igd_test_rmtree(root);
}

/* Attributes igd-pci opens itself (for the ROM) and VFIO nodes leading out are checked first: no hang, no escape. */
static void
test_capture_hostile_device(void)
{
    g_autofree char *root = make_host();
    g_autofree char *sub = g_build_filename(root, "sys/bus/pci/devices/0000:00:02.0/subsystem_vendor", NULL);
    g_autofree char *root2 = make_host();
    g_autoptr(IgdCapture) c = NULL;
    g_autoptr(IgdCapture) c2 = NULL;
    const IgdCaptureOmission *o;

    put(root, "sys/bus/pci/devices/0000:00:02.0/rom", "\x55\xaa", 2);
    g_assert_cmpint(unlink(sub), ==, 0);
    g_assert_cmpint(mkfifo(sub, 0644), ==, 0);
    alarm(60); /* a blocking open of the FIFO would hang here: fail instead */
    c = capture_of(root, NULL);
    alarm(0);
    o = omission(c, "ROM, OpRegion and VBT of 0000:00:02.0");
    g_assert_nonnull(o);
    g_assert_nonnull(strstr(o->why, "a FIFO"));
    g_assert_null(entry(c, "sys/bus/pci/devices/0000:00:02.0/rom"));

    /* bound to vfio-pci, with /dev/vfio/vfio leading to the real host's */
    link_at(root2, "sys/bus/pci/devices/0000:00:02.0/driver", "../../../../bus/pci/drivers/vfio-pci");
    link_at(root2, "sys/bus/pci/devices/0000:00:02.0/iommu_group", "../../../../kernel/iommu_groups/0");
    link_at(root2, "dev/vfio/vfio", "/dev/vfio/vfio");
    c2 = capture_of(root2, NULL);
    o = omission(c2, "ROM, OpRegion and VBT of 0000:00:02.0");
    g_assert_nonnull(o);
    g_assert_nonnull(strstr(o->why, "outside the tree"));
    igd_test_rmtree(root);
    igd_test_rmtree(root2);
}

static void
test_capture_cmdline(void)
{
    g_autofree char *root = make_host();
    g_autoptr(IgdCapture) c = NULL;
    g_autofree char *got = NULL;

    put(root, "proc/cmdline",
        "BOOT_IMAGE=/vmlinuz-6.1.0-28-amd64 root=UUID=0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9 ro "
        "cryptdevice=/dev/sda2:desk-crypt resume=/dev/mapper/desk--vg-swap_1 rd.luks.uuid=luks-1234 "
        "ip=192.168.1.20::192.168.1.1:255.255.255.0:desk:eth0:off BOOTIF=01-00-1b-21-3a-4f-5e "
        "ifname=lan0:00:1b:21:3a:4f:5e quiet intel_iommu=on iommu=pt vfio-pci.ids=8086:1916 "
        "\"systemd.setenv=SECRET=x y\" video=efifb:off mac-like=0a:0b quiet\n",
        -1);
    c = capture_of(root, NULL);
    got = entry_text(c, "proc/cmdline");
    g_assert_cmpstr(got, ==,
                    "BOOT_IMAGE=/vmlinuz-6.1.0-28-amd64 root=REDACTED ro cryptdevice=REDACTED resume=REDACTED "
                    "rd.luks.uuid=REDACTED ip=REDACTED BOOTIF=REDACTED ifname=REDACTED quiet intel_iommu=on "
                    "iommu=pt vfio-pci.ids=8086:1916 \"systemd.setenv=REDACTED\" video=efifb:off mac-like=0a:0b "
                    "quiet\n");
    g_assert_cmpuint(redaction_count(c, "proc/cmdline", "value of root="), ==, 1);
    g_assert_cmpuint(redaction_count(c, "proc/cmdline", "value of ip="), ==, 1);
    g_assert_cmpuint(redaction_count(c, "proc/cmdline", "value of systemd.setenv="), ==, 1);
    g_assert_cmpuint(redaction_count(c, "proc/cmdline", "value of quiet="), ==, 0);
    igd_test_rmtree(root);
}

static void
test_capture_words_and_ids(void)
{
    g_autofree char *root = make_host();
    const char *words[] = { "Desk-7", "host name", "alice", "user name", "a", "user name", "root", "user name", NULL };
    g_autoptr(IgdCapture) c = NULL;
    g_autofree char *kmsg = NULL;
    g_autofree char *release = NULL;

    put(root, "proc/sys/kernel/osrelease", "6.1.0-alice\n", -1);
    put(root, "dev/kmsg",
        "6,1,100,-;i915 0000:00:02.0: [drm] desk-7.lan: card for alice (malice, alice2 untouched)\n"
        " SUBSYSTEM=pci\n"
        " DEVICE=+pci:0000:00:02.0\n"
        "6,2,200,-;vfio-pci 0000:00:02.0: mac 00:1B:21:3a:4f:5e, 00-1b-21-3a-4f-5e, not 00:1b:21:3a:4f, "
        "uuid 0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9\n"
        "6,3,300,-;DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x7a000000\n"
        "6,4,400,-;DMAR: [DMA Read NO_PASID] Request device [03:00.0] fault addr 0x7a000000\n"
        " SUBSYSTEM=pci\n"
        "3,5,500,-;dmar_fault: 893 callbacks suppressed\n"
        "6,6,600,-;Kernel command line: root=UUID=x intel_iommu=on\n"
        "6,7,700,-;e1000e 0000:00:1f.6 eth0: (PCI Express:2.5GT/s:Width x1) 00:1b:21:3a:4f:5e\n"
        "6,8,800,-;usb 1-1: new high-speed USB device\n"
        "6,9,900,-;pci 0000:00:02.0: BAR 2: assigned [mem 0x4000000000-0x400fffffff 64bit pref]\n"
        "6,10,1000,-;iommu: Default domain type: Translated\n"
        "6,11,1100,-;pci 0000:00:14.0: Adding to iommu group 4\n",
        -1);
    c = capture_of(root, words);
    kmsg = entry_text(c, "dev/kmsg");
    g_assert_cmpstr(kmsg, ==,
                    "6,1,100,-;i915 0000:00:02.0: [drm] REDACTED-HOST.lan: card for REDACTED-USER (malice, alice2 "
                    "untouched)\n"
                    " SUBSYSTEM=pci\n"
                    " DEVICE=+pci:0000:00:02.0\n"
                    "6,2,200,-;vfio-pci 0000:00:02.0: mac REDACTED-MAC, REDACTED-MAC, not 00:1b:21:3a:4f, "
                    "uuid REDACTED-UUID\n"
                    "6,3,300,-;DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x7a000000\n"
                    "3,5,500,-;dmar_fault: 893 callbacks suppressed\n"
                    "6,9,900,-;pci 0000:00:02.0: BAR 2: assigned [mem 0x4000000000-0x400fffffff 64bit pref]\n"
                    "6,10,1000,-;iommu: Default domain type: Translated\n");
    g_assert_cmpuint(redaction_count(c, "dev/kmsg", "MAC address"), ==, 2);
    g_assert_cmpuint(redaction_count(c, "dev/kmsg", "UUID"), ==, 1);
    g_assert_cmpuint(redaction_count(c, "dev/kmsg", "host name"), ==, 1);
    g_assert_cmpuint(redaction_count(c, "dev/kmsg", "user name"), ==, 1);
    release = entry_text(c, "proc/sys/kernel/osrelease");
    g_assert_cmpstr(release, ==, "6.1.0-REDACTED-USER\n");
    g_assert_nonnull(strstr(entry(c, "dev/kmsg")->note, "6 of 11 records kept"));
    igd_test_rmtree(root);
}

/* The PCIe Device Serial Number and the VPD data register are zeroed; nothing else changes. */
static void
test_capture_config_serials(void)
{
    g_autofree char *root = make_host();
    g_autoptr(IgdCapture) c = NULL;
    guint8 cfg[4096] = { 0x86, 0x80, 0x16, 0x19 };
    guint8 want[4096];
    const IgdCaptureEntry *e;

    cfg[0x0b] = 0x03;
    cfg[0x06] = 0x10;             /* status: capability list */
    cfg[0x34] = 0x40;
    cfg[0x40] = 0x05;             /* MSI */
    cfg[0x41] = 0x50;
    cfg[0x50] = 0x03;             /* VPD, last in the list */
    igd_put_le32(cfg + 0x54, 0x31323334); /* the data register holds a piece of a serial number */
    igd_put_le32(cfg + 0x100, 0x14010001); /* AER, next 0x140 */
    igd_put_le32(cfg + 0x140, 0x00010003); /* DSN, last */
    igd_put_le64(cfg + 0x144, G_GUINT64_CONSTANT(0x001b21fffe3a4f5e));
    memcpy(want, cfg, sizeof(cfg));
    memset(want + 0x54, 0, 4);
    memset(want + 0x144, 0, 8);
    put_device(root, "sys/bus/pci/devices/0000:00:02.0", "0x8086\n", "0x1916\n", "0x030000\n", cfg, sizeof(cfg));
    c = capture_of(root, NULL);
    e = entry(c, "sys/bus/pci/devices/0000:00:02.0/config");
    g_assert_nonnull(e);
    g_assert_cmpmem(g_bytes_get_data(e->data, NULL), g_bytes_get_size(e->data), want, sizeof(want));
    g_assert_cmpuint(redaction_count(c, "sys/bus/pci/devices/0000:00:02.0/config",
                                     "PCIe Device Serial Number (extended capability at 0x140)"), ==, 1);
    g_assert_cmpuint(redaction_count(c, "sys/bus/pci/devices/0000:00:02.0/config",
                                     "VPD data register (capability at 0x50)"), ==, 1);
    igd_test_rmtree(root);
}

/* A capability list that loops or runs off the end is walked a bounded number of steps. */
static void
test_capture_config_loops(void)
{
    g_autofree char *root = make_host();
    g_autoptr(IgdCapture) c = NULL;
    guint8 cfg[4096] = { 0x86, 0x80, 0x16, 0x19 };

    cfg[0x0b] = 0x03;
    cfg[0x06] = 0x10;
    cfg[0x34] = 0x40;
    cfg[0x40] = 0x01;
    cfg[0x41] = 0x40;             /* points at itself */
    igd_put_le32(cfg + 0x100, 0xffc10001); /* next = 0xffc */
    igd_put_le32(cfg + 0xffc, 0xffc10003); /* a DSN header at the very end, no room for its serial, next = itself */
    put_device(root, "sys/bus/pci/devices/0000:00:02.0", "0x8086\n", "0x1916\n", "0x030000\n", cfg, sizeof(cfg));
    c = capture_of(root, NULL);
    g_assert_cmpmem(g_bytes_get_data(entry(c, "sys/bus/pci/devices/0000:00:02.0/config")->data, NULL), 4096, cfg,
                    4096);
    igd_test_rmtree(root);
}

/* Only IOMMU group members of an IGD are captured with it; other devices stay out, even in the log. */
static void
test_capture_group_members(void)
{
    g_autofree char *root = make_host();
    g_autoptr(IgdCapture) c = NULL;
    guint8 cfg[64] = { 0x86, 0x80, 0x40, 0xa3 };

    cfg[0x0b] = 0x04;
    put_device(root, "sys/bus/pci/devices/0000:00:1f.3", "0x8086\n", "0xa348\n", "0x040300\n", cfg, 64);
    put_device(root, "sys/bus/pci/devices/0000:00:14.0", "0x8086\n", "0xa36d\n", "0x0c0330\n", cfg, 64);
    link_at(root, "sys/bus/pci/devices/0000:00:02.0/iommu_group", "../../../../kernel/iommu_groups/2");
    link_at(root, "sys/bus/pci/devices/0000:00:1f.3/iommu_group", "../../../../kernel/iommu_groups/2");
    link_at(root, "sys/kernel/iommu_groups/2/devices/0000:00:02.0", "../../../../bus/pci/devices/0000:00:02.0");
    link_at(root, "sys/kernel/iommu_groups/2/devices/0000:00:1f.3", "../../../../bus/pci/devices/0000:00:1f.3");
    link_at(root, "sys/kernel/iommu_groups/5/devices/0000:00:14.0", "../../../../bus/pci/devices/0000:00:14.0");
    c = capture_of(root, NULL);
    g_assert_nonnull(entry(c, "sys/bus/pci/devices/0000:00:1f.3/config"));
    g_assert_nonnull(entry(c, "sys/kernel/iommu_groups/2/devices/0000:00:1f.3"));
    g_assert_null(entry(c, "sys/bus/pci/devices/0000:00:14.0/config"));
    g_assert_nonnull(entry(c, "sys/kernel/iommu_groups/5"));
    g_assert_null(entry(c, "sys/kernel/iommu_groups/5/devices/0000:00:14.0"));
    igd_test_rmtree(root);
}

/* The QEMU probe as a file, and back: every field the model uses survives. */
static void
test_capture_qemu_probe(void)
{
    g_autofree char *root = make_host();
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "qemu-probe.ini", NULL);
    g_autoptr(IgdSysroot) sysroot = igd_sysroot_new(root);
    g_autoptr(IgdCapture) c = igd_capture_new(sysroot);
    g_autoptr(IgdQemuCaps) caps = igd_qemu_caps_new_for_version(10, 1, 0);
    g_autoptr(IgdQemuCaps) back = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *ini = NULL;

    g_free(caps->binary);
    caps->binary = g_strdup("/home/alice/qemu/build/qemu-system-x86_64");
    igd_capture_add_private_word(c, "alice", "user name");
    igd_capture_set_qemu(c, caps, NULL);
    g_assert_true(igd_capture_run(c, &error));
    ini = entry_text(c, "qemu-probe.ini");
    put(dir, "qemu-probe.ini", ini, -1);
    back = igd_qemu_caps_load(path, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(back->binary, ==, "/home/REDACTED-USER/qemu/build/qemu-system-x86_64");
    g_assert_cmpuint(back->major, ==, 10);
    g_assert_cmpuint(back->minor, ==, 1);
    g_assert_cmpstr(back->version_string, ==, caps->version_string);
    g_assert_true(back->x_igd_opregion_default_on);
    g_assert_true(back->x_igd_legacy_mode && back->x_igd_lpc && back->x_igd_gms && back->x_igd_opregion);
    g_assert_cmpuint(back->vfio_pci_props->len, ==, caps->vfio_pci_props->len);
    g_assert_cmpuint(redaction_count(c, "qemu-probe.ini", "user name"), ==, 1);
    igd_test_rmtree(root);
    igd_test_rmtree(dir);
}

static void
test_qemu_probe_bad(void)
{
    g_autofree char *dir = igd_test_mkdtemp();
    struct {
        const char *name, *text;
    } cases[] = {
        { "empty", "" },
        { "not-keyfile", "\x01\x02 garbage" },
        { "wrong-format", "[qemu]\nformat=99\nbinary=/q\nversion=QEMU emulator version 8.2.0\nvfio-pci=true\n"
                          "opregion-default-on=false\n" },
        { "no-version", "[qemu]\nformat=1\nbinary=/q\nversion=nonsense\nvfio-pci=true\nopregion-default-on=false\n" },
        { "bad-prop", "[qemu]\nformat=1\nbinary=/q\nversion=QEMU emulator version 8.2.0\nvfio-pci=true\n"
                      "opregion-default-on=false\nprops=x-igd-gms;rm -rf;\n" },
        { "no-bools", "[qemu]\nformat=1\nbinary=/q\nversion=QEMU emulator version 8.2.0\n" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_build_filename(dir, cases[i].name, NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdQemuCaps) caps = NULL;

        put(dir, cases[i].name, cases[i].text, -1);
        caps = igd_qemu_caps_load(path, &error);
        g_assert_null(caps);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    }
    {
        g_autofree char *fifo = g_build_filename(dir, "fifo", NULL);
        g_autofree char *missing = g_build_filename(dir, "missing", NULL);
        g_autoptr(GError) error = NULL;
        g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);
        g_assert_null(igd_qemu_caps_load(fifo, &error)); /* refused, never blocks */
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_clear_error(&error);
        g_assert_null(igd_qemu_caps_load(missing, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    }
    igd_test_rmtree(dir);
}

static void
test_top_name(void)
{
    const char *cases[][2] = {
        { "report.tar.xz", "report" }, { "/tmp/x/host-1.txz", "host-1" }, { "a b$c.tar.xz", "a_b_c" },
        { ".tar.xz", "igd-report" }, { "..", "igd-report" }, { "/", "igd-report" }, { "plain", "plain" },
        { ".hidden.tar.xz", "igd-report" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *got = igd_capture_top_name(cases[i][0]);
        g_assert_cmpstr(got, ==, cases[i][1]);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/archive/roundtrip", test_archive_roundtrip);
    g_test_add_func("/archive/never-replaces", test_archive_never_replaces);
    g_test_add_func("/archive/bad-paths", test_archive_bad_paths);
    g_test_add_func("/capture/minimal", test_capture_minimal);
    g_test_add_func("/capture/physical-paths", test_capture_physical_paths);
    g_test_add_func("/capture/hostile", test_capture_hostile);
    g_test_add_func("/capture/hostile-device", test_capture_hostile_device);
    g_test_add_func("/capture/cmdline", test_capture_cmdline);
    g_test_add_func("/capture/words-and-ids", test_capture_words_and_ids);
    g_test_add_func("/capture/config-serials", test_capture_config_serials);
    g_test_add_func("/capture/config-loops", test_capture_config_loops);
    g_test_add_func("/capture/group-members", test_capture_group_members);
    g_test_add_func("/capture/qemu-probe", test_capture_qemu_probe);
    g_test_add_func("/qemu/saved-probe-bad", test_qemu_probe_bad);
    g_test_add_func("/capture/top-name", test_top_name);
    return g_test_run();
}
