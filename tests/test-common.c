/*
 * test-common.c: PCI address parsing, sysroot paths, the JSON writer.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "igd-common.h"
#include "igd-json.h"
#include "igd-pci-address.h"
#include "igd-sysroot.h"
#include "igd-test.h"

static void
test_address_good(void)
{
    IgdPciAddress a;
    g_autoptr(GError) error = NULL;
    char buf[13];

    g_assert_true(igd_pci_address_parse("0000:00:02.0", &a, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(a.domain, ==, 0);
    g_assert_cmpuint(a.slot, ==, 2);
    g_assert_true(igd_pci_address_parse("00:1F.7", &a, &error));
    g_assert_cmpuint(a.slot, ==, 0x1f);
    g_assert_cmpuint(a.function, ==, 7);
    igd_pci_address_format(&a, buf);
    g_assert_cmpstr(buf, ==, "0000:00:1f.7");
    g_assert_true(igd_pci_address_parse("abcd:ef:01.3", &a, &error));
    g_assert_cmpuint(a.domain, ==, 0xabcd);
    g_assert_cmpuint(a.bus, ==, 0xef);
}

static void
test_address_bad(void)
{
    const char *bad[] = {
        "", "0", "../../etc", "0000:00:02.0/../..", "0000:00:02.0 ", " 0000:00:02.0",
        "0000:00:20.0", "0000:00:02.8", "0000:00:02", "000:00:02.0", "00000:00:02.0",
        "0000-00:02.0", "0000:00:02:0", "0000:0g:02.0", "00:02.0\n",
        "+000:00:02.0", "0x00:02.0", "00:02.0;reboot", "0000:00:1f.7.", NULL,
    };

    for (guint i = 0; bad[i]; i++) {
        IgdPciAddress a;
        g_autoptr(GError) error = NULL;
        g_assert_false(igd_pci_address_parse(bad[i], &a, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_USAGE);
        g_assert_nonnull(strstr(error->message, "invalid PCI address"));
    }
}

static void
test_sysroot(void)
{
    g_autofree char *dir = igd_test_mkdtemp();
    g_autoptr(IgdSysroot) root = igd_sysroot_new(dir);
    g_autoptr(IgdSysroot) host = igd_sysroot_new("/");
    g_autofree char *p = igd_sysroot_path(root, "/sys/bus/pci");
    g_autofree char *hp = igd_sysroot_path(host, "/proc/iomem");
    g_autofree char *attr = g_build_filename(dir, "attr", NULL);
    g_autofree char *big = g_build_filename(dir, "big", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree guint8 *data = NULL;
    gsize len = 0;
    guint64 v = 0;
    g_autofree char *want = g_strconcat(dir, "/sys/bus/pci", NULL);

    g_assert_cmpstr(p, ==, want);
    g_assert_cmpstr(hp, ==, "/proc/iomem");
    g_assert_true(igd_sysroot_is_host(host));
    g_assert_false(igd_sysroot_is_host(root));

    g_test_expect_message("igd-assign", G_LOG_LEVEL_CRITICAL, "*refusing host path*");
    g_assert_null(igd_sysroot_path(root, "/sys/../etc/passwd"));
    g_test_assert_expected_messages();

    g_assert_true(g_file_set_contents(attr, "0x8086\n", -1, NULL));
    g_assert_true(igd_sysroot_read_u64(root, "/attr", &v, &error));
    g_assert_cmphex(v, ==, 0x8086);
    g_assert_true(g_file_set_contents(attr, "zz\n", -1, NULL));
    g_assert_false(igd_sysroot_read_u64(root, "/attr", &v, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_clear_error(&error);
    /*
     * The kernel prints sysfs ids unsigned; a sign is not a sysfs number.
     * strtoull() would negate: -0xffffffffffff7f7a is 2^64 - 0xffffffffffff7f7a
     * = 0x8086, a "vendor" that would pass for Intel.
     */
    for (const char *const *bad = (const char *const[]){ "-0xffffffffffff7f7a\n", "-1\n", "+0x8086\n", "-0\n",
                                                         "0x10000000000000000\n", "0x\n", NULL };
         *bad; bad++) {
        g_test_message("attr = '%s'", *bad);
        g_assert_true(g_file_set_contents(attr, *bad, -1, NULL));
        g_assert_false(igd_sysroot_read_u64(root, "/attr", &v, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_nonnull(strstr(error->message, "is not a number"));
        g_clear_error(&error);
    }
    g_assert_true(g_file_set_contents(attr, "42\n", -1, NULL));
    g_assert_true(igd_sysroot_read_u64(root, "/attr", &v, &error));
    g_assert_cmpuint(v, ==, 42);

    g_assert_false(igd_sysroot_read(root, "/missing", 16, FALSE, &data, &len, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    g_clear_error(&error);

    g_assert_true(g_file_set_contents(big, "0123456789abcdef!", -1, NULL));
    g_assert_false(igd_sysroot_read(root, "/big", 16, FALSE, &data, &len, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_clear_error(&error);
    g_assert_true(igd_sysroot_read(root, "/big", 16, TRUE, &data, &len, &error));
    g_assert_cmpuint(len, ==, 16);

    igd_test_rmtree(dir);
}

/*
 * A write under a sysroot never leaves it: a copied host tree whose
 * sys/bus/pci/drivers were a link out of the tree (absolute, or climbing
 * with "..") would otherwise send unbind/drivers_probe writes to the real
 * host's sysfs. The "outside" here is a second temporary directory standing
 * for the host.
 */
static void
test_sysroot_write_confined(void)
{
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *outside = igd_test_mkdtemp();
    g_autoptr(IgdSysroot) root = igd_sysroot_new(dir);
    g_autofree char *tree = g_build_filename(dir, "sys", "bus", "pci", NULL);
    g_autofree char *inside_dev = g_build_filename(dir, "sys", "devices", "pci0000:00", "0000:00:02.0", NULL);
    g_autofree char *host_unbind = g_build_filename(outside, "i915", "unbind", NULL);
    g_autofree char *host_dir = g_build_filename(outside, "i915", NULL);
    g_autofree char *drivers = g_build_filename(tree, "drivers", NULL);
    g_autofree char *devices = g_build_filename(tree, "devices", NULL);
    g_autofree char *override = g_build_filename(inside_dev, "driver_override", NULL);
    g_autofree char *climb = NULL;
    g_autofree char *text = NULL;
    g_autofree char *base = g_path_get_basename(outside);
    g_autoptr(GError) error = NULL;

    g_assert_cmpint(g_mkdir_with_parents(tree, 0755), ==, 0);
    g_assert_cmpint(g_mkdir_with_parents(inside_dev, 0755), ==, 0);
    g_assert_cmpint(g_mkdir_with_parents(host_dir, 0755), ==, 0);
    g_assert_true(g_file_set_contents(host_unbind, "", 0, NULL));
    g_assert_true(g_file_set_contents(override, "(null)\n", -1, NULL));

    /* A relative link inside the tree (as every captured tree has): the write goes through. */
    g_assert_cmpint(symlink("../../devices/pci0000:00", devices), ==, 0);
    g_assert_true(igd_sysroot_write(root, "/sys/bus/pci/devices/0000:00:02.0/driver_override", "vfio-pci", &error));
    g_assert_no_error(error);
    g_assert_true(g_file_get_contents(override, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "vfio-pci");

    /* An absolute link out of the tree: refused, the outside file untouched. */
    g_assert_cmpint(symlink(outside, drivers), ==, 0);
    g_assert_false(igd_sysroot_write(root, "/sys/bus/pci/drivers/i915/unbind", "0000:00:02.0", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_DENIED);
    g_assert_nonnull(strstr(error->message, "outside the sysroot"));
    g_clear_error(&error);
    g_clear_pointer(&text, g_free);
    g_assert_true(g_file_get_contents(host_unbind, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "");

    /* A relative link that climbs out of the tree: refused as well. */
    g_assert_cmpint(g_unlink(drivers), ==, 0);
    climb = g_strdup_printf("../../../../%s", base);
    g_assert_cmpint(symlink(climb, drivers), ==, 0);
    g_assert_false(igd_sysroot_write(root, "/sys/bus/pci/drivers/i915/unbind", "0000:00:02.0", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_DENIED);
    g_clear_error(&error);
    g_clear_pointer(&text, g_free);
    g_assert_true(g_file_get_contents(host_unbind, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "");

    igd_test_rmtree(dir);
    igd_test_rmtree(outside);
}

static void
test_json(void)
{
    g_autoptr(IgdJson) json = igd_json_new();

    igd_json_begin_object(json, NULL);
    igd_json_string(json, "a", "x\"y\n\x01");
    igd_json_uint(json, "n", 4294967296ULL);
    igd_json_begin_array(json, "e");
    igd_json_end_array(json);
    igd_json_begin_array(json, "l");
    igd_json_bool(json, NULL, TRUE);
    igd_json_null(json, NULL);
    igd_json_end_array(json);
    igd_json_end_object(json);
    g_assert_cmpstr(igd_json_get(json), ==,
                    "{\n  \"a\": \"x\\\"y\\n\\u0001\",\n  \"n\": 4294967296,\n  \"e\": [],\n"
                    "  \"l\": [\n    true,\n    null\n  ]\n}\n");
}

/* Bytes of a host file that are not UTF-8 (a host tree from a report) keep the document UTF-8. */
static void
test_json_not_utf8(void)
{
    g_autoptr(GString) out = g_string_new(NULL);

    igd_json_append_escaped(out, "6.1.0-\xff\xfe-amd64 \xc3\xa9 \xe2\x82 \xed\xa0\x80");
    g_assert_cmpstr(out->str, ==, "\"6.1.0-\\ufffd\\ufffd-amd64 \xc3\xa9 \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd\"");
    g_assert_true(g_utf8_validate(out->str, -1, NULL));
}

/* Outside text in a log line: escaped as g_strescape() does, cut with its length said, linear. */
static void
test_shown(void)
{
    static const struct {
        const char *in;
        gsize max;
        const char *out;
    } cases[] = {
        { "win10", 256, "win10" },
        { "", 256, "" },
        { "a\nb\t\"c\"\\", 256, "a\\nb\\t\\\"c\\\"\\\\" },
        { "caf\xc3\xa9\x01\x7f", 256, "caf\\303\\251\\001\\177" },
        /* Exactly the bound: kept whole. 32 is the least bound. */
        { "0123456789abcdef0123456789abcdef", 32, "0123456789abcdef0123456789abcdef" },
        { "0123456789abcdef0123456789abcdef", 8, "0123456789abcdef0123456789abcdef" },
        /* One over: cut to 32 - 24 bytes, the length said. */
        { "0123456789abcdef0123456789abcdefX", 32, "01234567...(33 bytes)" },
        /* An escape is never split: "\001" does not fit in 2 bytes. */
        { "abcdefg\x01xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 32, "abcdefg...(40 bytes)" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *out = igd_shown(cases[i].in, cases[i].max);
        g_assert_cmpstr(out, ==, cases[i].out);
        g_assert_cmpuint(strlen(out), <=, MAX(cases[i].max, 32));
    }
    {
        g_autofree char *null = igd_shown(NULL, 256);
        gsize big = 10u << 20;
        g_autofree char *huge = g_malloc(big + 1);
        g_autofree char *out = NULL;
        gint64 t0;

        g_assert_cmpstr(null, ==, "(null)");
        /* A 10 MB name, as a Prepare may carry: 256 bytes out, at once. */
        memset(huge, '\n', big);
        huge[big] = '\0';
        t0 = g_get_monotonic_time();
        out = igd_shown(huge, IGD_SHOWN_MAX);
        g_assert_cmpuint(strlen(out), <=, IGD_SHOWN_MAX);
        g_assert_true(g_str_has_suffix(out, "\\n...(10485760 bytes)"));
        g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
    }
}

/* A log message over 2048 bytes is cut there, ending "..."; shorter ones are kept. */
static void
test_log_message_bound(void)
{
    g_autofree char *shortmsg = g_strdup("prepared 0000:00:02.0 for 'win10'");
    g_autofree char *exact = g_strnfill(2048, 'a');
    g_autofree char *longmsg = g_strnfill(3000, 'b');

    g_assert_cmpstr(igd_log_message_bound(shortmsg), ==, "prepared 0000:00:02.0 for 'win10'");
    g_assert_cmpuint(strlen(igd_log_message_bound(exact)), ==, 2048);
    g_assert_true(g_str_has_suffix(exact, "aaa"));
    g_assert_cmpuint(strlen(igd_log_message_bound(longmsg)), ==, 2048);
    g_assert_true(g_str_has_suffix(longmsg, "bb..."));
    g_assert_null(igd_log_message_bound(NULL));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/address/good", test_address_good);
    g_test_add_func("/address/bad", test_address_bad);
    g_test_add_func("/sysroot/paths", test_sysroot);
    g_test_add_func("/sysroot/write-confined", test_sysroot_write_confined);
    g_test_add_func("/json/writer", test_json);
    g_test_add_func("/json/not-utf8", test_json_not_utf8);
    g_test_add_func("/shown/bounded-escaped", test_shown);
    g_test_add_func("/shown/log-message-bound", test_log_message_bound);
    return g_test_run();
}
