/*
 * igd-watcher.c: the libvirt watcher of igd-assignd (see igd-watcher.h).
 */
#include "config.h"

#include <string.h>

#include <libxml/tree.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "igd-common.h"
#include "igd-domxml.h"
#include "igd-requirements.h"
#include "igd-watcher.h"
#include "igd-watchlog.h"

/* Inputs adjusted per domain that are remembered to recognise a loop (content, not time). */
#define IGD_WATCHER_ACTED_MAX 32

/*
 * What the watcher remembers of a domain, by content (content_key()):
 * the last definition it looked at, the one it defined itself (so its echo
 * is not judged again), and the definitions it adjusted. One of those back
 * again is a loop (another program changing the domain back); a definition
 * that keeps the rules and is not the watcher's (the user's own fix,
 * `igd-assign setup`) ends any loop.
 */
typedef struct {
    char *last_key;  /* the last definition looked at */
    char *ours_key;  /* the definition the watcher defined last, as libvirt gave it back */
    GQueue *acted;   /* char*: definitions the watcher adjusted (newest first) */
} Seen;

struct _IgdWatcher {
    char *uri;
    gboolean adjust_hostdevs;
    char *qemu_binary;
    const IgdSysroot *sysroot;
    char *log_path;          /* <state_dir>/watcher.xml, NULL = not kept */
    IgdWatcherLogFunc log_func;
    gpointer log_data;
    virConnectPtr conn;
    int callback_id;
    GThread *event_thread;
    GThread *worker_thread;
    gint stopping;           /* atomic */
    int wakeup_timer;        /* libvirt timeout used to wake the event loop at stop */
    GAsyncQueue *queue;      /* char* domain UUIDs; "" = stop */
    GMutex lock;             /* protects the counters; the rest is the handling thread's */
    GHashTable *seen;        /* uuid → Seen* */
    IgdWatchLog *records;    /* the last action per domain, saved to log_path */
    gboolean records_dirty;  /* changed since the last save */
    guint redefined;
    guint handled;
};

static void
seen_free(Seen *s)
{
    g_free(s->last_key);
    g_free(s->ours_key);
    g_queue_free_full(s->acted, g_free);
    g_free(s);
}

/*
 * The content of a definition as libvirt gives it, for comparison: its
 * SHA-256 with the MAC addresses left out, which libvirt makes up afresh
 * (virDomainNetGenerateMAC) each time a definition without them is defined,
 * so that the same definition defined again by a program is the same.
 */
static char *
content_key(const char *xml)
{
    static GRegex *mac = NULL;
    g_autofree char *plain = NULL;

    if (g_once_init_enter(&mac)) {
        /* not G_REGEX_OPTIMIZE: PCRE2's JIT reads whole words past the subject (memcheck says so) */
        GRegex *re = g_regex_new("<mac address=['\"][0-9a-fA-F:]*['\"]/>", 0, 0, NULL);
        g_once_init_leave(&mac, re);
    }
    plain = g_regex_replace_literal(mac, xml, -1, 0, "<mac/>", 0, NULL);
    return g_compute_checksum_for_string(G_CHECKSUM_SHA256, plain ? plain : xml, -1);
}

