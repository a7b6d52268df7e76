/*
 * igd-owner.c: the ownership transaction over igd-bind, igd-blobs and
 * igd-state, and the status document (igd-owner.h).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "igd-bind.h"
#include "igd-blobs.h"
#include "igd-common.h"
#include "igd-owner.h"
#include "igd-pci.h"
#include "igd-private-xml.h"
#include "igd-report.h"
#include "igd-snapshot.h"
#include "igd-sysroot.h"
#include "igd-vfio.h"
#include "igd-watchlog.h"

typedef struct {
    char *opregion_file;
    char *vbt_file;
    IgdOpRegionExtLayout ext_layout;
} Overrides;

struct _IgdOwner {
    IgdSysroot *sysroot;
    char *state_dir;
    char *state_path;
    IgdState *state;
    char *state_error;        /* why the state file could not be loaded, NULL = it was */
    gboolean rebind_on_release;
    gint qemu_gid;
    IgdQemuCaps *qemu;        /* NULL = none */
    GHashTable *overrides;    /* canonical PCI address → Overrides* */
    IgdOwnerLogFunc log_func; /* NULL = g_log_structured() */
    gpointer log_data;
    IgdOwnerClockFunc clock_func; /* NULL = g_get_real_time() */
    gpointer clock_data;
    IgdWatchLog *watch_log;   /* the libvirt watcher's records, read by each status */
    char *watch_log_error;    /* why they could not be read, NULL = they could */
};

static void
overrides_free(Overrides *o)
{
    g_free(o->opregion_file);
    g_free(o->vbt_file);
    g_free(o);
}

IgdOwner *
igd_owner_new(const IgdOwnerConfig *config)
{
    IgdOwner *owner = g_new0(IgdOwner, 1);

    owner->sysroot = igd_sysroot_new(config->sysfs_root);
    owner->state_dir = g_strdup(config->state_dir);
    owner->state_path = g_build_filename(config->state_dir, IGD_STATE_FILE_NAME, NULL);
    owner->state = igd_state_new();
    owner->rebind_on_release = config->rebind_on_release;
    owner->qemu_gid = config->qemu_gid;
    owner->overrides = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)overrides_free);
    return owner;
}

void
igd_owner_free(IgdOwner *owner)
{
    if (owner == NULL)
        return;
    igd_sysroot_free(owner->sysroot);
    g_free(owner->state_dir);
    g_free(owner->state_path);
    igd_state_free(owner->state);
    g_free(owner->state_error);
    igd_qemu_caps_free(owner->qemu);
    g_hash_table_unref(owner->overrides);
    igd_watch_log_free(owner->watch_log);
    g_free(owner->watch_log_error);
    g_free(owner);
}

void
igd_owner_set_qemu(IgdOwner *owner, IgdQemuCaps *qemu)
{
    igd_qemu_caps_free(owner->qemu);
    owner->qemu = qemu;
}

void
igd_owner_set_overrides(IgdOwner *owner, const IgdPciAddress *addr, const IgdOwnerOverrides *overrides)
{
    char pci[13];
    Overrides *o;

    igd_pci_address_format(addr, pci);
    if (overrides == NULL) {
        g_hash_table_remove(owner->overrides, pci);
        return;
    }
    o = g_new0(Overrides, 1);
    o->opregion_file = g_strdup(overrides->opregion_file);
    o->vbt_file = g_strdup(overrides->vbt_file);
    o->ext_layout = overrides->ext_layout;
    g_hash_table_replace(owner->overrides, g_strdup(pci), o);
}

void
igd_owner_set_log_func(IgdOwner *owner, IgdOwnerLogFunc func, gpointer user_data)
{
    owner->log_func = func;
    owner->log_data = user_data;
}

void
igd_owner_set_clock(IgdOwner *owner, IgdOwnerClockFunc func, gpointer user_data)
{
    owner->clock_func = func;
    owner->clock_data = user_data;
}

const IgdState *
igd_owner_get_state(const IgdOwner *owner)
{
    return owner->state;
}

const char *
igd_owner_get_state_path(const IgdOwner *owner)
{
    return owner->state_path;
}

/* ---- helpers ---- */

static void log_event(IgdOwner *owner, GLogLevelFlags level, const char *uuid, const char *pci, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);

/* Structured: the journal when stderr is the journal (GLib's default writer). */
static void
log_event(IgdOwner *owner, GLogLevelFlags level, const char *uuid, const char *pci, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    igd_log_message_bound(msg);
    if (owner->log_func != NULL) {
        owner->log_func(level, uuid, pci, msg, owner->log_data);
        return;
    }
    /* Fields other than MESSAGE are plain strings, not formats. */
    g_log_structured(G_LOG_DOMAIN, level, "IGD_DOMAIN_UUID", uuid ? uuid : "", "IGD_DEVICE", pci ? pci : "",
                     "MESSAGE", "%s", msg);
}

