/*
 * igd-domain.c: reading a domain definition for the IGD rules (see igd-domain.h).
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-domain.h"
#include "igd-pci.h"
#include "igd-xml.h"

static const char *const mode_names[] = { "auto", "legacy", "upt" };

const char *
igd_mode_to_string(IgdMode mode)
{
    if ((guint)mode >= G_N_ELEMENTS(mode_names))
        return "?";
    return mode_names[mode];
}

gboolean
igd_mode_from_string(const char *str, IgdMode *mode, GError **error)
{
    for (guint i = 0; str && i < G_N_ELEMENTS(mode_names); i++) {
        if (g_str_equal(str, mode_names[i])) {
            *mode = (IgdMode)i;
            return TRUE;
        }
    }
    g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "invalid mode '%s' (expected legacy, upt or auto)",
                str ? str : "");
    return FALSE;
}

static void
hostdev_free(gpointer data)
{
    IgdDomainHostdev *h = data;

    g_free(h->driver);
    g_free(h->alias);
    g_free(h->rom_file);
    g_free(h);
}

void
igd_domain_free(IgdDomain *dom)
{
    if (dom == NULL)
        return;
    g_clear_pointer(&dom->igd_hostdevs, g_ptr_array_unref);
    g_clear_pointer(&dom->pci_hostdevs, g_ptr_array_unref);
    g_free(dom->name);
    g_free(dom->uuid);
    g_free(dom->type);
    g_free(dom->machine);
    g_free(dom->not_x86_reason);
    g_free(dom->maxphysaddr_mode);
    if (dom->doc)
        xmlFreeDoc(dom->doc);
    g_free(dom);
}

/* The trimmed text of @node (g_free), NULL when @node is NULL. */
static char *
node_text(const xmlNode *node)
{
    xmlChar *t = node ? xmlNodeGetContent(node) : NULL;
    char *ret = t ? g_strstrip(g_strdup((const char *)t)) : NULL;

    xmlFree(t);
    return ret;
}

