/*
 * cmd-pending.c: weak placeholders for the commands, for test programs that
 * link the CLI's main (tools/igd-assign.c) with only the commands they test
 * (tests/test-setup-undo); a strong definition replaces each at link time.
 * The igd-assign binary itself does not link this file, so a missing
 * command there is a link error, not a run-time message.
 */
#include "config.h"

#include "igd-cli.h"

static int
pending(const char *name)
{
    igd_cli_message(NULL, "%s: not available in this build", name);
    return IGD_EXIT_ENV;
}

__attribute__((weak)) int igd_cmd_rewrite(IgdCli *cli, int argc, char **argv) { return pending("rewrite"); }
__attribute__((weak)) int igd_cmd_setup(IgdCli *cli, int argc, char **argv) { return pending("setup"); }
__attribute__((weak)) int igd_cmd_undo(IgdCli *cli, int argc, char **argv) { return pending("undo"); }
__attribute__((weak)) int igd_cmd_status(IgdCli *cli, int argc, char **argv) { return pending("status"); }
__attribute__((weak)) int igd_cmd_dump(IgdCli *cli, int argc, char **argv) { return pending("dump"); }
__attribute__((weak)) int igd_cmd_inspect(IgdCli *cli, int argc, char **argv) { return pending("inspect"); }
__attribute__((weak)) int igd_cmd_check(IgdCli *cli, int argc, char **argv) { return pending("check"); }
__attribute__((weak)) int igd_cmd_report(IgdCli *cli, int argc, char **argv) { return pending("report"); }
__attribute__((weak)) int igd_cmd_rom(IgdCli *cli, int argc, char **argv) { return pending("rom"); }
