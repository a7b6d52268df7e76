/*
 * test-gmch.c: GGC/BDSM/ASLS decoding against the real config dumps in
 * tests/data/fixtures/hosts, worked out by hand from the bytes and the
 * formulas of Linux arch/x86/kernel/early-quirks.c (stolen size) and
 * drivers/gpu/drm/i915/gt/intel_ggtt.c (GTT size).
 *
 * Field layout (SNB_GMCH_CTRL at 0x50):
 *   gen 6/7, Cherryview: GMS bits 7:3, GGMS bits 9:8
 *   gen 8+:              GMS bits 15:8, GGMS bits 7:6
 *   bit 1: IVD (VGA disable); bit 0: GGC lock
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hw-lspci.h"
#include "igd-common.h"
#include "igd-devices.h"
#include "igd-gmch.h"
#include "igd-test.h"

#define MiB G_GUINT64_CONSTANT(1048576)

typedef struct {
    const char *name;    /* test path */
    const char *fixture; /* under tests/data/fixtures */
    guint16 device_id;
    guint16 ggc;
    guint gms;
    guint ggms;
    guint64 stolen;
    guint64 gtt;
    guint64 bdsm;
    guint32 asls;
    gboolean ivd;
} DumpCase;

/*
 * One row per dump of the fixtures README table. GGC/BDSM/ASLS are the
 * little-endian values at 0x50, 0x5c and 0xfc of the dump.
 */
static const DumpCase dump_cases[] = {
    /* GGC 0x0210 = 0b10_0001_0000: GMS = (0x10 >> 3) & 0x1f = 2 → 2 × 32 = 64 MiB;
     * GGMS = (0x0210 >> 8) & 3 = 2 → 2 MiB (gen 6: GGMS MiB); IVD bit 1 = 0.
     * BDSM "00 00 a0 db" at 0x5c = 0xdba00000 (lock bit clear); ASLS "00 08 fb da" = 0xdafb0800 */
    { "/gmch/dump/snb-gigabyte-h61m", "hosts/snb-gigabyte-h61m-ds2-i3-2100/lspci.txt",
      0x0102, 0x0210, 2, 2, 64 * MiB, 2 * MiB, 0xdba00000, 0xdafb0800, FALSE },
    /* GGC 0x0211: bit 0 is the lock, GMS = (0x11 >> 3) = 2 → 64 MiB, GGMS = 2 → 2 MiB;
     * BDSM 0xdba00001 (locked), ASLS 0xdaef6018 */
    { "/gmch/dump/snb-lenovo-21d1", "hosts/snb-lenovo-17aa21d1-i7-2760qm/lspci.txt",
      0x0126, 0x0211, 2, 2, 64 * MiB, 2 * MiB, 0xdba00001, 0xdaef6018, FALSE },
    /* Same machine model in pci=earlydump format: "11 02" at 0x50, "01 00 a0 db" at 0x5c */
    { "/gmch/dump/snb-lenovo-21da-earlydump", "hosts/snb-lenovo-17aa21da-earlydump/earlydump.txt",
      0x0126, 0x0211, 2, 2, 64 * MiB, 2 * MiB, 0xdba00001, 0xdaef6018, FALSE },
    /* GGC 0x0209: GMS = 0x09 >> 3 = 1 → 32 MiB; GGMS = 2 → 2 MiB; BDSM 0xcda00001 */
    { "/gmch/dump/ivb-latitude-e6430", "hosts/ivb-dell-latitude-e6430-i5-3340m/lspci.txt",
      0x0166, 0x0209, 1, 2, 32 * MiB, 2 * MiB, 0xcda00001, 0xca7d7018, FALSE },
    /* GGC 0x0211: GMS 2 → 64 MiB; GGMS 2 → 2 MiB; BDSM 0xdba00001 */
    { "/gmch/dump/ivb-dh77df", "hosts/ivb-intel-dh77df-i5-3450/lspci.txt",
      0x0152, 0x0211, 2, 2, 64 * MiB, 2 * MiB, 0xdba00001, 0xda3bd018, FALSE },
    /* Haswell is gen 7: GGC 0x0209 → GMS 1 → 32 MiB, GGMS 2 → 2 MiB; BDSM 0xcd200001 */
    { "/gmch/dump/hsw-latitude-e6540", "hosts/hsw-dell-latitude-e6540-i7-4800mq/lspci.txt",
      0x0416, 0x0209, 1, 2, 32 * MiB, 2 * MiB, 0xcd200001, 0xca7f9018, FALSE },
    /* Skylake is gen 9: GGC 0x01c1 → GMS = 0x01c1 >> 8 = 0x01 → 32 MiB (below 0xf0: ×32 MiB);
     * GGMS = (0xc1 >> 6) & 3 = 3 → 1 << 3 = 8 MiB; BDSM 0x8e000001; ASLS 0x8ce6f018.
     * Cross-checked in /gmch/skl-rmrr against the DMAR RMRR of the same machine. */
    { "/gmch/dump/skl-ideapad-320", "hosts/skl-lenovo-ideapad-320-14isk/lspci.txt",
      0x1916, 0x01c1, 0x01, 3, 32 * MiB, 8 * MiB, 0x8e000001, 0x8ce6f018, FALSE },
};

