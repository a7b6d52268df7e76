/*
 * test-qemu.c: the QEMU probe (real binary, tests/fake-qemu, the cache) and
 * the per-version model of hw/vfio/igd.c.
 *
 * Every expected model value below is worked out by hand from the QEMU
 * source named next to it and from the GGC of a real fixture; the working is
 * in tests/data/qemu/README.md (section "Model cases").
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include "igd-common.h"
#include "igd-devices.h"
#include "igd-gmch.h"
#include "igd-qemu.h"
#include "igd-test.h"

/* The model asked with every field of its request (tests vary them one at a time). */
static gboolean
run_model(const IgdQemuCaps *caps, guint16 device_id, const IgdPlatformInfo *platform, const IgdGmchInfo *gmch,
          gint x_igd_gms, const char *machine, IgdQemuLegacyMode legacy_mode, const IgdQemuSetup *setup,
          IgdQemuIgdModel *out, GError **error)
{
    IgdQemuModelRequest req;

    igd_qemu_model_request_init(&req, device_id);
    req.platform = platform;
    req.gmch = gmch;
    req.x_igd_gms = x_igd_gms;
    req.machine = machine;
    req.legacy_mode = legacy_mode;
    if (setup != NULL)
        req.setup = *setup;
    return igd_qemu_model_igd(caps, &req, out, error);
}


#define MiB (G_GUINT64_CONSTANT(1) << 20)

/* ---- model ------------------------------------------------------------------------------------------------ */

/*
 * GGC of the real fixtures (tests/data/fixtures/hosts, GGC at config 0x50) and
 * the host stolen size Linux early-quirks derives from it:
 *   snb-gigabyte-h61m 0102: 0x0210 → gen6 GMS (bits 7:3) 2 = 64 MiB, GGMS (9:8) 2
 *   snb-lenovo        0126: 0x0211 → GMS 2 = 64 MiB, GGMS 2
 *   ivb-e6430         0166: 0x0209 → GMS 1 = 32 MiB, GGMS 2
 *   ivb-dh77df        0152: 0x0211 → GMS 2 = 64 MiB, GGMS 2
 *   hsw-e6540         0416: 0x0209 → GMS 1 = 32 MiB, GGMS 2
 *   skl-ideapad       1916: 0x01c1 → gen8+ GMS (15:8) 1 = 32 MiB, GGMS (7:6) 3 = 8 MiB GTT
 * No dump exists for 3e92, 9a49, 4680, 7d55 (fixtures README "Gaps"): those
 * cases borrow the Skylake GGC 0x01c1 (same gen 8+ layout), and "gms F1" is
 * that GGC with GMS changed to 0xF1 (gen9+: (0xF1 - 0xF0 + 1) × 4 = 8 MiB).
 * "ivd" is 0x01c1 with bit 1 (IVD) set: 0x01c3.
 */
typedef struct {
    guint16 ggc;
    guint64 stolen; /* Linux early-quirks, host truth */
    gboolean ivd;
} Ggc;

static const Ggc GGC_SNB_H61 = { 0x0210, 64 * MiB, FALSE };
static const Ggc GGC_SNB_LENOVO = { 0x0211, 64 * MiB, FALSE };
static const Ggc GGC_IVB_E6430 = { 0x0209, 32 * MiB, FALSE };
static const Ggc GGC_IVB_DH77 = { 0x0211, 64 * MiB, FALSE };
static const Ggc GGC_HSW_E6540 = { 0x0209, 32 * MiB, FALSE };
static const Ggc GGC_SKL = { 0x01c1, 32 * MiB, FALSE };
static const Ggc GGC_SKL_F1 = { 0xf1c1, 8 * MiB, FALSE };
static const Ggc GGC_SKL_IVD = { 0x01c3, 32 * MiB, TRUE };

typedef struct {
    const char *path;
    guint major, minor, micro;
    guint16 device_id;
    const Ggc *ggc; /* NULL: no GMCH known */
    gint x_igd_gms;
    const char *machine;
    IgdQemuLegacyMode legacy_mode;
    /* expected */
    gint gen;
    gboolean recognised;
    gboolean legacy;
    guint guest_gms;
    guint16 guest_ggc;
    gboolean file;
    guint64 bdsm;
    guint bdsm_offset;
    gint needed;
    guint gms_max;
    gboolean gms_valid;
    const char *reason;      /* substring of legacy_reason, NULL: none */
    const char *start_error; /* substring of start_error, NULL: none */
    const char *warning;     /* substring of warning, NULL: none */
} ModelCase;

#define I440FX "pc-i440fx-7.2"
#define Q35 "pc-q35-7.2"
#define AUTO IGD_QEMU_LEGACY_AUTO
#define ON IGD_QEMU_LEGACY_ON
#define OFF IGD_QEMU_LEGACY_OFF
#define R_1F "cannot support legacy mode due to existing devices at address 1f.0"
#define R_UNSUP "is unsupported in legacy mode, try SandyBridge or newer"

