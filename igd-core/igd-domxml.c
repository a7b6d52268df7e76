/*
 * igd-domxml.c: the domain-XML engine (SPEC.md §4): the mode decision,
 * rewrite, verify, <igd:assign> metadata and undo's original.
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-domain-rules.h"
#include "igd-domxml.h"
#include "igd-requirements.h"
#include "igd-xml.h"

void
igd_domxml_options_init(IgdDomXmlOptions *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->mode = IGD_MODE_AUTO;
    opts->host.slot = 2;
}

void
igd_domxml_report_init(IgdDomXmlReport *report)
{
    memset(report, 0, sizeof(*report));
    report->findings = igd_findings_new();
    report->changes = igd_findings_new();
}

void
igd_domxml_report_clear(IgdDomXmlReport *report)
{
    g_clear_pointer(&report->findings, g_ptr_array_unref);
    g_clear_pointer(&report->changes, g_ptr_array_unref);
}

gboolean
igd_domxml_normalize(const char *xml, gsize len, char **out, gsize *out_len, GError **error)
{
    g_autoptr(IgdXmlDoc) doc = igd_xml_parse_domain(xml, len, error);

    if (doc == NULL)
        return FALSE;
    *out = igd_xml_serialize(doc, xml, len, out_len);
    return TRUE;
}


/* The domain's <metadata>, made at libvirt's place (after name, uuid, genid, title, description) when missing. */
static xmlNode *
metadata_container(IgdDomain *dom)
{
    xmlNode *metadata = igd_xml_child(dom->root, "metadata");
    xmlNode *after = NULL, *before;

    if (metadata != NULL)
        return metadata;
    metadata = igd_xml_new("metadata");
    for (xmlNode *c = dom->root->children; c; c = c->next)
        if (igd_xml_is(c, "name") || igd_xml_is(c, "uuid") || igd_xml_is(c, "genid") || igd_xml_is(c, "title") ||
            igd_xml_is(c, "description"))
            after = c;
    before = after ? after->next : dom->root->children;
    while (before && before->type != XML_ELEMENT_NODE && before->type != XML_COMMENT_NODE)
        before = before->next;
    igd_xml_insert(dom->root, metadata, before);
    dom->metadata = metadata;
    return metadata;
}

/* Remove every <igd:undone> of @dom's metadata; TRUE when there was one. */
static gboolean
remove_undone(IgdDomain *dom)
{
    g_autoptr(GPtrArray) found = g_ptr_array_new();

    /* collected first: igd_xml_remove() also frees the blanks around a node */
    for (xmlNode *c = dom->metadata ? dom->metadata->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href &&
            g_str_equal((const char *)c->ns->href, IGD_DOMAIN_NS) && g_str_equal((const char *)c->name, "undone"))
            g_ptr_array_add(found, c);
    for (guint i = 0; i < found->len; i++)
        igd_xml_remove(g_ptr_array_index(found, i));
    dom->undone = FALSE;
    return found->len > 0;
}

static void
ensure_metadata(IgdDomain *dom, IgdMode mode, const IgdPciAddress *host, const char *original, gsize original_len,
                GPtrArray *changes)
{
    const char *mode_name = igd_mode_to_string(mode);
    char hostname[13];

    igd_pci_address_format(host, hostname);
    /* a rewrite (setup) opts the domain back in to the watcher */
    if (remove_undone(dom))
        igd_findings_add(changes, "metadata", IGD_SEVERITY_NOTE, NULL, NULL,
                         "removed <igd:undone/> (the opt-out of igd-assign undo)");
    if (dom->meta == NULL) {
        xmlNode *metadata = metadata_container(dom);
        xmlNode *assign = igd_xml_new("assign");
        xmlNs *ns = xmlNewNs(assign, (const xmlChar *)IGD_DOMAIN_NS, (const xmlChar *)IGD_DOMAIN_NS_PREFIX);
        xmlNode *orig;
        g_autofree char *b64 = g_base64_encode((const guchar *)original, original_len);

        xmlSetNs(assign, ns);
        xmlSetProp(assign, (const xmlChar *)"mode", (const xmlChar *)mode_name);
        xmlSetProp(assign, (const xmlChar *)"host", (const xmlChar *)hostname);
        orig = xmlNewNode(ns, (const xmlChar *)"original");
        xmlSetProp(orig, (const xmlChar *)"encoding", (const xmlChar *)"base64");
        xmlAddChild(orig, xmlNewText((const xmlChar *)b64));
        xmlAddChild(assign, orig);
        igd_xml_insert(metadata, assign, NULL);
        dom->meta = assign;
        igd_findings_add(changes, "metadata", IGD_SEVERITY_NOTE, NULL, NULL,
                         "added <igd:assign mode='%s'> metadata (with the definition before, for undo)", mode_name);
    } else {
        g_autofree char *was_mode = igd_xml_prop(dom->meta, "mode");
        g_autofree char *was_host = igd_xml_prop(dom->meta, "host");

        igd_xml_set(dom->meta, "mode", mode_name);
        igd_xml_set(dom->meta, "host", hostname);
        if (g_strcmp0(was_mode, mode_name) != 0)
            igd_findings_add(changes, "metadata", IGD_SEVERITY_NOTE, NULL, NULL, "switched to %s mode (was %s)",
                             mode == IGD_MODE_UPT ? "UPT" : mode_name, was_mode ? was_mode : "unset");
        if (g_strcmp0(was_host, hostname) != 0)
            igd_findings_add(changes, "metadata", IGD_SEVERITY_NOTE, NULL, NULL, "recorded host device %s (was %s)",
                             hostname, was_host ? was_host : "unset");
    }
}

