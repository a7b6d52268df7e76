/*
 * igd-xml.h: libxml2 for the domain engine (igd-core only): parsing a
 * domain document safely, small readers, edits that keep the document's own
 * whitespace and order, the serialisation that gives unchanged parts back as
 * libxml2 wrote them, and libvirt's <qemu:override> block.
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "igd-pci-address.h"

G_BEGIN_DECLS

/* libvirt's QEMU namespace, for <qemu:override> and <qemu:commandline>. */
#define IGD_XML_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"
/*
 * Largest domain definition accepted, except one igd-assign set up: that
 * carries the original definition base64-encoded in <igd:original> (4/3 of
 * its size), so a definition of IGD_XML_MAX_SIZE set up is about 37.3 MiB.
 * IGD_XML_MAX_SIZE_SET_UP is the largest document carrying <igd:assign>
 * metadata that is read, and the largest `rewrite` writes (it refuses to
 * write more): whatever `rewrite` writes, it reads back.
 */
#define IGD_XML_MAX_SIZE        (16u << 20)
#define IGD_XML_MAX_SIZE_SET_UP (40u << 20)
/*
 * Checked on the bytes before parsing (libxml2 2.9's cost grows with the
 * square of these): attributes of one start tag, namespace declarations
 * included; namespace declarations in one document. libvirt's own elements
 * have at most 7 attributes (the 1070 domains of its 9.0 test suite), and
 * a domain declares a handful of namespaces (at most 9 there).
 */
#define IGD_XML_MAX_ATTRIBUTES 256
#define IGD_XML_MAX_NAMESPACES 256

/* xmlDoc with its free function, for g_autoptr. */
typedef xmlDoc IgdXmlDoc;
void igd_xml_doc_free(IgdXmlDoc *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdXmlDoc, igd_xml_doc_free)

/*
 * Parse a domain XML document safely: at most IGD_XML_MAX_SIZE bytes (up to
 * IGD_XML_MAX_SIZE_SET_UP when it carries <igd:assign> metadata), no
 * network, no entity expansion, no DTD loading, a DOCTYPE is refused, the
 * root must be <domain>. Refused like malformed XML: a document that is not
 * namespace-well-formed (an unbound prefix, ...), a NUL byte anywhere
 * (libxml2 would stop reading there), anything after the root element but
 * white space, comments and PIs. Refused before parsing: what libxml2 2.9
 * cannot parse in linear time (more than IGD_XML_MAX_ATTRIBUTES attributes
 * on one element, more than IGD_XML_MAX_NAMESPACES namespace declarations)
 * and encodings in which that check could not read the markup (only
 * ASCII-based ones are read). Blank text is kept (so serialising gives
 * the input's formatting back). Errors: IGD_ERROR_INVALID naming the
 * problem (and the line for a syntax or namespace error).
 */
IgdXmlDoc *igd_xml_parse_domain(const char *xml, gsize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * @doc as text: the input's XML declaration kept (its encoding made UTF-8),
 * every top-level node, and the input's final newline. *@out_len bytes,
 * NUL-terminated.
 */
char *igd_xml_serialize(xmlDoc *doc, const char *input, gsize input_len, gsize *out_len) G_GNUC_WARN_UNUSED_RESULT;

/* ---- readers ---- */

/* An element of libvirt's (empty) namespace named @name. */
gboolean igd_xml_is(const xmlNode *node, const char *name);
/* The first such child of @parent, NULL when none (or @parent is NULL). */
xmlNode *igd_xml_child(const xmlNode *parent, const char *name);
/* An attribute's value (g_free), NULL when absent. */
char *igd_xml_prop(const xmlNode *node, const char *name) G_GNUC_WARN_UNUSED_RESULT;
gboolean igd_xml_prop_eq(const xmlNode *node, const char *name, const char *value);
/* The guest PCI address of a device element: its first <address> child when that is type='pci' (as libvirt reads it), else NULL. */
xmlNode *igd_xml_device_address(const xmlNode *device);
/*
 * The domain/bus/slot/function attributes of an <address> as libvirt reads
 * them (virStrToLong_uip(..., 0, ...): base 0, so "10" is ten and "0x10"
 * sixteen; a missing field is 0). FALSE for anything else.
 */
gboolean igd_xml_parse_pci_address(const xmlNode *address, IgdPciAddress *addr);
/* Text nodes of nothing but white space. */
gboolean igd_xml_is_blank(const xmlNode *node);
/* The indentation in front of @node (the white space after the last newline of the text before it), or NULL. */
char *igd_xml_indent(const xmlNode *node) G_GNUC_WARN_UNUSED_RESULT;

/* ---- edits that keep the document's layout ---- */

/* A new element of libvirt's namespace (not yet in a document). */
xmlNode *igd_xml_new(const char *name);
/* Insert @child into @parent before @before (NULL: at the end), indented like its siblings. */
void igd_xml_insert(xmlNode *parent, xmlNode *child, xmlNode *before);
/* Remove @node and the indentation in front of it; a parent left with only blank text becomes empty. */
void igd_xml_remove(xmlNode *node);
/* Indent a subtree built by the engine that sits at @indent (NULL: the document has no indentation). */
void igd_xml_format_tree(xmlNode *node, const char *indent);
/* Set an attribute only when it differs (unchanged attributes keep their place). */
void igd_xml_set(xmlNode *node, const char *name, const char *value);
void igd_xml_unset(xmlNode *node, const char *name);
/* The child @name of @parent, appended when missing. */
xmlNode *igd_xml_ensure_child(xmlNode *parent, const char *name);
/* Write @a into an <address> (as libvirt does: 0x%04x/0x%02x/0x%02x/0x%x); @guest adds type='pci'. */
void igd_xml_set_pci_address(xmlNode *address, const IgdPciAddress *a, gboolean guest);

/* ---- <qemu:override> (libvirt 8.2+) ---- */

/*
 * libvirt applies every <qemu:override> of the root, every <qemu:device> of
 * an alias and every <qemu:frontend> in document order, a later property
 * replacing an earlier one of the same name.
 */
/* The <qemu:property name=@prop> of device @alias QEMU gets (the last of them), NULL if none. */
xmlNode *igd_xml_override_find(xmlNode *root, const char *alias, const char *prop);
/* Set every property @prop of @alias; add one (creating the containers and the namespace) when there is none. */
void igd_xml_override_set(xmlNode *root, const char *alias, const char *prop, const char *type, const char *value);
/* Remove every property @prop of @alias, and the containers left empty. */
void igd_xml_override_remove(xmlNode *root, const char *alias, const char *prop);

/* ---- <qemu:commandline> -global options ---- */

/*
 * The <qemu:arg> holding "<driver>.<prop>=VALUE" right after a "-global"
 * <qemu:arg>, in any <qemu:commandline> of @root, for any driver of the
 * NULL-terminated @drivers; the last one when several (QEMU applies global
 * properties in order, the last wins). *@value (may be NULL) is VALUE
 * (g_free). NULL when none.
 */
xmlNode *igd_xml_commandline_find_global(xmlNode *root, const char *const *drivers, const char *prop, char **value);
/*
 * Give "<driver>.<prop>" the value @value: in the <qemu:arg> of
 * igd_xml_commandline_find_global() (drivers {@driver, NULL}) when there is
 * one, else as two <qemu:arg>s "-global" "<driver>.<prop>=@value" appended to
 * the first <qemu:commandline> (created, with the namespace, when missing).
 */
void igd_xml_commandline_set_global(xmlNode *root, const char *driver, const char *prop, const char *value);

G_END_DECLS
