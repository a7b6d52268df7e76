/*
 * test-state.c: the daemon's ownership state file (igd-core/igd-state.c):
 * claims and conflicts, the XML round trip and its schema, atomic saving,
 * corrupt files set aside, hostile UUIDs.
 */
#include "config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libxml/relaxng.h>

#include "igd-common.h"
#include "igd-state.h"
#include "igd-test.h"

#define UUID_A "c7a5fdbd-edaf-9455-926a-d65c16db1809"
#define UUID_B "6695eb01-f6a4-8304-79aa-97f2502e193f"

static IgdPciAddress
addr(const char *s)
{
    IgdPciAddress a;
    g_assert_true(igd_pci_address_parse(s, &a, NULL));
    return a;
}

static IgdState *
two_devices(void)
{
    IgdState *st = igd_state_new();
    IgdPciAddress a = addr("0000:00:02.0");
    IgdPciAddress b = addr("0000:01:00.0");
    g_autoptr(GError) error = NULL;

    /* Added out of order: the file lists devices sorted by address. */
    g_assert_true(igd_state_claim(st, &b, UUID_B, "second <&\"dom\">", "upt", NULL, 1764000100, &error));
    g_assert_no_error(error);
    g_assert_true(igd_state_claim(st, &a, "C7A5FDBD-EDAF-9455-926A-D65C16DB1809", "win10", "legacy", "i915",
                                  1764000000, &error));
    g_assert_no_error(error);
    return st;
}

static void
test_roundtrip(void)
{
    g_autoptr(IgdState) st = two_devices();
    g_autofree char *xml = igd_state_to_xml(st);
    g_autofree char *expected = igd_test_srcpath("data/daemon/state/two-devices.xml");
    g_autoptr(IgdState) back = NULL;
    g_autofree char *xml2 = NULL;
    g_autoptr(GError) error = NULL;
    GPtrArray *entries;
    const IgdStateEntry *e;

    igd_test_compare_file(xml, expected);
    back = igd_state_parse(xml, strlen(xml), "roundtrip", &error);
    g_assert_no_error(error);
    entries = igd_state_get_entries(back);
    g_assert_cmpuint(entries->len, ==, 2);
    e = g_ptr_array_index(entries, 0);
    g_assert_cmpuint(e->address.slot, ==, 2);
    g_assert_cmpstr(e->uuid, ==, UUID_A); /* canonical lower case */
    g_assert_cmpstr(e->name, ==, "win10");
    g_assert_cmpstr(e->mode, ==, "legacy");
    g_assert_cmpstr(e->previous_driver, ==, "i915");
    g_assert_cmpint(e->since, ==, 1764000000);
    e = g_ptr_array_index(entries, 1);
    g_assert_cmpuint(e->address.bus, ==, 1);
    g_assert_cmpstr(e->name, ==, "second <&\"dom\">");
    g_assert_null(e->previous_driver);
    xml2 = igd_state_to_xml(back);
    g_assert_cmpstr(xml, ==, xml2);
}

static gboolean
validates(const char *xml)
{
    static xmlRelaxNGPtr rng;

    if (rng == NULL) {
        g_autofree char *path = igd_test_srcpath("../xml-schemas/igd-state.rng");
        rng = igd_test_load_rng(path);
    }
    return igd_test_rng_valid(rng, xml, strlen(xml), "igd-state.rng");
}

static void
test_schema(void)
{
    g_autoptr(IgdState) empty = igd_state_new();
    g_autoptr(IgdState) st = two_devices();
    g_autofree char *xml_empty = igd_state_to_xml(empty);
    g_autofree char *xml = igd_state_to_xml(st);
    g_autofree char *bad = igd_test_srcpath("data/daemon/state/bad-mode.xml");
    g_autofree char *bad_xml = NULL;

    g_assert_true(validates(xml_empty));
    g_assert_true(validates(xml));
    /* The schema is not a rubber stamp: a file the parser refuses is refused by it too. */
    g_assert_true(g_file_get_contents(bad, &bad_xml, NULL, NULL));
    g_assert_false(validates(bad_xml));
}

