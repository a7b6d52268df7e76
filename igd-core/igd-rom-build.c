/*
 * igd-rom-build.c: a PCI option ROM from UEFI drivers and a legacy VGA BIOS
 * (see igd-rom-build.h). Every input is untrusted bytes: each field is read
 * after a bounds check, sizes are computed in 64 bits against the 16 MiB
 * limit, nothing is laid over a buffer.
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-rom-build.h"

typedef struct {
    GBytes *pe;
    IgdPeInfo info;
} EfiImage;

struct _IgdRomBuilder {
    guint16 vendor_id, device_id;
    guint32 class_code;
    GBytes *legacy;    /* the x86 image, exactly its PCIR image length */
    GArray *efi;       /* EfiImage */
    GPtrArray *notes;  /* char* */
    guint64 size;      /* bytes of the ROM so far */
};

static void
efi_image_clear(gpointer data)
{
    EfiImage *e = data;

    g_clear_pointer(&e->pe, g_bytes_unref);
}

IgdRomBuilder *
igd_rom_builder_new(guint16 vendor_id, guint16 device_id, guint32 class_code)
{
    IgdRomBuilder *b = g_new0(IgdRomBuilder, 1);

    b->vendor_id = vendor_id;
    b->device_id = device_id;
    b->class_code = class_code & 0xffffff;
    b->efi = g_array_new(FALSE, TRUE, sizeof(EfiImage));
    g_array_set_clear_func(b->efi, efi_image_clear);
    b->notes = g_ptr_array_new_with_free_func(g_free);
    return b;
}

void
igd_rom_builder_free(IgdRomBuilder *b)
{
    if (b == NULL)
        return;
    g_clear_pointer(&b->legacy, g_bytes_unref);
    g_clear_pointer(&b->efi, g_array_unref);
    g_clear_pointer(&b->notes, g_ptr_array_unref);
    g_free(b);
}

GPtrArray *
igd_rom_builder_get_notes(IgdRomBuilder *b)
{
    return b->notes;
}

static void note(IgdRomBuilder *b, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
note(IgdRomBuilder *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_ptr_array_add(b->notes, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

static guint64
round_up_unit(guint64 n)
{
    return (n + IGD_ROM_IMAGE_UNIT - 1) / IGD_ROM_IMAGE_UNIT * IGD_ROM_IMAGE_UNIT;
}

/* ------------------------------------------------------------------ PE/COFF */

gboolean
igd_rom_pe_info(const guint8 *p, gsize len, IgdPeInfo *info, GError **error)
{
    guint64 lfanew, opt, opt_size;
    guint16 magic, subsystem;

    if (len < IGD_PE_DOS_HEADER_SIZE) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "not an EFI image: %" G_GSIZE_FORMAT " bytes, shorter than a DOS header (64)", len);
        return FALSE;
    }
    if (igd_le16(p) != IGD_PE_DOS_MAGIC) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "not an EFI image: no 'MZ' at 0 (0x%04x)", igd_le16(p));
        return FALSE;
    }
    lfanew = igd_le32(p + IGD_PE_LFANEW_OFFSET);
    opt = lfanew + IGD_PE_OPT_OFFSET;
    if (lfanew < IGD_PE_DOS_HEADER_SIZE || opt + IGD_PE_OPT_SUBSYSTEM_OFFSET + 2 > len) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "not an EFI image: e_lfanew 0x%" G_GINT64_MODIFIER "x puts the PE headers outside the "
                    "%" G_GSIZE_FORMAT "-byte file", lfanew, len);
        return FALSE;
    }
    if (memcmp(p + lfanew, IGD_PE_NT_SIGNATURE, 4) != 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "not an EFI image: no 'PE\\0\\0' signature at e_lfanew 0x%" G_GINT64_MODIFIER "x", lfanew);
        return FALSE;
    }
    opt_size = igd_le16(p + lfanew + IGD_PE_OPT_SIZE_OFFSET);
    if (opt_size < IGD_PE_OPT_SUBSYSTEM_OFFSET + 2) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "not an EFI image: optional header of %" G_GUINT64_FORMAT " bytes has no Subsystem field",
                    opt_size);
        return FALSE;
    }
    magic = igd_le16(p + opt);
    if (magic != IGD_PE_OPT_MAGIC_PE32 && magic != IGD_PE_OPT_MAGIC_PE32PLUS) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "not an EFI image: optional header magic 0x%04x is neither PE32 (0x10b) nor PE32+ (0x20b)", magic);
        return FALSE;
    }
    subsystem = igd_le16(p + opt + IGD_PE_OPT_SUBSYSTEM_OFFSET);
    if (subsystem != IGD_ROM_EFI_APPLICATION && subsystem != IGD_ROM_EFI_BOOT_SERVICE_DRIVER &&
        subsystem != IGD_ROM_EFI_RUNTIME_DRIVER) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "not an EFI image: PE subsystem %u is not an EFI application (10), boot-service driver (11) "
                    "or runtime driver (12)", subsystem);
        return FALSE;
    }
    info->machine = igd_le16(p + lfanew + IGD_PE_MACHINE_OFFSET);
    info->subsystem = subsystem;
    info->pe32_plus = magic == IGD_PE_OPT_MAGIC_PE32PLUS;
    return TRUE;
}

