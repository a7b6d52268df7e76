/*
 * igd-bind.h: hand an Intel IGD to vfio-pci and give it back to the host
 * driver, through sysfs (driver_override, <driver>/unbind, drivers_probe)
 * under a sysroot.
 *
 * Every write goes through igd_sysroot_write(). Only vendor 0x8086 with a
 * display class (0x03xxxx) is ever touched, and only when its IOMMU group
 * holds no other device (other than PCI bridges, which vfio tolerates).
 */
#pragma once

#include <glib.h>

#include "igd-pci-address.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

#define IGD_BIND_VFIO_DRIVER "vfio-pci"

/*
 * driver_override := vfio-pci, unbind from the current driver (if any),
 * drivers_probe, then verify the driver link is vfio-pci (failing with
 * IGD_ERROR_CHECK_FAILED naming the driver that has it, when vfio-pci did
 * not take the device: e.g. the vfio-pci module is not loaded). Idempotent:
 * a device already bound to vfio-pci succeeds without writing. Refuses,
 * before writing anything, what igd_pci_device_open_igd() refuses (not an
 * Intel display device: IGD_ERROR_UNSUPPORTED) and (IGD_ERROR_CHECK_FAILED)
 * a device whose IOMMU group has other devices (named in the message) or
 * that has no IOMMU group.
 */
gboolean igd_bind_to_vfio(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error);

/*
 * The reverse: clear driver_override (write "\n"), unbind from vfio-pci,
 * drivers_probe (so i915 takes it back). Does not insist that a host driver
 * takes the device (i915 may be blacklisted); succeeds without writing when
 * the device is not bound to vfio-pci and has no override. Same refusals.
 */
gboolean igd_bind_rebind_host(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error);

/*
 * The refusal checks alone (vendor/class, IOMMU group alone), for `check`
 * and the daemon's dry run. TRUE when binding would be allowed.
 */
gboolean igd_bind_check_device(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error);

G_END_DECLS