static const ModelCase model_cases[] = {
    /*
     * Each case: path, QEMU version, device id, GGC, x-igd-gms, machine, x-igd-legacy-mode;
     * then expected gen, recognised, legacy, guest GMS, guest GGC, bdsm file, bdsm size,
     * BDSM offset, x-igd-gms needed, x-igd-gms max, x-igd-gms valid, reason, start error, warning.
     */
    /* ---- QEMU 7.2 (same code 7.2 – 9.1): vfio_probe_igd_bar4_quirk(), igd_gen() 6/8, GMS zeroed ---- */
    { "/qemu/model/7.2/snb-0102", 7, 2, 0, 0x0102, &GGC_SNB_H61, -1, I440FX, AUTO,
      6, TRUE, TRUE, 0, 0x0200, TRUE, 2 * MiB, 0x5c, 2, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/7.2/snb-0102-gms2", 7, 2, 0, 0x0102, &GGC_SNB_H61, 2, I440FX, AUTO,
      6, TRUE, TRUE, 2, 0x0210, TRUE, 66 * MiB, 0x5c, 2, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/7.2/snb-0102-gms-0x11", 7, 2, 0, 0x0102, &GGC_SNB_H61, 0x11, I440FX, AUTO,
      6, TRUE, TRUE, 0, 0x0200, TRUE, 2 * MiB, 0x5c, 2, 0x10, FALSE, NULL, NULL, "Unsupported IGD GMS value 0x11" },
    { "/qemu/model/7.2/snb-0126", 7, 2, 0, 0x0126, &GGC_SNB_LENOVO, -1, "pc", AUTO,
      6, TRUE, TRUE, 0, 0x0201, TRUE, 2 * MiB, 0x5c, 2, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/7.2/ivb-0166", 7, 2, 0, 0x0166, &GGC_IVB_E6430, -1, I440FX, AUTO,
      6, TRUE, TRUE, 0, 0x0201, TRUE, 2 * MiB, 0x5c, 1, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/7.2/ivb-0152", 7, 2, 0, 0x0152, &GGC_IVB_DH77, -1, I440FX, AUTO,
      6, TRUE, TRUE, 0, 0x0201, TRUE, 2 * MiB, 0x5c, 2, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/7.2/hsw-0416", 7, 2, 0, 0x0416, &GGC_HSW_E6540, -1, I440FX, AUTO,
      6, TRUE, TRUE, 0, 0x0201, TRUE, 2 * MiB, 0x5c, 1, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/7.2/skl-1916", 7, 2, 0, 0x1916, &GGC_SKL, -1, I440FX, AUTO,
      8, TRUE, TRUE, 0, 0x00c1, TRUE, 8 * MiB, 0x5c, 1, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/7.2/skl-1916-gms1", 7, 2, 0, 0x1916, &GGC_SKL, 1, I440FX, AUTO,
      8, TRUE, TRUE, 1, 0x01c1, TRUE, 40 * MiB, 0x5c, 1, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/7.2/skl-1916-f1", 7, 2, 0, 0x1916, &GGC_SKL_F1, -1, I440FX, AUTO,
      8, TRUE, TRUE, 0, 0x00c1, TRUE, 8 * MiB, 0x5c, 1, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/7.2/skl-1916-q35", 7, 2, 0, 0x1916, &GGC_SKL, -1, Q35, AUTO,
      8, TRUE, FALSE, 1, 0x01c1, FALSE, 0, 0, -1, 0x10, TRUE, R_1F, NULL, NULL },
    { "/qemu/model/7.2/skl-1916-ivd", 7, 2, 0, 0x1916, &GGC_SKL_IVD, -1, I440FX, AUTO,
      8, FALSE, FALSE, 1, 0x01c3, FALSE, 0, 0, -1, 0, TRUE, "IVD", NULL, NULL },
    { "/qemu/model/7.2/skl-1912-no-gmch", 7, 2, 0, 0x1912, NULL, -1, I440FX, AUTO,
      8, TRUE, TRUE, 0, 0, TRUE, 0, 0x5c, -1, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/7.2/cfl-3e92", 7, 2, 0, 0x3e92, &GGC_SKL, -1, I440FX, AUTO,
      8, TRUE, TRUE, 0, 0x00c1, TRUE, 8 * MiB, 0x5c, 1, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/7.2/tgl-9a49", 7, 2, 0, 0x9a49, &GGC_SKL, -1, I440FX, AUTO,
      8, TRUE, TRUE, 0, 0x00c1, TRUE, 8 * MiB, 0x5c, 1, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/7.2/adl-4680", 7, 2, 0, 0x4680, &GGC_SKL, -1, I440FX, AUTO,
      8, TRUE, TRUE, 0, 0x00c1, TRUE, 8 * MiB, 0x5c, 1, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/7.2/mtl-7d55", 7, 2, 0, 0x7d55, &GGC_SKL, -1, I440FX, AUTO,
      8, TRUE, TRUE, 0, 0x00c1, TRUE, 8 * MiB, 0x5c, 1, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/7.2/gm45-2a42", 7, 2, 0, 0x2a42, &GGC_SNB_H61, -1, I440FX, AUTO,
      -1, TRUE, FALSE, 2, 0x0210, FALSE, 0, 0, -1, 0x10, TRUE, R_UNSUP, NULL, NULL },
    { "/qemu/model/9.1/skl-1916", 9, 1, 2, 0x1916, &GGC_SKL, -1, I440FX, AUTO,
      8, TRUE, TRUE, 0, 0x00c1, TRUE, 8 * MiB, 0x5c, 1, 0x10, TRUE, NULL, NULL, NULL },

    /* ---- QEMU 9.2: host GMS kept, bdsm = GTT + igd_get_stolen_mb(), x-igd-gms ignored ---- */
    { "/qemu/model/9.2/snb-0102", 9, 2, 0, 0x0102, &GGC_SNB_H61, -1, I440FX, AUTO,
      6, TRUE, TRUE, 2, 0x0210, TRUE, 66 * MiB, 0x5c, -1, 0, TRUE, NULL, NULL, NULL },
    { "/qemu/model/9.2/hsw-0416", 9, 2, 0, 0x0416, &GGC_HSW_E6540, -1, I440FX, AUTO,
      6, TRUE, TRUE, 1, 0x0209, TRUE, 34 * MiB, 0x5c, -1, 0, TRUE, NULL, NULL, NULL },
    { "/qemu/model/9.2/skl-1916", 9, 2, 0, 0x1916, &GGC_SKL, -1, I440FX, AUTO,
      8, TRUE, TRUE, 1, 0x01c1, TRUE, 40 * MiB, 0x5c, -1, 0, TRUE, NULL, NULL, NULL },
    { "/qemu/model/9.2/skl-1916-gms4-ignored", 9, 2, 0, 0x1916, &GGC_SKL, 4, I440FX, AUTO,
      8, TRUE, TRUE, 1, 0x01c1, TRUE, 40 * MiB, 0x5c, -1, 0, TRUE, NULL, NULL, NULL },
    { "/qemu/model/9.2/skl-1916-f1", 9, 2, 0, 0x1916, &GGC_SKL_F1, -1, I440FX, AUTO,
      8, TRUE, TRUE, 0xf1, 0xf1c1, TRUE, 8 * MiB, 0x5c, -1, 0, TRUE, NULL, NULL, "Unsupported IGD GMS value 0xf1" },
    { "/qemu/model/9.2/cfl-3e92", 9, 2, 0, 0x3e92, &GGC_SKL, -1, I440FX, AUTO,
      9, TRUE, TRUE, 1, 0x01c1, TRUE, 40 * MiB, 0x5c, -1, 0, TRUE, NULL, NULL, NULL },
    { "/qemu/model/9.2/cfl-3e92-f1", 9, 2, 0, 0x3e92, &GGC_SKL_F1, -1, I440FX, AUTO,
      9, TRUE, TRUE, 0xf1, 0xf1c1, TRUE, 16 * MiB, 0x5c, -1, 0, TRUE, NULL, NULL, NULL },
    { "/qemu/model/9.2/tgl-9a49", 9, 2, 0, 0x9a49, &GGC_SKL, -1, I440FX, AUTO,
      12, TRUE, TRUE, 1, 0x01c1, TRUE, 40 * MiB, 0xc0, -1, 0, TRUE, NULL, NULL, NULL },
    { "/qemu/model/9.2/adl-4680", 9, 2, 0, 0x4680, &GGC_SKL, -1, I440FX, AUTO,
      -1, TRUE, FALSE, 1, 0x01c1, FALSE, 0, 0, -1, 0, TRUE, R_UNSUP, NULL, NULL },
    { "/qemu/model/9.2/mtl-7d55", 9, 2, 0, 0x7d55, &GGC_SKL, -1, I440FX, AUTO,
      -1, TRUE, FALSE, 1, 0x01c1, FALSE, 0, 0, -1, 0, TRUE, R_UNSUP, NULL, NULL },
    { "/qemu/model/9.2/skl-1916-q35", 9, 2, 0, 0x1916, &GGC_SKL, -1, "q35", AUTO,
      8, TRUE, FALSE, 1, 0x01c1, FALSE, 0, 0, -1, 0, TRUE, R_1F, NULL, NULL },

    /* ---- QEMU 10.0: vfio_pci_igd_config_quirk(), bdsm = stolen only, for UPT too ---- */
    { "/qemu/model/10.0/snb-0102", 10, 0, 0, 0x0102, &GGC_SNB_H61, -1, I440FX, AUTO,
      6, TRUE, TRUE, 2, 0x0210, TRUE, 64 * MiB, 0x5c, -1, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/10.0/snb-0102-gms-0x11", 10, 0, 0, 0x0102, &GGC_SNB_H61, 0x11, I440FX, AUTO,
      6, TRUE, TRUE, 2, 0x0210, TRUE, 64 * MiB, 0x5c, -1, 0x10, FALSE, NULL, NULL, "Parameter 'x-igd-gms' expects 0~0x10" },
    { "/qemu/model/10.0/ivb-0166", 10, 0, 0, 0x0166, &GGC_IVB_E6430, -1, I440FX, AUTO,
      6, TRUE, TRUE, 1, 0x0209, TRUE, 32 * MiB, 0x5c, -1, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/10.0/hsw-0416", 10, 0, 0, 0x0416, &GGC_HSW_E6540, -1, I440FX, AUTO,
      7, TRUE, TRUE, 1, 0x0209, TRUE, 32 * MiB, 0x5c, -1, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/10.0/skl-1916", 10, 0, 0, 0x1916, &GGC_SKL, -1, I440FX, AUTO,
      9, TRUE, TRUE, 1, 0x01c1, TRUE, 32 * MiB, 0x5c, -1, 0x40, TRUE, NULL, NULL, NULL },
    { "/qemu/model/10.0/skl-1916-gms2", 10, 0, 0, 0x1916, &GGC_SKL, 2, I440FX, AUTO,
      9, TRUE, TRUE, 2, 0x02c1, TRUE, 64 * MiB, 0x5c, -1, 0x40, TRUE, NULL, NULL, NULL },
    { "/qemu/model/10.0/skl-1916-gms-0xf2", 10, 0, 0, 0x1916, &GGC_SKL, 0xf2, I440FX, AUTO,
      9, TRUE, TRUE, 1, 0x01c1, TRUE, 32 * MiB, 0x5c, -1, 0x40, FALSE, NULL, NULL, "Parameter 'x-igd-gms' expects 0~0x40" },
    { "/qemu/model/10.0/skl-1916-f1", 10, 0, 0, 0x1916, &GGC_SKL_F1, -1, I440FX, AUTO,
      9, TRUE, TRUE, 0xf1, 0xf1c1, TRUE, 8 * MiB, 0x5c, -1, 0x40, TRUE, NULL, NULL, NULL },
    { "/qemu/model/10.0/skl-1916-q35", 10, 0, 0, 0x1916, &GGC_SKL, -1, "pc-q35-10.0", AUTO,
      9, TRUE, FALSE, 1, 0x01c1, TRUE, 32 * MiB, 0x5c, -1, 0x40, TRUE, "not i440fx", NULL, NULL },
    { "/qemu/model/10.0/skl-1916-q35-on", 10, 0, 0, 0x1916, &GGC_SKL, -1, "pc-q35-10.0", ON,
      9, TRUE, FALSE, 1, 0x01c1, FALSE, 0, 0, -1, 0x40, TRUE, "not i440fx",
      "Machine is not i440fx or assigned BDF is not 00:02.0", NULL },
    { "/qemu/model/10.0/skl-1916-off", 10, 0, 0, 0x1916, &GGC_SKL, -1, I440FX, OFF,
      9, TRUE, FALSE, 1, 0x01c1, TRUE, 32 * MiB, 0x5c, -1, 0x40, TRUE, "x-igd-legacy-mode=off", NULL, NULL },
    { "/qemu/model/10.0/cfl-3e92", 10, 0, 0, 0x3e92, &GGC_SKL, -1, I440FX, AUTO,
      9, TRUE, TRUE, 1, 0x01c1, TRUE, 32 * MiB, 0x5c, -1, 0x40, TRUE, NULL, NULL, NULL },
    { "/qemu/model/10.0/tgl-9a49", 10, 0, 0, 0x9a49, &GGC_SKL, -1, I440FX, AUTO,
      12, TRUE, TRUE, 1, 0x01c1, TRUE, 32 * MiB, 0xc0, -1, 0x40, TRUE, NULL, NULL, NULL },
    { "/qemu/model/10.0/adl-4680", 10, 0, 0, 0x4680, &GGC_SKL, -1, I440FX, AUTO,
      12, TRUE, TRUE, 1, 0x01c1, TRUE, 32 * MiB, 0xc0, -1, 0x40, TRUE, NULL, NULL, NULL },
    { "/qemu/model/10.0/mtl-7d55", 10, 0, 0, 0x7d55, &GGC_SKL, -1, I440FX, AUTO,
      -1, FALSE, FALSE, 1, 0x01c1, FALSE, 0, 0, -1, 0, TRUE, R_UNSUP, NULL, NULL },
    { "/qemu/model/9.2.50/skl-1916", 9, 2, 50, 0x1916, &GGC_SKL, -1, I440FX, AUTO,
      9, TRUE, TRUE, 1, 0x01c1, TRUE, 32 * MiB, 0x5c, -1, 0x40, TRUE, NULL, NULL, NULL },

    /* ---- QEMU 10.1: OpRegion detection, legacy gen 6–9 only, x-igd-gms fatal when wrong ---- */
    { "/qemu/model/10.1/skl-1916", 10, 1, 0, 0x1916, &GGC_SKL, -1, I440FX, AUTO,
      9, TRUE, TRUE, 1, 0x01c1, TRUE, 32 * MiB, 0x5c, -1, 0xfe, TRUE, NULL, NULL, NULL },
    { "/qemu/model/10.1/skl-1916-gms-0xf2", 10, 1, 0, 0x1916, &GGC_SKL, 0xf2, I440FX, AUTO,
      9, TRUE, TRUE, 0xf2, 0xf2c1, TRUE, 12 * MiB, 0x5c, -1, 0xfe, TRUE, NULL, NULL, NULL },
    /* a refused x-igd-gms crashes 10.1+ (no start error, no legacy mode: /qemu/model/crashes) */
    { "/qemu/model/10.1/skl-1916-gms-0x41", 10, 1, 0, 0x1916, &GGC_SKL, 0x41, I440FX, AUTO,
      9, TRUE, FALSE, 1, 0x01c1, FALSE, 0, 0, -1, 0xfe, FALSE, NULL, NULL, NULL },
    { "/qemu/model/10.1/snb-0102-gms-0x11", 10, 1, 0, 0x0102, &GGC_SNB_H61, 0x11, I440FX, AUTO,
      6, TRUE, FALSE, 2, 0x0210, FALSE, 0, 0, -1, 0x10, FALSE, NULL, NULL, NULL },
    { "/qemu/model/10.1/hsw-0416", 10, 1, 0, 0x0416, &GGC_HSW_E6540, -1, I440FX, AUTO,
      7, TRUE, TRUE, 1, 0x0209, TRUE, 32 * MiB, 0x5c, -1, 0x10, TRUE, NULL, NULL, NULL },
    { "/qemu/model/10.1/tgl-9a49", 10, 1, 0, 0x9a49, &GGC_SKL, -1, I440FX, AUTO,
      12, TRUE, FALSE, 1, 0x01c1, TRUE, 32 * MiB, 0xc0, -1, 0xfe, TRUE,
      "device 9a49 (gen 12) doesn't support legacy mode", NULL, NULL },
    { "/qemu/model/10.1/tgl-9a49-on", 10, 1, 0, 0x9a49, &GGC_SKL, -1, I440FX, ON,
      12, TRUE, FALSE, 1, 0x01c1, FALSE, 0, 0, -1, 0xfe, TRUE, "gen 12",
      "Machine is not i440fx, assigned BDF is not 00:02.0, or device 9a49 (gen 12) doesn't support legacy mode", NULL },
    { "/qemu/model/10.1/adl-4680", 10, 1, 0, 0x4680, &GGC_SKL, -1, I440FX, AUTO,
      12, TRUE, FALSE, 1, 0x01c1, TRUE, 32 * MiB, 0xc0, -1, 0xfe, TRUE, "(gen 12)", NULL, NULL },
    { "/qemu/model/10.1/mtl-7d55", 10, 1, 0, 0x7d55, &GGC_SKL, -1, I440FX, AUTO,
      -1, TRUE, FALSE, 1, 0x01c1, TRUE, 0, 0, -1, 0, TRUE, "device 7d55 (gen -1)", NULL, "etc/igd-bdsm-size is 0 for device 7d55" },
    { "/qemu/model/10.1/mtl-7d55-gms1", 10, 1, 0, 0x7d55, &GGC_SKL, 1, I440FX, AUTO,
      -1, TRUE, FALSE, 1, 0x01c1, FALSE, 0, 0, -1, 0, FALSE, "(gen -1)", NULL, NULL },
    { "/qemu/model/10.1/skl-1916-ivd", 10, 1, 0, 0x1916, &GGC_SKL_IVD, -1, I440FX, AUTO,
      9, FALSE, FALSE, 1, 0x01c3, FALSE, 0, 0, -1, 0, TRUE, "IVD", NULL, NULL },
    { "/qemu/model/10.2/skl-1916-ivd", 10, 2, 0, 0x1916, &GGC_SKL_IVD, -1, I440FX, AUTO,
      9, TRUE, FALSE, 1, 0x01c3, TRUE, 32 * MiB, 0x5c, -1, 0xfe, TRUE, "IVD", NULL, NULL },
    { "/qemu/model/10.2/skl-1916", 10, 2, 0, 0x1916, &GGC_SKL, -1, I440FX, AUTO,
      9, TRUE, TRUE, 1, 0x01c1, TRUE, 32 * MiB, 0x5c, -1, 0xfe, TRUE, NULL, NULL, NULL },
};

