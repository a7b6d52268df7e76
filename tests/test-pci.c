/*
 * test-pci.c: IgdPciDevice against small sysfs trees built by the test in
 * a temporary directory (the layout of Linux drivers/pci/pci-sysfs.c), plus
 * the real config bytes of the Skylake fixture dump.
 *
 * Values of the "normal" device are those of the IdeaPad 320-14ISK
 * (fixtures/hosts/skl-lenovo-ideapad-320-14isk/lspci.txt): 8086:1916 rev 07,
 * subsystem 17aa:39c5, class 0300 prog-if 00, Region 0 at b0000000 [16M]
 * (64-bit non-prefetchable), Region 2 at a0000000 [256M] (64-bit
 * prefetchable), Region 4 I/O at 4000 [64]. Its "resource" lines were
 * written from those Region lines; the flags are the IORESOURCE_* bits
 * Linux gives such BARs (MEM 0x200 | MEM_64 0x100000 | SIZEALIGN 0x40000 |
 * the BAR's low bits, PREFETCH 0x2000; IO 0x100).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hw-lspci.h"
#include "igd-common.h"
#include "igd-pci.h"
#include "igd-test.h"

#define SKL_DUMP "hosts/skl-lenovo-ideapad-320-14isk/lspci.txt"

#define SKL_RESOURCE \
    "0x00000000b0000000 0x00000000b0ffffff 0x0000000000140204\n" \
    "0x0000000000000000 0x0000000000000000 0x0000000000000000\n" \
    "0x00000000a0000000 0x00000000afffffff 0x000000000014220c\n" \
    "0x0000000000000000 0x0000000000000000 0x0000000000000000\n" \
    "0x0000000000004000 0x000000000000403f 0x0000000000040101\n" \
    "0x0000000000000000 0x0000000000000000 0x0000000000000000\n" \
    "0x00000000000c0000 0x00000000000dffff 0x0000000000000212\n"

typedef struct {
    char *root;
    IgdSysroot *sysroot;
} Tree;

static void
tree_init(Tree *t, gconstpointer data)
{
    t->root = igd_test_mkdtemp();
    t->sysroot = igd_sysroot_new(t->root);
}

static void
tree_fini(Tree *t, gconstpointer data)
{
    igd_sysroot_free(t->sysroot);
    igd_test_rmtree(t->root);
    g_free(t->root);
}

static void
put(const char *dir, const char *name, const void *data, gssize len)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autoptr(GError) error = NULL;

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    if (!g_file_set_contents(path, data, len, &error))
        g_error("%s", error->message);
}

static void
put_link(const char *dir, const char *name, const char *target)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    if (symlink(target, path) < 0)
        g_error("symlink %s: %s", path, g_strerror(errno));
}

/*
 * A device as sysfs shows it: /sys/devices/pci0000:00/<name>/ with
 * /sys/bus/pci/devices/<name> a symlink to it. Returns the real directory.
 */
static char *
make_device(Tree *t, const char *name, const char *vendor, const char *device, const char *class_code)
{
    g_autofree char *devices = g_build_filename(t->root, "sys/devices/pci0000:00", NULL);
    g_autofree char *bus = g_build_filename(t->root, "sys/bus/pci/devices", NULL);
    g_autofree char *target = g_strconcat("../../../devices/pci0000:00/", name, NULL);
    char *dir = g_build_filename(devices, name, NULL);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    put_link(bus, name, target);
    if (vendor)
        put(dir, "vendor", vendor, -1);
    if (device)
        put(dir, "device", device, -1);
    if (class_code)
        put(dir, "class", class_code, -1);
    return dir;
}

static IgdPciDevice *
open_dev(Tree *t, const char *name, GError **error)
{
    IgdPciAddress addr;

    g_assert_true(igd_pci_address_parse(name, &addr, NULL));
    return igd_pci_device_new(t->sysroot, &addr, error);
}

