/*
 * test-rom.c: the option-ROM image-chain walker on the built test ROMs of
 * tests/data/rom/ (see README.md there: built from the PCI Firmware
 * Specification layout, not captured) and on broken chains.
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-rom.h"
#include "igd-test.h"

static GBytes *
load_rom(const char *name)
{
    g_autofree char *rel = g_strdup_printf("data/rom/%s", name);
    g_autofree char *path = igd_test_srcpath(rel);
    return igd_test_load(path);
}

static void
fix_x86_checksum(guint8 *img, gsize len)
{
    guint8 sum = 0;

    for (gsize i = 0; i + 1 < len; i++)
        sum += img[i];
    img[len - 1] = (guint8)(0x100 - sum);
}

/*
 * Layout of the built ROMs (make-roms.py): x86 image 1024 bytes, PCIR at 0x40;
 * EFI image 1024 bytes, PCIR at 0x1C; PCIR image length 2 (× 512).
 */
#define X86_PCIR 0x40
#define EFI_PCIR 0x1C

static void
test_x86_efi(void)
{
    g_autoptr(GBytes) bytes = load_rom("igd-x86-efi.rom");
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdRom) rom = igd_rom_parse(bytes, &error);
    const IgdRomImage *a, *b;

    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(bytes), ==, 4096); /* trailing 0xff padding ignored */
    g_assert_cmpuint(igd_rom_get_n_images(rom), ==, 2);
    a = igd_rom_get_image(rom, 0);
    b = igd_rom_get_image(rom, 1);
    g_assert_cmpuint(a->offset, ==, 0);
    g_assert_cmpuint(a->length, ==, 1024);
    g_assert_cmphex(a->vendor_id, ==, 0x8086);
    g_assert_cmphex(a->device_id, ==, 0x1912);
    g_assert_cmphex(a->class_code, ==, 0x030000);
    g_assert_cmpuint(a->code_type, ==, 0);
    g_assert_cmpuint(a->efi_subsystem, ==, 0);
    g_assert_false(a->last);
    g_assert_true(a->checksum_ok);
    g_assert_cmpuint(b->offset, ==, 1024);
    g_assert_cmpuint(b->length, ==, 1024);
    g_assert_cmphex(b->device_id, ==, 0x1912);
    g_assert_cmpuint(b->code_type, ==, 3);
    g_assert_cmpuint(b->efi_subsystem, ==, 11);
    g_assert_true(b->last);
    g_assert_true(igd_rom_has_legacy(rom));
    g_assert_true(igd_rom_has_efi_gop(rom));
    g_assert_cmpstr(igd_rom_code_type_name(a->code_type), ==, "x86");
    g_assert_cmpstr(igd_rom_code_type_name(b->code_type), ==, "efi");
}

static void
test_single(void)
{
    g_autoptr(GBytes) x86 = load_rom("igd-x86-only.rom");
    g_autoptr(GBytes) efi = load_rom("igd-efi-only.rom");
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdRom) rx = igd_rom_parse(x86, &error);
    g_autoptr(IgdRom) re = NULL;

    g_assert_no_error(error);
    g_assert_cmpuint(igd_rom_get_n_images(rx), ==, 1);
    g_assert_true(igd_rom_has_legacy(rx));
    g_assert_false(igd_rom_has_efi_gop(rx));
    re = igd_rom_parse(efi, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(igd_rom_get_n_images(re), ==, 1);
    g_assert_false(igd_rom_has_legacy(re));
    g_assert_true(igd_rom_has_efi_gop(re));
}

static void
test_names(void)
{
    g_assert_cmpstr(igd_rom_code_type_name(0), ==, "x86");
    g_assert_cmpstr(igd_rom_code_type_name(1), ==, "openfirmware");
    g_assert_cmpstr(igd_rom_code_type_name(2), ==, "pa-risc");
    g_assert_cmpstr(igd_rom_code_type_name(3), ==, "efi");
    g_assert_cmpstr(igd_rom_code_type_name(4), ==, "unknown");
    g_assert_cmpstr(igd_rom_code_type_name(0xff), ==, "unknown");
}

