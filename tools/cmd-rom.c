/*
 * cmd-rom.c: `igd-assign rom build -o FILE (--device PCI | --ids VVVV:DDDD)
 * --efi DRIVER.efi... [--legacy VBIOS.bin]`: a PCI option ROM for the IGD
 * as EDK2's EfiRom makes one (igd-rom-build.h), for UEFI guests:
 * IgdAssignmentDxe, PlatformGopPolicy, IntelGopDriver (docs/GUIDE.md). The
 * ROM is read back with igd_rom_parse() before it is written.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "igd-cli.h"
#include "igd-common.h"
#include "igd-json.h"
#include "igd-pci.h"
#include "igd-rom-build.h"

#define ROM_BUILD_ARGS "-o FILE (--device PCI|--ids VVVV:DDDD) --efi DRIVER.efi... [--legacy VBIOS.bin]"
#define CLASS_VGA      0x030000 /* display controller, VGA compatible: what --ids assumes */

static GPtrArray *opt_efi; /* char*, in command-line order */

static gboolean
opt_efi_cb(const char *name, const char *value, gpointer data, GError **error)
{
    g_ptr_array_add(opt_efi, g_strdup(value));
    return TRUE;
}

/*
 * `--efi A B C` (EfiRom's -e takes every following name) → `--efi=A --efi=B
 * --efi=C`, so GOption keeps their order. A name that starts with '-' is
 * given as --efi=NAME.
 */
static GPtrArray *
spread_efi(int argc, char **argv)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

    for (int i = 0; i < argc; i++) {
        if (g_str_equal(argv[i], "--efi")) {
            gboolean any = FALSE;
            while (i + 1 < argc && argv[i + 1][0] != '-') {
                g_ptr_array_add(out, g_strconcat("--efi=", argv[++i], NULL));
                any = TRUE;
            }
            if (!any)
                g_ptr_array_add(out, g_strdup(argv[i])); /* GOption says what is missing */
        } else if (g_str_equal(argv[i], "--")) {
            for (; i < argc; i++)
                g_ptr_array_add(out, g_strdup(argv[i]));
        } else {
            g_ptr_array_add(out, g_strdup(argv[i]));
        }
    }
    return out;
}

/* "VVVV:DDDD": exactly four hex digits each, neither 0000 nor ffff (no device has them). */
static gboolean
parse_ids(const char *text, guint16 *vendor, guint16 *device)
{
    guint v[2] = { 0, 0 };

    if (text == NULL || strlen(text) != 9 || text[4] != ':')
        return FALSE;
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 4; i++) {
            char c = text[k * 5 + i];
            if (!g_ascii_isxdigit(c))
                return FALSE;
            v[k] = (v[k] << 4) | (guint)g_ascii_xdigit_value(c);
        }
        if (v[k] == 0 || v[k] == 0xffff)
            return FALSE;
    }
    *vendor = (guint16)v[0];
    *device = (guint16)v[1];
    return TRUE;
}

/* TRUE when @a and @b name the same existing file. */
static gboolean
same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static const char *
subsystem_name(guint16 subsystem)
{
    switch (subsystem) {
    case IGD_ROM_EFI_APPLICATION: return "application";
    case IGD_ROM_EFI_BOOT_SERVICE_DRIVER: return "boot-service driver";
    case IGD_ROM_EFI_RUNTIME_DRIVER: return "runtime driver";
    default: return "?";
    }
}

