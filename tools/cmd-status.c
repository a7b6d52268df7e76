/*
 * cmd-status.c: `igd-assign status`: igd-core's status document
 * (igd_owner_status_write(), the one igd-assignd's GetStatus prints: every
 * IGD of the host, its driver and the running domain that owns it, read
 * from igd-assignd's world-readable state file, so no privileges and no
 * D-Bus round trip are needed) with, for each device, the libvirt domains
 * configured for it.
 */
#include "config.h"

#include <stdio.h>

#include "igd-cli.h"
#include "igd-common.h"
#include "igd-json.h"
#include "igd-owner.h"
#include "igd-virt.h"
#include "igd-watchlog.h"

typedef struct {
    GPtrArray *domains;        /* IgdVirtIgdDomain*, NULL = libvirt not reached */
    IgdOwner *owner;           /* its watch log: the libvirt watcher's last action per domain */
    GString *text;
} Status;

static char *
state_dir(void)
{
    const char *dir = g_getenv("IGD_ASSIGN_STATE_DIR");

    if (dir && *dir)
        return g_strdup(dir);
    return g_strdup(IGD_STATEDIR);
}

/* The findings of @findings of severity @severity as a JSON array @key of {id, message, hint}. */
static void
json_findings(IgdJson *json, const char *key, GPtrArray *findings, IgdSeverity severity)
{
    igd_json_begin_array(json, key);
    for (guint k = 0; k < findings->len; k++) {
        const IgdFinding *f = g_ptr_array_index(findings, k);
        if (f->severity == severity)
            igd_finding_write_json(f, json, NULL);
    }
    igd_json_end_array(json);
}

/* "  watcher: switched to UPT mode at 2025-11-24T16:00:00Z" and its changes or broken rules, for the text. */
static void
text_watcher(GString *text, const IgdWatchRecord *r)
{
    g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc(r->at);
    g_autofree char *iso = at ? g_date_time_format_iso8601(at) : g_strdup("?");

    g_string_append_printf(text, "      watcher, %s: %s%s%s\n", iso, r->action, *r->mode ? ", " : "",
                           *r->mode ? r->mode : "");
    for (guint k = 0; k < r->changes->len; k++)
        g_string_append_printf(text, "        %s\n", (const char *)g_ptr_array_index(r->changes, k));
    for (guint k = 0; k < r->broken->len; k++)
        g_string_append_printf(text, "        left broken: %s\n",
                               ((const IgdFinding *)g_ptr_array_index(r->broken, k))->message);
}

