/*
 * igd-owner.h: who owns which IGD, and the transaction that hands a device
 * to a domain (SPEC.md §5 and §7): claim, stale-owner takeover, bind to
 * vfio-pci, fw_cfg blobs, state commit, all-or-nothing rollback; release,
 * reconnect, bind, rebind, check, reconcile at start, and the one status
 * document that igd-assignd's GetStatus and `igd-assign status` print.
 *
 * An IgdOwner holds the sysroot, the state directory (state file
 * igd-state.h and the <uuid>/ blob directories igd-blobs.h), the QEMU caps
 * that decide etc/igd-bdsm-size, the group of the blob files, the
 * per-device overrides and whether a released device goes back to its host
 * driver. igd-assignd makes one from its configuration and hands each D-Bus
 * method to one igd_owner_*() call; tests drive it in process over a copy
 * of a host tree and the VFIO double.
 *
 * Arguments arrive from outside: UUIDs are checked strictly before any path
 * is built, PCI addresses go through igd_pci_address_parse(), domain names
 * are only logged (escaped), stored and shown, never used in paths.
 *
 * It never prints: events go to the log function (default: g_log_structured()
 * with the journal fields IGD_DOMAIN_UUID and IGD_DEVICE).
 */
#pragma once

#include <glib.h>

#include "igd-devices.h"
#include "igd-json.h"
#include "igd-opregion.h"
#include "igd-pci-address.h"
#include "igd-qemu.h"
#include "igd-state.h"
#include "igd-watchlog.h"

G_BEGIN_DECLS

/*
 * An owner recorded at least this long ago whose device's VFIO group can be
 * opened is not running (QEMU holds the group for as long as the guest
 * lives) and may be taken over. The grace covers a domain that has been
 * prepared but whose QEMU has not opened the group yet.
 */
#define IGD_OWNER_STALE_GRACE_SEC 60

/*
 * The longest string argument of any operation, in bytes: a domain name
 * (libvirt's QEMU driver cannot start a domain whose name does not fit a
 * file name, NAME_MAX 255 bytes, in /var/log/libvirt/qemu/<name>.log) and
 * everything else is far shorter. Longer is IGD_ERROR_USAGE before any
 * work; igd-assignd refuses it before identifying the caller.
 */
#define IGD_OWNER_ARG_MAX 4096u

typedef struct _IgdOwner IgdOwner;

typedef struct {
    const char *sysfs_root;     /* a directory standing for "/"; NULL, "" or "/" = the real host */
    const char *state_dir;      /* state.xml and the <uuid>/ blob directories */
    gboolean rebind_on_release; /* give a device back to its host driver at release (a failed prepare always does) */
    gint qemu_gid;              /* group of the blob files, -1 = the process's */
} IgdOwnerConfig;

/* What one domain asks for when it starts (the Prepare and PrepareWithOptions D-Bus methods). */
typedef struct {
    const char *uuid;    /* the domain's UUID, 8-4-4-4-12 hex digits (any case) */
    const char *name;    /* the domain's name, for messages and status only; NULL = "" */
    const char *pci;     /* the host device, NULL or "" = 0000:00:02.0 */
    const char *mode;    /* "legacy", "upt", "auto", NULL or "" (unknown) */
    const char *machine; /* the domain's machine type, NULL or "" = i440fx; letters, digits, '.', '-', '_' */
    guint x_igd_gms;     /* the domain's x-igd-gms, 0 = unset, at most 0xff */
} IgdPrepareRequest;

/* Per-device overrides of the OpRegion blob (the daemon's "[device DDDD:BB:SS.F]" groups). */
typedef struct {
    const char *opregion_file;       /* OpRegion read from this file instead of the VFIO region, NULL = none */
    const char *vbt_file;            /* VBT spliced into the OpRegion, NULL = none */
    IgdOpRegionExtLayout ext_layout; /* where a VBT too large for mailbox 4 goes (2.1 relative or 2.0 absolute) */
} IgdOwnerOverrides;

