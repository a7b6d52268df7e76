/*
 * test-watchlog.c: the libvirt watcher's record of its last action per
 * domain (igd-core/igd-watchlog.c): the XML round trip against a golden
 * file and its schema (xml-schemas/igd-watcher.rng), replacing a record,
 * saving atomically, and every kind of broken file refused with its reason
 * (the file is read by `igd-assign status` as any user: outside bytes).
 */
#include "config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libxml/relaxng.h>

#include "igd-common.h"
#include "igd-test.h"
#include "igd-watchlog.h"

#define UUID_A "c7a5fdbd-edaf-9455-926a-d65c16db1809"
#define UUID_B "6695eb01-f6a4-8304-79aa-97f2502e193f"

static IgdWatchLog *
two_domains(void)
{
    IgdWatchLog *log = igd_watch_log_new();
    IgdWatchRecord *a = igd_watch_record_new("C7A5FDBD-EDAF-9455-926A-D65C16DB1809", "desk", 1764000000, "switched",
                                             "upt",
                                             "domain 'desk' (" UUID_A "): switched to UPT mode to keep the edit: "
                                             "moved the IGD to guest address 00:03.0");
    IgdWatchRecord *b = igd_watch_record_new(UUID_B, "old <&\"hsw\">", 1764000100, "left", "legacy",
                                             "domain 'old' breaks legacy-graphics, left as it is");

    g_ptr_array_add(a->changes, g_strdup("switched to UPT mode (was legacy)"));
    g_ptr_array_add(a->changes, g_strdup("moved the IGD to guest address 00:03.0"));
    g_ptr_array_add(b->broken, igd_finding_new("legacy-graphics", IGD_SEVERITY_FAIL, NULL,
                                               "a <graphics type='spice'> display is defined",
                                               "run 'igd-assign setup DOMAIN'"));
    /* added out of order: the file lists them by uuid */
    igd_watch_log_put(log, a);
    igd_watch_log_put(log, b);
    return log;
}

static gboolean
validates(const char *xml)
{
    static xmlRelaxNGPtr rng;

    if (rng == NULL) {
        g_autofree char *path = igd_test_srcpath("../xml-schemas/igd-watcher.rng");
        rng = igd_test_load_rng(path);
    }
    return igd_test_rng_valid(rng, xml, strlen(xml), "igd-watcher.rng");
}

static void
test_roundtrip(void)
{
    g_autoptr(IgdWatchLog) log = two_domains();
    g_autofree char *xml = igd_watch_log_to_xml(log);
    g_autofree char *expected = igd_test_srcpath("data/daemon/watcher/two-domains.xml");
    g_autoptr(IgdWatchLog) back = NULL;
    g_autofree char *xml2 = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) records = NULL;
    const IgdWatchRecord *r;
    const IgdFinding *f;

    igd_test_compare_file(xml, expected);
    g_assert_true(validates(xml));
    back = igd_watch_log_parse(xml, strlen(xml), "roundtrip", &error);
    g_assert_no_error(error);
    records = igd_watch_log_get_records(back);
    g_assert_cmpuint(records->len, ==, 2);
    r = g_ptr_array_index(records, 0); /* 6695... sorts first */
    g_assert_cmpstr(r->uuid, ==, UUID_B);
    g_assert_cmpstr(r->name, ==, "old <&\"hsw\">");
    g_assert_cmpstr(r->action, ==, "left");
    g_assert_cmpuint(r->broken->len, ==, 1);
    f = g_ptr_array_index(r->broken, 0);
    g_assert_cmpstr(f->id, ==, "legacy-graphics");
    g_assert_cmpstr(f->message, ==, "a <graphics type='spice'> display is defined");
    g_assert_cmpstr(f->hint, ==, "run 'igd-assign setup DOMAIN'");
    r = igd_watch_log_lookup(back, "C7A5FDBD-EDAF-9455-926A-D65C16DB1809");
    g_assert_nonnull(r);
    g_assert_cmpstr(r->uuid, ==, UUID_A); /* canonical lower case */
    g_assert_cmpint(r->at, ==, 1764000000);
    g_assert_cmpstr(r->mode, ==, "upt");
    g_assert_cmpuint(r->changes->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(r->changes, 1), ==, "moved the IGD to guest address 00:03.0");
    xml2 = igd_watch_log_to_xml(back);
    g_assert_cmpstr(xml, ==, xml2);
    /* an empty log is a valid document too */
    {
        g_autoptr(IgdWatchLog) empty = igd_watch_log_new();
        g_autofree char *e = igd_watch_log_to_xml(empty);
        g_assert_true(validates(e));
    }
}

