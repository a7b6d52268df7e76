/*
 * fuzz-opregion.c: igd_opregion_parse() and igd_opregion_parse_at() on any
 * bytes (an OpRegion comes from the host's VFIO region or a user's file).
 *
 * Properties of a parse that succeeds: the VBT it reports lies inside the
 * bytes given at the offset it reports, and splicing that VBT back into
 * the OpRegion (igd_opregion_splice_vbt(), both layouts) gives an OpRegion
 * that parses and carries the same VBT.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "igd-common.h"
#include "igd-opregion.h"
#include "igd-vbt.h"

static void
check_parsed(const IgdOpRegion *op, GBytes *data, gboolean at)
{
    gsize size = g_bytes_get_size(data);
    IgdOpRegionVbtLocation where = igd_opregion_get_vbt_location(op);
    gsize off = igd_opregion_get_vbt_offset(op);
    g_autoptr(GBytes) vbt = igd_opregion_get_vbt(op);
    g_autoptr(GBytes) all = igd_opregion_get_bytes(op);

    FUZZ_CHECK(g_bytes_equal(all, data), "get_bytes differs from the input");
    FUZZ_CHECK(size >= IGD_OPREGION_SIZE, "parsed %" G_GSIZE_FORMAT " bytes, fewer than 8 KiB", size);
    FUZZ_CHECK(igd_opregion_get_size(op) <= size, "declared size beyond the bytes given");
    if (where == IGD_OPREGION_VBT_NONE || where == IGD_OPREGION_VBT_UNREACHABLE) {
        FUZZ_CHECK(vbt == NULL && off == 0, "no VBT, but a VBT or an offset is returned");
        return;
    }
    FUZZ_CHECK(vbt != NULL, "VBT location %d without VBT bytes", where);
    if (vbt == NULL)
        return;
    FUZZ_CHECK(off < size && g_bytes_get_size(vbt) <= size - off, "VBT outside the bytes given");
    FUZZ_CHECK(memcmp(g_bytes_get_data(vbt, NULL), (const guint8 *)g_bytes_get_data(data, NULL) + off,
                      g_bytes_get_size(vbt)) == 0,
               "VBT bytes are not the input's at the offset reported");
    if (where == IGD_OPREGION_VBT_MAILBOX)
        FUZZ_CHECK(off == IGD_OPREGION_VBT_OFFSET, "mailbox VBT not at 0x400");
    if (at)
        return;

    /* splice the VBT back in: the result carries the same VBT (trimmed to vbt_size, checksum fixed) */
    for (int layout = IGD_OPREGION_EXT_RELATIVE; layout <= IGD_OPREGION_EXT_ABSOLUTE; layout++) {
        const guint64 base = 0x7b7f0000; /* a typical ASLS, below 4 GiB */
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) spliced = igd_opregion_splice_vbt(data, vbt, layout, base, &error);
        g_autoptr(IgdOpRegion) op2 = NULL;
        g_autoptr(GBytes) vbt2 = NULL;
        g_autoptr(GError) error2 = NULL;
        gsize vsize;

        if (spliced == NULL)
            continue; /* not a VBT igd-assign splices, or no mailbox 3 for an extended one */
        op2 = layout == IGD_OPREGION_EXT_ABSOLUTE ? igd_opregion_parse_at(spliced, base, &error2)
                                                  : igd_opregion_parse(spliced, &error2);
        FUZZ_CHECK(op2 != NULL, "spliced OpRegion does not parse: %s", error2 ? error2->message : "?");
        if (op2 == NULL)
            continue;
        vbt2 = igd_opregion_get_vbt(op2);
        FUZZ_CHECK(vbt2 != NULL, "spliced OpRegion has no VBT (layout %d)", layout);
        if (vbt2 == NULL)
            continue;
        vsize = igd_vbt_looks_valid(g_bytes_get_data(vbt, NULL), g_bytes_get_size(vbt))
                    ? igd_vbt_peek_size(g_bytes_get_data(vbt, NULL))
                    : g_bytes_get_size(vbt);
        FUZZ_CHECK(g_bytes_get_size(vbt2) == vsize, "spliced VBT is %" G_GSIZE_FORMAT " bytes, not %" G_GSIZE_FORMAT,
                   g_bytes_get_size(vbt2), vsize);
        /* everything but the header checksum byte is the VBT given */
        if (g_bytes_get_size(vbt2) == vsize && vsize > IGD_VBT_CHECKSUM_OFFSET) {
            const guint8 *a = g_bytes_get_data(vbt, NULL), *b = g_bytes_get_data(vbt2, NULL);
            FUZZ_CHECK(memcmp(a, b, IGD_VBT_CHECKSUM_OFFSET) == 0 &&
                           memcmp(a + IGD_VBT_CHECKSUM_OFFSET + 1, b + IGD_VBT_CHECKSUM_OFFSET + 1,
                                  vsize - IGD_VBT_CHECKSUM_OFFSET - 1) == 0,
                       "spliced VBT differs from the VBT given");
        }
        FUZZ_CHECK(g_bytes_get_size(spliced) == IGD_OPREGION_SIZE ||
                       g_bytes_get_size(spliced) == IGD_OPREGION_SIZE + vsize,
                   "spliced OpRegion is %" G_GSIZE_FORMAT " bytes", g_bytes_get_size(spliced));
    }
}

/* A 2.0 OpRegion with ASLE: its RVDA is a physical address, resolved against the ASLS. */
static gboolean
absolute_rvda(const IgdOpRegion *op)
{
    return igd_opregion_get_version_major(op) == 2 && igd_opregion_get_version_minor(op) == 0 &&
           (igd_opregion_get_mailboxes(op) & IGD_OPREGION_MBOX_ASLE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GBytes) bytes = g_bytes_new(data, size);
    g_autoptr(IgdOpRegion) op = NULL;
    g_autoptr(GError) error = NULL;
    guint64 rvda = size >= IGD_OPREGION_RVDA_OFFSET + 8 ? igd_le64(data + IGD_OPREGION_RVDA_OFFSET) : 0;
    /* the ASLS that puts a 2.0 absolute RVDA right after the 8 KiB, one that leaves it outside, and 0 */
    const guint64 asls[] = { rvda - IGD_OPREGION_SIZE, rvda, 0, G_MAXUINT64 };

    fuzz_setup();
    op = igd_opregion_parse(bytes, &error);
    FUZZ_CHECK((op == NULL) == (error != NULL), "parse: NULL without error, or error with a result");
    if (op)
        check_parsed(op, bytes, FALSE);
    for (gsize i = 0; i < G_N_ELEMENTS(asls); i++) {
        g_autoptr(IgdOpRegion) op_at = NULL;
        g_autoptr(GError) error_at = NULL;

        op_at = igd_opregion_parse_at(bytes, asls[i], &error_at);
        FUZZ_CHECK((op_at == NULL) == (error_at != NULL), "parse_at: NULL without error, or error with a result");
        /* the ASLS only matters to a 2.0 absolute RVDA (which may then overlap the OpRegion) */
        FUZZ_CHECK(op != NULL || op_at == NULL, "parse refuses, parse_at accepts");
        if (op && op_at == NULL)
            FUZZ_CHECK(absolute_rvda(op), "parse accepts a %u.%u OpRegion, parse_at refuses: %s",
                       igd_opregion_get_version_major(op), igd_opregion_get_version_minor(op), error_at->message);
        if (op_at)
            check_parsed(op_at, bytes, TRUE);
    }
    return 0;
}
