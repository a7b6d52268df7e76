/*
 * igd-capture.c: a host's IGD facts captured as a host tree (see
 * igd-capture.h for what is captured and what is left out).
 *
 * Rules worth knowing (tests/test-capture.c pins them):
 *  - Paths are resolved component by component inside the root (lstat,
 *    readlink), as openat2(RESOLVE_IN_ROOT) would, but refusing instead of
 *    clamping: a link to an absolute path (under a sysroot) or one climbing
 *    above the root leaves the tree, more than 40 links is a loop. Every
 *    link crossed on the way to something captured is recorded verbatim at
 *    its physical place, so the same host path resolves the same way in
 *    the extracted tree.
 *  - Only regular files are read, checked with lstat() on the physical
 *    path before igd_sysroot_read() opens it; /dev/kmsg may be the real
 *    character device on the host (igd_host_read_kmsg() reads it without
 *    blocking).
 *  - Each file has the bound igd-assign reads it with; larger is left out.
 *  - Placeholders: the write-only driver attributes (bind, unbind, new_id,
 *    drivers_probe) are empty files, so the tree works with the sysfs
 *    test double (tests/data/sysfs/README.md).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "igd-capture.h"
#include "igd-capture-private.h"
#include "igd-common.h"
#include "igd-host.h"
#include "igd-pci-address.h"
#include "igd-pci.h"
#include "igd-redact.h"

#define ATTR_MAX          4096           /* a sysfs attribute is at most a page */
#define IOMEM_MAX         (8u << 20)     /* as igd-host.c */
#define CMDLINE_MAX       (64u << 10)    /* as igd-host.c */
#define CPUINFO_MAX       (8u << 10)     /* as igd-host.c: the first CPU's stanza is ~2 KiB */
#define MAX_LINK_HOPS     40             /* Linux MAXSYMLINKS */
#define MAX_DIR_ENTRIES   4096           /* a listing; a real host has < 300 PCI devices */
#define MAX_DEVICES       64             /* IGDs, bridges and IGD group members captured */

static const char *const pci_attrs[] = {
    "vendor", "device", "class", "revision", "subsystem_vendor", "subsystem_device",
    "resource", "driver_override", "boot_vga",
};
static const char *const host_drivers[] = { "i915", "xe", "vfio-pci" };
static const char *const vfio_modules[] = { "vfio_pci", "vfio", "vfio_iommu_type1" };
static const char *const driver_placeholders[] = { "bind", "unbind", "new_id" };

/* ------------------------------------------------------------------ bookkeeping */

static void
entry_free(IgdCaptureEntry *e)
{
    g_free(e->path);
    if (e->data)
        g_bytes_unref(e->data);
    g_free(e->target);
    g_free(e->source);
    g_free(e->note);
    g_free(e);
}

static void
redaction_free(IgdCaptureRedaction *r)
{
    g_free(r->path);
    g_free(r->what);
    g_free(r);
}

static void
omission_free(IgdCaptureOmission *o)
{
    g_free(o->source);
    g_free(o->why);
    g_free(o);
}

static void
device_free(IgdCaptureDevice *d)
{
    g_free(d->phys_dir);
    g_free(d->driver);
    g_free(d->group);
    g_free(d);
}

IgdCapture *
igd_capture_new(const IgdSysroot *sysroot)
{
    IgdCapture *c = g_new0(IgdCapture, 1);

    c->sysroot = igd_sysroot_new(igd_sysroot_get_root(sysroot));
    c->root = g_strdup(igd_sysroot_get_root(sysroot));
    c->entries = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)entry_free);
    c->discarded = g_ptr_array_new_with_free_func((GDestroyNotify)entry_free);
    c->redactions = g_ptr_array_new_with_free_func((GDestroyNotify)redaction_free);
    c->omissions = g_ptr_array_new_with_free_func((GDestroyNotify)omission_free);
    c->redactor = igd_redactor_new();
    c->devices = g_ptr_array_new_with_free_func((GDestroyNotify)device_free);
    c->igds = g_ptr_array_new_with_free_func(g_free);
    c->time = g_get_real_time() / G_USEC_PER_SEC;
    return c;
}

void
igd_capture_free(IgdCapture *c)
{
    if (c == NULL)
        return;
    igd_sysroot_free(c->sysroot);
    g_free(c->root);
    g_clear_pointer(&c->sorted, g_ptr_array_unref);
    g_hash_table_unref(c->entries);
    g_ptr_array_unref(c->discarded);
    g_ptr_array_unref(c->redactions);
    g_ptr_array_unref(c->omissions);
    igd_redactor_free(c->redactor);
    g_ptr_array_unref(c->devices);
    g_ptr_array_unref(c->igds);
    g_free(c->qemu_ini);
    g_free(c->qemu_binary);
    g_free(c->qemu_error);
    g_free(c);
}

void
igd_capture_set_time(IgdCapture *c, gint64 when)
{
    c->time = MAX(when, 0);
}

gint64
igd_capture_get_time(const IgdCapture *c)
{
    return c->time;
}

GPtrArray *
igd_capture_get_entries(IgdCapture *c)
{
    if (c->sorted == NULL) {
        GHashTableIter it;
        gpointer value;

        c->sorted = g_ptr_array_new();
        g_hash_table_iter_init(&it, c->entries);
        while (g_hash_table_iter_next(&it, NULL, &value))
            g_ptr_array_add(c->sorted, value);
    }
    return c->sorted;
}

GPtrArray *
igd_capture_get_redactions(IgdCapture *c)
{
    return c->redactions;
}

GPtrArray *
igd_capture_get_omissions(IgdCapture *c)
{
    return c->omissions;
}

GPtrArray *
igd_capture_get_igds(IgdCapture *c)
{
    return c->igds;
}

static void omit(IgdCapture *c, const char *source, const char *why);

/*
 * Add (or replace) the entry at host path @abs ("/sys/..."). A path the
 * archive cannot hold (the root itself, a name with a newline: only a
 * hostile tree has those) is left out with a note; the entry returned is
 * then a discarded one, so callers can still fill it in.
 */
static IgdCaptureEntry *
add_entry(IgdCapture *c, const char *abs, IgdCaptureKind kind, const char *source)
{
    IgdCaptureEntry *e = g_new0(IgdCaptureEntry, 1);

    e->path = g_strdup(abs[0] == '/' ? abs + 1 : abs);
    e->kind = kind;
    e->source = g_strdup(source);
    if (!igd_archive_path_ok(e->path) || strchr(e->path, '\n') != NULL) {
        g_autofree char *shown = g_strescape(abs, NULL);
        omit(c, shown, "not a path a report can hold: left out");
        g_ptr_array_add(c->discarded, e);
        return e;
    }
    g_clear_pointer(&c->sorted, g_ptr_array_unref);
    g_hash_table_replace(c->entries, e->path, e);
    return e;
}

