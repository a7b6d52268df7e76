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
 * under the root. @abs_path must be absolute and contain no ".." component;
 * a path that breaks that rule gives NULL (programming error, g_critical).
 */
char *igd_sysroot_path(const IgdSysroot *sysroot, const char *abs_path) G_GNUC_WARN_UNUSED_RESULT;
/* As igd_sysroot_path() with a printf format. */
char *igd_sysroot_pathf(const IgdSysroot *sysroot, const char *fmt, ...) G_GNUC_PRINTF(2, 3) G_GNUC_WARN_UNUSED_RESULT;

gboolean igd_sysroot_exists(const IgdSysroot *sysroot, const char *abs_path);

/*
 * Read at most @max bytes of a host file. Larger files are an error
 * (IGD_ERROR_INVALID, "... larger than N bytes") unless @truncate_ok, in
 * which case the first @max bytes are returned. Missing files give
 * IGD_ERROR_NOT_FOUND; other failures IGD_ERROR_IO. The data is
 * NUL-terminated one byte past *len.
 */
gboolean igd_sysroot_read(const IgdSysroot *sysroot, const char *abs_path, gsize max,
                          gboolean truncate_ok, guint8 **data, gsize *len, GError **error);
/* The first line of a small text file, without its newline. */
char *igd_sysroot_read_line(const IgdSysroot *sysroot, const char *abs_path, GError **error);
/* A sysfs number such as "0x8086\n" or "42\n" (base 0). */
gboolean igd_sysroot_read_u64(const IgdSysroot *sysroot, const char *abs_path, guint64 *value, GError **error);
/* The last component of a symlink's target ("driver" → "i915"); NOT_FOUND if absent. */
char *igd_sysroot_read_link_name(const IgdSysroot *sysroot, const char *abs_path, GError **error);
/*
 * Write @data to an existing sysfs attribute (no create, no truncate
 * semantics beyond the kernel's). The last component is not followed; under
 * a sysroot the attribute's directory must resolve inside the root
 * (IGD_ERROR_DENIED otherwise), so a copied tree can never redirect a write
 * to the real host.
 */
gboolean igd_sysroot_write(const IgdSysroot *sysroot, const char *abs_path, const char *data, GError **error);

G_END_DECLS
