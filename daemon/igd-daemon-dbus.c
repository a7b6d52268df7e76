/*
 * igd-daemon-dbus.c: org.igdassign.Manager1 on D-Bus. Each method call is
 * authorized (root; or polkit on the system bus when built with it;
 * otherwise denied), then handed to one igd_owner_*() operation
 * (igd-core/igd-owner.h), whose GError goes back as
 * org.igdassign.Error.<Code> (igd-dbus-common.h). Prepare and
 * PrepareWithOptions fill the same IgdPrepareRequest.
 *
 * Root first (SPEC.md §7: no unprivileged caller can delay a root
 * caller). The main loop never waits: a caller's credentials are asked of
 * the bus asynchronously (GetConnectionCredentials) once per connection
 * and kept until the bus says the connection is gone (NameOwnerChanged);
 * the calls that arrive meanwhile wait in the caller's own queue; polkit
 * is asked asynchronously. So a known root caller's call runs as soon as
 * the main loop sees it, and a denied one costs a table lookup and an
 * error reply. Arguments larger than IGD_OWNER_ARG_MAX are refused before
 * anything else; each caller has at most PEER_MAX_WAITING calls waiting
 * (for its credentials or for polkit), more are denied at once; denials
 * are logged at most DENY_LOG_BURST per DENY_LOG_WINDOW_SEC, then counted,
 * and every outside string in a log line is bounded (igd_shown()).
 */
#include "config.h"

#include <string.h>

#ifdef HAVE_POLKIT
#include <polkit/polkit.h>
#endif

#include "igd-common.h"
#include "igd-daemon-private.h"
#include "igd-dbus-common.h"
#include "igd-introspection.h"
#include "igd-owner.h"
#include "igd-tarpit.h"

typedef enum {
    METHOD_PREPARE,
    METHOD_PREPARE_WITH_OPTIONS,
    METHOD_RELEASE,
    METHOD_RECONNECT,
    METHOD_BIND,
    METHOD_REBIND,
    METHOD_CHECK,
    METHOD_GET_STATUS,
} Method;

static const struct {
    const char *name;
    const char *action; /* polkit action id (daemon/org.igdassign.policy.in) */
} methods[] = {
    [METHOD_PREPARE] = { "Prepare", "org.igdassign.prepare" },
    [METHOD_PREPARE_WITH_OPTIONS] = { "PrepareWithOptions", "org.igdassign.prepare" },
    [METHOD_RELEASE] = { "Release", "org.igdassign.release" },
    [METHOD_RECONNECT] = { "Reconnect", "org.igdassign.prepare" },
    [METHOD_BIND] = { "Bind", "org.igdassign.bind" },
    [METHOD_REBIND] = { "Rebind", "org.igdassign.bind" },
    [METHOD_CHECK] = { "Check", "org.igdassign.check" },
    [METHOD_GET_STATUS] = { "GetStatus", "org.igdassign.status" },
};

#define PEER_MAX_WAITING 16   /* calls of one caller waiting for its credentials or for polkit */
#define PEERS_MAX 4096        /* callers remembered; past this, the idle ones are forgotten */
#define ARG_OPTIONS_MAX 16    /* entries of PrepareWithOptions' options */
#define DENY_LOG_BURST 5      /* denials logged per window, the others counted */
#define DENY_LOG_WINDOW_SEC 60

/* The members igd-tarpit's filter answers for callers denied outright. */
static const char *const method_names[] = {
    "Prepare", "PrepareWithOptions", "Release", "Reconnect", "Bind", "Rebind", "Check", "GetStatus", NULL,
};
G_STATIC_ASSERT(G_N_ELEMENTS(method_names) == G_N_ELEMENTS(methods) + 1);

typedef struct _Peer Peer;

typedef struct {
    IgdDaemonBus *bus;
    GDBusMethodInvocation *invocation; /* owned */
    Method method;
    Peer *peer; /* NULL: no sender */
} Call;

