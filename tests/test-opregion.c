/*
 * test-opregion.c: the OpRegion parser on the one real OpRegion (2.0, VBT in
 * mailbox 4), the VBT splice (mailbox 4, 2.1 relative and 2.0 absolute
 * extended VBT) with every real VBT, and broken input.
 * Numbers and the documented field changes: tests/data/opregion/README.md.
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-opregion.h"
#include "igd-test.h"
#include "igd-vbt.h"

#define REAL_OPREGION "fixtures/opregion/skl-asus-b150m-plus-d3-i7-6700.bin"
/* ASLS of the IdeaPad 320-14ISK host fixture (tests/data/fixtures/README.md §1), used as a real physical address. */
#define REAL_ASLS 0x8ce6f018ull

/* tests/data/fixtures/README.md §2: name, vbt_size. > 0x1800 → extended. */
static const struct {
    const char *name;
    gsize vbt_size;
} vbts[] = {
    { "snb-lenovo-x220", 3985 },
    { "ivb-lenovo-x230", 4280 },
    { "hsw-lenovo-t440p", 4400 },
    { "hsw-dell-latitude-e6540-debugfs", 4493 },
    { "bdw-purism-librem-bdw", 4493 },
    { "skl-purism-librem-skl", 4312 },
    { "skl-lenovo-ideapad-320-14isk", 4312 },
    { "kbl-lenovo-t470s", 4300 },
    { "cfl-lenovo-m720q-m920q", 4441 },
    { "cml-system76-lemp9", 4517 },
    { "tgl-system76-lemp10", 8666 },
    { "jsl-purism-librem-jsl", 7235 },
    { "adl-system76-darp8", 8701 },
    { "adl-starlabs-starbook-adl-n", 8707 },
    { "adln-tianbei-n1pro-n150", 8737 },
    { "mtl-framework-marigold", 7249 },
};

static GBytes *
load_fixture(const char *rel)
{
    g_autofree char *path = igd_test_datapath(rel);
    return igd_test_load(path);
}

static GBytes *
load_vbt(const char *name)
{
    g_autofree char *rel = g_strdup_printf("fixtures/vbt/%s.vbt", name);
    return load_fixture(rel);
}

static GBytes *
copy_patched(GBytes *orig, gsize len, void (*patch)(guint8 *, gpointer), gpointer data)
{
    guint8 *buf = g_malloc0(len);

    memcpy(buf, g_bytes_get_data(orig, NULL), MIN(len, g_bytes_get_size(orig)));
    if (patch)
        patch(buf, data);
    return g_bytes_new_take(buf, len);
}

static guint8
byte_sum(const guint8 *p, gsize n)
{
    guint8 s = 0;

    for (gsize i = 0; i < n; i++)
        s += p[i];
    return s;
}

/* The real OpRegion: numbers of tests/data/fixtures/README.md §3, bytes in tests/data/opregion/README.md. */
static void
test_real(void)
{
    g_autoptr(GBytes) bytes = load_fixture(REAL_OPREGION);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdOpRegion) op = igd_opregion_parse(bytes, &error);
    g_autoptr(IgdOpRegion) op_at = NULL;
    g_autoptr(GBytes) vbt_bytes = NULL;
    g_autoptr(IgdVbt) vbt = NULL;
    g_autoptr(GBytes) all = NULL;

    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(bytes), ==, 8192);
    g_assert_cmpuint(igd_opregion_get_version_major(op), ==, 2);
    g_assert_cmpuint(igd_opregion_get_version_minor(op), ==, 0);
    g_assert_cmpuint(igd_opregion_get_size(op), ==, 8192);
    g_assert_cmpuint(igd_opregion_get_mailboxes(op), ==, 0x1f);
    g_assert_cmpuint(igd_opregion_get_rvda(op), ==, 0);
    g_assert_cmpuint(igd_opregion_get_rvds(op), ==, 0);
    g_assert_cmpint(igd_opregion_get_vbt_location(op), ==, IGD_OPREGION_VBT_MAILBOX);
    g_assert_false(igd_opregion_vbt_is_extended(op));
    g_assert_cmpuint(igd_opregion_get_vbt_offset(op), ==, 0x400);
    vbt_bytes = igd_opregion_get_vbt(op);
    g_assert_cmpuint(g_bytes_get_size(vbt_bytes), ==, 4284);
    vbt = igd_vbt_parse(vbt_bytes, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(igd_vbt_get_signature(vbt), ==, "$VBT SKYLAKE");
    g_assert_cmpuint(igd_vbt_get_size(vbt), ==, 4284);
    g_assert_cmpuint(igd_vbt_get_bdb_version(vbt), ==, 206);  /* 0xce at 0x440 */
    g_assert_false(igd_vbt_checksum_ok(vbt));                 /* sums to 241, README */
    all = igd_opregion_get_bytes(op);
    g_assert_true(g_bytes_equal(all, bytes));

    /* With ASLS known nothing changes: there is no extended VBT. */
    op_at = igd_opregion_parse_at(bytes, REAL_ASLS, &error);
    g_assert_no_error(error);
    g_assert_cmpint(igd_opregion_get_vbt_location(op_at), ==, IGD_OPREGION_VBT_MAILBOX);
}

