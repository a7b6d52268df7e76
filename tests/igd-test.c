/*
 * igd-test.c: test helpers.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "igd-test.h"

char *
igd_test_srcpath(const char *rel)
{
    const char *dir = g_getenv("G_TEST_SRCDIR");

    if (dir == NULL)
        dir = TESTS_SRCDIR;
    return g_build_filename(dir, rel, NULL);
}

char *
igd_test_datapath(const char *rel)
{
    g_autofree char *data = igd_test_srcpath("data");

    return g_build_filename(data, rel, NULL);
}

char *
igd_test_corpus_dir(char **version, char **why)
{
    const char *env = g_getenv("IGD_LIBVIRT_CORPUS");
    g_autofree char *top = env && *env ? g_strdup(env) : igd_test_srcpath("cache/libvirt-corpus");
    g_autofree char *dir = g_build_filename(top, "qemuxml2argvdata", NULL);
    g_autofree char *vfile = g_build_filename(top, "VERSION", NULL);
    g_autofree char *v = NULL;

    if (!g_file_test(dir, G_FILE_TEST_IS_DIR) || !g_file_get_contents(vfile, &v, NULL, NULL)) {
        *why = g_strdup_printf("libvirt's test-suite corpus is not in %s: run tests/fetch-libvirt-corpus %s "
                               "(.ci/install-deps does)", top, top);
        return NULL;
    }
    if (version)
        *version = g_strstrip(g_steal_pointer(&v));
    return g_steal_pointer(&dir);
}

GBytes *
igd_test_load(const char *path)
{
    g_autoptr(GError) error = NULL;
    char *data = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, &error))
        g_error("cannot load test file: %s", error->message);
    return g_bytes_new_take(data, len);
}

void
igd_test_compare_file(const char *actual, const char *expected_path)
{
    g_autofree char *expected = NULL;
    g_autoptr(GError) error = NULL;
    const char *regen = g_getenv("IGD_TEST_REGENERATE_OUTPUT");

    if (regen && g_str_equal(regen, "1")) {
        if (!g_file_set_contents(expected_path, actual, -1, &error))
            g_error("cannot write '%s': %s", expected_path, error->message);
        g_test_message("regenerated %s", expected_path);
        return;
    }
    if (!g_file_get_contents(expected_path, &expected, NULL, &error)) {
        g_test_message("expected file missing: %s (run with IGD_TEST_REGENERATE_OUTPUT=1 and review)", expected_path);
        g_test_fail();
        return;
    }
    if (!g_str_equal(expected, actual)) {
        g_autofree char *tmp = NULL;
        g_autofree char *diff = NULL;
        int fd = g_file_open_tmp("igd-actual-XXXXXX", &tmp, NULL);
        const char *argv[] = { "diff", "-u", expected_path, NULL, NULL };

        if (fd >= 0) {
            if (write(fd, actual, strlen(actual)) < 0)
                g_test_message("cannot write %s", tmp);
            close(fd);
            argv[3] = tmp;
            g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                         NULL, NULL, &diff, NULL, NULL, NULL);
            g_unlink(tmp);
        }
        g_test_message("%s differs:\n%s", expected_path, diff ? diff : "(no diff)");
        g_test_fail();
    }
}

char *
igd_test_mkdtemp(void)
{
    g_autoptr(GError) error = NULL;
    char *dir = g_dir_make_tmp("igd-test-XXXXXX", &error);

    if (dir == NULL)
        g_error("mkdtemp: %s", error->message);
    return dir;
}

void
igd_test_rmtree(const char *path)
{
    const char *argv[] = { "rm", "-rf", "--", path, NULL };

    if (path == NULL || path[0] == '\0' || g_str_equal(path, "/"))
        return;
    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

void
igd_test_copytree(const char *from, const char *to)
{
    g_autofree char *src = g_strconcat(from, "/.", NULL);
    const char *argv[] = { "cp", "-a", "--", src, to, NULL };
    int status = 0;

    g_mkdir_with_parents(to, 0755);
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL))
        g_error("cp -a %s %s failed", from, to);
}

/* ---- a JSON validator (RFC 8259), for the CLI's --json documents ---- */

typedef struct {
    const char *p;
    const char *start;
    char *why;
    guint depth;
} JsonScan;

static gboolean json_value(JsonScan *j);

static gboolean
json_fail(JsonScan *j, const char *what)
{
    if (j->why == NULL)
        j->why = g_strdup_printf("%s at byte %" G_GSIZE_FORMAT " ('%.12s')", what, (gsize)(j->p - j->start), j->p);
    return FALSE;
}

static void
json_ws(JsonScan *j)
{
    while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
        j->p++;
}

