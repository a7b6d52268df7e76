/*
 * igd-pci.c: a PCI device read from sysfs under a sysroot.
 *
 * Attribute formats are those of Linux drivers/pci/pci-sysfs.c: "0x8086\n"
 * ids, "0x030000\n" class, one "0x%016llx 0x%016llx 0x%016llx\n" line per
 * resource in "resource", "driver" and "iommu_group" symlinks,
 * "driver_override" holding "(null)" when unset.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "igd-common.h"
#include "igd-pci.h"

#define PCI_DEVICES_DIR   "/sys/bus/pci/devices"
#define IOMMU_GROUPS_DIR  "/sys/kernel/iommu_groups"
#define RESOURCE_FILE_MAX 4096 /* 17 lines of 57 bytes in practice */

struct _IgdPciDevice {
    IgdSysroot *sysroot;
    IgdPciAddress address;
    char name[13];
    char *dir; /* host path "/sys/bus/pci/devices/0000:00:02.0" */
    guint16 vendor_id;
    guint16 device_id;
    guint16 subsystem_vendor_id;
    guint16 subsystem_device_id;
    guint32 class_code;
    guint8 revision;
    char *driver;
    char *driver_override;
    gint iommu_group;
    gboolean resource_read; /* "resource" read (once per device: every BAR is one line of it) */
    char *resource;         /* its text, NULL when it could not be read or is garbage */
};

void
igd_pci_device_free(IgdPciDevice *dev)
{
    if (dev == NULL)
        return;
    igd_sysroot_free(dev->sysroot);
    g_free(dev->dir);
    g_free(dev->driver);
    g_free(dev->driver_override);
    g_free(dev->resource);
    g_free(dev);
}

static gboolean
attr_name_ok(const char *attr)
{
    return attr != NULL && attr[0] != '\0' && strchr(attr, '/') == NULL &&
           !g_str_equal(attr, ".") && !g_str_equal(attr, "..");
}

char *
igd_pci_device_attr_path(const IgdPciDevice *dev, const char *attr)
{
    if (!attr_name_ok(attr)) {
        g_critical("refusing PCI attribute name '%s'", attr ? attr : "(null)");
        return NULL;
    }
    return g_strconcat(dev->dir, "/", attr, NULL);
}

/*
 * A numeric attribute no larger than @max. A missing optional attribute
 * reads as 0; a missing mandatory one is NOT_FOUND.
 */
static gboolean
read_number(IgdPciDevice *dev, const char *attr, guint64 max, gboolean optional,
            guint64 *value, GError **error)
{
    g_autofree char *path = igd_pci_device_attr_path(dev, attr);
    GError *local = NULL;
    guint64 v = 0;

    if (!igd_sysroot_read_u64(dev->sysroot, path, &v, &local)) {
        if (optional && g_error_matches(local, IGD_ERROR, IGD_ERROR_NOT_FOUND)) {
            g_error_free(local);
            *value = 0;
            return TRUE;
        }
        g_propagate_error(error, local);
        return FALSE;
    }
    if (v > max) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "'%s%s' out of range: 0x%" G_GINT64_MODIFIER "x > 0x%" G_GINT64_MODIFIER "x",
                    igd_sysroot_get_root(dev->sysroot), path, v, max);
        return FALSE;
    }
    *value = v;
    return TRUE;
}

/* The name a symlink attribute points to, NULL (and TRUE) when it does not exist. */
static gboolean
read_link(IgdPciDevice *dev, const char *attr, char **name, GError **error)
{
    g_autofree char *path = igd_pci_device_attr_path(dev, attr);
    GError *local = NULL;
    g_autofree char *target = igd_sysroot_read_link_name(dev->sysroot, path, &local);

    *name = NULL;
    if (target == NULL) {
        if (g_error_matches(local, IGD_ERROR, IGD_ERROR_NOT_FOUND)) {
            g_error_free(local);
            return TRUE;
        }
        g_propagate_error(error, local);
        return FALSE;
    }
    if (!attr_name_ok(target)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "'%s%s' points to a bad name '%s'",
                    igd_sysroot_get_root(dev->sysroot), path, target);
        return FALSE;
    }
    *name = g_steal_pointer(&target);
    return TRUE;
}

