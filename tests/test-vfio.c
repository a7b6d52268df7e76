/*
 * test-vfio.c: igd-vfio against the /dev/vfio double (tests/vfio-double.c,
 * LD_PRELOAD). The double answers the real ioctls with the regions of
 * tests/data/vfio/<case>.conf; the OpRegion region holds the real dump
 * tests/data/fixtures/opregion/skl-asus-b150m-plus-d3-i7-6700.bin (8192
 * bytes), so the bytes read back are compared with that file.
 *
 * main() re-executes the program with the double preloaded when it is not
 * (under `make check-valgrind` through $IGD_VALGRIND, so memcheck still runs).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "igd-common.h"
#include "igd-test.h"
#include "igd-vfio.h"
#include "vfio-double-client.h"

#define OPREGION_FIXTURE "fixtures/opregion/skl-asus-b150m-plus-d3-i7-6700.bin"

typedef struct {
    char *root;
    char *log;
    IgdSysroot *sysroot;
    IgdPciAddress addr;
} Fixture;

static int
double_open_fds(void)
{
    return igd_vfio_double_count_fds();
}

static void
write_file(const char *root, const char *rel, const char *contents)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);
    g_autoptr(GError) error = NULL;

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_assert_true(g_file_set_contents(path, contents, -1, &error));
}

static void
make_link(const char *root, const char *rel, const char *target)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_assert_cmpint(symlink(target, path), ==, 0);
}

/*
 * A minimal host tree: 0000:00:02.0 bound to @driver in IOMMU group 1,
 * /dev/vfio/{vfio,1} present (or, for @cdev, only /dev/vfio/devices/vfio0,
 * /dev/iommu and the vfio-dev/vfio0 entry).
 */
static void
fixture_setup(Fixture *fx, const char *conf, const char *driver, gboolean group, gboolean cdev)
{
    g_autofree char *conf_path = NULL;
    g_autofree char *vfio_dir = NULL;

    fx->root = igd_test_mkdtemp();
    fx->sysroot = igd_sysroot_new(fx->root);
    g_assert_true(igd_pci_address_parse("0000:00:02.0", &fx->addr, NULL));
    write_file(fx->root, "sys/bus/pci/devices/0000:00:02.0/vendor", "0x8086\n");
    write_file(fx->root, "sys/bus/pci/devices/0000:00:02.0/class", "0x030000\n");
    if (driver)
        make_link(fx->root, "sys/bus/pci/devices/0000:00:02.0/driver",
                  g_str_equal(driver, "vfio-pci") ? "../../../bus/pci/drivers/vfio-pci"
                                                  : "../../../bus/pci/drivers/i915");
    if (group)
        make_link(fx->root, "sys/bus/pci/devices/0000:00:02.0/iommu_group", "../../../kernel/iommu_groups/1");
    if (cdev) {
        write_file(fx->root, "sys/bus/pci/devices/0000:00:02.0/vfio-dev/vfio0/dev", "511:0\n");
        write_file(fx->root, "dev/vfio/devices/vfio0", "");
        write_file(fx->root, "dev/iommu", "");
    } else {
        write_file(fx->root, "dev/vfio/1", "");
    }
    write_file(fx->root, "dev/vfio/vfio", "");

    vfio_dir = g_build_filename(fx->root, "dev", "vfio", NULL);
    conf_path = g_strdup_printf("%s/data/vfio/%s.conf", g_getenv("G_TEST_SRCDIR") ? g_getenv("G_TEST_SRCDIR") : TESTS_SRCDIR, conf);
    fx->log = g_build_filename(fx->root, "double.log", NULL);
    g_setenv("IGD_VFIO_DOUBLE", vfio_dir, TRUE);
    g_setenv("IGD_VFIO_DOUBLE_CONFIG", conf_path, TRUE);
    g_setenv("IGD_VFIO_DOUBLE_LOG", fx->log, TRUE);
}

