/*
 * fuzz-rewrite.c: the domain rewrite (igd_domxml_rewrite(), what `rewrite`,
 * `setup` and the daemon do with a domain definition) on any bytes, in each
 * mode, with and without facts about the host's IGD.
 *
 * Input: byte 0 picks the options: mode (auto, legacy, upt), --opregion,
 * --romfile, and the host snapshot (none, hand-built Skylake ones with
 * several QEMU versions and ROMs, and snapshots gathered from captured host
 * trees); the rest is the domain XML.
 *
 * Properties of a rewrite that succeeds, each checked independently of the
 * engine (libxml2 directly, not igd-xml.c):
 *   - the input was well-formed and namespace-well-formed, without NUL
 *     bytes: anything else must be refused (SPEC §4: the output never
 *     means more than the input);
 *   - the output is well-formed and namespace-well-formed;
 *   - it validates against xml-schemas/igd-domain.rng (libvirt's domain.rng
 *     with the <igd:assign> metadata) whenever the input does;
 *   - rewriting it again with the same options gives the same bytes;
 *   - nothing outside the IGD hostdev, the display devices of the mode
 *     applied (legacy: video, graphics, SPICE devices, mediated display,
 *     addresses at 00:02/00:1f, the pci-bridges it adds and what it moves
 *     there; UPT: video), the <igd:assign> metadata, the x-igd-*
 *     properties of the IGD's <qemu:override> and the guest's physical
 *     address width (<cpu><maxphysaddr>, -global host-phys-bits-limit)
 *     changed: exclusive C14N, with
 *     comments, of both documents with those removed, as
 *     tests/test-corpus.c does;
 *   - no namespace and no element the input did not have, except those
 *     documented: the igd-assign namespace (<igd:assign>, <igd:original>),
 *     the QEMU namespace for <qemu:override> and <qemu:commandline>, and
 *     the libvirt elements the rules create;
 *   - read back, it is an IGD domain of the mode and host applied that
 *     breaks no rule of that mode (igd_domain_rules_check());
 *   - `undo`'s original is the input (or the input's own original);
 *   - the hook's fast scan does not pass it.
 * Any input is also read and verified as the hook and `status` do
 * (igd_domain_read(), igd_domxml_verify(): a domain without an IGD breaks
 * nothing) and its undo original taken (igd_domxml_get_original()).
 */
#include "config.h"

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "hand-snapshot.h"
#include "igd-common.h"
#include "igd-domain-rules.h"
#include "igd-domain.h"
#include "igd-domxml.h"
#include "igd-hook-common.h"
#include "igd-requirements.h"
#include "igd-test.h"

#define IGD_NS  "http://igd-assign.org/schemas/domain/1.0"
#define QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

static xmlRelaxNGPtr domain_rng;
static GPtrArray *snapshots; /* IgdSnapshot*, [0] = NULL: no facts */

/* ------------------------------------------------------------------ set-up */

static IgdSnapshot *
tree_snapshot(const char *host, const char *qemu, const char *rom)
{
    g_autofree char *rel = g_build_filename("data", "hosts", host, NULL);
    g_autofree char *root = igd_test_srcpath(rel);
    g_autoptr(IgdSysroot) sysroot = igd_sysroot_new(root);
    g_autoptr(GError) error = NULL;
    IgdSnapshot *s = igd_snapshot_gather(sysroot, NULL,
                                         igd_requirements_parts(IGD_SCOPE_LEGACY) & ~IGD_SNAPSHOT_QEMU, &error);

    if (s == NULL)
        g_error("cannot gather %s: %s", host, error->message);
    if (rom)
        hand_snapshot_set_rom(s, rom);
    if (qemu)
        hand_snapshot_set_qemu(s, qemu);
    return s;
}

