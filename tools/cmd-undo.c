/*
 * cmd-undo.c: `igd-assign undo DOMAIN [--reattach]`: define again the
 * definition `setup` saved in the domain's <igd:assign> metadata, marked
 * <igd:undone/> so that igd-assignd's watcher leaves it alone until `setup`
 * runs again (igd_domxml_mark_undone()), and with --reattach give the IGD
 * back to its host driver.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "igd-cli.h"
#include "igd-common.h"
#include "igd-domxml.h"
#include "igd-json.h"
#include "igd-virt.h"

int
igd_cmd_undo(IgdCli *cli, int argc, char **argv)
{
    gboolean reattach = FALSE;
    const GOptionEntry entries[] = {
        { "reattach", 0, 0, G_OPTION_ARG_NONE, &reattach, "give the IGD back to its host driver (i915 or xe)", NULL },
        { NULL },
    };
    g_autoptr(IgdVirt) virt = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *cur = NULL;
    g_autofree char *orig = NULL;
    g_autofree char *marked = NULL;
    g_autofree char *now = NULL;
    g_autoptr(GDateTime) when = g_date_time_new_now_utc();
    gsize orig_len = 0, marked_len = 0;
    g_autoptr(IgdDomain) dom = NULL;
    IgdPciAddress host;
    char hostname[13];
    const char *name;
    int ret;

    if (!igd_cli_parse_options(cli, "undo", "DOMAIN",
                               "Restore the definition of DOMAIN that 'igd-assign setup' saved.", entries, &argc,
                               &argv, &ret))
        return ret;
    if (argc != 2) {
        igd_cli_message("igd-assign undo --help", "undo: give exactly one DOMAIN");
        return IGD_EXIT_USAGE;
    }
    name = argv[1];
    virt = igd_virt_open(cli->uri, &error);
    if (virt == NULL)
        return igd_cli_error("undo", error, "check -c/--connect and that libvirtd is running");
    cur = igd_virt_get_inactive_xml(virt, name, TRUE, &error);
    if (cur == NULL)
        return igd_cli_error("undo", error, NULL);
    if (!igd_domxml_get_original(cur, strlen(cur), &orig, &orig_len, &error)) {
        if (g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND))
            error->code = IGD_ERROR_CHECK_FAILED; /* nothing to undo: exit 1 */
        return igd_cli_error("undo", error, "only a definition made by 'igd-assign setup' can be undone");
    }
    dom = igd_domain_read(cur, strlen(cur), NULL, &error);
    if (dom == NULL)
        return igd_cli_error("undo", error, NULL);
    host = dom->host;
    igd_pci_address_format(&host, hostname);

    /* the restored definition opts the domain out of the watcher (adjust-hostdevs would adjust it again) */
    now = g_date_time_format(when, "%Y-%m-%dT%H:%M:%SZ");
    if (!igd_domxml_mark_undone(orig, orig_len, now, &marked, &marked_len, &error))
        return igd_cli_error("undo", error, NULL);
    if (!igd_virt_define(virt, marked, &error))
        return igd_cli_error("undo", error, NULL);
    if (reattach && !igd_virt_reattach_igd(virt, &host, &error))
        return igd_cli_error("undo", error, "'virsh nodedev-reattach' gives the device back by hand");
    if (cli->json) {
        g_autoptr(IgdJson) j = igd_json_new();

        igd_json_begin_object(j, NULL);
        igd_json_string(j, "domain", name);
        igd_json_bool(j, "restored", TRUE);
        igd_json_bool(j, "opted_out", TRUE);
        igd_json_string(j, "host", hostname);
        igd_json_bool(j, "reattached", reattach);
        igd_json_end_object(j);
        igd_cli_print_json(igd_json_get(j));
    } else if (cli->verbosity >= 0) {
        printf("Domain '%s' restored to its definition before igd-assign%s\n", name,
               reattach ? " (IGD reattached to its host driver)" : "");
    }
    return IGD_EXIT_OK;
}
