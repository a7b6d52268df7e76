/*
 * igd-domxml.c: the domain-XML rewrite engine (SPEC.md §4): safe parsing,
 * the legacy/UPT/auto edits, <igd:assign> metadata, <qemu:override>, and a
 * serialisation that gives unchanged parts back as libxml2 wrote them.
 */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/xmlsave.h>
#include <string.h>

#include "igd-common.h"
#include "igd-domxml-private.h"

static const char *const mode_names[] = { "auto", "legacy", "upt" };

const char *
igd_domxml_mode_to_string(IgdDomXmlMode mode)
{
    if ((guint)mode >= G_N_ELEMENTS(mode_names))
        return "?";
    return mode_names[mode];
}

gboolean
igd_domxml_mode_from_string(const char *str, IgdDomXmlMode *mode, GError **error)
{
    for (guint i = 0; str && i < G_N_ELEMENTS(mode_names); i++) {
        if (g_str_equal(str, mode_names[i])) {
            *mode = (IgdDomXmlMode)i;
            return TRUE;
        }
    }
    g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "invalid mode '%s' (expected legacy, upt or auto)",
                str ? str : "");
    return FALSE;
}

void
igd_xml_doc_free(IgdXmlDoc *doc)
{
    xmlFreeDoc(doc);
}

void
igd_domxml_options_init(IgdDomXmlOptions *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->mode = IGD_DOMXML_MODE_AUTO;
    opts->host.slot = 2;
}

void
igd_domxml_report_init(IgdDomXmlReport *report)
{
    memset(report, 0, sizeof(*report));
    report->reasons = g_ptr_array_new_with_free_func(g_free);
    report->warnings = g_ptr_array_new_with_free_func(g_free);
}

void
igd_domxml_report_clear(IgdDomXmlReport *report)
{
    g_clear_pointer(&report->reasons, g_ptr_array_unref);
    g_clear_pointer(&report->warnings, g_ptr_array_unref);
}

static void report_add(GPtrArray *list, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
report_add(GPtrArray *list, const char *fmt, ...)
{
    va_list ap;

    if (list == NULL)
        return;
    va_start(ap, fmt);
    g_ptr_array_add(list, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

/* ---- parsing ---- */

static void
silent_error(void *ctx, const char *msg, ...)
{
}

IgdXmlDoc *
igd_domxml_parse(const char *xml, gsize len, GError **error)
{
    xmlParserCtxt *ctxt;
    xmlDoc *doc;
    xmlNode *root;
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

    if (len > IGD_DOMXML_MAX_SIZE) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "domain XML is %" G_GSIZE_FORMAT " bytes, larger than the limit of %u bytes", len,
                    IGD_DOMXML_MAX_SIZE);
        return NULL;
    }
    if (len == 0) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INVALID, "domain XML is empty");
        return NULL;
    }
    ctxt = xmlNewParserCtxt();
    if (ctxt == NULL) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INTERNAL, "cannot create an XML parser");
        return NULL;
    }
    xmlSetGenericErrorFunc(NULL, silent_error);
    /* no XML_PARSE_NOENT (no entity expansion), no DTDLOAD/DTDATTR (no DTD), NONET */
    doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "domain.xml", NULL, options);
    if (doc == NULL || !ctxt->wellFormed) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        g_autofree char *msg = g_strdup(e && e->message ? e->message : "not well-formed");
        g_strchomp(msg);
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "domain XML is not well-formed: line %d: %s",
                    e ? e->line : 0, msg);
        xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return NULL;
    }
    xmlFreeParserCtxt(ctxt);
    if (doc->intSubset || doc->extSubset) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INVALID,
                            "domain XML has a DOCTYPE (DTDs and entity declarations are refused)");
        xmlFreeDoc(doc);
        return NULL;
    }
    root = xmlDocGetRootElement(doc);
    if (!igd_xml_is(root, "domain")) {
        if (root && root->ns && root->ns->href)
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "root element <%s> is in namespace '%s', not a libvirt <domain>",
                        (const char *)root->name, (const char *)root->ns->href);
        else
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "root element is <%s>, not <domain>",
                        root ? (const char *)root->name : "");
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

/* ---- whitespace-preserving tree edits ---- */

static gboolean
is_blank_text(const xmlNode *n)
{
    if (n == NULL || n->type != XML_TEXT_NODE)
        return FALSE;
    for (const xmlChar *p = n->content; p && *p; p++)
        if (!g_ascii_isspace(*p))
            return FALSE;
    return TRUE;
}

/* The indentation of @node: what follows the last newline of the blank text before it, or NULL. */
static char *
node_indent(const xmlNode *node)
{
    const xmlNode *prev = node->prev;
    const char *nl;

    if (!is_blank_text(prev))
        return NULL;
    nl = strrchr((const char *)prev->content, '\n');
    if (nl == NULL)
        return NULL;
    return g_strdup(nl + 1);
}

/* Indentation for children of @parent, NULL when the document is written without any. */
static char *
child_indent(const xmlNode *parent)
{
    g_autofree char *pi = NULL;

    for (const xmlNode *c = parent->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE || c->type == XML_COMMENT_NODE) {
            char *ind = node_indent(c);
            if (ind)
                return ind;
            return NULL; /* children without indentation */
        }
    }
    pi = node_indent(parent);
    if (pi == NULL && parent->parent && parent->parent->type != XML_DOCUMENT_NODE)
        return NULL;
    return g_strconcat(pi ? pi : "", "  ", NULL);
}

static void
add_text_before(xmlNode *before, const char *text)
{
    xmlAddPrevSibling(before, xmlNewText((const xmlChar *)text));
}

/* Indent a subtree built by the engine (no blank text inside yet) that sits at @indent. */
static void
format_new_tree(xmlNode *node, const char *indent)
{
    g_autofree char *inner = NULL;
    g_autofree char *nl_inner = NULL;
    g_autofree char *nl_outer = NULL;
    gboolean any = FALSE;

    if (indent == NULL)
        return;
    inner = g_strconcat(indent, "  ", NULL);
    nl_inner = g_strconcat("\n", inner, NULL);
    nl_outer = g_strconcat("\n", indent, NULL);
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE && c->type != XML_COMMENT_NODE)
            continue;
        add_text_before(c, nl_inner);
        if (c->type == XML_ELEMENT_NODE)
            format_new_tree(c, inner);
        any = TRUE;
    }
    if (any)
        xmlAddChild(node, xmlNewText((const xmlChar *)nl_outer));
}

