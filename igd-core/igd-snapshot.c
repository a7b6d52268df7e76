/*
 * igd-snapshot.c: gathering what is known about one IGD, once.
 */
#include "config.h"

#include "igd-common.h"
#include "igd-host.h"
#include "igd-snapshot.h"

#define IORESOURCE_MEM 0x200 /* include/linux/ioport.h */

void
igd_snapshot_free(IgdSnapshot *s)
{
    if (s == NULL)
        return;
    g_free(s->driver);
    g_free(s->driver_override);
    g_clear_error(&s->config_error);
    g_clear_pointer(&s->rom, igd_rom_free);
    g_free(s->rom_source);
    g_clear_error(&s->rom_error);
    g_clear_pointer(&s->opregion, igd_opregion_free);
    g_free(s->opregion_source);
    g_clear_error(&s->opregion_error);
    g_clear_pointer(&s->vbt, igd_vbt_free);
    g_free(s->vbt_source);
    g_clear_error(&s->vbt_error);
    g_clear_pointer(&s->iommu_group_others, g_ptr_array_unref);
    g_clear_error(&s->iommu_group_error);
    g_clear_error(&s->vfio_vga_error);
    g_free(s->kernel_release);
    g_clear_error(&s->kernel_error);
    g_clear_error(&s->iommu_width_error);
    g_clear_error(&s->cpu_phys_bits_error);
    g_clear_pointer(&s->fb_claims, g_ptr_array_unref);
    g_clear_error(&s->fb_error);
    g_clear_error(&s->dmar_error);
    g_clear_pointer(&s->qemu_owned, igd_qemu_caps_free);
    g_clear_error(&s->qemu_error);
    g_free(s);
}

IgdQemuCaps *
igd_snapshot_probe_qemu(const char *binary, GError **error)
{
    const char *cache = g_getenv("IGD_ASSIGN_CACHE_DIR");
    const char *saved = g_getenv("IGD_QEMU_CAPS");
    g_autofree char *cache_dir = NULL;

    if (saved != NULL && *saved != '\0') {
        IgdQemuCaps *caps = igd_qemu_caps_load(saved, error);
        if (caps == NULL)
            g_prefix_error(error, "IGD_QEMU_CAPS: ");
        return caps;
    }
    if (cache == NULL)
        cache_dir = g_build_filename(g_get_user_cache_dir(), "igd-assign", NULL);
    else if (*cache)
        cache_dir = g_strdup(cache);
    return igd_qemu_caps_probe(binary, cache_dir, 0, error);
}

void
igd_snapshot_set_qemu(IgdSnapshot *s, IgdQemuCaps *qemu, gboolean take)
{
    g_clear_pointer(&s->qemu_owned, igd_qemu_caps_free);
    g_clear_error(&s->qemu_error);
    s->qemu = qemu;
    s->parts |= IGD_SNAPSHOT_QEMU;
    if (take)
        s->qemu_owned = qemu;
    if (qemu == NULL)
        g_set_error_literal(&s->qemu_error, IGD_ERROR, IGD_ERROR_NOT_FOUND, "no QEMU found");
}

static void
gather_config(IgdSnapshot *s, IgdPciDevice *dev)
{
    g_autoptr(GBytes) config = igd_pci_device_read_config(dev, &s->config_error);
    gsize n = 0;
    const guint8 *p;

    for (guint i = 0; i < IGD_PCI_NUM_BARS; i++) {
        guint64 start, end, flags;
        if (igd_pci_device_get_bar(dev, i, &start, &end, &flags) && (flags & IORESOURCE_MEM) && start <= end) {
            s->bar_start[s->n_bars] = start;
            s->bar_end[s->n_bars] = end;
            s->n_bars++;
        }
    }
    if (config == NULL) {
        g_prefix_error(&s->config_error, "config space: ");
        return;
    }
    if (s->platform == NULL)
        return; /* no formula is guessed for an unknown id */
    p = g_bytes_get_data(config, &n);
    s->gmch_valid = igd_gmch_decode(s->platform, p, n, &s->gmch, &s->config_error);
    if (!s->gmch_valid)
        g_prefix_error(&s->config_error, "GMCH: ");
}

