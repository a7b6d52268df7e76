/*
 * igd-vfio.c: an IGD opened through VFIO, its regions and the capability
 * chain of each region (Linux include/uapi/linux/vfio.h,
 * drivers/vfio/pci/vfio_pci_igd.c; QEMU hw/vfio/igd.c reads the same
 * regions the same way).
 *
 * The ioctl argument structures are the kernel's ABI and are filled by the
 * kernel; the capability chain inside the region info buffer is walked by
 * offsets with bounds checks (igd_le16/igd_le32), never by a struct laid
 * over it, because a bad chain must be an error and not an overrun.
 */
#include "config.h"

#include "igd-vfio.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "igd-common.h"
#include "igd-pci.h"

/*
 * The per-device cdev interface (/dev/vfio/devices/vfioN bound to an
 * iommufd) arrived in Linux 6.6; older uapi headers lack these. The values
 * are the kernel ABI (include/uapi/linux/vfio.h, VFIO_BASE + 18).
 */
#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
    __u32 argsz;
    __u32 flags;
    __s32 iommufd;
    __u32 out_devid;
};
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
#endif

/* Capability header inside a region info buffer: id u16, version u16, next u32. */
#define IGD_VFIO_CAP_HEADER_SIZE 8
#define IGD_VFIO_CAP_ID          0   /* struct vfio_info_cap_header.id */
#define IGD_VFIO_CAP_VERSION     2   /* .version */
#define IGD_VFIO_CAP_NEXT        4   /* .next, offset from the start of the info buffer */
#define IGD_VFIO_CAP_TYPE_TYPE    8  /* struct vfio_region_info_cap_type.type */
#define IGD_VFIO_CAP_TYPE_SUBTYPE 12 /* .subtype */
#define IGD_VFIO_CAP_TYPE_SIZE    16
G_STATIC_ASSERT(sizeof(struct vfio_info_cap_header) == IGD_VFIO_CAP_HEADER_SIZE);
G_STATIC_ASSERT(sizeof(struct vfio_region_info_cap_type) == IGD_VFIO_CAP_TYPE_SIZE);
G_STATIC_ASSERT(G_STRUCT_OFFSET(struct vfio_info_cap_header, next) == IGD_VFIO_CAP_NEXT);
G_STATIC_ASSERT(G_STRUCT_OFFSET(struct vfio_region_info_cap_type, subtype) == IGD_VFIO_CAP_TYPE_SUBTYPE);
G_STATIC_ASSERT(VFIO_REGION_INFO_CAP_TYPE == 2);
G_STATIC_ASSERT(IGD_VFIO_REGION_TYPE_PCI_VENDOR == ((guint32)VFIO_REGION_TYPE_PCI_VENDOR_TYPE | 0x8086u));

/* Largest region info (header + capabilities) accepted from the kernel. */
#define IGD_VFIO_REGION_INFO_MAX 4096
/* Times a too-small argsz is grown before giving up. */
#define IGD_VFIO_ARGSZ_TRIES 3
/* More regions than this is not a PCI device we know. */
#define IGD_VFIO_NUM_REGIONS_MAX 64

struct _IgdVfioDevice {
    char *name;        /* "0000:00:02.0" */
    char *group_path;  /* host path of the group or cdev, for messages */
    int container_fd;  /* /dev/vfio/vfio, or /dev/iommu for a cdev */
    int group_fd;      /* /dev/vfio/<group>, -1 for a cdev */
    int device_fd;
    guint num_regions;
};

static int
igd_vfio_errno_code(int e)
{
    switch (e) {
    case ENOENT:
    case ENODEV:
        return IGD_ERROR_NOT_FOUND;
    case EBUSY:
        return IGD_ERROR_CONFLICT;
    case EACCES:
    case EPERM:
        return IGD_ERROR_DENIED;
    default:
        return IGD_ERROR_IO;
    }
}

/*
 * A VFIO node under the sysroot: opened O_RDWR as a character device on the
 * host (the regular file standing for it in a tree), never through a link
 * out of a tree (igd_sysroot_open()).
 */
