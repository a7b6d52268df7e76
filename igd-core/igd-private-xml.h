/*
 * igd-private-xml.h: igd-assignd's own small XML files (the state file,
 * the watcher's records). One way to read them: a regular file only, with
 * a size bound, parsed with no entities, no DTD and no network, its root
 * element and version checked. One way to write them: whole and durably,
 * so a reader (or the next start, after a kill) sees the old file or the
 * new one.
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

/*
 * The bytes of @path (at most @max). NULL with *@missing TRUE (and no
 * error) when it does not exist (a first start); NULL with an error when it
 * is not a regular file, too large or unreadable. @what names the file in
 * errors ("state file").
 */
GBytes *igd_private_xml_read(const char *path, gsize max, const char *what, gboolean *missing,
                             GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Parse @data (@len bytes, at most @max) read from @source: refused when
 * empty, holding a NUL byte, not well-formed, with a DOCTYPE, or when its
 * root element is not the un-namespaced <@root_name version="@version">.
 * @what names the format in errors ("state"). Blank text between elements
 * is dropped. The document, or NULL with IGD_ERROR_INVALID.
 */
xmlDoc *igd_private_xml_parse(const char *data, gsize len, gsize max, const char *source, const char *root_name,
                              const char *version, const char *what, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Write @xml to @path whole and durably (a temporary file, fsync, rename), mode 0644. */
gboolean igd_private_xml_save(const char *path, const char *xml, const char *what, GError **error);

/*
 * Is the directory entry @name a temporary file igd_private_xml_save() of
 * @file_name left when it was killed (g_file_set_contents()'s
 * "<file_name>.XXXXXX")? The next start removes those.
 */
gboolean igd_private_xml_is_temp(const char *name, const char *file_name);

G_END_DECLS