static void
gather_rom(IgdSnapshot *s, IgdPciDevice *dev)
{
    g_autoptr(GBytes) bytes = igd_pci_device_read_rom(dev, &s->rom_error);

    if (bytes == NULL)
        return;
    s->rom_size = g_bytes_get_size(bytes);
    s->rom = igd_rom_parse(bytes, &s->rom_error);
    if (s->rom != NULL)
        s->rom_source = g_strdup("device");
}

static void
gather_opregion(IgdSnapshot *s, const IgdSysroot *sysroot)
{
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GBytes) vbt = NULL;

    bytes = igd_host_read_opregion(sysroot, &s->addr, s->driver, &s->opregion_source, &s->opregion_error);
    if (bytes != NULL) {
        guint64 asls = s->gmch_valid && s->gmch.asls_present ? s->gmch.asls : 0;
        s->opregion = asls ? igd_opregion_parse_at(bytes, asls, &s->opregion_error)
                           : igd_opregion_parse(bytes, &s->opregion_error);
    }
    if (s->opregion != NULL)
        vbt = igd_opregion_get_vbt(s->opregion);
    if (vbt != NULL) {
        s->vbt_source = g_strdup("opregion");
    } else {
        vbt = igd_host_read_debugfs_vbt(sysroot, &s->addr, &s->vbt_error);
        if (vbt != NULL)
            s->vbt_source = g_strdup("debugfs");
    }
    if (vbt != NULL) {
        s->vbt = igd_vbt_parse(vbt, &s->vbt_error);
        if (s->vbt == NULL)
            g_prefix_error(&s->vbt_error, "VBT: ");
    }
}

static void
gather_host(IgdSnapshot *s, const IgdSysroot *sysroot, IgdPciDevice *dev)
{
    g_autoptr(GPtrArray) others = NULL;

    s->iommu_enabled = igd_host_iommu_enabled(sysroot);
    s->iommu_groups = igd_host_iommu_group_count(sysroot);
    s->iommu_off_cmdline = igd_host_cmdline_has(sysroot, "intel_iommu=off");
    if (s->iommu_group >= 0) {
        others = igd_pci_iommu_group_others(sysroot, dev, &s->iommu_group_error);
        if (others != NULL) {
            s->iommu_group_others = g_ptr_array_new_with_free_func(g_free);
            for (guint i = 0; i < others->len; i++)
                g_ptr_array_add(s->iommu_group_others, igd_pci_address_to_string(others->pdata[i]));
        }
    }
    s->vfio_pci_loaded = igd_host_vfio_pci_loaded(sysroot);
    s->vfio_vga_known = igd_host_vfio_disable_vga(sysroot, &s->vfio_disable_vga, &s->vfio_vga_error);
    if (!igd_host_iommu_address_width(sysroot, &s->iommu_width, &s->iommu_units, &s->iommu_width_error))
        s->iommu_width = 0;
    if (!igd_host_cpu_phys_bits(sysroot, &s->cpu_phys_bits, &s->cpu_phys_bits_error))
        s->cpu_phys_bits = 0;
    s->kernel_release = igd_host_kernel_release(sysroot, &s->kernel_error);
    if (s->kernel_release != NULL &&
        !igd_host_parse_kernel_version(s->kernel_release, &s->kernel_major, &s->kernel_minor, &s->kernel_error))
        g_clear_pointer(&s->kernel_release, g_free);
}

