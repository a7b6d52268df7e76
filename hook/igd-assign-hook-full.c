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
 *                    mode's rules; the device is bound to vfio-pci; no
 *                    framebuffer driver holds its BARs; then Prepare on
 *                    igd-assignd. Any failure: "igd-assign: NAME: reason"
 *                    + "hint: fix" on stderr, exit 1 (libvirt aborts the
 *                    start and shows the text).
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
#include <libxml/tree.h>

#include "igd-client.h"
#include "igd-common.h"
#include "igd-devices.h"
#include "igd-domxml.h"
#include "igd-facts.h"
#include "igd-hook-common.h"
#include "igd-host.h"
#include "igd-pci-address.h"
#include "igd-pci.h"
#include "igd-sysroot.h"

/* The front's scan looks for this namespace: it must be the one igd-domxml writes. */
G_STATIC_ASSERT(sizeof(IGD_HOOK_NAMESPACE) == sizeof(IGD_DOMXML_NS));

/* How long each daemon call may take: Prepare may bind a driver. */
#define HOOK_PREPARE_TIMEOUT_MS 20000
#define HOOK_OTHER_TIMEOUT_MS   5000
/* Tests shorten both (milliseconds). */
#define HOOK_ENV_TIMEOUT        "IGD_ASSIGN_HOOK_TIMEOUT_MS"

#define HOOK_START_DAEMON_HINT \
    "start the daemon: systemctl start igd-assignd (without systemd, as root: igd-assignd &), then start the domain again"

typedef struct {
    IgdPciAddress source;      /* host device */
    gboolean managed;          /* managed='yes' (libvirt's default) */
    gboolean guest_set;        /* a guest <address type='pci'> is given */
    IgdPciAddress guest;
} HookHostdev;

typedef struct {
    const char *name;          /* argv[1], printed escaped only */
    IgdHookOp op;
    IgdSysroot *sysroot;
    xmlDoc *doc;
    char *uuid;                /* NULL when absent or malformed */
    gboolean has_metadata;     /* <igd:assign> in <metadata> */
    char *meta_mode;           /* its mode attribute, if any */
    gboolean meta_host_set;
    IgdPciAddress meta_host;   /* its host attribute, if any */
    GArray *hostdevs;          /* HookHostdev: every PCI subsystem hostdev with a valid source */
    const char *data;          /* the XML bytes, for igd_domxml_verify() */
    gsize len;
    guint bad_hostdevs;        /* PCI hostdevs whose source address does not parse */
    char *machine;             /* <os><type machine=...>, NULL when absent */
    guint x_igd_gms;           /* x-igd-gms set through <qemu:override>, 0 = unset */
} HookDomain;

