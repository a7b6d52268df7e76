/*
 * igd-client.h: the client of igd-assignd (SPEC.md §7), used by the libvirt
 * hook and the igd-assign CLI. Every call is synchronous and bounded by the
 * timeout given at creation; errors raised by the daemon arrive as the same
 * IGD_ERROR code with the daemon's message unchanged, so a front end can
 * print them as they are. When the daemon itself cannot be reached (no bus,
 * the service neither running nor activatable, no answer in time, the
 * connection lost) the error is IGD_ERROR_UNAVAILABLE, whose message names
 * igd-assignd: a caller tells "unreachable" from "refused" by the code.
 */
#pragma once

#include <gio/gio.h>

#include "igd-common.h"
#include "igd-owner.h"

G_BEGIN_DECLS

typedef struct _IgdClient IgdClient;

/*
 * Connect to igd-assignd. @bus_address NULL means $IGD_ASSIGND_BUS_ADDRESS
 * when set, else the system bus; otherwise a D-Bus address
 * ("unix:path=/tmp/bus"). @timeout_ms bounds the connect (a bus that says
 * nothing, too) and every call (0 → the default, IGD_DBUS_DEFAULT_TIMEOUT_MS).
 * A bus that cannot be reached is IGD_ERROR_UNAVAILABLE naming the bus and
 * igd-assignd. Whether the service itself runs is known only at the first
 * call: a call to a service that is neither running nor activatable fails
 * with IGD_ERROR_UNAVAILABLE whose message names igd-assignd.
 */
IgdClient *igd_client_new(const char *bus_address, guint timeout_ms, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void igd_client_free(IgdClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdClient, igd_client_free)

/*
 * Prepare: the daemon checks the device @req->pci, binds it to vfio-pci,
 * writes the firmware blobs for this domain's machine type and x-igd-gms
 * and records that domain @req->uuid owns it (igd_owner_prepare()). Sent as
 * Prepare(uuid, name, pci, mode) when @req has no machine type nor
 * x-igd-gms, else as PrepareWithOptions(uuid, name, pci, mode, options).
 * Asking again for the same domain succeeds; a device owned by another
 * domain is IGD_ERROR_CONFLICT naming the owner.
 */
gboolean igd_client_prepare(IgdClient *client, const IgdPrepareRequest *req, GError **error);
/* Release(uuid): forget what @uuid owns, remove its blobs, rebind if configured. Unknown uuid: success. */
gboolean igd_client_release(IgdClient *client, const char *uuid, GError **error);
/* Reconnect(uuid, pci): re-claim @pci for a running domain after a libvirtd restart. */
gboolean igd_client_reconnect(IgdClient *client, const char *uuid, const char *pci, GError **error);
/* Bind(pci): driver_override vfio-pci, unbind, probe. */
gboolean igd_client_bind(IgdClient *client, const char *pci, GError **error);
/* Rebind(pci): give an unowned device back to its host driver. */
gboolean igd_client_rebind(IgdClient *client, const char *pci, GError **error);
/* Check(pci): the JSON document of `igd-assign check --json` as the daemon sees the host. */
char *igd_client_check(IgdClient *client, const char *pci, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* GetStatus(): the status document of igd_owner_status_write(), as the daemon sees the host. */
char *igd_client_get_status(IgdClient *client, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