static void
check_decode(const DumpCase *c, const guint8 *cfg, gsize len)
{
    const IgdPlatformInfo *p = igd_platform_lookup(c->device_id);
    g_autoptr(GError) error = NULL;
    IgdGmchInfo info;

    g_assert_nonnull(p);
    g_assert_true(igd_gmch_decode(p, cfg, len, &info, &error));
    g_assert_no_error(error);
    g_assert_cmphex(info.ggc, ==, c->ggc);
    g_assert_cmphex(info.gms, ==, c->gms);
    g_assert_cmphex(info.ggms, ==, c->ggms);
    g_assert_cmpuint(info.stolen_bytes, ==, c->stolen);
    g_assert_cmpuint(info.gtt_bytes, ==, c->gtt);
    g_assert_cmphex(info.bdsm_offset, ==, 0x5c);
    g_assert_true(info.bdsm_present);
    g_assert_cmphex(info.bdsm, ==, c->bdsm);
    g_assert_true(info.asls_present);
    g_assert_cmphex(info.asls, ==, c->asls);
    g_assert_cmpint(info.vga_disabled, ==, c->ivd);
}

static void
test_dump(gconstpointer data)
{
    const DumpCase *c = data;
    g_autoptr(GBytes) cfg = hw_lspci_load_igd(c->fixture);
    gsize len = 0;
    const guint8 *bytes = g_bytes_get_data(cfg, &len);

    g_assert_cmpuint(len, >=, 256);
    g_assert_cmphex(igd_le16(bytes), ==, 0x8086);
    g_assert_cmphex(igd_le16(bytes + 2), ==, c->device_id);
    check_decode(c, bytes, len);
}

/*
 * An independent check of the gen 9 formulas on the IdeaPad 320: its boot
 * log (dmesg/skl-lenovo-ideapad-320-14isk-boot-excerpt.txt) reserves
 * "DMAR: RMRR base: 0x0000008d800000 end: 0x0000008fffffff" for the IGD,
 * 0x8fffffff + 1 - 0x8d800000 = 0x2800000 = 40 MiB = GTT (8 MiB, just
 * below BDSM) + stolen (32 MiB from BDSM 0x8e000000).
 */