/*
 * Everything outside mailbox 4, the version bytes and RVDA/RVDS must be the
 * input's bytes; mailbox 4 is the VBT (or zero), and the VBT bytes equal the
 * input's first vbt_size bytes except the recomputed checksum (0x1A).
 */
static void
check_splice(GBytes *orig_op, GBytes *out, GBytes *vbt, gsize vbt_size, gsize room, gboolean extended)
{
    const guint8 *o = g_bytes_get_data(orig_op, NULL);
    const guint8 *r = g_bytes_get_data(out, NULL);
    const guint8 *v = g_bytes_get_data(vbt, NULL);
    const guint8 *placed = r + (extended ? 0x2000 : 0x400);

    g_assert_cmpuint(g_bytes_get_size(out), ==, 0x2000 + (extended ? vbt_size : 0));
    for (gsize i = 0; i < 0x2000; i++) {
        if (i == 0x16 || i == 0x17)                 /* version minor/major */
            continue;
        if (i >= 0x3BA && i < 0x3C6)                /* RVDA (u64) + RVDS (u32) */
            continue;
        if (i >= 0x400 && i < 0x400 + room)         /* mailbox 4 */
            continue;
        if (r[i] != o[i])
            g_error("byte 0x%zx changed: 0x%02x -> 0x%02x", i, o[i], r[i]);
    }
    g_assert_cmpmem(placed, 0x1A, v, 0x1A);
    g_assert_cmpmem(placed + 0x1B, vbt_size - 0x1B, v + 0x1B, vbt_size - 0x1B);
    g_assert_cmpuint(byte_sum(placed, vbt_size), ==, 0);
    if (extended) {
        for (gsize i = 0x400; i < 0x400 + room; i++)
            g_assert_cmpuint(r[i], ==, 0);
    } else {
        for (gsize i = 0x400 + vbt_size; i < 0x400 + room; i++)
            g_assert_cmpuint(r[i], ==, 0);
    }
}

/* Each >6 KiB VBT into the real OpRegion, 2.1 relative layout, parsed back. */
static void
test_splice_ext21(gconstpointer data)
{
    guint i = GPOINTER_TO_UINT(data);
    g_autoptr(GBytes) op_bytes = load_fixture(REAL_OPREGION);
    g_autoptr(GBytes) vbt_bytes = load_vbt(vbts[i].name);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) out = igd_opregion_splice_vbt(op_bytes, vbt_bytes, IGD_OPREGION_EXT_RELATIVE, 0, &error);
    g_autoptr(IgdOpRegion) op = NULL;
    g_autoptr(GBytes) got = NULL;
    g_autoptr(IgdVbt) in_vbt = NULL;
    g_autoptr(IgdVbt) out_vbt = NULL;
    const guint8 *r;

    g_assert_no_error(error);
    g_assert_cmpuint(vbts[i].vbt_size, >, 0x1800);
    check_splice(op_bytes, out, vbt_bytes, vbts[i].vbt_size, 0x1800, TRUE);
    r = g_bytes_get_data(out, NULL);
    /* Raw fields, read back by hand (not through the parser). */
    g_assert_cmpuint(r[0x17], ==, 2);
    g_assert_cmpuint(r[0x16], ==, 1);
    g_assert_cmpuint(igd_le64(r + 0x3BA), ==, 0x2000);
    g_assert_cmpuint(igd_le32(r + 0x3C2), ==, vbts[i].vbt_size);
    g_assert_cmpuint(igd_le32(r + 0x10), ==, 8);

    op = igd_opregion_parse(out, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(igd_opregion_get_version_major(op), ==, 2);
    g_assert_cmpuint(igd_opregion_get_version_minor(op), ==, 1);
    g_assert_cmpint(igd_opregion_get_vbt_location(op), ==, IGD_OPREGION_VBT_EXTENDED);
    g_assert_true(igd_opregion_vbt_is_extended(op));
    g_assert_cmpuint(igd_opregion_get_vbt_offset(op), ==, 0x2000);
    got = igd_opregion_get_vbt(op);
    g_assert_cmpuint(g_bytes_get_size(got), ==, vbts[i].vbt_size);
    /* Same bytes as the input up to vbt_size, the checksum byte aside. */
    g_assert_cmpmem(g_bytes_get_data(got, NULL), 0x1A, g_bytes_get_data(vbt_bytes, NULL), 0x1A);
    g_assert_cmpmem((const guint8 *)g_bytes_get_data(got, NULL) + 0x1B, vbts[i].vbt_size - 0x1B,
                    (const guint8 *)g_bytes_get_data(vbt_bytes, NULL) + 0x1B, vbts[i].vbt_size - 0x1B);
    out_vbt = igd_vbt_parse(got, &error);
    g_assert_no_error(error);
    in_vbt = igd_vbt_parse(vbt_bytes, &error);
    g_assert_no_error(error);
    g_assert_true(igd_vbt_checksum_ok(out_vbt));
    g_assert_cmpuint(igd_vbt_get_outputs(out_vbt)->len, ==, igd_vbt_get_outputs(in_vbt)->len);
}

