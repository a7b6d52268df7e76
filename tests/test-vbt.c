/*
 * test-vbt.c: the VBT parser against every real VBT of the captured fixtures
 * (golden outputs in tests/data/vbt/, checked by hand, see README.md there),
 * against the fixture README's table, and against broken input.
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-test.h"
#include "igd-vbt.h"

/*
 * The fixture README's VBT table (tests/data/fixtures/README.md §2): file size,
 * vbt_size, BDB version, signature; and its "Points worth testing against":
 * x220, t440p, t470s, darp8 and marigold do not sum to zero.
 */
static const struct {
    const char *name;
    gsize file_size, vbt_size;
    guint16 bdb;
    const char *signature;
    gboolean checksum_ok;
    gboolean int_crt; /* block 1 byte 4 bit 0, read with xxd (tests/data/vbt/README.md) */
} fixtures[] = {
    { "snb-lenovo-x220", 3985, 3985, 161, "$VBT SANDYBRIDGE-M", FALSE, TRUE },
    { "ivb-lenovo-x230", 4281, 4280, 165, "$VBT SNB/IVB-MOBILE", TRUE, TRUE },
    { "hsw-lenovo-t440p", 4608, 4400, 177, "$VBT HASWELL", FALSE, TRUE },
    { "hsw-dell-latitude-e6540-debugfs", 6144, 4493, 189, "$VBT HASWELL", TRUE, TRUE },
    { "bdw-purism-librem-bdw", 4608, 4493, 189, "$VBT HASWELL", TRUE, TRUE },
    { "skl-purism-librem-skl", 4608, 4312, 209, "$VBT SKYLAKE", TRUE, FALSE },
    { "skl-lenovo-ideapad-320-14isk", 6144, 4312, 209, "$VBT SKYLAKE", TRUE, FALSE },
    { "kbl-lenovo-t470s", 4300, 4300, 209, "$VBT SKYLAKE", FALSE, FALSE },
    { "cfl-lenovo-m720q-m920q", 4608, 4441, 212, "$VBT SKYLAKE", TRUE, FALSE },
    { "cml-system76-lemp9", 4608, 4517, 228, "$VBT SKYLAKE", TRUE, FALSE },
    { "tgl-system76-lemp10", 8704, 8666, 250, "$VBT TIGERLAKE", TRUE, FALSE },
    { "jsl-purism-librem-jsl", 7680, 7235, 236, "$VBT JASPERLAKE", TRUE, FALSE },
    { "adl-system76-darp8", 8704, 8701, 247, "$VBT ALDERLAKE-P", FALSE, FALSE },
    { "adl-starlabs-starbook-adl-n", 9216, 8707, 251, "$VBT ALDERLAKE-P", TRUE, FALSE },
    { "adln-tianbei-n1pro-n150", 9216, 8737, 256, "$VBT ALDERLAKE-P", TRUE, FALSE },
    { "mtl-framework-marigold", 7249, 7249, 256, "$VBT METEORLAKE", FALSE, FALSE },
};

static GBytes *
load_fixture(const char *name)
{
    g_autofree char *rel = g_strdup_printf("fixtures/vbt/%s.vbt", name);
    g_autofree char *path = igd_test_datapath(rel);
    return igd_test_load(path);
}

/* The golden text: everything the parser reports. */
static char *
describe(const IgdVbt *vbt)
{
    GString *s = g_string_new(NULL);
    GPtrArray *outs = igd_vbt_get_outputs(vbt);

    g_string_append_printf(s, "signature: %s\n", igd_vbt_get_signature(vbt));
    g_string_append_printf(s, "version: %u\n", igd_vbt_get_version(vbt));
    g_string_append_printf(s, "bdb_version: %u\n", igd_vbt_get_bdb_version(vbt));
    g_string_append_printf(s, "size: %zu\n", igd_vbt_get_size(vbt));
    g_string_append_printf(s, "checksum_ok: %s\n", igd_vbt_checksum_ok(vbt) ? "yes" : "no");
    g_string_append_printf(s, "warning: %s\n", igd_vbt_get_warning(vbt) ? igd_vbt_get_warning(vbt) : "none");
    g_string_append_printf(s, "outputs: %u\n", outs->len);
    for (guint i = 0; i < outs->len; i++) {
        const IgdVbtOutput *o = g_ptr_array_index(outs, i);
        g_string_append_printf(s, "output: port=%s type=%s device_type=0x%04x dvo_port=%u analog=%s\n",
                               o->port, o->type, o->device_type, o->dvo_port, o->analog ? "yes" : "no");
    }
    g_string_append_printf(s, "int_crt_support: %s\n", igd_vbt_get_int_crt_support(vbt) ? "yes" : "no");
    g_string_append_printf(s, "has_analog: %s\n", igd_vbt_has_analog(vbt) ? "yes" : "no");
    return g_string_free(s, FALSE);
}

