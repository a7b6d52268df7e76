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
#include "igd-watchlog.h"

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

/* The watcher's decision on @xml over host @h. */
static void
decide(const char *xml, gsize len, const Host *h, gboolean adjust_hostdevs, IgdWatchDecision *d)
{
    g_autoptr(GError) error = NULL;

    igd_watch_decision_init(d);
    g_assert_true(igd_watcher_decide(xml, len, h->sysroot, h->snapshot, adjust_hostdevs, d, &error));
    g_assert_no_error(error);
    for (guint i = 0; i < d->changes->len; i++)
        g_test_message("change: %s", ((const IgdFinding *)g_ptr_array_index(d->changes, i))->message);
    if (d->why)
        g_test_message("why: %s", d->why);
}

/* TRUE when one of @changes says @message exactly. */
static gboolean
says(GPtrArray *changes, const char *message)
{
    for (guint i = 0; i < changes->len; i++)
        if (g_str_equal(((const IgdFinding *)g_ptr_array_index(changes, i))->message, message))
            return TRUE;
    return FALSE;
}

/*
 * A display added to a legacy domain (a VNC display and a QXL card, what
 * virt-manager adds): legacy mode would remove both, UPT keeps them and
 * works on this Skylake (gen 9), so the domain switches to UPT with its
 * display; the result, seen again, needs nothing (no loop).
 */
static void
test_display_added(void)
{
    g_auto(Host) h = { 0 };
    gsize len = 0;
    g_autofree char *xml = load("legacy-display-added.xml", &len);
    IgdWatchDecision d, again;

    host_skl(&h);
    g_assert_cmpuint(n_problems(xml, &h), >, 0);
    decide(xml, len, &h, FALSE, &d);
    g_assert_cmpint(d.action, ==, IGD_WATCH_SWITCHED);
    g_assert_cmpint(d.from, ==, IGD_MODE_LEGACY);
    g_assert_cmpint(d.mode, ==, IGD_MODE_UPT);
    g_assert_nonnull(d.out);
    /* the edit is kept, the rest too */
    g_assert_nonnull(strstr(d.out, "<graphics type=\"vnc\""));
    g_assert_nonnull(strstr(d.out, "<model type=\"qxl\"/>"));
    g_assert_nonnull(strstr(d.out, "igd-watch.qcow2"));
    g_assert_nonnull(strstr(d.out, "mode=\"upt\""));
    g_assert_cmpuint(n_problems(d.out, &h), ==, 0);
    /* why, and every change, as the log line says them */
    g_assert_cmpstr(d.why, ==, "legacy mode would remove <video> model 'qxl', <graphics type='vnc'>");
    g_assert_true(says(d.changes, "moved the IGD to guest address 00:03.0"));
    g_assert_true(says(d.changes, "switched to UPT mode (was legacy)"));
    g_assert_cmpuint(igd_findings_count(d.changes, IGD_SEVERITY_WARN), ==, 0); /* nothing removed */
    /* what it broke, for the record */
    g_assert_nonnull(igd_findings_find(d.broken, "legacy-graphics"));
    g_assert_nonnull(igd_findings_find(d.broken, "legacy-video"));
    /* its own DEFINED event: nothing to do, so no loop */
    decide(d.out, strlen(d.out), &h, FALSE, &again);
    g_assert_cmpint(again.action, ==, IGD_WATCH_NOTHING);
    g_assert_null(again.out);
    igd_watch_decision_clear(&again);
    igd_watch_decision_clear(&d);
}

/* The same edit where UPT cannot work (a Haswell, gen 7: no guest driver for UPT): left as it is, rules recorded. */
static void
test_display_added_no_upt(void)
{
    g_auto(Host) h = { 0 };
    g_autofree char *root = igd_test_srcpath("data/hosts/hsw-dell-latitude-e6540-i7-4800mq");
    gsize len = 0;
    g_autofree char *xml = load("legacy-display-added.xml", &len);
    IgdWatchDecision d;

    host_open(&h, root);
    g_assert_cmpuint(h.snapshot->platform->gen, ==, 7);
    decide(xml, len, &h, FALSE, &d);
    g_assert_cmpint(d.action, ==, IGD_WATCH_LEFT);
    g_assert_null(d.out);
    g_assert_nonnull(igd_findings_find(d.broken, "legacy-graphics"));
    g_assert_nonnull(strstr(d.why, "legacy mode would remove <video> model 'qxl', <graphics type='vnc'>"));
    g_assert_nonnull(strstr(d.why, "; UPT mode is not possible here: Haswell (gen 7) has no guest driver support "
                                   "for UPT, which starts with Broadwell"));
    igd_watch_decision_clear(&d);
}

