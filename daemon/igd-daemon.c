/*
 * igd-daemon.c: igd-assignd's operations over igd-core (see igd-daemon.h).
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <string.h>

#include <glib/gstdio.h>

#include "igd-bind.h"
#include "igd-blobs.h"
#include "igd-common.h"
#include "igd-daemon.h"
#include "igd-json.h"
#include "igd-pci.h"
#include "igd-qemu.h"
#include "igd-report.h"
#include "igd-state.h"
#include "igd-sysroot.h"
#include "igd-vfio.h"

#include "igd-daemon-private.h"

/* ---- logging: structured, the journal when stderr is the journal (GLib's default writer) ---- */

static void log_event(GLogLevelFlags level, const char *uuid, const char *pci, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static void
log_event(GLogLevelFlags level, const char *uuid, const char *pci, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* Fields other than MESSAGE are plain strings, not formats. */
    g_log_structured(G_LOG_DOMAIN, level, "IGD_DOMAIN_UUID", uuid ? uuid : "", "IGD_DEVICE", pci ? pci : "",
                     "MESSAGE", "%s", msg);
}

/* ---- arguments ---- */

static gboolean
parse_pci(const char *pci, IgdPciAddress *addr, char buf[static 13], GError **error)
{
    if (pci == NULL || *pci == '\0')
        pci = IGD_PCI_ADDRESS_DEFAULT;
    if (!igd_pci_address_parse(pci, addr, error))
        return FALSE;
    igd_pci_address_format(addr, buf);
    return TRUE;
}

static gboolean
check_mode(const char *mode, GError **error)
{
    if (igd_state_mode_is_valid(mode ? mode : ""))
        return TRUE;
    {
        g_autofree char *shown = g_strescape(mode, NULL);
        g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "invalid mode '%.40s' (legacy, upt, auto or empty)", shown);
    }
    return FALSE;
}

/* The device, which must exist and be an Intel display-class device. */
static IgdPciDevice *
open_igd(IgdDaemon *daemon, const IgdPciAddress *addr, GError **error)
{
    g_autoptr(IgdPciDevice) dev = igd_pci_device_new(daemon->sysroot, addr, error);

    if (dev == NULL)
        return NULL;
    if (!igd_pci_device_is_intel_display(dev)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                    "device %s is not an Intel IGD (vendor 0x%04x, class 0x%06x)", igd_pci_device_get_name(dev),
                    igd_pci_device_get_vendor_id(dev), igd_pci_device_get_class(dev));
        return NULL;
    }
    return g_steal_pointer(&dev);
}

static char *
blob_dir(IgdDaemon *daemon, const char *canonical_uuid)
{
    return g_build_filename(daemon->config->state_dir, canonical_uuid, NULL);
}

/* Save @next (taken) and make it the state; on failure the state is unchanged and @next is freed. */
static gboolean
commit_state(IgdDaemon *daemon, IgdState *next, GError **error)
{
    if (!igd_state_save(next, daemon->state_path, error)) {
        igd_state_free(next);
        return FALSE;
    }
    igd_state_free(daemon->state);
    daemon->state = next;
    return TRUE;
}

/* ---- start ---- */

