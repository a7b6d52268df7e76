/*
 * cmd-dump.c: `igd-assign dump opregion|vbt|rom [PCI] -o FILE`.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "igd-cli.h"
#include "igd-common.h"
#include "igd-host.h"
#include "igd-json.h"
#include "igd-opregion.h"
#include "igd-pci.h"

static GBytes *
read_blob(IgdCli *cli, const char *what, const IgdPciAddress *addr, GError **error)
{
    g_autoptr(IgdPciDevice) dev = igd_pci_device_open_igd(cli->sysroot, addr, error);
    g_autofree char *source = NULL;

    if (dev == NULL)
        return NULL;
    if (g_str_equal(what, "rom"))
        return igd_pci_device_read_rom(dev, error);
    if (g_str_equal(what, "opregion"))
        return igd_host_read_opregion(cli->sysroot, addr, igd_pci_device_get_driver(dev), &source, error);
    /* vbt: the OpRegion's, else i915's debugfs copy */
    {
        g_autoptr(GBytes) op = igd_host_read_opregion(cli->sysroot, addr, igd_pci_device_get_driver(dev), &source,
                                                      NULL);
        g_autoptr(IgdOpRegion) parsed = op ? igd_opregion_parse(op, NULL) : NULL;
        GBytes *vbt = parsed ? igd_opregion_get_vbt(parsed) : NULL;

        if (vbt)
            return vbt;
        return igd_host_read_debugfs_vbt(cli->sysroot, addr, error);
    }
}

int
igd_cmd_dump(IgdCli *cli, int argc, char **argv)
{
    g_autofree char *output = NULL;
    const GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "write to FILE ('-' for standard output)", "FILE" },
        { NULL }
    };
    IgdPciAddress addr;
    g_autoptr(GBytes) blob = NULL;
    g_autoptr(GError) error = NULL;
    const char *what;
    const guint8 *data;
    gsize len = 0;
    int ret;

    if (!igd_cli_parse_options(cli, "dump", "opregion|vbt|rom [PCI] -o FILE",
                               "Write the IGD's OpRegion (VFIO region or i915 debugfs), VBT or option ROM to a file.",
                               entries, &argc, &argv, &ret))
        return ret;
    if (argc < 2 || argc > 3 || output == NULL) {
        igd_cli_message("igd-assign dump --help", "dump: expected opregion|vbt|rom [PCI] -o FILE");
        return IGD_EXIT_USAGE;
    }
    what = argv[1];
    if (!g_str_equal(what, "opregion") && !g_str_equal(what, "vbt") && !g_str_equal(what, "rom")) {
        g_autofree char *shown = g_strescape(what, NULL);
        igd_cli_message("igd-assign dump --help", "dump: unknown blob '%.32s': expected opregion, vbt or rom", shown);
        return IGD_EXIT_USAGE;
    }
    if (g_str_equal(output, "-") && cli->json) {
        igd_cli_message("write the blob to a file (-o FILE); --json then describes it",
                        "dump: --json and -o - both want standard output");
        return IGD_EXIT_USAGE;
    }
    if (!igd_cli_parse_pci(argc == 3 ? argv[2] : NULL, &addr, &ret))
        return ret;

    blob = read_blob(cli, what, &addr, &error);
    if (blob == NULL) {
        g_autofree char *label = g_strdup_printf("dump %s", what);
        return igd_cli_error(label, error, NULL);
    }
    data = g_bytes_get_data(blob, &len);
    if (g_str_equal(output, "-")) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
            igd_cli_message(NULL, "dump: cannot write to standard output");
            return IGD_EXIT_ENV;
        }
    } else if (!g_file_set_contents(output, (const char *)data, (gssize)len, &error)) {
        return igd_cli_error("dump", error, NULL);
    }
    if (cli->json) {
        g_autoptr(IgdJson) j = igd_json_new();
        char name[13];

        igd_pci_address_format(&addr, name);
        igd_json_begin_object(j, NULL);
        igd_json_string(j, "blob", what);
        igd_json_string(j, "address", name);
        igd_json_string(j, "file", output);
        igd_json_uint(j, "bytes", len);
        igd_json_end_object(j);
        igd_cli_print_json(igd_json_get(j));
    } else if (cli->verbosity >= 0 && !g_str_equal(output, "-")) {
        igd_cli_warning("wrote %" G_GSIZE_FORMAT " bytes of %s to %s", len, what, output);
    }
    return IGD_EXIT_OK;
}