/* The IGD moved off 00:02.0 in a legacy domain: moving it back takes nothing away, so legacy it stays. */
static void
test_moved_back(void)
{
    g_auto(Host) h = { 0 };
    gsize len = 0;
    g_autofree char *clean = load("legacy-clean.xml", &len);
    g_autoptr(GString) xml = g_string_new(clean);
    IgdWatchDecision d;

    host_skl(&h);
    g_assert_cmpuint(g_string_replace(xml, "<address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x02\"",
                                      "<address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x07\"", 1),
                     ==, 1);
    decide(xml->str, xml->len, &h, FALSE, &d);
    g_assert_cmpint(d.action, ==, IGD_WATCH_ADJUSTED);
    g_assert_cmpint(d.mode, ==, IGD_MODE_LEGACY);
    g_assert_cmpuint(d.changes->len, ==, 1);
    g_assert_true(says(d.changes, "moved the IGD to guest address 00:02.0"));
    g_assert_cmpuint(n_problems(d.out, &h), ==, 0);
    igd_watch_decision_clear(&d);
}

static void
test_clean(void)
{
    g_auto(Host) h = { 0 };
    gsize len = 0;
    g_autofree char *xml = load("legacy-clean.xml", &len);
    IgdWatchDecision d;

    host_skl(&h);
    decide(xml, len, &h, FALSE, &d);
    g_assert_cmpint(d.action, ==, IGD_WATCH_NOTHING);
    g_assert_null(d.out);
    g_assert_cmpuint(d.broken->len, ==, 0);
    igd_watch_decision_clear(&d);
}

static void
test_not_igd(void)
{
    g_auto(Host) h = { 0 };
    gsize len = 0;
    g_autofree char *xml = load("plain.xml", &len);
    IgdWatchDecision d;

    host_skl(&h);
    /* Even with adjust-hostdevs: no IGD, nothing to do. */
    decide(xml, len, &h, TRUE, &d);
    g_assert_cmpint(d.action, ==, IGD_WATCH_NOTHING);
    igd_watch_decision_clear(&d);
}

static void
test_hostdev_policy(void)
{
    g_auto(Host) h = { 0 };
    gsize len = 0;
    g_autofree char *xml = load("hostdev-no-metadata.xml", &len);
    IgdWatchDecision d;

    host_skl(&h);
    /* An IGD hostdev at guest 02.0 with a SPICE display, no <igd:assign>: left alone by default ... */
    g_assert_cmpuint(n_problems(xml, &h), >, 0);
    decide(xml, len, &h, FALSE, &d);
    g_assert_cmpint(d.action, ==, IGD_WATCH_NOTHING);
    igd_watch_decision_clear(&d);
    /* ... with adjust-hostdevs, legacy (inferred from 02.0) would remove the display: UPT keeps it */
    decide(xml, len, &h, TRUE, &d);
    g_assert_cmpint(d.action, ==, IGD_WATCH_SWITCHED);
    g_assert_nonnull(strstr(d.out, "<graphics type=\"spice\""));
    g_assert_cmpuint(n_problems(d.out, &h), ==, 0);
    igd_watch_decision_clear(&d);
}

static void
test_q35(void)
{
    g_auto(Host) h = { 0 };
    gsize len = 0;
    g_autofree char *xml = load("legacy-q35.xml", &len);
    IgdWatchDecision d;

    host_skl(&h);
    /* Legacy metadata on a q35 machine (the user changed the machine): legacy cannot work there, UPT can. */
    decide(xml, len, &h, FALSE, &d);
    g_assert_cmpint(d.action, ==, IGD_WATCH_SWITCHED);
    g_assert_nonnull(strstr(d.why, "legacy mode is not possible: legacy mode needs an i440fx machine"));
    g_assert_nonnull(strstr(d.out, "machine=\"pc-q35-7.2\""));
    g_assert_nonnull(strstr(d.out, "mode=\"upt\""));
    g_assert_cmpuint(n_problems(d.out, &h), ==, 0);
    igd_watch_decision_clear(&d);
}

