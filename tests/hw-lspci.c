/*
 * hw-lspci.c: a small reader for the hex rows of lspci -xxx / pci=earlydump.
 *
 * lspci:      "00:02.0 VGA compatible controller ..." then rows "50: 10 02 00 ..."
 * earlydump:  " pci 0000:00:02.0: config space:" then rows " 00000050: 11 02 ..."
 * A stanza ends at the next device header. Only the 00:02.0 stanza is read.
 */
#include "config.h"

#include <string.h>

#include "hw-lspci.h"
#include "igd-test.h"

/* Parse "OFF: b0 b1 ... b15" (OFF 2..8 hex digits); FALSE if not such a row. */
static gboolean
parse_row(const char *line, guint *offset, guint8 bytes[16])
{
    const char *p = line;
    guint off = 0;
    guint digits = 0;

    while (*p == ' ')
        p++;
    while (g_ascii_isxdigit(*p) && digits < 8) {
        off = off * 16 + (guint)g_ascii_xdigit_value(*p);
        p++;
        digits++;
    }
    if (digits < 2 || *p != ':')
        return FALSE;
    p++;
    for (guint i = 0; i < 16; i++) {
        if (p[0] != ' ' || !g_ascii_isxdigit(p[1]) || !g_ascii_isxdigit(p[2]))
            return FALSE;
        bytes[i] = (guint8)(g_ascii_xdigit_value(p[1]) * 16 + g_ascii_xdigit_value(p[2]));
        p += 3;
    }
    *offset = off;
    return TRUE;
}

static gboolean
is_igd_header(const char *line)
{
    return g_str_has_prefix(line, "00:02.0 ") || strstr(line, "pci 0000:00:02.0: config space") != NULL;
}

static gboolean
is_other_header(const char *line)
{
    /* lspci "BB:SS.F " headers, earlydump "pci DDDD:BB:SS.F: config space" */
    if (strstr(line, ": config space") != NULL)
        return TRUE;
    return strlen(line) > 8 && line[2] == ':' && line[5] == '.' && line[7] == ' ';
}

GBytes *
hw_lspci_load_igd(const char *rel)
{
    g_autofree char *path = g_build_filename("fixtures", rel, NULL);
    g_autofree char *abs = igd_test_datapath(path);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GByteArray) cfg = g_byte_array_new();
    gboolean in_igd = FALSE;

    if (!g_file_get_contents(abs, &text, NULL, &error))
        g_error("cannot load fixture: %s", error->message);
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        guint off;
        guint8 row[16];

        if (is_igd_header(lines[i])) {
            in_igd = TRUE;
            g_byte_array_set_size(cfg, 0);
            continue;
        }
        if (is_other_header(lines[i])) {
            if (in_igd && cfg->len > 0)
                break;
            in_igd = FALSE;
            continue;
        }
        if (!in_igd || !parse_row(lines[i], &off, row))
            continue;
        if (off != cfg->len)
            g_error("%s: row at 0x%x, expected 0x%x", path, off, cfg->len);
        g_byte_array_append(cfg, row, 16);
    }
    if (cfg->len < 64 || cfg->len > 4096)
        g_error("%s: no 00:02.0 config dump (%u bytes)", path, cfg->len);
    return g_byte_array_free_to_bytes(g_steal_pointer(&cfg));
}
