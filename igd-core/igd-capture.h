/*
 * igd-capture.h: what igd-assign reads about a host's Intel IGDs, captured
 * as a host tree that --sysfs-root reads back (`igd-assign report`).
 *
 * A capture holds, at their physical paths under "/", the sysfs attributes
 * and config space of every Intel IGD, of the host bridge 00:00.0, of the
 * LPC bridge 00:1f.0 and of the IGDs' IOMMU group members; the IGDs' ROM,
 * OpRegion (igd_host_read_opregion(): VFIO region or i915 debugfs) and
 * i915 debugfs VBT; the IOMMU groups (names, and the links of the captured
 * devices), the IOMMU units, the bound drivers' directories, the vfio
 * module parameters; /proc/iomem, /proc/cmdline, the kernel release, the
 * first CPU of /proc/cpuinfo; the kernel log records about DMAR, IOMMU,
 * vfio, i915 and the IGDs (dev/kmsg, a regular file); and the QEMU probe
 * (qemu-probe.ini, read back with IGD_QEMU_CAPS). README.md lists every
 * file, its source, every redaction and everything left out.
 *
 * Links are kept as links, recorded verbatim where they are (every path of
 * the tree is physical: a link in a path is recorded and followed, never
 * copied through); a link that leaves the tree (absolute under a sysroot,
 * or climbing above it) is left out with a note. Only regular files are
 * read (FIFOs, devices, sockets are left out, never opened), each with the
 * bound igd-assign itself reads it with; directory listings are bounded.
 * Reads go through igd_sysroot_read() and igd-host's readers.
 *
 * Privacy (igd-redact.h decides what is private): values of /proc/cmdline
 * parameters that name disks, network identities or hosts (root=, ip=,
 * BOOTIF=, rd.luks.*, ...) become REDACTED; in every text file (cmdline,
 * kernel log, kernel release, QEMU probe) MAC addresses, UUIDs, the host
 * names and user names (igd_capture_add_private_word()) are replaced; the
 * PCIe Device Serial Number and the VPD data register are zeroed in config
 * space; only the kernel log records about the IGDs are kept. Subsystem
 * ids and firmware tables (OpRegion, VBT, ROM) are kept. Every redaction
 * is recorded (igd_capture_get_redactions()) and listed in README.md.
 */
#pragma once

#include <glib.h>

#include "igd-archive.h"
#include "igd-qemu.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

typedef struct _IgdCapture IgdCapture;

typedef enum {
    IGD_CAPTURE_FILE,
    IGD_CAPTURE_LINK,
    IGD_CAPTURE_DIR,
} IgdCaptureKind;

typedef struct {
    char *path;          /* in the tree, relative: "sys/devices/pci0000:00/0000:00:02.0/config" */
    IgdCaptureKind kind;
    GBytes *data;        /* FILE: the bytes as written (redacted) */
    char *target;        /* LINK: the target, verbatim */
    char *source;        /* where it came from: a host path, or what produced it */
    char *note;          /* NULL, or what was done to it ("filtered: ...", "placeholder: ...") */
} IgdCaptureEntry;

typedef struct {
    char *path;          /* the tree file it was made in */
    char *what;          /* "value of root=", "host name", "PCIe Device Serial Number (extended capability at 0x100)" */
    guint count;
} IgdCaptureRedaction;

typedef struct {
    char *source;        /* a host path or the thing ("OpRegion of 0000:00:02.0") */
    char *why;           /* the reason, paths shown as host paths */
} IgdCaptureOmission;

/* A capture of the host (or host tree) @sysroot stands for; nothing read yet. */
IgdCapture *igd_capture_new(const IgdSysroot *sysroot) G_GNUC_WARN_UNUSED_RESULT;
void igd_capture_free(IgdCapture *capture);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdCapture, igd_capture_free)

/*
 * A word never to write (a host or user name; @kind says which, "host name"
 * or "user name"): each whole-word occurrence (case-insensitive, between
 * characters that are not letters or digits) in a text file is replaced by
 * REDACTED-HOST or REDACTED-USER. Words shorter than 2 characters, "root",
 * "localhost" and "(none)" are ignored. Call before igd_capture_run().
 */
void igd_capture_add_private_word(IgdCapture *capture, const char *word, const char *kind);

/*
 * The private words of this machine: its host name (gethostname(), and
 * the tree's proc/sys/kernel/hostname), the calling user's name, $SUDO_USER,
 * and every account with a uid from 1000 to 59999 (Debian's user range).
 */
void igd_capture_add_host_private_words(IgdCapture *capture);

/*
 * The QEMU to record (saved with igd_qemu_caps_save()), or, with @qemu
 * NULL, why there is none (@why may be NULL).
 */
void igd_capture_set_qemu(IgdCapture *capture, const IgdQemuCaps *qemu, const GError *why);

/* The time the capture says it was made (seconds since the epoch; default: now). */
void igd_capture_set_time(IgdCapture *capture, gint64 when);
gint64 igd_capture_get_time(const IgdCapture *capture);

/*
 * Capture everything (see above). What cannot be read is an omission, not
 * an error; FALSE only when /sys/bus/pci/devices cannot be listed at all
 * (IGD_ERROR_NOT_FOUND / IO: not a host tree). Runs once.
 */
gboolean igd_capture_run(IgdCapture *capture, GError **error);

/* The tree's entries, sorted by path (IgdCaptureEntry *), README.md included. */
GPtrArray *igd_capture_get_entries(IgdCapture *capture);
/* Redactions (IgdCaptureRedaction *) and omissions (IgdCaptureOmission *), in the order made. */
GPtrArray *igd_capture_get_redactions(IgdCapture *capture);
GPtrArray *igd_capture_get_omissions(IgdCapture *capture);
/* The Intel IGDs found ("0000:00:02.0", char *), sorted. */
GPtrArray *igd_capture_get_igds(IgdCapture *capture);

/*
 * Write the tree under the directory @top ("report") into @archive: the
 * directories of every path, then each entry. Does not commit.
 */
gboolean igd_capture_write(IgdCapture *capture, IgdArchive *archive, const char *top, GError **error);

/*
 * The `report --json` document: { "path": @dest, "top": @top, "igds": [...],
 * "files": [ {"path", "type", "source", "size"|"target", "note"} ],
 * "redactions": [ {"path", "what", "count"} ], "left_out": [ {"source", "why"} ] }.
 */
char *igd_capture_to_json(IgdCapture *capture, const char *dest, const char *top, guint64 size)
    G_GNUC_WARN_UNUSED_RESULT;

/* The top directory of a report written to @dest: its file name without ".tar.xz" (or ".txz"), made safe. */
char *igd_capture_top_name(const char *dest) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
