/*
 * test-setup-undo.c: `igd-assign setup` and `undo` against libvirt's test
 * driver. test:///default keeps its state only inside one process (and only
 * while a connection is open), so the CLI runs in this process: the tools sources
 * are built into tests/libigdcli.a with main() renamed igd_assign_main(),
 * and this program holds a connection open to look at the definitions.
 *
 *   - setup --dry-run / --diff change nothing;
 *   - setup defines the rewritten definition (libvirt validates it), undo
 *     gives back libvirt's formatting of the definition before, exactly;
 *   - setup refuses to detach a node device that is not an Intel
 *     display device, and rolls back when the detach fails
 *     (tests/domxmldata/setup/nodedevs.xml);
 *   - errors leave stdout empty.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "igd-domxml.h"
#include "igd-test.h"

int igd_assign_main(int argc, char **argv);

static virConnectPtr conn;
static char *empty_root;

typedef struct {
    int status;
    char *out;
    char *err;
} Run;

static void
run_clear(Run *r)
{
    g_free(r->out);
    g_free(r->err);
}

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

/* Run the CLI in this process with stdout and stderr captured. */
static void
run_cli(Run *r, const char *const *args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *out_path = NULL;
    g_autofree char *err_path = NULL;
    int out_fd = g_file_open_tmp("igd-out-XXXXXX", &out_path, NULL);
    int err_fd = g_file_open_tmp("igd-err-XXXXXX", &err_path, NULL);
    int saved_out, saved_err;

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
    r->status = igd_assign_main((int)argv->len - 1, (char **)argv->pdata);
    fflush(stdout);
    fflush(stderr);
    r->out = capture_end(saved_out, STDOUT_FILENO, out_path);
    r->err = capture_end(saved_err, STDERR_FILENO, err_path);
    {
        g_autofree char *line = g_strjoinv(" ", (char **)argv->pdata);
        g_test_message("%s → %d\nstdout: %.300s\nstderr: %s", line, r->status, r->out, r->err);
    }
}

static char *
dumpxml(const char *name)
{
    virDomainPtr d = virDomainLookupByName(conn, name);
    char *x, *ret;

    g_assert_nonnull(d);
    x = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE);
    g_assert_nonnull(x);
    ret = g_strdup(x);
    free(x);
    virDomainFree(d);
    return ret;
}

static void
define_case(const char *rel)
{
    g_autofree char *path = igd_test_srcpath(rel);
    g_autofree char *xml = NULL;
    virDomainPtr d;

    g_assert_true(g_file_get_contents(path, &xml, NULL, NULL));
    d = virDomainDefineXMLFlags(conn, xml, VIR_DOMAIN_DEFINE_VALIDATE);
    g_assert_nonnull(d);
    virDomainFree(d);
}

static void
test_round_trip(void)
{
    g_autofree char *before = NULL;
    g_autofree char *after_setup = NULL;
    g_autofree char *after_undo = NULL;
    Run r = { 0 };

    define_case("domxmldata/spice-qxl.xml");
    before = dumpxml("spice-qxl");

    /* --dry-run: the new definition on stdout, nothing defined */
    run_cli(&r, (const char *const[]){ "-c", "test:///default", "--sysfs-root", empty_root, "setup", "spice-qxl",
                                       "--mode", "legacy", "--dry-run", NULL });
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "<igd:assign"));
    g_assert_nonnull(strstr(r.out, "<model type=\"none\"/>"));
    {
        g_autofree char *now = dumpxml("spice-qxl");
        g_assert_cmpstr(now, ==, before);
    }
    run_clear(&r);

    /* --diff --dry-run: a unified diff, nothing defined */
    run_cli(&r, (const char *const[]){ "-c", "test:///default", "--sysfs-root", empty_root, "setup", "spice-qxl",
                                       "--mode", "legacy", "--diff", "--dry-run", NULL });
    g_assert_cmpint(r.status, ==, 0);
    g_assert_true(g_str_has_prefix(r.out, "--- before"));
    g_assert_nonnull(strstr(r.out, "\n-    <graphics type=\"spice\""));
    g_assert_nonnull(strstr(r.out, "\n+    <hostdev mode=\"subsystem\" type=\"pci\" managed=\"no\">"));
    {
        g_autofree char *now = dumpxml("spice-qxl");
        g_assert_cmpstr(now, ==, before);
    }
    run_clear(&r);

    /* setup (no node devices on test:///default: --no-detach) */
    run_cli(&r, (const char *const[]){ "-c", "test:///default", "--sysfs-root", empty_root, "setup", "spice-qxl",
                                       "--mode", "legacy", "--no-detach", NULL });
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "defined for legacy IGD assignment of 0000:00:02.0"));
    after_setup = dumpxml("spice-qxl");
    g_assert_cmpstr(after_setup, !=, before);
    {
        g_autoptr(IgdDomain) dom = igd_domain_read(after_setup, strlen(after_setup), NULL, NULL);
        g_autoptr(GPtrArray) broken = NULL;

        g_assert_nonnull(dom);
        g_assert_true(dom->has_metadata);
        g_assert_cmpint(dom->mode, ==, IGD_MODE_LEGACY);
        broken = igd_domxml_verify(dom, NULL);
        for (guint i = 0; i < broken->len; i++)
            g_error("libvirt's definition breaks %s", ((const IgdFinding *)g_ptr_array_index(broken, i))->id);
    }
    g_assert_null(strstr(after_setup, "<graphics"));
    run_clear(&r);

    /* setup again: nothing to change */
    run_cli(&r, (const char *const[]){ "-c", "test:///default", "--sysfs-root", empty_root, "setup", "spice-qxl",
                                       "--mode", "legacy", "--no-detach", NULL });
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "already set up"));
    {
        g_autofree char *now = dumpxml("spice-qxl");
        g_assert_cmpstr(now, ==, after_setup);
    }
    run_clear(&r);

    /* undo: libvirt's formatting of the definition before, exactly, with <igd:undone/> in its metadata
     * (igd-assignd's watcher leaves it alone until setup) */
    run_cli(&r, (const char *const[]){ "-c", "test:///default", "undo", "spice-qxl", NULL });
    g_assert_cmpint(r.status, ==, 0);
    after_undo = dumpxml("spice-qxl");
    {
        g_autoptr(GRegex) marker = g_regex_new("  <metadata>\n    <igd:undone xmlns:igd=\"" IGD_DOMAIN_NS "\" "
                                               "at=\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\"/>\n"
                                               "  </metadata>\n", 0, 0, NULL);
        g_autofree char *unmarked = g_regex_replace_literal(marker, after_undo, -1, 0, "", 0, NULL);
        g_autoptr(IgdDomain) dom = igd_domain_read(after_undo, strlen(after_undo), NULL, NULL);

        g_assert_cmpstr(unmarked, ==, before);
        g_assert_true(dom->undone);
        g_assert_false(dom->has_metadata);
    }
    run_clear(&r);

    /* undo of a definition igd-assign did not make: exit 1, nothing changed */
    run_cli(&r, (const char *const[]){ "-c", "test:///default", "undo", "spice-qxl", NULL });
    g_assert_cmpint(r.status, ==, 1);
    g_assert_cmpstr(r.out, ==, "");
    g_assert_nonnull(strstr(r.err, "no <igd:assign> metadata"));
    run_clear(&r);
}