static gint64
now_sec(IgdOwner *owner)
{
    if (owner->clock_func != NULL)
        return owner->clock_func(owner->clock_data);
    return g_get_real_time() / G_USEC_PER_SEC;
}

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
    g_autofree char *shown = NULL;

    if (igd_state_mode_is_valid(mode ? mode : ""))
        return TRUE;
    shown = igd_shown(mode, 40);
    g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "invalid mode '%s' (legacy, upt, auto or empty)", shown);
    return FALSE;
}

static gboolean
check_machine(const char *machine, GError **error)
{
    gboolean ok = strlen(machine) <= 64;
    g_autofree char *shown = NULL;

    for (const char *p = machine; ok && *p; p++)
        ok = g_ascii_isalnum(*p) || *p == '.' || *p == '-' || *p == '_';
    if (ok)
        return TRUE;
    shown = igd_shown(machine, 64);
    g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "invalid machine type '%s'", shown);
    return FALSE;
}

static char *
blob_dir(IgdOwner *owner, const char *canonical_uuid)
{
    return g_build_filename(owner->state_dir, canonical_uuid, NULL);
}

/* Save @next (taken) and make it the state; on failure the state is unchanged and @next is freed. */
static gboolean
commit_state(IgdOwner *owner, IgdState *next, GError **error)
{
    if (!igd_state_save(next, owner->state_path, error)) {
        igd_state_free(next);
        return FALSE;
    }
    igd_state_free(owner->state);
    owner->state = next;
    g_clear_pointer(&owner->state_error, g_free); /* the file is what the state says now */
    return TRUE;
}

static void
remove_blobs(IgdOwner *owner, const char *uuid)
{
    g_autofree char *dir = blob_dir(owner, uuid);
    g_autoptr(GError) error = NULL;

    if (!igd_blobs_remove(dir, &error))
        log_event(owner, G_LOG_LEVEL_WARNING, uuid, NULL, "%s", error->message);
}

/* ---- start ---- */

gboolean
igd_owner_load(IgdOwner *owner, GError **error)
{
    g_autoptr(GError) local = NULL;
    IgdState *state = igd_state_load(owner->state_path, &local);

    g_clear_pointer(&owner->state_error, g_free);
    igd_state_free(owner->state);
    if (state == NULL) {
        owner->state = igd_state_new();
        owner->state_error = g_strdup(local->message);
        g_propagate_error(error, g_steal_pointer(&local));
        return FALSE;
    }
    owner->state = state;
    return TRUE;
}

/* As igd_owner_load(), a corrupt file moved aside. */
static void
load_at_start(IgdOwner *owner)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *aside = NULL;
    g_autoptr(GError) e2 = NULL;

    if (igd_owner_load(owner, &error))
        return;
    if (!g_error_matches(error, IGD_ERROR, IGD_ERROR_INVALID)) {
        log_event(owner, G_LOG_LEVEL_WARNING, NULL, NULL, "state not loaded, starting empty: %s", error->message);
        return;
    }
    if (igd_state_set_aside(owner->state_path, &aside, &e2)) {
        log_event(owner, G_LOG_LEVEL_WARNING, NULL, NULL, "corrupt state file, kept as %s and not trusted: %s", aside,
                  error->message);
        g_free(owner->state_error);
        owner->state_error = g_strdup_printf("corrupt state file, kept as %s: %s", aside, error->message);
    } else {
        log_event(owner, G_LOG_LEVEL_WARNING, NULL, NULL,
                  "corrupt state file not trusted (%s), and it cannot be moved aside: %s", error->message,
                  e2->message);
    }
}

/* What becomes of a recorded claim (judge_claim()). */
typedef enum {
    CLAIM_KEEP,      /* its domain may be running with the device */
    CLAIM_FORGET,    /* forgotten: a pending claim whose prepare moved nothing, or undid it all */
    CLAIM_DROP,      /* forgotten, the device left as it is */
    CLAIM_GIVE_BACK, /* forgotten, the device given back to its host driver first */
} ClaimFate;

/*
 * Can the device's VFIO group be opened, i.e. does no QEMU hold it? (A
 * VFIO group has one user, and QEMU keeps it for as long as the guest
 * lives.) Any failure to open it counts as held: never take a device
 * from what may be a running guest.
 */
static gboolean
vfio_group_free(IgdOwner *owner, const IgdPciAddress *addr, GError **error)
{
    g_autoptr(IgdVfioDevice) dev = igd_vfio_device_open(owner->sysroot, addr, error);

    return dev != NULL;
}

