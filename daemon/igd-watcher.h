/*
 * igd-watcher.h: the optional libvirt watcher of igd-assignd (SPEC.md §7,
 * `[libvirt] watch=true`). On every domain (re)definition it checks the
 * persistent definition of domains that carry <igd:assign> metadata (and,
 * with `adjust-hostdevs=true`, of domains that merely have an IGD hostdev)
 * against the rules of their mode, and when a rule is broken (a display
 * added in virt-manager, the IGD moved off 00:02.0, ...) rewrites the
 * definition with igd-domxml and defines it again.
 *
 * Never in a loop: the rewrite is idempotent, so the definition it defines
 * passes the check when its own DEFINED event comes back; the exact text it
 * defined last is remembered per domain and skipped; and at most
 * IGD_WATCHER_MAX_PER_MINUTE redefinitions per domain per minute happen.
 *
 * libvirt calls run in the watcher's own threads, never in the daemon's
 * main loop, so a libvirtd that waits for the hook (which waits for the
 * daemon) cannot deadlock with it.
 */
#pragma once

#include <glib.h>

#include "igd-snapshot.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

#define IGD_WATCHER_MAX_PER_MINUTE 3

typedef struct _IgdWatcher IgdWatcher;

typedef struct {
    const char *uri;           /* libvirt URI, NULL = qemu:///system */
    gboolean adjust_hostdevs;  /* also domains with an IGD hostdev but no <igd:assign> */
    const char *qemu_binary;   /* for the host facts: NULL = default, "" = none */
} IgdWatcherOptions;

/*
 * Connect to libvirt, subscribe to lifecycle events and start the event and
 * worker threads. @sysroot must outlive the watcher. IGD_ERROR_IO when
 * libvirt cannot be reached.
 */
IgdWatcher *igd_watcher_new(const IgdWatcherOptions *opts, const IgdSysroot *sysroot,
                            GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Stop the threads and disconnect. */
void igd_watcher_free(IgdWatcher *watcher);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdWatcher, igd_watcher_free)

/* How many definitions the watcher has defined again so far, and how many DEFINED events it has handled (tests). */
guint igd_watcher_get_redefined(IgdWatcher *watcher);
guint igd_watcher_get_seen(IgdWatcher *watcher);

/*
 * The policy for one persistent definition @xml, read as igd-core reads
 * domains (igd_domain_read() with @sysroot, which may be NULL): *@out is
 * the definition to define instead, or NULL when nothing is to be done (not
 * an IGD domain the policy covers, or no rule broken, or the rewrite changes
 * nothing). The repair is igd_domxml_rewrite() in the domain's own mode for
 * its own IGD, judged with @snapshot (of that IGD, may be NULL). FALSE with
 * an error when the definition breaks a rule that the rewrite cannot fix
 * (the reason is logged by the caller).
 */
gboolean igd_watcher_adjust(const char *xml, gsize len, const IgdSysroot *sysroot, const IgdSnapshot *snapshot,
                            gboolean adjust_hostdevs, char **out, GError **error);

G_END_DECLS
