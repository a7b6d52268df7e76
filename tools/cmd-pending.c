/*
 * cmd-pending.c: weak placeholders for commands whose implementation lands
 * in its own file (cmd-rewrite.c, cmd-setup.c, cmd-undo.c, cmd-status.c,
 * cmd-dump.c); a strong definition there replaces these at link time.
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