static void watcher_log(IgdWatcher *w, GLogLevelFlags level, const char *uuid, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static void
watcher_log(IgdWatcher *w, GLogLevelFlags level, const char *uuid, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = igd_log_message_bound(g_strdup_vprintf(fmt, ap));
    va_end(ap);
    if (w->log_func != NULL) {
        w->log_func(level, uuid, msg, w->log_data);
        return;
    }
    g_log_structured(G_LOG_DOMAIN, level, "IGD_DOMAIN_UUID", uuid ? uuid : "", "MESSAGE", "%s", msg);
}

/* ---- the policy ---- */

void
igd_watch_decision_init(IgdWatchDecision *d)
{
    memset(d, 0, sizeof(*d));
    d->changes = igd_findings_new();
    d->broken = igd_findings_new();
}

void
igd_watch_decision_clear(IgdWatchDecision *d)
{
    g_clear_pointer(&d->out, g_free);
    g_clear_pointer(&d->changes, g_ptr_array_unref);
    g_clear_pointer(&d->broken, g_ptr_array_unref);
    g_clear_pointer(&d->why, g_free);
}

static const char *
mode_name(IgdMode mode)
{
    return mode == IGD_MODE_UPT ? "UPT" : igd_mode_to_string(mode);
}

/* "legacy mode would remove <graphics type='spice'>, <video> model 'qxl'" from a rewrite's removals. */
static char *
would_remove(IgdMode mode, GPtrArray *changes)
{
    g_autoptr(GString) s = g_string_new(NULL);

    g_string_append_printf(s, "%s mode would remove ", mode_name(mode));
    for (guint i = 0, n = 0; i < changes->len; i++) {
        const IgdFinding *f = g_ptr_array_index(changes, i);
        const char *what = f->message;

        if (f->severity != IGD_SEVERITY_WARN)
            continue;
        if (g_str_has_prefix(what, "removed "))
            what += strlen("removed ");
        g_string_append_printf(s, "%s%s", n++ ? ", " : "", what);
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

/* One rewrite of @xml in @mode for @dom's IGD. FALSE with @why when it fails. */
static gboolean
rewrite_in(const char *xml, gsize len, const IgdDomain *dom, const IgdSnapshot *snapshot, IgdMode mode, char **out,
           IgdDomXmlReport *report, char **why)
{
    IgdDomXmlOptions opts;
    g_autoptr(GError) error = NULL;
    gsize out_len = 0;

    igd_domxml_options_init(&opts);
    opts.mode = mode;
    opts.host = dom->host;
    opts.host_set = TRUE;
    opts.snapshot = snapshot;
    if (igd_domxml_rewrite(xml, len, &opts, out, &out_len, report, &error))
        return TRUE;
    *why = g_strdup_printf("%s mode is not possible: %s", mode_name(mode), error->message);
    return FALSE;
}

static void
take_changes(IgdWatchDecision *d, GPtrArray *changes)
{
    for (guint i = 0; i < changes->len; i++)
        g_ptr_array_add(d->changes, igd_finding_copy(g_ptr_array_index(changes, i)));
}

gboolean
igd_watcher_decide(const char *xml, gsize len, const IgdSysroot *sysroot, const IgdSnapshot *snapshot,
                   gboolean adjust_hostdevs, IgdWatchDecision *d, GError **error)
{
    IgdDomainReadOptions ro = { NULL, sysroot };
    g_autoptr(IgdDomain) dom = igd_domain_read(xml, len, &ro, error);
    g_autoptr(GPtrArray) broken = NULL;
    g_autofree char *own_out = NULL, *own_why = NULL, *other_out = NULL, *other_why = NULL;
    IgdDomXmlReport own, other;
    IgdMode other_mode;
    gboolean own_ok, other_ok = FALSE;

    if (dom == NULL)
        return FALSE;
    d->from = d->mode = dom->mode;
    if (!dom->igd_domain || (!dom->has_metadata && !adjust_hostdevs))
        return TRUE;
    if (dom->undone) {
        d->action = IGD_WATCH_OPTED_OUT;
        return TRUE;
    }
    /* what an edit can break: the domain rules and the guest's machine, not the host's readiness */
    broken = igd_domxml_verify(dom, NULL);
    for (guint i = 0; i < broken->len; i++) {
        const IgdFinding *f = g_ptr_array_index(broken, i);
        if (f->severity == IGD_SEVERITY_FAIL)
            g_ptr_array_add(d->broken, igd_finding_copy(f));
    }
    if (d->broken->len == 0)
        return TRUE;

    /* 1. its own mode, when that takes nothing away */
    igd_domxml_report_init(&own);
    own_ok = rewrite_in(xml, len, dom, snapshot, dom->mode, &own_out, &own, &own_why);
    if (own_ok && own.removed == 0 && own.changed) {
        d->action = IGD_WATCH_ADJUSTED;
        d->out = g_steal_pointer(&own_out);
        take_changes(d, own.changes);
        igd_domxml_report_clear(&own);
        return TRUE;
    }
    if (own_ok && own.removed > 0)
        own_why = would_remove(dom->mode, own.changes);
    else if (own_ok)
        own_why = g_strdup_printf("a rewrite in %s mode does not mend it", mode_name(dom->mode));
    igd_domxml_report_clear(&own);

    /* 2. the other mode, when it keeps everything and can work here */
    other_mode = dom->mode == IGD_MODE_LEGACY ? IGD_MODE_UPT : IGD_MODE_LEGACY;
    igd_domxml_report_init(&other);
    if (snapshot == NULL) {
        other_why = g_strdup_printf("%s mode cannot be judged: the host's IGD is not known", mode_name(other_mode));
    } else {
        g_autoptr(GPtrArray) reqs = NULL;
        const IgdFinding *fail;
        IgdGuest guest;

        igd_domxml_guest(dom, snapshot, &guest);
        reqs = igd_requirements_evaluate(snapshot, other_mode == IGD_MODE_UPT ? IGD_SCOPE_UPT : IGD_SCOPE_LEGACY,
                                         &guest);
        fail = igd_findings_first(reqs, IGD_SEVERITY_FAIL);
        if (fail != NULL)
            other_why = g_strdup_printf("%s mode is not possible here: %s", mode_name(other_mode), fail->message);
        else if (rewrite_in(xml, len, dom, snapshot, other_mode, &other_out, &other, &other_why)) {
            if (other.removed > 0)
                other_why = would_remove(other_mode, other.changes);
            else
                other_ok = TRUE;
        }
    }
    if (other_ok) {
        d->action = IGD_WATCH_SWITCHED;
        d->mode = other_mode;
        d->out = g_steal_pointer(&other_out);
        d->why = g_steal_pointer(&own_why);
        take_changes(d, other.changes);
    } else {
        d->action = IGD_WATCH_LEFT;
        d->why = g_strdup_printf("%s; %s", own_why, other_why);
    }
    igd_domxml_report_clear(&other);
    return TRUE;
}

/* ---- acting on a domain ---- */

static Seen *
seen_of(IgdWatcher *w, const char *uuid)
{
    Seen *s = g_hash_table_lookup(w->seen, uuid);

    if (s == NULL) {
        s = g_new0(Seen, 1);
        s->acted = g_queue_new();
        g_hash_table_insert(w->seen, g_strdup(uuid), s);
    }
    return s;
}

static gboolean
acted_on(const Seen *s, const char *key)
{
    return g_queue_find_custom(s->acted, key, (GCompareFunc)strcmp) != NULL;
}

static void
remember_acted(Seen *s, const char *key)
{
    g_queue_push_head(s->acted, g_strdup(key));
    while (g_queue_get_length(s->acted) > IGD_WATCHER_ACTED_MAX)
        g_free(g_queue_pop_tail(s->acted));
}

static void
save_records(IgdWatcher *w)
{
    g_autoptr(GError) error = NULL;

    w->records_dirty = FALSE;
    if (w->log_path != NULL && !igd_watch_log_save(w->records, w->log_path, &error))
        watcher_log(w, G_LOG_LEVEL_WARNING, NULL, "%s (igd-assign status will not show the watcher's actions)",
                    error->message);
}

/* Record the last action on a domain (and save). */
static IgdWatchRecord *
record(IgdWatcher *w, const char *uuid, const char *name, const char *action, IgdMode mode, const char *message)
{
    IgdWatchRecord *r = igd_watch_record_new(uuid, name, g_get_real_time() / G_USEC_PER_SEC, action,
                                             mode == IGD_MODE_AUTO ? "" : igd_mode_to_string(mode), message);

    igd_watch_log_put(w->records, r);
    w->records_dirty = TRUE;
    return r;
}

/* The persistent definition of @uuid now, NULL when the domain is gone (*gone) or unreadable. */
static char *
inactive_xml(IgdWatcher *w, const char *uuid, gboolean *gone, char **name)
{
    virDomainPtr dom = virDomainLookupByUUIDString(w->conn, uuid);
    char *desc;
    char *xml;

    *gone = FALSE;
    if (dom == NULL) {
        virErrorPtr e = virGetLastError();
        *gone = e == NULL || e->code == VIR_ERR_NO_DOMAIN;
        return NULL;
    }
    if (name != NULL) {
        const char *n = virDomainGetName(dom);
        *name = g_strdup(n ? n : "");
    }
    desc = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    if (desc == NULL) {
        virErrorPtr e = virGetLastError();
        *gone = e != NULL && e->code == VIR_ERR_NO_DOMAIN;
    }
    virDomainFree(dom);
    if (desc == NULL)
        return NULL;
    xml = g_strdup(desc);
    free(desc);
    return xml;
}

/* "a; b; c" of the messages of @findings. */
static char *
join_messages(GPtrArray *findings)
{
    g_autoptr(GString) s = g_string_new(NULL);

    for (guint i = 0; i < findings->len; i++)
        g_string_append_printf(s, "%s%s", i ? "; " : "", ((const IgdFinding *)g_ptr_array_index(findings, i))->message);
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static void
forget_gone(IgdWatcher *w, const char *uuid, const char *when)
{
    watcher_log(w, G_LOG_LEVEL_MESSAGE, uuid, "domain %s was undefined %s: nothing to do, nothing defined", uuid,
                when);
    g_hash_table_remove(w->seen, uuid);
    if (igd_watch_log_remove(w->records, uuid))
        w->records_dirty = TRUE;
}

/* Define @d->out for the domain read as @key; one log line and the record. */
static void
apply(IgdWatcher *w, const char *uuid, const char *shown, const char *name, const char *key, IgdWatchDecision *d)
{
    g_autofree char *now = NULL;
    g_autofree char *now_key = NULL;
    g_autofree char *back = NULL;
    Seen *seen;
    g_autofree char *changes = join_messages(d->changes);
    g_autofree char *line = NULL;
    IgdWatchRecord *r;
    virDomainPtr defined;
    gboolean gone;

    /* libvirt cannot define "only if unchanged": look again right before, so that a domain undefined
     * meanwhile is not brought back and an edit made meanwhile is not overwritten */
    now = inactive_xml(w, uuid, &gone, NULL);
    if (now == NULL) {
        if (gone)
            forget_gone(w, uuid, "while the watcher adjusted it");
        else
            watcher_log(w, G_LOG_LEVEL_WARNING, uuid, "cannot read domain '%s' (%s) again: %s; nothing defined",
                        shown, uuid, virGetLastErrorMessage());
        return;
    }
    now_key = content_key(now);
    if (!g_str_equal(now_key, key)) {
        watcher_log(w, G_LOG_LEVEL_MESSAGE, uuid,
                    "domain '%s' (%s) changed while the watcher adjusted it: nothing defined; its new definition "
                    "is looked at next", shown, uuid);
        return;
    }
    defined = virDomainDefineXMLFlags(w->conn, d->out, VIR_DOMAIN_DEFINE_VALIDATE);
    if (defined == NULL) {
        g_autofree char *msg = g_strdup(virGetLastErrorMessage());

        line = g_strdup_printf("cannot define the adjusted domain '%s' (%s): %s; its definition is left as it is",
                               shown, uuid, msg);
        watcher_log(w, G_LOG_LEVEL_WARNING, uuid, "%s", line);
        r = record(w, uuid, name, "failed", d->from, line);
        for (guint i = 0; i < d->broken->len; i++)
            g_ptr_array_add(r->broken, igd_finding_copy(g_ptr_array_index(d->broken, i)));
        return;
    }
    virDomainFree(defined);
    seen = seen_of(w, uuid);
    remember_acted(seen, key);
    /* what libvirt made of it: its DEFINED event brings that back */
    back = inactive_xml(w, uuid, &gone, NULL);
    g_free(seen->ours_key);
    seen->ours_key = back ? content_key(back) : NULL;
    g_mutex_lock(&w->lock);
    w->redefined++;
    g_mutex_unlock(&w->lock);
    if (d->action == IGD_WATCH_SWITCHED)
        line = g_strdup_printf("adjusted domain '%s' (%s) to %s mode, which keeps the edit (%s): %s", shown, uuid,
                               mode_name(d->mode), d->why, changes);
    else
        line = g_strdup_printf("adjusted domain '%s' (%s) to its %s mode: %s", shown, uuid, mode_name(d->mode),
                               changes);
    watcher_log(w, G_LOG_LEVEL_MESSAGE, uuid, "%s", line);
    r = record(w, uuid, name, d->action == IGD_WATCH_SWITCHED ? "switched" : "adjusted", d->mode, line);
    for (guint i = 0; i < d->changes->len; i++)
        g_ptr_array_add(r->changes, g_strdup(((const IgdFinding *)g_ptr_array_index(d->changes, i))->message));
}

void
igd_watcher_handle(IgdWatcher *w, const char *uuid)
{
    g_autofree char *xml = NULL;
    g_autofree char *name = NULL;
    g_autofree char *shown = NULL;
    g_autofree char *key = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdSnapshot) snapshot = NULL;
    const IgdWatchRecord *prev;
    IgdWatchDecision d;
    Seen *seen;
    gboolean gone;

    g_mutex_lock(&w->lock);
    w->handled++;
    g_mutex_unlock(&w->lock);
    xml = inactive_xml(w, uuid, &gone, &name);
    if (xml == NULL) {
        if (gone) {
            forget_gone(w, uuid, "before the watcher looked at it");
            if (w->records_dirty)
                save_records(w);
        } else
            watcher_log(w, G_LOG_LEVEL_WARNING, uuid, "cannot read domain %s: %s", uuid, virGetLastErrorMessage());
        return;
    }
    shown = igd_shown(name, IGD_SHOWN_MAX);
    key = content_key(xml);
    seen = seen_of(w, uuid);
    /* the same definition again (a start, a second event), or the watcher's own: judged already */
    if (g_strcmp0(seen->last_key, key) == 0 || g_strcmp0(seen->ours_key, key) == 0) {
        g_free(seen->last_key);
        seen->last_key = g_strdup(key);
        return;
    }
    g_free(seen->last_key);
    seen->last_key = g_strdup(key);
    /* a definition the watcher adjusted, back as it was: someone changes it back; a loop, by content */
    if (acted_on(seen, key)) {
        g_autofree char *line = g_strdup_printf(
            "domain '%s' (%s) is back to a definition the watcher adjusted before: another program changes it "
            "back; not adjusting it again (a loop)", shown, uuid);
        watcher_log(w, G_LOG_LEVEL_WARNING, uuid, "%s", line);
        record(w, uuid, name, "loop", IGD_MODE_AUTO, line);
        save_records(w);
        return;
    }

    /* A first look without the host: most definitions are not IGD domains (and cost no QEMU probe). */
    {
        IgdDomainReadOptions ro = { NULL, w->sysroot };
        g_autoptr(IgdDomain) dom = igd_domain_read(xml, strlen(xml), &ro, NULL);

        if (dom == NULL || !dom->igd_domain || !(dom->has_metadata || w->adjust_hostdevs))
            return;
        snapshot = igd_snapshot_gather(w->sysroot, &dom->host,
                                       igd_requirements_parts(IGD_SCOPE_LEGACY) & ~IGD_SNAPSHOT_QEMU, NULL);
        if (snapshot != NULL && g_strcmp0(w->qemu_binary, "") != 0)
            igd_snapshot_set_qemu(snapshot, igd_snapshot_probe_qemu(w->qemu_binary, NULL), TRUE);
    }

    igd_watch_decision_init(&d);
    if (!igd_watcher_decide(xml, strlen(xml), w->sysroot, snapshot, w->adjust_hostdevs, &d, &error)) {
        watcher_log(w, G_LOG_LEVEL_WARNING, uuid, "cannot read the definition of domain '%s' (%s): %s", shown, uuid,
                    error->message);
        igd_watch_decision_clear(&d);
        return;
    }
    prev = igd_watch_log_lookup(w->records, uuid);
    switch (d.action) {
    case IGD_WATCH_NOTHING:
        /* someone else's definition that keeps the rules (the user's fix, igd-assign setup): no loop goes on */
        g_queue_clear_full(seen->acted, g_free);
        /* it keeps its rules: a record of a problem is over */
        if (prev != NULL && !g_str_equal(prev->action, "adjusted") && !g_str_equal(prev->action, "switched") &&
            !g_str_equal(prev->action, "ok")) {
            g_autofree char *line = g_strdup_printf("domain '%s' (%s) keeps the rules of its %s mode", shown, uuid,
                                                    mode_name(d.from));
            watcher_log(w, G_LOG_LEVEL_INFO, uuid, "%s", line);
            record(w, uuid, name, "ok", d.from, line);
        }
        break;
    case IGD_WATCH_OPTED_OUT: {
        g_autofree char *line = g_strdup_printf("leaving domain '%s' (%s) as it is: igd-assign undo opted it out "
                                                "(igd-assign setup opts it in again)", shown, uuid);
        if (prev == NULL || !g_str_equal(prev->action, "opted-out"))
            watcher_log(w, G_LOG_LEVEL_MESSAGE, uuid, "%s", line);
        record(w, uuid, name, "opted-out", IGD_MODE_AUTO, line);
        break;
    }
    case IGD_WATCH_LEFT: {
        g_autofree char *broken = join_messages(d.broken);
        g_autofree char *line = g_strdup_printf(
            "domain '%s' (%s) breaks the rules of its %s mode (%s) and is left as it is, its start refused "
            "until fixed: %s", shown, uuid, mode_name(d.from), broken, d.why);
        IgdWatchRecord *r;

        watcher_log(w, G_LOG_LEVEL_WARNING, uuid, "%s", line);
        r = record(w, uuid, name, "left", d.from, line);
        for (guint i = 0; i < d.broken->len; i++)
            g_ptr_array_add(r->broken, igd_finding_copy(g_ptr_array_index(d.broken, i)));
        break;
    }
    case IGD_WATCH_ADJUSTED:
    case IGD_WATCH_SWITCHED:
        apply(w, uuid, shown, name, key, &d);
        break;
    }
    if (w->records_dirty)
        save_records(w);
    igd_watch_decision_clear(&d);
}

/* ---- threads and libvirt ---- */

static gpointer
worker_thread(gpointer data)
{
    IgdWatcher *w = data;

    for (;;) {
        g_autofree char *uuid = g_async_queue_pop(w->queue);
        if (*uuid == '\0')
            break;
        igd_watcher_handle(w, uuid);
    }
    return NULL;
}

static int
lifecycle_cb(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    IgdWatcher *w = opaque;
    char uuid[VIR_UUID_STRING_BUFLEN];

    if (event != VIR_DOMAIN_EVENT_DEFINED || virDomainGetUUIDString(dom, uuid) < 0)
        return 0;
    g_async_queue_push(w->queue, g_strdup(uuid));
    return 0;
}

static void
wakeup_cb(int timer, void *opaque)
{
    virEventUpdateTimeout(timer, -1);
}

static gpointer
event_thread(gpointer data)
{
    IgdWatcher *w = data;

    while (!g_atomic_int_get(&w->stopping))
        if (virEventRunDefaultImpl() < 0)
            break;
    return NULL;
}

static void
silence_libvirt(void *user_data, virErrorPtr err)
{
}

/* Every persistent domain, queued once: the reconciliation at start. */
static void
queue_all(IgdWatcher *w)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(w->conn, &doms, VIR_CONNECT_LIST_DOMAINS_PERSISTENT);

    if (n < 0) {
        watcher_log(w, G_LOG_LEVEL_WARNING, NULL, "libvirt watcher: cannot list the domains of %s: %s (each is "
                    "looked at at its next definition)", w->uri, virGetLastErrorMessage());
        return;
    }
    for (int i = 0; i < n; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN];

        if (virDomainGetUUIDString(doms[i], uuid) == 0)
            g_async_queue_push(w->queue, g_strdup(uuid));
        virDomainFree(doms[i]);
    }
    free(doms);
    watcher_log(w, G_LOG_LEVEL_INFO, NULL, "libvirt watcher: looking at the %d domains defined on %s", n, w->uri);
}

IgdWatcher *
igd_watcher_new(const IgdWatcherOptions *opts, const IgdSysroot *sysroot, GError **error)
{
    static gsize event_impl = 0;
    g_autoptr(IgdWatcher) w = g_new0(IgdWatcher, 1);

    if (g_once_init_enter(&event_impl)) {
        virSetErrorFunc(NULL, silence_libvirt);
        virEventRegisterDefaultImpl();
        g_once_init_leave(&event_impl, 1);
    }
    w->uri = g_strdup(opts->uri ? opts->uri : "qemu:///system");
    w->adjust_hostdevs = opts->adjust_hostdevs;
    w->qemu_binary = g_strdup(opts->qemu_binary);
    w->sysroot = sysroot;
    w->log_func = opts->log_func;
    w->log_data = opts->log_data;
    w->callback_id = -1;
    w->wakeup_timer = -1;
    w->queue = g_async_queue_new_full(g_free);
    g_mutex_init(&w->lock);
    w->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)seen_free);
    if (opts->state_dir != NULL) {
        g_autoptr(GError) local = NULL;

        w->log_path = g_build_filename(opts->state_dir, IGD_WATCH_LOG_FILE_NAME, NULL);
        w->records = igd_watch_log_load(w->log_path, &local);
        if (w->records == NULL)
            watcher_log(w, G_LOG_LEVEL_WARNING, NULL, "%s: starting with no records of the watcher", local->message);
    }
    if (w->records == NULL)
        w->records = igd_watch_log_new();
    w->conn = virConnectOpen(w->uri);
    if (w->conn == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "libvirt watcher: cannot connect to %s: %s", w->uri,
                    virGetLastErrorMessage());
        return NULL;
    }
    if (opts->manual)
        return g_steal_pointer(&w);
    w->callback_id = virConnectDomainEventRegisterAny(w->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                      VIR_DOMAIN_EVENT_CALLBACK(lifecycle_cb), w, NULL);
    if (w->callback_id < 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "libvirt watcher: cannot subscribe to events of %s: %s", w->uri,
                    virGetLastErrorMessage());
        return NULL;
    }
    /* subscribed first, so that no definition falls between the list and the events */
    queue_all(w);
    w->wakeup_timer = virEventAddTimeout(-1, wakeup_cb, NULL, NULL);
    w->event_thread = g_thread_new("igd-libvirt-events", event_thread, w);
    w->worker_thread = g_thread_new("igd-libvirt-worker", worker_thread, w);
    return g_steal_pointer(&w);
}

