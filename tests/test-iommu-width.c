/*
 * test-iommu-width.c: the domain rule "iommu-width" (igd-domain-rules.c):
 * an OVMF guest's CPU gets at most the IOMMU's address width in physical
 * address bits (QEMU docs/igd-assign.txt, "Known issues").
 *
 *  - /iommu-width/case/<name>/<mode>: the golden cases
 *    tests/domxmldata/ovmf-iommu-width*.xml, rewritten as tests/test-domxml.c
 *    rewrites every case (<name>.opts: facts=tree:HOST qemu=X.Y.Z), compared
 *    with <name>.<mode>.{xml,err,report}; every output rewrites to itself,
 *    verifies clean, and gives the input back as its original. The host is
 *    tests/data/hosts/skl-ideapad-vfio: VT-d units dmar0 and dmar1, cap
 *    1c0000c40660462 and d2008c40660462 (its boot log), bits 21:16 = 0x26, so
 *    an address width of 39 (tests/data/fixtures/README.md).
 *    tests/domxml-native.sh proves each output with libvirt's QEMU driver
 *    (phys-bits=39, or the -global).
 *  - /iommu-width/when: where the rule says and does nothing (SeaBIOS, no
 *    HOST part, width unknown or >= 52) and where the host CPU decides;
 *  - /iommu-width/undo: `igd-assign undo` (run in this process against
 *    libvirt's test driver, as tests/test-setup-undo.c runs setup) gives the
 *    definition before the rewrite back, byte for byte as libvirt formats it.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "igd-common.h"
#include "igd-domain.h"
#include "igd-domxml.h"
#include "igd-requirements.h"
#include "igd-test.h"

int igd_assign_main(int argc, char **argv);

#define WIDTH 39 /* skl-ideapad-vfio: both units' MGAW */

static const char *const modes[] = { "legacy", "upt", "auto" };

typedef struct {
    char *name;
    const char *mode;
} Case;

/* A snapshot of a captured tree as test-domxml.c takes it: what the legacy requirements read, QEMU modelled. */
static IgdSnapshot *
snapshot_tree(const char *host, const char *qemu)
{
    g_autofree char *rel = g_build_filename("data", "hosts", host, NULL);
    g_autofree char *root = igd_test_srcpath(rel);
    g_autoptr(IgdSysroot) sysroot = igd_sysroot_new(root);
    g_autoptr(GError) error = NULL;
    IgdSnapshot *s = igd_snapshot_gather(sysroot, NULL, igd_requirements_parts(IGD_SCOPE_LEGACY) & ~IGD_SNAPSHOT_QEMU,
                                         &error);

    g_assert_no_error(error);
    if (qemu) {
        guint maj = 0, min = 0, mic = 0;
        g_assert_cmpint(sscanf(qemu, "%u.%u.%u", &maj, &min, &mic), ==, 3);
        igd_snapshot_set_qemu(s, igd_qemu_caps_new_for_version(maj, min, mic), TRUE);
    }
    return s;
}

static IgdSnapshot *
case_snapshot(const char *name)
{
    g_autofree char *rel = g_strdup_printf("domxmldata/%s.opts", name);
    g_autofree char *path = igd_test_srcpath(rel);
    g_autofree char *text = NULL;
    g_auto(GStrv) tokens = NULL;
    const char *tree = NULL, *qemu = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    tokens = g_strsplit_set(g_strstrip(text), " \t\n", -1);
    for (guint i = 0; tokens[i]; i++) {
        if (g_str_has_prefix(tokens[i], "facts=tree:"))
            tree = tokens[i] + strlen("facts=tree:");
        else if (g_str_has_prefix(tokens[i], "qemu="))
            qemu = tokens[i] + strlen("qemu=");
        else
            g_error("%s: option '%s' is not one this test models", path, tokens[i]);
    }
    g_assert_nonnull(tree);
    return snapshot_tree(tree, qemu);
}

