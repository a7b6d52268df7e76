/*
 * igd-inspect.c: gather and render the facts about one IGD.
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-facts.h"
#include "igd-host.h"
#include "igd-inspect.h"
#include "igd-json.h"
#include "igd-pci.h"
#include "igd-vfio.h"

#define IGD_OPREGION_READ_MAX (1u << 20) /* OpRegion 8 KiB + extended VBT: far below 1 MiB */
#define IGD_VBT_READ_MAX (64u << 10)

static void
note(GPtrArray *notes, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void
note(GPtrArray *notes, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(notes, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

void
igd_inspect_free(IgdInspect *inspect)
{
    if (inspect == NULL)
        return;
    g_free(inspect->driver);
    g_free(inspect->driver_override);
    g_clear_pointer(&inspect->opregion, igd_opregion_free);
    g_free(inspect->opregion_source);
    g_clear_pointer(&inspect->vbt, igd_vbt_free);
    g_free(inspect->vbt_source);
    g_clear_pointer(&inspect->rom, igd_rom_free);
    if (inspect->qemu_model_valid)
        igd_qemu_igd_model_clear(&inspect->qemu_model);
    g_ptr_array_unref(inspect->reasons);
    g_ptr_array_unref(inspect->notes);
    g_free(inspect);
}

/* i915 debugfs: /sys/kernel/debug/dri/<pci name>/ on current kernels, or a
 * numbered minor whose "name" file says "... dev=<pci name> ...". */
static char *
debugfs_file(const IgdSysroot *sysroot, const char *name, const char *file)
{
    g_autofree char *dir = NULL;
    g_autofree char *path = NULL;
    g_autoptr(GDir) d = NULL;
    const char *entry;

    path = g_strdup_printf("/sys/kernel/debug/dri/%s/%s", name, file);
    if (igd_sysroot_exists(sysroot, path))
        return g_steal_pointer(&path);
    dir = igd_sysroot_path(sysroot, "/sys/kernel/debug/dri");
    d = dir ? g_dir_open(dir, 0, NULL) : NULL;
    while (d && (entry = g_dir_read_name(d)) != NULL) {
        g_autofree char *name_path = NULL;
        g_autofree char *line = NULL;
        g_autofree char *needle = g_strdup_printf("dev=%s", name);

        /* only numbered minors: never build a path from another name */
        if (entry[0] == '\0' || strspn(entry, "0123456789") != strlen(entry) || strlen(entry) > 6)
            continue;
        name_path = g_strdup_printf("/sys/kernel/debug/dri/%s/name", entry);
        line = igd_sysroot_read_line(sysroot, name_path, NULL);
        if (line && strstr(line, needle)) {
            return g_strdup_printf("/sys/kernel/debug/dri/%s/%s", entry, file);
        }
    }
    return NULL;
}

GBytes *
igd_inspect_read_opregion(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                          const char *driver, char **source, GError **error)
{
    char name[13];
    g_autofree char *path = NULL;
    g_autoptr(GError) vfio_error = NULL;
    guint8 *data = NULL;
    gsize len = 0;

    igd_pci_address_format(addr, name);
    if (g_strcmp0(driver, "vfio-pci") == 0) {
        GBytes *bytes = igd_vfio_read_opregion(sysroot, addr, &vfio_error);
        if (bytes) {
            *source = g_strdup("vfio");
            return bytes;
        }
    }
    path = debugfs_file(sysroot, name, "i915_opregion");
    if (path == NULL) {
        if (vfio_error) {
            g_propagate_prefixed_error(error, g_steal_pointer(&vfio_error), "OpRegion: ");
        } else {
            g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND,
                        "OpRegion: not readable: the device is not bound to vfio-pci and i915 "
                        "debugfs has no i915_opregion for %s", name);
        }
        return NULL;
    }
    if (!igd_sysroot_read(sysroot, path, IGD_OPREGION_READ_MAX, FALSE, &data, &len, error)) {
        g_prefix_error(error, "OpRegion: ");
        return NULL;
    }
    *source = g_strdup("debugfs");
    return g_bytes_new_take(data, len);
}

GBytes *
igd_inspect_read_debugfs_vbt(const IgdSysroot *sysroot, const IgdPciAddress *addr, GError **error)
{
    char name[13];
    g_autofree char *path = NULL;
    guint8 *data = NULL;
    gsize len = 0;

    igd_pci_address_format(addr, name);
    path = debugfs_file(sysroot, name, "i915_vbt");
    if (path == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND, "VBT: i915 debugfs has no i915_vbt for %s", name);
        return NULL;
    }
    if (!igd_sysroot_read(sysroot, path, IGD_VBT_READ_MAX, FALSE, &data, &len, error)) {
        g_prefix_error(error, "VBT: ");
        return NULL;
    }
    return g_bytes_new_take(data, len);
}

IgdQemuCaps *
igd_inspect_probe_qemu(GError **error)
{
    return igd_host_facts_probe_qemu(NULL, error);
}

static void
collect_opregion(IgdInspect *in, const IgdSysroot *sysroot)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GBytes) vbt = NULL;

    bytes = igd_inspect_read_opregion(sysroot, &in->addr, in->driver, &in->opregion_source, &error);
    if (bytes) {
        guint64 asls = in->gmch_valid && in->gmch.asls_present ? in->gmch.asls : 0;
        in->opregion = asls ? igd_opregion_parse_at(bytes, asls, &error) : igd_opregion_parse(bytes, &error);
        if (in->opregion == NULL)
            g_clear_pointer(&in->opregion_source, g_free);
    }
    if (in->opregion == NULL)
        note(in->notes, "%s", error->message);
    g_clear_error(&error);

    if (in->opregion)
        vbt = igd_opregion_get_vbt(in->opregion);
    if (vbt) {
        in->vbt_source = g_strdup("opregion");
    } else {
        vbt = igd_inspect_read_debugfs_vbt(sysroot, &in->addr, &error);
        if (vbt)
            in->vbt_source = g_strdup("debugfs");
        else if (in->opregion == NULL)
            g_clear_error(&error); /* the OpRegion note already says why */
        else
            note(in->notes, "%s", error->message);
        g_clear_error(&error);
    }
    if (vbt) {
        in->vbt = igd_vbt_parse(vbt, &error);
        if (in->vbt == NULL) {
            note(in->notes, "VBT: %s", error->message);
            g_clear_pointer(&in->vbt_source, g_free);
        }
    }
}

