/*
 * igd-archive.h: a new .tar.xz file, written safely: POSIX tar (ustar
 * headers, a pax extended header for a path or link target longer than
 * ustar's 100 bytes) compressed with liblzma's easy encoder, from entries
 * held in memory. Only directories, regular files and symbolic links are
 * written; nothing is read from disk, so nothing can be followed.
 *
 * The archive is written to a temporary file beside the destination and
 * linked to its name only by igd_archive_commit(), which never replaces an
 * existing file (link(2), or renameat2(RENAME_NOREPLACE) where the file
 * system has no hard links). Freeing an archive that was not committed
 * removes the temporary file: a failed report leaves nothing behind.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _IgdArchive IgdArchive;

/*
 * Start the archive that will become @dest. Fails when @dest exists (even
 * as a dangling link: IGD_ERROR_CONFLICT), when its directory is missing
 * (IGD_ERROR_NOT_FOUND) or cannot be written (IGD_ERROR_IO). Every entry
 * gets @mtime (seconds since the epoch), owner 0:0, mode 0755/0644/0777.
 */
IgdArchive *igd_archive_create(const char *dest, gint64 mtime, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void igd_archive_free(IgdArchive *archive);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdArchive, igd_archive_free)

/*
 * Add an entry. @path is relative ("top/sys/kernel"), without empty, "."
 * or ".." components and without a trailing '/'; anything else is
 * IGD_ERROR_INVALID. A link @target is any non-empty string without NUL
 * (the caller decides whether it stays inside the tree).
 */
gboolean igd_archive_add_dir(IgdArchive *archive, const char *path, GError **error);
gboolean igd_archive_add_file(IgdArchive *archive, const char *path, const guint8 *data, gsize len,
                              GError **error);
gboolean igd_archive_add_symlink(IgdArchive *archive, const char *path, const char *target, GError **error);

/*
 * End the archive (two zero blocks, the xz stream end), make it durable
 * and give it its name, never replacing a file that appeared meanwhile
 * (IGD_ERROR_CONFLICT). The archive accepts nothing after this.
 */
gboolean igd_archive_commit(IgdArchive *archive, GError **error);

/* Compressed bytes written so far (the file's size after igd_archive_commit()). */
guint64 igd_archive_get_size(const IgdArchive *archive);

/* TRUE when @path is a relative archive path igd_archive_add_*() accept. */
gboolean igd_archive_path_ok(const char *path);

G_END_DECLS