/*
 * The one judgement of a claim found in the state file at start (and of
 * the pending claim of a prepare that failed): @why says why it is not
 * kept (static or in @why_buf's string, g_free'd by the caller).
 *
 * A complete claim is kept while its device is on vfio-pci: its domain may
 * be running (libvirtd's reconnect begin, or the next prepare's stale-owner
 * takeover, owner_is_gone(), decide later); a device that is gone or left
 * vfio-pci (a host reboot) cannot be in use by it.
 *
 * A pending claim never completed: the daemon was killed during its
 * prepare (or failed it), so the hook's prepare begin got no answer and
 * libvirt refused the start; its domain is not running. The device goes
 * back to its host driver when this prepare may have moved it (it is on
 * vfio-pci, has a driver_override, or is free where a driver was
 * recorded: a give-back killed before its probe), unless a QEMU holds its
 * VFIO group (someone else's guest started with it meanwhile: unbinding
 * vfio-pci would wait for that guest); then it is left as it is, said in
 * the log.
 */
static ClaimFate
judge_claim(IgdOwner *owner, const IgdStateEntry *e, char **why_buf, const char **why)
{
    g_autoptr(GError) local = NULL;
    g_autoptr(IgdPciDevice) dev = igd_pci_device_new(owner->sysroot, &e->address, &local);
    const char *driver;
    gboolean on_vfio;

    if (dev == NULL) {
        *why = *why_buf = g_strdup(local->message);
        return CLAIM_DROP;
    }
    driver = igd_pci_device_get_driver(dev);
    on_vfio = g_strcmp0(driver, IGD_BIND_VFIO_DRIVER) == 0;
    if (!e->pending) {
        *why = "no longer bound to vfio-pci";
        return on_vfio ? CLAIM_KEEP : CLAIM_DROP;
    }
    /* On a host driver, or free as it was, and no override: the prepare wrote nothing, or undid it all. */
    if (!on_vfio && igd_pci_device_get_driver_override(dev) == NULL &&
        (driver != NULL || e->previous_driver == NULL)) {
        *why = "its prepare did not complete, and did not move the device";
        return CLAIM_FORGET;
    }
    if (on_vfio && !vfio_group_free(owner, &e->address, &local)) {
        *why = *why_buf = g_strdup_printf("its prepare did not complete, and the device's VFIO group cannot be "
                                          "opened (a QEMU may hold it): left on vfio-pci: %s",
                                          local->message);
        return CLAIM_DROP;
    }
    *why = "its prepare did not complete";
    return CLAIM_GIVE_BACK;
}

/* Give @e's device back to its host driver (igd_bind_rebind_host()); said in the log either way. */
static void
give_back(IgdOwner *owner, const IgdStateEntry *e, const char *why)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdPciDevice) dev = NULL;
    const char *prev = e->previous_driver ? e->previous_driver : "its host driver";
    char pci[13];

    igd_pci_address_format(&e->address, pci);
    if (!igd_bind_rebind_host(owner->sysroot, &e->address, &error)) {
        log_event(owner, G_LOG_LEVEL_WARNING, e->uuid, pci, "cannot give %s back to %s (%s): %s", pci, prev, why,
                  error->message);
        return;
    }
    dev = igd_pci_device_new(owner->sysroot, &e->address, NULL);
    log_event(owner, G_LOG_LEVEL_MESSAGE, e->uuid, pci, "gave %s back to %s (%s): now on %s", pci, prev, why,
              dev && igd_pci_device_get_driver(dev) ? igd_pci_device_get_driver(dev) : "no driver");
}

/*
 * Act on judge_claim()'s answer for @e; TRUE when @e is to be forgotten,
 * said in the log (with @quiet, for a failed prepare that says it failed,
 * only when the device is left on vfio-pci).
 */
static gboolean
settle_claim(IgdOwner *owner, const IgdStateEntry *e, gboolean quiet)
{
    g_autofree char *why_buf = NULL;
    const char *why = NULL;
    char pci[13];

    igd_pci_address_format(&e->address, pci);
    switch (judge_claim(owner, e, &why_buf, &why)) {
    case CLAIM_KEEP:
        return FALSE;
    case CLAIM_GIVE_BACK:
        give_back(owner, e, why);
        break;
    case CLAIM_FORGET:
        break;
    case CLAIM_DROP:
        quiet = FALSE;
        break;
    }
    if (!quiet)
        log_event(owner, G_LOG_LEVEL_WARNING, e->uuid, pci, "dropping %s ownership of %s by domain %s: %s",
                  e->pending ? "pending" : "stale", pci, e->uuid, why);
    return TRUE;
}

/* Every claim of the state file judged (judge_claim()); what is forgotten saved once. */
static void
settle_claims(IgdOwner *owner)
{
    g_autoptr(IgdState) next = igd_state_copy(owner->state);
    g_autoptr(GError) error = NULL;
    GPtrArray *entries = igd_state_get_entries(owner->state);
    gboolean changed = FALSE;

    for (guint i = 0; i < entries->len; i++) {
        const IgdStateEntry *e = g_ptr_array_index(entries, i);

        if (settle_claim(owner, e, FALSE)) {
            igd_state_remove(next, &e->address);
            changed = TRUE;
        }
    }
    if (changed && !commit_state(owner, g_steal_pointer(&next), &error))
        log_event(owner, G_LOG_LEVEL_WARNING, NULL, NULL, "cannot save the reconciled state: %s", error->message);
}

