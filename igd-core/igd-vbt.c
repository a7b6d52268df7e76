/*
 * igd-vbt.c: Video BIOS Table parser (see igd-vbt.h for the layout).
 *
 * Every field is read with igd_le16()/igd_le32() after an igd_range_ok()
 * check against the VBT's own vbt_size (itself checked against the bytes
 * given). Tolerated, because real VBTs do it and i915 accepts them:
 * a checksum that does not sum to zero, a file longer than vbt_size, and a
 * block that runs past the end of the BDB (i915's find_raw_section() stops
 * there; so do we, recording a warning) unless it is the block we need.
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-vbt.h"

struct _IgdVbt {
    GBytes *bytes;        /* trimmed to vbt_size */
    char *signature;
    guint16 version;
    guint16 bdb_version;
    gsize size;
    gboolean checksum_ok;
    gboolean int_crt;
    GPtrArray *outputs;   /* IgdVbtOutput* */
    char *warning;
};

static void
igd_vbt_output_free(IgdVbtOutput *out)
{
    g_free(out->port);
    g_free(out->type);
    g_free(out);
}

void
igd_vbt_free(IgdVbt *vbt)
{
    if (vbt == NULL)
        return;
    g_clear_pointer(&vbt->bytes, g_bytes_unref);
    g_free(vbt->signature);
    g_clear_pointer(&vbt->outputs, g_ptr_array_unref);
    g_free(vbt->warning);
    g_free(vbt);
}

gboolean
igd_vbt_looks_valid(const guint8 *data, gsize len)
{
    gsize vbt_size;

    if (data == NULL || !igd_range_ok(len, 0, IGD_VBT_HEADER_MIN))
        return FALSE;
    if (memcmp(data, IGD_VBT_SIGNATURE, strlen(IGD_VBT_SIGNATURE)) != 0)
        return FALSE;
    vbt_size = igd_le16(data + IGD_VBT_VBT_SIZE_OFFSET);
    return vbt_size >= IGD_VBT_HEADER_MIN && vbt_size <= len;
}

gsize
igd_vbt_peek_size(const guint8 *data)
{
    return igd_le16(data + IGD_VBT_VBT_SIZE_OFFSET);
}

void
igd_vbt_fix_checksum(guint8 *data, gsize size)
{
    guint8 sum = 0;

    g_return_if_fail(size > IGD_VBT_CHECKSUM_OFFSET);
    data[IGD_VBT_CHECKSUM_OFFSET] = 0;
    for (gsize i = 0; i < size; i++)
        sum += data[i];
    data[IGD_VBT_CHECKSUM_OFFSET] = (guint8)(0x100 - sum);
}

const char *
igd_vbt_type_from_device_type(guint16 dt)
{
    /* Order follows i915's intel_bios_encoder_supports_*(): DSI, then DP
     * (eDP when on an internal connector), then TMDS (HDMI unless
     * NOT_HDMI), LVDS, analog. A DP++ (dual-mode) port is reported "dp". */
    if (dt & IGD_DEVICE_TYPE_MIPI_OUTPUT)
        return "dsi";
    if (dt & IGD_DEVICE_TYPE_DISPLAYPORT_OUTPUT)
        return (dt & IGD_DEVICE_TYPE_INTERNAL_CONNECTOR) ? "edp" : "dp";
    if (dt & IGD_DEVICE_TYPE_TMDS_DVI_SIGNALING)
        return (dt & IGD_DEVICE_TYPE_NOT_HDMI_OUTPUT) ? "dvi" : "hdmi";
    if (dt & IGD_DEVICE_TYPE_LVDS_SIGNALING)
        return "lvds";
    if (dt & IGD_DEVICE_TYPE_ANALOG_OUTPUT)
        return "analog";
    return "unknown";
}