/* The Skylake IGD with every attribute, config from the real dump. */
static char *
make_skl(Tree *t)
{
    g_autoptr(GBytes) cfg = hw_lspci_load_igd(SKL_DUMP);
    char *dir = make_device(t, "0000:00:02.0", "0x8086\n", "0x1916\n", "0x030000\n");
    gsize len = 0;
    const void *bytes = g_bytes_get_data(cfg, &len);

    put(dir, "revision", "0x07\n", -1);
    put(dir, "subsystem_vendor", "0x17aa\n", -1);
    put(dir, "subsystem_device", "0x39c5\n", -1);
    put(dir, "config", bytes, (gssize)len);
    put(dir, "resource", SKL_RESOURCE, -1);
    put(dir, "driver_override", "(null)\n", -1);
    put_link(dir, "driver", "../../../bus/pci/drivers/i915");
    put_link(dir, "iommu_group", "../../../kernel/iommu_groups/2");
    return dir;
}

static void
test_normal(Tree *t, gconstpointer data)
{
    g_autofree char *dir = make_skl(t);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdPciDevice) dev = open_dev(t, "00:02.0", &error);
    g_autoptr(GBytes) cfg = NULL;
    g_autoptr(GBytes) want = hw_lspci_load_igd(SKL_DUMP);
    g_autofree char *attr = NULL;

    g_assert_no_error(error);
    g_assert_nonnull(dev);
    g_assert_cmpstr(igd_pci_device_get_name(dev), ==, "0000:00:02.0");
    g_assert_cmpuint(igd_pci_device_get_address(dev)->slot, ==, 2);
    g_assert_cmphex(igd_pci_device_get_vendor_id(dev), ==, 0x8086);
    g_assert_cmphex(igd_pci_device_get_device_id(dev), ==, 0x1916);
    g_assert_cmphex(igd_pci_device_get_class(dev), ==, 0x030000);
    g_assert_cmphex(igd_pci_device_get_revision(dev), ==, 0x07);
    g_assert_cmphex(igd_pci_device_get_subsystem_vendor_id(dev), ==, 0x17aa);
    g_assert_cmphex(igd_pci_device_get_subsystem_device_id(dev), ==, 0x39c5);
    g_assert_true(igd_pci_device_is_intel_display(dev));
    g_assert_cmpstr(igd_pci_device_get_driver(dev), ==, "i915");
    g_assert_null(igd_pci_device_get_driver_override(dev)); /* "(null)" */
    g_assert_cmpint(igd_pci_device_get_iommu_group(dev), ==, 2);
    g_assert_cmpstr(igd_sysroot_get_root(igd_pci_device_get_sysroot(dev)), ==, t->root);

    attr = igd_pci_device_attr_path(dev, "driver_override");
    g_assert_cmpstr(attr, ==, "/sys/bus/pci/devices/0000:00:02.0/driver_override");

    cfg = igd_pci_device_read_config(dev, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(cfg), ==, 4096);
    g_assert_true(g_bytes_equal(cfg, want));
}

/* Only vendor, device and class: everything else has its "none" value. */
static void
test_minimal(Tree *t, gconstpointer data)
{
    g_autofree char *dir = make_device(t, "0000:00:02.0", "0x8086\n", "0x0126\n", "0x030000\n");
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdPciDevice) dev = open_dev(t, "0000:00:02.0", &error);
    g_autoptr(GBytes) cfg = NULL;
    g_autoptr(GBytes) rom = NULL;
    guint64 start = 1;

    g_assert_no_error(error);
    g_assert_cmphex(igd_pci_device_get_revision(dev), ==, 0);
    g_assert_cmphex(igd_pci_device_get_subsystem_vendor_id(dev), ==, 0);
    g_assert_cmphex(igd_pci_device_get_subsystem_device_id(dev), ==, 0);
    g_assert_null(igd_pci_device_get_driver(dev));
    g_assert_null(igd_pci_device_get_driver_override(dev));
    g_assert_cmpint(igd_pci_device_get_iommu_group(dev), ==, -1);
    g_assert_false(igd_pci_device_get_bar(dev, 0, &start, NULL, NULL));
    g_assert_cmpuint(start, ==, 1); /* untouched */

    cfg = igd_pci_device_read_config(dev, &error);
    g_assert_null(cfg);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "0000:00:02.0/config"));
    g_clear_error(&error);

    rom = igd_pci_device_read_rom(dev, &error);
    g_assert_null(rom);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
}

