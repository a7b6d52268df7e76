/*
 * test-watcher.c: the libvirt watcher of igd-assignd (daemon/igd-watcher.c).
 * The policy on domain definitions (tests/data/daemon/watch/, see its
 * README) against the captured host skl-ideapad-vfio, its idempotence (the
 * guard against a redefinition loop), and the event plumbing on libvirt's
 * test driver (test:///default), where a domain without an IGD is seen and
 * left alone.
 */
#include "config.h"

#include <libvirt/libvirt.h>

#include "igd-common.h"
#include "igd-domain.h"
#include "igd-domxml.h"
#include "igd-requirements.h"
#include "igd-test.h"
#include "igd-watcher.h"

/* The host the cases are judged on, and its IGD as the watcher gathers it (no QEMU probed). */
typedef struct {
    IgdSysroot *sysroot;
    IgdSnapshot *snapshot;
} Host;

static void
host_open(Host *h, const char *root)
{
    g_autoptr(GError) error = NULL;
    IgdPciAddress addr = { 0, 0, 2, 0 };

    h->sysroot = igd_sysroot_new(root);
    h->snapshot = igd_snapshot_gather(h->sysroot, &addr,
                                      igd_requirements_parts(IGD_SCOPE_LEGACY) & ~IGD_SNAPSHOT_QEMU, &error);
    g_assert_no_error(error);
    g_assert_nonnull(h->snapshot);
}

static void
host_skl(Host *h)
{
    g_autofree char *root = igd_test_srcpath("data/hosts/skl-ideapad-vfio");

    host_open(h, root);
}

static void
host_clear(Host *h)
{
    g_clear_pointer(&h->snapshot, igd_snapshot_free);
    g_clear_pointer(&h->sysroot, igd_sysroot_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Host, host_clear)

static char *
load(const char *name, gsize *len)
{
    g_autofree char *rel = g_strconcat("data/daemon/watch/", name, NULL);
    g_autofree char *path = igd_test_srcpath(rel);
    char *xml = NULL;

    g_assert_true(g_file_get_contents(path, &xml, len, NULL));
    return xml;
}

/* The rules @xml breaks, read as the watcher reads it (igd_domain_read() with the host's sysroot). */
static guint
n_problems(const char *xml, const Host *h)
{
    IgdDomainReadOptions ro = { NULL, h->sysroot };
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdDomain) dom = igd_domain_read(xml, strlen(xml), &ro, &error);
    g_autoptr(GPtrArray) broken = NULL;

    g_assert_no_error(error);
    broken = igd_domxml_verify(dom, h->snapshot);
    for (guint i = 0; i < broken->len; i++)
        g_test_message("broken %s: %s", ((const IgdFinding *)g_ptr_array_index(broken, i))->id,
                       ((const IgdFinding *)g_ptr_array_index(broken, i))->message);
    return broken->len;
}

static void
test_display_added(void)
{
    g_auto(Host) h = { 0 };
    gsize len = 0;
    g_autofree char *xml = load("legacy-display-added.xml", &len);
    g_autofree char *out = NULL;
    g_autofree char *again = NULL;
    g_autoptr(GError) error = NULL;

    host_skl(&h);
    /* A VNC display and a QXL card added to a legacy domain break its rules ... */
    g_assert_cmpuint(n_problems(xml, &h), >, 0);
    g_assert_true(igd_watcher_adjust(xml, len, h.sysroot, h.snapshot, FALSE, &out, &error));
    g_assert_no_error(error);
    g_assert_nonnull(out);
    /* ... and the adjusted definition has neither, keeps the rest, and passes. */
    g_assert_null(strstr(out, "<graphics"));
    g_assert_nonnull(strstr(out, "<model type=\"none\"/>"));
    g_assert_nonnull(strstr(out, "igd-watch.qcow2"));
    g_assert_nonnull(strstr(out, "mode=\"legacy\""));
    g_assert_cmpuint(n_problems(out, &h), ==, 0);
    /* Its own DEFINED event: nothing to do, so no loop. */
    g_assert_true(igd_watcher_adjust(out, strlen(out), h.sysroot, h.snapshot, FALSE, &again, &error));
    g_assert_no_error(error);
    g_assert_null(again);
}