/* `igd-assign undo` marks the domain <igd:undone/>: left alone however it breaks the rules. */
static void
test_undone(void)
{
    g_auto(Host) h = { 0 };
    gsize len = 0, mlen = 0, olen = 0, m2len = 0;
    g_autofree char *xml = load("legacy-display-added.xml", &len);
    g_autofree char *orig = load("hostdev-no-metadata.xml", &olen);
    g_autofree char *marked = NULL, *orig_marked = NULL;
    g_autoptr(GError) error = NULL;
    IgdWatchDecision d;

    host_skl(&h);
    g_assert_true(igd_domxml_mark_undone(xml, len, NULL, &marked, &mlen, &error));
    decide(marked, mlen, &h, FALSE, &d);
    g_assert_cmpint(d.action, ==, IGD_WATCH_OPTED_OUT);
    g_assert_null(d.out);
    igd_watch_decision_clear(&d);
    /* what undo defines is the original, marked: one with an IGD hostdev and no metadata is still left
     * alone with adjust-hostdevs, which would adjust it unmarked (test_hostdev_policy) */
    g_assert_true(igd_domxml_mark_undone(orig, olen, "2025-11-24T16:00:00Z", &orig_marked, &m2len, &error));
    decide(orig_marked, m2len, &h, TRUE, &d);
    g_assert_cmpint(d.action, ==, IGD_WATCH_OPTED_OUT);
    igd_watch_decision_clear(&d);
}

/* UPT domain with the IGD put at 00:02.0: UPT moves it off again, nothing taken away. */
static void
test_upt_at_02(void)
{
    g_auto(Host) h = { 0 };
    const char *xml =
        "<domain type='kvm'><name>u</name><uuid>6d0c3b8e-2f1a-4c55-9e0b-1f7a2c3d4e5f</uuid><metadata>"
        "<igd:assign xmlns:igd='" IGD_DOMAIN_NS "' mode='upt' host='0000:00:02.0'/></metadata>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
        "<video><model type='vga'/><address type='pci' domain='0' bus='0' slot='3' function='0'/></video>"
        "<hostdev mode='subsystem' type='pci' managed='no'><driver name='vfio'/><source>"
        "<address domain='0' bus='0' slot='2' function='0'/></source><alias name='ua-igd'/>"
        "<address type='pci' domain='0' bus='0' slot='2' function='0'/></hostdev></devices></domain>";
    IgdWatchDecision d;

    host_skl(&h);
    decide(xml, strlen(xml), &h, FALSE, &d);
    g_assert_cmpint(d.action, ==, IGD_WATCH_ADJUSTED);
    g_assert_cmpint(d.mode, ==, IGD_MODE_UPT);
    g_assert_true(says(d.changes, "moved the IGD to guest address 00:04.0"));
    igd_watch_decision_clear(&d);
}