static void
test_absent(Tree *t, gconstpointer data)
{
    g_autofree char *dir = make_device(t, "0000:00:00.0", "0x8086\n", "0x1904\n", "0x060000\n");
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdPciDevice) dev = open_dev(t, "0000:00:02.0", &error);

    g_assert_null(dev);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "'0000:00:02.0'"));
}

/* One broken attribute each: the error names the file. */
static void
test_bad_attributes(Tree *t, gconstpointer data)
{
    static const struct {
        const char *attr;
        const char *content; /* NULL: remove; "->x": symlink to x */
        int code;
        const char *needle;
    } cases[] = {
        { "vendor", NULL, IGD_ERROR_NOT_FOUND, "/vendor" },
        { "device", NULL, IGD_ERROR_NOT_FOUND, "/device" },
        { "class", NULL, IGD_ERROR_NOT_FOUND, "/class" },
        { "vendor", "zz\n", IGD_ERROR_INVALID, "/vendor" },
        { "vendor", "\n", IGD_ERROR_INVALID, "/vendor" },
        { "vendor", "0x18086\n", IGD_ERROR_INVALID, "out of range" },
        { "device", "0x1916 junk\n", IGD_ERROR_INVALID, "/device" },
        { "class", "0x1030000\n", IGD_ERROR_INVALID, "/class" },
        { "revision", "0x100\n", IGD_ERROR_INVALID, "/revision" },
        { "subsystem_vendor", "-1\n", IGD_ERROR_INVALID, "/subsystem_vendor" },
        { "iommu_group", "->../../../kernel/iommu_groups/abc", IGD_ERROR_INVALID, "iommu_group" },
        { "iommu_group", "->../../../kernel/iommu_groups/-1", IGD_ERROR_INVALID, "iommu_group" },
        { "iommu_group", "->../../../kernel/iommu_groups/99999999999", IGD_ERROR_INVALID, "iommu_group" },
        { "iommu_group", "2\n", IGD_ERROR_IO, "iommu_group" },   /* a file, not a link */
        { "driver", "->../..", IGD_ERROR_INVALID, "bad name" },
        { "driver", "i915\n", IGD_ERROR_IO, "driver" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *dir = make_device(t, "0000:00:02.0", "0x8086\n", "0x1916\n", "0x030000\n");
        g_autofree char *path = g_build_filename(dir, cases[i].attr, NULL);
        g_autofree char *bus = g_build_filename(t->root, "sys/bus/pci/devices/0000:00:02.0", NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdPciDevice) dev = NULL;

        g_test_message("%s = %s", cases[i].attr, cases[i].content ? cases[i].content : "(absent)");
        g_unlink(path);
        if (cases[i].content && g_str_has_prefix(cases[i].content, "->"))
            put_link(dir, cases[i].attr, cases[i].content + 2);
        else if (cases[i].content)
            put(dir, cases[i].attr, cases[i].content, -1);

        dev = open_dev(t, "0000:00:02.0", &error);
        g_assert_null(dev);
        g_assert_error(error, IGD_ERROR, cases[i].code);
        g_assert_nonnull(strstr(error->message, cases[i].needle));
        igd_test_rmtree(dir);
        g_unlink(bus);
    }
}

static void
test_driver_override(Tree *t, gconstpointer data)
{
    static const struct { const char *content; const char *want; } cases[] = {
        { "(null)\n", NULL },
        { "(null)", NULL },
        { "", NULL },
        { "\n", NULL },
        { "vfio-pci\n", "vfio-pci" },
        { "  vfio-pci \n", "vfio-pci" },
        { "i915\nsecond line\n", "i915" },
    };
    g_autofree char *dir = make_device(t, "0000:00:02.0", "0x8086\n", "0x1916\n", "0x030000\n");

    put_link(dir, "driver", "../../../bus/pci/drivers/vfio-pci");
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdPciDevice) dev = NULL;

        put(dir, "driver_override", cases[i].content, -1);
        dev = open_dev(t, "0000:00:02.0", &error);
        g_assert_no_error(error);
        g_assert_cmpstr(igd_pci_device_get_driver_override(dev), ==, cases[i].want);
        g_assert_cmpstr(igd_pci_device_get_driver(dev), ==, "vfio-pci");
    }
}

