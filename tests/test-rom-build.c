/*
 * test-rom-build.c: igd-rom-build.c, the option ROM `igd-assign rom build`
 * writes. The EFI drivers are minimal PE32/PE32+ images made here; the legacy
 * image is tests/data/rom/igd-x86-only.rom (built from the PCI Firmware
 * Specification layout, see its README). Every ROM built is read back twice:
 * with the project's igd_rom_parse(), and with an independent reader below
 * that takes its offsets from the EDK2 and SeaBIOS sources, not from
 * igd-rom.h.
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-rom-build.h"
#include "igd-test.h"

/* ------------------------------------------------------------------ PE images made by hand */

/*
 * A minimal EFI image, from the PE/COFF layout of
 * MdePkg/Include/IndustryStandard/PeImage.h (edk2-stable202605): the DOS
 * header's e_magic "MZ" at 0 and e_lfanew (u32) at 0x3C; at e_lfanew "PE\0\0",
 * then EFI_IMAGE_FILE_HEADER (20 bytes: Machine at +0x04 from e_lfanew,
 * SizeOfOptionalHeader at +0x14), then the optional header at +0x18: Magic
 * (0x10b PE32, 0x20b PE32+) at its 0, Subsystem at its 0x44 in both layouts
 * (PE32: 28 bytes of standard fields + ImageBase 4 + 9 words + SizeOfImage,
 * SizeOfHeaders, CheckSum = 68; PE32+: BaseOfData gone, ImageBase 8: 68).
 * Everything else is a counting pattern, so the test can find the image in
 * the ROM byte for byte.
 */
#define PE_LFANEW 0x80

static GBytes *
make_pe(gsize size, gboolean plus, guint16 machine, guint16 subsystem)
{
    guint8 *p = g_malloc(size);
    guint8 *opt = p + PE_LFANEW + 0x18;

    g_assert_cmpuint(size, >=, PE_LFANEW + 0x18 + 0xF0);
    for (gsize i = 0; i < size; i++)
        p[i] = (guint8)(i * 7 + 3);
    memset(p, 0, PE_LFANEW + 0x18 + 0xF0);
    p[0] = 'M';
    p[1] = 'Z';
    p[0x3C] = PE_LFANEW;
    memcpy(p + PE_LFANEW, "PE\0\0", 4);
    p[PE_LFANEW + 0x04] = machine & 0xff;
    p[PE_LFANEW + 0x05] = machine >> 8;
    p[PE_LFANEW + 0x14] = plus ? 0xF0 : 0xE0; /* SizeOfOptionalHeader: 112 + 16 directories × 8, PE32 96 + 128 */
    opt[0] = plus ? 0x0b : 0x0b;
    opt[1] = plus ? 0x02 : 0x01;
    opt[0x44] = subsystem & 0xff;
    opt[0x45] = subsystem >> 8;
    return g_bytes_new_take(p, size);
}

/* ------------------------------------------------------------------ the independent reader */

static guint
rd16(const guint8 *p)
{
    return p[0] | (p[1] << 8);
}

static guint32
rd32(const guint8 *p)
{
    return (guint32)p[0] | ((guint32)p[1] << 8) | ((guint32)p[2] << 16) | ((guint32)p[3] << 24);
}

typedef struct {
    gsize offset, length;   /* ImageLength × 512 */
    guint vendor, device;
    guint32 class_code;
    guint code_type;
    gboolean last;
    /* EFI images */
    guint init_units, subsystem, machine, compression, image_offset;
    gboolean reserved_zero;
    /* legacy images */
    guint size512;
    gboolean sums_to_zero;
} ReadImage;

