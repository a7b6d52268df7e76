/*
 * igd-domxml-rules.c: reading a domain for the IGD rules (machine, firmware,
 * IGD hostdevs, display devices) and checking a definition against the rules
 * of SPEC.md §4 without changing it (igd_domxml_verify(), for the hook).
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-domxml-private.h"

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
    for (xmlNode *c = device->children; c; c = c->next)
        if (igd_xml_is(c, "address") && igd_xml_prop_eq(c, "type", "pci"))
            return c;
    return NULL;
}

gboolean
igd_xml_hostdev_source(const xmlNode *hostdev, IgdPciAddress *addr)
{
    xmlNode *source;

    if (!igd_xml_is(hostdev, "hostdev") || !igd_xml_prop_eq(hostdev, "type", "pci"))
        return FALSE;
    {
        g_autofree char *mode = igd_xml_prop(hostdev, "mode");
        if (mode != NULL && !g_str_equal(mode, "subsystem"))
            return FALSE;
    }
    source = igd_xml_child(hostdev, "source");
    return igd_xml_parse_pci_address(igd_xml_child(source, "address"), addr);
}

IgdMachineKind
igd_machine_kind(const char *machine)
{
    if (machine == NULL || g_str_equal(machine, "pc") || g_str_has_prefix(machine, "pc-i440fx"))
        return IGD_MACHINE_I440FX;
    if (g_str_equal(machine, "q35") || g_str_has_prefix(machine, "pc-q35"))
        return IGD_MACHINE_Q35;
    /* QEMU's oldest i440fx names: pc-0.10 ... pc-1.3 */
    if (g_str_has_prefix(machine, "pc-") && g_ascii_isdigit(machine[3]))
        return IGD_MACHINE_I440FX;
    return IGD_MACHINE_OTHER;
}

static const char *const x86_arches[] = { "x86_64", "i686", NULL };

void
igd_domain_scan(IgdDomain *dom, xmlDoc *doc, const IgdPciAddress *host, IgdPciAddress *host_out)
{
    xmlNode *type, *metadata;
    g_autofree char *arch = NULL;
    g_autofree char *dtype = NULL;
    IgdPciAddress want = { 0, 0, 2, 0 };

    memset(dom, 0, sizeof(*dom));
    dom->root = xmlDocGetRootElement(doc);
    dom->os = igd_xml_child(dom->root, "os");
    dom->devices = igd_xml_child(dom->root, "devices");
    type = igd_xml_child(dom->os, "type");
    if (type) {
        xmlAttr *a = xmlHasProp(type, (const xmlChar *)"machine");
        if (a && a->children && a->children->content)
            dom->machine = (const char *)a->children->content;
        arch = igd_xml_prop(type, "arch");
    }
    dom->machine_kind = igd_machine_kind(dom->machine);

    dtype = igd_xml_prop(dom->root, "type");
    if (dtype && !g_str_equal(dtype, "kvm") && !g_str_equal(dtype, "qemu")) {
        dom->not_x86_reason = g_strdup_printf("domain type '%s' is not a QEMU/KVM domain", dtype);
    } else if (arch && !g_strv_contains(x86_arches, arch)) {
        dom->not_x86_reason = g_strdup_printf("domain architecture '%s' is not x86", arch);
    } else if (arch == NULL && dom->machine_kind == IGD_MACHINE_OTHER) {
        dom->not_x86_reason = g_strdup_printf("machine type '%s' is not an x86 PC machine", dom->machine);
    }
    dom->x86 = dom->not_x86_reason == NULL;

    /* firmware: <os firmware='efi'>, or a loader that is not SeaBIOS */
    if (dom->os) {
        xmlNode *loader = igd_xml_child(dom->os, "loader");
        if (igd_xml_prop_eq(dom->os, "firmware", "efi"))
            dom->firmware = IGD_FIRMWARE_OVMF;
        else if (loader) {
            g_autofree char *path = NULL;
            xmlChar *content = xmlNodeGetContent(loader);
            path = g_ascii_strdown(content ? (const char *)content : "", -1);
            xmlFree(content);
            if (igd_xml_prop_eq(loader, "type", "pflash") || strstr(path, "ovmf") || strstr(path, "edk2") ||
                strstr(path, "efi"))
                dom->firmware = IGD_FIRMWARE_OVMF;
        }
    }

    metadata = igd_xml_child(dom->root, "metadata");
    if (metadata) {
        for (xmlNode *c = metadata->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href &&
                g_str_equal((const char *)c->ns->href, IGD_DOMXML_NS) &&
                g_str_equal((const char *)c->name, "assign")) {
                dom->meta = c;
                break;
            }
        }
    }

    if (host) {
        want = *host;
    } else if (dom->meta) {
        g_autofree char *h = igd_xml_prop(dom->meta, "host");
        IgdPciAddress a;
        if (h && igd_pci_address_parse(h, &a, NULL))
            want = a;
    }
    if (host_out)
        *host_out = want;

    dom->igd_hostdevs = g_ptr_array_new();
    dom->pci_hostdevs = g_ptr_array_new();
    if (dom->devices == NULL)
        return;
    for (xmlNode *c = dom->devices->children; c; c = c->next) {
        IgdPciAddress src;
        if (!igd_xml_hostdev_source(c, &src))
            continue;
        g_ptr_array_add(dom->pci_hostdevs, c);
        if (igd_pci_address_equal(&src, &want))
            g_ptr_array_add(dom->igd_hostdevs, c);
    }
}

