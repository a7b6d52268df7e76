/*
 * igd-facts.c: gathering the host facts the domain-XML engine decides on
 * (SPEC.md §4 `auto`): the IGD's ids, platform, GMCH, ROM images, vfio-pci
 * VGA support, the kernel, and the installed QEMU (probed, cached).
 */
#include "config.h"

#include "igd-common.h"
#include "igd-facts.h"
#include "igd-host.h"
#include "igd-pci.h"
#include "igd-rom.h"

IgdHostFacts *
igd_host_facts_new(void)
{
    IgdHostFacts *f = g_new0(IgdHostFacts, 1);

    f->addr.slot = 2;
    f->notes = g_ptr_array_new_with_free_func(g_free);
    return f;
}

void
igd_host_facts_free(IgdHostFacts *facts)
{
    if (facts == NULL)
        return;
    g_clear_pointer(&facts->qemu, igd_qemu_caps_free);
    g_ptr_array_unref(facts->notes);
    g_free(facts);
}

static void
note(IgdHostFacts *f, const char *what, const GError *e)
{
    g_ptr_array_add(f->notes, g_strdup_printf("%s: %s", what, e ? e->message : "unknown"));
}

static char *
qemu_cache_dir(void)
{
    return g_build_filename(g_get_user_cache_dir(), "igd-assign", NULL);
}

IgdHostFacts *
igd_host_facts_gather(const IgdSysroot *sysroot, const IgdPciAddress *addr, const char *qemu_binary,
                      gboolean *not_igd, GError **error)
{
    g_autoptr(IgdHostFacts) f = igd_host_facts_new();
    g_autoptr(IgdPciDevice) dev = NULL;
    g_autoptr(GError) e = NULL;
    g_autoptr(GBytes) config = NULL;
    g_autoptr(GBytes) rom = NULL;
    g_autofree char *release = NULL;
    gboolean disable_vga = FALSE;

    if (not_igd)
        *not_igd = FALSE;
    if (addr)
        f->addr = *addr;
    {
        /* the common case of `rewrite` on a machine without an IGD there: two reads, not the whole device */
        char name[13];
        g_autofree char *vpath = NULL;
        g_autofree char *cpath = NULL;
        guint64 vendor = 0, klass = 0;

        igd_pci_address_format(&f->addr, name);
        vpath = g_strdup_printf("/sys/bus/pci/devices/%s/vendor", name);
        cpath = g_strdup_printf("/sys/bus/pci/devices/%s/class", name);
        if (igd_sysroot_read_u64(sysroot, vpath, &vendor, NULL) && igd_sysroot_read_u64(sysroot, cpath, &klass, NULL) &&
            (vendor != IGD_PCI_VENDOR_INTEL || (klass >> 16) != IGD_PCI_CLASS_DISPLAY)) {
            f->vendor_id = (guint16)vendor;
            f->class_code = (guint32)klass;
            if (not_igd)
                *not_igd = TRUE;
            g_ptr_array_add(f->notes, g_strdup_printf("host device %s is vendor 0x%04x class 0x%06x, not an Intel "
                                                      "display device", name, (guint)vendor, (guint)klass));
            return g_steal_pointer(&f);
        }
    }
    dev = igd_pci_device_new(sysroot, &f->addr, &e);
    if (dev == NULL) {
        note(f, "host device", e);
        return g_steal_pointer(&f);
    }
    f->vendor_id = igd_pci_device_get_vendor_id(dev);
    f->device_id = igd_pci_device_get_device_id(dev);
    f->class_code = igd_pci_device_get_class(dev);
    if (!igd_pci_device_is_intel_display(dev)) {
        if (not_igd)
            *not_igd = TRUE;
        g_ptr_array_add(f->notes, g_strdup_printf("host device %s is %04x:%04x class %06x, not an Intel display device",
                                                  igd_pci_device_get_name(dev), f->vendor_id, f->device_id,
                                                  f->class_code));
        return g_steal_pointer(&f);
    }
    f->present = TRUE;
    f->platform = igd_platform_lookup(f->device_id);

    config = igd_pci_device_read_config(dev, &e);
    if (config == NULL) {
        note(f, "config space", e);
        g_clear_error(&e);
    } else if (f->platform) {
        gsize n = 0;
        const guint8 *p = g_bytes_get_data(config, &n);
        if (igd_gmch_decode(f->platform, p, n, &f->gmch, &e))
            f->gmch_valid = TRUE;
        else
            note(f, "GMCH", e);
        g_clear_error(&e);
    }

    rom = igd_pci_device_read_rom(dev, &e);
    if (rom == NULL) {
        note(f, "ROM", e);
        g_clear_error(&e);
    } else {
        g_autoptr(IgdRom) r = igd_rom_parse(rom, &e);
        if (r == NULL) {
            note(f, "ROM", e);
            g_clear_error(&e);
        } else {
            f->rom_known = TRUE;
            f->rom_legacy = igd_rom_has_legacy(r);
            f->rom_efi_gop = igd_rom_has_efi_gop(r);
        }
    }

    if (igd_host_vfio_disable_vga(sysroot, &disable_vga, &e)) {
        f->vfio_vga_known = TRUE;
        f->vfio_vga_ok = !disable_vga;
    } else {
        note(f, "vfio-pci disable_vga", e);
        g_clear_error(&e);
    }

    release = igd_host_kernel_release(sysroot, &e);
    if (release) {
        guint major = 0, minor = 0;
        if (igd_host_parse_kernel_version(release, &major, &minor, &e)) {
            f->kernel_known = TRUE;
            f->kernel_ok = major > 4 || (major == 4 && minor >= 6);
        } else {
            note(f, "kernel release", e);
        }
    } else {
        note(f, "kernel release", e);
    }
    g_clear_error(&e);

    if (qemu_binary == NULL || qemu_binary[0] != '\0') {
        g_autofree char *cache = qemu_cache_dir();
        f->qemu = igd_qemu_caps_probe(qemu_binary, cache, &e);
        if (f->qemu == NULL)
            note(f, "QEMU", e);
    }
    (void)error;
    return g_steal_pointer(&f);
}

gboolean
igd_host_facts_use_romfile(IgdHostFacts *facts, const char *path, GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(IgdRom) rom = NULL;
    g_autoptr(GError) e = NULL;

    if (!g_file_get_contents(path, &data, &len, &e)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot read ROM file '%s': %s", path, e->message);
        return FALSE;
    }
    if (len > IGD_PCI_ROM_MAX) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "ROM file '%s' is larger than %u bytes", path,
                    IGD_PCI_ROM_MAX);
        return FALSE;
    }
    bytes = g_bytes_new_take(g_steal_pointer(&data), len);
    rom = igd_rom_parse(bytes, &e);
    if (rom == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "ROM file '%s': %s", path, e->message);
        return FALSE;
    }
    facts->rom_known = TRUE;
    facts->rom_is_romfile = TRUE;
    facts->rom_legacy = igd_rom_has_legacy(rom);
    facts->rom_efi_gop = igd_rom_has_efi_gop(rom);
    return TRUE;
}
