/*
 * igd-inspect.h: the `inspect` document of SPEC.md §3: one snapshot of the
 * IGD (igd-snapshot.h), what the installed QEMU does with it
 * (igd-qemu-model) and its legacy/UPT eligibility (the requirements of
 * igd-requirements.h for an i440fx guest booting SeaBIOS), rendered as JSON
 * or text. Used by the CLI and the daemon; it judges nothing itself.
 */
#pragma once

#include <glib.h>

#include "igd-finding.h"
#include "igd-pci-address.h"
#include "igd-qemu.h"
#include "igd-snapshot.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

typedef struct {
    IgdSnapshot *snapshot;
    gboolean qemu_model_valid;
    IgdQemuIgdModel qemu_model;      /* what that QEMU does with this IGD on i440fx */
    GPtrArray *legacy;               /* IgdFinding*: IGD_SCOPE_LEGACY for i440fx + SeaBIOS */
    GPtrArray *upt;                  /* IgdFinding*: IGD_SCOPE_UPT */
    gboolean legacy_capable;
    gboolean upt_capable;
    GPtrArray *reasons;              /* char*: why a mode is not possible, or a caveat */
    GPtrArray *notes;                /* char*: facts that could not be gathered, and why */
    char *rom_seabios, *rom_uefi;    /* no usable ROM: the way out (igd_requirements_rom_way_out()), else NULL */
} IgdInspect;

/*
 * Gather everything about the IGD at @addr and judge it. Only "no such
 * device" (NOT_FOUND) and "not an Intel display device" (UNSUPPORTED) are
 * errors: every optional part that cannot be read (OpRegion, VBT, ROM,
 * QEMU) is left NULL with a note saying why. @qemu may be NULL (none found);
 * it must outlive the result.
 */
IgdInspect *igd_inspect_collect(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                                const IgdQemuCaps *qemu, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/*
 * igd_inspect_collect() judging the ROM file @romfile (NULL: the device's
 * ROM) instead of the device's ROM (igd_snapshot_use_romfile()); a ROM file
 * that cannot be read or is not an option ROM is an error.
 */
IgdInspect *igd_inspect_collect_romfile(const IgdSysroot *sysroot, const IgdPciAddress *addr, const IgdQemuCaps *qemu,
                                        const char *romfile, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void igd_inspect_free(IgdInspect *inspect);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdInspect, igd_inspect_free)

/* The `inspect --json` document (SPEC.md §3 field names). */
char *igd_inspect_to_json(const IgdInspect *inspect) G_GNUC_WARN_UNUSED_RESULT;
/* The human form, several lines; @verbose adds the notes. */
char *igd_inspect_to_text(const IgdInspect *inspect, gboolean verbose) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