static gboolean
read_driver_override(IgdPciDevice *dev, GError **error)
{
    g_autofree char *path = igd_pci_device_attr_path(dev, "driver_override");
    GError *local = NULL;
    g_autofree char *line = igd_sysroot_read_line(dev->sysroot, path, &local);

    if (line == NULL) {
        if (g_error_matches(local, IGD_ERROR, IGD_ERROR_NOT_FOUND)) {
            g_error_free(local);
            return TRUE;
        }
        g_propagate_error(error, local);
        return FALSE;
    }
    g_strstrip(line);
    if (line[0] != '\0' && !g_str_equal(line, "(null)"))
        dev->driver_override = g_steal_pointer(&line);
    return TRUE;
}

static gboolean
read_iommu_group(IgdPciDevice *dev, GError **error)
{
    g_autofree char *group = NULL;
    guint64 n = 0;
    g_autoptr(GError) local = NULL;

    dev->iommu_group = -1;
    if (!read_link(dev, "iommu_group", &group, error))
        return FALSE;
    if (group == NULL)
        return TRUE;
    if (!g_ascii_string_to_unsigned(group, 10, 0, G_MAXINT, &n, &local)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "'%s%s/iommu_group' points to '%s', not a group number",
                    igd_sysroot_get_root(dev->sysroot), dev->dir, group);
        return FALSE;
    }
    dev->iommu_group = (gint)n;
    return TRUE;
}

IgdPciDevice *
igd_pci_device_new(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error)
{
    g_autoptr(IgdPciDevice) dev = g_new0(IgdPciDevice, 1);
    g_autoptr(GError) local = NULL;
    guint64 v = 0;

    g_return_val_if_fail(sysroot != NULL && addr != NULL, NULL);

    dev->sysroot = igd_sysroot_new(igd_sysroot_get_root(sysroot));
    dev->address = *addr;
    igd_pci_address_format(addr, dev->name);
    dev->dir = g_strconcat(PCI_DEVICES_DIR "/", dev->name, NULL);
    dev->iommu_group = -1;

    if (!igd_sysroot_lookup(dev->sysroot, dev->dir, &local)) {
        if (!g_error_matches(local, IGD_ERROR, IGD_ERROR_NOT_FOUND)) {
            g_propagate_error(error, g_steal_pointer(&local)); /* a link out of the tree, a loop */
            return NULL;
        }
        g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND, "PCI device '%s' not found in '%s%s'",
                    dev->name, igd_sysroot_get_root(dev->sysroot), PCI_DEVICES_DIR);
        return NULL;
    }

    if (!read_number(dev, "vendor", G_MAXUINT16, FALSE, &v, error))
        return NULL;
    dev->vendor_id = (guint16)v;
    if (!read_number(dev, "device", G_MAXUINT16, FALSE, &v, error))
        return NULL;
    dev->device_id = (guint16)v;
    if (!read_number(dev, "class", 0xffffff, FALSE, &v, error))
        return NULL;
    dev->class_code = (guint32)v;
    if (!read_number(dev, "revision", G_MAXUINT8, TRUE, &v, error))
        return NULL;
    dev->revision = (guint8)v;
    if (!read_number(dev, "subsystem_vendor", G_MAXUINT16, TRUE, &v, error))
        return NULL;
    dev->subsystem_vendor_id = (guint16)v;
    if (!read_number(dev, "subsystem_device", G_MAXUINT16, TRUE, &v, error))
        return NULL;
    dev->subsystem_device_id = (guint16)v;

    if (!read_link(dev, "driver", &dev->driver, error) ||
        !read_driver_override(dev, error) ||
        !read_iommu_group(dev, error))
        return NULL;

    return g_steal_pointer(&dev);
}

const IgdPciAddress *
igd_pci_device_get_address(const IgdPciDevice *dev)
{
    return &dev->address;
}

const char *
igd_pci_device_get_name(const IgdPciDevice *dev)
{
    return dev->name;
}

const IgdSysroot *
igd_pci_device_get_sysroot(const IgdPciDevice *dev)
{
    return dev->sysroot;
}

