/*
 * hand-snapshot.c: IgdSnapshots built by hand (see hand-snapshot.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hand-snapshot.h"
#include "hw-lspci.h"
#include "igd-common.h"
#include "igd-test.h"

void
hand_snapshot_set_rom(IgdSnapshot *s, const char *rom)
{
    const char *file = NULL;

    g_clear_pointer(&s->rom, igd_rom_free);
    g_clear_pointer(&s->rom_source, g_free);
    g_clear_error(&s->rom_error);
    s->rom_size = 0;
    s->parts |= IGD_SNAPSHOT_ROM;
    if (g_str_equal(rom, "legacy"))
        file = "data/rom/igd-x86-only.rom";
    else if (g_str_equal(rom, "efi"))
        file = "data/rom/igd-efi-only.rom";
    else if (g_str_equal(rom, "both"))
        file = "data/rom/igd-x86-efi.rom";
    if (file != NULL) {
        g_autofree char *path = igd_test_srcpath(file);
        g_autoptr(GBytes) bytes = igd_test_load(path);
        g_autoptr(GError) error = NULL;

        s->rom = igd_rom_parse(bytes, &error);
        g_assert_no_error(error);
        s->rom_size = g_bytes_get_size(bytes);
        s->rom_source = g_strdup("device");
    } else if (g_str_equal(rom, "none")) {
        /* what sysfs gives for a ROM BAR without an image: all 0xff */
        guint8 ff[512];
        g_autoptr(GBytes) bytes = NULL;

        memset(ff, 0xff, sizeof ff);
        bytes = g_bytes_new(ff, sizeof ff);
        s->rom = igd_rom_parse(bytes, &s->rom_error);
        g_assert_null(s->rom);
        g_assert_nonnull(s->rom_error);
        s->rom_size = sizeof ff;
    } else if (g_str_equal(rom, "unreadable")) {
        g_set_error(&s->rom_error, IGD_ERROR, IGD_ERROR_IO, "cannot read the ROM of %s (test assumption)", s->name);
    } else {
        g_error("unknown ROM '%s' (legacy, efi, both, none, unreadable)", rom);
    }
}

void
hand_snapshot_set_qemu(IgdSnapshot *s, const char *version)
{
    guint maj = 0, min = 0, mic = 0;

    if (sscanf(version, "%u.%u.%u", &maj, &min, &mic) != 3)
        g_error("QEMU version '%s' is not X.Y.Z", version);
    igd_snapshot_set_qemu(s, igd_qemu_caps_new_for_version(maj, min, mic), TRUE);
}

IgdSnapshot *
hand_snapshot_skl(const char *qemu, const char *rom)
{
    IgdSnapshot *s = g_new0(IgdSnapshot, 1);
    g_autoptr(GBytes) config = hw_lspci_load_igd("hosts/skl-lenovo-ideapad-320-14isk/lspci.txt");
    g_autoptr(GError) error = NULL;
    gsize n = 0;
    const guint8 *p = g_bytes_get_data(config, &n);

    g_assert_cmpuint(n, >=, 0x100);
    s->parts = IGD_SNAPSHOT_HOST;
    s->addr.slot = 2;
    igd_pci_address_format(&s->addr, s->name);
    /* the device, from the captured config space */
    s->vendor_id = igd_le16(p + 0x00);
    s->device_id = igd_le16(p + 0x02);
    s->revision = p[0x08];
    s->class_code = (guint32)p[0x09] | (guint32)p[0x0a] << 8 | (guint32)p[0x0b] << 16;
    s->subsystem_vendor_id = igd_le16(p + 0x2c);
    s->subsystem_device_id = igd_le16(p + 0x2e);
    g_assert_cmphex(s->vendor_id, ==, 0x8086);
    g_assert_cmphex(s->device_id, ==, 0x1916);
    g_assert_cmphex(s->class_code, ==, 0x030000);
    s->platform = igd_platform_lookup(s->device_id);
    g_assert_nonnull(s->platform);
    s->gmch_valid = igd_gmch_decode(s->platform, p, n, &s->gmch, &error);
    g_assert_no_error(error);
    g_assert_cmphex(s->gmch.ggc, ==, 0x01c1);
    /* ready for assignment (test assumptions, as in hosts/skl-ideapad-vfio) */
    s->driver = g_strdup("vfio-pci");
    s->driver_override = g_strdup("vfio-pci");
    s->iommu_group = 0;
    s->iommu_enabled = TRUE;
    s->iommu_groups = 2;
    s->iommu_group_others = g_ptr_array_new_with_free_func(g_free);
    s->vfio_pci_loaded = TRUE;
    s->vfio_vga_known = TRUE;
    s->vfio_disable_vga = FALSE;
    s->kernel_release = g_strdup("6.1.0-28-amd64");
    s->kernel_major = 6;
    s->kernel_minor = 1;
    if (rom)
        hand_snapshot_set_rom(s, rom);
    if (qemu)
        hand_snapshot_set_qemu(s, qemu);
    return s;
}