static void
hook_domain_clear(HookDomain *dom)
{
    igd_sysroot_free(dom->sysroot);
    if (dom->doc)
        xmlFreeDoc(dom->doc);
    g_free(dom->uuid);
    g_free(dom->meta_mode);
    g_free(dom->machine);
    if (dom->hostdevs)
        g_array_unref(dom->hostdevs);
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

/* A libvirt address attribute: "0x0000", "0", "2" (base 0, nothing else). */
static gboolean
parse_attr_number(xmlNode *node, const char *attr, guint64 max, guint64 *value)
{
    g_autofree xmlChar *str = xmlGetProp(node, (const xmlChar *)attr);
    const char *s = (const char *)str;
    char *end = NULL;
    guint64 v;

    if (s == NULL) {
        *value = 0;
        return TRUE; /* libvirt's default: 0 */
    }
    if (s[0] == '\0' || !g_ascii_isdigit(s[0]))
        return FALSE;
    errno = 0;
    v = g_ascii_strtoull(s, &end, 0);
    if (errno != 0 || end == s || *end != '\0' || v > max)
        return FALSE;
    *value = v;
    return TRUE;
}

static gboolean
parse_pci_address_node(xmlNode *node, IgdPciAddress *addr)
{
    guint64 d, b, s, f;

    if (!parse_attr_number(node, "domain", 0xffff, &d) || !parse_attr_number(node, "bus", 0xff, &b) ||
        !parse_attr_number(node, "slot", 0x1f, &s) || !parse_attr_number(node, "function", 7, &f))
        return FALSE;
    addr->domain = (guint16)d;
    addr->bus = (guint8)b;
    addr->slot = (guint8)s;
    addr->function = (guint8)f;
    return TRUE;
}

static gboolean
node_is(const xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && xmlStrcmp(node->name, (const xmlChar *)name) == 0 &&
           node->ns == NULL;
}

static gboolean
attr_is(xmlNode *node, const char *attr, const char *value)
{
    g_autofree xmlChar *v = xmlGetProp(node, (const xmlChar *)attr);

    return v != NULL && xmlStrcmp(v, (const xmlChar *)value) == 0;
}

/* 8-4-4-4-12 hex digits, as libvirt formats <uuid>. */
static gboolean
uuid_ok(const char *s)
{
    static const int groups[] = { 8, 4, 4, 4, 12 };

    for (guint g = 0; g < G_N_ELEMENTS(groups); g++) {
        for (int i = 0; i < groups[g]; i++, s++) {
            if (!g_ascii_isxdigit(*s))
                return FALSE;
        }
        if (g + 1 < G_N_ELEMENTS(groups) && *s++ != '-')
            return FALSE;
    }
    return *s == '\0';
}

static void
read_hostdev(HookDomain *dom, xmlNode *hostdev)
{
    HookHostdev h = { 0 };
    gboolean have_source = FALSE;
    g_autofree xmlChar *managed = NULL;

    if (!attr_is(hostdev, "mode", "subsystem") || !attr_is(hostdev, "type", "pci"))
        return;
    managed = xmlGetProp(hostdev, (const xmlChar *)"managed");
    h.managed = managed != NULL && xmlStrcmp(managed, (const xmlChar *)"yes") == 0;
    for (xmlNode *c = hostdev->children; c; c = c->next) {
        if (node_is(c, "source")) {
            for (xmlNode *a = c->children; a; a = a->next) {
                if (node_is(a, "address")) {
                    if (!parse_pci_address_node(a, &h.source)) {
                        dom->bad_hostdevs++;
                        return;
                    }
                    have_source = TRUE;
                }
            }
        } else if (node_is(c, "address") && attr_is(c, "type", "pci")) {
            h.guest_set = parse_pci_address_node(c, &h.guest);
        }
    }
    if (!have_source) {
        dom->bad_hostdevs++;
        return;
    }
    g_array_append_val(dom->hostdevs, h);
}

#define HOOK_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

static gboolean
qemu_node_is(const xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns != NULL && node->ns->href != NULL &&
           xmlStrcmp(node->ns->href, (const xmlChar *)HOOK_QEMU_NS) == 0 &&
           xmlStrcmp(node->name, (const xmlChar *)name) == 0;
}

/*
 * x-igd-gms as the rewrite sets it: <qemu:override><qemu:device alias=...>
 * <qemu:frontend><qemu:property name='x-igd-gms' value='N'/>. It decides,
 * with the machine type, the etc/igd-bdsm-size the daemon must prepare.
 * A value that does not parse as a small number is ignored (0 = unset).
 */
static void
read_qemu_override(HookDomain *dom, xmlNode *override)
{
    for (xmlNode *d = override->children; d; d = d->next) {
        if (!qemu_node_is(d, "device"))
            continue;
        for (xmlNode *f = d->children; f; f = f->next) {
            if (!qemu_node_is(f, "frontend"))
                continue;
            for (xmlNode *p = f->children; p; p = p->next) {
                g_autofree xmlChar *value = NULL;
                guint64 v = 0;

                if (!qemu_node_is(p, "property") || !attr_is(p, "name", "x-igd-gms"))
                    continue;
                value = xmlGetProp(p, (const xmlChar *)"value");
                if (value && g_ascii_string_to_unsigned((const char *)value, 10, 0, 0xff, &v, NULL))
                    dom->x_igd_gms = (guint)v;
            }
        }
    }
}

static void
read_metadata(HookDomain *dom, xmlNode *metadata)
{
    for (xmlNode *c = metadata->children; c; c = c->next) {
        g_autofree xmlChar *host = NULL;

        if (c->type != XML_ELEMENT_NODE || c->ns == NULL || c->ns->href == NULL ||
            xmlStrcmp(c->name, (const xmlChar *)"assign") != 0)
            continue;
        if (xmlStrcmp(c->ns->href, (const xmlChar *)IGD_DOMXML_NS) != 0)
            continue;
        dom->has_metadata = TRUE;
        g_free(dom->meta_mode);
        dom->meta_mode = (char *)xmlGetProp(c, (const xmlChar *)"mode");
        host = xmlGetProp(c, (const xmlChar *)"host");
        if (host != NULL)
            dom->meta_host_set = igd_pci_address_parse((const char *)host, &dom->meta_host, NULL);
    }
}

/* Parse the domain XML: no network, no DTD, no entity substitution. */
static gboolean
hook_parse(HookDomain *dom, const char *data, gsize len, GError **error)
{
    xmlNode *root;

    if (len == 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "no domain XML on stdin");
        return FALSE;
    }
    if (len > G_MAXINT) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "the domain XML is too large");
        return FALSE;
    }
    dom->doc = xmlReadMemory(data, (int)len, "stdin", NULL,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (dom->doc == NULL) {
        const xmlError *e = xmlGetLastError();
        g_autofree char *msg = one_line(e && e->message ? e->message : "not well-formed");

        g_strstrip(msg);
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "the domain XML on stdin does not parse (line %d: %s)",
                    e ? e->line : 0, msg);
        return FALSE;
    }
    if (dom->doc->intSubset != NULL || dom->doc->extSubset != NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "the domain XML on stdin has a DOCTYPE");
        return FALSE;
    }
    root = xmlDocGetRootElement(dom->doc);
    if (root == NULL || !node_is(root, "domain")) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "the XML on stdin is not a <domain>");
        return FALSE;
    }
    dom->hostdevs = g_array_new(FALSE, TRUE, sizeof(HookHostdev));
    for (xmlNode *c = root->children; c; c = c->next) {
        if (node_is(c, "uuid")) {
            g_autofree xmlChar *text = xmlNodeGetContent(c);
            g_autofree char *u = g_strstrip(g_strdup((const char *)text));

            g_free(dom->uuid);
            dom->uuid = uuid_ok(u) ? g_ascii_strdown(u, -1) : NULL;
        } else if (node_is(c, "metadata")) {
            read_metadata(dom, c);
        } else if (node_is(c, "os")) {
            for (xmlNode *t = c->children; t; t = t->next) {
                if (node_is(t, "type")) {
                    g_autofree xmlChar *machine = xmlGetProp(t, (const xmlChar *)"machine");
                    g_free(dom->machine);
                    dom->machine = machine ? g_strdup((const char *)machine) : NULL;
                }
            }
        } else if (qemu_node_is(c, "override")) {
            read_qemu_override(dom, c);
        } else if (node_is(c, "devices")) {
            for (xmlNode *d = c->children; d; d = d->next) {
                if (node_is(d, "hostdev"))
                    read_hostdev(dom, d);
            }
        }
    }
    return TRUE;
}