guint16
igd_pci_device_get_vendor_id(const IgdPciDevice *dev)
{
    return dev->vendor_id;
}

guint16
igd_pci_device_get_device_id(const IgdPciDevice *dev)
{
    return dev->device_id;
}

guint16
igd_pci_device_get_subsystem_vendor_id(const IgdPciDevice *dev)
{
    return dev->subsystem_vendor_id;
}

guint16
igd_pci_device_get_subsystem_device_id(const IgdPciDevice *dev)
{
    return dev->subsystem_device_id;
}

guint32
igd_pci_device_get_class(const IgdPciDevice *dev)
{
    return dev->class_code;
}

guint8
igd_pci_device_get_revision(const IgdPciDevice *dev)
{
    return dev->revision;
}

gboolean
igd_pci_ids_are_intel_display(guint16 vendor_id, guint32 class_code)
{
    return vendor_id == IGD_PCI_VENDOR_INTEL && (class_code >> 16) == IGD_PCI_CLASS_DISPLAY;
}

gboolean
igd_pci_device_is_intel_display(const IgdPciDevice *dev)
{
    return igd_pci_ids_are_intel_display(dev->vendor_id, dev->class_code);
}

IgdPciDevice *
igd_pci_device_open_igd(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error)
{
    g_autoptr(GError) local = NULL;
    g_autoptr(IgdPciDevice) dev = igd_pci_device_new(sysroot, addr, &local);
    char name[13];

    igd_pci_address_format(addr, name);
    if (dev == NULL) {
        if (g_error_matches(local, IGD_ERROR, IGD_ERROR_NOT_FOUND))
            g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND, "no PCI device %s on this host", name);
        else
            g_propagate_error(error, g_steal_pointer(&local));
        return NULL;
    }
    if (!igd_pci_device_is_intel_display(dev)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                    "%s is not an Intel graphics device (vendor 0x%04x, class 0x%06x)", name, dev->vendor_id,
                    dev->class_code);
        return NULL;
    }
    return g_steal_pointer(&dev);
}

const char *
igd_pci_device_get_driver(const IgdPciDevice *dev)
{
    return dev->driver;
}

const char *
igd_pci_device_get_driver_override(const IgdPciDevice *dev)
{
    return dev->driver_override;
}

gint
igd_pci_device_get_iommu_group(const IgdPciDevice *dev)
{
    return dev->iommu_group;
}

GBytes *
igd_pci_device_read_config(IgdPciDevice *dev, GError **error)
{
    g_autofree char *path = igd_pci_device_attr_path(dev, "config");
    g_autofree guint8 *data = NULL;
    gsize len = 0;

    if (!igd_sysroot_read(dev->sysroot, path, IGD_PCI_CONFIG_MAX, FALSE, &data, &len, error))
        return NULL;
    if (len < IGD_PCI_CONFIG_MIN || len % 4 != 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "'%s%s' is %" G_GSIZE_FORMAT " bytes, not a config space of %u to %u bytes in whole dwords",
                    igd_sysroot_get_root(dev->sysroot), path, len,
                    IGD_PCI_CONFIG_MIN, IGD_PCI_CONFIG_MAX);
        return NULL;
    }
    if (igd_le16(data) != dev->vendor_id || igd_le16(data + 2) != dev->device_id) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "'%s%s' is for %04x:%04x, the device is %04x:%04x",
                    igd_sysroot_get_root(dev->sysroot), path, igd_le16(data), igd_le16(data + 2),
                    dev->vendor_id, dev->device_id);
        return NULL;
    }
    return g_bytes_new_take(g_steal_pointer(&data), len);
}

/* "0x" then 1..16 hex digits, nothing else. */
static gboolean
parse_hex_token(const char *tok, guint64 *value)
{
    gsize n;

    if (tok[0] != '0' || (tok[1] != 'x' && tok[1] != 'X'))
        return FALSE;
    n = strlen(tok + 2);
    if (n == 0 || n > 16)
        return FALSE;
    for (gsize i = 0; i < n; i++) {
        if (!g_ascii_isxdigit(tok[2 + i]))
            return FALSE;
    }
    *value = g_ascii_strtoull(tok + 2, NULL, 16);
    return TRUE;
}

