/*
 * test-verify.c: igd_domxml_verify() data-driven. Every
 * tests/verifydata/<case>.xml is read as the hook reads it (igd_domain_read()
 * with the host tree named in <case>.host, tests/data/hosts/<tree>, or none)
 * and verified against a snapshot of its IGD (device parts; "qemu=X.Y.Z" in
 * .host adds that QEMU's model); the findings, one "SEVERITY id: message |
 * hint" line each, are compared with <case>.findings. Every file in
 * tests/verifydata belongs to a case.
 */
#include "config.h"

#include <string.h>

#include "igd-domxml.h"
#include "igd-test.h"

static void
test_case(gconstpointer data)
{
    const char *name = data;
    g_autofree char *xml_rel = g_strdup_printf("verifydata/%s.xml", name);
    g_autofree char *host_rel = g_strdup_printf("verifydata/%s.host", name);
    g_autofree char *want_rel = g_strdup_printf("verifydata/%s.findings", name);
    g_autofree char *xml_path = igd_test_srcpath(xml_rel);
    g_autofree char *host_path = igd_test_srcpath(host_rel);
    g_autofree char *want_path = igd_test_srcpath(want_rel);
    g_autoptr(GBytes) xml = igd_test_load(xml_path);
    g_autofree char *host = NULL;
    g_autoptr(IgdSysroot) sysroot = NULL;
    g_autoptr(IgdSnapshot) snapshot = NULL;
    g_autoptr(IgdDomain) dom = NULL;
    g_autoptr(GPtrArray) findings = NULL;
    g_autoptr(GString) got = g_string_new(NULL);
    g_autoptr(GError) error = NULL;
    IgdDomainReadOptions ro = { NULL, NULL };
    gsize len = 0;
    const char *bytes = g_bytes_get_data(xml, &len);

    if (g_file_get_contents(host_path, &host, NULL, NULL)) {
        g_auto(GStrv) words = g_strsplit_set(g_strstrip(host), " \t", -1);
        g_autofree char *tree_rel = g_build_filename("data", "hosts", words[0], NULL);
        g_autofree char *tree = igd_test_srcpath(tree_rel);

        g_assert_true(g_file_test(tree, G_FILE_TEST_IS_DIR));
        sysroot = igd_sysroot_new(tree);
        ro.sysroot = sysroot;
        for (guint i = 1; words[i]; i++)
            g_assert_true(g_str_has_prefix(words[i], "qemu="));
    }
    dom = igd_domain_read(bytes, len, &ro, &error);
    g_assert_no_error(error);
    if (sysroot) {
        g_auto(GStrv) words = g_strsplit_set(host, " \t", -1);
        snapshot = igd_snapshot_gather(sysroot, &dom->host, 0, &error);
        g_assert_no_error(error);
        for (guint i = 1; words[i]; i++) {
            guint maj = 0, min = 0, mic = 0;
            g_assert_cmpint(sscanf(words[i] + 5, "%u.%u.%u", &maj, &min, &mic), ==, 3);
            igd_snapshot_set_qemu(snapshot, igd_qemu_caps_new_for_version(maj, min, mic), TRUE);
        }
    }
    findings = igd_domxml_verify(dom, snapshot);
    g_string_append_printf(got, "igd-domain %s, mode %s\n", dom->igd_domain ? "yes" : "no", igd_mode_to_string(dom->mode));
    for (guint i = 0; i < findings->len; i++) {
        const IgdFinding *f = g_ptr_array_index(findings, i);
        g_string_append_printf(got, "%s %s: %s | %s\n", igd_severity_to_string(f->severity), f->id, f->message,
                               f->hint ? f->hint : "");
    }
    igd_test_compare_file(got->str, want_path);
}

static void
test_all_used(gconstpointer data)
{
    GPtrArray *names = (GPtrArray *)data;
    g_autofree char *dir = igd_test_srcpath("verifydata");
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *e;

    while ((e = g_dir_read_name(d)) != NULL) {
        g_autofree char *stem = NULL;
        if (g_str_equal(e, "README.md"))
            continue;
        g_assert_nonnull(strrchr(e, '.'));
        stem = g_strndup(e, strrchr(e, '.') - e);
        if (!g_ptr_array_find_with_equal_func(names, stem, g_str_equal, NULL))
            g_error("tests/verifydata/%s belongs to no case", e);
    }
}

