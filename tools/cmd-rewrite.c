/*
 * cmd-rewrite.c: `igd-assign rewrite [--mode legacy|upt|auto] [--host PCI]
 * [--romfile PATH] [--opregion] [FILE|-]`: a pure filter, domain XML in,
 * rewritten domain XML out, no libvirt. Nothing is written to stdout unless
 * the whole rewrite succeeded.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "igd-cli.h"
#include "igd-common.h"
#include "igd-domxml.h"
#include "igd-json.h"
#include "igd-requirements.h"
#include "igd-virt.h"
#include "igd-xml.h"

gboolean
igd_cli_read_input(const char *path, char **data, gsize *len, GError **error)
{
    int fd;
    GString *buf = g_string_sized_new(16384);
    const char *name = path && !g_str_equal(path, "-") ? path : "standard input";

    if (path == NULL || g_str_equal(path, "-")) {
        fd = STDIN_FILENO;
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            g_set_error(error, IGD_ERROR, e == ENOENT ? IGD_ERROR_NOT_FOUND : IGD_ERROR_IO, "cannot open '%s': %s",
                        path, g_strerror(e));
            g_string_free(buf, TRUE);
            return FALSE;
        }
    }
    for (;;) {
        char chunk[65536];
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot read %s: %s", name, g_strerror(e));
            break;
        }
        if (n == 0)
            break;
        if (buf->len + (gsize)n > IGD_XML_MAX_SIZE_SET_UP) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s is larger than the limit of %u bytes", name,
                        IGD_XML_MAX_SIZE_SET_UP);
            break;
        }
        g_string_append_len(buf, chunk, n);
    }
    if (fd != STDIN_FILENO)
        close(fd);
    if (error && *error) {
        g_string_free(buf, TRUE);
        return FALSE;
    }
    *len = buf->len;
    *data = g_string_free(buf, FALSE);
    return TRUE;
}

gboolean
igd_cli_domxml_options(IgdCli *cli, const char *mode, const char *host, const char *romfile, gboolean opregion,
                       IgdDomXmlOptions *opts, IgdSnapshot **snapshot, int *exit_code)
{
    g_autoptr(GError) error = NULL;
    char name[13];

    igd_domxml_options_init(opts);
    *snapshot = NULL;
    if (mode && !igd_mode_from_string(mode, &opts->mode, &error)) {
        *exit_code = igd_cli_error("--mode", error, "use --mode legacy, --mode upt or --mode auto");
        return FALSE;
    }
    if (host) {
        if (!igd_cli_parse_pci(host, &opts->host, exit_code))
            return FALSE;
        opts->host_set = TRUE;
    }
    if (romfile && !g_path_is_absolute(romfile)) {
        igd_cli_message("give the ROM file as an absolute path (libvirt requires one)",
                        "--romfile: '%s' is not an absolute path", romfile);
        *exit_code = IGD_EXIT_USAGE;
        return FALSE;
    }
    opts->romfile = romfile;
    opts->opregion = opregion;

    igd_pci_address_format(&opts->host, name);
    /* what the legacy requirements judge: the IGD, its ROM, the host, the installed QEMU */
    *snapshot = igd_snapshot_gather(cli->sysroot, &opts->host, igd_requirements_parts(IGD_SCOPE_LEGACY), &error);
    if (*snapshot == NULL) {
        if (!g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND) &&
            !g_error_matches(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED)) {
            *exit_code = igd_cli_error("host IGD", error, NULL);
            return FALSE;
        }
        /* --host naming a device of this host that is not an IGD is a mistake; one that is absent here
         * names the IGD of another machine, which legacy and upt write for (SPEC.md §3 rewrite) */
        if (opts->host_set && g_error_matches(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED)) {
            igd_cli_message("name the host's Intel IGD with --host (see 'igd-assign status')", "--host %s: %s", name,
                            error->message);
            *exit_code = IGD_EXIT_FAILED;
            return FALSE;
        }
        /* no IGD here: a domain for another machine (the engine warns what it cannot tailor) */
    }
    /* a ROM file that exists here is what the firmware will get: judge it instead of the device's ROM */
    if (romfile && *snapshot && g_file_test(romfile, G_FILE_TEST_EXISTS) &&
        !igd_snapshot_use_romfile(*snapshot, romfile, &error)) {
        *exit_code = igd_cli_error("--romfile", error, "give a PCI option ROM image (55 AA)");
        return FALSE;
    }
    opts->snapshot = *snapshot;
    *exit_code = IGD_EXIT_OK;
    return TRUE;
}

void
igd_cli_print_report(IgdCli *cli, const IgdDomXmlReport *report)
{
    for (guint i = 0; i < report->findings->len; i++) {
        const IgdFinding *f = g_ptr_array_index(report->findings, i);
        if (f->severity == IGD_SEVERITY_NOTE)
            fprintf(stderr, "igd-assign: %s mode: %s\n", igd_mode_to_string(report->mode), f->message);
    }
    if (cli->verbosity < 0)
        return;
    for (guint i = 0; i < report->findings->len; i++) {
        const IgdFinding *f = g_ptr_array_index(report->findings, i);
        if (f->severity == IGD_SEVERITY_WARN)
            fprintf(stderr, "igd-assign: warning: %s\n", f->message);
    }
}