static void
fixture_teardown(Fixture *fx)
{
    /* Whatever happened, every fd of the double is closed again. */
    g_assert_cmpint(double_open_fds(), ==, 0);
    g_unsetenv("IGD_VFIO_DOUBLE_LOG");
    igd_sysroot_free(fx->sysroot);
    igd_test_rmtree(fx->root);
    g_free(fx->root);
    g_free(fx->log);
}

static char *
read_log(const Fixture *fx)
{
    char *s = NULL;

    if (!g_file_get_contents(fx->log, &s, NULL, NULL))
        return g_strdup("");
    return s;
}

static void
test_regions(void)
{
    Fixture fx = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdVfioDevice) dev = NULL;
    g_autoptr(GArray) regions = NULL;
    g_autoptr(GBytes) op = NULL;
    g_autoptr(GBytes) host = NULL;
    g_autoptr(GBytes) expect = NULL;
    g_autofree char *fixture = igd_test_datapath(OPREGION_FIXTURE);
    const IgdVfioRegion *r;

    fixture_setup(&fx, "skl-opregion", "vfio-pci", TRUE, FALSE);
    dev = igd_vfio_device_open(fx.sysroot, &fx.addr, &error);
    g_assert_no_error(error);
    g_assert_nonnull(dev);
    g_assert_cmpuint(igd_vfio_device_get_num_regions(dev), ==, 12);
    /* The double holds container, group and device. */
    g_assert_cmpint(double_open_fds(), ==, 3);

    regions = igd_vfio_device_get_regions(dev, &error);
    g_assert_no_error(error);
    /* Regions with a size: 0, 2, 4, 7, 8, 9, 10, 11 (skl-opregion.conf). */
    g_assert_cmpuint(regions->len, ==, 8);
    g_assert_cmpuint(g_array_index(regions, IgdVfioRegion, 0).index, ==, 0);
    g_assert_cmpuint(g_array_index(regions, IgdVfioRegion, 0).size, ==, 16u << 20);
    g_assert_false(g_array_index(regions, IgdVfioRegion, 0).has_type);
    g_assert_cmpuint(g_array_index(regions, IgdVfioRegion, 3).index, ==, 7);
    /* Offsets are index << 40 (VFIO_PCI_OFFSET_SHIFT). */
    g_assert_cmpuint(g_array_index(regions, IgdVfioRegion, 3).offset, ==, G_GUINT64_CONSTANT(7) << 40);

    r = igd_vfio_regions_find(regions, IGD_VFIO_REGION_TYPE_PCI_VENDOR, IGD_VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION);
    g_assert_nonnull(r);
    g_assert_cmpuint(r->index, ==, 9);
    g_assert_cmpuint(r->size, ==, 8192);
    g_assert_cmphex(r->type, ==, 0x80008086);
    op = igd_vfio_device_read_region(dev, r, 0, &error);
    g_assert_no_error(error);
    expect = igd_test_load(fixture);
    g_assert_true(g_bytes_equal(op, expect));

    /* Host bridge config: its type capability comes after a sparse-mmap one. */
    r = igd_vfio_regions_find(regions, IGD_VFIO_REGION_TYPE_PCI_VENDOR, IGD_VFIO_REGION_SUBTYPE_INTEL_IGD_HOST_CFG);
    g_assert_nonnull(r);
    g_assert_cmpuint(r->index, ==, 10);
    host = igd_vfio_device_read_region(dev, r, 256, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(host), ==, 256);
    g_assert_cmphex(((const guint8 *)g_bytes_get_data(host, NULL))[255], ==, 0x5a);
    r = igd_vfio_regions_find(regions, IGD_VFIO_REGION_TYPE_PCI_VENDOR, IGD_VFIO_REGION_SUBTYPE_INTEL_IGD_LPC_CFG);
    g_assert_nonnull(r);
    g_assert_cmpuint(r->index, ==, 11);
    g_assert_null(igd_vfio_regions_find(regions, IGD_VFIO_REGION_TYPE_PCI_VENDOR, 4));

    /* Larger than the caller's limit. */
    g_assert_null(igd_vfio_device_read_region(dev, &g_array_index(regions, IgdVfioRegion, 0), 4096, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "region 0"));

    g_clear_pointer(&dev, igd_vfio_device_close);
    fixture_teardown(&fx);
}