static void
test_golden(gconstpointer data)
{
    guint i = GPOINTER_TO_UINT(data);
    g_autoptr(GBytes) bytes = load_fixture(fixtures[i].name);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdVbt) vbt = igd_vbt_parse(bytes, &error);
    g_autofree char *text = NULL;
    g_autofree char *rel = g_strdup_printf("data/vbt/%s.outputs", fixtures[i].name);
    g_autofree char *expected = igd_test_srcpath(rel);

    g_assert_no_error(error);
    g_assert_nonnull(vbt);
    text = describe(vbt);
    igd_test_compare_file(text, expected);
}

/* Each fixture against the README's table (values not from the parser). */
static void
test_fixture_table(gconstpointer data)
{
    guint i = GPOINTER_TO_UINT(data);
    g_autoptr(GBytes) bytes = load_fixture(fixtures[i].name);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdVbt) vbt = igd_vbt_parse(bytes, &error);
    g_autoptr(GBytes) trimmed = NULL;

    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(bytes), ==, fixtures[i].file_size);
    g_assert_cmpuint(igd_vbt_get_size(vbt), ==, fixtures[i].vbt_size);
    g_assert_cmpuint(igd_vbt_get_bdb_version(vbt), ==, fixtures[i].bdb);
    g_assert_cmpstr(igd_vbt_get_signature(vbt), ==, fixtures[i].signature);
    g_assert_cmpint(igd_vbt_checksum_ok(vbt), ==, fixtures[i].checksum_ok);
    /* Every fixture VBT header is version 100 (0x64 at offset 0x14 in each file). */
    g_assert_cmpuint(igd_vbt_get_version(vbt), ==, 100);
    trimmed = igd_vbt_get_bytes(vbt);
    g_assert_cmpuint(g_bytes_get_size(trimmed), ==, fixtures[i].vbt_size);
    g_assert_true(memcmp(g_bytes_get_data(trimmed, NULL), g_bytes_get_data(bytes, NULL), fixtures[i].vbt_size) == 0);
    /* No fixture VBT has an analog child device; the VGA of the SNB..BDW
     * laptops is declared by int_crt_support. */
    g_assert_cmpint(igd_vbt_get_int_crt_support(vbt), ==, fixtures[i].int_crt);
    g_assert_cmpint(igd_vbt_has_analog(vbt), ==, fixtures[i].int_crt);
}

/*
 * Analog output: the IdeaPad 320 VBT (no CRT: block 1 int_crt_support 0)
 * with its empty child slot 5 turned into a CRT. Hand-worked offsets
 * (tests/data/vbt/README.md): block 2 at 0x170, child_dev_size 38 (0x26 at
 * 0x177), children from 0x170 + 3 + 5 = 0x178, slot 5 at 0x178 + 5 * 38 =
 * 0x236; device_type at +2 (0x238), dvo_port at +16 (0x246).
 * DEVICE_TYPE_CRT is 0x0001, DVO_PORT_CRT is 6 (intel_vbt_defs.h).
 */
static void
test_analog(void)
{
    g_autoptr(GBytes) orig = load_fixture("skl-lenovo-ideapad-320-14isk");
    gsize len = g_bytes_get_size(orig);
    g_autofree guint8 *buf = g_memdup2(g_bytes_get_data(orig, NULL), len);
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(IgdVbt) vbt = NULL;
    g_autoptr(IgdVbt) ref = igd_vbt_parse(orig, NULL);
    g_autoptr(GError) error = NULL;
    GPtrArray *outs;
    const IgdVbtOutput *o;

    g_assert_false(igd_vbt_has_analog(ref));
    g_assert_cmpuint(buf[0x177], ==, 38);
    g_assert_cmpuint(igd_le16(buf + 0x238), ==, 0); /* the slot is empty in the real file */
    igd_put_le16(buf + 0x238, 0x0001);
    buf[0x246] = 6;
    bytes = g_bytes_new(buf, len);
    vbt = igd_vbt_parse(bytes, &error);
    g_assert_no_error(error);
    outs = igd_vbt_get_outputs(vbt);
    g_assert_cmpuint(outs->len, ==, 4);
    o = g_ptr_array_index(outs, 3);
    g_assert_cmpstr(o->port, ==, "VGA");
    g_assert_cmpstr(o->type, ==, "analog");
    g_assert_cmpuint(o->device_type, ==, 0x0001);
    g_assert_true(o->analog);
    g_assert_false(igd_vbt_get_int_crt_support(vbt));
    g_assert_true(igd_vbt_has_analog(vbt));
}

