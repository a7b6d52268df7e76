/*
 * igd-inspect.h: everything igd-assign knows about one IGD, gathered once
 * and rendered as the `inspect` JSON of SPEC.md §3 or as text. Used by the
 * CLI and the daemon.
 */
#pragma once

#include <glib.h>

#include "igd-devices.h"
#include "igd-gmch.h"
#include "igd-opregion.h"
#include "igd-pci-address.h"
#include "igd-qemu.h"
#include "igd-rom.h"
#include "igd-sysroot.h"
#include "igd-vbt.h"

G_BEGIN_DECLS

typedef struct {
    IgdPciAddress addr;
    char name[13];
    guint16 vendor_id, device_id, subsystem_vendor_id, subsystem_device_id;
    guint32 class_code;
    guint8 revision;
    char *driver;                    /* NULL: unbound */
    char *driver_override;           /* NULL: none */
    gint iommu_group;                /* -1: none */
    const IgdPlatformInfo *platform; /* NULL: unknown device id */
    gboolean gmch_valid;
    IgdGmchInfo gmch;
    IgdOpRegion *opregion;           /* NULL when not readable */
    char *opregion_source;           /* "vfio", "debugfs", or NULL */
    IgdVbt *vbt;                     /* NULL when none */
    char *vbt_source;                /* "opregion", "debugfs" or NULL */
    IgdRom *rom;                     /* NULL when not readable or invalid */
    gsize rom_size;
    IgdQemuCaps *qemu;               /* NULL when no QEMU was found */
    gboolean qemu_model_valid;
    IgdQemuIgdModel qemu_model;      /* what that QEMU does with this IGD on i440fx */
    gboolean legacy_capable;
    gboolean upt_capable;
    GPtrArray *reasons;              /* char*: why a mode is not possible, or a caveat */
    GPtrArray *notes;                /* char*: facts that could not be gathered, and why */
} IgdInspect;

/*
 * Gather the facts about the IGD at @addr. Only "no such device" (NOT_FOUND)
 * and "not an Intel display device" (UNSUPPORTED) are errors: every optional
 * part that cannot be read (OpRegion, VBT, ROM, QEMU) is left NULL with a
 * note saying why. @qemu may be NULL (not probed); it is copied by reference
 * and must outlive the result.
 */
IgdInspect *igd_inspect_collect(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                                IgdQemuCaps *qemu, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void igd_inspect_free(IgdInspect *inspect);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdInspect, igd_inspect_free)

/* The `inspect --json` document (SPEC.md §3 field names). */
char *igd_inspect_to_json(const IgdInspect *inspect) G_GNUC_WARN_UNUSED_RESULT;
/* The human form, several lines; @verbose adds the notes. */
char *igd_inspect_to_text(const IgdInspect *inspect, gboolean verbose) G_GNUC_WARN_UNUSED_RESULT;

/*
 * The OpRegion of a device as the host exposes it: the VFIO OpRegion region
 * when bound to vfio-pci, else i915's debugfs copy. NULL with an error
 * saying which sources were tried.
 */
GBytes *igd_inspect_read_opregion(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                                  const char *driver, char **source, GError **error);
/* The VBT from i915's debugfs (`i915_vbt`), for hosts where the OpRegion is not readable. */
GBytes *igd_inspect_read_debugfs_vbt(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error);

/* QEMU caps for the CLI and daemon: $IGD_QEMU or the configured binary, cached in
 * $IGD_ASSIGN_CACHE_DIR (empty: no cache) or the user cache dir. NULL with @error when absent. */
IgdQemuCaps *igd_inspect_probe_qemu(GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
