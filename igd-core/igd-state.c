/*
 * igd-state.c: the daemon's ownership state file.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>
#include <libxml/tree.h>

#include "igd-common.h"
#include "igd-private-xml.h"
#include "igd-state.h"
#include "igd-xml.h"

#define IGD_STATE_VERSION "1"

struct _IgdState {
    GPtrArray *entries; /* IgdStateEntry*, sorted by address */
};

static void
igd_state_entry_free(IgdStateEntry *e)
{
    if (e == NULL)
        return;
    g_free(e->uuid);
    g_free(e->name);
    g_free(e->mode);
    g_free(e->previous_driver);
    g_free(e);
}

static IgdStateEntry *
igd_state_entry_copy(const IgdStateEntry *e)
{
    IgdStateEntry *c = g_new0(IgdStateEntry, 1);

    c->address = e->address;
    c->uuid = g_strdup(e->uuid);
    c->name = g_strdup(e->name);
    c->mode = g_strdup(e->mode);
    c->since = e->since;
    c->previous_driver = g_strdup(e->previous_driver);
    c->pending = e->pending;
    return c;
}

IgdState *
igd_state_new(void)
{
    IgdState *state = g_new0(IgdState, 1);

    state->entries = g_ptr_array_new_with_free_func((GDestroyNotify)igd_state_entry_free);
    return state;
}

void
igd_state_free(IgdState *state)
{
    if (state == NULL)
        return;
    g_ptr_array_unref(state->entries);
    g_free(state);
}

IgdState *
igd_state_copy(const IgdState *state)
{
    IgdState *copy = igd_state_new();

    for (guint i = 0; i < state->entries->len; i++)
        g_ptr_array_add(copy->entries, igd_state_entry_copy(g_ptr_array_index(state->entries, i)));
    return copy;
}

static gint
address_cmp(const IgdPciAddress *a, const IgdPciAddress *b)
{
    if (a->domain != b->domain)
        return a->domain < b->domain ? -1 : 1;
    if (a->bus != b->bus)
        return a->bus < b->bus ? -1 : 1;
    if (a->slot != b->slot)
        return a->slot < b->slot ? -1 : 1;
    if (a->function != b->function)
        return a->function < b->function ? -1 : 1;
    return 0;
}

static gint
entry_cmp(gconstpointer pa, gconstpointer pb)
{
    const IgdStateEntry *a = *(IgdStateEntry *const *)pa;
    const IgdStateEntry *b = *(IgdStateEntry *const *)pb;

    return address_cmp(&a->address, &b->address);
}

char *
igd_state_canonical_uuid(const char *uuid, GError **error)
{
    if (uuid == NULL || !g_uuid_string_is_valid(uuid)) {
        g_autofree char *shown = uuid ? g_strescape(uuid, NULL) : g_strdup("(null)");
        if (strlen(shown) > 80)
            strcpy(shown + 77, "...");
        g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "invalid domain UUID '%s'", shown);
        return NULL;
    }
    return g_ascii_strdown(uuid, -1);
}

gboolean
igd_state_mode_is_valid(const char *mode)
{
    return mode != NULL && (g_str_equal(mode, "") || g_str_equal(mode, "legacy") ||
                            g_str_equal(mode, "upt") || g_str_equal(mode, "auto"));
}

/* Keep a domain name printable in XML 1.0 and in messages: valid UTF-8, no control characters, bounded. */
static char *
sanitize_name(const char *name)
{
    g_autofree char *valid = g_utf8_make_valid(name ? name : "", -1);
    GString *out = g_string_new(NULL);

    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        gsize before = out->len;
        if (g_unichar_iscntrl(c) || c == 0xfffe || c == 0xffff)
            g_string_append_c(out, '?');
        else
            g_string_append_unichar(out, c);
        if (out->len > IGD_STATE_NAME_MAX) {
            g_string_truncate(out, before);
            break;
        }
    }
    return g_string_free(out, FALSE);
}