static void
test_type_names(void)
{
    /* i915 intel_vbt_defs.h DEVICE_TYPE_* composites */
    g_assert_cmpstr(igd_vbt_type_from_device_type(0x60D2), ==, "hdmi");  /* DEVICE_TYPE_HDMI */
    g_assert_cmpstr(igd_vbt_type_from_device_type(0x68C6), ==, "dp");    /* DEVICE_TYPE_DP */
    g_assert_cmpstr(igd_vbt_type_from_device_type(0x60D6), ==, "dp");    /* DEVICE_TYPE_DP_DUAL_MODE */
    g_assert_cmpstr(igd_vbt_type_from_device_type(0x78C6), ==, "edp");   /* DEVICE_TYPE_eDP */
    g_assert_cmpstr(igd_vbt_type_from_device_type(0x1806), ==, "edp");   /* DP | internal connector */
    g_assert_cmpstr(igd_vbt_type_from_device_type(0x68D2), ==, "dvi");   /* DEVICE_TYPE_DVI */
    g_assert_cmpstr(igd_vbt_type_from_device_type(0x1022), ==, "lvds");  /* DEVICE_TYPE_INT_LFP */
    g_assert_cmpstr(igd_vbt_type_from_device_type(0x0001), ==, "analog");/* DEVICE_TYPE_CRT */
    g_assert_cmpstr(igd_vbt_type_from_device_type(0x1400), ==, "dsi");   /* MIPI | internal */
    g_assert_cmpstr(igd_vbt_type_from_device_type(0x0008), ==, "unknown");
}

/* ---- broken input ---- */

static GBytes *
patched(GBytes *orig, gsize len, void (*patch)(guint8 *buf, gsize len))
{
    g_autofree guint8 *buf = g_malloc(len);

    if (len > 0) /* g_malloc(0) is NULL, and memcpy() wants a pointer even for 0 bytes (UBSan) */
        memcpy(buf, g_bytes_get_data(orig, NULL), MIN(len, g_bytes_get_size(orig)));
    if (patch)
        patch(buf, len);
    return g_bytes_new_take(g_steal_pointer(&buf), len);
}

static void
expect_invalid(GBytes *bytes, const char *needle)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdVbt) vbt = igd_vbt_parse(bytes, &error);

    g_assert_null(vbt);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    if (strstr(error->message, needle) == NULL)
        g_error("error '%s' does not name '%s'", error->message, needle);
}

/* x220: bdb_offset 0x30, BDB header 22 bytes, bdb_size 3937, vbt_size 3985 = 0x30 + 3937. */
#define X220 "snb-lenovo-x220"

static void
test_truncated(void)
{
    g_autoptr(GBytes) orig = load_fixture(X220);

    /* Every length short of vbt_size: the header or vbt_size must stop it. */
    for (gsize len = 0; len < 3985; len++) {
        g_autoptr(GBytes) b = patched(orig, len, NULL);
        expect_invalid(b, len < IGD_VBT_HEADER_MIN ? "truncated" : "vbt_size");
    }
}

/*
 * The header i915 needs: Linux v7.3-rc7 intel_bios.c intel_bios_is_valid_vbt()
 * (lines 3089-3131): "if (sizeof(struct vbt_header) > size) {
 * drm_dbg_kms(display->drm, "VBT header incomplete\n"); return false; }",
 * and struct vbt_header (intel_vbt_defs.h lines 97-108, __packed) is u8
 * signature[20], u16 version, header_size, vbt_size, u8 vbt_checksum,
 * reserved0, u32 bdb_offset, aim_offset[4]: 20 + 6 + 2 + 4 + 16 = 48 bytes.
 * The parser used to stop at bdb_offset (0x20).
 */
