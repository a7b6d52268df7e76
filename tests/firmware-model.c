/*
 * firmware-model.c: SeaBIOS intel_igd_setup() and OVMF IgdAssignmentDxe as
 * consumers of etc/igd-opregion / etc/igd-bdsm-size (see firmware-model.h
 * for the sources and revisions).
 */
#include "config.h"

#include "firmware-model.h"

#include <string.h>

#include "igd-common.h"

#define PAGE_SIZE 4096u
#define SIZE_1MB (1u << 20)
#define BASE_4GB (G_GUINT64_CONSTANT(1) << 32)

#define CFG_VENDOR 0x00
#define CFG_DEVICE 0x02
#define CFG_CLASS_PROG 0x09 /* ClassCode[0] */
#define CFG_CLASS_SUB 0x0a  /* ClassCode[1] */
#define CFG_CLASS_BASE 0x0b /* ClassCode[2] */
#define CFG_BDSM 0x5c       /* ASSIGNED_IGD_PCI_BDSM_OFFSET, SeaBIOS "0x5C" */
#define CFG_BDSM64 0xc0     /* ASSIGNED_IGD_PCI_BDSM64_OFFSET */
#define CFG_ASLS 0xfc       /* ASSIGNED_IGD_PCI_ASLS_OFFSET, SeaBIOS "0xFC" */

typedef struct {
    guint64 top; /* next allocation ends here */
} Allocator;

/* A top-down allocation of @size bytes aligned to @align below the current top; 0 when it does not fit. */
static guint64
alloc_high(Allocator *a, guint64 size, guint64 align)
{
    guint64 addr;

    if (size == 0 || size > a->top)
        return 0;
    addr = (a->top - size) & ~(align - 1);
    if (addr == 0)
        return 0;
    a->top = addr;
    return addr;
}

void
igd_fw_result_clear(IgdFwResult *r)
{
    g_clear_pointer(&r->error, g_free);
    g_clear_pointer(&r->opregion_mem, g_bytes_unref);
    memset(r, 0, sizeof(*r));
}

/*
 * SeaBIOS romfile_loadint("etc/igd-bdsm-size", 0): a file whose size is
 * 0, more than 8 or not a power of two "doesn't look like a valid integer"
 * and gives the default; otherwise its bytes as a little-endian u64.
 */
static guint64
seabios_loadint(GBytes *file, guint64 defval)
{
    gsize size;
    const guint8 *p;
    guint64 v = 0;

    if (file == NULL)
        return defval;
    p = g_bytes_get_data(file, &size);
    if (size == 0 || size > 8 || (size & (size - 1)) != 0)
        return defval;
    for (gsize i = 0; i < size; i++)
        v |= (guint64)p[i] << (8 * i);
    return v;
}

/*
 * SeaBIOS: pci_device_tbl has PCI_DEVICE_CLASS(PCI_VENDOR_ID_INTEL,
 * PCI_ANY_ID, PCI_CLASS_DISPLAY_VGA, intel_igd_setup): any Intel function
 * of class 0x0300. The OpRegion goes to memalign_high(PAGE_SIZE, size) and
 * its address to 0xFC; a non-zero bdsm size, only for 00:02.0, to
 * memalign_tmphigh(1 MiB, size), e820 E820_RESERVED, address to 0x5C (32
 * bit, whatever the generation).
 */
static void
seabios_run(const IgdFwGuest *g, IgdFwResult *out)
{
    Allocator a = { g->ram_top };
    guint16 vendor = igd_le16(g->config + CFG_VENDOR);
    guint16 class = (guint16)(g->config[CFG_CLASS_BASE] << 8 | g->config[CFG_CLASS_SUB]);
    guint64 bdsm_size = seabios_loadint(g->bdsm_size, 0);

    out->loaded = TRUE;
    if (vendor != 0x8086 || class != 0x0300)
        return;
    if (g->opregion && g_bytes_get_size(g->opregion)) {
        gsize size = g_bytes_get_size(g->opregion);
        guint64 addr = alloc_high(&a, size, PAGE_SIZE);
        if (addr == 0)
            return; /* warn_noalloc() */
        out->opregion_set = TRUE;
        out->opregion_addr = addr;
        out->opregion_mem = g_bytes_ref(g->opregion);
        igd_put_le32(out->config + CFG_ASLS, (guint32)addr);
    }
    if (bdsm_size && g->bus == 0 && g->slot == 2 && g->function == 0) {
        guint64 addr = alloc_high(&a, bdsm_size, SIZE_1MB);
        if (addr == 0)
            return; /* warn_noalloc() */
        out->bdsm_set = TRUE;
        out->bdsm_offset = CFG_BDSM;
        out->bdsm_addr = addr;
        out->bdsm_reserved = bdsm_size;
        igd_put_le32(out->config + CFG_BDSM, (guint32)addr);
    }
}

gint
igd_fw_ovmf_generation(guint16 device_id)
{
    static const struct { guint16 prefix; gint8 gen; } table[] = {
        { 0x0100, 6 },
        { 0x0400, 7 }, { 0x0a00, 7 }, { 0x0c00, 7 }, { 0x0d00, 7 }, { 0x0f00, 7 },
        { 0x1600, 8 }, { 0x2200, 8 },
        { 0x1900, 9 }, { 0x3100, 9 }, { 0x5900, 9 }, { 0x3e00, 9 }, { 0x9b00, 9 },
        { 0x8a00, 11 }, { 0x4500, 11 }, { 0x4e00, 11 },
        { 0x9a00, 12 }, { 0x4c00, 12 }, { 0x4600, 12 }, { 0xa700, 12 },
    };

    /* Broxton/Apollo Lake first: 0x0a84, 0x1a84, 0x1a85, 0x5a84, 0x5a85 */
    if ((device_id & 0xffe) == 0xa84)
        return 9;
    for (guint i = 0; i < G_N_ELEMENTS(table); i++)
        if (table[i].prefix == (device_id & 0xff00))
            return table[i].gen;
    return -1;
}