/* A temporary file a killed save of the state file or of the watcher's records left. */
static gboolean
is_temp_file(const char *name)
{
    return igd_private_xml_is_temp(name, IGD_STATE_FILE_NAME) || igd_private_xml_is_temp(name, IGD_WATCH_LOG_FILE_NAME);
}

/*
 * Blob directories nobody owns (a prepare that was killed, a missed
 * release), what a killed blob writer, state save or watcher-record save
 * left, and the temp files older writers left inside owned blob
 * directories.
 */
static void
remove_leftovers(IgdOwner *owner)
{
    g_autoptr(GDir) dir = g_dir_open(owner->state_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *path = g_build_filename(owner->state_dir, name, NULL);
        g_autoptr(GError) error = NULL;

        if (g_file_test(path, G_FILE_TEST_IS_SYMLINK))
            continue;
        if (is_temp_file(name)) {
            if (g_file_test(path, G_FILE_TEST_IS_REGULAR) && g_unlink(path) != 0) {
                int saved = errno;
                log_event(owner, G_LOG_LEVEL_WARNING, NULL, NULL, "cannot remove %s: %s", path, g_strerror(saved));
            }
            continue;
        }
        if (igd_blobs_is_leftover(name)) {
            /* A blob directory being written, or the pair it replaced, when the daemon was killed. */
            igd_blobs_remove_leftover(path);
            continue;
        }
        if (!g_uuid_string_is_valid(name) || !g_file_test(path, G_FILE_TEST_IS_DIR))
            continue;
        if (igd_state_lookup_uuid(owner->state, name) != NULL) {
            igd_blobs_tidy(path);
            continue;
        }
        if (!igd_blobs_remove(path, &error))
            log_event(owner, G_LOG_LEVEL_WARNING, name, NULL, "cannot remove unowned blobs: %s", error->message);
        else
            log_event(owner, G_LOG_LEVEL_MESSAGE, name, NULL, "removed blobs of domain %s, which owns no device", name);
    }
}

/*
 * QEMU, not root, opens the blobs: every directory down to them must let
 * it pass (x for group and others), whatever the umask made of it. Only a
 * directory of ours is changed.
 */
static void
make_traversable(IgdOwner *owner)
{
    GStatBuf st;

    if (g_lstat(owner->state_dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 0011) == 0011)
        return;
    if (g_chmod(owner->state_dir, (st.st_mode & 07777) | 0711) != 0) {
        int saved = errno;
        log_event(owner, G_LOG_LEVEL_WARNING, NULL, NULL,
                  "state directory %s is mode %04o, and QEMU cannot reach its blobs: %s", owner->state_dir,
                  st.st_mode & 07777, g_strerror(saved));
        return;
    }
    log_event(owner, G_LOG_LEVEL_MESSAGE, NULL, NULL, "state directory %s was mode %04o, now %04o (QEMU reads the "
              "blobs under it)", owner->state_dir, st.st_mode & 07777, (st.st_mode & 07777) | 0711);
}

void
igd_owner_reconcile(IgdOwner *owner)
{
    if (g_mkdir_with_parents(owner->state_dir, 0755) != 0) {
        int saved = errno;
        log_event(owner, G_LOG_LEVEL_WARNING, NULL, NULL, "cannot create state directory %s: %s", owner->state_dir,
                  g_strerror(saved));
    }
    make_traversable(owner);
    load_at_start(owner);
    settle_claims(owner);
    remove_leftovers(owner);
}

/* ---- operations ---- */

/*
 * An owner recorded at least IGD_OWNER_STALE_GRACE_SEC ago whose device's
 * VFIO group can be opened is not running: QEMU holds the group for as
 * long as the guest lives (a VFIO group has one user). Its domain stopped
 * without a release (libvirtd killed, hook not run).
 */
static gboolean
owner_is_gone(IgdOwner *owner, const IgdStateEntry *e)
{
    return now_sec(owner) - e->since >= IGD_OWNER_STALE_GRACE_SEC && vfio_group_free(owner, &e->address, NULL);
}

