/*
 * firmware-model.c: SeaBIOS intel_igd_setup() and OVMF IgdAssignmentDxe as
 * consumers of etc/igd-opregion / etc/igd-bdsm-size (see firmware-model.h
 * for the sources and revisions).
 */
#include "config.h"

#include "firmware-model.h"

#include <string.h>

#include "igd-common.h"
#include "igd-devices.h"

#define PAGE_SIZE 4096u
#define SIZE_1MB (1u << 20)
#define SIZE_4MB (G_GUINT64_CONSTANT(4) << 20)
#define SIZE_8MB (G_GUINT64_CONSTANT(8) << 20)
#define SIZE_32MB (G_GUINT64_CONSTANT(32) << 20)
#define BASE_4GB (G_GUINT64_CONSTANT(1) << 32)

#define CFG_VENDOR 0x00
#define CFG_DEVICE 0x02
#define CFG_CLASS_PROG 0x09 /* ClassCode[0] */
#define CFG_CLASS_SUB 0x0a  /* ClassCode[1] */
#define CFG_CLASS_BASE 0x0b /* ClassCode[2] */
#define CFG_GMCH 0x50       /* SNB_GMCH_CTRL (VfioIgdPkg IgdPrivate.c) */
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
 * bit, whatever the generation: "pci_config_writel(dev->bdf, 0x5C,
 * cpu_to_le32((u32)addr));", pciinit.c line 325 at rel-1.16.2). There is no
 * 0xC0 in SeaBIOS: a gen 11+ IGD's 64-bit BDSM is never written ("BDSM
 * (pre-Gen11 device only)", QEMU docs/igd-assign.txt v10.2.0).
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

const char *
igd_fw_vfioigdpkg_private(guint16 device_id)
{
    const IgdPlatformInfo *p = igd_platform_lookup(device_id);

    if (p == NULL || p->gen == 10)
        return NULL; /* not in IgdDeviceTable (Cannon Lake included: no INTEL_CNL_IDS line) */
    if (igd_platform_has_flag(p, IGD_PLATFORM_FLAG_NO_BDSM))
        return "NullPrivate"; /* MTL, ARL, LNL, PTL, WCL, NVLS, NVLP */
    if (igd_platform_has_flag(p, IGD_PLATFORM_FLAG_CHERRYVIEW))
        return "ChvPrivate";
    if (p->gen < 8)
        return "Gen6Private"; /* SNB, IVB, HSW, VLV */
    if (p->gen == 8)
        return "Gen8Private"; /* BDW */
    if (p->gen == 9)
        return "Gen9Private"; /* SKL, BXT, KBL, CFL, WHL, CML, GLK */
    return "Gen11Private";    /* ICL, EHL, JSL, TGL, RKL, ADLS, ADLP, ADLN, RPLS, RPLU, RPLP */
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

/* SetupOpRegion(): EfiACPIMemoryNVS pages, the page tail zeroed, the address to ASLS. Both lineages. */
static void
ovmf_setup_opregion(Allocator *a, const IgdFwGuest *g, IgdFwResult *out)
{
    gsize op_size = g_bytes_get_size(g->opregion);
    guint64 pages = (op_size + PAGE_SIZE - 1) / PAGE_SIZE;
    guint64 addr = ovmf_alloc(a, pages, 1);
    guint8 *mem;

    if (addr == 0)
        return;
    mem = g_malloc0(pages * PAGE_SIZE);
    memcpy(mem, g_bytes_get_data(g->opregion, NULL), op_size);
    out->opregion_mem = g_bytes_new_take(mem, pages * PAGE_SIZE);
    out->opregion_set = TRUE;
    out->opregion_addr = addr;
    igd_put_le32(out->config + CFG_ASLS, (guint32)addr);
}

/* SetupStolenMemory(): EFI_SIZE_TO_PAGES(size) pages, 1 MiB aligned, the address to BDSM at @offset. */
static void
ovmf_setup_stolen(Allocator *a, guint64 size, guint offset, IgdFwResult *out)
{
    guint64 pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
    guint64 addr = ovmf_alloc(a, pages, SIZE_1MB / PAGE_SIZE);

    if (addr == 0)
        return;
    out->bdsm_set = TRUE;
    out->bdsm_addr = addr;
    out->bdsm_reserved = pages * PAGE_SIZE;
    out->bdsm_offset = offset;
    if (offset == CFG_BDSM)
        igd_put_le32(out->config + CFG_BDSM, (guint32)addr);
    else
        igd_put_le64(out->config + CFG_BDSM64, addr);
}

/*
 * The original IgdAssignmentDxe (VfioIgdPkg c64d051f, IgdAssignment.c):
 * IgdAssignmentEntry(): no etc/igd-opregion and no etc/igd-bdsm-size →
 * EFI_UNSUPPORTED (nothing assigned, lines 521-523); an OpRegion of size 0
 * (528-531), a bdsm-size file that is not 8 bytes ("invalid fw_cfg size",
 * 537-540) or a bdsm size of 0 ("invalid value", 545-548) →
 * EFI_PROTOCOL_ERROR: the driver does nothing at all. PciIoNotify(): vendor
 * 0x8086 and class 03 00 00 exactly, no generation check; OpRegion in
 * EfiACPIMemoryNVS pages (4 KiB aligned, the page tail zeroed), ASLS; at
 * 00:02.0 only, stolen memory of EFI_SIZE_TO_PAGES(size) pages, 1 MiB
 * aligned (ASSIGNED_IGD_BDSM_ALIGN), zeroed, its address written 32-bit to
 * ASSIGNED_IGD_PCI_BDSM_OFFSET 0x5C (lines 391-394), for every generation.
 */
static void
ovmf_original_run(const IgdFwGuest *g, IgdFwResult *out)
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
    if (op_size > 0)
        ovmf_setup_opregion(&a, g, out);
    if (g->bus != 0 || g->slot != 2 || g->function != 0)
        return;
    if (bdsm_size > 0)
        ovmf_setup_stolen(&a, bdsm_size, CFG_BDSM, out);
}