static void
test_skl_rmrr(void)
{
    g_autoptr(GBytes) cfg = hw_lspci_load_igd("hosts/skl-lenovo-ideapad-320-14isk/lspci.txt");
    g_autofree char *log_path = igd_test_datapath("fixtures/dmesg/skl-lenovo-ideapad-320-14isk-boot-excerpt.txt");
    g_autofree char *log = NULL;
    g_autoptr(GError) error = NULL;
    const char *line;
    guint64 base = 0, end = 0;
    gsize len = 0;
    const guint8 *bytes = g_bytes_get_data(cfg, &len);
    IgdGmchInfo info;

    g_assert_true(g_file_get_contents(log_path, &log, NULL, &error));
    line = strstr(log, "RMRR base: 0x0000008d800000");
    g_assert_nonnull(line);
    g_assert_cmpint(sscanf(line, "RMRR base: 0x%" G_GINT64_MODIFIER "x end: 0x%" G_GINT64_MODIFIER "x",
                           &base, &end), ==, 2);

    g_assert_true(igd_gmch_decode(igd_platform_lookup(0x1916), bytes, len, &info, &error));
    g_assert_cmphex((info.bdsm & IGD_BDSM_MASK) - info.gtt_bytes, ==, base);
    g_assert_cmphex((info.bdsm & IGD_BDSM_MASK) + info.stolen_bytes - 1, ==, end);
}

/* A copy of the first @len bytes in a buffer of exactly that size (valgrind sees overreads). */
static guint8 *
exact_copy(const guint8 *src, gsize len)
{
    guint8 *copy;

    if (len == 0)
        return NULL;
    copy = g_malloc(len);
    memcpy(copy, src, len);
    return copy;
}

/*
 * Crafted cases: the real Skylake dump (4096 bytes) with the device id at
 * 0x02 and the documented fields changed; no real dump newer than Skylake
 * exists in the fixtures (fixtures README, "Gaps").
 */
typedef struct {
    const char *name;
    guint16 device_id; /* written at 0x02 */
    guint16 ggc;       /* written at 0x50 */
    guint64 bdsm64;    /* written at 0xc0 (64 bit) when nonzero */
    guint gms;
    guint ggms;
    guint64 stolen;
    guint64 gtt;
    guint bdsm_offset;
    guint64 bdsm;      /* expected */
    gboolean ivd;
} CraftCase;

