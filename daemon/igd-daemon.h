/*
 * igd-daemon.h: igd-assignd itself: its configuration turned into an
 * IgdOwner (igd-core/igd-owner.h, where every operation lives) and that
 * owner served on D-Bus (igd-daemon-dbus.c: authorize, one igd_owner_*()
 * call, reply).
 */
#pragma once

#include <gio/gio.h>

#include "igd-daemon-config.h"
#include "igd-owner.h"

G_BEGIN_DECLS

typedef struct _IgdDaemon IgdDaemon;

/*
 * Start: take @config (owned by the daemon from now on), make its owner
 * (sysroot, state directory, blob group, per-device overrides,
 * rebind-on-release), probe QEMU once, and reconcile the state with the
 * host (igd_owner_reconcile()). Only a configuration error fails; an
 * unwritable state directory is a warning (every Prepare will fail with
 * the reason, the daemon still serves).
 */
IgdDaemon *igd_daemon_new(IgdDaemonConfig *config, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void igd_daemon_free(IgdDaemon *daemon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdDaemon, igd_daemon_free)

const IgdDaemonConfig *igd_daemon_get_config(const IgdDaemon *daemon);
IgdOwner *igd_daemon_get_owner(IgdDaemon *daemon);

/* D-Bus (igd-daemon-dbus.c). */

/*
 * Serve the interface on @connection. @private_bus: a test bus, where
 * polkit (which answers for the system bus only) is not asked and only
 * root is allowed. Returns FALSE when the object cannot be registered.
 */
gboolean igd_daemon_export(IgdDaemon *daemon, GDBusConnection *connection, gboolean private_bus, GError **error);
void igd_daemon_unexport(IgdDaemon *daemon);

G_END_DECLS