/* What the engine says, as test-domxml.c writes <name>.<mode>.report (its changes last). */
static char *
report_text(const IgdDomXmlReport *report)
{
    GPtrArray *findings = report->findings;
    static const struct {
        IgdSeverity severity;
        const char *label;
    } kinds[] = {
        { IGD_SEVERITY_NOTE, "reason" }, { IGD_SEVERITY_WARN, "warning" }, { IGD_SEVERITY_FAIL, "refusal" },
    };
    GString *text = g_string_new(NULL);

    for (gsize k = 0; k < G_N_ELEMENTS(kinds); k++) {
        for (guint i = 0; i < findings->len; i++) {
            const IgdFinding *f = g_ptr_array_index(findings, i);
            if (f->severity != kinds[k].severity)
                continue;
            g_string_append_printf(text, "%s [%s]: %s\n", kinds[k].label, f->id, f->message);
            if (f->hint)
                g_string_append_printf(text, "  hint: %s\n", f->hint);
        }
    }
    for (guint i = 0; i < report->changes->len; i++) {
        const IgdFinding *f = g_ptr_array_index(report->changes, i);
        g_string_append_printf(text, "%s [%s]: %s\n", f->severity == IGD_SEVERITY_WARN ? "removal" : "change", f->id,
                               f->message);
    }
    return g_string_free(text, FALSE);
}

static void
test_case(gconstpointer data)
{
    const Case *c = data;
    g_autofree char *in_rel = g_strdup_printf("domxmldata/%s.xml", c->name);
    g_autofree char *in_path = igd_test_srcpath(in_rel);
    g_autoptr(GBytes) in = igd_test_load(in_path);
    g_autoptr(IgdSnapshot) s = case_snapshot(c->name);
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    g_autofree char *report = NULL;
    g_autofree char *report_rel = g_strdup_printf("domxmldata/%s.%s.report", c->name, c->mode);
    g_autofree char *report_path = igd_test_srcpath(report_rel);
    IgdDomXmlOptions opts;
    IgdDomXmlReport r;
    gsize in_len = 0, out_len = 0;
    const char *in_data = g_bytes_get_data(in, &in_len);

    g_assert_cmpuint(s->iommu_width, ==, WIDTH);
    igd_domxml_options_init(&opts);
    g_assert_true(igd_mode_from_string(c->mode, &opts.mode, NULL));
    opts.snapshot = s;
    igd_domxml_report_init(&r);
    if (!igd_domxml_rewrite(in_data, in_len, &opts, &out, &out_len, &r, &error)) {
        g_autofree char *rel = g_strdup_printf("domxmldata/%s.%s.err", c->name, c->mode);
        g_autofree char *path = igd_test_srcpath(rel);
        g_autofree char *text = g_strdup_printf("exit %d: %s\n", igd_error_exit_code(error), error->message);

        igd_test_compare_file(text, path);
    } else {
        g_autofree char *rel = g_strdup_printf("domxmldata/%s.%s.xml", c->name, c->mode);
        g_autofree char *path = igd_test_srcpath(rel);
        g_autofree char *again = NULL;
        g_autofree char *orig = NULL;
        gsize again_len = 0, orig_len = 0;
        IgdDomXmlReport r2;
        IgdDomXmlOptions opts2 = opts;
        g_autoptr(IgdDomain) dom = NULL;
        g_autoptr(GPtrArray) broken = NULL;

        igd_test_compare_file(out, path);
        /* what the rule wrote bounds the guest by the width */
        dom = igd_domain_read(out, out_len, NULL, &error);
        g_assert_no_error(error);
        g_assert_cmpint(igd_domain_guest_phys_bits(dom, 0), >, 0);
        g_assert_cmpint(igd_domain_guest_phys_bits(dom, 0), <=, WIDTH);
        /* idempotent */
        opts2.mode = r.mode;
        igd_domxml_report_init(&r2);
        g_assert_true(igd_domxml_rewrite(out, out_len, &opts2, &again, &again_len, &r2, &error));
        g_assert_no_error(error);
        g_assert_false(r2.changed);
        g_assert_null(igd_findings_find(r2.findings, "iommu-width"));
        igd_domxml_report_clear(&r2);
        /* verify has nothing to say about it */
        broken = igd_domxml_verify(dom, s);
        g_assert_null(igd_findings_find(broken, "iommu-width"));
        /* undo's original is the input */
        g_assert_true(igd_domxml_get_original(out, out_len, &orig, &orig_len, &error));
        g_assert_cmpmem(orig, orig_len, in_data, in_len);
    }
    report = report_text(&r);
    if (*report || g_file_test(report_path, G_FILE_TEST_EXISTS))
        igd_test_compare_file(report, report_path);
    igd_domxml_report_clear(&r);
}

/* ------------------------------------------------------------------ when the rule speaks */

