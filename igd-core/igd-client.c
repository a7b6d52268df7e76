/*
 * igd-client.c: the D-Bus client of igd-assignd.
 */
#include "config.h"

#include <string.h>

#include "igd-client.h"
#include "igd-dbus-common.h"

struct _IgdClient {
    GDBusConnection *connection;
    gint timeout_ms;
};

/*
 * Connecting is bounded by the client's timeout. GDBus's own connect has no
 * bound of its own: a bus that accepts and then says nothing (a stopped or
 * wedged dbus-daemon) holds the SASL exchange until it is cancelled, and
 * its Hello call ignores the cancellable and waits GDBus's 25 s. So the
 * connection is made in the caller's thread while a watchdog thread waits
 * for the deadline: if it comes first, the watchdog cancels (which ends a
 * hanging connect or authentication at once) and shuts the socket down
 * (which ends a hanging Hello: GDBus's worker reads the end of the
 * connection). The caller never waits for the watchdog: it tells it the
 * connect is over and goes on, and the watchdog leaves when it next runs
 * (a connect made in a thread of its own put two thread wake-ups on the
 * hook's path, each a wait for a CPU on a loaded machine).
 */
typedef struct {
    gatomicrefcount ref;
    GMutex lock;
    GCond cond;
    gint64 deadline;
    gboolean over;   /* the connect ended: the watchdog leaves */
    gboolean fired;  /* the deadline came first */
    GCancellable *cancellable;
    GSocket *socket; /* the connection's socket, once there: shut down when the deadline comes */
} Watchdog;

static void
watchdog_unref(Watchdog *w)
{
    if (!g_atomic_ref_count_dec(&w->ref))
        return;
    g_mutex_clear(&w->lock);
    g_cond_clear(&w->cond);
    g_clear_object(&w->cancellable);
    g_clear_object(&w->socket);
    g_free(w);
}

/* Under w->lock. */
static void
watchdog_bite(Watchdog *w)
{
    w->fired = TRUE;
    g_cancellable_cancel(w->cancellable);
    if (w->socket != NULL)
        g_socket_shutdown(w->socket, TRUE, TRUE, NULL);
}

static gpointer
watchdog_thread(gpointer data)
{
    Watchdog *w = data;

    g_mutex_lock(&w->lock);
    while (!w->over) {
        if (!g_cond_wait_until(&w->cond, &w->lock, w->deadline)) {
            if (!w->over)
                watchdog_bite(w);
            break;
        }
    }
    g_mutex_unlock(&w->lock);
    watchdog_unref(w);
    return NULL;
}

static GDBusConnection *
connect_bounded(const char *address, guint timeout_ms, GError **error)
{
    Watchdog *w = g_new0(Watchdog, 1);
    g_autoptr(GIOStream) stream = NULL;
    g_autoptr(GDBusConnection) connection = NULL;
    g_autoptr(GError) local = NULL;
    GThread *thread;
    gboolean fired;

    g_atomic_ref_count_init(&w->ref);
    g_mutex_init(&w->lock);
    g_cond_init(&w->cond);
    w->deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    w->cancellable = g_cancellable_new();
    g_atomic_ref_count_inc(&w->ref); /* the watchdog's */
    thread = g_thread_try_new("igd-client-watchdog", watchdog_thread, w, error);
    if (thread == NULL) {
        watchdog_unref(w);
        watchdog_unref(w);
        return NULL;
    }
    g_thread_unref(thread);

    stream = g_dbus_address_get_stream_sync(address, NULL, w->cancellable, &local);
    if (stream != NULL && G_IS_SOCKET_CONNECTION(stream)) {
        g_mutex_lock(&w->lock);
        w->socket = g_object_ref(g_socket_connection_get_socket(G_SOCKET_CONNECTION(stream)));
        if (w->fired)
            g_socket_shutdown(w->socket, TRUE, TRUE, NULL);
        g_mutex_unlock(&w->lock);
    }
    if (stream != NULL)
        connection = g_dbus_connection_new_sync(stream, NULL,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, w->cancellable, &local);

    g_mutex_lock(&w->lock);
    w->over = TRUE;
    fired = w->fired;
    g_cond_signal(&w->cond);
    g_mutex_unlock(&w->lock);
    watchdog_unref(w);

    /* The deadline came first, even if the connection was made just after (its socket is shut down). */
    if (fired) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "no answer within %u ms", timeout_ms);
        return NULL;
    }
    if (connection == NULL) {
        g_propagate_error(error, g_steal_pointer(&local));
        return NULL;
    }
    return g_steal_pointer(&connection);
}

IgdClient *
igd_client_new(const char *bus_address, guint timeout_ms, GError **error)
{
    g_autoptr(GDBusConnection) connection = NULL;
    g_autoptr(GError) local = NULL;
    g_autofree char *system_address = NULL;
    gboolean system_bus = FALSE;
    IgdClient *client;

    igd_dbus_error_ensure();
    if (timeout_ms == 0)
        timeout_ms = IGD_DBUS_DEFAULT_TIMEOUT_MS;
    timeout_ms = MIN(timeout_ms, (guint)G_MAXINT);
    if (bus_address == NULL || *bus_address == '\0')
        bus_address = g_getenv(IGD_DBUS_ADDRESS_ENV);
    if (bus_address == NULL || *bus_address == '\0') {
        /* $DBUS_SYSTEM_BUS_ADDRESS, else the standard socket. */
        system_address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SYSTEM, NULL, &local);
        bus_address = system_address;
        system_bus = TRUE;
    }
    if (bus_address != NULL)
        connection = connect_bounded(bus_address, timeout_ms, &local);
    if (connection == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNAVAILABLE, "cannot reach igd-assignd: cannot connect to %s%s%s: %s",
                    system_bus ? "the system bus" : "the bus at '", system_bus ? "" : bus_address,
                    system_bus ? "" : "'", local->message);
        return NULL;
    }
    g_dbus_connection_set_exit_on_close(connection, FALSE);
    client = g_new0(IgdClient, 1);
    client->connection = g_steal_pointer(&connection);
    client->timeout_ms = (gint)timeout_ms;
    return client;
}

