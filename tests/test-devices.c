/*
 * test-devices.c: the device id → platform table against facts from
 * sources other than the table itself: the fixture README (platform of each
 * captured machine), SPEC.md §3 (generation numbering), QEMU 10.0's
 * hw/vfio/igd.c generation-by-prefix table, and Linux pciids.h group sizes.
 */
#include "config.h"

#include <string.h>

#include "igd-devices.h"
#include "igd-test.h"

/*
 * Every IGD device id that appears in tests/data/fixtures, with the platform
 * the fixtures README names for that machine and the generation SPEC.md §3
 * gives for that platform.
 */
static const struct {
    guint16 id;
    const char *platform;
    guint gen;
    const char *where; /* the fixture naming it */
} fixture_ids[] = {
    { 0x0102, "Sandy Bridge", 6, "hosts/snb-gigabyte-h61m-ds2-i3-2100 (Core i3-2100)" },
    { 0x0126, "Sandy Bridge", 6, "hosts/snb-lenovo-17aa21d1-i7-2760qm, vbt/snb-lenovo-x220" },
    { 0x0166, "Ivy Bridge", 7, "hosts/ivb-dell-latitude-e6430-i5-3340m" },
    { 0x0152, "Ivy Bridge", 7, "hosts/ivb-intel-dh77df-i5-3450" },
    { 0x0416, "Haswell", 7, "hosts/hsw-dell-latitude-e6540-i7-4800mq" },
    { 0x1916, "Skylake", 9, "hosts/skl-lenovo-ideapad-320-14isk (Skylake-U)" },
    { 0x1912, "Skylake", 9, "opregion/skl-asus-b150m-plus-d3-i7-6700 (HD 530)" },
    { 0x3e92, "Coffee Lake", 9, "dmesg/cfl-hp-elitedesk-800g4dm (i5-8400T)" },
    { 0x3e98, "Coffee Lake", 9, "iomem/cfl-onlogic-rxm181 (CFL-S)" },
    { 0x3ea0, "Whiskey Lake", 9, "iomem/whl-maxtang-wl37 (Whiskey Lake-U)" },
    { 0x9a49, "Tiger Lake", 12, "iomem/tgl-intel-nuc11tnbi5 (TGL-U)" },
    { 0x4571, "Elkhart Lake", 11, "iomem/ehl-intel-crb" },
    { 0x4680, "Alder Lake-S", 12, "iomem/adl-asrock-dsb1210 (ADL-S)" },
    { 0x46a6, "Alder Lake-P", 12, "dmesg/adl-p-46a6 (ADL-P)" },
};

static void
test_fixture_ids(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(fixture_ids); i++) {
        const IgdPlatformInfo *p = igd_platform_lookup(fixture_ids[i].id);

        g_test_message("0x%04x: %s", fixture_ids[i].id, fixture_ids[i].where);
        g_assert_nonnull(p);
        g_assert_cmphex(p->device_id, ==, fixture_ids[i].id);
        g_assert_cmpstr(p->platform, ==, fixture_ids[i].platform);
        g_assert_cmpuint(p->gen, ==, fixture_ids[i].gen);
    }
}

static void
test_unknown_ids(void)
{
    /* Never guessed: not Intel IGDs, pre-Sandy Bridge parts, discrete cards, xe-only parts. */
    const guint16 unknown[] = {
        0x0000, 0xffff, 0x1234,
        0x0042, 0x0046, /* Ironlake (gen 5) */
        0x2a42,         /* GM45 */
        0x4905,         /* DG1, discrete */
        0x56a0,         /* DG2, discrete */
        0xe202,         /* Battlemage, discrete */
        0x674c,         /* Crescent Island, discrete, no display */
        0x6421, 0xb091, 0xd744, 0xfd82, /* neighbours of xe ids (0xb091 left PTL, 0xd744 NVL-S in v7.3-rc7) */
        0x0100,         /* Sandy Bridge host bridge, not the IGD */
        0x1904,         /* Skylake host bridge */
        0x0103, 0x1918, 0x9a4a, /* neighbours of real ids */
    };

    for (guint i = 0; i < G_N_ELEMENTS(unknown); i++) {
        g_test_message("0x%04x", unknown[i]);
        g_assert_null(igd_platform_lookup(unknown[i]));
    }
}

