/*
 * igd-blobs.c: etc/igd-opregion and etc/igd-bdsm-size (SPEC.md §5), the two
 * fw_cfg files SeaBIOS (src/fw/pciinit.c intel_igd_setup) and OVMF's
 * IgdAssignmentDxe consume, built from the VFIO OpRegion region (or an
 * override file) and the QEMU model, and written atomically.
 */
#include "config.h"

#include "igd-blobs.h"
#include "igd-snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "igd-common.h"
#include "igd-devices.h"
#include "igd-gmch.h"
#include "igd-pci.h"
#include "igd-vfio.h"

/* Largest VBT override file read: a VBT's vbt_size is a u16, plus padding of coreboot/debugfs blobs. */
#define IGD_BLOBS_VBT_FILE_MAX (64u << 10)

void
igd_blobs_clear(IgdBlobs *blobs)
{
    if (blobs == NULL)
        return;
    g_clear_pointer(&blobs->opregion, g_bytes_unref);
    blobs->bdsm_size = 0;
}

GBytes *
igd_blobs_bdsm_size_bytes(guint64 size)
{
    guint8 *b = g_malloc(IGD_BLOBS_BDSM_SIZE_LEN);

    igd_put_le64(b, size);
    return g_bytes_new_take(b, IGD_BLOBS_BDSM_SIZE_LEN);
}

gboolean
igd_blobs_bdsm_size(const IgdSnapshot *s, const char *machine, gint x_igd_gms, guint64 *size, GError **error)
{
    if (!s->gmch_valid) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED, "%s (8086:%04x): %s", s->name, s->device_id,
                    s->config_error ? s->config_error->message : "no stolen-memory decode for this device id");
        return FALSE;
    }
    if (s->gmch.bdsm_offset == 0) {
        /* No BDSM register (Meteor Lake on): nothing for the firmware to reserve or program. QEMU docs
         * (docs/igd-assign.txt, v10.2.0): "Starting from Meteor Lake, IGD devices access stolen memory via
         * its MMIO BAR2 (LMEMBAR) and removed the BDSM register in config space. ... Value of this fw_cfg
         * file is 0 in such case." */
        *size = 0;
        return TRUE;
    }
    *size = s->gmch.stolen_bytes;
    if (s->qemu != NULL) {
        IgdQemuIgdModel m;
        IgdQemuModelRequest req;

        igd_snapshot_model_request(s, &req);
        req.x_igd_gms = x_igd_gms > 0 ? x_igd_gms : -1;
        req.machine = machine;
        if (!igd_qemu_model_igd(s->qemu, &req, &m, error))
            return FALSE;
        /* What this QEMU writes itself when it creates the file; its 0 (unknown device) is not kept. */
        if (m.bdsm_size_file && m.bdsm_size > 0)
            *size = m.bdsm_size;
        igd_qemu_igd_model_clear(&m);
    }
    if (*size == 0) {
        /* A BDSM register and nothing to point it at: SeaBIOS leaves it unset, the original
         * IgdAssignmentDxe refuses a zero size (EFI_PROTOCOL_ERROR). */
        g_set_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED,
                    "%s has no stolen memory (GGC 0x%04x, GMS 0): etc/igd-bdsm-size would be 0, which the "
                    "original OVMF IgdAssignmentDxe refuses; set DVMT pre-allocated memory in the host firmware",
                    s->name, s->gmch.ggc);
        return FALSE;
    }
    return TRUE;
}