static int
rom_build(IgdCli *cli, int argc, char **argv)
{
    g_autofree char *output = NULL;
    g_autofree char *device = NULL;
    g_autofree char *ids = NULL;
    g_autofree char *legacy = NULL;
    const GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "write the ROM to FILE ('-': standard output)", "FILE" },
        { "device", 0, 0, G_OPTION_ARG_STRING, &device, "ids and class of this host's IGD (sysfs)", "PCI" },
        { "ids", 0, 0, G_OPTION_ARG_STRING, &ids, "vendor and device id, class VGA (0x030000)", "VVVV:DDDD" },
        { "efi", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer)opt_efi_cb, "UEFI driver(s), in order (PE32/PE32+)",
          "DRIVER.efi..." },
        { "legacy", 0, 0, G_OPTION_ARG_FILENAME, &legacy, "legacy VGA BIOS image, put first", "VBIOS.bin" },
        { NULL },
    };
    g_autoptr(GPtrArray) efi = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(IgdRomBuilder) builder = NULL;
    g_autoptr(GBytes) rom = NULL;
    g_autoptr(IgdRom) parsed = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) spread = NULL; /* owns the strings: GOption drops the ones it parsed from the array */
    g_autofree char **args = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    guint16 vendor_id = 0, device_id = 0;
    guint32 class_code = CLASS_VGA;
    int spread_argc = 0;
    int ret;

    opt_efi = efi;
    spread = spread_efi(argc, argv);
    spread_argc = (int)spread->len;
    args = g_new0(char *, spread->len + 1);
    memcpy(args, spread->pdata, spread->len * sizeof(char *));
    {
        if (!igd_cli_parse_options(cli, "rom build", ROM_BUILD_ARGS,
                                   "Compose a PCI option ROM as EDK2's EfiRom does: the legacy VGA BIOS first (when\n"
                                   "given), then each UEFI driver uncompressed, for the IGD's vendor/device id and\n"
                                   "class. For UEFI guests: IgdAssignmentDxe, PlatformGopPolicy, IntelGopDriver;\n"
                                   "give the result to the domain with --romfile. Where the drivers come from:\n"
                                   "\"No VGA ROM\" in " IGD_DOCDIR "/GUIDE.md.",
                                   entries, &spread_argc, &args, &ret))
            return ret;
        if (spread_argc > 1) {
            g_autofree char *shown = g_strescape(args[1], NULL);
            igd_cli_message("igd-assign rom build --help", "rom build: unexpected argument '%.64s'", shown);
            return IGD_EXIT_USAGE;
        }
    }
    opt_efi = NULL;
    if (output == NULL || efi->len == 0 || (device == NULL) == (ids == NULL)) {
        igd_cli_message("igd-assign rom build --help",
                        "rom build: give -o FILE, one of --device PCI or --ids VVVV:DDDD, and at least one --efi DRIVER");
        return IGD_EXIT_USAGE;
    }
    if (g_str_equal(output, "-") && cli->json) {
        igd_cli_message(NULL, "rom build: -o - and --json both want standard output");
        return IGD_EXIT_USAGE;
    }
    if (ids && !parse_ids(ids, &vendor_id, &device_id)) {
        g_autofree char *shown = g_strescape(ids, NULL);
        igd_cli_message("give the ids as 8086:1916 (4 hex digits each)", "rom build: invalid --ids '%.32s'", shown);
        return IGD_EXIT_USAGE;
    }
    if (device) {
        IgdPciAddress addr;
        g_autoptr(IgdPciDevice) dev = NULL;

        if (!igd_cli_parse_pci(device, &addr, &ret))
            return ret;
        dev = igd_pci_device_open_igd(cli->sysroot, &addr, &error);
        if (dev == NULL)
            return igd_cli_fail(cli, "rom build: --device", error, "igd-assign status lists the IGDs of this host");
        vendor_id = igd_pci_device_get_vendor_id(dev);
        device_id = igd_pci_device_get_device_id(dev);
        class_code = igd_pci_device_get_class(dev);
    }
    /* the ROM must not overwrite what it is built from */
    for (guint i = 0; i <= efi->len; i++) {
        const char *in = i < efi->len ? (const char *)efi->pdata[i] : legacy;
        if (in && !g_str_equal(output, "-") && same_file(in, output)) {
            igd_cli_message("write the ROM to another file", "rom build: -o '%s' is also an input", output);
            return IGD_EXIT_USAGE;
        }
    }

    builder = igd_rom_builder_new(vendor_id, device_id, class_code);
    if (legacy) {
        g_autoptr(GBytes) bytes = igd_read_regular_file(legacy, IGD_ROM_BUILD_MAX, "legacy image", &error);
        if (bytes == NULL || !igd_rom_builder_set_legacy(builder, legacy, bytes, &error))
            return igd_cli_fail(cli, "rom build: --legacy", error,
                                "give the IGD's VGA BIOS: an x86 option ROM image (55 AA, code type 0)");
        g_ptr_array_add(names, legacy);
    }
    for (guint i = 0; i < efi->len; i++) {
        const char *name = efi->pdata[i];
        g_autoptr(GBytes) bytes = igd_read_regular_file(name, IGD_ROM_BUILD_MAX, "EFI driver", &error);
        if (bytes == NULL || !igd_rom_builder_add_efi(builder, name, bytes, &error))
            return igd_cli_fail(cli, "rom build: --efi", error, "give UEFI driver images (.efi, PE32/PE32+)");
        g_ptr_array_add(names, (gpointer)name);
    }
    rom = igd_rom_builder_build(builder, &error);
    if (rom == NULL)
        return igd_cli_fail(cli, "rom build", error, NULL);
    /* read it back: what `inspect --romfile` and the ROM check will see */
    parsed = igd_rom_parse(rom, &error);
    if (parsed == NULL || igd_rom_get_n_images(parsed) != names->len) {
        if (error == NULL)
            g_set_error(&error, IGD_ERROR, IGD_ERROR_INTERNAL, "the ROM built reads back as %u images, not %u",
                        igd_rom_get_n_images(parsed), names->len);
        error->code = IGD_ERROR_INTERNAL;
        return igd_cli_fail(cli, "rom build: reading the ROM back", error, NULL);
    }
    if (g_str_equal(output, "-")) {
        gsize len = 0;
        const guint8 *data = g_bytes_get_data(rom, &len);
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
            igd_cli_message(NULL, "rom build: cannot write to standard output: %s", g_strerror(errno));
            return IGD_EXIT_ENV;
        }
    } else if (!g_file_set_contents(output, g_bytes_get_data(rom, NULL), (gssize)g_bytes_get_size(rom), &error)) {
        error->domain = IGD_ERROR;
        error->code = IGD_ERROR_IO;
        return igd_cli_fail(cli, "rom build", error, NULL);
    }

    if (cli->json) {
        g_autoptr(IgdJson) json = igd_json_new();
        GPtrArray *notes = igd_rom_builder_get_notes(builder);

        igd_json_begin_object(json, NULL);
        igd_json_string(json, "output", output);
        igd_json_uint(json, "size", g_bytes_get_size(rom));
        igd_json_printf(json, "vendor_id", "0x%04x", vendor_id);
        igd_json_printf(json, "device_id", "0x%04x", device_id);
        igd_json_printf(json, "class", "0x%06x", class_code);
        igd_json_begin_array(json, "images");
        for (guint i = 0; i < igd_rom_get_n_images(parsed); i++) {
            const IgdRomImage *im = igd_rom_get_image(parsed, i);
            igd_json_begin_object(json, NULL);
            igd_json_string(json, "file", names->pdata[i]);
            igd_json_string(json, "code_type", igd_rom_code_type_name(im->code_type));
            igd_json_uint(json, "offset", im->offset);
            igd_json_uint(json, "length", im->length);
            if (im->code_type == IGD_ROM_CODE_EFI)
                igd_json_uint(json, "efi_subsystem", im->efi_subsystem);
            else
                igd_json_bool(json, "checksum_ok", im->checksum_ok);
            igd_json_bool(json, "last", im->last);
            igd_json_end_object(json);
        }
        igd_json_end_array(json);
        igd_json_begin_array(json, "warnings");
        for (guint i = 0; i < notes->len; i++)
            igd_json_string(json, NULL, notes->pdata[i]);
        igd_json_end_array(json);
        igd_json_end_object(json);
        igd_cli_print_json(igd_json_get(json));
        return IGD_EXIT_OK;
    }
    {
        GPtrArray *notes = igd_rom_builder_get_notes(builder);
        FILE *out = g_str_equal(output, "-") ? stderr : stdout;

        for (guint i = 0; i < notes->len && cli->verbosity >= 0; i++)
            fprintf(stderr, "igd-assign: warning: %s\n", (const char *)notes->pdata[i]);
        if (cli->verbosity < 0)
            return IGD_EXIT_OK;
        fprintf(out, "%s: %" G_GSIZE_FORMAT " bytes, %u image%s for %04x:%04x class 0x%06x\n",
                g_str_equal(output, "-") ? "standard output" : output, g_bytes_get_size(rom),
                igd_rom_get_n_images(parsed), igd_rom_get_n_images(parsed) == 1 ? "" : "s", vendor_id, device_id,
                class_code);
        for (guint i = 0; i < igd_rom_get_n_images(parsed); i++) {
            const IgdRomImage *im = igd_rom_get_image(parsed, i);
            fprintf(out, "  %#07" G_GSIZE_MODIFIER "x %-4s %7" G_GSIZE_FORMAT " bytes  %s", im->offset,
                    igd_rom_code_type_name(im->code_type), im->length, (const char *)names->pdata[i]);
            if (im->code_type == IGD_ROM_CODE_EFI)
                fprintf(out, " (%s)", subsystem_name(im->efi_subsystem));
            else
                fprintf(out, " (checksum %s)", im->checksum_ok ? "ok" : "BAD");
            fprintf(out, "%s\n", im->last ? ", last" : "");
        }
    }
    return IGD_EXIT_OK;
}

int
igd_cmd_rom(IgdCli *cli, int argc, char **argv)
{
    if (argc >= 2 && g_str_equal(argv[1], "build"))
        return rom_build(cli, argc - 1, argv + 1);
    if (argc == 2 && (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h"))) {
        printf("Usage: igd-assign rom build " ROM_BUILD_ARGS "\n\n"
               "Build a PCI option ROM for the IGD (igd-assign rom build --help).\n");
        return IGD_EXIT_OK;
    }
    igd_cli_message("igd-assign rom build --help", "rom: expected 'build'");
    return IGD_EXIT_USAGE;
}