static void
test_table_shape(void)
{
    gsize n = 0;
    const IgdPlatformInfo *t = igd_platform_table(&n);

    g_assert_nonnull(t);
    g_assert_cmpuint(n, >, 0);
    g_assert_cmpuint(t[n].device_id, ==, 0); /* terminator */
    g_assert_null(t[n].platform);
    g_assert_null(igd_platform_table(NULL)[n].platform);

    for (gsize i = 0; i < n; i++) {
        /* strictly increasing: sorted and no duplicates */
        if (i > 0)
            g_assert_cmphex(t[i - 1].device_id, <, t[i].device_id);
        g_assert_cmphex(t[i].device_id, !=, 0);
        g_assert_nonnull(t[i].platform);
        g_assert_cmpuint(strlen(t[i].platform), >, 0);
        /* i915's 6 – 12, xe's 20 (Xe2), 30 (Xe3), 35 (Xe3p) */
        g_assert_true((t[i].gen >= 6 && t[i].gen <= 12) || t[i].gen == 20 || t[i].gen == 30 || t[i].gen == 35);
        g_assert_true(g_strcmp0(t[i].driver, "i915") == 0 || g_strcmp0(t[i].driver, "xe") == 0);
        /* every entry is found by lookup, as itself */
        g_assert_true(igd_platform_lookup(t[i].device_id) == &t[i]);
    }
}

/* Generation numbering of SPEC.md §3, per platform name. */
static void
test_generations(void)
{
    static const struct {
        const char *platform;
        guint gen;
        const char *graphics_version;
    } spec[] = {
        { "Sandy Bridge", 6, NULL },  { "Ivy Bridge", 7, NULL },   { "Haswell", 7, NULL },
        { "Broadwell", 8, NULL },     { "Cherryview", 8, NULL },   { "Skylake", 9, NULL },
        { "Kaby Lake", 9, NULL },     { "Coffee Lake", 9, NULL },  { "Comet Lake", 9, NULL },
        { "Whiskey Lake", 9, NULL },  { "Amber Lake", 9, NULL },   { "Broxton", 9, NULL },
        { "Apollo Lake", 9, NULL },   { "Gemini Lake", 9, NULL },  { "Ice Lake", 11, NULL },
        { "Elkhart Lake", 11, NULL }, { "Jasper Lake", 11, NULL }, { "Tiger Lake", 12, NULL },
        { "Rocket Lake", 12, NULL },  { "Alder Lake-S", 12, NULL }, { "Alder Lake-P", 12, NULL },
        { "Alder Lake-N", 12, NULL }, { "Raptor Lake-S", 12, NULL }, { "Raptor Lake-P", 12, NULL },
        { "Raptor Lake-U", 12, NULL }, { "Meteor Lake", 12, "12.70" }, { "Arrow Lake", 12, "12.70" },
        /* not in SPEC's list: i915 numbers them so */
        { "Valleyview", 7, NULL },    { "Cannon Lake", 10, NULL },
        /* xe's platforms: xe tests/xe_pci.c (v7.3-rc7 lines 55-61) GMDID_CASE(LUNARLAKE, 2004, ...) and
         * GMDID_CASE(PANTHERLAKE, 3000, ...); NVL-P is Xe3p_LPG, xe_pci.c "{ 3510, "Xe3p_LPG", ... }"
         * (line 185); Wildcat Lake and Nova Lake-S have no version in the kernel's code: NULL */
        { "Lunar Lake", 20, "20.04" }, { "Panther Lake", 30, "30.00" }, { "Wildcat Lake", 30, NULL },
        { "Nova Lake-S", 30, NULL },   { "Nova Lake-P", 35, "35.10" },
    };
    gsize n = 0;
    const IgdPlatformInfo *t = igd_platform_table(&n);

    for (gsize i = 0; i < n; i++) {
        gboolean found = FALSE;

        for (guint j = 0; j < G_N_ELEMENTS(spec); j++) {
            if (!g_str_equal(spec[j].platform, t[i].platform))
                continue;
            found = TRUE;
            g_test_message("0x%04x %s", t[i].device_id, t[i].platform);
            g_assert_cmpuint(t[i].gen, ==, spec[j].gen);
            g_assert_cmpstr(t[i].graphics_version, ==, spec[j].graphics_version);
        }
        if (!found)
            g_error("0x%04x: platform '%s' not in the expected list", t[i].device_id, t[i].platform);
    }
}

