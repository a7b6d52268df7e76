/*
 * igd-json.c: streaming JSON writer.
 */
#include "config.h"

#include "igd-json.h"

struct _IgdJson {
    GString *out;
    GArray *first; /* gboolean per open container: no member written yet */
    char *result;
};

IgdJson *
igd_json_new(void)
{
    IgdJson *json = g_new0(IgdJson, 1);

    json->out = g_string_new(NULL);
    json->first = g_array_new(FALSE, FALSE, sizeof(gboolean));
    return json;
}

void
igd_json_free(IgdJson *json)
{
    if (json == NULL)
        return;
    g_string_free(json->out, TRUE);
    g_array_free(json->first, TRUE);
    g_free(json->result);
    g_free(json);
}

void
igd_json_append_escaped(GString *out, const char *s)
{
    const char *p = s;

    g_string_append_c(out, '"');
    while (*p) {
        guchar c = (guchar)*p;

        if (c >= 0x80) {
            /* strings come from host files too (a host tree in a report): bytes that are not
             * UTF-8 become U+FFFD, so the document stays UTF-8 (JSON, D-Bus strings) */
            gunichar u = g_utf8_get_char_validated(p, -1);
            if (u == (gunichar)-1 || u == (gunichar)-2) {
                g_string_append(out, "\\ufffd");
                p++;
            } else {
                const char *next = g_utf8_next_char(p);
                g_string_append_len(out, p, next - p);
                p = next;
            }
            continue;
        }
        switch (c) {
        case '"': g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        default:
            if (c < 0x20 || c == 0x7f)
                g_string_append_printf(out, "\\u%04x", c);
            else
                g_string_append_c(out, (char)c);
        }
        p++;
    }
    g_string_append_c(out, '"');
}

static void
indent(IgdJson *json)
{
    g_string_append_c(json->out, '\n');
    for (guint i = 0; i < json->first->len; i++)
        g_string_append(json->out, "  ");
}

static void
member(IgdJson *json, const char *key)
{
    if (json->first->len > 0) {
        gboolean *first = &g_array_index(json->first, gboolean, json->first->len - 1);
        if (!*first)
            g_string_append_c(json->out, ',');
        *first = FALSE;
        indent(json);
    }
    if (key) {
        igd_json_append_escaped(json->out, key);
        g_string_append(json->out, ": ");
    }
}

static void
open_container(IgdJson *json, const char *key, char c)
{
    gboolean first = TRUE;

    member(json, key);
    g_string_append_c(json->out, c);
    g_array_append_val(json->first, first);
}

static void
close_container(IgdJson *json, char c)
{
    gboolean empty;

    g_return_if_fail(json->first->len > 0);
    empty = g_array_index(json->first, gboolean, json->first->len - 1);
    g_array_set_size(json->first, json->first->len - 1);
    if (!empty)
        indent(json);
    g_string_append_c(json->out, c);
}

void igd_json_begin_object(IgdJson *json, const char *key) { open_container(json, key, '{'); }
void igd_json_end_object(IgdJson *json) { close_container(json, '}'); }
void igd_json_begin_array(IgdJson *json, const char *key) { open_container(json, key, '['); }
void igd_json_end_array(IgdJson *json) { close_container(json, ']'); }

void
igd_json_string(IgdJson *json, const char *key, const char *value)
{
    member(json, key);
    if (value)
        igd_json_append_escaped(json->out, value);
    else
        g_string_append(json->out, "null");
}

void
igd_json_printf(IgdJson *json, const char *key, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *value = NULL;

    va_start(ap, fmt);
    value = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    igd_json_string(json, key, value);
}

void
igd_json_int(IgdJson *json, const char *key, gint64 value)
{
    member(json, key);
    g_string_append_printf(json->out, "%" G_GINT64_FORMAT, value);
}

void
igd_json_uint(IgdJson *json, const char *key, guint64 value)
{
    member(json, key);
    g_string_append_printf(json->out, "%" G_GUINT64_FORMAT, value);
}

void
igd_json_bool(IgdJson *json, const char *key, gboolean value)
{
    member(json, key);
    g_string_append(json->out, value ? "true" : "false");
}

void
igd_json_null(IgdJson *json, const char *key)
{
    member(json, key);
    g_string_append(json->out, "null");
}

const char *
igd_json_get(IgdJson *json)
{
    g_free(json->result);
    json->result = g_strconcat(json->out->str, "\n", NULL);
    return json->result;
}
