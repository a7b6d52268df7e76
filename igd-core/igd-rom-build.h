/*
 * igd-rom-build.h: composing a PCI option ROM for an IGD, as EDK2's EfiRom
 * does (BaseTools/Source/C/EfiRom/EfiRom.c ProcessEfiFile(), edk2-stable202605:
 * uncompressed images, one device id, PCI 3.0 data structures): an optional
 * legacy x86 VGA BIOS image first, then one image per UEFI driver, the last
 * image flagged. QEMU docs/igd-assign.txt recommends such a ROM for UEFI
 * guests: IgdAssignmentDxe, PlatformGopPolicy and IntelGopDriver.
 *
 * An EFI image (EFI_PCI_EXPANSION_ROM_HEADER, MdePkg/Include/IndustryStandard/
 * Pci22.h; PCI_3_0_DATA_STRUCTURE, Pci30.h):
 *   0x00 u16 0xAA55   0x02 u16 InitializationSize (512-byte units)
 *   0x04 u32 0x0EF1   0x08 u16 EfiSubsystem   0x0A u16 EfiMachineType (both from the PE headers)
 *   0x0C u16 CompressionType 0   0x0E u8[8] reserved 0
 *   0x16 u16 EfiImageHeaderOffset   0x18 u16 PcirOffset = 0x1C   0x1A u8[2] 0
 *   0x1C "PCIR" vendor device 0 0x1C 3 class[3] ImageLength CodeRevision 0 CodeType 3 Indicator ... (0x1C bytes)
 *   0x38 0xFF padding, then the PE image, ending at the 512-byte boundary.
 * The legacy image is copied with its PCIR's vendor/device, class and
 * indicator set, its size byte (offset 2) set to its PCIR image length and its
 * last byte made the checksum, so that its Size512 × 512 bytes sum to 0, what
 * SeaBIOS checks (src/optionroms.c is_valid_rom()).
 */
#pragma once

#include <glib.h>

#include "igd-rom.h"

G_BEGIN_DECLS

/* EFI_PCI_EXPANSION_ROM_HEADER (Pci22.h, pack(1)), what igd-rom.h's parser does not name */
#define IGD_ROM_EFI_RESERVED_OFFSET  0x0E /* u8[8] Reserved */
#define IGD_ROM_EFI_HEADER_SIZE      0x1A /* sizeof (EFI_PCI_EXPANSION_ROM_HEADER) */
#define IGD_ROM_EFI_PCIR             0x1C /* where EfiRom puts the PCIR: the header rounded up to a DWORD */
#define IGD_PCIR_30_SIZE             0x1C /* sizeof (PCI_3_0_DATA_STRUCTURE) */
#define IGD_PCIR_30_REVISION         3
#define IGD_ROM_EFI_IMAGE_START      (IGD_ROM_EFI_PCIR + IGD_PCIR_30_SIZE) /* 0x38: EfiRom's HeaderSize */
G_STATIC_ASSERT(IGD_ROM_PCIR_PTR_OFFSET + 2 == IGD_ROM_EFI_HEADER_SIZE);
G_STATIC_ASSERT(IGD_ROM_EFI_RESERVED_OFFSET + 8 == IGD_ROM_EFI_IMAGE_OFFSET);
G_STATIC_ASSERT(IGD_ROM_EFI_PCIR % 4 == 0);
G_STATIC_ASSERT(IGD_ROM_EFI_IMAGE_START == 0x38);

/* EfiRom's MAX_OPTION_ROM_SIZE (EfiRom.h): the whole ROM. */
#define IGD_ROM_BUILD_MAX            (16u << 20)
/* The legacy header's size byte counts 512-byte units: a legacy image SeaBIOS can checksum is at most this. */
#define IGD_ROM_LEGACY_MAX           (255u * IGD_ROM_IMAGE_UNIT)

