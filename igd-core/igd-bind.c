/*
 * igd-bind.c: hand an Intel IGD to vfio-pci and back, through sysfs.
 *
 * The sequence is the one the kernel documents for driver_override
 * (Documentation/ABI/testing/sysfs-bus-pci, "driver_override") and libvirt
 * uses (src/util/virpci.c virPCIDeviceBindWithDriverOverride): set
 * driver_override, unbind from the current driver, ask drivers_probe to
 * match the device again, then check which driver took it. A failure
 * after the first write puts driver_override and the driver back as they
 * were (igd_bind_restore()).
 */
#include "config.h"

#include "igd-bind.h"

#include <string.h>

#include "igd-common.h"
#include "igd-pci.h"

#define IGD_BIND_DRIVERS_PROBE "/sys/bus/pci/drivers_probe"

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
    g_autoptr(GPtrArray) others = NULL;
    g_autoptr(GString) list = g_string_new(NULL);
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
    /* the rule vfio applies (bridges never block a group), shared with `check` */
    others = igd_pci_iommu_group_others(sysroot, dev, error);
    if (others == NULL) {
        g_prefix_error(error, "IOMMU group %d of %s: ", group, igd_pci_device_get_name(dev));
        return NULL;
    }
    for (guint i = 0; i < others->len; i++) {
        char buf[13];
        igd_pci_address_format(others->pdata[i], buf);
        g_string_append_printf(list, "%s%s", i ? ", " : "", buf);
    }
    if (others->len) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED,
                    "refusing to rebind %s: its IOMMU group %d also holds %s, which would have to go to "
                    "vfio-pci too (check the ACS/IOMMU grouping of the platform)",
                    igd_pci_device_get_name(dev), group, list->str);
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

/* The device as igd-bind found it: what a failure puts back. */
typedef struct {
    const IgdSysroot *sysroot;
    const char *name;     /* "0000:00:02.0" */
    const char *override; /* driver_override, NULL when none */
    const char *driver;   /* the bound driver, NULL when none */
} IgdBindBefore;

static IgdBindBefore
igd_bind_before(const IgdSysroot *sysroot, const IgdPciDevice *dev)
{
    IgdBindBefore was = { sysroot, igd_pci_device_get_name(dev), igd_pci_device_get_driver_override(dev),
                          igd_pci_device_get_driver(dev) };

    return was;
}

/* driver_override := @value; NULL clears it with "\n" (the kernel's driver_set_override()). */
static gboolean
igd_bind_set_override(const IgdBindBefore *was, const char *value, GError **error)
{
    g_autofree char *abs = g_strdup_printf("/sys/bus/pci/devices/%s/driver_override", was->name);

    if (!igd_sysroot_write(was->sysroot, abs, value ? value : "\n", error)) {
        g_prefix_error(error, "cannot %s the driver_override of %s: ", value ? "set" : "clear", was->name);
        return FALSE;
    }
    return TRUE;
}

/* Write the device's name to drivers/<driver>/<op>, @op "unbind" or "bind". */
static gboolean
igd_bind_driver_op(const IgdBindBefore *was, const char *driver, const char *op, GError **error)
{
    g_autofree char *abs = NULL;

    if (!igd_bind_driver_name_ok(driver, error))
        return FALSE;
    abs = g_strdup_printf("/sys/bus/pci/drivers/%s/%s", driver, op);
    if (!igd_sysroot_write(was->sysroot, abs, was->name, error)) {
        g_prefix_error(error, "cannot %s %s %s %s: ", op, was->name, g_str_equal(op, "bind") ? "to" : "from",
                       driver);
        return FALSE;
    }
    return TRUE;
}

static gboolean
igd_bind_probe(const IgdBindBefore *was, GError **error)
{
    if (!igd_sysroot_write(was->sysroot, IGD_BIND_DRIVERS_PROBE, was->name, error)) {
        g_prefix_error(error, "cannot probe drivers for %s: ", was->name);
        return FALSE;
    }
    return TRUE;
}

/*
 * Put the device back as it was: its driver_override, and, when the driver
 * it has now is not the one it had, that one unbound and the old one bound
 * again through drivers/<driver>/bind (exactly that driver, synchronously).
 */
static gboolean
igd_bind_restore(const IgdBindBefore *was, GError **error)
{
    g_autofree char *now = NULL;
    g_autofree char *after = NULL;

    if (!igd_bind_set_override(was, was->override, error) ||
        !igd_bind_read_driver(was->sysroot, was->name, &now, error))
        return FALSE;
    if (g_strcmp0(now, was->driver) == 0)
        return TRUE;
    if (now != NULL && !igd_bind_driver_op(was, now, "unbind", error))
        return FALSE;
    if (was->driver == NULL)
        return TRUE;
    if (!igd_bind_driver_op(was, was->driver, "bind", error) ||
        !igd_bind_read_driver(was->sysroot, was->name, &after, error))
        return FALSE;
    if (g_strcmp0(after, was->driver) != 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED, "%s did not take %s back (driver now: %s)",
                    was->driver, was->name, after ? after : "none");
        return FALSE;
    }
    return TRUE;
}