static void
test_config_sizes(Tree *t, gconstpointer data)
{
    static const struct { gsize len; gboolean ok; const char *needle; } cases[] = {
        { 64, TRUE, NULL },     /* what a non-root reader gets */
        { 256, TRUE, NULL },
        { 4096, TRUE, NULL },
        { 128, TRUE, NULL },
        { 0, FALSE, "is 0 bytes" },
        { 4, FALSE, "is 4 bytes" },
        { 63, FALSE, "is 63 bytes" },
        { 66, FALSE, "is 66 bytes" },
        { 4097, FALSE, "larger than 4096 bytes" },
        { 8192, FALSE, "larger than 4096 bytes" },
    };
    g_autoptr(GBytes) dump = hw_lspci_load_igd(SKL_DUMP);
    g_autofree guint8 *big = g_malloc0(8192);
    g_autofree char *dir = make_device(t, "0000:00:02.0", "0x8086\n", "0x1916\n", "0x030000\n");
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdPciDevice) dev = open_dev(t, "0000:00:02.0", &error);

    g_assert_no_error(error);
    memcpy(big, g_bytes_get_data(dump, NULL), 4096);
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GBytes) cfg = NULL;

        g_test_message("config of %" G_GSIZE_FORMAT " bytes", cases[i].len);
        put(dir, "config", big, (gssize)cases[i].len);
        cfg = igd_pci_device_read_config(dev, &error);
        if (cases[i].ok) {
            g_assert_no_error(error);
            g_assert_cmpuint(g_bytes_get_size(cfg), ==, cases[i].len);
            g_assert_cmpmem(g_bytes_get_data(cfg, NULL), cases[i].len, big, cases[i].len);
        } else {
            g_assert_null(cfg);
            g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
            g_assert_nonnull(strstr(error->message, "0000:00:02.0/config"));
            g_assert_nonnull(strstr(error->message, cases[i].needle));
            g_clear_error(&error);
        }
    }

    /* The config space of another device (the dump's ids do not match sysfs) */
    igd_put_le16(big + 2, 0x0126);
    put(dir, "config", big, 256);
    g_assert_null(igd_pci_device_read_config(dev, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "8086:0126"));
}

typedef struct {
    gboolean used;
    guint64 start, end, flags;
} Bar;

static void
check_bars(IgdPciDevice *dev, const Bar want[6])
{
    for (guint i = 0; i < 6; i++) {
        guint64 s = 0, e = 0, f = 0;

        g_test_message("BAR %u", i);
        g_assert_cmpint(igd_pci_device_get_bar(dev, i, &s, &e, &f), ==, want[i].used);
        if (want[i].used) {
            g_assert_cmphex(s, ==, want[i].start);
            g_assert_cmphex(e, ==, want[i].end);
            g_assert_cmphex(f, ==, want[i].flags);
        }
    }
    /* index 6 is the ROM line, not a BAR; anything above is nothing */
    g_assert_false(igd_pci_device_get_bar(dev, 6, NULL, NULL, NULL));
    g_assert_false(igd_pci_device_get_bar(dev, G_MAXUINT, NULL, NULL, NULL));
}

/* The device of 00:02.0 opened again (what a new reading of the tree sees). */
static void
reopen(Tree *t, IgdPciDevice **dev)
{
    g_autoptr(GError) error = NULL;

    igd_pci_device_free(*dev);
    *dev = open_dev(t, "0000:00:02.0", &error);
    g_assert_no_error(error);
}