/*
 * Insert the new element @child into @parent before @before (NULL: at the
 * end), indented like its siblings, and indent its subtree.
 */
static void
insert_child(xmlNode *parent, xmlNode *child, xmlNode *before)
{
    g_autofree char *indent = child_indent(parent);
    g_autofree char *nl = indent ? g_strconcat("\n", indent, NULL) : NULL;

    if (before) {
        xmlAddPrevSibling(before, child);
        if (nl)
            xmlAddNextSibling(child, xmlNewText((const xmlChar *)nl));
    } else if (parent->children == NULL) {
        g_autofree char *pi = node_indent(parent);
        xmlAddChild(parent, child);
        if (nl) {
            g_autofree char *close = g_strconcat("\n", pi ? pi : "", NULL);
            add_text_before(child, nl);
            xmlAddChild(parent, xmlNewText((const xmlChar *)close));
        }
    } else if (is_blank_text(parent->last) && nl) {
        xmlNode *tail = parent->last;
        xmlAddPrevSibling(tail, child);
        add_text_before(child, nl);
    } else {
        if (nl)
            xmlAddChild(parent, xmlNewText((const xmlChar *)nl));
        xmlAddChild(parent, child);
    }
    format_new_tree(child, indent);
}

/* Remove @node and the indentation in front of it. */
static void
remove_node(xmlNode *node)
{
    xmlNode *parent;

    if (is_blank_text(node->prev)) {
        xmlNode *ws = node->prev;
        xmlUnlinkNode(ws);
        xmlFreeNode(ws);
    }
    parent = node->parent;
    xmlUnlinkNode(node);
    xmlFreeNode(node);
    /* a parent left with nothing but indentation becomes empty (<x/>) */
    if (parent && parent->children) {
        for (xmlNode *c = parent->children; c; c = c->next)
            if (!is_blank_text(c))
                return;
        while (parent->children) {
            xmlNode *c = parent->children;
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
}

/* Set an attribute only when it differs, so unchanged attributes keep their place. */
static void
set_prop(xmlNode *node, const char *name, const char *value)
{
    if (!igd_xml_prop_eq(node, name, value))
        xmlSetProp(node, (const xmlChar *)name, (const xmlChar *)value);
}

static void
unset_prop(xmlNode *node, const char *name)
{
    xmlAttr *a = xmlHasProp(node, (const xmlChar *)name);

    if (a)
        xmlRemoveProp(a);
}

static xmlNode *
new_element(const char *name)
{
    return xmlNewNode(NULL, (const xmlChar *)name);
}

/* ---- serialisation ---- */

static char *
serialize(xmlDoc *doc, const char *input, gsize input_len, gsize *out_len)
{
    xmlBuffer *buf = xmlBufferCreate();
    xmlSaveCtxt *save = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_NO_DECL | XML_SAVE_AS_XML);
    GString *out = g_string_sized_new(input_len + 1024);
    gboolean first = TRUE;

    /*
     * An XML declaration in the input is kept as it was, except that the
     * output is always UTF-8 (what libvirt writes): another declared
     * encoding is replaced.
     */
    if (input_len > 5 && memcmp(input, "<?xml", 5) == 0) {
        const char *end = g_strstr_len(input, MIN(input_len, 1024), "?>");
        if (end) {
            g_autofree char *decl = g_strndup(input, end + 2 - input);
            char *enc = strstr(decl, "encoding");
            char *q = enc ? strpbrk(enc, "\"'") : NULL;
            char *q2 = q ? strchr(q + 1, *q) : NULL;

            if (q2 && g_ascii_strncasecmp(q + 1, "UTF-8", q2 - q - 1) != 0) {
                g_string_append_len(out, decl, q + 1 - decl);
                g_string_append(out, "UTF-8");
                g_string_append(out, q2);
            } else {
                g_string_append(out, decl);
            }
            g_string_append_c(out, '\n');
        }
    }
    for (xmlNode *n = doc->children; n; n = n->next) {
        if (n->type == XML_DTD_NODE)
            continue;
        if (!first)
            g_string_append_c(out, '\n');
        first = FALSE;
        xmlSaveTree(save, n);
        xmlSaveFlush(save);
        g_string_append_len(out, (const char *)xmlBufferContent(buf), xmlBufferLength(buf));
        xmlBufferEmpty(buf);
    }
    xmlSaveClose(save);
    xmlBufferFree(buf);
    if (input_len > 0 && input[input_len - 1] == '\n')
        g_string_append_c(out, '\n');
    *out_len = out->len;
    return g_string_free(out, FALSE);
}

gboolean
igd_domxml_normalize(const char *xml, gsize len, char **out, gsize *out_len, GError **error)
{
    g_autoptr(IgdXmlDoc) doc = igd_domxml_parse(xml, len, error);

    if (doc == NULL)
        return FALSE;
    *out = serialize(doc, xml, len, out_len);
    return TRUE;
}

/* ---- the IGD hostdev ---- */

static void
set_pci_address(xmlNode *address, const IgdPciAddress *a, gboolean guest)
{
    g_autofree char *d = g_strdup_printf("0x%04x", a->domain);
    g_autofree char *b = g_strdup_printf("0x%02x", a->bus);
    g_autofree char *s = g_strdup_printf("0x%02x", a->slot);
    g_autofree char *f = g_strdup_printf("0x%x", a->function);
    IgdPciAddress cur;

    /* an address that already says the same (in any spelling) is left alone */
    if (igd_xml_parse_pci_address(address, &cur) && igd_pci_address_equal(&cur, a) &&
        (!guest || igd_xml_prop_eq(address, "type", "pci")) && xmlHasProp(address, (const xmlChar *)"slot") &&
        xmlHasProp(address, (const xmlChar *)"bus") && xmlHasProp(address, (const xmlChar *)"domain") &&
        xmlHasProp(address, (const xmlChar *)"function") &&
        (!guest || xmlHasProp(address, (const xmlChar *)"multifunction") == NULL))
        return;
    if (guest)
        set_prop(address, "type", "pci");
    set_prop(address, "domain", d);
    set_prop(address, "bus", b);
    set_prop(address, "slot", s);
    set_prop(address, "function", f);
    if (guest)
        unset_prop(address, "multifunction");
}

/* The order libvirt writes a PCI hostdev's children in (and domain.rng accepts). */
static const char *const hostdev_order[] = {
    "driver", "teaming", "source", "alias", "acpi", "boot", "rom", "address", "readonly", "shareable", NULL,
};

static guint
hostdev_rank(const xmlNode *n)
{
    if (n->type == XML_ELEMENT_NODE && n->ns == NULL)
        for (guint i = 0; hostdev_order[i]; i++)
            if (g_str_equal((const char *)n->name, hostdev_order[i]))
                return i;
    return G_N_ELEMENTS(hostdev_order);
}

/* Put the hostdev's children in libvirt's order and indent them uniformly. */
static void
hostdev_normalize_layout(xmlNode *hostdev)
{
    g_autoptr(GPtrArray) kids = g_ptr_array_new();
    g_autofree char *indent = node_indent(hostdev);
    xmlNode *c, *next;

    for (c = hostdev->children; c; c = next) {
        next = c->next;
        xmlUnlinkNode(c);
        if (is_blank_text(c))
            xmlFreeNode(c);
        else
            g_ptr_array_add(kids, c);
    }
    /* stable insertion sort by rank */
    for (guint i = 1; i < kids->len; i++) {
        for (guint j = i; j > 0 && hostdev_rank(kids->pdata[j - 1]) > hostdev_rank(kids->pdata[j]); j--) {
            gpointer t = kids->pdata[j];
            kids->pdata[j] = kids->pdata[j - 1];
            kids->pdata[j - 1] = t;
        }
    }
    for (guint i = 0; i < kids->len; i++) {
        xmlNode *k = kids->pdata[i];
        /* strip blank text inside <source> too: it is re-indented below */
        if (igd_xml_is(k, "source")) {
            for (xmlNode *s = k->children; s; s = next) {
                next = s->next;
                if (is_blank_text(s)) {
                    xmlUnlinkNode(s);
                    xmlFreeNode(s);
                }
            }
        }
        xmlAddChild(hostdev, k);
    }
    if (indent || hostdev->parent == NULL)
        format_new_tree(hostdev, indent ? indent : "");
}

static xmlNode *
ensure_child(xmlNode *parent, const char *name)
{
    xmlNode *c = igd_xml_child(parent, name);

    if (c == NULL) {
        c = new_element(name);
        xmlAddChild(parent, c);
    }
    return c;
}

/* ---- <qemu:override> ---- */

static xmlNs *
qemu_ns(xmlNode *root, gboolean create)
{
    for (xmlNs *ns = root->nsDef; ns; ns = ns->next)
        if (ns->href && g_str_equal((const char *)ns->href, IGD_DOMXML_QEMU_NS))
            return ns;
    if (!create)
        return NULL;
    /* "qemu" may already name another namespace on the root */
    for (guint i = 0;; i++) {
        g_autofree char *prefix = i ? g_strdup_printf("qemu%u", i) : g_strdup("qemu");
        gboolean taken = FALSE;
        for (xmlNs *ns = root->nsDef; ns; ns = ns->next)
            if (ns->prefix && g_str_equal((const char *)ns->prefix, prefix))
                taken = TRUE;
        if (!taken)
            return xmlNewNs(root, (const xmlChar *)IGD_DOMXML_QEMU_NS, (const xmlChar *)prefix);
    }
}

static gboolean
is_qemu(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           g_str_equal((const char *)n->ns->href, IGD_DOMXML_QEMU_NS) && g_str_equal((const char *)n->name, name);
}

static xmlNode *
qemu_child(xmlNode *parent, const char *name, const char *attr, const char *value)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (is_qemu(c, name) && (attr == NULL || igd_xml_prop_eq(c, attr, value)))
            return c;
    return NULL;
}