static int
igd_vfio_open_path(const IgdSysroot *sysroot, const char *abs_path, GError **error)
{
    g_autoptr(GError) local = NULL;
    int fd = igd_sysroot_open(sysroot, abs_path, IGD_SYSROOT_DEVICE, O_RDWR, &local);

    if (fd < 0) {
        if (g_error_matches(local, IGD_ERROR, IGD_ERROR_CONFLICT))
            g_set_error(error, IGD_ERROR, IGD_ERROR_CONFLICT, "%s (in use by another process, e.g. QEMU)",
                        local->message);
        else
            g_propagate_error(error, g_steal_pointer(&local));
        return -1;
    }
    return fd;
}

void
igd_vfio_device_close(IgdVfioDevice *dev)
{
    if (dev == NULL)
        return;
    /* Device first: the kernel releases the group only when its devices are closed. */
    if (dev->device_fd >= 0)
        close(dev->device_fd);
    if (dev->group_fd >= 0)
        close(dev->group_fd);
    if (dev->container_fd >= 0)
        close(dev->container_fd);
    g_free(dev->name);
    g_free(dev->group_path);
    g_free(dev);
}

static IgdVfioDevice *
igd_vfio_device_alloc(const IgdPciAddress *addr)
{
    IgdVfioDevice *dev = g_new0(IgdVfioDevice, 1);

    dev->name = igd_pci_address_to_string(addr);
    dev->container_fd = dev->group_fd = dev->device_fd = -1;
    return dev;
}

static gboolean
igd_vfio_device_get_info(IgdVfioDevice *dev, GError **error)
{
    struct vfio_device_info info = { .argsz = sizeof(info) };

    if (ioctl(dev->device_fd, VFIO_DEVICE_GET_INFO, &info) < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "VFIO_DEVICE_GET_INFO on %s failed: %s",
                    dev->name, g_strerror(e));
        return FALSE;
    }
    if (!(info.flags & VFIO_DEVICE_FLAGS_PCI)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                    "VFIO device %s is not a vfio-pci device (flags 0x%x)", dev->name, info.flags);
        return FALSE;
    }
    if (info.num_regions > IGD_VFIO_NUM_REGIONS_MAX) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "VFIO device %s reports %u regions (more than %u)", dev->name,
                    info.num_regions, IGD_VFIO_NUM_REGIONS_MAX);
        return FALSE;
    }
    dev->num_regions = info.num_regions;
    return TRUE;
}

/* The legacy interface: container + group (what QEMU uses by default). */
static gboolean
igd_vfio_device_open_group(IgdVfioDevice *dev, const IgdSysroot *sysroot, const char *group,
                           GError **error)
{
    struct vfio_group_status status = { .argsz = sizeof(status) };
    g_autofree char *group_abs = g_strdup_printf("/dev/vfio/%s", group);
    int api, iommu_type;

    dev->group_path = g_strdup(group_abs);
    dev->container_fd = igd_vfio_open_path(sysroot, "/dev/vfio/vfio", error);
    if (dev->container_fd < 0)
        return FALSE;
    api = ioctl(dev->container_fd, VFIO_GET_API_VERSION);
    if (api != VFIO_API_VERSION) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                    "unknown VFIO API version %d of /dev/vfio/vfio (expected %d)", api, VFIO_API_VERSION);
        return FALSE;
    }
    if (ioctl(dev->container_fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0)
        iommu_type = VFIO_TYPE1v2_IOMMU;
    else if (ioctl(dev->container_fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) > 0)
        iommu_type = VFIO_TYPE1_IOMMU;
    else {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                            "the VFIO container offers no type1 IOMMU (is intel_iommu=on?)");
        return FALSE;
    }

    dev->group_fd = igd_vfio_open_path(sysroot, group_abs, error);
    if (dev->group_fd < 0)
        return FALSE;
    if (ioctl(dev->group_fd, VFIO_GROUP_GET_STATUS, &status) < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "VFIO_GROUP_GET_STATUS on %s failed: %s",
                    group_abs, g_strerror(e));
        return FALSE;
    }
    if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED,
                    "IOMMU group %s is not viable: every device in it must be bound to vfio-pci or unbound",
                    group);
        return FALSE;
    }
    if (ioctl(dev->group_fd, VFIO_GROUP_SET_CONTAINER, &dev->container_fd) < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "VFIO_GROUP_SET_CONTAINER on %s failed: %s",
                    group_abs, g_strerror(e));
        return FALSE;
    }
    if (ioctl(dev->container_fd, VFIO_SET_IOMMU, iommu_type) < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "VFIO_SET_IOMMU (type %d) failed: %s",
                    iommu_type, g_strerror(e));
        return FALSE;
    }
    dev->device_fd = ioctl(dev->group_fd, VFIO_GROUP_GET_DEVICE_FD, dev->name);
    if (dev->device_fd < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, igd_vfio_errno_code(e),
                    "VFIO_GROUP_GET_DEVICE_FD for %s on %s failed: %s", dev->name, group_abs,
                    g_strerror(e));
        return FALSE;
    }
    return TRUE;
}

