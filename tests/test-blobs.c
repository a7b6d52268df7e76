/*
 * test-blobs.c: etc/igd-opregion and etc/igd-bdsm-size for every captured
 * host tree, consumed by the firmware models (tests/firmware-model.c: SeaBIOS
 * intel_igd_setup, the original OVMF IgdAssignmentDxe, VfioIgdPkg's), plus
 * bad input and the atomic writer.
 *
 * The OpRegion comes from the VFIO double (LD_PRELOAD), whose region 9 is
 * the real dump fixtures/opregion/skl-asus-b150m-plus-d3-i7-6700.bin
 * (8192 bytes, OpRegion 2.0, MBOX 0x1f: mailbox 5 present, so mailbox 4
 * holds at most 0x1C00 - 0x400 = 6144 bytes of VBT). Hosts that carry
 * their own VBT (i915_vbt in debugfs) get it spliced in.
 *
 * Expected etc/igd-bdsm-size values, worked from each tree's GGC
 * (tests/data/hosts/<case>/README.md) and the documented formulas:
 *  - no QEMU: the host's stolen size (Linux early-quirks: gen 6/7 GMS bits
 *    7:3 × 32 MiB; gen 8+ bits 15:8 × 32 MiB, GMS ≥ 0xF0 on gen 9+ as
 *    (GMS − 0xF0 + 1) × 4 MiB; Cherryview its own table);
 *  - QEMU 7.2 (i440fx, legacy mode, no x-igd-gms): GMS is zeroed and
 *    bdsm-size = GTT MiB only: hw/vfio/igd.c 7.2 "ggms_mb = (gmch >> (gen <
 *    8 ? 8 : 6)) & 0x3; if (gen > 6) ggms_mb = 1 << ggms_mb" with QEMU 7.2's
 *    own gen (0x01xx/0x04xx → 6; 0x16/0x19/0x22/0x59 → 8; any other id → 8,
 *    "assume newer is compatible");
 *  - QEMU 10.1: bdsm-size = stolen only ("Do not include GTT stolen size"),
 *    igd_stolen_memory_size() with QEMU 10's igd_gen(): gen < 9 GMS bits
 *    15:8 (gen 8) or 7:3 (gen 6/7) × 32 MiB, gen ≥ 9 as Linux.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "firmware-model.h"
#include "igd-blobs.h"
#include "igd-common.h"
#include "igd-opregion.h"
#include "igd-test.h"
#include "vfio-double-client.h"

#define MiB (G_GUINT64_CONSTANT(1) << 20)
#define ADDR "0000:00:02.0"
#define DEV_DIR "sys/bus/pci/devices/" ADDR
#define OPREGION_FIXTURE "fixtures/opregion/skl-asus-b150m-plus-d3-i7-6700.bin"
#define GUEST_RAM_TOP G_GUINT64_CONSTANT(0x80000000) /* a 2 GiB guest: RAM below 4 GiB ends here */
#define VBT_SIZE_OFFSET 0x18 /* VBT header vbt_size, u16 */

typedef struct {
    const char *host;
    guint16 device_id;
    gboolean own_vbt;       /* sys/kernel/debug/dri/<addr>/i915_vbt in the tree */
    guint64 stolen;         /* host stolen bytes (README) */
    guint64 qemu_7_2;       /* QEMU 7.2 etc/igd-bdsm-size */
    guint64 qemu_10_1;      /* QEMU 10.1 etc/igd-bdsm-size */
    const char *private;    /* VfioIgdPkg GetIgdPrivateData() (IgdPrivate.c IgdDeviceTable) */
} BlobHost;

static const BlobHost hosts[] = {
    /* GGC 0x02c1: GMS 2 → 64 MiB; GGMS 3. 7.2: id 0x46xx → gen 8, 1 << 3 = 8 MiB. 10.1: gen 12, 64 MiB. */
    { "adl-dsb1210", 0x4680, FALSE, 64 * MiB, 8 * MiB, 64 * MiB, "Gen11Private" },
    /* GGC 0x01c1: GMS 1 → 32 MiB; GGMS 3. 7.2: 0x3e → gen 8 → 8 MiB. 10.1: gen 9 → 32 MiB. */
    { "cfl-elitedesk-vfio", 0x3e92, FALSE, 32 * MiB, 8 * MiB, 32 * MiB, "Gen9Private" },
    /* GGC 0x0398: CHV GMS (7:3) 0x13 → 16 MiB. 7.2: gen 8, GGMS = (0x98 >> 6) & 3 = 2 → 4 MiB.
     * 10.1: gen 8 reads GMS from 15:8 = 3 → 96 MiB (QEMU does not know the Cherryview encoding). */
    { "chv-ideapad-gms-13", 0x22b0, FALSE, 16 * MiB, 4 * MiB, 96 * MiB, "ChvPrivate" },
    /* GGC 0x01c1; EHL 0x45 → 7.2 gen 8 (8 MiB); 10.1 gen 11 → 32 MiB, BDSM at 0xC0. */
    { "ehl-crb-bootfb", 0x4571, FALSE, 32 * MiB, 8 * MiB, 32 * MiB, "Gen11Private" },
    /* GGC 0x0209: GMS (7:3) 1 → 32 MiB, GGMS (9:8) 2. 7.2: gen 6, raw 2 MiB. 10.1: gen 7, 32 MiB. */
    { "hsw-dell-latitude-e6540-i7-4800mq", 0x0416, TRUE, 32 * MiB, 2 * MiB, 32 * MiB, "Gen6Private" },
    { "ivb-dell-latitude-e6430-i5-3340m", 0x0166, FALSE, 32 * MiB, 2 * MiB, 32 * MiB, "Gen6Private" },
    /* GGC 0x0211: GMS 2 → 64 MiB. */
    { "ivb-intel-dh77df-i5-3450", 0x0152, FALSE, 64 * MiB, 2 * MiB, 64 * MiB, "Gen6Private" },
    /* GGC 0xf1c1: GMS 0xF1 → (0xF1 − 0xF0 + 1) × 4 = 8 MiB; GGMS 3 → 7.2: 8 MiB; 10.1: 8 MiB. */
    { "skl-ideapad-gms-f1", 0x1916, FALSE, 8 * MiB, 8 * MiB, 8 * MiB, "Gen9Private" },
    { "skl-ideapad-vfio", 0x1916, FALSE, 32 * MiB, 8 * MiB, 32 * MiB, "Gen9Private" },
    { "skl-lenovo-ideapad-320-14isk", 0x1916, TRUE, 32 * MiB, 8 * MiB, 32 * MiB, "Gen9Private" },
    /* GGC 0x0210: GMS 2 → 64 MiB, GGMS 2 → 7.2: 2 MiB. */
    { "snb-gigabyte-h61m-ds2-dmar-ongoing", 0x0102, FALSE, 64 * MiB, 2 * MiB, 64 * MiB, "Gen6Private" },
    { "snb-gigabyte-h61m-ds2-i3-2100", 0x0102, FALSE, 64 * MiB, 2 * MiB, 64 * MiB, "Gen6Private" },
    { "snb-lenovo-17aa21d1-i7-2760qm", 0x0126, FALSE, 64 * MiB, 2 * MiB, 64 * MiB, "Gen6Private" },
    { "snb-lenovo-17aa21da-earlydump", 0x0126, FALSE, 64 * MiB, 2 * MiB, 64 * MiB, "Gen6Private" },
    /* TGL 0x9a: 7.2 gen 8 → 8 MiB; 10.1 gen 12 → 32 MiB at 0xC0. */
    { "tgl-nuc11-efifb", 0x9a49, FALSE, 32 * MiB, 8 * MiB, 32 * MiB, "Gen11Private" },
    { "tgl-rvp-efifb-32bit", 0x9a49, FALSE, 32 * MiB, 8 * MiB, 32 * MiB, "Gen11Private" },
    { "whl-maxtang-wl37-bootfb", 0x3ea0, FALSE, 32 * MiB, 8 * MiB, 32 * MiB, "Gen9Private" },
};

