/*
 * igd-xml.c: safe parsing, small readers, layout-keeping edits and the
 * serialisation of a domain document (see igd-xml.h).
 */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/xmlsave.h>
#include <string.h>

#include "igd-common.h"
#include "igd-domain.h"
#include "igd-xml.h"

void
igd_xml_doc_free(IgdXmlDoc *doc)
{
    xmlFreeDoc(doc);
}

gboolean
igd_xml_is(const xmlNode *node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE && node->ns == NULL &&
           strcmp((const char *)node->name, name) == 0;
}

xmlNode *
igd_xml_child(const xmlNode *parent, const char *name)
{
    if (parent == NULL)
        return NULL;
    for (xmlNode *c = parent->children; c; c = c->next)
        if (igd_xml_is(c, name))
            return c;
    return NULL;
}

char *
igd_xml_prop(const xmlNode *node, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *ret;

    if (v == NULL)
        return NULL;
    ret = g_strdup((const char *)v);
    xmlFree(v);
    return ret;
}

gboolean
igd_xml_prop_eq(const xmlNode *node, const char *name, const char *value)
{
    g_autofree char *v = igd_xml_prop(node, name);

    return v != NULL && g_str_equal(v, value);
}

/* libvirt reads PCI address fields with base 0 (virStrToLong_uip(..., 0, ...)). */
static gboolean
parse_field(const xmlNode *node, const char *name, guint max, guint *out)
{
    g_autofree char *v = igd_xml_prop(node, name);
    guint64 n;
    char *end = NULL;

    if (v == NULL) {
        *out = 0; /* libvirt: a missing field is 0 */
        return TRUE;
    }
    if (v[0] == '\0' || v[0] == '-' || v[0] == '+' || g_ascii_isspace(v[0]))
        return FALSE;
    n = g_ascii_strtoull(v, &end, 0);
    if (end == v || *end != '\0' || n > max)
        return FALSE;
    *out = (guint)n;
    return TRUE;
}

gboolean
igd_xml_parse_pci_address(const xmlNode *address, IgdPciAddress *addr)
{
    guint d, b, s, f;

    if (address == NULL)
        return FALSE;
    if (!parse_field(address, "domain", 0xffff, &d) || !parse_field(address, "bus", 0xff, &b) ||
        !parse_field(address, "slot", 0x1f, &s) || !parse_field(address, "function", 7, &f))
        return FALSE;
    addr->domain = d;
    addr->bus = b;
    addr->slot = s;
    addr->function = f;
    return TRUE;
}

xmlNode *
igd_xml_device_address(const xmlNode *device)
{
    /* libvirt reads the first <address> child ("./address") and ignores any other */
    xmlNode *first = igd_xml_child(device, "address");

    return first && igd_xml_prop_eq(first, "type", "pci") ? first : NULL;
}



static void
silent_error(void *ctx, const char *msg, ...)
{
}

/* What the parser's structured errors tell: the first namespace error (line and message). */
typedef struct {
    int ns_line;
    char *ns_message;
} ParseErrors;

static void
structured_error(void *data, xmlErrorPtr e)
{
    xmlParserCtxt *ctxt = data;
    ParseErrors *pe = ctxt ? ctxt->_private : NULL;

    if (pe && e && e->domain == XML_FROM_NAMESPACE && e->level >= XML_ERR_ERROR && pe->ns_message == NULL) {
        pe->ns_line = e->line;
        pe->ns_message = g_strchomp(g_strdup(e->message ? e->message : "namespace error"));
    }
}

/*
 * A NUL byte: libxml2 reads one as the end of its input and ignores
 * whatever follows (the root's end may come before it, so a document
 * with NULs and anything after them would pass), and libvirt reads a
 * definition as a C string. UTF-16 and UTF-32, where every other byte of
 * ASCII text is NUL, are named: libvirt cannot read them either.
 */
static gboolean
check_no_nul(const char *xml, gsize len, GError **error)
{
    const char *nul = memchr(xml, '\0', len);
    const guchar *u = (const guchar *)xml;

    if (nul == NULL)
        return TRUE;
    if ((len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff))) ||
        (len >= 2 && ((u[0] == '<' && u[1] == 0) || (u[0] == 0 && u[1] == '<'))) ||
        (len >= 4 && u[0] == 0 && u[1] == 0 && ((u[2] == 0xfe && u[3] == 0xff) || u[3] == '<')))
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INVALID,
                            "domain XML is in UTF-16 or UTF-32, which libvirt does not read (it reads UTF-8)");
    else
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "domain XML has a NUL byte at offset %" G_GSIZE_FORMAT
                    " (a definition is text: libvirt would read it only up to there)",
                    (gsize)(nul - xml));
    return FALSE;
}

