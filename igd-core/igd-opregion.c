/*
 * igd-opregion.c: OpRegion parser and the builder that splices a VBT in
 * (see igd-opregion.h for the layout and the 2.0/2.1 RVDA rules).
 *
 * How the VBT is found follows i915's intel_opregion_setup(): with version
 * 2.0+ and mailbox 3 (ASLE), a non-zero RVDA and RVDS name an extended VBT
 * (relative to the OpRegion for 2.1+, a physical address for 2.0); an
 * extended VBT that is not a VBT falls back to mailbox 4; mailbox 4 holds a
 * VBT of at most 0x1800 bytes when mailbox 5 (ASLE_EXT) is present, else
 * 0x1C00. Bounds problems (RVDA/RVDS outside the bytes, overflowing, inside
 * the OpRegion itself) are errors; checksums are not.
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-opregion.h"
#include "igd-vbt.h"

struct _IgdOpRegion {
    GBytes *bytes;
    guint8 major, minor;
    gsize size;
    guint32 mbox;
    guint64 rvda;
    guint32 rvds;
    IgdOpRegionVbtLocation location;
    gboolean extended;
    gsize vbt_offset, vbt_len;
};

void
igd_opregion_free(IgdOpRegion *op)
{
    if (op == NULL)
        return;
    g_clear_pointer(&op->bytes, g_bytes_unref);
    g_free(op);
}

static gsize
mailbox4_room(guint32 mbox)
{
    return (mbox & IGD_OPREGION_MBOX_ASLE_EXT) ? IGD_OPREGION_VBT_ROOM_MBOX5 : IGD_OPREGION_VBT_ROOM_NO_MBOX5;
}

static gboolean
uses_relative_rvda(guint8 major, guint8 minor)
{
    return major > 2 || (major == 2 && minor >= 1);
}

/* Locate an extended VBT; FALSE only on a bounds error. */
static gboolean
find_extended_vbt(IgdOpRegion *op, const guint8 *p, gsize len, gboolean have_asls, guint64 asls, GError **error)
{
    guint64 off;

    if (op->rvda > G_MAXUINT64 - op->rvds) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "OpRegion RVDA 0x%" G_GINT64_MODIFIER "x + RVDS 0x%x overflows", op->rvda, op->rvds);
        return FALSE;
    }
    op->extended = TRUE;
    if (uses_relative_rvda(op->major, op->minor)) {
        if (op->rvda < IGD_OPREGION_SIZE) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                        "OpRegion %u.%u RVDA 0x%" G_GINT64_MODIFIER "x points inside the 8 KiB OpRegion",
                        op->major, op->minor, op->rvda);
            return FALSE;
        }
        off = op->rvda;
    } else {
        /* 2.0: a physical address. Only resolvable against our own address. */
        if (!have_asls) {
            op->location = IGD_OPREGION_VBT_UNREACHABLE;
            return TRUE;
        }
        /* [asls, asls + 8 KiB) may end past 2^64: then it reaches the top of the space. */
        if ((asls > G_MAXUINT64 - IGD_OPREGION_SIZE || op->rvda < asls + IGD_OPREGION_SIZE) &&
            op->rvda + op->rvds > asls) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                        "OpRegion 2.0 RVDA 0x%" G_GINT64_MODIFIER "x RVDS 0x%x overlaps the OpRegion at ASLS 0x%"
                        G_GINT64_MODIFIER "x", op->rvda, op->rvds, asls);
            return FALSE;
        }
        if (op->rvda < asls || !igd_range_ok(len, op->rvda - asls, op->rvds)) {
            /* Elsewhere in physical memory: legitimate for 2.0, just not in these bytes. */
            op->location = IGD_OPREGION_VBT_UNREACHABLE;
            return TRUE;
        }
        off = op->rvda - asls;
    }
    if (off > len || !igd_range_ok(len, (gsize)off, op->rvds)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "OpRegion RVDA 0x%" G_GINT64_MODIFIER "x RVDS 0x%x: extended VBT past the end of the %zu bytes given",
                    op->rvda, op->rvds, len);
        return FALSE;
    }
    if (igd_vbt_looks_valid(p + off, op->rvds)) {
        op->location = IGD_OPREGION_VBT_EXTENDED;
        op->vbt_offset = (gsize)off;
        op->vbt_len = igd_vbt_peek_size(p + off);
    } else {
        /* As i915: an invalid extended VBT falls back to mailbox 4. */
        op->extended = FALSE;
    }
    return TRUE;
}

