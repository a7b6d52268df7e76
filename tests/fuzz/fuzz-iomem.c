/*
 * fuzz-iomem.c: the /proc/iomem reader behind the framebuffer check
 * (igd_host_parse_framebuffer_claims(), the parser of
 * igd_host_framebuffer_claims(): a host's or a host tree's /proc/iomem).
 *
 * Input: bytes 0-15 a BAR range (start, end; little-endian, used when
 * start <= end) besides the two BARs of a real Tiger Lake IGD
 * (tests/data/hosts/tgl-nuc11-efifb); the rest is the /proc/iomem text.
 *
 * Properties: each claim reads "NAME START-END" with a framebuffer driver
 * name and a range overlapping a BAR, at most one per line; the text twice
 * gives every claim twice; an efifb line on a BAR appended adds exactly
 * that claim; a text with a real address is never "denied".
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "igd-common.h"
#include "igd-host.h"

static const char *const fb_names[] = { "efifb", "vesafb", "simplefb", "simple-framebuffer", "simpledrm", "BOOTFB" };

static guint
count_lines(const char *p, gsize len)
{
    guint n = len > 0;

    for (gsize i = 0; i < len; i++)
        n += p[i] == '\n' && i + 1 < len;
    return n;
}

static void
check_claim(const char *claim, const guint64 *bs, const guint64 *be, guint n)
{
    const char *sp = strrchr(claim, ' ');
    guint64 s = 0, e = 0;
    char *end = NULL;
    gboolean named = FALSE, overlaps = FALSE;

    FUZZ_CHECK(sp != NULL, "claim '%s' without a range", claim);
    if (sp == NULL)
        return;
    s = g_ascii_strtoull(sp + 1, &end, 16);
    FUZZ_CHECK(end && *end == '-', "claim '%s': no START-END", claim);
    if (!end || *end != '-')
        return;
    e = g_ascii_strtoull(end + 1, &end, 16);
    FUZZ_CHECK(*end == '\0' && s <= e, "claim '%s': bad range", claim);
    for (gsize i = 0; i < G_N_ELEMENTS(fb_names); i++)
        named = named || g_ascii_strncasecmp(claim, fb_names[i], strlen(fb_names[i])) == 0;
    for (guint b = 0; b < n; b++)
        overlaps = overlaps || (s <= be[b] && e >= bs[b]);
    FUZZ_CHECK(named, "claim '%s' is not a framebuffer driver's", claim);
    FUZZ_CHECK(overlaps, "claim '%s' overlaps no BAR", claim);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    guint64 bs[3] = { G_GUINT64_CONSTANT(0x603c000000), G_GUINT64_CONSTANT(0x4000000000), 0 };
    guint64 be[3] = { G_GUINT64_CONSTANT(0x603cffffff), G_GUINT64_CONSTANT(0x400fffffff), 0 };
    guint n = 2;
    const char *text;
    gsize len;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) claims = NULL;

    fuzz_setup();
    if (size < 16)
        return 0;
    bs[2] = igd_le64(data);
    be[2] = igd_le64(data + 8);
    if (bs[2] <= be[2])
        n = 3;
    text = (const char *)data + 16;
    len = size - 16;

    claims = igd_host_parse_framebuffer_claims(text, len, bs, be, n, &error);
    FUZZ_CHECK((claims == NULL) == (error != NULL), "result and error disagree");
    if (claims == NULL) {
        /* denied: no parsed line had a non-zero address; a line with one must lift it */
        g_autoptr(GByteArray) more = g_byte_array_new();
        g_autoptr(GPtrArray) c2 = NULL;
        g_byte_array_append(more, (const guint8 *)text, (guint)len);
        g_byte_array_append(more, (const guint8 *)"\n00001000-0009ffff : System RAM", 31);
        c2 = igd_host_parse_framebuffer_claims((const char *)more->data, more->len, bs, be, n, NULL);
        FUZZ_CHECK(c2 != NULL, "a line with a real address appended, still denied");
        return 0;
    }
    FUZZ_CHECK(claims->len <= count_lines(text, len), "%u claims in %u lines", claims->len, count_lines(text, len));
    for (guint i = 0; i < claims->len; i++)
        check_claim(g_ptr_array_index(claims, i), bs, be, n);
    if (len > 0) {
        g_autoptr(GByteArray) twice = g_byte_array_new();
        g_autoptr(GPtrArray) c2 = NULL;
        g_byte_array_append(twice, (const guint8 *)text, (guint)len);
        g_byte_array_append(twice, (const guint8 *)"\n", 1);
        g_byte_array_append(twice, (const guint8 *)text, (guint)len);
        c2 = igd_host_parse_framebuffer_claims((const char *)twice->data, twice->len, bs, be, n, NULL);
        FUZZ_CHECK(c2 && c2->len == 2 * claims->len, "the text twice does not give every claim twice");
    }
    {
        static const char efifb[] = "\n  4000000000-40001d4fff : efifb";
        g_autoptr(GByteArray) more = g_byte_array_new();
        g_autoptr(GPtrArray) c3 = NULL;
        g_byte_array_append(more, (const guint8 *)text, (guint)len);
        g_byte_array_append(more, (const guint8 *)efifb, sizeof efifb - 1);
        c3 = igd_host_parse_framebuffer_claims((const char *)more->data, more->len, bs, be, n, NULL);
        FUZZ_CHECK(c3 && c3->len == claims->len + 1 &&
                       g_str_equal(g_ptr_array_index(c3, c3->len - 1), "efifb 4000000000-40001d4fff"),
                   "an efifb line on BAR 2 appended is not exactly one more claim");
    }
    return 0;
}
