/*
 * igd-gmch.h: the IGD's stolen-memory registers in PCI config space:
 * Graphics Control (GGC: GMS, GGMS, IVD), Base of Data Stolen Memory
 * (BDSM, 0x5C, 64-bit at 0xC0 on gen 11+, none from Meteor Lake on) and the
 * OpRegion address (ASLS).
 *
 * Sizes follow Linux arch/x86/kernel/early-quirks.c (stolen memory) and
 * i915 gt/intel_ggtt.c (GTT size).
 */
#pragma once

#include <glib.h>

#include "igd-devices.h"

G_BEGIN_DECLS

#define IGD_GMCH                 0x50  /* Graphics Control (GGC), i915: SNB_GMCH_CTRL, 16 bit */
#define IGD_GMCH_SIZE            2
#define IGD_GMCH_IVD             (1u << 1)  /* IGD VGA Disable, i915: INTEL_GMCH_VGA_DISABLE */
#define IGD_GMCH_GEN6_GMS_SHIFT  3     /* SNB_GMCH_GMS_SHIFT: gen 6/7 and Cherryview, bits 7:3 */
#define IGD_GMCH_GEN6_GMS_MASK   0x1f  /* SNB_GMCH_GMS_MASK */
#define IGD_GMCH_GEN6_GGMS_SHIFT 8     /* SNB_GMCH_GGMS_SHIFT: gen 6/7 and Cherryview, bits 9:8 */
#define IGD_GMCH_GEN6_GGMS_MASK  0x3   /* SNB_GMCH_GGMS_MASK */
#define IGD_GMCH_GEN8_GMS_SHIFT  8     /* BDW_GMCH_GMS_SHIFT: gen 8+, bits 15:8 */
#define IGD_GMCH_GEN8_GMS_MASK   0xff  /* BDW_GMCH_GMS_MASK */
#define IGD_GMCH_GEN8_GGMS_SHIFT 6     /* BDW_GMCH_GGMS_SHIFT: gen 8+, bits 7:6 */
#define IGD_GMCH_GEN8_GGMS_MASK  0x3   /* BDW_GMCH_GGMS_MASK */
#define IGD_GMCH_GEN9_GMS_4M     0xf0  /* gen 9+: GMS >= 0xF0 counts 4 MiB steps from 4 MiB */

#define IGD_BDSM                 0x5c  /* Base of Data Stolen Memory, i915: INTEL_BSM, 32 bit */
#define IGD_BDSM_SIZE            4
#define IGD_BDSM_GEN11           0xc0  /* i915: INTEL_GEN11_BSM_DW0 (DW1 at 0xc4), 64 bit */
#define IGD_BDSM_GEN11_SIZE      8
#define IGD_BDSM_MASK            0xfff00000u           /* INTEL_BSM_MASK, GENMASK(31, 20) */
#define IGD_BDSM_GEN11_MASK      G_GUINT64_CONSTANT(0xfffffffffff00000) /* INTEL_GEN11_BSM_MASK, GENMASK_ULL(63, 20) */
#define IGD_BDSM_LOCK            (1u << 0)             /* BDSM lock bit */

#define IGD_ASLS                 0xfc  /* ASL Storage: OpRegion physical address, i915: ASLS */
#define IGD_ASLS_SIZE            4

typedef struct {
    guint16 ggc;           /* config 0x50 */
    guint gms;             /* raw GMS field */
    guint ggms;            /* raw GGMS field */
    guint64 stolen_bytes;  /* Linux early-quirks formula */
    guint64 gtt_bytes;     /* i915 GGTT size formula */
    guint bdsm_offset;     /* 0x5c, 0xc0 on gen >= 11, 0: no BDSM register (IGD_PLATFORM_FLAG_NO_BDSM) */
    guint64 bdsm;          /* current BDSM register value, lock bit included (64-bit at 0xc0) */
    gboolean bdsm_present; /* FALSE when there is none or the config dump is too short to hold it */
    gboolean vga_disabled; /* GGC bit 1 (IVD) */
    guint32 asls;          /* config 0xfc, OpRegion address (0 = none) */
    gboolean asls_present; /* FALSE when the config dump is too short to hold it */
} IgdGmchInfo;

/*
 * Decode GGC, BDSM and ASLS of the IGD config space @config (@len bytes)
 * for @platform. A dump too short for GGC (< 0x52 bytes) is
 * IGD_ERROR_INVALID; one too short for BDSM or ASLS decodes with
 * bdsm_present / asls_present FALSE (and the value 0). @platform NULL is
 * IGD_ERROR_UNSUPPORTED (unknown device: no formula is guessed).
 */
gboolean igd_gmch_decode(const IgdPlatformInfo *platform, const guint8 *config, gsize len,
                         IgdGmchInfo *info, GError **error);

/* The raw GMS field of @ggc on @platform (bits 7:3 on gen 6/7 and Cherryview, 15:8 on gen 8+). */
guint igd_gmch_get_gms(const IgdPlatformInfo *platform, guint16 ggc);
/* The raw GGMS field of @ggc on @platform (bits 9:8 on gen 6/7 and Cherryview, 7:6 on gen 8+). */
guint igd_gmch_get_ggms(const IgdPlatformInfo *platform, guint16 ggc);

/*
 * Stolen memory in bytes for GMS value @gms on @platform (the formula of
 * Linux arch/x86/kernel/early-quirks.c); 0 for GMS 0 or a NULL platform.
 */
guint64 igd_gmch_stolen_bytes(const IgdPlatformInfo *platform, guint gms);

/*
 * GTT (GGTT page table) size in bytes for GGMS value @ggms on @platform, as
 * i915 computes it (gen6_get_total_gtt_size, gen8_get_total_gtt_size,
 * chv_get_total_gtt_size); 0 for GGMS 0 or a NULL platform.
 */
guint64 igd_gmch_gtt_bytes(const IgdPlatformInfo *platform, guint ggms);

/*
 * The BDSM register offset of @platform: 0 when it has none (Meteor Lake and
 * later: stolen memory through LMEMBAR, IGD_PLATFORM_FLAG_NO_BDSM), 0xc0 on
 * gen >= 11, else 0x5c.
 */
guint igd_gmch_bdsm_offset(const IgdPlatformInfo *platform);

G_END_DECLS