/*
 * A pending claim (recorded before the bind): written as pending="true",
 * read back, kept by a copy and by a claim of the same domain, cleared by
 * igd_state_set_pending(); the schema takes it and refuses any other value.
 */
static void
test_pending(void)
{
    g_autoptr(IgdState) st = two_devices();
    g_autoptr(IgdState) copy = NULL;
    g_autoptr(IgdState) back = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *complete = NULL;
    g_autoptr(GError) error = NULL;
    IgdPciAddress a = addr("0000:00:02.0");
    IgdPciAddress b = addr("0000:01:00.0");
    IgdPciAddress absent = addr("0000:00:03.0");
    const IgdStateEntry *e;

    g_assert_false(igd_state_lookup(st, &a)->pending); /* a new claim is complete */
    g_assert_true(igd_state_set_pending(st, &a, TRUE));
    g_assert_false(igd_state_set_pending(st, &absent, TRUE));
    xml = igd_state_to_xml(st);
    g_assert_nonnull(strstr(xml, "since=\"1764000000\" previous-driver=\"i915\" pending=\"true\"/>"));
    g_assert_true(strstr(xml, "pending=") == g_strrstr(xml, "pending=")); /* only that one */
    g_assert_true(validates(xml));
    back = igd_state_parse(xml, strlen(xml), "pending", &error);
    g_assert_no_error(error);
    g_assert_true(igd_state_lookup(back, &a)->pending);
    g_assert_false(igd_state_lookup(back, &b)->pending);
    copy = igd_state_copy(back);
    g_assert_true(igd_state_lookup(copy, &a)->pending);
    /* The same domain claims again (the prepare completing): still pending until marked complete. */
    g_assert_true(igd_state_claim(copy, &a, UUID_A, "win10", "legacy", NULL, 1999999999, &error));
    e = igd_state_lookup(copy, &a);
    g_assert_true(e->pending);
    g_assert_cmpstr(e->previous_driver, ==, "i915");
    g_assert_true(igd_state_set_pending(copy, &a, FALSE));
    complete = igd_state_to_xml(copy);
    g_assert_null(strstr(complete, "pending"));
    /* The schema refuses what the parser refuses. */
    for (guint i = 0; i < 4; i++) {
        static const char *const values[] = { "yes", "", "false", "TRUE" };
        g_autofree char *bad = g_strdup_printf("<igd-assign-state version=\"1\"><device address=\"0000:00:02.0\" "
                                               "uuid=\"" UUID_A "\" name=\"a\" mode=\"\" since=\"1\" "
                                               "pending=\"%s\"/></igd-assign-state>",
                                               values[i]);
        g_autoptr(IgdState) refused = igd_state_parse(bad, strlen(bad), "t", NULL);
        g_assert_null(refused);
        g_assert_false(validates(bad));
    }
}

