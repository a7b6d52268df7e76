/*
 * igd-daemon-dbus.c: org.igdassign.Manager1 on D-Bus. Each method call is
 * authorized (root; or polkit on the system bus when built with it;
 * otherwise denied), then handed to one igd_owner_*() operation
 * (igd-core/igd-owner.h), whose GError goes back as
 * org.igdassign.Error.<Code> (igd-dbus-common.h). Prepare and
 * PrepareWithOptions fill the same IgdPrepareRequest.
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

typedef struct {
    IgdDaemon *daemon;
    GDBusMethodInvocation *invocation; /* owned */
    Method method;
} Call;

static void
call_free(Call *call)
{
    g_object_unref(call->invocation);
    g_free(call);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Call, call_free)

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
            g_autofree char *shown = g_strescape(key, NULL);
            g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "unknown option '%.40s' of type %s", shown,
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
    IgdOwner *owner = call->daemon->owner;
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

static void
deny(Call *call, const char *why)
{
    const char *sender = g_dbus_method_invocation_get_sender(call->invocation);

    g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "IGD_SENDER", sender ? sender : "", "MESSAGE",
                     "denied %s to %s: %s", methods[call->method].name, sender ? sender : "(peer)", why);
    g_dbus_method_invocation_return_error(g_object_ref(call->invocation), IGD_ERROR, IGD_ERROR_DENIED,
                                          "not authorized to call %s: %s", methods[call->method].name, why);
}

#ifdef HAVE_POLKIT
static void
polkit_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
    g_autoptr(Call) call = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(PolkitAuthorizationResult) result =
        polkit_authority_check_authorization_finish(POLKIT_AUTHORITY(source), res, &error);

    if (result == NULL) {
        g_autofree char *why = g_strdup_printf("polkit failed: %s", error->message);
        deny(call, why);
    } else if (!polkit_authorization_result_get_is_authorized(result)) {
        g_autofree char *why = g_strdup_printf("polkit action %s not granted", methods[call->method].action);
        deny(call, why);
    } else {
        run(call);
    }
}
#endif

/* Authorize @call (taking it), then run or deny it. */
static void
authorize(Call *call_in)
{
    g_autoptr(Call) call = call_in;
    IgdDaemon *daemon = call->daemon;
    const char *sender = g_dbus_method_invocation_get_sender(call->invocation);
    g_autoptr(GVariant) reply = NULL;
    g_autoptr(GError) error = NULL;
    guint32 uid = G_MAXUINT32;

    if (sender == NULL) {
        deny(call, "no sender on the bus");
        return;
    }
    reply = g_dbus_connection_call_sync(daemon->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "GetConnectionUnixUser", g_variant_new("(s)", sender),
                                        G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
    if (reply == NULL) {
        g_autofree char *why = g_strdup_printf("cannot identify the caller: %s", error->message);
        deny(call, why);
        return;
    }
    g_variant_get(reply, "(u)", &uid);
    if (uid == 0) {
        run(call);
        return;
    }
    if (daemon->private_bus) {
        deny(call, "only root may call on a private bus (polkit answers for the system bus only)");
        return;
    }
#ifdef HAVE_POLKIT
    {
        g_autoptr(PolkitSubject) subject = NULL;
        PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;

        if (daemon->authority == NULL) {
            daemon->authority = polkit_authority_get_sync(NULL, &error);
            if (daemon->authority == NULL) {
                g_autofree char *why = g_strdup_printf("polkit is not available: %s", error->message);
                deny(call, why);
                return;
            }
        }
        if (g_dbus_message_get_flags(g_dbus_method_invocation_get_message(call->invocation)) &
            G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
            flags |= POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;
        /* The action is read before the call is handed over: the order in
         * which C evaluates arguments is unspecified (gcc -O2 stole the
         * pointer first and crashed on every non-root caller). */
        const char *action = methods[call->method].action;

        subject = polkit_system_bus_name_new(sender);
        polkit_authority_check_authorization(daemon->authority, subject, action, NULL, flags, NULL, polkit_done,
                                             g_steal_pointer(&call));
    }
#else
    deny(call, "root only (built without polkit)");
#endif
}

static void
method_call(GDBusConnection *connection, const char *sender, const char *object_path, const char *interface_name,
            const char *method_name, GVariant *parameters, GDBusMethodInvocation *invocation, gpointer user_data)
{
    Call *call;

    for (guint i = 0; i < G_N_ELEMENTS(methods); i++) {
        if (g_str_equal(method_name, methods[i].name)) {
            call = g_new0(Call, 1);
            call->daemon = user_data;
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

gboolean
igd_daemon_export(IgdDaemon *daemon, GDBusConnection *connection, gboolean private_bus, GError **error)
{
    g_autoptr(GDBusNodeInfo) node = NULL;
    g_autoptr(GError) local = NULL;

    igd_dbus_error_ensure();
    node = g_dbus_node_info_new_for_xml(igd_introspection_xml, &local);
    if (node == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "introspection XML: %s", local->message);
        return FALSE;
    }
    daemon->registration_id = g_dbus_connection_register_object(
        connection, IGD_DBUS_PATH, g_dbus_node_info_lookup_interface(node, IGD_DBUS_INTERFACE), &vtable, daemon,
        NULL, &local);
    if (daemon->registration_id == 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "cannot register %s: %s", IGD_DBUS_PATH, local->message);
        return FALSE;
    }
    daemon->connection = g_object_ref(connection);
    daemon->private_bus = private_bus;
    return TRUE;
}

void
igd_daemon_unexport(IgdDaemon *daemon)
{
    if (daemon->registration_id != 0)
        g_dbus_connection_unregister_object(daemon->connection, daemon->registration_id);
    daemon->registration_id = 0;
    g_clear_object(&daemon->connection);
    g_clear_object(&daemon->authority);
}
