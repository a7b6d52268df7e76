/*
 * igd-watchlog.c: the libvirt watcher's last action per domain (see
 * igd-watchlog.h).
 */
#include "config.h"

#include <string.h>

#include <libxml/tree.h>

#include "igd-common.h"
#include "igd-private-xml.h"
#include "igd-watchlog.h"
#include "igd-xml.h"

#define IGD_WATCH_LOG_VERSION "1"

static const char *const actions[] = { "adjusted", "switched", "left", "opted-out", "loop", "failed", "ok", NULL };

struct _IgdWatchLog {
    GHashTable *records; /* canonical uuid → IgdWatchRecord* */
};

gboolean
igd_watch_action_is_valid(const char *action)
{
    return action != NULL && g_strv_contains(actions, action);
}

static gboolean
mode_is_valid(const char *mode)
{
    return mode != NULL && (*mode == '\0' || g_str_equal(mode, "legacy") || g_str_equal(mode, "upt"));
}

/* @s cut to IGD_WATCH_LOG_TEXT_MAX bytes at a character boundary ("" for NULL). */
static char *
text_dup(const char *s)
{
    const char *end;

    if (s == NULL)
        return g_strdup("");
    if (strlen(s) <= IGD_WATCH_LOG_TEXT_MAX)
        return g_strdup(s);
    end = s + IGD_WATCH_LOG_TEXT_MAX;
    if (g_utf8_validate(s, -1, NULL))
        end = g_utf8_find_prev_char(s, end + 1);
    return g_strndup(s, (gsize)(end - s));
}

IgdWatchRecord *
igd_watch_record_new(const char *uuid, const char *name, gint64 at, const char *action, const char *mode,
                     const char *message)
{
    IgdWatchRecord *r = g_new0(IgdWatchRecord, 1);

    r->uuid = g_ascii_strdown(uuid ? uuid : "", -1);
    r->name = text_dup(name);
    r->at = at;
    r->action = g_strdup(action ? action : "");
    r->mode = g_strdup(mode ? mode : "");
    r->message = text_dup(message);
    r->changes = g_ptr_array_new_with_free_func(g_free);
    r->broken = igd_findings_new();
    return r;
}

void
igd_watch_record_free(IgdWatchRecord *r)
{
    if (r == NULL)
        return;
    g_free(r->uuid);
    g_free(r->name);
    g_free(r->action);
    g_free(r->mode);
    g_free(r->message);
    g_ptr_array_unref(r->changes);
    g_ptr_array_unref(r->broken);
    g_free(r);
}

void
igd_watch_record_write_json(const IgdWatchRecord *r, IgdJson *json, const char *key)
{
    g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc(r->at);
    g_autofree char *iso = at ? g_date_time_format_iso8601(at) : NULL;

    igd_json_begin_object(json, key);
    igd_json_string(json, "uuid", r->uuid);
    igd_json_string(json, "name", r->name);
    igd_json_string(json, "at", iso);
    igd_json_string(json, "action", r->action);
    igd_json_string(json, "mode", *r->mode ? r->mode : NULL);
    igd_json_string(json, "message", r->message);
    igd_json_begin_array(json, "changes");
    for (guint i = 0; i < r->changes->len; i++)
        igd_json_string(json, NULL, g_ptr_array_index(r->changes, i));
    igd_json_end_array(json);
    igd_json_begin_array(json, "broken");
    for (guint i = 0; i < r->broken->len; i++)
        igd_finding_write_json(g_ptr_array_index(r->broken, i), json, NULL);
    igd_json_end_array(json);
    igd_json_end_object(json);
}

IgdWatchLog *
igd_watch_log_new(void)
{
    IgdWatchLog *log = g_new0(IgdWatchLog, 1);

    log->records = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)igd_watch_record_free);
    return log;
}

void
igd_watch_log_free(IgdWatchLog *log)
{
    if (log == NULL)
        return;
    g_hash_table_unref(log->records);
    g_free(log);
}