gboolean
igd_domxml_mark_undone(const char *xml, gsize len, const char *when, char **out, gsize *out_len, GError **error)
{
    g_autoptr(IgdDomain) dom = igd_domain_read(xml, len, NULL, error);
    xmlNode *undone;
    xmlNs *ns;

    if (dom == NULL)
        return FALSE;
    remove_undone(dom);
    undone = igd_xml_new("undone");
    ns = xmlNewNs(undone, (const xmlChar *)IGD_DOMAIN_NS, (const xmlChar *)IGD_DOMAIN_NS_PREFIX);
    xmlSetNs(undone, ns);
    if (when != NULL)
        xmlSetProp(undone, (const xmlChar *)"at", (const xmlChar *)when);
    igd_xml_insert(metadata_container(dom), undone, NULL);
    *out = igd_xml_serialize(dom->doc, xml, len, out_len);
    return TRUE;
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
    g_autoptr(IgdDomain) dom = igd_domain_read(xml, len, NULL, error);
    g_autoptr(IgdXmlDoc) odoc = NULL;
    g_autoptr(GError) local = NULL;
    g_autofree char *name = NULL, *oname = NULL, *uuid = NULL, *ouuid = NULL;
    g_autofree char *ukey = NULL, *oukey = NULL;
    xmlNode *orig = NULL;
    xmlChar *text;
    guchar *data;
    gsize n = 0;

    if (dom == NULL)
        return FALSE;
    for (xmlNode *c = dom->meta ? dom->meta->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && g_str_equal((const char *)c->name, "original") && c->ns == dom->meta->ns)
            orig = c;
    if (orig == NULL) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_NOT_FOUND,
                            dom->meta ? "the <igd:assign> metadata keeps no original definition"
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
    odoc = igd_xml_parse_domain((const char *)data, n, &local);
    if (odoc == NULL) {
        g_free(data);
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "the saved original definition is corrupt: %s",
                    local->message);
        return FALSE;
    }
    name = domain_child_text(dom->doc, "name");
    oname = domain_child_text(odoc, "name");
    uuid = domain_child_text(dom->doc, "uuid");
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


/* The snapshot when it describes the domain's IGD; a snapshot of another device says nothing about it. */
static const IgdSnapshot *
snapshot_of(const IgdDomain *dom, const IgdSnapshot *s)
{
    return s != NULL && igd_pci_address_equal(&s->addr, &dom->host) ? s : NULL;
}

/* TRUE when a device other than the IGD hostdev has a guest address on root bus slot @slot. */
static gboolean
root_slot_taken(const IgdDomain *dom, guint slot)
{
    IgdDomainHostdev *h = igd_domain_get_igd(dom);

    for (xmlNode *c = dom->devices ? dom->devices->children : NULL; c; c = c->next) {
        IgdPciAddress a;
        if (c->type != XML_ELEMENT_NODE || (h && c == h->node))
            continue;
        if (igd_xml_parse_pci_address(igd_xml_device_address(c), &a) && a.domain == 0 && a.bus == 0 &&
            a.slot == slot)
            return TRUE;
    }
    return FALSE;
}

/* The guest the requirements judge: the domain's machine, firmware, ROM file, x-igd-*, addresses and who binds the
 * IGD. */