/*
 * One connection that called us (its unique name). Freed only when idle:
 * known, nothing waiting, nothing at polkit (calls point at it).
 */
struct _Peer {
    IgdDaemonBus *bus;
    char *name;
    gboolean known;   /* uid and pid are the bus's answer */
    guint32 uid;
    guint32 pid;      /* 0 when the bus does not know it */
    GQueue waiting;   /* Call*: arrived before the credentials */
    guint at_polkit;  /* calls of this peer at polkit (or waiting for its authority object) */
    gboolean gone;    /* left the bus: forget it once idle */
};

struct _IgdDaemonBus {
    IgdDaemon *daemon;
    IgdTarpit *tarpit;      /* paces every denial; answers callers denied outright in the worker thread */
    GDBusConnection *connection;
    gboolean private_bus;
    guint registration_id;
    guint name_owner_changed;
    GHashTable *peers;      /* unique name → Peer* (owned) */
    GCancellable *cancel;   /* cancelled at unexport */
    guint pending;          /* async operations whose callbacks have not run */
#ifdef HAVE_POLKIT
    PolkitAuthority *authority;
    gboolean authority_asked;
    char *authority_error;  /* NULL = none (yet) */
    GQueue authority_waiting; /* Call*: non-root calls before the authority object came */
#endif
    guint deny_logged;      /* in the current window */
    guint deny_suppressed;
    guint deny_window;      /* timeout source ending the window, 0 = none open */
};

static void
call_free(Call *call)
{
    g_object_unref(call->invocation);
    g_free(call);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Call, call_free)

static void
peer_free(Peer *peer)
{
    g_free(peer->name);
    g_free(peer);
}

static gboolean
peer_is_idle(const Peer *peer)
{
    return peer->known && peer->waiting.length == 0 && peer->at_polkit == 0;
}

/* Forget @peer when it left the bus and nothing points at it any more. */
static void
peer_maybe_forget(IgdDaemonBus *bus, Peer *peer)
{
    if (peer->gone && peer_is_idle(peer))
        g_hash_table_remove(bus->peers, peer->name);
}

/* ---- who is denied without asking anyone ---- */

#define PRIVATE_BUS_DENIAL "only root may call on a private bus (polkit answers for the system bus only)"
#define NO_POLKIT_DENIAL "root only (built without polkit)"

/* Why a caller of this uid is denied without asking polkit, NULL when it is not. */
static const char *
denied_outright(const IgdDaemonBus *bus, guint32 uid)
{
    if (uid == 0)
        return NULL;
    if (bus->private_bus)
        return PRIVATE_BUS_DENIAL;
#ifdef HAVE_POLKIT
    return NULL;
#else
    return NO_POLKIT_DENIAL;
#endif
}

/* The a{sv} of PrepareWithOptions: "machine" (s), "x-igd-gms" (u) into @req; strings point into @opts. */
static gboolean
prepare_options(GVariant *opts, IgdPrepareRequest *req, GError **error)
{
    GVariantIter iter;
    const char *key;
    GVariant *value;

    g_variant_iter_init(&iter, opts);
    while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
        if (g_str_equal(key, "machine") && g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
            req->machine = g_variant_get_string(value, NULL);
        } else if (g_str_equal(key, "x-igd-gms") && g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32)) {
            req->x_igd_gms = g_variant_get_uint32(value);
        } else {
            g_autofree char *shown = igd_shown(key, 40);
            g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "unknown option '%s' of type %s", shown,
                        g_variant_get_type_string(value));
            g_variant_unref(value);
            return FALSE;
        }
    }
    return TRUE;
}