int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    fuzz_setup();
    domain_rng = fuzz_load_rng(TESTS_BUILDDIR, "igd-domain.rng");

    snapshots = g_ptr_array_new();
    g_ptr_array_add(snapshots, NULL);
    g_ptr_array_add(snapshots, hand_snapshot_skl("7.2.0", "legacy"));
    g_ptr_array_add(snapshots, hand_snapshot_skl("9.2.0", "both"));
    g_ptr_array_add(snapshots, hand_snapshot_skl("10.1.0", "efi"));
    g_ptr_array_add(snapshots, hand_snapshot_skl(NULL, NULL));
    g_ptr_array_add(snapshots, tree_snapshot("skl-ideapad-vfio", "10.1.0", "legacy"));
    g_ptr_array_add(snapshots, tree_snapshot("snb-gigabyte-h61m-ds2-i3-2100", "7.2.0", "legacy"));
    g_ptr_array_add(snapshots, tree_snapshot("chv-ideapad-gms-13", "9.2.0", NULL));
    g_ptr_array_add(snapshots, tree_snapshot("tgl-nuc11-efifb", "10.0.0", "none"));
    g_ptr_array_add(snapshots, tree_snapshot("hsw-dell-latitude-e6540-i7-4800mq", "8.2.2", "unreadable"));
    return 0;
}

/* ------------------------------------------------------------------ the oracle's own XML reading */

typedef struct {
    xmlDocPtr doc;
    gboolean well_formed, ns_well_formed;
} Parsed;

static void
parsed_clear(Parsed *p)
{
    if (p->doc)
        xmlFreeDoc(p->doc);
    p->doc = NULL;
}

static void
oracle_parse(const char *xml, gsize len, Parsed *out)
{
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();

    memset(out, 0, sizeof(*out));
    out->doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "domain.xml", NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    out->well_formed = out->doc != NULL && ctxt->wellFormed;
    out->ns_well_formed = out->doc != NULL && ctxt->nsWellFormed;
    xmlFreeParserCtxt(ctxt);
}

static gboolean
rng_valid(xmlDocPtr doc)
{
    return fuzz_rng_valid_doc(domain_rng, doc);
}

static gboolean
is_el(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns == NULL && strcmp((const char *)n->name, name) == 0;
}

static gboolean
is_ns_el(const xmlNode *n, const char *href, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, href) == 0 && (name == NULL || strcmp((const char *)n->name, name) == 0);
}

static xmlNode *
child(const xmlNode *p, const char *name)
{
    for (xmlNode *c = p ? p->children : NULL; c; c = c->next)
        if (is_el(c, name))
            return c;
    return NULL;
}

static char *
prop(const xmlNode *n, const char *name)
{
    xmlChar *v = n ? xmlGetNoNsProp(n, (const xmlChar *)name) : NULL;
    char *r = v ? g_strdup((const char *)v) : NULL;

    xmlFree(v);
    return r;
}

static gboolean
prop_eq(const xmlNode *n, const char *name, const char *value)
{
    g_autofree char *v = prop(n, name);

    return v && strcmp(v, value) == 0;
}

static void
drop(xmlNode *n)
{
    xmlUnlinkNode(n);
    xmlFreeNode(n);
}

/* A number attribute as libvirt reads it (base 0, absent = 0); G_MAXUINT64 when it does not parse. */
static guint64
num(const xmlNode *n, const char *name)
{
    g_autofree char *v = prop(n, name);
    char *end = NULL;
    guint64 r;

    if (v == NULL)
        return 0;
    r = g_ascii_strtoull(v, &end, 0);
    return end == v || *end != '\0' ? G_MAXUINT64 : r;
}

static gboolean
address_is(const xmlNode *a, const IgdPciAddress *addr)
{
    return a && num(a, "domain") == addr->domain && num(a, "bus") == addr->bus && num(a, "slot") == addr->slot &&
           num(a, "function") == addr->function;
}

/* A guest PCI address on the root bus at @slot (any function). */
static gboolean
root_slot(const xmlNode *a, guint slot)
{
    return prop_eq(a, "type", "pci") && num(a, "domain") == 0 && num(a, "bus") == 0 && num(a, "slot") == slot;
}

static gboolean
is_igd_hostdev(const xmlNode *n, const IgdPciAddress *host)
{
    return is_el(n, "hostdev") && prop_eq(n, "type", "pci") && address_is(child(child(n, "source"), "address"), host);
}

static gboolean
is_empty(const xmlNode *n)
{
    for (xmlNode *c = n->children; c; c = c->next)
        if (c->type != XML_TEXT_NODE || !xmlIsBlankNode(c))
            return FALSE;
    return TRUE;
}

