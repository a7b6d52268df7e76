/*
 * firmware-model.h: what guest firmware does with etc/igd-opregion and
 * etc/igd-bdsm-size, so the blobs igd-blobs produces can be checked the way
 * the firmware will consume them.
 *
 * Three consumers are modelled, each from its source (read, not copied):
 *  - SeaBIOS src/fw/pciinit.c intel_igd_setup() (coreboot/seabios
 *    rel-1.16.2 = ea1b7a07, unchanged at 41514a7) with romfile_loadint()
 *    (src/romfile.c): BDSM 32-bit at 0x5C, whatever the generation;
 *  - OVMF IgdAssignmentDxe as Red Hat wrote it in 2018 (the "original",
 *    imported as github.com/tomitamoeko/VfioIgdPkg c64d051f,
 *    IgdAssignmentDxe/IgdAssignment.c): reads etc/igd-bdsm-size and refuses
 *    one that is not 8 bytes or is 0, writes BDSM 32-bit at 0x5C;
 *  - VfioIgdPkg's IgdAssignmentDxe at 067328d (2026-05-27), as it is since
 *    7802f4a ("Get DSM size directly from device", 2025-05-05): never reads
 *    etc/igd-bdsm-size, needs etc/igd-opregion, knows devices by exact id
 *    (IgdPrivate.c IgdDeviceTable), takes the stolen size from the GGC the
 *    guest reads, writes BDSM 32-bit at 0x5C (Gen6/Gen8/Chv/Gen9Private),
 *    64-bit at 0xC0 (Gen11Private: Ice Lake to Raptor Lake), nothing from
 *    Meteor Lake on (NullPrivate).
 *
 * Guest memory below 4 GiB is allocated top-down from ram_top, as SeaBIOS's
 * memalign_high()/memalign_tmphigh() and EDK2's AllocateMaxAddress below
 * BASE_4GB do. Simplification: SeaBIOS's ZoneHigh (the top CONFIG_MAX_HIGHTABLE
 * bytes) and ZoneTmpHigh (below it) are one top-down pool here, and nothing
 * else is allocated first, so the addresses are the model's, not a real
 * boot's; what the tests assert (alignment, below 4 GiB, no overlap, the
 * register written, the bytes at ASLS, the size reserved) holds for all.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    IGD_FW_SEABIOS,
    IGD_FW_OVMF_ORIGINAL,   /* IgdAssignmentDxe, Red Hat 2018 (VfioIgdPkg c64d051f) */
    IGD_FW_OVMF_VFIOIGDPKG, /* VfioIgdPkg's IgdAssignmentDxe, 7802f4a .. 067328d */
} IgdFwKind;

typedef struct {
    guint8 config[256];      /* the guest's view of the IGD's config space (ids, class, GGC; 0x5C/0xC0/0xFC emulated) */
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
    const char *private;     /* VfioIgdPkg: the IGD_PRIVATE_DATA of the device ("Gen9Private"), NULL unknown id */
} IgdFwResult;

/* Run firmware @kind on @guest. */
void igd_fw_run(IgdFwKind kind, const IgdFwGuest *guest, IgdFwResult *out);
void igd_fw_result_clear(IgdFwResult *r);

/*
 * VfioIgdPkg's GetIgdPrivateData() for @device_id: "Gen6Private" (SNB, IVB,
 * HSW, VLV), "Gen8Private" (BDW), "ChvPrivate", "Gen9Private" (SKL, BXT,
 * KBL, CFL, WHL, CML, GLK), "Gen11Private" (ICL, EHL, JSL, TGL, RKL, ADL,
 * RPL), "NullPrivate" (MTL, ARL, LNL, PTL, WCL, NVL), NULL otherwise (Cannon
 * Lake is not in its table). The groups come from igd-devices' table,
 * which follows the same pciids.h macros.
 */
const char *igd_fw_vfioigdpkg_private(guint16 device_id);

G_END_DECLS
