/*
 * test-watcher.c: the libvirt watcher of igd-assignd (daemon/igd-watcher.c).
 * The policy on domain definitions (tests/data/daemon/watch/, see its
 * README) against the captured host skl-ideapad-vfio, its idempotence (the
 * guard against a redefinition loop), and the event plumbing on libvirt's
 * test driver (test:///default), where a domain without an IGD is seen and
 * left alone.
 */
#include "config.h"

#include <glib/gstdio.h>
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

/*
 * libvirt reads the fields of a PCI <address> with base 0: slot='10' is
 * slot ten (tests/test-domxml.c /domxml/regress/decimal-slot). The watcher
 * reads domains with igd_domain_read() and so the same way. The host: a copy
 * of skl-ideapad-vfio whose IGD sits at 0000:00:0a.0 (its ROM, like the
 * original's, cannot be read), and a legacy domain for it (the watch case
 * legacy-display-added.xml, VNC and QXL added) whose hostdev names the host
 * device as slot='10' and carries its own <rom file>. The watcher repairs
 * it, keeping the ROM file, which makes legacy mode possible without the
 * device's ROM. Before issue 9 the watcher found the domain's ROM file with
 * its own reader, which took slot='10' for 0x10: it lost the ROM file, and
 * the legacy rewrite refused ("the IGD's ROM could not be read").
 *
 * The IGD's guest address written slot='10' (a UPT domain) is 00:0a.0 the
 * same way: UPT, nothing to repair, exactly as with slot='0x0a'.
 */
static void
test_decimal_slot(void)
{
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *captured = igd_test_srcpath("data/hosts/skl-ideapad-vfio");
    g_autofree char *from = g_build_filename(dir, "sys/bus/pci/devices/0000:00:02.0", NULL);
    g_autofree char *to = g_build_filename(dir, "sys/bus/pci/devices/0000:00:0a.0", NULL);
    g_autoptr(IgdSysroot) sysroot = NULL;
    g_autoptr(IgdSnapshot) snapshot = NULL;
    g_autoptr(GError) error = NULL;
    IgdPciAddress at0a = { 0, 0, 10, 0 };
    gsize len = 0;
    g_autofree char *base = load("legacy-display-added.xml", &len);
    g_autoptr(GString) xml = g_string_new(base);
    g_autofree char *out = NULL;

    igd_test_copytree(captured, dir);
    g_assert_cmpint(g_rename(from, to), ==, 0);
    sysroot = igd_sysroot_new(dir);
    snapshot = igd_snapshot_gather(sysroot, &at0a, igd_requirements_parts(IGD_SCOPE_LEGACY) & ~IGD_SNAPSHOT_QEMU,
                                   &error);
    g_assert_no_error(error);
    g_assert_null(snapshot->rom);

    g_assert_cmpuint(g_string_replace(xml, "host=\"0000:00:02.0\"", "host=\"0000:00:0a.0\"", 0), ==, 1);
    g_assert_cmpuint(g_string_replace(xml, "<address domain=\"0x0000\" bus=\"0x00\" slot=\"0x02\" function=\"0x0\"/>",
                                      "<address domain=\"0\" bus=\"0\" slot=\"10\" function=\"0\"/>", 0), ==, 1);
    g_assert_nonnull(strstr(xml->str, "<rom file=\"/usr/share/igd/vbios.rom\"/>"));
    {
        IgdDomainReadOptions ro = { NULL, sysroot };
        g_autoptr(IgdDomain) dom = igd_domain_read(xml->str, xml->len, &ro, &error);
        g_assert_no_error(error);
        g_assert_true(igd_pci_address_equal(&dom->host, &at0a));
        g_assert_cmpuint(dom->igd_hostdevs->len, ==, 1);
        g_assert_cmpstr(igd_domain_get_igd(dom)->rom_file, ==, "/usr/share/igd/vbios.rom");
    }
    g_assert_true(igd_watcher_adjust(xml->str, xml->len, sysroot, snapshot, FALSE, &out, &error));
    g_assert_no_error(error);
    g_assert_nonnull(out);
    g_assert_null(strstr(out, "<graphics"));
    g_assert_nonnull(strstr(out, "<rom file=\"/usr/share/igd/vbios.rom\"/>"));
    /* the source says 00:0a.0 in its own spelling, so the rewrite leaves it as it is */
    g_assert_nonnull(strstr(out, "<address domain=\"0\" bus=\"0\" slot=\"10\" function=\"0\"/>"));

    /* the guest address: UPT at guest slot '10' and at '0x0a' are the same domain */
    {
        static const char *const spellings[] = { "10", "0x0a" };
        for (gsize i = 0; i < G_N_ELEMENTS(spellings); i++) {
            g_autofree char *upt = g_strdup_printf(
                "<domain type='kvm'><name>u</name><uuid>6d0c3b8e-2f1a-4c55-9e0b-1f7a2c3d4e5f</uuid><metadata>"
                "<igd:assign xmlns:igd='" IGD_DOMAIN_NS "' mode='upt' host='0000:00:0a.0'/></metadata>"
                "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                "<video><model type='vga'/></video>"
                "<hostdev mode='subsystem' type='pci' managed='no'><driver name='vfio'/><source>"
                "<address domain='0' bus='0' slot='10' function='0'/></source><alias name='ua-igd'/>"
                "<address type='pci' domain='0' bus='0' slot='%s' function='0'/></hostdev></devices></domain>",
                spellings[i]);
            IgdDomainReadOptions ro = { NULL, sysroot };
            g_autoptr(IgdDomain) dom = igd_domain_read(upt, strlen(upt), &ro, &error);
            g_autofree char *again = NULL;

            g_assert_no_error(error);
            g_assert_cmpuint(igd_domain_get_igd(dom)->guest.slot, ==, 10);
            g_assert_true(igd_watcher_adjust(upt, strlen(upt), sysroot, snapshot, FALSE, &again, &error));
            g_assert_no_error(error);
            g_assert_null(again);
        }
    }
    igd_test_rmtree(dir);
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
    g_test_add_func("/watcher/adjust/decimal-slot", test_decimal_slot);
    g_test_add_func("/watcher/events/test-driver", test_events);
    return g_test_run();
}
