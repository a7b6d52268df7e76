/*
 * igd-assign-hook-full: the libvirt qemu hook, full half (SPEC.md §6).
 *
 * Run by the fast front igd-assign-hook (same argv, same stdin bytes) only
 * when its byte scan could not prove the domain IGD-free; can also be run
 * directly. It parses the domain XML properly (libxml2, no network, no DTD,
 * no entities), decides whether the domain is an IGD domain (it carries
 * <igd:assign> metadata, or has a PCI hostdev whose host device is an Intel
 * display-class device) and acts:
 *
 *   prepare begin    the checks of SPEC §6, in this order: the host device
 *                    exists and is an Intel IGD; the definition keeps the
 *                    mode's rules (a WARN, such as managed='yes', is
 *                    printed and the start goes on); the device is bound
 *                    to vfio-pci, or someone binds it for this start (the
 *                    START row "driver": igd-assignd for a domain set up by
 *                    igd-assign, libvirt for managed='yes'); no framebuffer
 *                    driver holds its BARs; then Prepare on igd-assignd,
 *                    which binds the IGD when it is not bound yet (after a
 *                    reboot), and one line says so. A managed='yes' IGD is
 *                    not on vfio-pci before libvirt detaches it (after this
 *                    hook), so its Prepare waits for start begin. Any
 *                    failure: "igd-assign: NAME: reason" + "hint: fix" on
 *                    stderr, exit 1 (libvirt aborts the start and shows the
 *                    text).
 *   start begin      Prepare of a managed='yes' IGD domain (libvirt has
 *                    detached the device by now, and gives it back to its
 *                    host driver when the domain stops); other domains:
 *                    exit 0.
 *   release end      Release on igd-assignd (failures logged, exit 0).
 *   migrate begin,
 *   restore begin    an IGD domain is refused (its vfio state cannot move);
 *                    stdout stays empty for every domain, so libvirt keeps
 *                    the XML it has.
 *   reconnect begin  Reconnect on igd-assignd; a problem is logged, never
 *                    fatal to the running guest (exit 0).
 *
 * A domain that is not an IGD domain: exit 0, nothing printed. The domain
 * name is only ever printed (escaped) and passed to the daemon as a D-Bus
 * string; it never becomes part of a path. It never calls the libvirt API.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <libxml/parser.h>

#include "igd-client.h"
#include "igd-common.h"
#include "igd-domxml.h"
#include "igd-hook-common.h"
#include "igd-pci-address.h"
#include "igd-pci.h"
#include "igd-requirements.h"
#include "igd-snapshot.h"
#include "igd-sysroot.h"

/* The front's scan looks for this namespace: it must be the one igd-domxml writes. */
G_STATIC_ASSERT(sizeof(IGD_HOOK_NAMESPACE) == sizeof(IGD_DOMAIN_NS));

/* How long each daemon call may take: Prepare may bind a driver. */
#define HOOK_PREPARE_TIMEOUT_MS 20000
#define HOOK_OTHER_TIMEOUT_MS   5000
/* Tests shorten both (milliseconds). */
#define HOOK_ENV_TIMEOUT        "IGD_ASSIGN_HOOK_TIMEOUT_MS"

#define HOOK_START_DAEMON_HINT \
    "start the daemon: systemctl start igd-assignd (without systemd, as root: igd-assignd &), then start the domain again"

typedef struct {
    const char *name;          /* argv[1], printed escaped only */
    IgdHookOp op;
    IgdSysroot *sysroot;
    IgdDomain *dom;            /* the domain as igd-core reads it */
} HookDomain;

static void
hook_domain_clear(HookDomain *dom)
{
    igd_sysroot_free(dom->sysroot);
    igd_domain_free(dom->dom);
}

/* One line: control characters of outside text (daemon messages) become spaces. */
static char *
one_line(const char *text)
{
    char *s = g_strdup(text ? text : "");

    for (char *p = s; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    }
    return s;
}