static void
test_not_a_domain(void)
{
    g_auto(Host) h = { 0 };
    g_autoptr(GError) error = NULL;
    IgdWatchDecision d;

    host_skl(&h);
    igd_watch_decision_init(&d);
    g_assert_false(igd_watcher_decide("<network/>", 10, h.sysroot, h.snapshot, TRUE, &d, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    igd_watch_decision_clear(&d);
}

/*
 * libvirt reads the fields of a PCI <address> with base 0: slot='10' is
 * slot ten (tests/test-domxml.c /domxml/regress/decimal-slot). The watcher
 * reads domains with igd_domain_read() and so the same way. The host: a copy
 * of skl-ideapad-vfio whose IGD sits at 0000:00:0a.0 (its ROM, like the
 * original's, cannot be read), and a legacy domain for it (the watch case
 * legacy-clean.xml with its IGD moved to guest 00:07.0) whose hostdev names
 * the host device as slot='10' and carries its own <rom file>. The watcher
 * repairs it in legacy mode (moving the IGD back takes nothing away),
 * keeping the ROM file, which makes legacy mode possible without the
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
    g_autofree char *base = load("legacy-clean.xml", &len);
    g_autoptr(GString) xml = g_string_new(base);
    IgdWatchDecision d;

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
    g_assert_cmpuint(g_string_replace(xml, "<address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x02\"",
                                      "<address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x07\"", 0), ==, 1);
    g_assert_nonnull(strstr(xml->str, "<rom file=\"/usr/share/igd/vbios.rom\"/>"));
    {
        IgdDomainReadOptions ro = { NULL, sysroot };
        g_autoptr(IgdDomain) dom = igd_domain_read(xml->str, xml->len, &ro, &error);
        g_assert_no_error(error);
        g_assert_true(igd_pci_address_equal(&dom->host, &at0a));
        g_assert_cmpuint(dom->igd_hostdevs->len, ==, 1);
        g_assert_cmpstr(igd_domain_get_igd(dom)->rom_file, ==, "/usr/share/igd/vbios.rom");
    }
    igd_watch_decision_init(&d);
    g_assert_true(igd_watcher_decide(xml->str, xml->len, sysroot, snapshot, FALSE, &d, &error));
    g_assert_no_error(error);
    g_assert_cmpint(d.action, ==, IGD_WATCH_ADJUSTED);
    g_assert_cmpint(d.mode, ==, IGD_MODE_LEGACY);
    g_assert_nonnull(strstr(d.out, "<rom file=\"/usr/share/igd/vbios.rom\"/>"));
    g_assert_nonnull(strstr(d.out, "slot=\"0x02\" function=\"0x0\"/>\n    </hostdev>"));
    /* the source says 00:0a.0 in its own spelling, so the rewrite leaves it as it is */
    g_assert_nonnull(strstr(d.out, "<address domain=\"0\" bus=\"0\" slot=\"10\" function=\"0\"/>"));
    igd_watch_decision_clear(&d);

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

            g_assert_no_error(error);
            g_assert_cmpuint(igd_domain_get_igd(dom)->guest.slot, ==, 10);
            igd_watch_decision_init(&d);
            g_assert_true(igd_watcher_decide(upt, strlen(upt), sysroot, snapshot, FALSE, &d, &error));
            g_assert_no_error(error);
            g_assert_cmpint(d.action, ==, IGD_WATCH_NOTHING);
            g_assert_null(d.out);
            igd_watch_decision_clear(&d);
        }
    }
    igd_test_rmtree(dir);
}

static char *dumpxml(virConnectPtr conn, const char *name);

/* How many persistent domains @uri has now. */
static int
n_domains(virConnectPtr conn)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_PERSISTENT);

    for (int i = 0; i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
    return n;
}

/*
 * The threads: every defined domain is looked at once at start (a set-up
 * legacy domain with a display added before the watcher started is
 * switched to UPT then), and each later definition through its DEFINED
 * event (a domain without an IGD, seen and left alone).
 */
static void
test_events(void)
{
    g_autoptr(IgdWatcher) w = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *root = igd_test_srcpath("data/hosts/skl-ideapad-vfio");
    g_autoptr(IgdSysroot) sysroot = igd_sysroot_new(root);
    IgdWatcherOptions opts = { "test:///default", TRUE, "", NULL, NULL, NULL, FALSE };
    virConnectPtr conn;
    virDomainPtr dom;
    gsize len = 0;
    g_autofree char *broken = load("legacy-display-added.xml", &len);
    g_autofree char *after = NULL;
    const char *xml = "<domain type='test'><name>igd-watch-plain</name><memory>65536</memory>"
                      "<os><type>hvm</type></os></domain>";
    int n0;

    /* the connection keeps test:///default's state for the watcher's own connection */
    conn = virConnectOpen("test:///default");
    g_assert_nonnull(conn);
    dom = virDomainDefineXML(conn, broken);
    g_assert_nonnull(dom);
    virDomainFree(dom);
    n0 = n_domains(conn);
    g_assert_cmpint(n0, >=, 2); /* the driver's own "test" and igd-watch */

    w = igd_watcher_new(&opts, sysroot, &error);
    g_assert_no_error(error);
    for (guint i = 0; i < 1000 && (igd_watcher_get_seen(w) < (guint)n0 || igd_watcher_get_redefined(w) == 0); i++)
        g_usleep(10000);
    /* reconciled at start: every domain looked at, the broken one adjusted */
    g_assert_cmpuint(igd_watcher_get_seen(w), >=, (guint)n0);
    g_assert_cmpuint(igd_watcher_get_redefined(w), ==, 1);
    after = dumpxml(conn, "igd-watch");
    g_assert_nonnull(strstr(after, "mode=\"upt\""));

    /* a later definition arrives as an event (its own redefinition's event came too: one more) */
    for (guint i = 0; i < 500 && igd_watcher_get_seen(w) < (guint)n0 + 1; i++)
        g_usleep(10000);
    {
        guint before = igd_watcher_get_seen(w);

        dom = virDomainDefineXML(conn, xml);
        g_assert_nonnull(dom);
        for (guint i = 0; i < 500 && igd_watcher_get_seen(w) == before; i++)
            g_usleep(10000);
        g_assert_cmpuint(igd_watcher_get_seen(w), >, before);
    }
    g_assert_cmpuint(igd_watcher_get_redefined(w), ==, 1);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    dom = virDomainLookupByName(conn, "igd-watch");
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    g_clear_pointer(&w, igd_watcher_free);
    virConnectClose(conn);
}