/*
 * The whole sequence, in the kernel's order, and everything closed
 * (device, then group, then container) so QEMU can open the group next.
 */
static void
test_read_opregion(void)
{
    Fixture fx = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) op = NULL;
    g_autoptr(GBytes) op2 = NULL;
    g_autoptr(GBytes) expect = NULL;
    g_autofree char *fixture = igd_test_datapath(OPREGION_FIXTURE);
    g_autofree char *log = NULL;
    g_auto(GStrv) lines = NULL;
    const char *expected[] = {
        "open container ok",
        "ioctl container VFIO_GET_API_VERSION ok",
        "ioctl container VFIO_CHECK_EXTENSION ok",
        "open group ok",
        "ioctl group VFIO_GROUP_GET_STATUS ok",
        "ioctl group VFIO_GROUP_SET_CONTAINER ok",
        "ioctl container VFIO_SET_IOMMU ok",
        "ioctl group VFIO_GROUP_GET_DEVICE_FD ok",
        "ioctl device VFIO_DEVICE_GET_INFO ok",
    };
    guint i;

    fixture_setup(&fx, "skl-opregion", "vfio-pci", TRUE, FALSE);
    op = igd_vfio_read_opregion(fx.sysroot, &fx.addr, &error);
    g_assert_no_error(error);
    expect = igd_test_load(fixture);
    g_assert_true(g_bytes_equal(op, expect));
    g_assert_cmpint(double_open_fds(), ==, 0);

    log = read_log(&fx);
    lines = g_strsplit(g_strstrip(log), "\n", -1);
    for (i = 0; i < G_N_ELEMENTS(expected); i++)
        g_assert_cmpstr(lines[i], ==, expected[i]);
    /* One GET_REGION_INFO per region (12) plus one retry per region with caps (9, 10, 11). */
    for (guint n = 0; n < 15; n++, i++)
        g_assert_cmpstr(lines[i], ==, "ioctl device VFIO_DEVICE_GET_REGION_INFO ok");
    g_assert_cmpstr(lines[i++], ==, "close device");
    g_assert_cmpstr(lines[i++], ==, "close group");
    g_assert_cmpstr(lines[i++], ==, "close container");
    g_assert_null(lines[i]);

    /* The group is free again: a second user (QEMU) opens it. */
    op2 = igd_vfio_read_opregion(fx.sysroot, &fx.addr, &error);
    g_assert_no_error(error);
    g_assert_true(g_bytes_equal(op2, expect));
    fixture_teardown(&fx);
}

/* While we hold the group, nobody else can open it: the kernel's EBUSY, as a CONFLICT. */
static void
test_group_held(void)
{
    Fixture fx = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdVfioDevice) dev = NULL;

    fixture_setup(&fx, "skl-opregion", "vfio-pci", TRUE, FALSE);
    dev = igd_vfio_device_open(fx.sysroot, &fx.addr, &error);
    g_assert_no_error(error);
    g_assert_null(igd_vfio_read_opregion(fx.sysroot, &fx.addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CONFLICT);
    g_assert_nonnull(strstr(error->message, "/dev/vfio/1"));
    g_assert_nonnull(strstr(error->message, "in use"));
    /* The failed open released the container it had opened. */
    g_assert_cmpint(double_open_fds(), ==, 3);
    g_clear_pointer(&dev, igd_vfio_device_close);
    fixture_teardown(&fx);
}

typedef struct {
    const char *path;  /* test name */
    const char *conf;
    const char *driver;
    gboolean group;
    gboolean cdev;
    int code;          /* expected IgdErrorCode of igd_vfio_read_opregion(), -1 = success */
    const char *msg;   /* expected substring */
} Case;