/* TRUE when the host device @addr exists and is an Intel display-class device. */
static gboolean
is_intel_display(const HookDomain *dom, const IgdPciAddress *addr)
{
    g_autoptr(IgdPciDevice) dev = igd_pci_device_new(dom->sysroot, addr, NULL);

    return dev != NULL && igd_pci_device_is_intel_display(dev);
}

typedef enum {
    HOOK_NOT_IGD,    /* not an IGD domain */
    HOOK_IGD,        /* an IGD domain; *hostdev is its IGD hostdev */
    HOOK_IGD_NONE,   /* carries metadata but no hostdev can be the IGD */
    HOOK_IGD_MANY,   /* more than one Intel display hostdev */
} HookVerdict;

static HookVerdict
hook_find_igd(const HookDomain *dom, HookHostdev *out)
{
    guint n_intel = 0;

    for (guint i = 0; i < dom->hostdevs->len; i++) {
        const HookHostdev *h = &g_array_index(dom->hostdevs, HookHostdev, i);

        if (is_intel_display(dom, &h->source)) {
            if (n_intel++ == 0)
                *out = *h;
        }
    }
    if (n_intel > 1)
        return HOOK_IGD_MANY;
    if (n_intel == 1)
        return HOOK_IGD;
    if (!dom->has_metadata)
        return HOOK_NOT_IGD;

    /* Metadata, but no hostdev is an Intel display device: find the one it
     * means, so that prepare can say what is wrong with it. */
    for (guint pass = 0; pass < 2; pass++) {
        IgdPciAddress want;

        if (pass == 0 && !dom->meta_host_set)
            continue;
        if (pass == 0)
            want = dom->meta_host;
        else
            igd_pci_address_parse(IGD_PCI_ADDRESS_DEFAULT, &want, NULL);
        for (guint i = 0; i < dom->hostdevs->len; i++) {
            const HookHostdev *h = &g_array_index(dom->hostdevs, HookHostdev, i);

            if (igd_pci_address_equal(&h->source, &want)) {
                *out = *h;
                return HOOK_IGD;
            }
        }
    }
    if (dom->hostdevs->len == 1) {
        *out = g_array_index(dom->hostdevs, HookHostdev, 0);
        return HOOK_IGD;
    }
    return HOOK_IGD_NONE;
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
    if (dom->op == IGD_HOOK_OP_PREPARE)
        n = g_snprintf(hook_alarm_message, sizeof(hook_alarm_message),
                       "igd-assign: %s: cannot prepare the IGD: igd-assignd did not answer within %u s\n"
                       "hint: check igd-assignd (journalctl -u igd-assignd), restart it, then start the domain again\n",
                       ename, timeout_ms / 1000 + 2);
    else
        n = g_snprintf(hook_alarm_message, sizeof(hook_alarm_message),
                       "igd-assign: %s: igd-assignd did not answer within %u s (the domain is not affected)\n",
                       ename, timeout_ms / 1000 + 2);
    hook_alarm_len = n > 0 ? MIN((size_t)n, sizeof(hook_alarm_message) - 1) : 0;
    hook_alarm_exit = dom->op == IGD_HOOK_OP_PREPARE ? 1 : 0;
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
        IgdPrepareRequest req = { dom->uuid, dom->name, pci, mode, dom->machine, dom->x_igd_gms };
        ok = igd_client_prepare(client, &req, &error);
        break;
    }
    case HOOK_CALL_RELEASE:
        ok = igd_client_release(client, dom->uuid, &error);
        break;
    case HOOK_CALL_RECONNECT:
        ok = igd_client_reconnect(client, dom->uuid, pci, &error);
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