static IgdOpRegion *
parse(GBytes *data, gboolean have_asls, guint64 asls, GError **error)
{
    g_autoptr(IgdOpRegion) op = NULL;
    const guint8 *p;
    gsize len;
    guint64 size_kib;

    g_return_val_if_fail(data != NULL, NULL);
    p = g_bytes_get_data(data, &len);

    if (!igd_range_ok(len, 0, IGD_OPREGION_SIZE)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "OpRegion truncated: %zu bytes, needs %u", len, IGD_OPREGION_SIZE);
        return NULL;
    }
    if (memcmp(p + IGD_OPREGION_SIGNATURE_OFFSET, IGD_OPREGION_SIGNATURE, IGD_OPREGION_SIGNATURE_LEN) != 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "OpRegion signature is not '%s'", IGD_OPREGION_SIGNATURE);
        return NULL;
    }
    size_kib = igd_le32(p + IGD_OPREGION_SIZE_OFFSET);
    if (size_kib * 1024 < IGD_OPREGION_SIZE) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "OpRegion size %" G_GUINT64_FORMAT " KiB smaller than 8 KiB", size_kib);
        return NULL;
    }
    if (size_kib * 1024 > len) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "OpRegion size %" G_GUINT64_FORMAT " KiB larger than the %zu bytes given", size_kib, len);
        return NULL;
    }

    op = g_new0(IgdOpRegion, 1);
    op->bytes = g_bytes_ref(data);
    op->size = size_kib * 1024;
    op->major = p[IGD_OPREGION_VERSION_MAJOR];
    op->minor = p[IGD_OPREGION_VERSION_MINOR];
    op->mbox = igd_le32(p + IGD_OPREGION_MBOX_OFFSET);
    op->location = IGD_OPREGION_VBT_NONE;

    if (op->major >= 2 && (op->mbox & IGD_OPREGION_MBOX_ASLE)) {
        op->rvda = igd_le64(p + IGD_OPREGION_RVDA_OFFSET);
        op->rvds = igd_le32(p + IGD_OPREGION_RVDS_OFFSET);
        if (op->rvda != 0 && op->rvds != 0 && !find_extended_vbt(op, p, len, have_asls, asls, error))
            return NULL;
    }
    if (op->location == IGD_OPREGION_VBT_NONE) {
        const guint8 *mb4 = p + IGD_OPREGION_VBT_OFFSET;
        gsize room = mailbox4_room(op->mbox);

        G_STATIC_ASSERT(IGD_OPREGION_VBT_OFFSET + IGD_OPREGION_VBT_ROOM_NO_MBOX5 <= IGD_OPREGION_SIZE);
        if (igd_vbt_looks_valid(mb4, room)) {
            op->location = IGD_OPREGION_VBT_MAILBOX;
            op->vbt_offset = IGD_OPREGION_VBT_OFFSET;
            op->vbt_len = igd_vbt_peek_size(mb4);
        }
    }
    return g_steal_pointer(&op);
}

IgdOpRegion *
igd_opregion_parse(GBytes *data, GError **error)
{
    return parse(data, FALSE, 0, error);
}

IgdOpRegion *
igd_opregion_parse_at(GBytes *data, guint64 asls, GError **error)
{
    return parse(data, TRUE, asls, error);
}

guint8
igd_opregion_get_version_major(const IgdOpRegion *op)
{
    return op->major;
}

guint8
igd_opregion_get_version_minor(const IgdOpRegion *op)
{
    return op->minor;
}

gsize
igd_opregion_get_size(const IgdOpRegion *op)
{
    return op->size;
}

guint32
igd_opregion_get_mailboxes(const IgdOpRegion *op)
{
    return op->mbox;
}

guint64
igd_opregion_get_rvda(const IgdOpRegion *op)
{
    return op->rvda;
}

guint32
igd_opregion_get_rvds(const IgdOpRegion *op)
{
    return op->rvds;
}

IgdOpRegionVbtLocation
igd_opregion_get_vbt_location(const IgdOpRegion *op)
{
    return op->location;
}

gsize
igd_opregion_get_vbt_offset(const IgdOpRegion *op)
{
    return op->vbt_offset;
}