static void
collect_rom(IgdInspect *in, IgdPciDevice *dev)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = igd_pci_device_read_rom(dev, &error);

    if (bytes == NULL) {
        note(in->notes, "ROM: %s", error->message);
        return;
    }
    in->rom_size = g_bytes_get_size(bytes);
    in->rom = igd_rom_parse(bytes, &error);
    if (in->rom == NULL)
        note(in->notes, "ROM: %s", error->message);
}

/* Legacy and UPT eligibility (SPEC.md §1) from what was gathered, by the rules the domain engine's
 * `auto` mode applies (igd-facts.c), for an i440fx ("pc") guest booting SeaBIOS from the device's ROM. */
static void
judge(IgdInspect *in, const IgdSysroot *sysroot)
{
    IgdHostFacts *f = igd_host_facts_new();
    g_autoptr(GPtrArray) legacy_fails = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) upt_fails = g_ptr_array_new_with_free_func(g_free);

    f->present = TRUE;
    f->addr = in->addr;
    f->vendor_id = in->vendor_id;
    f->device_id = in->device_id;
    f->class_code = in->class_code;
    f->platform = in->platform;
    f->gmch_valid = in->gmch_valid;
    f->gmch = in->gmch;
    if (in->rom) {
        f->rom_known = TRUE;
        f->rom_legacy = igd_rom_has_legacy(in->rom);
        f->rom_efi_gop = igd_rom_has_efi_gop(in->rom);
    }
    igd_host_facts_read_host(f, sysroot);
    f->qemu = in->qemu; /* borrowed: cleared before the facts are freed */

    in->legacy_capable = igd_host_facts_legacy_eligible(f, "pc", FALSE, FALSE, legacy_fails, NULL);
    in->upt_capable = igd_host_facts_upt_eligible(f, upt_fails);
    for (guint i = 0; i < upt_fails->len; i++)
        note(in->reasons, "UPT: %s", (const char *)upt_fails->pdata[i]);
    for (guint i = 0; i < legacy_fails->len; i++)
        note(in->reasons, "legacy: %s", (const char *)legacy_fails->pdata[i]);
    if (in->vbt && igd_vbt_has_analog(in->vbt))
        note(in->reasons, "the VBT lists an analog VGA output: analog outputs may not work when assigned");
    f->qemu = NULL;
    igd_host_facts_free(f);
}