/* The <qemu:property> named @prop of device @alias, NULL if none. */
static xmlNode *
override_find(xmlNode *root, const char *alias, const char *prop)
{
    xmlNode *ov = qemu_child(root, "override", NULL, NULL);
    xmlNode *dev = qemu_child(ov, "device", "alias", alias);
    xmlNode *fe = qemu_child(dev, "frontend", NULL, NULL);

    return qemu_child(fe, "property", "name", prop);
}

static void
override_set(xmlNode *root, const char *alias, const char *prop, const char *type, const char *value)
{
    xmlNs *ns;
    xmlNode *ov, *dev, *fe, *p;

    p = override_find(root, alias, prop);
    if (p) {
        set_prop(p, "type", type);
        set_prop(p, "value", value);
        return;
    }
    ns = qemu_ns(root, TRUE);
    ov = qemu_child(root, "override", NULL, NULL);
    if (ov == NULL) {
        ov = xmlNewNode(ns, (const xmlChar *)"override");
        insert_child(root, ov, NULL);
    }
    dev = qemu_child(ov, "device", "alias", alias);
    if (dev == NULL) {
        dev = xmlNewNode(ns, (const xmlChar *)"device");
        xmlSetProp(dev, (const xmlChar *)"alias", (const xmlChar *)alias);
        insert_child(ov, dev, NULL);
    }
    fe = qemu_child(dev, "frontend", NULL, NULL);
    if (fe == NULL) {
        fe = xmlNewNode(ns, (const xmlChar *)"frontend");
        insert_child(dev, fe, NULL);
    }
    p = xmlNewNode(ns, (const xmlChar *)"property");
    xmlSetProp(p, (const xmlChar *)"name", (const xmlChar *)prop);
    xmlSetProp(p, (const xmlChar *)"type", (const xmlChar *)type);
    xmlSetProp(p, (const xmlChar *)"value", (const xmlChar *)value);
    insert_child(fe, p, NULL);
}