/* PE/COFF (MdePkg/Include/IndustryStandard/PeImage.h) */
#define IGD_PE_DOS_MAGIC             0x5A4D /* "MZ", EFI_IMAGE_DOS_SIGNATURE, u16 @0 */
#define IGD_PE_LFANEW_OFFSET         0x3C   /* u32 e_lfanew */
#define IGD_PE_DOS_HEADER_SIZE       0x40
#define IGD_PE_NT_SIGNATURE          "PE\0\0" /* EFI_IMAGE_NT_SIGNATURE @e_lfanew */
#define IGD_PE_MACHINE_OFFSET        0x04   /* from e_lfanew: EFI_IMAGE_FILE_HEADER.Machine */
#define IGD_PE_OPT_SIZE_OFFSET       0x14   /* from e_lfanew: SizeOfOptionalHeader */
#define IGD_PE_OPT_OFFSET            0x18   /* from e_lfanew: the optional header (4 + 20) */
#define IGD_PE_OPT_SUBSYSTEM_OFFSET  0x44   /* in the optional header, PE32 and PE32+ alike */
#define IGD_PE_OPT_MAGIC_PE32        0x10b  /* EFI_IMAGE_NT_OPTIONAL_HDR32_MAGIC */
#define IGD_PE_OPT_MAGIC_PE32PLUS    0x20b  /* EFI_IMAGE_NT_OPTIONAL_HDR64_MAGIC */
#define IGD_PE_MACHINE_I386          0x014c
#define IGD_PE_MACHINE_X64           0x8664
G_STATIC_ASSERT(IGD_PE_OPT_OFFSET == 4 + 20);

typedef struct {
    guint16 machine;    /* COFF Machine */
    guint16 subsystem;  /* IGD_ROM_EFI_APPLICATION, _BOOT_SERVICE_DRIVER or _RUNTIME_DRIVER */
    gboolean pe32_plus; /* optional header magic 0x20b, else 0x10b */
} IgdPeInfo;

/*
 * Check that @data is a PE32 or PE32+ EFI image, as EfiRom's CheckPE32File()
 * reads one and stricter: "MZ", e_lfanew at least 0x40 with the PE headers
 * inside the file, "PE\0\0", an optional header long enough to hold its
 * Subsystem, magic 0x10b or 0x20b, subsystem 10, 11 or 12. FALSE with
 * IGD_ERROR_INVALID naming the field otherwise.
 */
gboolean igd_rom_pe_info(const guint8 *data, gsize len, IgdPeInfo *info, GError **error);

typedef struct _IgdRomBuilder IgdRomBuilder;

/* A ROM for the device @vendor_id:@device_id of class @class_code (24 bits: base, sub-class, prog-if). */
IgdRomBuilder *igd_rom_builder_new(guint16 vendor_id, guint16 device_id, guint32 class_code) G_GNUC_WARN_UNUSED_RESULT;
void igd_rom_builder_free(IgdRomBuilder *builder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdRomBuilder, igd_rom_builder_free)

/*
 * The legacy VGA BIOS image, which goes first: @data must start with an x86
 * (code type 0) image with 0x55AA, a DWORD-aligned PCIR pointer (EDK2's PCI bus
 * driver stops at a misaligned one and would never see the EFI images) and a
 * PCIR image length inside @data of at most IGD_ROM_LEGACY_MAX bytes. Only
 * that image is taken (a note says so when @data holds more). @name names it
 * in errors and notes. One legacy image per ROM.
 */
gboolean igd_rom_builder_set_legacy(IgdRomBuilder *builder, const char *name, GBytes *data, GError **error);
/*
 * Append the UEFI driver @pe (igd_rom_pe_info()), uncompressed, after the
 * images added before. An EFI application, or a machine other than x64, is
 * taken with a note: OVMF's PCI bus driver starts neither.
 */
gboolean igd_rom_builder_add_efi(IgdRomBuilder *builder, const char *name, GBytes *pe, GError **error);
/* What was said about the inputs (char*, owned by @builder). */
GPtrArray *igd_rom_builder_get_notes(IgdRomBuilder *builder);

/*
 * The ROM: the legacy image, then the EFI images in order, each 512-byte
 * aligned, the last flagged (PCIR indicator 0x80). IGD_ERROR_INVALID when
 * there is no image or the ROM would be larger than IGD_ROM_BUILD_MAX.
 */
GBytes *igd_rom_builder_build(IgdRomBuilder *builder, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