static IgdCaptureEntry *
add_file(IgdCapture *c, const char *abs, GBytes *data, const char *source)
{
    IgdCaptureEntry *e = add_entry(c, abs, IGD_CAPTURE_FILE, source);

    e->data = g_bytes_ref(data);
    return e;
}

static void
add_dir(IgdCapture *c, const char *abs, const char *source)
{
    g_autofree char *key = g_strdup(abs + 1);

    if (!g_hash_table_contains(c->entries, key))
        add_entry(c, abs, IGD_CAPTURE_DIR, source);
}

static void
add_redaction(IgdCapture *c, const char *path, guint count, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void
add_redaction(IgdCapture *c, const char *path, guint count, const char *fmt, ...)
{
    IgdCaptureRedaction *r;
    va_list ap;

    if (count == 0)
        return;
    r = g_new0(IgdCaptureRedaction, 1);
    r->path = g_strdup(path[0] == '/' ? path + 1 : path);
    va_start(ap, fmt);
    r->what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    r->count = count;
    g_ptr_array_add(c->redactions, r);
}

/* Record that @source was left out and why; @why's root paths are shown as host paths. */
static void
omit(IgdCapture *c, const char *source, const char *why)
{
    IgdCaptureOmission *o = g_new0(IgdCaptureOmission, 1);
    g_autofree char *shown = NULL;

    if (c->root[0] != '\0') {
        g_auto(GStrv) parts = g_strsplit(why, c->root, -1);
        shown = g_strjoinv("", parts);
    } else {
        shown = g_strdup(why);
    }
    o->source = igd_redactor_words(c->redactor, source);
    o->why = igd_redactor_words(c->redactor, shown);
    g_ptr_array_add(c->omissions, o);
}

static void
omit_error(IgdCapture *c, const char *source, const GError *error)
{
    omit(c, source, error->message);
}

/* ------------------------------------------------------------------ private data */

void
igd_capture_add_private_word(IgdCapture *c, const char *word, const char *kind)
{
    igd_redactor_add_word(c->redactor, word, kind);
}

static GBytes *read_tree_file(IgdCapture *c, const char *abs, gsize max, gboolean truncate_ok, gboolean record,
                              char **phys_out, GError **error);

void
igd_capture_add_host_private_words(IgdCapture *c)
{
    g_autoptr(GBytes) tree_host = read_tree_file(c, "/proc/sys/kernel/hostname", 256, TRUE, FALSE, NULL, NULL);

    igd_redactor_add_host_words(c->redactor, tree_host ? g_bytes_get_data(tree_host, NULL) : NULL);
}

/* The redactions of igd-redact.c, recorded for the tree file @path. */
static void
record_found(IgdCapture *c, const char *path, GPtrArray *found)
{
    for (guint i = 0; i < found->len; i++) {
        const IgdRedaction *x = found->pdata[i];
        add_redaction(c, path, x->count, "%s", x->what);
    }
}

static GBytes *
redact_text(IgdCapture *c, const char *path, GBytes *text)
{
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func((GDestroyNotify)igd_redaction_free);
    GBytes *out = igd_redactor_text(c->redactor, text, found);

    record_found(c, path, found);
    return out;
}

static GBytes *
redact_cmdline(IgdCapture *c, const char *path, GBytes *cmdline)
{
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func((GDestroyNotify)igd_redaction_free);
    GBytes *out = igd_redactor_cmdline(c->redactor, cmdline, found);

    record_found(c, path, found);
    return out;
}

static void
redact_config(IgdCapture *c, const char *path, guint8 *cfg, gsize len)
{
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func((GDestroyNotify)igd_redaction_free);

    igd_redact_config(cfg, len, found);
    record_found(c, path, found);
}

/* ------------------------------------------------------------------ paths inside the root */

/* g_ptr_array_sort() compare of char * elements (it passes pointers to them) */
static int
compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *
join_stack(GPtrArray *stack)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < stack->len; i++) {
        g_string_append_c(s, '/');
        g_string_append(s, stack->pdata[i]);
    }
    if (s->len == 0)
        g_string_append_c(s, '/');
    return g_string_free(s, FALSE);
}

static void
push_components(GQueue *todo, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    guint n = g_strv_length(parts);

    for (guint i = n; i > 0; i--)
        g_queue_push_head(todo, g_strdup(parts[i - 1]));
}

enum {
    RESOLVE_FOLLOW = 1 << 0,     /* follow a link in the last component too */
    RESOLVE_RECORD = 1 << 1,     /* record every link crossed as a tree entry */
    RESOLVE_MISSING_OK = 1 << 2, /* a missing component ends the walk: the rest is taken lexically */
};

typedef struct {
    char *at;
    char *target;
} CrossedLink;

static void
crossed_link_free(CrossedLink *l)
{
    g_free(l->at);
    g_free(l->target);
    g_free(l);
}

/*
 * The physical host path ("/sys/devices/...") of @abs inside the root:
 * links resolved one component at a time with lstat/readlink. DENIED when
 * a link leaves the tree (absolute target under a sysroot, ".." above the
 * root) or there are more than MAX_LINK_HOPS links; NOT_FOUND / IO when a
 * component is missing or unreadable (unless RESOLVE_MISSING_OK).
 */
