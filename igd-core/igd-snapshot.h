/*
 * igd-snapshot.h: everything known about one IGD on one host, gathered
 * once. Every consumer takes a snapshot: `inspect` and `check` render it,
 * the requirements (igd-requirements.h) judge it, `rewrite --mode auto`, the
 * hook's preflight, the blobs, `dump` and the daemon read it. Parts are
 * optional, so the hook reads only what a start needs; a part that could not
 * be read keeps its GError, so every front end says the same thing about it.
 *
 * Everything is read through the sysroot; nothing is written (the one
 * exception is the ROM on the real host, which sysfs wants enabled first:
 * igd_pci_device_read_rom()).
 */
#pragma once

#include <glib.h>

#include "igd-devices.h"
#include "igd-gmch.h"
#include "igd-opregion.h"
#include "igd-pci-address.h"
#include "igd-pci.h"
#include "igd-qemu.h"
#include "igd-rom.h"
#include "igd-sysroot.h"
#include "igd-vbt.h"

G_BEGIN_DECLS

typedef enum {
    IGD_SNAPSHOT_DEVICE = 0,           /* always: ids, driver, IOMMU group, platform, config space (GMCH) */
    IGD_SNAPSHOT_ROM = 1 << 0,         /* the device's option ROM */
    IGD_SNAPSHOT_OPREGION = 1 << 1,    /* OpRegion (VFIO region or i915 debugfs) and its VBT */
    IGD_SNAPSHOT_HOST = 1 << 2,        /* IOMMU (groups, group members, address width), vfio-pci and disable_vga,
                                        * the kernel, the CPU's physical address bits */
    IGD_SNAPSHOT_FRAMEBUFFER = 1 << 3, /* framebuffer drivers on the BARs (/proc/iomem) */
    IGD_SNAPSHOT_DMAR = 1 << 4,        /* DMAR faults of the device (kernel log) */
    IGD_SNAPSHOT_QEMU = 1 << 5,        /* the installed QEMU (probed, cached) */
    IGD_SNAPSHOT_ALL = 0x3f,
} IgdSnapshotParts;

typedef struct {
    IgdSnapshotParts parts;          /* what was asked for */
    IgdPciAddress addr;
    char name[13];                   /* "0000:00:02.0" */
    guint16 vendor_id, device_id, subsystem_vendor_id, subsystem_device_id;
    guint32 class_code;
    guint8 revision;
    char *driver;                    /* bound driver, NULL: none */
    char *driver_override;           /* NULL: none */
    gint iommu_group;                /* -1: none */
    const IgdPlatformInfo *platform; /* NULL: device id unknown to the table */
    gboolean gmch_valid;             /* @gmch decoded from the config space */
    IgdGmchInfo gmch;
    GError *config_error;            /* why the config space or GMCH could not be read/decoded */
    guint n_bars;                    /* memory BARs from "resource" */
    guint64 bar_start[IGD_PCI_NUM_BARS], bar_end[IGD_PCI_NUM_BARS];

    /* IGD_SNAPSHOT_ROM */
    IgdRom *rom;                     /* NULL: not read, absent or invalid (see @rom_error) */
    gsize rom_size;                  /* bytes read (> 0 with @rom NULL: read but not a valid ROM) */
    char *rom_source;                /* "device", or the path of a ROM file (igd_snapshot_use_romfile()) */
    GError *rom_error;

    /* IGD_SNAPSHOT_OPREGION */
    IgdOpRegion *opregion;           /* NULL: not readable or invalid (see @opregion_error) */
    char *opregion_source;           /* "vfio" or "debugfs" where the bytes came from (set with @opregion
                                      * NULL: read but invalid) */
    GError *opregion_error;
    IgdVbt *vbt;                     /* from the OpRegion, else i915 debugfs; NULL: none (see @vbt_error) */
    char *vbt_source;                /* "opregion" or "debugfs" (set with @vbt NULL: found but invalid) */
    GError *vbt_error;

    /* IGD_SNAPSHOT_HOST */
    gboolean iommu_enabled;          /* DMA remapping on (IOMMU groups or units exist) */
    guint iommu_groups;              /* number of IOMMU groups */
    gboolean iommu_off_cmdline;      /* the kernel was booted with intel_iommu=off */
    GPtrArray *iommu_group_others;   /* char*: members of the IGD's group vfio would have to take too; NULL: unknown */
    GError *iommu_group_error;
    gboolean vfio_pci_loaded;
    gboolean vfio_vga_known;         /* disable_vga could be read */
    gboolean vfio_disable_vga;
    GError *vfio_vga_error;
    char *kernel_release;            /* NULL: unknown (see @kernel_error) */
    guint kernel_major, kernel_minor;
    GError *kernel_error;
    guint iommu_width;               /* smallest VT-d MGAW (igd_host_iommu_address_width()), 0: unknown */
    guint iommu_units;               /* VT-d units it was read from */
    GError *iommu_width_error;
    guint cpu_phys_bits;             /* host CPU physical address bits (/proc/cpuinfo), 0: unknown */
    GError *cpu_phys_bits_error;

    /* IGD_SNAPSHOT_FRAMEBUFFER */
    GPtrArray *fb_claims;            /* char*: "efifb 4000000000-40001d4fff"; NULL: unknown (see @fb_error) */
    GError *fb_error;

    /* IGD_SNAPSHOT_DMAR */
    gboolean dmar_known;
    guint dmar_faults;
    gboolean dmar_ongoing;
    GError *dmar_error;

    /* IGD_SNAPSHOT_QEMU */
    const IgdQemuCaps *qemu;         /* NULL: not probed or not installed (see @qemu_error) */
    GError *qemu_error;
    IgdQemuCaps *qemu_owned;         /* what @qemu points at when the snapshot owns it */
} IgdSnapshot;