void
igd_watch_log_put(IgdWatchLog *log, IgdWatchRecord *record)
{
    /* the key is the record's own uuid string: remove the old one first */
    g_hash_table_remove(log->records, record->uuid);
    g_hash_table_insert(log->records, record->uuid, record);
}

gboolean
igd_watch_log_remove(IgdWatchLog *log, const char *uuid)
{
    g_autofree char *key = g_ascii_strdown(uuid, -1);

    return g_hash_table_remove(log->records, key);
}

const IgdWatchRecord *
igd_watch_log_lookup(const IgdWatchLog *log, const char *uuid)
{
    g_autofree char *key = uuid ? g_ascii_strdown(uuid, -1) : NULL;

    return key ? g_hash_table_lookup(log->records, key) : NULL;
}

static gint
record_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp((*(const IgdWatchRecord *const *)a)->uuid, (*(const IgdWatchRecord *const *)b)->uuid);
}

GPtrArray *
igd_watch_log_get_records(const IgdWatchLog *log)
{
    GPtrArray *all = g_ptr_array_sized_new(g_hash_table_size(log->records));
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, log->records);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(all, value);
    g_ptr_array_sort(all, record_cmp);
    return all;
}

/* ---- parsing ---- */

static gboolean
only_attrs(xmlNode *node, const char *const *allowed, const char *source, const char *where, GError **error)
{
    for (xmlAttr *a = node->properties; a; a = a->next) {
        if (a->ns != NULL || !g_strv_contains(allowed, (const char *)a->name)) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: %s: unknown attribute '%.40s'", source, where,
                        (const char *)a->name);
            return FALSE;
        }
    }
    return TRUE;
}

/* The text of @node (elements inside are an error), cut to the limit. */
static char *
element_text(xmlNode *node, const char *source, const char *where, GError **error)
{
    xmlChar *t;
    char *s;

    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: %s: unexpected content in <%s>", source, where,
                        (const char *)node->name);
            return NULL;
        }
    }
    t = xmlNodeGetContent(node);
    s = text_dup(t ? (const char *)t : "");
    xmlFree(t);
    return s;
}

/* The element children of @node, NULL with an error for anything else (comments and blanks skipped). */
static gboolean
is_element(xmlNode *n, const char *source, const char *where, GError **error)
{
    if (n->type == XML_COMMENT_NODE || (n->type == XML_TEXT_NODE && xmlIsBlankNode(n)))
        return FALSE;
    if (n->type != XML_ELEMENT_NODE || n->ns != NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: %s: unexpected content", source, where);
        return FALSE;
    }
    return TRUE;
}

static IgdFinding *
parse_broken(xmlNode *node, const char *source, const char *where, GError **error)
{
    static const char *const allowed[] = { "id", NULL };
    g_autofree char *id = igd_xml_prop(node, "id");
    g_autofree char *message = NULL;
    g_autofree char *hint = NULL;

    if (!only_attrs(node, allowed, source, where, error))
        return NULL;
    if (id == NULL || *id == '\0' || strlen(id) > 64) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: %s: <broken> without a valid id", source, where);
        return NULL;
    }
    for (xmlNode *c = node->children; c; c = c->next) {
        g_autoptr(GError) local = NULL;
        char **slot;

        if (!is_element(c, source, where, &local)) {
            if (local) {
                g_propagate_error(error, g_steal_pointer(&local));
                return NULL;
            }
            continue;
        }
        slot = xmlStrEqual(c->name, (const xmlChar *)"message") ? &message
               : xmlStrEqual(c->name, (const xmlChar *)"hint")  ? &hint
                                                                : NULL;
        if (slot == NULL || *slot != NULL) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: %s: unexpected <%.40s> in <broken>", source,
                        where, (const char *)c->name);
            return NULL;
        }
        *slot = element_text(c, source, where, error);
        if (*slot == NULL)
            return NULL;
    }
    return igd_finding_new(id, IGD_SEVERITY_FAIL, NULL, message ? message : "", hint);
}

