/*
 * igd-json.h: a small streaming JSON writer (indented, UTF-8, escaped), so
 * the CLI, hook and daemon print JSON without another dependency.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _IgdJson IgdJson;

IgdJson *igd_json_new(void);
void igd_json_free(IgdJson *json);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdJson, igd_json_free)

/* @key is the member name inside an object, NULL inside an array or at top level. */
void igd_json_begin_object(IgdJson *json, const char *key);
void igd_json_end_object(IgdJson *json);
void igd_json_begin_array(IgdJson *json, const char *key);
void igd_json_end_array(IgdJson *json);
/* A NULL @value writes null. */
void igd_json_string(IgdJson *json, const char *key, const char *value);
void igd_json_printf(IgdJson *json, const char *key, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void igd_json_int(IgdJson *json, const char *key, gint64 value);
void igd_json_uint(IgdJson *json, const char *key, guint64 value);
void igd_json_bool(IgdJson *json, const char *key, gboolean value);
void igd_json_null(IgdJson *json, const char *key);

/* The document so far with a final newline; the writer stays usable. */
const char *igd_json_get(IgdJson *json);

/* @s as a JSON string literal, quotes included; a byte that does not start valid UTF-8 is written \ufffd. */
void igd_json_append_escaped(GString *out, const char *s);

G_END_DECLS