/* @s without any white space. */
static char *
without_space(const char *s)
{
    GString *r = g_string_new(NULL);

    for (; *s; s++)
        if (!g_ascii_isspace(*s))
            g_string_append_c(r, *s);
    return g_string_free(r, FALSE);
}

/*
 * Layout, which the rewrite may change next to what it adds, moves or
 * removes: blank text nodes go, and other text is compared without white
 * space. Text nodes that meet where an element was removed are one text
 * first (the rewrite's output, parsed, has them as one): the white space
 * where they join is the removed element's indentation, kept or not.
 */
static void
drop_blanks(xmlNode *n)
{
    xmlNode *c, *next;

    for (c = n->children; c; c = next) {
        next = c->next;
        if (c->type == XML_TEXT_NODE) {
            g_autoptr(GString) all = g_string_new(c->content ? (const char *)c->content : "");
            g_autofree char *t = NULL;

            while (next && next->type == XML_TEXT_NODE) {
                xmlNode *after = next->next;

                g_string_append(all, next->content ? (const char *)next->content : "");
                drop(next);
                next = after;
            }
            t = without_space(all->str);
            if (t[0] == '\0') {
                drop(c);
            } else {
                xmlNodeSetContent(c, NULL);
                xmlNodeAddContent(c, (const xmlChar *)t);
            }
        } else if (c->type == XML_ELEMENT_NODE) {
            drop_blanks(c);
        }
    }
}

/* The x-igd-* properties of the IGD's alias in <qemu:override>, and the containers they leave empty. */
static void
strip_override(xmlNode *root, const char *alias)
{
    xmlNode *o, *onext, *d, *dnext, *f, *fnext, *p, *pnext;

    for (o = root->children; o; o = onext) {
        onext = o->next;
        if (!is_ns_el(o, QEMU_NS, "override"))
            continue;
        for (d = o->children; d; d = dnext) {
            dnext = d->next;
            if (!is_ns_el(d, QEMU_NS, "device") || !(prop_eq(d, "alias", alias) || prop_eq(d, "alias", "ua-igd")))
                continue;
            for (f = d->children; f; f = fnext) {
                fnext = f->next;
                if (!is_ns_el(f, QEMU_NS, "frontend"))
                    continue;
                for (p = f->children; p; p = pnext) {
                    g_autofree char *name = NULL;
                    pnext = p->next;
                    name = is_ns_el(p, QEMU_NS, "property") ? prop(p, "name") : NULL;
                    if (name && g_str_has_prefix(name, "x-igd-"))
                        drop(p);
                }
                if (is_empty(f))
                    drop(f);
            }
            if (is_empty(d))
                drop(d);
        }
        if (is_empty(o))
            drop(o);
    }
}

/*
 * The guest's physical address width, which the iommu-width rule bounds
 * for OVMF guests: <cpu><maxphysaddr> and a -global ...host-phys-bits-limit=
 * pair in <qemu:commandline>, and the containers they leave empty.
 */
static void
strip_phys_bits(xmlNode *root)
{
    xmlNode *c, *next, *a, *anext;

    for (c = root->children; c; c = next) {
        next = c->next;
        if (is_el(c, "cpu")) {
            xmlNode *m = child(c, "maxphysaddr");
            if (m)
                drop(m);
            if (is_empty(c) && c->properties == NULL)
                drop(c);
        } else if (is_ns_el(c, QEMU_NS, "commandline")) {
            xmlNode *global = NULL;
            for (a = c->children; a; a = anext) {
                g_autofree char *v = NULL;
                anext = a->next;
                if (!is_ns_el(a, QEMU_NS, "arg"))
                    continue;
                v = prop(a, "value");
                if (global && v && strstr(v, ".host-phys-bits-limit=")) {
                    drop(global);
                    drop(a);
                    global = NULL;
                    continue;
                }
                global = v && strcmp(v, "-global") == 0 ? a : NULL;
            }
            if (is_empty(c))
                drop(c);
        }
    }
}

/*
 * Remove from @doc what a rewrite in @mode for @host may change, so that
 * the rest must be the same in input and output.
 */