static const CraftCase craft_cases[] = {
    /* Broadwell 0x1616 (gen 8), GGC 0x0881: GMS = 0x08 → 8 × 32 = 256 MiB;
     * GGMS = (0x81 >> 6) & 3 = 2 → 1 << 2 = 4 MiB; BDSM still the dump's 0x8e000001 at 0x5c */
    { "/gmch/craft/bdw-256m", 0x1616, 0x0881, 0, 0x08, 2, 256 * MiB, 4 * MiB, 0x5c, 0x8e000001, FALSE },
    /* gen 8 has no 4 MiB encoding: GGC 0xf041 → GMS 0xf0 = 240 × 32 MiB = 7680 MiB; GGMS 1 → 2 MiB */
    { "/gmch/craft/bdw-gms-f0", 0x1616, 0xf041, 0, 0xf0, 1, 7680 * MiB, 2 * MiB, 0x5c, 0x8e000001, FALSE },
    /* Skylake GGC 0xf0c1: GMS 0xf0 → (0xf0 - 0xf0 + 1) × 4 = 4 MiB; GGMS 3 → 8 MiB */
    { "/gmch/craft/skl-gms-f0", 0x1916, 0xf0c1, 0, 0xf0, 3, 4 * MiB, 8 * MiB, 0x5c, 0x8e000001, FALSE },
    /* GGC 0xfec1: GMS 0xfe → (0xfe - 0xf0 + 1) × 4 = 15 × 4 = 60 MiB */
    { "/gmch/craft/skl-gms-fe", 0x1916, 0xfec1, 0, 0xfe, 3, 60 * MiB, 8 * MiB, 0x5c, 0x8e000001, FALSE },
    /* GGC 0xefc1: GMS 0xef is the last 32 MiB step: 239 × 32 = 7648 MiB */
    { "/gmch/craft/skl-gms-ef", 0x1916, 0xefc1, 0, 0xef, 3, 7648 * MiB, 8 * MiB, 0x5c, 0x8e000001, FALSE },
    /* GGC 0x0003: GMS 0, GGMS 0 (no GTT), IVD set: an IGD with nothing reserved */
    { "/gmch/craft/skl-none", 0x1916, 0x0003, 0, 0, 0, 0, 0, 0x5c, 0x8e000001, TRUE },
    /* Gemini Lake 0x3184: GGC 0x02c3 as quoted from real hardware in MrChromebox/firmware
     * issue #1010 (not a dump): GMS 0x02 → 64 MiB, GGMS (0xc3 >> 6) = 3 → 8 MiB, IVD set */
    { "/gmch/craft/glk-issue1010", 0x3184, 0x02c3, 0, 0x02, 3, 64 * MiB, 8 * MiB, 0x5c, 0x8e000001, TRUE },
    /* Tiger Lake 0x9a49 (gen 12): 64-bit BDSM at 0xc0 = 0x00000001_7c000001 (high dword set to
     * prove all 64 bits are read; the dump's 0x5c value 0x8e000001 must be ignored).
     * GGC 0x05c1: GMS 0x05 → 160 MiB, GGMS 3 → 8 MiB */
    { "/gmch/craft/tgl-bdsm64", 0x9a49, 0x05c1, G_GUINT64_CONSTANT(0x17c000001), 0x05, 3, 160 * MiB, 8 * MiB,
      0xc0, G_GUINT64_CONSTANT(0x17c000001), FALSE },
    /* Elkhart Lake 0x4571 (gen 11), BDSM at 0xc0 = 0x7c000001 (high dword 0), GGC 0xf2c1:
     * GMS 0xf2 → (0xf2 - 0xf0 + 1) × 4 = 12 MiB */
    { "/gmch/craft/ehl-bdsm64", 0x4571, 0xf2c1, 0x7c000001, 0xf2, 3, 12 * MiB, 8 * MiB, 0xc0, 0x7c000001, FALSE },
    /* Meteor Lake 0x7d55 (12.70): GGC as gen 12, but no BDSM register: a value at 0xc0 is not read
     * (QEMU docs/igd-assign.txt v10.2.0: "... removed the BDSM register in config space") */
    { "/gmch/craft/mtl-no-bdsm", 0x7d55, 0x02c1, 0x7c000001, 0x02, 3, 64 * MiB, 8 * MiB, 0, 0, FALSE },
    /* Cherryview 0x22b0 (gen 8, SNB layout): GGC 0x02b8: GMS = 0xb8 >> 3 = 0x17 → (0x17 - 0x17) × 4 + 36
     * = 36 MiB; GGMS = (0x02b8 >> 8) & 3 = 2 → 1 << (20 + 2) = 4 MiB (chv_get_total_gtt_size) */
    { "/gmch/craft/chv-36m", 0x22b0, 0x02b8, 0, 0x17, 2, 36 * MiB, 4 * MiB, 0x5c, 0x8e000001, FALSE },
    /* Cherryview GGC 0x0188: GMS 0x11 → 8 MiB; GGMS 1 → 2 MiB */
    { "/gmch/craft/chv-8m", 0x22b3, 0x0188, 0, 0x11, 1, 8 * MiB, 2 * MiB, 0x5c, 0x8e000001, FALSE },
    /* Haswell 0x0416 with GGC 0x0392 (IVD set): GMS 0x92 >> 3 = 0x12 → 18 × 32 = 576 MiB, GGMS 3 → 3 MiB */
    { "/gmch/craft/hsw-ivd", 0x0416, 0x0392, 0, 0x12, 3, 576 * MiB, 3 * MiB, 0x5c, 0x8e000001, TRUE },
};

