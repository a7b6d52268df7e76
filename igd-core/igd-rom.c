/*
 * igd-rom.c: PCI option ROM image-chain walker (see igd-rom.h).
 *
 * Every image offset is strictly larger than the one before (a length of
 * zero is refused), so the walk cannot loop; IGD_ROM_MAX_IMAGES bounds it
 * anyway. Each field is read after igd_range_ok() against the image and
 * the ROM.
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-rom.h"

struct _IgdRom {
    GArray *images; /* IgdRomImage */
};

void
igd_rom_free(IgdRom *rom)
{
    if (rom == NULL)
        return;
    g_clear_pointer(&rom->images, g_array_unref);
    g_free(rom);
}

static gboolean
parse_image(const guint8 *p, gsize len, gsize off, IgdRomImage *img, GError **error)
{
    const guint8 *im = p + off;
    gsize avail = len - off; /* caller: off < len */
    gsize pcir, pcir_len;
    guint units;

    memset(img, 0, sizeof(*img));
    img->offset = off;
    if (!igd_range_ok(avail, 0, IGD_ROM_HEADER_MIN)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "ROM image at 0x%zx truncated: %zu bytes, the header needs %u", off, avail, IGD_ROM_HEADER_MIN);
        return FALSE;
    }
    if (igd_le16(im) != IGD_ROM_SIGNATURE) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "ROM image at 0x%zx: signature 0x%04x is not 0xaa55", off, igd_le16(im));
        return FALSE;
    }
    pcir = igd_le16(im + IGD_ROM_PCIR_PTR_OFFSET);
    if (pcir < IGD_ROM_HEADER_MIN || !igd_range_ok(avail, pcir, IGD_PCIR_MIN_SIZE)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "ROM image at 0x%zx: PCIR pointer 0x%zx outside the image", off, pcir);
        return FALSE;
    }
    if (memcmp(im + pcir, IGD_PCIR_SIGNATURE, 4) != 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "ROM image at 0x%zx: no 'PCIR' signature at PCIR pointer 0x%zx", off, pcir);
        return FALSE;
    }
    pcir_len = igd_le16(im + pcir + IGD_PCIR_LENGTH_OFFSET);
    units = igd_le16(im + pcir + IGD_PCIR_IMAGE_LENGTH_OFFSET);
    if (units == 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "ROM image at 0x%zx: PCIR image length is 0", off);
        return FALSE;
    }
    img->length = (gsize)units * IGD_ROM_IMAGE_UNIT;
    if (!igd_range_ok(avail, 0, img->length)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "ROM image at 0x%zx: PCIR image length %zu runs past the end of the %zu-byte ROM",
                    off, img->length, len);
        return FALSE;
    }
    if (!igd_range_ok(img->length, pcir, MAX(pcir_len, (gsize)IGD_PCIR_MIN_SIZE))) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                    "ROM image at 0x%zx: PCIR structure at 0x%zx (length %zu) outside the %zu-byte image",
                    off, pcir, pcir_len, img->length);
        return FALSE;
    }
    img->vendor_id = igd_le16(im + pcir + IGD_PCIR_VENDOR_OFFSET);
    img->device_id = igd_le16(im + pcir + IGD_PCIR_DEVICE_OFFSET);
    img->class_code = (guint32)im[pcir + IGD_PCIR_CLASS_OFFSET] |
                      ((guint32)im[pcir + IGD_PCIR_CLASS_OFFSET + 1] << 8) |
                      ((guint32)im[pcir + IGD_PCIR_CLASS_OFFSET + 2] << 16);
    img->code_type = im[pcir + IGD_PCIR_CODE_TYPE_OFFSET];
    img->last = (im[pcir + IGD_PCIR_INDICATOR_OFFSET] & IGD_PCIR_INDICATOR_LAST) != 0;
    img->checksum_ok = TRUE;

    if (img->code_type == IGD_ROM_CODE_X86) {
        /* What SeaBIOS sums (src/optionroms.c is_valid_rom(): "u32 len = rom->size * 512; u8 sum =
         * checksum(rom, len);", a zero size refused): the header's initialization size, not the PCIR
         * image length; a size past the end of the ROM cannot be summed and counts as bad. */
        gsize n = (gsize)im[IGD_ROM_INIT_SIZE_OFFSET] * IGD_ROM_IMAGE_UNIT;
        guint8 sum = 0;

        img->checksum_ok = n > 0 && igd_range_ok(avail, 0, n);
        for (gsize i = 0; img->checksum_ok && i < n; i++)
            sum += im[i];
        img->checksum_ok = img->checksum_ok && sum == 0;
    } else if (img->code_type == IGD_ROM_CODE_EFI) {
        guint32 efi_sig = igd_le32(im + IGD_ROM_EFI_SIGNATURE_OFFSET);

        if (efi_sig != IGD_ROM_EFI_SIGNATURE) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                        "ROM image at 0x%zx: EFI signature 0x%x is not 0x%x", off, efi_sig, IGD_ROM_EFI_SIGNATURE);
            return FALSE;
        }
        img->efi_subsystem = igd_le16(im + IGD_ROM_EFI_SUBSYSTEM_OFFSET);
    }
    return TRUE;
}