static void
test_clean(void)
{
    g_auto(Host) h = { 0 };
    gsize len = 0;
    g_autofree char *xml = load("legacy-clean.xml", &len);
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;

    host_skl(&h);
    g_assert_true(igd_watcher_adjust(xml, len, h.sysroot, h.snapshot, FALSE, &out, &error));
    g_assert_no_error(error);
    g_assert_null(out);
}

static void
test_not_igd(void)
{
    g_auto(Host) h = { 0 };
    gsize len = 0;
    g_autofree char *xml = load("plain.xml", &len);
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;

    host_skl(&h);
    /* Even with adjust-hostdevs: no IGD, nothing to do. */
    g_assert_true(igd_watcher_adjust(xml, len, h.sysroot, h.snapshot, TRUE, &out, &error));
    g_assert_no_error(error);
    g_assert_null(out);
}

static void
test_hostdev_policy(void)
{
    g_auto(Host) h = { 0 };
    gsize len = 0;
    g_autofree char *xml = load("hostdev-no-metadata.xml", &len);
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;

    host_skl(&h);
    /* An IGD hostdev at guest 02.0 with a SPICE display, no <igd:assign>: left alone by default ... */
    g_assert_cmpuint(n_problems(xml, &h), >, 0);
    g_assert_true(igd_watcher_adjust(xml, len, h.sysroot, h.snapshot, FALSE, &out, &error));
    g_assert_null(out);
    /* ... adjusted (as legacy, inferred from 02.0) when adjust-hostdevs is set. */
    g_assert_true(igd_watcher_adjust(xml, len, h.sysroot, h.snapshot, TRUE, &out, &error));
    g_assert_no_error(error);
    g_assert_nonnull(out);
    g_assert_null(strstr(out, "<graphics"));
    g_assert_cmpuint(n_problems(out, &h), ==, 0);
}

static void
test_cannot_fix(void)
{
    g_auto(Host) h = { 0 };
    gsize len = 0;
    g_autofree char *xml = load("legacy-q35.xml", &len);
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;

    host_skl(&h);
    /* Legacy metadata on a q35 machine: the rewrite refuses, the watcher defines nothing. */
    g_assert_false(igd_watcher_adjust(xml, len, h.sysroot, h.snapshot, FALSE, &out, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED);
    g_assert_null(out);
}

static void
test_events(void)
{
    g_autoptr(IgdWatcher) w = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *root = igd_test_srcpath("data/hosts/skl-ideapad-vfio");
    g_autoptr(IgdSysroot) sysroot = igd_sysroot_new(root);
    IgdWatcherOptions opts = { "test:///default", TRUE, "" };
    virConnectPtr conn;
    virDomainPtr dom;
    const char *xml = "<domain type='test'><name>igd-watch-plain</name><memory>65536</memory>"
                      "<os><type>hvm</type></os></domain>";

    w = igd_watcher_new(&opts, sysroot, &error);
    g_assert_no_error(error);
    conn = virConnectOpen("test:///default");
    g_assert_nonnull(conn);
    dom = virDomainDefineXML(conn, xml);
    g_assert_nonnull(dom);
    for (guint i = 0; i < 500 && igd_watcher_get_seen(w) == 0; i++)
        g_usleep(10000);
    g_assert_cmpuint(igd_watcher_get_seen(w), >=, 1);
    g_assert_cmpuint(igd_watcher_get_redefined(w), ==, 0);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    virConnectClose(conn);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/watcher/adjust/display-added", test_display_added);
    g_test_add_func("/watcher/adjust/clean", test_clean);
    g_test_add_func("/watcher/adjust/not-igd", test_not_igd);
    g_test_add_func("/watcher/adjust/hostdev-policy", test_hostdev_policy);
    g_test_add_func("/watcher/adjust/cannot-fix", test_cannot_fix);
    g_test_add_func("/watcher/events/test-driver", test_events);
    return g_test_run();
}
