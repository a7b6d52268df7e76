/*
 * igd-watchlog.h: the last action of igd-assignd's libvirt watcher on each
 * domain (SPEC.md §7), kept in one XML file of the daemon's state directory
 * (schema: xml-schemas/igd-watcher.rng) that the watcher replaces
 * atomically after each action and that `igd-assign status` and GetStatus
 * read (igd_owner_status_write()):
 *
 *   <igd-assign-watcher version="1">
 *     <domain uuid="..." name="desk" at="1764000000" action="switched" mode="upt">
 *       <message>switched domain 'desk' ... to UPT mode ...</message>
 *       <change>moved the IGD to guest address 00:03.0</change>
 *       <broken id="legacy-graphics">
 *         <message>a &lt;graphics type='spice'&gt; display is defined</message>
 *         <hint>...</hint>
 *       </broken>
 *     </domain>
 *   </igd-assign-watcher>
 *
 * Actions: "adjusted" (rewritten in its mode), "switched" (rewritten in the
 * other mode, which keeps the user's edit), "left" (a rule is broken and no
 * mode can mend it without taking away the edit: the definition is left as
 * it is and the broken rules are recorded here), "opted-out" (`igd-assign
 * undo` marked it <igd:undone/>), "loop" (the same definition came back
 * after the watcher had adjusted it: another program changes it back),
 * "failed" (libvirt refused the adjusted definition), "ok" (it keeps its
 * rules again after one of the above).
 */
#pragma once

#include <glib.h>

#include "igd-finding.h"
#include "igd-json.h"

G_BEGIN_DECLS

#define IGD_WATCH_LOG_FILE_NAME   "watcher.xml"
#define IGD_WATCH_LOG_MAX_BYTES   (4u << 20) /* a larger file is corrupt */
#define IGD_WATCH_LOG_MAX_DOMAINS 4096
#define IGD_WATCH_LOG_MAX_ITEMS   256        /* changes or broken rules of one record */
#define IGD_WATCH_LOG_TEXT_MAX    4096       /* bytes of one message, change or hint kept */

typedef struct {
    char *uuid;         /* lower-case canonical UUID */
    char *name;         /* the domain's name, only shown (may be "") */
    gint64 at;          /* seconds since the epoch */
    char *action;       /* one of the actions above */
    char *mode;         /* "legacy", "upt" or "" (unknown) */
    char *message;      /* the log line the watcher wrote */
    GPtrArray *changes; /* char*: each change made, in order */
    GPtrArray *broken;  /* IgdFinding*: the rules left broken ("left") */
} IgdWatchRecord;

/* A record (strings copied, texts cut to IGD_WATCH_LOG_TEXT_MAX); changes and broken start empty. */
IgdWatchRecord *igd_watch_record_new(const char *uuid, const char *name, gint64 at, const char *action,
                                     const char *mode, const char *message) G_GNUC_WARN_UNUSED_RESULT;
void igd_watch_record_free(IgdWatchRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdWatchRecord, igd_watch_record_free)
/* TRUE for the action names above. */
gboolean igd_watch_action_is_valid(const char *action);
/*
 * The record as a JSON object (@key as igd_json_begin_object()):
 * {"uuid", "name", "at" (ISO 8601 UTC), "action", "mode", "message",
 *  "changes": [...], "broken": [{"id", "message", "hint"}]}.
 */
void igd_watch_record_write_json(const IgdWatchRecord *record, IgdJson *json, const char *key);

typedef struct _IgdWatchLog IgdWatchLog;

IgdWatchLog *igd_watch_log_new(void) G_GNUC_WARN_UNUSED_RESULT;
void igd_watch_log_free(IgdWatchLog *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdWatchLog, igd_watch_log_free)

/*
 * Parse a watcher document. @source names it in errors. Anything
 * unexpected (not XML, a DOCTYPE, wrong root or version, an unknown
 * element or attribute, a UUID that does not parse, an unknown action or
 * mode, a domain listed twice, too many domains or items, larger than
 * IGD_WATCH_LOG_MAX_BYTES) is IGD_ERROR_INVALID naming @source and what is
 * wrong. No network, no entities, no DTD.
 */
IgdWatchLog *igd_watch_log_parse(const char *data, gsize len, const char *source,
                                 GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Load @path: a missing file is an empty log; not a regular file, too large or corrupt: an error. */
IgdWatchLog *igd_watch_log_load(const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The document, records sorted by UUID. */
char *igd_watch_log_to_xml(const IgdWatchLog *log) G_GNUC_WARN_UNUSED_RESULT;
/* Replace @path atomically (temp file, fsync, rename), mode 0644; on failure @path is unchanged (IGD_ERROR_IO). */
gboolean igd_watch_log_save(const IgdWatchLog *log, const char *path, GError **error);

/* Put @record (taken) in place of the record of its UUID. */
void igd_watch_log_put(IgdWatchLog *log, IgdWatchRecord *record);
/* Forget the record of @uuid; TRUE when there was one. */
gboolean igd_watch_log_remove(IgdWatchLog *log, const char *uuid);
/* The record of @uuid (any case), NULL when none. */
const IgdWatchRecord *igd_watch_log_lookup(const IgdWatchLog *log, const char *uuid);
/* Every record, sorted by UUID: a new array (unref it) of records that belong to @log. */
GPtrArray *igd_watch_log_get_records(const IgdWatchLog *log) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
