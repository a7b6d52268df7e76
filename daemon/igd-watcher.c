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

struct _IgdWatcher {
    char *uri;
    gboolean adjust_hostdevs;
    char *qemu_binary;
    const IgdSysroot *sysroot;
    virConnectPtr conn;
    int callback_id;
    GThread *event_thread;
    GThread *worker_thread;
    gint stopping;           /* atomic */
    int wakeup_timer;        /* libvirt timeout used to wake the event loop at stop */
    GAsyncQueue *queue;      /* char* domain UUIDs; "" = stop */
    GMutex lock;             /* protects what follows */
    GHashTable *last_defined; /* uuid → checksum of the XML the watcher defined last */
    GHashTable *recent;       /* uuid → GArray of gint64 monotonic times of redefinitions */
    guint redefined;
    guint seen;
};

static void
log_domain(GLogLevelFlags level, const char *uuid, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
log_domain(GLogLevelFlags level, const char *uuid, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_log_structured(G_LOG_DOMAIN, level, "IGD_DOMAIN_UUID", uuid, "MESSAGE", "%s", msg);
}

gboolean
igd_watcher_adjust(const char *xml, gsize len, const IgdSysroot *sysroot, const IgdSnapshot *snapshot,
                   gboolean adjust_hostdevs, char **out, GError **error)
{
    IgdDomainReadOptions ro = { NULL, sysroot };
    g_autoptr(IgdDomain) dom = igd_domain_read(xml, len, &ro, error);
    g_autoptr(GPtrArray) broken = NULL;
    IgdDomXmlOptions opts;
    IgdDomXmlReport report;
    g_autofree char *rewritten = NULL;
    gsize rewritten_len = 0;
    gboolean ok;

    *out = NULL;
    if (dom == NULL)
        return FALSE;
    if (!dom->igd_domain || (!dom->has_metadata && !adjust_hostdevs))
        return TRUE;
    broken = igd_domxml_verify(dom, snapshot);
    if (igd_findings_first(broken, IGD_SEVERITY_FAIL) == NULL)
        return TRUE;
    igd_domxml_options_init(&opts);
    opts.mode = dom->mode;
    opts.host = dom->host;
    opts.host_set = TRUE;
    opts.snapshot = snapshot;
    igd_domxml_report_init(&report);
    ok = igd_domxml_rewrite(xml, len, &opts, &rewritten, &rewritten_len, &report, error);
    if (ok && report.changed)
        *out = g_steal_pointer(&rewritten);
    igd_domxml_report_clear(&report);
    return ok;
}

/* At most IGD_WATCHER_MAX_PER_MINUTE redefinitions of @uuid per minute (the last guard against a loop). */
static gboolean
rate_ok(IgdWatcher *w, const char *uuid)
{
    gint64 now = g_get_monotonic_time();
    GArray *times = g_hash_table_lookup(w->recent, uuid);

    if (times == NULL) {
        times = g_array_new(FALSE, FALSE, sizeof(gint64));
        g_hash_table_insert(w->recent, g_strdup(uuid), times);
    }
    while (times->len > 0 && now - g_array_index(times, gint64, 0) > 60 * G_USEC_PER_SEC)
        g_array_remove_index(times, 0);
    if (times->len >= IGD_WATCHER_MAX_PER_MINUTE)
        return FALSE;
    g_array_append_val(times, now);
    return TRUE;
}

static void
handle_domain(IgdWatcher *w, const char *uuid)
{
    virDomainPtr dom = virDomainLookupByUUIDString(w->conn, uuid);
    g_autofree char *xml = NULL;
    g_autofree char *out = NULL;
    g_autofree char *sum = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdSnapshot) snapshot = NULL;
    virDomainPtr defined;
    char *desc;

    if (dom == NULL)
        return; /* undefined meanwhile */
    desc = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    virDomainFree(dom);
    if (desc == NULL)
        return;
    xml = g_strdup(desc);
    free(desc);

    sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, xml, -1);
    g_mutex_lock(&w->lock);
    if (g_strcmp0(g_hash_table_lookup(w->last_defined, uuid), sum) == 0) {
        g_mutex_unlock(&w->lock);
        return; /* our own definition coming back */
    }
    g_mutex_unlock(&w->lock);

    /* A first look without the host: most definitions are not IGD domains (and cost no QEMU probe). */
    {
        IgdDomainReadOptions ro = { NULL, w->sysroot };
        g_autoptr(IgdDomain) d = igd_domain_read(xml, strlen(xml), &ro, NULL);

        if (d == NULL || !d->igd_domain || !(d->has_metadata || w->adjust_hostdevs))
            return;
        snapshot = igd_snapshot_gather(w->sysroot, &d->host, igd_requirements_parts(IGD_SCOPE_LEGACY) &
                                                                   ~IGD_SNAPSHOT_QEMU, NULL);
        if (snapshot != NULL && g_strcmp0(w->qemu_binary, "") != 0)
            igd_snapshot_set_qemu(snapshot, igd_snapshot_probe_qemu(w->qemu_binary, NULL), TRUE);
    }
    if (!igd_watcher_adjust(xml, strlen(xml), w->sysroot, snapshot, w->adjust_hostdevs, &out, &error)) {
        log_domain(G_LOG_LEVEL_WARNING, uuid, "domain %s breaks the IGD rules and cannot be adjusted: %s", uuid,
                   error->message);
        return;
    }
    if (out == NULL)
        return;
    g_mutex_lock(&w->lock);
    if (!rate_ok(w, uuid)) {
        g_mutex_unlock(&w->lock);
        log_domain(G_LOG_LEVEL_WARNING, uuid, "not adjusting domain %s again: %u redefinitions within a minute",
                   uuid, IGD_WATCHER_MAX_PER_MINUTE);
        return;
    }
    g_hash_table_insert(w->last_defined, g_strdup(uuid), g_compute_checksum_for_string(G_CHECKSUM_SHA256, out, -1));
    g_mutex_unlock(&w->lock);

    defined = virDomainDefineXMLFlags(w->conn, out, VIR_DOMAIN_DEFINE_VALIDATE);
    if (defined == NULL) {
        const char *msg = virGetLastErrorMessage();
        log_domain(G_LOG_LEVEL_WARNING, uuid, "cannot define the adjusted domain %s: %s", uuid, msg);
        return;
    }
    virDomainFree(defined);
    g_mutex_lock(&w->lock);
    w->redefined++;
    g_mutex_unlock(&w->lock);
    log_domain(G_LOG_LEVEL_MESSAGE, uuid, "adjusted the definition of domain %s to its IGD mode", uuid);
}