/* Remove property @prop of @alias, and containers left empty. */
static void
override_remove(xmlNode *root, const char *alias, const char *prop)
{
    xmlNode *p = override_find(root, alias, prop);
    xmlNode *fe, *dev, *ov;

    if (p == NULL)
        return;
    fe = p->parent;
    dev = fe->parent;
    ov = dev->parent;
    remove_node(p);
    if (qemu_child(fe, "property", NULL, NULL) == NULL) {
        remove_node(fe);
        if (qemu_child(dev, "frontend", NULL, NULL) == NULL) {
            remove_node(dev);
            if (qemu_child(ov, "device", NULL, NULL) == NULL)
                remove_node(ov);
        }
    }
}

/* ---- metadata ---- */

static void
ensure_metadata(IgdDomain *dom, const char *mode, const IgdPciAddress *host, const char *original,
                gsize original_len)
{
    xmlNode *metadata = igd_xml_child(dom->root, "metadata");
    char hostname[13];

    igd_pci_address_format(host, hostname);
    if (dom->meta == NULL) {
        xmlNode *assign = new_element("assign");
        xmlNs *ns = xmlNewNs(assign, (const xmlChar *)IGD_DOMXML_NS, (const xmlChar *)IGD_DOMXML_NS_PREFIX);
        xmlNode *orig;
        g_autofree char *b64 = g_base64_encode((const guchar *)original, original_len);

        xmlSetNs(assign, ns);
        xmlSetProp(assign, (const xmlChar *)"mode", (const xmlChar *)mode);
        xmlSetProp(assign, (const xmlChar *)"host", (const xmlChar *)hostname);
        orig = xmlNewNode(ns, (const xmlChar *)"original");
        xmlSetProp(orig, (const xmlChar *)"encoding", (const xmlChar *)"base64");
        xmlAddChild(orig, xmlNewText((const xmlChar *)b64));
        xmlAddChild(assign, orig);
        if (metadata == NULL) {
            xmlNode *after = NULL;
            metadata = new_element("metadata");
            /* libvirt's place: after name, uuid, genid, title, description */
            for (xmlNode *c = dom->root->children; c; c = c->next)
                if (igd_xml_is(c, "name") || igd_xml_is(c, "uuid") || igd_xml_is(c, "genid") ||
                    igd_xml_is(c, "title") || igd_xml_is(c, "description"))
                    after = c;
            {
                xmlNode *before = after ? after->next : dom->root->children;
                while (before && before->type != XML_ELEMENT_NODE && before->type != XML_COMMENT_NODE)
                    before = before->next;
                insert_child(dom->root, metadata, before);
            }
        }
        insert_child(metadata, assign, NULL);
        dom->meta = assign;
    } else {
        set_prop(dom->meta, "mode", mode);
        set_prop(dom->meta, "host", hostname);
    }
}

/* The text of the root's <@name> child (g_free), NULL when absent; whitespace trimmed. */
static char *
domain_child_text(xmlDoc *doc, const char *name)
{
    xmlNode *c = igd_xml_child(xmlDocGetRootElement(doc), name);
    xmlChar *t = c ? xmlNodeGetContent(c) : NULL;
    char *ret = t ? g_strstrip(g_strdup((const char *)t)) : NULL;

    xmlFree(t);
    return ret;
}

/* A uuid as libvirt compares them: hex digits only, lower case ("C7A5FDBDEDAF..." = "c7a5fdbd-edaf-..."). */
static char *
uuid_key(const char *uuid)
{
    GString *k = g_string_new(NULL);

    for (const char *p = uuid; p && *p; p++)
        if (g_ascii_isxdigit(*p))
            g_string_append_c(k, g_ascii_tolower(*p));
    return g_string_free(k, FALSE);
}

gboolean
igd_domxml_get_original(const char *xml, gsize len, char **original, gsize *original_len, GError **error)
{
    g_autoptr(IgdXmlDoc) doc = igd_domxml_parse(xml, len, error);
    g_autoptr(IgdXmlDoc) odoc = NULL;
    g_auto(IgdDomain) dom = { 0 };
    g_autoptr(GError) local = NULL;
    g_autofree char *name = NULL, *oname = NULL, *uuid = NULL, *ouuid = NULL;
    g_autofree char *ukey = NULL, *oukey = NULL;
    xmlNode *orig = NULL;
    xmlChar *text;
    guchar *data;
    gsize n = 0;

    if (doc == NULL)
        return FALSE;
    igd_domain_scan(&dom, doc, NULL, NULL);
    for (xmlNode *c = dom.meta ? dom.meta->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && g_str_equal((const char *)c->name, "original") && c->ns == dom.meta->ns)
            orig = c;
    if (orig == NULL) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_NOT_FOUND,
                            dom.meta ? "the <igd:assign> metadata keeps no original definition"
                                     : "the domain has no <igd:assign> metadata (it was not set up by igd-assign)");
        return FALSE;
    }
    text = xmlNodeGetContent(orig);
    data = g_base64_decode(text ? (const char *)text : "", &n);
    xmlFree(text);
    if (n == 0 || memchr(data, '\0', n)) {
        g_free(data);
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INVALID, "the saved original definition is empty or corrupt");
        return FALSE;
    }
    /* the original must be a domain definition, and of this domain: a copy of a set-up domain
     * (virt-clone keeps <metadata>) carries the original of the domain it was copied from */
    odoc = igd_domxml_parse((const char *)data, n, &local);
    if (odoc == NULL) {
        g_free(data);
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "the saved original definition is corrupt: %s",
                    local->message);
        return FALSE;
    }
    name = domain_child_text(doc, "name");
    oname = domain_child_text(odoc, "name");
    uuid = domain_child_text(doc, "uuid");
    ouuid = domain_child_text(odoc, "uuid");
    ukey = uuid_key(uuid);
    oukey = uuid_key(ouuid);
    if (g_strcmp0(name, oname) != 0 || (uuid && ouuid && !g_str_equal(ukey, oukey)) || (uuid == NULL) != (ouuid == NULL)) {
        g_free(data);
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED,
                    "the saved original definition is of domain '%s' (uuid %s), not of '%s' (uuid %s): the "
                    "<igd:assign> metadata was copied from another domain; restoring it would overwrite that one",
                    oname ? oname : "", ouuid ? ouuid : "none", name ? name : "", uuid ? uuid : "none");
        return FALSE;
    }
    *original = g_realloc(data, n + 1);
    (*original)[n] = '\0';
    *original_len = n;
    return TRUE;
}