IgdInspect *
igd_inspect_collect(const IgdSysroot *sysroot, const IgdPciAddress *addr, IgdQemuCaps *qemu, GError **error)
{
    g_autoptr(IgdPciDevice) dev = igd_pci_device_new(sysroot, addr, error);
    g_autoptr(IgdInspect) in = NULL;
    g_autoptr(GBytes) config = NULL;
    g_autoptr(GError) local = NULL;

    if (dev == NULL)
        return NULL;
    if (!igd_pci_device_is_intel_display(dev)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                    "%s is not an Intel display device (vendor 0x%04x, class 0x%06x)",
                    igd_pci_device_get_name(dev), igd_pci_device_get_vendor_id(dev),
                    igd_pci_device_get_class(dev));
        return NULL;
    }
    in = g_new0(IgdInspect, 1);
    in->reasons = g_ptr_array_new_with_free_func(g_free);
    in->notes = g_ptr_array_new_with_free_func(g_free);
    in->addr = *addr;
    igd_pci_address_format(addr, in->name);
    in->vendor_id = igd_pci_device_get_vendor_id(dev);
    in->device_id = igd_pci_device_get_device_id(dev);
    in->subsystem_vendor_id = igd_pci_device_get_subsystem_vendor_id(dev);
    in->subsystem_device_id = igd_pci_device_get_subsystem_device_id(dev);
    in->class_code = igd_pci_device_get_class(dev);
    in->revision = igd_pci_device_get_revision(dev);
    in->driver = g_strdup(igd_pci_device_get_driver(dev));
    in->driver_override = g_strdup(igd_pci_device_get_driver_override(dev));
    in->iommu_group = igd_pci_device_get_iommu_group(dev);
    in->platform = igd_platform_lookup(in->device_id);

    config = igd_pci_device_read_config(dev, &local);
    if (config == NULL) {
        note(in->notes, "config space: %s", local->message);
        g_clear_error(&local);
    } else if (in->platform) {
        gsize len = 0;
        const guint8 *bytes = g_bytes_get_data(config, &len);
        in->gmch_valid = igd_gmch_decode(in->platform, bytes, len, &in->gmch, &local);
        if (!in->gmch_valid) {
            note(in->notes, "GMCH: %s", local->message);
            g_clear_error(&local);
        }
    }

    collect_opregion(in, sysroot);
    collect_rom(in, dev);

    in->qemu = qemu;
    if (qemu && in->gmch_valid) {
        in->qemu_model_valid = igd_qemu_model_igd(qemu, in->device_id, in->platform, &in->gmch, -1,
                                                  "pc", &in->qemu_model, &local);
        if (!in->qemu_model_valid) {
            note(in->notes, "QEMU model: %s", local->message);
            g_clear_error(&local);
        }
    } else if (qemu == NULL) {
        note(in->notes, "QEMU: not probed or not installed: what QEMU would do is unknown");
    }
    judge(in, sysroot);
    return g_steal_pointer(&in);
}

static void
json_strings(IgdJson *json, const char *key, GPtrArray *strings)
{
    igd_json_begin_array(json, key);
    for (guint i = 0; i < strings->len; i++)
        igd_json_string(json, NULL, g_ptr_array_index(strings, i));
    igd_json_end_array(json);
}