static void
test_resource(Tree *t, gconstpointer data)
{
    g_autofree char *dir = make_skl(t);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdPciDevice) dev = open_dev(t, "0000:00:02.0", &error);
    /* Region 0: b0000000 + 16M - 1 = b0ffffff; Region 2: a0000000 + 256M - 1 = afffffff;
     * Region 4: I/O 4000 + 64 - 1 = 403f; BARs 1, 3, 5 are the upper halves (zero lines) */
    const Bar skl[6] = {
        { TRUE, 0xb0000000, 0xb0ffffff, 0x140204 }, { FALSE, 0, 0, 0 },
        { TRUE, 0xa0000000, 0xafffffff, 0x14220c }, { FALSE, 0, 0, 0 },
        { TRUE, 0x4000, 0x403f, 0x40101 },          { FALSE, 0, 0, 0 },
    };
    /* Garbage on some lines does not spoil the others */
    const char *garbage =
        "0x00000000b0000000 0x00000000b0ffffff 0x0000000000140204\n"   /* good */
        "hello world\n"                                                /* words */
        "0x4000000000 0x400fffffff 0x14220c\n"                         /* good, short hex */
        "0x1000 0x0fff 0x0\n"                                          /* end < start */
        "0x1000 0x1fff\n"                                              /* two fields */
        "0x1000  0x1fff 0x0\n";                                        /* double space */
    const Bar garbage_want[6] = {
        { TRUE, 0xb0000000, 0xb0ffffff, 0x140204 }, { FALSE, 0, 0, 0 },
        { TRUE, 0x4000000000, 0x400fffffff, 0x14220c }, { FALSE, 0, 0, 0 },
        { FALSE, 0, 0, 0 }, { FALSE, 0, 0, 0 },
    };
    const char *bad_lines[] = {
        "0x1000 0x1fff 0x0 0x0\n",        /* four fields */
        "0x 0x1fff 0x0\n",                /* no digits */
        "0x10000000000000000 0x1fff 0x0\n", /* 17 digits */
        "0x1000 0x1fffg 0x0\n",           /* not hex */
        "1000 1fff 0\n",                  /* no 0x */
        "-0x1000 0x1fff 0x0\n",
        " 0x1000 0x1fff 0x0\n",           /* leading space */
        "0x1000 0x1fff 0x0 \n",           /* trailing space */
        "\n",
        "",
    };
    g_autofree char *huge = g_strnfill(5000, 'x');
    const Bar none[6] = { { FALSE, 0, 0, 0 } };

    g_assert_no_error(error);
    check_bars(dev, skl);

    /* Read once per device: the same object keeps what it read, a new one reads the file again. */
    put(dir, "resource", garbage, -1);
    check_bars(dev, skl);
    reopen(t, &dev);
    check_bars(dev, garbage_want);

    for (guint i = 0; i < G_N_ELEMENTS(bad_lines); i++) {
        g_test_message("resource line '%s'", bad_lines[i]);
        put(dir, "resource", bad_lines[i], -1);
        reopen(t, &dev);
        check_bars(dev, none);
    }

    put(dir, "resource", huge, -1); /* larger than any real resource file */
    reopen(t, &dev);
    check_bars(dev, none);
    put(dir, "resource", "0x1000 0x1fff 0x0\0\n", 19); /* a NUL byte inside */
    reopen(t, &dev);
    check_bars(dev, none);
    /* A file that was garbage stays so for this object too. */
    put(dir, "resource", "0x00000000b0000000 0x00000000b0ffffff 0x0000000000140204\n", -1);
    check_bars(dev, none);
}

static void
test_rom(Tree *t, gconstpointer data)
{
    g_autofree char *dir = make_skl(t);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdPciDevice) dev = open_dev(t, "0000:00:02.0", &error);
    g_autoptr(GBytes) rom = NULL;
    g_autofree guint8 *image = g_malloc0(65536);
    g_autofree char *rom_path = g_build_filename(dir, "rom", NULL);

    g_assert_no_error(error);

    /* A 64 KiB image starting with the 0x55 0xaa signature: returned as it is (no write to
     * the file under a sysroot: it would fail on a read-only file) */
    image[0] = 0x55;
    image[1] = 0xaa;
    image[2] = 0x80; /* 0x80 × 512 = 64 KiB */
    image[65535] = 0x42;
    put(dir, "rom", image, 65536);
    g_assert_cmpint(g_chmod(rom_path, 0444), ==, 0);
    rom = igd_pci_device_read_rom(dev, &error);
    g_assert_no_error(error);
    g_assert_cmpmem(g_bytes_get_data(rom, NULL), g_bytes_get_size(rom), image, 65536);
    g_clear_pointer(&rom, g_bytes_unref);
    g_unlink(rom_path);

    /* empty: the device shows no ROM */
    put(dir, "rom", "", 0);
    rom = igd_pci_device_read_rom(dev, &error);
    g_assert_null(rom);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "0000:00:02.0/rom"));
    g_clear_error(&error);

    /* larger than the 16 MiB limit (a sparse file) */
    g_assert_cmpint(truncate(rom_path, IGD_PCI_ROM_MAX + 1), ==, 0);
    rom = igd_pci_device_read_rom(dev, &error);
    g_assert_null(rom);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "larger than 16777216 bytes"));
}

