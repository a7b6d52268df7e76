/*
 * fuzz-rom.c: igd_rom_parse() on any bytes (the device's ROM BAR or a
 * user's --romfile).
 *
 * Properties of a parse that succeeds: 1 to IGD_ROM_MAX_IMAGES images, each
 * inside the bytes given, in ascending order without overlap, only the last
 * one (if any) marked last; legacy/EFI answers agree with the image list.
 */
#include "config.h"

#include "fuzz.h"
#include "igd-rom.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GBytes) bytes = g_bytes_new(data, size);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdRom) rom = NULL;
    guint n;
    gboolean legacy = FALSE, gop = FALSE;
    gsize end = 0;

    fuzz_setup();
    rom = igd_rom_parse(bytes, &error);
    FUZZ_CHECK((rom == NULL) == (error != NULL), "NULL without error, or error with a result");
    if (rom == NULL)
        return 0;
    n = igd_rom_get_n_images(rom);
    FUZZ_CHECK(n >= 1 && n <= IGD_ROM_MAX_IMAGES, "%u images", n);
    for (guint i = 0; i < n; i++) {
        const IgdRomImage *im = igd_rom_get_image(rom, i);

        FUZZ_CHECK(im->offset >= end, "image %u at 0x%zx overlaps the one before (ends 0x%zx)", i, im->offset, end);
        FUZZ_CHECK(im->offset < size && im->length <= size - im->offset, "image %u (0x%zx + 0x%zx) outside %zu bytes",
                   i, im->offset, im->length, size);
        FUZZ_CHECK(im->length > 0 && im->length % IGD_ROM_IMAGE_UNIT == 0, "image %u length 0x%zx", i, im->length);
        FUZZ_CHECK(!im->last || i == n - 1, "image %u is marked last but %u follow", i, n - 1 - i);
        FUZZ_CHECK(im->class_code <= 0xffffff, "class code 0x%x", im->class_code);
        FUZZ_CHECK(igd_rom_code_type_name(im->code_type) != NULL, "no code type name");
        end = im->offset + im->length;
        legacy = legacy || (im->code_type == IGD_ROM_CODE_X86 && (im->class_code >> 16) == 0x03);
        gop = gop || (im->code_type == IGD_ROM_CODE_EFI && im->efi_subsystem == IGD_ROM_EFI_BOOT_SERVICE_DRIVER);
    }
    FUZZ_CHECK(legacy == igd_rom_has_legacy(rom), "has_legacy disagrees with the images");
    FUZZ_CHECK(gop == igd_rom_has_efi_gop(rom), "has_efi_gop disagrees with the images");
    return 0;
}
