/*
 * cmd-check.c: `igd-assign check [PCI]`: host readiness, virt-host-validate style.
 */
#include "config.h"

#include <stdio.h>

#include "igd-cli.h"
#include "igd-common.h"
#include "igd-inspect.h"
#include "igd-report.h"

int
igd_cmd_check(IgdCli *cli, int argc, char **argv)
{
    IgdPciAddress addr;
    g_autoptr(IgdQemuCaps) qemu = NULL;
    g_autoptr(GPtrArray) checks = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    int ret;

    if (!igd_cli_parse_pci_command(cli, "check",
                                   "Host readiness for IGD assignment, one line per check. Exit status 0 when\n"
                                   "every check passes or warns, 1 when one fails.",
                                   &argc, &argv, &addr, &ret))
        return ret;

    qemu = igd_inspect_probe_qemu(&error);
    g_clear_error(&error); /* the QEMU check reports its absence */

    checks = igd_host_run_checks(cli->sysroot, &addr, qemu, &error);
    if (checks == NULL)
        return igd_cli_error("check", error, NULL);
    if (cli->json)
        out = igd_report_checks_json(&addr, checks);
    else
        out = igd_report_checks_text(checks, cli->verbosity > 0);
    if (!cli->json && cli->verbosity < 0) {
        /* -q: only what failed or warned */
        g_autoptr(GPtrArray) bad = g_ptr_array_new();
        for (guint i = 0; i < checks->len; i++) {
            IgdCheck *c = g_ptr_array_index(checks, i);
            if (c->result != IGD_CHECK_PASS)
                g_ptr_array_add(bad, c);
        }
        g_free(out);
        out = igd_report_checks_text(bad, FALSE);
    }
    fputs(out, stdout);
    return igd_host_worst_result(checks) == IGD_CHECK_FAIL ? IGD_EXIT_FAILED : IGD_EXIT_OK;
}
