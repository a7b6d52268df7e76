/*
 * igd-blobs.h: the two fw_cfg files the firmware consumes for an assigned
 * IGD (SPEC.md §5): etc/igd-opregion (the OpRegion, with an optional VBT
 * override spliced in) and etc/igd-bdsm-size (8-byte little-endian stolen
 * memory size), and their atomic files under the daemon's state directory.
 */
#pragma once

#include <glib.h>

#include "igd-opregion.h"
#include "igd-pci-address.h"
#include "igd-qemu.h"
#include "igd-snapshot.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

#define IGD_BLOBS_OPREGION_NAME  "igd-opregion"
#define IGD_BLOBS_BDSM_SIZE_NAME "igd-bdsm-size"
#define IGD_BLOBS_BDSM_SIZE_LEN  8      /* etc/igd-bdsm-size is a uint64 LE */
#define IGD_BLOBS_OPREGION_MAX   ((8u << 10) + (64u << 10)) /* 8 KiB OpRegion + an extended VBT (vbt_size is a u16) */

typedef struct {
    const char *opregion_file;        /* OpRegion override file, NULL = the VFIO region */
    const char *vbt_file;             /* VBT override spliced in, NULL = none */
    IgdOpRegionExtLayout ext_layout;  /* how a VBT too large for mailbox 4 is placed (2.0 or 2.1 RVDA) */
    guint64 ext_base;                 /* IGD_OPREGION_EXT_ABSOLUTE only: the guest address the firmware
                                       * will give the OpRegion (2.0 RVDA = ext_base + 8 KiB); 0 with
                                       * an extended VBT is IGD_ERROR_USAGE */
    gint x_igd_gms;                   /* the domain's x-igd-gms, 0 = unset (for the QEMU model) */
    const char *machine;              /* the domain's machine type, NULL = i440fx (for the QEMU model) */
} IgdBlobsConfig;

typedef struct {
    GBytes *opregion;   /* etc/igd-opregion contents */
    guint64 bdsm_size;  /* etc/igd-bdsm-size value (0: the device has no BDSM register) */
} IgdBlobs;

/* Frees the contents of @blobs (not @blobs itself); safe to call twice. */
void igd_blobs_clear(IgdBlobs *blobs);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(IgdBlobs, igd_blobs_clear)

/*
 * Produce both blobs for the IGD at @addr under @sysroot. The OpRegion comes
 * from @config->opregion_file, else from the VFIO OpRegion region
 * (igd_vfio_read_opregion(): the device must be bound to vfio-pci); a
 * @config->vbt_file is spliced in (igd_opregion_splice_vbt()). bdsm_size is
 * what @qemu's model puts in etc/igd-bdsm-size for this device (@qemu NULL:
 * the host's stolen size decoded from GGC for its generation). @config may
 * be NULL (defaults). A device without a BDSM register (Meteor Lake on,
 * IGD_PLATFORM_FLAG_NO_BDSM) gets 0, as QEMU writes for it. Otherwise, when
 * that size is 0 (GMS 0, or a QEMU that writes 0 for a device it does not
 * know), the host's own stolen size is used; when that is 0 too:
 * IGD_ERROR_CHECK_FAILED (a BDSM to program and nothing to reserve: the
 * original IgdAssignmentDxe refuses a zero etc/igd-bdsm-size).
 * A VBT override that is not a VBT or does not fit: IGD_ERROR_INVALID
 * naming the file. @out is filled only on success.
 */
gboolean igd_blobs_build(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                         const IgdBlobsConfig *config, const IgdQemuCaps *qemu,
                         IgdBlobs *out, GError **error);

/*
 * As igd_blobs_build() with the OpRegion bytes already in hand (@opregion
 * NULL: read as igd_blobs_build() does). For tests and the CLI.
 */
gboolean igd_blobs_build_from(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                              GBytes *opregion, const IgdBlobsConfig *config,
                              const IgdQemuCaps *qemu, IgdBlobs *out, GError **error);

/*
 * As igd_blobs_build() for the IGD of @device, a snapshot of it the caller
 * gathered from @sysroot (at least IGD_SNAPSHOT_DEVICE): what it holds is
 * not read again (igd-assignd's Prepare reads the device once); its QEMU
 * is set to @qemu (not taken).
 */
gboolean igd_blobs_build_for(IgdSnapshot *device, const IgdSysroot *sysroot, const IgdBlobsConfig *config,
                             const IgdQemuCaps *qemu, IgdBlobs *out, GError **error);

/*
 * The etc/igd-bdsm-size value for the IGD of @snapshot (device part; its
 * QEMU, may be NULL) and a guest of @machine (NULL: i440fx) with x-igd-gms
 * @x_igd_gms (0 or -1: unset): what that QEMU writes itself when it creates
 * the file, else the host's stolen size; 0 for an IGD without a BDSM
 * register (Meteor Lake on). A BDSM register with no stolen memory is
 * IGD_ERROR_CHECK_FAILED (the original IgdAssignmentDxe refuses 0).
 */
gboolean igd_blobs_bdsm_size(const IgdSnapshot *snapshot, const char *machine, gint x_igd_gms, guint64 *size,
                             GError **error);

/* The 8 bytes of etc/igd-bdsm-size for @size (little-endian). */
GBytes *igd_blobs_bdsm_size_bytes(guint64 size);

/* A directory of blobs being written: "<parent>/.igd-blobs-<name of dir>.XXXXXX". */
#define IGD_BLOBS_TMP_PREFIX ".igd-blobs-"

/*
 * Write the pair <dir>/igd-opregion and <dir>/igd-bdsm-size so that @dir
 * holds either the previous pair or the new one, whenever the writer is
 * killed: both files are written and synced into a new directory
 * "<parent>/.igd-blobs-<name>.XXXXXX" (files 0640, directory 0750, both of
 * group @gid, -1 = leave: the QEMU user's group reads them, nobody else),
 * which then takes @dir's place in one step (renameat2 RENAME_EXCHANGE, or
 * a plain rename when @dir does not exist); the previous directory is
 * removed, then the parent synced. The parent is created (0755) when
 * missing. Readers open only the final names. On failure nothing of this
 * call is left and @dir is as it was. Leftover directories of a killed
 * writer for @dir are removed first (all of them at the daemon's start:
 * igd_blobs_is_leftover()). A filesystem without RENAME_EXCHANGE (not
 * tmpfs, ext4, xfs, btrfs) fails a replacement with IGD_ERROR_IO saying so.
 */
gboolean igd_blobs_write(const char *dir, const IgdBlobs *blobs, gint gid, GError **error);

/*
 * Remove both blobs (and the temp files of older writers) from @dir, then
 * @dir itself when empty. Missing files are fine.
 */
gboolean igd_blobs_remove(const char *dir, GError **error);

/* TRUE for a name, in the parent of blob directories, that only a killed igd_blobs_write() leaves. */
gboolean igd_blobs_is_leftover(const char *name);
/* Remove such a leftover (a directory of files, or a file), never following a link. Best effort. */
void igd_blobs_remove_leftover(const char *path);
/* Remove the per-file temp files ".igd-opregion.XXXXXX" that writers before this one left in @dir. */
void igd_blobs_tidy(const char *dir);

G_END_DECLS