/* Where events go: @uuid and @pci may be NULL; @message is a whole sentence. */
typedef void (*IgdOwnerLogFunc)(GLogLevelFlags level, const char *uuid, const char *pci, const char *message,
                                gpointer user_data);
/* The wall clock in seconds since the epoch (tests move it to pass the grace period). */
typedef gint64 (*IgdOwnerClockFunc)(gpointer user_data);

/*
 * A new owner over @config (copied). Does no I/O: the state is empty until
 * igd_owner_load() or igd_owner_reconcile().
 */
IgdOwner *igd_owner_new(const IgdOwnerConfig *config) G_GNUC_WARN_UNUSED_RESULT;
void igd_owner_free(IgdOwner *owner);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdOwner, igd_owner_free)

/* The QEMU whose model decides etc/igd-bdsm-size (taken; NULL = the host's stolen size). */
void igd_owner_set_qemu(IgdOwner *owner, IgdQemuCaps *qemu);
/* The overrides of the device @addr (copied; NULL removes them). */
void igd_owner_set_overrides(IgdOwner *owner, const IgdPciAddress *addr, const IgdOwnerOverrides *overrides);
/* Send events to @func instead of g_log_structured() (NULL restores the default). */
void igd_owner_set_log_func(IgdOwner *owner, IgdOwnerLogFunc func, gpointer user_data);
/* Read the time from @func instead of g_get_real_time() (NULL restores it). */
void igd_owner_set_clock(IgdOwner *owner, IgdOwnerClockFunc func, gpointer user_data);

/* The current ownership state (belongs to @owner, replaced by every change). */
const IgdState *igd_owner_get_state(const IgdOwner *owner);
/* <state_dir>/state.xml */
const char *igd_owner_get_state_path(const IgdOwner *owner);

/*
 * Read the state file as it is, changing nothing (for `igd-assign status`).
 * A missing file is an empty state. On failure (unreadable, corrupt) the
 * state is empty, the error is returned and kept for the status document's
 * "state_error".
 */
gboolean igd_owner_load(IgdOwner *owner, GError **error);

/*
 * Start (igd-assignd): create the state directory (0755; one of ours
 * that group or others cannot enter gets x for them, with a message: QEMU
 * opens the blobs under it), load the state file (a corrupt one is moved
 * aside with a warning and the state starts empty), settle every claim
 * (judge_claim() in igd-owner.c): a complete one is dropped when its device
 * is gone or no longer bound to vfio-pci; a pending one (a prepare killed
 * between recording its intent and completing it: its domain never
 * started) is dropped, its device given back to its host driver first
 * (igd_bind_rebind_host()) unless the prepare moved nothing or a QEMU holds
 * the device's VFIO group; the result is saved. Then remove
 * the blob directories of domains that own nothing, and everything a killed
 * daemon left: the temp file of a state save, a blob directory being
 * written or replaced (igd_blobs_is_leftover()), old writers' temp files in
 * owned blob directories. Never fails: an unwritable state directory is a
 * warning (every prepare will then fail with the reason).
 */
void igd_owner_reconcile(IgdOwner *owner);

/*
 * Prepare: @req's device is an Intel IGD and free (or already this
 * domain's); bound to vfio-pci (igd_bind_to_vfio(), when it is not on it
 * already; vfio then judges its IOMMU group as the blobs open it, "not
 * viable" naming the group); both blobs built for this QEMU, machine and
 * x-igd-gms and written to <state_dir>/<uuid>/; ownership saved. A device
 * that is not on vfio-pci is first claimed pending with its driver
 * recorded (saved before any sysfs write), and the claim completed last:
 * a daemon killed at any step leaves either a complete claim or a pending
 * one that the next start settles (igd_owner_reconcile()). A device
 * owned by another domain is IGD_ERROR_CONFLICT naming the owner, unless
 * that ownership is older than IGD_OWNER_STALE_GRACE_SEC and the device's
 * VFIO group can be opened (no QEMU holds it: the owner stopped without a
 * release): then it is taken over with a warning and the old owner's blobs
 * removed. Invalid arguments are IGD_ERROR_USAGE before anything is read.
 * All or nothing: when a step fails, the blobs of this call are removed,
 * the state is unchanged, and a device this call took from its host driver
 * is given back to it (whatever rebind-on-release says: no guest ran on it).
 */