static void
hook_say(const HookDomain *dom, const char *reason, const char *hint)
{
    g_autofree char *r = one_line(reason);
    g_autofree char *h = hint ? one_line(hint) : NULL;

    igd_hook_print(dom->name, r, h);
}

/*
 * The domain name as a shell word for hints: plain names as they are,
 * others single-quoted; a name with control characters as a placeholder.
 */
static char *
name_for_shell(const char *name)
{
    GString *s;

    if (name == NULL || name[0] == '\0')
        return g_strdup("DOMAIN");
    for (const char *p = name; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return g_strdup("DOMAIN");
    }
    if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+") == strlen(name))
        return g_strdup(name);
    s = g_string_new("'");
    for (const char *p = name; *p; p++) {
        if (*p == '\'')
            g_string_append(s, "'\\''");
        else
            g_string_append_c(s, *p);
    }
    g_string_append_c(s, '\'');
    return g_string_free(s, FALSE);
}

/* ---- igd-assignd (igd-core/igd-client) ---------------------------- */

typedef enum {
    HOOK_DAEMON_OK,
    HOOK_DAEMON_UNREACHABLE, /* no bus, the service is not running, or it does not answer */
    HOOK_DAEMON_REFUSED,     /* the daemon answered with an error */
} HookDaemonResult;

typedef enum {
    HOOK_CALL_PREPARE,
    HOOK_CALL_RELEASE,
    HOOK_CALL_RECONNECT,
} HookCall;

/*
 * The whole exchange with the daemon is bounded: the client bounds its
 * connect and each call by the timeout. An alarm a little after that bound
 * is only a backstop (libvirt waits on this hook): it ends the hook with a
 * prepared message (refusal for prepare, a log line else).
 */
static char hook_alarm_message[1024];
static size_t hook_alarm_len;
static int hook_alarm_exit;

static void
hook_alarm(int sig)
{
    ssize_t n = write(STDERR_FILENO, hook_alarm_message, hook_alarm_len);

    (void)sig;
    (void)n;
    _exit(hook_alarm_exit);
}

static void
hook_arm_alarm(const HookDomain *dom, guint timeout_ms)
{
    char ename[256];
    struct sigaction sa = { 0 };
    int n;

    igd_hook_escape_name(dom->name, ename, sizeof(ename));
    if (igd_hook_op_can_refuse(dom->op))
        n = g_snprintf(hook_alarm_message, sizeof(hook_alarm_message),
                       "igd-assign: %s: cannot prepare the IGD: igd-assignd did not answer within %u s\n"
                       "hint: check igd-assignd (journalctl -u igd-assignd), restart it, then start the domain again\n",
                       ename, timeout_ms / 1000 + 2);
    else
        n = g_snprintf(hook_alarm_message, sizeof(hook_alarm_message),
                       "igd-assign: %s: igd-assignd did not answer within %u s (the domain is not affected)\n",
                       ename, timeout_ms / 1000 + 2);
    hook_alarm_len = n > 0 ? MIN((size_t)n, sizeof(hook_alarm_message) - 1) : 0;
    hook_alarm_exit = igd_hook_op_can_refuse(dom->op) ? 1 : 0;
    sa.sa_handler = hook_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    alarm(timeout_ms / 1000 + 2);
}