static const char ovmf_head[] =
    "<domain type='kvm'>\n"
    "  <name>w</name>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>\n"
    "    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>\n"
    "  </os>\n";
static const char seabios_head[] =
    "<domain type='kvm'>\n"
    "  <name>w</name>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>\n"
    "  </os>\n";

/* Rewrite (UPT) @head + @cpu + devices with @s; the output and the report's iommu-width finding (or NULL). */
static char *
rewrite_with(const IgdSnapshot *s, const char *head, const char *cpu, char **finding)
{
    g_autofree char *xml = g_strdup_printf("%s%s  <devices/>\n</domain>\n", head, cpu);
    g_autoptr(GError) error = NULL;
    IgdDomXmlOptions opts;
    IgdDomXmlReport r;
    char *out = NULL;
    gsize out_len = 0;
    const IgdFinding *f;

    igd_domxml_options_init(&opts);
    opts.mode = IGD_MODE_UPT;
    opts.snapshot = s;
    igd_domxml_report_init(&r);
    g_assert_true(igd_domxml_rewrite(xml, strlen(xml), &opts, &out, &out_len, &r, &error));
    g_assert_no_error(error);
    f = igd_findings_find(r.findings, "iommu-width");
    *finding = f ? g_strdup_printf("%s %s", igd_severity_to_string(f->severity), f->message) : NULL;
    igd_domxml_report_clear(&r);
    return out;
}

static gboolean
has(const char *hay, const char *needle)
{
    if (hay && strstr(hay, needle))
        return TRUE;
    g_test_message("'%s' not in:\n%s", needle, hay);
    return FALSE;
}

