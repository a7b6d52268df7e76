/*
 * igd-pci.h: a PCI device as sysfs shows it under the sysroot
 * (/sys/bus/pci/devices/<addr>): ids, class, driver, IOMMU group, config
 * space, BARs ("resource") and option ROM ("rom").
 */
#pragma once

#include <glib.h>

#include "igd-pci-address.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

typedef struct _IgdPciDevice IgdPciDevice;

#define IGD_PCI_VENDOR_INTEL    0x8086
#define IGD_PCI_CLASS_DISPLAY   0x03     /* base class, class >> 16 */
#define IGD_PCI_CONFIG_MIN      64       /* standard header */
#define IGD_PCI_CONFIG_MAX      4096     /* PCIe extended config space */
#define IGD_PCI_ROM_MAX         (16u << 20)
#define IGD_PCI_NUM_BARS        6

/*
 * Open the device @addr under @sysroot's /sys/bus/pci/devices. Reads vendor,
 * device, class, revision, subsystem_vendor, subsystem_device (missing
 * optional attributes read as 0), the driver and iommu_group symlinks and
 * driver_override. Returns NULL with IGD_ERROR_NOT_FOUND when the device
 * directory is absent, IGD_ERROR_INVALID/IO when vendor, device or class
 * cannot be read.
 */
IgdPciDevice *igd_pci_device_new(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                                 GError **error) G_GNUC_WARN_UNUSED_RESULT;
void igd_pci_device_free(IgdPciDevice *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdPciDevice, igd_pci_device_free)

const IgdPciAddress *igd_pci_device_get_address(const IgdPciDevice *dev);
/* The canonical name, "0000:00:02.0". */
const char *igd_pci_device_get_name(const IgdPciDevice *dev);
const IgdSysroot *igd_pci_device_get_sysroot(const IgdPciDevice *dev);
guint16 igd_pci_device_get_vendor_id(const IgdPciDevice *dev);
guint16 igd_pci_device_get_device_id(const IgdPciDevice *dev);
guint16 igd_pci_device_get_subsystem_vendor_id(const IgdPciDevice *dev);
guint16 igd_pci_device_get_subsystem_device_id(const IgdPciDevice *dev);
/* The 24-bit class code, e.g. 0x030000. */
guint32 igd_pci_device_get_class(const IgdPciDevice *dev);
guint8 igd_pci_device_get_revision(const IgdPciDevice *dev);
/* TRUE for vendor 0x8086 with base class 0x03 (display): the one rule of what an Intel IGD is. */
gboolean igd_pci_ids_are_intel_display(guint16 vendor_id, guint32 class_code);
/* igd_pci_ids_are_intel_display() of @dev's ids. */
gboolean igd_pci_device_is_intel_display(const IgdPciDevice *dev);

/*
 * Open @addr as an Intel IGD: the one place that refuses a device that is
 * not one, with one sentence. A missing device is IGD_ERROR_NOT_FOUND ("no
 * PCI device 0000:00:02.0 on this host"); a device that is not vendor
 * 0x8086 with a display class is IGD_ERROR_UNSUPPORTED ("0000:00:02.0 is
 * not an Intel graphics device (vendor 0x1af4, class 0x010000)"); others as
 * igd_pci_device_new().
 */
IgdPciDevice *igd_pci_device_open_igd(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                                      GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The bound driver's name ("i915", "vfio-pci"), NULL when unbound. */
const char *igd_pci_device_get_driver(const IgdPciDevice *dev);
/* The driver_override attribute, NULL when absent, empty or "(null)". */
const char *igd_pci_device_get_driver_override(const IgdPciDevice *dev);
/* The IOMMU group number, -1 when the device has none. */
gint igd_pci_device_get_iommu_group(const IgdPciDevice *dev);

/*
 * The "config" attribute. It must be 64..4096 bytes and a multiple of 4
 * (sysfs gives 64, 256 or 4096); larger or smaller is IGD_ERROR_INVALID
 * naming the file. Returns a new GBytes.
 */
GBytes *igd_pci_device_read_config(IgdPciDevice *dev, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * BAR @index (0..5) from the "resource" file ("0x... 0x... 0x..." per line),
 * read once per @dev (the first call) and kept. FALSE when the BAR is
 * unused (all zero), the line is missing or garbage, or the file is absent
 * or garbage. Any out pointer may be NULL.
 */
gboolean igd_pci_device_get_bar(IgdPciDevice *dev, guint index,
                                guint64 *start, guint64 *end, guint64 *flags);

/*
 * The option ROM from the "rom" attribute (at most IGD_PCI_ROM_MAX bytes).
 * On the real host "1" is written to it first and "0" after; under a
 * sysroot the file is only read. Empty or missing: IGD_ERROR_NOT_FOUND.
 */
GBytes *igd_pci_device_read_rom(IgdPciDevice *dev, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * The host path of attribute @attr: "/sys/bus/pci/devices/0000:00:02.0/<attr>",
 * to pass to igd_sysroot_*(). @attr must be a plain name (no '/', not
 * "." or ".."); otherwise NULL and a g_critical (programming error).
 */
char *igd_pci_device_attr_path(const IgdPciDevice *dev, const char *attr) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Every PCI device address in IOMMU group @group
 * (/sys/kernel/iommu_groups/<group>/devices), sorted. Entries that are not
 * valid PCI addresses are skipped. Elements are IgdPciAddress* (g_free).
 */
GPtrArray *igd_pci_iommu_group_devices(const IgdSysroot *sysroot, gint group,
                                       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * The other members of @dev's IOMMU group that vfio would have to take
 * with it: every device of the group except @dev and bridges (Linux
 * drivers/vfio/group.c vfio_dev_driver_allowed(): a device whose header
 * type is not PCI_HEADER_TYPE_NORMAL never blocks the group; without a
 * readable config space, class 0x0604 or 0x0607). The one rule igd-bind and
 * the host checks both apply. Elements are IgdPciAddress* (g_free), sorted.
 * A device without a group is IGD_ERROR_CHECK_FAILED; an unreadable group
 * directory as igd_pci_iommu_group_devices().
 */
GPtrArray *igd_pci_iommu_group_others(const IgdSysroot *sysroot, const IgdPciDevice *dev,
                                      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Every Intel display-class device on the host (/sys/bus/pci/devices),
 * sorted. Entries that are not valid PCI addresses or whose attributes
 * cannot be read are skipped. Elements are IgdPciAddress* (g_free).
 */
GPtrArray *igd_pci_find_intel_displays(const IgdSysroot *sysroot,
                                       GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
