/*
 * igd-sysroot.h: every host path (/sys, /proc, /dev, /run, /lib/modules)
 * goes through one root prefix, so the same code reads the real host and a
 * captured host tree in tests (libvirt's fake-root idea).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _IgdSysroot IgdSysroot;

/* A sysroot standing for "/" at @root. NULL, "" or "/" mean the real host. */
IgdSysroot *igd_sysroot_new(const char *root);
void igd_sysroot_free(IgdSysroot *sysroot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdSysroot, igd_sysroot_free)

/* The root directory, "" for the real host (never ends with '/'). */
const char *igd_sysroot_get_root(const IgdSysroot *sysroot);
/* TRUE when this sysroot is the real host. */
gboolean igd_sysroot_is_host(const IgdSysroot *sysroot);

/*
 * The real path of the absolute host path @abs_path ("/sys/bus/pci/...")
 * under the root, for messages: nothing opens it (its links would not be
 * confined to the tree), the readers below do. @abs_path must be absolute
 * and contain no ".." component; a path that breaks that rule gives NULL
 * (programming error, g_critical).
 */
char *igd_sysroot_path(const IgdSysroot *sysroot, const char *abs_path) G_GNUC_WARN_UNUSED_RESULT;
/* As igd_sysroot_path() with a printf format. */
char *igd_sysroot_pathf(const IgdSysroot *sysroot, const char *fmt, ...) G_GNUC_PRINTF(2, 3) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Host trees (--sysfs-root, a captured or reported host) are outside input.
 * Every reader below opens without blocking (O_NONBLOCK | O_NOCTTY |
 * O_CLOEXEC), looks at what the node is before opening it and again after,
 * and reads with a size bound. Under a tree, links are resolved inside the
 * root (openat2() RESOLVE_BENEATH, or the same walk in user space on older
 * kernels): relative links that stay inside are followed (sysfs "driver",
 * "iommu_group", "devices/<name>"), an absolute link or one that climbs
 * above the root is refused with IGD_ERROR_DENIED ("... leads outside the
 * sysroot ..."), a loop with IGD_ERROR_INVALID. A FIFO, socket, directory
 * or device node where a file is expected is IGD_ERROR_INVALID ("refusing
 * to read '...': a FIFO, not a regular file"). On the real host the
 * kernel's links are followed as they are, with the same kind checks.
 * Errors always name the path (root included) and the reason.
 */

/* Entries igd_sysroot_list() returns at most (a host has a few hundred PCI devices). */
#define IGD_SYSROOT_LIST_MAX 65536u
/* Largest file igd_sysroot_read_line() reads: one page, what a sysfs attribute holds at most. */
#define IGD_SYSROOT_LINE_MAX 4096u

/* What a host node must be to be opened. */
typedef enum {
    IGD_SYSROOT_FILE,   /* a regular file: sysfs, procfs and debugfs attributes */
    IGD_SYSROOT_DEVICE, /* a character device on the host (/dev/kmsg, /dev/vfio/N); in a tree, the
                           regular file standing for it (a device node in a copied tree would be
                           one of this machine's, so it is refused) */
} IgdSysrootNode;

/*
 * Open the host path @abs_path as @node. @flags: O_RDONLY, O_WRONLY or
 * O_RDWR, optionally O_NOFOLLOW (the last component must not be a link);
 * the fd is O_NONBLOCK | O_CLOEXEC. Returns the fd, or -1 with the error:
 * NOT_FOUND when missing; DENIED for a way out of the tree; INVALID for the
 * wrong kind of node or a link loop; for a device node also CONFLICT
 * (EBUSY) and DENIED (EACCES, EPERM); IO otherwise.
 */
int igd_sysroot_open(const IgdSysroot *sysroot, const char *abs_path, IgdSysrootNode node, int flags,
                     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* TRUE when @abs_path exists (links followed inside the tree; a way out is "does not exist"). */
gboolean igd_sysroot_exists(const IgdSysroot *sysroot, const char *abs_path);
/*
 * As igd_sysroot_exists(), saying why not: NOT_FOUND when it is missing,
 * DENIED for a way out of the tree, INVALID for a link loop, IO otherwise.
 */
gboolean igd_sysroot_lookup(const IgdSysroot *sysroot, const char *abs_path, GError **error);

/*
 * The names in directory @abs_path, sorted (strcmp), without "." and "..":
 * a GPtrArray of strings (g_free). Links on the way resolve as for
 * igd_sysroot_open(); not a directory is INVALID, more than
 * IGD_SYSROOT_LIST_MAX entries INVALID. The names are outside input too.
 */
GPtrArray *igd_sysroot_list(const IgdSysroot *sysroot, const char *abs_path, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Read at most @max bytes of a host file (a regular file, see above).
 * Larger files are an error (IGD_ERROR_INVALID, "... larger than N bytes")
 * unless @truncate_ok, in which case the first @max bytes are returned.
 * Missing files give IGD_ERROR_NOT_FOUND; other failures IGD_ERROR_IO. The
 * data is NUL-terminated one byte past *len.
 */
gboolean igd_sysroot_read(const IgdSysroot *sysroot, const char *abs_path, gsize max,
                          gboolean truncate_ok, guint8 **data, gsize *len, GError **error);
/* The first line of a text file of at most IGD_SYSROOT_LINE_MAX bytes, without its newline. */
char *igd_sysroot_read_line(const IgdSysroot *sysroot, const char *abs_path, GError **error);
/* A sysfs number such as "0x8086\n" or "42\n" (base 0). */
gboolean igd_sysroot_read_u64(const IgdSysroot *sysroot, const char *abs_path, guint64 *value, GError **error);
/*
 * The last component of a symlink's target ("driver" → "i915"); NOT_FOUND
 * if absent. Under a tree the link must stay inside it (a target missing
 * from the tree is fine: only the name is used).
 */
char *igd_sysroot_read_link_name(const IgdSysroot *sysroot, const char *abs_path, GError **error);
/*
 * Write @data to an existing attribute, a regular file (no create, no
 * truncate semantics beyond the kernel's). The last component is not
 * followed; under a sysroot every directory on the way must resolve inside
 * the root (IGD_ERROR_DENIED otherwise), so a copied tree can never
 * redirect a write to the real host.
 */
gboolean igd_sysroot_write(const IgdSysroot *sysroot, const char *abs_path, const char *data, GError **error);

G_END_DECLS