static void
reconcile(IgdDaemon *daemon)
{
    g_autoptr(IgdState) next = igd_state_copy(daemon->state);
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) dir = NULL;
    GPtrArray *entries = igd_state_get_entries(daemon->state);
    gboolean changed = FALSE;
    const char *name;

    for (guint i = 0; i < entries->len; i++) {
        const IgdStateEntry *e = g_ptr_array_index(entries, i);
        g_autoptr(GError) local = NULL;
        g_autoptr(IgdPciDevice) dev = igd_pci_device_new(daemon->sysroot, &e->address, &local);
        char pci[13];
        const char *why = NULL;

        igd_pci_address_format(&e->address, pci);
        if (dev == NULL)
            why = local->message;
        else if (g_strcmp0(igd_pci_device_get_driver(dev), IGD_BIND_VFIO_DRIVER) != 0)
            why = "no longer bound to vfio-pci";
        if (why != NULL) {
            log_event(G_LOG_LEVEL_WARNING, e->uuid, pci, "dropping stale ownership of %s by domain %s: %s", pci,
                      e->uuid, why);
            igd_state_remove(next, &e->address);
            changed = TRUE;
        }
    }
    if (changed && !commit_state(daemon, g_steal_pointer(&next), &error))
        g_warning("cannot save the reconciled state: %s", error->message);
    g_clear_error(&error);

    /* Blob directories nobody owns: left by a Prepare that was killed or a missed Release. */
    dir = g_dir_open(daemon->config->state_dir, 0, NULL);
    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *path = NULL;
        /* "state.xml.XXXXXX": the temp file of a save that was killed (g_file_set_contents()). */
        if (g_str_has_prefix(name, IGD_STATE_FILE_NAME ".") && strlen(name) == strlen(IGD_STATE_FILE_NAME) + 7 &&
            strchr(name + strlen(IGD_STATE_FILE_NAME) + 1, '.') == NULL) {
            path = g_build_filename(daemon->config->state_dir, name, NULL);
            if (g_file_test(path, G_FILE_TEST_IS_REGULAR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
                (void)g_unlink(path);
            continue;
        }
        if (!g_uuid_string_is_valid(name) || igd_state_lookup_uuid(daemon->state, name) != NULL)
            continue;
        path = g_build_filename(daemon->config->state_dir, name, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_DIR) || g_file_test(path, G_FILE_TEST_IS_SYMLINK))
            continue;
        if (!igd_blobs_remove(path, &error)) {
            g_warning("cannot remove unowned blobs: %s", error->message);
            g_clear_error(&error);
        } else {
            log_event(G_LOG_LEVEL_MESSAGE, name, NULL, "removed blobs of domain %s, which owns no device", name);
        }
    }
}

static void
load_state(IgdDaemon *daemon)
{
    g_autoptr(GError) error = NULL;

    daemon->state = igd_state_load(daemon->state_path, &error);
    if (daemon->state != NULL)
        return;
    if (g_error_matches(error, IGD_ERROR, IGD_ERROR_INVALID)) {
        g_autofree char *aside = NULL;
        g_autoptr(GError) e2 = NULL;
        if (igd_state_set_aside(daemon->state_path, &aside, &e2))
            g_warning("corrupt state file, kept as %s and not trusted: %s", aside, error->message);
        else
            g_warning("corrupt state file not trusted (%s), and it cannot be moved aside: %s", error->message,
                      e2->message);
    } else {
        g_warning("state not loaded, starting empty: %s", error->message);
    }
    daemon->state = igd_state_new();
}

static void
probe_qemu(IgdDaemon *daemon)
{
    g_autoptr(GError) error = NULL;
    const char *binary = daemon->config->qemu_binary;

    if (g_strcmp0(binary, "none") == 0)
        return;
    daemon->qemu = igd_qemu_caps_probe(binary, daemon->config->state_dir, &error);
    if (daemon->qemu == NULL)
        g_warning("QEMU not probed, stolen-memory size taken from the host: %s", error->message);
    else
        g_debug("QEMU %s", daemon->qemu->version_string);
}

IgdDaemon *
igd_daemon_new(IgdDaemonConfig *config, GError **error)
{
    g_autoptr(IgdDaemon) daemon = g_new0(IgdDaemon, 1);
    struct group *gr;

    daemon->config = config;
    daemon->sysroot = igd_sysroot_new(config->sysfs_root);
    daemon->state_path = g_build_filename(config->state_dir, IGD_STATE_FILE_NAME, NULL);
    daemon->qemu_gid = -1;
    if (g_mkdir_with_parents(config->state_dir, 0755) != 0) {
        int saved = errno;
        g_warning("cannot create state directory %s: %s", config->state_dir, g_strerror(saved));
    }
    gr = config->qemu_group ? getgrnam(config->qemu_group) : NULL;
    if (gr != NULL)
        daemon->qemu_gid = (gint)gr->gr_gid;
    else
        g_warning("QEMU group '%s' not found: blobs keep the daemon's group", config->qemu_group);
    load_state(daemon);
    reconcile(daemon);
    probe_qemu(daemon);
    return g_steal_pointer(&daemon);
}