/* Authorized: one igd-owner operation, one reply. */
static void
run(Call *call)
{
    GVariant *params = g_dbus_method_invocation_get_parameters(call->invocation);
    IgdOwner *owner = call->bus->daemon->owner;
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) opts = NULL;
    g_autofree char *out = NULL;
    IgdPrepareRequest req = { NULL, NULL, NULL, NULL, NULL, 0 };
    const char *a = NULL, *b = NULL;
    gboolean ok = FALSE;

    switch (call->method) {
    case METHOD_PREPARE:
        g_variant_get(params, "(&s&s&s&s)", &req.uuid, &req.name, &req.pci, &req.mode);
        ok = igd_owner_prepare(owner, &req, &error);
        break;
    case METHOD_PREPARE_WITH_OPTIONS:
        g_variant_get(params, "(&s&s&s&s@a{sv})", &req.uuid, &req.name, &req.pci, &req.mode, &opts);
        ok = prepare_options(opts, &req, &error) && igd_owner_prepare(owner, &req, &error);
        break;
    case METHOD_RELEASE:
        g_variant_get(params, "(&s)", &a);
        ok = igd_owner_release(owner, a, &error);
        break;
    case METHOD_RECONNECT:
        g_variant_get(params, "(&s&s)", &a, &b);
        ok = igd_owner_reconnect(owner, a, b, &error);
        break;
    case METHOD_BIND:
        g_variant_get(params, "(&s)", &a);
        ok = igd_owner_bind(owner, a, &error);
        break;
    case METHOD_REBIND:
        g_variant_get(params, "(&s)", &a);
        ok = igd_owner_rebind(owner, a, &error);
        break;
    case METHOD_CHECK:
        g_variant_get(params, "(&s)", &a);
        out = igd_owner_check(owner, a, &error);
        ok = out != NULL;
        break;
    case METHOD_GET_STATUS:
        out = igd_owner_get_status(owner, &error);
        ok = out != NULL;
        break;
    }
    if (!ok) {
        if (error == NULL)
            g_set_error(&error, IGD_ERROR, IGD_ERROR_INTERNAL, "%s failed without a reason", methods[call->method].name);
        g_debug("%s from %s: %s", methods[call->method].name, g_dbus_method_invocation_get_sender(call->invocation),
                error->message);
        g_dbus_method_invocation_return_gerror(g_object_ref(call->invocation), error);
    } else if (out != NULL) {
        g_dbus_method_invocation_return_value(g_object_ref(call->invocation), g_variant_new("(s)", out));
    } else {
        g_dbus_method_invocation_return_value(g_object_ref(call->invocation), NULL);
    }
}

/* ---- denials, logged at most DENY_LOG_BURST per window ---- */

/* Log how many denials went unlogged; FALSE when there were none. */
static gboolean
deny_log_summary(IgdDaemonBus *bus)
{
    guint filtered, late, unanswered, n;

    igd_tarpit_take_counts(bus->tarpit, &filtered, &late, &unanswered);
    n = bus->deny_suppressed + filtered;
    if (n > 0)
        g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "MESSAGE",
                         "%u more denied calls in the last %d s were not logged (%u answered late, %u not answered: "
                         "their callers kept calling)",
                         n, DENY_LOG_WINDOW_SEC, late, unanswered);
    bus->deny_logged = 0;
    bus->deny_suppressed = 0;
    return n > 0;
}

/* A window ends: its summary; while denials go on, the next window starts. */
static gboolean
deny_window_end(gpointer user_data)
{
    IgdDaemonBus *bus = user_data;

    if (deny_log_summary(bus))
        return G_SOURCE_CONTINUE;
    bus->deny_window = 0;
    return G_SOURCE_REMOVE;
}

