/*
 * cmd-setup.c: `igd-assign setup DOMAIN [--mode legacy|upt|auto] [--host PCI]
 * [--romfile PATH] [--opregion] [--dry-run] [--diff] [--no-detach]`: rewrite
 * the persistent definition through libvirt (inactive XML in, define with
 * validation) and detach the IGD to vfio-pci, because the hostdev is
 * managed='no'. On any failure the definition is left as it was.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "igd-cli.h"
#include "igd-common.h"
#include "igd-domxml.h"
#include "igd-json.h"
#include "igd-virt.h"

/* A unified diff of @before and @after (diff -u), NULL with @error when diff cannot run. */
static char *
make_diff(const char *before, const char *after, GError **error)
{
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;
    g_autofree char *out = NULL;
    int fa, fb, status = 0;
    gboolean ok;
    const char *argv[] = { "diff", "-u", "--label", "before", "--label", "after", NULL, NULL, NULL };

    fa = g_file_open_tmp("igd-assign-before-XXXXXX.xml", &a, error);
    if (fa < 0)
        return NULL;
    close(fa);
    fb = g_file_open_tmp("igd-assign-after-XXXXXX.xml", &b, error);
    if (fb < 0) {
        g_unlink(a);
        return NULL;
    }
    close(fb);
    ok = g_file_set_contents(a, before, -1, error) && g_file_set_contents(b, after, -1, error);
    argv[6] = a;
    argv[7] = b;
    if (ok)
        ok = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, error);
    g_unlink(a);
    g_unlink(b);
    return ok ? g_steal_pointer(&out) : NULL;
}

/* The one document of `setup --json`. */
static void
print_json(const char *name, const IgdDomXmlReport *report, const char *host, gboolean changed, gboolean dry_run,
           gboolean defined, gboolean detached, const char *xml, const char *diff)
{
    g_autoptr(IgdJson) j = igd_json_new();

    igd_json_begin_object(j, NULL);
    igd_json_string(j, "domain", name);
    igd_json_string(j, "mode", igd_mode_to_string(report->mode));
    igd_json_string(j, "host", host);
    igd_json_bool(j, "changed", changed);
    igd_json_bool(j, "dry_run", dry_run);
    igd_json_bool(j, "defined", defined);
    igd_json_bool(j, "detached", detached);
    igd_cli_json_findings(j, "reasons", report->findings, IGD_SEVERITY_NOTE);
    igd_cli_json_findings(j, "warnings", report->findings, IGD_SEVERITY_WARN);
    igd_cli_json_changes(j, report);
    igd_json_string(j, "xml", xml);
    igd_json_string(j, "diff", diff);
    igd_json_end_object(j);
    igd_cli_print_json(igd_json_get(j));
}