/*
 * VfioIgdPkg's IgdAssignmentDxe at 067328d: IgdAssignmentEntry() needs
 * etc/igd-opregion (EFI_UNSUPPORTED without it, lines 539-549;
 * EFI_PROTOCOL_ERROR for size 0, 555-558) and never looks at
 * etc/igd-bdsm-size. PciIoNotify(): vendor 0x8086, class 03 with
 * subclass/prog-if 00 00 or subclass 0x80 (lines 475-481); an id
 * GetIgdPrivateData() does not know is skipped (486-490); OpRegion as the
 * original; at 00:02.0, when the private data has a GetStolenSize, the size
 * it reads from GGC (0x50) in the guest's config space (IgdPrivate.c
 * Gen6/Gen8/Chv/Gen9StolenSize), SetupStolenMemory(): nothing for size 0
 * (EFI_INVALID_PARAMETER), else 1 MiB-aligned pages and the address written
 * 32-bit to 0x5C (IGD_FLAG_BDSM_32BIT) or 64-bit to 0xC0
 * (IGD_FLAG_BDSM_64BIT, Gen11Private).
 */
static void
ovmf_vfioigdpkg_run(const IgdFwGuest *g, IgdFwResult *out)
{
    Allocator a = { g->ram_top };
    gsize op_size = g->opregion ? g_bytes_get_size(g->opregion) : 0;
    guint16 vendor = igd_le16(g->config + CFG_VENDOR);
    guint16 gmch = igd_le16(g->config + CFG_GMCH);
    gboolean vga = g->config[CFG_CLASS_SUB] == 0x00 && g->config[CFG_CLASS_PROG] == 0x00;
    guint64 size = 0;
    guint gms;

    if (g->opregion == NULL)
        return; /* EFI_UNSUPPORTED */
    if (op_size == 0) {
        out->error = g_strdup("etc/igd-opregion: zero size");
        return;
    }
    out->loaded = TRUE;
    if (vendor != 0x8086 || g->config[CFG_CLASS_BASE] != 0x03 || !(vga || g->config[CFG_CLASS_SUB] == 0x80))
        return;
    out->private = igd_fw_vfioigdpkg_private(igd_le16(g->config + CFG_DEVICE));
    if (out->private == NULL)
        return; /* "GetIgdPrivateData: Unsupported" */
    ovmf_setup_opregion(&a, g, out);
    if (g->bus != 0 || g->slot != 2 || g->function != 0)
        return;
    if (g_str_equal(out->private, "Gen6Private")) {
        size = (guint64)((gmch >> 3) & 0x1f) * SIZE_32MB;
    } else if (g_str_equal(out->private, "Gen8Private")) {
        size = (guint64)((gmch >> 8) & 0xff) * SIZE_32MB;
    } else if (g_str_equal(out->private, "ChvPrivate")) {
        gms = (gmch >> 3) & 0x1f;
        size = gms < 0x11 ? (guint64)gms * SIZE_32MB
               : gms < 0x17 ? (guint64)(gms - 0x11) * SIZE_4MB + SIZE_8MB
                            : (guint64)(gms - 0x17) * SIZE_4MB + SIZE_4MB + SIZE_32MB;
    } else if (g_str_equal(out->private, "Gen9Private") || g_str_equal(out->private, "Gen11Private")) {
        gms = (gmch >> 8) & 0xff;
        size = gms < 0xf0 ? (guint64)gms * SIZE_32MB : (guint64)(gms - 0xf0) * SIZE_4MB + SIZE_4MB;
    } else {
        return; /* NullPrivate: GetStolenSize is NULL, BDSM is not touched */
    }
    if (size == 0)
        return; /* EFI_INVALID_PARAMETER */
    ovmf_setup_stolen(&a, size, g_str_equal(out->private, "Gen11Private") ? CFG_BDSM64 : CFG_BDSM, out);
}

void
igd_fw_run(IgdFwKind kind, const IgdFwGuest *guest, IgdFwResult *out)
{
    memset(out, 0, sizeof(*out));
    memcpy(out->config, guest->config, sizeof(out->config));
    g_assert(guest->ram_top <= BASE_4GB);
    switch (kind) {
    case IGD_FW_SEABIOS:
        seabios_run(guest, out);
        break;
    case IGD_FW_OVMF_ORIGINAL:
        ovmf_original_run(guest, out);
        break;
    case IGD_FW_OVMF_VFIOIGDPKG:
        ovmf_vfioigdpkg_run(guest, out);
        break;
    }
}