static void
deny_log(IgdDaemonBus *bus, const Call *call, const char *why)
{
    const char *sender = g_dbus_method_invocation_get_sender(call->invocation);
    g_autofree char *shown_sender = NULL;
    g_autofree char *shown_why = NULL;
    char who[64] = "";

    if (bus->deny_window == 0)
        bus->deny_window = g_timeout_add_seconds(DENY_LOG_WINDOW_SEC, deny_window_end, bus);
    if (bus->deny_logged >= DENY_LOG_BURST) {
        bus->deny_suppressed++;
        return;
    }
    bus->deny_logged++;
    shown_sender = igd_shown(sender ? sender : "(peer)", 64);
    shown_why = igd_shown(why, IGD_SHOWN_MAX);
    if (call->peer != NULL && call->peer->known)
        g_snprintf(who, sizeof who, " (uid %u, pid %u)", call->peer->uid, call->peer->pid);
    g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "IGD_SENDER", shown_sender, "MESSAGE",
                     "denied %s to %s%s: %s%s", methods[call->method].name, shown_sender, who, shown_why,
                     bus->deny_logged == DENY_LOG_BURST ? " (further denials counted, not logged, for a while)" : "");
}

/* Answer Error.Denied, paced by the tarpit, and free @call. */
static void
deny(Call *call, const char *why)
{
    g_autoptr(Call) owned = call;
    GDBusMessage *message = g_dbus_method_invocation_get_message(call->invocation);
    const char *sender = g_dbus_method_invocation_get_sender(call->invocation);
    g_autofree char *shown = igd_shown(why, IGD_SHOWN_MAX);

    deny_log(call->bus, call, why);
    if (sender == NULL || (g_dbus_message_get_flags(message) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)) {
        g_dbus_method_invocation_return_error(g_object_ref(call->invocation), IGD_ERROR, IGD_ERROR_DENIED,
                                              "not authorized to call %s: %s", methods[call->method].name, shown);
        return;
    }
    /* Our own reply, not the invocation's: it may leave later, or never. */
    igd_tarpit_answer(call->bus->tarpit, sender,
                      g_dbus_message_new_method_error(message, IGD_DBUS_ERROR_PREFIX "Denied",
                                                      "not authorized to call %s: %s", methods[call->method].name,
                                                      shown));
}

/* ---- authorization ---- */

#ifdef HAVE_POLKIT
static void
polkit_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
    Call *call = user_data;
    IgdDaemonBus *bus = call->bus;
    Peer *peer = call->peer;
    g_autoptr(GError) error = NULL;
    g_autoptr(PolkitAuthorizationResult) result =
        polkit_authority_check_authorization_finish(POLKIT_AUTHORITY(source), res, &error);

    bus->pending--;
    peer->at_polkit--;
    if (result == NULL) {
        g_autofree char *why = g_strdup_printf("polkit failed: %s", error->message);
        deny(call, why);
    } else if (!polkit_authorization_result_get_is_authorized(result)) {
        g_autofree char *why = g_strdup_printf("polkit action %s not granted", methods[call->method].action);
        deny(call, why);
    } else {
        run(call);
        call_free(call);
    }
    peer_maybe_forget(bus, peer);
}

/* Ask polkit about @call (taken), whose peer counts it in at_polkit. */
static void
polkit_check(Call *call)
{
    IgdDaemonBus *bus = call->bus;
    g_autoptr(PolkitSubject) subject = NULL;
    PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;

    if (bus->authority == NULL) {
        g_autofree char *why = g_strdup_printf("polkit is not available: %s",
                                               bus->authority_error ? bus->authority_error : "no authority");
        call->peer->at_polkit--;
        deny(call, why);
        return;
    }
    if (g_dbus_message_get_flags(g_dbus_method_invocation_get_message(call->invocation)) &
        G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
        flags |= POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;
    /* The bus name, not the pid: polkitd asks the bus who it is, race-free. */
    subject = polkit_system_bus_name_new(call->peer->name);
    bus->pending++;
    polkit_authority_check_authorization(bus->authority, subject, methods[call->method].action, NULL, flags,
                                         bus->cancel, polkit_done, call);
}

static void
authority_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
    IgdDaemonBus *bus = user_data;
    g_autoptr(GError) error = NULL;
    Call *call;

    bus->pending--;
    bus->authority = polkit_authority_get_finish(res, &error);
    if (bus->authority == NULL)
        bus->authority_error = g_strdup(error->message);
    while ((call = g_queue_pop_head(&bus->authority_waiting)) != NULL) {
        Peer *peer = call->peer;
        polkit_check(call);
        peer_maybe_forget(bus, peer);
    }
}
#endif

