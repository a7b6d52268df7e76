/*
 * igd-archive.c: a .tar.xz written from memory (see igd-archive.h).
 *
 * Why our own tar writer and liblzma rather than running tar(1) and xz(1):
 * the entries are made in memory (redacted bytes, links kept as links), so
 * there is no staging directory holding private data on disk, nothing that
 * a tar(1) could follow, and the output is the same bytes for the same
 * input (fixed owner, mode and time). liblzma is already linked by the CLI
 * (libxml2 needs it), so this adds no dependency.
 *
 * Format: POSIX.1-1988 ustar headers (IEEE Std 1003.1, "pax" Interchange
 * Format, ustar Interchange Format), with a pax extended header (typeflag
 * 'x', records "<len> path=<value>\n") for a path or link target that does
 * not fit the 100-byte ustar fields. GNU tar, bsdtar and Python's tarfile
 * read both.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "igd-archive.h"
#include "igd-common.h"

#define TAR_BLOCK        512
#define TAR_NAME         0    /* name[100] */
#define TAR_NAME_LEN     100
#define TAR_MODE         100  /* mode[8], octal */
#define TAR_UID          108  /* uid[8] */
#define TAR_GID          116  /* gid[8] */
#define TAR_SIZE         124  /* size[12] */
#define TAR_MTIME        136  /* mtime[12] */
#define TAR_CHKSUM       148  /* chksum[8] */
#define TAR_TYPEFLAG     156
#define TAR_LINKNAME     157  /* linkname[100] */
#define TAR_LINKNAME_LEN 100
#define TAR_MAGIC        257  /* "ustar\0" */
#define TAR_VERSION      263  /* "00" */
#define TAR_UNAME        265  /* uname[32] */
#define TAR_GNAME        297  /* gname[32] */
G_STATIC_ASSERT(TAR_GNAME + 32 <= TAR_BLOCK);
G_STATIC_ASSERT(TAR_LINKNAME + TAR_LINKNAME_LEN == TAR_MAGIC);

#define TAR_SIZE_MAX     G_GUINT64_CONSTANT(077777777777) /* 11 octal digits: 8 GiB - 1 */
#define XZ_OUT_CHUNK     (64 * 1024)

struct _IgdArchive {
    char *dest;
    char *tmp;            /* the temporary file, NULL once committed or removed */
    int fd;
    gint64 mtime;
    lzma_stream strm;
    gboolean strm_ready;
    gboolean done;
    guint64 written;      /* compressed bytes */
    guint8 out[XZ_OUT_CHUNK];
};

static void
remove_tmp(IgdArchive *a)
{
    if (a->fd >= 0) {
        close(a->fd);
        a->fd = -1;
    }
    if (a->tmp != NULL) {
        (void)unlink(a->tmp);
        g_clear_pointer(&a->tmp, g_free);
    }
}

void
igd_archive_free(IgdArchive *a)
{
    if (a == NULL)
        return;
    remove_tmp(a);
    if (a->strm_ready)
        lzma_end(&a->strm);
    g_free(a->dest);
    g_free(a);
}

guint64
igd_archive_get_size(const IgdArchive *a)
{
    return a->written;
}

gboolean
igd_archive_path_ok(const char *path)
{
    g_auto(GStrv) parts = NULL;

    if (path == NULL || path[0] == '\0' || path[0] == '/' || g_str_has_suffix(path, "/"))
        return FALSE;
    parts = g_strsplit(path, "/", -1);
    for (guint i = 0; parts[i] != NULL; i++) {
        if (parts[i][0] == '\0' || g_str_equal(parts[i], ".") || g_str_equal(parts[i], ".."))
            return FALSE;
    }
    return TRUE;
}

static gboolean
write_all(IgdArchive *a, const guint8 *p, gsize len, GError **error)
{
    while (len > 0) {
        ssize_t n = write(a->fd, p, len);
        if (n < 0) {
            int e = errno;
            if (e == EINTR)
                continue;
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot write '%s': %s", a->tmp, g_strerror(e));
            return FALSE;
        }
        p += n;
        len -= (gsize)n;
        a->written += (guint64)n;
    }
    return TRUE;
}

/* Feed @len bytes to the encoder (@action LZMA_RUN), or finish the stream (LZMA_FINISH). */
static gboolean
xz_feed(IgdArchive *a, const guint8 *data, gsize len, lzma_action action, GError **error)
{
    if (action == LZMA_RUN && len == 0)
        return TRUE; /* liblzma answers LZMA_BUF_ERROR to calls that cannot progress */
    a->strm.next_in = data;
    a->strm.avail_in = len;
    for (;;) {
        lzma_ret r;

        a->strm.next_out = a->out;
        a->strm.avail_out = sizeof(a->out);
        r = lzma_code(&a->strm, action);
        if (r != LZMA_OK && r != LZMA_STREAM_END) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "xz compression of '%s' failed (liblzma error %d)",
                        a->dest, (int)r);
            return FALSE;
        }
        if (!write_all(a, a->out, sizeof(a->out) - a->strm.avail_out, error))
            return FALSE;
        if (action == LZMA_FINISH ? r == LZMA_STREAM_END : a->strm.avail_in == 0)
            return TRUE;
    }
}

