/*
 * igd-state.h: the daemon's ownership state, which running domain owns which
 * IGD, kept in one XML file (schema: xml-schemas/igd-state.rng) that is
 * replaced atomically on every change and reloaded at start.
 *
 *   <igd-assign-state version="1">
 *     <device address="0000:00:02.0" uuid="..." name="win10" mode="legacy"
 *             since="1764000000" previous-driver="i915"/>
 *   </igd-assign-state>
 *
 * A claim is recorded before its device is bound: pending="true" marks a
 * prepare that has written the intent (the previous driver) and not yet
 * completed; completing it removes the attribute. A pending claim is only
 * ever on disk, after a daemon killed mid-prepare (or one that could not
 * save its rollback): the next start settles it (igd_owner_reconcile()).
 */
#pragma once

#include <glib.h>

#include "igd-pci-address.h"

G_BEGIN_DECLS

#define IGD_STATE_FILE_NAME "state.xml"
#define IGD_STATE_MAX_BYTES (1u << 20)  /* a state file larger than this is corrupt */
#define IGD_STATE_MAX_DEVICES 256
#define IGD_STATE_NAME_MAX 256          /* bytes of a domain name kept (only shown) */

typedef struct {
    IgdPciAddress address;
    char *uuid;            /* lower-case canonical UUID of the owning domain */
    char *name;            /* domain name, for messages only (may be "") */
    char *mode;            /* "legacy", "upt", "auto" or "" */
    gint64 since;          /* seconds since the epoch when ownership began */
    char *previous_driver; /* host driver before vfio-pci took the device, NULL = none/unknown */
    gboolean pending;      /* recorded before the bind, the prepare not completed (pending="true") */
} IgdStateEntry;

typedef struct _IgdState IgdState;

IgdState *igd_state_new(void);
void igd_state_free(IgdState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdState, igd_state_free)
/* A deep copy (to change and save, keeping the original when saving fails). */
IgdState *igd_state_copy(const IgdState *state) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Parse a state document. @source names it in errors. Anything unexpected
 * (not XML, wrong root or version, unknown element, an address or UUID that
 * does not parse strictly, a mode not in the list, a pending other than
 * "true", a device listed twice,
 * too many devices, larger than IGD_STATE_MAX_BYTES) is IGD_ERROR_INVALID
 * naming @source and what is wrong. No network, no entities, no DTD.
 */
IgdState *igd_state_parse(const char *data, gsize len, const char *source,
                          GError **error) G_GNUC_WARN_UNUSED_RESULT;
/*
 * Load @path. A missing file is an empty state; an unreadable one
 * IGD_ERROR_IO; a corrupt one as igd_state_parse().
 */
IgdState *igd_state_load(const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The document (entries sorted by address), newly allocated. */
char *igd_state_to_xml(const IgdState *state) G_GNUC_WARN_UNUSED_RESULT;
/*
 * Replace @path atomically (temp file in the same directory, fsync,
 * rename), mode 0644. On failure @path is unchanged and no temp file is
 * left; the error (IGD_ERROR_IO) names the path.
 */
gboolean igd_state_save(const IgdState *state, const char *path, GError **error);
/*
 * Move a corrupt state file aside to "<path>.corrupt-<YYYYmmddTHHMMSS>"
 * (with a numeric suffix when that exists) so that it is kept for the
 * administrator and not trusted. Returns the new path in @new_path.
 */
gboolean igd_state_set_aside(const char *path, char **new_path, GError **error);

/* Every entry, sorted by address; the array belongs to @state (IgdStateEntry*). */
GPtrArray *igd_state_get_entries(const IgdState *state);
/* The entry of @addr, or NULL when the device is not owned. */
const IgdStateEntry *igd_state_lookup(const IgdState *state, const IgdPciAddress *addr);
/* The first entry (by address) owned by @uuid, or NULL. */
const IgdStateEntry *igd_state_lookup_uuid(const IgdState *state, const char *uuid);

/*
 * May @uuid own @addr? TRUE when the device is free or already owned by
 * @uuid; IGD_ERROR_CONFLICT naming the owner's name and UUID otherwise.
 */
gboolean igd_state_check_claim(const IgdState *state, const IgdPciAddress *addr, const char *uuid,
                               GError **error);
/*
 * Record that @uuid owns @addr (after igd_state_check_claim(), which it
 * repeats). An existing entry of the same @uuid is updated (name, mode),
 * keeping its "since", previous driver and pending mark; a new one is not
 * pending. @uuid must be a valid UUID
 * (IGD_ERROR_USAGE otherwise); @name is cut to IGD_STATE_NAME_MAX bytes
 * at a character boundary; @mode NULL means "".
 */
gboolean igd_state_claim(IgdState *state, const IgdPciAddress *addr, const char *uuid, const char *name,
                         const char *mode, const char *previous_driver, gint64 since, GError **error);
/* Mark the claim of @addr pending or complete (igd-state.h's first comment). FALSE when @addr is not owned. */
gboolean igd_state_set_pending(IgdState *state, const IgdPciAddress *addr, gboolean pending);
/* Forget @addr. TRUE when it was owned. */
gboolean igd_state_remove(IgdState *state, const IgdPciAddress *addr);
/* Forget everything @uuid owns; returns how many devices were released. */
guint igd_state_remove_uuid(IgdState *state, const char *uuid);

/*
 * A UUID from outside (D-Bus, XML) in canonical lower-case form, or NULL
 * with IGD_ERROR_USAGE ("invalid domain UUID '...'") when it is not
 * exactly 8-4-4-4-12 hex digits. The only way a UUID becomes a path.
 */
char *igd_state_canonical_uuid(const char *uuid, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* TRUE for "legacy", "upt", "auto" and "". */
gboolean igd_state_mode_is_valid(const char *mode);

G_END_DECLS