void
igd_client_free(IgdClient *client)
{
    if (client == NULL)
        return;
    g_clear_object(&client->connection);
    g_free(client);
}

/* D-Bus strings must be UTF-8 (GVariant would refuse them loudly). */
static gboolean
check_args(const char *const *args, GError **error)
{
    for (guint i = 0; args[i] != NULL; i++) {
        if (!g_utf8_validate(args[i], -1, NULL)) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "argument %u is not valid UTF-8", i + 1);
            return FALSE;
        }
    }
    return TRUE;
}

static GVariant *
call(IgdClient *client, const char *method, GVariant *params, const GVariantType *reply_type, GError **error)
{
    g_autoptr(GError) local = NULL;
    GVariant *reply;

    reply = g_dbus_connection_call_sync(client->connection, IGD_DBUS_NAME, IGD_DBUS_PATH, IGD_DBUS_INTERFACE,
                                        method, params, reply_type,
                                        G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, client->timeout_ms,
                                        NULL, &local);
    if (reply == NULL) {
        g_propagate_error(error, igd_dbus_error_translate(g_steal_pointer(&local)));
        return NULL;
    }
    return reply;
}

static gboolean
call_void(IgdClient *client, const char *method, const char *const *args, GError **error)
{
    g_autoptr(GVariant) reply = NULL;
    GVariantBuilder b;

    if (!check_args(args, error))
        return FALSE;
    g_variant_builder_init(&b, G_VARIANT_TYPE_TUPLE);
    for (guint i = 0; args[i] != NULL; i++)
        g_variant_builder_add(&b, "s", args[i]);
    reply = call(client, method, g_variant_builder_end(&b), G_VARIANT_TYPE_UNIT, error);
    return reply != NULL;
}

static char *
call_string(IgdClient *client, const char *method, const char *const *args, GError **error)
{
    g_autoptr(GVariant) reply = NULL;
    GVariantBuilder b;
    char *out = NULL;

    if (!check_args(args, error))
        return NULL;
    g_variant_builder_init(&b, G_VARIANT_TYPE_TUPLE);
    for (guint i = 0; args[i] != NULL; i++)
        g_variant_builder_add(&b, "s", args[i]);
    reply = call(client, method, g_variant_builder_end(&b), G_VARIANT_TYPE("(s)"), error);
    if (reply == NULL)
        return NULL;
    g_variant_get(reply, "(s)", &out);
    return out;
}

#define S(x) ((x) != NULL ? (x) : "")

gboolean
igd_client_prepare(IgdClient *client, const IgdPrepareRequest *req, GError **error)
{
    const char *args[] = { S(req->uuid), S(req->name), S(req->pci), S(req->mode), S(req->machine), NULL };
    g_autoptr(GVariant) reply = NULL;
    GVariantBuilder opts;

    if (*args[4] == '\0' && req->x_igd_gms == 0) {
        args[4] = NULL;
        return call_void(client, "Prepare", args, error);
    }
    if (!check_args(args, error))
        return FALSE;
    g_variant_builder_init(&opts, G_VARIANT_TYPE_VARDICT);
    if (*args[4] != '\0')
        g_variant_builder_add(&opts, "{sv}", "machine", g_variant_new_string(args[4]));
    if (req->x_igd_gms != 0)
        g_variant_builder_add(&opts, "{sv}", "x-igd-gms", g_variant_new_uint32(req->x_igd_gms));
    reply = call(client, "PrepareWithOptions",
                 g_variant_new("(ssssa{sv})", args[0], args[1], args[2], args[3], &opts), G_VARIANT_TYPE_UNIT,
                 error);
    return reply != NULL;
}

gboolean
igd_client_release(IgdClient *client, const char *uuid, GError **error)
{
    const char *args[] = { S(uuid), NULL };
    return call_void(client, "Release", args, error);
}

gboolean
igd_client_reconnect(IgdClient *client, const char *uuid, const char *pci, GError **error)
{
    const char *args[] = { S(uuid), S(pci), NULL };
    return call_void(client, "Reconnect", args, error);
}

gboolean
igd_client_bind(IgdClient *client, const char *pci, GError **error)
{
    const char *args[] = { S(pci), NULL };
    return call_void(client, "Bind", args, error);
}

gboolean
igd_client_rebind(IgdClient *client, const char *pci, GError **error)
{
    const char *args[] = { S(pci), NULL };
    return call_void(client, "Rebind", args, error);
}

char *
igd_client_check(IgdClient *client, const char *pci, GError **error)
{
    const char *args[] = { S(pci), NULL };
    return call_string(client, "Check", args, error);
}

char *
igd_client_get_status(IgdClient *client, GError **error)
{
    const char *args[] = { NULL };
    return call_string(client, "GetStatus", args, error);
}
