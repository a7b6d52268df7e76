/*
 * test-domxml.c: the domain-XML engine, libvirt style: every
 * tests/domxmldata/<name>.xml is rewritten in legacy, UPT (and auto, when
 * the case has a host snapshot) mode and compared with <name>.<mode>.xml, or
 * <name>.<mode>.err for a refusal. Every output must validate against
 * libvirt's domain.rng and the combined igd-domain.rng, rewrite to itself,
 * and pass igd_domxml_verify() for its mode.
 *
 * <name>.opts (optional) holds options, one line of tokens:
 *   facts=skl       a snapshot of the Skylake fixture built by hand (tests/hand-snapshot.h,
 *                   domxmldata/README)
 *   facts=tree:HOST igd_snapshot_gather() over tests/data/hosts/HOST
 *   qemu=X.Y.Z      the QEMU version modelled (igd_qemu_caps_new_for_version)
 *   rom=legacy|efi|both|none|unreadable  the device's ROM (hand_snapshot_set_rom(); the
 *                   built images of tests/data/rom); unset: the snapshot's own (facts=skl: not judged)
 *   romfile=PATH, opregion, host=PCI
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libxml/relaxng.h>
#include <string.h>

#include "hand-snapshot.h"
#include "igd-common.h"
#include "igd-domain.h"
#include "igd-domxml.h"
#include "igd-inspect.h"
#include "igd-requirements.h"
#include "igd-test.h"
#include "igd-xml.h"

static xmlRelaxNGPtr libvirt_rng;
static xmlRelaxNGPtr igd_rng;
static xmlRelaxNGPtr meta_rng;

static void
silent(void *ctx, const char *msg, ...)
{
}

typedef struct {
    char *name;
    char *mode;
} Case;

static void
case_free(gpointer data)
{
    Case *c = data;
    g_free(c->name);
    g_free(c->mode);
    g_free(c);
}

typedef struct {
    IgdDomXmlOptions opts;
    IgdSnapshot *snapshot;
    char *romfile;
} CaseOpts;

/* The IGD of a captured host tree tests/data/hosts/@host, with what the legacy requirements read but QEMU. */
static IgdSnapshot *
snapshot_tree(const char *host)
{
    g_autofree char *rel = g_build_filename("data", "hosts", host, NULL);
    g_autofree char *root = igd_test_srcpath(rel);
    g_autoptr(IgdSysroot) sysroot = igd_sysroot_new(root);
    g_autoptr(GError) error = NULL;
    IgdSnapshot *s = igd_snapshot_gather(sysroot, NULL, igd_requirements_parts(IGD_SCOPE_LEGACY) & ~IGD_SNAPSHOT_QEMU,
                                         &error);

    g_assert_no_error(error);
    g_assert_nonnull(s);
    return s;
}

static void
case_opts_load(const char *name, CaseOpts *co)
{
    g_autofree char *rel = g_strdup_printf("domxmldata/%s.opts", name);
    g_autofree char *path = igd_test_srcpath(rel);
    g_autofree char *text = NULL;
    g_auto(GStrv) tokens = NULL;
    const char *facts = NULL, *qemu = NULL, *rom = NULL;

    memset(co, 0, sizeof(*co));
    igd_domxml_options_init(&co->opts);
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return;
    g_strstrip(text);
    tokens = g_strsplit_set(text, " \t\n", -1);
    for (guint i = 0; tokens[i]; i++) {
        const char *t = tokens[i];
        if (g_str_has_prefix(t, "facts="))
            facts = t + 6;
        else if (g_str_has_prefix(t, "qemu="))
            qemu = t + 5;
        else if (g_str_has_prefix(t, "rom="))
            rom = t + 4;
        else if (g_str_has_prefix(t, "romfile="))
            co->romfile = g_strdup(t + 8);
        else if (g_str_equal(t, "opregion"))
            co->opts.opregion = TRUE;
        else if (g_str_has_prefix(t, "host=")) {
            g_assert_true(igd_pci_address_parse(t + 5, &co->opts.host, NULL));
            co->opts.host_set = TRUE;
        } else if (t[0])
            g_error("%s: unknown option '%s'", path, t);
    }
    if (facts && g_str_has_prefix(facts, "tree:")) {
        /* a captured host tree: tests/data/hosts/<name>; QEMU is never probed, qemu= models it */
        co->snapshot = snapshot_tree(facts + 5);
        if (rom)
            hand_snapshot_set_rom(co->snapshot, rom);
        if (qemu)
            hand_snapshot_set_qemu(co->snapshot, qemu);
    } else if (facts) {
        g_assert_cmpstr(facts, ==, "skl");
        co->snapshot = hand_snapshot_skl(qemu, rom);
        /* the snapshot's device is the one the options name */
        co->snapshot->addr = co->opts.host;
        igd_pci_address_format(&co->snapshot->addr, co->snapshot->name);
    } else {
        g_assert_null(qemu);
        g_assert_null(rom);
    }
    co->opts.snapshot = co->snapshot;
    co->opts.romfile = co->romfile;
}

static void
case_opts_clear(CaseOpts *co)
{
    igd_snapshot_free(co->snapshot);
    g_free(co->romfile);
}

static gboolean
has_snapshot(const char *name)
{
    g_autofree char *rel = g_strdup_printf("domxmldata/%s.opts", name);
    g_autofree char *path = igd_test_srcpath(rel);
    g_autofree char *text = NULL;

    return g_file_get_contents(path, &text, NULL, NULL) && strstr(text, "facts=") != NULL;
}

static void
test_case(gconstpointer data)
{
    const Case *c = data;
    g_autofree char *in_rel = g_strdup_printf("domxmldata/%s.xml", c->name);
    g_autofree char *in_path = igd_test_srcpath(in_rel);
    g_autoptr(GBytes) in = igd_test_load(in_path);
    CaseOpts co;
    IgdDomXmlReport report;
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    gsize out_len = 0;
    gsize in_len = 0;
    const char *in_data = g_bytes_get_data(in, &in_len);
    gboolean ok;

    case_opts_load(c->name, &co);
    g_assert_true(igd_mode_from_string(c->mode, &co.opts.mode, NULL));
    igd_domxml_report_init(&report);
    ok = igd_domxml_rewrite(in_data, in_len, &co.opts, &out, &out_len, &report, &error);
    if (!ok) {
        g_autofree char *rel = g_strdup_printf("domxmldata/%s.%s.err", c->name, c->mode);
        g_autofree char *path = igd_test_srcpath(rel);
        g_autofree char *text = g_strdup_printf("exit %d: %s\n", igd_error_exit_code(error), error->message);
        g_assert_null(out);
        igd_test_compare_file(text, path);
        /* a refusal is 1 (impossible) or 2 (usage), never an environment error */
        g_assert_cmpint(igd_error_exit_code(error), >=, 1);
        g_assert_cmpint(igd_error_exit_code(error), <=, 2);
    } else {
        g_autofree char *rel = g_strdup_printf("domxmldata/%s.%s.xml", c->name, c->mode);
        g_autofree char *path = igd_test_srcpath(rel);
        g_autofree char *again = NULL;
        gsize again_len = 0;
        IgdDomXmlReport report2;
        IgdDomXmlOptions opts2 = co.opts;

        g_assert_cmpuint(strlen(out), ==, out_len);
        igd_test_compare_file(out, path);
        g_assert_true(igd_test_rng_valid(libvirt_rng, out, out_len, "domain.rng"));
        g_assert_true(igd_test_rng_valid(igd_rng, out, out_len, "igd-domain.rng"));

        /* idempotent: the output rewritten again in the mode applied is the same bytes */
        opts2.mode = report.mode;
        igd_domxml_report_init(&report2);
        g_assert_true(igd_domxml_rewrite(out, out_len, &opts2, &again, &again_len, &report2, &error));
        g_assert_no_error(error);
        g_assert_false(report2.changed);
        g_assert_cmpstr(again, ==, out);
        /* ... and says it changed nothing */
        g_assert_cmpuint(report2.changes->len, ==, 0);
        g_assert_cmpuint(report2.removed, ==, 0);
        igd_domxml_report_clear(&report2);
        /* a rewrite that changed the document says what it changed (the watcher's log line) */
        if (report.changed)
            g_assert_cmpuint(report.changes->len, >, 0);
        g_assert_cmpuint(report.removed, <=, report.changes->len);

        /* the hook's check finds nothing to complain about: the output read as every front end reads a
         * domain, and judged by the domain rules and the requirements of its mode */
        {
            g_autoptr(IgdDomain) dom = igd_domain_read(out, out_len, NULL, &error);
            g_autoptr(GPtrArray) broken = NULL;

            g_assert_no_error(error);
            g_assert_true(dom->igd_domain);
            g_assert_true(dom->has_metadata);
            g_assert_cmpint(dom->mode, ==, report.mode);
            g_assert_cmpuint(dom->igd_hostdevs->len, ==, 1);
            g_assert_true(igd_pci_address_equal(&dom->host, &report.host));
            broken = igd_domxml_verify(dom, co.snapshot);
            for (guint i = 0; i < broken->len; i++) {
                const IgdFinding *f = g_ptr_array_index(broken, i);
                g_test_message("broken %s: %s", f->id, f->message);
                g_assert_cmpint(f->severity, ==, IGD_SEVERITY_FAIL);
                /* the only rule a rewrite cannot fix: UPT on an IGD older than Broadwell */
                g_assert_cmpstr(f->id, ==, "generation");
                g_assert_cmpint(report.mode, ==, IGD_MODE_UPT);
                g_assert_true(co.snapshot && co.snapshot->platform && co.snapshot->platform->gen < 8);
            }
        }

        /* undo gets the input back exactly */
        {
            g_autofree char *orig = NULL;
            gsize orig_len = 0;
            g_assert_true(igd_domxml_get_original(out, out_len, &orig, &orig_len, &error));
            g_assert_no_error(error);
            if (strstr(in_data, "igd-assign.org") == NULL) {
                g_assert_cmpuint(orig_len, ==, in_len);
                g_assert_true(memcmp(orig, in_data, in_len) == 0);
            }
        }
    }
    /* what the engine says about its decisions: <name>.<mode>.report (when it says anything), grouped as
     * `rewrite` prints them: the reasons (NOTE), the warnings (WARN), what refused (FAIL), then each change
     * it made ("removal" when it took away something the definition had) */
    {
        static const struct {
            IgdSeverity severity;
            const char *label;
        } kinds[] = {
            { IGD_SEVERITY_NOTE, "reason" }, { IGD_SEVERITY_WARN, "warning" }, { IGD_SEVERITY_FAIL, "refusal" },
        };
        g_autoptr(GString) text = g_string_new(NULL);
        g_autofree char *rel = g_strdup_printf("domxmldata/%s.%s.report", c->name, c->mode);
        g_autofree char *path = igd_test_srcpath(rel);

        g_assert_cmpuint(igd_findings_count(report.findings, IGD_SEVERITY_PASS), ==, 0);
        if (ok)
            g_assert_cmpuint(igd_findings_count(report.findings, IGD_SEVERITY_FAIL), ==, 0);
        for (gsize k = 0; k < G_N_ELEMENTS(kinds); k++) {
            for (guint i = 0; i < report.findings->len; i++) {
                const IgdFinding *f = g_ptr_array_index(report.findings, i);
                if (f->severity != kinds[k].severity)
                    continue;
                g_string_append_printf(text, "%s [%s]: %s\n", kinds[k].label, f->id, f->message);
                if (f->hint)
                    g_string_append_printf(text, "  hint: %s\n", f->hint);
            }
        }
        for (guint i = 0; i < report.changes->len; i++) {
            const IgdFinding *f = g_ptr_array_index(report.changes, i);
            g_assert_cmpint(f->severity, ==, IGD_SEVERITY_NOTE + (f->severity == IGD_SEVERITY_WARN));
            g_string_append_printf(text, "%s [%s]: %s\n", f->severity == IGD_SEVERITY_WARN ? "removal" : "change",
                                   f->id, f->message);
        }
        g_assert_cmpuint(report.removed, ==, igd_findings_count(report.changes, IGD_SEVERITY_WARN));
        if (text->len || g_file_test(path, G_FILE_TEST_EXISTS))
            igd_test_compare_file(text->str, path);
    }
    igd_domxml_report_clear(&report);
    case_opts_clear(&co);
}

static GPtrArray *cases;

/* g_ptr_array_sort() passes pointers to the elements */
static gint
cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
add_cases(void)
{
    g_autofree char *dir = igd_test_srcpath("domxmldata");
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *e;

    g_assert_nonnull(d);
    while ((e = g_dir_read_name(d))) {
        /* inputs are <name>.xml with no other dot */
        if (g_str_has_suffix(e, ".xml") && strchr(e, '.') == strrchr(e, '.'))
            g_ptr_array_add(names, g_strndup(e, strlen(e) - 4));
    }
    g_ptr_array_sort(names, cmp_names);
    g_assert_cmpuint(names->len, >, 0);
    cases = g_ptr_array_new_with_free_func(case_free);
    for (guint i = 0; i < names->len; i++) {
        static const char *const modes[] = { "legacy", "upt", "auto" };
        for (guint m = 0; m < G_N_ELEMENTS(modes); m++) {
            Case *c;
            g_autofree char *tp = NULL;
            const char *name = names->pdata[i];
            if (m == 2 && !has_snapshot(name))
                continue;
            c = g_new0(Case, 1);
            c->name = g_strdup(name);
            c->mode = g_strdup(modes[m]);
            g_ptr_array_add(cases, c);
            tp = g_strdup_printf("/domxml/%s/%s", c->mode, c->name);
            g_test_add_data_func(tp, c, test_case);
        }
    }
}

/* ---- targeted tests ---- */

static char *
rewrite_ok(const char *xml, IgdMode mode, const IgdSnapshot *snapshot)
{
    IgdDomXmlOptions o;
    IgdDomXmlReport r;
    g_autoptr(GError) error = NULL;
    char *out = NULL;
    gsize n = 0;

    igd_domxml_options_init(&o);
    o.mode = mode;
    o.snapshot = snapshot;
    igd_domxml_report_init(&r);
    g_assert_true(igd_domxml_rewrite(xml, strlen(xml), &o, &out, &n, &r, &error));
    g_assert_no_error(error);
    igd_domxml_report_clear(&r);
    return out;
}

static GError *
rewrite_err(const char *xml, gsize len, IgdMode mode)
{
    IgdDomXmlOptions o;
    IgdDomXmlReport r;
    GError *error = NULL;
    char *out = NULL;
    gsize n = 0;

    igd_domxml_options_init(&o);
    o.mode = mode;
    igd_domxml_report_init(&r);
    g_assert_false(igd_domxml_rewrite(xml, len, &o, &out, &n, &r, &error));
    g_assert_null(out);
    g_assert_nonnull(error);
    igd_domxml_report_clear(&r);
    return error;
}