static int
hook_prepare(HookDomain *dom, const HookHostdev *igd)
{
    char pci[13];
    g_autofree char *shname = name_for_shell(dom->name);
    g_autofree char *reason = NULL;
    g_autofree char *hint = NULL;
    g_autofree char *message = NULL;
    g_autoptr(IgdPciDevice) dev = NULL;
    g_autoptr(GError) error = NULL;
    const char *driver, *mode = NULL;

    igd_pci_address_format(&igd->source, pci);

    /* 1. The host device exists and is an Intel IGD. */
    dev = igd_pci_device_new(dom->sysroot, &igd->source, &error);
    if (dev == NULL) {
        if (g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND))
            reason = g_strdup_printf("host device %s of its IGD hostdev does not exist on this host", pci);
        else
            reason = g_strdup_printf("cannot read host device %s: %s", pci, error->message);
        hint = g_strdup_printf("fix the <hostdev> source address (igd-assign status lists this host's IGDs), "
                               "or run: igd-assign setup %s --host PCI", shname);
        hook_say(dom, reason, hint);
        return 1;
    }
    if (!igd_pci_device_is_intel_display(dev)) {
        reason = g_strdup_printf("host device %s is not an Intel graphics device (vendor 0x%04x, class 0x%06x)",
                                 pci, igd_pci_device_get_vendor_id(dev), igd_pci_device_get_class(dev));
        hint = g_strdup_printf("point the <hostdev> at the IGD (igd-assign status lists it), "
                               "or remove the igd-assign setup: igd-assign undo %s", shname);
        hook_say(dom, reason, hint);
        return 1;
    }

    /* 2. The definition keeps the mode's rules (igd-domxml, SPEC §4). */
    {
        g_autoptr(IgdHostFacts) facts = igd_host_facts_new();
        IgdDomXmlVerdict verdict;

        /* Only what verify uses: where the IGD is and its generation (no
         * ROM read, no QEMU probe: libvirt waits on this hook). */
        facts->present = TRUE;
        facts->addr = igd->source;
        facts->vendor_id = igd_pci_device_get_vendor_id(dev);
        facts->device_id = igd_pci_device_get_device_id(dev);
        facts->class_code = igd_pci_device_get_class(dev);
        facts->platform = igd_platform_lookup(facts->device_id);
        if (!igd_domxml_verify(dom->data, dom->len, facts, &verdict, &error)) {
            hook_say(dom, error->message, "libvirt sends the domain XML on stdin: check what runs this hook");
            return 1;
        }
        mode = verdict.mode == IGD_DOMXML_MODE_LEGACY ? "legacy" : "upt";
        if (verdict.problems->len > 0) {
            const IgdDomXmlProblem *p = g_ptr_array_index(verdict.problems, 0);
            g_auto(GStrv) parts = g_strsplit(p->hint, "DOMAIN", -1);
            g_autofree char *h = g_strjoinv(shname, parts);

            reason = g_strdup_printf("%s (%s mode)", p->message, mode);
            hook_say(dom, reason, h);
            igd_domxml_verdict_clear(&verdict);
            return 1;
        }
        igd_domxml_verdict_clear(&verdict);
    }

    /* 3. Bound to vfio-pci. */
    driver = igd_pci_device_get_driver(dev);
    if (driver == NULL || !g_str_equal(driver, "vfio-pci")) {
        g_autofree char *nodedev = g_strdup_printf("pci_%04x_%02x_%02x_%x", igd->source.domain, igd->source.bus,
                                                   igd->source.slot, igd->source.function);

        if (driver != NULL)
            reason = g_strdup_printf("host device %s is bound to %s, not vfio-pci", pci, driver);
        else
            reason = g_strdup_printf("host device %s is bound to no driver, not vfio-pci", pci);
        hint = g_strdup_printf("run: igd-assign setup %s (or: virsh nodedev-detach %s)", shname, nodedev);
        hook_say(dom, reason, hint);
        return 1;
    }

    /* 4. No firmware framebuffer on its BARs (/proc/iomem). */
    {
        g_autoptr(GPtrArray) claims = igd_host_framebuffer_claims(dom->sysroot, dev, &error);

        if (claims == NULL && !g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND)) {
            reason = g_strdup_printf("cannot check framebuffer claims on %s: %s", pci, error->message);
            hook_say(dom, reason, "igd-assign check shows the host's state");
            return 1;
        }
        g_clear_error(&error);
        if (claims != NULL && claims->len > 0) {
            const char *c = g_ptr_array_index(claims, 0);

            reason = g_strdup_printf("a framebuffer driver holds a BAR of %s (%s): QEMU could not map it", pci, c);
            hook_say(dom, reason,
                     g_ascii_strncasecmp(c, "efifb", 5) == 0
                         ? "boot the host with video=efifb:off (and initcall_blacklist=sysfb_init on 5.15+)"
                     : g_ascii_strncasecmp(c, "vesafb", 6) == 0
                         ? "boot the host with video=vesafb:off"
                         : "boot the host with initcall_blacklist=sysfb_init");
            return 1;
        }
    }

    /* 5. The daemon. */
    if (dom->uuid == NULL) {
        hook_say(dom, "the domain XML has no valid <uuid>", "libvirt always sends one: check what runs this hook");
        return 1;
    }
    switch (hook_daemon_call(HOOK_CALL_PREPARE, dom, pci, mode, HOOK_PREPARE_TIMEOUT_MS, &message)) {
    case HOOK_DAEMON_OK:
        return 0;
    case HOOK_DAEMON_UNREACHABLE:
        reason = g_strdup_printf("cannot prepare the IGD: %s", message);
        hook_say(dom, reason, HOOK_START_DAEMON_HINT);
        return 1;
    case HOOK_DAEMON_REFUSED:
        reason = g_strdup_printf("igd-assignd refused to prepare %s: %s", pci, message);
        hook_say(dom, reason, "igd-assign check and igd-assign status show what is wrong");
        return 1;
    }
    return 1;
}