/*
 * On the real host, enabling the ROM is a write: it is refused for any
 * device that is not an Intel display device, before anything is written.
 * (This machine's 00:02.0 is a virtio device; where it is an Intel IGD, or
 * absent, the test is skipped so it never touches real hardware.)
 */
static void
test_rom_host_refuses(void)
{
    g_autoptr(IgdSysroot) host = igd_sysroot_new("/");
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdPciDevice) dev = NULL;
    g_autoptr(GBytes) rom = NULL;
    IgdPciAddress addr;

    g_assert_true(igd_pci_address_parse(IGD_PCI_ADDRESS_DEFAULT, &addr, NULL));
    dev = igd_pci_device_new(host, &addr, &error);
    if (dev == NULL) {
        g_test_skip("no readable 0000:00:02.0 on this host");
        return;
    }
    if (igd_pci_device_is_intel_display(dev)) {
        g_test_skip("0000:00:02.0 is a real Intel IGD here: not touching it");
        return;
    }
    rom = igd_pci_device_read_rom(dev, &error);
    g_assert_null(rom);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, "not an Intel display device"));
}

static void
test_attr_path(Tree *t, gconstpointer data)
{
    const char *bad[] = { "", ".", "..", "../config", "driver/unbind", "/etc/passwd", "a/", NULL };
    g_autofree char *dir = make_skl(t);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdPciDevice) dev = open_dev(t, "0000:00:02.0", &error);
    g_autofree char *ok = igd_pci_device_attr_path(dev, "rom");

    g_assert_cmpstr(ok, ==, "/sys/bus/pci/devices/0000:00:02.0/rom");
    for (guint i = 0; bad[i]; i++) {
        g_autofree char *p = NULL;

        g_test_expect_message("igd-assign", G_LOG_LEVEL_CRITICAL, "*refusing PCI attribute name*");
        p = igd_pci_device_attr_path(dev, bad[i]);
        g_test_assert_expected_messages();
        g_assert_null(p);
    }
    g_test_expect_message("igd-assign", G_LOG_LEVEL_CRITICAL, "*refusing PCI attribute name*");
    g_assert_null(igd_pci_device_attr_path(dev, NULL));
    g_test_assert_expected_messages();
}

static void
check_addresses(GPtrArray *list, const char *const *want)
{
    guint n = g_strv_length((char **)want);

    g_assert_nonnull(list);
    for (guint i = 0; i < list->len; i++) {
        g_autofree char *s = igd_pci_address_to_string(list->pdata[i]);
        g_test_message("got %s", s);
    }
    g_assert_cmpuint(list->len, ==, n);
    for (guint i = 0; i < n; i++) {
        g_autofree char *s = igd_pci_address_to_string(list->pdata[i]);
        g_assert_cmpstr(s, ==, want[i]);
    }
}

/*
 * Directory entries are outside input: only names that parse as PCI
 * addresses are used. (A name cannot contain '/', so "../../etc" itself
 * cannot be an entry; "..", "...", a symlink to /etc, names with spaces,
 * newlines or format characters stand for it.)
 */