/* Each ≤6 KiB VBT into the real OpRegion: mailbox 4. */
static void
test_splice_mailbox(gconstpointer data)
{
    guint i = GPOINTER_TO_UINT(data);
    g_autoptr(GBytes) op_bytes = load_fixture(REAL_OPREGION);
    g_autoptr(GBytes) vbt_bytes = load_vbt(vbts[i].name);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) out = igd_opregion_splice_vbt(op_bytes, vbt_bytes, IGD_OPREGION_EXT_RELATIVE, 0, &error);
    g_autoptr(IgdOpRegion) op = NULL;
    g_autoptr(GBytes) got = NULL;
    const guint8 *r;

    g_assert_no_error(error);
    g_assert_cmpuint(vbts[i].vbt_size, <=, 0x1800);
    check_splice(op_bytes, out, vbt_bytes, vbts[i].vbt_size, 0x1800, FALSE);
    r = g_bytes_get_data(out, NULL);
    g_assert_cmpuint(r[0x17], ==, 2);               /* version untouched: 2.0 */
    g_assert_cmpuint(r[0x16], ==, 0);
    g_assert_cmpuint(igd_le64(r + 0x3BA), ==, 0);
    g_assert_cmpuint(igd_le32(r + 0x3C2), ==, 0);

    op = igd_opregion_parse(out, &error);
    g_assert_no_error(error);
    g_assert_cmpint(igd_opregion_get_vbt_location(op), ==, IGD_OPREGION_VBT_MAILBOX);
    got = igd_opregion_get_vbt(op);
    g_assert_cmpuint(g_bytes_get_size(got), ==, vbts[i].vbt_size);
    g_assert_cmpmem((const guint8 *)g_bytes_get_data(got, NULL) + 0x1B, vbts[i].vbt_size - 0x1B,
                    (const guint8 *)g_bytes_get_data(vbt_bytes, NULL) + 0x1B, vbts[i].vbt_size - 0x1B);
}

/* 2.0 absolute layout: RVDA = base + 0x2000; found only with the base known. */
static void
test_splice_ext20(void)
{
    g_autoptr(GBytes) op_bytes = load_fixture(REAL_OPREGION);
    g_autoptr(GBytes) vbt_bytes = load_vbt("tgl-system76-lemp10");
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) out = igd_opregion_splice_vbt(op_bytes, vbt_bytes, IGD_OPREGION_EXT_ABSOLUTE, REAL_ASLS, &error);
    g_autoptr(IgdOpRegion) blind = NULL;
    g_autoptr(IgdOpRegion) at = NULL;
    g_autoptr(IgdOpRegion) elsewhere = NULL;
    g_autoptr(IgdOpRegion) overlap = NULL;
    g_autoptr(GBytes) got = NULL;
    const guint8 *r;

    g_assert_no_error(error);
    check_splice(op_bytes, out, vbt_bytes, 8666, 0x1800, TRUE);
    r = g_bytes_get_data(out, NULL);
    g_assert_cmpuint(r[0x17], ==, 2);
    g_assert_cmpuint(r[0x16], ==, 0);
    /* 0x8ce6f018 + 0x2000 = 0x8ce71018 */
    g_assert_cmpuint(igd_le64(r + 0x3BA), ==, 0x8ce71018ull);
    g_assert_cmpuint(igd_le32(r + 0x3C2), ==, 8666);

    /* Without the OpRegion's own address: present but unreachable, no error. */
    blind = igd_opregion_parse(out, &error);
    g_assert_no_error(error);
    g_assert_cmpint(igd_opregion_get_vbt_location(blind), ==, IGD_OPREGION_VBT_UNREACHABLE);
    g_assert_true(igd_opregion_vbt_is_extended(blind));
    g_assert_null(igd_opregion_get_vbt(blind));

    at = igd_opregion_parse_at(out, REAL_ASLS, &error);
    g_assert_no_error(error);
    g_assert_cmpint(igd_opregion_get_vbt_location(at), ==, IGD_OPREGION_VBT_EXTENDED);
    g_assert_cmpuint(igd_opregion_get_vbt_offset(at), ==, 0x2000);
    got = igd_opregion_get_vbt(at);
    g_assert_cmpuint(g_bytes_get_size(got), ==, 8666);

    /* An OpRegion elsewhere in memory: the VBT is outside these bytes. */
    elsewhere = igd_opregion_parse_at(out, REAL_ASLS + 0x100000, &error);
    g_assert_no_error(error);
    g_assert_cmpint(igd_opregion_get_vbt_location(elsewhere), ==, IGD_OPREGION_VBT_UNREACHABLE);

    /* ASLS 4 KiB higher: RVDA would point into the OpRegion itself. */
    overlap = igd_opregion_parse_at(out, REAL_ASLS + 0x1000, &error);
    g_assert_null(overlap);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "RVDA"));
}