/* @call's caller is known: run it, deny it, or ask polkit. Takes @call. */
static void
authorize_known(Call *call)
{
    IgdDaemonBus *bus = call->bus;
    Peer *peer = call->peer;
    const char *outright = denied_outright(bus, peer->uid);

    if (peer->uid == 0) {
        run(call);
        call_free(call);
        return;
    }
    if (outright != NULL) {
        deny(call, outright);
        return;
    }
#ifdef HAVE_POLKIT
    if (peer->at_polkit >= PEER_MAX_WAITING) {
        deny(call, "too many calls of this caller waiting for polkit");
        return;
    }
    peer->at_polkit++;
    if (bus->authority == NULL && bus->authority_error == NULL) {
        /* polkit's authority object, fetched once without blocking; calls wait for it. */
        g_queue_push_tail(&bus->authority_waiting, call);
        if (!bus->authority_asked) {
            bus->authority_asked = TRUE;
            bus->pending++;
            polkit_authority_get_async(bus->cancel, authority_done, bus);
        }
        return;
    }
    polkit_check(call);
#endif
}

static void
credentials_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
    Peer *peer = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
    g_autoptr(GVariant) creds = NULL;
    IgdDaemonBus *bus = peer->bus;
    Call *call;

    bus->pending--;
    if (reply != NULL) {
        creds = g_variant_get_child_value(reply, 0);
        peer->known = g_variant_lookup(creds, "UnixUserID", "u", &peer->uid);
        if (!g_variant_lookup(creds, "ProcessID", "u", &peer->pid))
            peer->pid = 0;
    }
    if (!peer->known) {
        /* Not kept: the next call asks again. */
        g_autofree char *why = g_strdup_printf("cannot identify the caller: %s",
                                               error ? error->message : "the bus gave no user id");
        while ((call = g_queue_pop_head(&peer->waiting)) != NULL)
            deny(call, why);
        g_hash_table_remove(bus->peers, peer->name);
        return;
    }
    /* From now on the worker thread answers this caller's calls itself. */
    if (denied_outright(bus, peer->uid) != NULL && !peer->gone)
        igd_tarpit_deny_outright(bus->tarpit, peer->name, IGD_DBUS_ERROR_PREFIX "Denied",
                                 denied_outright(bus, peer->uid));
    while ((call = g_queue_pop_head(&peer->waiting)) != NULL)
        authorize_known(call);
    peer_maybe_forget(bus, peer);
}

/* The caller @sender, known or being resolved (NULL when the table is full of busy callers). */
static Peer *
peer_lookup(IgdDaemonBus *bus, const char *sender)
{
    Peer *peer = g_hash_table_lookup(bus->peers, sender);
    GHashTableIter iter;
    gpointer value;

    if (peer != NULL)
        return peer;
    if (g_hash_table_size(bus->peers) >= PEERS_MAX) {
        /* Connections that left without the bus telling us (never, normally): start over with the idle ones. */
        g_hash_table_iter_init(&iter, bus->peers);
        while (g_hash_table_iter_next(&iter, NULL, &value))
            if (peer_is_idle(value))
                g_hash_table_iter_remove(&iter);
        if (g_hash_table_size(bus->peers) >= PEERS_MAX)
            return NULL;
    }
    peer = g_new0(Peer, 1);
    peer->bus = bus;
    peer->name = g_strdup(sender);
    g_queue_init(&peer->waiting);
    g_hash_table_insert(bus->peers, peer->name, peer);
    return peer;
}