/* Bytes [@p, @end) start with @s. */
static gboolean
starts_with(const char *p, const char *end, const char *s)
{
    gsize n = strlen(s);

    return (gsize)(end - p) >= n && memcmp(p, s, n) == 0;
}

/* Just past the first @s in [@p, @end), @end when none (memchr over the bytes: linear). */
static const char *
skip_past(const char *p, const char *end, const char *s)
{
    gsize n = strlen(s);
    const char *q;

    while (p < end && (q = memchr(p, s[0], end - p)) != NULL) {
        if ((gsize)(end - q) >= n && memcmp(q, s, n) == 0)
            return q + n;
        p = q + 1;
    }
    return end;
}

static guint
line_of(const char *xml, const char *at)
{
    guint line = 1;

    for (const char *p = xml; (p = memchr(p, '\n', at - p)) != NULL; p++)
        line++;
    return line;
}

/*
 * Encodings whose bytes below 0x80 are always the ASCII characters, so
 * that the scan below sees the markup libxml2 sees. Any other (UTF-7,
 * ISO-2022-*, EBCDIC, ...) could hide tags and attributes from it. libvirt
 * itself writes UTF-8, without a declaration.
 */
static gboolean
encoding_is_read(const char *name)
{
    static const char *const exact[] = { "UTF-8", "UTF8", "US-ASCII", "ASCII", NULL };
    static const char *const prefixes[] = { "ISO-8859-", "ISO8859-", "ISO_8859-", "LATIN", "WINDOWS-125", "CP125",
                                            "KOI8-", NULL };

    for (guint i = 0; exact[i]; i++)
        if (g_ascii_strcasecmp(name, exact[i]) == 0)
            return TRUE;
    for (guint i = 0; prefixes[i]; i++)
        if (g_ascii_strncasecmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return TRUE;
    return FALSE;
}

/*
 * Where the XML declaration of @xml starts ("<?xml" and white space, after
 * a byte order mark), NULL when there is none: "<?xmlfoo ...?>" is a
 * processing instruction, not a declaration. The declaration ends within
 * its first 1024 bytes (*@end: that bound).
 */
static const char *
declaration(const char *xml, gsize len, const char **end)
{
    const char *p = xml;

    *end = xml + MIN(len, 1024);
    if (starts_with(p, *end, "\xef\xbb\xbf"))
        p += 3;
    if (!starts_with(p, *end, "<?xml") || p + 5 >= *end || !g_ascii_isspace(p[5]))
        return NULL;
    return p;
}

/* The encoding named by the XML declaration, if the document has one libxml2 would honour (g_free). */
static char *
declared_encoding(const char *xml, gsize len)
{
    const char *end, *p = declaration(xml, len, &end), *decl_end, *q;

    if (p == NULL)
        return NULL;
    decl_end = skip_past(p, end, "?>");
    q = skip_past(p, decl_end, "encoding");
    if (q == decl_end)
        return NULL;
    while (q < decl_end && g_ascii_isspace(*q))
        q++;
    if (q >= decl_end || *q++ != '=')
        return NULL;
    while (q < decl_end && g_ascii_isspace(*q))
        q++;
    if (q < decl_end && (*q == '"' || *q == '\'')) {
        const char *close = memchr(q + 1, *q, decl_end - q - 1);
        if (close)
            return g_strndup(q + 1, close - q - 1);
    }
    return NULL;
}

/*
 * What libxml2 2.9 cannot parse in linear time, refused before it parses:
 * its check for duplicate attributes compares every attribute of a start
 * tag with every other (10,000 attributes on one element: 0.11 s, 20,000:
 * 0.46 s with Debian 12's xmllint), and it looks every prefix (and the
 * default namespace, for every element) up in the list of namespace
 * declarations in scope. One pass over the bytes counts the attributes of
 * each start tag (the '=' outside quotes; namespace declarations are
 * attributes too) and the namespace declarations of the document, skipping
 * comments, CDATA sections and PIs as the parser does; a DOCTYPE is refused
 * here too (it would be after parsing). A document the scan misreads is
 * one libxml2 refuses as not well-formed.
 */
static gboolean
check_bounds(const char *xml, gsize len, GError **error)
{
    const char *p = xml, *end = xml + len;
    const guchar *u = (const guchar *)xml;
    g_autofree char *encoding = declared_encoding(xml, len);
    guint namespaces = 0;

    if (len >= 4 && u[0] == 0x4c && u[1] == 0x6f && u[2] == 0xa7 && u[3] == 0x94) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INVALID,
                            "domain XML is in EBCDIC, which libvirt does not read (it reads UTF-8)");
        return FALSE;
    }
    if (encoding && !encoding_is_read(encoding)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "domain XML declares the encoding '%s', which igd-assign does not read (it reads UTF-8, ASCII, "
                    "ISO-8859-*, windows-125* and KOI8-*; libvirt writes UTF-8)",
                    encoding);
        return FALSE;
    }
    while (p < end && (p = memchr(p, '<', end - p)) != NULL) {
        const char *tag = p++;
        const char *tok = NULL, *tok_end = NULL;
        gboolean in_tok = FALSE;
        guint attributes = 0;

        if (starts_with(p, end, "!--")) {
            p = skip_past(p + 3, end, "-->");
            continue;
        }
        if (starts_with(p, end, "![CDATA[")) {
            p = skip_past(p + 8, end, "]]>");
            continue;
        }
        if (starts_with(p, end, "!DOCTYPE")) {
            g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INVALID,
                                "domain XML has a DOCTYPE (DTDs and entity declarations are refused)");
            return FALSE;
        }
        if (starts_with(p, end, "?")) {
            p = skip_past(p + 1, end, "?>");
            continue;
        }
        if (starts_with(p, end, "!") || starts_with(p, end, "/"))
            continue; /* an end tag has no attributes; "<!" else is an error of libxml2's */
        /* a start tag, up to the '>' outside quotes */
        while (p < end && *p != '>') {
            if (*p == '"' || *p == '\'') {
                const char *close = memchr(p + 1, *p, end - p - 1);
                p = close ? close + 1 : end;
                in_tok = FALSE;
                continue;
            }
            if (*p == '=') {
                if (++attributes > IGD_XML_MAX_ATTRIBUTES) {
                    g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                                "domain XML has an element with more than %u attributes, at line %u: the bound "
                                "igd-assign reads (libxml2's cost grows with the square of that number; libvirt's "
                                "own elements have fewer than 10)",
                                IGD_XML_MAX_ATTRIBUTES, line_of(xml, tag));
                    return FALSE;
                }
                if (tok && ((tok_end - tok == 5 && memcmp(tok, "xmlns", 5) == 0) ||
                            (tok_end - tok > 6 && memcmp(tok, "xmlns:", 6) == 0)) &&
                    ++namespaces > IGD_XML_MAX_NAMESPACES) {
                    g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                                "domain XML has more than %u namespace declarations, the bound igd-assign reads "
                                "(libxml2 looks prefixes up in the list of those in scope; at line %u)",
                                IGD_XML_MAX_NAMESPACES, line_of(xml, tag));
                    return FALSE;
                }
                tok = NULL;
                in_tok = FALSE;
            } else if (g_ascii_isspace(*p) || *p == '/') {
                in_tok = FALSE;
            } else {
                if (!in_tok)
                    tok = p;
                in_tok = TRUE;
                tok_end = p + 1;
            }
            p++;
        }
    }
    return TRUE;
}