static void
set_mbox(guint8 *b, gpointer data)
{
    igd_put_le32(b + 0x58, GPOINTER_TO_UINT(data));
}

static void
set_vbt_size(guint8 *b, gpointer data)
{
    igd_put_le16(b + 0x18, (guint16)GPOINTER_TO_UINT(data));
}

/*
 * Mailbox 4 room: 0x1800 with mailbox 5, 0x1C00 without. VBTs of exactly
 * 0x1800, 0x1801 and 0x1C00 bytes: the E6540 debugfs dump (6144 real bytes,
 * vbt_size 4493) with vbt_size raised to 6144 / 6145 / 7168 and zero bytes
 * appended where needed (documented change, README).
 */
static void
test_splice_boundaries(void)
{
    g_autoptr(GBytes) op_bytes = load_fixture(REAL_OPREGION);
    g_autoptr(GBytes) no_mb5 = copy_patched(op_bytes, 8192, set_mbox, GUINT_TO_POINTER(0x0f));
    g_autoptr(GBytes) dump = load_vbt("hsw-dell-latitude-e6540-debugfs");
    static const struct {
        gsize size;
        gboolean with_mb5_ext, without_mb5_ext;
    } cases[] = {
        { 0x1800, FALSE, FALSE },
        { 0x1801, TRUE, FALSE },
        { 0x1C00, TRUE, FALSE },
        { 0x1C01, TRUE, TRUE },
    };

    g_assert_cmpuint(g_bytes_get_size(dump), ==, 6144);
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GBytes) vbt = copy_patched(dump, cases[i].size, set_vbt_size, GUINT_TO_POINTER(cases[i].size));
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) a = igd_opregion_splice_vbt(op_bytes, vbt, IGD_OPREGION_EXT_RELATIVE, 0, &error);
        g_autoptr(GBytes) b = NULL;

        g_assert_no_error(error);
        b = igd_opregion_splice_vbt(no_mb5, vbt, IGD_OPREGION_EXT_RELATIVE, 0, &error);
        g_assert_no_error(error);
        check_splice(op_bytes, a, vbt, cases[i].size, 0x1800, cases[i].with_mb5_ext);
        check_splice(no_mb5, b, vbt, cases[i].size, 0x1C00, cases[i].without_mb5_ext);
    }
}

/* A 3.0 OpRegion keeps its version in the relative layout; the absolute one says 2.0. */
static void
set_version_30(guint8 *b, gpointer data)
{
    b[0x17] = 3;
    b[0x16] = 0;
}

