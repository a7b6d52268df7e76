/*
 * igd-virt.c: libvirt for setup/undo, loaded with dlopen() at run time so
 * the CLI binary does not pay libvirt's start-up for `rewrite`. Each
 * function pointer has the type of the libvirt header's own prototype.
 */
#include "config.h"

#include <dlfcn.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

#include "igd-common.h"
#include "igd-pci.h"
#include "igd-snapshot.h"
#include "igd-virt.h"
#include "igd-xml.h"

static void
virt_silent(void *userdata, virErrorPtr err)
{
}

static const char *
last_error(IgdVirt *v)
{
    const char *m = v->getLastErrorMessage ? v->getLastErrorMessage() : NULL;

    return m ? m : "unknown libvirt error";
}

#define LOAD(field, sym)                                                                                   \
    G_STMT_START                                                                                           \
    {                                                                                                      \
        v->field = (__typeof__(sym) *)dlsym(v->handle, #sym);                                              \
        if (v->field == NULL) {                                                                            \
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "libvirt.so.0 lacks %s (libvirt too old?)", #sym); \
            return NULL;                                                                                   \
        }                                                                                                  \
    }                                                                                                      \
    G_STMT_END

IgdVirt *
igd_virt_open(const char *uri, GError **error)
{
    g_autoptr(IgdVirt) v = g_new0(IgdVirt, 1);

    v->handle = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);
    if (v->handle == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot load libvirt.so.0: %s", dlerror());
        return NULL;
    }
    LOAD(connectOpen, virConnectOpen);
    LOAD(connectClose, virConnectClose);
    LOAD(domainLookupByName, virDomainLookupByName);
    LOAD(domainGetXMLDesc, virDomainGetXMLDesc);
    LOAD(domainDefineXMLFlags, virDomainDefineXMLFlags);
    LOAD(domainFree, virDomainFree);
    LOAD(nodeDeviceLookupByName, virNodeDeviceLookupByName);
    LOAD(nodeDeviceGetXMLDesc, virNodeDeviceGetXMLDesc);
    LOAD(nodeDeviceDetachFlags, virNodeDeviceDetachFlags);
    LOAD(nodeDeviceReAttach, virNodeDeviceReAttach);
    LOAD(nodeDeviceFree, virNodeDeviceFree);
    LOAD(getLastErrorMessage, virGetLastErrorMessage);
    LOAD(setErrorFunc, virSetErrorFunc);
    LOAD(connectListAllDomains, virConnectListAllDomains);
    LOAD(domainGetName, virDomainGetName);
    LOAD(domainIsActive, virDomainIsActive);
    v->setErrorFunc(NULL, virt_silent);

    if (uri == NULL)
        uri = g_getenv("LIBVIRT_DEFAULT_URI");
    if (uri == NULL || uri[0] == '\0')
        uri = "qemu:///system";
    v->conn = v->connectOpen(uri);
    if (v->conn == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot connect to '%s': %s", uri, last_error(v));
        return NULL;
    }
    return g_steal_pointer(&v);
}

void
igd_virt_close(IgdVirt *virt)
{
    if (virt == NULL)
        return;
    if (virt->conn)
        virt->connectClose(virt->conn);
    /* libvirt keeps threads and atexit state: it is never dlclose()d */
    g_free(virt);
}

void
igd_virt_igd_domain_free(IgdVirtIgdDomain *d)
{
    if (d == NULL)
        return;
    g_free(d->name);
    g_free(d->uuid);
    g_clear_pointer(&d->findings, g_ptr_array_unref);
    g_free(d);
}

static gint
compare_igd_domain(gconstpointer a, gconstpointer b)
{
    const IgdVirtIgdDomain *x = *(IgdVirtIgdDomain *const *)a;
    const IgdVirtIgdDomain *y = *(IgdVirtIgdDomain *const *)b;

    return g_strcmp0(x->name, y->name);
}

GPtrArray *
igd_virt_list_igd_domains(IgdVirt *v, const IgdSysroot *sysroot, GError **error)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)igd_virt_igd_domain_free);
    virDomainPtr *doms = NULL;
    int n = v->connectListAllDomains(v->conn, &doms, 0);

    if (n < 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot list the domains: %s", last_error(v));
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        char *xml = v->domainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE);
        IgdDomainReadOptions ro = { NULL, sysroot };
        g_autoptr(IgdDomain) dom = xml ? igd_domain_read(xml, strlen(xml), &ro, NULL) : NULL;

        if (dom && dom->igd_domain) {
            IgdVirtIgdDomain *d = g_new0(IgdVirtIgdDomain, 1);
            const char *name = v->domainGetName(doms[i]);
            g_autoptr(IgdSnapshot) snapshot = igd_snapshot_gather(sysroot, &dom->host, 0, NULL);

            d->name = g_strdup(name ? name : "");
            d->uuid = g_strdup(dom->uuid);
            d->active = v->domainIsActive(doms[i]) == 1;
            d->has_metadata = dom->has_metadata;
            d->undone = dom->undone;
            d->mode = dom->mode;
            d->host = dom->host;
            d->findings = igd_domxml_verify(dom, snapshot);
            g_ptr_array_add(out, d);
        }
        free(xml);
        v->domainFree(doms[i]);
    }
    free(doms);
    g_ptr_array_sort(out, compare_igd_domain);
    return g_steal_pointer(&out);
}

static virDomainPtr
lookup(IgdVirt *v, const char *name, GError **error)
{
    virDomainPtr dom = v->domainLookupByName(v->conn, name);

    if (dom == NULL)
        g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND, "no domain '%s': %s", name, last_error(v));
    return dom;
}

