/*
 * igd-dbus-common.c: the IGD_ERROR <-> D-Bus error name mapping shared by
 * igd-assignd and its client (igd-dbus-common.h).
 */
#include "config.h"

#include "igd-common.h"
#include "igd-dbus-common.h"

static const struct {
    IgdErrorCode code;
    const char *name;
} igd_dbus_errors[] = {
    { IGD_ERROR_INTERNAL, IGD_DBUS_ERROR_PREFIX "Internal" },
    { IGD_ERROR_IO, IGD_DBUS_ERROR_PREFIX "IO" },
    { IGD_ERROR_NOT_FOUND, IGD_DBUS_ERROR_PREFIX "NotFound" },
    { IGD_ERROR_INVALID, IGD_DBUS_ERROR_PREFIX "Invalid" },
    { IGD_ERROR_UNSUPPORTED, IGD_DBUS_ERROR_PREFIX "Unsupported" },
    { IGD_ERROR_CHECK_FAILED, IGD_DBUS_ERROR_PREFIX "CheckFailed" },
    { IGD_ERROR_CONFLICT, IGD_DBUS_ERROR_PREFIX "Conflict" },
    { IGD_ERROR_USAGE, IGD_DBUS_ERROR_PREFIX "Usage" },
    { IGD_ERROR_DENIED, IGD_DBUS_ERROR_PREFIX "Denied" },
};

void
igd_dbus_error_ensure(void)
{
    static gsize once = 0;

    if (g_once_init_enter(&once)) {
        for (gsize i = 0; i < G_N_ELEMENTS(igd_dbus_errors); i++)
            g_dbus_error_register_error(IGD_ERROR, igd_dbus_errors[i].code, igd_dbus_errors[i].name);
        g_once_init_leave(&once, 1);
    }
}

GError *
igd_dbus_error_translate(GError *error)
{
    GError *out;

    if (error == NULL)
        return NULL;
    if (error->domain == IGD_ERROR) {
        /* Raised by the daemon: its message as it is. */
        g_dbus_error_strip_remote_error(error);
        return error;
    }
    if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
        g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
        g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)) {
        out = g_error_new(IGD_ERROR, IGD_ERROR_UNAVAILABLE,
                          "igd-assignd is not running (no %s on the bus)", IGD_DBUS_NAME);
    } else if (error->domain == G_DBUS_ERROR && error->code >= G_DBUS_ERROR_SPAWN_EXEC_FAILED &&
               error->code <= G_DBUS_ERROR_SPAWN_FAILED) {
        g_dbus_error_strip_remote_error(error);
        out = g_error_new(IGD_ERROR, IGD_ERROR_UNAVAILABLE, "igd-assignd could not be started: %s", error->message);
    } else if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED) ||
               g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED) ||
               g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER)) {
        g_dbus_error_strip_remote_error(error);
        out = g_error_new(IGD_ERROR, IGD_ERROR_UNAVAILABLE, "igd-assignd cannot be reached: %s", error->message);
    } else if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
               g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED)) {
        g_dbus_error_strip_remote_error(error);
        out = g_error_new(IGD_ERROR, IGD_ERROR_DENIED, "the bus refused the call to igd-assignd: %s",
                          error->message);
    } else if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
               g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
               g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT) ||
               g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
        out = g_error_new(IGD_ERROR, IGD_ERROR_UNAVAILABLE, "igd-assignd did not answer in time");
    } else if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
               g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS)) {
        g_dbus_error_strip_remote_error(error);
        out = g_error_new(IGD_ERROR, IGD_ERROR_INTERNAL, "igd-assignd does not speak this protocol: %s",
                          error->message);
    } else {
        g_dbus_error_strip_remote_error(error);
        out = g_error_new(IGD_ERROR, IGD_ERROR_IO, "talking to igd-assignd: %s", error->message);
    }
    g_error_free(error);
    return out;
}