static void
test_splice_versions(void)
{
    g_autoptr(GBytes) op_bytes = load_fixture(REAL_OPREGION);
    g_autoptr(GBytes) v30 = copy_patched(op_bytes, 8192, set_version_30, NULL);
    g_autoptr(GBytes) vbt = load_vbt("mtl-framework-marigold");
    g_autoptr(GBytes) small = load_vbt("kbl-lenovo-t470s");
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) rel = igd_opregion_splice_vbt(v30, vbt, IGD_OPREGION_EXT_RELATIVE, 0, &error);
    g_autoptr(GBytes) abs = NULL;
    g_autoptr(GBytes) back = NULL;
    g_autoptr(IgdOpRegion) op = NULL;
    const guint8 *r;

    g_assert_no_error(error);
    r = g_bytes_get_data(rel, NULL);
    g_assert_cmpuint(r[0x17], ==, 3);
    g_assert_cmpuint(r[0x16], ==, 0);
    abs = igd_opregion_splice_vbt(v30, vbt, IGD_OPREGION_EXT_ABSOLUTE, 0x100000, &error);
    g_assert_no_error(error);
    r = g_bytes_get_data(abs, NULL);
    g_assert_cmpuint(r[0x17], ==, 2);
    g_assert_cmpuint(r[0x16], ==, 0);
    g_assert_cmpuint(igd_le64(r + 0x3BA), ==, 0x102000);

    /* A small VBT into an OpRegion that had an extended one: RVDA/RVDS cleared, 8 KiB again. */
    back = igd_opregion_splice_vbt(rel, small, IGD_OPREGION_EXT_RELATIVE, 0, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(back), ==, 8192);
    r = g_bytes_get_data(back, NULL);
    g_assert_cmpuint(igd_le64(r + 0x3BA), ==, 0);
    g_assert_cmpuint(igd_le32(r + 0x3C2), ==, 0);
    op = igd_opregion_parse(back, &error);
    g_assert_no_error(error);
    g_assert_cmpint(igd_opregion_get_vbt_location(op), ==, IGD_OPREGION_VBT_MAILBOX);
}

static void
test_splice_errors(void)
{
    g_autoptr(GBytes) op_bytes = load_fixture(REAL_OPREGION);
    g_autoptr(GBytes) big = load_vbt("adl-system76-darp8");
    g_autoptr(GBytes) no_asle = copy_patched(op_bytes, 8192, set_mbox, GUINT_TO_POINTER(0x1b));
    g_autoptr(GBytes) cut = copy_patched(big, 100, NULL, NULL);
    g_autoptr(GBytes) r = NULL;

    {
        g_autoptr(GError) error = NULL;
        r = igd_opregion_splice_vbt(big, big, IGD_OPREGION_EXT_RELATIVE, 0, &error);
        g_assert_null(r);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_nonnull(strstr(error->message, "OpRegion"));
    }
    {
        g_autoptr(GError) error = NULL;
        r = igd_opregion_splice_vbt(op_bytes, op_bytes, IGD_OPREGION_EXT_RELATIVE, 0, &error);
        g_assert_null(r);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_nonnull(strstr(error->message, "VBT to splice: VBT signature"));
    }
    {
        g_autoptr(GError) error = NULL;
        r = igd_opregion_splice_vbt(op_bytes, cut, IGD_OPREGION_EXT_RELATIVE, 0, &error);
        g_assert_null(r);
        g_assert_nonnull(strstr(error->message, "vbt_size"));
    }
    {
        g_autoptr(GError) error = NULL;
        r = igd_opregion_splice_vbt(no_asle, big, IGD_OPREGION_EXT_RELATIVE, 0, &error);
        g_assert_null(r);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED);
        g_assert_nonnull(strstr(error->message, "mailbox 3"));
    }
    {
        g_autoptr(GError) error = NULL;
        r = igd_opregion_splice_vbt(op_bytes, big, IGD_OPREGION_EXT_ABSOLUTE, G_MAXUINT64 - 0x1000, &error);
        g_assert_null(r);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_USAGE);
        g_assert_nonnull(strstr(error->message, "overflows"));
    }
}

/* ---- broken input ---- */

static void
expect_invalid(GBytes *b, const char *needle)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdOpRegion) op = igd_opregion_parse(b, &error);

    g_assert_null(op);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    if (strstr(error->message, needle) == NULL)
        g_error("error '%s' does not name '%s'", error->message, needle);
}

static void
test_truncated(void)
{
    g_autoptr(GBytes) orig = load_fixture(REAL_OPREGION);
    const guint8 *p = g_bytes_get_data(orig, NULL);

    for (gsize len = 0; len < 8192; len++) {
        g_autoptr(GBytes) b = g_bytes_new(p, len);
        expect_invalid(b, "truncated");
    }
}

/* An extended-VBT OpRegion cut at every length of its VBT: RVDA/RVDS past the end. */
static void
test_truncated_ext(void)
{
    g_autoptr(GBytes) op_bytes = load_fixture(REAL_OPREGION);
    g_autoptr(GBytes) vbt = load_vbt("jsl-purism-librem-jsl");
    g_autoptr(GBytes) full = igd_opregion_splice_vbt(op_bytes, vbt, IGD_OPREGION_EXT_RELATIVE, 0, NULL);
    const guint8 *p = g_bytes_get_data(full, NULL);

    g_assert_cmpuint(g_bytes_get_size(full), ==, 8192 + 7235);
    for (gsize len = 8192; len < 8192 + 7235; len++) {
        g_autoptr(GBytes) b = g_bytes_new(p, len);
        expect_invalid(b, "RVDA");
    }
}

