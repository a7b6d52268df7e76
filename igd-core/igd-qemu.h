/*
 * igd-qemu.h: what the installed QEMU is (version, vfio-pci IGD properties,
 * probed and cached) and an exact model of what each upstream QEMU version's
 * hw/vfio/igd.c does with an Intel IGD: the generation it computes, whether
 * legacy mode can engage, the GMS the guest sees, the etc/igd-bdsm-size value
 * and the x-igd-gms value needed to give the guest the host's stolen size.
 *
 * The model mirrors QEMU 7.2 (Debian 12) up to 10.1 and later; each branch of
 * igd-qemu-model.c names the QEMU version range and function it follows.
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
 * vfio-pci,help` (no KVM needed). Each run is capped at 10 s. The result is
 * cached in @cache_dir (NULL → no cache) in a key file named after the
 * binary, keyed by binary path + mtime + size; a stale or corrupt cache is
 * ignored and rewritten. Errors: IGD_ERROR_NOT_FOUND (no such binary),
 * IGD_ERROR_IO (cannot run, timed out), IGD_ERROR_INVALID (no parsable
 * version line).
 */
IgdQemuCaps *igd_qemu_caps_probe(const char *binary, const char *cache_dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* As igd_qemu_caps_probe() with a per-run timeout in milliseconds (tests). */
IgdQemuCaps *igd_qemu_caps_probe_full(const char *binary, const char *cache_dir, guint timeout_ms,
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

typedef struct {
    gint qemu_gen;            /* generation as this QEMU computes it; -1 = unsupported/unknown to this QEMU */
    gboolean recognised;      /* QEMU applies its IGD quirks to this device at all */
    gboolean legacy_possible; /* legacy mode can engage for this device on this QEMU (ignoring the domain) */
    char *legacy_reason;      /* why not, in QEMU's own words where QEMU prints one (NULL when possible) */
    guint guest_gms;          /* GMS value the guest sees in GGC */
    guint16 guest_ggc;        /* the whole GGC the guest reads (QEMU's emulated value, or the host's) */
    guint64 guest_stolen_bytes; /* stolen size that GMS means to the guest driver */
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
    char *warning;            /* what this QEMU gets wrong or prints for this device ("; "-joined), NULL: nothing */
} IgdQemuIgdModel;

/*
 * What this QEMU does with the IGD @device_id whose host GMCH decodes to
 * @gmch (@platform may be NULL = unknown id; @gmch may be NULL = unknown,
 * then sizes are 0), given an explicit x-igd-gms (-1 = unset) and the
 * machine type ("pc-i440fx-7.2", "pc-q35-...", "pc", "q35"; NULL = i440fx),
 * assuming the device sits at guest 00:02.0 with a ROM and the kernel
 * regions present (the domain-level conditions are the caller's). Fills
 * @out (clear it with igd_qemu_igd_model_clear()). FALSE only for a caps
 * without a version (IGD_ERROR_INVALID).
 */
gboolean igd_qemu_model_igd(const IgdQemuCaps *caps, guint16 device_id, const IgdPlatformInfo *platform,
                            const IgdGmchInfo *gmch, gint x_igd_gms, const char *machine,
                            IgdQemuIgdModel *out, GError **error);

/* As igd_qemu_model_igd() with the x-igd-legacy-mode value (ignored before 10.0). */
gboolean igd_qemu_model_igd_full(const IgdQemuCaps *caps, guint16 device_id, const IgdPlatformInfo *platform,
                                 const IgdGmchInfo *gmch, gint x_igd_gms, const char *machine,
                                 IgdQemuLegacyMode legacy_mode, IgdQemuIgdModel *out, GError **error);

void igd_qemu_igd_model_clear(IgdQemuIgdModel *m);

/* The generation @caps computes for @device_id (-1 = not supported by that QEMU). */
gint igd_qemu_gen(const IgdQemuCaps *caps, guint16 device_id);

/* Stolen bytes a GMS value means to this QEMU for generation @gen (QEMU's own decode). */
guint64 igd_qemu_gms_to_bytes(const IgdQemuCaps *caps, gint gen, guint gms);

G_END_DECLS