static HookDaemonResult
hook_daemon_call(HookCall call, const HookDomain *dom, const char *pci, const char *mode, guint timeout_ms,
                 char **message)
{
    g_autoptr(IgdClient) client = NULL;
    g_autoptr(GError) error = NULL;
    gboolean ok = FALSE;
    const char *env_timeout = g_getenv(HOOK_ENV_TIMEOUT);

    if (env_timeout != NULL) {
        guint64 t = g_ascii_strtoull(env_timeout, NULL, 10);

        if (t >= 1000 && t <= HOOK_PREPARE_TIMEOUT_MS)
            timeout_ms = (guint)t;
    }

    hook_arm_alarm(dom, timeout_ms);
    /* NULL: $IGD_ASSIGND_BUS_ADDRESS, else the system bus. */
    client = igd_client_new(NULL, timeout_ms, &error);
    if (client == NULL) {
        alarm(0);
        *message = g_strdup(error->message);
        return HOOK_DAEMON_UNREACHABLE;
    }
    switch (call) {
    case HOOK_CALL_PREPARE: {
        /* the domain's machine type and x-igd-gms decide the bdsm-size QEMU expects */
        IgdPrepareRequest req = { dom->dom->uuid, dom->name, pci, mode, dom->dom->machine,
                                  dom->dom->x_igd_gms > 0 ? (guint)dom->dom->x_igd_gms : 0 };
        ok = igd_client_prepare(client, &req, &error);
        break;
    }
    case HOOK_CALL_RELEASE:
        ok = igd_client_release(client, dom->dom->uuid, &error);
        break;
    case HOOK_CALL_RECONNECT:
        ok = igd_client_reconnect(client, dom->dom->uuid, pci, &error);
        break;
    }
    alarm(0);
    if (ok)
        return HOOK_DAEMON_OK;
    *message = g_strdup(error->message);
    /* The client's own error for a missing, silent or lost igd-assignd. */
    if (g_error_matches(error, IGD_ERROR, IGD_ERROR_UNAVAILABLE))
        return HOOK_DAEMON_UNREACHABLE;
    return HOOK_DAEMON_REFUSED;
}

/* ---- operations ----------------------------------------------------- */

/* The hint of a finding for this domain: "DOMAIN" replaced by the name as a shell word. */
static char *
hint_for(const HookDomain *dom, const char *hint)
{
    g_autofree char *shname = name_for_shell(dom->name);
    g_auto(GStrv) parts = NULL;

    if (hint == NULL)
        return NULL;
    parts = g_strsplit(hint, "DOMAIN", -1);
    return g_strjoinv(shname, parts);
}

/* Refuse with the first FAIL of @findings (@suffix after its message); FALSE when none. */
static gboolean
refuse_first(const HookDomain *dom, GPtrArray *findings, const char *suffix)
{
    const IgdFinding *f = igd_findings_first(findings, IGD_SEVERITY_FAIL);
    g_autofree char *reason = NULL;
    g_autofree char *hint = NULL;

    if (f == NULL)
        return FALSE;
    reason = g_strdup_printf("%s%s", f->message, suffix ? suffix : "");
    hint = hint_for(dom, f->hint);
    hook_say(dom, reason, hint);
    return TRUE;
}

/* Print the WARN findings of @findings (the start goes on): "igd-assign: NAME: warning: ..." + hint. */
static void
say_warnings(const HookDomain *dom, GPtrArray *findings)
{
    for (guint i = 0; i < findings->len; i++) {
        const IgdFinding *f = g_ptr_array_index(findings, i);
        g_autofree char *reason = NULL;
        g_autofree char *hint = NULL;

        if (f->severity != IGD_SEVERITY_WARN)
            continue;
        reason = g_strdup_printf("warning: %s", f->message);
        hint = hint_for(dom, f->hint);
        hook_say(dom, reason, hint);
    }
}

/* The driver @addr is bound to now (g_free), NULL: none or unreadable. */
static char *
current_driver(const HookDomain *dom, const IgdPciAddress *addr)
{
    g_autoptr(IgdPciDevice) dev = igd_pci_device_new(dom->sysroot, addr, NULL);

    return dev && igd_pci_device_get_driver(dev) ? g_strdup(igd_pci_device_get_driver(dev)) : NULL;
}

/*
 * Prepare on igd-assignd for @pci; @was_on: the driver the IGD had before
 * (NULL: none), when someone must bind it for this start (else NULL and
 * @bind_pending FALSE). 0 or 1 (refused, said).
 */
