/*
 * igd-qemu-model.c: an exact model of what each upstream QEMU version's
 * hw/vfio/igd.c does with an Intel IGD: the generation it computes, whether
 * legacy mode engages, the GMS the guest reads in GGC, the etc/igd-bdsm-size
 * fw_cfg value and what x-igd-gms it accepts.
 *
 * Sources (read for facts, nothing copied): QEMU hw/vfio/igd.c and
 * hw/vfio/pci.c as of v7.2.0, the 9.2 pull "Support for IGDs of gen 11 and
 * later" (pull-vfio-20240917 + the 2024-11-18 GMS fix), the 10.0 pulls of
 * 2024-12-24 ("vfio/igd: ... align generation with i915 ...", "add x-igd-gms
 * option back") and of 2025-03 ("Decoupling quirks with legacy mode":
 * x-igd-legacy-mode, x-igd-lpc, no GTT in bdsm-size), the 10.1 pull of
 * 2025-05-09 ("Detect IGD device by OpRegion", "Enable OpRegion by default",
 * "Allow overriding GMS with 0xf0 to 0xfe on Gen9+", "Restrict legacy mode to
 * Gen6-9 devices", "Remove generation limitation") plus "Require host VGA
 * decode for legacy mode" (2025-07-29), and for 10.2 "Enable quirks when IGD
 * is not the primary display" (vfio_is_base_display).
 *
 * The device is assumed to sit at guest 00:02.0 on the root bus, to have a
 * ROM (BAR or romfile), not to be hotplugged, and the host kernel to expose
 * the OpRegion, host-bridge and LPC-bridge regions with VGA access enabled:
 * those conditions belong to the domain and the host and are checked by
 * their callers. The machine type and x-igd-gms / x-igd-legacy-mode are
 * inputs.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "igd-common.h"
#include "igd-qemu.h"

#define MiB (G_GUINT64_CONSTANT(1) << 20)

/* The name QEMU prints for the device: vdev->vbasedev.name, the host address (an IGD is always 00:02.0). */
#define IGD_QEMU_DEV_NAME "0000:00:02.0"

typedef enum {
    IGD_QEMU_ERA_7_2,  /* 7.2 – 9.1: vfio_probe_igd_bar4_quirk(); gen 6 or 8; GMS zeroed; x-igd-gms ≤ 0x10 */
    IGD_QEMU_ERA_9_2,  /* 9.2: same function; known-gen list; host GMS kept; x-igd-gms ignored; BDSM 0xC0 gen ≥ 11 */
    IGD_QEMU_ERA_10_0, /* 10.0: vfio_pci_igd_config_quirk(); x-igd-legacy-mode/x-igd-lpc; bdsm-size = stolen only */
    IGD_QEMU_ERA_10_1, /* 10.1: IGD found by its OpRegion region; OpRegion on by default; legacy gen 6–9 only */
    IGD_QEMU_ERA_10_2, /* 10.2, 11.0: also IGDs with class 0x0380 (GGC IVD set), vfio_is_base_display();
                        * 11.0.0's igd.c differs from 10.2.0's only in two #include lines */
    IGD_QEMU_ERA_11_1, /* 11.1 (from 11.1.0-rc2, VERSION 11.0.92): vfio_igd_legacy_rom_quirk() clears the VBIOS's
                        * saved BDSM (commit 256229e8f9, not in rc1); newer versions are judged as this one */
} IgdQemuEra;

/* The last hw/vfio/igd.c read: 11.1.0-rc2 (upstream e1705a25af, VERSION 11.0.92). */
#define IGD_QEMU_LAST_READ_MAJOR 11
#define IGD_QEMU_LAST_READ_MINOR 0
#define IGD_QEMU_LAST_READ_MICRO 92
#define IGD_QEMU_LAST_READ_NAME  "11.1.0-rc2"

/*
 * The release whose code a version runs: X.Y.50 – X.Y.99 are development
 * snapshots (and release candidates, .90+) of the next release, which
 * follows X.2 with (X+1).0 since QEMU 7.0 (and 5.x/6.x too). 11.0.50 –
 * 11.0.91 (11.1 development up to rc1) still run 11.0's igd.c.
 */
static IgdQemuEra
igd_qemu_era(const IgdQemuCaps *caps)
{
    guint major = caps->major, minor = caps->minor;

    if (major == 11 && minor == 0 && caps->micro >= 50 && caps->micro < 92)
        return IGD_QEMU_ERA_10_2;
    if (caps->micro >= 50) {
        if (minor >= 2) {
            major++;
            minor = 0;
        } else {
            minor++;
        }
    }
    if (major > 11 || (major == 11 && minor >= 1))
        return IGD_QEMU_ERA_11_1;
    if (major > 10 || (major == 10 && minor >= 2))
        return IGD_QEMU_ERA_10_2;
    if (major == 10 && minor == 1)
        return IGD_QEMU_ERA_10_1;
    if (major == 10)
        return IGD_QEMU_ERA_10_0;
    if (major == 9 && minor >= 2)
        return IGD_QEMU_ERA_9_2;
    return IGD_QEMU_ERA_7_2;
}

char *
igd_qemu_version_note(const IgdQemuCaps *caps)
{
    guint v[3] = { caps->major, caps->minor, caps->micro };
    const guint last[3] = { IGD_QEMU_LAST_READ_MAJOR, IGD_QEMU_LAST_READ_MINOR, IGD_QEMU_LAST_READ_MICRO };

    for (guint i = 0; i < 3; i++) {
        if (v[i] < last[i])
            return NULL;
        if (v[i] > last[i])
            return g_strdup_printf("QEMU %u.%u.%u is newer than the last igd.c read (" IGD_QEMU_LAST_READ_NAME
                                   "): judged as 11.1", caps->major, caps->minor, caps->micro);
    }
    return NULL;
}

/*
 * The no-ROM message: 7.2 – 9.2 vfio_probe_igd_bar4_quirk() "error_report("IGD
 * device %s has no ROM, legacy mode disabled", vdev->vbasedev.name)" (igd.c
 * v7.2.0 line 426, v9.1.0 429, v9.2.0 569); 10.0+ vfio_pci_igd_config_quirk()
 * "error_setg(&err, "Device has no ROM")" (v10.0.0 548, v10.2.0 574,
 * v11.1.0-rc2 573), reported in auto mode at the error label followed by
 * "error_report("IGD legacy mode disabled")" (v10.0.0 651, v10.2.0 677).
 */