/*
 * The per-device cdev (Linux 6.6+, /dev/vfio/devices/vfioN) for kernels
 * built without the group interface: bind it to an iommufd; region info and
 * reads need no IOAS attachment.
 */
static gboolean
igd_vfio_device_open_cdev(IgdVfioDevice *dev, const IgdSysroot *sysroot, const char *cdev,
                          GError **error)
{
    struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
    g_autofree char *cdev_abs = g_strdup_printf("/dev/vfio/devices/%s", cdev);

    dev->group_path = g_strdup(cdev_abs);
    dev->device_fd = igd_vfio_open_path(sysroot, cdev_abs, error);
    if (dev->device_fd < 0)
        return FALSE;
    dev->container_fd = igd_vfio_open_path(sysroot, "/dev/iommu", error);
    if (dev->container_fd < 0)
        return FALSE;
    bind.iommufd = dev->container_fd;
    if (ioctl(dev->device_fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, igd_vfio_errno_code(e), "VFIO_DEVICE_BIND_IOMMUFD on %s failed: %s",
                    cdev_abs, g_strerror(e));
        return FALSE;
    }
    return TRUE;
}

/* The name of the vfio-dev/vfioN entry of the device, NULL when the kernel has no cdev. */
static char *
igd_vfio_find_cdev(const IgdSysroot *sysroot, const char *name)
{
    g_autofree char *dir = g_strdup_printf("/sys/bus/pci/devices/%s/vfio-dev", name);
    g_autoptr(GPtrArray) entries = igd_sysroot_list(sysroot, dir, NULL);

    for (guint i = 0; entries && i < entries->len; i++) {
        const char *entry = entries->pdata[i];
        guint64 n;
        if (g_str_has_prefix(entry, "vfio") &&
            g_ascii_string_to_unsigned(entry + 4, 10, 0, G_MAXINT, &n, NULL))
            return g_strdup(entry);
    }
    return NULL;
}

