/*
 * igd-gmch.c: decode the IGD's Graphics Control register (GGC), the base
 * of stolen memory (BDSM) and the OpRegion address (ASLS) from its config
 * space.
 *
 * Formulas (checked against the kernel sources, never guessed):
 *   stolen size: arch/x86/kernel/early-quirks.c gen6_stolen_size() (also
 *     Valleyview), gen8_stolen_size(), gen9_stolen_size() (gen9_early_ops up
 *     to Cannon Lake, gen11_early_ops from Ice Lake to Raptor Lake),
 *     chv_stolen_size(); early-quirks does not list Meteor/Arrow Lake, whose
 *     i915 code (i915_gem_stolen.c mtl_get_gms_size()) gives the same sizes
 *     for the values it accepts (0x00-0x04 × 32 MiB, 0xf0-0xfe 4 MiB steps);
 *   GTT size: drivers/gpu/drm/i915/gt/intel_ggtt.c
 *     gen6_get_total_gtt_size(), gen8_get_total_gtt_size(),
 *     chv_get_total_gtt_size();
 *   BDSM: 32 bit at 0x5c (INTEL_BSM) up to gen 10, 64 bit at 0xc0/0xc4
 *     (INTEL_GEN11_BSM_DW0/DW1) from gen 11 (early-quirks gen11_stolen_base);
 *     none from Meteor Lake on: "Starting from Meteor Lake, IGD devices
 *     access stolen memory via its MMIO BAR2 (LMEMBAR) and removed the BDSM
 *     register in config space" (QEMU docs/igd-assign.txt, v10.2.0), and
 *     i915 i915_gem_stolen.c: "Starting MTL, in IGFX devices the stolen
 *     memory is exposed via LMEMBAR and shall be considered similar to
 *     stolen lmem".
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-gmch.h"

G_STATIC_ASSERT(IGD_GMCH + IGD_GMCH_SIZE == 0x52);
G_STATIC_ASSERT(IGD_BDSM + IGD_BDSM_SIZE == 0x60);
G_STATIC_ASSERT(IGD_BDSM_GEN11 + IGD_BDSM_GEN11_SIZE == 0xc8);
G_STATIC_ASSERT(IGD_ASLS + IGD_ASLS_SIZE == 0x100);

#define MiB G_GUINT64_CONSTANT(1048576)

/* Gen 6/7 (and Valleyview) and Cherryview keep the Sandy Bridge field layout. */
static gboolean
uses_snb_layout(const IgdPlatformInfo *platform)
{
    return platform->gen < 8 || igd_platform_has_flag(platform, IGD_PLATFORM_FLAG_CHERRYVIEW);
}

guint
igd_gmch_get_gms(const IgdPlatformInfo *platform, guint16 ggc)
{
    if (platform == NULL)
        return 0;
    if (uses_snb_layout(platform))
        return (ggc >> IGD_GMCH_GEN6_GMS_SHIFT) & IGD_GMCH_GEN6_GMS_MASK;
    return (ggc >> IGD_GMCH_GEN8_GMS_SHIFT) & IGD_GMCH_GEN8_GMS_MASK;
}

guint
igd_gmch_get_ggms(const IgdPlatformInfo *platform, guint16 ggc)
{
    if (platform == NULL)
        return 0;
    if (uses_snb_layout(platform))
        return (ggc >> IGD_GMCH_GEN6_GGMS_SHIFT) & IGD_GMCH_GEN6_GGMS_MASK;
    return (ggc >> IGD_GMCH_GEN8_GGMS_SHIFT) & IGD_GMCH_GEN8_GGMS_MASK;
}