static void
test_model_case(gconstpointer data)
{
    const ModelCase *c = data;
    g_autoptr(IgdQemuCaps) caps = igd_qemu_caps_new_for_version(c->major, c->minor, c->micro);
    g_autoptr(GError) error = NULL;
    IgdGmchInfo gmch = { 0 };
    IgdQemuIgdModel m;

    if (c->ggc != NULL) {
        gmch.ggc = c->ggc->ggc;
        gmch.stolen_bytes = c->ggc->stolen;
        gmch.vga_disabled = c->ggc->ivd;
    }
    g_assert_true(run_model(caps, c->device_id, NULL, c->ggc ? &gmch : NULL, c->x_igd_gms, c->machine, c->legacy_mode, NULL, &m, &error));
    g_assert_no_error(error);
    g_assert_cmpint(m.qemu_gen, ==, c->gen);
    g_assert_cmpint(m.recognised, ==, c->recognised);
    g_assert_cmpint(m.legacy_possible, ==, c->legacy);
    g_assert_cmphex(m.guest_gms, ==, c->guest_gms);
    g_assert_cmphex(m.guest_ggc, ==, c->guest_ggc);
    g_assert_cmpint(m.bdsm_size_file, ==, c->file);
    g_assert_cmpuint(m.bdsm_size, ==, c->bdsm);
    g_assert_cmphex(m.bdsm_offset, ==, c->bdsm_offset);
    g_assert_cmpint(m.x_igd_gms_needed, ==, c->needed);
    g_assert_cmphex(m.x_igd_gms_max, ==, c->gms_max);
    g_assert_cmpint(m.x_igd_gms_valid, ==, c->gms_valid);
    g_assert_cmpint(m.opregion_default_on, ==, c->major > 10 || (c->major == 10 && c->minor >= 1));
    if (c->reason == NULL) {
        g_assert_null(m.legacy_reason);
    } else {
        g_assert_nonnull(m.legacy_reason);
        g_assert_nonnull(strstr(m.legacy_reason, c->reason));
    }
    if (c->start_error == NULL) {
        g_assert_null(m.start_error);
    } else {
        g_assert_nonnull(m.start_error);
        g_assert_nonnull(strstr(m.start_error, c->start_error));
    }
    if (c->warning == NULL) {
        g_assert_null(m.warning);
    } else {
        g_assert_nonnull(m.warning);
        g_assert_nonnull(strstr(m.warning, c->warning));
    }
    g_assert_cmpint(m.lpc_bridge_created, ==, c->legacy);
    igd_qemu_igd_model_clear(&m);
    igd_qemu_igd_model_clear(&m); /* idempotent */
}

/*
 * igd_gen() per version for the fixture ids and a few table edges:
 *   7.2 – 9.1: devid & 0xff00 in {01,04,0a,0c,0d,0f} → 6, {16,19,22,59} → 8,
 *              old {00,25,27,29,2a,2e,35,a0} → -1, anything else 8; (id & 0xfff) == 0xa84 → 8.
 *   9.2: same plus 3e → 9, 45 → 11, 9a → 12, anything else -1.
 *   10.0+: 01 → 6; 04/0a/0c/0d/0f → 7; 16/22 → 8; 19/31/59/3e/9b → 9; 8a/45/4e → 11;
 *          9a/4c/46/a7 → 12; (id & 0xffe) == 0xa84 → 9; else -1.
 */
static void
test_gen_tables(void)
{
    static const struct {
        guint16 id;
        gint g72, g92, g100;
    } ids[] = {
        { 0x0102, 6, 6, 6 }, { 0x0126, 6, 6, 6 }, { 0x0166, 6, 6, 6 }, { 0x0152, 6, 6, 6 },
        { 0x0416, 6, 6, 7 }, { 0x1916, 8, 8, 9 }, { 0x1912, 8, 8, 9 }, { 0x3e92, 8, 9, 9 },
        { 0x9a49, 8, 12, 12 }, { 0x4680, 8, -1, 12 }, { 0x7d55, 8, -1, -1 },
        { 0x2a42, -1, -1, -1 },  /* GM45: "Old, untested" before 10.0, absent after */
        { 0x0a84, 8, 8, 9 },     /* Broxton: the (id & 0xfff) == 0xa84 rule; 0x0a prefix is Haswell */
        { 0x5a85, 8, -1, 9 },    /* Apollo Lake: only 10.0's & 0xffe rule catches it */
        { 0x3185, 8, -1, 9 },    /* Gemini Lake, added in 10.0 */
        { 0x9b41, 8, -1, 9 },    /* Comet Lake, added in 10.0 */
        { 0x22b0, 8, 8, 8 },     /* Cherryview */
        { 0x0f31, 6, 6, 7 },     /* Valleyview */
        { 0x4e71, 8, -1, 11 },   /* Jasper Lake */
        { 0x4571, 8, 11, 11 },   /* Elkhart Lake */
        { 0xa780, 8, -1, 12 },   /* Raptor Lake */
    };
    g_autoptr(IgdQemuCaps) c72 = igd_qemu_caps_new_for_version(7, 2, 0);
    g_autoptr(IgdQemuCaps) c91 = igd_qemu_caps_new_for_version(9, 1, 0);
    g_autoptr(IgdQemuCaps) c92 = igd_qemu_caps_new_for_version(9, 2, 0);
    g_autoptr(IgdQemuCaps) c100 = igd_qemu_caps_new_for_version(10, 0, 0);
    g_autoptr(IgdQemuCaps) c101 = igd_qemu_caps_new_for_version(10, 1, 0);
    g_autoptr(IgdQemuCaps) c110 = igd_qemu_caps_new_for_version(11, 0, 0);

    for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
        g_test_message("device %04x", ids[i].id);
        g_assert_cmpint(igd_qemu_gen(c72, ids[i].id), ==, ids[i].g72);
        g_assert_cmpint(igd_qemu_gen(c91, ids[i].id), ==, ids[i].g72);
        g_assert_cmpint(igd_qemu_gen(c92, ids[i].id), ==, ids[i].g92);
        g_assert_cmpint(igd_qemu_gen(c100, ids[i].id), ==, ids[i].g100);
        g_assert_cmpint(igd_qemu_gen(c101, ids[i].id), ==, ids[i].g100);
        g_assert_cmpint(igd_qemu_gen(c110, ids[i].id), ==, ids[i].g100);
    }
}