static void
test_craft(gconstpointer data)
{
    const CraftCase *c = data;
    g_autoptr(GBytes) cfg = hw_lspci_load_igd("hosts/skl-lenovo-ideapad-320-14isk/lspci.txt");
    gsize len = 0;
    const guint8 *dump = g_bytes_get_data(cfg, &len);
    g_autofree guint8 *bytes = exact_copy(dump, len);
    const IgdPlatformInfo *p = igd_platform_lookup(c->device_id);
    g_autoptr(GError) error = NULL;
    IgdGmchInfo info;

    g_assert_cmpuint(len, ==, 4096);
    igd_put_le16(bytes + 2, c->device_id);
    igd_put_le16(bytes + IGD_GMCH, c->ggc);
    if (c->bdsm64)
        igd_put_le64(bytes + IGD_BDSM_GEN11, c->bdsm64);

    g_assert_nonnull(p);
    g_assert_true(igd_gmch_decode(p, bytes, len, &info, &error));
    g_assert_no_error(error);
    g_assert_cmphex(info.ggc, ==, c->ggc);
    g_assert_cmphex(info.gms, ==, c->gms);
    g_assert_cmphex(info.ggms, ==, c->ggms);
    g_assert_cmpuint(info.stolen_bytes, ==, c->stolen);
    g_assert_cmpuint(info.gtt_bytes, ==, c->gtt);
    g_assert_cmphex(info.bdsm_offset, ==, c->bdsm_offset);
    g_assert_cmpint(info.bdsm_present, ==, c->bdsm_offset != 0);
    g_assert_cmphex(info.bdsm, ==, c->bdsm);
    g_assert_cmpint(info.vga_disabled, ==, c->ivd);
    g_assert_cmphex(info.asls, ==, 0x8ce6f018); /* unchanged from the dump */
}

/* Cherryview's own GMS encoding, every boundary of chv_stolen_size(). */
static void
test_chv_table(void)
{
    static const struct { guint gms; guint64 mib; } chv[] = {
        { 0x00, 0 },   { 0x01, 32 },  { 0x02, 64 }, { 0x10, 512 }, /* 32 MiB steps from 0 */
        { 0x11, 8 },   { 0x12, 12 },  { 0x16, 28 },                /* (GMS - 0x11) × 4 + 8 */
        { 0x17, 36 },  { 0x18, 40 },  { 0x1d, 60 },                /* (GMS - 0x17) × 4 + 36 */
    };
    const IgdPlatformInfo *p = igd_platform_lookup(0x22b1);

    for (guint i = 0; i < G_N_ELEMENTS(chv); i++) {
        g_test_message("GMS 0x%02x", chv[i].gms);
        g_assert_cmpuint(igd_gmch_stolen_bytes(p, chv[i].gms), ==, chv[i].mib * MiB);
    }
    /* GTT: 1 << (20 + GGMS): 0, 2, 4, 8 MiB */
    g_assert_cmpuint(igd_gmch_gtt_bytes(p, 0), ==, 0);
    g_assert_cmpuint(igd_gmch_gtt_bytes(p, 1), ==, 2 * MiB);
    g_assert_cmpuint(igd_gmch_gtt_bytes(p, 2), ==, 4 * MiB);
    g_assert_cmpuint(igd_gmch_gtt_bytes(p, 3), ==, 8 * MiB);
}

/* GTT sizes per generation: gen 6/7 GGMS MiB, gen 8+ 1 << GGMS MiB (0 = none). */
static void
test_gtt_sizes(void)
{
    const IgdPlatformInfo *snb = igd_platform_lookup(0x0102);
    const IgdPlatformInfo *bdw = igd_platform_lookup(0x1616);
    const IgdPlatformInfo *tgl = igd_platform_lookup(0x9a49);

    for (guint g = 0; g < 4; g++) {
        g_assert_cmpuint(igd_gmch_gtt_bytes(snb, g), ==, g * MiB);
        g_assert_cmpuint(igd_gmch_gtt_bytes(bdw, g), ==, g ? (1u << g) * MiB : 0);
        g_assert_cmpuint(igd_gmch_gtt_bytes(tgl, g), ==, g ? (1u << g) * MiB : 0);
    }
    g_assert_cmpuint(igd_gmch_gtt_bytes(NULL, 3), ==, 0);
    g_assert_cmpuint(igd_gmch_stolen_bytes(NULL, 3), ==, 0);
    /* gen 6 GMS is 5 bits: 0x1f → 31 × 32 = 992 MiB */
    g_assert_cmpuint(igd_gmch_stolen_bytes(snb, 0x1f), ==, 992 * MiB);
    /* gen 11+ also uses the gen 9 formula (early-quirks gen11_early_ops → gen9_stolen_size) */
    g_assert_cmpuint(igd_gmch_stolen_bytes(tgl, 0xff), ==, 64 * MiB);
    g_assert_cmpuint(igd_gmch_stolen_bytes(tgl, 0x40), ==, 2048 * MiB);
}