const char *
igd_qemu_no_rom_message(const IgdQemuCaps *caps)
{
    if (igd_qemu_era(caps) < IGD_QEMU_ERA_10_0)
        return "\"IGD device " IGD_QEMU_DEV_NAME " has no ROM, legacy mode disabled\"";
    return "\"Device has no ROM\", then \"IGD legacy mode disabled\"";
}

/*
 * Where each crash happens, per version (hw/vfio/igd.c and util/error.c at
 * the release's VERSION commit): the override call that returns false
 * without an error, the VGA error_setg() after vfio_populate_vga() set one,
 * the OpRegion and LPC setup calls given errp, the error label's
 * error_report_err(err); util/error.c's error_vprepend() (*errp)->msg,
 * error_get_pretty() err->msg and error_setv() assert(*errp == NULL).
 */
typedef struct {
    const char *tag;
    guint gms, vga, opregion, lpc, label;
    guint prepend, pretty, assert_unset;
} IgdQemuCrashLines;

static const IgdQemuCrashLines *
igd_qemu_crash_lines(const IgdQemuCaps *caps, IgdQemuEra era)
{
    static const IgdQemuCrashLines v10_0 = { "v10.0.0", 0, 559, 574, 580, 650, 142, 229, 68 };
    static const IgdQemuCrashLines v10_1 = { "v10.1.0", 623, 581, 599, 605, 671, 140, 227, 65 };
    static const IgdQemuCrashLines v10_2 = { "v10.2.0", 628, 586, 604, 610, 676, 137, 224, 62 };
    static const IgdQemuCrashLines v11_0 = { "v11.0.0", 628, 586, 604, 610, 676, 137, 224, 62 };
    static const IgdQemuCrashLines v11_1 = { "v11.1.0-rc2", 627, 585, 603, 609, 675, 137, 224, 62 };

    switch (era) {
    case IGD_QEMU_ERA_10_0:
        return &v10_0;
    case IGD_QEMU_ERA_10_1:
        return &v10_1;
    case IGD_QEMU_ERA_10_2:
        return caps->major >= 11 ? &v11_0 : &v10_2;
    case IGD_QEMU_ERA_11_1:
        return &v11_1;
    default:
        return NULL;
    }
}

void
igd_qemu_setup_init(IgdQemuSetup *setup)
{
    memset(setup, 0, sizeof(*setup));
    setup->at_02_0 = TRUE;
    setup->kernel_regions = TRUE;
    setup->vga_region = TRUE;
    setup->slot_1f_free = TRUE;
}

const char *
igd_qemu_vbios_bdsm_to_string(IgdQemuVbiosBdsm v)
{
    switch (v) {
    case IGD_QEMU_VBIOS_BDSM_RELOCATED:
        return "relocated";
    case IGD_QEMU_VBIOS_BDSM_STALE:
        return "stale";
    case IGD_QEMU_VBIOS_BDSM_CLEARED:
        return "cleared";
    default:
        return NULL;
    }
}

/* ---- generation: igd_gen() of each version, as data ---------------------------------------------------- */

typedef struct {
    guint16 prefix; /* device_id & 0xff00 */
    gint8 gen;
} IgdQemuGenPrefix;

/*
 * igd_gen() in 2.7 – 9.1: "Old, untested, unavailable, unknown" prefixes
 * give -1, SandyBridge/IvyBridge/ValleyView/Haswell 6, BroadWell/CherryView/
 * SkyLake/KabyLake 8, and anything else 8 ("Assume newer is compatible").
 * Broxton ((id & 0xfff) == 0xa84) is 8, checked first.
 */
static const IgdQemuGenPrefix igd_qemu_gen_7_2[] = {
    { 0x0000, -1 }, { 0x2500, -1 }, { 0x2700, -1 }, { 0x2900, -1 },
    { 0x2a00, -1 }, { 0x2e00, -1 }, { 0x3500, -1 }, { 0xa000, -1 },
    { 0x0100, 6 }, { 0x0400, 6 }, { 0x0a00, 6 }, { 0x0c00, 6 }, { 0x0d00, 6 }, { 0x0f00, 6 },
    { 0x1600, 8 }, { 0x1900, 8 }, { 0x2200, 8 }, { 0x5900, 8 },
};

/*
 * igd_gen() in 9.2 ("vfio/igd: return an invalid generation for unknown
 * devices", "add ID's for ElkhartLake and TigerLake"): the 7.2 list plus
 * CoffeeLake 0x3e → 9, ElkhartLake 0x45 → 11, TigerLake 0x9a → 12, and
 * anything else -1. Broxton ((id & 0xfff) == 0xa84) still 8.
 */
static const IgdQemuGenPrefix igd_qemu_gen_9_2[] = {
    { 0x0000, -1 }, { 0x2500, -1 }, { 0x2700, -1 }, { 0x2900, -1 },
    { 0x2a00, -1 }, { 0x2e00, -1 }, { 0x3500, -1 }, { 0xa000, -1 },
    { 0x0100, 6 }, { 0x0400, 6 }, { 0x0a00, 6 }, { 0x0c00, 6 }, { 0x0d00, 6 }, { 0x0f00, 6 },
    { 0x1600, 8 }, { 0x1900, 8 }, { 0x2200, 8 }, { 0x5900, 8 },
    { 0x3e00, 9 }, { 0x4500, 11 }, { 0x9a00, 12 },
};

/*
 * igd_gen() from 10.0 on ("align generation with i915 kernel driver", "add
 * Gemini Lake and Comet Lake device ids", "add Alder/Raptor/Rocket/Ice/Jasper
 * Lake device ids"): Broxton/Apollo Lake ((id & 0xffe) == 0xa84) → 9 first;
 * 0x01 (SandyBridge and IvyBridge alike) → 6; Haswell and ValleyView → 7;
 * Broadwell, Cherryview → 8; Skylake, Gemini Lake, Kaby Lake, Coffee Lake,
 * Comet Lake → 9; Ice, Elkhart, Jasper Lake → 11; Tiger, Rocket, Alder,
 * Raptor Lake → 12; anything else (Meteor Lake 0x7d and later) -1.
 */