int
igd_cmd_setup(IgdCli *cli, int argc, char **argv)
{
    g_autofree char *mode = NULL;
    g_autofree char *host = NULL;
    g_autofree char *romfile = NULL;
    gboolean opregion = FALSE, dry_run = FALSE, diff = FALSE, no_detach = FALSE;
    const GOptionEntry entries[] = {
        { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "legacy, upt or auto (default)", "MODE" },
        { "host", 0, 0, G_OPTION_ARG_STRING, &host, "host PCI address of the IGD (default 0000:00:02.0)", "PCI" },
        { "romfile", 0, 0, G_OPTION_ARG_FILENAME, &romfile, "VGA ROM file for the IGD (<rom file=...>)", "PATH" },
        { "opregion", 0, 0, G_OPTION_ARG_NONE, &opregion, "UPT: expose the OpRegion (x-igd-opregion=on)", NULL },
        { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, "change nothing; print the new definition", NULL },
        { "diff", 0, 0, G_OPTION_ARG_NONE, &diff, "print a unified diff of the definition", NULL },
        { "no-detach", 0, 0, G_OPTION_ARG_NONE, &no_detach, "define only; do not detach the IGD to vfio-pci", NULL },
        { NULL },
    };
    IgdDomXmlOptions opts;
    g_autoptr(IgdSnapshot) snapshot = NULL;
    g_autoptr(IgdVirt) virt = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *secure = NULL;
    g_autofree char *plain = NULL;
    g_autofree char *out = NULL;
    g_autofree char *before = NULL;
    g_autofree char *diff_text = NULL;
    gsize out_len = 0, before_len = 0;
    gboolean changed;
    IgdDomXmlReport report;
    char hostname[13];
    const char *name;
    int ret;

    if (!igd_cli_parse_options(cli, "setup", "DOMAIN",
                               "Rewrite the persistent definition of DOMAIN for IGD assignment (libvirt\n"
                               "validates it) and detach the IGD to vfio-pci (the hostdev is managed='no').",
                               entries, &argc, &argv, &ret))
        return ret;
    if (argc != 2) {
        igd_cli_message("igd-assign setup --help", "setup: give exactly one DOMAIN");
        return IGD_EXIT_USAGE;
    }
    name = argv[1];
    if (!igd_cli_domxml_options(cli, mode, host, romfile, opregion, &opts, &snapshot, &ret))
        return ret;

    virt = igd_virt_open(cli->uri, &error);
    if (virt == NULL)
        return igd_cli_error("setup", error, "check -c/--connect and that libvirtd is running");
    secure = igd_virt_get_inactive_xml(virt, name, TRUE, &error);
    if (secure == NULL)
        return igd_cli_error("setup", error, g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND)
                                                 ? "'virsh list --all' lists the domains" : NULL);
    /* undo gets the definition without secrets (it is stored in <metadata>, readable by all) */
    plain = igd_virt_get_inactive_xml(virt, name, FALSE, &error);
    if (plain == NULL)
        return igd_cli_error("setup", error, NULL);
    opts.original = plain;
    opts.original_len = strlen(plain);

    igd_domxml_report_init(&report);
    if (!igd_domxml_rewrite(secure, strlen(secure), &opts, &out, &out_len, &report, &error)) {
        g_autofree char *what = g_strdup_printf("setup %s", name);
        ret = igd_cli_error(what, error,
                            g_error_matches(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED) ? "use --mode upt" : NULL);
        igd_domxml_report_clear(&report);
        return ret;
    }
    if (!cli->json)
        igd_cli_print_report(cli, &report);
    /* libvirt quotes differently from libxml2: compare with its own text re-serialised */
    if (!igd_domxml_normalize(secure, strlen(secure), &before, &before_len, &error)) {
        igd_domxml_report_clear(&report);
        return igd_cli_error("setup", error, NULL);
    }
    changed = before_len != out_len || memcmp(before, out, out_len) != 0;
    igd_pci_address_format(&report.host, hostname);
    if (!g_str_equal(secure, plain) && !dry_run)
        igd_cli_warning("warning: secrets of the definition (e.g. display passwords) are not kept for 'undo'");

    if (diff) {
        diff_text = make_diff(before, out, &error);
        if (diff_text == NULL) {
            igd_domxml_report_clear(&report);
            return igd_cli_error("setup: diff", error, NULL);
        }
        if (!cli->json)
            fputs(diff_text, stdout);
    }
    if (dry_run) {
        if (cli->json)
            print_json(name, &report, hostname, changed, TRUE, FALSE, FALSE, out, diff_text);
        else if (!diff)
            fwrite(out, 1, out_len, stdout);
        igd_domxml_report_clear(&report);
        return IGD_EXIT_OK;
    }
    /* refuse a non-IGD device before anything changes */
    if (!no_detach && !igd_virt_check_igd(virt, &report.host, &error)) {
        igd_domxml_report_clear(&report);
        return igd_cli_error("setup", error, "name the host's Intel IGD with --host");
    }
    if (changed && !igd_virt_define(virt, out, &error)) {
        igd_domxml_report_clear(&report);
        return igd_cli_error("setup", error, NULL);
    }
    if (!no_detach && !igd_virt_detach_igd(virt, &report.host, &error)) {
        g_autoptr(GError) restore = NULL;
        if (changed && !igd_virt_define(virt, secure, &restore))
            igd_cli_warning("setup: could not restore the previous definition: %s", restore->message);
        igd_domxml_report_clear(&report);
        return igd_cli_error("setup", error, "the definition was left as it was; detach with 'virsh nodedev-detach'");
    }
    if (cli->json)
        print_json(name, &report, hostname, changed, FALSE, changed, !no_detach, NULL, diff_text);
    else if (cli->verbosity >= 0) {
        printf("Domain '%s' %s for %s IGD assignment of %s%s\n", name,
               changed ? "defined" : "already set up", igd_mode_to_string(report.mode), hostname,
               no_detach ? "" : " (detached to vfio-pci)");
        /* what changed, one line each (the same sentences as igd-assignd's watcher) */
        for (guint i = 0; changed && i < report.changes->len; i++)
            printf("  %s\n", ((const IgdFinding *)g_ptr_array_index(report.changes, i))->message);
    }
    igd_domxml_report_clear(&report);
    return IGD_EXIT_OK;
}