/* DVO_PORT_* (intel_vbt_defs.h, BDB 155+) → the port letter, or 0 for LVDS/TV/CRT. */
static const struct {
    guint8 dvo_port;
    char letter;
    const char *fixed; /* name when the port has no letter */
} dvo_ports[] = {
    { 0, 'A', NULL },  /* DVO_PORT_HDMIA */
    { 1, 'B', NULL },  /* DVO_PORT_HDMIB */
    { 2, 'C', NULL },  /* DVO_PORT_HDMIC */
    { 3, 'D', NULL },  /* DVO_PORT_HDMID */
    { 4, 0, "LVDS" },  /* DVO_PORT_LVDS */
    { 5, 0, "TV" },    /* DVO_PORT_TV */
    { 6, 0, "VGA" },   /* DVO_PORT_CRT */
    { 7, 'B', NULL },  /* DVO_PORT_DPB */
    { 8, 'C', NULL },  /* DVO_PORT_DPC */
    { 9, 'D', NULL },  /* DVO_PORT_DPD */
    { 10, 'A', NULL }, /* DVO_PORT_DPA */
    { 11, 'E', NULL }, /* DVO_PORT_DPE */
    { 12, 'E', NULL }, /* DVO_PORT_HDMIE */
    { 13, 'F', NULL }, /* DVO_PORT_DPF */
    { 14, 'F', NULL }, /* DVO_PORT_HDMIF */
    { 15, 'G', NULL }, /* DVO_PORT_DPG */
    { 16, 'G', NULL }, /* DVO_PORT_HDMIG */
    { 17, 'H', NULL }, /* DVO_PORT_DPH */
    { 18, 'H', NULL }, /* DVO_PORT_HDMIH */
    { 19, 'I', NULL }, /* DVO_PORT_DPI */
    { 20, 'I', NULL }, /* DVO_PORT_HDMII */
    { 21, 'A', NULL }, /* DVO_PORT_MIPIA */
    { 22, 'B', NULL }, /* DVO_PORT_MIPIB */
    { 23, 'C', NULL }, /* DVO_PORT_MIPIC */
    { 24, 'D', NULL }, /* DVO_PORT_MIPID */
};

static const struct {
    const char *type;
    const char *prefix;
} type_prefixes[] = {
    { "hdmi", "HDMI" }, { "dp", "DP" }, { "edp", "eDP" }, { "dvi", "DVI" },
    { "dsi", "DSI" }, { "lvds", "LVDS" }, { "analog", "VGA" }, { "unknown", "DVO" },
};

static char *
port_name(const char *type, guint8 dvo_port)
{
    const char *prefix = "DVO";

    for (guint i = 0; i < G_N_ELEMENTS(type_prefixes); i++) {
        if (g_str_equal(type_prefixes[i].type, type))
            prefix = type_prefixes[i].prefix;
    }
    for (guint i = 0; i < G_N_ELEMENTS(dvo_ports); i++) {
        if (dvo_ports[i].dvo_port != dvo_port)
            continue;
        if (dvo_ports[i].fixed != NULL)
            return g_strdup(dvo_ports[i].fixed);
        return g_strdup_printf("%s-%c", prefix, dvo_ports[i].letter);
    }
    return g_strdup_printf("%s-port%u", prefix, dvo_port);
}

static char *
clean_signature(const guint8 *p)
{
    char buf[IGD_VBT_SIGNATURE_LEN + 1];
    gsize n = IGD_VBT_SIGNATURE_LEN;

    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\0'))
        n--;
    for (gsize i = 0; i < n; i++)
        buf[i] = g_ascii_isprint(p[i]) ? (char)p[i] : '?';
    buf[n] = '\0';
    return g_strdup(buf);
}