/*
 * Walk @rom as EDK2's PciBusDxe and SeaBIOS do, field offsets as the headers
 * have them:
 *  - MdePkg/Include/IndustryStandard/Pci22.h (pack(1)), EFI_PCI_EXPANSION_ROM_HEADER:
 *    Signature u16 @0x00 (0xaa55), InitializationSize u16 @0x02, EfiSignature
 *    u32 @0x04 (0x0EF1), EfiSubsystem u16 @0x08, EfiMachineType u16 @0x0A,
 *    CompressionType u16 @0x0C, Reserved[8] @0x0E, EfiImageHeaderOffset u16
 *    @0x16, PcirOffset u16 @0x18; PCI_EXPANSION_ROM_HEADER: Size512 is a u8
 *    @0x02 (SeaBIOS src/std/optionrom.h struct rom_header: signature, size, ...,
 *    pcioffset @0x18);
 *  - MdePkg/Include/IndustryStandard/Pci30.h, PCI_3_0_DATA_STRUCTURE: "PCIR"
 *    @0, VendorId @4, DeviceId @6, DeviceListOffset @8, Length @0x0A,
 *    Revision @0x0C, ClassCode[3] @0x0D, ImageLength @0x10, CodeRevision
 *    @0x12, CodeType @0x14, Indicator @0x15, MaxRuntimeImageLength @0x16,
 *    ConfigUtilityCodeHeaderOffset @0x18, DMTFCLPEntryPointOffset @0x1A;
 *  - PciOptionRomSupport.c: stop at a PcirOffset that is 0 or not DWORD-aligned,
 *    step by ImageLength × 512, end at Indicator bit 7;
 *  - SeaBIOS src/optionroms.c is_valid_rom(): a CodeType-0 image's Size512 × 512
 *    bytes sum to 0.
 * Returns the images; fails the test on anything malformed.
 */
static GArray *
read_rom(GBytes *bytes)
{
    gsize len = 0;
    const guint8 *rom = g_bytes_get_data(bytes, &len);
    GArray *images = g_array_new(FALSE, TRUE, sizeof(ReadImage));
    gsize off = 0;

    for (;;) {
        const guint8 *p = rom + off;
        const guint8 *pcir;
        ReadImage im = { 0 };
        guint pcir_off;

        g_assert_cmpuint(off + 0x1A, <=, len);
        g_assert_cmphex(rd16(p), ==, 0xaa55);
        pcir_off = rd16(p + 0x18);
        g_assert_cmpuint(pcir_off, !=, 0);
        g_assert_cmpuint(pcir_off & 3, ==, 0);
        g_assert_cmpuint(off + pcir_off + 0x1C, <=, len);
        pcir = p + pcir_off;
        g_assert_cmpmem(pcir, 4, "PCIR", 4);
        im.offset = off;
        im.vendor = rd16(pcir + 4);
        im.device = rd16(pcir + 6);
        im.class_code = pcir[0x0D] | (pcir[0x0E] << 8) | ((guint32)pcir[0x0F] << 16);
        im.length = (gsize)rd16(pcir + 0x10) * 512;
        im.code_type = pcir[0x14];
        im.last = (pcir[0x15] & 0x80) != 0;
        g_assert_cmpuint(im.length, >, 0);
        g_assert_cmpuint(off + im.length, <=, len);
        if (im.code_type == 3) {
            g_assert_cmphex(rd32(p + 0x04), ==, 0x0EF1);
            im.init_units = rd16(p + 0x02);
            im.subsystem = rd16(p + 0x08);
            im.machine = rd16(p + 0x0A);
            im.compression = rd16(p + 0x0C);
            im.reserved_zero = TRUE;
            for (guint i = 0; i < 8; i++)
                im.reserved_zero = im.reserved_zero && p[0x0E + i] == 0;
            im.image_offset = rd16(p + 0x16);
            /* what EfiRom writes in PCI 3.0 mode, one device id */
            g_assert_cmpuint(rd16(pcir + 0x08), ==, 0);    /* no device list */
            g_assert_cmpuint(rd16(pcir + 0x0A), ==, 0x1C); /* Length */
            g_assert_cmpuint(pcir[0x0C], ==, 3);           /* Revision */
            g_assert_cmpuint(rd16(pcir + 0x12), ==, 0);    /* CodeRevision */
            g_assert_cmpuint(rd16(pcir + 0x16), ==, 0);
            g_assert_cmpuint(rd16(pcir + 0x18), ==, 0);
            g_assert_cmpuint(rd16(pcir + 0x1A), ==, 0);
        } else if (im.code_type == 0) {
            guint8 sum = 0;
            im.size512 = p[0x02];
            g_assert_cmpuint(off + im.size512 * 512, <=, len);
            for (gsize i = 0; i < im.size512 * 512u; i++)
                sum += p[i];
            im.sums_to_zero = sum == 0;
        }
        g_array_append_val(images, im);
        if (im.last)
            break;
        off += im.length;
    }
    return images;
}