typedef struct {
    gsize offset;
    guint width; /* 1, 2, 4, 8 */
    guint64 value;
} Patch;

static void
apply(guint8 *b, gpointer data)
{
    for (const Patch *pt = data; pt->width; pt++) {
        switch (pt->width) {
        case 1: b[pt->offset] = (guint8)pt->value; break;
        case 2: igd_put_le16(b + pt->offset, (guint16)pt->value); break;
        case 4: igd_put_le32(b + pt->offset, (guint32)pt->value); break;
        default: igd_put_le64(b + pt->offset, pt->value); break;
        }
    }
}

static void
test_broken_fields(void)
{
    g_autoptr(GBytes) orig = load_fixture(REAL_OPREGION);
    /* 2.1 with an extended area of 0x800 bytes after the OpRegion (zeros). */
    static const Patch sig[] = { { 0x0, 1, 'X' }, { 0 } };
    static const Patch size0[] = { { 0x10, 4, 0 }, { 0 } };
    static const Patch size4[] = { { 0x10, 4, 4 }, { 0 } };
    static const Patch size16[] = { { 0x10, 4, 16 }, { 0 } };
    static const Patch sizemax[] = { { 0x10, 4, 0xFFFFFFFFu }, { 0 } };
    static const Patch inside[] = { { 0x16, 1, 1 }, { 0x3BA, 8, 0x1000 }, { 0x3C2, 4, 0x100 }, { 0 } };
    static const Patch past[] = { { 0x16, 1, 1 }, { 0x3BA, 8, 0x2000 }, { 0x3C2, 4, 0x801 }, { 0 } };
    static const Patch far[] = { { 0x16, 1, 1 }, { 0x3BA, 8, 0x100000000ull }, { 0x3C2, 4, 0x10 }, { 0 } };
    static const Patch rvds_max[] = { { 0x16, 1, 1 }, { 0x3BA, 8, 0x2000 }, { 0x3C2, 4, 0xFFFFFFFFu }, { 0 } };
    static const Patch wrap21[] = { { 0x16, 1, 1 }, { 0x3BA, 8, 0xFFFFFFFFFFFFFF00ull }, { 0x3C2, 4, 0x200 }, { 0 } };
    static const Patch wrap20[] = { { 0x3BA, 8, 0xFFFFFFFFFFFFFF00ull }, { 0x3C2, 4, 0x200 }, { 0 } };
    static const struct {
        const Patch *patch;
        const char *needle;
    } cases[] = {
        { sig, "signature" },
        { size0, "size 0 KiB" },
        { size4, "size 4 KiB" },
        { size16, "size 16 KiB larger" },
        { sizemax, "size 4294967295 KiB" },
        { inside, "RVDA 0x1000 points inside" },
        { past, "past the end" },
        { far, "past the end" },
        { rvds_max, "past the end" },
        { wrap21, "overflows" },
        { wrap20, "overflows" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GBytes) b = copy_patched(orig, 8192 + 0x800, apply, (gpointer)cases[i].patch);
        expect_invalid(b, cases[i].needle);
    }
}

/* RVDA/RVDS ignored without mailbox 3 (as i915); a 2.1 extended area without "$VBT" falls back to mailbox 4. */
static void
test_ext_fallbacks(void)
{
    g_autoptr(GBytes) orig = load_fixture(REAL_OPREGION);
    static const Patch no_asle[] = { { 0x58, 4, 0x1b }, { 0x16, 1, 1 }, { 0x3BA, 8, 0x1000 }, { 0x3C2, 4, 0x100 }, { 0 } };
    static const Patch junk[] = { { 0x16, 1, 1 }, { 0x3BA, 8, 0x2000 }, { 0x3C2, 4, 0x800 }, { 0 } };
    static const Patch v20[] = { { 0x3BA, 8, 0xdead0000ull }, { 0x3C2, 4, 0x2000 }, { 0 } };
    g_autoptr(GBytes) a = copy_patched(orig, 8192 + 0x800, apply, (gpointer)no_asle);
    g_autoptr(GBytes) b = copy_patched(orig, 8192 + 0x800, apply, (gpointer)junk);
    g_autoptr(GBytes) c = copy_patched(orig, 8192, apply, (gpointer)v20);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdOpRegion) op_a = igd_opregion_parse(a, &error);
    g_autoptr(IgdOpRegion) op_b = NULL;
    g_autoptr(IgdOpRegion) op_c = NULL;

    g_assert_no_error(error);
    g_assert_cmpint(igd_opregion_get_vbt_location(op_a), ==, IGD_OPREGION_VBT_MAILBOX);
    g_assert_cmpuint(igd_opregion_get_rvda(op_a), ==, 0);
    op_b = igd_opregion_parse(b, &error);
    g_assert_no_error(error);
    g_assert_cmpint(igd_opregion_get_vbt_location(op_b), ==, IGD_OPREGION_VBT_MAILBOX);
    g_assert_false(igd_opregion_vbt_is_extended(op_b));
    g_assert_cmpuint(igd_opregion_get_rvda(op_b), ==, 0x2000);
    /* 2.0 with a physical RVDA and no ASLS: reported, not followed, not an error. */
    op_c = igd_opregion_parse(c, &error);
    g_assert_no_error(error);
    g_assert_cmpint(igd_opregion_get_vbt_location(op_c), ==, IGD_OPREGION_VBT_UNREACHABLE);
    g_assert_cmpuint(igd_opregion_get_rvda(op_c), ==, 0xdead0000ull);
    g_assert_null(igd_opregion_get_vbt(op_c));
}