char *
igd_inspect_to_json(const IgdInspect *in)
{
    g_autoptr(IgdJson) json = igd_json_new();

    igd_json_begin_object(json, NULL);
    igd_json_string(json, "address", in->name);
    igd_json_printf(json, "vendor_id", "0x%04x", in->vendor_id);
    igd_json_printf(json, "device_id", "0x%04x", in->device_id);
    igd_json_printf(json, "subsystem", "%04x:%04x", in->subsystem_vendor_id, in->subsystem_device_id);
    igd_json_printf(json, "class", "0x%06x", in->class_code);
    igd_json_printf(json, "revision", "0x%02x", in->revision);
    igd_json_string(json, "platform", in->platform ? in->platform->platform : NULL);
    if (in->platform)
        igd_json_uint(json, "generation", in->platform->gen);
    else
        igd_json_null(json, "generation");
    igd_json_string(json, "graphics_version", in->platform ? in->platform->graphics_version : NULL);
    igd_json_string(json, "driver", in->driver);
    igd_json_string(json, "driver_override", in->driver_override);
    if (in->iommu_group >= 0)
        igd_json_int(json, "iommu_group", in->iommu_group);
    else
        igd_json_null(json, "iommu_group");

    if (in->gmch_valid) {
        igd_json_printf(json, "gmch", "0x%04x", in->gmch.ggc);
        igd_json_uint(json, "gms", in->gmch.gms);
        igd_json_uint(json, "ggms", in->gmch.ggms);
        igd_json_uint(json, "stolen_bytes", in->gmch.stolen_bytes);
        igd_json_uint(json, "gtt_bytes", in->gmch.gtt_bytes);
        igd_json_printf(json, "bdsm_offset", "0x%02x", in->gmch.bdsm_offset);
        if (in->gmch.bdsm_present)
            igd_json_printf(json, "bdsm", "0x%" G_GINT64_MODIFIER "x", in->gmch.bdsm);
        else
            igd_json_null(json, "bdsm");
        if (in->gmch.asls_present)
            igd_json_printf(json, "asls", "0x%08x", in->gmch.asls);
        else
            igd_json_null(json, "asls");
        igd_json_bool(json, "vga_disabled", in->gmch.vga_disabled);
    } else {
        const char *keys[] = { "gmch", "gms", "ggms", "stolen_bytes", "gtt_bytes", "bdsm_offset", "bdsm", "asls", "vga_disabled" };
        for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
            igd_json_null(json, keys[i]);
    }

    if (in->opregion) {
        g_autoptr(GBytes) vbt = igd_opregion_get_vbt(in->opregion);
        static const char *locations[] = { "none", "mailbox4", "extended", "unreachable" };
        IgdOpRegionVbtLocation loc = igd_opregion_get_vbt_location(in->opregion);

        igd_json_begin_object(json, "opregion");
        igd_json_printf(json, "version", "%u.%u", igd_opregion_get_version_major(in->opregion),
                        igd_opregion_get_version_minor(in->opregion));
        igd_json_uint(json, "size", igd_opregion_get_size(in->opregion));
        igd_json_uint(json, "vbt_bytes", vbt ? g_bytes_get_size(vbt) : 0);
        igd_json_string(json, "vbt_location", (guint)loc < G_N_ELEMENTS(locations) ? locations[loc] : "unknown");
        igd_json_printf(json, "mailboxes", "0x%02x", igd_opregion_get_mailboxes(in->opregion));
        igd_json_string(json, "source", in->opregion_source);
        igd_json_end_object(json);
    } else {
        igd_json_null(json, "opregion");
    }

    if (in->vbt) {
        GPtrArray *outputs = igd_vbt_get_outputs(in->vbt);

        igd_json_begin_object(json, "vbt");
        igd_json_uint(json, "version", igd_vbt_get_bdb_version(in->vbt));
        igd_json_string(json, "signature", igd_vbt_get_signature(in->vbt));
        igd_json_uint(json, "size", igd_vbt_get_size(in->vbt));
        igd_json_string(json, "source", in->vbt_source);
        igd_json_begin_array(json, "outputs");
        for (guint i = 0; i < outputs->len; i++) {
            const IgdVbtOutput *o = g_ptr_array_index(outputs, i);
            igd_json_begin_object(json, NULL);
            igd_json_string(json, "port", o->port);
            igd_json_string(json, "type", o->type);
            igd_json_bool(json, "analog", o->analog);
            igd_json_end_object(json);
        }
        igd_json_end_array(json);
        igd_json_bool(json, "analog_outputs", igd_vbt_has_analog(in->vbt));
        igd_json_end_object(json);
    } else {
        igd_json_null(json, "vbt");
    }

    if (in->rom) {
        igd_json_begin_object(json, "rom");
        igd_json_uint(json, "size", in->rom_size);
        igd_json_begin_array(json, "images");
        for (guint i = 0; i < igd_rom_get_n_images(in->rom); i++) {
            const IgdRomImage *img = igd_rom_get_image(in->rom, i);
            igd_json_begin_object(json, NULL);
            igd_json_string(json, "code_type", igd_rom_code_type_name(img->code_type));
            igd_json_printf(json, "vendor_id", "0x%04x", img->vendor_id);
            igd_json_printf(json, "device_id", "0x%04x", img->device_id);
            igd_json_uint(json, "offset", img->offset);
            igd_json_uint(json, "length", img->length);
            igd_json_bool(json, "checksum_ok", img->checksum_ok);
            igd_json_end_object(json);
        }
        igd_json_end_array(json);
        igd_json_bool(json, "legacy", igd_rom_has_legacy(in->rom));
        igd_json_bool(json, "efi_gop", igd_rom_has_efi_gop(in->rom));
        igd_json_end_object(json);
    } else {
        igd_json_null(json, "rom");
    }

    if (in->qemu) {
        igd_json_begin_object(json, "qemu");
        igd_json_string(json, "binary", in->qemu->binary);
        igd_json_printf(json, "version", "%u.%u.%u", in->qemu->major, in->qemu->minor, in->qemu->micro);
        igd_json_begin_array(json, "igd_properties");
        for (guint i = 0; in->qemu->vfio_pci_props && i < in->qemu->vfio_pci_props->len; i++)
            igd_json_string(json, NULL, g_ptr_array_index(in->qemu->vfio_pci_props, i));
        igd_json_end_array(json);
        if (in->qemu_model_valid) {
            const IgdQemuIgdModel *m = &in->qemu_model;
            if (m->qemu_gen >= 0)
                igd_json_int(json, "generation", m->qemu_gen);
            else
                igd_json_null(json, "generation");
            igd_json_bool(json, "legacy_mode", m->legacy_possible);
            igd_json_string(json, "legacy_reason", m->legacy_reason);
            igd_json_uint(json, "guest_gms", m->guest_gms);
            igd_json_uint(json, "guest_stolen_bytes", m->guest_stolen_bytes);
            igd_json_bool(json, "bdsm_size_file", m->bdsm_size_file);
            igd_json_uint(json, "bdsm_size", m->bdsm_size);
            if (m->x_igd_gms_needed >= 0)
                igd_json_int(json, "x_igd_gms_needed", m->x_igd_gms_needed);
            else
                igd_json_null(json, "x_igd_gms_needed");
            igd_json_uint(json, "x_igd_gms_max", m->x_igd_gms_max);
        }
        igd_json_end_object(json);
    } else {
        igd_json_null(json, "qemu");
    }

    igd_json_bool(json, "legacy_capable", in->legacy_capable);
    igd_json_bool(json, "upt_capable", in->upt_capable);
    json_strings(json, "reasons", in->reasons);
    json_strings(json, "notes", in->notes);
    igd_json_end_object(json);
    return g_strdup(igd_json_get(json));
}