/*
 * What crashes QEMU instead of being refused (the model used to call the
 * first one a start error). Each case quotes the QEMU source it follows:
 *
 * A. x-igd-gms refused, 10.1 and later: hw/vfio/igd.c v10.2.0 lines 628-630
 *    "if (!vfio_pci_igd_override_gms(gen, vdev->igd_gms, &gmch)) { return
 *    false; }" (v10.1.0 623, v11.0.0 628, v11.1.0-rc2 627), where
 *    vfio_pci_igd_override_gms() only calls error_report(
 *    QERR_INVALID_PARAMETER_VALUE, "x-igd-gms", "0~0x40 or 0xf0~0xfe") (or
 *    "x-igd-gms is not supported on this device" for gen -1); realize's
 *    error_prepend() → error_vprepend() "g_string_append(newmsg,
 *    (*errp)->msg);" (util/error.c v10.2.0 line 137) on a NULL *errp.
 *    10.0 only reports it and keeps the host GMS.
 * B. auto legacy mode, LPC bridge setup fails: v10.2.0 line 610
 *    "!vfio_pci_igd_setup_lpc_bridge(vdev, errp)) { goto error;" with
 *    "Cannot create LPC bridge due to existing device at 1f.0"; the label
 *    (line 676) "error_report_err(err);" with err NULL →
 *    error_get_pretty() "return err->msg;" (util/error.c line 224). With
 *    x-igd-legacy-mode=on the same error is a clean start error. 10.0 also
 *    for a kernel without the OpRegion region (line 574
 *    vfio_pci_igd_setup_opregion(vdev, errp), "Device does not supports IGD
 *    OpRegion feature"); 10.1+ gives such a device no quirk at all.
 * C. legacy mode, no VGA region: v10.2.0 lines 584-586 "if
 *    (vfio_populate_vga(vdev, &err)) ... else { error_setg(&err, "Unable to
 *    enable VGA access");" after vfio_populate_vga() set err → error_setv()
 *    "assert(*errp == NULL);" (util/error.c line 62): abort.
 */
static void
test_model_crashes(void)
{
    static const struct {
        guint major, minor, micro;
        guint16 id;
        gint gms;
        IgdQemuLegacyMode mode;
        gboolean vga, regions, slot_1f_free;
        IgdQemuCrash crash;
        const char *reason;      /* substring of crash_reason */
        const char *start_error; /* instead of a crash */
    } cases[] = {
        /* A */
        { 10, 1, 0, 0x1916, 0x41, AUTO, TRUE, TRUE, TRUE, IGD_QEMU_CRASH_GMS,
          "prints \"Parameter 'x-igd-gms' expects 0~0x40 or 0xf0~0xfe\" and returns false without setting errp "
          "(hw/vfio/igd.c v10.1.0 line 623)", NULL },
        { 10, 2, 0, 0x1916, 0x50, OFF, TRUE, TRUE, TRUE, IGD_QEMU_CRASH_GMS, "v10.2.0 line 628", NULL },
        { 11, 0, 0, 0x0102, 0x11, AUTO, TRUE, TRUE, TRUE, IGD_QEMU_CRASH_GMS,
          "\"Parameter 'x-igd-gms' expects 0~0x10\"", NULL },
        { 11, 0, 92, 0x0102, 0x11, AUTO, TRUE, TRUE, TRUE, IGD_QEMU_CRASH_GMS, "v11.1.0-rc2 line 627", NULL },
        { 10, 1, 0, 0x7d55, 1, OFF, TRUE, TRUE, TRUE, IGD_QEMU_CRASH_GMS,
          "\"x-igd-gms is not supported on this device\"", NULL },
        { 10, 1, 0, 0x64a0, 2, AUTO, TRUE, TRUE, TRUE, IGD_QEMU_CRASH_GMS, "(util/error.c line 140)", NULL },
        { 10, 0, 0, 0x1916, 0x41, AUTO, TRUE, TRUE, TRUE, IGD_QEMU_CRASH_NONE, NULL, NULL }, /* 10.0: ignored */
        { 10, 1, 0, 0x1916, 0xf2, AUTO, TRUE, TRUE, TRUE, IGD_QEMU_CRASH_NONE, NULL, NULL }, /* accepted */
        /* B */
        { 10, 2, 0, 0x1916, -1, AUTO, TRUE, TRUE, FALSE, IGD_QEMU_CRASH_LEGACY_SETUP,
          "\"Cannot create LPC bridge due to existing device at 1f.0\" into errp (hw/vfio/igd.c v10.2.0 line 610), "
          "and the error label calls error_report_err(err) with its own err still NULL (line 676; util/error.c line "
          "224", NULL },
        { 10, 2, 0, 0x1916, -1, ON, TRUE, TRUE, FALSE, IGD_QEMU_CRASH_NONE, NULL,
          "Cannot create LPC bridge due to existing device at 1f.0" },
        { 10, 0, 0, 0x1916, -1, AUTO, TRUE, FALSE, TRUE, IGD_QEMU_CRASH_LEGACY_SETUP,
          "\"Device does not supports IGD OpRegion feature\" into errp (hw/vfio/igd.c v10.0.0 line 574)", NULL },
        { 10, 1, 0, 0x1916, -1, AUTO, TRUE, FALSE, TRUE, IGD_QEMU_CRASH_NONE, NULL, NULL }, /* no quirk at all */
        { 11, 1, 0, 0x1916, -1, AUTO, TRUE, TRUE, FALSE, IGD_QEMU_CRASH_LEGACY_SETUP, "line 675", NULL },
        { 10, 2, 0, 0x1916, -1, OFF, TRUE, TRUE, FALSE, IGD_QEMU_CRASH_NONE, NULL, NULL }, /* no legacy mode */
        { 10, 2, 0, 0x9a49, -1, AUTO, TRUE, TRUE, FALSE, IGD_QEMU_CRASH_NONE, NULL, NULL }, /* gen 12: no legacy */
        { 9, 2, 0, 0x1916, -1, AUTO, TRUE, TRUE, FALSE, IGD_QEMU_CRASH_NONE, NULL, NULL },
        /* C */
        { 10, 2, 0, 0x1916, -1, AUTO, FALSE, TRUE, TRUE, IGD_QEMU_CRASH_VGA,
          "error_setg(&err, \"Unable to enable VGA access\") asserts that it is unset (hw/vfio/igd.c v10.2.0 line "
          "586; util/error.c line 62, assert(*errp == NULL))", NULL },
        { 10, 0, 0, 0x1916, -1, ON, FALSE, TRUE, TRUE, IGD_QEMU_CRASH_VGA, "v10.0.0 line 559", NULL },
        { 11, 0, 0, 0x0416, -1, AUTO, FALSE, TRUE, TRUE, IGD_QEMU_CRASH_VGA, "v11.0.0 line 586", NULL },
        { 7, 2, 0, 0x1916, -1, AUTO, FALSE, TRUE, TRUE, IGD_QEMU_CRASH_NONE, NULL, NULL }, /* legacy off only */
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(IgdQemuCaps) caps = igd_qemu_caps_new_for_version(cases[i].major, cases[i].minor, cases[i].micro);
        IgdGmchInfo gmch = { .ggc = 0x01c1, .stolen_bytes = 32 * MiB };
        IgdQemuSetup setup;
        IgdQemuIgdModel m;
        g_autofree char *why = NULL;

        g_test_message("case %u: QEMU %u.%u.%u %04x x-igd-gms %d", i, cases[i].major, cases[i].minor,
                       cases[i].micro, cases[i].id, cases[i].gms);
        igd_qemu_setup_init(&setup);
        setup.vga_region = cases[i].vga;
        setup.kernel_regions = cases[i].regions;
        setup.slot_1f_free = cases[i].slot_1f_free;
        g_assert_true(run_model(caps, cases[i].id, NULL, &gmch, cases[i].gms, I440FX, cases[i].mode, &setup, &m, NULL));
        g_assert_cmpint(m.crash, ==, cases[i].crash);
        if (cases[i].crash == IGD_QEMU_CRASH_NONE) {
            g_assert_null(m.crash_reason);
        } else {
            g_assert_nonnull(m.crash_reason);
            if (strstr(m.crash_reason, cases[i].reason) == NULL)
                g_error("'%s' does not contain '%s'", m.crash_reason, cases[i].reason);
            g_assert_null(m.start_error); /* a crash is not a refusal */
            g_assert_false(m.legacy_possible);
        }
        g_assert_cmpstr(m.start_error, ==, cases[i].start_error);
        /* the pure x-igd-gms check agrees with the model */
        g_assert_cmpint(igd_qemu_gms_crashes(caps, cases[i].id, cases[i].gms, &why), ==,
                        cases[i].crash == IGD_QEMU_CRASH_GMS);
        g_assert_true((why != NULL) == (cases[i].crash == IGD_QEMU_CRASH_GMS));
        igd_qemu_igd_model_clear(&m);
    }
}

/*
 * QEMU after 10.2, hw/vfio/igd.c at each release's VERSION commit:
 *  - v11.0.0 (98b060da3a): differs from v10.2.0 only in two #include lines
 *    (hw/boards.h → hw/core/boards.h, hw/hw.h → hw/core/hw-error.h): every
 *    10.2 case of the table gives the same model on 11.0.0;
 *  - v11.1.0-rc2 (e1705a25af, VERSION 11.0.92) adds vfio_igd_legacy_rom_quirk()
 *    (commit 256229e8f9, not in rc1 = 11.0.91): "if (gen < 6 || gen > 9)
 *    { return; }", then "memset(rom + bdsm_offset, 0, sizeof(uint32_t));" on
 *    the VBIOS's saved BDSM, for the ROM vfio_pci_load_rom() read from the
 *    device only (hw/vfio/pci.c: "if (pdev->romfile || !pdev->rom_bar)" leaves
 *    a romfile= to the PCI core);
 *  - 10.0 removed the IO BAR4 GTT write quirk (5aed8b0f0b), which 7.2 – 9.2
 *    used to relocate the VBIOS's host-BDSM GTT entries;
 *  - nothing newer than 11.1.0-rc2 was read: such a version is judged as 11.1
 *    and the model says so.
 */