static gpointer
worker_thread(gpointer data)
{
    IgdWatcher *w = data;

    for (;;) {
        g_autofree char *uuid = g_async_queue_pop(w->queue);
        if (*uuid == '\0')
            break;
        handle_domain(w, uuid);
        g_mutex_lock(&w->lock);
        w->seen++;
        g_mutex_unlock(&w->lock);
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
    w->callback_id = -1;
    w->wakeup_timer = -1;
    w->queue = g_async_queue_new_full(g_free);
    g_mutex_init(&w->lock);
    w->last_defined = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    w->recent = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
    w->conn = virConnectOpen(w->uri);
    if (w->conn == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "libvirt watcher: cannot connect to %s: %s", w->uri,
                    virGetLastErrorMessage());
        return NULL;
    }
    w->callback_id = virConnectDomainEventRegisterAny(w->conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                      VIR_DOMAIN_EVENT_CALLBACK(lifecycle_cb), w, NULL);
    if (w->callback_id < 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "libvirt watcher: cannot subscribe to events of %s: %s", w->uri,
                    virGetLastErrorMessage());
        return NULL;
    }
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
    n = w->seen;
    g_mutex_unlock(&w->lock);
    return n;
}

void
igd_watcher_free(IgdWatcher *w)
{
    if (w == NULL)
        return;
    if (w->worker_thread != NULL) {
        g_async_queue_push(w->queue, g_strdup(""));
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
    g_hash_table_unref(w->last_defined);
    g_hash_table_unref(w->recent);
    g_mutex_clear(&w->lock);
    g_free(w->uri);
    g_free(w->qemu_binary);
    g_free(w);
}