/* A <uuid> as libvirt formats it: 8-4-4-4-12 hex digits, lower case; 32 digits without dashes too. */
static char *
uuid_canonical(const char *text)
{
    char hex[33];
    guint n = 0;

    for (const char *p = text; p && *p; p++) {
        if (*p == '-')
            continue;
        if (!g_ascii_isxdigit(*p) || n >= 32)
            return NULL;
        hex[n++] = g_ascii_tolower(*p);
    }
    if (n != 32)
        return NULL;
    hex[32] = '\0';
    return g_strdup_printf("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static const char *const x86_arches[] = { "x86_64", "i686", NULL };

static void
read_os(IgdDomain *dom)
{
    xmlNode *type = igd_xml_child(dom->os, "type");
    xmlNode *loader = igd_xml_child(dom->os, "loader");
    g_autofree char *arch = type ? igd_xml_prop(type, "arch") : NULL;

    dom->machine = type ? igd_xml_prop(type, "machine") : NULL;
    dom->machine_kind = igd_machine_kind(dom->machine);
    dom->type = igd_xml_prop(dom->root, "type");
    if (dom->type && !g_str_equal(dom->type, "kvm") && !g_str_equal(dom->type, "qemu"))
        dom->not_x86_reason = g_strdup_printf("domain type '%s' is not a QEMU/KVM domain", dom->type);
    else if (arch && !g_strv_contains(x86_arches, arch))
        dom->not_x86_reason = g_strdup_printf("domain architecture '%s' is not x86", arch);
    else if (arch == NULL && dom->machine_kind == IGD_MACHINE_OTHER)
        dom->not_x86_reason = g_strdup_printf("machine type '%s' is not an x86 PC machine", dom->machine);
    dom->x86 = dom->not_x86_reason == NULL;

    /* firmware: <os firmware='efi'>, or a loader that is not SeaBIOS */
    if (igd_xml_prop_eq(dom->os, "firmware", "efi")) {
        dom->ovmf = TRUE;
    } else if (loader) {
        g_autofree char *text = node_text(loader);
        g_autofree char *path = g_ascii_strdown(text ? text : "", -1);
        dom->ovmf = igd_xml_prop_eq(loader, "type", "pflash") || strstr(path, "ovmf") || strstr(path, "edk2") ||
                    strstr(path, "efi");
    }
}

static void
read_metadata(IgdDomain *dom)
{
    g_autofree char *mode = NULL;
    g_autofree char *host = NULL;

    for (xmlNode *c = dom->metadata ? dom->metadata->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || c->ns == NULL || c->ns->href == NULL ||
            !g_str_equal((const char *)c->ns->href, IGD_DOMAIN_NS))
            continue;
        if (g_str_equal((const char *)c->name, "assign") && dom->meta == NULL)
            dom->meta = c;
        else if (g_str_equal((const char *)c->name, "undone"))
            dom->undone = TRUE;
    }
    if (dom->meta == NULL)
        return;
    dom->has_metadata = TRUE;
    mode = igd_xml_prop(dom->meta, "mode");
    if (mode == NULL || !igd_mode_from_string(mode, &dom->meta_mode, NULL))
        dom->meta_mode = IGD_MODE_AUTO;
    host = igd_xml_prop(dom->meta, "host");
    dom->meta_host_set = host && igd_pci_address_parse(host, &dom->meta_host, NULL);
}

/* A <hostdev mode='subsystem' type='pci'> (mode may be left out); FALSE for other hostdevs. */
static gboolean
is_pci_hostdev(const xmlNode *node)
{
    g_autofree char *mode = NULL;

    if (!igd_xml_is(node, "hostdev") || !igd_xml_prop_eq(node, "type", "pci"))
        return FALSE;
    mode = igd_xml_prop(node, "mode");
    return mode == NULL || g_str_equal(mode, "subsystem");
}

static IgdDomainHostdev *
read_hostdev(xmlNode *node)
{
    g_autoptr(GPtrArray) unused = NULL;
    xmlNode *source = igd_xml_child(node, "source");
    xmlNode *driver = igd_xml_child(node, "driver");
    xmlNode *alias = igd_xml_child(node, "alias");
    xmlNode *rom = igd_xml_child(node, "rom");
    IgdDomainHostdev *h = g_new0(IgdDomainHostdev, 1);
    g_autofree char *managed = igd_xml_prop(node, "managed");

    h->node = node;
    if (!igd_xml_parse_pci_address(igd_xml_child(source, "address"), &h->source)) {
        hostdev_free(h);
        return NULL;
    }
    h->guest_set = igd_xml_parse_pci_address(igd_xml_device_address(node), &h->guest);
    /* libvirt 9.0 virDomainHostdevDefParseXML: only "yes" is managed (and it writes managed='no' back) */
    h->managed = managed != NULL && g_str_equal(managed, "yes");
    h->driver = driver ? igd_xml_prop(driver, "name") : NULL;
    h->alias = alias ? igd_xml_prop(alias, "name") : NULL;
    if (rom) {
        h->rom_file = igd_xml_prop(rom, "file");
        h->rom_disabled = igd_xml_prop_eq(rom, "bar", "off") || igd_xml_prop_eq(rom, "enabled", "no");
    }
    return h;
}

static gboolean
is_intel_display(const IgdSysroot *sysroot, const IgdPciAddress *addr)
{
    g_autoptr(IgdPciDevice) dev = igd_pci_device_open_igd(sysroot, addr, NULL);

    return dev != NULL;
}

/* The rule of igd-domain.h: which host device is the IGD. */
static void
choose_igd(IgdDomain *dom, const IgdDomainReadOptions *opts)
{
    const IgdPciAddress def = { 0, 0, 2, 0 };
    gboolean found = FALSE;

    if (opts && opts->host) {
        dom->host = *opts->host;
        found = TRUE;
    } else if (dom->meta_host_set) {
        dom->host = dom->meta_host;
        found = TRUE;
    } else if (opts && opts->sysroot) {
        for (guint i = 0; i < dom->pci_hostdevs->len; i++) {
            IgdDomainHostdev *h = dom->pci_hostdevs->pdata[i];
            if (!is_intel_display(opts->sysroot, &h->source))
                continue;
            if (dom->n_intel_hostdevs++ == 0)
                dom->host = h->source;
            found = TRUE;
        }
    }
    if (!found)
        dom->host = def; /* without a sysroot a hostdev of 00:02.0 is the IGD; with one, the default names none */
    for (guint i = 0; i < dom->pci_hostdevs->len; i++) {
        IgdDomainHostdev *h = dom->pci_hostdevs->pdata[i];
        if (igd_pci_address_equal(&h->source, &dom->host) &&
            (found || opts == NULL || opts->sysroot == NULL))
            g_ptr_array_add(dom->igd_hostdevs, h);
    }
    dom->igd_domain = dom->has_metadata || dom->igd_hostdevs->len > 0;
}

static void
read_override(IgdDomain *dom)
{
    IgdDomainHostdev *igd = igd_domain_get_igd(dom);
    const char *alias = igd && igd->alias ? igd->alias : IGD_DOMAIN_ALIAS;
    xmlNode *p = igd ? igd_xml_override_find(dom->root, alias, "x-igd-gms") : NULL;
    xmlNode *l = igd ? igd_xml_override_find(dom->root, alias, "x-igd-legacy-mode") : NULL;
    g_autofree char *value = p ? igd_xml_prop(p, "value") : NULL;
    g_autofree char *legacy = l ? igd_xml_prop(l, "value") : NULL;
    guint64 v = 0;

    dom->x_igd_gms = -1;
    /* QEMU's x-igd-gms is a uint32 (DEFINE_PROP_UINT32): every value it takes is judged, a bad one too */
    if (value && g_ascii_string_to_unsigned(value, 10, 0, G_MAXUINT32, &v, NULL))
        dom->x_igd_gms = (gint)MIN(v, (guint64)G_MAXINT);
    dom->x_igd_legacy_mode = IGD_QEMU_LEGACY_AUTO;
    if (g_strcmp0(legacy, "on") == 0)
        dom->x_igd_legacy_mode = IGD_QEMU_LEGACY_ON;
    else if (g_strcmp0(legacy, "off") == 0)
        dom->x_igd_legacy_mode = IGD_QEMU_LEGACY_OFF;
}

/* A bits/limit attribute as libvirt reads it (virXMLPropUInt, base 10), -1 when absent or not 1..64. */
static gint
phys_bits_prop(const xmlNode *node, const char *name)
{
    g_autofree char *v = node ? igd_xml_prop(node, name) : NULL;
    guint64 n = 0;

    if (v == NULL || !g_ascii_string_to_unsigned(v, 10, 1, 64, &n, NULL))
        return -1;
    return (gint)n;
}

static void
read_cpu(IgdDomain *dom)
{
    static const char *const drivers[] = { IGD_DOMAIN_CPU_GLOBAL, IGD_DOMAIN_CPU_GLOBAL_HOST, NULL };
    xmlNode *mpa;
    g_autofree char *limit = NULL;
    guint64 n = 0;

    dom->cpu = igd_xml_child(dom->root, "cpu");
    dom->cpu_host = igd_xml_prop_eq(dom->cpu, "mode", "host-passthrough") || igd_xml_prop_eq(dom->cpu, "mode", "maximum");
    mpa = igd_xml_child(dom->cpu, "maxphysaddr");
    dom->maxphysaddr_mode = mpa ? igd_xml_prop(mpa, "mode") : NULL;
    if (mpa && dom->maxphysaddr_mode == NULL)
        dom->maxphysaddr_mode = g_strdup("");
    dom->maxphysaddr_bits = phys_bits_prop(mpa, "bits");
    dom->maxphysaddr_limit = phys_bits_prop(mpa, "limit");
    dom->global_phys_bits_limit = -1;
    if (igd_xml_commandline_find_global(dom->root, drivers, "host-phys-bits-limit", &limit) &&
        g_ascii_string_to_unsigned(limit, 10, 1, 64, &n, NULL))
        dom->global_phys_bits_limit = (gint)n;
}

gint
igd_domain_guest_phys_bits(const IgdDomain *dom, guint host_cpu_bits)
{
    gint limit = -1;

    if (dom->cpu_host || g_strcmp0(dom->maxphysaddr_mode, "passthrough") == 0) {
        /* host-phys-bits: the host's bits, at most a host-phys-bits-limit */
        if (g_strcmp0(dom->maxphysaddr_mode, "passthrough") == 0 && dom->maxphysaddr_limit > 0)
            limit = dom->maxphysaddr_limit;
        if (dom->global_phys_bits_limit > 0 && (limit < 0 || dom->global_phys_bits_limit < limit))
            limit = dom->global_phys_bits_limit;
        if (host_cpu_bits == 0)
            return limit;
        return limit > 0 ? MIN((gint)host_cpu_bits, limit) : (gint)host_cpu_bits;
    }
    if (g_strcmp0(dom->maxphysaddr_mode, "emulate") == 0 && dom->maxphysaddr_bits > 0)
        return dom->maxphysaddr_bits;
    return IGD_DOMAIN_QEMU_DEFAULT_PHYS_BITS;
}

IgdDomain *
igd_domain_read(const char *xml, gsize len, const IgdDomainReadOptions *opts, GError **error)
{
    g_autoptr(IgdDomain) dom = g_new0(IgdDomain, 1);
    IgdDomainHostdev *igd;

    dom->doc = igd_xml_parse_domain(xml, len, error);
    if (dom->doc == NULL)
        return NULL;
    dom->root = xmlDocGetRootElement(dom->doc);
    dom->os = igd_xml_child(dom->root, "os");
    dom->devices = igd_xml_child(dom->root, "devices");
    dom->metadata = igd_xml_child(dom->root, "metadata");
    dom->name = node_text(igd_xml_child(dom->root, "name"));
    {
        g_autofree char *uuid = node_text(igd_xml_child(dom->root, "uuid"));
        dom->uuid = uuid ? uuid_canonical(uuid) : NULL;
    }
    read_os(dom);
    read_cpu(dom);
    read_metadata(dom);

    dom->pci_hostdevs = g_ptr_array_new_with_free_func(hostdev_free);
    dom->igd_hostdevs = g_ptr_array_new();
    for (xmlNode *c = dom->devices ? dom->devices->children : NULL; c; c = c->next) {
        IgdDomainHostdev *h;
        if (!is_pci_hostdev(c))
            continue;
        h = read_hostdev(c);
        if (h)
            g_ptr_array_add(dom->pci_hostdevs, h);
        else
            dom->bad_hostdevs++;
    }
    choose_igd(dom, opts);

    igd = igd_domain_get_igd(dom);
    if (dom->meta_mode != IGD_MODE_AUTO)
        dom->mode = dom->meta_mode;
    else
        dom->mode = igd && igd->guest_set && igd->guest.domain == 0 && igd->guest.bus == 0 && igd->guest.slot == 2 &&
                            igd->guest.function == 0
                        ? IGD_MODE_LEGACY
                        : IGD_MODE_UPT;
    read_override(dom);
    return g_steal_pointer(&dom);
}

IgdDomainHostdev *
igd_domain_get_igd(const IgdDomain *dom)
{
    return dom->igd_hostdevs->len ? dom->igd_hostdevs->pdata[0] : NULL;
}

IgdBinder
igd_domain_binder(const IgdDomain *dom)
{
    const IgdDomainHostdev *h = igd_domain_get_igd(dom);

    if (h == NULL)
        return IGD_BINDER_NONE;
    if (h->managed)
        return IGD_BINDER_LIBVIRT;
    return dom->has_metadata ? IGD_BINDER_DAEMON : IGD_BINDER_NONE;
}

const char *
igd_domain_romfile(const IgdDomain *dom, const char *romfile)
{
    IgdDomainHostdev *igd = igd_domain_get_igd(dom);

    if (romfile)
        return romfile;
    return igd && igd->rom_file && *igd->rom_file ? igd->rom_file : NULL;
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

    for (xmlNode *c = dom->devices ? dom->devices->children : NULL; c; c = c->next) {
        g_autofree char *m = NULL;
        if (!igd_xml_is(c, "video"))
            continue;
        n++;
        m = video_model(c);
        none = m && g_str_equal(m, "none");
    }
    return n == 1 && none;
}

gboolean
igd_domain_has_emulated_video(const IgdDomain *dom)
{
    for (xmlNode *c = dom->devices ? dom->devices->children : NULL; c; c = c->next) {
        g_autofree char *m = NULL;
        if (!igd_xml_is(c, "video"))
            continue;
        m = video_model(c);
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
igd_domain_is_display_only(const xmlNode *device)
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