/* No string of @req longer than IGD_OWNER_ARG_MAX: refused before it is copied, escaped or logged. */
static gboolean
check_sizes(const IgdPrepareRequest *req, GError **error)
{
    const struct {
        const char *what, *value;
    } args[] = { { "domain UUID", req->uuid }, { "domain name", req->name }, { "PCI address", req->pci },
                 { "mode", req->mode }, { "machine type", req->machine } };

    for (guint i = 0; i < G_N_ELEMENTS(args); i++) {
        gsize len = args[i].value ? strnlen(args[i].value, IGD_OWNER_ARG_MAX + 1) : 0;
        if (len > IGD_OWNER_ARG_MAX) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "%s of %" G_GSIZE_FORMAT " bytes, more than %u",
                        args[i].what, strlen(args[i].value), IGD_OWNER_ARG_MAX);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
check_request(const IgdPrepareRequest *req, char **canon, IgdPciAddress *addr, char pci[static 13], GError **error)
{
    if (!check_sizes(req, error))
        return FALSE;
    *canon = igd_state_canonical_uuid(req->uuid, error);
    if (*canon == NULL || !parse_pci(req->pci, addr, pci, error) || !check_mode(req->mode, error))
        return FALSE;
    if (req->machine != NULL && *req->machine != '\0' && !check_machine(req->machine, error))
        return FALSE;
    if (req->x_igd_gms > 0xff) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "invalid x-igd-gms %u (at most 0xff)", req->x_igd_gms);
        return FALSE;
    }
    return TRUE;
}

/*
 * @req's claim of @addr saved, taking the place of @stale_uuid's: pending
 * (the intent, before the bind) or complete (after the blobs). On failure
 * the state is unchanged.
 */
static gboolean
claim_commit(IgdOwner *owner, const IgdPrepareRequest *req, const char *canon, const IgdPciAddress *addr,
             const char *previous, const char *stale_uuid, gboolean pending, GError **error)
{
    g_autoptr(IgdState) next = igd_state_copy(owner->state);
    const IgdStateEntry *e = igd_state_lookup(next, addr);

    if (stale_uuid != NULL && e != NULL && g_str_equal(e->uuid, stale_uuid))
        igd_state_remove(next, addr);
    return igd_state_claim(next, addr, canon, req->name, req->mode, previous, now_sec(owner), error) &&
           igd_state_set_pending(next, addr, pending) && commit_state(owner, g_steal_pointer(&next), error);
}

/* Blobs of @device's IGD written, ownership saved complete; on failure the caller rolls back. */
static gboolean
prepare_commit(IgdOwner *owner, const IgdPrepareRequest *req, const char *canon, IgdSnapshot *device,
               const char *previous, const char *stale_uuid, IgdBlobs *blobs, GError **error)
{
    const IgdPciAddress *addr = &device->addr;
    g_autofree char *dir = blob_dir(owner, canon);
    const Overrides *o;
    IgdBlobsConfig bc;
    char pci[13];

    igd_pci_address_format(addr, pci);
    memset(&bc, 0, sizeof bc);
    bc.machine = req->machine != NULL && *req->machine != '\0' ? req->machine : NULL;
    bc.x_igd_gms = (gint)req->x_igd_gms;
    o = g_hash_table_lookup(owner->overrides, pci);
    if (o != NULL) {
        bc.opregion_file = o->opregion_file;
        bc.vbt_file = o->vbt_file;
        bc.ext_layout = o->ext_layout;
    }
    return igd_blobs_build_for(device, owner->sysroot, &bc, owner->qemu, blobs, error) &&
           igd_blobs_write(dir, blobs, owner->qemu_gid, error) &&
           claim_commit(owner, req, canon, addr, previous, stale_uuid, FALSE, error);
}

/*
 * A prepare that recorded its intent failed after it: its pending claim
 * settled as at start (the device given back when this prepare moved it),
 * and the state as it was before (@before, taken) made the state again.
 * When that cannot be saved, the file keeps the pending claim, which the
 * next start settles; the state in memory is @before all the same.
 */
static void
prepare_undo_intent(IgdOwner *owner, const IgdPciAddress *addr, IgdState *before)
{
    const IgdStateEntry *e = igd_state_lookup(owner->state, addr);
    g_autoptr(GError) error = NULL;

    if (e != NULL && e->pending)
        (void)settle_claim(owner, e, TRUE);
    if (!commit_state(owner, igd_state_copy(before), &error)) {
        log_event(owner, G_LOG_LEVEL_WARNING, NULL, NULL,
                  "cannot take a failed prepare's claim out of the state file (the next start will): %s",
                  error->message);
        igd_state_free(owner->state);
        owner->state = igd_state_copy(before);
    }
    igd_state_free(before);
}

/*
 * The order that leaves nothing half-done whenever the daemon is killed:
 * a device that must leave its host driver is first claimed pending with
 * that driver recorded (no sysfs write before the state file says where
 * the device goes back to), then bound, then the blobs, then the claim
 * completed. A failure undoes what was done; a kill leaves the pending
 * claim to the next start (settle_claims()).
 */