/* ---- the rules ---- */

static gboolean
root_slot(const IgdPciAddress *a, guint slot)
{
    return a->domain == 0 && a->bus == 0 && a->slot == slot;
}

/* Devices at 00:02.* or 00:1f.* (other than the IGD) lose their address; libvirt reassigns them. */
static void
legacy_free_slots(IgdDomain *dom, xmlNode *igd)
{
    for (xmlNode *c = dom->devices->children; c; c = c->next) {
        xmlNode *addr;
        IgdPciAddress a;

        if (c == igd || c->type != XML_ELEMENT_NODE)
            continue;
        addr = igd_xml_device_address(c);
        if (addr && igd_xml_parse_pci_address(addr, &a) && (root_slot(&a, 2) || root_slot(&a, 0x1f)))
            remove_node(addr);
    }
}

static void
legacy_displays(IgdDomain *dom)
{
    xmlNode *c, *next, *first_video = NULL;
    g_autoptr(GPtrArray) removed_audio = g_ptr_array_new_with_free_func(g_free);

    if (!igd_domain_video_is_none(dom)) {
        for (c = dom->devices->children; c; c = next) {
            next = c->next;
            if (!igd_xml_is(c, "video"))
                continue;
            if (first_video == NULL) {
                /* keep the place of the first video device */
                first_video = new_element("video");
                xmlNode *model = new_element("model");
                xmlSetProp(model, (const xmlChar *)"type", (const xmlChar *)"none");
                xmlAddChild(first_video, model);
                insert_child(dom->devices, first_video, c);
            }
            remove_node(c);
        }
        if (first_video == NULL) {
            xmlNode *video = new_element("video");
            xmlNode *model = new_element("model");
            xmlSetProp(model, (const xmlChar *)"type", (const xmlChar *)"none");
            xmlAddChild(video, model);
            insert_child(dom->devices, video, NULL);
        }
    }
    for (c = dom->devices->children; c; c = next) {
        next = c->next;
        /* a mediated device's display (display='on', ramfb) needs a <graphics> too */
        if (igd_xml_is(c, "hostdev") && igd_xml_prop_eq(c, "type", "mdev")) {
            if (igd_xml_prop_eq(c, "display", "on"))
                unset_prop(c, "display");
            if (xmlHasProp(c, (const xmlChar *)"ramfb"))
                unset_prop(c, "ramfb");
            continue;
        }
        if (!igd_xml_is_display_only(c))
            continue;
        if (igd_xml_is(c, "audio")) {
            char *id = igd_xml_prop(c, "id");
            if (id)
                g_ptr_array_add(removed_audio, id);
        }
        remove_node(c);
    }
    /* <sound><audio id='N'/> pointing at a removed audio backend */
    if (removed_audio->len) {
        for (c = dom->devices->children; c; c = c->next) {
            xmlNode *a, *an;
            if (!igd_xml_is(c, "sound"))
                continue;
            for (a = c->children; a; a = an) {
                an = a->next;
                if (igd_xml_is(a, "audio")) {
                    g_autofree char *id = igd_xml_prop(a, "id");
                    if (id && g_ptr_array_find_with_equal_func(removed_audio, id, g_str_equal, NULL))
                        remove_node(a);
                }
            }
        }
    }
}

/* Device elements libvirt gives a PCI slot of their own on i440fx (an estimate on the safe side). */
static gboolean
takes_pci_slot(const xmlNode *c)
{
    static const char *const always[] = { "interface", "sound", "rng", "shmem", "vsock", "filesystem", NULL };
    g_autofree char *type = NULL;
    g_autofree char *model = NULL;
    g_autofree char *bus = NULL;
    xmlNode *target;

    if (c->type != XML_ELEMENT_NODE || c->ns != NULL)
        return FALSE;
    if (g_strv_contains(always, (const char *)c->name))
        return TRUE;
    type = igd_xml_prop(c, "type");
    model = igd_xml_prop(c, "model");
    if (igd_xml_is(c, "hostdev"))
        return type && g_str_equal(type, "pci");
    if (igd_xml_is(c, "video")) {
        xmlNode *m = igd_xml_child(c, "model");
        return !(m && igd_xml_prop_eq(m, "type", "none"));
    }
    if (igd_xml_is(c, "memballoon") || igd_xml_is(c, "watchdog"))
        return model == NULL || !(g_str_equal(model, "none") || g_str_equal(model, "ib700") ||
                                  g_str_equal(model, "diag288") || g_str_equal(model, "itco"));
    if (igd_xml_is(c, "controller"))
        return type && (g_str_equal(type, "virtio-serial") || g_str_equal(type, "scsi") ||
                        (g_str_equal(type, "usb") && !(model && g_str_equal(model, "none"))) ||
                        (g_str_equal(type, "pci") && !(model && g_str_equal(model, "pci-root"))));
    target = igd_xml_child(c, "target");
    bus = target ? igd_xml_prop(target, "bus") : NULL;
    if (igd_xml_is(c, "disk") || igd_xml_is(c, "input"))
        return bus && g_str_equal(bus, "virtio");
    return FALSE;
}

/*
 * Devices that work behind a pci-bridge as well as on the root bus (what
 * legacy mode may move there): virtio disks. (NICs would do too, but
 * libvirt's domxml-to-native drops their addresses, so the move could not be
 * proven by the tests.)
 */