static const Case cases[] = {
    { "/vfio/cdev", "cdev", "vfio-pci", TRUE, TRUE, -1, NULL },
    { "/vfio/busy", "busy", "vfio-pci", TRUE, FALSE, IGD_ERROR_CONFLICT, "Device or resource busy" },
    { "/vfio/not-viable", "not-viable", "vfio-pci", TRUE, FALSE, IGD_ERROR_CHECK_FAILED, "IOMMU group 1 is not viable" },
    { "/vfio/api-version", "api-version", "vfio-pci", TRUE, FALSE, IGD_ERROR_UNSUPPORTED, "API version 1" },
    { "/vfio/no-type1", "no-type1", "vfio-pci", TRUE, FALSE, IGD_ERROR_UNSUPPORTED, "no type1 IOMMU" },
    { "/vfio/short-read", "short-read", "vfio-pci", TRUE, FALSE, IGD_ERROR_IO, "short read" },
    { "/vfio/no-opregion", "no-opregion", "vfio-pci", TRUE, FALSE, IGD_ERROR_NOT_FOUND, "no VFIO OpRegion region" },
    { "/vfio/unreadable", "unreadable", "vfio-pci", TRUE, FALSE, IGD_ERROR_UNSUPPORTED, "region 9 of 0000:00:02.0 is not readable" },
    { "/vfio/driver/i915", "skl-opregion", "i915", TRUE, FALSE, IGD_ERROR_CHECK_FAILED, "bound to i915, not vfio-pci" },
    { "/vfio/driver/none", "skl-opregion", NULL, TRUE, FALSE, IGD_ERROR_CHECK_FAILED, "bound to no driver" },
    { "/vfio/no-iommu-group", "skl-opregion", "vfio-pci", FALSE, FALSE, IGD_ERROR_CHECK_FAILED, "has no IOMMU group" },
    /* Crafted capability chains (tests/data/vfio/README.md). */
    { "/vfio/chain/loop", "chain-loop", "vfio-pci", TRUE, FALSE, IGD_ERROR_INVALID, "region 9 of 0000:00:02.0: capability chain loops at offset 32" },
    { "/vfio/chain/self-loop", "chain-self-loop", "vfio-pci", TRUE, FALSE, IGD_ERROR_INVALID, "capability chain loops at offset 32" },
    { "/vfio/chain/past-argsz", "chain-past-argsz", "vfio-pci", TRUE, FALSE, IGD_ERROR_INVALID, "capability at offset 288 lies outside the 48-byte region info" },
    { "/vfio/chain/overrun", "chain-overrun", "vfio-pci", TRUE, FALSE, IGD_ERROR_INVALID, "type capability at offset 32 overruns the 40-byte region info" },
    { "/vfio/chain/into-header", "chain-into-header", "vfio-pci", TRUE, FALSE, IGD_ERROR_INVALID, "capability at offset 8 lies outside" },
    { "/vfio/chain/argsz-never-enough", "chain-argsz-never-enough", "vfio-pci", TRUE, FALSE, IGD_ERROR_INVALID, "region info needs 80 bytes (after 3 tries" }, /* 32+16, 48+16, 64+16 */
    { "/vfio/chain/missing-type", "chain-missing-type", "vfio-pci", TRUE, FALSE, IGD_ERROR_NOT_FOUND, "no VFIO OpRegion region" },
    /* 73729 > 8192 + 65536 (opregion-oversized.conf): refused before any read. */
    { "/vfio/opregion-oversized", "opregion-oversized", "vfio-pci", TRUE, FALSE, IGD_ERROR_INVALID, "region 9 of 0000:00:02.0 is 73729 bytes (more than 73728)" },
};