static char *
resolve(IgdCapture *c, const char *abs, guint flags, GError **error)
{
    g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) crossed = g_ptr_array_new_with_free_func((GDestroyNotify)crossed_link_free);
    GQueue todo = G_QUEUE_INIT;
    gboolean host = c->root[0] == '\0';
    gboolean missing = FALSE;
    guint hops = 0;

    push_components(&todo, abs);
    while (!g_queue_is_empty(&todo)) {
        g_autofree char *comp = g_queue_pop_head(&todo);
        gboolean last = g_queue_is_empty(&todo);
        g_autofree char *rel = NULL;
        g_autofree char *real = NULL;
        struct stat st;

        if (comp[0] == '\0' || g_str_equal(comp, "."))
            continue;
        if (g_str_equal(comp, "..")) {
            if (stack->len > 0) {
                g_ptr_array_remove_index(stack, stack->len - 1);
            } else {
                /* the kernel stays at "/"; an extracted tree would not: refused on the host too */
                g_queue_clear_full(&todo, g_free);
                g_set_error(error, IGD_ERROR, IGD_ERROR_DENIED, "'%s' leads above the root of the tree", abs);
                return NULL;
            }
            continue;
        }
        g_ptr_array_add(stack, g_strdup(comp));
        if (missing)
            continue;
        rel = join_stack(stack);
        real = g_strconcat(c->root, rel, NULL);
        if (lstat(real, &st) < 0) {
            int e = errno;
            if ((e == ENOENT || e == ENOTDIR) && (flags & RESOLVE_MISSING_OK)) {
                missing = TRUE;
                continue;
            }
            g_queue_clear_full(&todo, g_free);
            g_set_error(error, IGD_ERROR, e == ENOENT || e == ENOTDIR ? IGD_ERROR_NOT_FOUND : IGD_ERROR_IO,
                        "cannot open '%s': %s", real, g_strerror(e));
            return NULL;
        }
        if (S_ISLNK(st.st_mode) && (!last || (flags & RESOLVE_FOLLOW))) {
            g_autoptr(GError) local = NULL;
            g_autofree char *target = g_file_read_link(real, &local);
            CrossedLink *l;

            if (target == NULL || ++hops > MAX_LINK_HOPS) {
                g_queue_clear_full(&todo, g_free);
                g_set_error(error, IGD_ERROR, target ? IGD_ERROR_DENIED : IGD_ERROR_IO, "cannot follow '%s': %s",
                            real, target ? "too many levels of links" : local->message);
                return NULL;
            }
            if (g_path_is_absolute(target) && !host) {
                g_queue_clear_full(&todo, g_free);
                g_set_error(error, IGD_ERROR, IGD_ERROR_DENIED, "'%s' links to '%s', outside the tree", real,
                            target);
                return NULL;
            }
            l = g_new0(CrossedLink, 1);
            l->at = g_strdup(rel);
            l->target = g_strdup(target);
            g_ptr_array_add(crossed, l);
            g_ptr_array_remove_index(stack, stack->len - 1);
            if (g_path_is_absolute(target))
                g_ptr_array_set_size(stack, 0);
            push_components(&todo, target);
        }
    }
    if (flags & RESOLVE_RECORD) {
        for (guint i = 0; i < crossed->len; i++) {
            CrossedLink *l = crossed->pdata[i];
            if (g_path_is_absolute(l->target)) {
                omit(c, l->at, "links to an absolute path: kept out of the tree (the link was followed)");
                continue;
            }
            add_entry(c, l->at, IGD_CAPTURE_LINK, l->at)->target = g_strdup(l->target);
        }
    }
    return join_stack(stack);
}

static const char *
file_type_name(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISLNK(mode))
        return "a link";
    return "not a regular file";
}

/* lstat() of the physical host path @phys; FALSE with NOT_FOUND/IO. */
static gboolean
lstat_phys(IgdCapture *c, const char *phys, struct stat *st, GError **error)
{
    g_autofree char *real = g_strconcat(c->root, phys, NULL);

    if (lstat(real, st) < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, e == ENOENT || e == ENOTDIR ? IGD_ERROR_NOT_FOUND : IGD_ERROR_IO,
                    "cannot open '%s': %s", real, g_strerror(e));
        return FALSE;
    }
    return TRUE;
}

/* Refuse anything but a regular file at the physical path @phys. */
static gboolean
check_regular(IgdCapture *c, const char *phys, GError **error)
{
    struct stat st;

    if (!lstat_phys(c, phys, &st, error))
        return FALSE;
    if (!S_ISREG(st.st_mode)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "'%s%s' is %s, not a regular file: not read", c->root,
                    phys, file_type_name(st.st_mode));
        return FALSE;
    }
    return TRUE;
}

/*
 * The bytes of the regular file at host path @abs (links followed inside
 * the tree, recorded when @record), at most @max (more: INVALID, or the
 * first @max with @truncate_ok). *@phys_out: its physical host path.
 */
static GBytes *
read_tree_file(IgdCapture *c, const char *abs, gsize max, gboolean truncate_ok, gboolean record, char **phys_out,
               GError **error)
{
    g_autofree char *phys = resolve(c, abs, RESOLVE_FOLLOW | (record ? RESOLVE_RECORD : 0), error);
    guint8 *data = NULL;
    gsize len = 0;

    if (phys == NULL || !check_regular(c, phys, error))
        return NULL;
    if (!igd_sysroot_read(c->sysroot, phys, max, truncate_ok, &data, &len, error))
        return NULL;
    if (phys_out)
        *phys_out = g_steal_pointer(&phys);
    return g_bytes_new_take(data, len);
}

/*
 * Capture the file at @abs into the tree (at its physical path). A missing
 * file is left out silently unless @important. Returns the entry or NULL.
 */
static IgdCaptureEntry *
capture_file(IgdCapture *c, const char *abs, gsize max, gboolean important)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *phys = NULL;
    g_autoptr(GBytes) data = read_tree_file(c, abs, max, FALSE, TRUE, &phys, &error);

    if (data == NULL) {
        if (important || !g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND))
            omit_error(c, abs, error);
        return NULL;
    }
    return add_file(c, phys, data, abs);
}

/*
 * The names in the directory at host path @abs (links crossed recorded),
 * sorted, at most MAX_DIR_ENTRIES; names that are not plain printable
 * components are left out with a note. *@phys_out: its physical path.
 */
static GPtrArray *
list_dir(IgdCapture *c, const char *abs, char **phys_out, GError **error)
{
    g_autofree char *phys = resolve(c, abs, RESOLVE_FOLLOW | RESOLVE_RECORD, error);
    g_autofree char *real = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GError) local = NULL;
    const char *name;
    guint skipped = 0;

    if (phys == NULL)
        return NULL;
    real = g_strconcat(c->root, phys, NULL);
    dir = g_dir_open(real, 0, &local);
    if (dir == NULL) {
        gboolean missing = g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT);
        g_set_error(error, IGD_ERROR, missing ? IGD_ERROR_NOT_FOUND : IGD_ERROR_IO, "%s", local->message);
        return NULL;
    }
    while ((name = g_dir_read_name(dir)) != NULL) {
        gboolean plain = strlen(name) <= 255;
        for (const char *p = name; plain && *p; p++)
            plain = g_ascii_isprint(*p) && *p != '/' && *p != '\\';
        if (!plain) {
            skipped++;
            continue;
        }
        if (names->len >= MAX_DIR_ENTRIES) {
            g_autofree char *why = g_strdup_printf("more than %u entries: only the first %u are kept",
                                                   MAX_DIR_ENTRIES, MAX_DIR_ENTRIES);
            omit(c, abs, why);
            break;
        }
        g_ptr_array_add(names, g_strdup(name));
    }
    if (skipped) {
        g_autofree char *why = g_strdup_printf("%u entries with names that are not plain printable names", skipped);
        omit(c, abs, why);
    }
    g_ptr_array_sort(names, compare_strings);
    if (phys_out)
        *phys_out = g_steal_pointer(&phys);
    return g_steal_pointer(&names);
}

