/*
 * igd-sysroot.c: host paths under one root prefix.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "igd-common.h"
#include "igd-sysroot.h"

struct _IgdSysroot {
    char *root; /* "" for the real host */
};

IgdSysroot *
igd_sysroot_new(const char *root)
{
    IgdSysroot *sysroot = g_new0(IgdSysroot, 1);
    g_autofree char *copy = g_strdup(root ? root : "");

    while (*copy && copy[strlen(copy) - 1] == '/')
        copy[strlen(copy) - 1] = '\0';
    sysroot->root = g_steal_pointer(&copy);
    return sysroot;
}

void
igd_sysroot_free(IgdSysroot *sysroot)
{
    if (sysroot == NULL)
        return;
    g_free(sysroot->root);
    g_free(sysroot);
}

const char *
igd_sysroot_get_root(const IgdSysroot *sysroot)
{
    return sysroot->root;
}

gboolean
igd_sysroot_is_host(const IgdSysroot *sysroot)
{
    return sysroot->root[0] == '\0';
}

static gboolean
path_is_clean(const char *abs_path)
{
    g_auto(GStrv) parts = NULL;

    if (abs_path == NULL || abs_path[0] != '/')
        return FALSE;
    parts = g_strsplit(abs_path, "/", -1);
    for (guint i = 0; parts[i]; i++) {
        if (g_str_equal(parts[i], ".."))
            return FALSE;
    }
    return TRUE;
}

char *
igd_sysroot_path(const IgdSysroot *sysroot, const char *abs_path)
{
    if (!path_is_clean(abs_path)) {
        g_critical("refusing host path '%s': not absolute or has '..'", abs_path ? abs_path : "(null)");
        return NULL;
    }
    return g_strconcat(sysroot->root, abs_path, NULL);
}

char *
igd_sysroot_pathf(const IgdSysroot *sysroot, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *abs_path = NULL;

    va_start(ap, fmt);
    abs_path = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return igd_sysroot_path(sysroot, abs_path);
}

gboolean
igd_sysroot_exists(const IgdSysroot *sysroot, const char *abs_path)
{
    g_autofree char *path = igd_sysroot_path(sysroot, abs_path);

    return path != NULL && access(path, F_OK) == 0;
}

gboolean
igd_sysroot_read(const IgdSysroot *sysroot, const char *abs_path, gsize max,
                 gboolean truncate_ok, guint8 **data, gsize *len, GError **error)
{
    g_autofree char *path = igd_sysroot_path(sysroot, abs_path);
    g_autofree guint8 *buf = NULL;
    gsize have = 0;
    int fd;

    if (path == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "bad host path '%s'", abs_path);
        return FALSE;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, e == ENOENT ? IGD_ERROR_NOT_FOUND : IGD_ERROR_IO,
                    "cannot open '%s': %s", path, g_strerror(e));
        return FALSE;
    }
    buf = g_malloc(max + 2);
    for (;;) {
        ssize_t n = read(fd, buf + have, max + 1 - have);
        if (n < 0) {
            int e = errno;
            if (e == EINTR)
                continue;
            close(fd);
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot read '%s': %s", path, g_strerror(e));
            return FALSE;
        }
        if (n == 0)
            break;
        have += (gsize)n;
        if (have > max)
            break;
    }
    close(fd);
    if (have > max) {
        if (!truncate_ok) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                        "'%s' is larger than %" G_GSIZE_FORMAT " bytes", path, max);
            return FALSE;
        }
        have = max;
    }
    buf[have] = '\0';
    *len = have;
    *data = g_steal_pointer(&buf);
    return TRUE;
}

char *
igd_sysroot_read_line(const IgdSysroot *sysroot, const char *abs_path, GError **error)
{
    g_autofree guint8 *data = NULL;
    gsize len = 0;
    char *nl;

    if (!igd_sysroot_read(sysroot, abs_path, 4096, TRUE, &data, &len, error))
        return NULL;
    nl = strchr((char *)data, '\n');
    if (nl)
        *nl = '\0';
    return (char *)g_steal_pointer(&data);
}