static int
hook_release_or_reconnect(HookDomain *dom, const HookHostdev *igd)
{
    g_autofree char *message = NULL;
    g_autofree char *reason = NULL;
    char pci[13];
    HookDaemonResult r;

    if (dom->uuid == NULL) {
        hook_say(dom, "the domain XML has no valid <uuid>: nothing told to igd-assignd", NULL);
        return 0;
    }
    igd_pci_address_format(&igd->source, pci);
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
    HookHostdev igd = { 0 };
    HookVerdict verdict;

    dom->data = data;
    dom->len = len;
    if (!hook_parse(dom, data, len, &error)) {
        if (igd_hook_op_can_refuse(dom->op)) {
            hook_say(dom, error->message, "libvirt sends the domain XML on stdin: check what runs this hook");
            return 1;
        }
        hook_say(dom, error->message, NULL);
        return 0;
    }
    verdict = hook_find_igd(dom, &igd);
    if (verdict == HOOK_NOT_IGD)
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
        if (verdict == HOOK_IGD_MANY) {
            hook_say(dom, "the domain has more than one Intel graphics hostdev", "keep one IGD <hostdev>");
            return 1;
        }
        if (verdict == HOOK_IGD_NONE) {
            g_autofree char *hint = g_strdup_printf("add the IGD hostdev: igd-assign setup %s "
                                                    "(or drop the igd-assign metadata: igd-assign undo %s)",
                                                    shname, shname);

            hook_say(dom, "the domain carries igd-assign metadata but no PCI hostdev for the IGD", hint);
            return 1;
        }
        return hook_prepare(dom, &igd);
    case IGD_HOOK_OP_RELEASE:
    case IGD_HOOK_OP_RECONNECT:
        if (verdict != HOOK_IGD)
            return 0;
        return hook_release_or_reconnect(dom, &igd);
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

int
main(int argc, char **argv)
{
    HookDomain dom = { 0 };
    char *data = NULL;
    size_t len = 0;
    int err = 0, ret;
    IgdHookReadResult rr;

    if (argc < 4) {
        fputs("usage: igd-assign-hook-full DOMAIN OPERATION SUB-OPERATION [EXTRA]\n", stderr);
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