/* The OpRegion blob: @opregion, else the configured file, else the VFIO region; the VBT override spliced in. */
static GBytes *
igd_blobs_opregion(const IgdSysroot *sysroot, const IgdPciAddress *addr, GBytes *opregion,
                   const IgdBlobsConfig *config, GError **error)
{
    g_autoptr(GBytes) op = opregion ? g_bytes_ref(opregion) : NULL;
    g_autoptr(IgdOpRegion) parsed = NULL;

    if (op == NULL && config->opregion_file != NULL) {
        op = igd_read_regular_file(config->opregion_file, IGD_BLOBS_OPREGION_MAX, "OpRegion file", error);
        if (op == NULL)
            return NULL;
    }
    if (op == NULL) {
        op = igd_vfio_read_opregion(sysroot, addr, error);
        if (op == NULL)
            return NULL;
    }
    parsed = igd_opregion_parse(op, error);
    if (parsed == NULL) {
        g_prefix_error(error, "%s: ", config->opregion_file ? config->opregion_file : "VFIO OpRegion region");
        return NULL;
    }
    if (config->vbt_file != NULL) {
        g_autoptr(GBytes) vbt = igd_read_regular_file(config->vbt_file, IGD_BLOBS_VBT_FILE_MAX, "VBT file", error);
        GBytes *spliced;

        if (vbt == NULL)
            return NULL;
        spliced = igd_opregion_splice_vbt(op, vbt, config->ext_layout, config->ext_base, error);
        if (spliced == NULL) {
            g_prefix_error(error, "VBT file '%s': ", config->vbt_file);
            return NULL;
        }
        g_bytes_unref(op);
        op = spliced;
        if (g_bytes_get_size(op) > IGD_OPREGION_SIZE && config->ext_layout == IGD_OPREGION_EXT_ABSOLUTE &&
            config->ext_base == 0) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE,
                        "VBT file '%s' needs an extended VBT, and the OpRegion 2.0 layout needs the guest address "
                        "of the OpRegion (unknown until the firmware places it); use the 2.1 layout (RVDA "
                        "relative)", config->vbt_file);
            return NULL;
        }
        if (g_bytes_get_size(op) > IGD_BLOBS_OPREGION_MAX) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                        "VBT file '%s': the OpRegion with it is %" G_GSIZE_FORMAT " bytes, larger than %u",
                        config->vbt_file, g_bytes_get_size(op), IGD_BLOBS_OPREGION_MAX);
            return NULL;
        }
    }
    return g_steal_pointer(&op);
}

/* @out := @op (taken) and the bdsm-size of @device's IGD for @qemu (set on @device). */
static gboolean
igd_blobs_finish(IgdSnapshot *device, GBytes *op, const IgdBlobsConfig *config, const IgdQemuCaps *qemu,
                 IgdBlobs *out, GError **error)
{
    g_autoptr(GBytes) owned = op;
    guint64 bdsm_size = 0;

    igd_snapshot_set_qemu(device, (IgdQemuCaps *)qemu, FALSE);
    if (!igd_blobs_bdsm_size(device, config->machine, config->x_igd_gms, &bdsm_size, error))
        return FALSE;
    igd_blobs_clear(out);
    out->opregion = g_steal_pointer(&owned);
    out->bdsm_size = bdsm_size;
    return TRUE;
}

gboolean
igd_blobs_build_from(const IgdSysroot *sysroot, const IgdPciAddress *addr, GBytes *opregion,
                     const IgdBlobsConfig *config, const IgdQemuCaps *qemu, IgdBlobs *out, GError **error)
{
    static const IgdBlobsConfig defaults = { 0 };
    g_autoptr(IgdSnapshot) s = NULL;
    GBytes *op;

    if (config == NULL)
        config = &defaults;
    op = igd_blobs_opregion(sysroot, addr, opregion, config, error);
    if (op == NULL)
        return FALSE;
    /* the device as every other part of igd-core sees it (refused unless it is an Intel IGD) */
    s = igd_snapshot_gather(sysroot, addr, IGD_SNAPSHOT_DEVICE, error);
    if (s == NULL) {
        g_bytes_unref(op);
        return FALSE;
    }
    return igd_blobs_finish(s, op, config, qemu, out, error);
}

gboolean
igd_blobs_build(const IgdSysroot *sysroot, const IgdPciAddress *addr, const IgdBlobsConfig *config,
                const IgdQemuCaps *qemu, IgdBlobs *out, GError **error)
{
    return igd_blobs_build_from(sysroot, addr, NULL, config, qemu, out, error);
}