static const IgdQemuGenPrefix igd_qemu_gen_10_0[] = {
    { 0x0100, 6 },
    { 0x0400, 7 }, { 0x0a00, 7 }, { 0x0c00, 7 }, { 0x0d00, 7 }, { 0x0f00, 7 },
    { 0x1600, 8 }, { 0x2200, 8 },
    { 0x1900, 9 }, { 0x3100, 9 }, { 0x5900, 9 }, { 0x3e00, 9 }, { 0x9b00, 9 },
    { 0x8a00, 11 }, { 0x4500, 11 }, { 0x4e00, 11 },
    { 0x9a00, 12 }, { 0x4c00, 12 }, { 0x4600, 12 }, { 0xa700, 12 },
};

static gint
igd_qemu_gen_lookup(const IgdQemuGenPrefix *table, gsize n, guint16 device_id, gint fallback)
{
    for (gsize i = 0; i < n; i++) {
        if (table[i].prefix == (device_id & 0xff00))
            return table[i].gen;
    }
    return fallback;
}

gint
igd_qemu_gen(const IgdQemuCaps *caps, guint16 device_id)
{
    switch (igd_qemu_era(caps)) {
    case IGD_QEMU_ERA_7_2:
        if ((device_id & 0xfff) == 0xa84)
            return 8; /* Broxton */
        return igd_qemu_gen_lookup(igd_qemu_gen_7_2, G_N_ELEMENTS(igd_qemu_gen_7_2), device_id, 8);
    case IGD_QEMU_ERA_9_2:
        if ((device_id & 0xfff) == 0xa84)
            return 8; /* Broxton */
        return igd_qemu_gen_lookup(igd_qemu_gen_9_2, G_N_ELEMENTS(igd_qemu_gen_9_2), device_id, -1);
    case IGD_QEMU_ERA_10_0:
    case IGD_QEMU_ERA_10_1:
    case IGD_QEMU_ERA_10_2:
    case IGD_QEMU_ERA_11_1:
    default:
        if ((device_id & 0xffe) == 0xa84)
            return 9; /* Broxton / Apollo Lake */
        return igd_qemu_gen_lookup(igd_qemu_gen_10_0, G_N_ELEMENTS(igd_qemu_gen_10_0), device_id, -1);
    }
}

/* ---- GGC fields and sizes as QEMU reads them ------------------------------------------------------------- */

/*
 * GMS as QEMU extracts it: bits 7:3 for gen < 8 (IGD_GMCH_GEN6_GMS_*), bits
 * 15:8 otherwise (every version). Callers pass 8 for a generation QEMU does
 * not know: it then leaves GGC alone and the value is only for display.
 */
static guint
igd_qemu_ggc_gms(gint gen, guint16 ggc)
{
    return gen < 8 ? (ggc >> 3) & 0x1f : (ggc >> 8) & 0xff;
}

/* ggc with its GMS field replaced, QEMU's "gmch &= ~(mask << shift); gmch |= gms << shift". */
static guint16
igd_qemu_ggc_set_gms(gint gen, guint16 ggc, guint gms)
{
    if (gen < 8)
        return (guint16)((ggc & ~(0x1fu << 3)) | ((gms & 0x1f) << 3));
    return (guint16)((ggc & ~(0xffu << 8)) | ((gms & 0xff) << 8));
}

/*
 * GTT MiB in bdsm-size before 10.0: "ggms_mb = (gmch >> (gen < 8 ? 8 : 6)) &
 * 0x3; if (gen > 6) ggms_mb = 1 << ggms_mb;" (vfio_probe_igd_bar4_quirk
 * 7.2 – 9.2). QEMU's gen 6 covers Haswell and ValleyView too there, so their
 * GGMS counts raw MiB; GGMS 0 on gen 8+ still gives 1 MiB (the "&& ggms_mb
 * != 0" fix is in 10.0's development only, and 10.0 drops the GTT anyway).
 */
static guint64
igd_qemu_gtt_mb_7_2(gint gen, guint16 ggc)
{
    guint ggms = (ggc >> (gen < 8 ? 8 : 6)) & 0x3;

    return gen > 6 ? 1u << ggms : ggms;
}

guint64
igd_qemu_gms_to_bytes(const IgdQemuCaps *caps, gint gen, guint gms)
{
    if (gen < 0)
        return 0;
    switch (igd_qemu_era(caps)) {
    case IGD_QEMU_ERA_7_2:
        /* vfio_probe_igd_bar4_quirk 7.2 – 9.1: "gms_mb = vdev->igd_gms * 32" */
        return (guint64)gms * 32 * MiB;
    case IGD_QEMU_ERA_9_2:
        /* igd_get_stolen_mb() 9.2: gen < 9 accepts GMS ≤ 0x10 only ("Unsupported IGD GMS value"
         * → 0); gen ≥ 9: < 0xf0 → × 32 MiB, else (gms - 0xf0) * 4 + 4 MiB (fix of 2024-11-18) */
        if (gen < 9)
            return gms > 0x10 ? 0 : (guint64)gms * 32 * MiB;
        return gms < 0xf0 ? (guint64)gms * 32 * MiB : (guint64)(gms - 0xf0 + 1) * 4 * MiB;
    case IGD_QEMU_ERA_10_0:
    case IGD_QEMU_ERA_10_1:
    case IGD_QEMU_ERA_10_2:
    default:
        /* igd_stolen_memory_size() 10.0+: gen < 9 → × 32 MiB (no cap); gen ≥ 9: < 0xf0 → × 32 MiB,
         * else (gms - 0xf0 + 1) * 4 MiB */
        if (gen < 9)
            return (guint64)gms * 32 * MiB;
        return gms < 0xf0 ? (guint64)gms * 32 * MiB : (guint64)(gms - 0xf0 + 1) * 4 * MiB;
    }
}

/* ---- the model ------------------------------------------------------------------------------------------- */