static void
strip(xmlDocPtr doc, IgdMode mode, const IgdPciAddress *host, const char *alias)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *c, *next, *devices = child(root, "devices");
    g_autoptr(GArray) bridges = g_array_new(FALSE, FALSE, sizeof(guint64));
    const gboolean legacy = mode == IGD_MODE_LEGACY;

    for (c = root->children; c; c = next) {
        next = c->next;
        if (is_el(c, "metadata")) {
            xmlNode *m, *mnext;
            for (m = c->children; m; m = mnext) {
                mnext = m->next;
                if (is_ns_el(m, IGD_NS, NULL))
                    drop(m);
            }
            if (is_empty(c))
                drop(c);
        }
    }
    strip_override(root, alias);
    strip_phys_bits(root);

    /* the pci-bridges legacy mode adds (alias ua-igd-bridgeN) and their bus numbers */
    for (c = devices ? devices->children : NULL; c && legacy; c = next) {
        g_autofree char *a = NULL;
        next = c->next;
        a = is_el(c, "controller") ? prop(child(c, "alias"), "name") : NULL;
        if (a && g_str_has_prefix(a, "ua-igd-bridge")) {
            guint64 index = num(c, "index");
            g_array_append_val(bridges, index);
            drop(c);
        }
    }
    for (c = devices ? devices->children : NULL; c; c = next) {
        xmlNode *address;
        next = c->next;
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_igd_hostdev(c, host) || is_el(c, "video")) {
            drop(c);
            continue;
        }
        if (!legacy)
            continue;
        if (is_el(c, "graphics") || (is_el(c, "audio") && prop_eq(c, "type", "spice")) ||
            ((is_el(c, "serial") || is_el(c, "parallel") || is_el(c, "console") || is_el(c, "channel") ||
              is_el(c, "redirdev") || is_el(c, "smartcard")) &&
             (prop_eq(c, "type", "spicevmc") || prop_eq(c, "type", "spiceport")))) {
            drop(c);
            continue;
        }
        if (is_el(c, "hostdev") && prop_eq(c, "type", "mdev")) {
            xmlAttr *a;
            if ((a = xmlHasProp(c, (const xmlChar *)"display")))
                xmlRemoveProp(a);
            if ((a = xmlHasProp(c, (const xmlChar *)"ramfb")))
                xmlRemoveProp(a);
        }
        if (is_el(c, "sound")) {
            xmlNode *s, *snext;
            for (s = c->children; s; s = snext) {
                snext = s->next;
                if (is_el(s, "audio"))
                    drop(s);
            }
        }
        /* libvirt reads a device's first <address>: once that one is gone, the next one is the device's */
        while ((address = child(c, "address")) != NULL && (root_slot(address, 2) || root_slot(address, 0x1f)))
            drop(address);
        if (address && is_el(c, "disk") && prop_eq(address, "type", "pci"))
            for (guint i = 0; i < bridges->len; i++)
                if (num(address, "bus") == g_array_index(bridges, guint64, i)) {
                    drop(address);
                    break;
                }
    }
    if (devices && is_empty(devices))
        drop(devices);
    drop_blanks(root);
}

static char *
canonical(xmlDocPtr doc)
{
    xmlChar *out = NULL;
    char *ret;

    if (xmlC14NDocDumpMemory(doc, NULL, XML_C14N_EXCLUSIVE_1_0, NULL, 1, &out) < 0)
        return g_strdup("(C14N failed)");
    ret = g_strdup((const char *)out);
    xmlFree(out);
    return ret;
}

/* An <igd:assign> in the root's first <metadata>. */
static gboolean
has_igd_metadata(const xmlNode *root)
{
    /* the first <metadata> only: libvirt reads "./metadata[1]" and drops the others (domain_conf.c) */
    for (xmlNode *a = root ? child(root, "metadata") : NULL, *c = a ? a->children : NULL; c; c = c->next)
        if (is_ns_el(c, IGD_NS, "assign"))
            return TRUE;
    return FALSE;
}