static gboolean
json_string(JsonScan *j)
{
    if (*j->p != '"')
        return json_fail(j, "expected a string");
    j->p++;
    while (*j->p != '"') {
        if ((unsigned char)*j->p < 0x20)
            return json_fail(j, "control character or end inside a string");
        if (*j->p == '\\') {
            j->p++;
            if (*j->p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!g_ascii_isxdigit(j->p[i]))
                        return json_fail(j, "bad \\u escape");
                j->p += 5;
                continue;
            }
            if (strchr("\"\\/bfnrt", *j->p) == NULL || *j->p == '\0')
                return json_fail(j, "bad escape");
        }
        j->p++;
    }
    j->p++;
    return TRUE;
}

static gboolean
json_number(JsonScan *j)
{
    if (*j->p == '-')
        j->p++;
    if (*j->p == '0')
        j->p++;
    else if (*j->p >= '1' && *j->p <= '9')
        while (g_ascii_isdigit(*j->p))
            j->p++;
    else
        return json_fail(j, "bad number");
    if (*j->p == '.') {
        j->p++;
        if (!g_ascii_isdigit(*j->p))
            return json_fail(j, "bad fraction");
        while (g_ascii_isdigit(*j->p))
            j->p++;
    }
    if (*j->p == 'e' || *j->p == 'E') {
        j->p++;
        if (*j->p == '+' || *j->p == '-')
            j->p++;
        if (!g_ascii_isdigit(*j->p))
            return json_fail(j, "bad exponent");
        while (g_ascii_isdigit(*j->p))
            j->p++;
    }
    return TRUE;
}

static gboolean
json_container(JsonScan *j, char close, gboolean object)
{
    if (++j->depth > 64)
        return json_fail(j, "nested too deep");
    j->p++;
    json_ws(j);
    if (*j->p == close) {
        j->p++;
        j->depth--;
        return TRUE;
    }
    for (;;) {
        if (object) {
            if (!json_string(j))
                return FALSE;
            json_ws(j);
            if (*j->p != ':')
                return json_fail(j, "expected ':'");
            j->p++;
        }
        if (!json_value(j))
            return FALSE;
        json_ws(j);
        if (*j->p == ',') {
            j->p++;
            json_ws(j);
            continue;
        }
        if (*j->p != close)
            return json_fail(j, object ? "expected ',' or '}'" : "expected ',' or ']'");
        j->p++;
        j->depth--;
        return TRUE;
    }
}

static gboolean
json_value(JsonScan *j)
{
    json_ws(j);
    switch (*j->p) {
    case '{':
        return json_container(j, '}', TRUE);
    case '[':
        return json_container(j, ']', FALSE);
    case '"':
        return json_string(j);
    case 't':
        if (g_str_has_prefix(j->p, "true")) {
            j->p += 4;
            return TRUE;
        }
        break;
    case 'f':
        if (g_str_has_prefix(j->p, "false")) {
            j->p += 5;
            return TRUE;
        }
        break;
    case 'n':
        if (g_str_has_prefix(j->p, "null")) {
            j->p += 4;
            return TRUE;
        }
        break;
    default:
        if (*j->p == '-' || g_ascii_isdigit(*j->p))
            return json_number(j);
        break;
    }
    return json_fail(j, "expected a value");
}

gboolean
igd_test_json_valid(const char *text, char **why)
{
    JsonScan j = { text ? text : "", text ? text : "", NULL, 0 };

    if (!g_utf8_validate(j.p, -1, NULL)) {
        *why = g_strdup("not UTF-8");
        return FALSE;
    }
    if (!json_value(&j)) {
        *why = j.why;
        return FALSE;
    }
    json_ws(&j);
    if (*j.p != '\0') {
        json_fail(&j, "something after the document");
        *why = j.why;
        return FALSE;
    }
    return TRUE;
}

xmlRelaxNGPtr
igd_test_load_rng(const char *path)
{
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(path);
    xmlRelaxNGPtr rng = xmlRelaxNGParse(pc);

    xmlRelaxNGFreeParserCtxt(pc);
    if (rng == NULL)
        g_error("cannot load RelaxNG schema %s", path);
    return rng;
}

static void
rng_silent(void *ctx, const char *msg, ...)
{
}

gboolean
igd_test_rng_valid(xmlRelaxNGPtr rng, const char *xml, gsize len, const char *what)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "out.xml", NULL, XML_PARSE_NONET);
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(rng);
    int r;

    xmlRelaxNGSetValidErrors(vc, (xmlRelaxNGValidityErrorFunc)rng_silent, (xmlRelaxNGValidityWarningFunc)rng_silent,
                             NULL);
    r = doc ? xmlRelaxNGValidateDoc(vc, doc) : -1;
    xmlRelaxNGFreeValidCtxt(vc);
    if (r != 0 && doc) {
        /* again with the errors shown, for the log */
        xmlRelaxNGValidCtxtPtr shown = xmlRelaxNGNewValidCtxt(rng);

        g_test_message("%s: does not validate:", what);
        xmlRelaxNGValidateDoc(shown, doc);
        xmlRelaxNGFreeValidCtxt(shown);
    }
    xmlFreeDoc(doc);
    return r == 0;
}