typedef struct {
    char *root;
    IgdSysroot *sysroot;
    IgdPciAddress addr;
} Host;

static void
host_free(Host *h)
{
    g_assert_cmpint(igd_vfio_double_count_fds(), ==, 0);
    igd_sysroot_free(h->sysroot);
    igd_test_rmtree(h->root);
    g_free(h->root);
    g_free(h);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Host, host_free)

static void
relink(const char *path, const char *target)
{
    g_unlink(path);
    g_assert_cmpint(symlink(target, path), ==, 0);
}

/*
 * A copy of the host tree, with the IGD bound to vfio-pci in IOMMU group 0
 * (trees bound to i915, unbound or without IOMMU are changed that way in
 * the copy, as igd_bind_to_vfio() would leave them), and the double
 * answering for /dev/vfio/0.
 */
static Host *
host_new(const char *name, const char *conf)
{
    Host *h = g_new0(Host, 1);
    g_autofree char *rel = g_strdup_printf("data/hosts/%s", name);
    g_autofree char *from = igd_test_srcpath(rel);
    g_autofree char *driver = NULL;
    g_autofree char *group = NULL;
    g_autofree char *members = NULL;
    g_autofree char *member = NULL;

    h->root = igd_test_mkdtemp();
    igd_test_copytree(from, h->root);
    h->sysroot = igd_sysroot_new(h->root);
    g_assert_true(igd_pci_address_parse(ADDR, &h->addr, NULL));
    driver = g_build_filename(h->root, DEV_DIR, "driver", NULL);
    group = g_build_filename(h->root, DEV_DIR, "iommu_group", NULL);
    relink(driver, "../../../../bus/pci/drivers/vfio-pci");
    relink(group, "../../../../kernel/iommu_groups/0");
    members = g_build_filename(h->root, "sys/kernel/iommu_groups/0/devices", NULL);
    g_assert_cmpint(g_mkdir_with_parents(members, 0755), ==, 0);
    member = g_build_filename(members, ADDR, NULL);
    relink(member, "../../../../bus/pci/devices/" ADDR);
    igd_vfio_double_setup(h->root, conf, 0, NULL);
    return h;
}

static GBytes *
host_file(const Host *h, const char *rel)
{
    g_autofree char *path = g_build_filename(h->root, rel, NULL);

    return igd_test_load(path);
}

/* The VBT of a VBT file (consumed), trimmed to its header's vbt_size. */
static GBytes *
vbt_trimmed(GBytes *file_owned)
{
    g_autoptr(GBytes) file = file_owned;
    gsize len;
    const guint8 *p = g_bytes_get_data(file, &len);
    guint16 vbt_size;

    g_assert_cmpuint(len, >, VBT_SIZE_OFFSET + 2);
    vbt_size = igd_le16(p + VBT_SIZE_OFFSET);
    g_assert_cmpuint(vbt_size, <=, len);
    return g_bytes_new_from_bytes(file, 0, vbt_size);
}

/* The VBT bytes equal @want except the header checksum (0x1A), and sum to 0 mod 256 (recomputed). */
static void
assert_vbt(GBytes *got, GBytes *want)
{
    gsize glen, wlen;
    const guint8 *g = g_bytes_get_data(got, &glen);
    const guint8 *w = g_bytes_get_data(want, &wlen);
    guint8 sum = 0;

    g_assert_cmpuint(glen, ==, wlen);
    for (gsize i = 0; i < glen; i++) {
        if (i != 0x1a)
            g_assert_cmphex(g[i], ==, w[i]);
        sum += g[i];
    }
    g_assert_cmphex(sum, ==, 0);
}

/* The guest config space: the host's first 256 bytes, BDSM/BDSM64/ASLS emulated as 0 (QEMU). */
static void
guest_config(const Host *h, guint8 config[256])
{
    g_autoptr(GBytes) cfg = host_file(h, DEV_DIR "/config");
    gsize len;
    const guint8 *p = g_bytes_get_data(cfg, &len);

    g_assert_cmpuint(len, >=, 256);
    memcpy(config, p, 256);
    memset(config + 0x5c, 0, 4);
    memset(config + 0xc0, 0, 8);
    memset(config + 0xfc, 0, 4);
}

/*
 * Run the three firmware models on @blobs and check what they did: ASLS
 * 4 KiB aligned below 4 GiB holding the blob, BDSM 1 MiB aligned below it,
 * and the guest memory at ASLS parsed as an OpRegion whose VBT is @vbt
 * (NULL: the fixture's own VBT, untouched). The register and the size:
 *  - SeaBIOS: 0x5C whatever the generation (0xC0 left 0), @blobs' size;
 *  - the original IgdAssignmentDxe: 0x5C too, @blobs' size;
 *  - VfioIgdPkg: 0x5C, or 0xC0 (64 bit) for Gen11Private, the size read
 *    from the guest's GGC (here the host's: @stolen), etc/igd-bdsm-size
 *    ignored.
 */