gboolean
igd_owner_prepare(IgdOwner *owner, const IgdPrepareRequest *req, GError **error)
{
    g_autofree char *canon = NULL;
    g_autofree char *shown_name = NULL;
    g_autofree char *previous = NULL;
    g_autofree char *stale_uuid = NULL;
    g_autoptr(IgdSnapshot) device = NULL; /* the IGD read once, for the decisions and the blobs */
    g_autoptr(GError) local = NULL;
    g_auto(IgdBlobs) blobs = { NULL, 0 };
    IgdState *before = NULL; /* the state before the pending claim, when one was saved */
    const IgdStateEntry *owned;
    const char *driver;
    gboolean bound_here;
    IgdPciAddress addr;
    char pci[13];
    gint64 t0 = g_get_monotonic_time();

    if (!check_request(req, &canon, &addr, pci, error))
        return FALSE;
    shown_name = igd_shown(req->name ? req->name : "", IGD_SHOWN_MAX);
    device = igd_snapshot_gather(owner->sysroot, &addr, IGD_SNAPSHOT_DEVICE, error);
    if (device == NULL)
        return FALSE;

    owned = igd_state_lookup(owner->state, &addr);
    if (owned != NULL && !g_str_equal(owned->uuid, canon)) {
        g_autofree char *owner_name = NULL;
        if (!owner_is_gone(owner, owned))
            return igd_state_check_claim(owner->state, &addr, canon, error);
        owner_name = igd_shown(owned->name, IGD_SHOWN_MAX);
        log_event(owner, G_LOG_LEVEL_WARNING, owned->uuid, pci,
                  "domain '%s' (%s) owns %s but no QEMU holds the device: it stopped without a release; "
                  "handing the device to domain '%s' (%s)",
                  owner_name, owned->uuid, pci, shown_name, canon);
        stale_uuid = g_strdup(owned->uuid);
    }
    driver = device->driver;
    bound_here = g_strcmp0(driver, IGD_BIND_VFIO_DRIVER) != 0;
    if (owned != NULL && owned->previous_driver != NULL)
        previous = g_strdup(owned->previous_driver);
    else if (bound_here)
        previous = g_strdup(driver);
    if (bound_here) {
        before = igd_state_copy(owner->state);
        if (!claim_commit(owner, req, canon, &addr, previous, stale_uuid, TRUE, &local))
            g_clear_pointer(&before, igd_state_free); /* nothing was changed */
    }

    /* A device on vfio-pci already is not bound again: nothing would be written, and whether its IOMMU group is
     * viable is vfio's to say when the blobs open it. */
    if (local != NULL || (bound_here && !igd_bind_to_vfio(owner->sysroot, &addr, &local)) ||
        !prepare_commit(owner, req, canon, device, previous, stale_uuid, &blobs, &local)) {
        /* Nothing half-done: the device back where it was, no blobs for a domain that does not own it. */
        if (before != NULL)
            prepare_undo_intent(owner, &addr, before);
        if (igd_state_lookup_uuid(owner->state, canon) == NULL)
            remove_blobs(owner, canon);
        log_event(owner, G_LOG_LEVEL_WARNING, canon, pci, "prepare of %s for domain '%s' (%s) failed: %s", pci,
                  shown_name, canon, local->message);
        g_propagate_error(error, g_steal_pointer(&local));
        return FALSE;
    }
    g_clear_pointer(&before, igd_state_free);
    if (stale_uuid != NULL && igd_state_lookup_uuid(owner->state, stale_uuid) == NULL)
        remove_blobs(owner, stale_uuid);
    /* a device this call took from its host driver (after a reboot): the journal says so */
    if (bound_here)
        log_event(owner, G_LOG_LEVEL_MESSAGE, canon, pci, "bound %s to vfio-pci for domain '%s' (%s): it was on %s",
                  pci, shown_name, canon, driver ? driver : "no driver");
    log_event(owner, G_LOG_LEVEL_MESSAGE, canon, pci,
              "prepared %s for domain '%s' (%s), mode %s, bdsm-size %" G_GUINT64_FORMAT ", opregion %" G_GSIZE_FORMAT
              " bytes, %" G_GINT64_FORMAT " us",
              pci, shown_name, canon, req->mode && *req->mode ? req->mode : "unset", blobs.bdsm_size,
              blobs.opregion ? g_bytes_get_size(blobs.opregion) : 0, g_get_monotonic_time() - t0);
    return TRUE;
}