/* ------------------------------------------------------------------ tests */

static GBytes *
load_rom(const char *name)
{
    g_autofree char *rel = g_strdup_printf("data/rom/%s", name);
    g_autofree char *path = igd_test_srcpath(rel);
    return igd_test_load(path);
}

/* The bytes of PE @pe sit at EfiImageHeaderOffset of image @im and end at its end; 0xFF before them. */
static void
assert_pe_placed(GBytes *rom_bytes, const ReadImage *im, GBytes *pe)
{
    gsize rom_len = 0, pe_len = 0;
    const guint8 *rom = g_bytes_get_data(rom_bytes, &rom_len);
    const guint8 *pb = g_bytes_get_data(pe, &pe_len);

    /* InitializationSize = ImageLength = ceil((0x38 + PE size) / 512) (EfiRom ProcessEfiFile(), uncompressed) */
    g_assert_cmpuint(im->init_units, ==, (0x38 + pe_len + 511) / 512);
    g_assert_cmpuint(im->length, ==, im->init_units * 512u);
    /* the padding goes before the image, so it ends at the boundary: offset = length − PE size */
    g_assert_cmpuint(im->image_offset, ==, im->length - pe_len);
    g_assert_cmpuint(im->image_offset, >=, 0x38);
    g_assert_cmpmem(rom + im->offset + im->image_offset, pe_len, pb, pe_len);
    for (gsize i = 0x38; i < im->image_offset; i++)
        g_assert_cmphex(rom[im->offset + i], ==, 0xff);
    /* the two zero bytes between the header (0x1A) and the PCIR (0x1C) */
    g_assert_cmphex(rom[im->offset + 0x1A], ==, 0);
    g_assert_cmphex(rom[im->offset + 0x1B], ==, 0);
}

/* igd_rom_parse() sees the same chain as the independent reader. */
static void
assert_parse_agrees(GBytes *rom_bytes, GArray *read)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdRom) rom = igd_rom_parse(rom_bytes, &error);

    g_assert_no_error(error);
    g_assert_cmpuint(igd_rom_get_n_images(rom), ==, read->len);
    for (guint i = 0; i < read->len; i++) {
        const IgdRomImage *a = igd_rom_get_image(rom, i);
        const ReadImage *b = &g_array_index(read, ReadImage, i);
        g_assert_cmpuint(a->offset, ==, b->offset);
        g_assert_cmpuint(a->length, ==, b->length);
        g_assert_cmphex(a->vendor_id, ==, b->vendor);
        g_assert_cmphex(a->device_id, ==, b->device);
        g_assert_cmphex(a->class_code, ==, b->class_code);
        g_assert_cmpuint(a->code_type, ==, b->code_type);
        g_assert_cmpint(a->last, ==, b->last);
        if (b->code_type == 3)
            g_assert_cmpuint(a->efi_subsystem, ==, b->subsystem);
        else
            g_assert_cmpint(a->checksum_ok, ==, b->sums_to_zero);
    }
}