static void
test_put_remove(void)
{
    g_autoptr(IgdWatchLog) log = two_domains();
    g_autoptr(GPtrArray) records = NULL;

    /* a new action replaces the domain's record */
    igd_watch_log_put(log, igd_watch_record_new(UUID_B, "old", 1764000200, "ok", "legacy", "keeps its rules"));
    records = igd_watch_log_get_records(log);
    g_assert_cmpuint(records->len, ==, 2);
    g_assert_cmpstr(igd_watch_log_lookup(log, UUID_B)->action, ==, "ok");
    g_assert_cmpuint(igd_watch_log_lookup(log, UUID_B)->broken->len, ==, 0);
    g_assert_true(igd_watch_log_remove(log, "6695EB01-F6A4-8304-79AA-97F2502E193F"));
    g_assert_false(igd_watch_log_remove(log, UUID_B));
    g_assert_null(igd_watch_log_lookup(log, UUID_B));
    g_assert_null(igd_watch_log_lookup(log, NULL));
}

/* Texts are kept to IGD_WATCH_LOG_TEXT_MAX bytes, cut between characters. */
static void
test_long_text(void)
{
    g_autoptr(GString) text = g_string_new(NULL);
    g_autoptr(IgdWatchRecord) r = NULL;

    while (text->len < IGD_WATCH_LOG_TEXT_MAX + 10)
        g_string_append(text, "é"); /* two bytes each */
    g_string_append(text, "x");
    r = igd_watch_record_new(UUID_A, text->str, 0, "ok", "", text->str);
    g_assert_cmpuint(strlen(r->message), <=, IGD_WATCH_LOG_TEXT_MAX);
    g_assert_cmpuint(strlen(r->message), >=, IGD_WATCH_LOG_TEXT_MAX - 1);
    g_assert_true(g_utf8_validate(r->message, -1, NULL));
    g_assert_true(g_utf8_validate(r->name, -1, NULL));
}