/*
 * Record the link at the physical path @phys (in a directory resolved
 * already) verbatim, when it stays inside the tree. Returns the link's
 * last target component ("i915"), or NULL (not a link, missing: nothing
 * said; leaving the tree: left out with a note).
 */
static char *
capture_leaf_link(IgdCapture *c, const char *phys)
{
    g_autofree char *real = g_strconcat(c->root, phys, NULL);
    g_autofree char *target = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *joined = NULL;
    g_autofree char *check = NULL;
    g_autoptr(GError) error = NULL;
    struct stat st;

    if (lstat(real, &st) < 0 || !S_ISLNK(st.st_mode))
        return NULL;
    target = g_file_read_link(real, &error);
    if (target == NULL) {
        omit_error(c, phys, error);
        return NULL;
    }
    if (target[0] == '\0' || g_path_is_absolute(target)) {
        g_autofree char *why = g_strdup_printf("links to '%s': outside the tree", target);
        omit(c, phys, why);
        return NULL;
    }
    dir = g_path_get_dirname(phys);
    joined = g_build_filename(dir, target, NULL);
    check = resolve(c, joined, RESOLVE_FOLLOW | RESOLVE_MISSING_OK, &error);
    if (check == NULL) {
        g_autofree char *why = g_strdup_printf("links to '%s': %s", target, error->message);
        omit(c, phys, why);
        return NULL;
    }
    add_entry(c, phys, IGD_CAPTURE_LINK, phys)->target = g_strdup(target);
    return g_path_get_basename(target);
}

/* ------------------------------------------------------------------ devices */

static gboolean
parse_number(GBytes *bytes, guint64 *value)
{
    g_autofree char *text = g_strstrip(g_strndup(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes)));
    char *end = NULL;

    if (!g_ascii_isdigit(text[0]))
        return FALSE;
    errno = 0;
    *value = g_ascii_strtoull(text, &end, 0);
    return errno == 0 && end != NULL && *end == '\0';
}

static IgdCaptureDevice *
find_device(IgdCapture *c, const IgdPciAddress *addr)
{
    for (guint i = 0; i < c->devices->len; i++) {
        IgdCaptureDevice *d = c->devices->pdata[i];
        if (igd_pci_address_equal(&d->addr, addr))
            return d;
    }
    return NULL;
}

static IgdCaptureDevice *
want_device(IgdCapture *c, const IgdPciAddress *addr, gboolean igd)
{
    IgdCaptureDevice *d = find_device(c, addr);

    if (d != NULL) {
        d->igd |= igd;
        return d;
    }
    if (c->devices->len >= MAX_DEVICES) {
        char name[13];
        igd_pci_address_format(addr, name);
        omit(c, name, "more than 64 devices to capture: this one is left out");
        return NULL;
    }
    d = g_new0(IgdCaptureDevice, 1);
    d->addr = *addr;
    d->igd = igd;
    igd_pci_address_format(addr, d->name);
    g_ptr_array_add(c->devices, d);
    return d;
}

/* Every Intel display-class device of /sys/bus/pci/devices (igd_pci_ids_are_intel_display()). */
static gboolean
find_igds(IgdCapture *c, GError **error)
{
    g_autoptr(GPtrArray) names = list_dir(c, "/sys/bus/pci/devices", NULL, error);

    if (names == NULL) {
        g_prefix_error(error, "not a host: cannot list /sys/bus/pci/devices: ");
        return FALSE;
    }
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *vendor_abs = g_strdup_printf("/sys/bus/pci/devices/%s/vendor", (char *)names->pdata[i]);
        g_autofree char *class_abs = g_strdup_printf("/sys/bus/pci/devices/%s/class", (char *)names->pdata[i]);
        g_autoptr(GBytes) vendor = NULL;
        g_autoptr(GBytes) klass = NULL;
        IgdPciAddress addr;
        guint64 v = 0, k = 0;

        if (!igd_pci_address_parse(names->pdata[i], &addr, NULL))
            continue;
        vendor = read_tree_file(c, vendor_abs, ATTR_MAX, FALSE, FALSE, NULL, NULL);
        klass = read_tree_file(c, class_abs, ATTR_MAX, FALSE, FALSE, NULL, NULL);
        if (vendor && klass && parse_number(vendor, &v) && parse_number(klass, &k) && v <= G_MAXUINT16 &&
            k <= 0xffffff && igd_pci_ids_are_intel_display((guint16)v, (guint32)k))
            want_device(c, &addr, TRUE);
    }
    return TRUE;
}

/* The IOMMU group members of the IGDs (the others vfio would have to take: captured with them). */
static void
add_group_members(IgdCapture *c)
{
    guint n = c->devices->len;

    for (guint i = 0; i < n; i++) {
        IgdCaptureDevice *d = c->devices->pdata[i];
        g_autofree char *link = g_strdup_printf("/sys/bus/pci/devices/%s/iommu_group", d->name);
        g_autofree char *group = NULL;
        g_autofree char *dir = NULL;
        g_autoptr(GPtrArray) members = NULL;
        g_autoptr(GError) error = NULL;

        if (!d->igd)
            continue;
        group = igd_sysroot_read_link_name(c->sysroot, link, NULL);
        if (group == NULL || strchr(group, '/') != NULL || g_str_equal(group, "..") || g_str_equal(group, "."))
            continue;
        dir = g_strdup_printf("/sys/kernel/iommu_groups/%s/devices", group);
        members = list_dir(c, dir, NULL, &error);
        if (members == NULL) {
            if (!g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND))
                omit_error(c, dir, error);
            continue;
        }
        for (guint k = 0; k < members->len; k++) {
            IgdPciAddress addr;
            if (igd_pci_address_parse(members->pdata[k], &addr, NULL))
                want_device(c, &addr, FALSE);
        }
    }
}

