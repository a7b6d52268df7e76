/*
 * igd-domxml-private.h: what igd-domxml.c (parse, serialise, rewrite) and
 * igd-domxml-rules.c (the rules of SPEC.md §4, verify) share.
 */
#pragma once

#include <libxml/tree.h>

#include "igd-domxml.h"

G_BEGIN_DECLS

typedef enum {
    IGD_MACHINE_I440FX,  /* "pc", "pc-i440fx-*", "pc-0.x"/"pc-1.x", or absent (libvirt's x86 default) */
    IGD_MACHINE_Q35,     /* "q35", "pc-q35-*" */
    IGD_MACHINE_OTHER,   /* isapc, microvm, ... */
} IgdMachineKind;

typedef enum {
    IGD_FIRMWARE_SEABIOS,
    IGD_FIRMWARE_OVMF,
} IgdFirmwareKind;

/* What the engine reads from a domain before applying rules. */
typedef struct {
    xmlNode *root;
    xmlNode *os;
    xmlNode *devices;        /* may be NULL */
    const char *machine;     /* <os><type machine=...>, NULL when absent */
    IgdMachineKind machine_kind;
    IgdFirmwareKind firmware;
    gboolean x86;
    char *not_x86_reason;    /* set when !x86 */
    xmlNode *meta;           /* <igd:assign>, NULL when absent */
    GPtrArray *igd_hostdevs; /* xmlNode*: PCI hostdevs whose source is the IGD */
    GPtrArray *pci_hostdevs; /* xmlNode*: every PCI hostdev */
} IgdDomain;

void igd_domain_clear(IgdDomain *dom);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(IgdDomain, igd_domain_clear)
/* Fill @dom from @doc for the IGD at @host (NULL: take it from the metadata or 00:02.0). */
void igd_domain_scan(IgdDomain *dom, xmlDoc *doc, const IgdPciAddress *host, IgdPciAddress *host_out);

/* Small XML helpers. */
gboolean igd_xml_is(const xmlNode *node, const char *name);
xmlNode *igd_xml_child(const xmlNode *parent, const char *name);
char *igd_xml_prop(const xmlNode *node, const char *name); /* g_free */
gboolean igd_xml_prop_eq(const xmlNode *node, const char *name, const char *value);
/* The guest PCI <address type='pci'> child of a device element, NULL if none. */
xmlNode *igd_xml_device_address(const xmlNode *device);
/* Parse domain/bus/slot/function attributes of an address element (libvirt: base 0). */
gboolean igd_xml_parse_pci_address(const xmlNode *address, IgdPciAddress *addr);

/* Host PCI source of a <hostdev type='pci'>, FALSE if it has none. */
gboolean igd_xml_hostdev_source(const xmlNode *hostdev, IgdPciAddress *addr);
/* TRUE when the video devices amount to exactly <video><model type='none'/></video>. */
gboolean igd_domain_video_is_none(const IgdDomain *dom);
/* TRUE when some <video> with a model other than none exists. */
gboolean igd_domain_has_emulated_video(const IgdDomain *dom);
/* Devices that only work with a display (graphics, spice channels, ...). */
gboolean igd_xml_is_display_only(const xmlNode *device);

IgdMachineKind igd_machine_kind(const char *machine);

G_END_DECLS