void
igd_daemon_free(IgdDaemon *daemon)
{
    if (daemon == NULL)
        return;
    igd_daemon_unexport(daemon);
    igd_daemon_config_free(daemon->config);
    igd_sysroot_free(daemon->sysroot);
    g_free(daemon->state_path);
    igd_state_free(daemon->state);
    igd_qemu_caps_free(daemon->qemu);
    g_free(daemon);
}

const IgdDaemonConfig *
igd_daemon_get_config(const IgdDaemon *daemon)
{
    return daemon->config;
}

const IgdState *
igd_daemon_get_state(const IgdDaemon *daemon)
{
    return daemon->state;
}

/* ---- operations ---- */

/*
 * An owner recorded at least IGD_DAEMON_STALE_GRACE_SEC ago whose device's
 * VFIO group can be opened is not running: QEMU holds the group for as long
 * as the guest lives (a VFIO group has one user). Its domain stopped
 * without a Release (libvirtd killed, hook not run). The grace period
 * covers a domain that has been prepared but whose QEMU has not opened the
 * group yet.
 */
#define IGD_DAEMON_STALE_GRACE_SEC 60

static gboolean
owner_is_gone(IgdDaemon *daemon, const IgdStateEntry *e)
{
    g_autoptr(IgdVfioDevice) dev = NULL;
    g_autoptr(GError) error = NULL;

    if (g_get_real_time() / G_USEC_PER_SEC - e->since < IGD_DAEMON_STALE_GRACE_SEC)
        return FALSE;
    dev = igd_vfio_device_open(daemon->sysroot, &e->address, &error);
    return dev != NULL;
}

gboolean
igd_daemon_prepare(IgdDaemon *daemon, const char *uuid, const char *name, const char *pci, const char *mode,
                   GError **error)
{
    return igd_daemon_prepare_full(daemon, uuid, name, pci, mode, NULL, 0, error);
}

static gboolean
check_machine(const char *machine, GError **error)
{
    gboolean ok = machine != NULL && strlen(machine) <= 64;

    for (const char *p = machine; ok && *p; p++)
        ok = g_ascii_isalnum(*p) || *p == '.' || *p == '-' || *p == '_';
    if (!ok) {
        g_autofree char *shown = machine ? g_strescape(machine, NULL) : g_strdup("(null)");
        g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "invalid machine type '%.64s'", shown);
    }
    return ok;
}

