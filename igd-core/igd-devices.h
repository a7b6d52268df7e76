/*
 * igd-devices.h: Intel IGD device id → platform, graphics generation and
 * the host driver that binds it.
 *
 * One data table taken from Linux's device id list; ids it does not list
 * are unknown, never guessed from a masked prefix. The list moved:
 * include/drm/i915_pciids.h up to v6.10 (still there in v6.1),
 * include/drm/intel/i915_pciids.h in v6.11 and v6.12 ("drm: move
 * i915_pciids.h under include/drm/intel", 2024; v6.12 also has a separate
 * include/drm/intel/xe_pciids.h), include/drm/intel/pciids.h from v6.13
 * ("drm/intel/pciids: rename i915_pciids.h to just pciids.h", xe_pciids.h
 * deleted), which arch/x86/kernel/early-quirks.c, i915 and xe all include.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    IGD_PLATFORM_FLAG_NONE = 0,
    IGD_PLATFORM_FLAG_CHERRYVIEW = 1 << 0, /* Cherryview/Braswell: own GMS encoding */
    IGD_PLATFORM_FLAG_LP = 1 << 1,         /* Atom/low-power: VLV, CHV, BXT/APL, GLK, EHL/JSL */
    IGD_PLATFORM_FLAG_NO_BDSM = 1 << 2,    /* no BDSM in config space: stolen memory through LMEMBAR (BAR2),
                                            * Meteor Lake on (i915 HAS_LMEMBAR_SMEM_STOLEN: graphics >= 12.70) */
} IgdPlatformFlags;

typedef struct {
    guint16 device_id;
    const char *platform;         /* i915's name in words: "Sandy Bridge", "Meteor Lake" */
    guint8 gen;                   /* graphics major version as i915/xe number it: 6, 7, 8, 9, 11, 12, 20, 30, 35 */
    const char *graphics_version; /* "12.70" (Meteor Lake) etc., NULL where the major says it all or the
                                   * minor is not known from the kernel's code */
    const char *driver;           /* the host driver that binds it by default: "i915" or "xe" */
    guint flags;                  /* IgdPlatformFlags */
} IgdPlatformInfo;

/* The platform of an Intel IGD device id, or NULL when the id is unknown (never guessed). */
const IgdPlatformInfo *igd_platform_lookup(guint16 device_id);

/*
 * The whole table, terminated by an entry with device_id 0 (not counted in
 * *@n when @n is given). Sorted by device id.
 */
const IgdPlatformInfo *igd_platform_table(gsize *n);

/* TRUE when @platform has @flag (an IgdPlatformFlags bit); FALSE for NULL. */
gboolean igd_platform_has_flag(const IgdPlatformInfo *platform, IgdPlatformFlags flag);

/*
 * TRUE when i915 can drive an analog VGA (CRT) output on @platform at all:
 * Sandy Bridge to Broadwell, Valleyview included, not Cherryview and
 * nothing from gen 9 on (i915 intel_setup_outputs(): the VLV/CHV branch
 * registers a CRT only "if (display->platform.valleyview &&
 * display->vbt.int_crt_support)", and intel_ddi_crt_present() returns false
 * for "DISPLAY_VER(display) >= 9"). Whether this machine has one is the
 * VBT's and the straps' to say; FALSE for NULL.
 */
gboolean igd_platform_has_crt(const IgdPlatformInfo *platform);

G_END_DECLS