/* Child devices of block 2 at @data (@size bytes of block data). */
static gboolean
parse_general_definitions(IgdVbt *vbt, const guint8 *data, gsize size, gsize where, GError **error)
{
    guint child_size;
    gsize n;

    if (size < IGD_BDB_GENDEFS_CHILDREN_OFFSET) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "block 2 (general definitions) at 0x%zx: size %zu smaller than its %u-byte header",
                    where, size, IGD_BDB_GENDEFS_CHILDREN_OFFSET);
        return FALSE;
    }
    child_size = data[IGD_BDB_GENDEFS_CHILD_DEV_SIZE_OFFSET];
    if (child_size < IGD_CHILD_LEGACY_SIZE) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "block 2 (general definitions) at 0x%zx: child_dev_size %u smaller than %u",
                    where, child_size, IGD_CHILD_LEGACY_SIZE);
        return FALSE;
    }
    /* As i915: whole entries only; the table is (block size - header) / child_dev_size. */
    n = (size - IGD_BDB_GENDEFS_CHILDREN_OFFSET) / child_size;
    for (gsize i = 0; i < n; i++) {
        gsize off = IGD_BDB_GENDEFS_CHILDREN_OFFSET + i * child_size;
        IgdVbtOutput *out;
        guint16 dt;

        /* The loop bound keeps the entry inside the block; say so for the reader. */
        g_assert(igd_range_ok(size, off, child_size));
        dt = igd_le16(data + off + IGD_CHILD_DEVICE_TYPE_OFFSET);
        if (dt == 0)
            continue;
        out = g_new0(IgdVbtOutput, 1);
        out->device_type = dt;
        out->dvo_port = data[off + IGD_CHILD_DVO_PORT_OFFSET];
        out->type = g_strdup(igd_vbt_type_from_device_type(dt));
        out->port = port_name(out->type, out->dvo_port);
        out->analog = (dt & IGD_DEVICE_TYPE_ANALOG_OUTPUT) != 0;
        g_ptr_array_add(vbt->outputs, out);
    }
    return TRUE;
}

IgdVbt *
igd_vbt_parse(GBytes *data, GError **error)
{
    g_autoptr(IgdVbt) vbt = NULL;
    const guint8 *p;
    gsize len, vbt_size, header_size, bdb, bdb_hsize, bdb_size, bdb_end, pos;
    guint8 sum = 0;
    gboolean have_defs = FALSE;

    g_return_val_if_fail(data != NULL, NULL);
    p = g_bytes_get_data(data, &len);

    if (!igd_range_ok(len, 0, IGD_VBT_HEADER_MIN)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "VBT truncated: %zu bytes, the header needs %u", len, IGD_VBT_HEADER_MIN);
        return NULL;
    }
    if (memcmp(p, IGD_VBT_SIGNATURE, strlen(IGD_VBT_SIGNATURE)) != 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "VBT signature is not '%s'", IGD_VBT_SIGNATURE);
        return NULL;
    }
    vbt_size = igd_le16(p + IGD_VBT_VBT_SIZE_OFFSET);
    header_size = igd_le16(p + IGD_VBT_HEADER_SIZE_OFFSET);
    if (vbt_size > len) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "VBT vbt_size %zu larger than the %zu bytes given", vbt_size, len);
        return NULL;
    }
    if (header_size < IGD_VBT_HEADER_MIN || header_size > vbt_size) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "VBT header_size %zu outside %u..vbt_size %zu", header_size, IGD_VBT_HEADER_MIN, vbt_size);
        return NULL;
    }

    /* BDB header, inside vbt_size (i915 intel_bios_is_valid_vbt()). */
    bdb = igd_le32(p + IGD_VBT_BDB_OFFSET_OFFSET);
    if (!igd_range_ok(vbt_size, bdb, IGD_BDB_HEADER_MIN)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "VBT bdb_offset 0x%zx: BDB header past vbt_size %zu", bdb, vbt_size);
        return NULL;
    }
    if (memcmp(p + bdb, IGD_BDB_SIGNATURE, IGD_BDB_SIGNATURE_LEN) != 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "BDB signature at bdb_offset 0x%zx is not '%s'", bdb, IGD_BDB_SIGNATURE);
        return NULL;
    }
    bdb_hsize = igd_le16(p + bdb + IGD_BDB_HEADER_SIZE_OFFSET);
    bdb_size = igd_le16(p + bdb + IGD_BDB_BDB_SIZE_OFFSET);
    if (!igd_range_ok(vbt_size, bdb, bdb_size)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "BDB bdb_size %zu at 0x%zx runs past vbt_size %zu", bdb_size, bdb, vbt_size);
        return NULL;
    }
    if (bdb_hsize < IGD_BDB_HEADER_MIN || bdb_hsize > bdb_size) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "BDB header_size %zu outside %u..bdb_size %zu", bdb_hsize, IGD_BDB_HEADER_MIN, bdb_size);
        return NULL;
    }

    vbt = g_new0(IgdVbt, 1);
    vbt->bytes = g_bytes_new(p, vbt_size);
    vbt->signature = clean_signature(p);
    vbt->version = igd_le16(p + IGD_VBT_VERSION_OFFSET);
    vbt->bdb_version = igd_le16(p + bdb + IGD_BDB_VERSION_OFFSET);
    vbt->size = vbt_size;
    vbt->outputs = g_ptr_array_new_with_free_func((GDestroyNotify)igd_vbt_output_free);
    for (gsize i = 0; i < vbt_size; i++)
        sum += p[i];
    vbt->checksum_ok = sum == 0;

    /* Blocks, as i915's find_raw_section() walks them. */
    bdb_end = bdb + bdb_size;
    pos = bdb + bdb_hsize;
    while (igd_range_ok(bdb_end, pos, IGD_BDB_BLOCK_HEADER + 1)) {
        guint8 id = p[pos];
        gsize size = igd_le16(p + pos + 1);
        gsize start = pos + IGD_BDB_BLOCK_HEADER;

        /* MIPI sequence v3+: the real size is a u32 after the version byte. */
        if (id == IGD_BDB_MIPI_SEQUENCE && p[start] >= 3 && igd_range_ok(bdb_end, start + 1, 4))
            size = igd_le32(p + start + 1);
        if (!igd_range_ok(bdb_end, start, size)) {
            if (id == IGD_BDB_GENERAL_DEFINITIONS) {
                g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                            "block 2 (general definitions) at offset 0x%zx: size %zu runs past the end of the BDB at 0x%zx",
                            pos, size, bdb_end);
                return NULL;
            }
            vbt->warning = g_strdup_printf("block %u at offset 0x%zx: size %zu runs past the end of the BDB at 0x%zx; "
                                           "later blocks ignored", id, pos, size, bdb_end);
            break;
        }
        if (id == IGD_BDB_GENERAL_FEATURES && size > IGD_BDB_FEATURES_INT_CRT_OFFSET)
            vbt->int_crt = (p[start + IGD_BDB_FEATURES_INT_CRT_OFFSET] & IGD_BDB_FEATURES_INT_CRT_BIT) != 0;
        if (id == IGD_BDB_GENERAL_DEFINITIONS && !have_defs) {
            if (!parse_general_definitions(vbt, p + start, size, pos, error))
                return NULL;
            have_defs = TRUE;
        }
        pos = start + size;
    }
    return g_steal_pointer(&vbt);
}

