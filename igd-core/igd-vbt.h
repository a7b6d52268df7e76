/*
 * igd-vbt.h: the Video BIOS Table (VBT) of an Intel IGD.
 *
 * Layout as Linux i915 reads it (drivers/gpu/drm/i915/display/intel_vbt_defs.h,
 * intel_bios.c): a VBT header ("$VBT ..."), a BIOS Data Block (BDB) header
 * ("BIOS_DATA_BLOCK ") at bdb_offset, then blocks {id u8, size u16, data}.
 * Block 2 (general definitions) carries the child devices, i.e. the outputs.
 * Fields are read at offsets, never through a struct laid over the bytes.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* VBT header (struct vbt_header) */
#define IGD_VBT_SIGNATURE           "$VBT"
#define IGD_VBT_SIGNATURE_OFFSET    0x00 /* u8[20] "$VBT <family>" */
#define IGD_VBT_SIGNATURE_LEN       20
#define IGD_VBT_VERSION_OFFSET      0x14 /* u16 version */
#define IGD_VBT_HEADER_SIZE_OFFSET  0x16 /* u16 header_size */
#define IGD_VBT_VBT_SIZE_OFFSET     0x18 /* u16 vbt_size: bytes of the whole VBT */
#define IGD_VBT_CHECKSUM_OFFSET     0x1A /* u8 vbt_checksum: makes the byte sum 0 */
#define IGD_VBT_BDB_OFFSET_OFFSET   0x1C /* u32 bdb_offset from the VBT start */
#define IGD_VBT_AIM_OFFSET_OFFSET   0x20 /* u32 aim_offset[4] */
/* sizeof(struct vbt_header) (__packed): i915 intel_bios_is_valid_vbt() refuses fewer bytes, "VBT header incomplete" */
#define IGD_VBT_HEADER_MIN          0x30
G_STATIC_ASSERT(IGD_VBT_VERSION_OFFSET == IGD_VBT_SIGNATURE_OFFSET + IGD_VBT_SIGNATURE_LEN);
G_STATIC_ASSERT(IGD_VBT_BDB_OFFSET_OFFSET + 4 == IGD_VBT_AIM_OFFSET_OFFSET);
G_STATIC_ASSERT(IGD_VBT_AIM_OFFSET_OFFSET + 4 * 4 == IGD_VBT_HEADER_MIN);

/* BDB header (struct bdb_header) */
#define IGD_BDB_SIGNATURE           "BIOS_DATA_BLOCK "
#define IGD_BDB_SIGNATURE_LEN       16
#define IGD_BDB_VERSION_OFFSET      0x10 /* u16 version (the "bdb version") */
#define IGD_BDB_HEADER_SIZE_OFFSET  0x12 /* u16 header_size */
#define IGD_BDB_BDB_SIZE_OFFSET     0x14 /* u16 bdb_size, from the BDB header start */
#define IGD_BDB_HEADER_MIN          0x16
G_STATIC_ASSERT(IGD_BDB_VERSION_OFFSET == IGD_BDB_SIGNATURE_LEN);
G_STATIC_ASSERT(IGD_BDB_BDB_SIZE_OFFSET + 2 == IGD_BDB_HEADER_MIN);

/* BDB blocks */
#define IGD_BDB_BLOCK_HEADER        3    /* u8 id, u16 size */
#define IGD_BDB_GENERAL_FEATURES    1    /* BDB_GENERAL_FEATURES */
#define IGD_BDB_GENERAL_DEFINITIONS 2    /* BDB_GENERAL_DEFINITIONS */
/* struct bdb_general_features: "bits 5" byte, bit 0 int_crt_support */
#define IGD_BDB_FEATURES_INT_CRT_OFFSET 4
#define IGD_BDB_FEATURES_INT_CRT_BIT    0x01
#define IGD_BDB_MIPI_SEQUENCE       53   /* BDB_MIPI_SEQUENCE: v3+ has a u32 size at data+1 */
/* struct bdb_general_definitions: crt_ddc_gmbus_pin, dpms_bits, boot_display[2], child_dev_size */
#define IGD_BDB_GENDEFS_CHILD_DEV_SIZE_OFFSET 4
#define IGD_BDB_GENDEFS_CHILDREN_OFFSET       5
/* struct child_device_config */
#define IGD_CHILD_DEVICE_TYPE_OFFSET 0x02 /* u16 device_type, DEVICE_TYPE_* bits */
#define IGD_CHILD_DVO_PORT_OFFSET    0x10 /* u8 dvo_port, DVO_PORT_* */
#define IGD_CHILD_LEGACY_SIZE        33   /* LEGACY_CHILD_DEVICE_CONFIG_SIZE: i915's minimum */