static void
test_bdsm_offsets(void)
{
    /*
     * 0x5c up to gen 10 (Cannon Lake 0x5a52 included), 0xc0 from gen 11 to Raptor Lake, none (0) from
     * Meteor Lake on: QEMU docs/igd-assign.txt (v10.2.0): "Starting from Meteor Lake, IGD devices access
     * stolen memory via its MMIO BAR2 (LMEMBAR) and removed the BDSM register in config space"; Linux
     * arch/x86/kernel/early-quirks.c intel_early_ids ends with INTEL_RPLP_IDS (v7.3-rc7 line 560), no MTL.
     */
    static const struct { guint16 id; guint off; } offs[] = {
        { 0x0102, 0x5c }, { 0x0166, 0x5c }, { 0x0416, 0x5c }, { 0x1616, 0x5c }, { 0x22b0, 0x5c },
        { 0x1916, 0x5c }, { 0x3e92, 0x5c }, { 0x3184, 0x5c }, { 0x5a52, 0x5c },
        { 0x8a52, 0xc0 }, { 0x4571, 0xc0 }, { 0x4e61, 0xc0 }, { 0x9a49, 0xc0 }, { 0x46a6, 0xc0 },
        { 0xa7a0, 0xc0 },
        { 0x7d40, 0 }, { 0x7d55, 0 }, { 0x7dd5, 0 }, /* Meteor Lake */
        { 0x7d41, 0 }, { 0x7d51, 0 }, { 0xb640, 0 }, /* Arrow Lake */
    };

    for (guint i = 0; i < G_N_ELEMENTS(offs); i++)
        g_assert_cmphex(igd_gmch_bdsm_offset(igd_platform_lookup(offs[i].id)), ==, offs[i].off);
}

/*
 * The DERIVED Meteor Lake tree (tests/data/hosts/mtl-derived: the IdeaPad
 * Skylake dump with device id 0x7d55, 0x5C and 0xC0 zeroed): GGC decodes as
 * on gen 9+ (0x01c1: GMS 1 = 32 MiB, i915 mtl_get_gms_size() "case 0x0 ...
 * 0x04: return gms * 32"; GGMS 3 = 8 MiB), and there is no BDSM to read.
 */
static void
test_mtl_no_bdsm(void)
{
    g_autofree char *path = igd_test_srcpath("data/hosts/mtl-derived/sys/bus/pci/devices/0000:00:02.0/config");
    g_autoptr(GBytes) cfg = igd_test_load(path);
    gsize len = 0;
    const guint8 *bytes = g_bytes_get_data(cfg, &len);
    g_autoptr(GError) error = NULL;
    IgdGmchInfo info;

    g_assert_true(igd_gmch_decode(igd_platform_lookup(0x7d55), bytes, len, &info, &error));
    g_assert_no_error(error);
    g_assert_cmphex(info.ggc, ==, 0x01c1);
    g_assert_cmpuint(info.stolen_bytes, ==, 32 * MiB);
    g_assert_cmpuint(info.gtt_bytes, ==, 8 * MiB);
    g_assert_cmphex(info.bdsm_offset, ==, 0);
    g_assert_false(info.bdsm_present);
    g_assert_cmphex(info.bdsm, ==, 0);
    g_assert_true(info.asls_present);
}

