/*
 * igd-qemu.h: what the installed QEMU is (version, vfio-pci IGD properties,
 * probed and cached) and an exact model of what each upstream QEMU version's
 * hw/vfio/igd.c does with an Intel IGD: the generation it computes, whether
 * legacy mode can engage, the GMS the guest sees, the etc/igd-bdsm-size value
 * and the x-igd-gms value needed to give the guest the host's stolen size.
 *
 * The model mirrors QEMU 7.2 (Debian 12) up to 11.1.0-rc2, the last
 * hw/vfio/igd.c read; a newer QEMU is judged as 11.1 and the model says so
 * (IgdQemuIgdModel.note). Each branch of igd-qemu-model.c names the QEMU
 * version range and function it follows.
 */
#pragma once

#include <glib.h>

#include "igd-devices.h"
#include "igd-gmch.h"

G_BEGIN_DECLS

typedef struct {
    char *binary;                 /* absolute path probed (NULL for _new_for_version) */
    guint major, minor, micro;    /* from `qemu-system-x86_64 --version` */
    char *version_string;         /* the whole first line of --version */
    gboolean has_vfio_pci;        /* the binary knows -device vfio-pci */
    gboolean x_igd_opregion, x_igd_gms, x_igd_legacy_mode, x_igd_lpc; /* offered by -device vfio-pci,help */
    gboolean x_igd_opregion_default_on; /* help says "x-igd-opregion ... (default: true)" (10.1+) */
    GPtrArray *vfio_pci_props;    /* every x-igd-* name seen, for display (char *) */
} IgdQemuCaps;

/*
 * Probe @binary (NULL → $IGD_QEMU, else IGD_DEFAULT_QEMU from config.h) with
 * `--version` and `-machine none -nodefaults -display none -device
 * vfio-pci,help` (no KVM needed). Each run is capped at @timeout_ms (0: 10 s). The result is
 * cached in @cache_dir (NULL → no cache) in a key file named after the
 * binary, keyed by binary path + mtime + size; a stale or corrupt cache is
 * ignored and rewritten. Errors: IGD_ERROR_NOT_FOUND (no such binary),
 * IGD_ERROR_IO (cannot run, timed out), IGD_ERROR_INVALID (no parsable
 * version line).
 */
