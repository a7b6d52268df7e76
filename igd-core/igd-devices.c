/*
 * igd-devices.c: the Intel IGD device id table.
 *
 * Source: Linux include/drm/intel/pciids.h at torvalds/linux commit
 * 0755a4e3e809610a14befc9ad28d35e2e460da68 (its older names: igd-devices.h),
 * with drivers/gpu/drm/i915/i915_pci.c for which groups i915 drives and with
 * what generation:
 *
 *   INTEL_SNB_D/M_IDS        Sandy Bridge   6
 *   INTEL_IVB_M/D_IDS        Ivy Bridge     7   (0x016a also matches the Quanta transcode entry)
 *   INTEL_HSW_IDS            Haswell        7
 *   INTEL_VLV_IDS            Valleyview     7   LP
 *   INTEL_BDW_IDS            Broadwell      8
 *   INTEL_CHV_IDS            Cherryview     8   LP, own GMS/GGMS encoding
 *   INTEL_SKL_IDS            Skylake        9
 *   INTEL_BXT_IDS            Broxton        9   LP (0x5a84/0x5a85 are Apollo Lake, named so)
 *   INTEL_GLK_IDS            Gemini Lake    9   LP
 *   INTEL_KBL_IDS            Kaby Lake      9   (the AML_KBL part is named Amber Lake)
 *   INTEL_AML_*_GT2_IDS      Amber Lake     9
 *   INTEL_CML_IDS            Comet Lake     9
 *   INTEL_CFL_IDS            Coffee Lake    9
 *   INTEL_WHL_IDS            Whiskey Lake   9   (i915 drives it as Coffee Lake)
 *   INTEL_CNL_IDS            Cannon Lake    10  (listed by pciids.h; i915 dropped the platform)
 *   INTEL_ICL_IDS            Ice Lake       11
 *   INTEL_EHL_IDS            Elkhart Lake   11  LP
 *   INTEL_JSL_IDS            Jasper Lake    11  LP
 *   INTEL_TGL_IDS            Tiger Lake     12
 *   INTEL_RKL_IDS            Rocket Lake    12
 *   INTEL_ADLS_IDS           Alder Lake-S   12
 *   INTEL_ADLP_IDS           Alder Lake-P   12
 *   INTEL_ADLN_IDS           Alder Lake-N   12  (i915: an Alder Lake-P subplatform)
 *   INTEL_RPLS_IDS           Raptor Lake-S  12  (i915: an Alder Lake-S subplatform)
 *   INTEL_RPLU_IDS           Raptor Lake-U  12  (i915: an Alder Lake-P subplatform)
 *   INTEL_RPLP_IDS           Raptor Lake-P  12  (i915: an Alder Lake-P subplatform)
 *   INTEL_ARL_IDS            Arrow Lake     12.70 (i915_pci.c: mtl_info)
 *   INTEL_MTL_IDS            Meteor Lake    12.70 (i915_pci.c: mtl_info)
 *
 * and, from the same pciids.h as of v7.3-rc7 with drivers/gpu/drm/xe/xe_pci.c
 * (the integrated parts i915 has no entry for: only xe binds them, without
 * xe.force_probe in v7.3-rc7 for LNL, PTL, WCL and NVL-S; NVL-P still
 * requires it):
 *
 *   INTEL_LNL_IDS            Lunar Lake     20.04 (lnl_desc LUNARLAKE; xe tests/xe_pci.c
 *                                                  GMDID_CASE(LUNARLAKE, 2004, ...))
 *   INTEL_PTL_IDS            Panther Lake   30.00 (ptl_desc PANTHERLAKE; GMDID_CASE(PANTHERLAKE, 3000, ...))
 *   INTEL_WCL_IDS            Wildcat Lake   30, minor unknown (driven with ptl_desc; the commit adding it
 *                                                  says "slightly different graphics and media IP versions
 *                                                  than Panther Lake, but can still be treated as PTL"; no
 *                                                  version in the kernel's code)
 *   INTEL_NVLS_IDS           Nova Lake-S    30, minor unknown (nvls_desc NOVALAKE_S; the kernel's code gives
 *                                                  no version, only a compiler's table quoted second-hand
 *                                                  says 30.04)
 *   INTEL_NVLP_IDS           Nova Lake-P    35.10 (nvlp_desc NOVALAKE_P; xe_pci.c "Xe3p_LPG" is 3510, and
 *                                                  NVL-P came with the "Basic enabling patches for Xe3p_LPG
 *                                                  and NVL-P" series; written 0XD754..0XD757 with a capital X)
 *
 * Left out on purpose: everything before Sandy Bridge and the discrete cards
 * (DG1, DG2, ATS-M, PVC, BMG, CRI). The graphics version of Meteor/Arrow Lake
 * is i915's static 12.70; the hardware's GMD_ID may report 12.71 or 12.74.
 * Meteor/Arrow Lake default to i915 (xe's mtl_desc has
 * ".require_force_probe = true").
 *
 * Meteor Lake and everything after it have no BDSM register in config space
 * (NO_BDSM): i915 finds their stolen memory through LMEMBAR, BAR2 (i915_drv.h
 * HAS_LMEMBAR_SMEM_STOLEN: "!HAS_LMEM(i915) && GRAPHICS_VER_FULL(i915) >=
 * IP_VER(12, 70)"), xe too ("else if (GRAPHICS_VERx100(xe) >= 1270)
 * stolen_size = detect_lmembar_integrated(xe, mgr)",
 * xe_ttm_stolen_mgr.c), and arch/x86/kernel/early-quirks.c intel_early_ids
 * has no entry for them.
 *
 * Sorted by device id (the test checks it) so lookup is a binary search.
 */