void
igd_domain_clear(IgdDomain *dom)
{
    g_clear_pointer(&dom->igd_hostdevs, g_ptr_array_unref);
    g_clear_pointer(&dom->pci_hostdevs, g_ptr_array_unref);
    g_clear_pointer(&dom->not_x86_reason, g_free);
}

static char *
video_model(const xmlNode *video)
{
    xmlNode *model = igd_xml_child(video, "model");

    return model ? igd_xml_prop(model, "type") : NULL;
}

gboolean
igd_domain_video_is_none(const IgdDomain *dom)
{
    guint n = 0;
    gboolean none = FALSE;

    if (dom->devices == NULL)
        return FALSE;
    for (xmlNode *c = dom->devices->children; c; c = c->next) {
        if (!igd_xml_is(c, "video"))
            continue;
        n++;
        g_autofree char *m = video_model(c);
        none = m && g_str_equal(m, "none");
    }
    return n == 1 && none;
}

gboolean
igd_domain_has_emulated_video(const IgdDomain *dom)
{
    if (dom->devices == NULL)
        return FALSE;
    for (xmlNode *c = dom->devices->children; c; c = c->next) {
        if (!igd_xml_is(c, "video"))
            continue;
        g_autofree char *m = video_model(c);
        /* a <video> without a model gets libvirt's default (vga/cirrus) */
        if (m == NULL || !g_str_equal(m, "none"))
            return TRUE;
    }
    return FALSE;
}

static const char *const chardev_elements[] = {
    "serial", "parallel", "console", "channel", "redirdev", "smartcard", NULL,
};

gboolean
igd_xml_is_display_only(const xmlNode *device)
{
    if (igd_xml_is(device, "graphics"))
        return TRUE;
    if (igd_xml_is(device, "audio"))
        return igd_xml_prop_eq(device, "type", "spice");
    if (device->type == XML_ELEMENT_NODE && device->ns == NULL &&
        g_strv_contains(chardev_elements, (const char *)device->name))
        return igd_xml_prop_eq(device, "type", "spicevmc") || igd_xml_prop_eq(device, "type", "spiceport");
    return FALSE;
}

/* ---- verify ---- */