static void
test_header_min(void)
{
    g_autoptr(GBytes) orig = load_fixture(X220);
    g_autofree guint8 *buf = g_memdup2(g_bytes_get_data(orig, NULL), 0x30);

    g_assert_cmpuint(IGD_VBT_HEADER_MIN, ==, 48);
    for (gsize len = 0x20; len <= 0x30; len++) {
        g_autoptr(GBytes) b = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdVbt) vbt = NULL;

        igd_put_le16(buf + IGD_VBT_VBT_SIZE_OFFSET, (guint16)len); /* a VBT that claims to be this short */
        g_assert_cmpint(igd_vbt_looks_valid(buf, len), ==, len == 0x30);
        if (len == 0x30)
            continue;
        b = g_bytes_new(buf, len);
        vbt = igd_vbt_parse(b, &error);
        g_assert_null(vbt);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_nonnull(strstr(error->message, "the header needs 48"));
    }
}

/*
 * Truncated consistently: vbt_size and bdb_size shrunk together to every
 * length, so the parser walks a BDB that ends at each byte of the real
 * block list. The buffer is exactly that long (valgrind sees any overread).
 * It must either succeed (a cut block other than block 2 is a warning) or
 * fail naming block 2 or the BDB header.
 */
static void
test_truncated_bdb(void)
{
    g_autoptr(GBytes) orig = load_fixture(X220);
    const guint8 *o = g_bytes_get_data(orig, NULL);
    guint ok = 0, failed = 0;

    for (gsize vs = IGD_VBT_HEADER_MIN; vs <= 3985; vs++) {
        g_autofree guint8 *buf = g_memdup2(o, vs);
        g_autoptr(GBytes) b = NULL;
        g_autoptr(IgdVbt) vbt = NULL;
        g_autoptr(GError) error = NULL;

        igd_put_le16(buf + IGD_VBT_VBT_SIZE_OFFSET, (guint16)vs);
        if (vs >= 0x30 + IGD_BDB_HEADER_MIN)
            igd_put_le16(buf + 0x30 + IGD_BDB_BDB_SIZE_OFFSET, (guint16)(vs - 0x30));
        if (vs < 0x30)
            igd_put_le16(buf + IGD_VBT_HEADER_SIZE_OFFSET, (guint16)vs);
        b = g_bytes_new_take(g_steal_pointer(&buf), vs);
        vbt = igd_vbt_parse(b, &error);
        if (vbt) {
            ok++;
            continue;
        }
        failed++;
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_true(strstr(error->message, "block 2") || strstr(error->message, "BDB") ||
                      strstr(error->message, "bdb_offset") || strstr(error->message, "header_size"));
    }
    /* Both outcomes happen: cut inside block 2 fails, cut after it parses. */
    g_assert_cmpuint(ok, >, 0);
    g_assert_cmpuint(failed, >, 0);
}

static void patch_sig(guint8 *b, gsize l) { b[1] = 'X'; }
static void patch_bdb_sig(guint8 *b, gsize l) { b[0x30] = 'X'; }
static void patch_vbt_size_big(guint8 *b, gsize l) { igd_put_le16(b + IGD_VBT_VBT_SIZE_OFFSET, 0xFFFF); }
static void patch_header_size_small(guint8 *b, gsize l) { igd_put_le16(b + IGD_VBT_HEADER_SIZE_OFFSET, 4); }
static void patch_bdb_offset_huge(guint8 *b, gsize l) { igd_put_le32(b + IGD_VBT_BDB_OFFSET_OFFSET, 0xFFFFFFF0u); }
static void patch_bdb_offset_end(guint8 *b, gsize l) { igd_put_le32(b + IGD_VBT_BDB_OFFSET_OFFSET, 3985 - 10); }
static void patch_bdb_size_big(guint8 *b, gsize l) { igd_put_le16(b + 0x30 + IGD_BDB_BDB_SIZE_OFFSET, 3937 + 1); }
static void patch_bdb_hsize_big(guint8 *b, gsize l) { igd_put_le16(b + 0x30 + IGD_BDB_HEADER_SIZE_OFFSET, 3938); }
/* x220 block 2 at 0x170 (id 2, size u16 at 0x171 = 269); child_dev_size at 0x170 + 3 + 4 = 0x177. */
static void patch_block2_size(guint8 *b, gsize l) { igd_put_le16(b + 0x171, 3985); }
static void patch_child_size_zero(guint8 *b, gsize l) { b[0x177] = 0; }
static void patch_child_size_small(guint8 *b, gsize l) { b[0x177] = 32; }
static void patch_block2_tiny(guint8 *b, gsize l)
{
    /* Block 2 of 3 bytes: fewer than its 5-byte header. The bytes it gives up
     * become a block of id 0 so the rest of the walk stays aligned. */
    igd_put_le16(b + 0x171, 3);
    b[0x176] = 0;
    igd_put_le16(b + 0x177, 269 - 3 - 3);
}