static void
test_too_large(void)
{
    gsize len = IGD_XML_MAX_SIZE + 1;
    g_autofree char *big = g_malloc(len);
    g_autoptr(GError) error = NULL;

    memset(big, ' ', len);
    memcpy(big, "<domain>", 8);
    error = rewrite_err(big, len, IGD_MODE_LEGACY);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "larger than the limit"));
}

static void
test_bad_inputs(void)
{
    static const char *const bad[] = {
        "", "<", "<domain>", "<domain></domian>", "<notdomain/>", "<x:domain xmlns:x='urn:x'/>",
        "<?xml version='1.0'?><!DOCTYPE domain SYSTEM 'http://example.invalid/d.dtd'><domain/>",
        "<domain>&undefined;</domain>", "\xff\xfe<\0d\0", NULL,
    };

    for (guint i = 0; bad[i]; i++) {
        g_autoptr(GError) error = rewrite_err(bad[i], strlen(bad[i]), IGD_MODE_UPT);
        g_test_message("%s", error->message);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    }

    /* hostile documents: nothing from outside is read or expanded, the answer is a clear refusal */
    {
        g_autofree char *dir = igd_test_mkdtemp();
        g_autofree char *secret = g_build_filename(dir, "secret.txt", NULL);
        g_autofree char *dtd = g_build_filename(dir, "param.dtd", NULL);
        g_autoptr(GString) laughs = g_string_new("<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY l0 'lol'>");
        g_autofree char *xxe = NULL, *param = NULL;
        const char with_nul[] = "<domain type='kvm'><name>a\0b</name></domain>";

        g_assert_true(g_file_set_contents(secret, "IGD-SECRET-MARKER", -1, NULL));
        g_assert_true(g_file_set_contents(dtd, "<!ENTITY leak 'IGD-SECRET-MARKER'>", -1, NULL));
        /* external general entity (XXE) */
        xxe = g_strdup_printf("<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY x SYSTEM 'file://%s'>]>\n"
                              "<domain type='kvm'><name>&x;</name></domain>", secret);
        /* external parameter entity */
        param = g_strdup_printf("<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY %% p SYSTEM 'file://%s'> %%p;]>\n"
                                "<domain type='kvm'><name>&leak;</name></domain>", dtd);
        /* "billion laughs": 10 levels of 10 references, 3 x 10^9 bytes if expanded */
        for (guint i = 1; i < 10; i++) {
            g_string_append_printf(laughs, "<!ENTITY l%u '", i);
            for (guint j = 0; j < 10; j++)
                g_string_append_printf(laughs, "&l%u;", i - 1);
            g_string_append(laughs, "'>");
        }
        g_string_append(laughs, "]>\n<domain type='kvm'><name>&l9;</name></domain>");
        {
            const char *const docs[] = { xxe, param, laughs->str };
            for (gsize i = 0; i < G_N_ELEMENTS(docs); i++) {
                g_autoptr(GError) error = rewrite_err(docs[i], strlen(docs[i]), IGD_MODE_UPT);
                g_test_message("%s", error->message);
                g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
                g_assert_null(strstr(error->message, "IGD-SECRET-MARKER"));
            }
        }
        /* a NUL byte inside the document (the length says where it ends, not the NUL) */
        {
            g_autoptr(GError) error = rewrite_err(with_nul, sizeof(with_nul) - 1, IGD_MODE_UPT);
            g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        }
        igd_test_rmtree(dir);
    }
}

static const char *minimal =
    "<domain type='kvm'>\n  <name>m</name>\n  <memory>1048576</memory>\n  <os>\n"
    "    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n  <devices>\n  </devices>\n</domain>\n";

static void
test_auto_needs_snapshot(void)
{
    g_autoptr(GError) error = rewrite_err(minimal, strlen(minimal), IGD_MODE_AUTO);

    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_assert_nonnull(strstr(error->message, "auto mode needs the host's IGD"));
}

/* The first finding of @findings with severity @severity exactly, NULL when none. */
static const IgdFinding *
first_of(GPtrArray *findings, IgdSeverity severity)
{
    for (guint i = 0; i < findings->len; i++) {
        const IgdFinding *f = g_ptr_array_index(findings, i);
        if (f->severity == severity)
            return f;
    }
    return NULL;
}

/* TRUE when a finding of severity @severity says @text. */
static gboolean
says(GPtrArray *findings, IgdSeverity severity, const char *text)
{
    for (guint i = 0; i < findings->len; i++) {
        const IgdFinding *f = g_ptr_array_index(findings, i);
        if (f->severity == severity && strstr(f->message, text) != NULL)
            return TRUE;
    }
    return FALSE;
}

/* auto on @xml with @s: the mode chosen and the first reason (NOTE) given */
static IgdMode
auto_mode(const char *xml, const IgdSnapshot *s, char **reason)
{
    IgdDomXmlOptions o;
    IgdDomXmlReport r;
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;
    gsize n = 0;
    const IgdFinding *first;
    IgdMode mode;

    igd_domxml_options_init(&o);
    o.snapshot = s;
    igd_domxml_report_init(&r);
    g_assert_true(igd_domxml_rewrite(xml, strlen(xml), &o, &out, &n, &r, &error));
    g_assert_no_error(error);
    first = first_of(r.findings, IGD_SEVERITY_NOTE);
    g_assert_nonnull(first);
    if (reason)
        *reason = g_strdup(first->message);
    mode = r.mode;
    igd_domxml_report_clear(&r);
    return mode;
}

/* auto: every legacy requirement holds → legacy; each failing one → UPT with that reason */
static void
test_auto_reasons(void)
{
    g_autoptr(IgdSnapshot) s = hand_snapshot_skl("7.2.0", "legacy");
    g_autofree char *q35 = g_strdup(minimal);
    char *m;

    g_assert_cmpint(auto_mode(minimal, s, NULL), ==, IGD_MODE_LEGACY);

    /* disable_vga=1 */
    s->vfio_disable_vga = TRUE;
    {
        g_autofree char *why = NULL;
        g_assert_cmpint(auto_mode(minimal, s, &why), ==, IGD_MODE_UPT);
        g_assert_nonnull(strstr(why, "disable_vga=1"));
    }
    s->vfio_disable_vga = FALSE;

    /* q35 */
    m = strstr(q35, "machine='pc'");
    g_assert_nonnull(m);
    {
        char *t = g_strdup_printf("%.*smachine='q35'%s", (int)(m - q35), q35, m + strlen("machine='pc'"));
        g_autofree char *why = NULL;

        g_free(q35);
        q35 = t;
        g_assert_cmpint(auto_mode(q35, s, &why), ==, IGD_MODE_UPT);
        g_assert_nonnull(strstr(why, "'q35' is not i440fx"));
    }

    /* no legacy VGA BIOS in the ROM (an EFI-only one) */
    hand_snapshot_set_rom(s, "efi");
    {
        g_autofree char *why = NULL;
        g_assert_cmpint(auto_mode(minimal, s, &why), ==, IGD_MODE_UPT);
        g_assert_nonnull(strstr(why, "no legacy VGA BIOS"));
    }
}

/*
 * One engine (SPEC.md §3/§4): `inspect` (legacy_capable, reasons) and
 * `rewrite --mode auto` decide legacy from the same requirements over the same snapshot, so on the
 * same host, the same QEMU and an i440fx SeaBIOS domain (`minimal`) auto
 * chooses legacy exactly when inspect says "legacy capable", and every
 * "legacy: ..." reason of inspect is among auto's reasons. Every captured
 * host tree, copied with each ROM of tests/data/rom (or none) as the
 * device's sysfs rom, and with an x86 ROM plus vfio-pci disable_vga=Y or a
 * Linux 4.4 kernel (before the vfio IGD extensions of 4.6), against QEMU
 * 7.2, 8.2 and 9.2 models.
 */