gboolean
igd_daemon_prepare_full(IgdDaemon *daemon, const char *uuid, const char *name, const char *pci, const char *mode,
                        const char *machine, guint x_igd_gms, GError **error)
{
    g_autofree char *canon = igd_state_canonical_uuid(uuid, error);
    g_autofree char *shown_name = NULL;
    g_autofree char *previous = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *stale_uuid = NULL;
    g_autoptr(IgdPciDevice) dev = NULL;
    g_autoptr(IgdState) next = NULL;
    g_autoptr(GError) local = NULL;
    g_auto(IgdBlobs) blobs = { NULL, 0 };
    const IgdDaemonDeviceConfig *dc;
    IgdBlobsConfig bc;
    IgdPciAddress addr;
    const IgdStateEntry *owned;
    gboolean bound_here = FALSE;
    char dev_name[13];
    gint64 t0 = g_get_monotonic_time();

    memset(&bc, 0, sizeof bc);
    if (canon == NULL || !parse_pci(pci, &addr, dev_name, error) || !check_mode(mode, error))
        return FALSE;
    if (machine != NULL && *machine != '\0' && !check_machine(machine, error))
        return FALSE;
    if (x_igd_gms > 0xff) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "invalid x-igd-gms %u (at most 0xff)", x_igd_gms);
        return FALSE;
    }
    bc.machine = machine != NULL && *machine != '\0' ? machine : NULL;
    bc.x_igd_gms = (gint)x_igd_gms;
    shown_name = g_strescape(name ? name : "", NULL);
    dev = open_igd(daemon, &addr, error);
    if (dev == NULL)
        return FALSE;

    owned = igd_state_lookup(daemon->state, &addr);
    if (owned != NULL && !g_str_equal(owned->uuid, canon)) {
        g_autofree char *owner_name = NULL;
        if (!owner_is_gone(daemon, owned))
            return igd_state_check_claim(daemon->state, &addr, canon, error);
        owner_name = g_strescape(owned->name, NULL);
        log_event(G_LOG_LEVEL_WARNING, owned->uuid, dev_name,
                  "domain '%s' (%s) owns %s but no QEMU holds the device: it stopped without a release; "
                  "handing the device to domain '%s' (%s)", owner_name, owned->uuid, dev_name, shown_name, canon);
        stale_uuid = g_strdup(owned->uuid);
    }
    if (owned != NULL)
        previous = g_strdup(owned->previous_driver);
    else if (g_strcmp0(igd_pci_device_get_driver(dev), IGD_BIND_VFIO_DRIVER) != 0)
        previous = g_strdup(igd_pci_device_get_driver(dev));
    if (g_strcmp0(igd_pci_device_get_driver(dev), IGD_BIND_VFIO_DRIVER) != 0)
        bound_here = TRUE;
    if (!igd_bind_to_vfio(daemon->sysroot, &addr, error))
        return FALSE;

    dc = igd_daemon_config_get_device(daemon->config, dev_name);
    if (dc != NULL) {
        bc.opregion_file = dc->opregion;
        bc.vbt_file = dc->vbt;
        bc.ext_layout = dc->layout;
    }
    dir = blob_dir(daemon, canon);
    next = igd_state_copy(daemon->state);
    if (stale_uuid != NULL)
        igd_state_remove(next, &addr);
    if (!igd_blobs_build(daemon->sysroot, &addr, &bc, daemon->qemu, &blobs, &local) ||
        !igd_blobs_write(dir, &blobs, daemon->qemu_gid, &local) ||
        !igd_state_claim(next, &addr, canon, name, mode, previous, g_get_real_time() / G_USEC_PER_SEC, &local) ||
        !commit_state(daemon, g_steal_pointer(&next), &local)) {
        g_autoptr(GError) e2 = NULL;
        /* Nothing half-done: no blobs for a domain that does not own the device. */
        if (igd_state_lookup_uuid(daemon->state, canon) == NULL && !igd_blobs_remove(dir, &e2))
            g_warning("%s", e2->message);
        if (bound_here && daemon->config->rebind_on_release && !igd_bind_rebind_host(daemon->sysroot, &addr, NULL))
            g_warning("cannot give %s back to its host driver", dev_name);
        log_event(G_LOG_LEVEL_WARNING, canon, dev_name, "prepare of %s for domain '%s' (%s) failed: %s", dev_name,
                  shown_name, canon, local->message);
        g_propagate_error(error, g_steal_pointer(&local));
        return FALSE;
    }
    if (stale_uuid != NULL && igd_state_lookup_uuid(daemon->state, stale_uuid) == NULL) {
        g_autofree char *stale_dir = blob_dir(daemon, stale_uuid);
        g_autoptr(GError) e2 = NULL;
        if (!igd_blobs_remove(stale_dir, &e2))
            g_warning("%s", e2->message);
    }
    log_event(G_LOG_LEVEL_MESSAGE, canon, dev_name,
              "prepared %s for domain '%s' (%s), mode %s, bdsm-size %" G_GUINT64_FORMAT ", opregion %" G_GSIZE_FORMAT
              " bytes, %" G_GINT64_FORMAT " us",
              dev_name, shown_name, canon, mode && *mode ? mode : "unset", blobs.bdsm_size,
              blobs.opregion ? g_bytes_get_size(blobs.opregion) : 0, g_get_monotonic_time() - t0);
    return TRUE;
}