static void
guest_of(const IgdDomain *dom, const IgdSnapshot *s, const char *romfile, IgdGuest *guest)
{
    IgdDomainHostdev *h = igd_domain_get_igd(dom);

    igd_guest_init(guest);
    guest->machine = dom->machine;
    guest->ovmf = dom->ovmf;
    guest->x_igd_gms = dom->x_igd_gms;
    guest->phys_bits = igd_domain_guest_phys_bits(dom, s ? s->cpu_phys_bits : 0);
    guest->cpu_host = dom->cpu_host || g_strcmp0(dom->maxphysaddr_mode, "passthrough") == 0;
    guest->legacy_mode = dom->x_igd_legacy_mode;
    /* without an address libvirt picks a free slot: 00:02.0 is the primary video's on i440fx */
    guest->igd_elsewhere = !(h && h->guest_set && h->guest.domain == 0 && h->guest.bus == 0 && h->guest.slot == 2 &&
                             h->guest.function == 0);
    guest->slot_1f_taken = root_slot_taken(dom, 0x1f);
    guest->binder = igd_domain_binder(dom);
    /* a ROM file the snapshot does not describe (not readable here, or another file) is not judged */
    guest->romfile_unchecked = romfile != NULL && !(s && igd_snapshot_rom_is_file(s) &&
                                                    g_str_equal(s->rom_source, romfile));
}

void
igd_domxml_guest(const IgdDomain *dom, const IgdSnapshot *snapshot, IgdGuest *guest)
{
    guest_of(dom, snapshot_of(dom, snapshot), igd_domain_romfile(dom, NULL), guest);
}

static void
add_findings(GPtrArray *to, GPtrArray *from, IgdSeverity only, IgdSeverity as)
{
    for (guint i = 0; i < from->len; i++) {
        const IgdFinding *f = g_ptr_array_index(from, i);
        if (f->severity != only)
            continue;
        g_ptr_array_add(to, igd_finding_new(f->id, as, f->what, f->message, f->hint));
    }
}

/* "a; b; c" of the FAIL messages of @findings. */
static char *
join_fails(GPtrArray *findings)
{
    g_autoptr(GString) s = g_string_new(NULL);

    for (guint i = 0; i < findings->len; i++) {
        const IgdFinding *f = g_ptr_array_index(findings, i);
        if (f->severity == IGD_SEVERITY_FAIL)
            g_string_append_printf(s, "%s%s", s->len ? "; " : "", f->message);
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

/* The mode to apply; FALSE (with the reason) when the requested one is impossible. */
static gboolean
decide_mode(const IgdDomain *dom, const IgdSnapshot *s, const IgdDomXmlOptions *opts, const IgdGuest *guest,
            IgdDomXmlReport *report, IgdMode *mode, GError **error)
{
    char hostname[13];

    igd_pci_address_format(&dom->host, hostname);
    *mode = opts->mode;
    if (*mode == IGD_MODE_AUTO) {
        g_autoptr(GPtrArray) legacy = NULL;

        if (s == NULL) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED,
                        "auto mode needs the host's IGD, and no Intel display device was found at %s", hostname);
            return FALSE;
        }
        legacy = igd_requirements_evaluate(s, IGD_SCOPE_LEGACY, guest);
        if (igd_requirements_met(legacy)) {
            *mode = IGD_MODE_LEGACY;
            add_findings(report->findings, legacy, IGD_SEVERITY_PASS, IGD_SEVERITY_NOTE);
            add_findings(report->findings, legacy, IGD_SEVERITY_WARN, IGD_SEVERITY_WARN);
        } else {
            *mode = IGD_MODE_UPT;
            add_findings(report->findings, legacy, IGD_SEVERITY_FAIL, IGD_SEVERITY_NOTE);
        }
        return TRUE;
    }
    if (*mode == IGD_MODE_LEGACY) {
        g_autoptr(GPtrArray) legacy = NULL;

        if (dom->machine_kind == IGD_MACHINE_Q35) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                        "legacy mode needs an i440fx machine and the domain uses '%s' (1f.0 is taken on q35)",
                        dom->machine);
            return FALSE;
        }
        if (s != NULL) {
            legacy = igd_requirements_evaluate(s, IGD_SCOPE_LEGACY, guest);
            if (!igd_requirements_met(legacy)) {
                g_autofree char *why = join_fails(legacy);
                add_findings(report->findings, legacy, IGD_SEVERITY_FAIL, IGD_SEVERITY_FAIL);
                g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED, "legacy mode is impossible on this host: %s", why);
                return FALSE;
            }
            add_findings(report->findings, legacy, IGD_SEVERITY_WARN, IGD_SEVERITY_WARN);
        }
        if (dom->ovmf)
            igd_findings_add(report->findings, "legacy-ovmf", IGD_SEVERITY_WARN, NULL, NULL,
                             "the domain boots OVMF: legacy mode needs an OVMF with IgdAssignmentDxe and a ROM with an "
                             "EFI GOP");
    }
    return TRUE;
}