IgdSnapshot *
igd_snapshot_gather(const IgdSysroot *sysroot, const IgdPciAddress *addr, IgdSnapshotParts parts, GError **error)
{
    g_autoptr(IgdSnapshot) s = g_new0(IgdSnapshot, 1);
    g_autoptr(IgdPciDevice) dev = NULL;

    s->parts = parts;
    if (addr != NULL)
        s->addr = *addr;
    else
        s->addr.slot = 2;
    dev = igd_pci_device_open_igd(sysroot, &s->addr, error);
    if (dev == NULL)
        return NULL;
    igd_pci_address_format(&s->addr, s->name);
    s->vendor_id = igd_pci_device_get_vendor_id(dev);
    s->device_id = igd_pci_device_get_device_id(dev);
    s->subsystem_vendor_id = igd_pci_device_get_subsystem_vendor_id(dev);
    s->subsystem_device_id = igd_pci_device_get_subsystem_device_id(dev);
    s->class_code = igd_pci_device_get_class(dev);
    s->revision = igd_pci_device_get_revision(dev);
    s->driver = g_strdup(igd_pci_device_get_driver(dev));
    s->driver_override = g_strdup(igd_pci_device_get_driver_override(dev));
    s->iommu_group = igd_pci_device_get_iommu_group(dev);
    s->platform = igd_platform_lookup(s->device_id);
    gather_config(s, dev);

    if (parts & IGD_SNAPSHOT_ROM)
        gather_rom(s, dev);
    if (parts & IGD_SNAPSHOT_OPREGION)
        gather_opregion(s, sysroot);
    if (parts & IGD_SNAPSHOT_HOST)
        gather_host(s, sysroot, dev);
    if (parts & IGD_SNAPSHOT_FRAMEBUFFER)
        s->fb_claims = igd_host_framebuffer_claims(sysroot, dev, &s->fb_error);
    if (parts & IGD_SNAPSHOT_DMAR) {
        s->dmar_faults = igd_host_dmar_faults(sysroot, &s->addr, &s->dmar_ongoing, &s->dmar_error);
        s->dmar_known = s->dmar_error == NULL;
    }
    if (parts & IGD_SNAPSHOT_QEMU)
        s->qemu = s->qemu_owned = igd_snapshot_probe_qemu(NULL, &s->qemu_error);
    return g_steal_pointer(&s);
}

gboolean
igd_snapshot_use_romfile(IgdSnapshot *s, const char *path, GError **error)
{
    g_autoptr(GBytes) bytes = igd_read_regular_file(path, IGD_PCI_ROM_MAX, "ROM file", error);
    g_autoptr(GError) local = NULL;
    IgdRom *rom;

    if (bytes == NULL)
        return FALSE;
    rom = igd_rom_parse(bytes, &local);
    if (rom == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "ROM file '%s': %s", path, local->message);
        return FALSE;
    }
    g_clear_pointer(&s->rom, igd_rom_free);
    g_clear_error(&s->rom_error);
    g_free(s->rom_source);
    s->rom = rom;
    s->parts |= IGD_SNAPSHOT_ROM;
    s->rom_size = g_bytes_get_size(bytes);
    s->rom_source = g_strdup(path);
    return TRUE;
}

gboolean
igd_snapshot_rom_is_file(const IgdSnapshot *s)
{
    return s->rom_source != NULL && !g_str_equal(s->rom_source, "device");
}

void
igd_snapshot_qemu_setup(const IgdSnapshot *s, IgdQemuSetup *setup)
{
    gboolean host = (s->parts & IGD_SNAPSHOT_HOST) != 0;
    gboolean vga_class = (s->class_code >> 8) == 0x0300;
    gboolean known = host && s->kernel_release != NULL;

    igd_qemu_setup_init(setup);
    /* drivers/vfio/pci/vfio_pci.c: the IGD regions since 4.6, for any display class since 6.15 */
    if (known && (s->kernel_major < 4 || (s->kernel_major == 4 && s->kernel_minor < 6)))
        setup->kernel_regions = FALSE;
    else if (known && !vga_class && (s->kernel_major < 6 || (s->kernel_major == 6 && s->kernel_minor < 15)))
        setup->kernel_regions = FALSE;
    if (host && s->vfio_vga_known && s->vfio_disable_vga)
        setup->vga_region = FALSE;
    setup->romfile = igd_snapshot_rom_is_file(s);
}

void
igd_snapshot_model_request(const IgdSnapshot *s, IgdQemuModelRequest *req)
{
    igd_qemu_model_request_init(req, s->device_id);
    req->platform = s->platform;
    req->gmch = s->gmch_valid ? &s->gmch : NULL;
}