/* Authorize @call (taken), then run or deny it, now or when its caller's credentials come. */
static void
authorize(Call *call)
{
    IgdDaemonBus *bus = call->bus;
    const char *sender = g_dbus_method_invocation_get_sender(call->invocation);
    gboolean ask;

    if (sender == NULL) {
        deny(call, "no sender on the bus");
        return;
    }
    call->peer = peer_lookup(bus, sender);
    if (call->peer == NULL) {
        deny(call, "too many callers at once");
        return;
    }
    if (call->peer->known) {
        authorize_known(call);
        return;
    }
    if (g_queue_get_length(&call->peer->waiting) >= PEER_MAX_WAITING) {
        deny(call, "too many calls of this caller waiting for its credentials");
        return;
    }
    ask = g_queue_is_empty(&call->peer->waiting);
    g_queue_push_tail(&call->peer->waiting, call);
    if (ask) {
        bus->pending++;
        g_dbus_connection_call(bus->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "GetConnectionCredentials", g_variant_new("(s)", sender),
                               G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, 25000, bus->cancel,
                               credentials_done, call->peer);
    }
}

/* The bus says a connection left: its unique name never comes back. */
static void
name_owner_changed(GDBusConnection *connection, const char *sender_name, const char *object_path,
                   const char *interface_name, const char *signal_name, GVariant *parameters, gpointer user_data)
{
    IgdDaemonBus *bus = user_data;
    const char *name, *old_owner, *new_owner;
    Peer *peer;

    if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(sss)")))
        return;
    g_variant_get(parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
    if (*new_owner != '\0' || name[0] != ':')
        return;
    igd_tarpit_forget(bus->tarpit, name);
    if ((peer = g_hash_table_lookup(bus->peers, name)) == NULL)
        return;
    peer->gone = TRUE;
    peer_maybe_forget(bus, peer);
}

/*
 * An argument larger than any valid one is refused before its caller is
 * even identified: nothing of it is copied, escaped or logged.
 */
static gboolean
arguments_fit(GDBusMethodInvocation *invocation, GError **error)
{
    const GDBusMethodInfo *info = g_dbus_method_invocation_get_method_info(invocation);
    GVariant *params = g_dbus_method_invocation_get_parameters(invocation);
    gsize n = g_variant_n_children(params);

    for (gsize i = 0; i < n; i++) {
        g_autoptr(GVariant) arg = g_variant_get_child_value(params, i);
        const char *name = info && info->in_args && info->in_args[i] ? info->in_args[i]->name : "?";

        if (g_variant_is_of_type(arg, G_VARIANT_TYPE_STRING) && g_variant_get_size(arg) - 1 > IGD_OWNER_ARG_MAX) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "argument '%s' of %s is %" G_GSIZE_FORMAT
                        " bytes, more than %u", name, info ? info->name : "?", g_variant_get_size(arg) - 1,
                        IGD_OWNER_ARG_MAX);
            return FALSE;
        }
        if (g_variant_is_of_type(arg, G_VARIANT_TYPE_VARDICT)) {
            gsize entries = g_variant_n_children(arg);
            if (entries > ARG_OPTIONS_MAX) {
                g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "argument '%s' of %s has %" G_GSIZE_FORMAT
                            " entries, more than %u", name, info ? info->name : "?", entries, ARG_OPTIONS_MAX);
                return FALSE;
            }
            for (gsize j = 0; j < entries; j++) {
                g_autoptr(GVariant) entry = g_variant_get_child_value(arg, j);
                if (g_variant_get_size(entry) > IGD_OWNER_ARG_MAX) {
                    g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "an entry of argument '%s' of %s is %"
                                G_GSIZE_FORMAT " bytes, more than %u", name, info ? info->name : "?",
                                g_variant_get_size(entry), IGD_OWNER_ARG_MAX);
                    return FALSE;
                }
            }
        }
    }
    return TRUE;
}