/*
 * @failure (taken) happened after driver_override was written: put the
 * device back and report @failure, followed by why putting it back failed
 * when it did. Always FALSE.
 */
static gboolean
igd_bind_fail(const IgdBindBefore *was, GError *failure, GError **error)
{
    g_autoptr(GError) first = failure;
    g_autoptr(GError) undo = NULL;

    if (igd_bind_restore(was, &undo)) {
        g_propagate_error(error, g_steal_pointer(&first));
        return FALSE;
    }
    g_set_error(error, first->domain, first->code, "%s; putting %s back failed too: %s", first->message, was->name,
                undo->message);
    return FALSE;
}

gboolean
igd_bind_to_vfio(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error)
{
    g_autoptr(IgdPciDevice) dev = igd_bind_open_checked(sysroot, addr, error);
    g_autoptr(GError) failure = NULL;
    g_autofree char *now = NULL;
    IgdBindBefore was;

    if (dev == NULL)
        return FALSE;
    was = igd_bind_before(sysroot, dev);
    if (g_strcmp0(was.driver, IGD_BIND_VFIO_DRIVER) == 0)
        return TRUE;
    /* Before anything is written: the driver's name becomes a path. */
    if (was.driver != NULL && !igd_bind_driver_name_ok(was.driver, error))
        return FALSE;
    /* When this first write fails nothing has changed. */
    if (!igd_bind_set_override(&was, IGD_BIND_VFIO_DRIVER, error))
        return FALSE;
    if ((was.driver != NULL && !igd_bind_driver_op(&was, was.driver, "unbind", &failure)) ||
        !igd_bind_probe(&was, &failure) ||
        !igd_bind_current_driver(sysroot, was.name, IGD_BIND_VFIO_DRIVER, &now, &failure))
        return igd_bind_fail(&was, g_steal_pointer(&failure), error);
    if (g_strcmp0(now, IGD_BIND_VFIO_DRIVER) != 0) {
        const char *why = "";
        if (now == NULL && !igd_sysroot_exists(sysroot, "/sys/bus/pci/drivers/" IGD_BIND_VFIO_DRIVER))
            why = ": the vfio-pci module is not loaded (modprobe vfio-pci)";
        else if (now == NULL)
            why = ": vfio-pci refused it (the kernel log says why)";
        g_set_error(&failure, IGD_ERROR, IGD_ERROR_CHECK_FAILED, "vfio-pci did not take %s (driver now: %s)%s",
                    was.name, now ? now : "none", why);
        return igd_bind_fail(&was, g_steal_pointer(&failure), error);
    }
    return TRUE;
}

gboolean
igd_bind_rebind_host(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error)
{
    g_autoptr(IgdPciDevice) dev = igd_bind_open_checked(sysroot, addr, error);
    g_autoptr(GError) failure = NULL;
    g_autofree char *now = NULL;
    IgdBindBefore was;
    gboolean on_vfio;

    if (dev == NULL)
        return FALSE;
    was = igd_bind_before(sysroot, dev);
    on_vfio = g_strcmp0(was.driver, IGD_BIND_VFIO_DRIVER) == 0;
    if (!on_vfio && was.override == NULL && was.driver != NULL)
        return TRUE;

    /* When this first write fails nothing has changed. A free device without an override is only probed. */
    if ((was.override != NULL || was.driver != NULL) && !igd_bind_set_override(&was, NULL, error))
        return FALSE;
    if ((on_vfio && !igd_bind_driver_op(&was, IGD_BIND_VFIO_DRIVER, "unbind", &failure)) ||
        ((was.driver == NULL || on_vfio) && !igd_bind_probe(&was, &failure)) ||
        !igd_bind_current_driver(sysroot, was.name, NULL, &now, &failure))
        return igd_bind_fail(&was, g_steal_pointer(&failure), error);
    /* Any host driver, or none (i915 may be blacklisted), but not vfio-pci. */
    if (g_strcmp0(now, IGD_BIND_VFIO_DRIVER) == 0) {
        g_set_error(&failure, IGD_ERROR, IGD_ERROR_CHECK_FAILED, "%s is still bound to vfio-pci after unbinding it",
                    was.name);
        return igd_bind_fail(&was, g_steal_pointer(&failure), error);
    }
    return TRUE;
}