static void
set_too_large(GError **error, gsize len)
{
    if (len > IGD_XML_MAX_SIZE_SET_UP)
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "domain XML is %" G_GSIZE_FORMAT " bytes, larger than the limit of %u bytes", len,
                    IGD_XML_MAX_SIZE_SET_UP);
    else
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "domain XML is %" G_GSIZE_FORMAT " bytes, larger than the limit of %u bytes (%u for a domain "
                    "igd-assign set up, which keeps the original definition in its <igd:assign> metadata)",
                    len, IGD_XML_MAX_SIZE, IGD_XML_MAX_SIZE_SET_UP);
}

/* The bytes name igd-assign's namespace: a document over IGD_XML_MAX_SIZE without them is refused unparsed. */
static gboolean
mentions_igd_ns(const char *xml, gsize len)
{
    return memmem(xml, len, IGD_DOMAIN_NS, strlen(IGD_DOMAIN_NS)) != NULL;
}

/* <domain><metadata><igd:assign> in igd-assign's namespace (as igd_domain_read() finds it). */
static gboolean
has_igd_metadata(const xmlNode *root)
{
    xmlNode *metadata = igd_xml_child(root, "metadata");

    for (xmlNode *c = metadata ? metadata->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href &&
            g_str_equal((const char *)c->ns->href, IGD_DOMAIN_NS) && g_str_equal((const char *)c->name, "assign"))
            return TRUE;
    return FALSE;
}