static int
prepare_on_daemon(HookDomain *dom, const char *pci, const char *mode, gboolean bind_pending, const char *was_on)
{
    g_autofree char *message = NULL;
    g_autofree char *reason = NULL;
    g_autofree char *hint = NULL;
    g_autofree char *now = NULL;
    char nodedev[17];

    igd_pci_address_nodedev_name(&dom->dom->host, nodedev);
    switch (hook_daemon_call(HOOK_CALL_PREPARE, dom, pci, mode, HOOK_PREPARE_TIMEOUT_MS, &message)) {
    case HOOK_DAEMON_OK:
        break;
    case HOOK_DAEMON_UNREACHABLE:
        if (bind_pending) {
            reason = g_strdup_printf("host device %s is on %s and igd-assignd must bind it to vfio-pci: %s", pci,
                                     was_on ? was_on : "no driver", message);
            hint = g_strdup_printf(HOOK_START_DAEMON_HINT " (or bind it by hand: virsh nodedev-detach %s)",
                                   nodedev);
            hook_say(dom, reason, hint);
            return 1;
        }
        reason = g_strdup_printf("cannot prepare the IGD: %s", message);
        hook_say(dom, reason, HOOK_START_DAEMON_HINT);
        return 1;
    case HOOK_DAEMON_REFUSED:
        reason = g_strdup_printf("igd-assignd refused to prepare %s: %s", pci, message);
        hook_say(dom, reason, "igd-assign check and igd-assign status show what is wrong");
        return 1;
    }
    if (!bind_pending)
        return 0;
    /* The daemon's Prepare bound it (igd_bind_to_vfio()): say so, once the link says it too. */
    now = current_driver(dom, &dom->dom->host);
    if (g_strcmp0(now, "vfio-pci") != 0) {
        reason = g_strdup_printf("igd-assignd prepared %s but it is bound to %s, not vfio-pci", pci,
                                 now ? now : "no driver");
        hint = g_strdup_printf("bind it by hand (virsh nodedev-detach %s) and look at journalctl -u igd-assignd",
                               nodedev);
        hook_say(dom, reason, hint);
        return 1;
    }
    reason = g_strdup_printf("igd-assignd bound %s to vfio-pci for this start (it was on %s)", pci,
                             was_on ? was_on : "no driver");
    hook_say(dom, reason, NULL);
    return 0;
}

static int
hook_prepare(HookDomain *dom)
{
    const IgdDomain *d = dom->dom;
    char pci[13];
    g_autofree char *shname = name_for_shell(dom->name);
    g_autofree char *reason = NULL;
    g_autofree char *hint = NULL;
    g_autofree char *suffix = NULL;
    g_autoptr(IgdSnapshot) snapshot = NULL;
    g_autoptr(GPtrArray) broken = NULL;
    g_autoptr(GPtrArray) start = NULL;
    g_autoptr(GError) error = NULL;
    const char *mode = d->mode == IGD_MODE_LEGACY ? "legacy" : "upt";
    IgdGuest guest;

    igd_pci_address_format(&d->host, pci);

    /* 1. The host device exists and is an Intel IGD: only what a start needs is read (QEMU in step 3). */
    snapshot = igd_snapshot_gather(dom->sysroot, &d->host, igd_requirements_parts(IGD_SCOPE_START) & ~IGD_SNAPSHOT_QEMU,
                                   &error);
    if (snapshot == NULL) {
        if (g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND)) {
            reason = g_strdup_printf("host device %s of its IGD hostdev does not exist on this host", pci);
            hint = g_strdup_printf("fix the <hostdev> source address (igd-assign status lists this host's IGDs), "
                                   "or run: igd-assign setup %s --host PCI", shname);
        } else if (g_error_matches(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED)) {
            reason = g_strdup_printf("host device %s", error->message);
            hint = g_strdup_printf("point the <hostdev> at the IGD (igd-assign status lists it), "
                                   "or remove the igd-assign setup: igd-assign undo %s", shname);
        } else {
            reason = g_strdup_printf("cannot read host device %s: %s", pci, error->message);
        }
        hook_say(dom, reason, hint);
        return 1;
    }

    /* 2. The definition keeps the rules of its mode (SPEC §4) and what the mode needs of this IGD. */
    broken = igd_domxml_verify(d, snapshot);
    suffix = g_strdup_printf(" (%s mode)", mode);
    if (refuse_first(dom, broken, suffix))
        return 1;

    /* 3. What must hold at the start: on vfio-pci or bound for it by someone, no framebuffer on its BARs, a
     *    QEMU that does not crash on this domain (its x-igd-gms, addresses, x-igd-legacy-mode). */
    igd_snapshot_set_qemu(snapshot, igd_snapshot_probe_qemu(NULL, NULL), TRUE);
    igd_domxml_guest(d, snapshot, &guest);
    start = igd_requirements_evaluate(snapshot, IGD_SCOPE_START, &guest);
    if (refuse_first(dom, start, NULL))
        return 1;
    say_warnings(dom, broken);
    say_warnings(dom, start);

    /* 4. The daemon. */
    if (d->uuid == NULL) {
        hook_say(dom, "the domain XML has no valid <uuid>", "libvirt always sends one: check what runs this hook");
        return 1;
    }
    /* libvirt detaches a managed='yes' IGD after this hook: the daemon prepares it at start begin */
    if (guest.binder == IGD_BINDER_LIBVIRT)
        return 0;
    return prepare_on_daemon(dom, pci, mode, g_strcmp0(snapshot->driver, "vfio-pci") != 0, snapshot->driver);
}