/*
 * The rewrite never keeps an x-igd-gms that crashes the QEMU it writes for:
 * 65 (0x41) on Skylake (QEMU gen 9) is refused by 10.1+'s
 * vfio_pci_igd_override_gms() ("0~0x40 or 0xf0~0xfe") without an error,
 * a NULL dereference (hw/vfio/igd.c v10.2.0 lines 628-630). The value is
 * removed in either mode, auto is not pushed away from legacy by it, and
 * what comes out verifies clean of "qemu-crash". QEMU 10.0 only reported
 * such a value and kept the host GMS: there it stays.
 */
static void
test_rewrite_crashing_gms(void)
{
    static const struct {
        const char *xml;
        guint major, minor;
        IgdMode mode, want;
        gboolean removed;
    } cases[] = {
        { "upt-gms-crash", 10, 2, IGD_MODE_AUTO, IGD_MODE_LEGACY, TRUE },
        { "upt-gms-crash", 10, 2, IGD_MODE_UPT, IGD_MODE_UPT, TRUE },
        { "legacy-gms-crash", 11, 1, IGD_MODE_LEGACY, IGD_MODE_LEGACY, TRUE },
        { "legacy-gms-crash", 10, 0, IGD_MODE_UPT, IGD_MODE_UPT, FALSE },
    };
    g_autofree char *tree = igd_test_srcpath("data/hosts/skl-ideapad-vfio");
    g_autoptr(IgdSysroot) sysroot = igd_sysroot_new(tree);

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *rel = g_strdup_printf("verifydata/%s.xml", cases[i].xml);
        g_autofree char *path = igd_test_srcpath(rel);
        g_autoptr(GBytes) xml = igd_test_load(path);
        g_autoptr(IgdSnapshot) snapshot = NULL;
        g_autoptr(IgdDomain) dom = NULL;
        g_autoptr(GPtrArray) findings = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *out = NULL;
        gsize out_len = 0, len = 0;
        const char *bytes = g_bytes_get_data(xml, &len);
        IgdDomainReadOptions ro = { NULL, sysroot };
        IgdDomXmlOptions opts;
        IgdDomXmlReport report;

        g_test_message("%s, QEMU %u.%u", cases[i].xml, cases[i].major, cases[i].minor);
        snapshot = igd_snapshot_gather(sysroot, NULL, 0, &error);
        g_assert_no_error(error);
        igd_snapshot_set_qemu(snapshot, igd_qemu_caps_new_for_version(cases[i].major, cases[i].minor, 0), TRUE);
        igd_domxml_options_init(&opts);
        opts.mode = cases[i].mode;
        opts.snapshot = snapshot;
        igd_domxml_report_init(&report);
        g_assert_true(igd_domxml_rewrite(bytes, len, &opts, &out, &out_len, &report, &error));
        g_assert_no_error(error);
        g_assert_cmpint(report.mode, ==, cases[i].want);
        g_assert_cmpint(strstr(out, "x-igd-gms") == NULL, ==, cases[i].removed);
        g_assert_cmpint(igd_findings_find(report.findings, "x-igd-gms") != NULL, ==, cases[i].removed);
        if (cases[i].removed)
            g_assert_nonnull(strstr(igd_findings_find(report.findings, "x-igd-gms")->message,
                                    "x-igd-gms=65 removed: QEMU"));
        dom = igd_domain_read(out, out_len, &ro, &error);
        g_assert_no_error(error);
        findings = igd_domxml_verify(dom, snapshot);
        g_assert_null(igd_findings_find(findings, "qemu-crash"));
        igd_domxml_report_clear(&report);
    }
}

static gint
cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
main(int argc, char **argv)
{
    g_autofree char *dir = NULL;
    g_autoptr(GDir) d = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *e;

    g_test_init(&argc, &argv, NULL);
    dir = igd_test_srcpath("verifydata");
    d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    while ((e = g_dir_read_name(d)) != NULL)
        if (g_str_has_suffix(e, ".xml"))
            g_ptr_array_add(names, g_strndup(e, strlen(e) - 4));
    g_ptr_array_sort(names, cmp_names);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path = g_strdup_printf("/verify/%s", (const char *)names->pdata[i]);
        g_test_add_data_func(path, names->pdata[i], test_case);
    }
    g_test_add_data_func("/verify/every-file-used", names, test_all_used);
    g_test_add_func("/verify/rewrite/crashing-gms", test_rewrite_crashing_gms);
    return g_test_run();
}