gboolean
igd_sysroot_read_u64(const IgdSysroot *sysroot, const char *abs_path, guint64 *value, GError **error)
{
    g_autofree char *line = igd_sysroot_read_line(sysroot, abs_path, error);
    char *end = NULL;
    guint64 v;

    if (line == NULL)
        return FALSE;
    g_strstrip(line);
    errno = 0;
    v = g_ascii_strtoull(line, &end, 0);
    /* strtoull() takes a sign and negates: "-1" would read as 2^64 - 1. */
    if (!g_ascii_isdigit(line[0]) || errno != 0 || end == NULL || *end != '\0') {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "'%s%s' is not a number: '%s'",
                    sysroot->root, abs_path, line);
        return FALSE;
    }
    *value = v;
    return TRUE;
}

char *
igd_sysroot_read_link_name(const IgdSysroot *sysroot, const char *abs_path, GError **error)
{
    g_autofree char *path = igd_sysroot_path(sysroot, abs_path);
    g_autofree char *target = NULL;
    GError *local = NULL;

    if (path == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "bad host path '%s'", abs_path);
        return NULL;
    }
    target = g_file_read_link(path, &local);
    if (target == NULL) {
        gboolean missing = g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT);
        g_set_error(error, IGD_ERROR, missing ? IGD_ERROR_NOT_FOUND : IGD_ERROR_IO,
                    "cannot read link '%s': %s", path, local->message);
        g_error_free(local);
        return NULL;
    }
    return g_path_get_basename(target);
}

/*
 * Under a sysroot (a copied host tree), the directory of @path must resolve
 * inside the root: a symlink in the tree pointing out of it (absolute, or
 * climbing with "..") would send the write to the real host. The last
 * component is opened with O_NOFOLLOW.
 */
static gboolean
write_stays_inside(const IgdSysroot *sysroot, const char *path, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *real_root = NULL;
    g_autofree char *real_dir = NULL;
    gsize n;

    if (igd_sysroot_is_host(sysroot))
        return TRUE;
    real_root = realpath(sysroot->root, NULL);
    real_dir = realpath(dir, NULL);
    if (real_root == NULL || real_dir == NULL) {
        int e = errno;
        g_set_error(error, IGD_ERROR, e == ENOENT ? IGD_ERROR_NOT_FOUND : IGD_ERROR_IO,
                    "cannot open '%s' for writing: %s", path, g_strerror(e));
        return FALSE;
    }
    n = strlen(real_root);
    if (strncmp(real_dir, real_root, n) != 0 || (real_dir[n] != '/' && real_dir[n] != '\0' && n > 1)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_DENIED,
                    "refusing to write '%s': its directory resolves to '%s', outside the sysroot '%s'", path,
                    real_dir, real_root);
        return FALSE;
    }
    return TRUE;
}

gboolean
igd_sysroot_write(const IgdSysroot *sysroot, const char *abs_path, const char *data, GError **error)
{
    g_autofree char *path = igd_sysroot_path(sysroot, abs_path);
    gsize len = strlen(data);
    gsize done = 0;
    int fd;

    if (path == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "bad host path '%s'", abs_path);
        return FALSE;
    }
    if (!write_stays_inside(sysroot, path, error))
        return FALSE;
    fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, e == ENOENT ? IGD_ERROR_NOT_FOUND : IGD_ERROR_IO,
                    "cannot open '%s' for writing: %s", path, g_strerror(e));
        return FALSE;
    }
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0) {
            int e = errno;
            if (e == EINTR)
                continue;
            close(fd);
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot write '%s' to '%s': %s",
                        data, path, g_strerror(e));
            return FALSE;
        }
        done += (gsize)n;
    }
    if (close(fd) < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot write '%s' to '%s': %s",
                    data, path, g_strerror(e));
        return FALSE;
    }
    return TRUE;
}
