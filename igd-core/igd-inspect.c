/*
 * igd-inspect.c: gather and render the facts about one IGD.
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-inspect.h"
#include "igd-json.h"
#include "igd-requirements.h"

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
    igd_snapshot_free(inspect->snapshot);
    if (inspect->qemu_model_valid)
        igd_qemu_igd_model_clear(&inspect->qemu_model);
    g_clear_pointer(&inspect->legacy, g_ptr_array_unref);
    g_clear_pointer(&inspect->upt, g_ptr_array_unref);
    g_ptr_array_unref(inspect->reasons);
    g_ptr_array_unref(inspect->notes);
    g_free(inspect->rom_seabios);
    g_free(inspect->rom_uefi);
    g_free(inspect);
}

/* What could not be gathered, one sentence each (the requirement findings say what it means). */
static void
collect_notes(IgdInspect *in)
{
    const IgdSnapshot *s = in->snapshot;

    if (s->config_error)
        note(in->notes, "%s", s->config_error->message);
    if (s->opregion == NULL && s->opregion_error)
        note(in->notes, "%s", s->opregion_error->message);
    if (s->vbt == NULL && s->vbt_error && (s->opregion != NULL || s->vbt_source != NULL))
        note(in->notes, "%s", s->vbt_error->message);
    if (s->rom == NULL && s->rom_error)
        note(in->notes, "ROM: %s", s->rom_error->message);
    if (s->qemu == NULL)
        note(in->notes, "QEMU: not probed or not installed: what QEMU would do is unknown");
}

IgdInspect *
igd_inspect_collect(const IgdSysroot *sysroot, const IgdPciAddress *addr, const IgdQemuCaps *qemu, GError **error)
{
    return igd_inspect_collect_romfile(sysroot, addr, qemu, NULL, error);
}