/* DEVICE_TYPE_* bits of child_device_config.device_type (intel_vbt_defs.h) */
#define IGD_DEVICE_TYPE_ANALOG_OUTPUT      (1u << 0)
#define IGD_DEVICE_TYPE_DIGITAL_OUTPUT     (1u << 1)
#define IGD_DEVICE_TYPE_DISPLAYPORT_OUTPUT (1u << 2)
#define IGD_DEVICE_TYPE_VIDEO_SIGNALING    (1u << 3)
#define IGD_DEVICE_TYPE_TMDS_DVI_SIGNALING (1u << 4)
#define IGD_DEVICE_TYPE_LVDS_SIGNALING     (1u << 5)
#define IGD_DEVICE_TYPE_HIGH_SPEED_LINK    (1u << 6)
#define IGD_DEVICE_TYPE_DUAL_CHANNEL       (1u << 8)
#define IGD_DEVICE_TYPE_COMPOSITE_OUTPUT   (1u << 9)
#define IGD_DEVICE_TYPE_MIPI_OUTPUT        (1u << 10)
#define IGD_DEVICE_TYPE_NOT_HDMI_OUTPUT    (1u << 11)
#define IGD_DEVICE_TYPE_INTERNAL_CONNECTOR (1u << 12)

typedef struct {
    char *port;            /* "HDMI-B", "DP-C", "eDP-A", "LVDS", "VGA", "DSI-A", ...: type + DVO port letter */
    char *type;            /* "hdmi", "dp", "dvi", "edp", "lvds", "analog", "dsi", "unknown" */
    guint16 device_type;   /* raw child device_type */
    guint8 dvo_port;       /* raw dvo_port */
    gboolean analog;       /* CRT / analog VGA output (DEVICE_TYPE_ANALOG_OUTPUT) */
} IgdVbtOutput;

typedef struct _IgdVbt IgdVbt;

/*
 * Parse a VBT. @data may be longer than the VBT's vbt_size (padded files,
 * debugfs dumps of the whole mailbox 4); only vbt_size bytes are used.
 * Checks the "$VBT" and BDB signatures, vbt_size against the bytes given,
 * the BDB and every block against vbt_size, and the child device table.
 * A bad checksum is NOT an error (igd_vbt_checksum_ok()).
 * Returns NULL with IGD_ERROR_INVALID naming the field on bad input.
 */
IgdVbt *igd_vbt_parse(GBytes *data, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void igd_vbt_free(IgdVbt *vbt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdVbt, igd_vbt_free)

/* The 20-byte signature, trailing spaces/NULs trimmed, non-printable bytes as '?': "$VBT SKYLAKE". */
const char *igd_vbt_get_signature(const IgdVbt *vbt);
/* VBT header version (u16 at 0x14). */
guint16 igd_vbt_get_version(const IgdVbt *vbt);
/* BDB version (u16 at bdb_offset + 0x10), what i915 calls the VBT version. */
guint16 igd_vbt_get_bdb_version(const IgdVbt *vbt);
/* The header's vbt_size: the VBT's own length in bytes. */
gsize igd_vbt_get_size(const IgdVbt *vbt);
/* The VBT bytes, trimmed to vbt_size. */
GBytes *igd_vbt_get_bytes(const IgdVbt *vbt);
/* TRUE when the vbt_size bytes sum to 0 mod 256. Informational: many real VBTs fail it. */
gboolean igd_vbt_checksum_ok(const IgdVbt *vbt);
/* IgdVbtOutput*, one per child device with a non-zero device_type, in table order; owned by @vbt. */
GPtrArray *igd_vbt_get_outputs(const IgdVbt *vbt);
/*
 * Block 1 int_crt_support: the integrated CRT (VGA) port is enabled. This is
 * how SNB..BDW VBTs describe VGA (no child device for it); i915's
 * intel_ddi_crt_present() ignores it on gen 9+ and on HSW/BDW ULT parts, and
 * Cherryview never registers a CRT (igd_platform_has_crt()).
 */
gboolean igd_vbt_get_int_crt_support(const IgdVbt *vbt);
/*
 * TRUE when a child device is analog or block 1 declares the integrated CRT
 * port (see igd_vbt_get_int_crt_support() for when i915 actually uses it).
 * SPEC §1: analog outputs may not work when the IGD is assigned.
 */
gboolean igd_vbt_has_analog(const IgdVbt *vbt);
/*
 * NULL, or what was tolerated while parsing: a block (other than block 2)
 * running past the end of the BDB stops the block walk, as in i915, and is
 * described here ("block 43 at 0xf7d: size 2000 runs past ...").
 */
const char *igd_vbt_get_warning(const IgdVbt *vbt);

/*
 * Cheap check used by the OpRegion code: @data starts with "$VBT" and its
 * vbt_size (≥ header) fits in @len. Does not walk the BDB.
 */
gboolean igd_vbt_looks_valid(const guint8 *data, gsize len);
/* vbt_size of a VBT whose igd_vbt_looks_valid() is TRUE. */
gsize igd_vbt_peek_size(const guint8 *data);
/* Set the header checksum byte of the @size-byte VBT at @data so its bytes sum to 0. */
void igd_vbt_fix_checksum(guint8 *data, gsize size);

/* Output type ("hdmi", "dp", ...) of a raw child device_type, as in IgdVbtOutput.type. */
const char *igd_vbt_type_from_device_type(guint16 device_type);

G_END_DECLS