/*
 * QEMU 10.0 hw/vfio/igd.c decides the generation from the high byte of the
 * device id: 0x19/0x31/0x59/0x3e/0x9b → 9; 0x8a/0x45/0x4e → 11;
 * 0x9a/0x4c/0x46/0xa7 → 12 (igd-facts.md). Every table entry under one of
 * those prefixes must agree.
 */
static void
test_qemu_prefixes(void)
{
    static const struct { guint8 prefix; guint gen; } qemu[] = {
        { 0x19, 9 },  { 0x31, 9 },  { 0x59, 9 },  { 0x3e, 9 },  { 0x9b, 9 },
        { 0x8a, 11 }, { 0x45, 11 }, { 0x4e, 11 },
        { 0x9a, 12 }, { 0x4c, 12 }, { 0x46, 12 }, { 0xa7, 12 },
    };
    gsize n = 0;
    const IgdPlatformInfo *t = igd_platform_table(&n);
    guint checked = 0;

    for (gsize i = 0; i < n; i++) {
        for (guint j = 0; j < G_N_ELEMENTS(qemu); j++) {
            if ((t[i].device_id >> 8) != qemu[j].prefix)
                continue;
            g_test_message("0x%04x %s", t[i].device_id, t[i].platform);
            g_assert_cmpuint(t[i].gen, ==, qemu[j].gen);
            checked++;
        }
    }
    /* Entries under those prefixes, counted by hand in pciids.h: 0x19 SKL 25,
     * 0x31 GLK 2, 0x59 KBL 20 + AML 0x591c, 0x3e CFL 16 + WHL 5, 0x9b CML 17,
     * 0x8a ICL 15, 0x45 EHL 6, 0x4e JSL 5, 0x9a TGL 11, 0x4c RKL 6,
     * 0x46 ADL-S 8 + ADL-P 18 + ADL-N 5, 0xa7 RPL-S 8 + RPL-U 5 + RPL-P 5. */
    g_assert_cmpuint(checked, ==, 25 + 2 + 21 + 21 + 17 + 15 + 6 + 5 + 11 + 6 + 31 + 18);
}

/* Group sizes counted by hand in Linux include/drm/intel/pciids.h. */
static void
test_group_sizes(void)
{
    static const struct { const char *platform; guint count; } groups[] = {
        { "Sandy Bridge", 7 },  /* SNB_D 4 + SNB_M 3 */
        { "Ivy Bridge", 6 },    /* IVB_M 2 + IVB_D 4 */
        { "Haswell", 60 },      /* GT1 20 + GT2 20 + GT3 20 */
        { "Broadwell", 24 },    /* GT1 6 + GT2 6 + GT3 6 + RSVD 6 */
        { "Cherryview", 4 },
        { "Skylake", 25 },
        { "Tiger Lake", 11 },
        { "Alder Lake-P", 18 },
        { "Meteor Lake", 5 },
        { "Arrow Lake", 5 },
        /* v7.3-rc7 pciids.h: INTEL_LNL_IDS (846-849) 3, INTEL_PTL_IDS (871-883) 12, INTEL_WCL_IDS
         * (886-888) 2, INTEL_NVLS_IDS (891-898) 7, INTEL_NVLP_IDS (909-918) 9 */
        { "Lunar Lake", 3 },
        { "Panther Lake", 12 },
        { "Wildcat Lake", 2 },
        { "Nova Lake-S", 7 },
        { "Nova Lake-P", 9 },
    };

    for (guint j = 0; j < G_N_ELEMENTS(groups); j++) {
        gsize n = 0;
        const IgdPlatformInfo *t = igd_platform_table(&n);
        guint count = 0;

        for (gsize i = 0; i < n; i++)
            count += g_str_equal(t[i].platform, groups[j].platform);
        g_test_message("%s", groups[j].platform);
        g_assert_cmpuint(count, ==, groups[j].count);
    }
}

