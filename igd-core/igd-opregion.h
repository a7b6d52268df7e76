/*
 * igd-opregion.h: the IGD OpRegion ("IntelGraphicsMem"), the ACPI/firmware
 * memory region whose address is in the IGD's ASLS register (config 0xFC).
 *
 * Layout as Linux reads it (drivers/gpu/drm/i915/display/intel_opregion.c,
 * drivers/vfio/pci/vfio_pci_igd.c): an 8 KiB region of a 256-byte header and
 * mailboxes; the VBT lives in mailbox 4 or, when larger than mailbox 4
 * (OpRegion 2.0+), in an "extended VBT" located by ASLE RVDA/RVDS:
 *   2.0:  RVDA is the absolute physical address of the VBT;
 *   2.1+: RVDA is relative to the OpRegion start (and ≥ 8 KiB).
 * Linux vfio exposes any 2.0+ OpRegion with an extended VBT as one region of
 * 8 KiB + RVDS, reporting version 2.1 and RVDA = 0x2000 (the VBT right after).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Header (struct opregion_header) */
#define IGD_OPREGION_SIGNATURE        "IntelGraphicsMem"
#define IGD_OPREGION_SIGNATURE_OFFSET 0x00  /* u8[16] */
#define IGD_OPREGION_SIGNATURE_LEN    16
#define IGD_OPREGION_SIZE_OFFSET      0x10  /* u32 size in KiB */
#define IGD_OPREGION_VERSION_OFFSET   0x14  /* u32 over: rsvd, revision, minor, major */
#define IGD_OPREGION_VERSION_MINOR    0x16  /* u8 over.minor (vfio: OPREGION_VERSION is the u16 here) */
#define IGD_OPREGION_VERSION_MAJOR    0x17  /* u8 over.major */
#define IGD_OPREGION_MBOX_OFFSET      0x58  /* u32 mbox: MBOX_* flags */
#define IGD_OPREGION_HEADER_SIZE      0x100
G_STATIC_ASSERT(IGD_OPREGION_SIZE_OFFSET == IGD_OPREGION_SIGNATURE_OFFSET + IGD_OPREGION_SIGNATURE_LEN);
G_STATIC_ASSERT(IGD_OPREGION_VERSION_MAJOR == IGD_OPREGION_VERSION_OFFSET + 3);
G_STATIC_ASSERT(IGD_OPREGION_VERSION_MINOR == IGD_OPREGION_VERSION_OFFSET + 2);

/* MBOX flags (i915 MBOX_*) */
#define IGD_OPREGION_MBOX_ACPI        (1u << 0) /* mailbox 1, public ACPI methods */
#define IGD_OPREGION_MBOX_SWSCI       (1u << 1) /* mailbox 2, SWSCI */
#define IGD_OPREGION_MBOX_ASLE        (1u << 2) /* mailbox 3, ASLE (holds RVDA/RVDS) */
#define IGD_OPREGION_MBOX_VBT         (1u << 3) /* mailbox 4, VBT (the spec's bit; i915 does not test it) */
#define IGD_OPREGION_MBOX_ASLE_EXT    (1u << 4) /* mailbox 5, ASLE extension: shrinks mailbox 4 */
#define IGD_OPREGION_MBOX_BACKLIGHT   (1u << 5) /* backlight in mailbox 2 (OpRegion 3.0) */

/* Mailbox offsets (i915 OPREGION_*_OFFSET) */
#define IGD_OPREGION_ACPI_OFFSET      0x100  /* mailbox 1 */
#define IGD_OPREGION_SWSCI_OFFSET     0x200  /* mailbox 2 */
#define IGD_OPREGION_ASLE_OFFSET      0x300  /* mailbox 3 */
#define IGD_OPREGION_VBT_OFFSET       0x400  /* mailbox 4 */
#define IGD_OPREGION_ASLE_EXT_OFFSET  0x1C00 /* mailbox 5 */
#define IGD_OPREGION_SIZE             0x2000 /* OPREGION_SIZE: what Linux maps at ASLS */
/* ASLE fields (struct opregion_asle, packed) */
#define IGD_OPREGION_ASLE_RVDA        0xBA   /* u64 RVDA: extended VBT address */
#define IGD_OPREGION_ASLE_RVDS        0xC2   /* u32 RVDS: extended VBT size in bytes */
#define IGD_OPREGION_RVDA_OFFSET      (IGD_OPREGION_ASLE_OFFSET + IGD_OPREGION_ASLE_RVDA)
#define IGD_OPREGION_RVDS_OFFSET      (IGD_OPREGION_ASLE_OFFSET + IGD_OPREGION_ASLE_RVDS)
G_STATIC_ASSERT(IGD_OPREGION_RVDA_OFFSET == 0x3BA); /* vfio_pci_igd.c OPREGION_RVDA */
G_STATIC_ASSERT(IGD_OPREGION_RVDS_OFFSET == 0x3C2); /* vfio_pci_igd.c OPREGION_RVDS */
G_STATIC_ASSERT(IGD_OPREGION_RVDS_OFFSET == IGD_OPREGION_RVDA_OFFSET + 8);
/* Room for a VBT in mailbox 4: up to mailbox 5 when it is present, else to the end. */
#define IGD_OPREGION_VBT_ROOM_MBOX5   (IGD_OPREGION_ASLE_EXT_OFFSET - IGD_OPREGION_VBT_OFFSET)
#define IGD_OPREGION_VBT_ROOM_NO_MBOX5 (IGD_OPREGION_SIZE - IGD_OPREGION_VBT_OFFSET)
G_STATIC_ASSERT(IGD_OPREGION_VBT_ROOM_MBOX5 == 0x1800);
G_STATIC_ASSERT(IGD_OPREGION_VBT_ROOM_NO_MBOX5 == 0x1C00);
/* Largest VBT spliced in: vbt_size is a u16. */
#define IGD_OPREGION_VBT_MAX          0xFFFF