IgdArchive *
igd_archive_create(const char *dest, gint64 mtime, GError **error)
{
    g_autoptr(IgdArchive) a = g_new0(IgdArchive, 1);
    g_autofree char *dir = NULL;
    g_autofree char *base = NULL;
    struct stat st;
    mode_t mask;

    a->fd = -1;
    a->mtime = MAX(mtime, 0);
    a->dest = g_strdup(dest);
    if (dest == NULL || dest[0] == '\0') {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_USAGE, "no destination file given");
        return NULL;
    }
    if (lstat(dest, &st) == 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_CONFLICT, "'%s' exists%s; a report never replaces a file", dest,
                    S_ISDIR(st.st_mode) ? " and is a directory" : "");
        return NULL;
    }
    if (errno != ENOENT) {
        int e = errno;
        g_set_error(error, IGD_ERROR, e == ENOTDIR ? IGD_ERROR_NOT_FOUND : IGD_ERROR_IO, "cannot use '%s': %s",
                    dest, g_strerror(e));
        return NULL;
    }
    dir = g_path_get_dirname(dest);
    base = g_path_get_basename(dest);
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND, "cannot write '%s': directory '%s' does not exist", dest,
                    dir);
        return NULL;
    }
    a->tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
    a->fd = g_mkstemp_full(a->tmp, O_RDWR | O_CLOEXEC, 0600);
    if (a->fd < 0) {
        int e = errno;
        g_clear_pointer(&a->tmp, g_free);
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot write '%s': %s", dest, g_strerror(e));
        return NULL;
    }
    /* The report is meant to be shared: readable like any new file (0666 less the umask), also after sudo. */
    mask = umask(0);
    umask(mask);
    (void)fchmod(a->fd, 0666 & ~mask);
    if (lzma_easy_encoder(&a->strm, LZMA_PRESET_DEFAULT, LZMA_CHECK_CRC64) != LZMA_OK) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INTERNAL, "cannot start the xz encoder");
        return NULL;
    }
    a->strm_ready = TRUE;
    return g_steal_pointer(&a);
}

static void
put_octal(guint8 *field, gsize width, guint64 value)
{
    /* width - 1 digits, zero-padded, then NUL (ustar numeric fields) */
    char buf[32];

    g_snprintf(buf, sizeof(buf), "%0*" G_GINT64_MODIFIER "o", (int)(width - 1), value);
    memcpy(field, buf, width - 1);
    field[width - 1] = '\0';
}

static gboolean
write_header(IgdArchive *a, const char *name, char type, guint mode, guint64 size, const char *link,
             GError **error)
{
    guint8 h[TAR_BLOCK];
    guint sum = 0;

    memset(h, 0, sizeof(h));
    /* callers pass a name and link that fit (long ones go into a pax header first) */
    memcpy(h + TAR_NAME, name, MIN(strlen(name), (gsize)TAR_NAME_LEN));
    put_octal(h + TAR_MODE, 8, mode);
    put_octal(h + TAR_UID, 8, 0);
    put_octal(h + TAR_GID, 8, 0);
    put_octal(h + TAR_SIZE, 12, size);
    put_octal(h + TAR_MTIME, 12, (guint64)a->mtime);
    h[TAR_TYPEFLAG] = (guint8)type;
    if (link)
        memcpy(h + TAR_LINKNAME, link, MIN(strlen(link), (gsize)TAR_LINKNAME_LEN));
    memcpy(h + TAR_MAGIC, "ustar", 6);
    memcpy(h + TAR_VERSION, "00", 2);
    memcpy(h + TAR_UNAME, "root", 4);
    memcpy(h + TAR_GNAME, "root", 4);
    /* chksum: the sum of all header bytes with the chksum field as spaces */
    memset(h + TAR_CHKSUM, ' ', 8);
    for (gsize i = 0; i < sizeof(h); i++)
        sum += h[i];
    g_snprintf((char *)h + TAR_CHKSUM, 8, "%06o", sum);
    h[TAR_CHKSUM + 7] = ' ';
    return xz_feed(a, h, sizeof(h), LZMA_RUN, error);
}

static gboolean
write_data(IgdArchive *a, const guint8 *data, gsize len, GError **error)
{
    static const guint8 zeros[TAR_BLOCK];
    gsize pad = (TAR_BLOCK - len % TAR_BLOCK) % TAR_BLOCK;

    return xz_feed(a, data, len, LZMA_RUN, error) && xz_feed(a, zeros, pad, LZMA_RUN, error);
}