static void
test_flags(void)
{
    gsize n = 0;
    const IgdPlatformInfo *t = igd_platform_table(&n);

    /* Cherryview/Braswell: 0x22b0-0x22b3 (pciids.h INTEL_CHV_IDS), and nothing else */
    for (guint16 id = 0x22b0; id <= 0x22b3; id++) {
        const IgdPlatformInfo *p = igd_platform_lookup(id);
        g_assert_nonnull(p);
        g_assert_cmpstr(p->platform, ==, "Cherryview");
        g_assert_true(igd_platform_has_flag(p, IGD_PLATFORM_FLAG_CHERRYVIEW));
        g_assert_true(igd_platform_has_flag(p, IGD_PLATFORM_FLAG_LP));
    }
    for (gsize i = 0; i < n; i++) {
        gboolean chv = t[i].device_id >= 0x22b0 && t[i].device_id <= 0x22b3;
        g_assert_cmpint(igd_platform_has_flag(&t[i], IGD_PLATFORM_FLAG_CHERRYVIEW), ==, chv);
    }
    /* Atom parts: Apollo Lake 0x5a84, Gemini Lake 0x3184, Elkhart Lake 0x4571, Jasper Lake 0x4e61 */
    g_assert_true(igd_platform_has_flag(igd_platform_lookup(0x5a84), IGD_PLATFORM_FLAG_LP));
    g_assert_true(igd_platform_has_flag(igd_platform_lookup(0x3184), IGD_PLATFORM_FLAG_LP));
    g_assert_true(igd_platform_has_flag(igd_platform_lookup(0x4571), IGD_PLATFORM_FLAG_LP));
    g_assert_true(igd_platform_has_flag(igd_platform_lookup(0x4e61), IGD_PLATFORM_FLAG_LP));
    /* Core parts are not */
    g_assert_false(igd_platform_has_flag(igd_platform_lookup(0x1916), IGD_PLATFORM_FLAG_LP));
    g_assert_false(igd_platform_has_flag(igd_platform_lookup(0x9a49), IGD_PLATFORM_FLAG_LP));
    g_assert_false(igd_platform_has_flag(NULL, IGD_PLATFORM_FLAG_LP));
}

/*
 * The integrated parts only xe drives (Linux v7.3-rc7 drivers/gpu/drm/xe/xe_pci.c lines 531-537:
 * INTEL_LNL_IDS(INTEL_VGA_DEVICE, &lnl_desc), INTEL_PTL_IDS(.., &ptl_desc), INTEL_WCL_IDS(.., &ptl_desc),
 * INTEL_NVLS_IDS(.., &nvls_desc), INTEL_NVLP_IDS(.., &nvlp_desc); i915_pci.c's table ends with
 * INTEL_ARL_IDS and INTEL_MTL_IDS, lines 869-870), named as the kernel names them (LUNARLAKE,
 * PANTHERLAKE, NOVALAKE_S, NOVALAKE_P; WCL is i915 display's "wildcatlake" subplatform), all without a
 * BDSM register (xe_ttm_stolen_mgr.c: GRAPHICS_VERx100(xe) >= 1270 → detect_lmembar_integrated()).
 */
