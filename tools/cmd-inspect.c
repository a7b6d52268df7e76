/*
 * cmd-inspect.c: `igd-assign inspect [PCI]`.
 */
#include "config.h"

#include <stdio.h>

#include "igd-cli.h"
#include "igd-common.h"
#include "igd-inspect.h"
#include "igd-snapshot.h"

int
igd_cmd_inspect(IgdCli *cli, int argc, char **argv)
{
    g_autofree char *romfile = NULL;
    const GOptionEntry entries[] = {
        { "romfile", 0, 0, G_OPTION_ARG_FILENAME, &romfile,
          "judge this ROM file (a VGA BIOS, or `igd-assign rom build`'s) instead of the device's ROM", "FILE" },
        { NULL },
    };
    IgdPciAddress addr;
    g_autoptr(IgdQemuCaps) qemu = NULL;
    g_autoptr(IgdInspect) in = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    int ret;

    if (!igd_cli_parse_pci_command(cli, "inspect", "[--romfile FILE] [PCI]",
                                   "Facts about the IGD: ids, platform, generation, stolen memory, GTT, BDSM,\n"
                                   "OpRegion, VBT outputs, ROM images, legacy/UPT eligibility and what the\n"
                                   "installed QEMU will do with it. Without a usable ROM, the way out for this IGD.",
                                   entries, &argc, &argv, &addr, &ret))
        return ret;

    qemu = igd_snapshot_probe_qemu(NULL, &error);
    if (qemu == NULL && cli->verbosity > 0)
        igd_cli_warning("QEMU: %s", error->message);
    g_clear_error(&error);

    in = igd_inspect_collect_romfile(cli->sysroot, &addr, qemu, romfile, &error);
    if (in == NULL && romfile && g_error_matches(error, IGD_ERROR, IGD_ERROR_INVALID))
        return igd_cli_error("inspect --romfile", error, "give a PCI option ROM image (55 AA)");
    if (in == NULL) {
        char name[13];
        g_autofree char *what = NULL;
        igd_pci_address_format(&addr, name);
        what = g_strdup_printf("inspect %s", name);
        return igd_cli_error(what, error,
                             g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND)
                                 ? "igd-assign status lists the IGDs of this host" : NULL);
    }
    out = cli->json ? igd_inspect_to_json(in) : igd_inspect_to_text(in, cli->verbosity > 0);
    if (cli->json)
        igd_cli_print_json(out);
    else
        fputs(out, stdout);
    return IGD_EXIT_OK;
}