gboolean
igd_daemon_release(IgdDaemon *daemon, const char *uuid, GError **error)
{
    g_autofree char *canon = igd_state_canonical_uuid(uuid, error);
    g_autoptr(IgdState) next = NULL;
    g_autoptr(IgdState) released = igd_state_new(); /* what @uuid owned, to rebind after saving */
    g_autofree char *dir = NULL;
    GPtrArray *entries;

    if (canon == NULL)
        return FALSE;
    entries = igd_state_get_entries(daemon->state);
    for (guint i = 0; i < entries->len; i++) {
        const IgdStateEntry *e = g_ptr_array_index(entries, i);
        if (g_str_equal(e->uuid, canon) &&
            !igd_state_claim(released, &e->address, e->uuid, e->name, e->mode, e->previous_driver, e->since, error))
            return FALSE;
    }
    if (igd_state_get_entries(released)->len > 0) {
        next = igd_state_copy(daemon->state);
        igd_state_remove_uuid(next, canon);
        if (!commit_state(daemon, g_steal_pointer(&next), error))
            return FALSE;
    }
    entries = igd_state_get_entries(released);
    for (guint i = 0; i < entries->len; i++) {
        const IgdStateEntry *e = g_ptr_array_index(entries, i);
        g_autofree char *shown_name = g_strescape(e->name, NULL);
        char pci[13];

        igd_pci_address_format(&e->address, pci);
        log_event(G_LOG_LEVEL_MESSAGE, canon, pci, "released %s from domain '%s' (%s)", pci, shown_name, canon);
        if (daemon->config->rebind_on_release && e->previous_driver != NULL) {
            g_autoptr(GError) e2 = NULL;
            if (!igd_bind_rebind_host(daemon->sysroot, &e->address, &e2))
                log_event(G_LOG_LEVEL_WARNING, canon, pci, "cannot give %s back to %s: %s", pci,
                          e->previous_driver, e2->message);
        }
    }
    dir = blob_dir(daemon, canon);
    return igd_blobs_remove(dir, error);
}

gboolean
igd_daemon_reconnect(IgdDaemon *daemon, const char *uuid, const char *pci, GError **error)
{
    g_autofree char *canon = igd_state_canonical_uuid(uuid, error);
    g_autoptr(IgdPciDevice) dev = NULL;
    g_autoptr(IgdState) next = NULL;
    const IgdStateEntry *owned;
    IgdPciAddress addr;
    char dev_name[13];

    if (canon == NULL || !parse_pci(pci, &addr, dev_name, error))
        return FALSE;
    if (!igd_state_check_claim(daemon->state, &addr, canon, error))
        return FALSE;
    dev = open_igd(daemon, &addr, error);
    if (dev == NULL)
        return FALSE;
    if (g_strcmp0(igd_pci_device_get_driver(dev), IGD_BIND_VFIO_DRIVER) != 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED,
                    "device %s is bound to %s, not vfio-pci: it cannot be in use by domain %s", dev_name,
                    igd_pci_device_get_driver(dev) ? igd_pci_device_get_driver(dev) : "no driver", canon);
        return FALSE;
    }
    owned = igd_state_lookup(daemon->state, &addr);
    if (owned != NULL)
        return TRUE; /* nothing to do: already this domain's */
    next = igd_state_copy(daemon->state);
    if (!igd_state_claim(next, &addr, canon, "", "", NULL, g_get_real_time() / G_USEC_PER_SEC, error) ||
        !commit_state(daemon, g_steal_pointer(&next), error))
        return FALSE;
    log_event(G_LOG_LEVEL_MESSAGE, canon, dev_name, "domain %s reclaimed %s", canon, dev_name);
    return TRUE;
}

gboolean
igd_daemon_bind(IgdDaemon *daemon, const char *pci, GError **error)
{
    g_autoptr(IgdPciDevice) dev = NULL;
    IgdPciAddress addr;
    char dev_name[13];

    if (!parse_pci(pci, &addr, dev_name, error))
        return FALSE;
    dev = open_igd(daemon, &addr, error);
    if (dev == NULL || !igd_bind_to_vfio(daemon->sysroot, &addr, error))
        return FALSE;
    log_event(G_LOG_LEVEL_MESSAGE, NULL, dev_name, "%s bound to vfio-pci", dev_name);
    return TRUE;
}

