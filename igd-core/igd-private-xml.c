/*
 * igd-private-xml.c: reading and writing igd-assignd's own XML files
 * (igd-private-xml.h).
 */
#include "config.h"

#include <string.h>

#include <libxml/parser.h>

#include "igd-common.h"
#include "igd-private-xml.h"
#include "igd-xml.h"

GBytes *
igd_private_xml_read(const char *path, gsize max, const char *what, gboolean *missing, GError **error)
{
    g_autoptr(GError) local = NULL;
    GBytes *bytes = igd_read_regular_file(path, max, what, &local);

    *missing = bytes == NULL && g_error_matches(local, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    if (bytes == NULL && !*missing)
        g_propagate_error(error, g_steal_pointer(&local));
    return bytes;
}

xmlDoc *
igd_private_xml_parse(const char *data, gsize len, gsize max, const char *source, const char *root_name,
                      const char *version, const char *what, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *got = NULL;
    xmlNode *root;

    if (len > max) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: larger than %" G_GSIZE_FORMAT " bytes", source, max);
        return NULL;
    }
    if (len == 0 || memchr(data, '\0', len) != NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: %s", source, len == 0 ? "empty file" : "NUL byte in XML");
        return NULL;
    }
    /* No XML_PARSE_NOENT (no entity substitution), no DTD loading, no network. */
    doc = xmlReadMemory(data, (int)len, NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
    if (doc == NULL) {
        const xmlError *xe = xmlGetLastError();
        g_autofree char *msg = g_strdup(xe && xe->message ? xe->message : "not well-formed");

        g_strchomp(msg);
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: not well-formed XML (line %d): %s", source,
                    xe ? xe->line : 0, msg);
        return NULL;
    }
    if (doc->intSubset != NULL || doc->extSubset != NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: a DOCTYPE is not allowed", source);
        return NULL;
    }
    root = xmlDocGetRootElement(doc);
    if (root == NULL || root->ns != NULL || !xmlStrEqual(root->name, (const xmlChar *)root_name)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: root element is not <%s>", source, root_name);
        return NULL;
    }
    got = igd_xml_prop(root, "version");
    if (g_strcmp0(got, version) != 0) {
        g_autofree char *shown = got ? igd_shown(got, 32) : g_strdup("(none)");

        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: unsupported %s version '%s' (want %s)", source, what,
                    shown, version);
        return NULL;
    }
    return g_steal_pointer(&doc);
}

gboolean
igd_private_xml_is_temp(const char *name, const char *file_name)
{
    gsize prefix = strlen(file_name) + 1;

    return g_str_has_prefix(name, file_name) && name[prefix - 1] == '.' && strlen(name) == prefix + 6 &&
           strchr(name + prefix, '.') == NULL;
}

gboolean
igd_private_xml_save(const char *path, const char *xml, const char *what, GError **error)
{
    g_autoptr(GError) local = NULL;

    if (!g_file_set_contents_full(path, xml, -1, G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644,
                                  &local)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot write %s: %s", what, local->message);
        return FALSE;
    }
    return TRUE;
}