IgdVfioDevice *
igd_vfio_device_open(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error)
{
    g_autoptr(IgdVfioDevice) dev = igd_vfio_device_alloc(addr);
    g_autofree char *driver_abs = g_strdup_printf("/sys/bus/pci/devices/%s/driver", dev->name);
    g_autofree char *group_abs = g_strdup_printf("/sys/bus/pci/devices/%s/iommu_group", dev->name);
    g_autofree char *vendor_abs = g_strdup_printf("/sys/bus/pci/devices/%s/vendor", dev->name);
    g_autofree char *class_abs = g_strdup_printf("/sys/bus/pci/devices/%s/class", dev->name);
    g_autofree char *driver = NULL;
    g_autofree char *group = NULL;
    g_autofree char *group_dev = NULL;
    g_autofree char *cdev = NULL;
    g_autoptr(GError) local = NULL;
    guint64 n, vendor = 0, klass = 0;

    /* Opening the device fd resets the function (vfio_pci_core_enable()): Intel display devices only. */
    if (!igd_sysroot_read_u64(sysroot, vendor_abs, &vendor, error) ||
        !igd_sysroot_read_u64(sysroot, class_abs, &klass, error))
        return NULL;
    if (vendor != IGD_PCI_VENDOR_INTEL || (klass >> 16) != IGD_PCI_CLASS_DISPLAY) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                    "refusing to open %s through VFIO: not an Intel display device (vendor 0x%04" G_GINT64_MODIFIER
                    "x class 0x%06" G_GINT64_MODIFIER "x)", dev->name, vendor, klass);
        return NULL;
    }
    driver = igd_sysroot_read_link_name(sysroot, driver_abs, &local);
    if (driver == NULL && !g_error_matches(local, IGD_ERROR, IGD_ERROR_NOT_FOUND)) {
        g_propagate_error(error, g_steal_pointer(&local));
        return NULL;
    }
    if (driver == NULL || !g_str_equal(driver, "vfio-pci")) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED, "%s is bound to %s, not vfio-pci",
                    dev->name, driver ? driver : "no driver");
        return NULL;
    }
    g_clear_error(&local);
    group = igd_sysroot_read_link_name(sysroot, group_abs, &local);
    if (group == NULL) {
        if (g_error_matches(local, IGD_ERROR, IGD_ERROR_NOT_FOUND))
            g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED,
                        "%s has no IOMMU group (is the IOMMU on? intel_iommu=on)", dev->name);
        else
            g_propagate_error(error, g_steal_pointer(&local));
        return NULL;
    }
    if (!g_ascii_string_to_unsigned(group, 10, 0, G_MAXINT, &n, NULL)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "IOMMU group '%s' of %s is not a number",
                    group, dev->name);
        return NULL;
    }

    group_dev = g_strdup_printf("/dev/vfio/%s", group);
    cdev = igd_vfio_find_cdev(sysroot, dev->name);
    if (cdev != NULL && !igd_sysroot_exists(sysroot, group_dev)) {
        if (!igd_vfio_device_open_cdev(dev, sysroot, cdev, error))
            return NULL;
    } else if (!igd_vfio_device_open_group(dev, sysroot, group, error)) {
        return NULL;
    }
    if (!igd_vfio_device_get_info(dev, error))
        return NULL;
    return g_steal_pointer(&dev);
}

guint
igd_vfio_device_get_num_regions(const IgdVfioDevice *dev)
{
    return dev->num_regions;
}

/*
 * Walk the capability chain of a region info buffer @buf of @len valid
 * bytes (header included) starting at @off. Loops, offsets inside the
 * header, and capabilities that run past @len are errors.
 */
static gboolean
igd_vfio_parse_caps(const char *name, guint index, const guint8 *buf, gsize len, guint32 off,
                    IgdVfioRegion *region, GError **error)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);

    while (off != 0) {
        guint16 id, version;

        if (off < sizeof(struct vfio_region_info) || !igd_range_ok(len, off, IGD_VFIO_CAP_HEADER_SIZE)) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                        "region %u of %s: capability at offset %u lies outside the %zu-byte region info",
                        index, name, off, len);
            return FALSE;
        }
        if (g_hash_table_contains(seen, GUINT_TO_POINTER(off))) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                        "region %u of %s: capability chain loops at offset %u", index, name, off);
            return FALSE;
        }
        g_hash_table_add(seen, GUINT_TO_POINTER(off));
        id = igd_le16(buf + off + IGD_VFIO_CAP_ID);
        version = igd_le16(buf + off + IGD_VFIO_CAP_VERSION);
        if (id == VFIO_REGION_INFO_CAP_TYPE) {
            if (!igd_range_ok(len, off, IGD_VFIO_CAP_TYPE_SIZE)) {
                g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                            "region %u of %s: type capability at offset %u overruns the %zu-byte region info",
                            index, name, off, len);
                return FALSE;
            }
            if (version >= 1) {
                region->type = igd_le32(buf + off + IGD_VFIO_CAP_TYPE_TYPE);
                region->subtype = igd_le32(buf + off + IGD_VFIO_CAP_TYPE_SUBTYPE);
                region->has_type = TRUE;
            }
        }
        off = igd_le32(buf + off + IGD_VFIO_CAP_NEXT);
    }
    return TRUE;
}

