/*
 * igd-bind.c: hand an Intel IGD to vfio-pci and back, through sysfs.
 *
 * The sequence is the one the kernel documents for driver_override
 * (Documentation/ABI/testing/sysfs-bus-pci, "driver_override") and libvirt
 * uses (src/util/virpci.c virPCIDeviceBindWithDriverOverride): set
 * driver_override, unbind from the current driver, ask drivers_probe to
 * match the device again, then check which driver took it.
 */
#include "config.h"

#include "igd-bind.h"

#include <string.h>

#include "igd-common.h"
#include "igd-pci.h"

#define IGD_BIND_DRIVERS_PROBE "/sys/bus/pci/drivers_probe"
#define IGD_PCI_CLASS_BRIDGE_PCI 0x0604 /* class >> 8: PCI-to-PCI bridge */

/* A driver name from a symlink becomes a path component: it must be a plain name. */
static gboolean
igd_bind_driver_name_ok(const char *name, GError **error)
{
    if (name[0] == '\0' || strchr(name, '/') != NULL || g_str_equal(name, ".") || g_str_equal(name, "..")) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "invalid driver name '%s'", name);
        return FALSE;
    }
    return TRUE;
}

/* The driver bound now, read again from the link (NULL = none). */
static gboolean
igd_bind_read_driver(const IgdSysroot *sysroot, const char *name, char **driver, GError **error)
{
    g_autofree char *abs = g_strdup_printf("/sys/bus/pci/devices/%s/driver", name);
    g_autoptr(GError) local = NULL;

    *driver = igd_sysroot_read_link_name(sysroot, abs, &local);
    if (*driver == NULL && !g_error_matches(local, IGD_ERROR, IGD_ERROR_NOT_FOUND)) {
        g_propagate_error(error, g_steal_pointer(&local));
        return FALSE;
    }
    return TRUE;
}

/*
 * As igd_bind_read_driver(), waiting on the real host up to
 * IGD_BIND_PROBE_WAIT_MS for @want (or, @want NULL, for any driver other
 * than vfio-pci): a driver with asynchronous probing binds after
 * drivers_probe returns. A sysroot is read once (nothing moves there).
 */
#define IGD_BIND_PROBE_WAIT_MS 1000
#define IGD_BIND_PROBE_STEP_MS 50
static gboolean
igd_bind_current_driver(const IgdSysroot *sysroot, const char *name, const char *want, char **driver,
                        GError **error)
{
    for (guint waited = 0;; waited += IGD_BIND_PROBE_STEP_MS) {
        gboolean done;

        if (!igd_bind_read_driver(sysroot, name, driver, error))
            return FALSE;
        done = want ? (*driver && g_str_equal(*driver, want))
                    : (*driver == NULL || !g_str_equal(*driver, IGD_BIND_VFIO_DRIVER));
        if (done || !igd_sysroot_is_host(sysroot) || waited >= IGD_BIND_PROBE_WAIT_MS)
            return TRUE;
        g_clear_pointer(driver, g_free);
        g_usleep(IGD_BIND_PROBE_STEP_MS * 1000);
    }
}

/* The refusals: not an Intel display device (igd-pci says it), no IOMMU group, a group shared with others. */
static IgdPciDevice *
igd_bind_open_checked(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error)
{
    g_autoptr(IgdPciDevice) dev = igd_pci_device_open_igd(sysroot, addr, error);
    g_autoptr(GPtrArray) members = NULL;
    g_autoptr(GString) others = g_string_new(NULL);
    gint group;

    if (dev == NULL)
        return NULL;
    group = igd_pci_device_get_iommu_group(dev);
    if (group < 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED,
                    "refusing to rebind %s: it has no IOMMU group (enable VT-d and boot with intel_iommu=on)",
                    igd_pci_device_get_name(dev));
        return NULL;
    }
    members = igd_pci_iommu_group_devices(sysroot, group, error);
    if (members == NULL) {
        g_prefix_error(error, "IOMMU group %d of %s: ", group, igd_pci_device_get_name(dev));
        return NULL;
    }
    for (guint i = 0; i < members->len; i++) {
        const IgdPciAddress *other = members->pdata[i];
        g_autoptr(IgdPciDevice) odev = NULL;
        char buf[13];

        if (igd_pci_address_equal(other, addr))
            continue;
        igd_pci_address_format(other, buf);
        odev = igd_pci_device_new(sysroot, other, NULL);
        /* PCI bridges may share the group: vfio tolerates them (no driver to take away). */
        if (odev != NULL && (igd_pci_device_get_class(odev) >> 8) == IGD_PCI_CLASS_BRIDGE_PCI)
            continue;
        g_string_append_printf(others, "%s%s", others->len ? ", " : "", buf);
    }
    if (others->len) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED,
                    "refusing to rebind %s: its IOMMU group %d also holds %s, which would have to go to "
                    "vfio-pci too (check the ACS/IOMMU grouping of the platform)",
                    igd_pci_device_get_name(dev), group, others->str);
        return NULL;
    }
    return g_steal_pointer(&dev);
}