void
igd_qemu_igd_model_clear(IgdQemuIgdModel *m)
{
    if (m == NULL)
        return;
    g_clear_pointer(&m->legacy_reason, g_free);
    g_clear_pointer(&m->start_error, g_free);
    g_clear_pointer(&m->crash_reason, g_free);
    g_clear_pointer(&m->warning, g_free);
    g_clear_pointer(&m->note, g_free);
    m->crash = IGD_QEMU_CRASH_NONE;
}

/* Append one sentence to out->warning. */
static void G_GNUC_PRINTF(2, 3)
igd_qemu_warn(IgdQemuIgdModel *out, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (out->warning == NULL) {
        out->warning = g_steal_pointer(&msg);
    } else {
        char *joined = g_strconcat(out->warning, "; ", msg, NULL);

        g_free(out->warning);
        out->warning = joined;
    }
}

/* Stolen bytes the guest derives from the GGC it reads: the host's when QEMU leaves GGC alone. */
static guint64
igd_qemu_guest_stolen(const IgdQemuCaps *caps, gint gen, guint guest_gms, guint host_gms, const IgdGmchInfo *gmch)
{
    if (gmch != NULL && guest_gms == host_gms)
        return gmch->stolen_bytes;
    return igd_qemu_gms_to_bytes(caps, gen < 0 ? 8 : gen, guest_gms);
}

/*
 * QEMU 7.2 - 9.2, vfio_probe_igd_bar4_quirk() (7.2 igd.c lines 380-470):
 * legacy mode needs the IGD at 00:02.0, nothing at 1f.0 (q35 has its ICH9
 * LPC there) and a PCI host bridge at 00.0, then (after the generation, the
 * ROM and hotplug) the OpRegion, host and LPC bridge regions and VGA
 * access; each missing one only disables legacy mode, with the message
 * QEMU prints. FALSE with the reason set when the machine or the address
 * does not allow it.
 */
static gboolean
pre10_machine_ok(IgdMachineKind machine, const char *machine_name, const IgdQemuSetup *setup, IgdQemuIgdModel *out)
{
    if (!setup->at_02_0) {
        out->legacy_reason = g_strdup("the IGD is not at guest address 00:02.0, where legacy mode needs it");
        return FALSE;
    }
    if (machine == IGD_MACHINE_Q35 || !setup->slot_1f_free) {
        out->legacy_reason = g_strdup("IGD device " IGD_QEMU_DEV_NAME " cannot support legacy mode due to "
                                      "existing devices at address 1f.0");
        return FALSE;
    }
    if (machine == IGD_MACHINE_OTHER) {
        out->legacy_reason = g_strdup_printf("machine type '%s' is not i440fx: legacy mode needs a PCI host "
                                             "bridge at 00.0 and 1f.0 free", machine_name);
        return FALSE;
    }
    return TRUE;
}

/* The region and VGA checks that follow the generation and ROM checks before 10.0 (7.2 igd.c 445-485). */
static gboolean
pre10_regions_ok(const IgdQemuSetup *setup, IgdQemuIgdModel *out)
{
    if (!setup->kernel_regions) {
        /* sic: no space after the comma */
        out->legacy_reason = g_strdup("IGD device " IGD_QEMU_DEV_NAME " does not support OpRegion access,"
                                      "legacy mode disabled");
        return FALSE;
    }
    if (!setup->vga_region) {
        out->legacy_reason = g_strdup("IGD device " IGD_QEMU_DEV_NAME " failed to enable VGA access, legacy mode "
                                      "disabled");
        return FALSE;
    }
    return TRUE;
}

/*
 * The checks 7.2 – 9.2 make in this order after the device and before the
 * GGC/BDSM emulation (vfio_probe_igd_bar4_quirk() of 7.2): the machine (1f.0 free or an
 * LPC bridge), the generation (@gen_supported: 7.2 "gen != 6 && gen != 8",
 * 9.2 "gen == -1"), the regions and VGA. TRUE when legacy mode engages;
 * then QEMU creates the LPC bridge and etc/igd-bdsm-size, and the GTT
 * write quirk in IO BAR4 (vfio_igd_quirk_data_write) relocates the VBIOS's
 * host-BDSM entries.
 */
static gboolean
pre10_legacy_engages(gboolean gen_supported, IgdMachineKind machine, const char *machine_name,
                     const IgdQemuSetup *setup, IgdQemuIgdModel *out)
{
    if (!pre10_machine_ok(machine, machine_name, setup, out))
        return FALSE;
    if (!gen_supported) {
        out->legacy_reason = g_strdup("IGD device " IGD_QEMU_DEV_NAME " is unsupported in legacy mode, "
                                      "try SandyBridge or newer");
        return FALSE;
    }
    if (!pre10_regions_ok(setup, out))
        return FALSE;
    out->legacy_possible = TRUE;
    out->lpc_bridge_created = TRUE;
    out->bdsm_size_file = TRUE;
    out->vbios_bdsm = IGD_QEMU_VBIOS_BDSM_RELOCATED;
    return TRUE;
}

/*
 * 7.2 – 9.1, vfio_probe_igd_bar4_quirk(): legacy mode is the only thing it
 * does. Checks, in QEMU's order: Intel VGA-class device at 00:02.0; 1f.0 free
 * or a vfio-pci-igd-lpc-bridge ("Sorry Q35"); igd_gen() is 6 or 8; ROM; not
 * hotplugged; OpRegion, host and LPC regions; VGA enabled. Then GGC is
 * emulated with GMS zeroed unless x-igd-gms (1 – 0x10) sets it, and
 * bdsm-size = GTT MiB + x-igd-gms × 32 MiB, BDSM emulated at 0x5C.
 */