static gboolean
movable_to_bridge(const xmlNode *c)
{
    xmlNode *target;
    g_autofree char *bus = NULL;

    if (!igd_xml_is(c, "disk"))
        return FALSE;
    target = igd_xml_child(c, "target");
    bus = target ? igd_xml_prop(target, "bus") : NULL;
    return bus && g_str_equal(bus, "virtio");
}

#define IGD_BRIDGE_ALIAS_PREFIX "ua-igd-bridge"
#define IGD_BRIDGE_SLOTS        31 /* slots 1..31 of a pci-bridge take devices */

/*
 * libvirt fills the root bus slot by slot and reaches 1f only when 03..1e
 * are taken. When the devices without an address would get that far, the
 * last NICs and virtio disks are given addresses behind new pci-bridges
 * (explicitly placed on the highest free root slots) so that 00:1f.0 stays
 * free; when that is not possible, a warning says so.
 */
static void
legacy_relieve_root_bus(IgdDomain *dom, GPtrArray *warnings)
{
    gboolean used[32] = { FALSE };
    guint free_slots = 0, unaddressed = 0, bridges, moved;
    g_autoptr(GPtrArray) movable = g_ptr_array_new();
    guint max_index = 0;
    xmlNode *last_controller = NULL;

    used[0] = used[1] = used[2] = used[0x1f] = TRUE;
    for (xmlNode *c = dom->devices->children; c; c = c->next) {
        IgdPciAddress a;
        xmlNode *addr = c->type == XML_ELEMENT_NODE ? igd_xml_device_address(c) : NULL;
        if (igd_xml_is(c, "controller")) {
            last_controller = c;
            if (igd_xml_prop_eq(c, "type", "pci")) {
                g_autofree char *idx = igd_xml_prop(c, "index");
                guint64 v = idx ? g_ascii_strtoull(idx, NULL, 10) : 0;
                max_index = MAX(max_index, (guint)MIN(v, 255));
            }
        }
        if (addr && igd_xml_parse_pci_address(addr, &a)) {
            if (a.domain == 0 && a.bus == 0)
                used[a.slot] = TRUE;
        } else if (addr == NULL && takes_pci_slot(c)) {
            unaddressed++;
            if (movable_to_bridge(c))
                g_ptr_array_add(movable, c);
        }
    }
    /* libvirt adds a virtio memballoon to a domain that names none */
    if (igd_xml_child(dom->devices, "memballoon") == NULL)
        unaddressed++;
    for (guint s = 3; s < 0x1f; s++)
        free_slots += !used[s];
    if (unaddressed <= free_slots)
        return;

    /* B bridges take B root slots and hold 31 devices each */
    for (bridges = 1;; bridges++) {
        if (bridges >= free_slots || max_index + bridges > 255)
            goto warn;
        moved = unaddressed - (free_slots - bridges);
        if (moved <= bridges * IGD_BRIDGE_SLOTS)
            break;
    }
    if (moved > movable->len)
        goto warn;

    {
        guint root_slot = 0x1e;
        xmlNode *after = last_controller;
        guint first = movable->len - moved; /* the last devices of the document move */

        for (guint b = 0; b < bridges; b++) {
            xmlNode *ctl = new_element("controller");
            xmlNode *alias = new_element("alias");
            xmlNode *address = new_element("address");
            g_autofree char *index = g_strdup_printf("%u", max_index + 1 + b);
            g_autofree char *alias_name = g_strdup_printf(IGD_BRIDGE_ALIAS_PREFIX "%u", b);
            IgdPciAddress at = { 0, 0, 0, 0 };
            xmlNode *before;

            while (used[root_slot])
                root_slot--;
            used[root_slot] = TRUE;
            at.slot = root_slot;
            xmlSetProp(ctl, (const xmlChar *)"type", (const xmlChar *)"pci");
            xmlSetProp(ctl, (const xmlChar *)"index", (const xmlChar *)index);
            xmlSetProp(ctl, (const xmlChar *)"model", (const xmlChar *)"pci-bridge");
            xmlSetProp(alias, (const xmlChar *)"name", (const xmlChar *)alias_name);
            xmlAddChild(ctl, alias);
            xmlAddChild(ctl, address);
            set_pci_address(address, &at, TRUE);
            before = after ? after->next : NULL;
            while (before && before->type != XML_ELEMENT_NODE && before->type != XML_COMMENT_NODE)
                before = before->next;
            insert_child(dom->devices, ctl, before);
            after = ctl;
        }
        for (guint i = 0; i < moved; i++) {
            xmlNode *dev = movable->pdata[first + i];
            xmlNode *address = new_element("address");
            IgdPciAddress at = { 0, (guint8)(max_index + 1 + i / IGD_BRIDGE_SLOTS), (guint8)(1 + i % IGD_BRIDGE_SLOTS), 0 };

            insert_child(dev, address, NULL);
            set_pci_address(address, &at, TRUE);
        }
        report_add(warnings,
                   "%u devices without an address and %u free slots on the root bus: %u of them moved behind %u "
                   "new pci-bridge%s so that 00:1f.0 stays free", unaddressed, free_slots, moved, bridges,
                   bridges > 1 ? "s" : "");
        return;
    }
warn:
    report_add(warnings,
               "%u devices without an address and %u free slots on the root bus: libvirt may put one at "
               "00:1f.0, which legacy mode needs free; give some of them addresses behind a pci-bridge",
               unaddressed, free_slots);
}

/* An explicit slot on the root bus for a UPT IGD on i440fx: first slot no device claims. */
static gboolean
upt_free_slot(IgdDomain *dom, xmlNode *igd, guint *slot)
{
    gboolean used[32] = { FALSE };

    used[0] = used[1] = used[2] = used[0x1f] = TRUE; /* host bridge, PIIX3, primary video, ICH */
    for (xmlNode *c = dom->devices->children; c; c = c->next) {
        IgdPciAddress a;
        if (c == igd || c->type != XML_ELEMENT_NODE)
            continue;
        if (igd_xml_parse_pci_address(igd_xml_device_address(c), &a) && a.domain == 0 && a.bus == 0)
            used[a.slot] = TRUE;
    }
    for (guint s = 3; s < 0x1f; s++) {
        if (!used[s]) {
            *slot = s;
            return TRUE;
        }
    }
    return FALSE;
}

