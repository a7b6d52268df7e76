/*
 * cmd-status.c: `igd-assign status`: every IGD of the host, its driver, and
 * the running domain that owns it (from igd-assignd's state file, which is
 * world-readable, so no privileges and no D-Bus round trip are needed).
 */
#include "config.h"

#include <stdio.h>

#include "igd-cli.h"
#include "igd-common.h"
#include "igd-devices.h"
#include "igd-json.h"
#include "igd-pci.h"
#include "igd-state.h"
#include "igd-virt.h"

static char *
state_path(void)
{
    const char *dir = g_getenv("IGD_ASSIGN_STATE_DIR");

    if (dir && *dir)
        return g_build_filename(dir, IGD_STATE_FILE_NAME, NULL);
    return g_build_filename(IGD_STATEDIR, IGD_STATE_FILE_NAME, NULL);
}

int
igd_cmd_status(IgdCli *cli, int argc, char **argv)
{
    g_autoptr(GPtrArray) igds = NULL;
    g_autoptr(IgdState) state = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) state_error = NULL;
    g_autoptr(GError) virt_error = NULL;
    g_autoptr(IgdVirt) virt = NULL;
    g_autoptr(GPtrArray) domains = NULL;
    g_autoptr(IgdJson) json = igd_json_new();
    g_autofree char *path = state_path();
    GString *text = g_string_new(NULL);
    int ret;

    if (!igd_cli_parse_options(cli, "status", "",
                               "Every Intel IGD of the host: platform, bound driver, and the running\n"
                               "domain that owns it (igd-assignd's state).",
                               NULL, &argc, &argv, &ret)) {
        g_string_free(text, TRUE);
        return ret;
    }
    if (argc > 1) {
        g_string_free(text, TRUE);
        igd_cli_message("igd-assign status --help", "status: takes no arguments");
        return IGD_EXIT_USAGE;
    }
    igds = igd_pci_find_intel_displays(cli->sysroot, &error);
    if (igds == NULL) {
        g_string_free(text, TRUE);
        return igd_cli_error("status", error, NULL);
    }
    state = igd_state_load(path, &state_error);
    virt = igd_virt_open(cli->uri, &virt_error);
    if (virt)
        domains = igd_virt_list_igd_domains(virt, cli->sysroot, &virt_error);

    igd_json_begin_object(json, NULL);
    igd_json_string(json, "state_file", path);
    igd_json_string(json, "state_error", state_error ? state_error->message : NULL);
    igd_json_string(json, "libvirt_error", virt_error ? virt_error->message : NULL);
    igd_json_begin_array(json, "devices");
    for (guint i = 0; i < igds->len; i++) {
        const IgdPciAddress *addr = g_ptr_array_index(igds, i);
        g_autoptr(IgdPciDevice) dev = igd_pci_device_new(cli->sysroot, addr, NULL);
        const IgdPlatformInfo *pi = dev ? igd_platform_lookup(igd_pci_device_get_device_id(dev)) : NULL;
        const IgdStateEntry *owner = state ? igd_state_lookup(state, addr) : NULL;
        char name[13];
        const char *driver = dev ? igd_pci_device_get_driver(dev) : NULL;

        igd_pci_address_format(addr, name);
        igd_json_begin_object(json, NULL);
        igd_json_string(json, "address", name);
        if (dev)
            igd_json_printf(json, "device_id", "0x%04x", igd_pci_device_get_device_id(dev));
        else
            igd_json_null(json, "device_id");
        igd_json_string(json, "platform", pi ? pi->platform : NULL);
        igd_json_string(json, "driver", driver);
        igd_json_string(json, "driver_override", dev ? igd_pci_device_get_driver_override(dev) : NULL);
        if (owner) {
            igd_json_begin_object(json, "owner");
            igd_json_string(json, "uuid", owner->uuid);
            igd_json_string(json, "name", owner->name);
            igd_json_string(json, "mode", owner->mode);
            igd_json_int(json, "since", owner->since);
            igd_json_end_object(json);
        } else {
            igd_json_null(json, "owner");
        }
        if (domains) {
            igd_json_begin_array(json, "domains");
            for (guint j = 0; j < domains->len; j++) {
                const IgdVirtIgdDomain *d = g_ptr_array_index(domains, j);
                if (!igd_pci_address_equal(&d->host, addr))
                    continue;
                igd_json_begin_object(json, NULL);
                igd_json_string(json, "name", d->name);
                igd_json_string(json, "mode", igd_mode_to_string(d->mode));
                igd_json_bool(json, "active", d->active);
                igd_json_bool(json, "set_up", d->has_metadata);
                igd_json_uint(json, "problems", d->findings->len);
                igd_json_begin_array(json, "broken");
                for (guint k = 0; k < d->findings->len; k++) {
                    const IgdFinding *f = g_ptr_array_index(d->findings, k);
                    igd_json_begin_object(json, NULL);
                    igd_json_string(json, "id", f->id);
                    igd_json_string(json, "message", f->message);
                    igd_json_string(json, "hint", f->hint);
                    igd_json_end_object(json);
                }
                igd_json_end_array(json);
                igd_json_end_object(json);
            }
            igd_json_end_array(json);
        } else {
            igd_json_null(json, "domains");
        }
        igd_json_end_object(json);

        g_string_append_printf(text, "%s  %-14s driver %-9s", name, pi ? pi->platform : "unknown",
                               driver ? driver : "(none)");
        if (owner) {
            g_autofree char *shown = g_strescape(owner->name, NULL);
            g_string_append_printf(text, " owned by %s (%s, %s mode)", shown, owner->uuid,
                                   owner->mode && *owner->mode ? owner->mode : "unknown");
        } else {
            g_string_append(text, " not owned by a running domain");
        }
        g_string_append_c(text, '\n');
        for (guint j = 0; domains && j < domains->len; j++) {
            const IgdVirtIgdDomain *d = g_ptr_array_index(domains, j);
            g_autofree char *shown = NULL;
            if (!igd_pci_address_equal(&d->host, addr))
                continue;
            shown = g_strescape(d->name, NULL);
            g_string_append_printf(text, "    domain %s: %s mode%s%s", shown, igd_mode_to_string(d->mode),
                                   d->active ? ", running" : "", d->has_metadata ? "" : ", not set up by igd-assign");
            if (d->findings->len)
                g_string_append_printf(text, ", %u rule%s broken (igd-assign setup fixes it)", d->findings->len,
                                       d->findings->len == 1 ? "" : "s");
            g_string_append_c(text, '\n');
            for (guint k = 0; k < d->findings->len; k++) {
                const IgdFinding *f = g_ptr_array_index(d->findings, k);
                g_string_append_printf(text, "      %s: %s\n", f->id, f->message);
            }
        }
    }
    igd_json_end_array(json);
    igd_json_end_object(json);

    if (igds->len == 0)
        g_string_append(text, "no Intel IGD found on this host\n");
    if (state_error && cli->verbosity >= 0 && !cli->json)
        g_string_append_printf(text, "warning: ownership state unknown: %s\n", state_error->message);
    if (virt_error && cli->verbosity >= 0 && !cli->json)
        g_string_append_printf(text, "warning: configured domains unknown: %s\n", virt_error->message);
    fputs(cli->json ? igd_json_get(json) : text->str, stdout);
    g_string_free(text, TRUE);
    return IGD_EXIT_OK;
}