/* start begin: a managed='yes' IGD is on vfio-pci now (libvirt detached it): the daemon's Prepare. */
static int
hook_start(HookDomain *dom)
{
    char pci[13];

    if (igd_domain_binder(dom->dom) != IGD_BINDER_LIBVIRT)
        return 0;
    if (dom->dom->uuid == NULL) {
        hook_say(dom, "the domain XML has no valid <uuid>", "libvirt always sends one: check what runs this hook");
        return 1;
    }
    igd_pci_address_format(&dom->dom->host, pci);
    return prepare_on_daemon(dom, pci, dom->dom->mode == IGD_MODE_LEGACY ? "legacy" : "upt", FALSE, NULL);
}

static int
hook_release_or_reconnect(HookDomain *dom)
{
    g_autofree char *message = NULL;
    g_autofree char *reason = NULL;
    char pci[13];
    HookDaemonResult r;

    if (dom->dom->uuid == NULL) {
        hook_say(dom, "the domain XML has no valid <uuid>: nothing told to igd-assignd", NULL);
        return 0;
    }
    igd_pci_address_format(&dom->dom->host, pci);
    r = hook_daemon_call(dom->op == IGD_HOOK_OP_RELEASE ? HOOK_CALL_RELEASE : HOOK_CALL_RECONNECT, dom, pci, NULL,
                         HOOK_OTHER_TIMEOUT_MS, &message);
    if (r != HOOK_DAEMON_OK) {
        reason = g_strdup_printf("%s of %s: %s (the domain is not affected)",
                                 dom->op == IGD_HOOK_OP_RELEASE ? "release" : "reconnect", pci, message);
        hook_say(dom, reason, r == HOOK_DAEMON_UNREACHABLE ? "start igd-assignd so it can track the device" : NULL);
    }
    return 0;
}