gboolean igd_owner_prepare(IgdOwner *owner, const IgdPrepareRequest *req, GError **error);
/* Release: forget what @uuid owns, remove its blobs, rebind if configured. Unknown @uuid: success. */
gboolean igd_owner_release(IgdOwner *owner, const char *uuid, GError **error);
/*
 * Reconnect: record that running domain @uuid owns @pci again (after a
 * libvirtd restart). The device must be on vfio-pci; owned by another
 * domain: IGD_ERROR_CONFLICT; already @uuid's: success, nothing changed.
 */
gboolean igd_owner_reconnect(IgdOwner *owner, const char *uuid, const char *pci, GError **error);
/* Bind: hand the IGD @pci (NULL or "" = 0000:00:02.0) to vfio-pci. */
gboolean igd_owner_bind(IgdOwner *owner, const char *pci, GError **error);
/* Rebind: give the IGD @pci back to its host driver; an owned device is IGD_ERROR_CONFLICT. */
gboolean igd_owner_rebind(IgdOwner *owner, const char *pci, GError **error);
/* Check: the `igd-assign check --json` document for @pci as this owner's host and QEMU see it. */
char *igd_owner_check(IgdOwner *owner, const char *pci, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* One device of the status document, as the status function sees it. */
typedef struct {
    IgdPciAddress address;
    const char *name;                /* "0000:00:02.0" */
    gboolean present;                /* the device exists under the sysroot */
    guint16 device_id;               /* 0 when absent */
    const IgdPlatformInfo *platform; /* NULL = unknown device id or absent */
    const char *driver;              /* bound driver, NULL = none */
    const char *driver_override;     /* NULL = none */
    const IgdStateEntry *owner;      /* the running domain that owns it, NULL = none */
} IgdOwnerDeviceStatus;

/*
 * Called inside each device's JSON object, after the members igd-owner
 * writes, to add the caller's own (the CLI's libvirt "domains").
 */
typedef void (*IgdOwnerStatusFunc)(IgdJson *json, const IgdOwnerDeviceStatus *device, gpointer user_data);

/*
 * The status members into the JSON object open in @json:
 *
 *   "state_file": "<state_dir>/state.xml", "state_error": "..." | null,
 *   "devices": [ { "address", "present", "device_id": "0x1916" | null,
 *                  "platform", "driver", "driver_override",
 *                  "owner": { "uuid", "name", "mode",
 *                             "since": "2025-11-24T16:00:00Z" (ISO 8601, UTC),
 *                             "blobs": "<state_dir>/<uuid>",
 *                             "pending": false | true (a prepare not
 *                               completed, seen by igd_owner_load()) } | null,
 *                  ...what @func adds } ],
 *   "watcher": [ the libvirt watcher's last action per domain, as
 *                igd_watch_record_write_json() writes it ],
 *   "watcher_error": "..." | null  (its file <state_dir>/watcher.xml unreadable)
 *
 * Devices: every Intel display device of the host, sorted, then owned
 * devices that are not (or no longer) one. @func may be NULL. Fails only
 * when the host's PCI devices cannot be listed; then nothing is written.
 */
gboolean igd_owner_status_write(IgdOwner *owner, IgdJson *json, IgdOwnerStatusFunc func, gpointer user_data,
                                GError **error);
/*
 * The libvirt watcher's records (<state_dir>/watcher.xml) as the last
 * igd_owner_status_write() read them (read now when it has not run): what
 * @func looks a domain up in. Belongs to @owner.
 */
const IgdWatchLog *igd_owner_get_watch_log(IgdOwner *owner);
/* The whole status document (igd_owner_status_write() in an object of its own). */
char *igd_owner_get_status(IgdOwner *owner, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
