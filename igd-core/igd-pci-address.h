/*
 * igd-pci-address.h: a PCI address, parsed strictly. The only way a PCI
 * name from outside (argv, D-Bus, domain XML) becomes part of a host path.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
    guint16 domain;
    guint8 bus;
    guint8 slot;     /* 0..0x1f */
    guint8 function; /* 0..7 */
} IgdPciAddress;

#define IGD_PCI_ADDRESS_DEFAULT "0000:00:02.0"

/*
 * Parse "DDDD:BB:SS.F" or "BB:SS.F" (hex digits, exactly those widths,
 * slot ≤ 0x1f, function ≤ 7, nothing else). Anything else:
 * IGD_ERROR_USAGE naming the string.
 */
gboolean igd_pci_address_parse(const char *str, IgdPciAddress *addr, GError **error);
/* "0000:00:02.0" (lower-case hex, newly allocated). */
char *igd_pci_address_to_string(const IgdPciAddress *addr);
/* Writes the canonical form into @buf (13 bytes incl. NUL). */
void igd_pci_address_format(const IgdPciAddress *addr, char buf[static 13]);
gboolean igd_pci_address_equal(const IgdPciAddress *a, const IgdPciAddress *b);

/* libvirt's node device name of @addr, "pci_0000_00_02_0", into @buf. */
void igd_pci_address_nodedev_name(const IgdPciAddress *addr, char buf[static 17]);

G_END_DECLS