static void
upt_video(IgdDomain *dom)
{
    xmlNode *c, *next, *first_none = NULL;
    xmlNode *video, *model;

    if (igd_domain_has_emulated_video(dom))
        return;
    for (c = dom->devices->children; c; c = next) {
        next = c->next;
        if (igd_xml_is(c, "video")) {
            if (first_none == NULL)
                first_none = c;
            else
                remove_node(c);
        }
    }
    video = new_element("video");
    model = new_element("model");
    xmlSetProp(model, (const xmlChar *)"type", (const xmlChar *)"vga");
    xmlAddChild(video, model);
    if (first_none) {
        insert_child(dom->devices, video, first_none);
        remove_node(first_none);
    } else {
        /* after the last graphics/input device if any, else at the end */
        insert_child(dom->devices, video, NULL);
    }
}

/* Ensure the hostdev is the IGD's, with everything both modes need. */
static xmlNode *
igd_hostdev_prepare(IgdDomain *dom, const IgdDomXmlOptions *opts, const IgdPciAddress *host,
                    gboolean *created)
{
    xmlNode *hostdev, *driver, *source, *alias, *rom;
    g_autofree char *alias_name = NULL;

    *created = FALSE;
    if (dom->igd_hostdevs->len) {
        hostdev = dom->igd_hostdevs->pdata[0];
    } else {
        xmlNode *before = NULL;
        /* after the last existing hostdev, else before the first of the later device kinds */
        for (xmlNode *c = dom->devices->children; c; c = c->next)
            if (igd_xml_is(c, "hostdev"))
                before = c;
        if (before) {
            before = before->next;
            while (before && before->type != XML_ELEMENT_NODE && before->type != XML_COMMENT_NODE)
                before = before->next;
        }
        hostdev = new_element("hostdev");
        xmlSetProp(hostdev, (const xmlChar *)"mode", (const xmlChar *)"subsystem");
        xmlSetProp(hostdev, (const xmlChar *)"type", (const xmlChar *)"pci");
        xmlSetProp(hostdev, (const xmlChar *)"managed", (const xmlChar *)"no");
        insert_child(dom->devices, hostdev, before);
        *created = TRUE;
    }
    set_prop(hostdev, "mode", "subsystem");
    set_prop(hostdev, "managed", "no");
    driver = ensure_child(hostdev, "driver");
    set_prop(driver, "name", "vfio");
    source = ensure_child(hostdev, "source");
    set_pci_address(ensure_child(source, "address"), host, FALSE);

    alias = igd_xml_child(hostdev, "alias");
    alias_name = alias ? igd_xml_prop(alias, "name") : NULL;
    if (alias_name == NULL || !g_str_has_prefix(alias_name, "ua-")) {
        alias = ensure_child(hostdev, "alias");
        set_prop(alias, "name", IGD_DOMXML_ALIAS);
    }

    if (opts->romfile) {
        rom = ensure_child(hostdev, "rom");
        set_prop(rom, "file", opts->romfile);
    }
    return hostdev;
}

static const char *
hostdev_alias(xmlNode *hostdev)
{
    xmlNode *alias = igd_xml_child(hostdev, "alias");
    xmlAttr *a = alias ? xmlHasProp(alias, (const xmlChar *)"name") : NULL;

    return a && a->children ? (const char *)a->children->content : IGD_DOMXML_ALIAS;
}

/* Legacy requirements of the host and QEMU (the domain's are fixed by the rewrite): the rules shared
 * with `inspect` (igd-facts.c), given this domain's machine type and firmware. */
static gboolean
legacy_host_ok(const IgdDomain *dom, const IgdDomXmlOptions *opts, GPtrArray *fails, GPtrArray *oks)
{
    const IgdHostFacts *f = opts->facts;

    return igd_host_facts_legacy_eligible(f, dom->machine, dom->firmware == IGD_FIRMWARE_OVMF,
                                          opts->romfile != NULL && f != NULL && !f->rom_is_romfile, fails, oks);
}

/* The x-igd-gms value the installed QEMU needs for this IGD (@f: facts of this very device, or
 * NULL), -1 for none, -2 when unknown. */
static gint
legacy_gms(const IgdDomain *dom, const IgdHostFacts *f)
{
    IgdQemuIgdModel m = { 0 };
    gint ret = -2;

    if (f == NULL || !f->present || f->qemu == NULL || f->platform == NULL || !f->gmch_valid)
        return -2;
    if (igd_qemu_model_igd(f->qemu, f->device_id, f->platform, &f->gmch, -1, dom->machine, &m, NULL))
        ret = m.x_igd_gms_needed;
    igd_qemu_igd_model_clear(&m);
    return ret;
}