static void
test_model_versions(void)
{
    static const struct {
        guint major, minor, micro;
        const char *machine;
        gboolean romfile;
        IgdQemuVbiosBdsm vbios;
        const char *note;
    } cases[] = {
        { 7, 2, 0, I440FX, FALSE, IGD_QEMU_VBIOS_BDSM_RELOCATED, NULL },
        { 9, 2, 0, I440FX, FALSE, IGD_QEMU_VBIOS_BDSM_RELOCATED, NULL },
        { 10, 0, 0, I440FX, FALSE, IGD_QEMU_VBIOS_BDSM_STALE, NULL },
        { 10, 2, 0, I440FX, FALSE, IGD_QEMU_VBIOS_BDSM_STALE, NULL },
        { 11, 0, 0, I440FX, FALSE, IGD_QEMU_VBIOS_BDSM_STALE, NULL },
        { 11, 0, 91, I440FX, FALSE, IGD_QEMU_VBIOS_BDSM_STALE, NULL },  /* 11.1.0-rc1 */
        { 11, 0, 92, I440FX, FALSE, IGD_QEMU_VBIOS_BDSM_CLEARED, NULL }, /* 11.1.0-rc2 */
        { 11, 0, 92, I440FX, TRUE, IGD_QEMU_VBIOS_BDSM_STALE, NULL },    /* romfile= is not patched */
        { 11, 0, 92, "pc-q35-11.0", FALSE, IGD_QEMU_VBIOS_BDSM_NONE, NULL },
        { 11, 1, 0, I440FX, FALSE, IGD_QEMU_VBIOS_BDSM_CLEARED,
          "QEMU 11.1.0 is newer than the last igd.c read (11.1.0-rc2): judged as 11.1" },
        { 11, 2, 0, I440FX, FALSE, IGD_QEMU_VBIOS_BDSM_CLEARED,
          "QEMU 11.2.0 is newer than the last igd.c read (11.1.0-rc2): judged as 11.1" },
        { 11, 1, 50, I440FX, FALSE, IGD_QEMU_VBIOS_BDSM_CLEARED,
          "QEMU 11.1.50 is newer than the last igd.c read (11.1.0-rc2): judged as 11.1" },
        { 12, 0, 0, I440FX, TRUE, IGD_QEMU_VBIOS_BDSM_STALE,
          "QEMU 12.0.0 is newer than the last igd.c read (11.1.0-rc2): judged as 11.1" },
    };
    IgdGmchInfo gmch = { .ggc = 0x01c1, .stolen_bytes = 32 * MiB };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(IgdQemuCaps) caps = igd_qemu_caps_new_for_version(cases[i].major, cases[i].minor, cases[i].micro);
        g_autofree char *note = igd_qemu_version_note(caps);
        IgdQemuSetup setup;
        IgdQemuIgdModel m;

        g_test_message("QEMU %u.%u.%u", cases[i].major, cases[i].minor, cases[i].micro);
        igd_qemu_setup_init(&setup);
        setup.romfile = cases[i].romfile;
        g_assert_true(run_model(caps, 0x1916, NULL, &gmch, -1, cases[i].machine, AUTO, &setup, &m, NULL));
        g_assert_cmpint(m.vbios_bdsm, ==, cases[i].vbios);
        g_assert_cmpstr(m.note, ==, cases[i].note);
        g_assert_cmpstr(note, ==, cases[i].note);
        /* vfio-pci's IGD properties did not change after 10.1 (hw/vfio/pci.c v11.1.0-rc2 lines 3885-3924:
         * x-igd-opregion, x-igd-lpc, x-igd-legacy-mode, x-igd-gms) */
        if (cases[i].major >= 11)
            g_assert_true(caps->x_igd_opregion && caps->x_igd_gms && caps->x_igd_legacy_mode && caps->x_igd_lpc &&
                          caps->x_igd_opregion_default_on && caps->vfio_pci_props->len == 4);
        igd_qemu_igd_model_clear(&m);
    }
    g_assert_cmpstr(igd_qemu_vbios_bdsm_to_string(IGD_QEMU_VBIOS_BDSM_CLEARED), ==, "cleared");
    g_assert_null(igd_qemu_vbios_bdsm_to_string(IGD_QEMU_VBIOS_BDSM_NONE));

    /* 11.0.0 is 10.2.0 for every 10.2 row of the table */
    for (guint i = 0; i < G_N_ELEMENTS(model_cases); i++) {
        const ModelCase *c = &model_cases[i];
        g_autoptr(IgdQemuCaps) c102 = NULL;
        g_autoptr(IgdQemuCaps) c110 = NULL;
        IgdGmchInfo g = { 0 };
        IgdQemuIgdModel a, b;

        if (c->major != 10 || c->minor != 2)
            continue;
        c102 = igd_qemu_caps_new_for_version(10, 2, 0);
        c110 = igd_qemu_caps_new_for_version(11, 0, 0);
        if (c->ggc) {
            g.ggc = c->ggc->ggc;
            g.stolen_bytes = c->ggc->stolen;
            g.vga_disabled = c->ggc->ivd;
        }
        g_assert_true(run_model(c102, c->device_id, NULL, c->ggc ? &g : NULL, c->x_igd_gms, c->machine, c->legacy_mode, NULL, &a, NULL));
        g_assert_true(run_model(c110, c->device_id, NULL, c->ggc ? &g : NULL, c->x_igd_gms, c->machine, c->legacy_mode, NULL, &b, NULL));
        g_assert_cmpint(a.legacy_possible, ==, b.legacy_possible);
        g_assert_cmphex(a.guest_ggc, ==, b.guest_ggc);
        g_assert_cmpuint(a.bdsm_size, ==, b.bdsm_size);
        g_assert_cmpint(a.bdsm_size_file, ==, b.bdsm_size_file);
        g_assert_cmpstr(a.legacy_reason, ==, b.legacy_reason);
        g_assert_cmpint(a.vbios_bdsm, ==, b.vbios_bdsm);
        igd_qemu_igd_model_clear(&a);
        igd_qemu_igd_model_clear(&b);
    }
}

/*
 * Cherryview under QEMU, on tests/data/hosts/chv-ideapad-gms-13 (GGC 0x0398:
 * Cherryview GMS bits 7:3 = 0x13 → (0x13 - 0x11) × 4 + 8 = 16 MiB, GGMS
 * bits 9:8 = 3 → 1 << (20 + 3) = 8 MiB of GTT; Linux early-quirks
 * chv_stolen_size(), i915 chv_get_total_gtt_size()). Every QEMU takes
 * 0x22b0 for gen 8 ("case 0x2200: return 8", igd_gen() 7.2 and 10.0+) and
 * so reads and writes GMS in bits 15:8:
 *  - 7.2 – 9.1: "gmch &= ~((gen < 8 ? 0x1f : 0xff) << (gen < 8 ? 3 : 8))"
 *    (v7.2.0 igd.c line 543) → guest GGC 0x0098: GMS 0x13 kept (16 MiB),
 *    GGMS 0: no GTT; bdsm-size = ggms_mb from "(gmch >> (gen < 8 ? 8 : 6)) &
 *    0x3" = 2 → 1 << 2 = 4 MiB (line 532) + 0. x-igd-gms=3 is OR'd back into
 *    bits 15:8 ("gmch |= vdev->igd_gms << (gen < 8 ? 3 : 8)", line 548): GGC
 *    0x0398 again, bdsm-size 4 + 3 × 32 = 100 MiB.
 *  - 10.1: GGC passes through (emulated only with x-igd-gms): 16 MiB, 8 MiB
 *    of GTT; bdsm-size igd_stolen_memory_size(8, gmch) = ((0x0398 >> 8) &
 *    0xff) × 32 = 96 MiB. x-igd-gms=1 → GGC 0x0198: Cherryview GGMS 1 (2 MiB
 *    of GTT), GMS still 0x13 (16 MiB), bdsm-size 32 MiB.
 * The model used to say 0 MiB (7.2) and 32 MiB (10.1, x-igd-gms=1): QEMU's
 * gms × 32 MiB, not what the Cherryview guest reads.
 */
static void
test_model_chv(void)
{
    static const struct {
        guint major, minor;
        gint gms;
        guint16 ggc;
        guint guest_gms;
        guint64 stolen, gtt, bdsm;
        gint needed;
    } cases[] = {
        { 7, 2, -1, 0x0098, 0x13, 16 * MiB, 0, 4 * MiB, 3 },
        { 7, 2, 3, 0x0398, 0x13, 16 * MiB, 8 * MiB, 100 * MiB, 3 },
        { 9, 1, -1, 0x0098, 0x13, 16 * MiB, 0, 4 * MiB, 3 },
        { 10, 1, -1, 0x0398, 0x13, 16 * MiB, 8 * MiB, 96 * MiB, -1 },
        { 10, 1, 1, 0x0198, 0x13, 16 * MiB, 2 * MiB, 32 * MiB, -1 },
    };
    g_autofree char *path = igd_test_srcpath("data/hosts/chv-ideapad-gms-13/sys/bus/pci/devices/0000:00:02.0/config");
    g_autoptr(GBytes) cfg = igd_test_load(path);
    const IgdPlatformInfo *chv = igd_platform_lookup(0x22b0);
    gsize len = 0;
    const guint8 *bytes = g_bytes_get_data(cfg, &len);
    IgdGmchInfo gmch;

    g_assert_true(igd_gmch_decode(chv, bytes, len, &gmch, NULL));
    g_assert_cmphex(gmch.ggc, ==, 0x0398);
    g_assert_cmpuint(gmch.stolen_bytes, ==, 16 * MiB);
    g_assert_cmpuint(gmch.gtt_bytes, ==, 8 * MiB);
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(IgdQemuCaps) caps = igd_qemu_caps_new_for_version(cases[i].major, cases[i].minor, 0);
        IgdQemuIgdModel m;

        g_test_message("QEMU %u.%u x-igd-gms %d", cases[i].major, cases[i].minor, cases[i].gms);
        g_assert_true(run_model(caps, 0x22b0, chv, &gmch, cases[i].gms, I440FX, IGD_QEMU_LEGACY_AUTO, NULL, &m, NULL));
        g_assert_cmpint(m.qemu_gen, ==, 8);
        g_assert_true(m.legacy_possible);
        g_assert_cmphex(m.guest_ggc, ==, cases[i].ggc);
        g_assert_cmphex(m.guest_gms, ==, cases[i].guest_gms);
        g_assert_cmpuint(m.guest_stolen_bytes, ==, cases[i].stolen);
        g_assert_cmpuint(m.guest_gtt_bytes, ==, cases[i].gtt);
        g_assert_cmpuint(m.bdsm_size, ==, cases[i].bdsm);
        g_assert_cmpint(m.x_igd_gms_needed, ==, cases[i].needed);
        g_assert_nonnull(m.warning);
        g_assert_nonnull(strstr(m.warning, "Cherryview keeps GMS in GGC bits 7:3"));
        igd_qemu_igd_model_clear(&m);
    }
}