static void
test_iommu_group(Tree *t, gconstpointer data)
{
    g_autofree char *devs = g_build_filename(t->root, "sys/kernel/iommu_groups/7/devices", NULL);
    g_autofree char *bad = g_build_filename(t->root, "sys/kernel/iommu_groups/3/devices", NULL);
    const char *const want[] = { "0000:00:00.0", "0000:00:02.0", "0000:00:1f.3", NULL };
    const char *const none[] = { NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) list = NULL;

    put_link(devs, "0000:00:02.0", "../../../../devices/pci0000:00/0000:00:02.0");
    put_link(devs, "0000:00:1f.3", "../../../../devices/pci0000:00/0000:00:1f.3");
    put_link(devs, "0000:00:00.0", "../../../../devices/pci0000:00/0000:00:00.0");
    put_link(devs, "00:02.0", "../../../../devices/pci0000:00/0000:00:02.0"); /* same device, short spelling */
    put_link(devs, "evil", "../../../../../../etc");
    put_link(devs, "0000:00:02.0..", "../../../../../../etc");
    put(devs, "...", "", 0);
    put(devs, "0000:00:02.0\n", "", 0);
    put(devs, " 0000:00:03.0", "", 0);
    put(devs, "%s%n", "", 0);
    put(devs, "0000:00:20.0", "", 0);  /* slot out of range */
    put(devs, "0000:00:02.8", "", 0);  /* function out of range */

    list = igd_pci_iommu_group_devices(t->sysroot, 7, &error);
    g_assert_no_error(error);
    check_addresses(list, want);
    g_clear_pointer(&list, g_ptr_array_unref);

    /* a group holding nothing but hostile names is empty */
    put_link(bad, "evil", "../../../../../../etc");
    put(bad, "..x", "", 0);
    put(bad, "0000:00:1f.3 ", "", 0);
    list = igd_pci_iommu_group_devices(t->sysroot, 3, &error);
    g_assert_no_error(error);
    check_addresses(list, none);
    g_clear_pointer(&list, g_ptr_array_unref);

    list = igd_pci_iommu_group_devices(t->sysroot, 8, &error);
    g_assert_null(list);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "iommu_groups/8/devices"));
    g_clear_error(&error);

    list = igd_pci_iommu_group_devices(t->sysroot, -1, &error);
    g_assert_null(list);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
}

static void
test_find_intel_displays(Tree *t, gconstpointer data)
{
    g_autofree char *bus = g_build_filename(t->root, "sys/bus/pci/devices", NULL);
    const char *const want[] = { "0000:00:02.0", "0000:00:03.0", "0001:00:02.0", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) list = NULL;
    g_autofree char *d1 = make_device(t, "0000:00:00.0", "0x8086\n", "0x1904\n", "0x060000\n"); /* host bridge */
    g_autofree char *d2 = make_device(t, "0000:00:02.0", "0x8086\n", "0x1916\n", "0x030000\n"); /* VGA IGD */
    g_autofree char *d3 = make_device(t, "0000:00:03.0", "0x8086\n", "0x3184\n", "0x038000\n"); /* IGD, IVD set */
    g_autofree char *d4 = make_device(t, "0000:01:00.0", "0x10de\n", "0x1c8d\n", "0x030200\n"); /* NVIDIA */
    g_autofree char *d5 = make_device(t, "0000:00:1f.3", "0x8086\n", "0x9d71\n", "0x040300\n"); /* audio */
    g_autofree char *d6 = make_device(t, "0000:00:04.0", "zz\n", "0x1916\n", "0x030000\n");     /* unreadable */
    g_autofree char *d7 = make_device(t, "0000:00:05.0", "0x8086\n", "0x1916\n", NULL);         /* no class */
    g_autofree char *d8 = make_device(t, "0001:00:02.0", "0x8086\n", "0x9a49\n", "0x030000\n"); /* other domain */

    put_link(bus, "..0000:00:02.0", "../../../devices/pci0000:00/0000:00:02.0");
    put(bus, "garbage", "", 0);

    list = igd_pci_find_intel_displays(t->sysroot, &error);
    g_assert_no_error(error);
    check_addresses(list, want);
}

static void
test_find_no_bus(Tree *t, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) list = igd_pci_find_intel_displays(t->sysroot, &error);

    g_assert_null(list);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "/sys/bus/pci/devices"));
}

#define ADD(path, fn) g_test_add(path, Tree, NULL, tree_init, fn, tree_fini)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/pci/device/normal", test_normal);
    ADD("/pci/device/minimal", test_minimal);
    ADD("/pci/device/absent", test_absent);
    ADD("/pci/device/bad-attributes", test_bad_attributes);
    ADD("/pci/device/driver-override", test_driver_override);
    ADD("/pci/device/attr-path", test_attr_path);
    ADD("/pci/config/sizes", test_config_sizes);
    ADD("/pci/resource/bars", test_resource);
    ADD("/pci/rom/read", test_rom);
    g_test_add_func("/pci/rom/host-refuses", test_rom_host_refuses);
    ADD("/pci/iommu-group/hostile-entries", test_iommu_group);
    ADD("/pci/find/intel-displays", test_find_intel_displays);
    ADD("/pci/find/no-bus", test_find_no_bus);
    return g_test_run();
}