static gsize
decimal_digits(gsize v)
{
    gsize n = 1;

    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* A pax record "<len> key=value\n", where <len> counts the whole record including itself. */
static void
pax_record(GString *out, const char *key, const char *value)
{
    gsize body = 1 + strlen(key) + 1 + strlen(value) + 1; /* " key=value\n" */
    gsize len = body + 1;

    /* the length's own digits count: grow until it is a fixed point (at most twice) */
    while (len != body + decimal_digits(len))
        len = body + decimal_digits(len);
    g_string_append_printf(out, "%" G_GSIZE_FORMAT " %s=%s\n", len, key, value);
}

static gboolean
add_entry(IgdArchive *a, const char *path, char type, guint mode, const guint8 *data, gsize len,
          const char *link, GError **error)
{
    g_autofree char *name = type == '5' ? g_strconcat(path, "/", NULL) : g_strdup(path);
    gboolean long_name = strlen(name) > TAR_NAME_LEN;
    gboolean long_link = link != NULL && strlen(link) > TAR_LINKNAME_LEN;

    if (a->done) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "archive '%s' is already finished", a->dest);
        return FALSE;
    }
    if (!igd_archive_path_ok(path) || memchr(path, '\n', strlen(path)) != NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "bad archive path '%s'", path ? path : "");
        return FALSE;
    }
    if (link != NULL && (link[0] == '\0' || strchr(link, '\n') != NULL)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "bad link target for '%s'", path);
        return FALSE;
    }
    if ((guint64)len > TAR_SIZE_MAX) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "'%s' is too large for a tar entry", path);
        return FALSE;
    }
    if (long_name || long_link) {
        g_autoptr(GString) pax = g_string_new(NULL);
        g_autofree char *base = g_path_get_basename(path);
        g_autofree char *pax_name = g_strdup_printf("PaxHeaders/%.80s", base);

        if (long_name)
            pax_record(pax, "path", name);
        if (long_link)
            pax_record(pax, "linkpath", link);
        if (!write_header(a, pax_name, 'x', 0644, pax->len, NULL, error) ||
            !write_data(a, (const guint8 *)pax->str, pax->len, error))
            return FALSE;
    }
    if (!write_header(a, name, type, mode, type == '0' ? len : 0, link, error))
        return FALSE;
    return type == '0' ? write_data(a, data, len, error) : TRUE;
}

gboolean
igd_archive_add_dir(IgdArchive *a, const char *path, GError **error)
{
    return add_entry(a, path, '5', 0755, NULL, 0, NULL, error);
}

gboolean
igd_archive_add_file(IgdArchive *a, const char *path, const guint8 *data, gsize len, GError **error)
{
    return add_entry(a, path, '0', 0644, data, len, NULL, error);
}

gboolean
igd_archive_add_symlink(IgdArchive *a, const char *path, const char *target, GError **error)
{
    if (target == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "bad link target for '%s'", path);
        return FALSE;
    }
    return add_entry(a, path, '2', 0777, NULL, 0, target, error);
}

gboolean
igd_archive_commit(IgdArchive *a, GError **error)
{
    static const guint8 end[2 * TAR_BLOCK];

    if (a->done || a->tmp == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "archive '%s' is already finished", a->dest);
        return FALSE;
    }
    a->done = TRUE;
    if (!xz_feed(a, end, sizeof(end), LZMA_RUN, error) || !xz_feed(a, NULL, 0, LZMA_FINISH, error)) {
        remove_tmp(a);
        return FALSE;
    }
    if (fsync(a->fd) < 0 || close(a->fd) < 0) {
        int e = errno;
        a->fd = -1;
        remove_tmp(a);
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot write '%s': %s", a->dest, g_strerror(e));
        return FALSE;
    }
    a->fd = -1;
    /* link(2) fails with EEXIST rather than replace: the O_EXCL of a rename */
    if (link(a->tmp, a->dest) < 0) {
        int e = errno;
        if (e == EPERM || e == EOPNOTSUPP || e == ENOSYS || e == EMLINK) {
            /* no hard links here (vfat, some FUSE): the kernel's no-replace rename */
            if (renameat2(AT_FDCWD, a->tmp, AT_FDCWD, a->dest, RENAME_NOREPLACE) == 0) {
                g_clear_pointer(&a->tmp, g_free);
                return TRUE;
            }
            e = errno == EINVAL ? e : errno;
        }
        remove_tmp(a);
        if (e == EEXIST)
            g_set_error(error, IGD_ERROR, IGD_ERROR_CONFLICT, "'%s' appeared while the report was written; "
                        "a report never replaces a file", a->dest);
        else
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot create '%s': %s", a->dest, g_strerror(e));
        return FALSE;
    }
    remove_tmp(a);
    return TRUE;
}
