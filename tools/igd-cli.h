/*
 * igd-cli.h: what every `igd-assign` command receives, and how it reports.
 * Each command lives in tools/cmd-<name>.c and is listed in igd-assign.c.
 */
#pragma once

#include <glib.h>

#include "igd-pci-address.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

typedef struct {
    char *uri;              /* -c/--connect, or NULL: LIBVIRT_DEFAULT_URI or qemu:///system */
    char *sysfs_root;       /* --sysfs-root or IGD_ASSIGN_SYSFS_ROOT, NULL for "/" */
    IgdSysroot *sysroot;    /* built from sysfs_root */
    gboolean json;          /* --json: one JSON document on stdout, nothing else there */
    int verbosity;          /* -q → -1, default 0, -v → 1, -vv → 2 */
} IgdCli;

/* Exit codes of SPEC.md §3. */
enum {
    IGD_EXIT_OK = 0,
    IGD_EXIT_FAILED = 1,  /* a check failed, or the change is impossible */
    IGD_EXIT_USAGE = 2,
    IGD_EXIT_ENV = 3,     /* internal or environment error */
};

/*
 * A command: parses its own argv (argv[0] is the command name) with
 * GOptionContext, writes its result to stdout, errors with igd_cli_error().
 * Returns an exit code.
 */
typedef int (*IgdCliCommandFunc)(IgdCli *cli, int argc, char **argv);

typedef struct {
    const char *name;
    const char *args;    /* "[PCI]" etc., for --help */
    const char *summary;
    IgdCliCommandFunc run;
} IgdCliCommand;

/*
 * Errors, the one place they are printed: "igd-assign: <what>: <why>" and,
 * when @hint is not NULL, "hint: <hint>" on stderr; under --json also
 * {"error": {"what": ..., "why": ..., "hint": ... | null}} on stdout, as
 * the run's one JSON document (unless a document was printed already:
 * then stderr only). Returns the exit code for @error
 * (igd_error_exit_code()).
 */
int igd_cli_error(const char *what, const GError *error, const char *hint);
/*
 * An error without a GError (usage errors): "igd-assign: <message>" (and a
 * hint) on stderr and, under --json, the error document whose "what" is
 * the message up to its first ": " and "why" the rest. The caller returns
 * the exit code.
 */
void igd_cli_message(const char *hint, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* igd_cli_error() (which prints the --json error document itself; @cli is not needed). */
int igd_cli_fail(const IgdCli *cli, const char *what, const GError *error, const char *hint);
/* Not an error: "igd-assign: <message>" on stderr only (warnings, progress). */
void igd_cli_warning(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* --json is on for this run (seen anywhere before "--", so that even a usage error is JSON). */
gboolean igd_cli_json(void);
/* Print @document on stdout as the run's one JSON document (a second one is dropped, with a warning). */
void igd_cli_print_json(const char *document);
/*
 * Parse a command's options with @entries (may be NULL). The global options
 * (--json, --sysfs-root, -c, -q, -v) are accepted after the command too and
 * update @cli. Returns FALSE when the caller must return *exit_code at once:
 * 2 after a usage error (printed), 0 after --help (printed).
 * On success argv[1..] are the positional arguments.
 */
gboolean igd_cli_parse_options(IgdCli *cli, const char *command, const char *args, const char *summary,
                               const GOptionEntry *entries, int *argc, char ***argv, int *exit_code);
/*
 * A command whose only operand is an optional [PCI] (check, inspect):
 * igd_cli_parse_options() with @entries, then at most one operand, the
 * address (default 0000:00:02.0). FALSE with *exit_code set when the
 * command must return at once.
 */
gboolean igd_cli_parse_pci_command(IgdCli *cli, const char *command, const char *args, const char *summary,
                                   const GOptionEntry *entries, int *argc, char ***argv, IgdPciAddress *addr,
                                   int *exit_code);
/* The PCI address argument, or the default 0000:00:02.0 when @arg is NULL; usage error (exit 2) when malformed. */
gboolean igd_cli_parse_pci(const char *arg, IgdPciAddress *addr, int *exit_code);

/* Commands (tools/cmd-*.c). */
int igd_cmd_inspect(IgdCli *cli, int argc, char **argv);
int igd_cmd_check(IgdCli *cli, int argc, char **argv);
int igd_cmd_rewrite(IgdCli *cli, int argc, char **argv);
int igd_cmd_setup(IgdCli *cli, int argc, char **argv);
int igd_cmd_undo(IgdCli *cli, int argc, char **argv);
int igd_cmd_status(IgdCli *cli, int argc, char **argv);
int igd_cmd_dump(IgdCli *cli, int argc, char **argv);
int igd_cmd_report(IgdCli *cli, int argc, char **argv);
int igd_cmd_rom(IgdCli *cli, int argc, char **argv);

G_END_DECLS