static void
igd_qemu_model_7_2(const IgdQemuCaps *caps, gint gen, const IgdPlatformInfo *platform, guint16 device_id,
                   const IgdGmchInfo *gmch, gint x_igd_gms, IgdMachineKind machine, const char *machine_name,
                   const IgdQemuSetup *setup, IgdQemuIgdModel *out)
{
    guint16 ggc = gmch ? gmch->ggc : 0;
    guint host_gms = igd_qemu_ggc_gms(gen < 0 ? 8 : gen, ggc);
    guint gms = 0;

    out->x_igd_gms_max = 0x10;
    out->x_igd_gms_valid = x_igd_gms <= 0x10;
    out->guest_gms = host_gms;
    out->guest_stolen_bytes = gmch ? gmch->stolen_bytes : 0;

    if (!pre10_legacy_engages(gen == 6 || gen == 8, machine, machine_name, setup, out))
        return;
    out->bdsm_offset = 0x5c;
    /* "gmch &= ~(...)": GMS zeroed; "if (vdev->igd_gms <= 0x10) gms_mb = igd_gms * 32" else
     * "Unsupported IGD GMS value 0x%x" and igd_gms = 0 (the device still starts). */
    if (x_igd_gms > 0 && x_igd_gms <= 0x10)
        gms = (guint)x_igd_gms;
    else if (x_igd_gms > 0x10)
        igd_qemu_warn(out, "Unsupported IGD GMS value 0x%x", (guint)x_igd_gms);
    /* "Assume newer is compatible": a gen 11+ IGD is run as gen 8 with a 32-bit BDSM at 0x5C. */
    if (igd_platform_has_flag(platform, IGD_PLATFORM_FLAG_NO_BDSM))
        igd_qemu_warn(out, "QEMU %u.%u runs device %04x (gen %u) as gen 8: it emulates a 32-bit BDSM at 0x5C, "
                      "the device has no BDSM register (stolen memory through LMEMBAR)", caps->major, caps->minor,
                      device_id, platform->gen);
    else if (platform != NULL && platform->gen >= 11)
        igd_qemu_warn(out, "QEMU %u.%u runs device %04x (gen %u) as gen 8: it emulates the 32-bit BDSM at 0x5C, "
                      "the device uses the 64-bit one at 0xC0", caps->major, caps->minor, device_id, platform->gen);
    out->guest_gms = gms;
    out->guest_ggc = igd_qemu_ggc_set_gms(gen, ggc, gms);
    out->guest_stolen_bytes = (guint64)gms * 32 * MiB;
    out->bdsm_size = (igd_qemu_gtt_mb_7_2(gen, ggc) + (guint64)gms * 32) * MiB;

    /*
     * Cherryview keeps GMS in GGC bits 7:3 and GGMS in 9:8 (Linux early-quirks chv_stolen_size(), i915
     * chv_get_total_gtt_size()); QEMU, taking it for gen 8, zeroes and writes bits 15:8 ("gmch &= ~((gen < 8
     * ? 0x1f : 0xff) << (gen < 8 ? 3 : 8))", 7.2 igd.c line 543): its GMS survives (the guest keeps the
     * host's stolen size), its GGMS is lost (no GTT). x-igd-gms is OR'd into those bits ("gmch |=
     * vdev->igd_gms << (gen < 8 ? 3 : 8)", line 548): the host's own bits 15:8 give the GGC back.
     */
    if (igd_platform_has_flag(platform, IGD_PLATFORM_FLAG_CHERRYVIEW) && gen == 8) {
        guint bits = (ggc >> 8) & 0xff;

        igd_qemu_warn(out, "Cherryview keeps GMS in GGC bits 7:3 and GGMS in 9:8: QEMU %u.%u clears bits 15:8 "
                      "(its gen 8 GMS), so the guest keeps the host's stolen memory and loses its GTT (GGMS)",
                      caps->major, caps->minor);
        if (gmch != NULL && bits > 0 && bits <= 0x10 && caps->x_igd_gms)
            out->x_igd_gms_needed = (gint)bits; /* writes bits 15:8 back: the host's GGMS */
        return;
    }
    /* The guest gets no stolen memory unless x-igd-gms asks: ask for the host's size in 32 MiB
     * units, rounded up (4 MiB-step sizes of gen 9+ become 32 MiB), at most 0x10 (512 MiB). */
    if (gmch != NULL && gmch->stolen_bytes > 0 && caps->x_igd_gms) {
        guint64 units = (gmch->stolen_bytes + 32 * MiB - 1) / (32 * MiB);

        out->x_igd_gms_needed = (gint)MIN(units, (guint64)0x10);
        if (units > 0x10)
            igd_qemu_warn(out, "host stolen memory %" G_GUINT64_FORMAT " MiB is more than x-igd-gms can give "
                          "(0x10 = 512 MiB)", gmch->stolen_bytes / MiB);
    }
}

/*
 * 9.2, vfio_probe_igd_bar4_quirk() after "support legacy mode for all known
 * generations", "don't set stolen memory size to zero", "use new BDSM
 * register location and size for gen 11 and later": same checks with
 * "gen == -1" as the generation test; GGC emulated with the host value;
 * bdsm-size = GTT MiB + igd_get_stolen_mb(); BDSM at 0xC0 for gen ≥ 11;
 * x-igd-gms is still a property but nothing reads it.
 */
static void
igd_qemu_model_9_2(const IgdQemuCaps *caps, gint gen, const IgdGmchInfo *gmch, IgdMachineKind machine,
                   const char *machine_name, const IgdQemuSetup *setup, IgdQemuIgdModel *out)
{
    guint16 ggc = gmch ? gmch->ggc : 0;
    guint host_gms = igd_qemu_ggc_gms(gen < 0 ? 8 : gen, ggc);

    out->x_igd_gms_max = 0;
    out->x_igd_gms_valid = TRUE;
    out->guest_gms = host_gms;
    out->guest_stolen_bytes = gmch ? gmch->stolen_bytes : 0;

    /* the IO BAR4 GTT write quirk is still there in 9.2 */
    if (!pre10_legacy_engages(gen != -1, machine, machine_name, setup, out))
        return;
    out->bdsm_offset = gen < 11 ? 0x5c : 0xc0;
    out->bdsm_size = igd_qemu_gtt_mb_7_2(gen, ggc) * MiB + igd_qemu_gms_to_bytes(caps, gen, host_gms);
    /* igd_get_stolen_mb(): gen < 9 with GMS > 0x10 (Skylake/Kaby Lake are gen 8 here) reserves nothing */
    if (gen < 9 && host_gms > 0x10)
        igd_qemu_warn(out, "Unsupported IGD GMS value 0x%x", host_gms);
}

/* vfio_pci_igd_override_gms() 10.1+ (and the inline checks of 10.0): the highest x-igd-gms accepted. */
static guint
igd_qemu_gms_max_10(IgdQemuEra era, gint gen)
{
    if (gen < 0)
        return 0;
    if (gen < 8)
        return 0x10;
    if (gen == 8 || era == IGD_QEMU_ERA_10_0)
        return 0x40;
    return 0xfe; /* gen ≥ 9, 10.1+: 0 – 0x40 (32 MiB steps) or 0xf0 – 0xfe (4 MiB steps) */
}