gboolean
igd_blobs_build_for(IgdSnapshot *device, const IgdSysroot *sysroot, const IgdBlobsConfig *config,
                    const IgdQemuCaps *qemu, IgdBlobs *out, GError **error)
{
    static const IgdBlobsConfig defaults = { 0 };
    GBytes *op;

    if (config == NULL)
        config = &defaults;
    op = igd_blobs_opregion(sysroot, &device->addr, NULL, config, error);
    return op != NULL && igd_blobs_finish(device, op, config, qemu, out, error);
}

static gboolean
igd_blobs_fsync_dir(const char *dir, GError **error)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0 || fsync(fd) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot sync directory '%s': %s", dir, g_strerror(e));
        return FALSE;
    }
    close(fd);
    return TRUE;
}

/* Write @len bytes to @fd, set mode 0640 and group @gid, sync, close. 0 or an errno. */
static int
igd_blobs_fill_fd(int fd, const guint8 *p, gsize len, gint gid)
{
    gsize done = 0;
    int e = 0;

    while (e == 0 && done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno != EINTR)
            e = errno;
        else if (n > 0)
            done += (gsize)n;
    }
    if (e == 0 && fchmod(fd, 0640) < 0)
        e = errno;
    if (e == 0 && gid >= 0 && fchown(fd, (uid_t)-1, (gid_t)gid) < 0)
        e = errno;
    if (e == 0 && fsync(fd) < 0)
        e = errno;
    if (close(fd) < 0 && e == 0)
        e = errno;
    return e;
}

/* @name in the new directory @tmp (nobody else's yet): created, written, synced, mode and group set. */
static gboolean
igd_blobs_write_one(const char *tmp, const char *final_dir, const char *name, GBytes *data, gint gid,
                    GError **error)
{
    g_autofree char *path = g_build_filename(tmp, name, NULL);
    gsize len;
    const guint8 *p = g_bytes_get_data(data, &len);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    int e = fd < 0 ? errno : igd_blobs_fill_fd(fd, p, len, gid);

    if (e != 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot write '%s/%s': %s", final_dir, name, g_strerror(e));
        return FALSE;
    }
    return TRUE;
}

/* Remove @path (a file, or a directory of files), never following a link. Best effort. */
static void
igd_blobs_remove_tree(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d;
    struct dirent *e;

    if (fd < 0) {
        if (errno == ENOTDIR || errno == ELOOP)
            g_unlink(path);
        return;
    }
    d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno == EISDIR)
            unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
    }
    closedir(d);
    g_rmdir(path);
}

gboolean
igd_blobs_is_leftover(const char *name)
{
    return g_str_has_prefix(name, IGD_BLOBS_TMP_PREFIX);
}

void
igd_blobs_remove_leftover(const char *path)
{
    igd_blobs_remove_tree(path);
}

/* "<parent>/.igd-blobs-<base>.": a directory of @base being written when a writer was killed. */
static void
igd_blobs_remove_stale_dirs(const char *parent, const char *base)
{
    g_autoptr(GDir) d = g_dir_open(parent, 0, NULL);
    g_autofree char *prefix = g_strconcat(IGD_BLOBS_TMP_PREFIX, base, ".", NULL);
    const char *entry;

    while (d != NULL && (entry = g_dir_read_name(d)) != NULL) {
        if (g_str_has_prefix(entry, prefix)) {
            g_autofree char *path = g_build_filename(parent, entry, NULL);
            igd_blobs_remove_tree(path);
        }
    }
}

void
igd_blobs_tidy(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *entry;

    /* ".<blob>.XXXXXX": the per-file temp files of igd-assign 0.x writers, before directories were swapped. */
    while (d != NULL && (entry = g_dir_read_name(d)) != NULL) {
        if (g_str_has_prefix(entry, "." IGD_BLOBS_OPREGION_NAME ".") ||
            g_str_has_prefix(entry, "." IGD_BLOBS_BDSM_SIZE_NAME ".")) {
            g_autofree char *path = g_build_filename(dir, entry, NULL);
            g_unlink(path);
        }
    }
}