guint
igd_watcher_get_redefined(IgdWatcher *w)
{
    guint n;

    g_mutex_lock(&w->lock);
    n = w->redefined;
    g_mutex_unlock(&w->lock);
    return n;
}

guint
igd_watcher_get_seen(IgdWatcher *w)
{
    guint n;

    g_mutex_lock(&w->lock);
    n = w->handled;
    g_mutex_unlock(&w->lock);
    return n;
}

void
igd_watcher_free(IgdWatcher *w)
{
    if (w == NULL)
        return;
    if (w->worker_thread != NULL) {
        g_async_queue_push_front(w->queue, g_strdup(""));
        g_thread_join(w->worker_thread);
    }
    if (w->conn != NULL && w->callback_id >= 0)
        virConnectDomainEventDeregisterAny(w->conn, w->callback_id);
    if (w->event_thread != NULL) {
        g_atomic_int_set(&w->stopping, 1);
        virEventUpdateTimeout(w->wakeup_timer, 0); /* wake virEventRunDefaultImpl() */
        g_thread_join(w->event_thread);
    }
    if (w->wakeup_timer >= 0)
        virEventRemoveTimeout(w->wakeup_timer);
    if (w->conn != NULL)
        virConnectClose(w->conn);
    g_async_queue_unref(w->queue);
    g_hash_table_unref(w->seen);
    igd_watch_log_free(w->records);
    g_mutex_clear(&w->lock);
    g_free(w->uri);
    g_free(w->qemu_binary);
    g_free(w->log_path);
    g_free(w);
}
