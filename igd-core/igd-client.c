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

IgdClient *
igd_client_new(const char *bus_address, guint timeout_ms, GError **error)
{
    g_autoptr(GDBusConnection) connection = NULL;
    g_autoptr(GError) local = NULL;
    IgdClient *client;

    igd_dbus_error_ensure();
    if (bus_address == NULL || *bus_address == '\0')
        bus_address = g_getenv(IGD_DBUS_ADDRESS_ENV);
    if (bus_address != NULL && *bus_address != '\0') {
        connection = g_dbus_connection_new_for_address_sync(
            bus_address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
            NULL, NULL, &local);
    } else {
        connection = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &local);
        bus_address = NULL;
    }
    if (connection == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND, "cannot reach igd-assignd: cannot connect to %s%s%s: %s",
                    bus_address ? "the bus at '" : "the system bus", bus_address ? bus_address : "",
                    bus_address ? "'" : "", local->message);
        return NULL;
    }
    g_dbus_connection_set_exit_on_close(connection, FALSE);
    client = g_new0(IgdClient, 1);
    client->connection = g_steal_pointer(&connection);
    client->timeout_ms = timeout_ms == 0 ? IGD_DBUS_DEFAULT_TIMEOUT_MS : (gint)MIN(timeout_ms, (guint)G_MAXINT);
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
igd_client_prepare(IgdClient *client, const char *uuid, const char *name, const char *pci, const char *mode,
                   GError **error)
{
    const char *args[] = { S(uuid), S(name), S(pci), S(mode), NULL };
    return call_void(client, "Prepare", args, error);
}

gboolean
igd_client_prepare_full(IgdClient *client, const char *uuid, const char *name, const char *pci, const char *mode,
                        const char *machine, guint x_igd_gms, GError **error)
{
    const char *args[] = { S(uuid), S(name), S(pci), S(mode), S(machine), NULL };
    g_autoptr(GVariant) reply = NULL;
    GVariantBuilder opts;

    if (!check_args(args, error))
        return FALSE;
    g_variant_builder_init(&opts, G_VARIANT_TYPE_VARDICT);
    if (machine != NULL && *machine != '\0')
        g_variant_builder_add(&opts, "{sv}", "machine", g_variant_new_string(machine));
    if (x_igd_gms != 0)
        g_variant_builder_add(&opts, "{sv}", "x-igd-gms", g_variant_new_uint32(x_igd_gms));
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
