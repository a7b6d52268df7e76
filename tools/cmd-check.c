/*
 * cmd-check.c: `igd-assign check [PCI]`: host readiness, virt-host-validate style.
 */
#include "config.h"

#include <stdio.h>

#include "igd-cli.h"
#include "igd-common.h"
#include "igd-report.h"
#include "igd-requirements.h"
#include "igd-snapshot.h"

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

    qemu = igd_snapshot_probe_qemu(NULL, &error);
    g_clear_error(&error); /* the QEMU check reports its absence */

    checks = igd_requirements_check_host(cli->sysroot, &addr, qemu, &error);
    if (checks == NULL)
        return igd_cli_error("check", error, NULL);
    if (cli->json)
        out = igd_report_checks_json(&addr, checks);
    else
        out = igd_report_checks_text(checks, cli->verbosity > 0, cli->verbosity < 0);
    if (cli->json)
        igd_cli_print_json(out);
    else
        fputs(out, stdout);
    return igd_findings_worst(checks) == IGD_SEVERITY_FAIL ? IGD_EXIT_FAILED : IGD_EXIT_OK;
}