/* Valid chains with a twist: bad x86 checksum (reported, not an error), an EFI application, a non-display class. */
static void
test_variants(void)
{
    g_autoptr(GBytes) orig = load_rom("igd-x86-efi.rom");
    gsize len = g_bytes_get_size(orig);

    {
        g_autofree guint8 *b = g_memdup2(g_bytes_get_data(orig, NULL), len);
        g_autoptr(GBytes) bytes = NULL;
        g_autoptr(IgdRom) rom = NULL;

        b[0x100] ^= 0x01;
        bytes = g_bytes_new(b, len);
        rom = igd_rom_parse(bytes, NULL);
        g_assert_nonnull(rom);
        g_assert_false(igd_rom_get_image(rom, 0)->checksum_ok);
        g_assert_true(igd_rom_has_legacy(rom));
    }
    {
        g_autofree guint8 *b = g_memdup2(g_bytes_get_data(orig, NULL), len);
        g_autoptr(GBytes) bytes = NULL;
        g_autoptr(IgdRom) rom = NULL;

        igd_put_le16(b + 1024 + IGD_ROM_EFI_SUBSYSTEM_OFFSET, 10); /* EFI application */
        bytes = g_bytes_new(b, len);
        rom = igd_rom_parse(bytes, NULL);
        g_assert_nonnull(rom);
        g_assert_cmpuint(igd_rom_get_image(rom, 1)->efi_subsystem, ==, 10);
        g_assert_false(igd_rom_has_efi_gop(rom));
    }
    {
        g_autofree guint8 *b = g_memdup2(g_bytes_get_data(orig, NULL), len);
        g_autoptr(GBytes) bytes = NULL;
        g_autoptr(IgdRom) rom = NULL;

        b[X86_PCIR + IGD_PCIR_CLASS_OFFSET + 2] = 0x02; /* base class: network */
        fix_x86_checksum(b, 1024);
        bytes = g_bytes_new(b, len);
        rom = igd_rom_parse(bytes, NULL);
        g_assert_nonnull(rom);
        g_assert_cmphex(igd_rom_get_image(rom, 0)->class_code, ==, 0x020000);
        g_assert_true(igd_rom_get_image(rom, 0)->checksum_ok);
        g_assert_false(igd_rom_has_legacy(rom));
    }
}

/*
 * The x86 checksum covers what SeaBIOS sums: src/optionroms.c is_valid_rom()
 * (coreboot/seabios rel-1.16.2, unchanged at 41514a7, lines 74-84):
 * "if (! rom->size) return 0; u32 len = rom->size * 512; u8 sum =
 * checksum(rom, len); if (sum != 0) { ... if (EnforceChecksum) return 0;",
 * rom->size being the u8 at offset 2 (src/std/optionrom.h), not the PCIR
 * image length. Built ROM: x86 image of 1024 bytes (PCIR length 2), size
 * byte 2 (tests/data/rom/make-roms.py).
 */
static void
test_checksum_length(void)
{
    g_autoptr(GBytes) orig = load_rom("igd-x86-efi.rom");
    gsize len = g_bytes_get_size(orig);
    static const struct { guint8 size; gboolean fix_512, fix_1024; gboolean ok; } cases[] = {
        { 1, TRUE, FALSE, TRUE },   /* sums 512 bytes to 0, the 1024 of the PCIR length do not */
        { 1, FALSE, TRUE, FALSE },  /* the reverse: SeaBIOS refuses it */
        { 2, FALSE, TRUE, TRUE },
        { 0, FALSE, TRUE, FALSE },  /* "if (! rom->size)" */
        { 9, FALSE, TRUE, FALSE },  /* 4608 bytes: past the 4096-byte ROM, cannot be summed */
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree guint8 *b = g_memdup2(g_bytes_get_data(orig, NULL), len);
        g_autoptr(GBytes) bytes = NULL;
        g_autoptr(IgdRom) rom = NULL;

        g_test_message("size byte %u", cases[i].size);
        b[IGD_ROM_INIT_SIZE_OFFSET] = cases[i].size;
        b[0x100] = 0x5a;   /* some byte inside the first 512 */
        b[0x300] = 0xa5;   /* and one after them */
        if (cases[i].fix_1024)
            fix_x86_checksum(b, 1024);
        if (cases[i].fix_512) {
            fix_x86_checksum(b, 512);
            b[0x3ff] = 0x77; /* keeps the 1024-byte sum off zero */
        }
        bytes = g_bytes_new(b, len);
        rom = igd_rom_parse(bytes, NULL);
        g_assert_nonnull(rom);
        g_assert_cmpuint(igd_rom_get_image(rom, 0)->length, ==, 1024);
        g_assert_cmpint(igd_rom_get_image(rom, 0)->checksum_ok, ==, cases[i].ok);
    }
}