IgdRom *
igd_rom_parse(GBytes *data, GError **error)
{
    g_autoptr(IgdRom) rom = NULL;
    const guint8 *p;
    gsize len, off = 0;

    g_return_val_if_fail(data != NULL, NULL);
    p = g_bytes_get_data(data, &len);
    if (len == 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "ROM is empty");
        return NULL;
    }

    rom = g_new0(IgdRom, 1);
    rom->images = g_array_new(FALSE, TRUE, sizeof(IgdRomImage));
    for (;;) {
        IgdRomImage img;

        if (rom->images->len == IGD_ROM_MAX_IMAGES) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                        "ROM has more than %u images without a last-image indicator", IGD_ROM_MAX_IMAGES);
            return NULL;
        }
        if (off >= len) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                        "ROM ends at 0x%zx without an image flagged last (PCIR indicator bit 7)", len);
            return NULL;
        }
        if (!parse_image(p, len, off, &img, error))
            return NULL;
        g_array_append_val(rom->images, img);
        if (img.last)
            break;
        /* length > 0 was checked: offsets strictly increase, no loop. */
        off += img.length;
    }
    return g_steal_pointer(&rom);
}

guint
igd_rom_get_n_images(const IgdRom *rom)
{
    return rom->images->len;
}

const IgdRomImage *
igd_rom_get_image(const IgdRom *rom, guint i)
{
    g_return_val_if_fail(i < rom->images->len, NULL);
    return &g_array_index(rom->images, IgdRomImage, i);
}

gboolean
igd_rom_has_legacy(const IgdRom *rom)
{
    for (guint i = 0; i < rom->images->len; i++) {
        const IgdRomImage *img = &g_array_index(rom->images, IgdRomImage, i);
        if (img->code_type == IGD_ROM_CODE_X86 && (img->class_code >> 16) == 0x03)
            return TRUE;
    }
    return FALSE;
}

gboolean
igd_rom_has_efi_gop(const IgdRom *rom)
{
    for (guint i = 0; i < rom->images->len; i++) {
        const IgdRomImage *img = &g_array_index(rom->images, IgdRomImage, i);
        if (img->code_type == IGD_ROM_CODE_EFI && img->efi_subsystem == IGD_ROM_EFI_BOOT_SERVICE_DRIVER)
            return TRUE;
    }
    return FALSE;
}

const char *
igd_rom_code_type_name(guint8 code_type)
{
    switch (code_type) {
    case IGD_ROM_CODE_X86: return "x86";
    case IGD_ROM_CODE_OPENFIRMWARE: return "openfirmware";
    case IGD_ROM_CODE_PARISC: return "pa-risc";
    case IGD_ROM_CODE_EFI: return "efi";
    default: return "unknown";
    }
}