/*
 * Gather @parts of the IGD at @addr (NULL: 0000:00:02.0). The device must
 * be an Intel display-class device (igd_pci_device_open_igd(): NOT_FOUND,
 * UNSUPPORTED); anything optional that cannot be read is recorded in the
 * part's GError, never an error of the call. IGD_SNAPSHOT_QEMU probes
 * $IGD_QEMU or the configured QEMU through the shared probe cache
 * (igd_snapshot_probe_qemu()).
 */
IgdSnapshot *igd_snapshot_gather(const IgdSysroot *sysroot, const IgdPciAddress *addr, IgdSnapshotParts parts,
                                 GError **error) G_GNUC_WARN_UNUSED_RESULT;
void igd_snapshot_free(IgdSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdSnapshot, igd_snapshot_free)

/*
 * Judge by @qemu instead of probing (NULL: no QEMU found); replaces any QEMU
 * the snapshot has. @take: the snapshot frees @qemu, else @qemu must outlive it.
 */
void igd_snapshot_set_qemu(IgdSnapshot *snapshot, IgdQemuCaps *qemu, gboolean take);

/*
 * Judge the ROM file @path (a --romfile) instead of the device's ROM: a
 * regular file of at most IGD_PCI_ROM_MAX bytes that parses as a PCI
 * option ROM. FALSE (snapshot unchanged) with the reason otherwise.
 */
gboolean igd_snapshot_use_romfile(IgdSnapshot *snapshot, const char *path, GError **error);

/* TRUE when the ROM judged is a ROM file (igd_snapshot_use_romfile()), not the device's. */
gboolean igd_snapshot_rom_is_file(const IgdSnapshot *snapshot);

/*
 * What this host gives QEMU for the IGD (IgdQemuSetup): the kernel's vfio
 * IGD regions (Linux 4.6+, and until 6.15 only for a VGA-class IGD), the
 * VFIO VGA region (vfio-pci disable_vga off), the ROM file. What
 * IGD_SNAPSHOT_HOST did not gather, or could not tell, counts as present;
 * the guest's part (at 00:02.0, 1f.0 free) is left as igd_qemu_setup_init()
 * sets it.
 */
void igd_snapshot_qemu_setup(const IgdSnapshot *snapshot, IgdQemuSetup *setup);

/*
 * A question to the QEMU model about this IGD (igd_qemu_model_request_init()
 * with the snapshot's device id, platform and GMCH): the caller adds the
 * guest's machine and x-igd-*, and igd_snapshot_qemu_setup() when the
 * host's regions matter.
 */
void igd_snapshot_model_request(const IgdSnapshot *snapshot, IgdQemuModelRequest *req);

/*
 * The QEMU every front end judges by: a saved probe named by
 * $IGD_QEMU_CAPS (igd_qemu_caps_load(), the qemu-probe.ini of a report),
 * else $IGD_QEMU, else @binary, else the configured default, probed once
 * and cached in $IGD_ASSIGN_CACHE_DIR ("" = no cache), else
 * $XDG_CACHE_HOME/igd-assign.
 */
IgdQemuCaps *igd_snapshot_probe_qemu(const char *binary, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