gboolean
igd_pci_device_get_bar(IgdPciDevice *dev, guint index, guint64 *start, guint64 *end, guint64 *flags)
{
    g_autofree char *path = NULL;
    g_autofree guint8 *data = NULL;
    g_auto(GStrv) lines = NULL;
    g_auto(GStrv) tok = NULL;
    guint64 v[3];
    gsize len = 0;

    if (index >= IGD_PCI_NUM_BARS)
        return FALSE;
    if (!dev->resource_read) {
        dev->resource_read = TRUE;
        path = igd_pci_device_attr_path(dev, "resource");
        if (!igd_sysroot_read(dev->sysroot, path, RESOURCE_FILE_MAX, FALSE, &data, &len, NULL) ||
            memchr(data, '\0', len) != NULL) /* binary garbage */
            return FALSE;
        dev->resource = (char *)g_steal_pointer(&data);
    }
    if (dev->resource == NULL)
        return FALSE;
    lines = g_strsplit(dev->resource, "\n", -1);
    if (g_strv_length(lines) <= index)
        return FALSE;
    tok = g_strsplit(lines[index], " ", -1);
    if (g_strv_length(tok) != 3)
        return FALSE;
    for (guint i = 0; i < 3; i++) {
        if (!parse_hex_token(tok[i], &v[i]))
            return FALSE;
    }
    if (v[0] == 0 && v[1] == 0)
        return FALSE; /* unused */
    if (v[1] < v[0])
        return FALSE;
    if (start)
        *start = v[0];
    if (end)
        *end = v[1];
    if (flags)
        *flags = v[2];
    return TRUE;
}

GBytes *
igd_pci_device_read_rom(IgdPciDevice *dev, GError **error)
{
    g_autofree char *path = igd_pci_device_attr_path(dev, "rom");
    g_autofree guint8 *data = NULL;
    gsize len = 0;
    gboolean ok;
    GError *local = NULL;

    if (igd_sysroot_is_host(dev->sysroot)) {
        /* Enabling the ROM is a write to the device: only ever for an IGD. */
        if (!igd_pci_device_is_intel_display(dev)) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                        "refusing to enable the ROM of '%s': not an Intel display device (%04x:%04x class 0x%06x)",
                        dev->name, dev->vendor_id, dev->device_id, dev->class_code);
            return NULL;
        }
        if (!igd_sysroot_write(dev->sysroot, path, "1", error))
            return NULL;
    }
    ok = igd_sysroot_read(dev->sysroot, path, IGD_PCI_ROM_MAX, FALSE, &data, &len, &local);
    if (igd_sysroot_is_host(dev->sysroot)) {
        /* Always disable again; a failure here only matters when the read worked. */
        if (!igd_sysroot_write(dev->sysroot, path, "0", ok ? &local : NULL))
            ok = FALSE;
    }
    if (!ok) {
        g_propagate_error(error, local);
        return NULL;
    }
    if (len == 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND, "'%s%s' is empty: the device shows no ROM",
                    igd_sysroot_get_root(dev->sysroot), path);
        return NULL;
    }
    data = g_realloc(data, len); /* the read buffer was sized for the limit */
    return g_bytes_new_take(g_steal_pointer(&data), len);
}

/* A heap copy (g_memdup2() needs GLib 2.68, configure asks for 2.66). */
static IgdPciAddress *
address_dup(const IgdPciAddress *addr)
{
    IgdPciAddress *copy = g_new(IgdPciAddress, 1);

    *copy = *addr;
    return copy;
}

static gint
address_cmp(gconstpointer a, gconstpointer b)
{
    const IgdPciAddress *x = *(const IgdPciAddress *const *)a;
    const IgdPciAddress *y = *(const IgdPciAddress *const *)b;

    if (x->domain != y->domain)
        return x->domain < y->domain ? -1 : 1;
    if (x->bus != y->bus)
        return x->bus < y->bus ? -1 : 1;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    if (x->function != y->function)
        return x->function < y->function ? -1 : 1;
    return 0;
}

