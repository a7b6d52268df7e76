/*
 * igd-domain.h: one reading of a libvirt domain definition for the IGD
 * rules: its uuid and name, machine and firmware, every PCI hostdev, the
 * IGD hostdev chosen by one rule, its guest address, <rom>, the
 * <qemu:override> properties of its alias and the <igd:assign> metadata.
 * Rewrite, verify, the hook, the daemon's watcher and `status` read domains
 * through this and nothing else.
 *
 * Which hostdev is the IGD (igd_domain_read()), in this order:
 *   1. the host address the caller names (`--host`);
 *   2. the host address of the <igd:assign> metadata;
 *   3. with a sysroot: the hostdev whose host device is an Intel
 *      display-class device (igd_pci_device_open_igd());
 *   4. without one: a hostdev of 0000:00:02.0;
 *   else the default 0000:00:02.0 (no hostdev is the IGD).
 * A domain is an IGD domain when it carries <igd:assign> metadata or one of
 * its hostdevs is the IGD (SPEC.md §6).
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "igd-pci-address.h"
#include "igd-qemu.h"
#include "igd-requirements.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

/* Namespace of the <igd:assign> and <igd:undone> metadata elements (xml-schemas/igd-assign-metadata.rng). */
#define IGD_DOMAIN_NS        "http://igd-assign.org/schemas/domain/1.0"
#define IGD_DOMAIN_NS_PREFIX "igd"
/* The user alias given to the IGD hostdev (<qemu:override> targets it). */
#define IGD_DOMAIN_ALIAS     "ua-igd"

typedef enum {
    IGD_MODE_AUTO = 0,
    IGD_MODE_LEGACY,
    IGD_MODE_UPT,
} IgdMode;

/* "auto", "legacy", "upt". */
const char *igd_mode_to_string(IgdMode mode);
/* Parse a --mode value; anything else is IGD_ERROR_USAGE. */
gboolean igd_mode_from_string(const char *str, IgdMode *mode, GError **error);

typedef struct {
    xmlNode *node;               /* the <hostdev> element */
    IgdPciAddress source;        /* the host device */
    gboolean guest_set;          /* a guest <address type='pci'> is given */
    IgdPciAddress guest;
    gboolean managed;            /* managed='yes' (absent is 'no', as libvirt reads it) */
    char *driver;                /* <driver name=...>, NULL: none */
    char *alias;                 /* <alias name=...>, NULL: none */
    char *rom_file;              /* <rom file=...>, NULL: none */
    gboolean rom_disabled;       /* <rom bar='off'> or enabled='no' */
} IgdDomainHostdev;

typedef struct {
    xmlDoc *doc;                 /* owned */
    xmlNode *root, *os, *devices, *metadata, *meta; /* meta: the <igd:assign> element */
    char *name;                  /* <name>, NULL: none */
    char *uuid;                  /* <uuid> as libvirt formats it (lower case), NULL: none or malformed */
    char *type;                  /* <domain type=...> */
    char *machine;               /* <os><type machine=...>, NULL: absent */
    IgdMachineKind machine_kind;
    gboolean ovmf;               /* boots UEFI (firmware='efi', a pflash or OVMF/edk2 loader) */
    gboolean x86;                /* a QEMU/KVM x86 domain */
    char *not_x86_reason;        /* why not, when !x86 */

    gboolean has_metadata;       /* <igd:assign> present */
    gboolean undone;             /* <igd:undone> present: `igd-assign undo` opted the domain out of the
                                  * watcher's adjustments until `igd-assign setup` (which removes it) */
    IgdMode meta_mode;           /* its mode attribute (AUTO: absent or unknown) */
    gboolean meta_host_set;
    IgdPciAddress meta_host;     /* its host attribute */

    GPtrArray *pci_hostdevs;     /* IgdDomainHostdev*: every PCI subsystem hostdev with a valid source */
    guint bad_hostdevs;          /* PCI subsystem hostdevs whose source address does not parse */

    gboolean igd_domain;         /* carries metadata or an IGD hostdev */
    IgdPciAddress host;          /* the IGD's host address (the rule above) */
    GPtrArray *igd_hostdevs;     /* IgdDomainHostdev* (of @pci_hostdevs) whose source is @host */
    guint n_intel_hostdevs;      /* hostdevs found to be Intel display devices through the sysroot */
    IgdMode mode;                /* the intended mode: the metadata's, else legacy when the IGD is at guest 00:02.0 */
    gint x_igd_gms;              /* x-igd-gms of the IGD hostdev's alias in <qemu:override>, -1: unset (a value
                                  * past G_MAXINT reads as G_MAXINT: QEMU takes a uint32) */
    IgdQemuLegacyMode x_igd_legacy_mode; /* x-igd-legacy-mode there ("on", "off", "auto"), default auto */

    /* what bounds the guest CPU's physical address bits (igd_domain_guest_phys_bits()) */
    xmlNode *cpu;                /* <cpu>, NULL: none */
    gboolean cpu_host;           /* <cpu mode='host-passthrough'> or 'maximum': QEMU's -cpu host / -cpu max */
    char *maxphysaddr_mode;      /* <cpu><maxphysaddr mode=...> as written, NULL: no <maxphysaddr> */
    gint maxphysaddr_bits;       /* its bits= (mode='emulate': QEMU phys-bits), -1: unset or not a number */
    gint maxphysaddr_limit;      /* its limit= (libvirt 9.3+, mode='passthrough': host-phys-bits-limit), -1: unset */
    gint global_phys_bits_limit; /* a <qemu:commandline> -global IGD_DOMAIN_CPU_GLOBAL(s).host-phys-bits-limit=N, -1: none */
} IgdDomain;