static gboolean
igd_vfio_device_get_region(IgdVfioDevice *dev, guint index, IgdVfioRegion *region, GError **error)
{
    g_autofree guint8 *buf = NULL;
    gsize bufsz = sizeof(struct vfio_region_info);
    struct vfio_region_info info;

    for (guint attempt = 0;; attempt++) {
        memset(&info, 0, sizeof(info));
        g_free(buf);
        buf = g_malloc0(bufsz);
        info.argsz = (guint32)bufsz;
        info.index = index;
        memcpy(buf, &info, sizeof(info));
        if (ioctl(dev->device_fd, VFIO_DEVICE_GET_REGION_INFO, buf) < 0) {
            int e = errno;
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "VFIO_DEVICE_GET_REGION_INFO %u on %s failed: %s",
                        index, dev->name, g_strerror(e));
            return FALSE;
        }
        memcpy(&info, buf, sizeof(info));
        if (!(info.flags & VFIO_REGION_INFO_FLAG_CAPS) || info.argsz <= bufsz)
            break;
        /* The kernel wants a larger buffer for the capabilities: grow and ask again. */
        if (info.argsz > IGD_VFIO_REGION_INFO_MAX || attempt + 1 >= IGD_VFIO_ARGSZ_TRIES) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                        "region %u of %s: region info needs %u bytes (after %u tries, limit %u)",
                        index, dev->name, info.argsz, attempt + 1, IGD_VFIO_REGION_INFO_MAX);
            return FALSE;
        }
        bufsz = info.argsz;
    }

    memset(region, 0, sizeof(*region));
    region->index = index;
    region->flags = info.flags;
    region->size = info.size;
    region->offset = info.offset;
    if ((info.flags & VFIO_REGION_INFO_FLAG_CAPS) && info.cap_offset != 0) {
        /* Only the bytes both we gave and the kernel declared are capability data. */
        gsize valid = MIN(bufsz, (gsize)info.argsz);
        if (!igd_vfio_parse_caps(dev->name, index, buf, valid, info.cap_offset, region, error))
            return FALSE;
    }
    return TRUE;
}

GArray *
igd_vfio_device_get_regions(IgdVfioDevice *dev, GError **error)
{
    g_autoptr(GArray) regions = g_array_new(FALSE, TRUE, sizeof(IgdVfioRegion));

    for (guint i = 0; i < dev->num_regions; i++) {
        IgdVfioRegion region;

        if (!igd_vfio_device_get_region(dev, i, &region, error))
            return NULL;
        if (region.size == 0)
            continue;
        g_array_append_val(regions, region);
    }
    return g_steal_pointer(&regions);
}

const IgdVfioRegion *
igd_vfio_regions_find(GArray *regions, guint32 type, guint32 subtype)
{
    for (guint i = 0; regions != NULL && i < regions->len; i++) {
        const IgdVfioRegion *r = &g_array_index(regions, IgdVfioRegion, i);
        if (r->has_type && r->type == type && r->subtype == subtype)
            return r;
    }
    return NULL;
}