guint64
igd_gmch_stolen_bytes(const IgdPlatformInfo *platform, guint gms)
{
    if (platform == NULL)
        return 0;

    if (igd_platform_has_flag(platform, IGD_PLATFORM_FLAG_CHERRYVIEW)) {
        /* chv_stolen_size(): 0x0-0x10 32 MiB steps from 0, 0x11-0x16 4 MiB steps
         * from 8 MiB, 0x17-0x1d 4 MiB steps from 36 MiB */
        gms &= IGD_GMCH_GEN6_GMS_MASK;
        if (gms < 0x11)
            return (guint64)gms * 32 * MiB;
        if (gms < 0x17)
            return ((guint64)(gms - 0x11) * 4 + 8) * MiB;
        return ((guint64)(gms - 0x17) * 4 + 36) * MiB;
    }
    if (platform->gen < 8)
        return (guint64)(gms & IGD_GMCH_GEN6_GMS_MASK) * 32 * MiB; /* gen6_stolen_size() */

    gms &= IGD_GMCH_GEN8_GMS_MASK;
    if (platform->gen >= 9 && gms >= IGD_GMCH_GEN9_GMS_4M)
        return (guint64)(gms - IGD_GMCH_GEN9_GMS_4M + 1) * 4 * MiB; /* gen9_stolen_size() */
    return (guint64)gms * 32 * MiB; /* gen8_stolen_size(), gen9_stolen_size() below 0xf0 */
}

guint64
igd_gmch_gtt_bytes(const IgdPlatformInfo *platform, guint ggms)
{
    if (platform == NULL)
        return 0;
    ggms &= IGD_GMCH_GEN6_GGMS_MASK; /* both layouts have a 2-bit field */
    if (ggms == 0)
        return 0;
    if (igd_platform_has_flag(platform, IGD_PLATFORM_FLAG_CHERRYVIEW))
        return G_GUINT64_CONSTANT(1) << (20 + ggms); /* chv_get_total_gtt_size() */
    if (platform->gen < 8)
        return (guint64)ggms * MiB; /* gen6_get_total_gtt_size() */
    return (G_GUINT64_CONSTANT(1) << ggms) * MiB; /* gen8_get_total_gtt_size() (64-bit kernel) */
}

guint
igd_gmch_bdsm_offset(const IgdPlatformInfo *platform)
{
    if (igd_platform_has_flag(platform, IGD_PLATFORM_FLAG_NO_BDSM))
        return 0;
    return platform != NULL && platform->gen >= 11 ? IGD_BDSM_GEN11 : IGD_BDSM;
}

gboolean
igd_gmch_decode(const IgdPlatformInfo *platform, const guint8 *config, gsize len,
                IgdGmchInfo *info, GError **error)
{
    g_return_val_if_fail(info != NULL, FALSE);
    g_return_val_if_fail(config != NULL || len == 0, FALSE);

    memset(info, 0, sizeof(*info));

    if (platform == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                    "unknown IGD platform: no GMCH decoding");
        return FALSE;
    }
    if (!igd_range_ok(len, IGD_GMCH, IGD_GMCH_SIZE)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "config space of %" G_GSIZE_FORMAT " bytes too short for GGC at 0x%02x",
                    len, IGD_GMCH);
        return FALSE;
    }

    info->ggc = igd_le16(config + IGD_GMCH);
    info->gms = igd_gmch_get_gms(platform, info->ggc);
    info->ggms = igd_gmch_get_ggms(platform, info->ggc);
    info->stolen_bytes = igd_gmch_stolen_bytes(platform, info->gms);
    info->gtt_bytes = igd_gmch_gtt_bytes(platform, info->ggms);
    info->vga_disabled = (info->ggc & IGD_GMCH_IVD) != 0;

    info->bdsm_offset = igd_gmch_bdsm_offset(platform);
    if (info->bdsm_offset == IGD_BDSM_GEN11) {
        if (igd_range_ok(len, IGD_BDSM_GEN11, IGD_BDSM_GEN11_SIZE)) {
            info->bdsm = igd_le64(config + IGD_BDSM_GEN11);
            info->bdsm_present = TRUE;
        }
    } else if (info->bdsm_offset == IGD_BDSM && igd_range_ok(len, IGD_BDSM, IGD_BDSM_SIZE)) {
        info->bdsm = igd_le32(config + IGD_BDSM);
        info->bdsm_present = TRUE;
    }

    if (igd_range_ok(len, IGD_ASLS, IGD_ASLS_SIZE)) {
        info->asls = igd_le32(config + IGD_ASLS);
        info->asls_present = TRUE;
    }
    return TRUE;
}
