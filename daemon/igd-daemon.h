/*
 * igd-daemon.h: what igd-assignd does, one function per D-Bus method, each a
 * thin sequence of igd-core calls (igd-bind, igd-blobs, igd-state,
 * igd-report). The D-Bus layer (igd-daemon-dbus.c) authorizes, calls one of
 * these and replies; they can also be called directly.
 *
 * Arguments arrive from outside: UUIDs are checked strictly before any path
 * is built, PCI addresses go through igd_pci_address_parse(), domain names
 * are only logged (escaped) and stored, never used in paths.
 */
#pragma once

#include <gio/gio.h>

#include "igd-daemon-config.h"
#include "igd-state.h"

G_BEGIN_DECLS

typedef struct _IgdDaemon IgdDaemon;

/*
 * Start: take @config (owned by the daemon from now on), create the state
 * directory, load the state (a corrupt file is set aside with a warning and
 * the daemon starts empty), reconcile it with the host (entries whose
 * device is gone or no longer bound to vfio-pci are dropped, blob
 * directories of no owner removed) and probe QEMU once. Only a
 * configuration error fails; an unwritable state directory is a warning
 * (every Prepare will fail with the reason, the daemon still serves).
 */
IgdDaemon *igd_daemon_new(IgdDaemonConfig *config, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void igd_daemon_free(IgdDaemon *daemon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdDaemon, igd_daemon_free)

const IgdDaemonConfig *igd_daemon_get_config(const IgdDaemon *daemon);
const IgdState *igd_daemon_get_state(const IgdDaemon *daemon);

/*
 * Prepare: device is an Intel IGD and free (or already this domain's),
 * bound to vfio-pci, blobs built and written to <state-dir>/<uuid>/,
 * ownership saved. A device owned by another domain is IGD_ERROR_CONFLICT
 * naming the owner, unless that ownership is older than a minute and no
 * QEMU holds the device's VFIO group (the owner stopped without a Release):
 * then it is taken over with a warning. All or nothing: when a step fails, the blobs of this call
 * are removed and the state is unchanged (the vfio-pci binding, harmless
 * and idempotent, stays unless rebind-on-release is set).
 */
gboolean igd_daemon_prepare(IgdDaemon *daemon, const char *uuid, const char *name, const char *pci,
                            const char *mode, GError **error);
/*
 * As igd_daemon_prepare() with the domain's machine type (NULL = i440fx;
 * letters, digits, '.', '-', '_' only) and x-igd-gms (0 = unset, at most
 * 0xff), given to the QEMU model that decides etc/igd-bdsm-size.
 */
gboolean igd_daemon_prepare_full(IgdDaemon *daemon, const char *uuid, const char *name, const char *pci,
                                 const char *mode, const char *machine, guint x_igd_gms, GError **error);
/* Release: forget @uuid's devices, remove its blobs, rebind if configured. */
gboolean igd_daemon_release(IgdDaemon *daemon, const char *uuid, GError **error);
/* Reconnect: record that running domain @uuid owns @pci again (the device must be on vfio-pci). */
gboolean igd_daemon_reconnect(IgdDaemon *daemon, const char *uuid, const char *pci, GError **error);
/* Bind: hand @pci to vfio-pci. */
gboolean igd_daemon_bind(IgdDaemon *daemon, const char *pci, GError **error);
/* Rebind: give an unowned @pci back to its host driver. */
gboolean igd_daemon_rebind(IgdDaemon *daemon, const char *pci, GError **error);
/* Check: the `igd-assign check --json` document for @pci ("" = 0000:00:02.0). */
char *igd_daemon_check(IgdDaemon *daemon, const char *pci, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* GetStatus: every Intel display device and owned device, with driver and owner (JSON). */
char *igd_daemon_get_status(IgdDaemon *daemon, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* D-Bus (igd-daemon-dbus.c). */

/*
 * Serve the interface on @connection. @private_bus: a test bus, where
 * polkit (which answers for the system bus only) is not asked and only
 * root is allowed. Returns FALSE when the object cannot be registered.
 */
gboolean igd_daemon_export(IgdDaemon *daemon, GDBusConnection *connection, gboolean private_bus, GError **error);
void igd_daemon_unexport(IgdDaemon *daemon);

G_END_DECLS