/* ---- broken input ---- */

static void
expect_invalid(const guint8 *b, gsize len, const char *needle)
{
    g_autoptr(GBytes) bytes = g_bytes_new(b, len);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdRom) rom = igd_rom_parse(bytes, &error);

    g_assert_null(rom);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    if (strstr(error->message, needle) == NULL)
        g_error("error '%s' does not name '%s'", error->message, needle);
}

/* Every length short of the end of the last image fails; from there on it parses. */
static void
test_truncated(void)
{
    g_autoptr(GBytes) orig = load_rom("igd-x86-efi.rom");
    const guint8 *p = g_bytes_get_data(orig, NULL);

    for (gsize len = 0; len < 2048; len++) {
        g_autoptr(GBytes) b = g_bytes_new(p, len);
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdRom) rom = igd_rom_parse(b, &error);

        g_assert_null(rom);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_true(strstr(error->message, "ROM") != NULL);
    }
    for (gsize len = 2048; len <= 4096; len += 512) {
        g_autoptr(GBytes) b = g_bytes_new(p, len);
        g_autoptr(IgdRom) rom = igd_rom_parse(b, NULL);

        g_assert_nonnull(rom);
        g_assert_cmpuint(igd_rom_get_n_images(rom), ==, 2);
    }
}

static void
test_broken(void)
{
    g_autoptr(GBytes) orig = load_rom("igd-x86-efi.rom");
    g_autoptr(GBytes) single = load_rom("igd-x86-only.rom");
    const guint8 *o = g_bytes_get_data(orig, NULL);
    gsize len = g_bytes_get_size(orig);
    g_autofree guint8 *b = g_malloc(len);

#define RESET() memcpy(b, o, len)
    RESET(); b[0] = 0x00;
    expect_invalid(b, len, "signature 0xaa00");
    RESET(); b[1024 + 1] = 0x00;
    expect_invalid(b, len, "image at 0x400: signature");
    RESET(); igd_put_le16(b + IGD_ROM_PCIR_PTR_OFFSET, 0);
    expect_invalid(b, len, "PCIR pointer 0x0 outside");
    RESET(); igd_put_le16(b + IGD_ROM_PCIR_PTR_OFFSET, 0xFFF0);
    expect_invalid(b, len, "PCIR pointer 0xfff0 outside");
    /* PCIR inside the ROM but in the next image: outside its own 1024-byte image. */
    RESET(); memcpy(b + 0x500, o + X86_PCIR, 0x1C); igd_put_le16(b + IGD_ROM_PCIR_PTR_OFFSET, 0x500);
    expect_invalid(b, len, "PCIR structure at 0x500");
    RESET(); b[X86_PCIR] = 'X';
    expect_invalid(b, len, "no 'PCIR' signature");
    /* Zero length: the only way a chain could revisit an image (loop) is refused. */
    RESET(); igd_put_le16(b + X86_PCIR + IGD_PCIR_IMAGE_LENGTH_OFFSET, 0);
    expect_invalid(b, len, "image length is 0");
    RESET(); igd_put_le16(b + 1024 + EFI_PCIR + IGD_PCIR_IMAGE_LENGTH_OFFSET, 100);
    expect_invalid(b, len, "runs past the end");
    RESET(); igd_put_le16(b + X86_PCIR + IGD_PCIR_IMAGE_LENGTH_OFFSET, 0xFFFF);
    expect_invalid(b, len, "runs past the end");
    /* No last flag: the walk reaches the 0xff padding. */
    RESET(); b[1024 + EFI_PCIR + IGD_PCIR_INDICATOR_OFFSET] = 0;
    expect_invalid(b, len, "image at 0x800: signature 0xffff");
    RESET(); igd_put_le32(b + 1024 + IGD_ROM_EFI_SIGNATURE_OFFSET, 0x1234);
    expect_invalid(b, len, "EFI signature 0x1234");
#undef RESET

    {
        /* A single image without the last flag, ending exactly at the end of the data. */
        g_autofree guint8 *s = g_memdup2(g_bytes_get_data(single, NULL), 1024);

        s[X86_PCIR + IGD_PCIR_INDICATOR_OFFSET] = 0;
        fix_x86_checksum(s, 1024);
        expect_invalid(s, 1024, "without an image flagged last");
    }
}