gboolean
igd_owner_release(IgdOwner *owner, const char *uuid, GError **error)
{
    g_autofree char *canon = igd_state_canonical_uuid(uuid, error);
    g_autoptr(IgdState) next = NULL;
    g_autoptr(IgdState) released = igd_state_new(); /* what @uuid owned, to rebind after saving */
    g_autofree char *dir = NULL;
    GPtrArray *entries;

    if (canon == NULL)
        return FALSE;
    entries = igd_state_get_entries(owner->state);
    for (guint i = 0; i < entries->len; i++) {
        const IgdStateEntry *e = g_ptr_array_index(entries, i);
        if (g_str_equal(e->uuid, canon) &&
            !igd_state_claim(released, &e->address, e->uuid, e->name, e->mode, e->previous_driver, e->since, error))
            return FALSE;
    }
    if (igd_state_get_entries(released)->len > 0) {
        next = igd_state_copy(owner->state);
        igd_state_remove_uuid(next, canon);
        if (!commit_state(owner, g_steal_pointer(&next), error))
            return FALSE;
    }
    entries = igd_state_get_entries(released);
    for (guint i = 0; i < entries->len; i++) {
        const IgdStateEntry *e = g_ptr_array_index(entries, i);
        g_autofree char *shown_name = igd_shown(e->name, IGD_SHOWN_MAX);
        char pci[13];

        igd_pci_address_format(&e->address, pci);
        log_event(owner, G_LOG_LEVEL_MESSAGE, canon, pci, "released %s from domain '%s' (%s)", pci, shown_name, canon);
        if (owner->rebind_on_release && e->previous_driver != NULL) {
            g_autoptr(GError) e2 = NULL;
            if (!igd_bind_rebind_host(owner->sysroot, &e->address, &e2))
                log_event(owner, G_LOG_LEVEL_WARNING, canon, pci, "cannot give %s back to %s: %s", pci,
                          e->previous_driver, e2->message);
        }
    }
    dir = blob_dir(owner, canon);
    return igd_blobs_remove(dir, error);
}

gboolean
igd_owner_reconnect(IgdOwner *owner, const char *uuid, const char *pci, GError **error)
{
    g_autofree char *canon = igd_state_canonical_uuid(uuid, error);
    g_autoptr(IgdPciDevice) dev = NULL;
    g_autoptr(IgdState) next = NULL;
    const char *driver;
    IgdPciAddress addr;
    char name[13];

    if (canon == NULL || !parse_pci(pci, &addr, name, error))
        return FALSE;
    if (!igd_state_check_claim(owner->state, &addr, canon, error))
        return FALSE;
    dev = igd_pci_device_open_igd(owner->sysroot, &addr, error);
    if (dev == NULL)
        return FALSE;
    driver = igd_pci_device_get_driver(dev);
    if (g_strcmp0(driver, IGD_BIND_VFIO_DRIVER) != 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED,
                    "device %s is bound to %s, not vfio-pci: it cannot be in use by domain %s", name,
                    driver ? driver : "no driver", canon);
        return FALSE;
    }
    if (igd_state_lookup(owner->state, &addr) != NULL)
        return TRUE; /* nothing to do: already this domain's */
    next = igd_state_copy(owner->state);
    if (!igd_state_claim(next, &addr, canon, "", "", NULL, now_sec(owner), error) ||
        !commit_state(owner, g_steal_pointer(&next), error))
        return FALSE;
    log_event(owner, G_LOG_LEVEL_MESSAGE, canon, name, "domain %s reclaimed %s", canon, name);
    return TRUE;
}

gboolean
igd_owner_bind(IgdOwner *owner, const char *pci, GError **error)
{
    g_autoptr(IgdPciDevice) dev = NULL;
    IgdPciAddress addr;
    char name[13];

    if (!parse_pci(pci, &addr, name, error))
        return FALSE;
    dev = igd_pci_device_open_igd(owner->sysroot, &addr, error);
    if (dev == NULL || !igd_bind_to_vfio(owner->sysroot, &addr, error))
        return FALSE;
    log_event(owner, G_LOG_LEVEL_MESSAGE, NULL, name, "%s bound to vfio-pci", name);
    return TRUE;
}

gboolean
igd_owner_rebind(IgdOwner *owner, const char *pci, GError **error)
{
    g_autoptr(IgdPciDevice) dev = NULL;
    const IgdStateEntry *owned;
    IgdPciAddress addr;
    char name[13];

    if (!parse_pci(pci, &addr, name, error))
        return FALSE;
    owned = igd_state_lookup(owner->state, &addr);
    if (owned != NULL) {
        g_autofree char *shown = igd_shown(owned->name, IGD_SHOWN_MAX);
        g_set_error(error, IGD_ERROR, IGD_ERROR_CONFLICT,
                    "device %s is owned by running domain '%s' (uuid %s): stop it first", name, shown, owned->uuid);
        return FALSE;
    }
    dev = igd_pci_device_open_igd(owner->sysroot, &addr, error);
    if (dev == NULL || !igd_bind_rebind_host(owner->sysroot, &addr, error))
        return FALSE;
    log_event(owner, G_LOG_LEVEL_MESSAGE, NULL, name, "%s given back to the host driver", name);
    return TRUE;
}

char *
igd_owner_check(IgdOwner *owner, const char *pci, GError **error)
{
    IgdPciAddress addr;
    char name[13];

    if (!parse_pci(pci, &addr, name, error))
        return NULL;
    return igd_report_check_json(owner->sysroot, &addr, owner->qemu, NULL, error);
}

/* ---- status ---- */