char *
igd_virt_get_inactive_xml(IgdVirt *v, const char *name, gboolean secure, GError **error)
{
    virDomainPtr dom = lookup(v, name, error);
    char *xml, *ret;

    if (dom == NULL)
        return NULL;
    xml = v->domainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | (secure ? VIR_DOMAIN_XML_SECURE : 0));
    if (xml == NULL)
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot get the definition of '%s': %s", name, last_error(v));
    v->domainFree(dom);
    if (xml == NULL)
        return NULL;
    ret = g_strdup(xml);
    free(xml);
    return ret;
}

gboolean
igd_virt_define(IgdVirt *v, const char *xml, GError **error)
{
    virDomainPtr dom = v->domainDefineXMLFlags(v->conn, xml, VIR_DOMAIN_DEFINE_VALIDATE);

    if (dom == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED, "libvirt refuses the definition: %s", last_error(v));
        return FALSE;
    }
    v->domainFree(dom);
    return TRUE;
}

gboolean
igd_virt_nodedev_is_intel_display(const char *xml, GError **error)
{
    g_autoptr(IgdXmlDoc) doc = NULL;
    xmlNode *root, *cap = NULL;
    guint64 vendor = 0, klass = 0;
    gboolean have_vendor = FALSE, have_class = FALSE;

    doc = xmlReadMemory(xml, (int)strlen(xml), "nodedev.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (root == NULL || doc->intSubset || !g_str_equal((const char *)root->name, "device")) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INVALID, "libvirt's node-device XML does not parse");
        return FALSE;
    }
    for (xmlNode *c = root->children; c; c = c->next) {
        xmlChar *t;
        if (c->type != XML_ELEMENT_NODE || !g_str_equal((const char *)c->name, "capability"))
            continue;
        t = xmlGetNoNsProp(c, (const xmlChar *)"type");
        if (t && g_str_equal((const char *)t, "pci"))
            cap = c;
        xmlFree(t);
    }
    if (cap == NULL) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED, "the node device is not a PCI device");
        return FALSE;
    }
    for (xmlNode *c = cap->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (g_str_equal((const char *)c->name, "vendor")) {
            xmlChar *id = xmlGetNoNsProp(c, (const xmlChar *)"id");
            have_vendor = id && g_ascii_string_to_unsigned((const char *)id + (g_str_has_prefix((const char *)id, "0x") ? 2 : 0),
                                                           16, 0, 0xffff, &vendor, NULL);
            xmlFree(id);
        } else if (g_str_equal((const char *)c->name, "class")) {
            xmlChar *t = xmlNodeGetContent(c);
            have_class = t && g_str_has_prefix((const char *)t, "0x") &&
                         g_ascii_string_to_unsigned((const char *)t + 2, 16, 0, 0xffffff, &klass, NULL);
            xmlFree(t);
        }
    }
    if (!have_vendor || !have_class) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                            "libvirt does not say the device's vendor and class");
        return FALSE;
    }
    if (!igd_pci_ids_are_intel_display((guint16)vendor, (guint32)klass) || vendor > 0xffff) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                    "the device is vendor 0x%04x class 0x%06x, not an Intel display device", (guint)vendor,
                    (guint)klass);
        return FALSE;
    }
    return TRUE;
}

static virNodeDevicePtr
igd_nodedev(IgdVirt *v, const IgdPciAddress *addr, GError **error)
{
    char name[17];
    virNodeDevicePtr dev;

    igd_pci_address_nodedev_name(addr, name);
    dev = v->nodeDeviceLookupByName(v->conn, name);
    char *xml;
    gboolean ok;

    if (dev == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND, "no node device '%s': %s", name, last_error(v));
        return NULL;
    }
    xml = v->nodeDeviceGetXMLDesc(dev, 0);
    if (xml == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot read node device '%s': %s", name, last_error(v));
        v->nodeDeviceFree(dev);
        return NULL;
    }
    ok = igd_virt_nodedev_is_intel_display(xml, error);
    free(xml);
    if (!ok) {
        g_prefix_error(error, "refusing to detach node device '%s': ", name);
        v->nodeDeviceFree(dev);
        return NULL;
    }
    return dev;
}

gboolean
igd_virt_check_igd(IgdVirt *v, const IgdPciAddress *addr, GError **error)
{
    virNodeDevicePtr dev = igd_nodedev(v, addr, error);

    if (dev == NULL)
        return FALSE;
    v->nodeDeviceFree(dev);
    return TRUE;
}

gboolean
igd_virt_detach_igd(IgdVirt *v, const IgdPciAddress *addr, GError **error)
{
    virNodeDevicePtr dev = igd_nodedev(v, addr, error);
    int r;

    if (dev == NULL)
        return FALSE;
    r = v->nodeDeviceDetachFlags(dev, "vfio", 0);
    if (r < 0)
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot detach the IGD to vfio-pci: %s", last_error(v));
    v->nodeDeviceFree(dev);
    return r == 0;
}

gboolean
igd_virt_reattach_igd(IgdVirt *v, const IgdPciAddress *addr, GError **error)
{
    virNodeDevicePtr dev = igd_nodedev(v, addr, error);
    int r;

    if (dev == NULL)
        return FALSE;
    r = v->nodeDeviceReAttach(dev);
    if (r < 0)
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot give the IGD back to its host driver: %s", last_error(v));
    v->nodeDeviceFree(dev);
    return r == 0;
}
