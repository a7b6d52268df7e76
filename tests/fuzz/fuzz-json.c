/*
 * fuzz-json.c: the JSON writer (igd-json.c) on any strings. Not a parser,
 * but where outside bytes leave: sysfs and /proc contents, domain names and
 * error messages quoting them reach `check --json`, `inspect --json`,
 * `status --json` and the daemon's D-Bus replies (which must be UTF-8).
 *
 * Input: strings separated by NUL bytes, used as member names and values.
 *
 * Properties: the document is valid UTF-8 with no raw control character,
 * and a strict reading of it (a small JSON reader below) finds the
 * structure written; every string literal reads back as the string given
 * when that is UTF-8, and as valid UTF-8 otherwise.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "igd-json.h"

/* ---- a strict reader of what the writer makes ---- */

typedef struct {
    const char *p, *end;
} Reader;

static void
skip_ws(Reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r'))
        r->p++;
}

static int
hex4(const char *p)
{
    int v = 0;

    for (int i = 0; i < 4; i++) {
        int d = g_ascii_xdigit_value(p[i]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* A string literal at r->p; its value (g_free) or NULL when malformed. */
static char *
read_string(Reader *r)
{
    GString *s = g_string_new(NULL);

    if (r->p >= r->end || *r->p != '"')
        goto bad;
    r->p++;
    while (r->p < r->end && *r->p != '"') {
        guchar c = (guchar)*r->p;
        if (c < 0x20)
            goto bad;
        if (c != '\\') {
            g_string_append_c(s, (char)c);
            r->p++;
            continue;
        }
        if (r->end - r->p < 2)
            goto bad;
        switch (r->p[1]) {
        case '"': g_string_append_c(s, '"'); break;
        case '\\': g_string_append_c(s, '\\'); break;
        case '/': g_string_append_c(s, '/'); break;
        case 'n': g_string_append_c(s, '\n'); break;
        case 'r': g_string_append_c(s, '\r'); break;
        case 't': g_string_append_c(s, '\t'); break;
        case 'b': g_string_append_c(s, '\b'); break;
        case 'f': g_string_append_c(s, '\f'); break;
        case 'u': {
            int u = r->end - r->p >= 6 ? hex4(r->p + 2) : -1;
            if (u < 0 || (u >= 0xd800 && u <= 0xdfff))
                goto bad; /* the writer never splits surrogates */
            g_string_append_unichar(s, (gunichar)u);
            r->p += 4;
            break;
        }
        default:
            goto bad;
        }
        r->p += 2;
    }
    if (r->p >= r->end)
        goto bad;
    r->p++;
    return g_string_free(s, FALSE);
bad:
    g_string_free(s, TRUE);
    return NULL;
}

static gboolean read_value(Reader *r, GPtrArray *strings);

static gboolean
read_literal(Reader *r, const char *word)
{
    gsize n = strlen(word);

    if ((gsize)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return FALSE;
    r->p += n;
    return TRUE;
}

/* Any JSON value; the strings read (names and values, in order) go to @strings. */
static gboolean
read_value(Reader *r, GPtrArray *strings)
{
    skip_ws(r);
    if (r->p >= r->end)
        return FALSE;
    if (*r->p == '{' || *r->p == '[') {
        gboolean object = *r->p == '{';
        char close = object ? '}' : ']';
        r->p++;
        skip_ws(r);
        if (r->p < r->end && *r->p == close) {
            r->p++;
            return TRUE;
        }
        for (;;) {
            if (object) {
                char *name;
                skip_ws(r);
                name = read_string(r);
                if (name == NULL)
                    return FALSE;
                g_ptr_array_add(strings, name);
                skip_ws(r);
                if (r->p >= r->end || *r->p != ':')
                    return FALSE;
                r->p++;
            }
            if (!read_value(r, strings))
                return FALSE;
            skip_ws(r);
            if (r->p < r->end && *r->p == ',') {
                r->p++;
                continue;
            }
            if (r->p < r->end && *r->p == close) {
                r->p++;
                return TRUE;
            }
            return FALSE;
        }
    }
    if (*r->p == '"') {
        char *s = read_string(r);
        if (s == NULL)
            return FALSE;
        g_ptr_array_add(strings, s);
        return TRUE;
    }
    if (read_literal(r, "true") || read_literal(r, "false") || read_literal(r, "null"))
        return TRUE;
    if (*r->p == '-' || g_ascii_isdigit(*r->p)) {
        if (*r->p == '-')
            r->p++;
        if (r->p >= r->end || !g_ascii_isdigit(*r->p))
            return FALSE;
        while (r->p < r->end && g_ascii_isdigit(*r->p))
            r->p++;
        return TRUE;
    }
    return FALSE;
}

/* ---- the target ---- */

static void
check_string(const char *given, const char *read)
{
    FUZZ_CHECK(read != NULL, "a string did not read back");
    if (read == NULL)
        return;
    FUZZ_CHECK(g_utf8_validate(read, -1, NULL), "a string reads back as invalid UTF-8");
    if (g_utf8_validate(given, -1, NULL))
        FUZZ_CHECK(strcmp(given, read) == 0, "a UTF-8 string reads back changed");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *buf = fuzz_strndup(data, size);
    g_autoptr(GPtrArray) parts = g_ptr_array_new();
    g_autoptr(GPtrArray) expect = g_ptr_array_new();
    g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(IgdJson) json = igd_json_new();
    const char *doc;
    gsize len;
    Reader r;

    fuzz_setup();
    /* NUL-separated strings (the last one ends at the buffer's own NUL) */
    for (const char *p = buf; p <= buf + size; p += strlen(p) + 1)
        g_ptr_array_add(parts, (gpointer)p);

    igd_json_begin_object(json, NULL);
    for (guint i = 0; i + 1 < parts->len; i += 2) {
        igd_json_string(json, parts->pdata[i], parts->pdata[i + 1]);
        g_ptr_array_add(expect, parts->pdata[i]);
        g_ptr_array_add(expect, parts->pdata[i + 1]);
    }
    igd_json_begin_array(json, "all");
    g_ptr_array_add(expect, "all");
    for (guint i = 0; i < parts->len; i++) {
        igd_json_string(json, NULL, parts->pdata[i]);
        g_ptr_array_add(expect, parts->pdata[i]);
    }
    igd_json_printf(json, NULL, "%s", (const char *)parts->pdata[0]);
    g_ptr_array_add(expect, parts->pdata[0]);
    igd_json_uint(json, NULL, size);
    igd_json_null(json, NULL);
    igd_json_end_array(json);
    igd_json_end_object(json);

    doc = igd_json_get(json);
    len = strlen(doc);
    FUZZ_CHECK(g_utf8_validate(doc, (gssize)len, NULL), "the JSON document is not UTF-8");
    r.p = doc;
    r.end = doc + len;
    FUZZ_CHECK(read_value(&r, got), "the JSON document does not read as JSON:\n%s", doc);
    skip_ws(&r);
    FUZZ_CHECK(r.p == r.end, "text after the JSON document");
    FUZZ_CHECK(got->len == expect->len, "%u strings read back, %u written", got->len, expect->len);
    for (guint i = 0; i < MIN(got->len, expect->len); i++)
        check_string(expect->pdata[i], got->pdata[i]);
    return 0;
}