/* "href|name" of every element and "xmlns:prefix=href" of every declaration, into @set. */
static void
names(const xmlNode *n, GHashTable *set)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        g_hash_table_add(set, g_strdup_printf("%s|%s", n->ns && n->ns->href ? (const char *)n->ns->href : "",
                                              (const char *)n->name));
        for (const xmlNs *ns = n->nsDef; ns; ns = ns->next)
            g_hash_table_add(set, g_strdup_printf("xmlns:%s=%s", ns->prefix ? (const char *)ns->prefix : "",
                                                  ns->href ? (const char *)ns->href : ""));
        for (const xmlAttr *a = n->properties; a; a = a->next)
            if (a->ns && a->ns->href)
                g_hash_table_add(set, g_strdup_printf("%s|@%s", (const char *)a->ns->href, (const char *)a->name));
        names(n->children, set);
    }
}

static gboolean
documented_addition(const char *key)
{
    static const char *const elements[] = {
        "|metadata", "|devices", "|hostdev", "|driver", "|source", "|address", "|alias", "|rom", "|video", "|model",
        "|controller", "|cpu", "|maxphysaddr", IGD_NS "|assign", IGD_NS "|original", QEMU_NS "|override",
        QEMU_NS "|device", QEMU_NS "|frontend", QEMU_NS "|property", QEMU_NS "|commandline", QEMU_NS "|arg", NULL,
    };

    if (g_str_has_prefix(key, "xmlns:"))
        return g_str_has_suffix(key, "=" IGD_NS) || g_str_has_suffix(key, "=" QEMU_NS);
    return g_strv_contains(elements, key);
}

/* ------------------------------------------------------------------ the target */

typedef struct {
    IgdDomXmlOptions opts;
    const IgdSnapshot *snapshot;
} Options;

static void
options_from_byte(guint8 b, Options *o)
{
    static const IgdMode modes[] = { IGD_MODE_AUTO, IGD_MODE_LEGACY, IGD_MODE_UPT };
    guint k = b % (3 * 2 * 2 * snapshots->len);

    igd_domxml_options_init(&o->opts);
    o->opts.mode = modes[k % 3];
    o->opts.opregion = (k / 3) % 2;
    o->opts.romfile = (k / 6) % 2 ? "/usr/share/igd-assign/vbios-igd.rom" : NULL;
    o->snapshot = g_ptr_array_index(snapshots, (k / 12) % snapshots->len);
    o->opts.snapshot = o->snapshot;
}

/* @s without its lines of white space only. */
static char *
without_blank_lines(const char *s)
{
    g_auto(GStrv) lines = g_strsplit(s, "\n", -1);
    GString *r = g_string_new(NULL);

    for (guint i = 0; lines[i]; i++) {
        if (lines[i][strspn(lines[i], " \t\r")] == '\0')
            continue;
        g_string_append(r, lines[i]);
        g_string_append_c(r, '\n');
    }
    return g_string_free(r, FALSE);
}

static gboolean
utf16(const char *xml, gsize len)
{
    const guchar *p = (const guchar *)xml;

    return len >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff) || p[0] == 0 || p[1] == 0);
}