/* The watcher's log lines, captured. */
typedef struct {
    GPtrArray *lines; /* "LEVEL uuid: message" */
} Captured;

static void
capture_log(GLogLevelFlags level, const char *uuid, const char *message, gpointer user_data)
{
    Captured *c = user_data;

    g_ptr_array_add(c->lines, g_strdup_printf("%s %s: %s",
                                              (level & G_LOG_LEVEL_WARNING)   ? "WARNING"
                                              : (level & G_LOG_LEVEL_INFO)    ? "INFO"
                                                                              : "MESSAGE",
                                              uuid ? uuid : "-", message));
}

static char *
dumpxml(virConnectPtr conn, const char *name)
{
    virDomainPtr dom = virDomainLookupByName(conn, name);
    char *x;
    char *ret;

    g_assert_nonnull(dom);
    x = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    g_assert_nonnull(x);
    ret = g_strdup(x);
    free(x);
    virDomainFree(dom);
    return ret;
}

/*
 * The watcher's action on libvirt's test driver, in this thread
 * (igd_watcher_handle()): a display added to a legacy domain is switched to
 * UPT with one log line naming the domain and each change and a record in
 * watcher.xml; the same definition again is judged already; the broken
 * definition defined back (another program undoing the adjustment) is a
 * loop, recognised by its content (libvirt's new MAC address aside), and
 * not adjusted again, until a definition that keeps the rules and is not
 * the watcher's own ends it; a domain undefined before the watcher looks
 * at it is said in one line and not brought back.
 */
