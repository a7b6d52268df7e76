/*
 * igd-dbus-common.h: the names of igd-assignd on D-Bus (SPEC.md §7) and the
 * mapping of IGD_ERROR codes onto D-Bus error names, shared by the daemon
 * and its client so that an error raised in the daemon arrives in the hook
 * or the CLI with the same code and message.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define IGD_DBUS_NAME        "org.igdassign.Manager1"
#define IGD_DBUS_PATH        "/org/igdassign/Manager1"
#define IGD_DBUS_INTERFACE   "org.igdassign.Manager1"

/* Environment variable naming a private bus for the client (tests, CI). */
#define IGD_DBUS_ADDRESS_ENV "IGD_ASSIGND_BUS_ADDRESS"

/* Default bound of one method call, milliseconds (Prepare may bind a driver). */
#define IGD_DBUS_DEFAULT_TIMEOUT_MS 30000

/*
 * D-Bus error names, one per IgdErrorCode:
 * org.igdassign.Error.{Internal,IO,NotFound,Invalid,Unsupported,
 * CheckFailed,Conflict,Usage,Denied}.
 */
#define IGD_DBUS_ERROR_PREFIX "org.igdassign.Error."

/*
 * Register the IGD_ERROR ↔ D-Bus error name mapping with GIO (idempotent,
 * thread-safe). After it, g_dbus_method_invocation_return_gerror() sends an
 * IGD_ERROR as org.igdassign.Error.<Code> and a reply carrying that name
 * becomes the same IGD_ERROR code on the client.
 */
void igd_dbus_error_ensure(void);

/*
 * Turn an error of a D-Bus call into what the caller should see: a
 * remote IGD_ERROR loses its "GDBus.Error:..." prefix; igd-assignd not
 * reachable (no such service, it cannot be started, no reply, a timeout,
 * the connection closed) becomes IGD_ERROR_UNAVAILABLE with a message that
 * starts with "igd-assignd "; the bus refusing the call IGD_ERROR_DENIED;
 * anything else IGD_ERROR_IO with the D-Bus message. Takes ownership of
 * @error and returns the error to propagate.
 */
GError *igd_dbus_error_translate(GError *error);

G_END_DECLS