static gboolean
driver_name_is_valid(const char *drv)
{
    if (drv == NULL || *drv == '\0' || strlen(drv) > 64)
        return FALSE;
    for (const char *p = drv; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
            return FALSE;
    return TRUE;
}

GPtrArray *
igd_state_get_entries(const IgdState *state)
{
    return state->entries;
}

const IgdStateEntry *
igd_state_lookup(const IgdState *state, const IgdPciAddress *addr)
{
    for (guint i = 0; i < state->entries->len; i++) {
        const IgdStateEntry *e = g_ptr_array_index(state->entries, i);
        if (igd_pci_address_equal(&e->address, addr))
            return e;
    }
    return NULL;
}

const IgdStateEntry *
igd_state_lookup_uuid(const IgdState *state, const char *uuid)
{
    for (guint i = 0; i < state->entries->len; i++) {
        const IgdStateEntry *e = g_ptr_array_index(state->entries, i);
        if (g_ascii_strcasecmp(e->uuid, uuid) == 0)
            return e;
    }
    return NULL;
}

gboolean
igd_state_check_claim(const IgdState *state, const IgdPciAddress *addr, const char *uuid, GError **error)
{
    const IgdStateEntry *e = igd_state_lookup(state, addr);
    char buf[13];

    if (e == NULL || g_ascii_strcasecmp(e->uuid, uuid) == 0)
        return TRUE;
    igd_pci_address_format(addr, buf);
    g_set_error(error, IGD_ERROR, IGD_ERROR_CONFLICT,
                "device %s is owned by running domain '%s' (uuid %s)", buf, e->name, e->uuid);
    return FALSE;
}

gboolean
igd_state_claim(IgdState *state, const IgdPciAddress *addr, const char *uuid, const char *name,
                const char *mode, const char *previous_driver, gint64 since, GError **error)
{
    g_autofree char *canon = igd_state_canonical_uuid(uuid, error);
    IgdStateEntry *e;

    if (canon == NULL)
        return FALSE;
    if (mode == NULL)
        mode = "";
    if (!igd_state_mode_is_valid(mode)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "invalid mode '%s' (legacy, upt or auto)", mode);
        return FALSE;
    }
    if (previous_driver != NULL && !driver_name_is_valid(previous_driver))
        previous_driver = NULL;
    if (!igd_state_check_claim(state, addr, canon, error))
        return FALSE;

    e = (IgdStateEntry *)igd_state_lookup(state, addr);
    if (e != NULL) {
        g_free(e->name);
        e->name = sanitize_name(name);
        g_free(e->mode);
        e->mode = g_strdup(mode);
        return TRUE;
    }
    if (state->entries->len >= IGD_STATE_MAX_DEVICES) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "more than %u owned devices", IGD_STATE_MAX_DEVICES);
        return FALSE;
    }
    e = g_new0(IgdStateEntry, 1);
    e->address = *addr;
    e->uuid = g_steal_pointer(&canon);
    e->name = sanitize_name(name);
    e->mode = g_strdup(mode);
    e->since = since;
    e->previous_driver = g_strdup(previous_driver);
    g_ptr_array_add(state->entries, e);
    g_ptr_array_sort(state->entries, entry_cmp);
    return TRUE;
}

gboolean
igd_state_set_pending(IgdState *state, const IgdPciAddress *addr, gboolean pending)
{
    IgdStateEntry *e = (IgdStateEntry *)igd_state_lookup(state, addr);

    if (e == NULL)
        return FALSE;
    e->pending = pending;
    return TRUE;
}

gboolean
igd_state_remove(IgdState *state, const IgdPciAddress *addr)
{
    for (guint i = 0; i < state->entries->len; i++) {
        const IgdStateEntry *e = g_ptr_array_index(state->entries, i);
        if (igd_pci_address_equal(&e->address, addr)) {
            g_ptr_array_remove_index(state->entries, i);
            return TRUE;
        }
    }
    return FALSE;
}

guint
igd_state_remove_uuid(IgdState *state, const char *uuid)
{
    guint n = 0;

    for (guint i = state->entries->len; i > 0; i--) {
        const IgdStateEntry *e = g_ptr_array_index(state->entries, i - 1);
        if (g_ascii_strcasecmp(e->uuid, uuid) == 0) {
            g_ptr_array_remove_index(state->entries, i - 1);
            n++;
        }
    }
    return n;
}