static void
test_handle(void)
{
    g_autoptr(IgdWatcher) w = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *root = igd_test_srcpath("data/hosts/skl-ideapad-vfio");
    g_autoptr(IgdSysroot) sysroot = igd_sysroot_new(root);
    g_autofree char *state = igd_test_mkdtemp();
    g_autofree char *log_path = g_build_filename(state, IGD_WATCH_LOG_FILE_NAME, NULL);
    Captured cap = { g_ptr_array_new_with_free_func(g_free) };
    IgdWatcherOptions opts = { "test:///default", FALSE, "", state, capture_log, &cap, TRUE };
    const char *uuid = "3b0a5f4e-5a8c-4f4e-9d55-0d6e2f1c7a11";
    gsize len = 0;
    g_autofree char *xml = load("legacy-display-added.xml", &len);
    g_autofree char *after = NULL, *after2 = NULL;
    g_autoptr(IgdWatchLog) records = NULL;
    const IgdWatchRecord *r;
    virConnectPtr conn;
    virDomainPtr dom;

    w = igd_watcher_new(&opts, sysroot, &error);
    g_assert_no_error(error);
    conn = virConnectOpen("test:///default");
    g_assert_nonnull(conn);
    dom = virDomainDefineXML(conn, xml);
    g_assert_nonnull(dom);
    virDomainFree(dom);

    igd_watcher_handle(w, uuid);
    g_assert_cmpuint(igd_watcher_get_redefined(w), ==, 1);
    after = dumpxml(conn, "igd-watch");
    g_assert_nonnull(strstr(after, "mode=\"upt\""));
    g_assert_nonnull(strstr(after, "<graphics type='vnc'"));
    /* one line, the domain's name and every change */
    g_assert_cmpuint(cap.lines->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(cap.lines, 0), ==,
                    "MESSAGE 3b0a5f4e-5a8c-4f4e-9d55-0d6e2f1c7a11: adjusted domain 'igd-watch' "
                    "(3b0a5f4e-5a8c-4f4e-9d55-0d6e2f1c7a11) to UPT mode, which keeps the edit (legacy mode would "
                    "remove <video> model 'qxl', <graphics type='vnc'>): moved the IGD to guest address 00:03.0; switched to UPT mode (was legacy)");
    records = igd_watch_log_load(log_path, &error);
    g_assert_no_error(error);
    r = igd_watch_log_lookup(records, uuid);
    g_assert_nonnull(r);
    g_assert_cmpstr(r->action, ==, "switched");
    g_assert_cmpstr(r->name, ==, "igd-watch");
    g_assert_cmpstr(r->mode, ==, "upt");
    g_assert_cmpuint(r->changes->len, ==, 2);

    /* its own definition, as libvirt formats it: nothing to do, nothing said */
    igd_watcher_handle(w, uuid);
    igd_watcher_handle(w, uuid);
    g_assert_cmpuint(igd_watcher_get_redefined(w), ==, 1);
    g_assert_cmpuint(cap.lines->len, ==, 1);

    /* another program defines the broken definition back: a loop, by content, not adjusted again */
    dom = virDomainDefineXML(conn, xml);
    g_assert_nonnull(dom);
    virDomainFree(dom);
    igd_watcher_handle(w, uuid);
    g_assert_cmpuint(igd_watcher_get_redefined(w), ==, 1);
    g_assert_cmpuint(cap.lines->len, ==, 2);
    g_assert_nonnull(strstr(g_ptr_array_index(cap.lines, 1), "WARNING 3b0a5f4e-5a8c-4f4e-9d55-0d6e2f1c7a11: domain "
                                                             "'igd-watch' (3b0a5f4e-5a8c-4f4e-9d55-0d6e2f1c7a11) is "
                                                             "back to a definition the watcher adjusted before"));
    after2 = dumpxml(conn, "igd-watch");
    g_assert_nonnull(strstr(after2, "mode=\"legacy\"")); /* left as the other program wants it */
    g_clear_pointer(&records, igd_watch_log_free);
    records = igd_watch_log_load(log_path, &error);
    g_assert_cmpstr(igd_watch_log_lookup(records, uuid)->action, ==, "loop");

    /* the user's own fix (a definition that keeps the rules, not the watcher's) ends the loop: the same
     * broken definition later is an edit again, and adjusted */
    {
        g_autoptr(GString) fixed = g_string_new(after);

        g_assert_cmpuint(g_string_replace(fixed, "<name>igd-watch</name>",
                                          "<name>igd-watch</name>\n  <description>fixed by hand</description>", 1),
                         ==, 1);
        dom = virDomainDefineXML(conn, fixed->str);
        g_assert_nonnull(dom);
        virDomainFree(dom);
        igd_watcher_handle(w, uuid);
        g_assert_cmpuint(cap.lines->len, ==, 3);
        g_assert_cmpstr(g_ptr_array_index(cap.lines, 2), ==,
                        "INFO 3b0a5f4e-5a8c-4f4e-9d55-0d6e2f1c7a11: domain 'igd-watch' "
                        "(3b0a5f4e-5a8c-4f4e-9d55-0d6e2f1c7a11) keeps the rules of its UPT mode");
        dom = virDomainDefineXML(conn, xml);
        g_assert_nonnull(dom);
        virDomainFree(dom);
        igd_watcher_handle(w, uuid);
        g_assert_cmpuint(igd_watcher_get_redefined(w), ==, 2);
        g_assert_cmpuint(cap.lines->len, ==, 4);
        g_assert_true(g_str_has_prefix(g_ptr_array_index(cap.lines, 3), "MESSAGE " "3b0a5f4e-5a8c-4f4e-9d55-0d6e2f1c7a11"
                                                                           ": adjusted domain 'igd-watch'"));
        g_clear_pointer(&records, igd_watch_log_free);
        records = igd_watch_log_load(log_path, &error);
        g_assert_cmpstr(igd_watch_log_lookup(records, uuid)->action, ==, "switched");
    }

    /* undefined before the watcher looks at it: one line, the record forgotten, nothing defined */
    dom = virDomainLookupByName(conn, "igd-watch");
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    igd_watcher_handle(w, uuid);
    g_assert_cmpuint(cap.lines->len, ==, 5);
    g_assert_cmpstr(g_ptr_array_index(cap.lines, 4), ==,
                    "MESSAGE 3b0a5f4e-5a8c-4f4e-9d55-0d6e2f1c7a11: domain 3b0a5f4e-5a8c-4f4e-9d55-0d6e2f1c7a11 was "
                    "undefined before the watcher looked at it: nothing to do, nothing defined");
    g_assert_null(virDomainLookupByName(conn, "igd-watch"));
    g_assert_cmpuint(igd_watcher_get_redefined(w), ==, 2);
    g_clear_pointer(&records, igd_watch_log_free);
    records = igd_watch_log_load(log_path, &error);
    g_assert_null(igd_watch_log_lookup(records, uuid));

    virConnectClose(conn);
    g_ptr_array_unref(cap.lines);
    igd_test_rmtree(state);
}