/* 16 chained images parse; 17 without a last flag are refused. */
static void
test_max_images(void)
{
    g_autoptr(GBytes) single = load_rom("igd-x86-only.rom");
    g_autofree guint8 *img = g_memdup2(g_bytes_get_data(single, NULL), 1024);
    g_autofree guint8 *chain = g_malloc(17 * 1024);
    g_autoptr(GBytes) sixteen = NULL;
    g_autoptr(IgdRom) rom = NULL;

    img[X86_PCIR + IGD_PCIR_INDICATOR_OFFSET] = 0;
    fix_x86_checksum(img, 1024);
    for (guint i = 0; i < 17; i++)
        memcpy(chain + i * 1024, img, 1024);
    expect_invalid(chain, 17 * 1024, "more than 16 images");

    chain[15 * 1024 + X86_PCIR + IGD_PCIR_INDICATOR_OFFSET] = IGD_PCIR_INDICATOR_LAST;
    fix_x86_checksum(chain + 15 * 1024, 1024);
    sixteen = g_bytes_new(chain, 16 * 1024);
    rom = igd_rom_parse(sixteen, NULL);
    g_assert_nonnull(rom);
    g_assert_cmpuint(igd_rom_get_n_images(rom), ==, 16);
    g_assert_cmpuint(igd_rom_get_image(rom, 15)->offset, ==, 15 * 1024);
    g_assert_true(igd_rom_get_image(rom, 15)->checksum_ok);
}

/*
 * Random corruption (GLib test seed) of the header and PCIR fields of the
 * x86+EFI ROM: a ROM whose images all lie inside the data, in increasing
 * order, or IGD_ERROR_INVALID.
 */
static void
test_fuzz(void)
{
    g_autoptr(GBytes) orig = load_rom("igd-x86-efi.rom");
    gsize len = g_bytes_get_size(orig);
    static const gsize hot[] = { 0x00, 0x18, X86_PCIR, X86_PCIR + 0x10, 0x400, 0x404, 0x418, 0x400 + EFI_PCIR,
                                 0x400 + EFI_PCIR + 0x10 };
    guint ok = 0, bad = 0;

    for (guint iter = 0; iter < 3000; iter++) {
        g_autofree guint8 *buf = g_memdup2(g_bytes_get_data(orig, NULL), len);
        g_autoptr(GBytes) b = NULL;
        g_autoptr(IgdRom) rom = NULL;
        g_autoptr(GError) error = NULL;
        gsize cut = len;

        for (guint f = 0, n = g_test_rand_int_range(1, 4); f < n; f++) {
            gsize at = hot[g_test_rand_int_range(0, G_N_ELEMENTS(hot))] + g_test_rand_int_range(0, 8);
            buf[at] = (guint8)g_test_rand_int_range(0, 256);
        }
        if (g_test_rand_int_range(0, 8) == 0)
            cut = (gsize)g_test_rand_int_range(0, (gint32)len + 1);
        b = g_bytes_new(buf, cut);
        rom = igd_rom_parse(b, &error);
        if (rom == NULL) {
            g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
            bad++;
            continue;
        }
        ok++;
        for (guint i = 0; i < igd_rom_get_n_images(rom); i++) {
            const IgdRomImage *img = igd_rom_get_image(rom, i);
            g_assert_cmpuint(img->length, >, 0);
            g_assert_true(igd_range_ok(cut, img->offset, img->length));
            if (i > 0)
                g_assert_cmpuint(img->offset, >, igd_rom_get_image(rom, i - 1)->offset);
        }
        g_assert_true(igd_rom_get_image(rom, igd_rom_get_n_images(rom) - 1)->last);
    }
    g_test_message("fuzz: %u parsed, %u refused", ok, bad);
    g_assert_cmpuint(ok, >, 0);
    g_assert_cmpuint(bad, >, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/rom/x86-efi", test_x86_efi);
    g_test_add_func("/rom/single-image", test_single);
    g_test_add_func("/rom/code-type-names", test_names);
    g_test_add_func("/rom/variants", test_variants);
    g_test_add_func("/rom/checksum-length", test_checksum_length);
    g_test_add_func("/rom/broken/truncated", test_truncated);
    g_test_add_func("/rom/broken/fields", test_broken);
    g_test_add_func("/rom/broken/max-images", test_max_images);
    g_test_add_func("/rom/fuzz", test_fuzz);
    return g_test_run();
}