/* Inside each device: its libvirt domains (JSON "domains"), and the text lines of the device. */
static void
status_device(IgdJson *json, const IgdOwnerDeviceStatus *dev, gpointer user_data)
{
    Status *s = user_data;
    const IgdStateEntry *owner = dev->owner;
    /* read by igd_owner_status_write() before the devices */
    const IgdWatchLog *watch = igd_owner_get_watch_log(s->owner);

    if (s->domains) {
        igd_json_begin_array(json, "domains");
        for (guint j = 0; j < s->domains->len; j++) {
            const IgdVirtIgdDomain *d = g_ptr_array_index(s->domains, j);
            const IgdWatchRecord *r = d->uuid ? igd_watch_log_lookup(watch, d->uuid) : NULL;

            if (!igd_pci_address_equal(&d->host, &dev->address))
                continue;
            igd_json_begin_object(json, NULL);
            igd_json_string(json, "name", d->name);
            igd_json_string(json, "uuid", d->uuid);
            igd_json_string(json, "mode", igd_mode_to_string(d->mode));
            igd_json_bool(json, "active", d->active);
            igd_json_bool(json, "set_up", d->has_metadata);
            igd_json_bool(json, "opted_out", d->undone);
            igd_json_uint(json, "problems", igd_findings_count(d->findings, IGD_SEVERITY_FAIL));
            json_findings(json, "broken", d->findings, IGD_SEVERITY_FAIL);
            json_findings(json, "warnings", d->findings, IGD_SEVERITY_WARN);
            if (r != NULL)
                igd_watch_record_write_json(r, json, "watcher");
            else
                igd_json_null(json, "watcher");
            igd_json_end_object(json);
        }
        igd_json_end_array(json);
    } else {
        igd_json_null(json, "domains");
    }

    g_string_append_printf(s->text, "%s  %-14s driver %-9s", dev->name,
                           dev->platform ? dev->platform->platform : dev->present ? "unknown" : "absent",
                           dev->driver ? dev->driver : "(none)");
    if (owner && owner->pending) {
        /* a prepare in progress, or one a killed daemon left: its next start settles it */
        g_autofree char *shown = g_strescape(owner->name, NULL);
        g_string_append_printf(s->text, " being prepared for %s (%s), not completed", shown, owner->uuid);
    } else if (owner) {
        g_autofree char *shown = g_strescape(owner->name, NULL);
        g_string_append_printf(s->text, " owned by %s (%s, %s mode)", shown, owner->uuid,
                               owner->mode && *owner->mode ? owner->mode : "unknown");
    } else {
        g_string_append(s->text, " not owned by a running domain");
    }
    g_string_append_c(s->text, '\n');
    for (guint j = 0; s->domains && j < s->domains->len; j++) {
        const IgdVirtIgdDomain *d = g_ptr_array_index(s->domains, j);
        const IgdWatchRecord *r = NULL;
        g_autofree char *shown = NULL;
        guint broken;

        if (!igd_pci_address_equal(&d->host, &dev->address))
            continue;
        r = d->uuid ? igd_watch_log_lookup(watch, d->uuid) : NULL;
        broken = igd_findings_count(d->findings, IGD_SEVERITY_FAIL);
        shown = g_strescape(d->name, NULL);
        g_string_append_printf(s->text, "    domain %s: %s mode%s%s%s", shown, igd_mode_to_string(d->mode),
                               d->active ? ", running" : "", d->has_metadata ? "" : ", not set up by igd-assign",
                               d->undone ? ", opted out of the watcher by igd-assign undo" : "");
        if (broken)
            g_string_append_printf(s->text, ", %u rule%s broken (igd-assign setup fixes it)", broken,
                                   broken == 1 ? "" : "s");
        g_string_append_c(s->text, '\n');
        for (guint k = 0; k < d->findings->len; k++) {
            const IgdFinding *f = g_ptr_array_index(d->findings, k);
            if (f->severity == IGD_SEVERITY_FAIL)
                g_string_append_printf(s->text, "      %s: %s\n", f->id, f->message);
            else if (f->severity == IGD_SEVERITY_WARN)
                g_string_append_printf(s->text, "      warning: %s\n", f->message);
        }
        if (r != NULL)
            text_watcher(s->text, r);
    }
}

int
igd_cmd_status(IgdCli *cli, int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) state_error = NULL;
    g_autoptr(GError) virt_error = NULL;
    g_autoptr(IgdVirt) virt = NULL;
    g_autoptr(GPtrArray) domains = NULL;
    g_autoptr(IgdJson) json = igd_json_new();
    g_autoptr(IgdOwner) owner = NULL;
    g_autofree char *dir = state_dir();
    g_autoptr(GString) text = g_string_new(NULL);
    IgdOwnerConfig oc = { igd_sysroot_get_root(cli->sysroot), dir, FALSE, -1 };
    Status s;
    int ret;

    if (!igd_cli_parse_options(cli, "status", "",
                               "Every Intel IGD of the host: platform, bound driver, and the running\n"
                               "domain that owns it (igd-assignd's state).",
                               NULL, &argc, &argv, &ret))
        return ret;
    if (argc > 1) {
        igd_cli_message("igd-assign status --help", "status: takes no arguments");
        return IGD_EXIT_USAGE;
    }
    owner = igd_owner_new(&oc);
    /* Read only; a state that cannot be read is said ("state_error"), the devices still shown. */
    (void)igd_owner_load(owner, &state_error);
    virt = igd_virt_open(cli->uri, &virt_error);
    if (virt)
        domains = igd_virt_list_igd_domains(virt, cli->sysroot, &virt_error);

    s.domains = domains;
    s.owner = owner;
    s.text = text;
    igd_json_begin_object(json, NULL);
    igd_json_string(json, "libvirt_error", virt_error ? virt_error->message : NULL);
    if (!igd_owner_status_write(owner, json, status_device, &s, &error))
        return igd_cli_error("status", error, NULL);
    igd_json_end_object(json);

    if (text->len == 0)
        g_string_append(text, "no Intel IGD found on this host\n");
    if (state_error && cli->verbosity >= 0 && !cli->json)
        g_string_append_printf(text, "warning: ownership state unknown: %s\n", state_error->message);
    if (virt_error && cli->verbosity >= 0 && !cli->json)
        g_string_append_printf(text, "warning: configured domains unknown: %s\n", virt_error->message);
    if (cli->json)
        igd_cli_print_json(igd_json_get(json));
    else
        fputs(text->str, stdout);
    return IGD_EXIT_OK;
}
