/*
 * igd-assign.c: the command-line tool for virsh/virt-manager users.
 *
 *   igd-assign [-c URI] [--sysfs-root DIR] [--json] [-q|-v] COMMAND [ARGS]
 *
 * Parses the global options, dispatches to tools/cmd-*.c, and maps errors to
 * the exit codes of SPEC.md §3. The binary links glib and a static libxml2
 * only (start-up time, SPEC.md §8); commands that need libvirt load it at
 * run time.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "igd-cli.h"
#include "igd-common.h"
#include "igd-json.h"

static const IgdCliCommand commands[] = {
    { "check", "[PCI]", "check the host's readiness for IGD assignment", igd_cmd_check },
    { "inspect", "[PCI]", "show what the IGD is and what QEMU will make of it", igd_cmd_inspect },
    { "rewrite", "[--mode legacy|upt|auto] [--host PCI] [--romfile PATH] [--opregion] [FILE|-]",
      "rewrite domain XML for IGD assignment (a filter)", igd_cmd_rewrite },
    { "setup", "DOMAIN [--mode MODE] [--host PCI] [--dry-run] [--diff]",
      "rewrite a libvirt domain's definition and detach the IGD to vfio", igd_cmd_setup },
    { "undo", "DOMAIN [--reattach]", "restore the definition saved by setup", igd_cmd_undo },
    { "status", "", "every IGD on the host: driver, owner, configured domains", igd_cmd_status },
    { "dump", "opregion|vbt|rom [PCI] -o FILE", "write the OpRegion, VBT or ROM to a file", igd_cmd_dump },
    { "report", "-o FILE.tar.xz", "archive what igd-assign reads about this host (private data left out)",
      igd_cmd_report },
    { "rom", "build -o FILE (--device PCI|--ids VVVV:DDDD) --efi DRIVER.efi... [--legacy VBIOS.bin]",
      "build a PCI option ROM from UEFI drivers (and a VGA BIOS)", igd_cmd_rom },
};

static void
print_usage(FILE *out)
{
    fprintf(out,
            "Usage: igd-assign [-c URI] [--sysfs-root DIR] [--json] [-q|-v] COMMAND [ARGS]\n"
            "\n"
            "Intel integrated graphics (IGD) assignment for libvirt/QEMU.\n"
            "\n"
            "Commands:\n");
    for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "Global options:\n"
            "  -c, --connect URI     libvirt URI (default $LIBVIRT_DEFAULT_URI or qemu:///system)\n"
            "  --sysfs-root DIR      read host files from DIR/sys, DIR/proc, DIR/dev\n"
            "                        (also $IGD_ASSIGN_SYSFS_ROOT)\n"
            "  --json                one JSON document on stdout\n"
            "  -q, --quiet           only errors\n"
            "  -v, --verbose         more detail (repeat for more)\n"
            "  --version             print the version\n"
            "  -h, --help            this help; COMMAND --help for a command's\n"
            "\n"
            "Exit status: 0 success, 1 a check failed or the change is impossible,\n"
            "2 usage error, 3 internal or environment error.\n");
}

/* --json for this run, and whether its one document went out (reset by each main()). */
static gboolean cli_json;
static gboolean cli_printed;

gboolean
igd_cli_json(void)
{
    return cli_json;
}

void
igd_cli_print_json(const char *document)
{
    if (cli_printed) {
        fputs("igd-assign: internal error: a second JSON document was not printed\n", stderr);
        return;
    }
    cli_printed = TRUE;
    fputs(document, stdout);
    fflush(stdout);
}

/* {"error": {"what", "why", "hint"}} on stdout under --json, once. */
static void
json_error(const char *what, const char *why, const char *hint)
{
    g_autoptr(IgdJson) json = NULL;

    if (!cli_json || cli_printed)
        return;
    json = igd_json_new();
    igd_json_begin_object(json, NULL);
    igd_json_begin_object(json, "error");
    igd_json_string(json, "what", what);
    igd_json_string(json, "why", why);
    igd_json_string(json, "hint", hint);
    igd_json_end_object(json);
    igd_json_end_object(json);
    igd_cli_print_json(igd_json_get(json));
}

int
igd_cli_error(const char *what, const GError *error, const char *hint)
{
    const char *why = error ? error->message : "unknown error";

    if (what)
        fprintf(stderr, "igd-assign: %s: %s\n", what, why);
    else
        fprintf(stderr, "igd-assign: %s\n", why);
    if (hint)
        fprintf(stderr, "hint: %s\n", hint);
    json_error(what ? what : "igd-assign", why, hint);
    return error ? igd_error_exit_code(error) : IGD_EXIT_ENV;
}