/* The OpRegion and VBT sources under i915's debugfs are regular files (or absent): nothing that could block. */
static gboolean
debugfs_safe(IgdCapture *c, const IgdCaptureDevice *d)
{
    g_autoptr(GPtrArray) minors = list_dir(c, "/sys/kernel/debug/dri", NULL, NULL);
    const char *files[] = { "i915_opregion", "i915_vbt" };

    if (minors == NULL)
        return TRUE; /* no debugfs: nothing will be opened there */
    for (guint i = 0; i < minors->len; i++) {
        const char *m = minors->pdata[i];
        gboolean numbered = strspn(m, "0123456789") == strlen(m);
        if (!numbered && !g_str_equal(m, d->name))
            continue;
        for (gsize f = 0; f < G_N_ELEMENTS(files) + (numbered ? 1 : 0); f++) {
            g_autofree char *abs = g_strdup_printf("/sys/kernel/debug/dri/%s/%s", m,
                                                   f < G_N_ELEMENTS(files) ? files[f] : "name");
            g_autofree char *phys = NULL;
            g_autoptr(GError) error = NULL;

            phys = resolve(c, abs, RESOLVE_FOLLOW, &error);
            if (phys == NULL && g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND))
                continue;
            if (phys == NULL || !check_regular(c, phys, &error)) {
                g_autofree char *what = g_strdup_printf("OpRegion and VBT of %s", d->name);
                g_autofree char *why = g_strdup_printf("i915 debugfs is not safe to read: %s", error->message);
                omit(c, what, why);
                return FALSE;
            }
        }
    }
    return TRUE;
}

/*
 * Before igd-pci and igd-host open the device's attributes themselves (the
 * ROM, the OpRegion): each is a regular file inside the tree, or absent;
 * under a sysroot, the VFIO nodes that igd-vfio opens do not lead out of
 * the tree. FALSE with the reason.
 */
static gboolean
device_safe(IgdCapture *c, const IgdCaptureDevice *d, GError **error)
{
    const char *attrs[] = { "vendor", "device", "class", "revision", "subsystem_vendor", "subsystem_device",
                            "driver_override" };

    for (gsize i = 0; i < G_N_ELEMENTS(attrs); i++) {
        g_autofree char *abs = g_strdup_printf("%s/%s", d->phys_dir, attrs[i]);
        g_autofree char *phys = NULL;
        g_autoptr(GError) local = NULL;

        phys = resolve(c, abs, RESOLVE_FOLLOW, &local);
        if (phys == NULL && g_error_matches(local, IGD_ERROR, IGD_ERROR_NOT_FOUND))
            continue;
        if (phys == NULL || !check_regular(c, phys, &local)) {
            g_propagate_error(error, g_steal_pointer(&local));
            return FALSE;
        }
    }
    if (!igd_sysroot_is_host(c->sysroot) && g_strcmp0(d->driver, "vfio-pci") == 0) {
        g_autofree char *group = g_strdup_printf("/dev/vfio/%s", d->group ? d->group : "none");
        const char *nodes[] = { "/dev/vfio/vfio", group, "/dev/iommu", "/dev/vfio/devices" };

        for (gsize i = 0; i < G_N_ELEMENTS(nodes); i++) {
            g_autofree char *phys = NULL;
            g_autoptr(GError) local = NULL;

            phys = resolve(c, nodes[i], RESOLVE_FOLLOW, &local);
            if (phys == NULL && !g_error_matches(local, IGD_ERROR, IGD_ERROR_NOT_FOUND)) {
                g_propagate_error(error, g_steal_pointer(&local));
                return FALSE;
            }
        }
    }
    return TRUE;
}

static void
capture_igd_blobs(IgdCapture *c, IgdCaptureDevice *d)
{
    g_autofree char *rom_phys = g_strdup_printf("%s/rom", d->phys_dir);
    g_autofree char *rom_abs = g_strdup_printf("/sys/bus/pci/devices/%s/rom", d->name);
    g_autofree char *dbg = g_strdup_printf("/sys/kernel/debug/dri/%s", d->name);
    g_autoptr(GError) error = NULL;
    struct stat st;

    if (!device_safe(c, d, &error)) {
        g_autofree char *what = g_strdup_printf("ROM, OpRegion and VBT of %s", d->name);
        g_autofree char *why = g_strdup_printf("the device is not safe to open: %s", error->message);
        omit(c, what, why);
        return;
    }
    /* ROM: igd_pci_device_read_rom() (on the host it writes "1" to rom first, "0" after) */
    if (!lstat_phys(c, rom_phys, &st, &error)) {
        omit(c, rom_abs, g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND) ? "no rom attribute" : error->message);
    } else if (!S_ISREG(st.st_mode)) {
        g_autofree char *why = g_strdup_printf("is %s, not a regular file: not read", file_type_name(st.st_mode));
        omit(c, rom_abs, why);
    } else {
        g_autoptr(IgdPciDevice) dev = igd_pci_device_new(c->sysroot, &d->addr, &error);
        g_autoptr(GBytes) rom = dev ? igd_pci_device_read_rom(dev, &error) : NULL;
        if (rom != NULL)
            add_file(c, rom_phys, rom, rom_abs);
        else
            omit_error(c, rom_abs, error);
    }
    g_clear_error(&error);

    if (!debugfs_safe(c, d))
        return;
    /* OpRegion: igd_host_read_opregion(), the one home of where it comes from */
    {
        g_autofree char *source = NULL;
        g_autoptr(GBytes) op = igd_host_read_opregion(c->sysroot, &d->addr, d->driver, &source, &error);
        g_autofree char *abs = g_strdup_printf("%s/i915_opregion", dbg);

        if (op == NULL) {
            g_autofree char *what = g_strdup_printf("OpRegion of %s", d->name);
            omit_error(c, what, error);
        } else if (g_strcmp0(source, "vfio") == 0) {
            g_autofree char *from = g_strdup_printf("VFIO OpRegion region of %s (/dev/vfio/%s)", d->name,
                                                    d->group ? d->group : "?");
            add_file(c, abs, op, from)->note =
                g_strdup("put where i915's debugfs keeps it, so --sysfs-root finds it; inspect calls its source "
                         "\"debugfs\" there");
        } else {
            g_autofree char *path = igd_host_debugfs_path(c->sysroot, &d->addr, "i915_opregion");
            add_file(c, abs, op, path ? path : "i915 debugfs");
        }
        g_clear_error(&error);
    }
    /* VBT: i915 debugfs */
    {
        g_autoptr(GBytes) vbt = igd_host_read_debugfs_vbt(c->sysroot, &d->addr, &error);
        g_autofree char *abs = g_strdup_printf("%s/i915_vbt", dbg);

        if (vbt == NULL) {
            g_autofree char *what = g_strdup_printf("VBT of %s", d->name);
            omit_error(c, what, error);
        } else {
            g_autofree char *path = igd_host_debugfs_path(c->sysroot, &d->addr, "i915_vbt");
            add_file(c, abs, vbt, path ? path : "i915 debugfs");
        }
    }
}