IgdInspect *
igd_inspect_collect_romfile(const IgdSysroot *sysroot, const IgdPciAddress *addr, const IgdQemuCaps *qemu,
                            const char *romfile, GError **error)
{
    g_autoptr(IgdInspect) in = NULL;
    g_autoptr(GError) local = NULL;
    IgdSnapshot *s = igd_snapshot_gather(sysroot, addr, IGD_SNAPSHOT_ALL & ~IGD_SNAPSHOT_QEMU, error);

    if (s == NULL)
        return NULL;
    if (romfile && !igd_snapshot_use_romfile(s, romfile, error)) {
        igd_snapshot_free(s);
        return NULL;
    }
    in = g_new0(IgdInspect, 1);
    in->snapshot = s;
    in->reasons = g_ptr_array_new_with_free_func(g_free);
    in->notes = g_ptr_array_new_with_free_func(g_free);
    igd_snapshot_set_qemu(s, (IgdQemuCaps *)qemu, FALSE);

    if (qemu && s->gmch_valid) {
        IgdQemuModelRequest req;

        igd_snapshot_model_request(s, &req);
        igd_snapshot_qemu_setup(s, &req.setup); /* this host's regions and VGA; the IGD at 00:02.0 of an i440fx guest */
        req.machine = "pc";
        in->qemu_model_valid = igd_qemu_model_igd(qemu, &req, &in->qemu_model, &local);
        if (!in->qemu_model_valid)
            note(in->notes, "QEMU model: %s", local->message);
    }
    if (qemu) {
        g_autofree char *newer = igd_qemu_version_note(qemu);
        if (newer)
            note(in->notes, "%s", newer);
    }
    collect_notes(in);

    /* eligibility: the requirements, for an i440fx ("pc") guest booting SeaBIOS from the device's ROM */
    in->legacy = igd_requirements_evaluate(s, IGD_SCOPE_LEGACY, NULL);
    in->upt = igd_requirements_evaluate(s, IGD_SCOPE_UPT, NULL);
    in->legacy_capable = igd_requirements_met(in->legacy);
    in->upt_capable = igd_requirements_met(in->upt);
    for (guint i = 0; i < in->upt->len; i++) {
        const IgdFinding *f = g_ptr_array_index(in->upt, i);
        if (f->severity == IGD_SEVERITY_FAIL)
            note(in->reasons, "UPT: %s", f->message);
    }
    for (guint i = 0; i < in->legacy->len; i++) {
        const IgdFinding *f = g_ptr_array_index(in->legacy, i);
        if (f->severity == IGD_SEVERITY_FAIL)
            note(in->reasons, "legacy: %s", f->message);
    }
    /* only where i915 can drive a CRT at all: a gen 9+ or Cherryview VBT's int_crt_support means nothing */
    if (s->vbt && igd_vbt_has_analog(s->vbt) && igd_platform_has_crt(s->platform))
        note(in->reasons, "the VBT lists an analog VGA output: analog outputs may not work when assigned");
    if (s->rom == NULL)
        igd_requirements_rom_way_out(s, &in->rom_seabios, &in->rom_uefi);
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
    const IgdSnapshot *s = in->snapshot;

    igd_json_begin_object(json, NULL);
    igd_json_string(json, "address", s->name);
    igd_json_printf(json, "vendor_id", "0x%04x", s->vendor_id);
    igd_json_printf(json, "device_id", "0x%04x", s->device_id);
    igd_json_printf(json, "subsystem", "%04x:%04x", s->subsystem_vendor_id, s->subsystem_device_id);
    igd_json_printf(json, "class", "0x%06x", s->class_code);
    igd_json_printf(json, "revision", "0x%02x", s->revision);
    igd_json_string(json, "platform", s->platform ? s->platform->platform : NULL);
    if (s->platform)
        igd_json_uint(json, "generation", s->platform->gen);
    else
        igd_json_null(json, "generation");
    igd_json_string(json, "graphics_version", s->platform ? s->platform->graphics_version : NULL);
    igd_json_string(json, "driver", s->driver);
    igd_json_string(json, "driver_override", s->driver_override);
    if (s->iommu_group >= 0)
        igd_json_int(json, "iommu_group", s->iommu_group);
    else
        igd_json_null(json, "iommu_group");

    if (s->gmch_valid) {
        igd_json_printf(json, "gmch", "0x%04x", s->gmch.ggc);
        igd_json_uint(json, "gms", s->gmch.gms);
        igd_json_uint(json, "ggms", s->gmch.ggms);
        igd_json_uint(json, "stolen_bytes", s->gmch.stolen_bytes);
        igd_json_uint(json, "gtt_bytes", s->gmch.gtt_bytes);
        if (s->gmch.bdsm_offset != 0)
            igd_json_printf(json, "bdsm_offset", "0x%02x", s->gmch.bdsm_offset);
        else
            igd_json_null(json, "bdsm_offset"); /* Meteor Lake on: stolen memory through LMEMBAR */
        if (s->gmch.bdsm_present)
            igd_json_printf(json, "bdsm", "0x%" G_GINT64_MODIFIER "x", s->gmch.bdsm);
        else
            igd_json_null(json, "bdsm");
        if (s->gmch.asls_present)
            igd_json_printf(json, "asls", "0x%08x", s->gmch.asls);
        else
            igd_json_null(json, "asls");
        igd_json_bool(json, "vga_disabled", s->gmch.vga_disabled);
    } else {
        const char *keys[] = { "gmch", "gms", "ggms", "stolen_bytes", "gtt_bytes", "bdsm_offset", "bdsm", "asls", "vga_disabled" };
        for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
            igd_json_null(json, keys[i]);
    }

    if (s->opregion) {
        g_autoptr(GBytes) vbt = igd_opregion_get_vbt(s->opregion);
        static const char *locations[] = { "none", "mailbox4", "extended", "unreachable" };
        IgdOpRegionVbtLocation loc = igd_opregion_get_vbt_location(s->opregion);

        igd_json_begin_object(json, "opregion");
        igd_json_printf(json, "version", "%u.%u", igd_opregion_get_version_major(s->opregion),
                        igd_opregion_get_version_minor(s->opregion));
        igd_json_uint(json, "size", igd_opregion_get_size(s->opregion));
        igd_json_uint(json, "vbt_bytes", vbt ? g_bytes_get_size(vbt) : 0);
        igd_json_string(json, "vbt_location", (guint)loc < G_N_ELEMENTS(locations) ? locations[loc] : "unknown");
        igd_json_printf(json, "mailboxes", "0x%02x", igd_opregion_get_mailboxes(s->opregion));
        igd_json_string(json, "source", s->opregion_source);
        igd_json_end_object(json);
    } else {
        igd_json_null(json, "opregion");
    }

    if (s->vbt) {
        GPtrArray *outputs = igd_vbt_get_outputs(s->vbt);

        igd_json_begin_object(json, "vbt");
        igd_json_uint(json, "version", igd_vbt_get_bdb_version(s->vbt));
        igd_json_string(json, "signature", igd_vbt_get_signature(s->vbt));
        igd_json_uint(json, "size", igd_vbt_get_size(s->vbt));
        igd_json_string(json, "source", s->vbt_source);
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
        igd_json_bool(json, "analog_outputs", igd_vbt_has_analog(s->vbt));
        igd_json_end_object(json);
    } else {
        igd_json_null(json, "vbt");
    }

    if (s->rom) {
        igd_json_begin_object(json, "rom");
        igd_json_string(json, "source", s->rom_source);
        igd_json_uint(json, "size", s->rom_size);
        igd_json_begin_array(json, "images");
        for (guint i = 0; i < igd_rom_get_n_images(s->rom); i++) {
            const IgdRomImage *img = igd_rom_get_image(s->rom, i);
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
        igd_json_bool(json, "legacy", igd_rom_has_legacy(s->rom));
        igd_json_bool(json, "efi_gop", igd_rom_has_efi_gop(s->rom));
        igd_json_end_object(json);
    } else {
        igd_json_null(json, "rom");
    }
    /* no usable ROM: what to give each firmware instead */
    if (in->rom_uefi) {
        igd_json_begin_object(json, "rom_way_out");
        igd_json_string(json, "seabios", in->rom_seabios);
        igd_json_string(json, "uefi", in->rom_uefi);
        igd_json_end_object(json);
    } else {
        igd_json_null(json, "rom_way_out");
    }

    if (s->qemu) {
        igd_json_begin_object(json, "qemu");
        igd_json_string(json, "binary", s->qemu->binary);
        igd_json_printf(json, "version", "%u.%u.%u", s->qemu->major, s->qemu->minor, s->qemu->micro);
        igd_json_begin_array(json, "igd_properties");
        for (guint i = 0; s->qemu->vfio_pci_props && i < s->qemu->vfio_pci_props->len; i++)
            igd_json_string(json, NULL, g_ptr_array_index(s->qemu->vfio_pci_props, i));
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
            igd_json_uint(json, "guest_gtt_bytes", m->guest_gtt_bytes);
            igd_json_bool(json, "bdsm_size_file", m->bdsm_size_file);
            igd_json_uint(json, "bdsm_size", m->bdsm_size);
            if (m->x_igd_gms_needed >= 0)
                igd_json_int(json, "x_igd_gms_needed", m->x_igd_gms_needed);
            else
                igd_json_null(json, "x_igd_gms_needed");
            igd_json_uint(json, "x_igd_gms_max", m->x_igd_gms_max);
            igd_json_string(json, "vbios_bdsm", igd_qemu_vbios_bdsm_to_string(m->vbios_bdsm));
            igd_json_string(json, "crash", m->crash_reason);
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
    GString *t = g_string_new(NULL);
    const IgdSnapshot *s = in->snapshot;

    g_string_append_printf(t, "IGD %s: %04x:%04x %s", s->name, s->vendor_id, s->device_id,
                           s->platform ? s->platform->platform : "(unknown device id)");
    if (s->platform) {
        if (s->platform->graphics_version)
            g_string_append_printf(t, ", graphics %s", s->platform->graphics_version);
        else
            g_string_append_printf(t, ", gen %u", s->platform->gen);
    }
    g_string_append_printf(t, ", subsystem %04x:%04x, rev 0x%02x\n",
                           s->subsystem_vendor_id, s->subsystem_device_id, s->revision);
    g_string_append_printf(t, "  driver:     %s", s->driver ? s->driver : "(none)");
    if (s->driver_override)
        g_string_append_printf(t, " (driver_override %s)", s->driver_override);
    if (s->iommu_group >= 0)
        g_string_append_printf(t, ", IOMMU group %d\n", s->iommu_group);
    else
        g_string_append(t, ", no IOMMU group\n");
    if (s->gmch_valid) {
        g_autofree char *stolen = format_size(s->gmch.stolen_bytes);
        g_autofree char *gtt = format_size(s->gmch.gtt_bytes);
        g_string_append_printf(t, "  GMCH:       0x%04x: GMS 0x%02x = %s stolen memory, GGMS %u = %s GTT\n",
                               s->gmch.ggc, s->gmch.gms, stolen, s->gmch.ggms, gtt);
        if (s->gmch.bdsm_offset == 0)
            g_string_append(t, "  BDSM:       none (stolen memory through LMEMBAR, BAR2)\n");
        else if (s->gmch.bdsm_present)
            g_string_append_printf(t, "  BDSM:       register 0x%02x = 0x%" G_GINT64_MODIFIER "x\n",
                                   s->gmch.bdsm_offset, s->gmch.bdsm);
        else
            g_string_append_printf(t, "  BDSM:       register 0x%02x (not in the config space read)\n",
                                   s->gmch.bdsm_offset);
    }
    if (s->opregion) {
        g_autoptr(GBytes) vbt = igd_opregion_get_vbt(s->opregion);
        g_string_append_printf(t, "  OpRegion:   version %u.%u, %" G_GSIZE_FORMAT " bytes, mailboxes 0x%02x, "
                               "VBT %" G_GSIZE_FORMAT " bytes%s (from %s)\n",
                               igd_opregion_get_version_major(s->opregion),
                               igd_opregion_get_version_minor(s->opregion),
                               igd_opregion_get_size(s->opregion), igd_opregion_get_mailboxes(s->opregion),
                               vbt ? g_bytes_get_size(vbt) : 0,
                               igd_opregion_vbt_is_extended(s->opregion) ? " extended" : "",
                               s->opregion_source);
    } else {
        g_string_append(t, "  OpRegion:   not readable\n");
    }
    if (s->vbt) {
        GPtrArray *outputs = igd_vbt_get_outputs(s->vbt);
        g_string_append_printf(t, "  VBT:        %s, BDB %u, %" G_GSIZE_FORMAT " bytes; outputs:",
                               igd_vbt_get_signature(s->vbt), igd_vbt_get_bdb_version(s->vbt),
                               igd_vbt_get_size(s->vbt));
        for (guint i = 0; i < outputs->len; i++) {
            const IgdVbtOutput *o = g_ptr_array_index(outputs, i);
            g_string_append_printf(t, " %s%s", o->port, o->analog ? " (analog!)" : "");
        }
        if (outputs->len == 0)
            g_string_append(t, " none");
        g_string_append_c(t, '\n');
    }
    if (s->rom) {
        g_string_append_printf(t, "  ROM:        %" G_GSIZE_FORMAT " bytes%s%s,", s->rom_size,
                               igd_snapshot_rom_is_file(s) ? " from " : "",
                               igd_snapshot_rom_is_file(s) ? s->rom_source : "");
        for (guint i = 0; i < igd_rom_get_n_images(s->rom); i++) {
            const IgdRomImage *img = igd_rom_get_image(s->rom, i);
            g_string_append_printf(t, " %s image %04x:%04x%s", igd_rom_code_type_name(img->code_type),
                                   img->vendor_id, img->device_id,
                                   i + 1 < igd_rom_get_n_images(s->rom) ? "," : "");
        }
        g_string_append_c(t, '\n');
    } else {
        g_string_append(t, "  ROM:        not readable or not valid; the way out:\n");
        if (in->rom_seabios)
            g_string_append_printf(t, "              - %s\n", in->rom_seabios);
        else
            g_string_append(t, "              - legacy BIOS (SeaBIOS) guests: none, SeaBIOS sets only the 32-bit BDSM "
                               "of IGDs before generation 11\n");
        g_string_append_printf(t, "              - %s\n", in->rom_uefi);
    }
    if (s->qemu) {
        g_string_append_printf(t, "  QEMU:       %u.%u.%u", s->qemu->major, s->qemu->minor, s->qemu->micro);
        if (in->qemu_model_valid) {
            const IgdQemuIgdModel *m = &in->qemu_model;
            g_autofree char *bdsm = format_size(m->bdsm_size);
            const IgdFinding *verdict = igd_findings_find(in->legacy, "qemu-legacy");
            /* the requirement's verdict, so this line and the reasons below never disagree */
            g_string_append_printf(t, ": legacy mode %s, etc/igd-bdsm-size %s",
                                   m->crash != IGD_QEMU_CRASH_NONE ? "crashes QEMU (below)"
                                   : !m->legacy_possible ? "off"
                                   : verdict && verdict->severity == IGD_SEVERITY_FAIL ? "engages but fails (below)"
                                                                                       : "possible",
                                   m->bdsm_size_file ? bdsm : "not created");
            if (m->x_igd_gms_needed >= 0)
                g_string_append_printf(t, ", needs x-igd-gms=%d", m->x_igd_gms_needed);
        }
        g_string_append_c(t, '\n');
    }
    g_string_append_printf(t, "  legacy:     %s\n", in->legacy_capable ? "capable" : "not capable");
    g_string_append_printf(t, "  UPT:        %s\n", in->upt_capable ? "capable" : "not capable");
    for (guint i = 0; i < in->reasons->len; i++)
        g_string_append_printf(t, "  - %s\n", (const char *)g_ptr_array_index(in->reasons, i));
    if (verbose) {
        for (guint i = 0; i < in->notes->len; i++)
            g_string_append_printf(t, "  note: %s\n", (const char *)g_ptr_array_index(in->notes, i));
    }
    return g_string_free(t, FALSE);
}