static gboolean
igd_qemu_gms_ok_10(IgdQemuEra era, gint gen, guint gms)
{
    if (gen < 0)
        return FALSE;
    if (gen < 8)
        return gms <= 0x10;
    if (gen == 8 || era == IGD_QEMU_ERA_10_0)
        return gms <= 0x40;
    return gms <= 0x40 || (gms >= 0xf0 && gms <= 0xfe);
}

/* The message vfio_pci_igd_override_gms() prints for a refused x-igd-gms (QERR_INVALID_PARAMETER_VALUE). */
static char *
igd_qemu_gms_error_10(IgdQemuEra era, gint gen)
{
    if (gen < 0)
        return g_strdup("x-igd-gms is not supported on this device");
    if (gen < 8)
        return g_strdup("Parameter 'x-igd-gms' expects 0~0x10");
    if (gen == 8 || era == IGD_QEMU_ERA_10_0)
        return g_strdup("Parameter 'x-igd-gms' expects 0~0x40");
    return g_strdup("Parameter 'x-igd-gms' expects 0~0x40 or 0xf0~0xfe");
}

/*
 * Crash A (10.1+): "if (!vfio_pci_igd_override_gms(gen, vdev->igd_gms,
 * &gmch)) { return false; }" while vfio_pci_igd_override_gms() only calls
 * error_report(), never error_setg(errp); realize then runs
 * "error_prepend(errp, VFIO_MSG_PREFIX, ...)" and error_vprepend() does
 * "g_string_append(newmsg, (*errp)->msg)" on a NULL *errp.
 */
static char *
igd_qemu_gms_crash_reason(const IgdQemuCaps *caps, IgdQemuEra era, gint gen)
{
    const IgdQemuCrashLines *l = igd_qemu_crash_lines(caps, era);
    g_autofree char *msg = igd_qemu_gms_error_10(era, gen);

    return g_strdup_printf("QEMU %u.%u crashes (NULL dereference) instead of refusing x-igd-gms: "
                           "vfio_pci_igd_override_gms() prints \"%s\" and returns false without setting errp "
                           "(hw/vfio/igd.c %s line %u), then realize's error_prepend() reads (*errp)->msg "
                           "(util/error.c line %u)", caps->major, caps->minor, msg, l->tag, l->gms, l->prepend);
}

gboolean
igd_qemu_gms_crashes(const IgdQemuCaps *caps, guint16 device_id, gint x_igd_gms, char **why)
{
    IgdQemuEra era;
    gint gen;

    if (caps == NULL || caps->major == 0 || x_igd_gms <= 0)
        return FALSE;
    era = igd_qemu_era(caps);
    if (era < IGD_QEMU_ERA_10_1)
        return FALSE; /* before 10.1 a refused value is reported and ignored (10.0) or not read at all */
    gen = igd_qemu_gen(caps, device_id);
    if (igd_qemu_gms_ok_10(era, gen, (guint)x_igd_gms))
        return FALSE;
    if (why)
        *why = igd_qemu_gms_crash_reason(caps, era, gen);
    return TRUE;
}

/*
 * Legacy mode engaged, 10.0+: what fails after the ROM check, and how QEMU
 * takes it. VGA first ("Unable to enable VGA access" after
 * vfio_populate_vga() set the error: crash C, auto or on); then the OpRegion
 * (10.0 only: 10.1+ needs the region to get here at all) and the LPC bridge,
 * both called with errp: in auto mode the error label reports the local err,
 * still NULL (crash B); with x-igd-legacy-mode=on the error goes back to
 * realize as a start error. TRUE when legacy mode is set up.
 */
static gboolean
igd_qemu_legacy_setup_10(const IgdQemuCaps *caps, IgdQemuEra era, const IgdQemuSetup *setup,
                         IgdQemuLegacyMode legacy_mode, IgdQemuIgdModel *out)
{
    const IgdQemuCrashLines *l = igd_qemu_crash_lines(caps, era);
    const char *failure = NULL;
    guint line = 0;

    if (!setup->vga_region) {
        out->crash = IGD_QEMU_CRASH_VGA;
        out->crash_reason = g_strdup_printf(
            "QEMU %u.%u aborts: with legacy mode on and no VFIO VGA region (vfio-pci disable_vga=1 or no "
            "CONFIG_VFIO_PCI_VGA), vfio_populate_vga() sets the error and error_setg(&err, \"Unable to enable VGA "
            "access\") asserts that it is unset (hw/vfio/igd.c %s line %u; util/error.c line %u, "
            "assert(*errp == NULL))", caps->major, caps->minor, l->tag, l->vga, l->assert_unset);
        out->legacy_reason = g_strdup("legacy mode needs the VFIO VGA region (vfio-pci disable_vga=0)");
        return FALSE;
    }
    if (era == IGD_QEMU_ERA_10_0 && !setup->kernel_regions) {
        failure = "Device does not supports IGD OpRegion feature"; /* sic */
        line = l->opregion;
    } else if (!setup->slot_1f_free) {
        failure = "Cannot create LPC bridge due to existing device at 1f.0";
        line = l->lpc;
    } else if (!setup->kernel_regions) {
        failure = "IGD LPC bridge access is not supported by kernel";
        line = l->lpc;
    }
    if (failure == NULL)
        return TRUE;
    out->legacy_reason = g_strdup(failure);
    if (legacy_mode == IGD_QEMU_LEGACY_ON) {
        out->start_error = g_strdup(failure);
        return FALSE;
    }
    out->crash = IGD_QEMU_CRASH_LEGACY_SETUP;
    out->crash_reason = g_strdup_printf(
        "QEMU %u.%u crashes (NULL dereference) in auto legacy mode: the setup fails with \"%s\" into errp "
        "(hw/vfio/igd.c %s line %u), and the error label calls error_report_err(err) with its own err still NULL "
        "(line %u; util/error.c line %u, return err->msg)", caps->major, caps->minor, failure, l->tag, line,
        l->label, l->pretty);
    return FALSE;
}