int
igd_cli_fail(const IgdCli *cli, const char *what, const GError *error, const char *hint)
{
    (void)cli;
    return igd_cli_error(what, error, hint);
}

void
igd_cli_message(const char *hint, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    const char *sep;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "igd-assign: %s\n", msg);
    if (hint)
        fprintf(stderr, "hint: %s\n", hint);
    /* "setup: give exactly one DOMAIN": what "setup", why "give exactly one DOMAIN" */
    sep = strstr(msg, ": ");
    if (sep != NULL) {
        g_autofree char *what = g_strndup(msg, (gsize)(sep - msg));
        json_error(what, sep + 2, hint);
    } else {
        json_error("igd-assign", msg, hint);
    }
}

void
igd_cli_warning(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "igd-assign: %s\n", msg);
}

/* Global options, accepted before the command and after it. */
static IgdCli *parse_cli;
static gboolean
opt_verbose(const char *name, const char *value, gpointer data, GError **error)
{
    parse_cli->verbosity++;
    return TRUE;
}
static gboolean
opt_quiet(const char *name, const char *value, gpointer data, GError **error)
{
    parse_cli->verbosity = -1;
    return TRUE;
}

static char *opt_uri;
static char *opt_sysfs_root;
static gboolean opt_json;
static gboolean opt_version;

static const GOptionEntry global_entries[] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &opt_uri, "libvirt URI", "URI" },
    { "sysfs-root", 0, 0, G_OPTION_ARG_FILENAME, &opt_sysfs_root, "host files are read from DIR/sys, DIR/proc, DIR/dev", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "one JSON document on stdout", NULL },
    { "quiet", 'q', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, opt_quiet, "only errors", NULL },
    { "verbose", 'v', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, opt_verbose, "more detail", NULL },
    { NULL }
};

static void
apply_global_options(IgdCli *cli)
{
    if (opt_uri) {
        g_free(cli->uri);
        cli->uri = g_steal_pointer(&opt_uri);
    }
    if (opt_sysfs_root) {
        g_free(cli->sysfs_root);
        cli->sysfs_root = g_steal_pointer(&opt_sysfs_root);
        igd_sysroot_free(cli->sysroot);
        cli->sysroot = igd_sysroot_new(cli->sysfs_root);
    }
    if (opt_json)
        cli->json = TRUE;
    opt_json = FALSE;
}