static void
problem(IgdDomXmlVerdict *v, const char *rule, const char *hint, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void
problem(IgdDomXmlVerdict *v, const char *rule, const char *hint, const char *fmt, ...)
{
    IgdDomXmlProblem *p = g_new0(IgdDomXmlProblem, 1);
    va_list ap;

    va_start(ap, fmt);
    p->rule = g_strdup(rule);
    p->message = g_strdup_vprintf(fmt, ap);
    p->hint = g_strdup(hint);
    va_end(ap);
    g_ptr_array_add(v->problems, p);
}

static void
problem_free(gpointer data)
{
    IgdDomXmlProblem *p = data;

    g_free(p->rule);
    g_free(p->message);
    g_free(p->hint);
    g_free(p);
}

void
igd_domxml_verdict_clear(IgdDomXmlVerdict *verdict)
{
    g_clear_pointer(&verdict->pci_hostdevs, g_ptr_array_unref);
    g_clear_pointer(&verdict->problems, g_ptr_array_unref);
}

static gboolean
is_root_slot(const IgdPciAddress *a, guint slot)
{
    return a->domain == 0 && a->bus == 0 && a->slot == slot;
}

#define HINT_REWRITE "run 'igd-assign setup DOMAIN' (or 'igd-assign rewrite') to fix the definition"

/* The value of <qemu:property name=@prop> for device @alias in <qemu:override>, NULL if none. */
static char *
override_value(xmlNode *root, const char *alias, const char *prop)
{
    for (xmlNode *ov = root->children; ov; ov = ov->next) {
        if (ov->type != XML_ELEMENT_NODE || ov->ns == NULL || ov->ns->href == NULL ||
            !g_str_equal((const char *)ov->ns->href, IGD_DOMXML_QEMU_NS) || !g_str_equal((const char *)ov->name, "override"))
            continue;
        for (xmlNode *dev = ov->children; dev; dev = dev->next) {
            if (dev->type != XML_ELEMENT_NODE || !g_str_equal((const char *)dev->name, "device") ||
                !igd_xml_prop_eq(dev, "alias", alias))
                continue;
            for (xmlNode *fe = dev->children; fe; fe = fe->next) {
                if (fe->type != XML_ELEMENT_NODE || !g_str_equal((const char *)fe->name, "frontend"))
                    continue;
                for (xmlNode *p = fe->children; p; p = p->next)
                    if (p->type == XML_ELEMENT_NODE && g_str_equal((const char *)p->name, "property") &&
                        igd_xml_prop_eq(p, "name", prop))
                        return igd_xml_prop(p, "value");
            }
        }
    }
    return NULL;
}

/* Legacy: the x-igd-gms the installed QEMU needs for the host's stolen memory is set. */
static void
verify_gms(IgdDomXmlVerdict *out, const IgdDomain *dom, xmlNode *hostdev, const IgdHostFacts *f)
{
    IgdQemuIgdModel m = { 0 };
    xmlNode *alias;
    g_autofree char *alias_name = NULL;
    g_autofree char *value = NULL;

    if (f == NULL || !f->present || f->qemu == NULL || f->platform == NULL || !f->gmch_valid || hostdev == NULL)
        return;
    if (!igd_qemu_model_igd(f->qemu, f->device_id, f->platform, &f->gmch, -1, dom->machine, &m, NULL))
        return;
    alias = igd_xml_child(hostdev, "alias");
    alias_name = alias ? igd_xml_prop(alias, "name") : NULL;
    value = alias_name ? override_value(dom->root, alias_name, "x-igd-gms") : NULL;
    if (m.x_igd_gms_needed >= 0 && (value == NULL || g_ascii_strtoll(value, NULL, 0) != m.x_igd_gms_needed))
        problem(out, "legacy-gms", HINT_REWRITE,
                "QEMU %u.%u gives the guest no stolen memory without x-igd-gms=%d (the host has %" G_GUINT64_FORMAT
                " MiB)", f->qemu->major, f->qemu->minor, m.x_igd_gms_needed, f->gmch.stolen_bytes >> 20);
    igd_qemu_igd_model_clear(&m);
}

gboolean
igd_domxml_verify(const char *xml, gsize len, const IgdHostFacts *facts, IgdDomXmlVerdict *out,
                  GError **error)
{
    g_autoptr(IgdXmlDoc) doc = NULL;
    g_auto(IgdDomain) dom = { 0 };
    IgdPciAddress host;
    const IgdPciAddress *want = NULL;
    xmlNode *hostdev;
    IgdPciAddress guest;
    gboolean guest_known;

    memset(out, 0, sizeof(*out));
    out->pci_hostdevs = g_ptr_array_new_with_free_func(g_free);
    out->problems = g_ptr_array_new_with_free_func(problem_free);

    doc = igd_domxml_parse(xml, len, error);
    if (doc == NULL)
        return FALSE;

    /* which host device is the IGD: metadata first, then the facts, then 00:02.0 */
    igd_domain_scan(&dom, doc, NULL, &host);
    if (dom.meta == NULL && facts && facts->present) {
        want = &facts->addr;
        igd_domain_clear(&dom);
        igd_domain_scan(&dom, doc, want, &host);
    }
    for (guint i = 0; i < dom.pci_hostdevs->len; i++) {
        IgdPciAddress *a = g_new0(IgdPciAddress, 1);
        igd_xml_hostdev_source(dom.pci_hostdevs->pdata[i], a);
        g_ptr_array_add(out->pci_hostdevs, a);
    }
    out->has_metadata = dom.meta != NULL;
    out->n_igd_hostdevs = dom.igd_hostdevs->len;
    out->igd_domain = out->has_metadata || out->n_igd_hostdevs > 0;
    if (!out->igd_domain)
        return TRUE;
    out->host_known = TRUE;
    out->host = host;
    if (facts && facts->present && !igd_pci_address_equal(&facts->addr, &host))
        facts = NULL; /* facts of another device say nothing about this one */

    hostdev = dom.igd_hostdevs->len ? dom.igd_hostdevs->pdata[0] : NULL;
    guest_known = hostdev && igd_xml_parse_pci_address(igd_xml_device_address(hostdev), &guest);

    out->mode = IGD_DOMXML_MODE_AUTO;
    if (dom.meta) {
        g_autofree char *m = igd_xml_prop(dom.meta, "mode");
        if (m && g_str_equal(m, "legacy"))
            out->mode = IGD_DOMXML_MODE_LEGACY;
        else if (m && g_str_equal(m, "upt"))
            out->mode = IGD_DOMXML_MODE_UPT;
    }
    if (out->mode == IGD_DOMXML_MODE_AUTO)
        out->mode = guest_known && is_root_slot(&guest, 2) && guest.function == 0 ? IGD_DOMXML_MODE_LEGACY
                                                                                  : IGD_DOMXML_MODE_UPT;

    if (!dom.x86)
        problem(out, "x86", "IGD assignment needs an x86 QEMU/KVM domain", "%s", dom.not_x86_reason);

    if (dom.igd_hostdevs->len == 0) {
        char name[13];
        igd_pci_address_format(&host, name);
        problem(out, "igd-hostdev", HINT_REWRITE, "no PCI hostdev for the IGD %s", name);
    } else if (dom.igd_hostdevs->len > 1) {
        problem(out, "igd-count", "keep exactly one <hostdev> for the IGD",
                "%u hostdevs name the IGD, exactly one is allowed", dom.igd_hostdevs->len);
    }
    if (hostdev) {
        xmlNode *driver = igd_xml_child(hostdev, "driver");
        if (!igd_xml_prop_eq(hostdev, "managed", "no"))
            problem(out, "managed", "set managed='no' and bind the IGD to vfio-pci with 'igd-assign setup'",
                    "the IGD hostdev is not managed='no', so libvirt would rebind it to i915 after use");
        if (driver && !igd_xml_prop_eq(driver, "name", "vfio"))
            problem(out, "driver", "use <driver name='vfio'/>", "the IGD hostdev does not use the vfio driver");
    }

    if (out->mode == IGD_DOMXML_MODE_LEGACY) {
        if (dom.machine_kind != IGD_MACHINE_I440FX)
            problem(out, "legacy-machine", "use an i440fx machine ('pc') or UPT mode",
                    "legacy mode needs an i440fx machine, the domain uses '%s'",
                    dom.machine ? dom.machine : "?");
        if (hostdev && !(guest_known && is_root_slot(&guest, 2) && guest.function == 0))
            problem(out, "legacy-address", HINT_REWRITE, "the IGD is not at guest address 00:02.0");
        if (hostdev) {
            xmlNode *rom = igd_xml_child(hostdev, "rom");
            if (rom && (igd_xml_prop_eq(rom, "bar", "off") || igd_xml_prop_eq(rom, "enabled", "no")))
                problem(out, "legacy-rom", "remove <rom bar='off'/> from the IGD hostdev",
                        "the IGD's ROM is disabled, legacy mode needs its VGA ROM");
        }
        for (xmlNode *c = dom.devices ? dom.devices->children : NULL; c; c = c->next) {
            IgdPciAddress a;
            if (c->type != XML_ELEMENT_NODE || c == hostdev)
                continue;
            if (igd_xml_parse_pci_address(igd_xml_device_address(c), &a)) {
                if (is_root_slot(&a, 2))
                    problem(out, "legacy-02", HINT_REWRITE, "<%s> sits at guest address 00:02.%u, the IGD's place",
                            (const char *)c->name, a.function);
                else if (is_root_slot(&a, 0x1f))
                    problem(out, "legacy-1f", HINT_REWRITE,
                            "<%s> sits at guest address 00:1f.%u, QEMU needs 1f.0 for the IGD LPC bridge",
                            (const char *)c->name, a.function);
            }
            if (igd_xml_is(c, "hostdev") && igd_xml_prop_eq(c, "type", "mdev") &&
                igd_xml_prop_eq(c, "display", "on"))
                problem(out, "legacy-mdev-display", HINT_REWRITE,
                        "a mediated device has display='on', which needs a <graphics> display");
            if (igd_xml_is(c, "graphics")) {
                g_autofree char *t = igd_xml_prop(c, "type");
                problem(out, "legacy-graphics", HINT_REWRITE, "a <graphics type='%s'> display is defined",
                        t ? t : "?");
            } else if (igd_xml_is_display_only(c))
                problem(out, "legacy-spice", HINT_REWRITE, "<%s> needs a SPICE display, which legacy mode removes",
                        (const char *)c->name);
        }
        verify_gms(out, &dom, hostdev, facts);
        if (!igd_domain_video_is_none(&dom))
            problem(out, "legacy-video", HINT_REWRITE,
                    "an emulated video device is defined; legacy mode needs <video><model type='none'/></video>");
    } else {
        if (guest_known && is_root_slot(&guest, 2))
            problem(out, "upt-address", HINT_REWRITE, "UPT mode must not place the IGD at guest address 00:02.0");
        if (!igd_domain_has_emulated_video(&dom))
            problem(out, "upt-video", HINT_REWRITE, "UPT mode needs an emulated primary video device");
        /* the rule inspect and rewrite apply (igd-facts.c); an IGD unknown to the table is let through */
        if (facts && facts->present && facts->platform) {
            g_autoptr(GPtrArray) why = g_ptr_array_new_with_free_func(g_free);
            if (!igd_host_facts_upt_eligible(facts, why))
                problem(out, "upt-gen", "use legacy mode for this IGD", "%s", (const char *)why->pdata[0]);
        }
    }
    return TRUE;
}