/*
 * Issue 12: every outside string in a log line is bounded and escaped. A
 * domain name of 602 bytes, non-ASCII first, is shown as igd_shown() shows
 * it (C escapes, cut at IGD_SHOWN_MAX = 256 bytes with the length said).
 */
static void
test_long_name(void)
{
    g_autoptr(IgdWatcher) w = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *root = igd_test_srcpath("data/hosts/skl-ideapad-vfio");
    g_autoptr(IgdSysroot) sysroot = igd_sysroot_new(root);
    g_autofree char *state = igd_test_mkdtemp();
    Captured cap = { g_ptr_array_new_with_free_func(g_free) };
    IgdWatcherOptions opts = { "test:///default", FALSE, "", state, capture_log, &cap, TRUE };
    const char *uuid = "3b0a5f4e-5a8c-4f4e-9d55-0d6e2f1c7a11";
    g_autofree char *xml = load("legacy-display-added.xml", NULL);
    g_autofree char *xs = g_strnfill(600, 'x');
    g_autofree char *name = g_strconcat("\xc3\xa9", xs, NULL);
    g_autofree char *tag = g_strdup_printf("<name>%s</name>", name);
    g_autoptr(GString) doc = g_string_new(xml);
    const char *line;
    virConnectPtr conn;
    virDomainPtr dom;

    g_assert_cmpuint(g_string_replace(doc, "<name>igd-watch</name>", tag, 1), ==, 1);
    w = igd_watcher_new(&opts, sysroot, &error);
    g_assert_no_error(error);
    conn = virConnectOpen("test:///default");
    g_assert_nonnull(conn);
    dom = virDomainDefineXML(conn, doc->str);
    g_assert_nonnull(dom);
    virDomainFree(dom);
    igd_watcher_handle(w, uuid);
    g_assert_cmpuint(cap.lines->len, ==, 1);
    line = g_ptr_array_index(cap.lines, 0);
    g_assert_true(g_str_has_prefix(line, "MESSAGE 3b0a5f4e-5a8c-4f4e-9d55-0d6e2f1c7a11: adjusted domain '\\303\\251xxx"));
    g_assert_nonnull(strstr(line, "x...(602 bytes)' (3b0a5f4e-5a8c-4f4e-9d55-0d6e2f1c7a11) to UPT mode"));
    g_assert_null(strstr(line, xs));
    g_assert_cmpuint(strlen(line), <=, IGD_LOG_MESSAGE_MAX + 64);

    dom = virDomainLookupByUUIDString(conn, uuid);
    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    virConnectClose(conn);
    g_ptr_array_unref(cap.lines);
    igd_test_rmtree(state);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/watcher/decide/display-added", test_display_added);
    g_test_add_func("/watcher/decide/display-added-no-upt", test_display_added_no_upt);
    g_test_add_func("/watcher/decide/moved-back", test_moved_back);
    g_test_add_func("/watcher/decide/clean", test_clean);
    g_test_add_func("/watcher/decide/not-igd", test_not_igd);
    g_test_add_func("/watcher/decide/hostdev-policy", test_hostdev_policy);
    g_test_add_func("/watcher/decide/q35", test_q35);
    g_test_add_func("/watcher/decide/undone", test_undone);
    g_test_add_func("/watcher/decide/upt-at-02", test_upt_at_02);
    g_test_add_func("/watcher/decide/not-a-domain", test_not_a_domain);
    g_test_add_func("/watcher/decide/decimal-slot", test_decimal_slot);
    g_test_add_func("/watcher/handle/test-driver", test_handle);
    g_test_add_func("/watcher/events/test-driver", test_events);
    g_test_add_func("/watcher/handle/long-name", test_long_name);
    return g_test_run();
}