static char *
format_size(guint64 bytes)
{
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
        return g_strdup_printf("%" G_GUINT64_FORMAT " MiB", bytes >> 20);
    if (bytes >= 1024 && bytes % 1024 == 0)
        return g_strdup_printf("%" G_GUINT64_FORMAT " KiB", bytes >> 10);
    return g_strdup_printf("%" G_GUINT64_FORMAT " bytes", bytes);
}

char *
igd_inspect_to_text(const IgdInspect *in, gboolean verbose)
{
    GString *s = g_string_new(NULL);

    g_string_append_printf(s, "IGD %s: %04x:%04x %s", in->name, in->vendor_id, in->device_id,
                           in->platform ? in->platform->platform : "(unknown device id)");
    if (in->platform) {
        if (in->platform->graphics_version)
            g_string_append_printf(s, ", graphics %s", in->platform->graphics_version);
        else
            g_string_append_printf(s, ", gen %u", in->platform->gen);
    }
    g_string_append_printf(s, ", subsystem %04x:%04x, rev 0x%02x\n",
                           in->subsystem_vendor_id, in->subsystem_device_id, in->revision);
    g_string_append_printf(s, "  driver:     %s", in->driver ? in->driver : "(none)");
    if (in->driver_override)
        g_string_append_printf(s, " (driver_override %s)", in->driver_override);
    if (in->iommu_group >= 0)
        g_string_append_printf(s, ", IOMMU group %d\n", in->iommu_group);
    else
        g_string_append(s, ", no IOMMU group\n");
    if (in->gmch_valid) {
        g_autofree char *stolen = format_size(in->gmch.stolen_bytes);
        g_autofree char *gtt = format_size(in->gmch.gtt_bytes);
        g_string_append_printf(s, "  GMCH:       0x%04x: GMS 0x%02x = %s stolen memory, GGMS %u = %s GTT\n",
                               in->gmch.ggc, in->gmch.gms, stolen, in->gmch.ggms, gtt);
        if (in->gmch.bdsm_present)
            g_string_append_printf(s, "  BDSM:       register 0x%02x = 0x%" G_GINT64_MODIFIER "x\n",
                                   in->gmch.bdsm_offset, in->gmch.bdsm);
        else
            g_string_append_printf(s, "  BDSM:       register 0x%02x (not in the config space read)\n",
                                   in->gmch.bdsm_offset);
    }
    if (in->opregion) {
        g_autoptr(GBytes) vbt = igd_opregion_get_vbt(in->opregion);
        g_string_append_printf(s, "  OpRegion:   version %u.%u, %" G_GSIZE_FORMAT " bytes, mailboxes 0x%02x, "
                               "VBT %" G_GSIZE_FORMAT " bytes%s (from %s)\n",
                               igd_opregion_get_version_major(in->opregion),
                               igd_opregion_get_version_minor(in->opregion),
                               igd_opregion_get_size(in->opregion), igd_opregion_get_mailboxes(in->opregion),
                               vbt ? g_bytes_get_size(vbt) : 0,
                               igd_opregion_vbt_is_extended(in->opregion) ? " extended" : "",
                               in->opregion_source);
    } else {
        g_string_append(s, "  OpRegion:   not readable\n");
    }
    if (in->vbt) {
        GPtrArray *outputs = igd_vbt_get_outputs(in->vbt);
        g_string_append_printf(s, "  VBT:        %s, BDB %u, %" G_GSIZE_FORMAT " bytes; outputs:",
                               igd_vbt_get_signature(in->vbt), igd_vbt_get_bdb_version(in->vbt),
                               igd_vbt_get_size(in->vbt));
        for (guint i = 0; i < outputs->len; i++) {
            const IgdVbtOutput *o = g_ptr_array_index(outputs, i);
            g_string_append_printf(s, " %s%s", o->port, o->analog ? " (analog!)" : "");
        }
        if (outputs->len == 0)
            g_string_append(s, " none");
        g_string_append_c(s, '\n');
    }
    if (in->rom) {
        g_string_append_printf(s, "  ROM:        %" G_GSIZE_FORMAT " bytes,", in->rom_size);
        for (guint i = 0; i < igd_rom_get_n_images(in->rom); i++) {
            const IgdRomImage *img = igd_rom_get_image(in->rom, i);
            g_string_append_printf(s, " %s image %04x:%04x%s", igd_rom_code_type_name(img->code_type),
                                   img->vendor_id, img->device_id,
                                   i + 1 < igd_rom_get_n_images(in->rom) ? "," : "");
        }
        g_string_append_c(s, '\n');
    } else {
        g_string_append(s, "  ROM:        not readable or not valid\n");
    }
    if (in->qemu) {
        g_string_append_printf(s, "  QEMU:       %u.%u.%u", in->qemu->major, in->qemu->minor, in->qemu->micro);
        if (in->qemu_model_valid) {
            const IgdQemuIgdModel *m = &in->qemu_model;
            g_autofree char *bdsm = format_size(m->bdsm_size);
            g_string_append_printf(s, ": legacy mode %s, etc/igd-bdsm-size %s",
                                   m->legacy_possible ? "possible" : "off", m->bdsm_size_file ? bdsm : "not created");
            if (m->x_igd_gms_needed >= 0)
                g_string_append_printf(s, ", needs x-igd-gms=%d", m->x_igd_gms_needed);
        }
        g_string_append_c(s, '\n');
    }
    g_string_append_printf(s, "  legacy:     %s\n", in->legacy_capable ? "capable" : "not capable");
    g_string_append_printf(s, "  UPT:        %s\n", in->upt_capable ? "capable" : "not capable");
    for (guint i = 0; i < in->reasons->len; i++)
        g_string_append_printf(s, "  - %s\n", (const char *)g_ptr_array_index(in->reasons, i));
    if (verbose) {
        for (guint i = 0; i < in->notes->len; i++)
            g_string_append_printf(s, "  note: %s\n", (const char *)g_ptr_array_index(in->notes, i));
    }
    return g_string_free(s, FALSE);
}