static void
test_auto_same_as_inspect(void)
{
    /* the ROM given to the device, and a change to the host: "" none, else "file=content" */
    static const struct {
        const char *rom, *tweak;
    } variants[] = {
        { NULL, "" }, { "igd-x86-only.rom", "" }, { "igd-efi-only.rom", "" }, { "igd-x86-efi.rom", "" },
        { "igd-x86-only.rom", "sys/module/vfio_pci/parameters/disable_vga=Y\n" },
        { "igd-x86-only.rom", "proc/sys/kernel/osrelease=4.4.0-21-generic\n" },
    };
    static const char *const qemus[] = { "7.2.0", "8.2.0", "9.2.0" };
    g_autofree char *hosts = igd_test_srcpath("data/hosts");
    g_autoptr(GDir) d = g_dir_open(hosts, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *entry;
    IgdPciAddress addr = { 0, 0, 2, 0 };
    guint compared = 0, legacy_seen = 0, upt_seen = 0;

    g_assert_nonnull(d);
    while ((entry = g_dir_read_name(d)) != NULL) {
        g_autofree char *dev = g_build_filename(hosts, entry, "sys/bus/pci/devices/0000:00:02.0/vendor", NULL);
        if (g_file_test(dev, G_FILE_TEST_EXISTS))
            g_ptr_array_add(names, g_strdup(entry));
    }
    g_assert_cmpuint(names->len, >=, 10);
    for (guint h = 0; h < names->len; h++) {
        for (gsize r = 0; r < G_N_ELEMENTS(variants); r++) {
            g_autofree char *dir = igd_test_mkdtemp();
            g_autofree char *src = g_build_filename(hosts, names->pdata[h], NULL);
            g_autofree char *root = g_build_filename(dir, "root", NULL);
            const char *cp[] = { "cp", "-a", src, root, NULL };
            g_autoptr(IgdSysroot) sysroot = NULL;
            gint status = -1;

            g_assert_true(g_spawn_sync(NULL, (char **)cp, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                                       &status, NULL));
            g_assert_cmpint(status, ==, 0);
            if (variants[r].tweak[0]) {
                g_auto(GStrv) kv = g_strsplit(variants[r].tweak, "=", 2);
                g_autofree char *file = g_build_filename(root, kv[0], NULL);
                g_assert_true(g_file_test(file, G_FILE_TEST_EXISTS));
                g_assert_true(g_file_set_contents(file, kv[1], -1, NULL));
            }
            if (variants[r].rom) {
                g_autofree char *rel = g_build_filename("data/rom", variants[r].rom, NULL);
                g_autofree char *rom_src = igd_test_srcpath(rel);
                g_autoptr(GBytes) rom = igd_test_load(rom_src);
                g_autofree char *rom_dst = g_build_filename(root, "sys/bus/pci/devices/0000:00:02.0/rom", NULL);
                g_assert_true(g_file_set_contents(rom_dst, g_bytes_get_data(rom, NULL), g_bytes_get_size(rom), NULL));
            }
            sysroot = igd_sysroot_new(root);
            for (gsize q = 0; q < G_N_ELEMENTS(qemus); q++) {
                guint maj = 0, min = 0, mic = 0;
                g_autoptr(IgdQemuCaps) caps = NULL;
                g_autoptr(IgdInspect) in = NULL;
                g_autoptr(IgdSnapshot) snap = NULL;
                g_autoptr(GError) error = NULL;
                IgdDomXmlOptions o;
                IgdDomXmlReport rep;
                g_autofree char *out = NULL;
                gsize n = 0;

                g_assert_cmpint(sscanf(qemus[q], "%u.%u.%u", &maj, &min, &mic), ==, 3);
                caps = igd_qemu_caps_new_for_version(maj, min, mic);
                in = igd_inspect_collect(sysroot, &addr, caps, &error);
                g_assert_no_error(error);
                snap = igd_snapshot_gather(sysroot, &addr,
                                           igd_requirements_parts(IGD_SCOPE_LEGACY) & ~IGD_SNAPSHOT_QEMU, &error);
                g_assert_no_error(error);
                g_assert_nonnull(snap);
                igd_snapshot_set_qemu(snap, igd_qemu_caps_new_for_version(maj, min, mic), TRUE);

                igd_domxml_options_init(&o);
                o.snapshot = snap;
                igd_domxml_report_init(&rep);
                g_assert_true(igd_domxml_rewrite(minimal, strlen(minimal), &o, &out, &n, &rep, &error));
                g_assert_no_error(error);
                if ((rep.mode == IGD_MODE_LEGACY) != in->legacy_capable)
                    g_error("%s, ROM %s %s, QEMU %s: inspect says legacy %s, auto chose %s",
                            (const char *)names->pdata[h], variants[r].rom ? variants[r].rom : "none",
                            variants[r].tweak, qemus[q],
                            in->legacy_capable ? "capable" : "not capable",
                            igd_mode_to_string(rep.mode));
                for (guint i = 0; i < in->reasons->len; i++) {
                    const char *why = in->reasons->pdata[i];
                    gboolean found = FALSE;
                    if (!g_str_has_prefix(why, "legacy: "))
                        continue;
                    for (guint k = 0; k < rep.findings->len && !found; k++) {
                        const IgdFinding *f = g_ptr_array_index(rep.findings, k);
                        found = f->severity == IGD_SEVERITY_NOTE && g_str_equal(f->message, why + strlen("legacy: "));
                    }
                    if (!found)
                        g_error("%s, ROM %s %s, QEMU %s: inspect's \"%s\" is not among auto's reasons",
                                (const char *)names->pdata[h], variants[r].rom ? variants[r].rom : "none",
                                variants[r].tweak, qemus[q], why);
                }
                if (rep.mode == IGD_MODE_LEGACY)
                    legacy_seen++;
                else
                    upt_seen++;
                compared++;
                igd_domxml_report_clear(&rep);
            }
            igd_test_rmtree(dir);
        }
    }
    /* both outcomes occur, so the comparison is not vacuous */
    g_assert_cmpuint(compared, ==, names->len * G_N_ELEMENTS(variants) * G_N_ELEMENTS(qemus));
    g_assert_cmpuint(legacy_seen, >, 0);
    g_assert_cmpuint(upt_seen, >, 0);
}

/*
 * Tiger Lake (hosts/tgl-nuc11-efifb, 8086:9a49, gen 12) keeps BDSM at 0xC0
 * (i915: gen ≥ 11 uses the 64-bit register at 0xC0); QEMU before 9.2 only
 * emulates the 32-bit BDSM at 0x5C (hw/vfio/igd.c, IGD_BDSM), so the guest
 * driver would read an unemulated register: auto must not choose legacy
 * with QEMU 7.2 even with a good ROM, and must with QEMU 9.2.
 */
static void
test_auto_bdsm_offset(void)
{
    const char *const versions[] = { "7.2.0", "9.2.0" };
    g_autofree char *ovmf = NULL;

    /* the same domain booting OVMF: VfioIgdPkg writes the 64-bit BDSM of gen 11+, SeaBIOS only 0x5C */
    ovmf = g_strdup(minimal);
    g_assert_nonnull(strstr(ovmf, "<os>"));
    {
        g_auto(GStrv) parts = g_strsplit(ovmf, "<os>", 2);
        g_free(ovmf);
        ovmf = g_strconcat(parts[0], "<os firmware='efi'>", parts[1], NULL);
    }
    for (gsize v = 0; v < G_N_ELEMENTS(versions); v++) {
        g_autoptr(IgdSnapshot) s = snapshot_tree("tgl-nuc11-efifb");
        IgdDomXmlOptions o;
        IgdDomXmlReport r;
        g_autofree char *out = NULL;
        gsize n = 0;

        g_assert_true(s->gmch_valid);
        g_assert_cmphex(s->gmch.bdsm_offset, ==, 0xc0);
        hand_snapshot_set_rom(s, "both"); /* test assumption: no ROM was captured for this machine */
        hand_snapshot_set_qemu(s, versions[v]);
        igd_domxml_options_init(&o);
        o.snapshot = s;
        /* SeaBIOS: never legacy for gen 12 (it programs only 0x5C: QEMU docs, "pre-Gen11 device only") */
        igd_domxml_report_init(&r);
        g_assert_true(igd_domxml_rewrite(minimal, strlen(minimal), &o, &out, &n, &r, NULL));
        g_assert_cmpint(r.mode, ==, IGD_MODE_UPT);
        g_assert_true(says(r.findings, IGD_SEVERITY_NOTE, "SeaBIOS"));
        igd_domxml_report_clear(&r);
        g_clear_pointer(&out, g_free);
        /* OVMF: QEMU 7.2 emulates only BDSM at 0x5c (UPT), 9.2 knows 0xC0 (legacy) */
        igd_domxml_report_init(&r);
        g_assert_true(igd_domxml_rewrite(ovmf, strlen(ovmf), &o, &out, &n, &r, NULL));
        if (v == 0) {
            g_assert_cmpint(r.mode, ==, IGD_MODE_UPT);
            g_assert_true(says(r.findings, IGD_SEVERITY_NOTE, "BDSM at 0x5c"));
        } else {
            g_assert_cmpint(r.mode, ==, IGD_MODE_LEGACY);
            g_assert_false(says(r.findings, IGD_SEVERITY_NOTE, "BDSM at 0x5c"));
        }
        igd_domxml_report_clear(&r);
    }
}

/* explicit legacy fails hard where auto degrades */
static void
test_legacy_explicit_fails(void)
{
    g_autoptr(IgdSnapshot) s = hand_snapshot_skl("7.2.0", "legacy");
    IgdDomXmlOptions o;
    IgdDomXmlReport r;
    char *out = NULL;
    gsize n = 0;
    g_autoptr(GError) error = NULL;
    const IgdFinding *f;

    /* Linux 4.4: before the vfio IGD extensions of 4.6 */
    g_free(s->kernel_release);
    s->kernel_release = g_strdup("4.4.0-21-generic");
    s->kernel_major = 4;
    s->kernel_minor = 4;
    igd_domxml_options_init(&o);
    o.mode = IGD_MODE_LEGACY;
    o.snapshot = s;
    igd_domxml_report_init(&r);
    g_assert_false(igd_domxml_rewrite(minimal, strlen(minimal), &o, &out, &n, &r, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_assert_nonnull(strstr(error->message, "vfio IGD extensions"));
    g_assert_null(out);
    /* the refusal is in the report too, with its fix */
    f = igd_findings_first(r.findings, IGD_SEVERITY_FAIL);
    g_assert_nonnull(f);
    g_assert_cmpstr(f->id, ==, "kernel");
    g_assert_nonnull(f->hint);
    igd_domxml_report_clear(&r);
}

/* The FAIL (and WARN) findings of igd_domxml_verify() for @xml read without options (NULL when @xml is not a domain). */
static GPtrArray *
verify(const char *xml, gsize len, const IgdSnapshot *snapshot, IgdDomain **dom_out)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdDomain) dom = igd_domain_read(xml, len, NULL, &error);
    GPtrArray *broken;

    g_assert_no_error(error);
    broken = igd_domxml_verify(dom, snapshot);
    for (guint i = 0; i < broken->len; i++) {
        const IgdFinding *f = g_ptr_array_index(broken, i);
        g_test_message("broken %s: %s", f->id, f->message);
        /* each names its fix; a managed='yes' IGD hostdev only warns (libvirt detaches it itself) */
        g_assert_cmpint(f->severity, ==, g_str_equal(f->id, "managed") ? IGD_SEVERITY_WARN : IGD_SEVERITY_FAIL);
        g_assert_true(f->hint && *f->hint);
    }
    if (dom_out)
        *dom_out = g_steal_pointer(&dom);
    return broken;
}

/* How many findings of @findings have id @id. */
static guint
count_id(GPtrArray *findings, const char *id)
{
    guint n = 0;

    for (guint i = 0; i < findings->len; i++)
        n += g_str_equal(((const IgdFinding *)g_ptr_array_index(findings, i))->id, id);
    return n;
}

/* verify() on definitions that break rules */
static void
test_verify_problems(void)
{
    g_autofree char *in_path = igd_test_srcpath("domxmldata/spice-qxl.xml");
    g_autoptr(GBytes) in = igd_test_load(in_path);
    const char *broken_xml =
        "<domain type='kvm'><name>b</name><os><type machine='pc-q35-7.2'>hvm</type></os><devices>"
        "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0' bus='0' slot='2' "
        "function='0'/></source><rom bar='off'/><address type='pci' domain='0' bus='0' slot='2' function='0'/>"
        "</hostdev><graphics type='vnc'/><video><model type='vga'/></video>"
        "<watchdog model='i6300esb'><address type='pci' domain='0' bus='0' slot='0x1f' function='0'/></watchdog>"
        "</devices></domain>";
    /* the domain rules (igd-domain-rules.c) and "machine", the legacy requirement that judges the guest alone */
    static const char *const want[] = { "managed", "machine", "legacy-rom", "legacy-1f", "legacy-graphics",
                                        "legacy-video", NULL };
    gsize len = 0;
    const char *data = g_bytes_get_data(in, &len);

    /* no IGD at all: not an IGD domain */
    {
        g_autoptr(IgdDomain) dom = NULL;
        g_autoptr(GPtrArray) broken = verify(data, len, NULL, &dom);
        g_assert_false(dom->igd_domain);
        g_assert_cmpuint(broken->len, ==, 0);
    }

    {
        g_autoptr(IgdDomain) dom = NULL;
        g_autoptr(GPtrArray) broken = verify(broken_xml, strlen(broken_xml), NULL, &dom);
        g_assert_true(dom->igd_domain);
        g_assert_cmpint(dom->mode, ==, IGD_MODE_LEGACY); /* inferred from 00:02.0 */
        g_assert_cmpuint(dom->pci_hostdevs->len, ==, 1);
        for (guint i = 0; want[i]; i++)
            if (count_id(broken, want[i]) == 0)
                g_error("rule %s not reported", want[i]);
    }

    /* legacy without the x-igd-gms QEMU 7.2 needs for the Skylake's 32 MiB */
    {
        g_autoptr(IgdSnapshot) s = hand_snapshot_skl("7.2.0", "legacy");
        g_autofree char *out = rewrite_ok(minimal, IGD_MODE_LEGACY, NULL);
        g_autoptr(GPtrArray) broken = verify(out, strlen(out), s, NULL);
        const IgdFinding *f = igd_findings_find(broken, "legacy-gms");

        g_assert_nonnull(f);
        g_assert_nonnull(strstr(f->message, "x-igd-gms=1"));
    }

    /* UPT on gen < 8 (SPEC.md §4: no guest driver support for UPT before Broadwell): the requirement
     * "generation" (before issue 9 the rule "upt-gen") for the Sandy Bridge 8086:0102 of
     * hosts/snb-gigabyte-h61m-ds2-i3-2100, none for the Skylake */
    {
        g_autoptr(IgdSnapshot) snb = snapshot_tree("snb-gigabyte-h61m-ds2-i3-2100");
        g_autoptr(IgdSnapshot) skl = hand_snapshot_skl(NULL, NULL);
        g_autofree char *out = rewrite_ok(minimal, IGD_MODE_UPT, NULL);
        const IgdSnapshot *const all[] = { snb, skl };
        const guint want_gen[] = { 1, 0 };

        g_assert_cmphex(snb->device_id, ==, 0x0102);
        /* the same snapshot for a domain whose IGD is another host device (00:03.0): it says nothing */
        {
            IgdDomXmlOptions o;
            IgdDomXmlReport r;
            g_autofree char *other = NULL;
            g_autoptr(GError) error = NULL;
            g_autoptr(IgdDomain) dom = NULL;
            g_autoptr(GPtrArray) broken = NULL;
            gsize n = 0;

            igd_domxml_options_init(&o);
            o.mode = IGD_MODE_UPT;
            o.host_set = TRUE;
            g_assert_true(igd_pci_address_parse("0000:00:03.0", &o.host, NULL));
            igd_domxml_report_init(&r);
            g_assert_true(igd_domxml_rewrite(minimal, strlen(minimal), &o, &other, &n, &r, &error));
            igd_domxml_report_clear(&r);
            broken = verify(other, n, snb, &dom);
            g_assert_cmpuint(dom->host.slot, ==, 3);
            g_assert_cmpuint(broken->len, ==, 0);
        }
        for (gsize k = 0; k < G_N_ELEMENTS(all); k++) {
            g_autoptr(GPtrArray) broken = verify(out, strlen(out), all[k], NULL);
            for (guint j = 0; j < broken->len; j++) {
                const IgdFinding *f = g_ptr_array_index(broken, j);
                g_assert_cmpstr(f->id, ==, "generation");
                g_assert_nonnull(strstr(f->message, "Sandy Bridge (gen 6) has no guest driver support for UPT"));
            }
            g_assert_cmpuint(broken->len, ==, want_gen[k]);
        }
        /*
         * A device id unknown to the table (an IGD newer than this version): nothing is known against
         * UPT, so verify reports nothing and the hook starts the domain (the requirement "generation"
         * only warns in the UPT scope); legacy mode needs a known generation.
         */
        snb->platform = NULL;
        {
            g_autoptr(GPtrArray) broken = verify(out, strlen(out), snb, NULL);
            g_assert_cmpuint(broken->len, ==, 0);
        }
        {
            g_autoptr(GPtrArray) upt = igd_requirements_evaluate(snb, IGD_SCOPE_UPT, NULL);
            const IgdFinding *g = igd_findings_find(upt, "generation");
            g_assert_nonnull(g);
            g_assert_cmpint(g->severity, ==, IGD_SEVERITY_WARN);
            g_assert_nonnull(strstr(g->message, "is not in igd-assign's table"));
        }
    }

    {
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdDomain) dom = igd_domain_read("<x", 2, NULL, &error);
        g_assert_null(dom);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    }
}

/*
 * undo must restore THIS domain: a copy of a set-up domain (virt-clone, or
 * dumpxml | edit | define) carries the <igd:assign> metadata and with it the
 * original of the domain it was copied from; defining that original would
 * overwrite the other domain (same name and uuid). The saved original must
 * name the same domain (uuid, and name) as the definition it is taken from.
 */
