/*
 * igd-watcher.h: the optional libvirt watcher of igd-assignd (SPEC.md §7,
 * `[libvirt] watch=true`). It looks at the persistent definition of every
 * defined domain once at start and again at each (re)definition, for
 * domains that carry <igd:assign> metadata (and, with
 * `adjust-hostdevs=true`, domains that merely have an IGD hostdev), and
 * respects the user:
 *
 *  - a definition that keeps the rules of its mode is left alone;
 *  - one that breaks them (a display added in virt-manager, the IGD moved
 *    off 00:02.0, ...) is rewritten in its own mode when that takes nothing
 *    away; when it would (legacy mode removes the display the user just
 *    added), in the other mode if that keeps everything and can work on
 *    this host (the requirements table, IGD_SCOPE_UPT/LEGACY); otherwise it
 *    is left as it is and the broken rules are recorded (the hook refuses
 *    the start with the same rule, `igd-assign status` shows the record);
 *  - a domain `igd-assign undo` marked <igd:undone/> is left alone until
 *    `igd-assign setup` runs again;
 *  - loops are recognised by content: a definition the watcher adjusted
 *    that comes back as it was (another program changing it back) is not
 *    adjusted again, whatever the time between;
 *  - each adjustment is one log line naming the domain and every change,
 *    and the last action per domain is kept in <state_dir>/watcher.xml
 *    (igd-watchlog.h) for `igd-assign status` and GetStatus;
 *  - a domain undefined meanwhile, or changed while it was being adjusted,
 *    is said in one line and nothing is defined.
 *
 * libvirt calls run in the watcher's own threads, never in the daemon's
 * main loop, so a libvirtd that waits for the hook (which waits for the
 * daemon) cannot deadlock with it.
 */
#pragma once

#include <glib.h>

#include "igd-domain.h"
#include "igd-snapshot.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

/* Where the watcher's lines go (tests): @uuid may be NULL; @message is a whole sentence. */
typedef void (*IgdWatcherLogFunc)(GLogLevelFlags level, const char *uuid, const char *message, gpointer user_data);

typedef struct _IgdWatcher IgdWatcher;

typedef struct {
    const char *uri;           /* libvirt URI, NULL = qemu:///system */
    gboolean adjust_hostdevs;  /* also domains with an IGD hostdev but no <igd:assign> */
    const char *qemu_binary;   /* for the host facts: NULL = default, "" = none */
    const char *state_dir;     /* where watcher.xml is kept, NULL = nowhere */
    IgdWatcherLogFunc log_func; /* NULL = g_log_structured() with IGD_DOMAIN_UUID */
    gpointer log_data;
    gboolean manual;           /* tests: no threads and no look at every domain at start; igd_watcher_handle() */
} IgdWatcherOptions;

/*
 * Connect to libvirt, subscribe to lifecycle events, queue every defined
 * domain for one look (the reconciliation at start) and start the event and
 * worker threads. @sysroot must outlive the watcher. IGD_ERROR_IO when
 * libvirt cannot be reached.
 */
IgdWatcher *igd_watcher_new(const IgdWatcherOptions *opts, const IgdSysroot *sysroot,
                            GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Stop the threads and disconnect. */
void igd_watcher_free(IgdWatcher *watcher);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdWatcher, igd_watcher_free)

/* Look at the domain @uuid now, in the calling thread (what the worker does for each event). */
void igd_watcher_handle(IgdWatcher *watcher, const char *uuid);

/* How many definitions the watcher has defined again so far, and how many domains it has looked at (tests). */
guint igd_watcher_get_redefined(IgdWatcher *watcher);
guint igd_watcher_get_seen(IgdWatcher *watcher);

/* ---- the policy, pure (no libvirt) ---- */

typedef enum {
    IGD_WATCH_NOTHING = 0, /* not a domain the policy covers, or it keeps the rules of its mode */
    IGD_WATCH_OPTED_OUT,   /* <igd:undone/>: left alone until `igd-assign setup` */
    IGD_WATCH_ADJUSTED,    /* rewritten in its own mode, nothing taken away: @out */
    IGD_WATCH_SWITCHED,    /* rewritten in the other mode, which keeps what its own mode would take away: @out */
    IGD_WATCH_LEFT,        /* breaks its rules and no mode mends it without taking the edit away: left as it is */
} IgdWatchAction;

typedef struct {
    IgdWatchAction action;
    IgdMode from;        /* the domain's mode as it came */
    IgdMode mode;        /* the mode of @out (ADJUSTED, SWITCHED), else @from */
    char *out;           /* ADJUSTED, SWITCHED: the definition to define */
    GPtrArray *changes;  /* IgdFinding*: each change of @out (NOTE, or WARN for one that removes something) */
    GPtrArray *broken;   /* IgdFinding* FAIL: the rules the definition as it came breaks */
    char *why;           /* SWITCHED: why not its own mode; LEFT: why neither mode */
} IgdWatchDecision;

void igd_watch_decision_init(IgdWatchDecision *decision);
void igd_watch_decision_clear(IgdWatchDecision *decision);

/*
 * The policy above for one persistent definition @xml, read as igd-core
 * reads domains (igd_domain_read() with @sysroot, which may be NULL), with
 * @snapshot of its IGD (may be NULL: then the other mode cannot be judged
 * and is never chosen). What triggers it are the rules an edit can break
 * (igd_domxml_verify() without host facts: the domain rules of SPEC.md §4
 * and the guest's machine); the host's own readiness is the hook's and
 * `check`'s business. The repairs are igd_domxml_rewrite() for the
 * domain's own IGD. FALSE only when @xml is not a domain definition.
 */
gboolean igd_watcher_decide(const char *xml, gsize len, const IgdSysroot *sysroot, const IgdSnapshot *snapshot,
                            gboolean adjust_hostdevs, IgdWatchDecision *decision, GError **error);

G_END_DECLS