/*
 * The QOM types of QEMU's -cpu max and -cpu host (host is a subtype of max,
 * so a -global on max-x86_64-cpu reaches both), whose host-phys-bits-limit
 * a <qemu:commandline> -global can set where libvirt has no <maxphysaddr
 * limit> (before 9.3).
 */
#define IGD_DOMAIN_CPU_GLOBAL      "max-x86_64-cpu"
#define IGD_DOMAIN_CPU_GLOBAL_HOST "host-x86_64-cpu"
/* QEMU's phys-bits when nothing sets it (target/i386/cpu.c: TCG_PHYS_ADDR_BITS, also under KVM). */
#define IGD_DOMAIN_QEMU_DEFAULT_PHYS_BITS 40

typedef struct {
    const IgdPciAddress *host;   /* the IGD's host address when the caller knows it (--host), NULL: the rule */
    const IgdSysroot *sysroot;   /* the host whose devices decide which hostdev is the IGD, NULL: by address */
} IgdDomainReadOptions;

/*
 * Parse @xml (igd_xml_parse_domain(): safe, bounded, no DOCTYPE) and read
 * it. @opts may be NULL. Errors: IGD_ERROR_INVALID when the XML is not a
 * domain definition.
 */
IgdDomain *igd_domain_read(const char *xml, gsize len, const IgdDomainReadOptions *opts,
                           GError **error) G_GNUC_WARN_UNUSED_RESULT;
void igd_domain_free(IgdDomain *dom);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdDomain, igd_domain_free)

/* The IGD hostdev (the first of @igd_hostdevs), NULL when none. */
IgdDomainHostdev *igd_domain_get_igd(const IgdDomain *dom);

/*
 * The ROM file the IGD hostdev names: @romfile when given (a --romfile),
 * else its own <rom file=...>; NULL when neither. A domain's own ROM file is
 * a ROM source exactly like --romfile.
 */
const char *igd_domain_romfile(const IgdDomain *dom, const char *romfile);

/*
 * Who puts the IGD on vfio-pci when the domain starts: libvirt for a
 * managed='yes' IGD hostdev (it detaches the device itself and gives it
 * back to its host driver when the domain stops), igd-assignd for a domain
 * set up by igd-assign (<igd:assign> metadata, managed='no': after a reboot
 * the IGD is back on i915 and the daemon binds it at prepare begin), nobody
 * for any other managed='no' hostdev (the user detaches it, `virsh
 * nodedev-detach`) or a domain without an IGD hostdev.
 */
IgdBinder igd_domain_binder(const IgdDomain *dom);

/*
 * The most physical address bits the guest's CPU can get from this
 * definition on a host whose CPU has @host_cpu_bits (0: unknown):
 *  - -cpu host or max (<cpu mode='host-passthrough'|'maximum'>), or
 *    <maxphysaddr mode='passthrough'> (host-phys-bits=on): the host's bits,
 *    lowered by a host-phys-bits-limit (<maxphysaddr limit>, or a -global);
 *    phys-bits (<maxphysaddr mode='emulate' bits>) does not count there, as
 *    QEMU turns host-phys-bits on for -cpu host/max (target/i386/host-cpu.c
 *    host_cpu_max_instance_init()) and then ignores phys-bits;
 *  - any other CPU: <maxphysaddr mode='emulate' bits=N> gives N, else QEMU's
 *    IGD_DOMAIN_QEMU_DEFAULT_PHYS_BITS.
 * -1 when it depends on a host CPU whose bits are unknown.
 */
gint igd_domain_guest_phys_bits(const IgdDomain *dom, guint host_cpu_bits);

/* TRUE when the video devices amount to exactly <video><model type='none'/></video>. */
gboolean igd_domain_video_is_none(const IgdDomain *dom);
/* TRUE when some <video> with a model other than none exists (a <video> without a model is emulated). */
gboolean igd_domain_has_emulated_video(const IgdDomain *dom);
/* Devices that only work with a display (graphics, spice channels, spice audio, ...). */
gboolean igd_domain_is_display_only(const xmlNode *device);

G_END_DECLS