static void
test_case(gconstpointer data)
{
    const Case *c = data;
    Fixture fx = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) op = NULL;

    fixture_setup(&fx, c->conf, c->driver, c->group, c->cdev);
    op = igd_vfio_read_opregion(fx.sysroot, &fx.addr, &error);
    if (c->code < 0) {
        g_autoptr(GBytes) expect = NULL;
        g_autofree char *fixture = igd_test_datapath(OPREGION_FIXTURE);
        g_assert_no_error(error);
        expect = igd_test_load(fixture);
        g_assert_true(g_bytes_equal(op, expect));
    } else {
        g_assert_null(op);
        g_assert_error(error, IGD_ERROR, c->code);
        if (strstr(error->message, c->msg) == NULL)
            g_error("'%s' does not contain '%s'", error->message, c->msg);
    }
    fixture_teardown(&fx);
}

/* The cdev path binds the device to the iommufd before any region ioctl. */
static void
test_cdev_order(void)
{
    Fixture fx = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) op = NULL;
    g_autofree char *log = NULL;
    g_auto(GStrv) lines = NULL;

    fixture_setup(&fx, "cdev", "vfio-pci", TRUE, TRUE);
    op = igd_vfio_read_opregion(fx.sysroot, &fx.addr, &error);
    g_assert_no_error(error);
    log = read_log(&fx);
    lines = g_strsplit(g_strstrip(log), "\n", -1);
    g_assert_cmpstr(lines[0], ==, "open cdev ok");
    g_assert_cmpstr(lines[1], ==, "open iommufd ok");
    g_assert_cmpstr(lines[2], ==, "ioctl cdev VFIO_DEVICE_BIND_IOMMUFD ok");
    g_assert_cmpstr(lines[3], ==, "ioctl cdev VFIO_DEVICE_GET_INFO ok");
    g_assert_false(strstr(log, "container"));
    fixture_teardown(&fx);
}

/*
 * The captured host trees under the double: skl-ideapad-vfio (bound to
 * vfio-pci, IOMMU group 0) reads its OpRegion; skl-lenovo-ideapad-320-14isk
 * (i915, IOMMU off) is refused before any /dev/vfio open.
 */
