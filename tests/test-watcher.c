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
#include "igd-domxml.h"
#include "igd-test.h"
#include "igd-watcher.h"

static IgdHostFacts *
host_facts(void)
{
    g_autofree char *root = igd_test_srcpath("data/hosts/skl-ideapad-vfio");
    g_autoptr(IgdSysroot) sysroot = igd_sysroot_new(root);
    g_autoptr(GError) error = NULL;
    IgdHostFacts *facts = igd_host_facts_gather(sysroot, NULL, "", NULL, &error);

    g_assert_no_error(error);
    g_assert_true(facts->present);
    return facts;
}

static char *
load(const char *name, gsize *len)
{
    g_autofree char *rel = g_strconcat("data/daemon/watch/", name, NULL);
    g_autofree char *path = igd_test_srcpath(rel);
    char *xml = NULL;

    g_assert_true(g_file_get_contents(path, &xml, len, NULL));
    return xml;
}

static guint
n_problems(const char *xml, const IgdHostFacts *facts)
{
    IgdDomXmlVerdict v;
    g_autoptr(GError) error = NULL;
    guint n;

    memset(&v, 0, sizeof v);
    g_assert_true(igd_domxml_verify(xml, strlen(xml), facts, &v, &error));
    n = v.problems ? v.problems->len : 0;
    igd_domxml_verdict_clear(&v);
    return n;
}

static void
test_display_added(void)
{
    g_autoptr(IgdHostFacts) facts = host_facts();
    gsize len = 0;
    g_autofree char *xml = load("legacy-display-added.xml", &len);
    g_autofree char *out = NULL;
    g_autofree char *again = NULL;
    g_autoptr(GError) error = NULL;

    /* A VNC display and a QXL card added to a legacy domain break its rules ... */
    g_assert_cmpuint(n_problems(xml, facts), >, 0);
    igd_watcher_adjust(xml, len, facts, FALSE, &out, &error);
    g_assert_no_error(error);
    g_assert_nonnull(out);
    /* ... and the adjusted definition has neither, keeps the rest, and passes. */
    g_assert_null(strstr(out, "<graphics"));
    g_assert_nonnull(strstr(out, "<model type=\"none\"/>"));
    g_assert_nonnull(strstr(out, "igd-watch.qcow2"));
    g_assert_nonnull(strstr(out, "mode=\"legacy\""));
    g_assert_cmpuint(n_problems(out, facts), ==, 0);
    /* Its own DEFINED event: nothing to do, so no loop. */
    g_assert_true(igd_watcher_adjust(out, strlen(out), facts, FALSE, &again, &error));
    g_assert_no_error(error);
    g_assert_null(again);
}

static void
test_clean(void)
{
    g_autoptr(IgdHostFacts) facts = host_facts();
    gsize len = 0;
    g_autofree char *xml = load("legacy-clean.xml", &len);
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true(igd_watcher_adjust(xml, len, facts, FALSE, &out, &error));
    g_assert_no_error(error);
    g_assert_null(out);
}

static void
test_not_igd(void)
{
    g_autoptr(IgdHostFacts) facts = host_facts();
    gsize len = 0;
    g_autofree char *xml = load("plain.xml", &len);
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;

    /* Even with adjust-hostdevs: no IGD, nothing to do. */
    g_assert_true(igd_watcher_adjust(xml, len, facts, TRUE, &out, &error));
    g_assert_no_error(error);
    g_assert_null(out);
}

static void
test_hostdev_policy(void)
{
    g_autoptr(IgdHostFacts) facts = host_facts();
    gsize len = 0;
    g_autofree char *xml = load("hostdev-no-metadata.xml", &len);
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;

    /* An IGD hostdev at guest 02.0 with a SPICE display, no <igd:assign>: left alone by default ... */
    g_assert_cmpuint(n_problems(xml, facts), >, 0);
    g_assert_true(igd_watcher_adjust(xml, len, facts, FALSE, &out, &error));
    g_assert_null(out);
    /* ... adjusted (as legacy, inferred from 02.0) when adjust-hostdevs is set. */
    g_assert_true(igd_watcher_adjust(xml, len, facts, TRUE, &out, &error));
    g_assert_no_error(error);
    g_assert_nonnull(out);
    g_assert_null(strstr(out, "<graphics"));
    g_assert_cmpuint(n_problems(out, facts), ==, 0);
}

static void
test_cannot_fix(void)
{
    g_autoptr(IgdHostFacts) facts = host_facts();
    gsize len = 0;
    g_autofree char *xml = load("legacy-q35.xml", &len);
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;

    /* Legacy metadata on a q35 machine: the rewrite refuses, the watcher defines nothing. */
    g_assert_false(igd_watcher_adjust(xml, len, facts, FALSE, &out, &error));
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