gboolean
igd_cli_parse_options(IgdCli *cli, const char *command, const char *args, const char *summary,
                      const GOptionEntry *entries, int *argc, char ***argv, int *exit_code)
{
    g_autofree char *param = args && *args ? g_strdup_printf("%s %s", command, args) : g_strdup(command);
    g_autoptr(GOptionContext) ctx = g_option_context_new(param);
    GOptionGroup *global = g_option_group_new("global", "Global options:", "Show global options", NULL, NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *help = NULL;

    g_option_group_add_entries(global, global_entries);
    g_option_context_add_group(ctx, global);
    if (entries)
        g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_summary(ctx, summary);
    g_option_context_set_help_enabled(ctx, TRUE);
    parse_cli = cli;
    /* --help is printed here, in ASCII whatever the locale (igd_option_help()). */
    help = igd_option_help(ctx, "global", global, *argc, *argv);
    if (help != NULL) {
        fputs(help, stdout);
        *exit_code = IGD_EXIT_OK;
        return FALSE;
    }
    /* GOption's --help exits; commands are short-lived so that is fine. */
    if (!g_option_context_parse(ctx, argc, argv, &error)) {
        g_autofree char *hint = g_strdup_printf("igd-assign %s --help", command);
        igd_cli_message(hint, "%s: %s", command, error->message);
        *exit_code = IGD_EXIT_USAGE;
        return FALSE;
    }
    apply_global_options(cli);
    /* An option-looking argument left over ("--" handling aside) is a usage error. */
    for (int i = 1; i < *argc; i++) {
        const char *a = (*argv)[i];
        if (a[0] == '-' && a[1] != '\0') {
            g_autofree char *hint = g_strdup_printf("igd-assign %s --help", command);
            g_autofree char *shown = g_strescape(a, NULL);
            igd_cli_message(hint, "%s: unknown option '%.64s'", command, shown);
            *exit_code = IGD_EXIT_USAGE;
            return FALSE;
        }
    }
    *exit_code = IGD_EXIT_OK;
    return TRUE;
}

gboolean
igd_cli_parse_pci(const char *arg, IgdPciAddress *addr, int *exit_code)
{
    g_autoptr(GError) error = NULL;

    if (!igd_pci_address_parse(arg ? arg : IGD_PCI_ADDRESS_DEFAULT, addr, &error)) {
        *exit_code = igd_cli_error(NULL, error, "give the IGD as 0000:00:02.0 or 00:02.0");
        return FALSE;
    }
    return TRUE;
}

gboolean
igd_cli_parse_pci_command(IgdCli *cli, const char *command, const char *args, const char *summary,
                          const GOptionEntry *entries, int *argc, char ***argv, IgdPciAddress *addr, int *exit_code)
{
    if (!igd_cli_parse_options(cli, command, args, summary, entries, argc, argv, exit_code))
        return FALSE;
    if (*argc > 2) {
        g_autofree char *hint = g_strdup_printf("igd-assign %s --help", command);
        igd_cli_message(hint, "%s: too many arguments", command);
        *exit_code = IGD_EXIT_USAGE;
        return FALSE;
    }
    return igd_cli_parse_pci(*argc == 2 ? (*argv)[1] : NULL, addr, exit_code);
}

int
main(int argc, char **argv)
{
    IgdCli cli = { 0 };
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) error = NULL;
    const char *env_root;
    int ret;

    /* --json anywhere before "--" (before or after the command): every document of this run is JSON,
     * even a usage error found before the option is parsed */
    cli_json = FALSE;
    cli_printed = FALSE;
    for (int i = 1; i < argc && !g_str_equal(argv[i], "--"); i++)
        if (g_str_equal(argv[i], "--json"))
            cli_json = TRUE;

    /* `rewrite` is a byte filter whose options are ASCII or file names:
     * it runs in the C locale, which saves loading the locale tables
     * (15% of its instructions, SPEC.md §8 start-up budget). */
    if (!(argc >= 2 && g_strcmp0(argv[1], "rewrite") == 0))
        setlocale(LC_ALL, "");

    ctx = g_option_context_new("COMMAND [ARGS]");
    g_option_context_add_main_entries(ctx, global_entries, NULL);
    {
        static const GOptionEntry version_entry[] = {
            { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "print the version", NULL },
            { NULL }
        };
        g_option_context_add_main_entries(ctx, version_entry, NULL);
    }
    g_option_context_set_strict_posix(ctx, TRUE); /* stop at the command */
    g_option_context_set_help_enabled(ctx, FALSE);
    parse_cli = &cli;

    if (argc >= 2 && (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h") ||
                      g_str_equal(argv[1], "help"))) {
        print_usage(stdout);
        return IGD_EXIT_OK;
    }
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        igd_cli_message("igd-assign --help lists the options", "usage: %s", error->message);
        return IGD_EXIT_USAGE;
    }
    if (opt_version) {
        opt_version = FALSE;
        if (cli_json) {
            g_autoptr(IgdJson) json = igd_json_new();
            igd_json_begin_object(json, NULL);
            igd_json_string(json, "version", PACKAGE_VERSION);
            igd_json_end_object(json);
            igd_cli_print_json(igd_json_get(json));
        } else {
            printf("igd-assign %s\n", PACKAGE_VERSION);
        }
        return IGD_EXIT_OK;
    }

    env_root = g_getenv("IGD_ASSIGN_SYSFS_ROOT");
    if (env_root && *env_root)
        cli.sysfs_root = g_strdup(env_root);
    apply_global_options(&cli);
    if (cli.sysroot == NULL)
        cli.sysroot = igd_sysroot_new(cli.sysfs_root);

    if (argc < 2) {
        igd_cli_message("igd-assign --help lists the commands", "usage: missing command");
        if (!cli_json)
            print_usage(stderr);
        ret = IGD_EXIT_USAGE;
    } else {
        const IgdCliCommand *cmd = NULL;

        for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
            if (g_str_equal(argv[1], commands[i].name))
                cmd = &commands[i];
        }
        if (cmd == NULL) {
            g_autofree char *shown = g_strescape(argv[1], NULL);
            igd_cli_message("igd-assign --help lists the commands", "usage: unknown command '%.64s'", shown);
            ret = IGD_EXIT_USAGE;
        } else {
            ret = cmd->run(&cli, argc - 1, argv + 1);
        }
    }

    igd_sysroot_free(cli.sysroot);
    g_free(cli.uri);
    g_free(cli.sysfs_root);
    return ret;
}
