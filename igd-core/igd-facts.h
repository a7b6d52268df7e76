/*
 * igd-facts.h: what the domain-XML engine needs to know about the host's
 * IGD and the installed QEMU, gathered once (from a sysroot and a QEMU
 * probe) so the rewrite engine itself stays pure: XML + facts in, XML +
 * reasons out. Tests build facts by hand or from a captured host tree.
 */
#pragma once

#include <glib.h>

#include "igd-devices.h"
#include "igd-gmch.h"
#include "igd-pci-address.h"
#include "igd-qemu.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

typedef struct {
    gboolean present;              /* an Intel display-class device was found at @addr */
    IgdPciAddress addr;            /* the host device the facts describe */
    guint16 vendor_id;
    guint16 device_id;
    guint32 class_code;
    const IgdPlatformInfo *platform; /* NULL: device id unknown to the table */
    gboolean gmch_valid;           /* @gmch was decoded from the device's config space */
    IgdGmchInfo gmch;
    gboolean rom_known;            /* the ROM could be read and parsed */
    gboolean rom_legacy;           /* ROM has an x86 (legacy VGA BIOS) image */
    gboolean rom_efi_gop;          /* ROM has an EFI image (GOP driver) */
    gboolean rom_is_romfile;       /* the rom_* fields describe the --romfile, not the device's ROM */
    gboolean vfio_vga_known;       /* disable_vga could be read */
    gboolean vfio_vga_ok;          /* vfio-pci disable_vga is off */
    gboolean kernel_known;
    gboolean kernel_ok;            /* kernel has the vfio IGD extensions (v4.6+) */
    IgdQemuCaps *qemu;             /* the installed QEMU (owned), NULL when not probed */
    GPtrArray *notes;              /* char*: what could not be gathered, one sentence each */
} IgdHostFacts;

/* Empty facts ("no IGD known"). Free with igd_host_facts_free(). */
IgdHostFacts *igd_host_facts_new(void);
void igd_host_facts_free(IgdHostFacts *facts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdHostFacts, igd_host_facts_free)

/*
 * Gather the facts of host device @addr (NULL → 0000:00:02.0) under
 * @sysroot, and probe @qemu_binary (NULL → the default QEMU; "" → do not
 * probe) when the device is an Intel display device. A device that is
 * missing gives facts with present FALSE (and a note); a device that exists
 * but is not an Intel display-class device gives present FALSE and
 * *@not_igd TRUE. Anything that cannot be read is a note, never an error;
 * FALSE only for an internal failure.
 */
IgdHostFacts *igd_host_facts_gather(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                                    const char *qemu_binary, gboolean *not_igd,
                                    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Describe the ROM file @path (a --romfile) in @facts instead of the
 * device's own ROM. FALSE (facts unchanged) when the file cannot be read or
 * is not a PCI option ROM; the error says which.
 */
gboolean igd_host_facts_use_romfile(IgdHostFacts *facts, const char *path, GError **error);

/*
 * Probe @qemu_binary (NULL: $IGD_QEMU, else the default QEMU) with the
 * probe cache every front end shares: $IGD_ASSIGN_CACHE_DIR ("" = no
 * cache), else $XDG_CACHE_HOME/igd-assign.
 */
IgdQemuCaps *igd_host_facts_probe_qemu(const char *qemu_binary, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Read the host-wide facts (vfio-pci disable_vga, kernel release) under
 * @sysroot into @facts; what cannot be read is a note.
 */
void igd_host_facts_read_host(IgdHostFacts *facts, const IgdSysroot *sysroot);

/*
 * The host side of legacy-mode eligibility (SPEC.md §1, §4 `auto`), the one
 * place `inspect` and the domain engine decide it: IGD generation, vfio-pci
 * VGA, kernel, ROM image for the firmware (@ovmf: the guest boots OVMF and
 * needs an EFI GOP, else SeaBIOS needs the x86 VGA BIOS), and what the
 * installed QEMU does with this IGD on @machine (NULL: "pc"), including
 * where it emulates BDSM. @romfile_unchecked: a --romfile the facts do not
 * describe replaces the device's ROM (the ROM is not judged). Each failed
 * rule adds one sentence to @fails, each satisfied one to @oks (either may
 * be NULL). Facts with present FALSE judge nothing and give TRUE.
 */
gboolean igd_host_facts_legacy_eligible(const IgdHostFacts *facts, const char *machine, gboolean ovmf,
                                        gboolean romfile_unchecked, GPtrArray *fails, GPtrArray *oks);

/* The host side of UPT eligibility: a known IGD of gen 8 (Broadwell) or newer. Same conventions. */
gboolean igd_host_facts_upt_eligible(const IgdHostFacts *facts, GPtrArray *fails);

G_END_DECLS