static void
test_xe_platforms(void)
{
    static const struct { guint16 id; const char *platform; guint gen; const char *version; } xe[] = {
        { 0x6420, "Lunar Lake", 20, "20.04" }, { 0x64a0, "Lunar Lake", 20, "20.04" }, { 0x64b0, "Lunar Lake", 20, "20.04" },
        { 0xb080, "Panther Lake", 30, "30.00" }, { 0xb08f, "Panther Lake", 30, "30.00" }, { 0xb0b0, "Panther Lake", 30, "30.00" },
        { 0xfd80, "Wildcat Lake", 30, NULL }, { 0xfd81, "Wildcat Lake", 30, NULL },
        { 0xd740, "Nova Lake-S", 30, NULL }, { 0xd74b, "Nova Lake-S", 30, NULL },
        /* pciids.h v7.3-rc7 lines 914-917 spell these 0XD754 .. 0XD757 */
        { 0xd750, "Nova Lake-P", 35, "35.10" }, { 0xd754, "Nova Lake-P", 35, "35.10" },
        { 0xd757, "Nova Lake-P", 35, "35.10" }, { 0xd75f, "Nova Lake-P", 35, "35.10" },
    };
    gsize n = 0;
    const IgdPlatformInfo *t = igd_platform_table(&n);
    guint xe_count = 0;

    for (guint i = 0; i < G_N_ELEMENTS(xe); i++) {
        const IgdPlatformInfo *p = igd_platform_lookup(xe[i].id);

        g_test_message("0x%04x", xe[i].id);
        g_assert_nonnull(p);
        g_assert_cmpstr(p->platform, ==, xe[i].platform);
        g_assert_cmpuint(p->gen, ==, xe[i].gen);
        g_assert_cmpstr(p->graphics_version, ==, xe[i].version);
        g_assert_cmpstr(p->driver, ==, "xe");
        g_assert_true(igd_platform_has_flag(p, IGD_PLATFORM_FLAG_NO_BDSM));
    }
    /* Meteor/Arrow Lake stay i915's (xe's mtl_desc: .require_force_probe = true), everything older too */
    g_assert_cmpstr(igd_platform_lookup(0x7d55)->driver, ==, "i915");
    g_assert_cmpstr(igd_platform_lookup(0xb640)->driver, ==, "i915");
    for (gsize i = 0; i < n; i++)
        xe_count += g_str_equal(t[i].driver, "xe");
    g_assert_cmpuint(xe_count, ==, 3 + 12 + 2 + 7 + 9);
}

/*
 * Where i915 can drive an analog VGA (CRT) output (Linux v7.3-rc7
 * drivers/gpu/drm/i915/display/intel_display.c intel_setup_outputs() and
 * intel_ddi_crt_present(), lines 7895-7982): PCH split SNB/IVB
 * unconditionally (7951); Haswell/Broadwell through DDI unless ULT or fused
 * ("if (DISPLAY_VER(display) >= 9) return false;", 7897-7898); Valleyview
 * "if (display->platform.valleyview && display->vbt.int_crt_support)"
 * (7978-7982), which leaves Cherryview out; nothing from gen 9 on.
 */
static void
test_crt(void)
{
    static const struct { guint16 id; gboolean crt; } ids[] = {
        { 0x0102, TRUE }, { 0x0166, TRUE }, { 0x0416, TRUE }, { 0x0f31, TRUE }, { 0x1616, TRUE },
        { 0x22b0, FALSE }, { 0x22b3, FALSE }, /* Cherryview */
        { 0x1916, FALSE }, { 0x5a84, FALSE }, { 0x3184, FALSE }, { 0x9a49, FALSE }, { 0x7d55, FALSE },
        { 0x64a0, FALSE },
    };

    for (guint i = 0; i < G_N_ELEMENTS(ids); i++)
        g_assert_cmpint(igd_platform_has_crt(igd_platform_lookup(ids[i].id)), ==, ids[i].crt);
    g_assert_false(igd_platform_has_crt(NULL));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/devices/fixture-ids", test_fixture_ids);
    g_test_add_func("/devices/unknown-ids", test_unknown_ids);
    g_test_add_func("/devices/table-shape", test_table_shape);
    g_test_add_func("/devices/generations", test_generations);
    g_test_add_func("/devices/qemu-prefixes", test_qemu_prefixes);
    g_test_add_func("/devices/group-sizes", test_group_sizes);
    g_test_add_func("/devices/flags", test_flags);
    g_test_add_func("/devices/xe-platforms", test_xe_platforms);
    g_test_add_func("/devices/crt", test_crt);
    return g_test_run();
}