static void
test_when(void)
{
    g_autoptr(IgdSnapshot) s = snapshot_tree("skl-ideapad-vfio", "7.2.0");
    g_autoptr(IgdSnapshot) dev_only = NULL;
    g_autofree char *out = NULL;
    g_autofree char *f = NULL;

    /* SeaBIOS: untouched */
    out = rewrite_with(s, seabios_head, "", &f);
    g_assert_null(f);
    g_assert_null(strstr(out, "maxphysaddr"));
    g_clear_pointer(&out, g_free);

    /* OVMF without <cpu>: QEMU's default 40 > 39 */
    out = rewrite_with(s, ovmf_head, "", &f);
    g_assert_true(has(f, "note <maxphysaddr mode='emulate' bits='39'/>"));
    g_assert_true(has(out, "  </os>\n  <cpu>\n    <maxphysaddr mode=\"emulate\" bits=\"39\"/>\n  </cpu>\n"));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&f, g_free);

    /* emulate without bits (libvirt 9.2+ allows it): given the width */
    out = rewrite_with(s, ovmf_head, "  <cpu><maxphysaddr mode='emulate'/></cpu>\n", &f);
    g_assert_true(has(f, "note <maxphysaddr mode='emulate'> given bits='39'"));
    g_assert_true(has(out, "<maxphysaddr mode=\"emulate\" bits=\"39\"/>"));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&f, g_free);

    /* a user's emulate bits=39 (equal) and bits=32 are kept, silently */
    for (const char *const *b = (const char *const[]){ "39", "32", NULL }; *b; b++) {
        g_autofree char *cpu = g_strdup_printf("  <cpu><maxphysaddr mode='emulate' bits='%s'/></cpu>\n", *b);
        g_autofree char *want = g_strdup_printf("<maxphysaddr mode=\"emulate\" bits=\"%s\"/>", *b);
        out = rewrite_with(s, ovmf_head, cpu, &f);
        g_assert_null(f);
        g_assert_true(has(out, want));
        g_clear_pointer(&out, g_free);
    }

    /* a mode libvirt does not know: left alone, said */
    out = rewrite_with(s, ovmf_head, "  <cpu><maxphysaddr mode='bogus' bits='48'/></cpu>\n", &f);
    g_assert_true(has(f, "warn <maxphysaddr mode='bogus'> left alone"));
    g_assert_true(has(out, "<maxphysaddr mode=\"bogus\" bits=\"48\"/>"));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&f, g_free);

    /* host-passthrough: the host CPU's bits decide (derived cpuinfo values, not captured) */
    s->cpu_phys_bits = 39;
    out = rewrite_with(s, ovmf_head, "  <cpu mode='host-passthrough'/>\n", &f);
    g_assert_null(f); /* a 39-bit CPU under a 39-bit IOMMU: nothing to do */
    g_assert_null(strstr(out, "host-phys-bits-limit"));
    g_clear_pointer(&out, g_free);
    s->cpu_phys_bits = 46;
    out = rewrite_with(s, ovmf_head, "  <cpu mode='host-passthrough'/>\n", &f);
    g_assert_true(has(f, "note -global max-x86_64-cpu.host-phys-bits-limit=39"));
    g_assert_true(has(out, "<qemu:arg value=\"-global\"/>\n"
                           "    <qemu:arg value=\"max-x86_64-cpu.host-phys-bits-limit=39\"/>"));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&f, g_free);
    /* ... whatever <maxphysaddr mode='emulate'> says, QEMU ignores it for -cpu host: the -global is added */
    out = rewrite_with(s, ovmf_head,
                       "  <cpu mode='host-passthrough'><maxphysaddr mode='emulate' bits='36'/></cpu>\n", &f);
    g_assert_true(has(f, "note -global max-x86_64-cpu.host-phys-bits-limit=39"));
    g_assert_true(has(out, "<maxphysaddr mode=\"emulate\" bits=\"36\"/>"));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&f, g_free);
    /* a user's -global above the width is lowered (keeping its driver), at or below it kept */
    out = rewrite_with(s, ovmf_head,
                       "  <cpu mode='host-passthrough'/>\n"
                       "  <qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
                       "    <qemu:arg value='-global'/>\n"
                       "    <qemu:arg value='host-x86_64-cpu.host-phys-bits-limit=42'/>\n"
                       "  </qemu:commandline>\n", &f);
    g_assert_true(has(f, "warn -global host-x86_64-cpu.host-phys-bits-limit=42 lowered to 39"));
    g_assert_true(has(out, "<qemu:arg value=\"host-x86_64-cpu.host-phys-bits-limit=39\"/>"));
    g_assert_null(strstr(out, "max-x86_64-cpu"));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&f, g_free);
    out = rewrite_with(s, ovmf_head,
                       "  <cpu mode='maximum'/>\n"
                       "  <qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
                       "    <qemu:arg value='-global'/>\n"
                       "    <qemu:arg value='max-x86_64-cpu.host-phys-bits-limit=36'/>\n"
                       "  </qemu:commandline>\n", &f);
    g_assert_null(f);
    g_assert_true(has(out, "max-x86_64-cpu.host-phys-bits-limit=36"));
    g_clear_pointer(&out, g_free);
    /* a -global not right after "-global" is not one */
    out = rewrite_with(s, ovmf_head,
                       "  <cpu mode='maximum'/>\n"
                       "  <qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
                       "    <qemu:arg value='-device'/>\n"
                       "    <qemu:arg value='max-x86_64-cpu.host-phys-bits-limit=36'/>\n"
                       "  </qemu:commandline>\n", &f);
    g_assert_true(has(f, "note -global max-x86_64-cpu.host-phys-bits-limit=39"));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&f, g_free);
    /* libvirt 9.3+'s <maxphysaddr mode='passthrough' limit>: lowered when above, kept at or below */
    out = rewrite_with(s, ovmf_head,
                       "  <cpu mode='host-passthrough'><maxphysaddr mode='passthrough' limit='46'/></cpu>\n", &f);
    g_assert_true(has(f, "warn <maxphysaddr limit='46'> lowered to 39"));
    g_assert_true(has(out, "<maxphysaddr mode=\"passthrough\" limit=\"39\"/>"));
    g_assert_null(strstr(out, "host-phys-bits-limit"));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&f, g_free);
    out = rewrite_with(s, ovmf_head,
                       "  <cpu mode='host-passthrough'><maxphysaddr mode='passthrough' limit='39'/></cpu>\n", &f);
    g_assert_null(f);
    g_clear_pointer(&out, g_free);
    /* host CPU bits unknown: bounded by the -global */
    s->cpu_phys_bits = 0;
    out = rewrite_with(s, ovmf_head, "  <cpu mode='host-passthrough'/>\n", &f);
    g_assert_true(has(f, "note -global max-x86_64-cpu.host-phys-bits-limit=39"));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&f, g_free);

    /* the width bounds nothing QEMU can set: 52 and more, or below QEMU's 32 */
    for (const guint *w = (const guint[]){ 52, 57, 31, 0 }; *w; w++) {
        s->iommu_width = *w;
        out = rewrite_with(s, ovmf_head, "", &f);
        if (*w < 40)
            /* narrower than QEMU's default 40 and nothing QEMU could be set to: the requirement warns */
            g_assert_true(has(f, "warn the OVMF guest's CPU gets 40 physical address bits, more than the IOMMU's 31"));
        else
            g_assert_null(f);
        g_assert_null(strstr(out, "maxphysaddr"));
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&f, g_free);
    }
    /* 51 still does */
    s->iommu_width = 51;
    out = rewrite_with(s, ovmf_head, "  <cpu mode='host-model'><maxphysaddr mode='emulate' bits='52'/></cpu>\n", &f);
    g_assert_true(has(f, "warn <maxphysaddr bits='52'> lowered to 51"));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&f, g_free);
    /* width unknown (not gathered): nothing */
    s->iommu_width = 0;
    out = rewrite_with(s, ovmf_head, "", &f);
    g_assert_null(f);
    g_assert_null(strstr(out, "maxphysaddr"));
    g_clear_pointer(&out, g_free);
    {
        g_autofree char *rel = g_build_filename("data", "hosts", "skl-ideapad-vfio", NULL);
        g_autofree char *root = igd_test_srcpath(rel);
        g_autoptr(IgdSysroot) sysroot = igd_sysroot_new(root);
        dev_only = igd_snapshot_gather(sysroot, NULL, 0, NULL);
        g_assert_nonnull(dev_only);
    }
    out = rewrite_with(dev_only, ovmf_head, "", &f);
    g_assert_null(f);
    g_assert_null(strstr(out, "maxphysaddr"));
}