/* ------------------------------------------------------------------ inputs */

static gboolean
fits(IgdRomBuilder *b, const char *name, guint64 more, GError **error)
{
    if (b->size + more > IGD_ROM_BUILD_MAX) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "%s: the ROM would be %" G_GUINT64_FORMAT " bytes, more than the %u EfiRom allows", name,
                    b->size + more, IGD_ROM_BUILD_MAX);
        return FALSE;
    }
    b->size += more;
    return TRUE;
}

gboolean
igd_rom_builder_set_legacy(IgdRomBuilder *b, const char *name, GBytes *data, GError **error)
{
    gsize len = 0;
    const guint8 *p = g_bytes_get_data(data, &len);
    gsize pcir, pcir_len, units, image;

    if (b->legacy != NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_USAGE, "%s: a ROM has one legacy image", name);
        return FALSE;
    }
    if (len < IGD_ROM_HEADER_MIN || igd_le16(p) != IGD_ROM_SIGNATURE) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: not a legacy option ROM: no 0x55 0xAA header", name);
        return FALSE;
    }
    pcir = igd_le16(p + IGD_ROM_PCIR_PTR_OFFSET);
    if (pcir < IGD_ROM_HEADER_MIN || !igd_range_ok(len, pcir, IGD_PCIR_MIN_SIZE) ||
        memcmp(p + pcir, IGD_PCIR_SIGNATURE, 4) != 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "%s: no 'PCIR' data structure at its pointer 0x%" G_GSIZE_MODIFIER "x", name, pcir);
        return FALSE;
    }
    if (pcir % 4 != 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "%s: PCIR pointer 0x%" G_GSIZE_MODIFIER "x is not DWORD-aligned: OVMF's PCI bus driver stops "
                    "there and would never see the EFI images after it", name, pcir);
        return FALSE;
    }
    if (p[pcir + IGD_PCIR_CODE_TYPE_OFFSET] != IGD_ROM_CODE_X86) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: its first image has code type %u (%s), not x86 (0)",
                    name, p[pcir + IGD_PCIR_CODE_TYPE_OFFSET],
                    igd_rom_code_type_name(p[pcir + IGD_PCIR_CODE_TYPE_OFFSET]));
        return FALSE;
    }
    units = igd_le16(p + pcir + IGD_PCIR_IMAGE_LENGTH_OFFSET);
    image = units * IGD_ROM_IMAGE_UNIT;
    pcir_len = MAX((gsize)igd_le16(p + pcir + IGD_PCIR_LENGTH_OFFSET), (gsize)IGD_PCIR_MIN_SIZE);
    if (units == 0 || image > len) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "%s: PCIR image length %" G_GSIZE_FORMAT " × 512 does not fit the %" G_GSIZE_FORMAT "-byte file",
                    name, units, len);
        return FALSE;
    }
    if (image > IGD_ROM_LEGACY_MAX) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "%s: the x86 image is %" G_GSIZE_FORMAT " bytes; its header's size byte (512-byte units) can "
                    "say at most %u, what SeaBIOS checksums", name, image, IGD_ROM_LEGACY_MAX);
        return FALSE;
    }
    if (!igd_range_ok(image, pcir, pcir_len)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: the PCIR structure runs past the image's end", name);
        return FALSE;
    }
    if (!fits(b, name, image, error))
        return FALSE;
    if (len > image)
        note(b, "%s: only its first image (x86, %" G_GSIZE_FORMAT " bytes) is taken; %" G_GSIZE_FORMAT
             " bytes after it are left out", name, image, len - image);
    b->legacy = g_bytes_new_from_bytes(data, 0, image);
    return TRUE;
}