static void
test_conflict(void)
{
    g_autoptr(IgdState) st = two_devices();
    IgdPciAddress a = addr("0000:00:02.0");
    g_autoptr(GError) error = NULL;

    g_assert_true(igd_state_check_claim(st, &a, UUID_A, &error));
    g_assert_false(igd_state_check_claim(st, &a, UUID_B, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CONFLICT);
    g_assert_cmpstr(error->message, ==,
                    "device 0000:00:02.0 is owned by running domain 'win10' (uuid " UUID_A ")");
    g_clear_error(&error);
    g_assert_false(igd_state_claim(st, &a, UUID_B, "other", "upt", NULL, 5, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CONFLICT);
    g_assert_cmpstr(igd_state_lookup(st, &a)->uuid, ==, UUID_A);
}

static void
test_idempotent(void)
{
    g_autoptr(IgdState) st = two_devices();
    IgdPciAddress a = addr("0000:00:02.0");
    g_autoptr(GError) error = NULL;
    const IgdStateEntry *e;

    /* The same domain again (renamed meanwhile): one entry, first "since" and previous driver kept. */
    g_assert_true(igd_state_claim(st, &a, UUID_A, "win10-renamed", "upt", "vfio-pci", 1999999999, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(igd_state_get_entries(st)->len, ==, 2);
    e = igd_state_lookup(st, &a);
    g_assert_cmpstr(e->name, ==, "win10-renamed");
    g_assert_cmpstr(e->mode, ==, "upt");
    g_assert_cmpint(e->since, ==, 1764000000);
    g_assert_cmpstr(e->previous_driver, ==, "i915");
    g_assert_true(igd_state_lookup_uuid(st, UUID_A) == e);
}

static void
test_remove(void)
{
    g_autoptr(IgdState) st = two_devices();
    g_autoptr(IgdState) copy = igd_state_copy(st);
    IgdPciAddress a = addr("0000:00:02.0");

    g_assert_cmpuint(igd_state_remove_uuid(st, UUID_A), ==, 1);
    g_assert_cmpuint(igd_state_remove_uuid(st, UUID_A), ==, 0);
    g_assert_null(igd_state_lookup(st, &a));
    g_assert_null(igd_state_lookup_uuid(st, UUID_A));
    g_assert_cmpuint(igd_state_get_entries(st)->len, ==, 1);
    /* The copy is deep: unchanged. */
    g_assert_nonnull(igd_state_lookup(copy, &a));
    g_assert_true(igd_state_remove(copy, &a));
    g_assert_false(igd_state_remove(copy, &a));
}

static void
test_uuid(void)
{
    const char *bad[] = {
        "", "../../etc/passwd", UUID_A "/..", "..", "/" UUID_A, "c7a5fdbd-edaf-9455-926a-d65c16db180",
        "c7a5fdbd-edaf-9455-926a-d65c16db18090", "c7a5fdbdxedaf-9455-926a-d65c16db1809",
        "g7a5fdbd-edaf-9455-926a-d65c16db1809", "c7a5fdbd-edaf-9455-926a-d65c16db/809",
        "c7a5fdbd-edaf-9455-926a-d65c16db180\n", NULL,
    };
    g_autoptr(GError) error = NULL;
    g_autofree char *good = igd_state_canonical_uuid("C7A5FDBD-EDAF-9455-926A-D65C16DB1809", &error);

    g_assert_no_error(error);
    g_assert_cmpstr(good, ==, UUID_A);
    for (guint i = 0; bad[i]; i++) {
        g_autoptr(GError) e = NULL;
        g_autofree char *u = igd_state_canonical_uuid(bad[i], &e);
        g_assert_null(u);
        g_assert_error(e, IGD_ERROR, IGD_ERROR_USAGE);
        g_assert_true(g_str_has_prefix(e->message, "invalid domain UUID '"));
        g_assert_null(strchr(e->message, '\n')); /* escaped */
    }
}

static void
test_name_sanitized(void)
{
    g_autoptr(IgdState) st = igd_state_new();
    IgdPciAddress a = addr("0000:00:02.0");
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) longname = g_string_new(NULL);
    g_autoptr(IgdState) back = NULL;
    g_autofree char *xml = NULL;
    const IgdStateEntry *e;

    for (guint i = 0; i < 200; i++)
        g_string_append(longname, "é"); /* 2 bytes each: 400 bytes */
    g_assert_true(igd_state_claim(st, &a, UUID_A, "a\x01" "b\n\xff", "", NULL, 0, &error));
    e = igd_state_lookup(st, &a);
    /* Control characters become '?', invalid UTF-8 U+FFFD: the file stays valid XML 1.0. */
    g_assert_cmpstr(e->name, ==, "a?b?\xef\xbf\xbd");
    xml = igd_state_to_xml(st);
    back = igd_state_parse(xml, strlen(xml), "t", &error);
    g_assert_no_error(error);
    g_assert_true(igd_state_remove(st, &a));
    g_assert_true(igd_state_claim(st, &a, UUID_A, longname->str, NULL, NULL, 0, &error));
    e = igd_state_lookup(st, &a);
    g_assert_cmpuint(strlen(e->name), ==, 256); /* 128 whole characters */
    g_assert_true(g_utf8_validate(e->name, -1, NULL));
    g_assert_cmpstr(e->mode, ==, "");
    g_assert_false(igd_state_claim(st, &a, UUID_A, "x", "vga", NULL, 0, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_USAGE);
}

typedef struct {
    const char *file;
    const char *message; /* expected substring of the error */
} BadCase;

static const BadCase bad_cases[] = {
    { "bad-empty.xml", "empty file" },
    { "bad-binary.xml", "NUL byte" },
    { "bad-truncated.xml", "not well-formed XML" },
    { "bad-version.xml", "unsupported state version '2'" },
    { "bad-root.xml", "root element is not <igd-assign-state>" },
    { "bad-address.xml", "device 1: invalid PCI address" },
    { "bad-uuid-path.xml", "device 1: invalid uuid '../../../etc/passwd'" },
    { "bad-mode.xml", "device 1: invalid mode 'vga'" },
    { "bad-since.xml", "device 1: invalid since '-5'" },
    { "bad-duplicate.xml", "device 0000:00:02.0 listed twice" },
    { "bad-entity.xml", "DOCTYPE is not allowed" },
    { "bad-entity-attribute.xml", "references external entity 'x'" },
    { "bad-element.xml", "unexpected element 'owner'" },
    { "bad-attribute.xml", "unknown attribute 'evil'" },
    { "bad-driver.xml", "invalid previous-driver '../i915'" },
    { "bad-missing-uuid.xml", "missing uuid attribute" },
    /* pending: "true" or absent, nothing else */
    { "bad-pending-yes.xml", "device 1: invalid pending 'yes' (only \"true\")" },
    { "bad-pending-empty.xml", "device 1: invalid pending '' (only \"true\")" },
    { "bad-pending-false.xml", "device 1: invalid pending 'false' (only \"true\")" },
    { "bad-pending-case.xml", "device 1: invalid pending 'TRUE' (only \"true\")" },
    { "bad-pending-truncated.xml", "not well-formed XML" },
    { "bad-pending-twice.xml", "not well-formed XML" },
};

static void
test_bad(gconstpointer data)
{
    const BadCase *c = data;
    g_autofree char *rel = g_strconcat("data/daemon/state/", c->file, NULL);
    g_autofree char *path = igd_test_srcpath(rel);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdState) st = igd_state_load(path, &error);

    g_assert_null(st);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_true(g_str_has_prefix(error->message, path)); /* names the file */
    if (strstr(error->message, c->message) == NULL)
        g_error("'%s' does not contain '%s'", error->message, c->message);
}

static void
test_oversized(void)
{
    gsize len = IGD_STATE_MAX_BYTES + 1;
    g_autofree char *big = g_malloc(len);
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, "state.xml", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdState) st = NULL;

    memset(big, ' ', len);
    g_assert_true(g_file_set_contents(path, big, (gssize)len, NULL));
    st = igd_state_load(path, &error);
    g_assert_null(st);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "larger than 1048576"));
    igd_test_rmtree(dir);
}