/* ------------------------------------------------------------------ undo through the CLI */

static char *
capture_end(int saved, int fd, const char *path)
{
    char *text = NULL;

    dup2(saved, fd);
    close(saved);
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_unlink(path);
    return text;
}

/* Run the CLI in this process (libvirt's test driver keeps its state per process); its exit status. */
static int
run_cli(const char *const *args, char **out, char **err)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *out_path = NULL;
    g_autofree char *err_path = NULL;
    int out_fd = g_file_open_tmp("igd-out-XXXXXX", &out_path, NULL);
    int err_fd = g_file_open_tmp("igd-err-XXXXXX", &err_path, NULL);
    int saved_out, saved_err, status;

    g_ptr_array_add(argv, (gpointer) "igd-assign");
    for (guint i = 0; args[i]; i++)
        g_ptr_array_add(argv, (gpointer)args[i]);
    g_ptr_array_add(argv, NULL);
    fflush(stdout);
    fflush(stderr);
    saved_out = dup(STDOUT_FILENO);
    saved_err = dup(STDERR_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    close(out_fd);
    close(err_fd);
    status = igd_assign_main((int)argv->len - 1, (char **)argv->pdata);
    fflush(stdout);
    fflush(stderr);
    *out = capture_end(saved_out, STDOUT_FILENO, out_path);
    *err = capture_end(saved_err, STDERR_FILENO, err_path);
    g_test_message("undo → %d\nstdout: %s\nstderr: %s", status, *out, *err);
    return status;
}

static char *
define_and_dump(virConnectPtr conn, const char *xml)
{
    virDomainPtr d = virDomainDefineXMLFlags(conn, xml, VIR_DOMAIN_DEFINE_VALIDATE);
    char *x, *ret;

    if (d == NULL)
        g_error("define: %s", virGetLastErrorMessage());
    x = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
    g_assert_nonnull(x);
    ret = g_strdup(x);
    free(x);
    virDomainFree(d);
    return ret;
}

