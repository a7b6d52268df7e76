/*
 * firmware-model.h: what guest firmware does with etc/igd-opregion and
 * etc/igd-bdsm-size, so the blobs igd-blobs produces can be checked the way
 * the firmware will consume them.
 *
 * Two consumers are modelled, each from its source (read, not copied):
 *  - SeaBIOS src/fw/pciinit.c intel_igd_setup() (upstream, as in
 *    github.com/patchew-project/seabios @ ea1b7a07) with romfile_loadint()
 *    (src/romfile.c);
 *  - OVMF IgdAssignmentDxe as VfioIgdPkg has it at be1b73d
 *    (github.com/tomitamoeko/VfioIgdPkg, "Support devices with 64-bit BDSM
 *    register", the last revision that reads etc/igd-bdsm-size; from 7802f4a
 *    on it takes the size from GGC instead), IgdGeneration.c and
 *    Include/IndustryStandard/AssignedIgd.h.
 *
 * Guest memory below 4 GiB is allocated top-down from ram_top, as SeaBIOS's
 * memalign_high()/memalign_tmphigh() and EDK2's AllocateMaxAddress below
 * BASE_4GB do. Simplification: SeaBIOS's ZoneHigh (the top CONFIG_MAX_HIGHTABLE
 * bytes) and ZoneTmpHigh (below it) are one top-down pool here, and nothing
 * else is allocated first, so the addresses are the model's, not a real
 * boot's; what the tests assert (alignment, below 4 GiB, no overlap, the
 * register written, the bytes at ASLS, the size reserved) holds for both.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    IGD_FW_SEABIOS,
    IGD_FW_OVMF,
} IgdFwKind;

typedef struct {
    guint8 config[256];      /* the guest's view of the IGD's config space (ids, class; 0x5C/0xC0/0xFC emulated) */
    guint bus, slot, function; /* guest address (00:02.0 normally) */
    guint64 ram_top;         /* end of RAM below 4 GiB: allocations come from here down */
    GBytes *opregion;        /* fw_cfg etc/igd-opregion, NULL = absent */
    GBytes *bdsm_size;       /* fw_cfg etc/igd-bdsm-size, NULL = absent */
} IgdFwGuest;

typedef struct {
    gboolean loaded;         /* OVMF: the driver's entry point succeeded; SeaBIOS: always TRUE */
    char *error;             /* why OVMF refused the fw_cfg files (EFI_PROTOCOL_ERROR) */
    guint8 config[256];      /* config space after the firmware ran */
    gboolean opregion_set;   /* ASLS written */
    guint64 opregion_addr;
    GBytes *opregion_mem;    /* guest memory the OpRegion was copied to (OVMF: whole pages, residual zeroed) */
    gboolean bdsm_set;       /* a BDSM register written */
    guint bdsm_offset;       /* 0x5C or 0xC0 */
    guint64 bdsm_addr;
    guint64 bdsm_reserved;   /* bytes reserved for stolen memory (E820_RESERVED / EfiReservedMemoryType) */
    gint ovmf_gen;           /* OVMF: GetIgdGeneration() of the device id (-1 unknown) */
} IgdFwResult;

/* Run firmware @kind on @guest. */
void igd_fw_run(IgdFwKind kind, const IgdFwGuest *guest, IgdFwResult *out);
void igd_fw_result_clear(IgdFwResult *r);

/* OVMF VfioIgdPkg's GetIgdGeneration() (IgdGeneration.c @ be1b73d). */
gint igd_fw_ovmf_generation(guint16 device_id);

G_END_DECLS
