/*
 * igd-rom.h: a PCI expansion (option) ROM, i.e. the IGD's VGA BIOS and/or
 * UEFI GOP driver, as a chain of images (PCI Firmware Specification 3.x,
 * "PCI Expansion ROM" chapter; UEFI spec "PCI Option ROMs").
 *
 * Each image: 0x55 0xAA @0, PCIR pointer u16 @0x18 → "PCIR" data structure
 * with vendor/device ids, class code, image length (512-byte units), code
 * type and the last-image indicator. EFI images also carry 0x0EF1 @4 and
 * the EFI subsystem @8.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* ROM image header */
#define IGD_ROM_SIGNATURE            0xAA55 /* bytes 0x55 0xAA, u16 LE @0 */
#define IGD_ROM_INIT_SIZE_OFFSET     0x02   /* u8 (x86) initialization size, 512-byte units */
#define IGD_ROM_EFI_SIGNATURE_OFFSET 0x04   /* u32 0x0EF1 in EFI images */
#define IGD_ROM_EFI_SIGNATURE        0x0EF1
#define IGD_ROM_EFI_SUBSYSTEM_OFFSET 0x08   /* u16 EFI subsystem (10 app, 11 BS driver, 12 RT driver) */
#define IGD_ROM_EFI_MACHINE_OFFSET   0x0A   /* u16 machine type (0x8664 x64) */
#define IGD_ROM_EFI_COMPRESS_OFFSET  0x0C   /* u16 compression type */
#define IGD_ROM_EFI_IMAGE_OFFSET     0x16   /* u16 offset of the PE image */
#define IGD_ROM_PCIR_PTR_OFFSET      0x18   /* u16 offset of the PCI data structure */
#define IGD_ROM_HEADER_MIN           0x1A
G_STATIC_ASSERT(IGD_ROM_PCIR_PTR_OFFSET + 2 == IGD_ROM_HEADER_MIN);

/* PCI data structure ("PCIR") */
#define IGD_PCIR_SIGNATURE           "PCIR"
#define IGD_PCIR_VENDOR_OFFSET       0x04 /* u16 */
#define IGD_PCIR_DEVICE_OFFSET       0x06 /* u16 */
#define IGD_PCIR_DEVLIST_OFFSET      0x08 /* u16 device list pointer (3.0) */
#define IGD_PCIR_LENGTH_OFFSET       0x0A /* u16 length of this structure */
#define IGD_PCIR_REVISION_OFFSET     0x0C /* u8 structure revision */
#define IGD_PCIR_CLASS_OFFSET        0x0D /* u8[3] prog-if, sub-class, base class */
#define IGD_PCIR_IMAGE_LENGTH_OFFSET 0x10 /* u16 image length, 512-byte units */
#define IGD_PCIR_CODE_REV_OFFSET     0x12 /* u16 revision of code/data */
#define IGD_PCIR_CODE_TYPE_OFFSET    0x14 /* u8 code type */
#define IGD_PCIR_INDICATOR_OFFSET    0x15 /* u8 bit 7: last image */
#define IGD_PCIR_INDICATOR_LAST      0x80
#define IGD_PCIR_MIN_SIZE            0x18 /* PCI 2.x structure; 3.0 is 0x1C */
G_STATIC_ASSERT(IGD_PCIR_INDICATOR_OFFSET + 3 == IGD_PCIR_MIN_SIZE);

#define IGD_ROM_IMAGE_UNIT           512
#define IGD_ROM_MAX_IMAGES           16

/* Code types */
#define IGD_ROM_CODE_X86             0x00
#define IGD_ROM_CODE_OPENFIRMWARE    0x01
#define IGD_ROM_CODE_PARISC          0x02
#define IGD_ROM_CODE_EFI             0x03
/* EFI subsystems (PE32 subsystem values) */
#define IGD_ROM_EFI_APPLICATION      10
#define IGD_ROM_EFI_BOOT_SERVICE_DRIVER 11
#define IGD_ROM_EFI_RUNTIME_DRIVER   12

typedef struct {
    gsize offset;          /* of the image in the ROM */
    gsize length;          /* 512 × PCIR image length */
    guint16 vendor_id, device_id;
    guint32 class_code;    /* 24 bit from PCIR: base << 16 | sub << 8 | prog-if */
    guint8 code_type;      /* 0 x86, 1 OpenFirmware, 2 HP PA-RISC, 3 EFI */
    guint16 efi_subsystem; /* EFI images: 10/11/12, 0 otherwise */
    gboolean last;
    gboolean checksum_ok;  /* x86 images: the header's initialization size (byte 2) × 512 bytes sum to 0, as
                            * SeaBIOS checks; other code types: TRUE (none defined) */
} IgdRomImage;

typedef struct _IgdRom IgdRom;

/*
 * Walk the image chain of a ROM: each image needs 0x55AA, a PCIR pointer
 * inside the image, "PCIR", a non-zero length inside the ROM; stops at the
 * image flagged last. Refuses overruns, more than IGD_ROM_MAX_IMAGES images
 * and a chain that ends without a last image. Bytes after the last image
 * (sysfs pads the BAR) are ignored. Returns NULL with IGD_ERROR_INVALID
 * naming the image offset and field on bad input.
 */
IgdRom *igd_rom_parse(GBytes *data, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void igd_rom_free(IgdRom *rom);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdRom, igd_rom_free)

guint igd_rom_get_n_images(const IgdRom *rom);
/* Image @i (< n_images), owned by @rom. */
const IgdRomImage *igd_rom_get_image(const IgdRom *rom, guint i);
/* TRUE when an x86 (code type 0) image for a display controller (base class 0x03) exists: legacy mode / SeaBIOS. */
gboolean igd_rom_has_legacy(const IgdRom *rom);
/* TRUE when an EFI (code type 3) boot-service driver image exists: a GOP driver for OVMF. */
gboolean igd_rom_has_efi_gop(const IgdRom *rom);
/* "x86", "openfirmware", "pa-risc", "efi", "unknown". */
const char *igd_rom_code_type_name(guint8 code_type);

G_END_DECLS