static void
test_undo(void)
{
    g_autoptr(IgdSnapshot) s = snapshot_tree("skl-ideapad-vfio", "7.2.0");
    virConnectPtr conn = virConnectOpen("test:///default");
    const char *const cases[] = { "ovmf-iommu-width", "ovmf-iommu-width-bits46", "ovmf-iommu-width-maximum", NULL };

    g_assert_nonnull(conn);
    for (guint i = 0; cases[i]; i++) {
        g_autofree char *rel = g_strdup_printf("domxmldata/%s.xml", cases[i]);
        g_autofree char *path = igd_test_srcpath(rel);
        g_autofree char *input = NULL;
        g_autofree char *before = NULL;
        g_autofree char *out = NULL;
        g_autofree char *set_up = NULL;
        g_autofree char *cli_out = NULL, *cli_err = NULL;
        g_autoptr(GError) error = NULL;
        const char *args[] = { "-c", "test:///default", "undo", cases[i], NULL };
        IgdDomXmlOptions opts;
        IgdDomXmlReport r;
        gsize out_len = 0;
        virDomainPtr d;
        char *after;

        g_assert_true(g_file_get_contents(path, &input, NULL, NULL));
        /* setup's path: libvirt's own formatting of the definition is what is rewritten and saved */
        before = define_and_dump(conn, input);
        igd_domxml_options_init(&opts);
        opts.mode = IGD_MODE_UPT;
        opts.snapshot = s;
        igd_domxml_report_init(&r);
        g_assert_true(igd_domxml_rewrite(before, strlen(before), &opts, &out, &out_len, &r, &error));
        g_assert_no_error(error);
        g_assert_nonnull(igd_findings_find(r.findings, "iommu-width"));
        igd_domxml_report_clear(&r);
        /* libvirt takes the rewrite (validated) and keeps the bound (the test driver has no QEMU namespace:
         * it drops <qemu:commandline>, which libvirt's QEMU driver keeps, tests/domxml-native.sh) */
        set_up = define_and_dump(conn, out);
        if (strstr(out, "<maxphysaddr"))
            g_assert_nonnull(strstr(set_up, "<maxphysaddr mode='emulate' bits='39'/>"));
        else
            g_assert_nonnull(strstr(out, "<qemu:arg value=\"max-x86_64-cpu.host-phys-bits-limit=39\"/>"));
        g_assert_nonnull(strstr(set_up, "<igd:assign"));
        g_assert_cmpstr(set_up, !=, before);

        g_assert_cmpint(run_cli(args, &cli_out, &cli_err), ==, 0);
        g_assert_cmpstr(cli_err, ==, "");
        d = virDomainLookupByName(conn, cases[i]);
        g_assert_nonnull(d);
        after = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
        /* the definition before, with undo's <igd:undone/> opt-out of igd-assignd's watcher */
        {
            g_autoptr(GRegex) marker = g_regex_new("  <metadata>\n    <igd:undone xmlns:igd=\"[^\"]*\" at=\"[^\"]*\"/>\n"
                                                   "  </metadata>\n", 0, 0, NULL);
            g_autofree char *unmarked = g_regex_replace_literal(marker, after, -1, 0, "", 0, NULL);

            g_assert_nonnull(strstr(after, "<igd:undone "));
            g_assert_cmpstr(unmarked, ==, before);
        }
        free(after);
        g_assert_cmpint(virDomainUndefine(d), ==, 0);
        virDomainFree(d);
    }
    virConnectClose(conn);
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func(g_free); /* Case*, names freed below */
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *dir = NULL;
    g_autoptr(GDir) d = NULL;
    const char *e;

    g_test_init(&argc, &argv, NULL);
    dir = igd_test_srcpath("domxmldata");
    d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    while ((e = g_dir_read_name(d)) != NULL) {
        /* the inputs: ovmf-iommu-width*.xml that are not outputs (<name>.<mode>.xml) */
        if (g_str_has_prefix(e, "ovmf-iommu-width") && g_str_has_suffix(e, ".xml") &&
            strchr(e, '.') == strrchr(e, '.'))
            g_ptr_array_add(names, g_strndup(e, strlen(e) - 4));
    }
    g_ptr_array_sort(names, compare_names);
    g_assert_cmpuint(names->len, >=, 4);
    for (guint i = 0; i < names->len; i++) {
        for (gsize m = 0; m < G_N_ELEMENTS(modes); m++) {
            Case *c = g_new0(Case, 1);
            g_autofree char *path = NULL;

            c->name = g_strdup(names->pdata[i]);
            c->mode = modes[m];
            path = g_strdup_printf("/iommu-width/case/%s/%s", c->name, c->mode);
            g_ptr_array_add(cases, c);
            g_test_add_data_func(path, c, test_case);
        }
    }
    g_test_add_func("/iommu-width/when", test_when);
    g_test_add_func("/iommu-width/undo", test_undo);
    {
        int ret = g_test_run();
        for (guint i = 0; i < cases->len; i++)
            g_free(((Case *)cases->pdata[i])->name);
        return ret;
    }
}