static void
test_original_identity(void)
{
    const char *src =
        "<domain type='kvm'>\n  <name>a</name>\n  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n"
        "  <memory>1048576</memory>\n  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n"
        "  <devices>\n  </devices>\n</domain>\n";
    g_autofree char *out = rewrite_ok(src, IGD_MODE_UPT, NULL);
    g_autofree char *orig = NULL;
    gsize n = 0;
    g_autoptr(GError) error = NULL;
    static const struct {
        const char *from, *to;
        gboolean ok;
    } edits[] = {
        /* libvirt's own spelling of the same uuid */
        { "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>", "<uuid>C7A5FDBDEDAF9455926AD65C16DB1809</uuid>", TRUE },
        /* a clone: another name, another uuid */
        { "<name>a</name>\n  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>",
          "<name>b</name>\n  <uuid>0b4a3a8c-4b1e-4a64-9c3b-2f6a2d8e7c11</uuid>", FALSE },
        /* the same uuid under another name (a copy defined after the source was removed, or renamed) */
        { "<name>a</name>", "<name>b</name>", FALSE },
    };

    g_assert_true(igd_domxml_get_original(out, strlen(out), &orig, &n, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(orig, ==, src);
    g_clear_pointer(&orig, g_free);
    for (gsize i = 0; i < G_N_ELEMENTS(edits); i++) {
        const char *at = strstr(out, edits[i].from);
        g_autofree char *copy = NULL;
        gboolean ok;

        g_assert_nonnull(at);
        copy = g_strdup_printf("%.*s%s%s", (int)(at - out), out, edits[i].to, at + strlen(edits[i].from));
        ok = igd_domxml_get_original(copy, strlen(copy), &orig, &n, &error);
        if (edits[i].ok) {
            g_assert_no_error(error);
            g_assert_true(ok);
            g_assert_cmpstr(orig, ==, src);
        } else {
            g_assert_false(ok);
            g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
            g_assert_nonnull(strstr(error->message, "'a'"));
            g_assert_null(orig);
        }
        g_clear_pointer(&orig, g_free);
        g_clear_error(&error);
    }
}

/*
 * A snapshot of one host device says nothing about another: a rewrite for
 * host 0000:00:03.0 given the snapshot of the Skylake at 00:02.0 (QEMU 7.2
 * would need x-igd-gms=1 for that one) tailors nothing and says so.
 */
static void
test_snapshot_other_device(void)
{
    g_autoptr(IgdSnapshot) s = hand_snapshot_skl("7.2.0", "legacy");
    IgdDomXmlOptions o;
    IgdDomXmlReport r;
    g_autofree char *out = NULL;
    gsize n = 0;
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint(s->addr.slot, ==, 2);
    igd_domxml_options_init(&o);
    o.mode = IGD_MODE_LEGACY;
    o.snapshot = s;
    o.host_set = TRUE;
    g_assert_true(igd_pci_address_parse("0000:00:03.0", &o.host, NULL));
    igd_domxml_report_init(&r);
    g_assert_true(igd_domxml_rewrite(minimal, strlen(minimal), &o, &out, &n, &r, &error));
    g_assert_no_error(error);
    g_assert_null(strstr(out, "x-igd-gms"));
    g_assert_true(says(r.findings, IGD_SEVERITY_WARN, "no Intel IGD at 0000:00:03.0"));
    igd_domxml_report_clear(&r);
}

/* the metadata element alone validates against its own schema */
static void
test_metadata_schema(void)
{
    g_autofree char *out = rewrite_ok(minimal, IGD_MODE_LEGACY, NULL);
    g_autoptr(IgdXmlDoc) doc = xmlReadMemory(out, strlen(out), "o.xml", NULL, XML_PARSE_NONET);
    xmlNode *meta = NULL;
    g_autoptr(IgdXmlDoc) mdoc = xmlNewDoc((const xmlChar *)"1.0");
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(meta_rng);

    for (xmlNode *c = xmlDocGetRootElement(doc)->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && g_str_equal((const char *)c->name, "metadata"))
            meta = c->children;
    while (meta && meta->type != XML_ELEMENT_NODE)
        meta = meta->next;
    g_assert_nonnull(meta);
    g_assert_cmpstr((const char *)meta->ns->href, ==, IGD_DOMAIN_NS);
    xmlDocSetRootElement(mdoc, xmlDocCopyNode(meta, mdoc, 1));
    g_assert_cmpint(xmlRelaxNGValidateDoc(vc, mdoc), ==, 0);
    /* a broken mode is refused by the schema */
    xmlSetProp(xmlDocGetRootElement(mdoc), (const xmlChar *)"mode", (const xmlChar *)"bogus");
    xmlRelaxNGSetValidErrors(vc, (xmlRelaxNGValidityErrorFunc)silent, (xmlRelaxNGValidityWarningFunc)silent, NULL);
    g_assert_cmpint(xmlRelaxNGValidateDoc(vc, mdoc), !=, 0);
    xmlRelaxNGFreeValidCtxt(vc);
}

/* switching modes keeps the first original */
static void
test_mode_switch(void)
{
    g_autofree char *legacy = rewrite_ok(minimal, IGD_MODE_LEGACY, NULL);
    g_autofree char *upt = rewrite_ok(legacy, IGD_MODE_UPT, NULL);
    g_autofree char *back = rewrite_ok(upt, IGD_MODE_LEGACY, NULL);
    g_autofree char *orig = NULL;
    gsize n = 0;

    g_assert_true(igd_domxml_get_original(upt, strlen(upt), &orig, &n, NULL));
    g_assert_cmpstr(orig, ==, minimal);
    g_assert_nonnull(strstr(upt, "mode=\"upt\""));
    g_assert_nonnull(strstr(back, "mode=\"legacy\""));
    g_assert_nonnull(strstr(back, "<model type=\"none\"/>"));
    /* a switch of mode is a change the rewrite reports */
    {
        IgdDomXmlOptions o;
        IgdDomXmlReport r;
        g_autofree char *out = NULL;
        gsize n2 = 0;

        igd_domxml_options_init(&o);
        o.mode = IGD_MODE_UPT;
        igd_domxml_report_init(&r);
        g_assert_true(igd_domxml_rewrite(legacy, strlen(legacy), &o, &out, &n2, &r, NULL));
        g_assert_nonnull(igd_findings_find(r.changes, "upt-address"));
        g_assert_cmpstr(igd_findings_find(r.changes, "metadata")->message, ==, "switched to UPT mode (was legacy)");
        g_assert_cmpuint(r.removed, ==, 0);
        igd_domxml_report_clear(&r);
    }
}

/*
 * `undo` marks the restored definition <igd:undone/> (the watcher leaves it
 * alone); the marker is valid metadata, is not <igd:assign> (not "set up"),
 * is replaced rather than repeated, and the next rewrite (setup) removes it
 * and says so.
 */
static void
test_undone_marker(void)
{
    g_autofree char *marked = NULL, *twice = NULL, *again = NULL;
    gsize n = 0, n2 = 0, n3 = 0;
    g_autoptr(GError) error = NULL;
    IgdDomXmlOptions o;
    IgdDomXmlReport r;

    g_assert_true(igd_domxml_mark_undone(minimal, strlen(minimal), "2025-11-24T16:00:00Z", &marked, &n, &error));
    g_assert_no_error(error);
    g_assert_nonnull(strstr(marked, "<igd:undone xmlns:igd=\"" IGD_DOMAIN_NS "\" at=\"2025-11-24T16:00:00Z\"/>"));
    g_assert_true(igd_test_rng_valid(igd_rng, marked, n, "igd-domain.rng"));
    {
        g_autoptr(IgdDomain) dom = igd_domain_read(marked, n, NULL, &error);
        g_assert_no_error(error);
        g_assert_true(dom->undone);
        g_assert_false(dom->has_metadata);
        g_assert_false(dom->igd_domain);
    }
    g_assert_true(igd_domxml_mark_undone(marked, n, "2025-11-25T08:00:00Z", &twice, &n2, &error));
    g_assert_null(strstr(twice, "2025-11-24"));
    g_assert_nonnull(strstr(twice, "2025-11-25T08:00:00Z"));
    g_assert_null(strstr(strstr(twice, "<igd:undone") + 1, "<igd:undone")); /* one marker */
    /* a rewrite opts back in */
    igd_domxml_options_init(&o);
    o.mode = IGD_MODE_UPT;
    igd_domxml_report_init(&r);
    g_assert_true(igd_domxml_rewrite(twice, n2, &o, &again, &n3, &r, &error));
    g_assert_no_error(error);
    g_assert_null(strstr(again, "undone"));
    {
        gboolean said = FALSE;
        for (guint i = 0; i < r.changes->len; i++)
            said |= g_str_equal(((const IgdFinding *)g_ptr_array_index(r.changes, i))->message,
                                "removed <igd:undone/> (the opt-out of igd-assign undo)");
        g_assert_true(said);
    }
    igd_domxml_report_clear(&r);
    /* not a domain: refused as igd_domain_read() refuses */
    g_clear_error(&error);
    g_assert_false(igd_domxml_mark_undone("<network/>", 10, NULL, &again, &n3, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
}

/* UPT: a 'none' video next to an emulated one (libvirt refuses the pair) is removed, and said */
static void
test_upt_none_next_to_emulated(void)
{
    const char *xml = "<domain type='kvm'>\n  <name>m</name>\n  <memory>1048576</memory>\n  <os>\n"
                      "    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n  <devices>\n"
                      "    <video>\n      <model type='none'/>\n    </video>\n"
                      "    <video>\n      <model type='qxl'/>\n    </video>\n  </devices>\n</domain>\n";
    IgdDomXmlOptions o;
    IgdDomXmlReport r;
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;
    gsize n = 0;

    igd_domxml_options_init(&o);
    o.mode = IGD_MODE_UPT;
    igd_domxml_report_init(&r);
    g_assert_true(igd_domxml_rewrite(xml, strlen(xml), &o, &out, &n, &r, &error));
    g_assert_no_error(error);
    g_assert_null(strstr(out, "type=\"none\""));
    g_assert_nonnull(strstr(out, "<model type=\"qxl\"/>"));
    g_assert_cmpstr(igd_findings_find(r.changes, "upt-video")->message, ==,
                    "removed <video><model type='none'/> next to an emulated video");
    g_assert_cmpuint(r.removed, ==, 0);
    g_assert_true(igd_test_rng_valid(libvirt_rng, out, n, "domain.rng"));
    igd_domxml_report_clear(&r);
}

/* igd_snapshot_gather() over captured host trees (tests/data/hosts, see their READMEs) */
static void
test_snapshot_skl_vfio(void)
{
    g_autoptr(IgdSnapshot) s = snapshot_tree("skl-ideapad-vfio");
    g_autoptr(GError) error = NULL;

    /* README: config[0x02..0x03] = 16 19 → 0x1916, class 0x030000 */
    g_assert_cmphex(s->device_id, ==, 0x1916);
    g_assert_cmphex(s->class_code, ==, 0x030000);
    g_assert_nonnull(s->platform);
    g_assert_cmpuint(s->platform->gen, ==, 9);
    /* README: GGC 0x01c1, gen 9 GMS = bits 15:8 = 1 → 32 MiB */
    g_assert_true(s->gmch_valid);
    g_assert_cmpuint(s->gmch.gms, ==, 1);
    g_assert_cmpuint(s->gmch.stolen_bytes, ==, 32u << 20);
    /* no rom file in the tree: gathered, not readable, and why */
    g_assert_true(s->parts & IGD_SNAPSHOT_ROM);
    g_assert_null(s->rom);
    g_assert_cmpuint(s->rom_size, ==, 0);
    g_assert_nonnull(s->rom_error);
    /* disable_vga = N; osrelease 6.1.0-28-amd64 ≥ 4.6 */
    g_assert_true(s->vfio_vga_known);
    g_assert_false(s->vfio_disable_vga);
    g_assert_cmpstr(s->kernel_release, ==, "6.1.0-28-amd64");
    g_assert_cmpuint(s->kernel_major, ==, 6);
    g_assert_cmpuint(s->kernel_minor, ==, 1);
    /* QEMU was not asked for */
    g_assert_false(s->parts & IGD_SNAPSHOT_QEMU);
    g_assert_null(s->qemu);

    /* auto: the ROM cannot be read → UPT, saying why; with a romfile → legacy */
    {
        IgdDomXmlOptions o;
        IgdDomXmlReport r;
        g_autofree char *out = NULL;
        gsize n = 0;

        igd_domxml_options_init(&o);
        o.snapshot = s;
        igd_domxml_report_init(&r);
        g_assert_true(igd_domxml_rewrite(minimal, strlen(minimal), &o, &out, &n, &r, &error));
        g_assert_cmpint(r.mode, ==, IGD_MODE_UPT);
        g_assert_nonnull(strstr(first_of(r.findings, IGD_SEVERITY_NOTE)->message, "ROM could not be read"));
        igd_domxml_report_clear(&r);
        g_clear_pointer(&out, g_free);

        o.romfile = "/usr/share/igd-assign/vbios.rom";
        igd_domxml_report_init(&r);
        g_assert_true(igd_domxml_rewrite(minimal, strlen(minimal), &o, &out, &n, &r, &error));
        g_assert_cmpint(r.mode, ==, IGD_MODE_LEGACY);
        g_assert_nonnull(strstr(out, "<rom file=\"/usr/share/igd-assign/vbios.rom\"/>"));
        igd_domxml_report_clear(&r);
    }
}

/* A device that is not an Intel display device, and a missing one: no snapshot, and the error says which. */
static void
test_snapshot_not_igd(void)
{
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *dev = g_build_filename(dir, "sys/bus/pci/devices/0000:00:03.0", NULL);
    g_autofree char *vendor = g_build_filename(dev, "vendor", NULL);
    g_autofree char *device = g_build_filename(dev, "device", NULL);
    g_autofree char *klass = g_build_filename(dev, "class", NULL);
    g_autoptr(IgdSysroot) sysroot = igd_sysroot_new(dir);
    IgdPciAddress nic = { 0, 0, 3, 0 }, missing = { 0, 0, 2, 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdSnapshot) f = NULL;
    g_autoptr(IgdSnapshot) g = NULL;

    g_assert_cmpint(g_mkdir_with_parents(dev, 0755), ==, 0);
    g_assert_true(g_file_set_contents(vendor, "0x1af4\n", -1, NULL));
    g_assert_true(g_file_set_contents(device, "0x1041\n", -1, NULL));
    g_assert_true(g_file_set_contents(klass, "0x020000\n", -1, NULL));
    f = igd_snapshot_gather(sysroot, &nic, IGD_SNAPSHOT_ALL & ~IGD_SNAPSHOT_QEMU, &error);
    g_assert_null(f);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, "not an Intel graphics device"));
    g_clear_error(&error);

    g = igd_snapshot_gather(sysroot, &missing, IGD_SNAPSHOT_ALL & ~IGD_SNAPSHOT_QEMU, &error);
    g_assert_null(g);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    igd_test_rmtree(dir);
}

/*
 * 28 NICs without addresses and the memballoon libvirt adds: 29 devices for
 * the 28 slots 03..1e, so libvirt would reach 00:1f.0 and the engine warns;
 * 27 NICs fit (checked with qemu:///embed: the last one lands at 0x1e).
 */
static void
test_legacy_crowded(void)
{
    g_autoptr(GString) xml = g_string_new("<domain type='kvm'><name>c</name><os><type machine='pc'>hvm</type></os><devices>");
    IgdDomXmlOptions o;
    IgdDomXmlReport r;
    g_autofree char *out = NULL;
    gsize n = 0;

    for (guint i = 0; i < 28; i++)
        g_string_append(xml, "<interface type='user'><model type='e1000'/></interface>");
    g_string_append(xml, "</devices></domain>");
    igd_domxml_options_init(&o);
    o.mode = IGD_MODE_LEGACY;
    igd_domxml_report_init(&r);
    g_assert_true(igd_domxml_rewrite(xml->str, xml->len, &o, &out, &n, &r, NULL));
    g_assert_true(says(r.findings, IGD_SEVERITY_WARN, "29 devices without an address and 28 free slots"));
    igd_domxml_report_clear(&r);
    g_clear_pointer(&out, g_free);

    /* 29 virtio disks: the last two move behind a new pci-bridge at 00:1e.0 */
    {
        g_autoptr(GString) disks = g_string_new("<domain type='kvm'><name>d</name><os><type machine='pc'>hvm</type></os><devices>");
        g_autofree char *again = NULL;
        IgdDomXmlReport r2;

        for (guint i = 0; i < 28; i++)
            g_string_append_printf(disks, "<disk type='file' device='disk'><source file='/d%u.img'/><target dev='vd%c%c' "
                                          "bus='virtio'/></disk>", i, 'a' + i % 26, 'a' + i / 26);
        g_string_append(disks, "</devices></domain>");
        igd_domxml_report_init(&r);
        g_assert_true(igd_domxml_rewrite(disks->str, disks->len, &o, &out, &n, &r, NULL));
        {
            const IgdFinding *last = g_ptr_array_index(r.findings, r.findings->len - 1);
            g_assert_cmpint(last->severity, ==, IGD_SEVERITY_WARN);
            g_assert_cmpstr(last->id, ==, "legacy-root-bus");
            g_assert_nonnull(strstr(last->message, "2 of them moved behind 1 new pci-bridge"));
        }
        g_assert_nonnull(strstr(out, "<controller type=\"pci\" index=\"1\" model=\"pci-bridge\"><alias name=\"ua-igd-bridge0\"/>"
                                     "<address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x1e\" function=\"0x0\"/>"));
        g_assert_nonnull(strstr(out, "<target dev=\"vdbb\" bus=\"virtio\"/><address type=\"pci\" domain=\"0x0000\" "
                                     "bus=\"0x01\" slot=\"0x02\" function=\"0x0\"/>"));
        igd_domxml_report_clear(&r);
        /* and the result stays as it is */
        igd_domxml_report_init(&r2);
        g_assert_true(igd_domxml_rewrite(out, n, &o, &again, &n, &r2, NULL));
        g_assert_false(r2.changed);
        igd_domxml_report_clear(&r2);
        g_clear_pointer(&out, g_free);
    }

    /* 27 fit: no warning */
    g_string_replace(xml, "<interface type='user'><model type='e1000'/></interface></devices>", "</devices>", 1);
    igd_domxml_report_init(&r);
    g_assert_true(igd_domxml_rewrite(xml->str, xml->len, &o, &out, &n, &r, NULL));
    g_assert_false(says(r.findings, IGD_SEVERITY_WARN, "00:1f.0"));
    igd_domxml_report_clear(&r);
}

/* --romfile: the file's images decide instead of the device's ROM (tests/data/rom, built images, see README) */
static void
test_snapshot_romfile(void)
{
    g_autofree char *x86 = igd_test_srcpath("data/rom/igd-x86-only.rom");
    g_autofree char *efi = igd_test_srcpath("data/rom/igd-efi-only.rom");
    g_autofree char *both = igd_test_srcpath("data/rom/igd-x86-efi.rom");
    g_autofree char *not_rom = igd_test_srcpath("data/rom/README.md");
    g_autofree char *ovmf_path = igd_test_srcpath("domxmldata/ovmf.xml");
    g_autoptr(GBytes) ovmf = igd_test_load(ovmf_path);
    g_autoptr(IgdSnapshot) s = snapshot_tree("skl-ideapad-vfio");
    g_autoptr(GError) error = NULL;
    IgdDomXmlOptions o;
    IgdDomXmlReport r;
    gsize len = 0;
    const char *xml = g_bytes_get_data(ovmf, &len);

    g_assert_false(igd_snapshot_use_romfile(s, not_rom, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_clear_error(&error);
    g_assert_false(igd_snapshot_use_romfile(s, "/nonexistent/vbios.rom", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    g_clear_error(&error);
    g_assert_null(s->rom);
    g_assert_false(igd_snapshot_rom_is_file(s));
    /* not a regular file: refused at once, never read until EOF (/dev/zero has none) */
    g_assert_false(igd_snapshot_use_romfile(s, "/dev/zero", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "/dev/zero"));
    g_clear_error(&error);
    /* one byte over the 16 MiB ROM limit (sparse): refused before it is parsed */
    {
        g_autofree char *dir = igd_test_mkdtemp();
        g_autofree char *big = g_build_filename(dir, "big.rom", NULL);
        FILE *fp = fopen(big, "wb");
        g_assert_nonnull(fp);
        g_assert_cmpint(fseek(fp, (16l << 20), SEEK_SET), ==, 0);
        g_assert_cmpint(fputc(0x55, fp), ==, 0x55);
        g_assert_cmpint(fclose(fp), ==, 0);
        g_assert_false(igd_snapshot_use_romfile(s, big, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_nonnull(strstr(error->message, "larger than"));
        g_clear_error(&error);
        igd_test_rmtree(dir);
    }
    g_assert_null(s->rom);

    g_assert_true(igd_snapshot_use_romfile(s, both, &error));
    g_assert_true(igd_rom_has_legacy(s->rom) && igd_rom_has_efi_gop(s->rom));
    g_assert_true(igd_snapshot_rom_is_file(s));
    g_assert_cmpstr(s->rom_source, ==, both);

    /* OVMF domain, x86-only ROM file: UPT, because of the file */
    g_assert_true(igd_snapshot_use_romfile(s, x86, &error));
    g_assert_true(igd_rom_has_legacy(s->rom));
    g_assert_false(igd_rom_has_efi_gop(s->rom));
    igd_domxml_options_init(&o);
    o.snapshot = s;
    o.romfile = x86;
    igd_domxml_report_init(&r);
    {
        g_autofree char *out = NULL;
        gsize n = 0;
        g_assert_true(igd_domxml_rewrite(xml, len, &o, &out, &n, &r, &error));
    }
    g_assert_cmpint(r.mode, ==, IGD_MODE_UPT);
    g_assert_nonnull(strstr(first_of(r.findings, IGD_SEVERITY_NOTE)->message,
                            "OVMF and the ROM file has no EFI GOP image"));
    igd_domxml_report_clear(&r);

    /* EFI-only ROM file: legacy */
    g_assert_true(igd_snapshot_use_romfile(s, efi, &error));
    g_assert_false(igd_rom_has_legacy(s->rom));
    g_assert_true(igd_rom_has_efi_gop(s->rom));
    o.romfile = efi;
    igd_domxml_report_init(&r);
    {
        g_autofree char *out = NULL;
        gsize n = 0;
        g_assert_true(igd_domxml_rewrite(xml, len, &o, &out, &n, &r, &error));
    }
    g_assert_cmpint(r.mode, ==, IGD_MODE_LEGACY);
    igd_domxml_report_clear(&r);
}

/* ---- regressions of issue 9 ("one truth per decision") ---- */

/*
 * A legacy domain that carries its own ROM file stays legacy.
 * hosts/skl-ideapad-vfio has no readable device ROM; `rewrite --mode legacy
 * --romfile /abs/igd.rom` writes <rom file='/abs/igd.rom'/> into the IGD
 * hostdev. Rewriting that output again, with --mode auto or --mode legacy
 * and no --romfile, must judge the ROM by the domain's own <rom file> (a
 * ROM source exactly like --romfile, igd_domain_romfile()) and give the
 * input back byte for byte. Before issue 9 only --romfile counted: auto
 * judged the unreadable device ROM and turned the domain into UPT, and
 * explicit legacy refused ("the IGD's ROM could not be read").
 */
static void
test_regress_own_romfile(void)
{
    g_autoptr(IgdSnapshot) s = snapshot_tree("skl-ideapad-vfio");
    IgdDomXmlOptions o;
    IgdDomXmlReport r;
    g_autofree char *legacy = NULL;
    gsize legacy_len = 0;
    g_autoptr(GError) error = NULL;
    static const IgdMode again[] = { IGD_MODE_AUTO, IGD_MODE_LEGACY };

    g_assert_null(s->rom);
    g_assert_nonnull(s->rom_error);
    /* the tree has no QEMU: Debian 12's 7.2 (which needs x-igd-gms=1 for the 32 MiB of stolen memory) */
    hand_snapshot_set_qemu(s, "7.2.0");

    igd_domxml_options_init(&o);
    o.mode = IGD_MODE_LEGACY;
    o.romfile = "/abs/igd.rom";
    o.snapshot = s;
    igd_domxml_report_init(&r);
    g_assert_true(igd_domxml_rewrite(minimal, strlen(minimal), &o, &legacy, &legacy_len, &r, &error));
    g_assert_no_error(error);
    igd_domxml_report_clear(&r);
    g_assert_nonnull(strstr(legacy, "<rom file=\"/abs/igd.rom\"/>"));
    g_assert_nonnull(strstr(legacy, "<qemu:property name=\"x-igd-gms\" type=\"unsigned\" value=\"1\"/>"));

    for (gsize i = 0; i < G_N_ELEMENTS(again); i++) {
        g_autofree char *out = NULL;
        gsize out_len = 0;

        igd_domxml_options_init(&o);
        o.mode = again[i];
        o.snapshot = s;
        igd_domxml_report_init(&r);
        g_assert_true(igd_domxml_rewrite(legacy, legacy_len, &o, &out, &out_len, &r, &error));
        g_assert_no_error(error);
        g_assert_cmpint(r.mode, ==, IGD_MODE_LEGACY);
        g_assert_false(r.changed);
        g_assert_cmpuint(out_len, ==, legacy_len);
        g_assert_cmpstr(out, ==, legacy);
        if (again[i] == IGD_MODE_AUTO) {
            /* auto chose legacy because every legacy requirement holds; the ROM file is not judged here */
            g_assert_cmpuint(igd_findings_count(r.findings, IGD_SEVERITY_WARN), ==, 0);
            g_assert_nonnull(igd_findings_find(r.findings, "machine"));
            g_assert_nonnull(igd_findings_find(r.findings, "qemu-legacy"));
            g_assert_null(igd_findings_find(r.findings, "rom"));
        }
        igd_domxml_report_clear(&r);
    }
    /* and the hook's check of that definition finds nothing against it */
    {
        g_autoptr(GPtrArray) broken = verify(legacy, legacy_len, s, NULL);
        g_assert_cmpuint(broken->len, ==, 0);
    }
}

/*
 * libvirt reads the fields of a PCI <address> with base 0
 * (virStrToLong_uip(..., 0, ...)): slot='10' is slot ten, slot='0x10'
 * sixteen. igd_domain_read() reads every address that way, the guest
 * address of the IGD hostdev and its source alike (igd_xml_parse_pci_address());
 * tests/test-watcher.c shows the watcher, which reads domains through it,
 * does the same. Before issue 9 the watcher kept its own reader of hostdev
 * sources that took every field as hex (slot='10' as 16).
 */
static void
test_regress_decimal_slot(void)
{
    static const struct {
        const char *guest, *source; /* slot attribute values */
        guint guest_slot, source_slot;
    } spellings[] = {
        { "10", "2", 10, 2 },
        { "0x0a", "0x02", 10, 2 },
        { "0x10", "02", 16, 2 },
        { "010", "0x2", 8, 2 }, /* base 0: a leading 0 is octal, as libvirt reads it */
        { "3", "10", 3, 10 },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(spellings); i++) {
        g_autofree char *xml = g_strdup_printf(
            "<domain type='kvm'><name>s</name><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
            "<hostdev mode='subsystem' type='pci' managed='no'><source><address domain='0' bus='0' slot='%s' "
            "function='0'/></source><address type='pci' domain='0' bus='0' slot='%s' function='0'/></hostdev>"
            "</devices></domain>",
            spellings[i].source, spellings[i].guest);
        IgdPciAddress host = { 0, 0, (guint8)spellings[i].source_slot, 0 };
        IgdDomainReadOptions ro = { &host, NULL };
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdDomain) dom = igd_domain_read(xml, strlen(xml), &ro, &error);
        IgdDomainHostdev *igd;

        g_assert_no_error(error);
        g_assert_cmpuint(dom->pci_hostdevs->len, ==, 1);
        igd = igd_domain_get_igd(dom);
        g_assert_nonnull(igd);
        g_assert_cmpuint(igd->source.slot, ==, spellings[i].source_slot);
        g_assert_true(igd->guest_set);
        g_assert_cmpuint(igd->guest.slot, ==, spellings[i].guest_slot);
        /* guest 00:0a.0 (or any slot but 02): UPT is inferred */
        g_assert_cmpint(dom->mode, ==, IGD_MODE_UPT);
    }
}

/*
 * Text that is not white space in <devices> where legacy mode puts the IGD
 * hostdev (found by tests/fuzz rewrite, corpus/rewrite/repro-text-before-
 * new-hostdev.xml): the first rewrite indents the new hostdev after ";",
 * the second read it back as not indented and wrote it on one line.
 */
static void
test_regress_text_before_hostdev(void)
{
    static const char xml[] = "<domain type=\"kvm\">\n  <name>t</name>\n  <os>\n"
                              "    <type arch=\"x86_64\" machine=\"pc\">hvm</type>\n  </os>\n  <devices>\n"
                              "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
                              "    <video>\n      <model type=\"vga\"/>\n    </video>\n"
                              ";    <video>\n      <model type=\"vga\"/>\n    </video>\n  </devices>\n</domain>\n";
    g_autofree char *once = rewrite_ok(xml, IGD_MODE_LEGACY, NULL);
    g_autofree char *twice = rewrite_ok(once, IGD_MODE_LEGACY, NULL);

    g_assert_nonnull(strstr(once, ";    \n    <hostdev mode=\"subsystem\" type=\"pci\" managed=\"no\">\n"
                                  "      <driver name=\"vfio\"/>\n"));
    g_assert_cmpstr(twice, ==, once);
}

/*
 * The one <video><model type='none'/> a domain already has, at guest
 * 00:02.0 (found by tests/fuzz rewrite, corpus/rewrite/repro-video-none-
 * at-02.xml): legacy mode keeps it but must take it off the IGD's slot;
 * the rule legacy-02 saw it there and no fix moved it.
 */
static void
test_regress_video_none_at_02(void)
{
    static const char xml[] =
        "<domain type='kvm'><name>v</name><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
        "<hostdev mode='subsystem' type='pci' managed='no'><source><address domain='0' bus='0' slot='2' "
        "function='0'/></source></hostdev>"
        "<video><model type='none'/><address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>"
        "</video></devices></domain>";
    g_autofree char *out = rewrite_ok(xml, IGD_MODE_LEGACY, NULL);
    g_autofree char *again = rewrite_ok(out, IGD_MODE_LEGACY, NULL);
    const char *video = strstr(out, "<video>");

    g_assert_nonnull(video);
    g_assert_nonnull(strstr(video, "<model type=\"none\"/>"));
    /* the video keeps no address; the IGD hostdev's guest address (before <video>) is the only 00:02.0 */
    g_assert_null(strstr(video, "<address"));
    g_assert_cmpstr(again, ==, out);
}

/*
 * A device's guest address is its first <address> child, as libvirt 9.0
 * reads it (checked with virsh define + dumpxml on qemu:///embed: of two
 * <address type='pci'> the first is kept, the second dropped; a first
 * <address> without a type is refused, "No type specified for device
 * address"). Found by tests/fuzz rewrite (corpus/rewrite/repro-second-
 * address.xml): legacy mode took a controller's second <address> off
 * 00:02.4 although libvirt never reads it, and the first, not PCI, stayed.
 */
static void
test_regress_first_address(void)
{
    static const char head[] = "<domain type='kvm'><name>a</name><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                               "<devices><hostdev mode='subsystem' type='pci' managed='no'><source><address "
                               "domain='0' bus='0' slot='2' function='0'/></source></hostdev>";
    /* the second address is not the device's: left as it is */
    g_autofree char *not_first = g_strconcat(head,
                                             "<controller type='usb' index='0' model='ich9-ehci1'>"
                                             "<address type='usb' bus='0' port='1'/>"
                                             "<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x4'/>"
                                             "</controller></devices></domain>",
                                             NULL);
    /* the first goes; the second, at 00:1f.2, is then the device's and goes too; the third (00:07.0) stays */
    g_autofree char *chain = g_strconcat(head,
                                         "<interface type='user'>"
                                         "<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x3'/>"
                                         "<model type='e1000'/>"
                                         "<address type='pci' domain='0x0000' bus='0x00' slot='0x1f' function='0x2'/>"
                                         "<address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>"
                                         "</interface></devices></domain>",
                                         NULL);
    g_autofree char *out1 = rewrite_ok(not_first, IGD_MODE_LEGACY, NULL);
    g_autofree char *out2 = rewrite_ok(chain, IGD_MODE_LEGACY, NULL);
    g_autofree char *again = rewrite_ok(out2, IGD_MODE_LEGACY, NULL);
    const char *usb = strstr(out1, "<controller");
    const char *nic = strstr(out2, "<interface");

    g_assert_nonnull(usb);
    g_assert_nonnull(strstr(usb, "slot=\"0x02\" function=\"0x4\""));
    g_assert_nonnull(nic);
    g_assert_null(strstr(nic, "function=\"0x3\""));
    g_assert_null(strstr(nic, "slot=\"0x1f\""));
    g_assert_nonnull(strstr(nic, "slot=\"0x07\""));
    g_assert_cmpstr(again, ==, out2);
}

/*
 * A processing instruction whose target starts with "xml" before the root
 * is not the XML declaration (that is "<?xml" and white space, XML 1.0
 * §2.8): found by tests/fuzz rewrite (corpus/rewrite/repro-pi-like-
 * declaration.xml), each rewrite copied "<?xmlfoo ...?>" once more as if
 * it were the declaration, besides writing the node. Also a declaration
 * after a byte order mark is kept (it was dropped).
 */
static void
test_regress_pi_not_declaration(void)
{
    static const char body[] = "<domain type='kvm'><name>p</name><os><type arch='x86_64' machine='pc'>hvm</type></os>"
                               "<devices/></domain>";
    g_autofree char *pi = g_strconcat("<?xmlfoo a=\"1\"?>\n", body, NULL);
    g_autofree char *bom = g_strconcat("\xef\xbb\xbf<?xml version=\"1.0\"?>\n", body, NULL);
    g_autofree char *out = rewrite_ok(pi, IGD_MODE_UPT, NULL);
    g_autofree char *again = rewrite_ok(out, IGD_MODE_UPT, NULL);
    g_autofree char *out_bom = rewrite_ok(bom, IGD_MODE_UPT, NULL);
    const char *second = strstr(out, "<?xmlfoo");

    g_assert_true(g_str_has_prefix(out, "<?xmlfoo a=\"1\"?>\n<domain"));
    g_assert_nonnull(second);
    g_assert_null(strstr(second + 1, "<?xmlfoo"));
    g_assert_cmpstr(again, ==, out);
    g_assert_true(g_str_has_prefix(out_bom, "<?xml version=\"1.0\"?>\n<domain"));
}

/* A rewrite with these options that must fail with IGD_ERROR_INVALID and a message containing @want. */
static void
assert_refused(const char *xml, gsize len, IgdMode mode, gboolean opregion, const char *want)
{
    IgdDomXmlOptions o;
    IgdDomXmlReport r;
    g_autoptr(GError) error = NULL;
    char *out = NULL;
    gsize n = 0;

    igd_domxml_options_init(&o);
    o.mode = mode;
    o.opregion = opregion;
    igd_domxml_report_init(&r);
    g_assert_false(igd_domxml_rewrite(xml, len, &o, &out, &n, &r, &error));
    g_assert_null(out);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_test_message("refused: %s", error->message);
    if (strstr(error->message, want) == NULL)
        g_error("'%s' does not say '%s'", error->message, want);
    g_assert_cmpint(igd_error_exit_code(error), ==, 1);
    igd_domxml_report_clear(&r);
}

/*
 * Issue 12: an element whose prefix is declared nowhere is inert for
 * libvirt (its parser ignores what it cannot bind), but the rewrite used to
 * give it a meaning: --opregion declares xmlns:qemu on <domain> for its
 * <qemu:override>, and the unbound <qemu:commandline> below came out bound
 * to libvirt's QEMU namespace. Shown with libvirt 9.0's own QEMU driver
 * before the fix (type set to qemu, <driver name='vfio'/> added to the
 * input so that libvirt accepts it):
 *   virsh -c 'qemu:///embed?root=DIR' domxml-to-native qemu-argv --xml IN
 *     ... -name guest=unbound,debug-threads=on ... (no INJECTED anywhere)
 *   igd-assign rewrite --mode upt --opregion IN > OUT; virsh ... --xml OUT
 *     ... -device '{"driver":"vfio-pci",...,"x-igd-opregion":true}'
 *     -name INJECTED-BY-UNBOUND-PREFIX
 * Now such input is refused like malformed XML, in every mode
 * (tests/domxmldata/unbound-prefix.xml, also a golden case).
 */
static void
test_regress_unbound_prefix(void)
{
    g_autofree char *path = igd_test_srcpath("domxmldata/unbound-prefix.xml");
    g_autoptr(GBytes) bytes = igd_test_load(path);
    gsize len = 0;
    const char *xml = g_bytes_get_data(bytes, &len);

    g_assert_nonnull(strstr(xml, "<qemu:arg value='INJECTED-BY-UNBOUND-PREFIX'/>"));
    assert_refused(xml, len, IGD_MODE_UPT, TRUE,
                   "not namespace-well-formed: line 15: Namespace prefix qemu on commandline is not defined");
    assert_refused(xml, len, IGD_MODE_LEGACY, FALSE, "not namespace-well-formed");
    /* every front end reads a domain through igd_domain_read(): the hook and the watcher refuse it too */
    {
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdDomain) dom = igd_domain_read(xml, len, NULL, &error);

        g_assert_null(dom);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    }
}

/* Every namespace error libxml2 reports without stopping is refused, with its line. */
static void
test_regress_namespace_errors(void)
{
    static const struct {
        const char *xml, *want;
    } rows[] = {
        { "<domain type='kvm'>\n<q:a/></domain>", "line 2: Namespace prefix q on a is not defined" },
        { "<domain type='kvm' q:a='1'/>", "Namespace prefix q for a on domain is not defined" },
        { "<domain type='kvm'><metadata><a:b:c xmlns:a='urn:a'/></metadata></domain>", "not namespace-well-formed" },
        { "<domain type='kvm' xmlns:q=''/>", "Empty XML namespace is not allowed" },
        { "<domain type='kvm' xmlns:xml='urn:x'/>", "xml namespace prefix mapped to wrong URI" },
        { "<domain type='kvm' xmlns:a='urn:x' xmlns:b='urn:x' a:x='1' b:x='2'/>", "redefined" },
        { "<domain type='kvm' xmlns:q='::not a uri'/>", "is not a valid URI" },
        /* a prefix declared on a sibling is out of scope */
        { "<domain type='kvm'><metadata><a:x xmlns:a='urn:a'/><a:y/></metadata></domain>", "Namespace prefix a on y" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(rows); i++)
        assert_refused(rows[i].xml, strlen(rows[i].xml), IGD_MODE_UPT, FALSE, rows[i].want);
}

/*
 * Anything after the root element but white space, comments and PIs is
 * refused. libxml2 refuses text, elements, CDATA and references there
 * ("Extra content at the end of the document"), but reads a NUL as the end
 * of its input: the NULs (and whatever followed them) were accepted and
 * went into <igd:original> base64, which undo then refused as corrupt.
 */
static void
test_regress_trailing(void)
{
    static const char doc[] = "<domain type='kvm'>\n  <name>t</name>\n  <os>\n    <type arch='x86_64' machine='pc'>hvm"
                              "</type>\n  </os>\n  <devices>\n  </devices>\n</domain>\n";
    static const struct {
        const char *tail;
        gsize tail_len;
        const char *want;
    } refused[] = {
        { "\0", 1, "NUL byte at offset" },
        { "\0\0\0\0", 4, "NUL byte at offset" },
        { "\n\0", 2, "NUL byte at offset" },
        { "\0<domain type='kvm'/>", 21, "NUL byte" },
        { "\0<!-- x -->", 11, "NUL byte" },
        { "x", 1, "Extra content at the end of the document" },
        { "<domain/>", 9, "Extra content" },
        { "<![CDATA[x]]>", 13, "Extra content" },
        { "&amp;", 5, "Extra content" },
    };
    static const char *const accepted[] = { "\n\n  \n", "<!-- kept -->\n", "<?app kept?>\n" };

    for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
        gsize len = sizeof(doc) - 1 + refused[i].tail_len;
        g_autofree char *xml = g_malloc(len);

        memcpy(xml, doc, sizeof(doc) - 1);
        memcpy(xml + sizeof(doc) - 1, refused[i].tail, refused[i].tail_len);
        assert_refused(xml, len, IGD_MODE_UPT, FALSE, refused[i].want);
    }
    /* a NUL inside, and UTF-16 (every other byte NUL; libvirt cannot read it) */
    {
        static const char utf16[] = "\xff\xfe<\0d\0o\0m\0a\0i\0n\0/\0>\0";
        static const char inside[] = "<domain type='kvm'><name>a\0b</name></domain>";

        assert_refused(utf16, sizeof(utf16) - 1, IGD_MODE_UPT, FALSE, "UTF-16 or UTF-32");
        assert_refused(inside, sizeof(inside) - 1, IGD_MODE_UPT, FALSE, "NUL byte at offset 26");
    }
    /* XML allows white space, comments and PIs after the root: kept, and undo gets the input back */
    for (gsize i = 0; i < G_N_ELEMENTS(accepted); i++) {
        g_autofree char *xml = g_strconcat(doc, accepted[i], NULL);
        g_autofree char *out = rewrite_ok(xml, IGD_MODE_UPT, NULL);
        g_autofree char *again = rewrite_ok(out, IGD_MODE_UPT, NULL);
        g_autofree char *orig = NULL;
        g_autoptr(GError) error = NULL;
        gsize orig_len = 0;

        g_assert_cmpstr(again, ==, out);
        if (strstr(accepted[i], "kept"))
            g_assert_true(g_str_has_suffix(out, accepted[i]));
        g_assert_true(igd_domxml_get_original(out, strlen(out), &orig, &orig_len, &error));
        g_assert_no_error(error);
        g_assert_cmpstr(orig, ==, xml);
    }
}

static guint
count_of(const char *hay, const char *needle)
{
    guint n = 0;

    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/*
 * A property of the IGD's alias in several <qemu:override> blocks (or
 * devices, or frontends): libvirt applies them all in document order and
 * the last one is what QEMU gets (libvirt 9.0 domxml-to-native of
 * x-igd-gms 1 then 3, 4, 5 across frontends, devices and blocks:
 * "x-igd-gms":5). The read takes the last; a set writes every occurrence;
 * a remove removes every occurrence and the containers left empty. Before
 * issue 12 the read and the set took the first and the remove removed one,
 * so a later block kept a value nobody checked.
 */
static void
test_regress_override_duplicates(void)
{
    static const char *const tmpl =
        "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
        "  <name>dup</name>\n"
        "  <os>\n    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>\n  </os>\n"
        "  <devices>\n"
        "    <hostdev mode='subsystem' type='pci' managed='no'>\n"
        "      <driver name='vfio'/>\n"
        "      <source>\n        <address domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n      </source>\n"
        "      <alias name='ua-igd'/>\n"
        "      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n"
        "    </hostdev>\n"
        "    <video>\n      <model type='none'/>\n    </video>\n"
        "  </devices>\n"
        "  <qemu:override>\n"
        "    <qemu:device alias='ua-igd'>\n"
        "      <qemu:frontend>\n"
        "        <qemu:property name='x-igd-gms' type='unsigned' value='%s'/>\n"
        "        <qemu:property name='x-no-kvm-intx' type='bool' value='true'/>\n"
        "      </qemu:frontend>\n"
        "    </qemu:device>\n"
        "  </qemu:override>\n"
        "  <qemu:override>\n"
        "    <qemu:device alias='ua-igd'>\n"
        "      <qemu:frontend>\n"
        "        <qemu:property name='x-igd-gms' type='unsigned' value='%s'/>\n"
        "      </qemu:frontend>\n"
        "      <qemu:frontend>\n"
        "        <qemu:property name='x-igd-gms' type='unsigned' value='%s'/>\n"
        "      </qemu:frontend>\n"
        "    </qemu:device>\n"
        "  </qemu:override>\n"
        "</domain>\n";
    g_autofree char *xml = g_strdup_printf(tmpl, "2", "0", "5");

    /* the read: the last */
    {
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdDomain) dom = igd_domain_read(xml, strlen(xml), NULL, &error);

        g_assert_no_error(error);
        g_assert_cmpint(dom->x_igd_gms, ==, 5);
    }
    /* QEMU 7.2 on the Skylake laptop needs x-igd-gms=1: every occurrence says 1 */
    {
        g_autoptr(IgdSnapshot) s = hand_snapshot_skl("7.2.0", "legacy");
        g_autofree char *out = rewrite_ok(xml, IGD_MODE_LEGACY, s);
        g_autofree char *again = rewrite_ok(out, IGD_MODE_LEGACY, s);
        g_autoptr(IgdDomain) dom = igd_domain_read(out, strlen(out), NULL, NULL);

        g_assert_cmpuint(count_of(out, "name=\"x-igd-gms\""), ==, 3);
        g_assert_cmpuint(count_of(out, "name=\"x-igd-gms\" type=\"unsigned\" value=\"1\""), ==, 3);
        g_assert_cmpuint(count_of(out, "x-no-kvm-intx"), ==, 1);
        g_assert_cmpint(dom->x_igd_gms, ==, 1);
        g_assert_cmpstr(again, ==, out);
    }
    /* QEMU 9.2 needs none: every x-igd-gms goes, and every container left empty with it */
    {
        g_autoptr(IgdSnapshot) s = hand_snapshot_skl("9.2.0", "legacy");
        g_autofree char *out = rewrite_ok(xml, IGD_MODE_LEGACY, s);
        g_autofree char *again = rewrite_ok(out, IGD_MODE_LEGACY, s);
        g_autoptr(IgdDomain) dom = igd_domain_read(out, strlen(out), NULL, NULL);

        g_assert_cmpuint(count_of(out, "x-igd-gms"), ==, 0);
        g_assert_cmpuint(count_of(out, "x-no-kvm-intx"), ==, 1);
        g_assert_cmpuint(count_of(out, "<qemu:override>"), ==, 1);
        g_assert_cmpuint(count_of(out, "<qemu:device "), ==, 1);
        g_assert_cmpuint(count_of(out, "<qemu:frontend>"), ==, 1);
        g_assert_cmpint(dom->x_igd_gms, ==, -1);
        g_assert_cmpstr(again, ==, out);
    }
    /* --opregion with the property in the second block: not added again (once, twice) */
    {
        g_autofree char *xml2 = g_strdup_printf(tmpl, "1", "1", "1");
        g_autofree char *with = NULL;
        IgdDomXmlOptions o;
        IgdDomXmlReport r;
        g_autoptr(GError) error = NULL;
        char *out = NULL, *out2 = NULL;
        gsize n = 0, n2 = 0;

        with = g_strdup(xml2);
        igd_domxml_options_init(&o);
        o.mode = IGD_MODE_UPT;
        o.opregion = TRUE;
        igd_domxml_report_init(&r);
        g_assert_true(igd_domxml_rewrite(with, strlen(with), &o, &out, &n, &r, &error));
        g_assert_no_error(error);
        igd_domxml_report_clear(&r);
        igd_domxml_report_init(&r);
        g_assert_true(igd_domxml_rewrite(out, n, &o, &out2, &n2, &r, &error));
        g_assert_no_error(error);
        g_assert_false(r.changed);
        igd_domxml_report_clear(&r);
        g_assert_cmpuint(count_of(out2, "x-igd-opregion"), ==, 1);
        g_free(out);
        g_free(out2);
    }
}

/*
 * Issue 12: text inside the IGD hostdev's <source> gained a blank line on
 * every rewrite: the layout rule stripped the blank text around it, then
 * put a new line and indentation in front of <address> next to the text,
 * and libxml2 merged the two. Now the text's trailing white space becomes
 * the indentation, at every depth of the hostdev (a comment inside
 * <driver>, text after the children), so the second pass is the first.
 */
static void
test_regress_hostdev_text(void)
{
    static const char xml[] =
        "<domain type='kvm'>\n"
        "  <name>t</name>\n"
        "  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n"
        "  <devices>\n"
        "    <hostdev mode='subsystem' type='pci' managed='no'>\n"
        "      <driver name='vfio'>\n        <!-- inside driver -->\n      </driver>\n"
        "      <source>\n"
        "        some text\n"
        "        <address domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n"
        "        more text\n"
        "      </source>\n"
        "      text in the hostdev\n"
        "    </hostdev>\n"
        "  </devices>\n"
        "</domain>\n";

    for (gsize m = 0; m < 2; m++) {
        IgdMode mode = m ? IGD_MODE_UPT : IGD_MODE_LEGACY;
        g_autofree char *one = rewrite_ok(xml, mode, NULL);
        g_autofree char *two = rewrite_ok(one, mode, NULL);
        g_autofree char *three = rewrite_ok(two, mode, NULL);

        g_test_message("%s", one);
        g_assert_cmpstr(two, ==, one);
        g_assert_cmpstr(three, ==, one);
        /* the text is kept, and no blank line is made anywhere */
        g_assert_nonnull(strstr(one, "some text"));
        g_assert_nonnull(strstr(one, "more text"));
        g_assert_nonnull(strstr(one, "text in the hostdev"));
        g_assert_nonnull(strstr(one, "<!-- inside driver -->"));
        g_assert_null(strstr(one, "\n\n"));
        g_assert_null(strstr(one, "\n \n"));
    }
}

/* A domain with @meta inside <metadata> (a wrapper element declaring xmlns:app='urn:app' around it). */
static char *
domain_with_metadata(const char *meta)
{
    return g_strdup_printf("<domain type='kvm'>\n  <name>b</name>\n  <metadata>\n    <app:w xmlns:app='urn:app'>%s</app:w>\n"
                           "  </metadata>\n  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n"
                           "  <devices>\n  </devices>\n</domain>\n",
                           meta);
}

/* <app:x a0='' a1='' ... /> with @n attributes, then @tail */
static char *
element_with_attributes(guint n, const char *tail)
{
    GString *s = g_string_new("<app:x");

    for (guint i = 0; i < n; i++)
        g_string_append_printf(s, " a%u=''", i);
    g_string_append(s, "/>");
    g_string_append(s, tail);
    return g_string_free(s, FALSE);
}

/*
 * Issue 12: libxml2 2.9 compares every attribute of a start tag with every
 * other (200,000 attributes on one element, 2.3 MB, did not finish in 60 s)
 * and looks prefixes up in the list of namespace declarations in scope:
 * bounds checked on the bytes before parsing (IGD_XML_MAX_ATTRIBUTES per
 * start tag, IGD_XML_MAX_NAMESPACES per document), refused with a sentence
 * naming the bound. At the bound, accepted. What is not markup ('=' inside
 * attribute values, comments, CDATA, PIs) does not count. The scan reads
 * the bytes as ASCII, so an encoding where it could not (UTF-7, EBCDIC, ...)
 * is refused.
 */
static void
test_regress_bounds(void)
{
    /* attributes: at the bound, over it, and far over it */
    {
        g_autofree char *at = element_with_attributes(IGD_XML_MAX_ATTRIBUTES, "");
        g_autofree char *over = element_with_attributes(IGD_XML_MAX_ATTRIBUTES + 1, "");
        g_autofree char *far = element_with_attributes(20000, "");
        g_autofree char *xml_at = domain_with_metadata(at);
        g_autofree char *xml_over = domain_with_metadata(over);
        g_autofree char *xml_far = domain_with_metadata(far);
        g_autofree char *want = g_strdup_printf("has an element with more than %u attributes, at line 4: the bound",
                                                IGD_XML_MAX_ATTRIBUTES);
        g_autofree char *out = rewrite_ok(xml_at, IGD_MODE_UPT, NULL);

        assert_refused(xml_over, strlen(xml_over), IGD_MODE_UPT, FALSE, want);
        assert_refused(xml_far, strlen(xml_far), IGD_MODE_UPT, FALSE, want);
    }
    /* '=' that is not an attribute's: in values (quoted either way, with '>' in them), comments, CDATA, PIs */
    {
        GString *meta = g_string_new("<app:y v='");
        g_autofree char *xml = NULL;
        g_autofree char *out = NULL;

        for (guint i = 0; i < 3 * IGD_XML_MAX_ATTRIBUTES; i++)
            g_string_append(meta, "a=b>");
        g_string_append(meta, "' w=\"");
        for (guint i = 0; i < 3 * IGD_XML_MAX_ATTRIBUTES; i++)
            g_string_append(meta, "c='d'");
        g_string_append(meta, "\"/><!--");
        for (guint i = 0; i < 3 * IGD_XML_MAX_ATTRIBUTES; i++)
            g_string_append(meta, " e='f' <g h='i'>");
        g_string_append(meta, "--><app:z><![CDATA[");
        for (guint i = 0; i < 3 * IGD_XML_MAX_ATTRIBUTES; i++)
            g_string_append(meta, "<j k='l'");
        g_string_append(meta, "]]></app:z><?app ");
        for (guint i = 0; i < 3 * IGD_XML_MAX_ATTRIBUTES; i++)
            g_string_append(meta, "m='n' ");
        g_string_append(meta, "?>");
        xml = domain_with_metadata(meta->str);
        out = rewrite_ok(xml, IGD_MODE_UPT, NULL);
        g_assert_nonnull(strstr(out, "a=b&gt;a=b&gt;"));
        g_string_free(meta, TRUE);
    }
    /* namespace declarations: the document's count, wherever they are (the domain's wrapper declares one) */
    {
        GString *at = g_string_new(NULL);
        g_autofree char *xml_at = NULL, *xml_over = NULL, *out = NULL;
        g_autofree char *want = g_strdup_printf("has more than %u namespace declarations, the bound igd-assign reads",
                                                IGD_XML_MAX_NAMESPACES);

        for (guint i = 0; i + 1 < IGD_XML_MAX_NAMESPACES; i++)
            g_string_append_printf(at, "<app:n xmlns:n%u='urn:n%u'/>", i, i);
        xml_at = domain_with_metadata(at->str);
        out = rewrite_ok(xml_at, IGD_MODE_UPT, NULL);
        g_string_append(at, "<app:n xmlns='urn:default'/>");
        xml_over = domain_with_metadata(at->str);
        assert_refused(xml_over, strlen(xml_over), IGD_MODE_UPT, FALSE, want);
        g_string_free(at, TRUE);
    }
    /* encodings: ASCII-based ones are read, others refused */
    {
        static const char *const read[] = { "UTF-8", "utf-8", "US-ASCII", "ISO-8859-1", "iso-8859-15", "windows-1252",
                                            "KOI8-R" };
        static const char *const refused[] = { "UTF-7", "ISO-2022-JP", "IBM037", "UTF-16" };
        static const char ebcdic[] = "\x4c\x6f\xa7\x94\x93\x40";

        for (gsize i = 0; i < G_N_ELEMENTS(read); i++) {
            g_autofree char *xml = g_strdup_printf("<?xml version='1.0' encoding='%s'?>\n<domain type='kvm'><name>e"
                                                   "</name><os><type arch='x86_64'>hvm</type></os></domain>\n",
                                                   read[i]);
            g_autofree char *out = rewrite_ok(xml, IGD_MODE_UPT, NULL);
            g_assert_true(g_str_has_prefix(out, "<?xml version='1.0' encoding='UTF-8'?>") ||
                          g_str_has_prefix(out, "<?xml version='1.0' encoding='utf-8'?>"));
        }
        for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
            g_autofree char *xml = g_strdup_printf("<?xml version=\"1.0\" encoding=\"%s\" ?>\n<domain type='kvm'/>\n",
                                                   refused[i]);
            g_autofree char *want = g_strdup_printf("declares the encoding '%s', which igd-assign does not read",
                                                    refused[i]);
            assert_refused(xml, strlen(xml), IGD_MODE_UPT, FALSE, want);
        }
        assert_refused(ebcdic, sizeof(ebcdic) - 1, IGD_MODE_UPT, FALSE, "EBCDIC");
    }
}

/* A domain of exactly @size bytes: @before inside <description>, then padding white space; @meta in <metadata>. */
static char *
domain_of_size(gsize size, const char *meta, const char *description)
{
    g_autofree char *head = g_strdup_printf("<domain type='kvm'>\n  <name>big</name>\n  <description>%s</description>\n"
                                            "  <metadata>%s</metadata>\n  <os>\n    <type arch='x86_64' "
                                            "machine='pc'>hvm</type>\n  </os>\n  <devices>\n",
                                            description, meta);
    static const char tail[] = "  </devices>\n</domain>\n";
    char *xml;

    g_assert_cmpuint(strlen(head) + strlen(tail), <=, size);
    xml = g_malloc(size + 1);
    memcpy(xml, head, strlen(head));
    memset(xml + strlen(head), ' ', size - strlen(head) - strlen(tail));
    memcpy(xml + size - strlen(tail), tail, strlen(tail) + 1);
    return xml;
}

/*
 * Issue 12: whatever rewrite writes, rewrite reads back. A definition of
 * the input limit set up carries its base64 copy (4/3 of it), so outputs
 * of inputs over 6.9 MiB were over the 16 MiB limit and could not be read
 * again. Now a document carrying <igd:assign> may be up to
 * IGD_XML_MAX_SIZE_SET_UP (40 MiB), a definition without it up to
 * IGD_XML_MAX_SIZE (16 MiB), and rewrite refuses to write more than the
 * former. At each boundary: accepted at it, refused one byte over.
 */
static void
test_regress_size_limits(void)
{
    static const char meta_fmt[] = "<igd:assign xmlns:igd='" IGD_DOMAIN_NS "' mode='upt' host='0000:00:02.0'/>";

    /* a definition of the limit: rewritten, read back, rewritten to itself, undone */
    {
        g_autofree char *xml = domain_of_size(IGD_XML_MAX_SIZE, "", "");
        g_autofree char *out = rewrite_ok(xml, IGD_MODE_UPT, NULL);
        g_autofree char *again = NULL, *orig = NULL;
        g_autoptr(GError) error = NULL;
        gsize orig_len = 0;

        g_assert_cmpuint(strlen(out), >, IGD_XML_MAX_SIZE + IGD_XML_MAX_SIZE / 3 * 4);
        g_assert_cmpuint(strlen(out), <=, IGD_XML_MAX_SIZE_SET_UP);
        again = rewrite_ok(out, IGD_MODE_UPT, NULL);
        g_assert_true(g_str_equal(again, out));
        g_assert_true(igd_domxml_get_original(out, strlen(out), &orig, &orig_len, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(orig_len, ==, IGD_XML_MAX_SIZE);
        g_assert_true(g_str_equal(orig, xml));
    }
    /* one byte over, without metadata: refused (whether the bytes name igd-assign's namespace or not) */
    {
        g_autofree char *want = g_strdup_printf("domain XML is %u bytes, larger than the limit of %u bytes (%u for a "
                                                "domain igd-assign set up",
                                                IGD_XML_MAX_SIZE + 1, IGD_XML_MAX_SIZE, IGD_XML_MAX_SIZE_SET_UP);
        g_autofree char *plain = domain_of_size(IGD_XML_MAX_SIZE + 1, "", "");
        g_autofree char *named = domain_of_size(IGD_XML_MAX_SIZE + 1, "<!-- " IGD_DOMAIN_NS " -->", "");

        assert_refused(plain, IGD_XML_MAX_SIZE + 1, IGD_MODE_UPT, FALSE, want);
        assert_refused(named, IGD_XML_MAX_SIZE + 1, IGD_MODE_UPT, FALSE, want);
    }
    /* a set-up domain: read up to IGD_XML_MAX_SIZE_SET_UP, not one byte more */
    {
        g_autofree char *at = domain_of_size(IGD_XML_MAX_SIZE_SET_UP, meta_fmt, "");
        g_autofree char *over = domain_of_size(IGD_XML_MAX_SIZE_SET_UP + 1, meta_fmt, "");
        g_autofree char *want = g_strdup_printf("domain XML is %u bytes, larger than the limit of %u bytes",
                                                IGD_XML_MAX_SIZE_SET_UP + 1, IGD_XML_MAX_SIZE_SET_UP);
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdDomain) dom = igd_domain_read(at, IGD_XML_MAX_SIZE_SET_UP, NULL, &error);

        g_assert_no_error(error);
        g_assert_true(dom->has_metadata);
        assert_refused(over, IGD_XML_MAX_SIZE_SET_UP + 1, IGD_MODE_UPT, FALSE, want);
        /* rewriting it adds the IGD hostdev and a video device: more than the limit, refused */
        assert_refused(at, IGD_XML_MAX_SIZE_SET_UP, IGD_MODE_UPT, FALSE, "the rewritten domain XML would be");
        /* with room for them, rewritten and read back */
        {
            g_autofree char *less = domain_of_size(IGD_XML_MAX_SIZE_SET_UP - 4096, meta_fmt, "");
            g_autofree char *out2 = rewrite_ok(less, IGD_MODE_UPT, NULL);
            g_autofree char *again = rewrite_ok(out2, IGD_MODE_UPT, NULL);

            g_assert_true(g_str_equal(again, out2));
        }
    }
    /* an output that would be over the limit: refused, nothing written (escaping '>' as &gt; in text
     * makes 16 MiB of input with 2 MiB of '>' 16 + 6 + 21.3 MiB) */
    {
        g_autofree char *gt = g_strnfill(2u << 20, '>');
        g_autofree char *xml = domain_of_size(IGD_XML_MAX_SIZE, "", gt);

        assert_refused(xml, IGD_XML_MAX_SIZE, IGD_MODE_UPT, FALSE, "the rewritten domain XML would be");
    }
}

/* Add a PCI device with these ids to the host tree @root (the files igd_pci_device_new() reads). */
static void
tree_add_device(const char *root, const char *name, const char *vendor, const char *device, const char *klass)
{
    g_autofree char *dir = g_build_filename(root, "sys/bus/pci/devices", name, NULL);
    const char *const files[][2] = { { "vendor", vendor }, { "device", device }, { "class", klass } };

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *path = g_build_filename(dir, files[i][0], NULL);
        g_autofree char *text = g_strdup_printf("%s\n", files[i][1]);
        g_assert_true(g_file_set_contents(path, text, -1, NULL));
    }
}

/*
 * Which hostdev is the IGD (igd-domain.h, one rule for rewrite, verify, the
 * hook, the watcher and status), in order: the caller's host (--host), the
 * <igd:assign> host, with a sysroot the hostdev that is an Intel display
 * device, without one a hostdev of 0000:00:02.0; else none (host
 * 0000:00:02.0 by default). Host trees:
 *   "skl": hosts/skl-ideapad-vfio (Intel host bridge 00:00.0, the Skylake
 *          IGD 00:02.0) plus a virtio NIC at 00:03.0 and a second Intel
 *          display-class device (8086:1916, class 0x038000) at 00:04.0;
 *   "amd": an AMD host whose 00:02.0 is a host bridge (1022:1632, class
 *          0x060000, the dummy bridge of Renoir/Cezanne) and no Intel IGD.
 * Before issue 9 each front end chose by itself, and none looked at the
 * host: verify took the metadata's host, else the facts' device, else a
 * hostdev of 00:02.0, so the AMD row was taken for an IGD domain (its
 * passthrough of 00:02.0 would be held to the IGD rules) and the display at
 * 00:04.0 was never found without metadata.
 */
static void
test_regress_igd_choice(void)
{
    static const struct {
        const char *name;
        const char *explicit_host;  /* IgdDomainReadOptions.host, NULL: none */
        const char *meta_host;      /* <igd:assign host=...>, NULL: no metadata */
        const char *hostdevs;       /* host slots of the PCI hostdevs, space separated */
        const char *tree;           /* "skl", "amd", NULL: no sysroot */
        const char *want_host;
        guint want_igd_hostdevs;
        gboolean want_igd_domain;
        guint want_intel;           /* n_intel_hostdevs */
    } rows[] = {
        /* 1. the caller's host beats everything, even a NIC */
        { "explicit", "0000:00:03.0", "0000:00:02.0", "02 03", "skl", "0000:00:03.0", 1, TRUE, 0 },
        { "explicit, no hostdev", "0000:00:05.0", NULL, "02 03", "skl", "0000:00:05.0", 0, FALSE, 0 },
        /* 2. then the metadata's host, before the sysroot */
        { "metadata", NULL, "0000:00:03.0", "02 03", "skl", "0000:00:03.0", 1, TRUE, 0 },
        { "metadata, no sysroot", NULL, "0000:00:04.0", "02 04", NULL, "0000:00:04.0", 1, TRUE, 0 },
        { "metadata, no hostdev", NULL, "0000:00:02.0", "03", "skl", "0000:00:02.0", 0, TRUE, 0 },
        /* 3. with a sysroot: the Intel display device, wherever it sits */
        { "sysroot 02", NULL, NULL, "03 02", "skl", "0000:00:02.0", 1, TRUE, 1 },
        { "sysroot 04", NULL, NULL, "03 04", "skl", "0000:00:04.0", 1, TRUE, 1 },
        { "sysroot, two displays: the first", NULL, NULL, "04 03 02", "skl", "0000:00:04.0", 1, TRUE, 2 },
        { "sysroot, Intel host bridge only", NULL, NULL, "00", "skl", "0000:00:02.0", 0, FALSE, 0 },
        { "sysroot, NIC only", NULL, NULL, "03", "skl", "0000:00:02.0", 0, FALSE, 0 },
        { "sysroot, AMD 00:02.0", NULL, NULL, "02", "amd", "0000:00:02.0", 0, FALSE, 0 },
        /* 4. without a sysroot: a hostdev of 00:02.0 */
        { "no sysroot 02", NULL, NULL, "03 02", NULL, "0000:00:02.0", 1, TRUE, 0 },
        { "no sysroot, AMD 00:02.0", NULL, NULL, "02", NULL, "0000:00:02.0", 1, TRUE, 0 },
        { "no sysroot 04", NULL, NULL, "03 04", NULL, "0000:00:02.0", 0, FALSE, 0 },
        /* none at all */
        { "no hostdev", NULL, NULL, "", "skl", "0000:00:02.0", 0, FALSE, 0 },
    };
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *skl = g_build_filename(dir, "skl", NULL);
    g_autofree char *amd = g_build_filename(dir, "amd", NULL);
    g_autofree char *captured = igd_test_srcpath("data/hosts/skl-ideapad-vfio");
    g_autoptr(IgdSysroot) skl_root = NULL;
    g_autoptr(IgdSysroot) amd_root = NULL;

    igd_test_copytree(captured, skl);
    tree_add_device(skl, "0000:00:03.0", "0x1af4", "0x1041", "0x020000");
    tree_add_device(skl, "0000:00:04.0", "0x8086", "0x1916", "0x038000");
    tree_add_device(amd, "0000:00:02.0", "0x1022", "0x1632", "0x060000");
    skl_root = igd_sysroot_new(skl);
    amd_root = igd_sysroot_new(amd);

    for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autoptr(GString) xml = g_string_new("<domain type='kvm'><name>c</name>");
        g_auto(GStrv) slots = g_strsplit(rows[i].hostdevs, " ", -1);
        IgdPciAddress explicit_host;
        IgdDomainReadOptions ro = { NULL, NULL };
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdDomain) dom = NULL;
        IgdDomainHostdev *igd;
        char got[13];

        g_test_message("row: %s", rows[i].name);
        if (rows[i].meta_host)
            g_string_append_printf(xml, "<metadata><igd:assign xmlns:igd='" IGD_DOMAIN_NS "' mode='upt' host='%s'/>"
                                        "</metadata>", rows[i].meta_host);
        g_string_append(xml, "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>");
        for (guint k = 0; slots[k]; k++)
            if (slots[k][0])
                g_string_append_printf(xml, "<hostdev mode='subsystem' type='pci' managed='no'><source><address "
                                            "domain='0x0000' bus='0x00' slot='0x%s' function='0x0'/></source>"
                                            "</hostdev>", slots[k]);
        g_string_append(xml, "</devices></domain>");
        if (rows[i].explicit_host) {
            g_assert_true(igd_pci_address_parse(rows[i].explicit_host, &explicit_host, NULL));
            ro.host = &explicit_host;
        }
        if (rows[i].tree)
            ro.sysroot = g_str_equal(rows[i].tree, "skl") ? skl_root : amd_root;
        dom = igd_domain_read(xml->str, xml->len, &ro, &error);
        g_assert_no_error(error);
        igd_pci_address_format(&dom->host, got);
        if (!g_str_equal(got, rows[i].want_host) || dom->igd_hostdevs->len != rows[i].want_igd_hostdevs ||
            dom->igd_domain != rows[i].want_igd_domain || dom->n_intel_hostdevs != rows[i].want_intel)
            g_error("%s: host %s, %u IGD hostdevs, IGD domain %d, %u Intel displays; want %s, %u, %d, %u",
                    rows[i].name, got, dom->igd_hostdevs->len, dom->igd_domain, dom->n_intel_hostdevs,
                    rows[i].want_host, rows[i].want_igd_hostdevs, rows[i].want_igd_domain, rows[i].want_intel);
        igd = igd_domain_get_igd(dom);
        if (igd != NULL)
            g_assert_true(igd_pci_address_equal(&igd->source, &dom->host));
    }
    igd_test_rmtree(dir);
}

/*
 * igd_machine_kind() is the one classifier of machine types (the domain
 * model, the requirement "machine" and QEMU's model use it). QEMU names
 * i440fx machines "pc", "pc-i440fx-X.Y" and, oldest, "pc-0.x"/"pc-1.x";
 * q35 ones "q35" and "pc-q35-X.Y". Before issue 9 the domain engine had its
 * own copy that took any "pc-i440fx" prefix, so "pc-i440fxfoo" (no such
 * machine) was rewritten as i440fx while QEMU's model called it other.
 */
static void
test_regress_machine_kind(void)
{
    static const struct {
        const char *machine;
        IgdMachineKind kind;
    } rows[] = {
        { NULL, IGD_MACHINE_I440FX },          { "pc", IGD_MACHINE_I440FX },
        { "pc-i440fx-7.2", IGD_MACHINE_I440FX }, { "pc-i440fx-2.12", IGD_MACHINE_I440FX },
        { "pc-1.3", IGD_MACHINE_I440FX },      { "pc-0.10", IGD_MACHINE_I440FX },
        { "q35", IGD_MACHINE_Q35 },            { "pc-q35-7.2", IGD_MACHINE_Q35 },
        { "pc-i440fxfoo", IGD_MACHINE_OTHER }, { "pc-i440fx", IGD_MACHINE_OTHER },
        { "pc-q35foo", IGD_MACHINE_OTHER },    { "pcfoo", IGD_MACHINE_OTHER },
        { "isapc", IGD_MACHINE_OTHER },        { "microvm", IGD_MACHINE_OTHER },
        { "xenfv", IGD_MACHINE_OTHER },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
        if (igd_machine_kind(rows[i].machine) != rows[i].kind)
            g_error("machine '%s': kind %d, want %d", rows[i].machine ? rows[i].machine : "(none)",
                    igd_machine_kind(rows[i].machine), rows[i].kind);
    }

    /* the domain reads it so, and the rewrite refuses it as not a PCI PC machine */
    {
        const char *xml = "<domain type='kvm'><name>f</name><os><type arch='x86_64' machine='pc-i440fxfoo'>hvm</type>"
                          "</os><devices/></domain>";
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdDomain) dom = igd_domain_read(xml, strlen(xml), NULL, &error);

        g_assert_no_error(error);
        g_assert_cmpint(dom->machine_kind, ==, IGD_MACHINE_OTHER);
        for (IgdMode m = IGD_MODE_LEGACY; m <= IGD_MODE_UPT; m++) {
            g_autoptr(GError) e = rewrite_err(xml, strlen(xml), m);
            g_assert_error(e, IGD_ERROR, IGD_ERROR_UNSUPPORTED);
            g_assert_nonnull(strstr(e->message, "'pc-i440fxfoo' is not a PCI PC machine"));
        }
    }
}

int
main(int argc, char **argv)
{
    g_autofree char *libvirt = g_build_filename(IGD_LIBVIRT_SCHEMADIR, "domain.rng", NULL);
    const char *builddir = g_getenv("top_builddir");
    g_autofree char *combined = g_build_filename(builddir ? builddir : ".", "xml-schemas", "igd-domain.rng", NULL);
    g_autofree char *meta = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    meta = g_build_filename(g_getenv("top_srcdir") ? g_getenv("top_srcdir") : TESTS_SRCDIR "/..", "xml-schemas",
                            "igd-assign-metadata.rng", NULL);
    libvirt_rng = igd_test_load_rng(libvirt);
    igd_rng = igd_test_load_rng(combined);
    meta_rng = igd_test_load_rng(meta);

    add_cases();
    g_test_add_func("/domxml/bad/too-large", test_too_large);
    g_test_add_func("/domxml/bad/inputs", test_bad_inputs);
    g_test_add_func("/domxml/auto/needs-snapshot", test_auto_needs_snapshot);
    g_test_add_func("/domxml/auto/reasons", test_auto_reasons);
    g_test_add_func("/domxml/auto/same-as-inspect", test_auto_same_as_inspect);
    g_test_add_func("/domxml/auto/bdsm-offset", test_auto_bdsm_offset);
    g_test_add_func("/domxml/legacy/explicit-fails", test_legacy_explicit_fails);
    g_test_add_func("/domxml/verify/problems", test_verify_problems);
    g_test_add_func("/domxml/schema/metadata", test_metadata_schema);
    g_test_add_func("/domxml/original/identity", test_original_identity);
    g_test_add_func("/domxml/mode-switch", test_mode_switch);
    g_test_add_func("/domxml/undone-marker", test_undone_marker);
    g_test_add_func("/domxml/upt/none-next-to-emulated", test_upt_none_next_to_emulated);
    g_test_add_func("/domxml/legacy/crowded", test_legacy_crowded);
    g_test_add_func("/domxml/snapshot/skl-ideapad-vfio", test_snapshot_skl_vfio);
    g_test_add_func("/domxml/snapshot/not-igd", test_snapshot_not_igd);
    g_test_add_func("/domxml/snapshot/romfile", test_snapshot_romfile);
    g_test_add_func("/domxml/snapshot/other-device", test_snapshot_other_device);
    g_test_add_func("/domxml/regress/own-romfile", test_regress_own_romfile);
    g_test_add_func("/domxml/regress/decimal-slot", test_regress_decimal_slot);
    g_test_add_func("/domxml/regress/igd-choice", test_regress_igd_choice);
    g_test_add_func("/domxml/regress/machine-kind", test_regress_machine_kind);
    g_test_add_func("/domxml/regress/unbound-prefix", test_regress_unbound_prefix);
    g_test_add_func("/domxml/regress/text-before-hostdev", test_regress_text_before_hostdev);
    g_test_add_func("/domxml/regress/video-none-at-02", test_regress_video_none_at_02);
    g_test_add_func("/domxml/regress/first-address", test_regress_first_address);
    g_test_add_func("/domxml/regress/pi-not-declaration", test_regress_pi_not_declaration);
    g_test_add_func("/domxml/regress/namespace-errors", test_regress_namespace_errors);
    g_test_add_func("/domxml/regress/trailing", test_regress_trailing);
    g_test_add_func("/domxml/regress/override-duplicates", test_regress_override_duplicates);
    g_test_add_func("/domxml/regress/hostdev-text", test_regress_hostdev_text);
    g_test_add_func("/domxml/regress/bounds", test_regress_bounds);
    g_test_add_func("/domxml/regress/size-limits", test_regress_size_limits);
    ret = g_test_run();
    g_ptr_array_unref(cases);
    xmlRelaxNGFree(libvirt_rng);
    xmlRelaxNGFree(igd_rng);
    xmlRelaxNGFree(meta_rng);
    xmlCleanupParser();
    return ret;
}