/*
 * The no-ROM message as each version prints it: 7.2 – 9.2
 * "error_report("IGD device %s has no ROM, legacy mode disabled",
 * vdev->vbasedev.name)" (hw/vfio/igd.c v7.2.0 line 426, v9.1.0 429, v9.2.0
 * 569); 10.0 on "error_setg(&err, "Device has no ROM")" (v10.0.0 548,
 * v10.2.0 574, v11.0.0 574, v11.1.0-rc2 573) then "error_report("IGD legacy
 * mode disabled")" (v10.0.0 651, v10.2.0 677).
 */
static void
test_no_rom_message(void)
{
    static const struct { guint major, minor, micro; const char *msg; } cases[] = {
        { 7, 2, 0, "\"IGD device 0000:00:02.0 has no ROM, legacy mode disabled\"" },
        { 9, 1, 0, "\"IGD device 0000:00:02.0 has no ROM, legacy mode disabled\"" },
        { 9, 2, 0, "\"IGD device 0000:00:02.0 has no ROM, legacy mode disabled\"" },
        { 9, 2, 50, "\"Device has no ROM\", then \"IGD legacy mode disabled\"" },
        { 10, 0, 0, "\"Device has no ROM\", then \"IGD legacy mode disabled\"" },
        { 10, 2, 0, "\"Device has no ROM\", then \"IGD legacy mode disabled\"" },
        { 11, 0, 92, "\"Device has no ROM\", then \"IGD legacy mode disabled\"" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(IgdQemuCaps) caps = igd_qemu_caps_new_for_version(cases[i].major, cases[i].minor, cases[i].micro);
        g_assert_cmpstr(igd_qemu_no_rom_message(caps), ==, cases[i].msg);
    }
}

/* QEMU's own GMS → bytes per version (igd_get_stolen_mb 9.2, igd_stolen_memory_size 10.0+). */
static void
test_gms_to_bytes(void)
{
    g_autoptr(IgdQemuCaps) c72 = igd_qemu_caps_new_for_version(7, 2, 0);
    g_autoptr(IgdQemuCaps) c92 = igd_qemu_caps_new_for_version(9, 2, 0);
    g_autoptr(IgdQemuCaps) c100 = igd_qemu_caps_new_for_version(10, 0, 0);

    g_assert_cmpuint(igd_qemu_gms_to_bytes(c72, 8, 0x10), ==, 512 * MiB);
    g_assert_cmpuint(igd_qemu_gms_to_bytes(c72, -1, 2), ==, 0);
    /* 9.2, gen < 9: GMS > 0x10 is "Unsupported IGD GMS value" → 0 */
    g_assert_cmpuint(igd_qemu_gms_to_bytes(c92, 8, 0x11), ==, 0);
    g_assert_cmpuint(igd_qemu_gms_to_bytes(c92, 8, 0x10), ==, 512 * MiB);
    g_assert_cmpuint(igd_qemu_gms_to_bytes(c92, 9, 0xf0), ==, 4 * MiB);
    g_assert_cmpuint(igd_qemu_gms_to_bytes(c92, 12, 0xfe), ==, 60 * MiB);
    /* 10.0: no cap below gen 9; 0xf0 – 0xfe in 4 MiB steps from 4 MiB */
    g_assert_cmpuint(igd_qemu_gms_to_bytes(c100, 8, 0x40), ==, 2048 * MiB);
    g_assert_cmpuint(igd_qemu_gms_to_bytes(c100, 9, 0xf1), ==, 8 * MiB);
    g_assert_cmpuint(igd_qemu_gms_to_bytes(c100, 11, 0xef), ==, 0xef * 32 * MiB);
}

static void
test_model_errors(void)
{
    g_autoptr(IgdQemuCaps) caps = igd_qemu_caps_new_for_version(0, 0, 0);
    g_autoptr(IgdQemuCaps) nogms = igd_qemu_caps_new_for_version(7, 2, 0);
    g_autoptr(GError) error = NULL;
    IgdGmchInfo gmch = { .ggc = 0x01c1, .stolen_bytes = 32 * MiB };
    IgdQemuIgdModel m;

    g_assert_false(run_model(caps, 0x1916, NULL, &gmch, -1, NULL, IGD_QEMU_LEGACY_AUTO, NULL, &m, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    igd_qemu_igd_model_clear(&m);

    /* A build without x-igd-gms cannot be told a value. */
    nogms->x_igd_gms = FALSE;
    g_assert_true(run_model(nogms, 0x1916, NULL, &gmch, -1, "microvm", IGD_QEMU_LEGACY_AUTO, NULL, &m, NULL));
    g_assert_false(m.legacy_possible);
    g_assert_nonnull(strstr(m.legacy_reason, "'microvm' is not i440fx"));
    g_assert_cmpint(m.x_igd_gms_needed, ==, -1);
    igd_qemu_igd_model_clear(&m);
    g_assert_true(run_model(nogms, 0x1916, NULL, &gmch, -1, NULL, IGD_QEMU_LEGACY_AUTO, NULL, &m, NULL));
    g_assert_true(m.legacy_possible); /* NULL machine = i440fx */
    g_assert_cmpint(m.x_igd_gms_needed, ==, -1);
    g_assert_cmpuint(m.x_igd_gms_max, ==, 0);
    igd_qemu_igd_model_clear(&m);
}

/*
 * What the caller's platform adds: 7.2 runs Tiger Lake (i915 gen 12) as its
 * gen 8 with BDSM at 0x5C; a host stolen size above 512 MiB (GMS 0x11 on
 * Skylake = 17 × 32 = 544 MiB) cannot be matched by x-igd-gms ≤ 0x10.
 */
static void
test_model_warnings(void)
{
    static const IgdPlatformInfo tgl = { 0x9a49, "Tiger Lake", 12, NULL, "i915", 0 };
    static const IgdPlatformInfo skl = { 0x1916, "Skylake", 9, NULL, "i915", 0 };
    g_autoptr(IgdQemuCaps) c72 = igd_qemu_caps_new_for_version(7, 2, 0);
    IgdGmchInfo gmch = { .ggc = 0x01c1, .stolen_bytes = 32 * MiB };
    IgdGmchInfo big = { .ggc = 0x11c1, .stolen_bytes = 544 * MiB };
    IgdQemuIgdModel m;

    g_assert_true(run_model(c72, 0x9a49, &tgl, &gmch, -1, NULL, IGD_QEMU_LEGACY_AUTO, NULL, &m, NULL));
    g_assert_true(m.legacy_possible);
    g_assert_cmpstr(m.warning, ==, "QEMU 7.2 runs device 9a49 (gen 12) as gen 8: it emulates the 32-bit BDSM "
                    "at 0x5C, the device uses the 64-bit one at 0xC0");
    igd_qemu_igd_model_clear(&m);

    g_assert_true(run_model(c72, 0x1916, &skl, &big, 0x20, NULL, IGD_QEMU_LEGACY_AUTO, NULL, &m, NULL));
    g_assert_cmpint(m.x_igd_gms_needed, ==, 0x10);
    g_assert_cmpstr(m.warning, ==, "Unsupported IGD GMS value 0x20; host stolen memory 544 MiB is more than "
                    "x-igd-gms can give (0x10 = 512 MiB)");
    igd_qemu_igd_model_clear(&m);
}

/* ---- caps for a version -------------------------------------------------------------------------------- */

static void
test_caps_for_version(void)
{
    g_autoptr(IgdQemuCaps) c72 = igd_qemu_caps_new_for_version(7, 2, 0);
    g_autoptr(IgdQemuCaps) c100 = igd_qemu_caps_new_for_version(10, 0, 0);
    g_autoptr(IgdQemuCaps) c101 = igd_qemu_caps_new_for_version(10, 1, 2);

    g_assert_true(c72->x_igd_opregion && c72->x_igd_gms);
    g_assert_false(c72->x_igd_legacy_mode || c72->x_igd_lpc || c72->x_igd_opregion_default_on);
    g_assert_cmpuint(c72->vfio_pci_props->len, ==, 2);
    g_assert_true(c100->x_igd_legacy_mode && c100->x_igd_lpc);
    g_assert_false(c100->x_igd_opregion_default_on);
    g_assert_true(c101->x_igd_opregion_default_on);
    g_assert_cmpuint(c101->vfio_pci_props->len, ==, 4);
    g_assert_true(igd_qemu_caps_version_ge(c101, 10, 1));
    g_assert_true(igd_qemu_caps_version_ge(c101, 9, 9));
    g_assert_false(igd_qemu_caps_version_ge(c101, 10, 2));
    g_assert_false(igd_qemu_caps_version_ge(c72, 8, 0));
    g_assert_cmpstr(c101->version_string, ==, "QEMU emulator version 10.1.2");
}

static void
test_parse_version(void)
{
    static const struct {
        const char *text;
        gboolean ok;
        guint major, minor, micro;
    } cases[] = {
        { "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright\n", TRUE, 7, 2, 22 },
        { "QEMU emulator version 8.2.2 (Debian 1:8.2.2+ds-0ubuntu1.4)\n", TRUE, 8, 2, 2 },
        { "QEMU emulator version 9.2.50 (v9.2.0-1234-gdeadbeef)\n", TRUE, 9, 2, 50 },
        { "QEMU emulator version 10.1.0\r\n", TRUE, 10, 1, 0 },
        { "QEMU emulator version 6.0\n", TRUE, 6, 0, 0 },
        { "warning: something\nQEMU emulator version 10.0.3\n", TRUE, 10, 0, 3 },
        { "", FALSE, 0, 0, 0 },
        { "qemu-system-x86_64: version unknown\n", FALSE, 0, 0, 0 },
        { "QEMU emulator version x.y.z\n", FALSE, 0, 0, 0 },
        { "QEMU emulator version 7\n", FALSE, 0, 0, 0 },
        { "QEMU emulator version 123456.1.0\n", FALSE, 0, 0, 0 },
        { "QEMU emulator version 7.2.22abc\n", FALSE, 0, 0, 0 },
        { "\001\377\376 binary", FALSE, 0, 0, 0 },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(IgdQemuCaps) caps = igd_qemu_caps_new_for_version(1, 0, 0);
        g_autoptr(GError) error = NULL;
        gboolean ok = igd_qemu_caps_parse_version(caps, cases[i].text, &error);

        g_test_message("case %u", i);
        g_assert_cmpint(ok, ==, cases[i].ok);
        if (ok) {
            g_assert_no_error(error);
            g_assert_cmpuint(caps->major, ==, cases[i].major);
            g_assert_cmpuint(caps->minor, ==, cases[i].minor);
            g_assert_cmpuint(caps->micro, ==, cases[i].micro);
        } else {
            g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        }
    }
}

/* A caps with no version and no property, to be filled by a parser. */
static IgdQemuCaps *
empty_caps(void)
{
    IgdQemuCaps *caps = igd_qemu_caps_new_for_version(1, 0, 0);

    caps->x_igd_opregion = caps->x_igd_gms = caps->has_vfio_pci = FALSE;
    g_ptr_array_set_size(caps->vfio_pci_props, 0);
    return caps;
}

static void
test_parse_help(void)
{
    g_autofree char *p72 = igd_test_srcpath("data/qemu/7.2/vfio-pci-help.txt");
    g_autofree char *p101 = igd_test_srcpath("data/qemu/10.1/vfio-pci-help.txt");
    g_autoptr(GBytes) b72 = igd_test_load(p72);
    g_autoptr(GBytes) b101 = igd_test_load(p101);
    g_autoptr(IgdQemuCaps) c72 = empty_caps();
    g_autoptr(IgdQemuCaps) c101 = empty_caps();
    g_autoptr(IgdQemuCaps) old = empty_caps();
    g_autoptr(IgdQemuCaps) none = empty_caps();
    g_autoptr(IgdQemuCaps) junk = empty_caps();

    igd_qemu_caps_parse_help(c72, g_bytes_get_data(b72, NULL));
    g_assert_true(c72->has_vfio_pci);
    g_assert_true(c72->x_igd_opregion);
    g_assert_true(c72->x_igd_gms);
    g_assert_false(c72->x_igd_legacy_mode);
    g_assert_false(c72->x_igd_lpc);
    g_assert_false(c72->x_igd_opregion_default_on);
    g_assert_cmpuint(c72->vfio_pci_props->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(c72->vfio_pci_props, 0), ==, "x-igd-gms");
    g_assert_cmpstr(g_ptr_array_index(c72->vfio_pci_props, 1), ==, "x-igd-opregion");

    igd_qemu_caps_parse_help(c101, g_bytes_get_data(b101, NULL));
    g_assert_true(c101->x_igd_legacy_mode && c101->x_igd_lpc && c101->x_igd_opregion_default_on);
    g_assert_cmpuint(c101->vfio_pci_props->len, ==, 4);

    /* QEMU 1.x/2.0 style "vfio-pci.name=type" */
    igd_qemu_caps_parse_help(old, "vfio-pci.host=str\nvfio-pci.x-igd-opregion=bool\n");
    g_assert_true(old->has_vfio_pci && old->x_igd_opregion);
    g_assert_false(old->x_igd_gms);

    igd_qemu_caps_parse_help(none, "");
    g_assert_false(none->has_vfio_pci);
    g_assert_cmpuint(none->vfio_pci_props->len, ==, 0);

    /* Hostile lines: odd characters, overlong names, duplicates. */
    igd_qemu_caps_parse_help(junk, "x-igd-$(rm -rf)=<bool>\n=x\nx-igd-gms=<uint32>\nx-igd-gms=<uint32>\n"
                             "x-igd-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1\n\001\377\n");
    g_assert_cmpuint(junk->vfio_pci_props->len, ==, 1);
    g_assert_true(junk->x_igd_gms);
}

/* ---- probing: the real binary and tests/fake-qemu -------------------------------------------------------- */

static void
test_probe_real(void)
{
    const char *real = IGD_DEFAULT_QEMU;
    g_autoptr(IgdQemuCaps) caps = NULL;
    g_autoptr(IgdQemuCaps) expect = NULL;
    g_autoptr(GError) error = NULL;

    if (!g_file_test(real, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("no QEMU installed at " IGD_DEFAULT_QEMU);
        return;
    }
    caps = igd_qemu_caps_probe(real, NULL, 0, &error);
    g_assert_no_error(error);
    g_assert_nonnull(caps);
    g_assert_cmpstr(caps->binary, ==, real);
    g_assert_true(caps->has_vfio_pci);
    g_assert_cmpuint(caps->major, >=, 2);
    if (caps->major == 7 && caps->minor == 2) {
        /* Debian 12: hw/vfio/pci.c of 7.2 defines x-igd-opregion and x-igd-gms only. */
        g_assert_true(caps->x_igd_opregion);
        g_assert_true(caps->x_igd_gms);
        g_assert_false(caps->x_igd_legacy_mode);
        g_assert_false(caps->x_igd_lpc);
        g_assert_false(caps->x_igd_opregion_default_on);
    }
    /* Whatever the version, an upstream build offers what that version defines. */
    expect = igd_qemu_caps_new_for_version(caps->major, caps->minor, caps->micro);
    g_assert_cmpint(caps->x_igd_opregion, ==, expect->x_igd_opregion);
    g_assert_cmpint(caps->x_igd_gms, ==, expect->x_igd_gms);
    g_assert_cmpint(caps->x_igd_legacy_mode, ==, expect->x_igd_legacy_mode);
}

typedef struct {
    char *dir;
    char *binary;
    char *log;
    char *cache;
} Fake;

/* A copy of tests/fake-qemu in a fresh directory, configured by @conf (fake.conf lines). */
static Fake *
fake_new(const char *conf)
{
    Fake *f = g_new0(Fake, 1);
    g_autofree char *src = igd_test_srcpath("fake-qemu");
    g_autofree char *conf_path = NULL;
    g_autofree char *text = NULL;
    g_autofree char *script = NULL;
    gsize len = 0;

    f->dir = igd_test_mkdtemp();
    f->binary = g_build_filename(f->dir, "qemu-system-x86_64", NULL);
    f->log = g_build_filename(f->dir, "invocations.log", NULL);
    f->cache = g_build_filename(f->dir, "cache", NULL);
    g_assert_true(g_file_get_contents(src, &script, &len, NULL));
    g_assert_true(g_file_set_contents(f->binary, script, (gssize)len, NULL));
    g_assert_cmpint(g_chmod(f->binary, 0755), ==, 0);
    conf_path = g_build_filename(f->dir, "fake.conf", NULL);
    text = g_strdup_printf("LOG='%s'\n%s\n", f->log, conf);
    g_assert_true(g_file_set_contents(conf_path, text, -1, NULL));
    return f;
}

/* fake.conf lines pointing at a captured version/help pair under tests/data/qemu. */
static char *
fake_conf_data(const char *version_dir, const char *mode)
{
    g_autofree char *v = g_strdup_printf("data/qemu/%s/version.txt", version_dir);
    g_autofree char *h = g_strdup_printf("data/qemu/%s/vfio-pci-help.txt", version_dir);
    g_autofree char *vp = igd_test_srcpath(v);
    g_autofree char *hp = igd_test_srcpath(h);

    return g_strdup_printf("MODE=%s\nVERSION_FILE='%s'\nHELP_FILE='%s'", mode, vp, hp);
}

static guint
fake_runs(const Fake *f)
{
    g_autofree char *text = NULL;
    guint n = 0;

    if (!g_file_get_contents(f->log, &text, NULL, NULL))
        return 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

static void
fake_free(Fake *f)
{
    igd_test_rmtree(f->dir);
    g_free(f->dir);
    g_free(f->binary);
    g_free(f->log);
    g_free(f->cache);
    g_free(f);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Fake, fake_free)

static void
test_probe_fake_72(void)
{
    g_autofree char *conf = fake_conf_data("7.2", "ok");
    g_autoptr(Fake) f = fake_new(conf);
    g_autoptr(IgdQemuCaps) caps = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *log = NULL;

    caps = igd_qemu_caps_probe(f->binary, NULL, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(caps->binary, ==, f->binary);
    g_assert_cmpuint(caps->major, ==, 7);
    g_assert_cmpuint(caps->minor, ==, 2);
    g_assert_cmpuint(caps->micro, ==, 22);
    g_assert_cmpstr(caps->version_string, ==, "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)");
    g_assert_true(caps->has_vfio_pci && caps->x_igd_opregion && caps->x_igd_gms);
    g_assert_false(caps->x_igd_legacy_mode);
    /* The arguments QEMU was run with: no KVM, no display, no default devices. */
    g_assert_true(g_file_get_contents(f->log, &log, NULL, NULL));
    g_assert_cmpstr(log, ==, "--version\n-machine none -nodefaults -display none -device vfio-pci,help\n");
}

static void
test_probe_fake_101(void)
{
    g_autofree char *conf = fake_conf_data("10.1", "ok");
    g_autoptr(Fake) f = fake_new(conf);
    g_autoptr(IgdQemuCaps) caps = NULL;
    g_autoptr(GError) error = NULL;

    caps = igd_qemu_caps_probe(f->binary, f->cache, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(caps->major, ==, 10);
    g_assert_cmpuint(caps->minor, ==, 1);
    g_assert_true(caps->x_igd_legacy_mode && caps->x_igd_lpc && caps->x_igd_opregion_default_on);
}

static void
test_probe_env(void)
{
    g_autofree char *conf = fake_conf_data("7.2", "ok");
    g_autoptr(Fake) f = fake_new(conf);
    g_autoptr(IgdQemuCaps) caps = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *old = g_strdup(g_getenv("IGD_QEMU"));

    g_setenv("IGD_QEMU", f->binary, TRUE);
    caps = igd_qemu_caps_probe(NULL, NULL, 0, &error);
    if (old)
        g_setenv("IGD_QEMU", old, TRUE);
    else
        g_unsetenv("IGD_QEMU");
    g_assert_no_error(error);
    g_assert_cmpstr(caps->binary, ==, f->binary);
}

static void
test_probe_novfio(void)
{
    g_autofree char *conf = fake_conf_data("7.2", "novfio");
    g_autoptr(Fake) f = fake_new(conf);
    g_autoptr(IgdQemuCaps) caps = NULL;
    g_autoptr(GError) error = NULL;

    caps = igd_qemu_caps_probe(f->binary, NULL, 0, &error);
    g_assert_no_error(error);
    g_assert_false(caps->has_vfio_pci);
    g_assert_false(caps->x_igd_opregion || caps->x_igd_gms);
    g_assert_cmpuint(caps->vfio_pci_props->len, ==, 0);
}

static void
test_probe_broken(void)
{
    static const struct {
        const char *name;
        const char *conf;
        gint code;
        const char *msg;
    } cases[] = {
        { "no-version-line", "VERSION_FILE=/dev/null", IGD_ERROR_INVALID, "no 'QEMU emulator version" },
        { "garbage", "MODE=garbage", IGD_ERROR_INVALID, "no 'QEMU emulator version" },
        { "fails", "MODE=fail", IGD_ERROR_IO, "exited with status 1" },
        { "huge", "MODE=huge", IGD_ERROR_INVALID, "printed more than" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(Fake) f = fake_new(cases[i].conf);
        g_autoptr(IgdQemuCaps) caps = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *cache_file = NULL;

        g_test_message("%s", cases[i].name);
        caps = igd_qemu_caps_probe(f->binary, f->cache, 0, &error);
        g_assert_null(caps);
        g_assert_error(error, IGD_ERROR, cases[i].code);
        g_assert_nonnull(strstr(error->message, cases[i].msg));
        g_assert_nonnull(strstr(error->message, f->binary));
        /* a failed probe leaves no cache behind */
        g_assert_false(g_file_test(f->cache, G_FILE_TEST_EXISTS));
    }
}

static void
test_probe_hang(void)
{
    g_autoptr(Fake) f = fake_new("MODE=hang");
    g_autoptr(IgdQemuCaps) caps = NULL;
    g_autoptr(GError) error = NULL;
    gint64 start = g_get_monotonic_time();
    gint64 elapsed;

    caps = igd_qemu_caps_probe(f->binary, NULL, 300, &error);
    elapsed = g_get_monotonic_time() - start;
    g_assert_null(caps);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    g_assert_nonnull(strstr(error->message, "did not finish within 300 ms"));
    g_assert_cmpint(elapsed, >=, 290 * 1000); /* clock granularity */
    g_assert_cmpint(elapsed, <, 5 * G_USEC_PER_SEC);
}

static void
test_probe_missing(void)
{
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *missing = g_build_filename(dir, "no-such-qemu", NULL);
    g_autofree char *plain = g_build_filename(dir, "not-executable", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) error2 = NULL;
    g_autoptr(GError) error3 = NULL;
    g_autoptr(GError) error4 = NULL;
    IgdQemuCaps *caps;

    caps = igd_qemu_caps_probe(missing, NULL, 0, &error);
    g_assert_null(caps);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, missing));

    g_assert_true(g_file_set_contents(plain, "#!/bin/sh\n", -1, NULL));
    caps = igd_qemu_caps_probe(plain, NULL, 0, &error2);
    g_assert_null(caps);
    g_assert_error(error2, IGD_ERROR, IGD_ERROR_IO);

    caps = igd_qemu_caps_probe(dir, NULL, 0, &error3);
    g_assert_null(caps);
    g_assert_error(error3, IGD_ERROR, IGD_ERROR_IO);

    caps = igd_qemu_caps_probe("igd-no-such-qemu-in-path", NULL, 0, &error4);
    g_assert_null(caps);
    g_assert_error(error4, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    igd_test_rmtree(dir);
}

/* The one cache file of @f (asserts there is exactly one). */
static char *
fake_cache_file(const Fake *f)
{
    g_autoptr(GDir) d = g_dir_open(f->cache, 0, NULL);
    const char *name;
    char *found = NULL;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d)) != NULL) {
        g_assert_null(found);
        g_assert_true(g_str_has_prefix(name, "qemu-caps-") && g_str_has_suffix(name, ".ini"));
        found = g_build_filename(f->cache, name, NULL);
    }
    g_assert_nonnull(found);
    return found;
}

static void
test_cache(void)
{
    g_autofree char *conf = fake_conf_data("7.2", "ok");
    g_autoptr(Fake) f = fake_new(conf);
    g_autoptr(IgdQemuCaps) a = NULL;
    g_autoptr(IgdQemuCaps) b = NULL;
    g_autoptr(IgdQemuCaps) c = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *file = NULL;
    struct utimbuf times = { .actime = 1000000000, .modtime = 1000000000 };

    a = igd_qemu_caps_probe(f->binary, f->cache, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(fake_runs(f), ==, 2);
    file = fake_cache_file(f);

    /* hit: the binary is not run again, and the answer is the same */
    b = igd_qemu_caps_probe(f->binary, f->cache, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(fake_runs(f), ==, 2);
    g_assert_cmpstr(b->binary, ==, a->binary);
    g_assert_cmpstr(b->version_string, ==, a->version_string);
    g_assert_cmpuint(b->micro, ==, 22);
    g_assert_cmpint(b->x_igd_gms, ==, a->x_igd_gms);
    g_assert_cmpint(b->x_igd_opregion, ==, a->x_igd_opregion);
    g_assert_cmpint(b->has_vfio_pci, ==, TRUE);
    g_assert_cmpuint(b->vfio_pci_props->len, ==, a->vfio_pci_props->len);

    /* stale: a new mtime (a QEMU upgrade) means probing again */
    g_assert_cmpint(utime(f->binary, &times), ==, 0);
    c = igd_qemu_caps_probe(f->binary, f->cache, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(fake_runs(f), ==, 4);
    g_assert_cmpuint(c->micro, ==, 22);
}

static void
test_cache_corrupt(void)
{
    const char *bad[] = {
        "\001\377\376 not a key file",
        "[qemu]\nformat=99\n",
        "[qemu]\nformat=1\nbinary=/somewhere/else\nmtime=1\nmtime-nsec=0\nsize=1\n",
        "[qemu]\nformat=1\nbinary=@BIN@\nmtime=@MTIME@\nmtime-nsec=@NSEC@\nsize=@SIZE@\nversion=garbage\n"
        "vfio-pci=true\nopregion-default-on=false\n",
        "[qemu]\nformat=1\nbinary=@BIN@\nmtime=@MTIME@\nmtime-nsec=@NSEC@\nsize=@SIZE@\n"
        "version=QEMU emulator version 9.9.9\nvfio-pci=maybe\nopregion-default-on=false\n",
        "[qemu]\nformat=1\nbinary=@BIN@\nmtime=@MTIME@\nmtime-nsec=@NSEC@\nsize=@SIZE@\n"
        "version=QEMU emulator version 9.9.9\nvfio-pci=true\nopregion-default-on=false\nprops=x-igd-$(reboot);\n",
        "[qemu]\nformat=1\nbinary=@BIN@\nmtime=notanumber\n",
        "",
    };

    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *conf = fake_conf_data("7.2", "ok");
        g_autoptr(Fake) f = fake_new(conf);
        g_autoptr(IgdQemuCaps) first = NULL;
        g_autoptr(IgdQemuCaps) again = NULL;
        g_autoptr(IgdQemuCaps) cached = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *file = NULL;
        g_autofree char *text = NULL;
        g_auto(GStrv) parts = NULL;
        g_autofree char *s1 = NULL, *s2 = NULL, *s3 = NULL;
        struct stat st;

        g_test_message("corrupt cache %u", i);
        first = igd_qemu_caps_probe(f->binary, f->cache, 0, &error);
        g_assert_no_error(error);
        file = fake_cache_file(f);
        g_assert_cmpint(stat(f->binary, &st), ==, 0);
        /* substitute the real key values so that only the broken field is wrong */
        parts = g_strsplit(bad[i], "@BIN@", -1);
        s1 = g_strjoinv(f->binary, parts);
        g_strfreev(g_steal_pointer(&parts));
        parts = g_strsplit(s1, "@MTIME@", -1);
        text = g_strdup_printf("%" G_GINT64_FORMAT, (gint64)st.st_mtim.tv_sec);
        s2 = g_strjoinv(text, parts);
        g_strfreev(g_steal_pointer(&parts));
        g_free(text);
        parts = g_strsplit(s2, "@NSEC@", -1);
        text = g_strdup_printf("%" G_GINT64_FORMAT, (gint64)st.st_mtim.tv_nsec);
        s3 = g_strjoinv(text, parts);
        g_strfreev(g_steal_pointer(&parts));
        g_free(text);
        parts = g_strsplit(s3, "@SIZE@", -1);
        text = g_strdup_printf("%" G_GINT64_FORMAT, (gint64)st.st_size);
        g_free(s1);
        s1 = g_strjoinv(text, parts);
        g_assert_true(g_file_set_contents(file, s1, -1, NULL));

        again = igd_qemu_caps_probe(f->binary, f->cache, 0, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(fake_runs(f), ==, 4); /* probed again */
        g_assert_cmpuint(again->major, ==, 7);
        g_assert_true(again->x_igd_gms);
        /* and the cache is whole again */
        cached = igd_qemu_caps_probe(f->binary, f->cache, 0, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(fake_runs(f), ==, 4);
        g_assert_cmpuint(cached->micro, ==, 22);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    for (guint i = 0; i < G_N_ELEMENTS(model_cases); i++)
        g_test_add_data_func(model_cases[i].path, &model_cases[i], test_model_case);
    g_test_add_func("/qemu/model/gen-tables", test_gen_tables);
    g_test_add_func("/qemu/model/gms-to-bytes", test_gms_to_bytes);
    g_test_add_func("/qemu/model/crashes", test_model_crashes);
    g_test_add_func("/qemu/model/versions", test_model_versions);
    g_test_add_func("/qemu/model/chv", test_model_chv);
    g_test_add_func("/qemu/model/no-rom-message", test_no_rom_message);
    g_test_add_func("/qemu/model/errors", test_model_errors);
    g_test_add_func("/qemu/model/warnings", test_model_warnings);
    g_test_add_func("/qemu/caps/for-version", test_caps_for_version);
    g_test_add_func("/qemu/parse/version", test_parse_version);
    g_test_add_func("/qemu/parse/help", test_parse_help);
    g_test_add_func("/qemu/probe/real", test_probe_real);
    g_test_add_func("/qemu/probe/fake-7.2", test_probe_fake_72);
    g_test_add_func("/qemu/probe/fake-10.1", test_probe_fake_101);
    g_test_add_func("/qemu/probe/env", test_probe_env);
    g_test_add_func("/qemu/probe/no-vfio-pci", test_probe_novfio);
    g_test_add_func("/qemu/probe/broken", test_probe_broken);
    g_test_add_func("/qemu/probe/hang", test_probe_hang);
    g_test_add_func("/qemu/probe/missing", test_probe_missing);
    g_test_add_func("/qemu/cache/hit-and-stale", test_cache);
    g_test_add_func("/qemu/cache/corrupt", test_cache_corrupt);
    return g_test_run();
}