static void
test_refusals(void)
{
    g_autofree char *before = NULL;
    Run r = { 0 };

    define_case("domxmldata/q35.xml");
    before = dumpxml("q35");

    /* legacy on q35: exit 1, stdout empty, definition unchanged */
    run_cli(&r, (const char *const[]){ "-c", "test:///default", "--sysfs-root", empty_root, "setup", "q35", "--mode",
                                       "legacy", "--no-detach", NULL });
    g_assert_cmpint(r.status, ==, 1);
    g_assert_cmpstr(r.out, ==, "");
    g_assert_nonnull(strstr(r.err, "igd-assign: setup q35: legacy mode needs an i440fx machine"));
    g_assert_nonnull(strstr(r.err, "\nhint: "));
    {
        g_autofree char *now = dumpxml("q35");
        g_assert_cmpstr(now, ==, before);
    }
    run_clear(&r);

    /* no such domain: exit 3 (environment), stdout empty */
    run_cli(&r, (const char *const[]){ "-c", "test:///default", "--sysfs-root", empty_root, "setup", "nosuchdomain",
                                       "--mode", "upt", NULL });
    g_assert_cmpint(r.status, ==, 3);
    g_assert_cmpstr(r.out, ==, "");
    run_clear(&r);

    /* usage errors: exit 2 */
    run_cli(&r, (const char *const[]){ "-c", "test:///default", "setup", NULL });
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);
    run_cli(&r, (const char *const[]){ "-c", "test:///default", "setup", "q35", "--host", "0000:00:02", NULL });
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);
}

static void
test_detach(void)
{
    g_autofree char *node = igd_test_srcpath("domxmldata/setup/nodedevs.xml");
    g_autofree char *uri = g_strdup_printf("test://%s", node);
    Run r = { 0 };

    /* a virtio NIC named as the IGD: refused before anything changes */
    run_cli(&r, (const char *const[]){ "-c", uri, "--sysfs-root", empty_root, "setup", "guest", "--mode", "legacy",
                                       "--host", "0000:00:03.0", NULL });
    g_assert_cmpint(r.status, ==, 1);
    g_assert_cmpstr(r.out, ==, "");
    g_assert_nonnull(strstr(r.err, "refusing to detach node device 'pci_0000_00_03_0'"));
    g_assert_nonnull(strstr(r.err, "vendor 0x1af4 class 0x020000, not an Intel display device"));
    run_clear(&r);

    /* the Intel device: the test driver cannot detach, so setup fails and says the definition was kept */
    run_cli(&r, (const char *const[]){ "-c", uri, "--sysfs-root", empty_root, "setup", "guest", "--mode", "legacy",
                                       NULL });
    g_assert_cmpint(r.status, ==, 3);
    g_assert_cmpstr(r.out, ==, "");
    g_assert_nonnull(strstr(r.err, "cannot detach the IGD to vfio-pci"));
    g_assert_nonnull(strstr(r.err, "the definition was left as it was"));
    g_assert_null(strstr(r.err, "could not restore"));
    run_clear(&r);
}

static void
test_nodedev_xml(void)
{
    /* igd_virt_nodedev_is_intel_display() is reached through setup above; broken XML here */
    Run r = { 0 };
    run_cli(&r, (const char *const[]){ "-c", "test:///default", "undo", "--bogus", NULL });
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);
}

static void
virt_silent(void *ud, virErrorPtr e)
{
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    virSetErrorFunc(NULL, virt_silent);
    /* held open so test:///default keeps its state between CLI runs */
    conn = virConnectOpen("test:///default");
    g_assert_nonnull(conn);
    empty_root = igd_test_mkdtemp();

    g_test_add_func("/setup-undo/round-trip", test_round_trip);
    g_test_add_func("/setup-undo/refusals", test_refusals);
    g_test_add_func("/setup-undo/detach", test_detach);
    g_test_add_func("/setup-undo/usage", test_nodedev_xml);
    ret = g_test_run();

    igd_test_rmtree(empty_root);
    g_free(empty_root);
    virConnectClose(conn);
    return ret;
}