IgdXmlDoc *
igd_xml_parse_domain(const char *xml, gsize len, GError **error)
{
    xmlParserCtxt *ctxt;
    xmlDoc *doc;
    xmlNode *root;
    ParseErrors pe = { 0 };
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

    if (len > IGD_XML_MAX_SIZE_SET_UP || (len > IGD_XML_MAX_SIZE && !mentions_igd_ns(xml, len))) {
        set_too_large(error, len);
        return NULL;
    }
    if (len == 0) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INVALID, "domain XML is empty");
        return NULL;
    }
    if (!check_no_nul(xml, len, error) || !check_bounds(xml, len, error))
        return NULL;
    ctxt = xmlNewParserCtxt();
    if (ctxt == NULL) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INTERNAL, "cannot create an XML parser");
        return NULL;
    }
    xmlSetGenericErrorFunc(NULL, silent_error);
    ctxt->_private = &pe;
    ctxt->sax->serror = structured_error;
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
        g_free(pe.ns_message);
        return NULL;
    }
    /*
     * Namespace errors (an unbound prefix, an empty or invalid namespace
     * name, an attribute twice in one namespace) do not stop libxml2, and
     * libvirt ignores what they touch; but an element with an unbound
     * prefix would be bound by any declaration the rewrite adds (<qemu:...>
     * becoming libvirt's QEMU namespace): the output would mean more than
     * the input. Refused like malformed XML.
     */
    if (!ctxt->nsWellFormed) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "domain XML is not namespace-well-formed: line %d: %s",
                    pe.ns_message ? pe.ns_line : 0, pe.ns_message ? pe.ns_message : "namespace error");
        xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        g_free(pe.ns_message);
        return NULL;
    }
    /* no NUL (check_no_nul): libxml2 read every byte, and refused anything after the root but white
     * space, comments and PIs ("Extra content at the end of the document") */
    xmlFreeParserCtxt(ctxt);
    g_free(pe.ns_message);
    if (doc->intSubset || doc->extSubset) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INVALID,
                            "domain XML has a DOCTYPE (DTDs and entity declarations are refused)");
        xmlFreeDoc(doc);
        return NULL;
    }
    root = xmlDocGetRootElement(doc);
    if (len > IGD_XML_MAX_SIZE && !has_igd_metadata(root)) {
        set_too_large(error, len);
        xmlFreeDoc(doc);
        return NULL;
    }
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

/*
 * Whether a text node is blank is remembered in its _private pointer
 * (libxml2 leaves that to the application), so that no text is scanned
 * twice: removing many devices that follow one long text node asked about
 * the same text for each of them. It stays true because the engine only
 * ever adds or replaces white space in a text node (indentation; libxml2
 * merges a new text node into a neighbour's content), never other text.
 */
static const char blank_yes = 'y', blank_no = 'n';

gboolean
igd_xml_is_blank(const xmlNode *n)
{
    xmlNode *t = (xmlNode *)n;

    if (n == NULL || n->type != XML_TEXT_NODE)
        return FALSE;
    if (t->_private == &blank_yes || t->_private == &blank_no)
        return t->_private == &blank_yes;
    t->_private = (void *)&blank_yes;
    for (const xmlChar *p = n->content; p && *p; p++) {
        if (!g_ascii_isspace(*p)) {
            t->_private = (void *)&blank_no;
            break;
        }
    }
    return t->_private == &blank_yes;
}