/*
 * 2.0 with an ASLS in the last 8 KiB of the 64-bit space: the OpRegion
 * [asls, asls + 0x2000) cannot be written as an end address, and an RVDA
 * inside it must still be refused. asls = 2^64 - 1 - 0x1800, RVDA = asls +
 * 0x400 (mailbox 4 of the real dump, whose VBT is 4284 bytes), RVDS = 4284:
 * RVDA + RVDS = 2^64 - 1 - 0x344 does not overflow.
 */
static void
test_asls_top(void)
{
    g_autoptr(GBytes) orig = load_fixture(REAL_OPREGION);
    const guint64 asls = G_MAXUINT64 - 0x1800;
    const Patch top[] = { { 0x3BA, 8, G_MAXUINT64 - 0x1800 + 0x400 }, { 0x3C2, 4, 4284 }, { 0 } };
    g_autoptr(GBytes) b = copy_patched(orig, 8192, apply, (gpointer)top);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdOpRegion) op = igd_opregion_parse_at(b, asls, &error);

    g_assert_null(op);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "overlaps the OpRegion"));
}

/* Mailbox 4 whose VBT claims more than the mailbox: no VBT (i915 intel_bios_is_valid_vbt()). */
static void
test_mailbox_oversized(void)
{
    g_autoptr(GBytes) orig = load_fixture(REAL_OPREGION);
    static const Patch big[] = { { 0x400 + 0x18, 2, 0x1801 }, { 0 } };
    static const Patch fits_no_mb5[] = { { 0x58, 4, 0x0f }, { 0x400 + 0x18, 2, 0x1C00 }, { 0 } };
    g_autoptr(GBytes) a = copy_patched(orig, 8192, apply, (gpointer)big);
    g_autoptr(GBytes) b = copy_patched(orig, 8192, apply, (gpointer)fits_no_mb5);
    g_autoptr(IgdOpRegion) op_a = igd_opregion_parse(a, NULL);
    g_autoptr(IgdOpRegion) op_b = igd_opregion_parse(b, NULL);
    g_autoptr(GBytes) vb = NULL;

    g_assert_cmpint(igd_opregion_get_vbt_location(op_a), ==, IGD_OPREGION_VBT_NONE);
    g_assert_null(igd_opregion_get_vbt(op_a));
    g_assert_cmpint(igd_opregion_get_vbt_location(op_b), ==, IGD_OPREGION_VBT_MAILBOX);
    vb = igd_opregion_get_vbt(op_b);
    g_assert_cmpuint(g_bytes_get_size(vb), ==, 0x1C00);
}

/*
 * Random corruption (GLib test seed, replay with --seed) of the real
 * OpRegion and of a spliced 2.1 one, concentrated on the header, ASLE
 * RVDA/RVDS and the mailbox-4 VBT header. Every result is an OpRegion whose
 * VBT, if any, lies inside the bytes, or IGD_ERROR_INVALID. A VBT that
 * parses is spliced back in and must come out unchanged (round trip).
 */
