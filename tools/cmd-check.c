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
    g_autofree char *romfile = NULL;
    const GOptionEntry entries[] = {
        { "romfile", 0, 0, G_OPTION_ARG_FILENAME, &romfile,
          "check this ROM file (a VGA BIOS, or `igd-assign rom build`'s) instead of the device's ROM", "FILE" },
        { NULL },
    };
    IgdPciAddress addr;
    g_autoptr(IgdQemuCaps) qemu = NULL;
    g_autoptr(GPtrArray) checks = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    int ret;

    if (!igd_cli_parse_pci_command(cli, "check", "[--romfile FILE] [PCI]",
                                   "Host readiness for IGD assignment, one line per check. Exit status 0 when\n"
                                   "every check passes or warns, 1 when one fails.",
                                   entries, &argc, &argv, &addr, &ret))
        return ret;

    qemu = igd_snapshot_probe_qemu(NULL, &error);
    g_clear_error(&error); /* the QEMU check reports its absence */

    checks = igd_requirements_check_host_romfile(cli->sysroot, &addr, qemu, romfile, &error);
    if (checks == NULL)
        return igd_cli_error(romfile ? "check --romfile" : "check", error,
                             romfile ? "give a PCI option ROM image (55 AA)" : NULL);
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