static void
check_firmware(const Host *h, const IgdBlobs *blobs, const char *private, guint64 stolen, GBytes *vbt,
               gboolean absolute)
{
    IgdFwGuest guest = { .slot = 2, .ram_top = GUEST_RAM_TOP };
    g_autoptr(GBytes) bdsm = igd_blobs_bdsm_size_bytes(blobs->bdsm_size);
    gsize op_size = g_bytes_get_size(blobs->opregion);
    const IgdFwKind kinds[] = { IGD_FW_SEABIOS, IGD_FW_OVMF_ORIGINAL, IGD_FW_OVMF_VFIOIGDPKG };

    guest_config(h, guest.config);
    guest.opregion = blobs->opregion;
    guest.bdsm_size = bdsm;
    for (guint k = 0; k < G_N_ELEMENTS(kinds); k++) {
        IgdFwKind kind = kinds[k];
        gboolean bdsm64 = kind == IGD_FW_OVMF_VFIOIGDPKG && g_str_equal(private, "Gen11Private");
        IgdFwResult r;
        guint32 asls;
        guint64 bdsm_reg;
        g_autoptr(GBytes) mem = NULL;
        g_autoptr(IgdOpRegion) op = NULL;
        g_autoptr(GError) error = NULL;

        igd_fw_run(kind, &guest, &r);
        g_assert_null(r.error);
        g_assert_true(r.loaded);
        if (kind == IGD_FW_OVMF_VFIOIGDPKG)
            g_assert_cmpstr(r.private, ==, private);
        g_assert_true(r.opregion_set);
        asls = igd_le32(r.config + 0xfc);
        g_assert_cmphex(asls, ==, r.opregion_addr);
        g_assert_cmphex(asls % 4096, ==, 0);
        g_assert_cmpuint((guint64)asls + op_size, <=, GUEST_RAM_TOP);
        /* The bytes at ASLS are the blob (OVMF: whole pages, the tail zeroed). */
        g_assert_cmpuint(g_bytes_get_size(r.opregion_mem), >=, op_size);
        g_assert_cmpmem(g_bytes_get_data(r.opregion_mem, NULL), op_size,
                        g_bytes_get_data(blobs->opregion, NULL), op_size);
        for (gsize i = op_size; i < g_bytes_get_size(r.opregion_mem); i++)
            g_assert_cmphex(((const guint8 *)g_bytes_get_data(r.opregion_mem, NULL))[i], ==, 0);

        g_assert_true(r.bdsm_set);
        if (!bdsm64) {
            g_assert_cmphex(r.bdsm_offset, ==, 0x5c);
            bdsm_reg = igd_le32(r.config + 0x5c);
            g_assert_cmphex(igd_le64(r.config + 0xc0), ==, 0);
        } else {
            g_assert_cmphex(r.bdsm_offset, ==, 0xc0);
            bdsm_reg = igd_le64(r.config + 0xc0);
            g_assert_cmphex(igd_le32(r.config + 0x5c), ==, 0);
        }
        g_assert_cmphex(bdsm_reg, ==, r.bdsm_addr);
        g_assert_cmphex(bdsm_reg % MiB, ==, 0);
        g_assert_cmpuint(r.bdsm_reserved, ==, kind == IGD_FW_OVMF_VFIOIGDPKG ? stolen : blobs->bdsm_size);
        /* below the OpRegion: no overlap */
        g_assert_cmpuint(bdsm_reg + r.bdsm_reserved, <=, asls);

        /* What the guest driver finds at ASLS. */
        mem = g_bytes_new_from_bytes(r.opregion_mem, 0, op_size);
        op = absolute ? igd_opregion_parse_at(mem, asls, &error) : igd_opregion_parse(mem, &error);
        g_assert_no_error(error);
        if (vbt != NULL) {
            g_autoptr(GBytes) got = igd_opregion_get_vbt(op);
            g_assert_nonnull(got);
            assert_vbt(got, vbt);
        }
        igd_fw_result_clear(&r);
    }
}