GBytes *
igd_vfio_device_read_region(IgdVfioDevice *dev, const IgdVfioRegion *region, gsize max, GError **error)
{
    g_autofree guint8 *data = NULL;
    gsize done = 0;

    if (max == 0)
        max = IGD_VFIO_REGION_READ_MAX;
    if (!(region->flags & VFIO_REGION_INFO_FLAG_READ)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED, "region %u of %s is not readable",
                    region->index, dev->name);
        return NULL;
    }
    if (region->size > max) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "region %u of %s is %" G_GUINT64_FORMAT " bytes (more than %zu)", region->index,
                    dev->name, region->size, max);
        return NULL;
    }
    if (region->offset > (guint64)G_MAXINT64 - region->size) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "region %u of %s: offset 0x%" G_GINT64_MODIFIER
                    "x overflows", region->index, dev->name, region->offset);
        return NULL;
    }
    data = g_malloc(region->size ? region->size : 1);
    while (done < region->size) {
        ssize_t n = pread(dev->device_fd, data + done, region->size - done, (off_t)(region->offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO,
                        "cannot read region %u of %s at byte %zu of %" G_GUINT64_FORMAT ": %s",
                        region->index, dev->name, done, region->size, n < 0 ? g_strerror(e) : "short read");
            return NULL;
        }
        done += (gsize)n;
    }
    return g_bytes_new_take(g_steal_pointer(&data), region->size);
}

GBytes *
igd_vfio_read_opregion(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error)
{
    g_autoptr(IgdVfioDevice) dev = igd_vfio_device_open(sysroot, addr, error);
    g_autoptr(GArray) regions = NULL;
    const IgdVfioRegion *r;

    if (dev == NULL)
        return NULL;
    regions = igd_vfio_device_get_regions(dev, error);
    if (regions == NULL)
        return NULL;
    r = igd_vfio_regions_find(regions, IGD_VFIO_REGION_TYPE_PCI_VENDOR,
                              IGD_VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION);
    if (r == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND,
                    "%s has no VFIO OpRegion region (the BIOS published no OpRegion in ASLS, or vfio-pci "
                    "was built without CONFIG_VFIO_PCI_IGD)", dev->name);
        return NULL;
    }
    /* The kernel exposes 8 KiB, plus RVDS (a u16 VBT size) when the VBT is extended. */
    return igd_vfio_device_read_region(dev, r, IGD_VFIO_OPREGION_MAX, error);
}

gboolean
igd_vfio_read_intel_regions(const IgdSysroot *sysroot, const IgdPciAddress *addr, GBytes **opregion,
                            GBytes **host_cfg, GBytes **lpc_cfg, GError **error)
{
    g_autoptr(IgdVfioDevice) dev = igd_vfio_device_open(sysroot, addr, error);
    g_autoptr(GArray) regions = NULL;
    const guint32 subtypes[] = {
        IGD_VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION,
        IGD_VFIO_REGION_SUBTYPE_INTEL_IGD_HOST_CFG,
        IGD_VFIO_REGION_SUBTYPE_INTEL_IGD_LPC_CFG,
    };
    GBytes **outs[] = { opregion, host_cfg, lpc_cfg };
    GBytes *got[G_N_ELEMENTS(subtypes)] = { NULL };

    for (guint i = 0; i < G_N_ELEMENTS(outs); i++)
        if (outs[i] != NULL)
            *outs[i] = NULL;
    if (dev == NULL)
        return FALSE;
    regions = igd_vfio_device_get_regions(dev, error);
    if (regions == NULL)
        return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS(subtypes); i++) {
        const IgdVfioRegion *r = igd_vfio_regions_find(regions, IGD_VFIO_REGION_TYPE_PCI_VENDOR, subtypes[i]);

        if (outs[i] == NULL || r == NULL)
            continue;
        /* OpRegion: 8 KiB + RVDS; bridge config: at most a 4 KiB config space. */
        got[i] = igd_vfio_device_read_region(dev, r, i == 0 ? IGD_VFIO_OPREGION_MAX : 4096, error);
        if (got[i] == NULL) {
            for (guint j = 0; j < i; j++)
                g_clear_pointer(&got[j], g_bytes_unref);
            return FALSE;
        }
    }
    for (guint i = 0; i < G_N_ELEMENTS(outs); i++)
        if (outs[i] != NULL)
            *outs[i] = got[i];
    return TRUE;
}
