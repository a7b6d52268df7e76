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
 * Rollback, for both calls below: the device ends as asked or as it was.
 * When a step fails after driver_override was written (the unbind,
 * drivers_probe, or the verification of the driver link), igd-bind puts
 * back what it changed: driver_override gets its previous value again
 * (cleared with "\n" when it had none) and, when the device's driver is no
 * longer the one it had, the driver it has now is unbound and the previous
 * one bound again through drivers/<driver>/bind. The error is the step that
 * failed; when putting the device back failed too, the message goes on with
 * "; putting 0000:00:02.0 back failed too: <why>", and the device is left
 * as that says. A failure of the first write (driver_override) changes
 * nothing. Refusals come before any write.
 */

/*
 * driver_override := vfio-pci, unbind from the current driver (if any),
 * drivers_probe, then verify the driver link is vfio-pci (failing with
 * IGD_ERROR_CHECK_FAILED naming the driver that has it, and, when none
 * has, whether the vfio-pci module is missing or vfio-pci refused the
 * device), rolling back on failure (above). Idempotent:
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
 * takes the device (i915 may be blacklisted), but fails when vfio-pci
 * still has it (IGD_ERROR_CHECK_FAILED) or a step fails, rolling back
 * (above): the device is then on vfio-pci with its override again.
 * Succeeds without writing when the device is bound to a driver other than
 * vfio-pci and has no override; a free device without an override is only
 * probed (what a give-back interrupted between the unbind and the probe
 * leaves). Same refusals.
 */
gboolean igd_bind_rebind_host(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error);

/*
 * The refusal checks alone (vendor/class, IOMMU group alone), for `check`
 * and the daemon's dry run. TRUE when binding would be allowed.
 */
gboolean igd_bind_check_device(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error);

G_END_DECLS