static void
test_host(gconstpointer data)
{
    const BlobHost *c = data;
    g_autoptr(Host) h = host_new(c->host, "skl-opregion");
    g_autofree char *fixture_path = igd_test_datapath(OPREGION_FIXTURE);
    g_autoptr(GBytes) fixture = igd_test_load(fixture_path);
    g_autofree char *vbt_path = c->own_vbt ? g_build_filename(h->root, "sys/kernel/debug/dri", ADDR, "i915_vbt", NULL)
                                           : NULL;
    g_autoptr(GBytes) vbt = c->own_vbt ? vbt_trimmed(igd_test_load(vbt_path)) : NULL;
    IgdBlobsConfig config = { .vbt_file = vbt_path };
    g_autoptr(IgdQemuCaps) q72 = igd_qemu_caps_new_for_version(7, 2, 0);
    g_autoptr(IgdQemuCaps) q101 = igd_qemu_caps_new_for_version(10, 1, 0);
    const IgdQemuCaps *qemus[] = { NULL, q72, q101 };
    const guint64 expect[] = { c->stolen, c->qemu_7_2, c->qemu_10_1 };

    for (guint i = 0; i < G_N_ELEMENTS(qemus); i++) {
        g_auto(IgdBlobs) blobs = { 0 };
        g_autoptr(GError) error = NULL;

        g_assert_true(igd_blobs_build(h->sysroot, &h->addr, &config, qemus[i], &blobs, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(blobs.bdsm_size, ==, expect[i]);
        /* The VFIO region read closed everything again. */
        g_assert_cmpint(igd_vfio_double_count_fds(), ==, 0);
        if (vbt == NULL) {
            /* No VBT override: the OpRegion is the region's bytes, untouched. */
            g_assert_true(g_bytes_equal(blobs.opregion, fixture));
        } else {
            /* The host's VBT fits mailbox 4 (≤ 6144 bytes): the blob stays 8 KiB. */
            g_assert_cmpuint(g_bytes_get_size(blobs.opregion), ==, 8192);
        }
        check_firmware(h, &blobs, c->private, c->stolen, vbt, FALSE);
    }
}

/*
 * A VBT too large for mailbox 4 (tgl-system76-lemp10: 8666 bytes, file
 * 8704) on the Skylake tree: appended after the 8 KiB OpRegion. 2.1 layout:
 * version 2.1, RVDA = 0x2000 relative, RVDS = 8666; 2.0 layout: RVDA =
 * the guest address + 0x2000, which needs the address the firmware will
 * choose: the blob is 8192 + 8666 = 16858 bytes, SeaBIOS's
 * memalign_high(4096) below 0x80000000 gives 0x80000000 − 16858 = 0x7fffbe26
 * rounded down = 0x7fffb000, and OVMF's 5 pages give the same: RVDA
 * 0x7fffd000.
 */
static void
test_ext_vbt(gconstpointer data)
{
    gboolean absolute = GPOINTER_TO_INT(data);
    g_autoptr(Host) h = host_new("skl-ideapad-vfio", "skl-opregion");
    g_autofree char *vbt_path = igd_test_datapath("fixtures/vbt/tgl-system76-lemp10.vbt");
    g_autoptr(GBytes) vbt = vbt_trimmed(igd_test_load(vbt_path));
    IgdBlobsConfig config = {
        .vbt_file = vbt_path,
        .ext_layout = absolute ? IGD_OPREGION_EXT_ABSOLUTE : IGD_OPREGION_EXT_RELATIVE,
        .ext_base = 0x7fffb000,
    };
    g_auto(IgdBlobs) blobs = { 0 };
    g_autoptr(GError) error = NULL;
    const guint8 *p;

    g_assert_true(igd_blobs_build(h->sysroot, &h->addr, &config, NULL, &blobs, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(blobs.opregion), ==, 8192 + 8666);
    p = g_bytes_get_data(blobs.opregion, NULL);
    g_assert_cmpuint(p[0x17], ==, 2);                 /* OVER major */
    g_assert_cmpuint(p[0x16], ==, absolute ? 0 : 1);  /* OVER minor */
    g_assert_cmphex(igd_le64(p + 0x3ba), ==, absolute ? 0x7fffd000 : 0x2000); /* RVDA */
    g_assert_cmpuint(igd_le32(p + 0x3c2), ==, 8666);  /* RVDS */
    g_assert_cmphex(p[0x400], ==, 0);                 /* mailbox 4 emptied */
    check_firmware(h, &blobs, "Gen9Private", 32 * MiB, vbt, absolute);
}

/* An override OpRegion file: no VFIO at all (the tree stays bound to i915). */
static void
test_opregion_file(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450", "no-opregion");
    g_autofree char *path = igd_test_datapath(OPREGION_FIXTURE);
    g_autoptr(GBytes) fixture = igd_test_load(path);
    IgdBlobsConfig config = { .opregion_file = path };
    g_auto(IgdBlobs) blobs = { 0 };
    g_autoptr(GError) error = NULL;

    g_assert_true(igd_blobs_build(h->sysroot, &h->addr, &config, NULL, &blobs, &error));
    g_assert_no_error(error);
    g_assert_true(g_bytes_equal(blobs.opregion, fixture));
    g_assert_cmpuint(blobs.bdsm_size, ==, 64 * MiB);
    /* Without the override the region is missing in this double config. */
    g_assert_false(igd_blobs_build(h->sysroot, &h->addr, NULL, NULL, &blobs, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    /* ... and @out is untouched on failure. */
    g_assert_true(g_bytes_equal(blobs.opregion, fixture));
}

static char *
write_tmp(const char *dir, const char *name, const void *data, gsize len)
{
    char *path = g_build_filename(dir, name, NULL);

    g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
    return path;
}

typedef struct {
    const char *path;
    const char *opregion;  /* override file: "fixture", "vbt", "short", "missing" or NULL */
    const char *vbt;       /* VBT file: "fixture", "opregion", "huge", "garbage", "truncated", NULL */
    int code;
    const char *msg;
} BadCase;

static const BadCase bad_cases[] = {
    { "/blobs/bad/vbt-not-a-vbt", NULL, "opregion", IGD_ERROR_INVALID, "VBT file '" },
    { "/blobs/bad/vbt-garbage", NULL, "garbage", IGD_ERROR_INVALID, "garbage.vbt" },
    { "/blobs/bad/vbt-too-large", NULL, "huge", IGD_ERROR_INVALID, "70000 bytes, larger than 65536" },
    { "/blobs/bad/vbt-truncated", NULL, "truncated", IGD_ERROR_INVALID, "truncated.vbt" },
    { "/blobs/bad/vbt-missing", NULL, "missing", IGD_ERROR_NOT_FOUND, "cannot open VBT file" },
    { "/blobs/bad/vbt-fifo", NULL, "fifo", IGD_ERROR_INVALID, "fifo.vbt' is not a regular file" },
    { "/blobs/bad/vbt-directory", NULL, "dir", IGD_ERROR_INVALID, "is not a regular file" },
    { "/blobs/bad/opregion-is-a-vbt", "vbt", NULL, IGD_ERROR_INVALID, "opregion.bin" },
    { "/blobs/bad/opregion-short", "short", NULL, IGD_ERROR_INVALID, "opregion.bin" },
    { "/blobs/bad/opregion-too-large", "huge", NULL, IGD_ERROR_INVALID, "80000 bytes, larger than 73728" },
    { "/blobs/bad/opregion-missing", "missing", NULL, IGD_ERROR_NOT_FOUND, "cannot open OpRegion file" },
};

static void
test_bad(gconstpointer data)
{
    const BadCase *c = data;
    g_autoptr(Host) h = host_new("skl-ideapad-vfio", "skl-opregion");
    g_autofree char *fixture_path = igd_test_datapath(OPREGION_FIXTURE);
    g_autofree char *vbt_fixture = igd_test_datapath("fixtures/vbt/skl-lenovo-ideapad-320-14isk.vbt");
    g_autoptr(GBytes) op = igd_test_load(fixture_path);
    g_autoptr(GBytes) vbt = igd_test_load(vbt_fixture);
    g_autofree guint8 *huge = g_malloc0(80000);
    g_autofree char *op_path = NULL;
    g_autofree char *vbt_path = NULL;
    g_autofree char *out_dir = g_build_filename(h->root, "run", "igd-assign", "uuid", NULL);
    IgdBlobsConfig config = { 0 };
    g_auto(IgdBlobs) blobs = { 0 };
    g_autoptr(GError) error = NULL;

    memcpy(huge, g_bytes_get_data(vbt, NULL), 64); /* starts like a VBT */
    if (c->opregion) {
        if (g_str_equal(c->opregion, "vbt"))
            op_path = write_tmp(h->root, "opregion.bin", g_bytes_get_data(vbt, NULL), g_bytes_get_size(vbt));
        else if (g_str_equal(c->opregion, "short"))
            op_path = write_tmp(h->root, "opregion.bin", g_bytes_get_data(op, NULL), 4096);
        else if (g_str_equal(c->opregion, "huge"))
            op_path = write_tmp(h->root, "opregion.bin", huge, 80000);
        else
            op_path = g_build_filename(h->root, "no-such-opregion.bin", NULL);
        config.opregion_file = op_path;
    }
    if (c->vbt) {
        if (g_str_equal(c->vbt, "opregion"))
            vbt_path = write_tmp(h->root, "opregion-as.vbt", g_bytes_get_data(op, NULL), g_bytes_get_size(op));
        else if (g_str_equal(c->vbt, "garbage"))
            vbt_path = write_tmp(h->root, "garbage.vbt", "not a video bios table at all, just text\n", 41);
        else if (g_str_equal(c->vbt, "huge"))
            vbt_path = write_tmp(h->root, "huge.vbt", huge, 70000); /* > 65536 */
        else if (g_str_equal(c->vbt, "fifo")) {
            vbt_path = g_build_filename(h->root, "fifo.vbt", NULL);
            g_assert_cmpint(mkfifo(vbt_path, 0600), ==, 0);
        } else if (g_str_equal(c->vbt, "dir"))
            vbt_path = g_build_filename(h->root, "sys", NULL);
        else if (g_str_equal(c->vbt, "truncated"))
            /* the header says vbt_size 4312, the file holds 1000 bytes */
            vbt_path = write_tmp(h->root, "truncated.vbt", g_bytes_get_data(vbt, NULL), 1000);
        else
            vbt_path = g_build_filename(h->root, "no-such.vbt", NULL);
        config.vbt_file = vbt_path;
    }
    g_assert_false(igd_blobs_build(h->sysroot, &h->addr, &config, NULL, &blobs, &error));
    g_assert_error(error, IGD_ERROR, c->code);
    if (strstr(error->message, c->msg) == NULL)
        g_error("'%s' does not contain '%s'", error->message, c->msg);
    g_assert_null(blobs.opregion);
    g_assert_cmpuint(blobs.bdsm_size, ==, 0);
    /* Nothing to write: no directory appears. */
    g_assert_false(g_file_test(out_dir, G_FILE_TEST_EXISTS));
}

/* GMS 0: no stolen memory; OVMF would refuse a 0 etc/igd-bdsm-size, so no blob is produced. */
static void
test_no_stolen(void)
{
    g_autoptr(Host) h = host_new("skl-ideapad-vfio", "skl-opregion");
    g_autofree char *cfg_path = g_build_filename(h->root, DEV_DIR, "config", NULL);
    g_autofree guint8 *cfg = NULL;
    gsize len;
    g_auto(IgdBlobs) blobs = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdQemuCaps) q72 = igd_qemu_caps_new_for_version(7, 2, 0);

    g_assert_true(g_file_get_contents(cfg_path, (char **)&cfg, &len, NULL));
    cfg[0x51] = 0x00; /* GGC 0x01c1 → 0x00c1: GMS 0 */
    g_assert_true(g_file_set_contents(cfg_path, (char *)cfg, (gssize)len, NULL));
    g_assert_false(igd_blobs_build(h->sysroot, &h->addr, NULL, NULL, &blobs, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_assert_nonnull(strstr(error->message, "GGC 0x00c1"));
    g_clear_error(&error);
    /* QEMU 7.2 still asks for the 8 MiB of GTT (GGMS 3): that is what it would write itself. */
    g_assert_true(igd_blobs_build(h->sysroot, &h->addr, NULL, q72, &blobs, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(blobs.bdsm_size, ==, 8 * MiB);
}

/*
 * The DERIVED Meteor Lake tree (tests/data/hosts/mtl-derived, 8086:7d55):
 * no BDSM register, so etc/igd-bdsm-size is 0 whatever QEMU and however much
 * stolen memory GGC declares (0x01c1: 32 MiB). QEMU docs/igd-assign.txt
 * (v10.2.0): "Starting from Meteor Lake, IGD devices access stolen memory
 * via its MMIO BAR2 (LMEMBAR) and removed the BDSM register in config space
 * ... Value of this fw_cfg file is 0 in such case"; QEMU 10.1+ igd.c writes
 * gms_size only "if (gen > 0)" (v10.2.0 line 638) and igd_gen() has no
 * 0x7d00 case (-1). SeaBIOS then programs no BDSM ("if (bdsm_size && ...)",
 * src/fw/pciinit.c @ 41514a7 line 321) and still places the OpRegion.
 */
static void
test_mtl_no_bdsm(void)
{
    g_autoptr(Host) h = host_new("mtl-derived", "skl-opregion");
    g_autoptr(IgdQemuCaps) q72 = igd_qemu_caps_new_for_version(7, 2, 0);
    g_autoptr(IgdQemuCaps) q101 = igd_qemu_caps_new_for_version(10, 1, 0);
    g_autoptr(IgdQemuCaps) q110 = igd_qemu_caps_new_for_version(11, 0, 0);
    const IgdQemuCaps *qemus[] = { NULL, q72, q101, q110 };
    g_autofree char *dir = g_build_filename(h->root, "run", "uuid", NULL);
    g_autofree char *bdsm_path = g_build_filename(dir, "igd-bdsm-size", NULL);
    static const guint8 zero[8] = { 0 };
    g_autoptr(GBytes) want = g_bytes_new_static(zero, sizeof(zero));

    for (guint i = 0; i < G_N_ELEMENTS(qemus); i++) {
        g_auto(IgdBlobs) blobs = { 0 };
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) bdsm = NULL;
        g_autoptr(GBytes) written = NULL;
        IgdFwGuest guest = { .slot = 2, .ram_top = GUEST_RAM_TOP };
        IgdFwResult r;

        g_assert_true(igd_blobs_build(h->sysroot, &h->addr, NULL, qemus[i], &blobs, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(blobs.bdsm_size, ==, 0);
        bdsm = igd_blobs_bdsm_size_bytes(blobs.bdsm_size);
        guest_config(h, guest.config);
        guest.opregion = blobs.opregion;
        guest.bdsm_size = bdsm;
        igd_fw_run(IGD_FW_SEABIOS, &guest, &r);
        g_assert_true(r.opregion_set);
        g_assert_false(r.bdsm_set);
        igd_fw_result_clear(&r);
        /* VfioIgdPkg: NullPrivate, the OpRegion and no BDSM; the original IgdAssignmentDxe refuses the 0
         * (EFI_PROTOCOL_ERROR: no OpRegion either), what the "firmware" requirement warns about */
        igd_fw_run(IGD_FW_OVMF_VFIOIGDPKG, &guest, &r);
        g_assert_cmpstr(r.private, ==, "NullPrivate");
        g_assert_true(r.opregion_set);
        g_assert_false(r.bdsm_set);
        igd_fw_result_clear(&r);
        igd_fw_run(IGD_FW_OVMF_ORIGINAL, &guest, &r);
        g_assert_cmpstr(r.error, ==, "etc/igd-bdsm-size: invalid value: 0");
        g_assert_false(r.opregion_set);
        igd_fw_result_clear(&r);
        /* ... and the daemon writes it as it is: 8 zero bytes */
        g_assert_true(igd_blobs_write(dir, &blobs, -1, &error));
        g_assert_no_error(error);
        written = igd_test_load(bdsm_path);
        g_assert_true(g_bytes_equal(written, want));
    }
}

static void
assert_file(const char *path, GBytes *want, guint mode)
{
    g_autoptr(GBytes) got = igd_test_load(path);
    struct stat st;

    g_assert_true(g_bytes_equal(got, want));
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmphex(st.st_mode & 07777, ==, mode);
}

static guint
count_temp_files(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *e;
    guint n = 0;

    while (d && (e = g_dir_read_name(d)) != NULL)
        if (e[0] == '.')
            n++;
    return n;
}

static void
test_write(void)
{
    g_autofree char *root = igd_test_mkdtemp();
    g_autofree char *parent = g_build_filename(root, "igd-assign", NULL);
    g_autofree char *dir = g_build_filename(parent, "0f1e2d3c-0000-4000-8000-000000000001", NULL);
    g_autofree char *op_path = g_build_filename(dir, "igd-opregion", NULL);
    g_autofree char *bdsm_path = g_build_filename(dir, "igd-bdsm-size", NULL);
    g_autofree char *old_temp = g_build_filename(dir, ".igd-opregion.Ab12Cd", NULL);
    g_autofree char *stale = g_build_filename(parent, ".igd-blobs-0f1e2d3c-0000-4000-8000-000000000001.Xy12Zq", NULL);
    g_autofree char *stale_file = g_build_filename(stale, "igd-opregion", NULL);
    g_autofree char *other = g_build_filename(parent, ".igd-blobs-6695eb01-f6a4-8304-79aa-97f2502e193f.Xy12Zq", NULL);
    g_autofree char *fixture_path = igd_test_datapath(OPREGION_FIXTURE);
    IgdBlobs blobs = { igd_test_load(fixture_path), 40 * MiB };
    /* 40 MiB = 0x02800000, little-endian */
    static const guint8 le[8] = { 0x00, 0x00, 0x80, 0x02, 0x00, 0x00, 0x00, 0x00 };
    g_autoptr(GBytes) want_bdsm = g_bytes_new_static(le, sizeof(le));
    g_autoptr(GError) error = NULL;
    gint gid = geteuid() == 0 ? 4242 : (gint)getgid();
    struct stat st;

    /* QEMU's group reads both files and enters the directory; others nothing. */
    g_assert_true(igd_blobs_write(dir, &blobs, gid, &error));
    g_assert_no_error(error);
    assert_file(op_path, blobs.opregion, 0640);
    assert_file(bdsm_path, want_bdsm, 0640);
    g_assert_cmpint(g_stat(op_path, &st), ==, 0);
    g_assert_cmpint(st.st_gid, ==, gid);
    g_assert_cmpint(g_stat(bdsm_path, &st), ==, 0);
    g_assert_cmpint(st.st_gid, ==, gid);
    g_assert_cmpint(g_stat(dir, &st), ==, 0);
    g_assert_cmphex(st.st_mode & 07777, ==, 0750);
    g_assert_cmpint(st.st_gid, ==, gid);
    g_assert_cmpint(g_stat(parent, &st), ==, 0);
    g_assert_cmphex(st.st_mode & 0011, ==, 0011); /* the parent made here lets QEMU pass */
    g_assert_cmpuint(count_temp_files(dir), ==, 0);
    g_assert_cmpuint(count_temp_files(parent), ==, 0);

    /*
     * Written again (the same domain prepared again): the whole directory
     * is replaced, so what was in the old one (an old writer's temp file)
     * goes with it; a directory a killed writer of this domain left is
     * removed first, another domain's is left to the daemon's start.
     */
    g_assert_true(g_file_set_contents(old_temp, "half", 4, NULL));
    g_assert_cmpint(g_mkdir(stale, 0700), ==, 0);
    g_assert_true(g_file_set_contents(stale_file, "half", 4, NULL));
    g_assert_cmpint(g_mkdir(other, 0700), ==, 0);
    blobs.bdsm_size = 64 * MiB;
    g_assert_true(igd_blobs_write(dir, &blobs, gid, &error));
    g_assert_cmpuint(count_temp_files(dir), ==, 0);
    g_assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(other, G_FILE_TEST_IS_DIR));
    g_assert_true(igd_blobs_is_leftover(".igd-blobs-6695eb01-f6a4-8304-79aa-97f2502e193f.Xy12Zq"));
    g_assert_false(igd_blobs_is_leftover("6695eb01-f6a4-8304-79aa-97f2502e193f"));
    igd_blobs_remove_leftover(other);
    g_assert_cmpuint(count_temp_files(parent), ==, 0);
    {
        g_autoptr(GBytes) again = igd_test_load(bdsm_path);
        g_assert_cmpuint(igd_le64(g_bytes_get_data(again, NULL)), ==, 64 * MiB);
        g_assert_cmpint(g_stat(dir, &st), ==, 0);
        g_assert_cmphex(st.st_mode & 07777, ==, 0750);
        g_assert_cmpint(st.st_gid, ==, gid);
    }

    /* A failure (the parent cannot be made: a file is in its way) creates nothing. */
    {
        g_autofree char *blocker = g_build_filename(root, "blocker", NULL);
        g_autofree char *blocked = g_build_filename(blocker, "x", "0f1e2d3c-0000-4000-8000-000000000001", NULL);

        g_assert_true(g_file_set_contents(blocker, "a file\n", -1, NULL));
        g_assert_false(igd_blobs_write(blocked, &blobs, -1, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
        g_assert_nonnull(strstr(error->message, "cannot create"));
        g_clear_error(&error);
        g_assert_cmpint(g_unlink(blocker), ==, 0);
    }

    /* No OpRegion to write is refused (a bdsm size of 0 is not: /blobs/mtl-no-bdsm). */
    {
        IgdBlobs none = { NULL, 40 * MiB };
        g_assert_false(igd_blobs_write(dir, &none, -1, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INTERNAL);
        g_clear_error(&error);
    }

    g_assert_true(igd_blobs_remove(dir, &error));
    g_assert_no_error(error);
    g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
    g_assert_true(igd_blobs_remove(dir, &error)); /* twice is fine */
    g_assert_cmpuint(count_temp_files(parent), ==, 0);
    igd_blobs_clear(&blobs);
    igd_test_rmtree(root);
}

/*
 * Kill the writer at arbitrary moments: what is under the final names is
 * always one whole pair, A (the 8 KiB OpRegion with 32 MiB) or B (64 KiB
 * of other bytes with 64 MiB): never a prefix, never A's OpRegion with B's
 * size (the old writer renamed the two files one after the other). The
 * directories a killed writer leaves are never the final name, and the
 * next write removes them.
 */
static void
test_write_killed(void)
{
    g_autofree char *root = igd_test_mkdtemp();
    g_autofree char *dir = g_build_filename(root, "d", NULL);
    g_autofree char *op_path = g_build_filename(dir, "igd-opregion", NULL);
    g_autofree char *bdsm_path = g_build_filename(dir, "igd-bdsm-size", NULL);
    g_autofree char *fixture_path = igd_test_datapath(OPREGION_FIXTURE);
    g_autoptr(GBytes) a = igd_test_load(fixture_path);
    g_autofree guint8 *bbuf = g_malloc(64 << 10);
    g_autoptr(GBytes) b = NULL;
    guint kills = 0, seen = 0;

    for (gsize i = 0; i < (64u << 10); i++)
        bbuf[i] = (guint8)(i * 7 + 1);
    b = g_bytes_new(bbuf, 64 << 10);

    for (guint round = 0; round < 60; round++) {
        pid_t pid = fork();
        int status;

        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
            for (guint n = 0;; n++) {
                IgdBlobs blobs = { n % 2 ? b : a, n % 2 ? 64 * MiB : 32 * MiB };
                if (!igd_blobs_write(dir, &blobs, -1, NULL))
                    _exit(3);
            }
        }
        g_usleep(1000 + g_random_int_range(0, 4000));
        kill(pid, SIGKILL);
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        if (WIFSIGNALED(status))
            kills++;
        else
            g_error("writer exited with %d", WEXITSTATUS(status));
        if (g_file_test(op_path, G_FILE_TEST_EXISTS)) {
            g_autoptr(GBytes) got = igd_test_load(op_path);
            g_autoptr(GBytes) size = igd_test_load(bdsm_path);
            guint64 v;

            g_assert_true(g_bytes_equal(got, a) || g_bytes_equal(got, b));
            g_assert_cmpuint(g_bytes_get_size(size), ==, 8);
            v = igd_le64(g_bytes_get_data(size, NULL));
            if (g_bytes_equal(got, a) ? v != 32 * MiB : v != 64 * MiB)
                g_error("round %u: the OpRegion of one write with the bdsm-size %" G_GUINT64_FORMAT " of another",
                        round, v);
            seen++;
        } else {
            g_assert_false(g_file_test(bdsm_path, G_FILE_TEST_EXISTS));
        }
    }
    g_assert_cmpuint(kills, ==, 60);
    g_assert_cmpuint(seen, >, 0);
    {
        IgdBlobs blobs = { a, 32 * MiB };
        g_autoptr(GError) error = NULL;
        g_assert_true(igd_blobs_write(dir, &blobs, -1, &error));
        g_assert_cmpuint(count_temp_files(dir), ==, 0);
        g_assert_cmpuint(count_temp_files(root), ==, 0);
    }
    igd_test_rmtree(root);
}

/*
 * The firmware models' own rules, each quoted from its source:
 *  - the original IgdAssignmentDxe (VfioIgdPkg c64d051f IgdAssignment.c
 *    lines 537-548): "if (BdsmItemSize != sizeof BdsmSize) ... invalid
 *    fw_cfg size" and "if (BdsmSize == 0 || BdsmSize > MAX_UINTN) ...
 *    invalid value" return EFI_PROTOCOL_ERROR: nothing is set up; its BDSM
 *    write is "EfiPciIoWidthUint32, ASSIGNED_IGD_PCI_BDSM_OFFSET" for every
 *    device (lines 391-394);
 *  - VfioIgdPkg 067328d: "if (EFI_ERROR (OpRegionStatus)) { return
 *    EFI_UNSUPPORTED; }" (IgdAssignment.c 548-549) and no read of
 *    etc/igd-bdsm-size at all (7802f4a removed it); the size comes from
 *    GGC ("Gms = (Gmch >> BDW_GMCH_GMS_SHIFT) & BDW_GMCH_GMS_MASK",
 *    IgdPrivate.c Gen9StolenSize), 0 gives no BDSM ("if (Size == 0) return
 *    EFI_INVALID_PARAMETER", IgdAssignment.c 379-380); a display-class 0x80
 *    device is taken (e4f207c, lines 475-481); MTL/ARL/LNL/PTL/WCL/NVL are
 *    NullPrivate (no GetStolenSize: BDSM untouched);
 *  - SeaBIOS (pciinit.c rel-1.16.2 line 325): "pci_config_writel(dev->bdf,
 *    0x5C, ...)": never 0xC0, gen 12 included.
 */
static void
test_firmware_checks(void)
{
    g_autofree char *fixture_path = igd_test_datapath(OPREGION_FIXTURE);
    g_autoptr(GBytes) op = igd_test_load(fixture_path);
    g_autoptr(GBytes) empty = g_bytes_new_static("", 0);
    static const guint8 four[4] = { 0, 0, 0, 2 };   /* 32 MiB as 4 bytes */
    static const guint8 three[3] = { 0, 0, 2 };
    static const guint8 zero8[8] = { 0 };
    g_autoptr(GBytes) b4 = g_bytes_new_static(four, sizeof(four));
    g_autoptr(GBytes) b3 = g_bytes_new_static(three, sizeof(three));
    g_autoptr(GBytes) b0 = g_bytes_new_static(zero8, sizeof(zero8));
    g_autoptr(GBytes) b32 = igd_blobs_bdsm_size_bytes(32 * MiB);
    const IgdFwKind all[] = { IGD_FW_SEABIOS, IGD_FW_OVMF_ORIGINAL, IGD_FW_OVMF_VFIOIGDPKG };
    IgdFwGuest g = { .slot = 2, .ram_top = GUEST_RAM_TOP };
    IgdFwResult r;

    igd_put_le16(g.config, 0x8086);
    igd_put_le16(g.config + 2, 0x1916);
    igd_put_le16(g.config + 0x50, 0x01c1); /* GGC: GMS 1 = 32 MiB */
    g.config[0x0b] = 0x03;
    g.opregion = op;

    /* the original: a bdsm-size file that is not 8 bytes, or 0, or an empty OpRegion: the driver refuses */
    g.bdsm_size = b4;
    igd_fw_run(IGD_FW_OVMF_ORIGINAL, &g, &r);
    g_assert_cmpstr(r.error, ==, "etc/igd-bdsm-size: invalid fw_cfg size: 4");
    g_assert_false(r.opregion_set);
    igd_fw_result_clear(&r);
    g.bdsm_size = b0;
    igd_fw_run(IGD_FW_OVMF_ORIGINAL, &g, &r);
    g_assert_cmpstr(r.error, ==, "etc/igd-bdsm-size: invalid value: 0");
    g_assert_false(r.opregion_set);
    igd_fw_result_clear(&r);
    /* VfioIgdPkg does not read the file: OpRegion and a 32 MiB BDSM from GGC either way */
    for (guint i = 0; i < 3; i++) {
        GBytes *files[] = { b4, b0, NULL };
        g.bdsm_size = files[i];
        igd_fw_run(IGD_FW_OVMF_VFIOIGDPKG, &g, &r);
        g_assert_null(r.error);
        g_assert_true(r.opregion_set);
        g_assert_true(r.bdsm_set);
        g_assert_cmphex(r.bdsm_offset, ==, 0x5c);
        g_assert_cmpuint(r.bdsm_reserved, ==, 32 * MiB);
        g_assert_cmpstr(r.private, ==, "Gen9Private");
        igd_fw_result_clear(&r);
    }
    g.bdsm_size = b32;
    g.opregion = empty;
    for (guint k = 1; k < G_N_ELEMENTS(all); k++) {
        igd_fw_run(all[k], &g, &r);
        g_assert_cmpstr(r.error, ==, "etc/igd-opregion: zero size");
        igd_fw_result_clear(&r);
    }
    /* no OpRegion file: the original still programs BDSM, VfioIgdPkg does nothing */
    g.opregion = NULL;
    igd_fw_run(IGD_FW_OVMF_ORIGINAL, &g, &r);
    g_assert_true(r.loaded && r.bdsm_set && !r.opregion_set);
    igd_fw_result_clear(&r);
    igd_fw_run(IGD_FW_OVMF_VFIOIGDPKG, &g, &r);
    g_assert_false(r.loaded || r.bdsm_set || r.opregion_set);
    igd_fw_result_clear(&r);
    g.opregion = op;
    /* VfioIgdPkg with GMS 0: no stolen memory to place, no BDSM */
    igd_put_le16(g.config + 0x50, 0x00c1);
    igd_fw_run(IGD_FW_OVMF_VFIOIGDPKG, &g, &r);
    g_assert_true(r.opregion_set);
    g_assert_false(r.bdsm_set);
    igd_fw_result_clear(&r);
    igd_put_le16(g.config + 0x50, 0x01c1);

    /* SeaBIOS: romfile_loadint() takes a 4-byte file, ignores a 3-byte one. */
    g.bdsm_size = b4;
    igd_fw_run(IGD_FW_SEABIOS, &g, &r);
    g_assert_true(r.bdsm_set);
    g_assert_cmpuint(r.bdsm_reserved, ==, 32 * MiB);
    /* Hand-worked: OpRegion at 0x80000000 − 8192 = 0x7fffe000; 32 MiB below it, 1 MiB aligned:
     * 0x7fffe000 − 0x2000000 = 0x7dffe000 → 0x7df00000. */
    g_assert_cmphex(r.opregion_addr, ==, 0x7fffe000);
    g_assert_cmphex(r.bdsm_addr, ==, 0x7df00000);
    igd_fw_result_clear(&r);
    g.bdsm_size = b3;
    igd_fw_run(IGD_FW_SEABIOS, &g, &r);
    g_assert_false(r.bdsm_set);
    g_assert_true(r.opregion_set);
    igd_fw_result_clear(&r);

    /* Not at 00:02.0: OpRegion yes, stolen memory no (every firmware). */
    g.bdsm_size = b32;
    g.slot = 3;
    for (guint k = 0; k < G_N_ELEMENTS(all); k++) {
        igd_fw_run(all[k], &g, &r);
        g_assert_true(r.opregion_set);
        g_assert_false(r.bdsm_set);
        igd_fw_result_clear(&r);
    }
    g.slot = 2;

    /* Class 0x0380 (GGC IVD set): SeaBIOS and the original skip it, VfioIgdPkg (e4f207c) takes it. */
    g.config[0x0a] = 0x80;
    for (guint k = 0; k < G_N_ELEMENTS(all); k++) {
        gboolean taken = all[k] == IGD_FW_OVMF_VFIOIGDPKG;
        igd_fw_run(all[k], &g, &r);
        g_assert_cmpint(r.opregion_set, ==, taken);
        g_assert_cmpint(r.bdsm_set, ==, taken);
        igd_fw_result_clear(&r);
    }
    g.config[0x0a] = 0x00;

    /* Tiger Lake (gen 12, 64-bit BDSM at 0xC0): SeaBIOS and the original write 0x5C only, VfioIgdPkg 0xC0. */
    igd_put_le16(g.config + 2, 0x9a49);
    for (guint k = 0; k < G_N_ELEMENTS(all); k++) {
        gboolean at_c0 = all[k] == IGD_FW_OVMF_VFIOIGDPKG;
        igd_fw_run(all[k], &g, &r);
        g_assert_true(r.bdsm_set);
        g_assert_cmphex(r.bdsm_offset, ==, at_c0 ? 0xc0 : 0x5c);
        g_assert_cmphex(igd_le64(r.config + 0xc0), ==, at_c0 ? r.bdsm_addr : 0);
        g_assert_cmphex(igd_le32(r.config + 0x5c), ==, at_c0 ? 0 : r.bdsm_addr);
        igd_fw_result_clear(&r);
    }

    /* Meteor Lake 0x7d55: VfioIgdPkg sets up the OpRegion and leaves BDSM alone (NullPrivate); Cannon
     * Lake 0x5a52 is not in its table at all. */
    igd_put_le16(g.config + 2, 0x7d55);
    igd_fw_run(IGD_FW_OVMF_VFIOIGDPKG, &g, &r);
    g_assert_cmpstr(r.private, ==, "NullPrivate");
    g_assert_true(r.opregion_set);
    g_assert_false(r.bdsm_set);
    igd_fw_result_clear(&r);
    igd_put_le16(g.config + 2, 0x5a52);
    igd_fw_run(IGD_FW_OVMF_VFIOIGDPKG, &g, &r);
    g_assert_true(r.loaded);
    g_assert_null(r.private);
    g_assert_false(r.opregion_set);
    igd_fw_result_clear(&r);
}

/* The 2.0 layout without a guest address cannot be built (RVDA would point nowhere). */
static void
test_ext_vbt_2_0_no_base(void)
{
    g_autoptr(Host) h = host_new("skl-ideapad-vfio", "skl-opregion");
    g_autofree char *vbt_path = igd_test_datapath("fixtures/vbt/tgl-system76-lemp10.vbt");
    g_autofree char *small = igd_test_datapath("fixtures/vbt/skl-purism-librem-skl.vbt");
    IgdBlobsConfig config = { .vbt_file = vbt_path, .ext_layout = IGD_OPREGION_EXT_ABSOLUTE };
    g_auto(IgdBlobs) blobs = { 0 };
    g_autoptr(GError) error = NULL;

    g_assert_false(igd_blobs_build(h->sysroot, &h->addr, &config, NULL, &blobs, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_USAGE);
    g_assert_nonnull(strstr(error->message, "use the 2.1 layout"));
    g_assert_null(blobs.opregion);
    g_clear_error(&error);
    /* A VBT that fits mailbox 4 (4312 bytes) needs no address: fine with either layout. */
    config.vbt_file = small;
    g_assert_true(igd_blobs_build(h->sysroot, &h->addr, &config, NULL, &blobs, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(blobs.opregion), ==, 8192);
}

/*
 * What Linux vfio exposes for a 2.0 OpRegion whose VBT is extended
 * (drivers/vfio/pci/vfio_pci_igd.c vfio_pci_igd_opregion_init): one region
 * of 8 KiB + RVDS, the VBT copied right after the 8 KiB, the version
 * reported as 2.1 and RVDA = 0x2000 (relative). Built here from the real
 * dump with those fields changed (0x16 minor = 1, 0x3BA RVDA = 0x2000,
 * 0x3C2 RVDS = 8666) and the real tgl-system76-lemp10 VBT (vbt_size 8666)
 * appended. No override: the blob is the region as it is, and the guest
 * finds the VBT at ASLS + 0x2000. A small VBT override moves it back into
 * mailbox 4 and the blob shrinks to 8 KiB.
 */
static void
test_kernel_extended(void)
{
    g_autoptr(Host) h = host_new("tgl-nuc11-efifb", "skl-opregion");
    g_autofree char *fixture_path = igd_test_datapath(OPREGION_FIXTURE);
    g_autofree char *vbt_path = igd_test_datapath("fixtures/vbt/tgl-system76-lemp10.vbt");
    g_autofree char *small_path = igd_test_datapath("fixtures/vbt/skl-purism-librem-skl.vbt");
    g_autoptr(GBytes) fixture = igd_test_load(fixture_path);
    g_autoptr(GBytes) vbt = vbt_trimmed(igd_test_load(vbt_path));
    g_autoptr(GBytes) small = vbt_trimmed(igd_test_load(small_path));
    g_autofree char *region_path = g_build_filename(h->root, "opregion-2.1.bin", NULL);
    g_autofree char *conf = NULL;
    g_autoptr(GString) text = NULL;
    g_autoptr(GByteArray) region = g_byte_array_new();
    g_auto(IgdBlobs) blobs = { 0 };
    g_autoptr(GError) error = NULL;
    g_autofree char *file_line = NULL;
    IgdBlobsConfig config = { 0 };

    g_byte_array_append(region, g_bytes_get_data(fixture, NULL), 8192);
    region->data[0x16] = 1;
    igd_put_le64(region->data + 0x3ba, 0x2000);
    igd_put_le32(region->data + 0x3c2, 8666);
    g_byte_array_append(region, g_bytes_get_data(vbt, NULL), g_bytes_get_size(vbt));
    g_assert_true(g_file_set_contents(region_path, (const char *)region->data, region->len, NULL));
    g_assert_true(g_file_get_contents(g_getenv("IGD_VFIO_DOUBLE_CONFIG"), &conf, NULL, NULL));
    text = g_string_new(conf);
    file_line = g_strdup_printf("file=%s\n", region_path);
    g_assert_cmpint(g_string_replace(text, "file=data:" OPREGION_FIXTURE "\n", file_line, 1), ==, 1);
    g_assert_true(g_file_set_contents(g_getenv("IGD_VFIO_DOUBLE_CONFIG"), text->str, -1, NULL));

    g_assert_true(igd_blobs_build(h->sysroot, &h->addr, &config, NULL, &blobs, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(blobs.opregion), ==, 8192 + 8666);
    g_assert_cmpmem(g_bytes_get_data(blobs.opregion, NULL), 8192 + 8666, region->data, region->len);
    g_assert_cmpuint(blobs.bdsm_size, ==, 32 * MiB);
    /* TGL: VfioIgdPkg Gen11Private, BDSM at 0xC0 */
    check_firmware(h, &blobs, "Gen11Private", 32 * MiB, vbt, FALSE);

    config.vbt_file = small_path;
    g_assert_true(igd_blobs_build(h->sysroot, &h->addr, &config, NULL, &blobs, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(blobs.opregion), ==, 8192);
    g_assert_cmphex(igd_le64((const guint8 *)g_bytes_get_data(blobs.opregion, NULL) + 0x3ba), ==, 0);
    check_firmware(h, &blobs, "Gen11Private", 32 * MiB, small, FALSE);
}

int
main(int argc, char **argv)
{
    igd_vfio_double_reexec(argc, argv);
    g_test_init(&argc, &argv, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(hosts); i++) {
        g_autofree char *path = g_strdup_printf("/blobs/firmware/%s", hosts[i].host);
        g_test_add_data_func(path, &hosts[i], test_host);
    }
    g_test_add_data_func("/blobs/ext-vbt-2.1", GINT_TO_POINTER(FALSE), test_ext_vbt);
    g_test_add_data_func("/blobs/ext-vbt-2.0", GINT_TO_POINTER(TRUE), test_ext_vbt);
    g_test_add_func("/blobs/ext-vbt-2.0-no-base", test_ext_vbt_2_0_no_base);
    g_test_add_func("/blobs/kernel-extended-vbt", test_kernel_extended);
    g_test_add_func("/blobs/opregion-file", test_opregion_file);
    for (guint i = 0; i < G_N_ELEMENTS(bad_cases); i++)
        g_test_add_data_func(bad_cases[i].path, &bad_cases[i], test_bad);
    g_test_add_func("/blobs/no-stolen", test_no_stolen);
    g_test_add_func("/blobs/mtl-no-bdsm", test_mtl_no_bdsm);
    g_test_add_func("/blobs/write", test_write);
    g_test_add_func("/blobs/write-killed", test_write_killed);
    g_test_add_func("/blobs/firmware-checks", test_firmware_checks);
    return g_test_run();
}