static IgdWatchRecord *
parse_domain(xmlNode *node, const char *source, guint index, GError **error)
{
    static const char *const allowed[] = { "uuid", "name", "at", "action", "mode", NULL };
    g_autofree char *where = g_strdup_printf("domain %u", index);
    g_autofree char *uuid = igd_xml_prop(node, "uuid");
    g_autofree char *name = igd_xml_prop(node, "name");
    g_autofree char *at = igd_xml_prop(node, "at");
    g_autofree char *action = igd_xml_prop(node, "action");
    g_autofree char *mode = igd_xml_prop(node, "mode");
    g_autofree char *message = NULL;
    g_autoptr(IgdWatchRecord) r = NULL;
    g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) broken = igd_findings_new();
    guint64 at_v = 0;

    if (!only_attrs(node, allowed, source, where, error))
        return NULL;
    if (uuid == NULL || !g_uuid_string_is_valid(uuid)) {
        g_autofree char *shown = uuid ? g_strescape(uuid, NULL) : g_strdup("(none)");
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: %s: invalid uuid '%.60s'", source, where, shown);
        return NULL;
    }
    if (at == NULL || !g_ascii_string_to_unsigned(at, 10, 0, G_MAXINT64, &at_v, NULL)) {
        g_autofree char *shown = at ? g_strescape(at, NULL) : g_strdup("(none)");
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: %s: invalid at '%.60s'", source, where, shown);
        return NULL;
    }
    if (!igd_watch_action_is_valid(action)) {
        g_autofree char *shown = action ? g_strescape(action, NULL) : g_strdup("(none)");
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: %s: invalid action '%.60s'", source, where, shown);
        return NULL;
    }
    if (mode != NULL && !mode_is_valid(mode)) {
        g_autofree char *shown = g_strescape(mode, NULL);
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: %s: invalid mode '%.60s'", source, where, shown);
        return NULL;
    }
    for (xmlNode *c = node->children; c; c = c->next) {
        g_autoptr(GError) local = NULL;

        if (!is_element(c, source, where, &local)) {
            if (local) {
                g_propagate_error(error, g_steal_pointer(&local));
                return NULL;
            }
            continue;
        }
        if (xmlStrEqual(c->name, (const xmlChar *)"message") && message == NULL) {
            message = element_text(c, source, where, error);
            if (message == NULL)
                return NULL;
        } else if (xmlStrEqual(c->name, (const xmlChar *)"change") || xmlStrEqual(c->name, (const xmlChar *)"broken")) {
            gboolean is_change = xmlStrEqual(c->name, (const xmlChar *)"change");

            if ((is_change ? changes->len : broken->len) >= IGD_WATCH_LOG_MAX_ITEMS) {
                g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: %s: more than %u <%s>", source, where,
                            IGD_WATCH_LOG_MAX_ITEMS, (const char *)c->name);
                return NULL;
            }
            if (is_change) {
                char *t = element_text(c, source, where, error);
                if (t == NULL)
                    return NULL;
                g_ptr_array_add(changes, t);
            } else {
                IgdFinding *f = parse_broken(c, source, where, error);
                if (f == NULL)
                    return NULL;
                g_ptr_array_add(broken, f);
            }
        } else {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: %s: unexpected <%.40s>", source, where,
                        (const char *)c->name);
            return NULL;
        }
    }
    r = igd_watch_record_new(uuid, name, (gint64)at_v, action, mode, message);
    g_ptr_array_extend_and_steal(r->changes, g_steal_pointer(&changes));
    g_ptr_array_extend_and_steal(r->broken, g_steal_pointer(&broken));
    return g_steal_pointer(&r);
}