/* The messages of @findings of severity @severity, as a JSON array @key. */
void
igd_cli_json_findings(IgdJson *json, const char *key, GPtrArray *findings, IgdSeverity severity)
{
    igd_json_begin_array(json, key);
    for (guint i = 0; i < findings->len; i++) {
        const IgdFinding *f = g_ptr_array_index(findings, i);
        if (f->severity == severity)
            igd_json_string(json, NULL, f->message);
    }
    igd_json_end_array(json);
}

void
igd_cli_json_changes(IgdJson *json, const IgdDomXmlReport *report)
{
    igd_json_begin_array(json, "changes");
    for (guint i = 0; i < report->changes->len; i++) {
        const IgdFinding *f = g_ptr_array_index(report->changes, i);
        igd_json_begin_object(json, NULL);
        igd_json_string(json, "id", f->id);
        igd_json_string(json, "message", f->message);
        igd_json_bool(json, "removes", f->severity == IGD_SEVERITY_WARN);
        igd_json_end_object(json);
    }
    igd_json_end_array(json);
}

int
igd_cmd_rewrite(IgdCli *cli, int argc, char **argv)
{
    g_autofree char *mode = NULL;
    g_autofree char *host = NULL;
    g_autofree char *romfile = NULL;
    gboolean opregion = FALSE;
    const GOptionEntry entries[] = {
        { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "legacy, upt or auto (default)", "MODE" },
        { "host", 0, 0, G_OPTION_ARG_STRING, &host, "host PCI address of the IGD (default 0000:00:02.0)", "PCI" },
        { "romfile", 0, 0, G_OPTION_ARG_FILENAME, &romfile, "VGA ROM file for the IGD (<rom file=...>)", "PATH" },
        { "opregion", 0, 0, G_OPTION_ARG_NONE, &opregion, "UPT: expose the OpRegion (x-igd-opregion=on)", NULL },
        { NULL },
    };
    IgdDomXmlOptions opts;
    g_autoptr(IgdSnapshot) snapshot = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *in = NULL;
    g_autofree char *out = NULL;
    gsize in_len = 0, out_len = 0;
    IgdDomXmlReport report;
    int ret;

    if (!igd_cli_parse_options(cli, "rewrite", "[FILE|-]",
                               "Rewrite a libvirt domain XML for IGD assignment: domain XML in (FILE or\n"
                               "standard input), the legacy or UPT definition out (nothing when it cannot\n"
                               "be done; the error says why). No libvirt connection.",
                               entries, &argc, &argv, &ret))
        return ret;
    if (argc > 2) {
        igd_cli_message("igd-assign rewrite --help", "rewrite: too many arguments");
        return IGD_EXIT_USAGE;
    }
    if (!igd_cli_domxml_options(cli, mode, host, romfile, opregion, &opts, &snapshot, &ret))
        return ret;
    if (!igd_cli_read_input(argc == 2 ? argv[1] : NULL, &in, &in_len, &error))
        return igd_cli_error("rewrite", error, NULL);

    igd_domxml_report_init(&report);
    if (!igd_domxml_rewrite(in, in_len, &opts, &out, &out_len, &report, &error)) {
        const char *hint = NULL;
        if (g_error_matches(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED) && opts.mode == IGD_MODE_LEGACY)
            hint = "use --mode upt, or an i440fx machine ('pc') for legacy mode";
        else if (g_error_matches(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED))
            hint = opts.mode == IGD_MODE_AUTO ? "use --mode legacy or --mode upt to write a domain for another machine"
                                                     : "'igd-assign check' shows what the host lacks; or use --mode upt";
        else if (g_error_matches(error, IGD_ERROR, IGD_ERROR_INVALID))
            hint = "give one libvirt <domain> definition as 'virsh dumpxml' writes it (UTF-8, no DOCTYPE)";
        ret = igd_cli_error("rewrite", error, hint);
        igd_domxml_report_clear(&report);
        return ret;
    }
    if (cli->json) {
        g_autoptr(IgdJson) j = igd_json_new();
        igd_json_begin_object(j, NULL);
        igd_json_string(j, "mode", igd_mode_to_string(report.mode));
        igd_json_bool(j, "changed", report.changed);
        igd_cli_json_findings(j, "reasons", report.findings, IGD_SEVERITY_NOTE);
        igd_cli_json_findings(j, "warnings", report.findings, IGD_SEVERITY_WARN);
        igd_cli_json_changes(j, &report);
        igd_json_string(j, "xml", out);
        igd_json_end_object(j);
        igd_cli_print_json(igd_json_get(j));
    } else {
        igd_cli_print_report(cli, &report);
        fwrite(out, 1, out_len, stdout);
    }
    igd_domxml_report_clear(&report);
    if (fflush(stdout) != 0) {
        igd_cli_message(NULL, "rewrite: cannot write standard output: %s", g_strerror(errno));
        return IGD_EXIT_ENV;
    }
    return IGD_EXIT_OK;
}