static void
check_output(const char *xml, gsize len, const Options *o, const char *out, gsize out_len,
             const IgdDomXmlReport *report)
{
    Parsed in = { 0 }, res = { 0 };
    char hostname[13];
    gboolean in_meta;

    igd_pci_address_format(&report->host, hostname);

    /* the input: well-formed, namespace-well-formed, no NUL (trailing NULs included) */
    oracle_parse(xml, len, &in);
    in_meta = in.doc && has_igd_metadata(xmlDocGetRootElement(in.doc));
    FUZZ_CHECK(in.well_formed, "input that is not well-formed was rewritten");
    /* once known findings, fixed by igd_xml_parse_domain() (corpus/rewrite/repro-unbound-prefix.xml, repro-trailing-nuls.xml) */
    FUZZ_CHECK(!in.well_formed || in.ns_well_formed, "input with a namespace error was rewritten");
    FUZZ_CHECK(utf16(xml, len) || memchr(xml, '\0', len) == NULL, "input with a NUL byte was rewritten");
    FUZZ_CHECK(report->mode == IGD_MODE_LEGACY || report->mode == IGD_MODE_UPT, "mode %d applied", report->mode);
    FUZZ_CHECK(o->opts.mode == IGD_MODE_AUTO || report->mode == o->opts.mode, "mode %s asked, %s applied",
               igd_mode_to_string(o->opts.mode), igd_mode_to_string(report->mode));
    FUZZ_CHECK(memchr(out, '\0', out_len) == NULL && out[out_len] == '\0', "output with a NUL byte or unterminated");

    /* the output: well-formed, namespace-well-formed, schema-valid when the input is */
    oracle_parse(out, out_len, &res);
    FUZZ_CHECK(res.well_formed && res.ns_well_formed, "output is not (namespace-)well-formed:\n%s", out);
    if (res.doc && in.doc && in.well_formed && in.ns_well_formed && !rng_valid(res.doc))
        FUZZ_CHECK(!rng_valid(in.doc), "output does not validate against igd-domain.rng, the input does:\n%s", out);

    /* idempotent */
    {
        g_autofree char *out2 = NULL;
        gsize out2_len = 0;
        g_autoptr(GError) error = NULL;
        IgdDomXmlReport report2;
        gboolean ok;

        igd_domxml_report_init(&report2);
        ok = igd_domxml_rewrite(out, out_len, &o->opts, &out2, &out2_len, &report2, &error);
        FUZZ_CHECK(ok, "the output is refused by a second rewrite: %s\n%s", error ? error->message : "?", out);
        if (ok) {
            if (out2_len != out_len || memcmp(out, out2, out_len) != 0) {
                g_autofree char *a = without_blank_lines(out), *b = without_blank_lines(out2);
                g_autofree char *a_ws = without_space(out), *b_ws = without_space(out2);
                if (strcmp(a, b) == 0) /* once known, fixed: corpus/rewrite/repro-text-in-source-grows.xml */
                    fuzz_fail("a second rewrite adds blank lines:\n%s\n---\n%s", out, out2);
                else if (strcmp(a_ws, b_ws) == 0) /* once known: corpus/rewrite/repro-text-before-new-hostdev.xml */
                    fuzz_fail("a second rewrite changes the layout:\n%s\n---\n%s", out, out2);
                else
                    fuzz_fail("a second rewrite changes the output:\n%s\n---\n%s", out, out2);
            }
            FUZZ_CHECK(report2.mode == report->mode, "a second rewrite applies another mode");
        }
        igd_domxml_report_clear(&report2);
    }

    /* read back: an IGD domain of that mode and host that breaks no rule */
    {
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdDomain) dom = igd_domain_read(out, out_len, NULL, &error);

        FUZZ_CHECK(dom != NULL, "the output does not read back: %s", error ? error->message : "?");
        if (dom) {
            g_autoptr(GPtrArray) findings = igd_findings_new();
            IgdRuleCtx ctx = { 0 };

            FUZZ_CHECK(dom->igd_domain && dom->has_metadata, "the output is not an IGD domain with metadata");
            FUZZ_CHECK(dom->mode == report->mode, "the output reads as mode %s, %s applied", igd_mode_to_string(dom->mode),
                       igd_mode_to_string(report->mode));
            FUZZ_CHECK(igd_pci_address_equal(&dom->host, &report->host), "the output names another host IGD");
            ctx.dom = dom;
            ctx.snapshot = o->snapshot && igd_pci_address_equal(&o->snapshot->addr, &dom->host) ? o->snapshot : NULL;
            ctx.mode = report->mode;
            ctx.findings = findings;
            igd_domain_rules_check(&ctx);
            for (guint i = 0; i < findings->len; i++) {
                const IgdFinding *f = g_ptr_array_index(findings, i);
                FUZZ_CHECK(f->severity != IGD_SEVERITY_FAIL, "the output breaks rule %s: %s\n%s", f->id, f->message,
                           out);
            }
            /* the oracle's IGD hostdev: the output's alias for the override */
            if (in.doc && res.doc) {
                IgdDomainHostdev *h = igd_domain_get_igd(dom);
                const char *alias = h && h->alias ? h->alias : "ua-igd";
                xmlNode *root_in = xmlDocGetRootElement(in.doc), *root_out = xmlDocGetRootElement(res.doc);
                g_autoptr(GHashTable) before = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
                g_autoptr(GHashTable) after = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
                GHashTableIter it;
                gpointer key;

                /* no namespace or element added but the documented ones */
                names(root_in, before);
                names(root_out, after);
                g_hash_table_iter_init(&it, after);
                while (g_hash_table_iter_next(&it, &key, NULL))
                    FUZZ_CHECK(g_hash_table_contains(before, key) || documented_addition(key),
                               "the output has '%s', the input has not:\n%s", (const char *)key, out);

                /* nothing else changed */
                if (root_in && root_out) {
                    g_autofree char *c_in = NULL, *c_out = NULL;
                    strip(in.doc, report->mode, &report->host, alias);
                    strip(res.doc, report->mode, &report->host, alias);
                    c_in = canonical(in.doc);
                    c_out = canonical(res.doc);
                    FUZZ_CHECK(strcmp(c_in, c_out) == 0,
                               "the rewrite (%s, host %s) changed more than the IGD's part:\n%s\n---\n%s",
                               igd_mode_to_string(report->mode), hostname, c_in, c_out);
                }
            }
        }
    }

    /* undo gives the input back (or what the input's own <igd:assign> keeps) */
    {
        g_autofree char *orig = NULL, *orig_in = NULL;
        gsize orig_len = 0, orig_in_len = 0;
        g_autoptr(GError) error = NULL;
        gboolean ok = igd_domxml_get_original(out, out_len, &orig, &orig_len, &error);

        if (in_meta) {
            gboolean ok_in = igd_domxml_get_original(xml, len, &orig_in, &orig_in_len, NULL);
            FUZZ_CHECK(ok == ok_in, "undo's original of the output and of the input differ in validity");
            if (ok && ok_in)
                FUZZ_CHECK(orig_len == orig_in_len && memcmp(orig, orig_in, orig_len) == 0,
                           "the output's original is not the input's");
        } else {
            FUZZ_CHECK(ok, "undo refuses the output's original: %s", error ? error->message : "?");
            if (ok)
                FUZZ_CHECK(orig_len == len && memcmp(orig, xml, len) == 0, "undo's original is not the input");
        }
    }

    /* the hook's fast scan must send it to the full parse */
    FUZZ_CHECK(igd_hook_scan_needs_full(out, out_len, NULL) == 1, "the hook's scan passes the output");

    parsed_clear(&in);
    parsed_clear(&res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Options o;
    g_autofree char *xml = NULL;
    g_autofree char *out = NULL;
    gsize len, out_len = 0;
    g_autoptr(GError) error = NULL;
    IgdDomXmlReport report;
    gboolean ok;

    if (snapshots == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    if (size < 1)
        return 0;
    options_from_byte(data[0], &o);
    xml = fuzz_strndup(data + 1, size - 1);
    len = size - 1;

    /* what the hook and `status` do with any domain: read it, verify it; what `undo` does: its original */
    {
        g_autoptr(IgdDomain) dom = igd_domain_read(xml, len, NULL, NULL);
        g_autofree char *orig = NULL;
        gsize orig_len = 0;

        if (dom != NULL) {
            g_autoptr(GPtrArray) findings = igd_domxml_verify(dom, o.snapshot);
            FUZZ_CHECK(dom->igd_domain || findings->len == 0, "verify finds %u problems in a domain without an IGD",
                       findings->len);
        }
        if (igd_domxml_get_original(xml, len, &orig, &orig_len, NULL))
            FUZZ_CHECK(orig_len > 0 && memchr(orig, '\0', orig_len) == NULL && orig[orig_len] == '\0',
                       "undo's original is empty, holds a NUL or is not terminated");
    }

    igd_domxml_report_init(&report);
    ok = igd_domxml_rewrite(xml, len, &o.opts, &out, &out_len, &report, &error);
    FUZZ_CHECK(ok == (error == NULL), "result and error disagree");
    if (ok)
        check_output(xml, len, &o, out, out_len, &report);
    else
        FUZZ_CHECK(out == NULL, "refused, with an output");
    igd_domxml_report_clear(&report);
    return 0;
}