static int
hook_run(HookDomain *dom, const char *data, gsize len)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *shname = name_for_shell(dom->name);
    IgdDomainReadOptions ro = { NULL, NULL };

    /* the domain as igd-core reads it: which hostdev is the IGD is decided by its devices here */
    ro.sysroot = dom->sysroot;
    dom->dom = igd_domain_read(data, len, &ro, &error);
    if (dom->dom == NULL) {
        g_autofree char *reason = g_strdup_printf("the domain XML on stdin does not parse: %s", error->message);
        if (igd_hook_op_can_refuse(dom->op)) {
            hook_say(dom, reason, "libvirt sends the domain XML on stdin: check what runs this hook");
            return 1;
        }
        hook_say(dom, reason, NULL);
        return 0;
    }
    if (!dom->dom->igd_domain)
        return 0;

    switch (dom->op) {
    case IGD_HOOK_OP_MIGRATE:
        hook_say(dom, "a domain with an assigned IGD cannot be migrated: the device's state cannot move",
                 "shut the domain down and start it on the other host (after igd-assign setup there)");
        return 1;
    case IGD_HOOK_OP_RESTORE:
        hook_say(dom, "a domain with an assigned IGD cannot be restored from a saved state: the device's state "
                      "was not saved",
                 "discard the saved state (virsh managedsave-remove, or delete the save file) and start the "
                 "domain fresh");
        return 1;
    case IGD_HOOK_OP_PREPARE:
        if (dom->dom->n_intel_hostdevs > 1) {
            hook_say(dom, "the domain has more than one Intel graphics hostdev", "keep one IGD <hostdev>");
            return 1;
        }
        if (dom->dom->igd_hostdevs->len == 0) {
            g_autofree char *hint = g_strdup_printf("add the IGD hostdev: igd-assign setup %s "
                                                    "(or drop the igd-assign metadata: igd-assign undo %s)",
                                                    shname, shname);

            hook_say(dom, "the domain carries igd-assign metadata but no PCI hostdev for the IGD", hint);
            return 1;
        }
        return hook_prepare(dom);
    case IGD_HOOK_OP_START:
        if (dom->dom->n_intel_hostdevs > 1 || dom->dom->igd_hostdevs->len == 0)
            return 0; /* refused at prepare begin */
        return hook_start(dom);
    case IGD_HOOK_OP_RELEASE:
    case IGD_HOOK_OP_RECONNECT:
        if (dom->dom->igd_hostdevs->len == 0)
            return 0;
        return hook_release_or_reconnect(dom);
    case IGD_HOOK_OP_OTHER:
        break;
    }
    return 0;
}

/* libxml2 reports some errors (encoding, I/O) outside the parser's own
 * NOERROR switch: the hook prints its own one line instead. */
static void
hook_xml_silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static const char full_usage[] =
    "usage: igd-assign-hook-full DOMAIN OPERATION SUB-OPERATION [EXTRA]\n"
    "The half of the igd-assign libvirt hook that parses the domain XML; the\n"
    "hook (igd-assign-hook) runs it when its byte scan cannot prove the domain\n"
    "free of IGDs. See igd-assign-hook(8).\n";

int
main(int argc, char **argv)
{
    HookDomain dom = { 0 };
    char *data = NULL;
    size_t len = 0;
    int err = 0, ret;
    IgdHookReadResult rr;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(full_usage, stdout);
        return 0;
    }
    if (argc < 4) {
        fputs(full_usage, stderr);
        return 2;
    }
    dom.name = argv[1];
    dom.op = igd_hook_op_from_args(argv[2], argv[3]);
    if (dom.op == IGD_HOOK_OP_OTHER)
        return 0;

    rr = igd_hook_read_all(STDIN_FILENO, &data, &len, &err);
    if (rr != IGD_HOOK_READ_OK) {
        g_autofree char *reason = rr == IGD_HOOK_READ_TOO_LARGE
                                      ? g_strdup("the domain XML on stdin is larger than 64 MiB")
                                      : g_strdup_printf("cannot read the domain XML on stdin: %s", g_strerror(err));

        hook_say(&dom, reason, NULL);
        return igd_hook_op_can_refuse(dom.op) ? 1 : 0;
    }
    xmlSetGenericErrorFunc(NULL, hook_xml_silent);
    dom.sysroot = igd_sysroot_new(g_getenv(IGD_HOOK_ENV_SYSROOT));
    ret = hook_run(&dom, data, len);
    free(data);
    hook_domain_clear(&dom);
    xmlCleanupParser();
    return ret;
}