/* Where the VBT of a parsed OpRegion is. */
typedef enum {
    IGD_OPREGION_VBT_NONE,        /* no "$VBT" in mailbox 4 and no extended VBT */
    IGD_OPREGION_VBT_MAILBOX,     /* in mailbox 4 */
    IGD_OPREGION_VBT_EXTENDED,    /* extended VBT inside the bytes given (RVDA/RVDS) */
    IGD_OPREGION_VBT_UNREACHABLE, /* 2.0 extended VBT at a physical address outside the bytes given,
                                     or 2.0 parsed without knowing the OpRegion's own address */
} IgdOpRegionVbtLocation;

typedef struct _IgdOpRegion IgdOpRegion;

/*
 * Parse an OpRegion. Checks the signature, that the bytes hold at least
 * 8 KiB and the declared size, and (2.0+ with mailbox 3) that RVDA/RVDS lie
 * inside the bytes given without overflow. A 2.1+ extended VBT is found
 * relative to the start of @data; a 2.0 extended VBT (absolute RVDA) needs
 * igd_opregion_parse_at() and is otherwise reported UNREACHABLE.
 * The version is reported, not validated: older coreboot writes it
 * unshifted (major byte 0), and i915 copes (no RVDA/RVDS below 2.0).
 * Returns NULL with IGD_ERROR_INVALID naming the field on bad input.
 */
IgdOpRegion *igd_opregion_parse(GBytes *data, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/*
 * As igd_opregion_parse(), for bytes read from physical address @asls (the
 * ASLS register): a 2.0 absolute RVDA is resolved as RVDA − @asls when it
 * falls inside @data; outside, the VBT is UNREACHABLE (not an error).
 */
IgdOpRegion *igd_opregion_parse_at(GBytes *data, guint64 asls, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void igd_opregion_free(IgdOpRegion *op);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdOpRegion, igd_opregion_free)

guint8 igd_opregion_get_version_major(const IgdOpRegion *op);
guint8 igd_opregion_get_version_minor(const IgdOpRegion *op);
/* Declared size in bytes (header KiB × 1024). */
gsize igd_opregion_get_size(const IgdOpRegion *op);
/* MBOX flags (IGD_OPREGION_MBOX_*). */
guint32 igd_opregion_get_mailboxes(const IgdOpRegion *op);
/* Raw ASLE RVDA/RVDS (0 when absent, before 2.0 or without mailbox 3). */
guint64 igd_opregion_get_rvda(const IgdOpRegion *op);
guint32 igd_opregion_get_rvds(const IgdOpRegion *op);
IgdOpRegionVbtLocation igd_opregion_get_vbt_location(const IgdOpRegion *op);
/* Offset of the VBT in the bytes given (0 when none or unreachable). */
gsize igd_opregion_get_vbt_offset(const IgdOpRegion *op);
/*
 * The VBT (mailbox 4 or extended), trimmed to the VBT's own vbt_size when it
 * fits; NULL when none or unreachable. New reference.
 */
GBytes *igd_opregion_get_vbt(const IgdOpRegion *op);
/* TRUE when the VBT is (or would be, if unreachable) the extended one. */
gboolean igd_opregion_vbt_is_extended(const IgdOpRegion *op);
/* All the bytes given to the parser. New reference. */
GBytes *igd_opregion_get_bytes(const IgdOpRegion *op);

typedef enum {
    IGD_OPREGION_EXT_RELATIVE, /* 2.1+: RVDA = 0x2000 relative to the OpRegion start; version raised
                                  to 2.1 if lower, as Linux vfio presents it */
    IGD_OPREGION_EXT_ABSOLUTE, /* 2.0: RVDA = @base + 0x2000, a physical address; version set to 2.0 */
} IgdOpRegionExtLayout;

/*
 * A new OpRegion: @opregion (8 KiB used) with @vbt (trimmed to its vbt_size,
 * header checksum recomputed) in mailbox 4 when it fits there (0x1800 bytes
 * with mailbox 5, 0x1C00 without; RVDA/RVDS cleared), otherwise appended
 * right after the 8 KiB OpRegion as an extended VBT with RVDS = vbt_size and
 * RVDA per @layout (@base: the physical address the OpRegion will have, for
 * IGD_OPREGION_EXT_ABSOLUTE only); mailbox 4 is then zeroed. The declared
 * size stays 8 KiB, as coreboot and Linux vfio leave it: the extended VBT is
 * described by RVDA/RVDS alone. The result is 8 KiB (+ vbt_size).
 * Errors: @opregion not an OpRegion, @vbt not a VBT, an extended VBT needed
 * but no mailbox 3, an absolute RVDA that overflows.
 */
GBytes *igd_opregion_splice_vbt(GBytes *opregion, GBytes *vbt, IgdOpRegionExtLayout layout,
                                guint64 base, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
