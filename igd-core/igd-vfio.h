/*
 * igd-vfio.h: an IGD opened through VFIO (container /dev/vfio/vfio, group
 * /dev/vfio/<group>, device fd), its regions and the capability chain that
 * names the Intel vendor regions vfio-pci adds for an IGD (Linux
 * drivers/vfio/pci/vfio_pci_igd.c): the OpRegion, the host bridge's and the
 * LPC bridge's config space.
 *
 * Every fd is closed by igd_vfio_device_close(): QEMU must be able to open
 * the group next (a VFIO group has one user at a time).
 */
#pragma once

#include <glib.h>

#include "igd-pci-address.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

/* VFIO_REGION_TYPE_PCI_VENDOR_TYPE (1 << 31) | PCI vendor id, linux/vfio.h */
#define IGD_VFIO_REGION_TYPE_PCI_VENDOR (0x80000000u | 0x8086)
#define IGD_VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION 1 /* VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION */
#define IGD_VFIO_REGION_SUBTYPE_INTEL_IGD_HOST_CFG 2 /* VFIO_REGION_SUBTYPE_INTEL_IGD_HOST_CFG */
#define IGD_VFIO_REGION_SUBTYPE_INTEL_IGD_LPC_CFG  3 /* VFIO_REGION_SUBTYPE_INTEL_IGD_LPC_CFG */

/* Largest region igd_vfio_device_read_region() reads when @max is 0. */
#define IGD_VFIO_REGION_READ_MAX (16u << 20)
/* Largest OpRegion region read: 8 KiB + an extended VBT (RVDS, a u16 vbt_size). */
#define IGD_VFIO_OPREGION_MAX ((8u << 10) + (64u << 10))

typedef struct {
    guint index;       /* VFIO region index (0..5 BARs, 6 ROM, 7 config, 8 VGA, 9+ device specific) */
    guint32 flags;     /* VFIO_REGION_INFO_FLAG_* */
    guint64 size;      /* bytes */
    guint64 offset;    /* offset of the region in the device fd */
    guint32 type;      /* from VFIO_REGION_INFO_CAP_TYPE, valid when has_type */
    guint32 subtype;
    gboolean has_type; /* the region carries a VFIO_REGION_INFO_CAP_TYPE capability */
} IgdVfioRegion;

typedef struct _IgdVfioDevice IgdVfioDevice;

/*
 * Open the device @addr through /dev/vfio/vfio + /dev/vfio/<group> under
 * @sysroot: VFIO_GET_API_VERSION, VFIO_CHECK_EXTENSION(TYPE1), the group
 * must be viable (VFIO_GROUP_GET_STATUS), VFIO_GROUP_SET_CONTAINER,
 * VFIO_SET_IOMMU type1, VFIO_GROUP_GET_DEVICE_FD. The device must be an
 * Intel display device (vendor 0x8086, class 0x03xxxx, read from sysfs;
 * IGD_ERROR_UNSUPPORTED before anything is opened otherwise: opening a
 * vfio-pci device fd resets the function) and bound to vfio-pci
 * (IGD_ERROR_CHECK_FAILED otherwise, naming the driver). Returns
 * a new device, NULL with an error naming the path or ioctl that failed
 * (EBUSY: IGD_ERROR_CONFLICT, "group in use", e.g. QEMU holds it).
 */
IgdVfioDevice *igd_vfio_device_open(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                                    GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Closes the device, group and container fds (in that order); NULL is fine. */
void igd_vfio_device_close(IgdVfioDevice *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdVfioDevice, igd_vfio_device_close)

/* Number of regions VFIO_DEVICE_GET_INFO reported. */
guint igd_vfio_device_get_num_regions(const IgdVfioDevice *dev);

/*
 * Every region with a non-zero size (VFIO_DEVICE_GET_REGION_INFO), its
 * capability chain walked (VFIO_REGION_INFO_FLAG_CAPS; cap id 2 =
 * VFIO_REGION_INFO_CAP_TYPE gives type/subtype). An argsz the kernel
 * reports too small is grown and the ioctl repeated (bounded). A chain that
 * loops, points before the header or past argsz, or a capability header
 * that overruns is IGD_ERROR_INVALID naming the region and offset. Returns
 * a GArray of IgdVfioRegion.
 */
GArray *igd_vfio_device_get_regions(IgdVfioDevice *dev, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * The region of @type/@subtype among @regions (from
 * igd_vfio_device_get_regions()), or NULL.
 */
const IgdVfioRegion *igd_vfio_regions_find(GArray *regions, guint32 type, guint32 subtype);

/*
 * Read the whole of @region (pread on the device fd at its offset). It must
 * be readable (VFIO_REGION_INFO_FLAG_READ) and at most @max bytes (0 =
 * IGD_VFIO_REGION_READ_MAX), else IGD_ERROR_INVALID / IGD_ERROR_UNSUPPORTED.
 * A short read is IGD_ERROR_IO.
 */
GBytes *igd_vfio_device_read_region(IgdVfioDevice *dev, const IgdVfioRegion *region, gsize max,
                                    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * One call for the daemon: open @addr, find the Intel OpRegion region
 * (IGD_VFIO_REGION_TYPE_PCI_VENDOR / _INTEL_IGD_OPREGION), read it, close
 * everything. No such region: IGD_ERROR_NOT_FOUND (the kernel exposes it
 * only when the BIOS published an OpRegion in ASLS).
 */
GBytes *igd_vfio_read_opregion(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                               GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Open @addr, read the three Intel vendor regions vfio-pci exposes for an
 * IGD, close everything. Each out pointer may be NULL (not wanted); a region
 * the kernel does not expose leaves its pointer NULL (the host-bridge and
 * LPC-bridge regions need CONFIG_VFIO_PCI_IGD and a host bridge / ISA
 * bridge at 00:00.0 / 00:1f.0). FALSE only when opening or reading fails.
 */
gboolean igd_vfio_read_intel_regions(const IgdSysroot *sysroot, const IgdPciAddress *addr, GBytes **opregion,
                                     GBytes **host_cfg, GBytes **lpc_cfg, GError **error);

G_END_DECLS