GBytes *
igd_opregion_get_vbt(const IgdOpRegion *op)
{
    if (op->location != IGD_OPREGION_VBT_MAILBOX && op->location != IGD_OPREGION_VBT_EXTENDED)
        return NULL;
    return g_bytes_new_from_bytes(op->bytes, op->vbt_offset, op->vbt_len);
}

gboolean
igd_opregion_vbt_is_extended(const IgdOpRegion *op)
{
    return op->extended;
}

GBytes *
igd_opregion_get_bytes(const IgdOpRegion *op)
{
    return g_bytes_ref(op->bytes);
}

GBytes *
igd_opregion_splice_vbt(GBytes *opregion, GBytes *vbt, IgdOpRegionExtLayout layout, guint64 base, GError **error)
{
    g_autoptr(IgdOpRegion) op = NULL;
    g_autoptr(IgdVbt) v = NULL;
    const guint8 *src, *vsrc;
    g_autofree guint8 *out = NULL;
    gsize vsize, room, out_len;
    gboolean extended;

    g_return_val_if_fail(opregion != NULL && vbt != NULL, NULL);

    op = igd_opregion_parse(opregion, error);
    if (op == NULL)
        return NULL;
    v = igd_vbt_parse(vbt, error);
    if (v == NULL) {
        g_prefix_error(error, "VBT to splice: ");
        return NULL;
    }
    vsize = igd_vbt_get_size(v);
    if (vsize > IGD_OPREGION_VBT_MAX) {
        /* Cannot happen with a u16 vbt_size; kept so a wider field cannot slip through. */
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "VBT to splice: vbt_size %zu too large", vsize);
        return NULL;
    }
    room = mailbox4_room(op->mbox);
    extended = vsize > room;
    if (extended && !(op->mbox & IGD_OPREGION_MBOX_ASLE)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED,
                    "OpRegion has no mailbox 3 (ASLE, MBOX 0x%x) for the RVDA/RVDS of a %zu-byte VBT", op->mbox, vsize);
        return NULL;
    }
    if (extended && layout == IGD_OPREGION_EXT_ABSOLUTE && base > G_MAXUINT64 - IGD_OPREGION_SIZE) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE,
                    "OpRegion base 0x%" G_GINT64_MODIFIER "x + 0x%x overflows RVDA", base, IGD_OPREGION_SIZE);
        return NULL;
    }

    src = g_bytes_get_data(opregion, NULL);
    vsrc = g_bytes_get_data(vbt, NULL);
    out_len = IGD_OPREGION_SIZE + (extended ? vsize : 0);
    out = g_malloc0(out_len);
    memcpy(out, src, IGD_OPREGION_SIZE);
    /* Only the 8 KiB OpRegion proper is kept (what Linux maps at ASLS). */
    igd_put_le32(out + IGD_OPREGION_SIZE_OFFSET, IGD_OPREGION_SIZE / 1024);
    memset(out + IGD_OPREGION_VBT_OFFSET, 0, room);

    if (!extended) {
        memcpy(out + IGD_OPREGION_VBT_OFFSET, vsrc, vsize);
        igd_vbt_fix_checksum(out + IGD_OPREGION_VBT_OFFSET, vsize);
        if (op->mbox & IGD_OPREGION_MBOX_ASLE) {
            igd_put_le64(out + IGD_OPREGION_RVDA_OFFSET, 0);
            igd_put_le32(out + IGD_OPREGION_RVDS_OFFSET, 0);
        }
    } else {
        memcpy(out + IGD_OPREGION_SIZE, vsrc, vsize);
        igd_vbt_fix_checksum(out + IGD_OPREGION_SIZE, vsize);
        igd_put_le32(out + IGD_OPREGION_RVDS_OFFSET, (guint32)vsize);
        if (layout == IGD_OPREGION_EXT_RELATIVE) {
            igd_put_le64(out + IGD_OPREGION_RVDA_OFFSET, IGD_OPREGION_SIZE);
            if (!uses_relative_rvda(op->major, op->minor)) {
                out[IGD_OPREGION_VERSION_MAJOR] = 2;
                out[IGD_OPREGION_VERSION_MINOR] = 1;
            }
        } else {
            igd_put_le64(out + IGD_OPREGION_RVDA_OFFSET, base + IGD_OPREGION_SIZE);
            out[IGD_OPREGION_VERSION_MAJOR] = 2;
            out[IGD_OPREGION_VERSION_MINOR] = 0;
        }
    }
    return g_bytes_new_take(g_steal_pointer(&out), out_len);
}