/* ---- parse ---- */

static IgdStateEntry *
parse_device(xmlNode *node, const char *source, guint index, GError **error)
{
    g_autofree char *address = igd_xml_prop(node, "address");
    g_autofree char *uuid = igd_xml_prop(node, "uuid");
    g_autofree char *name = igd_xml_prop(node, "name");
    g_autofree char *mode = igd_xml_prop(node, "mode");
    g_autofree char *since = igd_xml_prop(node, "since");
    g_autofree char *prev = igd_xml_prop(node, "previous-driver");
    g_autofree char *pending = igd_xml_prop(node, "pending");
    g_autoptr(GError) local = NULL;
    IgdStateEntry *e;
    IgdPciAddress addr;
    guint64 since_v = 0;

    for (xmlAttr *a = node->properties; a; a = a->next) {
        const char *an = (const char *)a->name;
        if (a->ns != NULL || !(g_str_equal(an, "address") || g_str_equal(an, "uuid") || g_str_equal(an, "name") ||
                               g_str_equal(an, "mode") || g_str_equal(an, "since") ||
                               g_str_equal(an, "previous-driver") || g_str_equal(an, "pending"))) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: device %u: unknown attribute '%s'",
                        source, index, an);
            return NULL;
        }
    }
    if (address == NULL || uuid == NULL || since == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: device %u: missing %s attribute", source, index,
                    address == NULL ? "address" : uuid == NULL ? "uuid" : "since");
        return NULL;
    }
    if (!igd_pci_address_parse(address, &addr, &local)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: device %u: %s", source, index, local->message);
        return NULL;
    }
    if (!g_uuid_string_is_valid(uuid)) {
        g_autofree char *shown = g_strescape(uuid, NULL);
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: device %u: invalid uuid '%.60s'", source, index,
                    shown);
        return NULL;
    }
    if (mode != NULL && !igd_state_mode_is_valid(mode)) {
        g_autofree char *shown = g_strescape(mode, NULL);
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: device %u: invalid mode '%.60s'", source, index,
                    shown);
        return NULL;
    }
    if (!g_ascii_string_to_unsigned(since, 10, 0, G_MAXINT64, &since_v, NULL)) {
        g_autofree char *shown = g_strescape(since, NULL);
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: device %u: invalid since '%.60s'", source, index,
                    shown);
        return NULL;
    }
    if (prev != NULL && !driver_name_is_valid(prev)) {
        g_autofree char *shown = g_strescape(prev, NULL);
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: device %u: invalid previous-driver '%.60s'",
                    source, index, shown);
        return NULL;
    }
    /* Only the writer's one value: a complete claim has no attribute at all. */
    if (pending != NULL && !g_str_equal(pending, "true")) {
        g_autofree char *shown = g_strescape(pending, NULL);
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: device %u: invalid pending '%.60s' (only \"true\")",
                    source, index, shown);
        return NULL;
    }
    e = g_new0(IgdStateEntry, 1);
    e->address = addr;
    e->uuid = g_ascii_strdown(uuid, -1);
    e->name = sanitize_name(name);
    e->mode = g_strdup(mode ? mode : "");
    e->since = (gint64)since_v;
    e->previous_driver = g_steal_pointer(&prev);
    e->pending = pending != NULL;
    return e;
}

