/*
 * cmd-report.c: `igd-assign report -o FILE.tar.xz`: what igd-assign reads
 * about this host's IGDs, private data left out, as a host tree archive
 * (igd-core/igd-capture.h). The destination is checked first, so nothing
 * is read when the report could not be written; it is never replaced.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "igd-archive.h"
#include "igd-capture.h"
#include "igd-cli.h"
#include "igd-common.h"
#include "igd-snapshot.h"

/* SOURCE_DATE_EPOCH (reproducible-builds.org) when set, else now. */
static gint64
report_time(void)
{
    const char *epoch = g_getenv("SOURCE_DATE_EPOCH");
    guint64 v;

    if (epoch && g_ascii_string_to_unsigned(epoch, 10, 0, G_MAXINT64, &v, NULL))
        return (gint64)v;
    return g_get_real_time() / G_USEC_PER_SEC;
}

static void
print_text(IgdCapture *capture, const char *dest, const char *top, guint64 size, int verbosity)
{
    GPtrArray *entries = igd_capture_get_entries(capture);
    GPtrArray *redactions = igd_capture_get_redactions(capture);
    GPtrArray *omissions = igd_capture_get_omissions(capture);
    GPtrArray *igds = igd_capture_get_igds(capture);
    guint files = 0;

    for (guint i = 0; i < entries->len; i++)
        files += ((IgdCaptureEntry *)entries->pdata[i])->kind != IGD_CAPTURE_DIR;
    printf("wrote %s (%" G_GUINT64_FORMAT " bytes): %u files and links under %s/, IGDs:", dest, size, files, top);
    for (guint i = 0; i < igds->len; i++)
        printf(" %s", (char *)igds->pdata[i]);
    printf("%s\n", igds->len ? "" : " none found");
    printf("redacted: %u\n", redactions->len);
    for (guint i = 0; i < redactions->len; i++) {
        IgdCaptureRedaction *r = redactions->pdata[i];
        printf("  %s: %s (%u)\n", r->path, r->what, r->count);
    }
    printf("left out: %u%s\n", omissions->len, omissions->len ? " (see README.md in the archive)" : "");
    for (guint i = 0; verbosity >= 0 && i < omissions->len; i++) {
        IgdCaptureOmission *o = omissions->pdata[i];
        printf("  %s: %s\n", o->source, o->why);
    }
}

int
igd_cmd_report(IgdCli *cli, int argc, char **argv)
{
    g_autofree char *output = NULL;
    const GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "write the report to FILE (never replaced)", "FILE.tar.xz" },
        { NULL }
    };
    g_autoptr(IgdArchive) archive = NULL;
    g_autoptr(IgdCapture) capture = NULL;
    g_autoptr(IgdQemuCaps) qemu = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) qemu_error = NULL;
    g_autofree char *top = NULL;
    gint64 when = report_time();
    int ret;

    if (!igd_cli_parse_options(cli, "report", "-o FILE.tar.xz",
                               "An archive of what igd-assign reads about this host's IGDs (sysfs, config space,\n"
                               "ROM, OpRegion, VBT, /proc/iomem, the kernel's DMAR lines, vfio parameters, the\n"
                               "QEMU probe), with serial numbers, MAC addresses, host and user names left out.\n"
                               "Extracted, it is a host tree: igd-assign --sysfs-root DIR inspect reads it.",
                               entries, &argc, &argv, &ret))
        return ret;
    if (argc > 1) {
        igd_cli_message("igd-assign report --help", "report: unexpected argument '%.64s'", argv[1]);
        return IGD_EXIT_USAGE;
    }
    if (output == NULL || output[0] == '\0') {
        igd_cli_message("igd-assign report -o report.tar.xz", "report: no output file: give -o FILE.tar.xz");
        return IGD_EXIT_USAGE;
    }
    if (g_str_equal(output, "-")) {
        igd_cli_message("give a file name: the archive is linked into place once complete",
                        "report: cannot write the report to standard output");
        return IGD_EXIT_USAGE;
    }

    /* the destination first: nothing is read for a report that could not be written */
    archive = igd_archive_create(output, when, &error);
    if (archive == NULL)
        return igd_cli_error("report", error,
                             g_error_matches(error, IGD_ERROR, IGD_ERROR_CONFLICT)
                                 ? "choose another file name, or remove the old report"
                                 : NULL);

    qemu = igd_snapshot_probe_qemu(NULL, &qemu_error);
    capture = igd_capture_new(cli->sysroot);
    igd_capture_set_time(capture, when);
    igd_capture_add_host_private_words(capture);
    igd_capture_set_qemu(capture, qemu, qemu_error);
    top = igd_capture_top_name(output);
    if (!igd_capture_run(capture, &error) || !igd_capture_write(capture, archive, top, &error) ||
        !igd_archive_commit(archive, &error))
        return igd_cli_error("report", error,
                             g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND)
                                 ? "run it on the host (or give --sysfs-root a host tree)"
                                 : NULL);

    if (cli->json) {
        g_autofree char *doc = igd_capture_to_json(capture, output, top, igd_archive_get_size(archive));
        igd_cli_print_json(doc);
    } else if (cli->verbosity >= 0) {
        print_text(capture, output, top, igd_archive_get_size(archive), cli->verbosity);
    }
    return IGD_EXIT_OK;
}