/*
 * 10.0+, vfio_pci_igd_config_quirk(), run for every Intel display device:
 *   10.0: VGA class and igd_gen() != -1 ("unsupported in legacy mode" and
 *         nothing else otherwise); legacy when x-igd-legacy-mode != off,
 *         MachineClass family "pc_piix" and guest 00:02.0; GGC emulated with
 *         the host GMS or a valid x-igd-gms (an invalid one is reported and
 *         ignored); bdsm-size = igd_stolen_memory_size(), for UPT too.
 *   10.1: found by the OpRegion region (VGA class still), gen -1 allowed with
 *         bdsm-size 0; legacy also needs gen 6 – 9 and GGC IVD clear; an
 *         invalid x-igd-gms crashes QEMU (crash A); GGC emulated only with
 *         x-igd-gms; x-igd-opregion on by default.
 *   10.2, 11.0: any display class (IVD set: class 0x0380) gets the quirks,
 *         legacy still needs a VGA-class device.
 *   11.1: vfio_igd_legacy_rom_quirk() clears the VBIOS's saved BDSM in a
 *         ROM read from the device (not a romfile=) in legacy mode, gen 6 – 9.
 */
static void
igd_qemu_model_10(const IgdQemuCaps *caps, IgdQemuEra era, const IgdPlatformInfo *platform, guint16 device_id,
                  gint gen, const IgdGmchInfo *gmch, gint x_igd_gms, IgdMachineKind machine, const char *machine_name,
                  IgdQemuLegacyMode legacy_mode, const IgdQemuSetup *setup, IgdQemuIgdModel *out)
{
    guint16 ggc = gmch ? gmch->ggc : 0;
    gboolean ivd = gmch ? gmch->vga_disabled : FALSE;
    guint host_gms = igd_qemu_ggc_gms(gen < 0 ? 8 : gen, ggc);
    guint gms = host_gms;
    gboolean legacy_ok;

    out->guest_gms = host_gms;
    out->guest_stolen_bytes = gmch ? gmch->stolen_bytes : 0;
    out->x_igd_gms_valid = TRUE;

    if (era == IGD_QEMU_ERA_10_0 && gen == -1) {
        out->legacy_reason = g_strdup("IGD device " IGD_QEMU_DEV_NAME " is unsupported in legacy mode, "
                                      "try SandyBridge or newer");
        return; /* the quirk stops here: x-igd-gms is not even read */
    }
    if (era >= IGD_QEMU_ERA_10_1 && !setup->kernel_regions) {
        /* "if (!vfio_pci_igd_opregion_detect(vdev, &opregion)) return true;": no IGD quirk at all */
        out->legacy_reason = g_strdup("the host kernel gives no IGD OpRegion region: QEMU applies no IGD quirk");
        return; /* x-igd-gms is not read either */
    }
    out->recognised = TRUE;
    out->x_igd_gms_max = igd_qemu_gms_max_10(era, gen);

    /* The legacy-mode condition of vfio_pci_igd_config_quirk(). */
    if (legacy_mode == IGD_QEMU_LEGACY_OFF) {
        out->legacy_reason = g_strdup("x-igd-legacy-mode=off");
    } else if (era >= IGD_QEMU_ERA_10_1 && ivd) {
        out->legacy_reason = g_strdup("IGD does not claim VGA cycles on the host (GGC IVD set), "
                                      "legacy mode needs a VGA controller");
    } else if (era >= IGD_QEMU_ERA_10_1 && (gen < 6 || gen > 9)) {
        out->legacy_reason = g_strdup_printf("device %04x (gen %d) doesn't support legacy mode", device_id, gen);
    } else if (machine != IGD_MACHINE_I440FX) {
        out->legacy_reason = g_strdup_printf("machine type '%s' is not i440fx: QEMU enables legacy mode only "
                                             "on pc_piix machines", machine_name);
    } else if (!setup->at_02_0) {
        out->legacy_reason = g_strdup("assigned BDF is not 00:02.0");
    }
    legacy_ok = out->legacy_reason == NULL;
    if (legacy_ok) {
        /* "IGD legacy mode enabled": the ROM (assumed present), VGA, OpRegion and LPC bridge */
        if (!igd_qemu_legacy_setup_10(caps, era, setup, legacy_mode, out))
            return;
        out->legacy_possible = TRUE;
        /* legacy mode sets VFIO_FEATURE_ENABLE_IGD_LPC: vfio_pci_igd_setup_lpc_bridge() creates
         * vfio-pci-igd-lpc-bridge at 1f.0 */
        out->lpc_bridge_created = TRUE;
        /* 10.0 removed the IO BAR4 GTT write quirk (5aed8b0f0b); 11.1 clears the VBIOS's saved BDSM instead,
         * in the ROM it reads from the device only (a romfile= is loaded by the PCI core, not patched) */
        out->vbios_bdsm = era >= IGD_QEMU_ERA_11_1 && !setup->romfile && gen >= 6 && gen <= 9
                              ? IGD_QEMU_VBIOS_BDSM_CLEARED
                              : IGD_QEMU_VBIOS_BDSM_STALE;
    } else if (legacy_mode == IGD_QEMU_LEGACY_ON) {
        out->start_error = era == IGD_QEMU_ERA_10_0
            ? g_strdup("Machine is not i440fx or assigned BDF is not 00:02.0")
            : g_strdup_printf("Machine is not i440fx, assigned BDF is not 00:02.0, or device %04x (gen %d) "
                              "doesn't support legacy mode", device_id, gen);
        return;
    }

    /* x-igd-gms: 10.0 reports a bad value and keeps the host GMS; 10.1+ crashes (crash A). */
    if (x_igd_gms > 0) {
        if (igd_qemu_gms_ok_10(era, gen, (guint)x_igd_gms)) {
            gms = (guint)x_igd_gms;
        } else {
            out->x_igd_gms_valid = FALSE;
            if (era >= IGD_QEMU_ERA_10_1) {
                out->crash = IGD_QEMU_CRASH_GMS;
                out->crash_reason = igd_qemu_gms_crash_reason(caps, era, gen);
                out->legacy_possible = FALSE;
                out->lpc_bridge_created = FALSE;
                out->vbios_bdsm = IGD_QEMU_VBIOS_BDSM_NONE;
                return;
            }
            out->warning = igd_qemu_gms_error_10(era, gen); /* 10.0 prints it and keeps the host GMS */
        }
    }
    out->guest_gms = gms;
    out->guest_stolen_bytes = igd_qemu_guest_stolen(caps, gen, gms, host_gms, gmch);
    if (gms != host_gms)
        out->guest_ggc = igd_qemu_ggc_set_gms(gen, ggc, gms);

    /* "bdsm_size = cpu_to_le64(gms_size)": stolen only, 0 when gen is unknown (10.1+). */
    out->bdsm_size_file = TRUE;
    if (gen > 0) {
        out->bdsm_size = igd_qemu_gms_to_bytes(caps, gen, gms);
        out->bdsm_offset = gen < 11 ? 0x5c : 0xc0;
        /* Cherryview (gen 8 to QEMU): igd_stolen_memory_size() and vfio_pci_igd_override_gms() use bits
         * 15:8, which are Cherryview's GGMS (9:8) and reserved bits, not its GMS (7:3) */
        if (igd_platform_has_flag(platform, IGD_PLATFORM_FLAG_CHERRYVIEW) && gen == 8)
            igd_qemu_warn(out, "Cherryview keeps GMS in GGC bits 7:3: QEMU %u.%u sizes etc/igd-bdsm-size from bits "
                          "15:8 (%" G_GUINT64_FORMAT " MiB)%s", caps->major, caps->minor, out->bdsm_size / MiB,
                          x_igd_gms > 0 ? ", and x-igd-gms writes there: Cherryview's GGMS, not its GMS" : "");
    } else {
        igd_qemu_warn(out, "etc/igd-bdsm-size is 0 for device %04x (unknown to QEMU's igd_gen()): the original "
                      "OVMF IgdAssignmentDxe treats a zero size as an error, VfioIgdPkg's does not read it",
                      device_id);
    }
}