static void
test_host_trees(void)
{
    g_autofree char *root = igd_test_mkdtemp();
    g_autofree char *ok_src = igd_test_srcpath("data/hosts/skl-ideapad-vfio");
    g_autofree char *bad_src = igd_test_srcpath("data/hosts/skl-lenovo-ideapad-320-14isk");
    g_autofree char *ok_root = g_build_filename(root, "ok", NULL);
    g_autofree char *bad_root = g_build_filename(root, "bad", NULL);
    g_autofree char *group_dev = g_build_filename(ok_root, "dev", "vfio", "0", NULL);
    g_autofree char *container = g_build_filename(ok_root, "dev", "vfio", "vfio", NULL);
    g_autofree char *log = g_build_filename(root, "double.log", NULL);
    g_autofree char *fixture = igd_test_datapath(OPREGION_FIXTURE);
    g_autoptr(GBytes) expect = igd_test_load(fixture);
    g_autoptr(IgdSysroot) ok = NULL;
    g_autoptr(IgdSysroot) bad = NULL;
    g_autoptr(GBytes) op = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    g_auto(GStrv) parts = NULL;
    IgdPciAddress addr;

    g_assert_true(igd_pci_address_parse("0000:00:02.0", &addr, NULL));
    g_assert_cmpint(g_mkdir_with_parents(ok_root, 0755), ==, 0);
    g_assert_cmpint(g_mkdir_with_parents(bad_root, 0755), ==, 0);
    igd_test_copytree(ok_src, ok_root);
    igd_test_copytree(bad_src, bad_root);
    g_assert_true(g_file_set_contents(group_dev, "", 0, NULL));
    g_assert_true(g_file_set_contents(container, "", 0, NULL));
    ok = igd_sysroot_new(ok_root);
    bad = igd_sysroot_new(bad_root);

    igd_vfio_double_setup(ok_root, "skl-opregion", 0, log);
    op = igd_vfio_read_opregion(ok, &addr, &error);
    g_assert_no_error(error);
    g_assert_true(g_bytes_equal(op, expect));
    g_assert_cmpint(double_open_fds(), ==, 0);

    igd_vfio_double_setup(bad_root, "skl-opregion", 0, log);
    g_assert_null(igd_vfio_read_opregion(bad, &addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_assert_cmpstr(error->message, ==, "0000:00:02.0 is bound to i915, not vfio-pci");
    /* Only the good tree's opens are in the log: the refusal opened nothing. */
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    parts = g_strsplit(text, "open container", -1);
    g_assert_cmpuint(g_strv_length(parts), ==, 2);
    g_unsetenv("IGD_VFIO_DOUBLE_LOG");
    igd_test_rmtree(root);
}

/* All three Intel regions at once; then without the bridge regions. */
static void
test_intel_regions(void)
{
    Fixture fx = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) op = NULL;
    g_autoptr(GBytes) host = NULL;
    g_autoptr(GBytes) lpc = NULL;
    g_autoptr(GBytes) expect = NULL;
    g_autofree char *fixture = igd_test_datapath(OPREGION_FIXTURE);

    fixture_setup(&fx, "skl-opregion", "vfio-pci", TRUE, FALSE);
    g_assert_true(igd_vfio_read_intel_regions(fx.sysroot, &fx.addr, &op, &host, &lpc, &error));
    g_assert_no_error(error);
    expect = igd_test_load(fixture);
    g_assert_true(g_bytes_equal(op, expect));
    /* skl-opregion.conf: host bridge 256 × 0x5a, LPC bridge 256 × 0xa5 */
    g_assert_cmpuint(g_bytes_get_size(host), ==, 256);
    g_assert_cmphex(((const guint8 *)g_bytes_get_data(host, NULL))[0], ==, 0x5a);
    g_assert_cmpuint(g_bytes_get_size(lpc), ==, 256);
    g_assert_cmphex(((const guint8 *)g_bytes_get_data(lpc, NULL))[128], ==, 0xa5);
    g_assert_cmpint(double_open_fds(), ==, 0);
    g_clear_pointer(&op, g_bytes_unref);
    g_clear_pointer(&host, g_bytes_unref);
    g_clear_pointer(&lpc, g_bytes_unref);
    fixture_teardown(&fx);

    /* no-opregion.conf: regions 0-8 only, no Intel region at all. */
    fixture_setup(&fx, "no-opregion", "vfio-pci", TRUE, FALSE);
    g_assert_true(igd_vfio_read_intel_regions(fx.sysroot, &fx.addr, &op, &host, NULL, &error));
    g_assert_no_error(error);
    g_assert_null(op);
    g_assert_null(host);
    fixture_teardown(&fx);
    fixture_setup(&fx, "short-read", "vfio-pci", TRUE, FALSE);
    g_assert_false(igd_vfio_read_intel_regions(fx.sysroot, &fx.addr, &op, NULL, NULL, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    g_assert_null(op);
    fixture_teardown(&fx);
}

/*
 * Names read from the host tree become /dev paths only when they are plain
 * numbers: an iommu_group link whose last component is not one is refused
 * before anything is opened, and vfio-dev entries other than "vfio<digits>"
 * are never used as a cdev name (the group path is taken instead).
 */
static void
test_hostile_names(void)
{
    static const char *const groups[] = { "1x", "-1", "+1", "0x1", " 1", "..", "99999999999" };
    static const char *const entries[] = { "vfio", "vfioX", "vfio+1", "vfio-1", "vfio 1", "vfio1x", "xvfio1" };

    for (guint i = 0; i < G_N_ELEMENTS(groups); i++) {
        Fixture fx = { 0 };
        g_autoptr(GError) error = NULL;
        g_autofree char *target = g_strdup_printf("../../../kernel/iommu_groups/%s", groups[i]);
        g_autofree char *log = NULL;

        g_test_message("iommu_group -> %s", target);
        fixture_setup(&fx, "skl-opregion", "vfio-pci", FALSE, FALSE);
        make_link(fx.root, "sys/bus/pci/devices/0000:00:02.0/iommu_group", target);
        g_assert_null(igd_vfio_read_opregion(fx.sysroot, &fx.addr, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_nonnull(strstr(error->message, "is not a number"));
        log = read_log(&fx);
        g_assert_cmpstr(log, ==, "");
        fixture_teardown(&fx);
    }

    {
        Fixture fx = { 0 };
        g_autoptr(GError) error = NULL;
        g_autofree char *group_dev = NULL;
        g_autofree char *log = NULL;
        g_autoptr(GBytes) op = NULL;

        /*
         * Group 1 without its /dev/vfio/1 node, only bad vfio-dev entries: no
         * cdev is chosen, so the group path runs and fails on the missing
         * group node (the double answers only for nodes the tree has), and
         * the log shows no cdev open.
         */
        fixture_setup(&fx, "skl-opregion", "vfio-pci", TRUE, FALSE);
        group_dev = g_build_filename(fx.root, "dev", "vfio", "1", NULL);
        g_assert_cmpint(g_unlink(group_dev), ==, 0);
        for (guint i = 0; i < G_N_ELEMENTS(entries); i++) {
            g_autofree char *rel = g_strdup_printf("sys/bus/pci/devices/0000:00:02.0/vfio-dev/%s/dev", entries[i]);
            write_file(fx.root, rel, "511:0\n");
        }
        op = igd_vfio_read_opregion(fx.sysroot, &fx.addr, &error);
        g_assert_null(op);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
        g_assert_nonnull(strstr(error->message, "/dev/vfio/1'"));
        log = read_log(&fx);
        g_assert_nonnull(strstr(log, "open container ok"));
        g_assert_null(strstr(log, "cdev"));
        fixture_teardown(&fx);
    }
}

/*
 * Opening a vfio-pci device fd resets the function (vfio_pci_core_enable()
 * calls pci_try_reset_function()), so igd-vfio opens nothing for a device
 * that is not an Intel display device, even one bound to vfio-pci: this
 * machine's own 00:02.0 (virtio, 0x1af4 class 0x010000), an Intel NIC
 * (0x8086 class 0x020000), a display of another vendor (0x1002 class
 * 0x030000).
 */
static void
test_not_intel_display(void)
{
    static const struct {
        const char *vendor, *klass, *shown;
    } devices[] = {
        { "0x1af4\n", "0x010000\n", "vendor 0x1af4 class 0x010000" },
        { "0x8086\n", "0x020000\n", "vendor 0x8086 class 0x020000" },
        { "0x1002\n", "0x030000\n", "vendor 0x1002 class 0x030000" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(devices); i++) {
        Fixture fx = { 0 };
        g_autoptr(GError) error = NULL;
        g_autofree char *log = NULL;

        fixture_setup(&fx, "skl-opregion", "vfio-pci", TRUE, FALSE);
        write_file(fx.root, "sys/bus/pci/devices/0000:00:02.0/vendor", devices[i].vendor);
        write_file(fx.root, "sys/bus/pci/devices/0000:00:02.0/class", devices[i].klass);
        g_assert_null(igd_vfio_read_opregion(fx.sysroot, &fx.addr, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED);
        g_assert_nonnull(strstr(error->message, "not an Intel display device"));
        g_assert_nonnull(strstr(error->message, devices[i].shown));
        log = read_log(&fx);
        g_assert_cmpstr(log, ==, "");
        fixture_teardown(&fx);
    }
}

int
main(int argc, char **argv)
{
    igd_vfio_double_reexec(argc, argv);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/regions", test_regions);
    g_test_add_func("/vfio/read-opregion", test_read_opregion);
    g_test_add_func("/vfio/group-held", test_group_held);
    g_test_add_func("/vfio/cdev-order", test_cdev_order);
    g_test_add_func("/vfio/host-trees", test_host_trees);
    g_test_add_func("/vfio/intel-regions", test_intel_regions);
    g_test_add_func("/vfio/hostile-names", test_hostile_names);
    g_test_add_func("/vfio/not-intel-display", test_not_intel_display);
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
        g_test_add_data_func(cases[i].path, &cases[i], test_case);
    return g_test_run();
}