static void
test_save_load(void)
{
    g_autoptr(IgdWatchLog) log = two_domains();
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, IGD_WATCH_LOG_FILE_NAME, NULL);
    g_autofree char *missing = g_build_filename(dir, "missing.xml", NULL);
    g_autofree char *fifo = g_build_filename(dir, "fifo.xml", NULL);
    g_autoptr(IgdWatchLog) back = NULL;
    g_autoptr(IgdWatchLog) none = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) d = NULL;
    g_autoptr(GPtrArray) records = NULL;
    GStatBuf st;

    g_assert_true(igd_watch_log_save(log, path, &error));
    g_assert_no_error(error);
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0644);
    /* nothing else left in the directory (no temp file) */
    d = g_dir_open(dir, 0, NULL);
    g_assert_cmpstr(g_dir_read_name(d), ==, IGD_WATCH_LOG_FILE_NAME);
    g_assert_null(g_dir_read_name(d));
    back = igd_watch_log_load(path, &error);
    g_assert_no_error(error);
    records = igd_watch_log_get_records(back);
    g_assert_cmpuint(records->len, ==, 2);
    /* missing: an empty log */
    none = igd_watch_log_load(missing, &error);
    g_assert_no_error(error);
    g_ptr_array_unref(records);
    records = igd_watch_log_get_records(none);
    g_assert_cmpuint(records->len, ==, 0);
    /* a FIFO is never opened (it would block status) */
    g_assert_cmpint(mkfifo(fifo, 0644), ==, 0);
    g_assert_null(igd_watch_log_load(fifo, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "not a regular file"));
    g_clear_error(&error);
    /* a directory where the file should be: the save fails, naming it */
    g_assert_false(igd_watch_log_save(log, dir, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    igd_test_rmtree(dir);
}

static void
test_bad(void)
{
    static const struct {
        const char *name;
        const char *xml;
        const char *want;
    } cases[] = {
        { "empty", "", "empty file" },
        { "truncated", "<igd-assign-watcher version=\"1\"><domain uuid=\"" UUID_A "\"", "not well-formed" },
        { "not-xml", "watcher", "not well-formed" },
        { "wrong-root", "<igd-assign-state version=\"1\"/>", "root element is not <igd-assign-watcher>" },
        { "namespaced-root", "<w:igd-assign-watcher xmlns:w=\"urn:x\" version=\"1\"/>", "root element" },
        { "version", "<igd-assign-watcher version=\"2\"/>", "unsupported watcher log version '2'" },
        { "no-version", "<igd-assign-watcher/>", "unsupported watcher log version '(none)'" },
        { "doctype", "<!DOCTYPE igd-assign-watcher [<!ENTITY x \"y\">]><igd-assign-watcher version=\"1\"/>",
          "DOCTYPE" },
        { "unknown-element", "<igd-assign-watcher version=\"1\"><device/></igd-assign-watcher>",
          "unexpected <device>" },
        { "text", "<igd-assign-watcher version=\"1\">hello</igd-assign-watcher>", "unexpected content" },
        { "bad-uuid",
          "<igd-assign-watcher version=\"1\"><domain uuid=\"../../etc\" at=\"1\" action=\"ok\" mode=\"\"/>"
          "</igd-assign-watcher>",
          "invalid uuid '../../etc'" },
        { "bad-at",
          "<igd-assign-watcher version=\"1\"><domain uuid=\"" UUID_A "\" at=\"-1\" action=\"ok\" mode=\"\"/>"
          "</igd-assign-watcher>",
          "invalid at '-1'" },
        { "bad-action",
          "<igd-assign-watcher version=\"1\"><domain uuid=\"" UUID_A "\" at=\"1\" action=\"rm -rf\" mode=\"\"/>"
          "</igd-assign-watcher>",
          "invalid action 'rm -rf'" },
        { "bad-mode",
          "<igd-assign-watcher version=\"1\"><domain uuid=\"" UUID_A "\" at=\"1\" action=\"ok\" mode=\"auto\"/>"
          "</igd-assign-watcher>",
          "invalid mode 'auto'" },
        { "unknown-attribute",
          "<igd-assign-watcher version=\"1\"><domain uuid=\"" UUID_A "\" at=\"1\" action=\"ok\" evil=\"1\"/>"
          "</igd-assign-watcher>",
          "unknown attribute 'evil'" },
        { "twice",
          "<igd-assign-watcher version=\"1\"><domain uuid=\"" UUID_A "\" at=\"1\" action=\"ok\"/>"
          "<domain uuid=\"" UUID_A "\" at=\"2\" action=\"ok\"/></igd-assign-watcher>",
          "listed twice" },
        { "broken-without-id",
          "<igd-assign-watcher version=\"1\"><domain uuid=\"" UUID_A "\" at=\"1\" action=\"left\">"
          "<broken><message>m</message></broken></domain></igd-assign-watcher>",
          "<broken> without a valid id" },
        { "element-in-change",
          "<igd-assign-watcher version=\"1\"><domain uuid=\"" UUID_A "\" at=\"1\" action=\"ok\">"
          "<change><b>x</b></change></domain></igd-assign-watcher>",
          "unexpected content in <change>" },
        { "entity-reference",
          "<igd-assign-watcher version=\"1\"><domain uuid=\"" UUID_A "\" at=\"1\" action=\"ok\">"
          "<change>&ext;</change></domain></igd-assign-watcher>",
          "not well-formed" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdWatchLog) log = igd_watch_log_parse(cases[i].xml, strlen(cases[i].xml), "w.xml", &error);

        g_test_message("case %s: %s", cases[i].name, error ? error->message : "(accepted)");
        g_assert_null(log);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_true(g_str_has_prefix(error->message, "w.xml: "));
        g_assert_nonnull(strstr(error->message, cases[i].want));
    }
    /* a NUL byte, and more than the size limit */
    {
        g_autoptr(GError) error = NULL;
        g_assert_null(igd_watch_log_parse("<a>\0</a>", 8, "w.xml", &error));
        g_assert_nonnull(strstr(error->message, "NUL byte"));
        g_clear_error(&error);
        g_assert_null(igd_watch_log_parse("<a/>", IGD_WATCH_LOG_MAX_BYTES + 1, "w.xml", &error));
        g_assert_nonnull(strstr(error->message, "larger than"));
    }
    /* too many changes in one record */
    {
        g_autoptr(GString) xml = g_string_new("<igd-assign-watcher version=\"1\"><domain uuid=\"" UUID_A
                                              "\" at=\"1\" action=\"ok\">");
        g_autoptr(GError) error = NULL;

        for (guint i = 0; i <= IGD_WATCH_LOG_MAX_ITEMS; i++)
            g_string_append(xml, "<change>c</change>");
        g_string_append(xml, "</domain></igd-assign-watcher>");
        g_assert_null(igd_watch_log_parse(xml->str, xml->len, "w.xml", &error));
        g_assert_nonnull(strstr(error->message, "more than 256 <change>"));
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/watchlog/roundtrip", test_roundtrip);
    g_test_add_func("/watchlog/put-remove", test_put_remove);
    g_test_add_func("/watchlog/long-text", test_long_text);
    g_test_add_func("/watchlog/save-load", test_save_load);
    g_test_add_func("/watchlog/bad", test_bad);
    return g_test_run();
}