static void
capture_device(IgdCapture *c, IgdCaptureDevice *d)
{
    g_autofree char *abs = g_strdup_printf("/sys/bus/pci/devices/%s", d->name);
    g_autofree char *vfio_dev = NULL;
    g_autoptr(GPtrArray) cdevs = NULL;
    g_autoptr(GError) error = NULL;

    d->phys_dir = resolve(c, abs, RESOLVE_FOLLOW | RESOLVE_RECORD, &error);
    if (d->phys_dir == NULL) {
        if (!g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND) || d->igd)
            omit_error(c, abs, error);
        return;
    }
    add_dir(c, d->phys_dir, abs);
    for (gsize i = 0; i < G_N_ELEMENTS(pci_attrs); i++) {
        g_autofree char *attr = g_strdup_printf("%s/%s", d->phys_dir, pci_attrs[i]);
        capture_file(c, attr, ATTR_MAX, i < 3);
    }
    {
        g_autofree char *cfg_abs = g_strdup_printf("%s/config", d->phys_dir);
        g_autofree char *src = g_strdup_printf("%s/config", abs);
        g_autoptr(GBytes) cfg = read_tree_file(c, cfg_abs, IGD_PCI_CONFIG_MAX, FALSE, TRUE, NULL, &error);

        if (cfg == NULL) {
            omit_error(c, src, error);
            g_clear_error(&error);
        } else {
            gsize len = 0;
            const guint8 *bytes = g_bytes_get_data(cfg, &len);
            guint8 *copy = g_memdup2(bytes, len);
            g_autoptr(GBytes) redacted = NULL;
            IgdCaptureEntry *e;

            redact_config(c, cfg_abs, copy, len);
            redacted = g_bytes_new_take(copy, len);
            e = add_file(c, cfg_abs, redacted, src);
            if (len == 64 && igd_sysroot_is_host(c->sysroot) && getuid() != 0)
                e->note = g_strdup("64 bytes: the kernel shows the rest of config space to root only");
        }
    }
    {
        g_autofree char *drv = g_strdup_printf("%s/driver", d->phys_dir);
        g_autofree char *grp = g_strdup_printf("%s/iommu_group", d->phys_dir);
        d->driver = capture_leaf_link(c, drv);
        d->group = capture_leaf_link(c, grp);
    }
    vfio_dev = g_strdup_printf("%s/vfio-dev", d->phys_dir);
    cdevs = list_dir(c, vfio_dev, NULL, NULL);
    for (guint i = 0; cdevs && i < cdevs->len && i < 16; i++) {
        g_autofree char *cdev = g_strdup_printf("%s/%s", vfio_dev, (char *)cdevs->pdata[i]);
        add_dir(c, cdev, cdev);
    }
    if (d->igd)
        capture_igd_blobs(c, d);
}

/* The driver directories: the write-only attributes as empty placeholders, the captured devices' links. */
static void
capture_drivers(IgdCapture *c)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    g_autofree char *bus = resolve(c, "/sys/bus/pci", RESOLVE_FOLLOW | RESOLVE_RECORD, NULL);

    for (gsize i = 0; i < G_N_ELEMENTS(host_drivers); i++)
        g_ptr_array_add(names, g_strdup(host_drivers[i]));
    for (guint i = 0; i < c->devices->len; i++) {
        IgdCaptureDevice *d = c->devices->pdata[i];
        if (d->driver && !g_ptr_array_find_with_equal_func(names, d->driver, g_str_equal, NULL))
            g_ptr_array_add(names, g_strdup(d->driver));
    }
    if (bus != NULL) {
        g_autofree char *probe = g_strdup_printf("%s/drivers_probe", bus);
        g_autoptr(GBytes) empty = g_bytes_new_static("", 0);
        add_file(c, probe, empty, "/sys/bus/pci/drivers_probe")->note =
            g_strdup("placeholder: write-only on the host");
    }
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *abs = g_strdup_printf("/sys/bus/pci/drivers/%s", (char *)names->pdata[i]);
        g_autofree char *phys = NULL;
        struct stat st;

        if (strchr(names->pdata[i], '/') != NULL)
            continue;
        phys = resolve(c, abs, RESOLVE_FOLLOW | RESOLVE_RECORD, &error);
        if (phys == NULL || !lstat_phys(c, phys, &st, NULL) || !S_ISDIR(st.st_mode)) {
            if (phys == NULL && !g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND))
                omit_error(c, abs, error);
            g_clear_error(&error);
            continue;
        }
        add_dir(c, phys, abs);
        for (gsize k = 0; k < G_N_ELEMENTS(driver_placeholders); k++) {
            g_autofree char *f = g_strdup_printf("%s/%s", phys, driver_placeholders[k]);
            g_autofree char *src = g_strdup_printf("%s/%s", abs, driver_placeholders[k]);
            g_autoptr(GBytes) empty = g_bytes_new_static("", 0);
            add_file(c, f, empty, src)->note = g_strdup("placeholder: write-only on the host");
        }
        for (guint k = 0; k < c->devices->len; k++) {
            IgdCaptureDevice *d = c->devices->pdata[k];
            g_autofree char *link = g_strdup_printf("%s/%s", phys, d->name);
            g_autofree char *got = NULL;
            if (g_strcmp0(d->driver, names->pdata[i]) == 0)
                got = capture_leaf_link(c, link);
        }
    }
}

/* Every IOMMU group by name (the count is a fact), and the captured devices' links in their groups. */
static void
capture_iommu_groups(IgdCapture *c)
{
    g_autofree char *phys = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) groups = list_dir(c, "/sys/kernel/iommu_groups", &phys, &error);

    if (groups == NULL) {
        if (!g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND))
            omit_error(c, "/sys/kernel/iommu_groups", error);
        return;
    }
    add_dir(c, phys, "/sys/kernel/iommu_groups");
    for (guint i = 0; i < groups->len; i++) {
        g_autofree char *g = g_strdup_printf("%s/%s", phys, (char *)groups->pdata[i]);
        struct stat st;

        if (!lstat_phys(c, g, &st, NULL) || !S_ISDIR(st.st_mode)) {
            omit(c, g, "not a directory: left out");
            continue;
        }
        add_dir(c, g, g);
    }
    for (guint i = 0; i < c->devices->len; i++) {
        IgdCaptureDevice *d = c->devices->pdata[i];
        g_autofree char *dir = NULL;
        g_autofree char *devdir = NULL;
        g_autofree char *link = NULL;
        g_autofree char *got = NULL;

        if (d->group == NULL || d->phys_dir == NULL || strchr(d->group, '/') || g_str_equal(d->group, ".."))
            continue;
        dir = g_strdup_printf("/sys/kernel/iommu_groups/%s/devices", d->group);
        devdir = resolve(c, dir, RESOLVE_FOLLOW | RESOLVE_RECORD, NULL);
        if (devdir == NULL)
            continue;
        link = g_strdup_printf("%s/%s", devdir, d->name);
        got = capture_leaf_link(c, link);
    }
}