/*
 * Allocate32BitAlignedPagesWithType(): NumberOfPages + AlignmentInPages - 1
 * pages below 4 GiB (top-down), the start rounded up to the alignment, the
 * slack freed.
 */
static guint64
ovmf_alloc(Allocator *a, guint64 pages, guint64 align_pages)
{
    guint64 bytes = (pages + align_pages - 1) * PAGE_SIZE;
    guint64 page_aligned, fully;

    if (bytes > a->top)
        return 0;
    page_aligned = (a->top - bytes) & ~(guint64)(PAGE_SIZE - 1);
    fully = (page_aligned + align_pages * PAGE_SIZE - 1) & ~(align_pages * PAGE_SIZE - 1);
    if (page_aligned == 0)
        return 0;
    a->top = page_aligned;
    return fully;
}

/*
 * OVMF IgdAssignmentEntry(): no etc/igd-opregion and no etc/igd-bdsm-size
 * → EFI_UNSUPPORTED (nothing assigned); an OpRegion of size 0, a
 * bdsm-size file that is not 8 bytes, or a bdsm size of 0 →
 * EFI_PROTOCOL_ERROR (the driver does nothing at all). PciIoNotify(): vendor
 * 0x8086, class 03 00 00 exactly, a generation GetIgdGeneration() knows;
 * OpRegion in EfiACPIMemoryNVS pages (4 KiB aligned, the page tail zeroed),
 * ASLS; at 00:02.0 only, stolen memory of EFI_SIZE_TO_PAGES(size) pages,
 * 1 MiB aligned (ASSIGNED_IGD_BDSM_ALIGN), zeroed, BDSM 32-bit at 0x5C for
 * gen < 11, 64-bit at 0xC0 otherwise.
 */
static void
ovmf_run(const IgdFwGuest *g, IgdFwResult *out)
{
    Allocator a = { g->ram_top };
    gsize op_size = g->opregion ? g_bytes_get_size(g->opregion) : 0;
    guint64 bdsm_size = 0;
    guint16 vendor = igd_le16(g->config + CFG_VENDOR);

    if (g->opregion == NULL && g->bdsm_size == NULL)
        return; /* EFI_UNSUPPORTED */
    if (g->opregion != NULL && op_size == 0) {
        out->error = g_strdup("etc/igd-opregion: zero size");
        return;
    }
    if (g->bdsm_size != NULL) {
        if (g_bytes_get_size(g->bdsm_size) != 8) {
            out->error = g_strdup_printf("etc/igd-bdsm-size: invalid fw_cfg size: %" G_GSIZE_FORMAT,
                                         g_bytes_get_size(g->bdsm_size));
            return;
        }
        bdsm_size = igd_le64(g_bytes_get_data(g->bdsm_size, NULL));
        if (bdsm_size == 0) {
            out->error = g_strdup("etc/igd-bdsm-size: invalid value: 0");
            return;
        }
    }
    out->loaded = TRUE;

    if (vendor != 0x8086 || g->config[CFG_CLASS_BASE] != 0x03 || g->config[CFG_CLASS_SUB] != 0x00 ||
        g->config[CFG_CLASS_PROG] != 0x00)
        return;
    out->ovmf_gen = igd_fw_ovmf_generation(igd_le16(g->config + CFG_DEVICE));
    if (out->ovmf_gen == -1)
        return;
    if (op_size > 0) {
        guint64 pages = (op_size + PAGE_SIZE - 1) / PAGE_SIZE;
        guint64 addr = ovmf_alloc(&a, pages, 1);
        if (addr != 0) {
            guint8 *mem = g_malloc0(pages * PAGE_SIZE);
            memcpy(mem, g_bytes_get_data(g->opregion, NULL), op_size);
            out->opregion_mem = g_bytes_new_take(mem, pages * PAGE_SIZE);
            out->opregion_set = TRUE;
            out->opregion_addr = addr;
            igd_put_le32(out->config + CFG_ASLS, (guint32)addr);
        }
    }
    if (g->bus != 0 || g->slot != 2 || g->function != 0)
        return;
    if (bdsm_size > 0) {
        guint64 pages = (bdsm_size + PAGE_SIZE - 1) / PAGE_SIZE;
        guint64 addr = ovmf_alloc(&a, pages, SIZE_1MB / PAGE_SIZE);
        if (addr == 0)
            return;
        out->bdsm_set = TRUE;
        out->bdsm_addr = addr;
        out->bdsm_reserved = pages * PAGE_SIZE;
        if (out->ovmf_gen < 11) {
            out->bdsm_offset = CFG_BDSM;
            igd_put_le32(out->config + CFG_BDSM, (guint32)addr);
        } else {
            out->bdsm_offset = CFG_BDSM64;
            igd_put_le64(out->config + CFG_BDSM64, addr);
        }
    }
}

void
igd_fw_run(IgdFwKind kind, const IgdFwGuest *guest, IgdFwResult *out)
{
    memset(out, 0, sizeof(*out));
    memcpy(out->config, guest->config, sizeof(out->config));
    g_assert(guest->ram_top <= BASE_4GB);
    if (kind == IGD_FW_SEABIOS)
        seabios_run(guest, out);
    else
        ovmf_run(guest, out);
}