gboolean
igd_rom_builder_add_efi(IgdRomBuilder *b, const char *name, GBytes *pe, GError **error)
{
    EfiImage e = { 0 };
    gsize len = 0;
    const guint8 *p = g_bytes_get_data(pe, &len);

    if (!igd_rom_pe_info(p, len, &e.info, error)) {
        g_prefix_error(error, "%s: ", name);
        return FALSE;
    }
    if (!fits(b, name, round_up_unit((guint64)IGD_ROM_EFI_IMAGE_START + len), error))
        return FALSE;
    if (e.info.subsystem == IGD_ROM_EFI_APPLICATION)
        note(b, "%s: an EFI application (subsystem 10): OVMF's PCI bus driver starts only drivers (11, 12) from a "
             "ROM", name);
    if (e.info.machine != IGD_PE_MACHINE_X64)
        note(b, "%s: machine type 0x%04x, not x64 (0x8664): OVMF for x86_64 guests does not start it", name,
             e.info.machine);
    e.pe = g_bytes_ref(pe);
    g_array_append_val(b->efi, e);
    return TRUE;
}

/* ------------------------------------------------------------------ the ROM */

/* A PCI 3.0 data structure (Pci30.h PCI_3_0_DATA_STRUCTURE) at @p, for an image of @units × 512 bytes. */
static void
put_pcir(guint8 *p, const IgdRomBuilder *b, guint units, guint8 code_type, gboolean last)
{
    memset(p, 0, IGD_PCIR_30_SIZE);
    memcpy(p, IGD_PCIR_SIGNATURE, 4);
    igd_put_le16(p + IGD_PCIR_VENDOR_OFFSET, b->vendor_id);
    igd_put_le16(p + IGD_PCIR_DEVICE_OFFSET, b->device_id);
    igd_put_le16(p + IGD_PCIR_LENGTH_OFFSET, IGD_PCIR_30_SIZE);
    p[IGD_PCIR_REVISION_OFFSET] = IGD_PCIR_30_REVISION;
    p[IGD_PCIR_CLASS_OFFSET] = b->class_code & 0xff;             /* programming interface */
    p[IGD_PCIR_CLASS_OFFSET + 1] = (b->class_code >> 8) & 0xff;  /* sub-class */
    p[IGD_PCIR_CLASS_OFFSET + 2] = (b->class_code >> 16) & 0xff; /* base class */
    igd_put_le16(p + IGD_PCIR_IMAGE_LENGTH_OFFSET, (guint16)units);
    p[IGD_PCIR_CODE_TYPE_OFFSET] = code_type;
    p[IGD_PCIR_INDICATOR_OFFSET] = last ? IGD_PCIR_INDICATOR_LAST : 0;
}