IgdState *
igd_state_parse(const char *data, gsize len, const char *source, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(IgdState) state = igd_state_new();
    xmlNode *root;
    guint index = 0;

    doc = igd_private_xml_parse(data, len, IGD_STATE_MAX_BYTES, source, "igd-assign-state", IGD_STATE_VERSION,
                                "state", error);
    if (doc == NULL)
        return NULL;
    root = xmlDocGetRootElement(doc);
    for (xmlNode *n = root->children; n; n = n->next) {
        IgdStateEntry *e;
        if (n->type == XML_COMMENT_NODE)
            continue;
        if (n->type != XML_ELEMENT_NODE || n->ns != NULL ||
            !xmlStrEqual(n->name, (const xmlChar *)"device") || n->children != NULL) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: unexpected %s '%.40s' in <igd-assign-state>",
                        source, n->type == XML_ELEMENT_NODE ? "element" : "content",
                        n->name ? (const char *)n->name : "");
            return NULL;
        }
        if (++index > IGD_STATE_MAX_DEVICES) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: more than %u devices", source,
                        IGD_STATE_MAX_DEVICES);
            return NULL;
        }
        e = parse_device(n, source, index, error);
        if (e == NULL)
            return NULL;
        if (igd_state_lookup(state, &e->address) != NULL) {
            char buf[13];
            igd_pci_address_format(&e->address, buf);
            igd_state_entry_free(e);
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: device %s listed twice", source, buf);
            return NULL;
        }
        g_ptr_array_add(state->entries, e);
    }
    g_ptr_array_sort(state->entries, entry_cmp);
    return g_steal_pointer(&state);
}

IgdState *
igd_state_load(const char *path, GError **error)
{
    gboolean missing = FALSE;
    g_autoptr(GBytes) bytes = igd_private_xml_read(path, IGD_STATE_MAX_BYTES, "state file", &missing, error);

    if (bytes == NULL)
        return missing ? igd_state_new() : NULL;
    return igd_state_parse(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), path, error);
}

char *
igd_state_to_xml(const IgdState *state)
{
    g_autoptr(xmlDoc) doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *)"igd-assign-state");
    xmlChar *mem = NULL;
    int size = 0;
    char *out;

    xmlDocSetRootElement(doc, root);
    xmlNewProp(root, (const xmlChar *)"version", (const xmlChar *)IGD_STATE_VERSION);
    for (guint i = 0; i < state->entries->len; i++) {
        const IgdStateEntry *e = g_ptr_array_index(state->entries, i);
        xmlNode *n = xmlNewChild(root, NULL, (const xmlChar *)"device", NULL);
        char buf[13];
        char since[32];

        igd_pci_address_format(&e->address, buf);
        g_snprintf(since, sizeof since, "%" G_GINT64_FORMAT, e->since);
        xmlNewProp(n, (const xmlChar *)"address", (const xmlChar *)buf);
        xmlNewProp(n, (const xmlChar *)"uuid", (const xmlChar *)e->uuid);
        xmlNewProp(n, (const xmlChar *)"name", (const xmlChar *)e->name);
        xmlNewProp(n, (const xmlChar *)"mode", (const xmlChar *)e->mode);
        xmlNewProp(n, (const xmlChar *)"since", (const xmlChar *)since);
        if (e->previous_driver != NULL)
            xmlNewProp(n, (const xmlChar *)"previous-driver", (const xmlChar *)e->previous_driver);
        if (e->pending)
            xmlNewProp(n, (const xmlChar *)"pending", (const xmlChar *)"true");
    }
    xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
    out = g_strndup((const char *)mem, (gsize)size);
    xmlFree(mem);
    return out;
}

gboolean
igd_state_save(const IgdState *state, const char *path, GError **error)
{
    g_autofree char *xml = igd_state_to_xml(state);

    return igd_private_xml_save(path, xml, "state file", error);
}

gboolean
igd_state_set_aside(const char *path, char **new_path, GError **error)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%S");

    for (guint i = 0; i < 100; i++) {
        g_autofree char *target = i == 0 ? g_strdup_printf("%s.corrupt-%s", path, stamp)
                                         : g_strdup_printf("%s.corrupt-%s.%u", path, stamp, i);
        if (g_file_test(target, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
            continue;
        if (g_rename(path, target) != 0) {
            int saved = errno;
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot move '%s' aside to '%s': %s", path, target,
                        g_strerror(saved));
            return FALSE;
        }
        if (new_path != NULL)
            *new_path = g_steal_pointer(&target);
        return TRUE;
    }
    g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot move '%s' aside: too many corrupt copies", path);
    return FALSE;
}