static void
test_broken(void)
{
    g_autoptr(GBytes) orig = load_fixture(X220);
    static const struct {
        void (*patch)(guint8 *, gsize);
        const char *needle;
    } cases[] = {
        { patch_sig, "signature" },
        { patch_bdb_sig, "BDB signature" },
        { patch_vbt_size_big, "vbt_size" },
        { patch_header_size_small, "header_size" },
        { patch_bdb_offset_huge, "bdb_offset" },
        { patch_bdb_offset_end, "bdb_offset" },
        { patch_bdb_size_big, "bdb_size" },
        { patch_bdb_hsize_big, "BDB header_size" },
        { patch_block2_size, "block 2" },
        { patch_child_size_zero, "child_dev_size" },
        { patch_child_size_small, "child_dev_size" },
        { patch_block2_tiny, "block 2" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GBytes) b = patched(orig, 3985, cases[i].patch);
        expect_invalid(b, cases[i].needle);
    }
}

/* A block other than block 2 running past the BDB: tolerated, as i915, with a warning. */
static void
test_block_overrun_tolerated(void)
{
    g_autoptr(GBytes) orig = load_fixture(X220);
    g_autoptr(GBytes) good = patched(orig, 3985, NULL);
    g_autoptr(IgdVbt) ref = igd_vbt_parse(good, NULL);
    gsize pos;
    const guint8 *p = g_bytes_get_data(orig, NULL);
    g_autofree guint8 *buf = g_memdup2(p, 3985);
    g_autoptr(GBytes) b = NULL;
    g_autoptr(IgdVbt) vbt = NULL;
    g_autoptr(GError) error = NULL;

    /* Block 2 of x220 ends at 0x170 + 3 + 269 = 368 + 272 = 640 (0x280); the next block header is there. */
    pos = 0x170 + 3 + 269;
    igd_put_le16(buf + pos + 1, 0xFFFF);
    b = g_bytes_new(buf, 3985);
    vbt = igd_vbt_parse(b, &error);
    g_assert_no_error(error);
    g_assert_nonnull(igd_vbt_get_warning(vbt));
    g_assert_nonnull(strstr(igd_vbt_get_warning(vbt), "runs past the end of the BDB"));
    g_assert_cmpuint(igd_vbt_get_outputs(vbt)->len, ==, igd_vbt_get_outputs(ref)->len);
    g_assert_null(igd_vbt_get_warning(ref));
}

/*
 * The MIPI sequence block (53) of version 3+ carries its real size as a u32
 * after its version byte (i915 _get_blocksize()). x220: block 2 ends at
 * 0x280 (above); the BDB ends at bdb_offset 0x30 + bdb_size 3937 = 3985
 * (0xf91). The block at 0x280 is turned into block 53, version 3, its data
 * starting at 0x283 (643): a u32 size of 3985 - 643 = 3342 ends exactly at
 * the BDB end (no warning); 3343 and 0xffffffff run past it (a warning, later
 * blocks ignored, block 2 still read). The fixture's block there is block 3
 * with a u16 size of 1 (bytes 03 01 00), so the next block header starts at
 * 0x284, where the u32 goes: version 2 is left without it and keeps the u16
 * size (the fixture's own walk to 3985, no warning).
 */