/* The legacy image with this ROM's ids and class, its size byte, indicator and checksum right. */
static void
append_legacy(GByteArray *rom, const IgdRomBuilder *b, gboolean last)
{
    gsize len = 0;
    const guint8 *src = g_bytes_get_data(b->legacy, &len);
    gsize off = rom->len, pcir;
    guint8 *p, sum = 0;

    g_byte_array_append(rom, src, (guint)len);
    p = rom->data + off;
    pcir = igd_le16(p + IGD_ROM_PCIR_PTR_OFFSET);
    p[IGD_ROM_INIT_SIZE_OFFSET] = (guint8)(len / IGD_ROM_IMAGE_UNIT); /* <= 255: checked when set */
    igd_put_le16(p + pcir + IGD_PCIR_VENDOR_OFFSET, b->vendor_id);
    igd_put_le16(p + pcir + IGD_PCIR_DEVICE_OFFSET, b->device_id);
    p[pcir + IGD_PCIR_CLASS_OFFSET] = b->class_code & 0xff;
    p[pcir + IGD_PCIR_CLASS_OFFSET + 1] = (b->class_code >> 8) & 0xff;
    p[pcir + IGD_PCIR_CLASS_OFFSET + 2] = (b->class_code >> 16) & 0xff;
    p[pcir + IGD_PCIR_INDICATOR_OFFSET] = last ? IGD_PCIR_INDICATOR_LAST : 0;
    /* the last byte makes the Size512 × 512 bytes sum to 0 (EfiRom ProcessBinFile() uses the last byte too) */
    p[len - 1] = 0;
    for (gsize i = 0; i < len; i++)
        sum += p[i];
    p[len - 1] = (guint8)(0x100 - sum);
}

/* One uncompressed EFI image as EfiRom's ProcessEfiFile() lays it out. */
static void
append_efi(GByteArray *rom, const IgdRomBuilder *b, const EfiImage *e, gboolean last)
{
    gsize pe_len = 0;
    const guint8 *pe = g_bytes_get_data(e->pe, &pe_len);
    gsize total = (gsize)round_up_unit((guint64)IGD_ROM_EFI_IMAGE_START + pe_len);
    gsize pad = total - IGD_ROM_EFI_IMAGE_START - pe_len;
    gsize off = rom->len;
    guint8 *p;

    g_byte_array_set_size(rom, (guint)(off + total));
    p = rom->data + off;
    memset(p, 0, IGD_ROM_EFI_IMAGE_START);
    memset(p + IGD_ROM_EFI_IMAGE_START, 0xff, pad); /* EfiRom pads before the image with 0xFF */
    memcpy(p + IGD_ROM_EFI_IMAGE_START + pad, pe, pe_len);
    igd_put_le16(p, IGD_ROM_SIGNATURE);
    igd_put_le16(p + IGD_ROM_INIT_SIZE_OFFSET, (guint16)(total / IGD_ROM_IMAGE_UNIT));
    igd_put_le32(p + IGD_ROM_EFI_SIGNATURE_OFFSET, IGD_ROM_EFI_SIGNATURE);
    igd_put_le16(p + IGD_ROM_EFI_SUBSYSTEM_OFFSET, e->info.subsystem);
    igd_put_le16(p + IGD_ROM_EFI_MACHINE_OFFSET, e->info.machine);
    igd_put_le16(p + IGD_ROM_EFI_COMPRESS_OFFSET, 0);
    igd_put_le16(p + IGD_ROM_EFI_IMAGE_OFFSET, (guint16)(IGD_ROM_EFI_IMAGE_START + pad));
    igd_put_le16(p + IGD_ROM_PCIR_PTR_OFFSET, IGD_ROM_EFI_PCIR);
    put_pcir(p + IGD_ROM_EFI_PCIR, b, (guint)(total / IGD_ROM_IMAGE_UNIT), IGD_ROM_CODE_EFI, last);
}

GBytes *
igd_rom_builder_build(IgdRomBuilder *b, GError **error)
{
    g_autoptr(GByteArray) rom = NULL;

    if (b->legacy == NULL && b->efi->len == 0) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INVALID, "no image to put in the ROM");
        return NULL;
    }
    g_assert(b->size <= IGD_ROM_BUILD_MAX); /* fits() kept it so */
    rom = g_byte_array_sized_new((guint)b->size);
    if (b->legacy)
        append_legacy(rom, b, b->efi->len == 0);
    for (guint i = 0; i < b->efi->len; i++)
        append_efi(rom, b, &g_array_index(b->efi, EfiImage, i), i + 1 == b->efi->len);
    g_assert(rom->len == b->size);
    return g_byte_array_free_to_bytes(g_steal_pointer(&rom));
}