/* Truncated config spaces: an error or *_present FALSE, never a read past the end. */
static void
test_truncated(void)
{
    g_autoptr(GBytes) cfg = hw_lspci_load_igd("hosts/skl-lenovo-ideapad-320-14isk/lspci.txt");
    const guint8 *full = g_bytes_get_data(cfg, NULL);
    const IgdPlatformInfo *skl = igd_platform_lookup(0x1916);
    const IgdPlatformInfo *tgl = igd_platform_lookup(0x9a49);
    static const struct {
        gsize len;
        gboolean tgl;
        gboolean ok;
        gboolean bdsm;
        gboolean asls;
    } cases[] = {
        { 0, FALSE, FALSE, FALSE, FALSE },
        { 0x50, FALSE, FALSE, FALSE, FALSE },  /* GGC needs 0x52 */
        { 0x51, FALSE, FALSE, FALSE, FALSE },
        { 0x52, FALSE, TRUE, FALSE, FALSE },   /* GGC only */
        { 0x5f, FALSE, TRUE, FALSE, FALSE },   /* BDSM needs 0x60 */
        { 0x60, FALSE, TRUE, TRUE, FALSE },
        { 0xff, FALSE, TRUE, TRUE, FALSE },    /* ASLS needs 0x100 */
        { 0x100, FALSE, TRUE, TRUE, TRUE },
        { 0x60, TRUE, TRUE, FALSE, FALSE },    /* gen 12: BDSM at 0xc0 needs 0xc8 */
        { 0xc7, TRUE, TRUE, FALSE, FALSE },
        { 0xc8, TRUE, TRUE, TRUE, FALSE },
        { 0x100, TRUE, TRUE, TRUE, TRUE },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree guint8 *bytes = exact_copy(full, cases[i].len);
        g_autoptr(GError) error = NULL;
        IgdGmchInfo info;
        gboolean ok = igd_gmch_decode(cases[i].tgl ? tgl : skl, bytes, cases[i].len, &info, &error);

        g_test_message("len 0x%" G_GSIZE_MODIFIER "x %s", cases[i].len, cases[i].tgl ? "gen 12" : "gen 9");
        g_assert_cmpint(ok, ==, cases[i].ok);
        if (!ok) {
            g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
            g_assert_nonnull(strstr(error->message, "too short for GGC at 0x50"));
            continue;
        }
        g_assert_no_error(error);
        g_assert_cmphex(info.ggc, ==, 0x01c1);
        g_assert_cmpint(info.bdsm_present, ==, cases[i].bdsm);
        g_assert_cmpint(info.asls_present, ==, cases[i].asls);
        if (!cases[i].bdsm)
            g_assert_cmphex(info.bdsm, ==, 0);
        if (!cases[i].asls)
            g_assert_cmphex(info.asls, ==, 0);
    }
}

static void
test_unknown_platform(void)
{
    g_autoptr(GBytes) cfg = hw_lspci_load_igd("hosts/skl-lenovo-ideapad-320-14isk/lspci.txt");
    gsize len = 0;
    const guint8 *bytes = g_bytes_get_data(cfg, &len);
    g_autoptr(GError) error = NULL;
    IgdGmchInfo info;

    g_assert_false(igd_gmch_decode(NULL, bytes, len, &info, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(dump_cases); i++)
        g_test_add_data_func(dump_cases[i].name, &dump_cases[i], test_dump);
    g_test_add_func("/gmch/skl-rmrr", test_skl_rmrr);
    for (guint i = 0; i < G_N_ELEMENTS(craft_cases); i++)
        g_test_add_data_func(craft_cases[i].name, &craft_cases[i], test_craft);
    g_test_add_func("/gmch/chv-table", test_chv_table);
    g_test_add_func("/gmch/gtt-sizes", test_gtt_sizes);
    g_test_add_func("/gmch/bdsm-offsets", test_bdsm_offsets);
    g_test_add_func("/gmch/mtl-no-bdsm", test_mtl_no_bdsm);
    g_test_add_func("/gmch/truncated", test_truncated);
    g_test_add_func("/gmch/unknown-platform", test_unknown_platform);
    return g_test_run();
}