void
igd_qemu_model_request_init(IgdQemuModelRequest *req, guint16 device_id)
{
    memset(req, 0, sizeof(*req));
    req->device_id = device_id;
    req->x_igd_gms = -1;
    req->legacy_mode = IGD_QEMU_LEGACY_AUTO;
    igd_qemu_setup_init(&req->setup);
}

gboolean
igd_qemu_model_igd(const IgdQemuCaps *caps, const IgdQemuModelRequest *req, IgdQemuIgdModel *out, GError **error)
{
    guint16 device_id = req->device_id;
    const IgdPlatformInfo *platform = req->platform;
    const IgdGmchInfo *gmch = req->gmch;
    gint x_igd_gms = req->x_igd_gms;
    IgdQemuLegacyMode legacy_mode = req->legacy_mode;
    const IgdQemuSetup *setup = &req->setup;
    IgdMachineKind kind = igd_machine_kind(req->machine);
    const char *machine_name = req->machine ? req->machine : "pc";
    IgdQemuEra era;
    gint gen;

    g_return_val_if_fail(caps != NULL, FALSE);
    g_return_val_if_fail(out != NULL, FALSE);
    /* QEMU knows only the device id; @platform only feeds warnings about what QEMU gets wrong. */

    memset(out, 0, sizeof(*out));
    out->x_igd_gms_needed = -1;
    out->guest_ggc = gmch ? gmch->ggc : 0; /* GGC passes through unless a branch below emulates it */
    if (caps->major == 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "QEMU capabilities without a version");
        return FALSE;
    }
    era = igd_qemu_era(caps);
    gen = igd_qemu_gen(caps, device_id);
    out->qemu_gen = gen;
    out->opregion_default_on = era >= IGD_QEMU_ERA_10_1 || caps->x_igd_opregion_default_on;
    out->note = igd_qemu_version_note(caps);

    /*
     * Every version before 10.2 checks vfio_is_vga() (class 0x0300) first: an IGD
     * whose GGC has IVD set enumerates as 0x0380 and gets no IGD quirk at all.
     */
    if (gmch != NULL && gmch->vga_disabled && era < IGD_QEMU_ERA_10_2) {
        out->guest_gms = igd_qemu_ggc_gms(gen < 0 ? 8 : gen, gmch->ggc);
        out->guest_stolen_bytes = gmch->stolen_bytes;
        out->legacy_reason = g_strdup("IGD is not a VGA controller on the host (GGC IVD set): "
                                      "QEMU applies no IGD quirk");
        out->x_igd_gms_valid = TRUE;
        return TRUE;
    }

    switch (era) {
    case IGD_QEMU_ERA_7_2:
        out->recognised = TRUE;
        igd_qemu_model_7_2(caps, gen, platform, device_id, gmch, x_igd_gms, kind, machine_name, setup, out);
        break;
    case IGD_QEMU_ERA_9_2:
        out->recognised = TRUE;
        igd_qemu_model_9_2(caps, gen, gmch, kind, machine_name, setup, out);
        break;
    case IGD_QEMU_ERA_10_0:
    case IGD_QEMU_ERA_10_1:
    case IGD_QEMU_ERA_10_2:
    case IGD_QEMU_ERA_11_1:
    default:
        igd_qemu_model_10(caps, era, platform, device_id, gen, gmch, x_igd_gms, kind, machine_name, legacy_mode, setup,
                          out);
        break;
    }
    if (!caps->x_igd_gms) {
        out->x_igd_gms_needed = -1; /* a build without the property cannot be told */
        out->x_igd_gms_max = 0;
    }
    if (gmch == NULL) {
        out->bdsm_size = 0; /* unknown GGC: no size is guessed */
        out->guest_stolen_bytes = 0;
    } else if (platform != NULL) {
        /* what the guest's driver reads from the GGC QEMU shows it, in the device's own layout (igd-gmch.c) */
        out->guest_gms = igd_gmch_get_gms(platform, out->guest_ggc);
        out->guest_stolen_bytes = igd_gmch_stolen_bytes(platform, out->guest_gms);
        out->guest_gtt_bytes = igd_gmch_gtt_bytes(platform, igd_gmch_get_ggms(platform, out->guest_ggc));
    } else {
        out->guest_gtt_bytes = gmch->gtt_bytes;
    }
    return TRUE;
}