static void
test_mipi_v3_size(void)
{
    g_autoptr(GBytes) orig = load_fixture(X220);
    g_autoptr(GBytes) good = patched(orig, 3985, NULL);
    g_autoptr(IgdVbt) ref = igd_vbt_parse(good, NULL);
    static const struct {
        guint8 version;
        guint32 size;
        const char *warning; /* NULL: none */
    } cases[] = {
        { 3, 3342, NULL },
        { 3, 3343, "block 53 at offset 0x280: size 3343 runs past the end of the BDB at 0xf91; later blocks ignored" },
        { 4, 0xffffffffu, "block 53 at offset 0x280: size 4294967295 runs past the end of the BDB at 0xf91; "
                          "later blocks ignored" },
        { 2, 0, NULL },
    };
    const gsize pos = 0x170 + 3 + 269;

    g_assert_nonnull(ref);
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree guint8 *buf = g_memdup2(g_bytes_get_data(orig, NULL), 3985);
        g_autoptr(GBytes) b = NULL;
        g_autoptr(IgdVbt) vbt = NULL;
        g_autoptr(GError) error = NULL;

        buf[pos] = 53;
        buf[pos + 3] = cases[i].version;
        if (cases[i].version >= 3)
            igd_put_le32(buf + pos + 4, cases[i].size);
        b = g_bytes_new(buf, 3985);
        vbt = igd_vbt_parse(b, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(igd_vbt_get_warning(vbt), ==, cases[i].warning);
        g_assert_cmpuint(igd_vbt_get_outputs(vbt)->len, ==, igd_vbt_get_outputs(ref)->len);
    }
}

/*
 * Random corruption of real VBTs (seeded by the GLib test seed, so a failure
 * replays with --seed): bytes flipped in the headers and anywhere in the
 * file. Every result is a parsed VBT or IGD_ERROR_INVALID; under valgrind
 * no read leaves the buffer (each case is an exact-size copy).
 */
static void
test_fuzz(void)
{
    static const char *names[] = { X220, "skl-lenovo-ideapad-320-14isk", "mtl-framework-marigold" };
    guint ok = 0, bad = 0;

    for (guint n = 0; n < G_N_ELEMENTS(names); n++) {
        g_autoptr(GBytes) orig = load_fixture(names[n]);
        gsize len = g_bytes_get_size(orig);

        for (guint iter = 0; iter < 1500; iter++) {
            g_autofree guint8 *buf = g_memdup2(g_bytes_get_data(orig, NULL), len);
            gsize cut = len;
            g_autoptr(GBytes) b = NULL;
            g_autoptr(IgdVbt) vbt = NULL;
            g_autoptr(GError) error = NULL;
            guint flips = g_test_rand_int_range(1, 6);

            for (guint f = 0; f < flips; f++) {
                /* Half the flips hit the VBT/BDB headers and block 2's neighbourhood. */
                gsize at = g_test_rand_bit() ? (gsize)g_test_rand_int_range(0, 0x300) : (gsize)g_test_rand_int_range(0, (gint32)len);
                buf[at] = (guint8)g_test_rand_int_range(0, 256);
            }
            if (g_test_rand_int_range(0, 4) == 0)
                cut = (gsize)g_test_rand_int_range(0, (gint32)len + 1);
            b = g_bytes_new(buf, cut);
            vbt = igd_vbt_parse(b, &error);
            if (vbt) {
                GPtrArray *outs = igd_vbt_get_outputs(vbt);
                g_assert_no_error(error);
                g_assert_cmpuint(igd_vbt_get_size(vbt), <=, cut);
                for (guint i = 0; i < outs->len; i++)
                    g_assert_nonnull(((IgdVbtOutput *)g_ptr_array_index(outs, i))->port);
                ok++;
            } else {
                g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
                bad++;
            }
        }
    }
    g_test_message("fuzz: %u parsed, %u refused", ok, bad);
    g_assert_cmpuint(ok, >, 0);
    g_assert_cmpuint(bad, >, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    for (guint i = 0; i < G_N_ELEMENTS(fixtures); i++) {
        g_autofree char *golden = g_strdup_printf("/vbt/golden/%s", fixtures[i].name);
        g_autofree char *table = g_strdup_printf("/vbt/fixture-table/%s", fixtures[i].name);
        g_test_add_data_func(golden, GUINT_TO_POINTER(i), test_golden);
        g_test_add_data_func(table, GUINT_TO_POINTER(i), test_fixture_table);
    }
    g_test_add_func("/vbt/analog", test_analog);
    g_test_add_func("/vbt/type-names", test_type_names);
    g_test_add_func("/vbt/broken/truncated", test_truncated);
    g_test_add_func("/vbt/broken/header-min", test_header_min);
    g_test_add_func("/vbt/broken/truncated-bdb", test_truncated_bdb);
    g_test_add_func("/vbt/broken/fields", test_broken);
    g_test_add_func("/vbt/block-overrun-tolerated", test_block_overrun_tolerated);
    g_test_add_func("/vbt/mipi-v3-size", test_mipi_v3_size);
    g_test_add_func("/vbt/fuzz", test_fuzz);
    return g_test_run();
}
