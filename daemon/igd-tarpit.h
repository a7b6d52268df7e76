/*
 * igd-tarpit.h: the answers igd-assignd gives callers it denies, paced per
 * caller, so that no flood of denied calls can take the bus or the daemon
 * from a root caller (SPEC.md §7, §8).
 *
 * A denied caller gets IGD_TARPIT_BURST answers at once, then one per
 * IGD_TARPIT_INTERVAL_MS: denials in between are held (at most
 * IGD_TARPIT_HELD_MAX per caller) and sent when their turn comes, and
 * beyond that left unanswered (the caller's own timeout, or the bus's,
 * ends them). A caller that loops on a denied call thus makes about one
 * call a second, whatever it tries, and the bus stays free for others;
 * someone denied once, by mistake, sees the answer at once.
 *
 * Callers denied outright (not root and no polkit to ask: a private bus,
 * a build without polkit) are handled by a filter in GDBus's worker
 * thread: their calls never reach the main loop, so a root caller's call
 * waits for nothing but the bus. Thread-safe: the filter and the pacing
 * timer share a lock; everything else is called from the main thread.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define IGD_TARPIT_BURST 3          /* denials of one caller answered at once */
#define IGD_TARPIT_INTERVAL_MS 1000 /* then one every so often */
#define IGD_TARPIT_HELD_MAX 4       /* denials held per caller; more are not answered */

typedef struct _IgdTarpit IgdTarpit;

/*
 * Pace the denials sent on @connection; the filter answers calls to
 * @object_path of @interface (or of no interface) whose member is one of
 * @methods (NULL-terminated, kept by reference: static) itself.
 */
IgdTarpit *igd_tarpit_new(GDBusConnection *connection, const char *object_path, const char *interface,
                          const char *const *methods) G_GNUC_WARN_UNUSED_RESULT;
/* Remove the filter, drop what is held (unanswered), stop the timer. */
void igd_tarpit_free(IgdTarpit *tarpit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdTarpit, igd_tarpit_free)

/*
 * From now on the worker thread answers the calls of @sender (a unique
 * name) itself: "not authorized to call <member>: @why" as
 * @error_name, paced.
 */
void igd_tarpit_deny_outright(IgdTarpit *tarpit, const char *sender, const char *error_name, const char *why);

/* Send @reply (taken; an error for @sender's call) now, later or never, by @sender's pace. */
void igd_tarpit_answer(IgdTarpit *tarpit, const char *sender, GDBusMessage *reply);

/* @sender left the bus: what is held for it is dropped, its pace forgotten. */
void igd_tarpit_forget(IgdTarpit *tarpit, const char *sender);

/* Denials since the last call: answered by the filter, answered late, left unanswered. */
void igd_tarpit_take_counts(IgdTarpit *tarpit, guint *filtered, guint *late, guint *unanswered);

G_END_DECLS