/*
 * The indentation of @node: the white space between the last newline of
 * the text before it and @node, or NULL when @node does not start a line.
 * Text before that newline does not matter (";\n    <hostdev>" is
 * indented by four spaces), so a node formatted once is read back with
 * the indentation it was given.
 */
char *
igd_xml_indent(const xmlNode *node)
{
    const xmlNode *prev = node->prev;
    const char *c;
    gsize n;

    if (prev == NULL || prev->type != XML_TEXT_NODE || prev->content == NULL)
        return NULL;
    c = (const char *)prev->content;
    n = strlen(c);
    while (n > 0 && c[n - 1] != '\n') {
        if (!g_ascii_isspace(c[n - 1]))
            return NULL;
        n--;
    }
    if (n == 0)
        return NULL;
    return g_strdup(c + n);
}

/* Indentation for children of @parent, NULL when the document is written without any. */
static char *
child_indent(const xmlNode *parent)
{
    g_autofree char *pi = NULL;

    for (const xmlNode *c = parent->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE || c->type == XML_COMMENT_NODE) {
            char *ind = igd_xml_indent(c);
            if (ind)
                return ind;
            return NULL; /* children without indentation */
        }
    }
    pi = igd_xml_indent(parent);
    if (pi == NULL && parent->parent && parent->parent->type != XML_DOCUMENT_NODE)
        return NULL;
    return g_strconcat(pi ? pi : "", "  ", NULL);
}

static void
add_text_before(xmlNode *before, const char *text)
{
    xmlAddPrevSibling(before, xmlNewText((const xmlChar *)text));
}

/* Make the white space at the end of text node @t exactly @ws; the text before it stays. */
static void
set_trailing_space(xmlNode *t, const char *ws)
{
    const char *c = t->content ? (const char *)t->content : "";
    gsize n = strlen(c);
    g_autofree char *v = NULL;

    while (n > 0 && g_ascii_isspace(c[n - 1]))
        n--;
    v = g_strdup_printf("%.*s%s", (int)n, c, ws);
    if (!g_str_equal(v, c))
        xmlNodeSetContent(t, (const xmlChar *)v);
}

/*
 * Indent the subtree @node that sits at @indent: a new line and the
 * indentation in front of every element and comment child and before the
 * end tag. Where a text node already stands there, its trailing white
 * space becomes that (so formatting twice gives the same bytes: text kept
 * inside, e.g. in a hostdev's <source>, gains nothing).
 */
void
igd_xml_format_tree(xmlNode *node, const char *indent)
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
        if (c->prev && c->prev->type == XML_TEXT_NODE)
            set_trailing_space(c->prev, nl_inner);
        else
            add_text_before(c, nl_inner);
        if (c->type == XML_ELEMENT_NODE)
            igd_xml_format_tree(c, inner);
        any = TRUE;
    }
    if (any && node->last->type == XML_TEXT_NODE)
        set_trailing_space(node->last, nl_outer);
    else if (any)
        xmlAddChild(node, xmlNewText((const xmlChar *)nl_outer));
}

/*
 * Insert the new element @child into @parent before @before (NULL: at the
 * end), indented like its siblings, and indent its subtree.
 */
void
igd_xml_insert(xmlNode *parent, xmlNode *child, xmlNode *before)
{
    g_autofree char *indent = child_indent(parent);
    g_autofree char *nl = indent ? g_strconcat("\n", indent, NULL) : NULL;

    if (before) {
        xmlAddPrevSibling(before, child);
        if (nl)
            xmlAddNextSibling(child, xmlNewText((const xmlChar *)nl));
    } else if (parent->children == NULL) {
        g_autofree char *pi = igd_xml_indent(parent);
        xmlAddChild(parent, child);
        if (nl) {
            g_autofree char *close = g_strconcat("\n", pi ? pi : "", NULL);
            add_text_before(child, nl);
            xmlAddChild(parent, xmlNewText((const xmlChar *)close));
        }
    } else if (igd_xml_is_blank(parent->last) && nl) {
        xmlNode *tail = parent->last;
        xmlAddPrevSibling(tail, child);
        add_text_before(child, nl);
    } else {
        if (nl)
            xmlAddChild(parent, xmlNewText((const xmlChar *)nl));
        xmlAddChild(parent, child);
    }
    igd_xml_format_tree(child, indent);
}

