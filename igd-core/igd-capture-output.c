/*
 * igd-capture-output.c: what a capture becomes: README.md (every file, its
 * source, every redaction and everything left out), the archive's entries
 * under one top directory, and the `report --json` document.
 */
#include "config.h"

#include <string.h>

#include "igd-capture-private.h"
#include "igd-json.h"

/* ------------------------------------------------------------------ README */


static const char *
kind_name(IgdCaptureKind kind)
{
    return kind == IGD_CAPTURE_FILE ? "file" : kind == IGD_CAPTURE_LINK ? "link" : "dir";
}

int
igd_capture_compare_entries(gconstpointer a, gconstpointer b)
{
    const IgdCaptureEntry *x = *(const IgdCaptureEntry *const *)a;
    const IgdCaptureEntry *y = *(const IgdCaptureEntry *const *)b;

    return strcmp(x->path, y->path);
}

/* Markdown table cell: no '|' or newline. */
static char *
cell(const char *s)
{
    GString *out = g_string_new(NULL);

    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '|')
            g_string_append(out, "\\|");
        else if (*p == '\n')
            g_string_append_c(out, ' ');
        else
            g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

char *
igd_capture_readme(IgdCapture *c, GPtrArray *sorted)
{
    GString *r = g_string_new(NULL);
    g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc(c->time);
    g_autofree char *stamp = when ? g_date_time_format(when, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("?");

    g_string_append(r, "# igd-assign report\n\n");
    g_string_append_printf(r, "Made by `igd-assign report` (igd-assign %s) at %s from %s.\n\n", PACKAGE_VERSION,
                           stamp, igd_sysroot_is_host(c->sysroot) ? "the running host"
                                                                  : "a host tree (`--sysfs-root`)");
    g_string_append(r,
                    "Extracted, this directory is a host tree: igd-assign reads it as it read the host.\n\n"
                    "    igd-assign --sysfs-root DIR inspect --json\n"
                    "    IGD_QEMU_CAPS=DIR/qemu-probe.ini igd-assign --sysfs-root DIR check   # with the host's QEMU\n"
                    "    tests/mkhost --import-report DIR --name CASE                       # a test case (source tree)\n\n"
                    "Paths are the host's physical paths (a link in the host's path is kept as a link, where it "
                    "was). Only regular files were read; FIFOs, devices and links leaving the tree were left out. "
                    "Empty `bind`, `unbind`, `new_id` and `drivers_probe` files are placeholders for write-only "
                    "attributes.\n\n");
    g_string_append(r, "## Intel IGDs\n\n");
    if (c->igds->len == 0)
        g_string_append(r, "None found in /sys/bus/pci/devices.\n");
    for (guint i = 0; i < c->devices->len; i++) {
        IgdCaptureDevice *d = c->devices->pdata[i];
        if (d->igd)
            g_string_append_printf(r, "* %s: driver %s, IOMMU group %s\n", d->name, d->driver ? d->driver : "none",
                                   d->group ? d->group : "none");
    }
    g_string_append(r, "\nAlso captured: ");
    {
        gboolean any = FALSE;
        for (guint i = 0; i < c->devices->len; i++) {
            IgdCaptureDevice *d = c->devices->pdata[i];
            const char *role = d->addr.domain == 0 && d->addr.bus == 0 && d->addr.function == 0 &&
                                       (d->addr.slot == 0 || d->addr.slot == 0x1f)
                                   ? (d->addr.slot == 0 ? "host bridge" : "LPC bridge")
                                   : "in an IGD's IOMMU group";
            if (d->igd || d->phys_dir == NULL)
                continue;
            g_string_append_printf(r, "%s%s (%s)", any ? ", " : "", d->name, role);
            any = TRUE;
        }
        g_string_append(r, any ? ".\n" : "no other device.\n");
    }
    g_string_append(r, "\n## Files\n\n| path | type | from | size or target | note |\n|---|---|---|---|---|\n");
    for (guint i = 0; i < sorted->len; i++) {
        IgdCaptureEntry *e = sorted->pdata[i];
        g_autofree char *p = cell(e->path);
        g_autofree char *src = cell(e->source);
        g_autofree char *note = cell(e->note);
        g_autofree char *what = e->kind == IGD_CAPTURE_FILE
                                    ? (e->data ? g_strdup_printf("%" G_GSIZE_FORMAT " bytes", g_bytes_get_size(e->data))
                                               : g_strdup("(this file)"))
                                : e->kind == IGD_CAPTURE_LINK ? g_strdup_printf("-> %s", e->target)
                                                              : g_strdup("");
        g_autofree char *w = cell(what);
        g_string_append_printf(r, "| %s | %s | %s | %s | %s |\n", p, kind_name(e->kind), src, w, note);
    }
    g_string_append(r, "\n## Redactions\n\n");
    if (c->redactions->len == 0)
        g_string_append(r, "None were needed.\n");
    for (guint i = 0; i < c->redactions->len; i++) {
        IgdCaptureRedaction *x = c->redactions->pdata[i];
        g_string_append_printf(r, "* %s: %s (%u)\n", x->path, x->what, x->count);
    }
    g_string_append(r,
                    "\nAlways: values of kernel parameters naming disks, hosts or network identities "
                    "(root=, resume=, ip=, hostname=, BOOTIF=, rd.luks.*, ...) become REDACTED; MAC addresses, "
                    "UUIDs, host names and user names in text files become REDACTED-MAC, -UUID, -HOST, -USER; "
                    "the PCIe IgdCaptureDevice Serial Number and the VPD data register are zeroed in config space. "
                    "PCI ids, subsystem ids and the firmware's OpRegion, VBT and ROM are kept.\n");
    g_string_append(r, "\n## Left out\n\n");
    if (c->omissions->len == 0)
        g_string_append(r, "Nothing.\n");
    for (guint i = 0; i < c->omissions->len; i++) {
        IgdCaptureOmission *o = c->omissions->pdata[i];
        g_string_append_printf(r, "* %s: %s\n", o->source, o->why);
    }
    g_string_append(r,
                    "\nNever captured: other PCI devices, device nodes (/dev/vfio, /dev/dri), the kernel log "
                    "beyond the records above, the host name, /etc, libvirt domains.\n");
    return g_string_free(r, FALSE);
}

/* ------------------------------------------------------------------ archive and JSON */


gboolean
igd_capture_write(IgdCapture *c, IgdArchive *archive, const char *top, GError **error)
{
    g_autoptr(GHashTable) dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *sorted = igd_capture_get_entries(c);

    g_ptr_array_sort(sorted, igd_capture_compare_entries);
    if (!igd_archive_add_dir(archive, top, error))
        return FALSE;
    for (guint i = 0; i < sorted->len; i++) {
        IgdCaptureEntry *e = sorted->pdata[i];
        g_autofree char *full = g_strdup_printf("%s/%s", top, e->path);
        g_auto(GStrv) parts = g_strsplit(e->path, "/", -1);
        GString *dir = g_string_new(top);
        gboolean ok;

        /* parents first */
        for (guint k = 0; parts[k] && parts[k + 1]; k++) {
            g_string_append_printf(dir, "/%s", parts[k]);
            if (!g_hash_table_contains(dirs, dir->str)) {
                g_hash_table_add(dirs, g_strdup(dir->str));
                if (!igd_archive_add_dir(archive, dir->str, error)) {
                    g_string_free(dir, TRUE);
                    return FALSE;
                }
            }
        }
        g_string_free(dir, TRUE);
        switch (e->kind) {
        case IGD_CAPTURE_DIR:
            if (g_hash_table_contains(dirs, full))
                continue;
            g_hash_table_add(dirs, g_strdup(full));
            ok = igd_archive_add_dir(archive, full, error);
            break;
        case IGD_CAPTURE_LINK:
            ok = igd_archive_add_symlink(archive, full, e->target, error);
            break;
        case IGD_CAPTURE_FILE:
        default: {
            gsize len = 0;
            const guint8 *data = g_bytes_get_data(e->data, &len);
            ok = igd_archive_add_file(archive, full, data, len, error);
            break;
        }
        }
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

char *
igd_capture_to_json(IgdCapture *c, const char *dest, const char *top, guint64 size)
{
    g_autoptr(IgdJson) json = igd_json_new();
    GPtrArray *sorted = igd_capture_get_entries(c);

    g_ptr_array_sort(sorted, igd_capture_compare_entries);
    igd_json_begin_object(json, NULL);
    igd_json_string(json, "path", dest);
    igd_json_string(json, "top", top);
    igd_json_uint(json, "size", size);
    igd_json_begin_array(json, "igds");
    for (guint i = 0; i < c->igds->len; i++)
        igd_json_string(json, NULL, c->igds->pdata[i]);
    igd_json_end_array(json);
    igd_json_begin_array(json, "files");
    for (guint i = 0; i < sorted->len; i++) {
        IgdCaptureEntry *e = sorted->pdata[i];
        igd_json_begin_object(json, NULL);
        igd_json_string(json, "path", e->path);
        igd_json_string(json, "type", kind_name(e->kind));
        igd_json_string(json, "source", e->source);
        if (e->kind == IGD_CAPTURE_FILE)
            igd_json_uint(json, "size", e->data ? g_bytes_get_size(e->data) : 0);
        else if (e->kind == IGD_CAPTURE_LINK)
            igd_json_string(json, "target", e->target);
        igd_json_string(json, "note", e->note);
        igd_json_end_object(json);
    }
    igd_json_end_array(json);
    igd_json_begin_array(json, "redactions");
    for (guint i = 0; i < c->redactions->len; i++) {
        IgdCaptureRedaction *r = c->redactions->pdata[i];
        igd_json_begin_object(json, NULL);
        igd_json_string(json, "path", r->path);
        igd_json_string(json, "what", r->what);
        igd_json_uint(json, "count", r->count);
        igd_json_end_object(json);
    }
    igd_json_end_array(json);
    igd_json_begin_array(json, "left_out");
    for (guint i = 0; i < c->omissions->len; i++) {
        IgdCaptureOmission *o = c->omissions->pdata[i];
        igd_json_begin_object(json, NULL);
        igd_json_string(json, "source", o->source);
        igd_json_string(json, "why", o->why);
        igd_json_end_object(json);
    }
    igd_json_end_array(json);
    igd_json_end_object(json);
    return g_strdup(igd_json_get(json));
}

char *
igd_capture_top_name(const char *dest)
{
    g_autofree char *base = g_path_get_basename(dest ? dest : "");
    const char *suffixes[] = { ".tar.xz", ".txz" };

    for (gsize i = 0; i < G_N_ELEMENTS(suffixes); i++) {
        if (g_str_has_suffix(base, suffixes[i]) && strlen(base) > strlen(suffixes[i])) {
            base[strlen(base) - strlen(suffixes[i])] = '\0';
            break;
        }
    }
    for (char *p = base; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-' && *p != '_' && *p != '+')
            *p = '_';
    }
    if (base[0] == '\0' || base[0] == '.' || g_str_equal(base, "_"))
        return g_strdup("igd-report");
    return g_steal_pointer(&base);
}