static void
test_fuzz(void)
{
    g_autoptr(GBytes) real = load_fixture(REAL_OPREGION);
    g_autoptr(GBytes) big = load_vbt("adln-tianbei-n1pro-n150");
    g_autoptr(GBytes) ext = igd_opregion_splice_vbt(real, big, IGD_OPREGION_EXT_RELATIVE, 0, NULL);
    GBytes *bases[] = { real, ext };
    static const gsize hot[] = { 0x10, 0x14, 0x58, 0x3BA, 0x3C2, 0x400, 0x418, 0x41C, 0x2018 };
    guint ok = 0, bad = 0, round_trips = 0;

    for (guint n = 0; n < G_N_ELEMENTS(bases); n++) {
        gsize len = g_bytes_get_size(bases[n]);

        for (guint iter = 0; iter < 2000; iter++) {
            g_autofree guint8 *buf = g_memdup2(g_bytes_get_data(bases[n], NULL), len);
            gsize cut = len;
            g_autoptr(GBytes) b = NULL;
            g_autoptr(IgdOpRegion) op = NULL;
            g_autoptr(GError) error = NULL;
            guint flips = g_test_rand_int_range(1, 4);

            for (guint f = 0; f < flips; f++) {
                gsize at = hot[g_test_rand_int_range(0, G_N_ELEMENTS(hot))] + g_test_rand_int_range(0, 8);
                if (g_test_rand_int_range(0, 4) == 0)
                    at = g_test_rand_int_range(0, (gint32)len);
                if (at < len)
                    buf[at] = (guint8)g_test_rand_int_range(0, 256);
            }
            if (g_test_rand_int_range(0, 8) == 0)
                cut = (gsize)g_test_rand_int_range(0, (gint32)len + 1);
            b = g_bytes_new(buf, cut);
            op = g_test_rand_bit() ? igd_opregion_parse(b, &error) : igd_opregion_parse_at(b, REAL_ASLS, &error);
            if (op == NULL) {
                g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
                bad++;
                continue;
            }
            ok++;
            {
                g_autoptr(GBytes) vbt = igd_opregion_get_vbt(op);
                g_autoptr(IgdVbt) parsed = NULL;
                g_autoptr(GBytes) spliced = NULL;
                g_autoptr(IgdOpRegion) again = NULL;
                g_autoptr(GBytes) back = NULL;

                if (vbt == NULL)
                    continue;
                g_assert_true(igd_range_ok(cut, igd_opregion_get_vbt_offset(op), g_bytes_get_size(vbt)));
                parsed = igd_vbt_parse(vbt, NULL);
                if (parsed == NULL)
                    continue;
                spliced = igd_opregion_splice_vbt(b, vbt, IGD_OPREGION_EXT_RELATIVE, 0, &error);
                if (spliced == NULL) {
                    /* Only a missing ASLE mailbox may refuse a VBT that parses. */
                    g_assert_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED);
                    continue;
                }
                again = igd_opregion_parse(spliced, &error);
                g_assert_no_error(error);
                back = igd_opregion_get_vbt(again);
                g_assert_nonnull(back);
                g_assert_cmpuint(g_bytes_get_size(back), ==, g_bytes_get_size(vbt));
                g_assert_cmpmem((const guint8 *)g_bytes_get_data(back, NULL) + 0x1B, g_bytes_get_size(vbt) - 0x1B,
                                (const guint8 *)g_bytes_get_data(vbt, NULL) + 0x1B, g_bytes_get_size(vbt) - 0x1B);
                round_trips++;
            }
        }
    }
    g_test_message("fuzz: %u parsed, %u refused, %u round trips", ok, bad, round_trips);
    g_assert_cmpuint(ok, >, 0);
    g_assert_cmpuint(bad, >, 0);
    g_assert_cmpuint(round_trips, >, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/opregion/real", test_real);
    for (guint i = 0; i < G_N_ELEMENTS(vbts); i++) {
        g_autofree char *path = g_strdup_printf("/opregion/splice/%s/%s",
                                                vbts[i].vbt_size > 0x1800 ? "ext-2.1" : "mailbox", vbts[i].name);
        g_test_add_data_func(path, GUINT_TO_POINTER(i),
                             vbts[i].vbt_size > 0x1800 ? test_splice_ext21 : test_splice_mailbox);
    }
    g_test_add_func("/opregion/splice/ext-2.0-absolute", test_splice_ext20);
    g_test_add_func("/opregion/splice/boundaries", test_splice_boundaries);
    g_test_add_func("/opregion/splice/versions", test_splice_versions);
    g_test_add_func("/opregion/splice/errors", test_splice_errors);
    g_test_add_func("/opregion/broken/truncated", test_truncated);
    g_test_add_func("/opregion/broken/truncated-ext", test_truncated_ext);
    g_test_add_func("/opregion/broken/fields", test_broken_fields);
    g_test_add_func("/opregion/ext-fallbacks", test_ext_fallbacks);
    g_test_add_func("/opregion/broken/asls-top", test_asls_top);
    g_test_add_func("/opregion/mailbox-oversized", test_mailbox_oversized);
    g_test_add_func("/opregion/fuzz", test_fuzz);
    return g_test_run();
}