gboolean
igd_daemon_rebind(IgdDaemon *daemon, const char *pci, GError **error)
{
    g_autoptr(IgdPciDevice) dev = NULL;
    const IgdStateEntry *owned;
    IgdPciAddress addr;
    char dev_name[13];

    if (!parse_pci(pci, &addr, dev_name, error))
        return FALSE;
    owned = igd_state_lookup(daemon->state, &addr);
    if (owned != NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_CONFLICT,
                    "device %s is owned by running domain '%s' (uuid %s): stop it first", dev_name, owned->name,
                    owned->uuid);
        return FALSE;
    }
    dev = open_igd(daemon, &addr, error);
    if (dev == NULL || !igd_bind_rebind_host(daemon->sysroot, &addr, error))
        return FALSE;
    log_event(G_LOG_LEVEL_MESSAGE, NULL, dev_name, "%s given back to the host driver", dev_name);
    return TRUE;
}

char *
igd_daemon_check(IgdDaemon *daemon, const char *pci, GError **error)
{
    IgdPciAddress addr;
    char dev_name[13];
    IgdSeverity worst = IGD_SEVERITY_PASS;

    if (!parse_pci(pci, &addr, dev_name, error))
        return NULL;
    return igd_report_check_json(daemon->sysroot, &addr, daemon->qemu, &worst, error);
}

static void
status_device(IgdDaemon *daemon, IgdJson *json, const IgdPciAddress *addr)
{
    g_autoptr(IgdPciDevice) dev = igd_pci_device_new(daemon->sysroot, addr, NULL);
    const IgdStateEntry *e = igd_state_lookup(daemon->state, addr);
    char pci[13];

    igd_pci_address_format(addr, pci);
    igd_json_begin_object(json, NULL);
    igd_json_string(json, "address", pci);
    igd_json_bool(json, "present", dev != NULL);
    igd_json_string(json, "driver", dev ? igd_pci_device_get_driver(dev) : NULL);
    if (e == NULL) {
        igd_json_null(json, "owner");
    } else {
        g_autoptr(GDateTime) since = g_date_time_new_from_unix_utc(e->since);
        g_autofree char *iso = since ? g_date_time_format_iso8601(since) : NULL;
        igd_json_begin_object(json, "owner");
        igd_json_string(json, "uuid", e->uuid);
        igd_json_string(json, "name", e->name);
        igd_json_string(json, "mode", e->mode);
        igd_json_string(json, "since", iso);
        {
            g_autofree char *dir = blob_dir(daemon, e->uuid);
            igd_json_string(json, "blobs", dir);
        }
        igd_json_end_object(json);
    }
    igd_json_end_object(json);
}

char *
igd_daemon_get_status(IgdDaemon *daemon, GError **error)
{
    g_autoptr(IgdJson) json = igd_json_new();
    g_autoptr(GPtrArray) found = igd_pci_find_intel_displays(daemon->sysroot, NULL);
    GPtrArray *entries = igd_state_get_entries(daemon->state);

    igd_json_begin_object(json, NULL);
    igd_json_string(json, "state_file", daemon->state_path);
    igd_json_begin_array(json, "devices");
    for (guint i = 0; found != NULL && i < found->len; i++)
        status_device(daemon, json, g_ptr_array_index(found, i));
    /* Owned devices that are not (or no longer) seen as Intel displays. */
    for (guint i = 0; i < entries->len; i++) {
        const IgdStateEntry *e = g_ptr_array_index(entries, i);
        gboolean seen = FALSE;
        for (guint j = 0; found != NULL && j < found->len && !seen; j++)
            seen = igd_pci_address_equal(g_ptr_array_index(found, j), &e->address);
        if (!seen)
            status_device(daemon, json, &e->address);
    }
    igd_json_end_array(json);
    igd_json_end_object(json);
    return g_strdup(igd_json_get(json));
}
