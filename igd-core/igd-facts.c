/*
 * igd-facts.c: gathering the host facts the domain-XML engine decides on
 * (SPEC.md §4 `auto`): the IGD's ids, platform, GMCH, ROM images, vfio-pci
 * VGA support, the kernel, and the installed QEMU (probed, cached).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

IgdQemuCaps *
igd_host_facts_probe_qemu(const char *qemu_binary, GError **error)
{
    const char *cache = g_getenv("IGD_ASSIGN_CACHE_DIR");
    g_autofree char *cache_dir = NULL;

    if (cache == NULL)
        cache_dir = g_build_filename(g_get_user_cache_dir(), "igd-assign", NULL);
    else if (*cache)
        cache_dir = g_strdup(cache);
    return igd_qemu_caps_probe(qemu_binary, cache_dir, error);
}

void
igd_host_facts_read_host(IgdHostFacts *f, const IgdSysroot *sysroot)
{
    g_autoptr(GError) e = NULL;
    g_autofree char *release = NULL;
    gboolean disable_vga = FALSE;

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

    igd_host_facts_read_host(f, sysroot);

    if (qemu_binary == NULL || qemu_binary[0] != '\0') {
        f->qemu = igd_host_facts_probe_qemu(qemu_binary, &e);
        if (f->qemu == NULL)
            note(f, "QEMU", e);
    }
    (void)error;
    return g_steal_pointer(&f);
}

/* Read a user-given ROM file: a regular file of at most IGD_PCI_ROM_MAX bytes (never /dev/zero or a FIFO). */
static GBytes *
read_romfile(const char *path, GError **error)
{
    g_autofree guint8 *data = NULL;
    gsize len = 0;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

    if (fd < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot read ROM file '%s': %s", path, g_strerror(e));
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "ROM file '%s' is not a regular file", path);
        close(fd);
        return NULL;
    }
    if ((guint64)st.st_size > IGD_PCI_ROM_MAX) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "ROM file '%s' is larger than %u bytes", path,
                    IGD_PCI_ROM_MAX);
        close(fd);
        return NULL;
    }
    data = g_malloc((gsize)st.st_size + 1);
    for (;;) {
        ssize_t n = read(fd, data + len, (gsize)st.st_size + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot read ROM file '%s': %s", path, g_strerror(e));
            close(fd);
            return NULL;
        }
        if (n == 0)
            break;
        len += (gsize)n;
        if (len > (gsize)st.st_size) {
            /* grew while being read */
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "ROM file '%s' changed while being read", path);
            close(fd);
            return NULL;
        }
    }
    close(fd);
    return g_bytes_new_take(g_steal_pointer(&data), len);
}

gboolean
igd_host_facts_use_romfile(IgdHostFacts *facts, const char *path, GError **error)
{
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(IgdRom) rom = NULL;
    g_autoptr(GError) e = NULL;

    bytes = read_romfile(path, error);
    if (bytes == NULL)
        return FALSE;
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

static void
add(GPtrArray *to, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void
add(GPtrArray *to, const char *fmt, ...)
{
    va_list ap;

    if (to == NULL)
        return;
    va_start(ap, fmt);
    g_ptr_array_add(to, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

gboolean
igd_host_facts_legacy_eligible(const IgdHostFacts *f, const char *machine, gboolean ovmf, gboolean romfile_unchecked,
                               GPtrArray *fails, GPtrArray *oks)
{
    const char *rom_name;
    gboolean ok = TRUE;

    if (f == NULL || !f->present)
        return TRUE; /* nothing known: the caller says so */
    if (f->platform == NULL) {
        add(fails, "device id 0x%04x is not a known Intel IGD", f->device_id);
        ok = FALSE;
    } else if (f->platform->gen < 6) {
        add(fails, "%s (gen %u) is older than SandyBridge", f->platform->platform, f->platform->gen);
        ok = FALSE;
    } else {
        add(oks, "%s (gen %u) is SandyBridge or newer", f->platform->platform, f->platform->gen);
    }
    if (f->vfio_vga_known && !f->vfio_vga_ok) {
        add(fails, "vfio-pci has VGA support disabled (disable_vga=1; QEMU: \"failed getting region info for "
            "VGA region index 8\")");
        ok = FALSE;
    }
    if (f->kernel_known && !f->kernel_ok) {
        add(fails, "the host kernel lacks the vfio IGD extensions (Linux 4.6)");
        ok = FALSE;
    }
    rom_name = f->rom_is_romfile ? "ROM file" : "IGD's ROM";
    if (romfile_unchecked) {
        /* a ROM file the facts do not describe: the domain's concern */
    } else if (!f->rom_known) {
        add(fails, "the IGD's ROM could not be read (give one with --romfile; "
            "QEMU: \"has no ROM, legacy mode disabled\")");
        ok = FALSE;
    } else if (ovmf && !f->rom_efi_gop) {
        add(fails, "the domain boots OVMF and the %s has no EFI GOP image", rom_name);
        ok = FALSE;
    } else if (!ovmf && !f->rom_legacy) {
        add(fails, "the domain boots SeaBIOS and the %s has no legacy VGA BIOS image", rom_name);
        ok = FALSE;
    } else {
        add(oks, "the %s has the image the firmware (%s) needs", rom_name, ovmf ? "OVMF" : "SeaBIOS");
    }
    if (f->qemu && f->platform) {
        IgdQemuIgdModel m = { 0 };

        if (igd_qemu_model_igd(f->qemu, f->device_id, f->platform, f->gmch_valid ? &f->gmch : NULL, -1, machine,
                               &m, NULL)) {
            if (!m.legacy_possible) {
                add(fails, "QEMU %u.%u cannot use legacy mode for this IGD: %s", f->qemu->major, f->qemu->minor,
                    m.legacy_reason ? m.legacy_reason : "unsupported");
                ok = FALSE;
            } else if (f->gmch_valid && f->gmch.bdsm_offset != m.bdsm_offset) {
                add(fails, "QEMU %u.%u emulates BDSM at 0x%02x but %s reads it at 0x%02x "
                    "(QEMU 9.2 or later knows the 64-bit register)", f->qemu->major, f->qemu->minor,
                    m.bdsm_offset, f->platform->platform, f->gmch.bdsm_offset);
                ok = FALSE;
            } else {
                add(oks, "QEMU %u.%u supports legacy mode for this IGD", f->qemu->major, f->qemu->minor);
            }
        }
        igd_qemu_igd_model_clear(&m);
    }
    return ok;
}

gboolean
igd_host_facts_upt_eligible(const IgdHostFacts *f, GPtrArray *fails)
{
    if (f == NULL || !f->present)
        return TRUE;
    if (f->platform == NULL) {
        add(fails, "device id 0x%04x is not a known Intel IGD", f->device_id);
        return FALSE;
    }
    if (f->platform->gen < 8) {
        add(fails, "%s (gen %u) has no guest driver support for UPT, which starts with Broadwell",
            f->platform->platform, f->platform->gen);
        return FALSE;
    }
    return TRUE;
}