/* a FIFO or a directory where the state file belongs: refused at once, never opened for a blocking read */
static void
test_not_regular(void)
{
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, IGD_STATE_FILE_NAME, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdState) st = NULL;
    gint64 t0 = g_get_monotonic_time();

    g_assert_cmpint(mkfifo(path, 0600), ==, 0);
    st = igd_state_load(path, &error);
    g_assert_null(st);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "not a regular file"));
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
    g_clear_error(&error);
    g_assert_cmpint(unlink(path), ==, 0);
    g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
    st = igd_state_load(path, &error);
    g_assert_null(st);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "not a regular file"));
    igd_test_rmtree(dir);
}

static void
test_load_save(void)
{
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, IGD_STATE_FILE_NAME, NULL);
    g_autoptr(IgdState) st = two_devices();
    g_autoptr(IgdState) missing = NULL;
    g_autoptr(IgdState) back = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) d = NULL;
    GStatBuf sb;
    guint n = 0;

    missing = igd_state_load(path, &error); /* absent: empty, not an error */
    g_assert_no_error(error);
    g_assert_cmpuint(igd_state_get_entries(missing)->len, ==, 0);

    g_assert_true(igd_state_save(missing, path, &error));
    g_assert_true(igd_state_save(st, path, &error)); /* replaces */
    g_assert_no_error(error);
    g_assert_cmpint(g_stat(path, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 0777, ==, 0644);
    back = igd_state_load(path, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(igd_state_get_entries(back)->len, ==, 2);
    /* Only the state file in the directory: no temp file left behind. */
    d = g_dir_open(dir, 0, NULL);
    while (g_dir_read_name(d))
        n++;
    g_assert_cmpuint(n, ==, 1);
    igd_test_rmtree(dir);
}

static void
test_save_unwritable(void)
{
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *sub = g_build_filename(dir, "ro", NULL);
    g_autofree char *path = g_build_filename(sub, IGD_STATE_FILE_NAME, NULL);
    g_autofree char *nodir = g_build_filename(dir, "missing", IGD_STATE_FILE_NAME, NULL);
    g_autoptr(IgdState) st = two_devices();
    g_autoptr(GError) error = NULL;
    g_autofree char *blocker = g_build_filename(sub, IGD_STATE_FILE_NAME, NULL);

    /* A missing directory works for root and others alike. */
    g_assert_false(igd_state_save(st, nodir, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    g_assert_nonnull(strstr(error->message, nodir));
    g_clear_error(&error);

    /* The state path taken by a directory: the rename fails, no temp file is left. */
    g_assert_cmpint(g_mkdir(sub, 0755), ==, 0);
    g_assert_cmpint(g_mkdir(blocker, 0755), ==, 0);
    g_assert_false(igd_state_save(st, path, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    {
        g_autoptr(GDir) d = g_dir_open(sub, 0, NULL);
        guint n = 0;
        while (g_dir_read_name(d))
            n++;
        g_assert_cmpuint(n, ==, 1); /* only the blocking directory */
    }
    igd_test_rmtree(dir);
}

static void
test_set_aside(void)
{
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *path = g_build_filename(dir, IGD_STATE_FILE_NAME, NULL);
    g_autofree char *moved = NULL;
    g_autofree char *moved2 = NULL;
    g_autofree char *content = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_set_contents(path, "<garbage", -1, NULL));
    g_assert_true(igd_state_set_aside(path, &moved, &error));
    g_assert_no_error(error);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_assert_true(g_str_has_prefix(moved, path));
    g_assert_nonnull(strstr(moved, ".corrupt-"));
    g_assert_true(g_file_get_contents(moved, &content, NULL, NULL)); /* kept, not deleted */
    g_assert_cmpstr(content, ==, "<garbage");
    /* A second one in the same second does not overwrite the first. */
    g_assert_true(g_file_set_contents(path, "<more", -1, NULL));
    g_assert_true(igd_state_set_aside(path, &moved2, &error));
    g_assert_cmpstr(moved, !=, moved2);
    g_assert_true(g_file_test(moved, G_FILE_TEST_EXISTS));
    igd_test_rmtree(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/state/roundtrip", test_roundtrip);
    g_test_add_func("/state/schema", test_schema);
    g_test_add_func("/state/pending", test_pending);
    g_test_add_func("/state/conflict", test_conflict);
    g_test_add_func("/state/idempotent", test_idempotent);
    g_test_add_func("/state/remove", test_remove);
    g_test_add_func("/state/uuid", test_uuid);
    g_test_add_func("/state/name-sanitized", test_name_sanitized);
    g_test_add_func("/state/oversized", test_oversized);
    g_test_add_func("/state/not-regular", test_not_regular);
    g_test_add_func("/state/load-save", test_load_save);
    g_test_add_func("/state/save-unwritable", test_save_unwritable);
    g_test_add_func("/state/set-aside", test_set_aside);
    for (gsize i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        g_autofree char *name = g_strdup_printf("/state/bad/%s", bad_cases[i].file);
        g_test_add_data_func(name, &bad_cases[i], test_bad);
    }
    return g_test_run();
}