/* The IOMMU units: their registers and the captured devices' links. */
static void
capture_iommu_units(IgdCapture *c)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) units = list_dir(c, "/sys/class/iommu", NULL, &error);

    if (units == NULL) {
        if (!g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND))
            omit_error(c, "/sys/class/iommu", error);
        return;
    }
    for (guint i = 0; i < units->len && i < 64; i++) {
        g_autofree char *abs = g_strdup_printf("/sys/class/iommu/%s", (char *)units->pdata[i]);
        g_autofree char *phys = resolve(c, abs, RESOLVE_FOLLOW | RESOLVE_RECORD, &error);
        const char *kinds[] = { "intel-iommu", "amd-iommu" };

        if (phys == NULL) {
            omit_error(c, abs, error);
            g_clear_error(&error);
            continue;
        }
        add_dir(c, phys, abs);
        for (gsize k = 0; k < G_N_ELEMENTS(kinds); k++) {
            g_autofree char *sub = g_strdup_printf("%s/%s", phys, kinds[k]);
            g_autoptr(GPtrArray) regs = list_dir(c, sub, NULL, NULL);
            for (guint r = 0; regs && r < regs->len && r < 32; r++) {
                g_autofree char *f = g_strdup_printf("%s/%s", sub, (char *)regs->pdata[r]);
                capture_file(c, f, ATTR_MAX, FALSE);
            }
        }
        {
            g_autofree char *devs = g_strdup_printf("%s/devices", phys);
            g_autofree char *devs_phys = resolve(c, devs, RESOLVE_FOLLOW | RESOLVE_RECORD, NULL);
            for (guint k = 0; devs_phys != NULL && k < c->devices->len; k++) {
                IgdCaptureDevice *d = c->devices->pdata[k];
                g_autofree char *link = g_strdup_printf("%s/%s", devs_phys, d->name);
                g_autofree char *got = capture_leaf_link(c, link);
            }
        }
    }
}

static void
capture_modules(IgdCapture *c)
{
    for (gsize i = 0; i < G_N_ELEMENTS(vfio_modules); i++) {
        g_autofree char *abs = g_strdup_printf("/sys/module/%s", vfio_modules[i]);
        g_autofree char *params = g_strdup_printf("%s/parameters", abs);
        g_autofree char *phys = resolve(c, abs, RESOLVE_FOLLOW | RESOLVE_RECORD, NULL);
        g_autoptr(GPtrArray) names = NULL;

        if (phys == NULL)
            continue;
        add_dir(c, phys, abs);
        names = list_dir(c, params, NULL, NULL);
        for (guint k = 0; names && k < names->len && k < 64; k++) {
            g_autofree char *f = g_strdup_printf("%s/%s", params, (char *)names->pdata[k]);
            capture_file(c, f, ATTR_MAX, TRUE);
        }
    }
}

/* TRUE when /proc/iomem shows at least one non-zero address (root reads them, others see zeros). */
static gboolean
iomem_has_addresses(GBytes *iomem)
{
    gsize len = 0;
    const char *s = g_bytes_get_data(iomem, &len);

    for (const char *line = s, *eod = s + len; line < eod;) {
        const char *nl = memchr(line, '\n', (gsize)(eod - line));
        const char *stop = nl ? nl : eod;
        const char *colon = memchr(line, ':', (gsize)(stop - line));

        for (const char *p = line; colon && p < colon; p++) {
            if (g_ascii_isxdigit(*p) && *p != '0')
                return TRUE;
        }
        line = stop + 1;
    }
    return FALSE;
}

static void
capture_proc(IgdCapture *c)
{
    g_autoptr(GError) error = NULL;
    IgdCaptureEntry *e;

    e = capture_file(c, "/proc/iomem", IOMEM_MAX, TRUE);
    if (e != NULL && g_bytes_get_size(e->data) > 0 && !iomem_has_addresses(e->data))
        e->note = g_strdup("addresses are zero: read without CAP_SYS_ADMIN (run the report as root)");
    {
        g_autofree char *phys = NULL;
        g_autoptr(GBytes) raw = read_tree_file(c, "/proc/cmdline", CMDLINE_MAX, FALSE, TRUE, &phys, &error);
        if (raw == NULL) {
            omit_error(c, "/proc/cmdline", error);
            g_clear_error(&error);
        } else {
            g_autoptr(GBytes) redacted = redact_cmdline(c, phys, raw);
            add_file(c, phys, redacted, "/proc/cmdline");
        }
    }
    {
        g_autofree char *phys = NULL;
        g_autoptr(GBytes) raw = read_tree_file(c, "/proc/sys/kernel/osrelease", ATTR_MAX, FALSE, TRUE, &phys, &error);
        if (raw == NULL) {
            omit_error(c, "/proc/sys/kernel/osrelease", error);
            g_clear_error(&error);
        } else {
            g_autoptr(GBytes) redacted = redact_text(c, phys, raw);
            add_file(c, phys, redacted, "/proc/sys/kernel/osrelease");
        }
    }
    {
        g_autofree char *phys = NULL;
        g_autoptr(GBytes) raw = read_tree_file(c, "/proc/cpuinfo", CPUINFO_MAX, TRUE, TRUE, &phys, &error);
        if (raw == NULL) {
            if (!g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND))
                omit_error(c, "/proc/cpuinfo", error);
            g_clear_error(&error);
        } else {
            gsize len = 0;
            const char *s = g_bytes_get_data(raw, &len);
            const char *blank = g_strstr_len(s, (gssize)len, "\n\n");
            gsize keep = blank ? (gsize)(blank - s) + 1 : len;
            g_autoptr(GBytes) first = g_bytes_new(s, keep);
            g_autoptr(GBytes) redacted = redact_text(c, phys, first);
            add_file(c, phys, redacted, "/proc/cpuinfo")->note = g_strdup("the first processor only");
        }
    }
}

/* ------------------------------------------------------------------ kernel log */