gboolean
igd_domxml_rewrite(const char *xml, gsize len, const IgdDomXmlOptions *opts, char **out, gsize *out_len,
                   IgdDomXmlReport *report, GError **error)
{
    IgdDomainReadOptions ro = { opts->host_set ? &opts->host : NULL, NULL };
    g_autoptr(IgdDomain) dom = igd_domain_read(xml, len, &ro, error);
    const IgdSnapshot *s;
    IgdRuleCtx ctx = { 0 };
    IgdGuest guest;
    IgdMode mode;
    char hostname[13];

    if (dom == NULL)
        return FALSE;
    s = snapshot_of(dom, opts->snapshot);
    igd_pci_address_format(&dom->host, hostname);
    if (!dom->x86) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED, "%s: IGD assignment needs an x86 QEMU/KVM domain",
                    dom->not_x86_reason);
        return FALSE;
    }
    if (dom->machine_kind == IGD_MACHINE_OTHER) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                    "machine type '%s' is not a PCI PC machine: IGD assignment needs i440fx ('pc') or q35",
                    dom->machine);
        return FALSE;
    }
    if (dom->igd_hostdevs->len > 1) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%u hostdevs name the IGD %s, exactly one is allowed",
                    dom->igd_hostdevs->len, hostname);
        return FALSE;
    }
    guest_of(dom, s, igd_domain_romfile(dom, opts->romfile), &guest);
    /* the requirements judge the domain as the rules will leave it */
    igd_domain_rules_mend_guest(dom, s, &guest);
    if (!decide_mode(dom, s, opts, &guest, report, &mode, error))
        return FALSE;
    if (s == NULL)
        igd_findings_add(report->findings, "host", IGD_SEVERITY_WARN, NULL, NULL, "no Intel IGD at %s on this host: %s",
                         hostname, mode == IGD_MODE_LEGACY ? "x-igd-gms (stolen memory) is not tailored"
                                                           : "the IGD's generation is not checked");
    else if (mode == IGD_MODE_UPT) {
        g_autoptr(GPtrArray) upt = igd_requirements_evaluate(s, IGD_SCOPE_UPT, &guest);
        add_findings(report->findings, upt, IGD_SEVERITY_FAIL, IGD_SEVERITY_WARN);
        add_findings(report->findings, upt, IGD_SEVERITY_WARN, IGD_SEVERITY_WARN);
    }

    ctx.dom = dom;
    ctx.snapshot = s;
    ctx.mode = mode;
    ctx.romfile = opts->romfile;
    ctx.opregion = opts->opregion;
    ctx.findings = report->findings;
    ctx.changes = report->changes;
    igd_domain_rules_fix(&ctx);
    ensure_metadata(dom, mode, &dom->host, opts->original ? opts->original : xml,
                    opts->original ? opts->original_len : len, report->changes);

    *out = igd_xml_serialize(dom->doc, xml, len, out_len);
    if (*out_len > IGD_XML_MAX_SIZE_SET_UP) {
        /* what rewrite writes, it reads back (the original adds 4/3 of the input; escaping can add more) */
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "the rewritten domain XML would be %" G_GSIZE_FORMAT " bytes, larger than the limit of %u bytes "
                    "igd-assign reads (it keeps the original definition, base64-encoded, in <igd:original>)",
                    *out_len, IGD_XML_MAX_SIZE_SET_UP);
        g_clear_pointer(out, g_free);
        *out_len = 0;
        return FALSE;
    }
    report->mode = mode;
    report->host = dom->host;
    report->changed = *out_len != len || memcmp(*out, xml, len) != 0;
    report->removed = ctx.removed;
    return TRUE;
}

GPtrArray *
igd_domxml_verify(const IgdDomain *dom, const IgdSnapshot *snapshot)
{
    GPtrArray *findings = igd_findings_new();
    const IgdSnapshot *s = snapshot_of(dom, snapshot);
    g_autoptr(GPtrArray) reqs = NULL;
    IgdRuleCtx ctx = { 0 };
    IgdGuest guest;

    if (!dom->igd_domain)
        return findings;
    ctx.dom = (IgdDomain *)dom; /* checks only read */
    ctx.snapshot = s;
    ctx.mode = dom->mode;
    ctx.findings = findings;
    igd_domain_rules_check(&ctx);
    guest_of(dom, s, igd_domain_romfile(dom, NULL), &guest);
    reqs = igd_requirements_evaluate(s, dom->mode == IGD_MODE_LEGACY ? IGD_SCOPE_LEGACY : IGD_SCOPE_UPT, &guest);
    add_findings(findings, reqs, IGD_SEVERITY_FAIL, IGD_SEVERITY_FAIL);
    return findings;
}