static void
status_device(IgdOwner *owner, IgdJson *json, const IgdPciAddress *addr, IgdOwnerStatusFunc func,
              gpointer user_data)
{
    g_autoptr(IgdPciDevice) dev = igd_pci_device_new(owner->sysroot, addr, NULL);
    IgdOwnerDeviceStatus st;
    char name[13];

    igd_pci_address_format(addr, name);
    memset(&st, 0, sizeof st);
    st.address = *addr;
    st.name = name;
    st.present = dev != NULL;
    st.device_id = dev ? igd_pci_device_get_device_id(dev) : 0;
    st.platform = dev ? igd_platform_lookup(st.device_id) : NULL;
    st.driver = dev ? igd_pci_device_get_driver(dev) : NULL;
    st.driver_override = dev ? igd_pci_device_get_driver_override(dev) : NULL;
    st.owner = igd_state_lookup(owner->state, addr);

    igd_json_begin_object(json, NULL);
    igd_json_string(json, "address", name);
    igd_json_bool(json, "present", st.present);
    if (dev != NULL)
        igd_json_printf(json, "device_id", "0x%04x", st.device_id);
    else
        igd_json_null(json, "device_id");
    igd_json_string(json, "platform", st.platform ? st.platform->platform : NULL);
    igd_json_string(json, "driver", st.driver);
    igd_json_string(json, "driver_override", st.driver_override);
    if (st.owner == NULL) {
        igd_json_null(json, "owner");
    } else {
        g_autoptr(GDateTime) since = g_date_time_new_from_unix_utc(st.owner->since);
        g_autofree char *iso = since ? g_date_time_format_iso8601(since) : NULL;
        g_autofree char *dir = blob_dir(owner, st.owner->uuid);

        igd_json_begin_object(json, "owner");
        igd_json_string(json, "uuid", st.owner->uuid);
        igd_json_string(json, "name", st.owner->name);
        igd_json_string(json, "mode", st.owner->mode);
        igd_json_string(json, "since", iso);
        igd_json_string(json, "blobs", dir);
        igd_json_bool(json, "pending", st.owner->pending);
        igd_json_end_object(json);
    }
    if (func != NULL)
        func(json, &st, user_data);
    igd_json_end_object(json);
}

/* The watcher's records as they are now (the daemon's watcher thread replaces the file atomically). */
static void
load_watch_log(IgdOwner *owner)
{
    g_autofree char *path = g_build_filename(owner->state_dir, IGD_WATCH_LOG_FILE_NAME, NULL);
    g_autoptr(GError) local = NULL;

    g_clear_pointer(&owner->watch_log, igd_watch_log_free);
    g_clear_pointer(&owner->watch_log_error, g_free);
    owner->watch_log = igd_watch_log_load(path, &local);
    if (owner->watch_log == NULL) {
        owner->watch_log_error = g_strdup(local->message);
        owner->watch_log = igd_watch_log_new();
    }
}

const IgdWatchLog *
igd_owner_get_watch_log(IgdOwner *owner)
{
    if (owner->watch_log == NULL)
        load_watch_log(owner);
    return owner->watch_log;
}

gboolean
igd_owner_status_write(IgdOwner *owner, IgdJson *json, IgdOwnerStatusFunc func, gpointer user_data,
                       GError **error)
{
    g_autoptr(GPtrArray) found = igd_pci_find_intel_displays(owner->sysroot, error);
    GPtrArray *entries = igd_state_get_entries(owner->state);
    g_autoptr(GPtrArray) records = NULL;

    if (found == NULL)
        return FALSE;
    load_watch_log(owner);
    igd_json_string(json, "state_file", owner->state_path);
    igd_json_string(json, "state_error", owner->state_error);
    igd_json_begin_array(json, "devices");
    for (guint i = 0; i < found->len; i++)
        status_device(owner, json, g_ptr_array_index(found, i), func, user_data);
    /* Owned devices that are not (or no longer) seen as Intel displays. */
    for (guint i = 0; i < entries->len; i++) {
        const IgdStateEntry *e = g_ptr_array_index(entries, i);
        gboolean seen = FALSE;
        for (guint j = 0; j < found->len && !seen; j++)
            seen = igd_pci_address_equal(g_ptr_array_index(found, j), &e->address);
        if (!seen)
            status_device(owner, json, &e->address, func, user_data);
    }
    igd_json_end_array(json);
    records = igd_watch_log_get_records(owner->watch_log);
    igd_json_begin_array(json, "watcher");
    for (guint i = 0; i < records->len; i++)
        igd_watch_record_write_json(g_ptr_array_index(records, i), json, NULL);
    igd_json_end_array(json);
    igd_json_string(json, "watcher_error", owner->watch_log_error);
    return TRUE;
}

char *
igd_owner_get_status(IgdOwner *owner, GError **error)
{
    g_autoptr(IgdJson) json = igd_json_new();

    igd_json_begin_object(json, NULL);
    if (!igd_owner_status_write(owner, json, NULL, NULL, error))
        return NULL;
    igd_json_end_object(json);
    return g_strdup(igd_json_get(json));
}