gboolean
igd_bind_check_device(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error)
{
    g_autoptr(IgdPciDevice) dev = igd_bind_open_checked(sysroot, addr, error);

    return dev != NULL;
}

gboolean
igd_bind_to_vfio(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error)
{
    g_autoptr(IgdPciDevice) dev = igd_bind_open_checked(sysroot, addr, error);
    g_autofree char *override_abs = NULL;
    g_autofree char *now = NULL;
    const char *name, *driver;

    if (dev == NULL)
        return FALSE;
    name = igd_pci_device_get_name(dev);
    driver = igd_pci_device_get_driver(dev);
    if (driver != NULL && g_str_equal(driver, IGD_BIND_VFIO_DRIVER))
        return TRUE;

    override_abs = igd_pci_device_attr_path(dev, "driver_override");
    if (!igd_sysroot_write(sysroot, override_abs, IGD_BIND_VFIO_DRIVER, error))
        return FALSE;
    if (driver != NULL) {
        g_autofree char *unbind = NULL;
        if (!igd_bind_driver_name_ok(driver, error))
            return FALSE;
        unbind = g_strdup_printf("/sys/bus/pci/drivers/%s/unbind", driver);
        if (!igd_sysroot_write(sysroot, unbind, name, error)) {
            g_prefix_error(error, "cannot unbind %s from %s: ", name, driver);
            return FALSE;
        }
    }
    if (!igd_sysroot_write(sysroot, IGD_BIND_DRIVERS_PROBE, name, error))
        return FALSE;

    if (!igd_bind_current_driver(sysroot, name, IGD_BIND_VFIO_DRIVER, &now, error))
        return FALSE;
    if (now == NULL || !g_str_equal(now, IGD_BIND_VFIO_DRIVER)) {
        /* Give the device back to the host rather than leave it with no driver. */
        g_autoptr(GError) undo = NULL;
        if (igd_sysroot_write(sysroot, override_abs, "\n", &undo))
            igd_sysroot_write(sysroot, IGD_BIND_DRIVERS_PROBE, name, &undo);
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED,
                    "vfio-pci did not take %s (driver now: %s); is the vfio-pci module loaded? "
                    "(modprobe vfio-pci)%s%s",
                    name, now ? now : "none", undo ? "; giving it back failed: " : "",
                    undo ? undo->message : "");
        return FALSE;
    }
    return TRUE;
}

gboolean
igd_bind_rebind_host(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error)
{
    g_autoptr(IgdPciDevice) dev = igd_bind_open_checked(sysroot, addr, error);
    g_autofree char *override_abs = NULL;
    g_autofree char *now = NULL;
    const char *name, *driver, *override;
    gboolean on_vfio;

    if (dev == NULL)
        return FALSE;
    name = igd_pci_device_get_name(dev);
    driver = igd_pci_device_get_driver(dev);
    override = igd_pci_device_get_driver_override(dev);
    on_vfio = driver != NULL && g_str_equal(driver, IGD_BIND_VFIO_DRIVER);
    if (!on_vfio && override == NULL)
        return TRUE;

    override_abs = igd_pci_device_attr_path(dev, "driver_override");
    /* "\n" clears driver_override (the kernel's driver_set_override()). */
    if (!igd_sysroot_write(sysroot, override_abs, "\n", error))
        return FALSE;
    if (on_vfio) {
        if (!igd_sysroot_write(sysroot, "/sys/bus/pci/drivers/" IGD_BIND_VFIO_DRIVER "/unbind", name, error)) {
            g_prefix_error(error, "cannot unbind %s from vfio-pci: ", name);
            return FALSE;
        }
    }
    if (driver == NULL || on_vfio) {
        if (!igd_sysroot_write(sysroot, IGD_BIND_DRIVERS_PROBE, name, error))
            return FALSE;
    }

    if (!igd_bind_current_driver(sysroot, name, NULL, &now, error))
        return FALSE;
    /* Any host driver, or none (i915 may be blacklisted), but not vfio-pci. */
    if (now != NULL && g_str_equal(now, IGD_BIND_VFIO_DRIVER)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED, "%s is still bound to vfio-pci after unbinding it",
                    name);
        return FALSE;
    }
    return TRUE;
}