gboolean
igd_domxml_rewrite(const char *xml, gsize len, const IgdDomXmlOptions *opts, char **out, gsize *out_len,
                   IgdDomXmlReport *report, GError **error)
{
    g_autoptr(IgdXmlDoc) doc = NULL;
    g_auto(IgdDomain) dom = { 0 };
    IgdPciAddress host;
    IgdDomXmlMode mode = opts->mode;
    xmlNode *hostdev;
    gboolean created = FALSE;
    char hostname[13];
    const IgdHostFacts *f = opts->facts;

    doc = igd_domxml_parse(xml, len, error);
    if (doc == NULL)
        return FALSE;
    igd_domain_scan(&dom, doc, opts->host_set ? &opts->host : NULL, &host);
    if (!opts->host_set && dom.meta == NULL && f && f->present) {
        igd_domain_clear(&dom);
        igd_domain_scan(&dom, doc, &f->addr, &host);
    }
    igd_pci_address_format(&host, hostname);

    if (!dom.x86) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED, "%s: IGD assignment needs an x86 QEMU/KVM domain",
                    dom.not_x86_reason);
        return FALSE;
    }
    if (dom.machine_kind == IGD_MACHINE_OTHER) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                    "machine type '%s' is not a PCI PC machine: IGD assignment needs i440fx ('pc') or q35",
                    dom.machine);
        return FALSE;
    }
    if (dom.igd_hostdevs->len > 1) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%u hostdevs name the IGD %s, exactly one is allowed",
                    dom.igd_hostdevs->len, hostname);
        return FALSE;
    }
    if (f && f->present && !igd_pci_address_equal(&f->addr, &host))
        f = NULL; /* facts of another device */

    /* the mode */
    if (mode == IGD_DOMXML_MODE_AUTO) {
        g_autoptr(GPtrArray) fails = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) oks = g_ptr_array_new_with_free_func(g_free);
        IgdDomXmlOptions o = *opts;

        if (f == NULL || !f->present) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED,
                        "auto mode needs the host's IGD, and no Intel display device was found at %s", hostname);
            return FALSE;
        }
        o.facts = f;
        if (dom.machine_kind == IGD_MACHINE_I440FX)
            report_add(oks, "machine '%s' is i440fx, so 1f.0 is free for QEMU's LPC bridge",
                       dom.machine ? dom.machine : "pc");
        else
            report_add(fails, "machine '%s' is not i440fx (%s)", dom.machine,
                       dom.machine_kind == IGD_MACHINE_Q35 ? "q35 has its own LPC bridge at 1f.0"
                                                           : "legacy mode needs i440fx's host bridge and a free 1f.0");
        legacy_host_ok(&dom, &o, fails, oks);
        if (fails->len == 0) {
            mode = IGD_DOMXML_MODE_LEGACY;
            for (guint i = 0; i < oks->len; i++)
                report_add(report->reasons, "%s", (const char *)oks->pdata[i]);
        } else {
            mode = IGD_DOMXML_MODE_UPT;
            for (guint i = 0; i < fails->len; i++)
                report_add(report->reasons, "%s", (const char *)fails->pdata[i]);
        }
    } else if (mode == IGD_DOMXML_MODE_LEGACY) {
        g_autoptr(GPtrArray) fails = g_ptr_array_new_with_free_func(g_free);
        IgdDomXmlOptions o = *opts;

        if (dom.machine_kind == IGD_MACHINE_Q35) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                        "legacy mode needs an i440fx machine and the domain uses '%s' (1f.0 is taken on q35)",
                        dom.machine);
            return FALSE;
        }
        o.facts = f;
        if (!legacy_host_ok(&dom, &o, fails, NULL)) {
            g_autofree char *why = NULL;
            g_ptr_array_add(fails, NULL);
            why = g_strjoinv("; ", (char **)fails->pdata);
            g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED, "legacy mode is impossible on this host: %s", why);
            return FALSE;
        }
        if (dom.firmware == IGD_FIRMWARE_OVMF)
            report_add(report->warnings,
                       "the domain boots OVMF: legacy mode needs an OVMF with IgdAssignmentDxe and a ROM with an EFI GOP");
    }
    if (f == NULL || !f->present)
        report_add(report->warnings, "no Intel IGD at %s on this host: %s", hostname,
                   mode == IGD_DOMXML_MODE_LEGACY ? "x-igd-gms (stolen memory) is not tailored"
                                                  : "the IGD's generation is not checked");

    if (dom.devices == NULL) {
        dom.devices = new_element("devices");
        insert_child(dom.root, dom.devices, NULL);
    }
    hostdev = igd_hostdev_prepare(&dom, opts, &host, &created);

    if (mode == IGD_DOMXML_MODE_LEGACY) {
        xmlNode *rom = igd_xml_child(hostdev, "rom");
        IgdPciAddress at02 = { 0, 0, 2, 0 };
        gint gms;

        if (rom) {
            if (igd_xml_prop_eq(rom, "bar", "off"))
                unset_prop(rom, "bar");
            if (igd_xml_prop_eq(rom, "enabled", "no"))
                unset_prop(rom, "enabled");
            if (rom->properties == NULL)
                remove_node(rom);
        }
        set_pci_address(ensure_child(hostdev, "address"), &at02, TRUE);
        legacy_free_slots(&dom, hostdev);
        legacy_displays(&dom);
        legacy_relieve_root_bus(&dom, report->warnings);

        gms = legacy_gms(&dom, f);
        if (gms >= 0) {
            g_autofree char *v = g_strdup_printf("%d", gms);
            override_set(dom.root, hostdev_alias(hostdev), "x-igd-gms", "unsigned", v);
            report_add(report->reasons, "x-igd-gms=%d so the guest gets the host's stolen memory", gms);
        } else if (gms == -1) {
            override_remove(dom.root, hostdev_alias(hostdev), "x-igd-gms");
        }
    } else {
        xmlNode *addr = igd_xml_device_address(hostdev);
        IgdPciAddress a;

        if (addr == NULL || !igd_xml_parse_pci_address(addr, &a) || root_slot(&a, 2)) {
            guint slot;
            if (dom.machine_kind == IGD_MACHINE_I440FX && upt_free_slot(&dom, hostdev, &slot)) {
                IgdPciAddress to = { 0, 0, slot, 0 };
                set_pci_address(ensure_child(hostdev, "address"), &to, TRUE);
            } else if (addr) {
                /* q35: libvirt puts the hostdev behind a pcie-root-port */
                remove_node(addr);
            }
        }
        upt_video(&dom);
        if (f && f->present) {
            g_autoptr(GPtrArray) fails = g_ptr_array_new_with_free_func(g_free);
            if (!igd_host_facts_upt_eligible(f, fails))
                for (guint i = 0; i < fails->len; i++)
                    report_add(report->warnings, "%s", (const char *)fails->pdata[i]);
        }
    }
    if (opts->opregion)
        override_set(dom.root, hostdev_alias(hostdev), "x-igd-opregion", "bool", "true");
    hostdev_normalize_layout(hostdev);
    ensure_metadata(&dom, igd_domxml_mode_to_string(mode), &host, opts->original ? opts->original : xml,
                    opts->original ? opts->original_len : len);

    *out = serialize(doc, xml, len, out_len);
    report->mode = mode;
    report->host = host;
    report->changed = *out_len != len || memcmp(*out, xml, len) != 0;
    return TRUE;
}