const char *
igd_vbt_get_signature(const IgdVbt *vbt)
{
    return vbt->signature;
}

guint16
igd_vbt_get_version(const IgdVbt *vbt)
{
    return vbt->version;
}

guint16
igd_vbt_get_bdb_version(const IgdVbt *vbt)
{
    return vbt->bdb_version;
}

gsize
igd_vbt_get_size(const IgdVbt *vbt)
{
    return vbt->size;
}

GBytes *
igd_vbt_get_bytes(const IgdVbt *vbt)
{
    return g_bytes_ref(vbt->bytes);
}

gboolean
igd_vbt_checksum_ok(const IgdVbt *vbt)
{
    return vbt->checksum_ok;
}

GPtrArray *
igd_vbt_get_outputs(const IgdVbt *vbt)
{
    return vbt->outputs;
}

gboolean
igd_vbt_get_int_crt_support(const IgdVbt *vbt)
{
    return vbt->int_crt;
}

gboolean
igd_vbt_has_analog(const IgdVbt *vbt)
{
    if (vbt->int_crt)
        return TRUE;
    for (guint i = 0; i < vbt->outputs->len; i++) {
        const IgdVbtOutput *out = g_ptr_array_index(vbt->outputs, i);
        if (out->analog)
            return TRUE;
    }
    return FALSE;
}

const char *
igd_vbt_get_warning(const IgdVbt *vbt)
{
    return vbt->warning;
}