#include "config.h"

#include "igd-devices.h"

static const IgdPlatformInfo platform_table[] = {
    { 0x0102, "Sandy Bridge", 6, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0106, "Sandy Bridge", 6, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x010a, "Sandy Bridge", 6, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0112, "Sandy Bridge", 6, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0116, "Sandy Bridge", 6, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0122, "Sandy Bridge", 6, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0126, "Sandy Bridge", 6, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0152, "Ivy Bridge", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0156, "Ivy Bridge", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x015a, "Ivy Bridge", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0162, "Ivy Bridge", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0166, "Ivy Bridge", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x016a, "Ivy Bridge", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0402, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0406, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x040a, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x040b, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x040e, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0412, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0416, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x041a, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x041b, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x041e, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0422, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0426, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x042a, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x042b, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x042e, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a02, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a06, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a0a, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a0b, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a0e, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a12, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a16, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a1a, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a1b, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a1e, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a22, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a26, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a2a, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a2b, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a2e, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0a84, "Broxton", 9, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x0c02, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0c06, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0c0a, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0c0b, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0c0e, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0c12, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0c16, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0c1a, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0c1b, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0c1e, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0c22, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0c26, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0c2a, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0c2b, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0c2e, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d02, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d06, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d0a, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d0b, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d0e, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d12, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d16, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d1a, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d1b, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d1e, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d22, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d26, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d2a, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d2b, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0d2e, "Haswell", 7, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x0f30, "Valleyview", 7, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x0f31, "Valleyview", 7, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x0f32, "Valleyview", 7, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x0f33, "Valleyview", 7, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x1602, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1606, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x160a, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x160b, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x160d, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x160e, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1612, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1616, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x161a, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x161b, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x161d, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x161e, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1622, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1626, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x162a, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x162b, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x162d, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x162e, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1632, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1636, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x163a, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x163b, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x163d, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x163e, "Broadwell", 8, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1902, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1906, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x190a, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x190b, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x190e, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1912, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1913, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1915, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1916, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1917, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x191a, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x191b, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x191d, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x191e, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1921, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1923, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1926, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1927, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x192a, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x192b, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x192d, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1932, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x193a, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x193b, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x193d, "Skylake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x1a84, "Broxton", 9, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x1a85, "Broxton", 9, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x22b0, "Cherryview", 8, NULL, "i915", IGD_PLATFORM_FLAG_CHERRYVIEW | IGD_PLATFORM_FLAG_LP },
    { 0x22b1, "Cherryview", 8, NULL, "i915", IGD_PLATFORM_FLAG_CHERRYVIEW | IGD_PLATFORM_FLAG_LP },
    { 0x22b2, "Cherryview", 8, NULL, "i915", IGD_PLATFORM_FLAG_CHERRYVIEW | IGD_PLATFORM_FLAG_LP },
    { 0x22b3, "Cherryview", 8, NULL, "i915", IGD_PLATFORM_FLAG_CHERRYVIEW | IGD_PLATFORM_FLAG_LP },
    { 0x3184, "Gemini Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x3185, "Gemini Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x3e90, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3e91, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3e92, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3e93, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3e94, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3e96, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3e98, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3e99, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3e9a, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3e9b, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3e9c, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3ea0, "Whiskey Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3ea1, "Whiskey Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3ea2, "Whiskey Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3ea3, "Whiskey Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3ea4, "Whiskey Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3ea5, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3ea6, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3ea7, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3ea8, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x3ea9, "Coffee Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4541, "Elkhart Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x4551, "Elkhart Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x4555, "Elkhart Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x4557, "Elkhart Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x4570, "Elkhart Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x4571, "Elkhart Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x4626, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4628, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x462a, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4680, "Alder Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4682, "Alder Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4688, "Alder Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x468a, "Alder Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x468b, "Alder Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4690, "Alder Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4692, "Alder Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4693, "Alder Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46a0, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46a1, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46a2, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46a3, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46a6, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46a8, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46aa, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46b0, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46b1, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46b2, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46b3, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46c0, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46c1, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46c2, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46c3, "Alder Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46d0, "Alder Lake-N", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46d1, "Alder Lake-N", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46d2, "Alder Lake-N", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46d3, "Alder Lake-N", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x46d4, "Alder Lake-N", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4c80, "Rocket Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4c8a, "Rocket Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4c8b, "Rocket Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4c8c, "Rocket Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4c90, "Rocket Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4c9a, "Rocket Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x4e51, "Jasper Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x4e55, "Jasper Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x4e57, "Jasper Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x4e61, "Jasper Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x4e71, "Jasper Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x5902, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5906, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5908, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x590a, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x590b, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x590e, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5912, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5913, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5915, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5916, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5917, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x591a, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x591b, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x591c, "Amber Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x591d, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x591e, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5921, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5923, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5926, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5927, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x593b, "Kaby Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a40, "Cannon Lake", 10, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a41, "Cannon Lake", 10, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a42, "Cannon Lake", 10, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a44, "Cannon Lake", 10, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a49, "Cannon Lake", 10, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a4a, "Cannon Lake", 10, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a4c, "Cannon Lake", 10, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a50, "Cannon Lake", 10, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a51, "Cannon Lake", 10, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a52, "Cannon Lake", 10, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a54, "Cannon Lake", 10, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a59, "Cannon Lake", 10, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a5a, "Cannon Lake", 10, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a5c, "Cannon Lake", 10, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x5a84, "Apollo Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x5a85, "Apollo Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_LP },
    { 0x6420, "Lunar Lake", 20, "20.04", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0x64a0, "Lunar Lake", 20, "20.04", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0x64b0, "Lunar Lake", 20, "20.04", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0x7d40, "Meteor Lake", 12, "12.70", "i915", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0x7d41, "Arrow Lake", 12, "12.70", "i915", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0x7d45, "Meteor Lake", 12, "12.70", "i915", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0x7d51, "Arrow Lake", 12, "12.70", "i915", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0x7d55, "Meteor Lake", 12, "12.70", "i915", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0x7d60, "Meteor Lake", 12, "12.70", "i915", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0x7d67, "Arrow Lake", 12, "12.70", "i915", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0x7dd1, "Arrow Lake", 12, "12.70", "i915", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0x7dd5, "Meteor Lake", 12, "12.70", "i915", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0x87c0, "Amber Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x87ca, "Amber Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a50, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a51, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a52, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a53, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a54, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a56, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a57, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a58, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a59, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a5a, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a5b, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a5c, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a5d, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a70, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x8a71, "Ice Lake", 11, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9a40, "Tiger Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9a49, "Tiger Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9a59, "Tiger Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9a60, "Tiger Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9a68, "Tiger Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9a70, "Tiger Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9a78, "Tiger Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9ac0, "Tiger Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9ac9, "Tiger Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9ad9, "Tiger Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9af8, "Tiger Lake", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9b21, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9b41, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9ba2, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9ba4, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9ba5, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9ba8, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9baa, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9bac, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9bc2, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9bc4, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9bc5, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9bc6, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9bc8, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9bca, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9bcc, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9be6, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0x9bf6, "Comet Lake", 9, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa720, "Raptor Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa721, "Raptor Lake-U", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa780, "Raptor Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa781, "Raptor Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa782, "Raptor Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa783, "Raptor Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa788, "Raptor Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa789, "Raptor Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa78a, "Raptor Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa78b, "Raptor Lake-S", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa7a0, "Raptor Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa7a1, "Raptor Lake-U", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa7a8, "Raptor Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa7a9, "Raptor Lake-U", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa7aa, "Raptor Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa7ab, "Raptor Lake-P", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa7ac, "Raptor Lake-U", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xa7ad, "Raptor Lake-U", 12, NULL, "i915", IGD_PLATFORM_FLAG_NONE },
    { 0xb080, "Panther Lake", 30, "30.00", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xb081, "Panther Lake", 30, "30.00", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xb082, "Panther Lake", 30, "30.00", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xb083, "Panther Lake", 30, "30.00", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xb084, "Panther Lake", 30, "30.00", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xb085, "Panther Lake", 30, "30.00", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xb086, "Panther Lake", 30, "30.00", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xb087, "Panther Lake", 30, "30.00", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xb08f, "Panther Lake", 30, "30.00", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xb090, "Panther Lake", 30, "30.00", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xb0a0, "Panther Lake", 30, "30.00", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xb0b0, "Panther Lake", 30, "30.00", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xb640, "Arrow Lake", 12, "12.70", "i915", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd740, "Nova Lake-S", 30, NULL, "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd741, "Nova Lake-S", 30, NULL, "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd742, "Nova Lake-S", 30, NULL, "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd743, "Nova Lake-S", 30, NULL, "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd745, "Nova Lake-S", 30, NULL, "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd74a, "Nova Lake-S", 30, NULL, "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd74b, "Nova Lake-S", 30, NULL, "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd750, "Nova Lake-P", 35, "35.10", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd751, "Nova Lake-P", 35, "35.10", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd752, "Nova Lake-P", 35, "35.10", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd753, "Nova Lake-P", 35, "35.10", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd754, "Nova Lake-P", 35, "35.10", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd755, "Nova Lake-P", 35, "35.10", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd756, "Nova Lake-P", 35, "35.10", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd757, "Nova Lake-P", 35, "35.10", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xd75f, "Nova Lake-P", 35, "35.10", "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xfd80, "Wildcat Lake", 30, NULL, "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0xfd81, "Wildcat Lake", 30, NULL, "xe", IGD_PLATFORM_FLAG_NO_BDSM },
    { 0, NULL, 0, NULL, NULL, 0 },
};

const IgdPlatformInfo *
igd_platform_table(gsize *n)
{
    if (n)
        *n = G_N_ELEMENTS(platform_table) - 1;
    return platform_table;
}

const IgdPlatformInfo *
igd_platform_lookup(guint16 device_id)
{
    gsize lo = 0;
    gsize hi = G_N_ELEMENTS(platform_table) - 1; /* the terminator is not searched */

    if (device_id == 0)
        return NULL;
    while (lo < hi) {
        gsize mid = lo + (hi - lo) / 2;
        guint16 id = platform_table[mid].device_id;

        if (id == device_id)
            return &platform_table[mid];
        if (id < device_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

gboolean
igd_platform_has_flag(const IgdPlatformInfo *platform, IgdPlatformFlags flag)
{
    return platform != NULL && (platform->flags & flag) != 0;
}

gboolean
igd_platform_has_crt(const IgdPlatformInfo *platform)
{
    return platform != NULL && platform->gen <= 8 && !igd_platform_has_flag(platform, IGD_PLATFORM_FLAG_CHERRYVIEW);
}