static void
capture_kmsg(IgdCapture *c)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *phys = resolve(c, "/dev/kmsg", RESOLVE_FOLLOW | RESOLVE_RECORD, &error);
    g_autoptr(GBytes) log = NULL;
    g_autoptr(GArray) igds = g_array_new(FALSE, FALSE, sizeof(IgdPciAddress));
    g_autoptr(GBytes) filtered = NULL;
    g_autoptr(GBytes) redacted = NULL;
    struct stat st;

    if (phys == NULL || !lstat_phys(c, phys, &st, &error)) {
        omit_error(c, "/dev/kmsg", error);
        return;
    }
    /* the host's /dev/kmsg is a character device read without blocking; a tree's is a regular file */
    if (!S_ISREG(st.st_mode) && !(igd_sysroot_is_host(c->sysroot) && S_ISCHR(st.st_mode))) {
        g_autofree char *why = g_strdup_printf("is %s, not a regular file: not read", file_type_name(st.st_mode));
        omit(c, "/dev/kmsg", why);
        return;
    }
    log = igd_host_read_kmsg(c->sysroot, &error);
    if (log == NULL) {
        omit_error(c, "/dev/kmsg", error);
        return;
    }
    for (guint i = 0; i < c->devices->len; i++) {
        IgdCaptureDevice *d = c->devices->pdata[i];
        if (d->igd)
            g_array_append_val(igds, d->addr);
    }
    filtered = igd_redact_kernel_log(log, (const IgdPciAddress *)(gpointer)igds->data, igds->len, &c->kmsg_kept,
                                     &c->kmsg_total);
    redacted = redact_text(c, "/dev/kmsg", filtered);
    add_file(c, S_ISREG(st.st_mode) ? phys : "/dev/kmsg", redacted, "/dev/kmsg")->note =
        g_strdup_printf("filtered: %u of %u records kept (those naming an IGD; DMAR, IOMMU, vfio, i915 and "
                        "framebuffer records naming no other PCI device; never the command line)",
                        c->kmsg_kept, c->kmsg_total);
}

/* ------------------------------------------------------------------ QEMU */

void
igd_capture_set_qemu(IgdCapture *c, const IgdQemuCaps *qemu, const GError *why)
{
    g_clear_pointer(&c->qemu_ini, g_free);
    g_clear_pointer(&c->qemu_binary, g_free);
    g_clear_pointer(&c->qemu_error, g_free);
    if (qemu != NULL) {
        c->qemu_ini = igd_qemu_caps_save(qemu, NULL);
        c->qemu_binary = g_strdup(qemu->binary);
    } else {
        c->qemu_error = g_strdup(why ? why->message : "no QEMU given");
    }
}

static void
capture_qemu(IgdCapture *c)
{
    if (c->qemu_ini != NULL) {
        g_autoptr(GBytes) raw = g_bytes_new(c->qemu_ini, strlen(c->qemu_ini));
        g_autoptr(GBytes) redacted = redact_text(c, "/qemu-probe.ini", raw);
        g_autofree char *bin = igd_redactor_words(c->redactor, c->qemu_binary ? c->qemu_binary : "QEMU");
        g_autofree char *src = g_strdup_printf("the probe of %s (--version, -device vfio-pci,help)", bin);
        add_file(c, "/qemu-probe.ini", redacted, src)->note =
            g_strdup("judge by this QEMU: IGD_QEMU_CAPS=DIR/qemu-probe.ini");
    } else {
        omit(c, "QEMU probe", c->qemu_error ? c->qemu_error : "not probed");
    }
}

/* Drop entries below a path that is not a directory in the tree (only a host changing under us does that). */
static void
check_consistency(IgdCapture *c)
{
    g_autoptr(GPtrArray) drop = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, c->entries);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        IgdCaptureEntry *e = value;
        g_autofree char *parent = g_path_get_dirname(e->path);
        while (!g_str_equal(parent, ".")) {
            IgdCaptureEntry *p = g_hash_table_lookup(c->entries, parent);
            char *up;
            if (p != NULL && p->kind != IGD_CAPTURE_DIR) {
                g_ptr_array_add(drop, g_strdup(e->path));
                break;
            }
            up = g_path_get_dirname(parent);
            g_free(parent);
            parent = up;
        }
    }
    for (guint i = 0; i < drop->len; i++) {
        omit(c, drop->pdata[i], "below a path that is not a directory in the tree: left out");
        g_hash_table_remove(c->entries, drop->pdata[i]);
    }
}

gboolean
igd_capture_run(IgdCapture *c, GError **error)
{
    IgdPciAddress bridge = { .domain = 0, .bus = 0, .slot = 0, .function = 0 };
    IgdPciAddress lpc = { .domain = 0, .bus = 0, .slot = 0x1f, .function = 0 };
    g_autofree char *readme = NULL;
    GPtrArray *sorted;
    IgdCaptureEntry *self;

    if (c->ran) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INTERNAL, "a capture runs once");
        return FALSE;
    }
    c->ran = TRUE;
    if (!find_igds(c, error))
        return FALSE;
    for (guint i = 0; i < c->devices->len; i++)
        g_ptr_array_add(c->igds, g_strdup(((IgdCaptureDevice *)c->devices->pdata[i])->name));
    g_ptr_array_sort(c->igds, compare_strings);
    {
        g_autofree char *b = g_strdup("/sys/bus/pci/devices/0000:00:00.0");
        g_autofree char *l = g_strdup("/sys/bus/pci/devices/0000:00:1f.0");
        g_autofree char *bp = resolve(c, b, RESOLVE_FOLLOW, NULL);
        g_autofree char *lp = resolve(c, l, RESOLVE_FOLLOW, NULL);
        if (bp)
            want_device(c, &bridge, FALSE);
        if (lp)
            want_device(c, &lpc, FALSE);
    }
    add_group_members(c);
    for (guint i = 0; i < c->devices->len; i++)
        capture_device(c, c->devices->pdata[i]);
    capture_drivers(c);
    capture_iommu_groups(c);
    capture_iommu_units(c);
    capture_modules(c);
    capture_proc(c);
    capture_kmsg(c);
    capture_qemu(c);
    check_consistency(c);

    /* README.md lists every file, itself included */
    self = add_entry(c, "/README.md", IGD_CAPTURE_FILE, "written by igd-assign report");
    sorted = igd_capture_get_entries(c);
    g_ptr_array_sort(sorted, igd_capture_compare_entries);
    readme = igd_capture_readme(c, sorted);
    {
        gsize len = strlen(readme);
        self->data = g_bytes_new_take(g_steal_pointer(&readme), len);
    }
    return TRUE;
}