/* Sort @list and drop duplicates (two spellings of one address). */
static void
sort_unique(GPtrArray *list)
{
    g_ptr_array_sort(list, address_cmp);
    for (guint i = 1; i < list->len;) {
        if (igd_pci_address_equal(list->pdata[i - 1], list->pdata[i]))
            g_ptr_array_remove_index(list, i);
        else
            i++;
    }
}

/*
 * The entries of directory @abs_dir that are valid PCI addresses, sorted.
 * Anything else (files named "../../etc", "bogus") is skipped: no path is
 * ever built from a name that did not parse.
 */
static GPtrArray *
list_addresses(const IgdSysroot *sysroot, const char *abs_dir, GError **error)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) names = igd_sysroot_list(sysroot, abs_dir, error);

    if (names == NULL)
        return NULL;
    for (guint i = 0; i < names->len; i++) {
        IgdPciAddress addr;

        if (!igd_pci_address_parse(names->pdata[i], &addr, NULL))
            continue;
        g_ptr_array_add(list, address_dup(&addr));
    }
    sort_unique(list);
    return g_steal_pointer(&list);
}

GPtrArray *
igd_pci_iommu_group_devices(const IgdSysroot *sysroot, gint group, GError **error)
{
    g_autofree char *dir = NULL;

    if (group < 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "invalid IOMMU group %d", group);
        return NULL;
    }
    dir = g_strdup_printf(IOMMU_GROUPS_DIR "/%d/devices", group);
    return list_addresses(sysroot, dir, error);
}

#define PCI_HEADER_TYPE      0x0e /* config: header type, bit 7 multi-function */
#define PCI_HEADER_TYPE_MASK 0x7f /* PCI_HEADER_TYPE_NORMAL = 0 */
#define PCI_CLASS_BRIDGE_PCI 0x0604
#define PCI_CLASS_BRIDGE_CARDBUS 0x0607

static gboolean
is_bridge(const IgdSysroot *sysroot, const IgdPciAddress *a)
{
    g_autoptr(IgdPciDevice) d = igd_pci_device_new(sysroot, a, NULL);
    g_autoptr(GBytes) cfg = NULL;
    guint32 cls;

    if (d == NULL)
        return FALSE;
    cfg = igd_pci_device_read_config(d, NULL);
    if (cfg != NULL) {
        gsize n = 0;
        const guint8 *b = g_bytes_get_data(cfg, &n);
        if (n > PCI_HEADER_TYPE)
            return (b[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_MASK) != 0;
    }
    cls = igd_pci_device_get_class(d) >> 8;
    return cls == PCI_CLASS_BRIDGE_PCI || cls == PCI_CLASS_BRIDGE_CARDBUS;
}

GPtrArray *
igd_pci_iommu_group_others(const IgdSysroot *sysroot, const IgdPciDevice *dev, GError **error)
{
    g_autoptr(GPtrArray) members = NULL;
    g_autoptr(GPtrArray) others = NULL;

    if (dev->iommu_group < 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED, "%s is in no IOMMU group", dev->name);
        return NULL;
    }
    members = igd_pci_iommu_group_devices(sysroot, dev->iommu_group, error);
    if (members == NULL)
        return NULL;
    others = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < members->len; i++) {
        const IgdPciAddress *a = members->pdata[i];
        if (igd_pci_address_equal(a, &dev->address) || is_bridge(sysroot, a))
            continue;
        g_ptr_array_add(others, address_dup(a));
    }
    return g_steal_pointer(&others);
}

GPtrArray *
igd_pci_find_intel_displays(const IgdSysroot *sysroot, GError **error)
{
    g_autoptr(GPtrArray) all = list_addresses(sysroot, PCI_DEVICES_DIR, error);
    g_autoptr(GPtrArray) found = NULL;

    if (all == NULL)
        return NULL;
    found = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < all->len; i++) {
        const IgdPciAddress *addr = all->pdata[i];
        g_autoptr(IgdPciDevice) dev = igd_pci_device_new(sysroot, addr, NULL);

        if (dev != NULL && igd_pci_device_is_intel_display(dev))
            g_ptr_array_add(found, address_dup(addr));
    }
    return g_steal_pointer(&found);
}