IgdQemuCaps *igd_qemu_caps_probe(const char *binary, const char *cache_dir, guint timeout_ms,
                                  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * @caps as a saved probe: the key file of the probe cache without the
 * binary's mtime and size (a report carries it as qemu-probe.ini). Returns
 * the text (g_free), its length in *@len.
 */
char *igd_qemu_caps_save(const IgdQemuCaps *caps, gsize *len) G_GNUC_WARN_UNUSED_RESULT;

/*
 * A probe saved by igd_qemu_caps_save() (or a cache file), whatever QEMU
 * is installed: the file must be a regular file of at most 64 KiB
 * (NOT_FOUND, INVALID otherwise) holding a valid probe (INVALID).
 */
IgdQemuCaps *igd_qemu_caps_load(const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Caps of an upstream QEMU version without a binary, its vfio-pci IGD
 * properties as that version has them: for tests and `rewrite` for another
 * machine. Versions before 7.2 are modelled as 7.2.
 */
IgdQemuCaps *igd_qemu_caps_new_for_version(guint major, guint minor, guint micro) G_GNUC_WARN_UNUSED_RESULT;

/* Parse the output of `--version` and `-device vfio-pci,help` (exposed for tests). */
gboolean igd_qemu_caps_parse_version(IgdQemuCaps *caps, const char *text, GError **error);
void igd_qemu_caps_parse_help(IgdQemuCaps *caps, const char *text);

void igd_qemu_caps_free(IgdQemuCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdQemuCaps, igd_qemu_caps_free)

/* TRUE when the QEMU is @major.@minor or newer. */
gboolean igd_qemu_caps_version_ge(const IgdQemuCaps *caps, guint major, guint minor);

/* The machine type families QEMU's IGD code tells apart. */
typedef enum {
    IGD_MACHINE_I440FX, /* MachineClass family "pc_piix": "pc", "pc-i440fx-*", the oldest "pc-0.x"/"pc-1.x"; also
                         * an absent machine (libvirt's x86 default) */
    IGD_MACHINE_Q35,    /* "q35", "pc-q35-*": ICH9 LPC at 00:1f.0 */
    IGD_MACHINE_OTHER,  /* isapc, microvm, ... */
} IgdMachineKind;

/* The family of machine type @machine (NULL: i440fx): the one classifier the model and the domain use. */
IgdMachineKind igd_machine_kind(const char *machine);

/* x-igd-legacy-mode (QEMU 10.0+): "auto" is QEMU's default. */
typedef enum {
    IGD_QEMU_LEGACY_AUTO = 0,
    IGD_QEMU_LEGACY_ON,
    IGD_QEMU_LEGACY_OFF,
} IgdQemuLegacyMode;

/*
 * What the host and the domain give QEMU besides the machine type and the
 * x-igd-* properties: the conditions hw/vfio/igd.c tests while it sets up
 * legacy mode. igd_qemu_setup_init() gives the model's assumptions.
 */
typedef struct {
    gboolean at_02_0;        /* the IGD sits at guest 00:02.0 on the root bus (legacy mode can engage) */
    gboolean kernel_regions; /* the host kernel gives the IGD's OpRegion, host- and LPC-bridge regions (Linux 4.6+) */
    gboolean vga_region;     /* vfio-pci gives the VGA region (disable_vga=0, CONFIG_VFIO_PCI_VGA) */
    gboolean slot_1f_free;   /* nothing at guest 00:1f.0 but what QEMU puts there itself */
    gboolean romfile;        /* the guest's ROM is a romfile=, not the device's ROM BAR */
} IgdQemuSetup;

/* Everything present, the device's own ROM: what igd_qemu_model_igd() assumes. */
void igd_qemu_setup_init(IgdQemuSetup *setup);

/* How QEMU dies realizing the device instead of refusing it with an error. */
typedef enum {
    IGD_QEMU_CRASH_NONE = 0,
    IGD_QEMU_CRASH_GMS,          /* 10.1+: a refused x-igd-gms returns false without an error: NULL dereference */
    IGD_QEMU_CRASH_LEGACY_SETUP, /* 10.0+: auto legacy mode, OpRegion/LPC setup fails: error_report_err(NULL) */
    IGD_QEMU_CRASH_VGA,          /* 10.0+: legacy mode, no VGA region: a second error_setg() on one error: abort */
} IgdQemuCrash;

/* What the VBIOS of a legacy-mode guest uses as BDSM when it programs the GTT. */
typedef enum {
    IGD_QEMU_VBIOS_BDSM_NONE = 0,  /* no legacy mode, no VBIOS run by QEMU's quirks */
    IGD_QEMU_VBIOS_BDSM_RELOCATED, /* 7.2 – 9.2: the IO BAR4 GTT write quirk moves host-BDSM entries to the guest's */
    IGD_QEMU_VBIOS_BDSM_STALE,     /* 10.0 – 11.0 (that quirk removed), or 11.1 with romfile=: the host's cached BDSM */
    IGD_QEMU_VBIOS_BDSM_CLEARED,   /* 11.1+: vfio_igd_legacy_rom_quirk() clears the VBIOS's saved BDSM in the device ROM */
} IgdQemuVbiosBdsm;

/* "relocated", "stale", "cleared", NULL for NONE. */
const char *igd_qemu_vbios_bdsm_to_string(IgdQemuVbiosBdsm v);

typedef struct {
    gint qemu_gen;            /* generation as this QEMU computes it; -1 = unsupported/unknown to this QEMU */
    gboolean recognised;      /* QEMU applies its IGD quirks to this device at all */
    gboolean legacy_possible; /* legacy mode can engage for this device on this QEMU (ignoring the domain) */
    char *legacy_reason;      /* why not, in QEMU's own words where QEMU prints one (NULL when possible) */
    guint guest_gms;          /* GMS value the guest sees in GGC (its own field: bits 7:3 on Cherryview) */
    guint16 guest_ggc;        /* the whole GGC the guest reads (QEMU's emulated value, or the host's) */
    guint64 guest_stolen_bytes; /* stolen size that GMS means to the guest driver */
    guint64 guest_gtt_bytes;  /* GTT size the guest driver reads from the GGMS it sees (0: none); with a
                               * platform only, else the host's */
    guint64 bdsm_size;        /* the value QEMU puts in etc/igd-bdsm-size (0 when it creates none or writes 0) */
    gboolean bdsm_size_file;  /* QEMU creates etc/igd-bdsm-size at all */
    guint bdsm_offset;        /* BDSM register QEMU emulates: 0x5c, or 0xc0 for gen ≥ 11 (9.2+) */
    gint x_igd_gms_needed;    /* value of x-igd-gms so the guest gets the host's stolen size (or as close
                               * as allowed); -1 when QEMU's default already does it or it cannot help */
    guint x_igd_gms_max;      /* highest value this QEMU accepts for this generation */
    gboolean x_igd_gms_valid; /* the x_igd_gms passed in is accepted (unset counts as valid) */
    gboolean opregion_default_on; /* x-igd-opregion defaults to on (10.1+) */
    gboolean lpc_bridge_created;  /* QEMU creates vfio-pci-igd-lpc-bridge at 1f.0 (legacy mode) */
    char *start_error;        /* QEMU refuses to realize the device with this message (NULL = it starts) */
    IgdQemuCrash crash;       /* QEMU crashes instead (start_error NULL then) */
    char *crash_reason;       /* what it prints and where it dies, with hw/vfio/igd.c's lines (NULL: no crash) */
    IgdQemuVbiosBdsm vbios_bdsm; /* legacy mode: what BDSM the VBIOS programs the GTT with */
    char *warning;            /* what this QEMU gets wrong or prints for this device ("; "-joined), NULL: nothing */
    char *note;               /* the version is newer than the last hw/vfio/igd.c read (igd_qemu_version_note()) */
} IgdQemuIgdModel;

/* What the model is asked: one IGD, one guest, one QEMU (igd_qemu_model_request_init() gives the defaults). */
typedef struct {
    guint16 device_id;
    const IgdPlatformInfo *platform; /* NULL: an id the table does not know (QEMU knows only the id; the platform
                                      * feeds what the guest reads and warnings about what QEMU gets wrong) */
    const IgdGmchInfo *gmch;         /* the host's GMCH decode, NULL: unknown (sizes are then 0) */
    gint x_igd_gms;                  /* the domain's x-igd-gms, -1: unset */
    const char *machine;             /* "pc-i440fx-7.2", "pc-q35-...", "pc", "q35"; NULL: i440fx */
    IgdQemuLegacyMode legacy_mode;   /* x-igd-legacy-mode (ignored before 10.0) */
    IgdQemuSetup setup;              /* what the host and the domain give QEMU */
} IgdQemuModelRequest;

/* @device_id with unknown platform and GMCH, no x-igd-*, i440fx, auto, igd_qemu_setup_init()'s setup. */
void igd_qemu_model_request_init(IgdQemuModelRequest *req, guint16 device_id);

/*
 * What this QEMU does with the IGD of @req (its device at guest 00:02.0, a
 * ROM and the kernel regions present unless @req->setup says otherwise):
 * the generation it computes, whether legacy mode engages, the GGC and
 * stolen size the guest sees, etc/igd-bdsm-size, the x-igd-gms needed, and
 * where it crashes instead of refusing. Fills @out (clear it with
 * igd_qemu_igd_model_clear()). FALSE only for a caps without a version
 * (IGD_ERROR_INVALID).
 */
gboolean igd_qemu_model_igd(const IgdQemuCaps *caps, const IgdQemuModelRequest *req, IgdQemuIgdModel *out,
                            GError **error);

/*
 * TRUE when x-igd-gms=@x_igd_gms (> 0) on @device_id crashes @caps's QEMU
 * (10.1 and later: a value vfio_pci_igd_override_gms() refuses, any value on
 * a device QEMU does not know); *@why (may be NULL) gets the reason with
 * QEMU's code path. Such a value must never be written to a domain.
 */
gboolean igd_qemu_gms_crashes(const IgdQemuCaps *caps, guint16 device_id, gint x_igd_gms, char **why);

/*
 * What @caps's QEMU prints when legacy mode finds no ROM (no ROM BAR and no
 * romfile=), quoted: before 10.0 one line, "IGD device 0000:00:02.0 has no
 * ROM, legacy mode disabled"; from 10.0 on the error "Device has no ROM",
 * then, in auto mode, "IGD legacy mode disabled".
 */
const char *igd_qemu_no_rom_message(const IgdQemuCaps *caps);

/*
 * NULL, or a sentence saying that @caps's version is newer than the last
 * hw/vfio/igd.c read (11.1.0-rc2) and is judged as 11.1.
 */
char *igd_qemu_version_note(const IgdQemuCaps *caps) G_GNUC_WARN_UNUSED_RESULT;

void igd_qemu_igd_model_clear(IgdQemuIgdModel *m);

/* The generation @caps computes for @device_id (-1 = not supported by that QEMU). */
gint igd_qemu_gen(const IgdQemuCaps *caps, guint16 device_id);

/* Stolen bytes a GMS value means to this QEMU for generation @gen (QEMU's own decode). */
guint64 igd_qemu_gms_to_bytes(const IgdQemuCaps *caps, gint gen, guint gms);

G_END_DECLS