/* The new directory @tmp, complete: mode 0750, group @gid (-1 = leave), synced. */
static gboolean
igd_blobs_finish_dir(const char *tmp, const char *final_dir, gint gid, GError **error)
{
    int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int e = 0;

    if (fd < 0)
        e = errno;
    if (e == 0 && fchmod(fd, 0750) < 0)
        e = errno;
    if (e == 0 && gid >= 0 && fchown(fd, (uid_t)-1, (gid_t)gid) < 0)
        e = errno;
    if (e == 0 && fsync(fd) < 0)
        e = errno;
    if (fd >= 0)
        close(fd);
    if (e != 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot set up '%s': %s", final_dir, g_strerror(e));
        return FALSE;
    }
    return TRUE;
}

/* Put the directory @tmp in the place of @dir in one step; the old one, if any, ends up at @tmp. */
static gboolean
igd_blobs_swap(const char *tmp, const char *dir, gboolean *exchanged, GError **error)
{
    int e;

    *exchanged = FALSE;
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
        *exchanged = TRUE;
        return TRUE;
    }
    e = errno;
    if (e == ENOENT && renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_NOREPLACE) == 0)
        return TRUE;
    if (e == ENOENT)
        e = errno;
    if (e == EINVAL || e == ENOSYS)
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO,
                    "cannot replace '%s' in one step: %s (the state directory needs a filesystem with "
                    "renameat2 RENAME_EXCHANGE, as tmpfs, ext4, xfs and btrfs have)", dir, g_strerror(e));
    else
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot put the new blobs at '%s': %s", dir, g_strerror(e));
    return FALSE;
}

gboolean
igd_blobs_write(const char *dir, const IgdBlobs *blobs, gint gid, GError **error)
{
    g_autofree char *parent = g_path_get_dirname(dir);
    g_autofree char *base = g_path_get_basename(dir);
    g_autofree char *tmp = NULL;
    g_autoptr(GBytes) bdsm = NULL;
    gboolean exchanged = FALSE;
    int e;

    if (blobs->opregion == NULL || g_bytes_get_size(blobs->opregion) == 0) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INTERNAL, "no OpRegion to write");
        return FALSE;
    }
    if (g_mkdir_with_parents(parent, 0755) < 0) {
        e = errno;
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot create '%s': %s", parent, g_strerror(e));
        return FALSE;
    }
    igd_blobs_remove_stale_dirs(parent, base);
    tmp = g_strdup_printf("%s/" IGD_BLOBS_TMP_PREFIX "%s.XXXXXX", parent, base);
    if (g_mkdtemp_full(tmp, 0700) == NULL) {
        e = errno;
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot create a temporary directory in '%s': %s", parent,
                    g_strerror(e));
        return FALSE;
    }
    bdsm = igd_blobs_bdsm_size_bytes(blobs->bdsm_size);
    /* The directory last: QEMU's group can enter it only once it is complete (and in place). */
    if (!igd_blobs_write_one(tmp, dir, IGD_BLOBS_OPREGION_NAME, blobs->opregion, gid, error) ||
        !igd_blobs_write_one(tmp, dir, IGD_BLOBS_BDSM_SIZE_NAME, bdsm, gid, error) ||
        !igd_blobs_finish_dir(tmp, dir, gid, error) || !igd_blobs_swap(tmp, dir, &exchanged, error)) {
        igd_blobs_remove_tree(tmp);
        return FALSE;
    }
    if (exchanged)
        igd_blobs_remove_tree(tmp); /* the previous pair; a kill here leaves it for the next start to remove */
    return igd_blobs_fsync_dir(parent, error);
}
gboolean
igd_blobs_remove(const char *dir, GError **error)
{
    const char *names[] = { IGD_BLOBS_OPREGION_NAME, IGD_BLOBS_BDSM_SIZE_NAME };

    if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
        return TRUE;
    igd_blobs_tidy(dir);
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path = g_build_filename(dir, names[i], NULL);
        if (g_unlink(path) < 0 && errno != ENOENT) {
            int e = errno;
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot remove '%s': %s", path, g_strerror(e));
            return FALSE;
        }
    }
    /* Only when empty: the directory may hold other files of the domain. */
    if (g_rmdir(dir) < 0 && errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT) {
        int e = errno;
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot remove '%s': %s", dir, g_strerror(e));
        return FALSE;
    }
    return TRUE;
}