/* Three UEFI drivers for 8086:1916 (the IdeaPad's IGD), a VGA device: class 0x030000. */
static void
test_efi_only(void)
{
    g_autoptr(IgdRomBuilder) b = igd_rom_builder_new(0x8086, 0x1916, 0x030000);
    g_autoptr(GBytes) pe1 = make_pe(1000, TRUE, 0x8664, 11);  /* 0x38 + 1000 = 1056 → 3 units, 480 bytes of pad */
    g_autoptr(GBytes) pe2 = make_pe(512 - 0x38, TRUE, 0x8664, 12); /* exactly one unit: no pad */
    g_autoptr(GBytes) pe3 = make_pe(5000, FALSE, 0x8664, 11); /* PE32: 0x38 + 5000 = 5056 → 10 units */
    g_autoptr(GBytes) rom = NULL;
    g_autoptr(GArray) read = NULL;
    g_autoptr(GError) error = NULL;
    GBytes *pes[] = { pe1, pe2, pe3 };
    const guint units[] = { 3, 1, 10 };
    const guint subsys[] = { 11, 12, 11 };
    gsize off = 0;

    for (guint i = 0; i < G_N_ELEMENTS(pes); i++)
        g_assert_true(igd_rom_builder_add_efi(b, "driver.efi", pes[i], &error));
    g_assert_no_error(error);
    rom = igd_rom_builder_build(b, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(igd_rom_builder_get_notes(b)->len, ==, 0);
    g_assert_cmpuint(g_bytes_get_size(rom), ==, (3 + 1 + 10) * 512);
    read = read_rom(rom);
    g_assert_cmpuint(read->len, ==, 3);
    for (guint i = 0; i < read->len; i++) {
        const ReadImage *im = &g_array_index(read, ReadImage, i);

        g_assert_cmpuint(im->offset, ==, off);
        g_assert_cmpuint(im->offset % 512, ==, 0);
        g_assert_cmpuint(im->length, ==, units[i] * 512);
        g_assert_cmphex(im->vendor, ==, 0x8086);
        g_assert_cmphex(im->device, ==, 0x1916);
        g_assert_cmphex(im->class_code, ==, 0x030000);
        g_assert_cmpuint(im->code_type, ==, 3);
        g_assert_cmpint(im->last, ==, i == 2); /* only the final image */
        g_assert_cmpuint(im->subsystem, ==, subsys[i]);
        g_assert_cmphex(im->machine, ==, 0x8664);
        g_assert_cmpuint(im->compression, ==, 0);
        g_assert_true(im->reserved_zero);
        assert_pe_placed(rom, im, pes[i]);
        off += im->length;
    }
    g_assert_cmpuint(g_array_index(read, ReadImage, 1).image_offset, ==, 0x38);
    assert_parse_agrees(rom, read);
    {
        g_autoptr(IgdRom) parsed = igd_rom_parse(rom, NULL);
        g_assert_true(igd_rom_has_efi_gop(parsed));
        g_assert_false(igd_rom_has_legacy(parsed));
    }
}

/*
 * The VBIOS first: tests/data/rom/igd-x86-only.rom (1024 bytes, PCIR at 0x40,
 * 8086:1912, class 0x030000, last) for 8086:3e92 as a non-VGA display
 * controller (class 0x038000): the copy carries the new ids and class, is no
 * longer last, its size byte is its PCIR length (2) and its 1024 bytes sum
 * to 0; every other byte but the checksum is the file's.
 */
static void
test_legacy_first(void)
{
    g_autoptr(IgdRomBuilder) b = igd_rom_builder_new(0x8086, 0x3e92, 0x038000);
    g_autoptr(GBytes) vbios = load_rom("igd-x86-only.rom");
    g_autoptr(GBytes) pe = make_pe(3000, TRUE, 0x8664, 11);
    g_autoptr(GBytes) rom = NULL;
    g_autoptr(GArray) read = NULL;
    g_autoptr(GError) error = NULL;
    const guint8 *in = g_bytes_get_data(vbios, NULL);
    const guint8 *out;
    const ReadImage *x86, *efi;

    g_assert_true(igd_rom_builder_set_legacy(b, "vbios.bin", vbios, &error));
    g_assert_true(igd_rom_builder_add_efi(b, "gop.efi", pe, &error));
    g_assert_no_error(error);
    rom = igd_rom_builder_build(b, &error);
    g_assert_no_error(error);
    out = g_bytes_get_data(rom, NULL);
    read = read_rom(rom);
    g_assert_cmpuint(read->len, ==, 2);
    x86 = &g_array_index(read, ReadImage, 0);
    efi = &g_array_index(read, ReadImage, 1);
    g_assert_cmpuint(x86->code_type, ==, 0);
    g_assert_cmpuint(x86->offset, ==, 0);
    g_assert_cmpuint(x86->length, ==, 1024);
    g_assert_cmpuint(x86->size512, ==, 2);
    g_assert_true(x86->sums_to_zero);
    g_assert_false(x86->last);
    g_assert_cmphex(x86->vendor, ==, 0x8086);
    g_assert_cmphex(x86->device, ==, 0x3e92);
    g_assert_cmphex(x86->class_code, ==, 0x038000);
    for (gsize i = 0; i < 1023; i++) {
        if (i >= 0x40 + 4 && i < 0x40 + 8)
            continue; /* vendor, device */
        if (i >= 0x40 + 0x0D && i < 0x40 + 0x10)
            continue; /* class */
        if (i == 0x40 + 0x15)
            continue; /* indicator */
        g_assert_cmphex(out[i], ==, in[i]);
    }
    g_assert_cmpuint(efi->offset, ==, 1024);
    g_assert_cmpuint(efi->code_type, ==, 3);
    g_assert_true(efi->last);
    g_assert_cmphex(efi->device, ==, 0x3e92);
    g_assert_cmphex(efi->class_code, ==, 0x038000);
    assert_pe_placed(rom, efi, pe);
    assert_parse_agrees(rom, read);
    {
        g_autoptr(IgdRom) parsed = igd_rom_parse(rom, NULL);
        g_assert_true(igd_rom_has_legacy(parsed));
        g_assert_true(igd_rom_has_efi_gop(parsed));
        g_assert_true(igd_rom_get_image(parsed, 0)->checksum_ok);
    }
}

/* A whole device ROM as --legacy (x86 + EFI + 0xFF padding): only its x86 image is taken, with a note. */
static void
test_legacy_from_chain(void)
{
    g_autoptr(IgdRomBuilder) b = igd_rom_builder_new(0x8086, 0x1912, 0x030000);
    g_autoptr(GBytes) chain = load_rom("igd-x86-efi.rom");
    g_autoptr(GBytes) pe = make_pe(600, TRUE, 0x8664, 11);
    g_autoptr(GBytes) rom = NULL;
    g_autoptr(GArray) read = NULL;
    g_autoptr(GError) error = NULL;
    GPtrArray *notes;

    g_assert_true(igd_rom_builder_set_legacy(b, "dump.rom", chain, &error));
    g_assert_true(igd_rom_builder_add_efi(b, "a.efi", pe, &error));
    rom = igd_rom_builder_build(b, &error);
    g_assert_no_error(error);
    notes = igd_rom_builder_get_notes(b);
    g_assert_cmpuint(notes->len, ==, 1);
    g_assert_nonnull(strstr(notes->pdata[0], "dump.rom: only its first image (x86, 1024 bytes) is taken; 3072 bytes"));
    read = read_rom(rom);
    g_assert_cmpuint(read->len, ==, 2);
    g_assert_cmpuint(g_array_index(read, ReadImage, 1).offset, ==, 1024);
    g_assert_cmpuint(g_bytes_get_size(rom), ==, 1024 + 2 * 512);
    assert_parse_agrees(rom, read);
    /* a second legacy image is refused */
    g_assert_false(igd_rom_builder_set_legacy(b, "again.rom", chain, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_USAGE);
}

/* Only a legacy image: it is the last. */
static void
test_legacy_only(void)
{
    g_autoptr(IgdRomBuilder) b = igd_rom_builder_new(0x8086, 0x0102, 0x030000);
    g_autoptr(GBytes) vbios = load_rom("igd-x86-only.rom");
    g_autoptr(GBytes) rom = NULL;
    g_autoptr(GArray) read = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true(igd_rom_builder_set_legacy(b, "vbios.bin", vbios, &error));
    rom = igd_rom_builder_build(b, &error);
    g_assert_no_error(error);
    read = read_rom(rom);
    g_assert_cmpuint(read->len, ==, 1);
    g_assert_true(g_array_index(read, ReadImage, 0).last);
    g_assert_true(g_array_index(read, ReadImage, 0).sums_to_zero);
    g_assert_cmphex(g_array_index(read, ReadImage, 0).device, ==, 0x0102);
    assert_parse_agrees(rom, read);
    /* and nothing at all is refused */
    {
        g_autoptr(IgdRomBuilder) empty = igd_rom_builder_new(0x8086, 0x0102, 0x030000);
        g_autoptr(GError) e = NULL;
        g_assert_null(igd_rom_builder_build(empty, &e));
        g_assert_error(e, IGD_ERROR, IGD_ERROR_INVALID);
    }
}

/* An EFI application and a foreign machine type are taken, with a note each (OVMF would start neither). */
static void
test_notes(void)
{
    g_autoptr(IgdRomBuilder) b = igd_rom_builder_new(0x8086, 0x1916, 0x030000);
    g_autoptr(GBytes) app = make_pe(800, TRUE, 0x8664, 10);
    g_autoptr(GBytes) ia32 = make_pe(800, FALSE, 0x014c, 11);
    g_autoptr(GBytes) arm = make_pe(800, TRUE, 0xAA64, 12);
    g_autoptr(GBytes) rom = NULL;
    g_autoptr(GArray) read = NULL;
    GPtrArray *notes;

    g_assert_true(igd_rom_builder_add_efi(b, "app.efi", app, NULL));
    g_assert_true(igd_rom_builder_add_efi(b, "ia32.efi", ia32, NULL));
    g_assert_true(igd_rom_builder_add_efi(b, "arm.efi", arm, NULL));
    notes = igd_rom_builder_get_notes(b);
    g_assert_cmpuint(notes->len, ==, 3);
    g_assert_nonnull(strstr(notes->pdata[0], "app.efi: an EFI application (subsystem 10)"));
    g_assert_nonnull(strstr(notes->pdata[1], "ia32.efi: machine type 0x014c"));
    g_assert_nonnull(strstr(notes->pdata[2], "arm.efi: machine type 0xaa64"));
    rom = igd_rom_builder_build(b, NULL);
    read = read_rom(rom);
    g_assert_cmpuint(g_array_index(read, ReadImage, 0).subsystem, ==, 10);
    g_assert_cmphex(g_array_index(read, ReadImage, 1).machine, ==, 0x014c);
    g_assert_cmphex(g_array_index(read, ReadImage, 2).machine, ==, 0xaa64);
    assert_parse_agrees(rom, read);
}

/* Refused: everything that is not a PE32/PE32+ EFI image. */
static void
test_broken_pe(void)
{
    struct {
        const char *what;
        gsize offset; /* byte to change, G_MAXSIZE: truncate to @value bytes */
        guint value;
        const char *message;
    } cases[] = {
        { "truncated to 0", G_MAXSIZE, 0, "shorter than a DOS header" },
        { "truncated to 63", G_MAXSIZE, 63, "shorter than a DOS header" },
        { "truncated in the PE header", G_MAXSIZE, PE_LFANEW + 0x18 + 0x40, "outside the" },
        { "wrong DOS magic", 0, 'N', "no 'MZ'" },
        { "e_lfanew past the end", 0x3C + 1, 0x10, "e_lfanew 0x1080 puts the PE headers outside" },
        { "e_lfanew huge", 0x3C + 3, 0xff, "e_lfanew 0xff000080" },
        { "e_lfanew inside the DOS header", 0x3C, 0x20, "e_lfanew 0x20" },
        { "no PE signature", PE_LFANEW + 2, 'X', "no 'PE\\0\\0' signature" },
        { "optional header too short", PE_LFANEW + 0x14, 0x40, "has no Subsystem field" },
        { "optional magic 0x20c", PE_LFANEW + 0x18, 0x0c, "magic 0x020c" },
        { "PE32 magic 0x10b", PE_LFANEW + 0x19, 0x01, NULL }, /* valid: an EFI image all the same */
        { "subsystem 2 (Windows GUI)", PE_LFANEW + 0x18 + 0x44, 2, "subsystem 2 is not" },
        { "subsystem 0", PE_LFANEW + 0x18 + 0x44, 0, "subsystem 0 is not" },
        { "subsystem 13", PE_LFANEW + 0x18 + 0x44, 13, "subsystem 13 is not" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GBytes) good = make_pe(1024, TRUE, 0x8664, 11);
        g_autofree guint8 *p = g_memdup2(g_bytes_get_data(good, NULL), 1024);
        g_autoptr(GBytes) bad = NULL;
        g_autoptr(IgdRomBuilder) b = igd_rom_builder_new(0x8086, 0x1916, 0x030000);
        g_autoptr(GError) error = NULL;
        gsize len = 1024;
        gboolean ok;

        if (cases[i].offset == G_MAXSIZE)
            len = cases[i].value;
        else
            p[cases[i].offset] = (guint8)cases[i].value;
        bad = g_bytes_new(p, len);
        ok = igd_rom_builder_add_efi(b, "x.efi", bad, &error);
        g_test_message("%s: %s", cases[i].what, error ? error->message : "accepted");
        if (cases[i].message == NULL) {
            g_assert_true(ok);
            continue;
        }
        g_assert_false(ok);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_true(g_str_has_prefix(error->message, "x.efi: not an EFI image: "));
        g_assert_nonnull(strstr(error->message, cases[i].message));
    }
}

/* Refused legacy images: each a copy of tests/data/rom/igd-x86-only.rom (PCIR at 0x40) with one field broken. */
static void
test_broken_legacy(void)
{
    g_autoptr(GBytes) vbios = load_rom("igd-x86-only.rom");
    struct {
        const char *what;
        gsize offset;
        guint8 value;
        gsize len;
        const char *message;
    } cases[] = {
        { "no 55 AA", 1, 0xAB, 1024, "no 0x55 0xAA header" },
        { "PCIR pointer 0", 0x18, 0x00, 1024, "no 'PCIR' data structure at its pointer 0x0" },
        { "PCIR pointer past the end", 0x19, 0x10, 1024, "at its pointer 0x1040" },
        { "no PCIR signature", 0x40, 'X', 1024, "no 'PCIR'" },
        { "code type EFI", 0x40 + 0x14, 3, 1024, "code type 3 (efi), not x86" },
        { "image length 0", 0x40 + 0x10, 0, 1024, "PCIR image length 0" },
        { "image length past the file", 0x40 + 0x10, 3, 1024, "PCIR image length 3 × 512 does not fit" },
        { "truncated", 0, 0x55, 512, "does not fit the 512-byte file" },
        { "truncated header", 0, 0x55, 0x19, "no 0x55 0xAA header" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree guint8 *p = g_memdup2(g_bytes_get_data(vbios, NULL), 1024);
        g_autoptr(GBytes) bad = NULL;
        g_autoptr(IgdRomBuilder) b = igd_rom_builder_new(0x8086, 0x1916, 0x030000);
        g_autoptr(GError) error = NULL;

        p[cases[i].offset] = cases[i].value;
        bad = g_bytes_new(p, cases[i].len);
        g_assert_false(igd_rom_builder_set_legacy(b, "v.bin", bad, &error));
        g_test_message("%s: %s", cases[i].what, error->message);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_nonnull(strstr(error->message, cases[i].message));
    }
    /* a PCIR pointer that is not DWORD-aligned: the structure moved to 0x42 (EDK2's walk would stop there) */
    {
        g_autofree guint8 *p = g_memdup2(g_bytes_get_data(vbios, NULL), 1024);
        g_autoptr(GBytes) bad = NULL;
        g_autoptr(IgdRomBuilder) b = igd_rom_builder_new(0x8086, 0x1916, 0x030000);
        g_autoptr(GError) error = NULL;

        memmove(p + 0x42, p + 0x40, 0x1C);
        p[0x18] = 0x42;
        bad = g_bytes_new(p, 1024);
        g_assert_false(igd_rom_builder_set_legacy(b, "v.bin", bad, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_nonnull(strstr(error->message, "PCIR pointer 0x42 is not DWORD-aligned"));
    }
    /* 256 units: more than the size byte can say (255 × 512) */
    {
        gsize len = 256 * 512;
        g_autofree guint8 *p = g_malloc0(len);
        g_autoptr(GBytes) bad = NULL;
        g_autoptr(IgdRomBuilder) b = igd_rom_builder_new(0x8086, 0x1916, 0x030000);
        g_autoptr(GError) error = NULL;

        memcpy(p, g_bytes_get_data(vbios, NULL), 1024);
        p[0x40 + 0x10] = 0x00;
        p[0x40 + 0x11] = 0x01;
        bad = g_bytes_new(p, len);
        g_assert_false(igd_rom_builder_set_legacy(b, "big.bin", bad, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_nonnull(strstr(error->message, "131072 bytes"));
        /* 255 units are fine */
        p[0x40 + 0x10] = 0xff;
        p[0x40 + 0x11] = 0x00;
        g_clear_error(&error);
        g_clear_pointer(&bad, g_bytes_unref);
        bad = g_bytes_new(p, len);
        g_assert_true(igd_rom_builder_set_legacy(b, "big.bin", bad, &error));
        g_assert_no_error(error);
    }
}

/* The whole ROM is at most 16 MiB (EfiRom MAX_OPTION_ROM_SIZE). */
static void
test_limit(void)
{
    g_autoptr(IgdRomBuilder) b = igd_rom_builder_new(0x8086, 0x1916, 0x030000);
    g_autoptr(GBytes) big = make_pe(9u << 20, TRUE, 0x8664, 11);
    g_autoptr(GBytes) fit = make_pe((7u << 20) - 512 - 0x38, TRUE, 0x8664, 11);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) rom = NULL;

    g_assert_true(igd_rom_builder_add_efi(b, "big.efi", big, &error));
    g_assert_false(igd_rom_builder_add_efi(b, "big2.efi", big, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, "big2.efi: the ROM would be"));
    g_clear_error(&error);
    /* what still fits is taken: 9 MiB + 512 + (7 MiB − 512) = 16 MiB exactly */
    g_assert_true(igd_rom_builder_add_efi(b, "fit.efi", fit, &error));
    rom = igd_rom_builder_build(b, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(rom), ==, IGD_ROM_BUILD_MAX);
    {
        g_autoptr(GArray) read = read_rom(rom);
        g_assert_cmpuint(read->len, ==, 2);
        assert_parse_agrees(rom, read);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rom-build/efi-only", test_efi_only);
    g_test_add_func("/rom-build/legacy-first", test_legacy_first);
    g_test_add_func("/rom-build/legacy-from-chain", test_legacy_from_chain);
    g_test_add_func("/rom-build/legacy-only", test_legacy_only);
    g_test_add_func("/rom-build/notes", test_notes);
    g_test_add_func("/rom-build/broken/pe", test_broken_pe);
    g_test_add_func("/rom-build/broken/legacy", test_broken_legacy);
    g_test_add_func("/rom-build/limit", test_limit);
    return g_test_run();
}