IgdWatchLog *
igd_watch_log_parse(const char *data, gsize len, const char *source, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(IgdWatchLog) log = igd_watch_log_new();
    xmlNode *root;
    guint index = 0;

    doc = igd_private_xml_parse(data, len, IGD_WATCH_LOG_MAX_BYTES, source, "igd-assign-watcher",
                                IGD_WATCH_LOG_VERSION, "watcher log", error);
    if (doc == NULL)
        return NULL;
    root = xmlDocGetRootElement(doc);
    for (xmlNode *n = root->children; n; n = n->next) {
        g_autoptr(GError) local = NULL;
        IgdWatchRecord *r;

        if (!is_element(n, source, "<igd-assign-watcher>", &local)) {
            if (local) {
                g_propagate_error(error, g_steal_pointer(&local));
                return NULL;
            }
            continue;
        }
        if (!xmlStrEqual(n->name, (const xmlChar *)"domain")) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: unexpected <%.40s> in <igd-assign-watcher>", source,
                        (const char *)n->name);
            return NULL;
        }
        if (++index > IGD_WATCH_LOG_MAX_DOMAINS) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: more than %u domains", source,
                        IGD_WATCH_LOG_MAX_DOMAINS);
            return NULL;
        }
        r = parse_domain(n, source, index, error);
        if (r == NULL)
            return NULL;
        if (g_hash_table_contains(log->records, r->uuid)) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: domain %s listed twice", source, r->uuid);
            igd_watch_record_free(r);
            return NULL;
        }
        igd_watch_log_put(log, r);
    }
    return g_steal_pointer(&log);
}

IgdWatchLog *
igd_watch_log_load(const char *path, GError **error)
{
    gboolean missing = FALSE;
    g_autoptr(GBytes) bytes = igd_private_xml_read(path, IGD_WATCH_LOG_MAX_BYTES, "watcher log", &missing, error);

    if (bytes == NULL)
        return missing ? igd_watch_log_new() : NULL;
    return igd_watch_log_parse(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), path, error);
}

/* ---- writing ---- */

static void
new_text_child(xmlNode *parent, const char *name, const char *text)
{
    xmlNode *n = xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);

    xmlAddChild(n, xmlNewText((const xmlChar *)text));
}

char *
igd_watch_log_to_xml(const IgdWatchLog *log)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *)"igd-assign-watcher");
    g_autoptr(GPtrArray) records = igd_watch_log_get_records(log);
    xmlChar *mem = NULL;
    int size = 0;
    char *out;

    xmlDocSetRootElement(doc, root);
    xmlNewProp(root, (const xmlChar *)"version", (const xmlChar *)IGD_WATCH_LOG_VERSION);
    for (guint i = 0; i < records->len; i++) {
        const IgdWatchRecord *r = g_ptr_array_index(records, i);
        xmlNode *n = xmlNewChild(root, NULL, (const xmlChar *)"domain", NULL);
        char at[32];

        g_snprintf(at, sizeof at, "%" G_GINT64_FORMAT, r->at);
        xmlNewProp(n, (const xmlChar *)"uuid", (const xmlChar *)r->uuid);
        xmlNewProp(n, (const xmlChar *)"name", (const xmlChar *)r->name);
        xmlNewProp(n, (const xmlChar *)"at", (const xmlChar *)at);
        xmlNewProp(n, (const xmlChar *)"action", (const xmlChar *)r->action);
        xmlNewProp(n, (const xmlChar *)"mode", (const xmlChar *)r->mode);
        new_text_child(n, "message", r->message);
        for (guint j = 0; j < r->changes->len; j++)
            new_text_child(n, "change", g_ptr_array_index(r->changes, j));
        for (guint j = 0; j < r->broken->len; j++) {
            const IgdFinding *f = g_ptr_array_index(r->broken, j);
            xmlNode *b = xmlNewChild(n, NULL, (const xmlChar *)"broken", NULL);

            xmlNewProp(b, (const xmlChar *)"id", (const xmlChar *)f->id);
            new_text_child(b, "message", f->message ? f->message : "");
            if (f->hint)
                new_text_child(b, "hint", f->hint);
        }
    }
    xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
    out = g_strndup((const char *)mem, (gsize)size);
    xmlFree(mem);
    return out;
}

gboolean
igd_watch_log_save(const IgdWatchLog *log, const char *path, GError **error)
{
    g_autofree char *xml = igd_watch_log_to_xml(log);

    return igd_private_xml_save(path, xml, "watcher log", error);
}
