/*
 * igd-pci-address.c: strict PCI address parsing.
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-pci-address.h"

static gboolean
parse_hex(const char *s, gsize n, guint *out)
{
    guint v = 0;

    for (gsize i = 0; i < n; i++) {
        int d = g_ascii_xdigit_value(s[i]);
        if (d < 0)
            return FALSE;
        v = (v << 4) | (guint)d;
    }
    *out = v;
    return TRUE;
}

gboolean
igd_pci_address_parse(const char *str, IgdPciAddress *addr, GError **error)
{
    guint domain = 0, bus, slot, function;
    const char *p = str;
    gsize len;

    if (str == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "missing PCI address");
        return FALSE;
    }
    len = strlen(str);
    if (len == 12) {
        if (str[4] != ':' || !parse_hex(str, 4, &domain))
            goto bad;
        p = str + 5;
    } else if (len != 7) {
        goto bad;
    }
    if (p[2] != ':' || p[5] != '.' ||
        !parse_hex(p, 2, &bus) || !parse_hex(p + 3, 2, &slot) || !parse_hex(p + 6, 1, &function) ||
        slot > 0x1f || function > 7)
        goto bad;
    addr->domain = (guint16)domain;
    addr->bus = (guint8)bus;
    addr->slot = (guint8)slot;
    addr->function = (guint8)function;
    return TRUE;

 bad:
    {
        g_autofree char *shown = g_strescape(str, NULL);
        g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE,
                    "invalid PCI address '%.64s': expected DDDD:BB:SS.F or BB:SS.F in hex", shown);
    }
    return FALSE;
}

void
igd_pci_address_format(const IgdPciAddress *addr, char buf[static 13])
{
    g_snprintf(buf, 13, "%04x:%02x:%02x.%x", addr->domain, addr->bus, addr->slot, addr->function);
}

char *
igd_pci_address_to_string(const IgdPciAddress *addr)
{
    char buf[13];

    igd_pci_address_format(addr, buf);
    return g_strdup(buf);
}

gboolean
igd_pci_address_equal(const IgdPciAddress *a, const IgdPciAddress *b)
{
    return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot && a->function == b->function;
}

void
igd_pci_address_nodedev_name(const IgdPciAddress *addr, char buf[static 17])
{
    g_snprintf(buf, 17, "pci_%04x_%02x_%02x_%x", addr->domain, addr->bus, addr->slot, addr->function);
}