static void
method_call(GDBusConnection *connection, const char *sender, const char *object_path, const char *interface_name,
            const char *method_name, GVariant *parameters, GDBusMethodInvocation *invocation, gpointer user_data)
{
    g_autoptr(GError) error = NULL;
    Call *call;

    for (guint i = 0; i < G_N_ELEMENTS(methods); i++) {
        if (g_str_equal(method_name, methods[i].name)) {
            if (!arguments_fit(invocation, &error)) {
                g_dbus_method_invocation_return_gerror(invocation, error);
                return;
            }
            call = g_new0(Call, 1);
            call->bus = user_data;
            call->invocation = invocation; /* the reference handed to us */
            call->method = (Method)i;
            authorize(call);
            return;
        }
    }
    g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                          "no method %s", method_name);
}

static const GDBusInterfaceVTable vtable = { method_call, NULL, NULL, { NULL } };

static void
bus_free(IgdDaemonBus *bus)
{
    if (bus->registration_id != 0)
        g_dbus_connection_unregister_object(bus->connection, bus->registration_id);
    if (bus->name_owner_changed != 0)
        g_dbus_connection_signal_unsubscribe(bus->connection, bus->name_owner_changed);
    /* Every callback still to come runs now, sees the cancellation, answers its calls. */
    g_cancellable_cancel(bus->cancel);
    while (bus->pending > 0)
        g_main_context_iteration(NULL, TRUE);
    if (bus->deny_window != 0)
        g_source_remove(bus->deny_window);
    deny_log_summary(bus);
#ifdef HAVE_POLKIT
    g_clear_object(&bus->authority);
    g_free(bus->authority_error);
#endif
    g_hash_table_unref(bus->peers);
    igd_tarpit_free(bus->tarpit);
    g_object_unref(bus->cancel);
    g_object_unref(bus->connection);
    g_free(bus);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdDaemonBus, bus_free)

gboolean
igd_daemon_export(IgdDaemon *daemon, GDBusConnection *connection, gboolean private_bus, GError **error)
{
    g_autoptr(GDBusNodeInfo) node = NULL;
    g_autoptr(GError) local = NULL;
    g_autoptr(IgdDaemonBus) bus = g_new0(IgdDaemonBus, 1);

    igd_dbus_error_ensure();
    bus->daemon = daemon;
    bus->connection = g_object_ref(connection);
    bus->private_bus = private_bus;
    bus->peers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)peer_free);
    bus->cancel = g_cancellable_new();
    bus->tarpit = igd_tarpit_new(connection, IGD_DBUS_PATH, IGD_DBUS_INTERFACE, method_names);
#ifdef HAVE_POLKIT
    g_queue_init(&bus->authority_waiting);
#endif
    node = g_dbus_node_info_new_for_xml(igd_introspection_xml, &local);
    if (node == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "introspection XML: %s", local->message);
        return FALSE;
    }
    /* Before the object is served: no caller is remembered past its connection. */
    bus->name_owner_changed = g_dbus_connection_signal_subscribe(
        connection, "org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged", "/org/freedesktop/DBus",
        NULL, G_DBUS_SIGNAL_FLAGS_NONE, name_owner_changed, bus, NULL);
    bus->registration_id = g_dbus_connection_register_object(
        connection, IGD_DBUS_PATH, g_dbus_node_info_lookup_interface(node, IGD_DBUS_INTERFACE), &vtable, bus, NULL,
        &local);
    if (bus->registration_id == 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "cannot register %s: %s", IGD_DBUS_PATH, local->message);
        return FALSE;
    }
    igd_daemon_unexport(daemon);
    daemon->bus = g_steal_pointer(&bus);
    return TRUE;
}

void
igd_daemon_unexport(IgdDaemon *daemon)
{
    g_clear_pointer(&daemon->bus, bus_free);
}