/* Remove @node and the indentation in front of it. */
void
igd_xml_remove(xmlNode *node)
{
    xmlNode *parent;

    if (igd_xml_is_blank(node->prev)) {
        xmlNode *ws = node->prev;
        xmlUnlinkNode(ws);
        xmlFreeNode(ws);
    }
    parent = node->parent;
    xmlUnlinkNode(node);
    xmlFreeNode(node);
    /*
     * A parent left with nothing but indentation becomes empty (<x/>).
     * Removing a node and the blank text before it leaves at most one
     * blank text where it was; only the parent's first two children are
     * looked at (a scan of all of them, for every device removed, was
     * quadratic).
     */
    if (parent && parent->children && igd_xml_is_blank(parent->children) &&
        (parent->children->next == NULL ||
         (parent->children->next->next == NULL && igd_xml_is_blank(parent->children->next)))) {
        while (parent->children) {
            xmlNode *c = parent->children;
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
}

/* Set an attribute only when it differs, so unchanged attributes keep their place. */
void
igd_xml_set(xmlNode *node, const char *name, const char *value)
{
    if (!igd_xml_prop_eq(node, name, value))
        xmlSetProp(node, (const xmlChar *)name, (const xmlChar *)value);
}

void
igd_xml_unset(xmlNode *node, const char *name)
{
    xmlAttr *a = xmlHasProp(node, (const xmlChar *)name);

    if (a)
        xmlRemoveProp(a);
}

xmlNode *
igd_xml_new(const char *name)
{
    return xmlNewNode(NULL, (const xmlChar *)name);
}

/* ---- serialisation ---- */

static int
write_to_gstring(void *context, const char *buffer, int len)
{
    g_string_append_len(context, buffer, len);
    return len;
}

/*
 * libxml2 writes through its output buffer (flushed every 4 KB) straight
 * into @out, a GString that doubles: linear. (xmlSaveToBuffer() wrote into
 * an xmlBuffer, whose default allocation scheme grows it to the exact size
 * on every flush: a copy of everything so far each time.)
 */
char *
igd_xml_serialize(xmlDoc *doc, const char *input, gsize input_len, gsize *out_len)
{
    GString *out = g_string_sized_new(input_len + 1024);
    xmlSaveCtxt *save = xmlSaveToIO(write_to_gstring, NULL, out, "UTF-8", XML_SAVE_NO_DECL | XML_SAVE_AS_XML);
    gboolean first = TRUE;
    const char *limit, *start = declaration(input, input_len, &limit);

    /*
     * An XML declaration in the input is kept as it was, except that the
     * output is always UTF-8 (what libvirt writes): another declared
     * encoding is replaced. A processing instruction before the root
     * ("<?xml-stylesheet ...?>") is a node, written with the others.
     */
    if (start != NULL) {
        const char *end = g_strstr_len(start, limit - start, "?>");
        if (end) {
            g_autofree char *decl = g_strndup(start, end + 2 - start);
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
    }
    xmlSaveClose(save);
    if (input_len > 0 && input[input_len - 1] == '\n')
        g_string_append_c(out, '\n');
    *out_len = out->len;
    return g_string_free(out, FALSE);
}

void
igd_xml_set_pci_address(xmlNode *address, const IgdPciAddress *a, gboolean guest)
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
        igd_xml_set(address, "type", "pci");
    igd_xml_set(address, "domain", d);
    igd_xml_set(address, "bus", b);
    igd_xml_set(address, "slot", s);
    igd_xml_set(address, "function", f);
    if (guest)
        igd_xml_unset(address, "multifunction");
}

xmlNode *
igd_xml_ensure_child(xmlNode *parent, const char *name)
{
    xmlNode *c = igd_xml_child(parent, name);

    if (c == NULL) {
        c = igd_xml_new(name);
        xmlAddChild(parent, c);
    }
    return c;
}

/* ---- <qemu:override> ---- */

static xmlNs *
qemu_ns(xmlNode *root, gboolean create)
{
    for (xmlNs *ns = root->nsDef; ns; ns = ns->next)
        if (ns->href && g_str_equal((const char *)ns->href, IGD_XML_QEMU_NS))
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
            return xmlNewNs(root, (const xmlChar *)IGD_XML_QEMU_NS, (const xmlChar *)prefix);
    }
}

static gboolean
is_qemu(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           g_str_equal((const char *)n->ns->href, IGD_XML_QEMU_NS) && g_str_equal((const char *)n->name, name);
}

static xmlNode *
qemu_child(xmlNode *parent, const char *name, const char *attr, const char *value)
{
    for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
        if (is_qemu(c, name) && (attr == NULL || igd_xml_prop_eq(c, attr, value)))
            return c;
    return NULL;
}

/*
 * Every <qemu:property name=@prop> of device @alias, in document order:
 * libvirt applies every <qemu:override>, every <qemu:device> of the alias
 * and every <qemu:frontend> in that order, a later property replacing an
 * earlier one (libvirt 9.0, domxml-to-native: the last one is what QEMU
 * gets). One walk over the root's children and the override subtrees.
 */
static GPtrArray *
override_find_all(xmlNode *root, const char *alias, const char *prop)
{
    GPtrArray *found = g_ptr_array_new();

    for (xmlNode *ov = root->children; ov; ov = ov->next) {
        if (!is_qemu(ov, "override"))
            continue;
        for (xmlNode *dev = ov->children; dev; dev = dev->next) {
            if (!is_qemu(dev, "device") || !igd_xml_prop_eq(dev, "alias", alias))
                continue;
            for (xmlNode *fe = dev->children; fe; fe = fe->next) {
                if (!is_qemu(fe, "frontend"))
                    continue;
                for (xmlNode *p = fe->children; p; p = p->next)
                    if (is_qemu(p, "property") && igd_xml_prop_eq(p, "name", prop))
                        g_ptr_array_add(found, p);
            }
        }
    }
    return found;
}

/* The property libvirt gives QEMU: the last of them. */
xmlNode *
igd_xml_override_find(xmlNode *root, const char *alias, const char *prop)
{
    g_autoptr(GPtrArray) found = override_find_all(root, alias, prop);

    return found->len ? found->pdata[found->len - 1] : NULL;
}

void
igd_xml_override_set(xmlNode *root, const char *alias, const char *prop, const char *type, const char *value)
{
    xmlNs *ns;
    xmlNode *ov, *dev, *fe, *p;

    g_autoptr(GPtrArray) found = override_find_all(root, alias, prop);

    /* every occurrence says the value, so whichever libvirt takes is it */
    if (found->len) {
        for (guint i = 0; i < found->len; i++) {
            igd_xml_set(found->pdata[i], "type", type);
            igd_xml_set(found->pdata[i], "value", value);
        }
        return;
    }
    ns = qemu_ns(root, TRUE);
    ov = qemu_child(root, "override", NULL, NULL);
    if (ov == NULL) {
        ov = xmlNewNode(ns, (const xmlChar *)"override");
        igd_xml_insert(root, ov, NULL);
    }
    dev = qemu_child(ov, "device", "alias", alias);
    if (dev == NULL) {
        dev = xmlNewNode(ns, (const xmlChar *)"device");
        xmlSetProp(dev, (const xmlChar *)"alias", (const xmlChar *)alias);
        igd_xml_insert(ov, dev, NULL);
    }
    fe = qemu_child(dev, "frontend", NULL, NULL);
    if (fe == NULL) {
        fe = xmlNewNode(ns, (const xmlChar *)"frontend");
        igd_xml_insert(dev, fe, NULL);
    }
    p = xmlNewNode(ns, (const xmlChar *)"property");
    xmlSetProp(p, (const xmlChar *)"name", (const xmlChar *)prop);
    xmlSetProp(p, (const xmlChar *)"type", (const xmlChar *)type);
    xmlSetProp(p, (const xmlChar *)"value", (const xmlChar *)value);
    igd_xml_insert(fe, p, NULL);
}

/* The distinct parents of @nodes (in document order: a parent's children are adjacent in it). */
static GPtrArray *
parents_of(GPtrArray *nodes)
{
    GPtrArray *parents = g_ptr_array_new();

    for (guint i = 0; i < nodes->len; i++) {
        xmlNode *parent = ((xmlNode *)nodes->pdata[i])->parent;
        if (parents->len == 0 || parents->pdata[parents->len - 1] != parent)
            g_ptr_array_add(parents, parent);
    }
    return parents;
}

/* The containers of @containers left without a qemu:@what child. */
static GPtrArray *
prune(GPtrArray *containers, const char *what)
{
    GPtrArray *removed = g_ptr_array_new();

    for (guint i = 0; i < containers->len; i++) {
        xmlNode *c = containers->pdata[i];
        if (qemu_child(c, what, NULL, NULL) == NULL)
            g_ptr_array_add(removed, c);
    }
    return removed;
}

/*
 * Remove every property @prop of @alias, then the frontends, devices and
 * overrides left empty. Each container is looked at once, after all the
 * removals below it (linear however many there are).
 */
void
igd_xml_override_remove(xmlNode *root, const char *alias, const char *prop)
{
    g_autoptr(GPtrArray) props = override_find_all(root, alias, prop);
    g_autoptr(GPtrArray) fes = parents_of(props);
    g_autoptr(GPtrArray) empty_fes = NULL, devs = NULL, empty_devs = NULL, ovs = NULL, empty_ovs = NULL;

    for (guint i = 0; i < props->len; i++)
        igd_xml_remove(props->pdata[i]);
    empty_fes = prune(fes, "property");
    devs = parents_of(empty_fes);
    for (guint i = 0; i < empty_fes->len; i++)
        igd_xml_remove(empty_fes->pdata[i]);
    empty_devs = prune(devs, "frontend");
    ovs = parents_of(empty_devs);
    for (guint i = 0; i < empty_devs->len; i++)
        igd_xml_remove(empty_devs->pdata[i]);
    empty_ovs = prune(ovs, "device");
    for (guint i = 0; i < empty_ovs->len; i++)
        igd_xml_remove(empty_ovs->pdata[i]);
}


/* ---- <qemu:commandline> -global options ---- */

/* "<driver>.<prop>=" of one of @drivers at the start of @arg: the value after it, else NULL. */
static const char *
global_value(const char *arg, const char *const *drivers, const char *prop)
{
    for (guint i = 0; arg && drivers[i]; i++) {
        gsize dl = strlen(drivers[i]), pl = strlen(prop);

        if (strncmp(arg, drivers[i], dl) == 0 && arg[dl] == '.' && strncmp(arg + dl + 1, prop, pl) == 0 &&
            arg[dl + 1 + pl] == '=')
            return arg + dl + 1 + pl + 1;
    }
    return NULL;
}

xmlNode *
igd_xml_commandline_find_global(xmlNode *root, const char *const *drivers, const char *prop, char **value)
{
    xmlNode *found = NULL;
    g_autofree char *found_value = NULL;

    for (xmlNode *cl = root->children; cl; cl = cl->next) {
        gboolean after_global = FALSE;

        if (!is_qemu(cl, "commandline"))
            continue;
        for (xmlNode *a = cl->children; a; a = a->next) {
            g_autofree char *v = NULL;

            if (!is_qemu(a, "arg"))
                continue;
            v = igd_xml_prop(a, "value");
            if (after_global && global_value(v, drivers, prop)) {
                found = a;
                g_free(found_value);
                found_value = g_strdup(global_value(v, drivers, prop));
            }
            after_global = g_strcmp0(v, "-global") == 0;
        }
    }
    if (value)
        *value = g_steal_pointer(&found_value);
    return found;
}

void
igd_xml_commandline_set_global(xmlNode *root, const char *driver, const char *prop, const char *value)
{
    const char *const drivers[] = { driver, NULL };
    g_autofree char *arg = g_strdup_printf("%s.%s=%s", driver, prop, value);
    xmlNode *a = igd_xml_commandline_find_global(root, drivers, prop, NULL);
    xmlNode *cl;
    xmlNs *ns;

    if (a) {
        igd_xml_set(a, "value", arg);
        return;
    }
    ns = qemu_ns(root, TRUE);
    cl = qemu_child(root, "commandline", NULL, NULL);
    if (cl == NULL) {
        cl = xmlNewNode(ns, (const xmlChar *)"commandline");
        igd_xml_insert(root, cl, NULL);
    }
    a = xmlNewNode(ns, (const xmlChar *)"arg");
    xmlSetProp(a, (const xmlChar *)"value", (const xmlChar *)"-global");
    igd_xml_insert(cl, a, NULL);
    a = xmlNewNode(ns, (const xmlChar *)"arg");
    xmlSetProp(a, (const xmlChar *)"value", (const xmlChar *)arg);
    igd_xml_insert(cl, a, NULL);
}
