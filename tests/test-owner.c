/*
 * test-owner.c: the ownership transaction (igd-core/igd-owner.c) in
 * process, as libvirt's virhostdevtest.c tests virhostdev.c: no D-Bus, a
 * copy of the captured host tree skl-ideapad-vfio (IdeaPad 320-14ISK,
 * Skylake 0x1916, already on vfio-pci, IOMMU group 0) and the VFIO double
 * (tests/libigdvfiodouble.so) serving the real OpRegion dump
 * fixtures/opregion/skl-asus-b150m-plus-d3-i7-6700.bin as region 9.
 *
 * The owner's clock is the fixture's (to cross the stale-owner grace
 * period), its log goes to a list the tests read.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "igd-common.h"
#include "igd-owner.h"
#include "igd-state.h"
#include "igd-test.h"
#include "sysfs-double-client.h"
#include "vfio-double-client.h"

#define UUID_A "c7a5fdbd-edaf-9455-926a-d65c16db1809"
#define UUID_B "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define UUID_C "0f2c5a1e-3b7d-4c9e-8a61-2d4f6b8c0e13"
#define HOST "skl-ideapad-vfio"
#define IGD "0000:00:02.0"
#define DEV_DIR "sys/bus/pci/devices/" IGD
#define OPREGION_FIXTURE "fixtures/opregion/skl-asus-b150m-plus-d3-i7-6700.bin"
#define T0 G_GINT64_CONSTANT(1764000000) /* 2025-11-24T16:00:00Z */
#define MiB (G_GUINT64_CONSTANT(1) << 20)

typedef struct {
    char *dir;       /* everything below is in here */
    char *root;      /* the host tree copy */
    char *state_dir;
    IgdOwner *owner;
    gint64 now;      /* the owner's clock */
    GPtrArray *log;  /* "LEVEL uuid pci: message" */
} Fixture;

static gint64
fixture_clock(gpointer user_data)
{
    return ((Fixture *)user_data)->now;
}

static void
fixture_log(GLogLevelFlags level, const char *uuid, const char *pci, const char *message, gpointer user_data)
{
    Fixture *f = user_data;

    g_ptr_array_add(f->log, g_strdup_printf("%s %s %s: %s", (level & G_LOG_LEVEL_WARNING) ? "WARNING" : "MESSAGE",
                                            uuid ? uuid : "-", pci ? pci : "-", message));
}

/* A new owner over the fixture's tree and state directory (the old one freed). */
static void
fixture_owner(Fixture *f, gboolean rebind_on_release)
{
    IgdOwnerConfig oc = { f->root, f->state_dir, rebind_on_release, -1 };

    g_clear_pointer(&f->owner, igd_owner_free);
    f->owner = igd_owner_new(&oc);
    igd_owner_set_clock(f->owner, fixture_clock, f);
    igd_owner_set_log_func(f->owner, fixture_log, f);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    g_autofree char *host = igd_test_srcpath("data/hosts/" HOST);

    f->dir = igd_test_mkdtemp();
    f->root = g_build_filename(f->dir, "root", NULL);
    f->state_dir = g_build_filename(f->dir, "state", NULL);
    f->now = T0;
    f->log = g_ptr_array_new_with_free_func(g_free);
    igd_test_copytree(host, f->root);
    igd_vfio_double_setup(f->root, "skl-opregion", 0, NULL);
    fixture_owner(f, FALSE);
    igd_owner_reconcile(f->owner);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(igd_vfio_double_count_fds(), ==, 0);
    igd_owner_free(f->owner);
    igd_test_rmtree(f->dir);
    g_free(f->dir);
    g_free(f->root);
    g_free(f->state_dir);
    g_ptr_array_unref(f->log);
}

/* ---- helpers ---- */

static gboolean
prepare(Fixture *f, const char *uuid, const char *name, GError **error)
{
    IgdPrepareRequest req = { uuid, name, IGD, "legacy", NULL, 0 };

    return igd_owner_prepare(f->owner, &req, error);
}

static char *
path_in(const char *dir, const char *a, const char *b)
{
    return g_build_filename(dir, a, b, NULL);
}

/* The state file as the next start would read it. */
static IgdState *
disk_state(Fixture *f)
{
    g_autofree char *path = path_in(f->state_dir, IGD_STATE_FILE_NAME, NULL);
    g_autoptr(GError) error = NULL;
    IgdState *st = igd_state_load(path, &error);

    g_assert_no_error(error);
    return st;
}

static guint
disk_entries(Fixture *f)
{
    g_autoptr(IgdState) st = disk_state(f);
    return igd_state_get_entries(st)->len;
}

/* Every name under @dir, sorted, "a b/c" (what a failed operation must leave as it found it). */
static void
list_tree(const char *dir, const char *prefix, GPtrArray *out)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *rel = prefix ? g_strdup_printf("%s/%s", prefix, name) : g_strdup(name);

        if (!g_file_test(path, G_FILE_TEST_IS_SYMLINK) && g_file_test(path, G_FILE_TEST_IS_DIR))
            list_tree(path, rel, out);
        g_ptr_array_add(out, g_steal_pointer(&rel));
    }
}

static gint
cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *
tree_of(const char *dir)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

    list_tree(dir, NULL, names);
    g_ptr_array_sort(names, cmp_names);
    g_ptr_array_add(names, NULL);
    return g_strjoinv(" ", (char **)names->pdata);
}

static void
assert_logged(Fixture *f, const char *substring)
{
    for (guint i = 0; i < f->log->len; i++)
        if (strstr(g_ptr_array_index(f->log, i), substring) != NULL)
            return;
    for (guint i = 0; i < f->log->len; i++)
        g_test_message("log: %s", (const char *)g_ptr_array_index(f->log, i));
    g_error("nothing logged contains '%s'", substring);
}

static GBytes *
blob(Fixture *f, const char *uuid, const char *name)
{
    g_autofree char *path = path_in(f->state_dir, uuid, name);
    return igd_test_load(path);
}

static guint64
bdsm_size(Fixture *f, const char *uuid)
{
    g_autoptr(GBytes) b = blob(f, uuid, "igd-bdsm-size");

    g_assert_cmpuint(g_bytes_get_size(b), ==, 8);
    return igd_le64(g_bytes_get_data(b, NULL));
}

static gboolean
blob_dir_exists(Fixture *f, const char *uuid)
{
    g_autofree char *path = path_in(f->state_dir, uuid, NULL);
    return g_file_test(path, G_FILE_TEST_EXISTS);
}

/* The value of "key": "..." in @json after @from (our own writer's layout), NULL for null. */
static char *
json_string_after(const char *json, const char *from, const char *key)
{
    g_autofree char *needle = g_strdup_printf("\"%s\": ", key);
    const char *p = from ? strstr(json, from) : json;
    const char *end;

    g_assert_nonnull(p);
    p = strstr(p, needle);
    g_assert_nonnull(p);
    p += strlen(needle);
    if (g_str_has_prefix(p, "null"))
        return NULL;
    g_assert_true(*p == '"');
    end = strchr(p + 1, '"');
    g_assert_nonnull(end);
    return g_strndup(p + 1, (gsize)(end - p - 1));
}

static void
relink(const char *path, const char *target)
{
    g_unlink(path);
    g_assert_cmpint(symlink(target, path), ==, 0);
}

/* The copy's IGD as the kernel shows it bound to i915 (left vfio-pci). */
static void
to_i915(Fixture *f)
{
    g_autofree char *driver = g_build_filename(f->root, DEV_DIR, "driver", NULL);
    relink(driver, "../../../../bus/pci/drivers/i915");
}

/* ---- prepare ---- */

/*
 * The blobs: etc/igd-opregion is the OpRegion the VFIO region gives (the
 * double serves the real dump as it is); etc/igd-bdsm-size without a QEMU
 * is the host's stolen size: tests/data/hosts/skl-ideapad-vfio/README.md
 * "GGC = config[0x50..0x51] = c1 01 -> 0x01c1; gen 9: GMS = bits 15:8 =
 * 0x01; GMS x 32 MiB = 33554432 bytes".
 */
static void
test_prepare(Fixture *f, gconstpointer data)
{
    g_autofree char *fixture = igd_test_datapath(OPREGION_FIXTURE);
    g_autoptr(GBytes) want = igd_test_load(fixture);
    g_autoptr(GBytes) op = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdState) st = NULL;
    g_autofree char *op_path = path_in(f->state_dir, UUID_A, "igd-opregion");
    const IgdStateEntry *e;
    GStatBuf sb;

    g_assert_true(prepare(f, UUID_A, "win10", &error));
    g_assert_no_error(error);
    op = blob(f, UUID_A, "igd-opregion");
    g_assert_cmpuint(g_bytes_get_size(op), ==, 8192);
    g_assert_true(g_bytes_equal(op, want));
    g_assert_cmpuint(bdsm_size(f, UUID_A), ==, 33554432);
    g_assert_cmpint(g_stat(op_path, &sb), ==, 0);
    g_assert_cmpint(sb.st_mode & 0777, ==, 0640);
    /* QEMU's group enters <state>/<uuid>/ (0750) through the state directory (x for all). */
    {
        g_autofree char *dir = path_in(f->state_dir, UUID_A, NULL);
        g_assert_cmpint(g_stat(dir, &sb), ==, 0);
        g_assert_cmpint(sb.st_mode & 07777, ==, 0750);
        g_assert_cmpint(g_stat(f->state_dir, &sb), ==, 0);
        g_assert_cmpint(sb.st_mode & 0011, ==, 0011);
    }

    st = disk_state(f);
    g_assert_cmpuint(igd_state_get_entries(st)->len, ==, 1);
    e = igd_state_lookup_uuid(st, UUID_A);
    g_assert_nonnull(e);
    g_assert_cmpuint(e->address.slot, ==, 2);
    g_assert_cmpstr(e->name, ==, "win10");
    g_assert_cmpstr(e->mode, ==, "legacy");
    g_assert_cmpint(e->since, ==, T0);
    g_assert_null(e->previous_driver); /* already on vfio-pci in this tree */
    assert_logged(f, "MESSAGE " UUID_A " " IGD ": prepared " IGD " for domain 'win10' (" UUID_A
                     "), mode legacy, bdsm-size 33554432, opregion 8192 bytes");

    /* The same domain again (another case, the short address, later): fine, one owner, first "since" kept. */
    f->now = T0 + 3600;
    {
        IgdPrepareRequest again = { "C7A5FDBD-EDAF-9455-926A-D65C16DB1809", "win10", "00:02.0", "legacy", NULL, 0 };
        g_assert_true(igd_owner_prepare(f->owner, &again, &error));
        g_assert_no_error(error);
    }
    g_clear_pointer(&st, igd_state_free);
    st = disk_state(f);
    g_assert_cmpuint(igd_state_get_entries(st)->len, ==, 1);
    g_assert_cmpint(igd_state_lookup_uuid(st, UUID_A)->since, ==, T0);
    g_assert_cmpuint(bdsm_size(f, UUID_A), ==, 33554432);
}

/*
 * QEMU 7.2 (Debian 12) decides etc/igd-bdsm-size: on this Skylake (device
 * 0x1916, generation 8 to 7.2: "0x16/19/22/59 → 8", reference/igd-facts.md)
 * it zeroes GMS in the guest unless x-igd-gms sets it, and writes GTT size +
 * x-igd-gms × 32 MiB. GTT: GGC 0x01c1, GGMS = bits 7:6 = 3 → 1 << 3 = 8 MiB.
 * So no x-igd-gms → 8 MiB; x-igd-gms=2 → 8 + 64 = 72 MiB.
 */
static void
test_prepare_qemu(Fixture *f, gconstpointer data)
{
    IgdPrepareRequest req = { UUID_A, "win10", IGD, "legacy", "pc-i440fx-7.2", 0 };
    g_autoptr(GError) error = NULL;

    igd_owner_set_qemu(f->owner, igd_qemu_caps_new_for_version(7, 2, 0));
    g_assert_true(igd_owner_prepare(f->owner, &req, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(bdsm_size(f, UUID_A), ==, 8 * MiB);
    req.x_igd_gms = 2;
    g_assert_true(igd_owner_prepare(f->owner, &req, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(bdsm_size(f, UUID_A), ==, 72 * MiB);

    /* Hostile options are refused before anything changes. */
    req.machine = "pc;rm -rf /";
    g_assert_false(igd_owner_prepare(f->owner, &req, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_USAGE);
    g_assert_cmpstr(error->message, ==, "invalid machine type 'pc;rm -rf /'");
    g_clear_error(&error);
    req.machine = NULL;
    req.x_igd_gms = 0x100;
    g_assert_false(igd_owner_prepare(f->owner, &req, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_USAGE);
    g_assert_cmpstr(error->message, ==, "invalid x-igd-gms 256 (at most 0xff)");
    g_assert_cmpuint(bdsm_size(f, UUID_A), ==, 72 * MiB);
}

static void
test_bad_input(Fixture *f, gconstpointer data)
{
    static const struct {
        const char *uuid, *pci, *mode;
        IgdErrorCode code;
        const char *message;
    } cases[] = {
        { "../../etc", IGD, "legacy", IGD_ERROR_USAGE, "invalid domain UUID '../../etc'" },
        { "../" UUID_B, IGD, "legacy", IGD_ERROR_USAGE, "invalid domain UUID '../" UUID_B "'" },
        { UUID_A "/..", IGD, "legacy", IGD_ERROR_USAGE, "invalid domain UUID '" UUID_A "/..'" },
        { "", IGD, "legacy", IGD_ERROR_USAGE, "invalid domain UUID ''" },
        { UUID_A, IGD "/../..", "legacy", IGD_ERROR_USAGE, "invalid PCI address" },
        { UUID_A, IGD, "vga", IGD_ERROR_USAGE, "invalid mode 'vga' (legacy, upt, auto or empty)" },
        /* The host bridge: Intel, but class 0x060000. */
        { UUID_A, "0000:00:00.0", "", IGD_ERROR_UNSUPPORTED,
          "0000:00:00.0 is not an Intel graphics device (vendor 0x8086, class 0x060000)" },
        { UUID_A, "0000:00:03.0", "", IGD_ERROR_NOT_FOUND, "no PCI device 0000:00:03.0 on this host" },
    };
    g_autofree char *before = tree_of(f->dir);
    g_autofree char *after = NULL;
    g_autoptr(GError) error = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        IgdPrepareRequest req = { cases[i].uuid, "x", cases[i].pci, cases[i].mode, NULL, 0 };
        g_autoptr(GError) e = NULL;

        g_assert_false(igd_owner_prepare(f->owner, &req, &e));
        g_assert_error(e, IGD_ERROR, (gint)cases[i].code);
        if (strstr(e->message, cases[i].message) == NULL)
            g_error("case %u: '%s' does not contain '%s'", i, e->message, cases[i].message);
    }
    /* Longer than any valid argument (10 MB, as one was sent): refused before anything, the bound named. */
    {
        gsize big = 10u << 20;
        g_autofree char *huge = g_malloc(big + 1);
        IgdPrepareRequest req = { UUID_A, huge, IGD, "legacy", NULL, 0 };

        memset(huge, 'x', big);
        huge[big] = '\0';
        g_assert_false(igd_owner_prepare(f->owner, &req, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_USAGE);
        g_assert_cmpstr(error->message, ==, "domain name of 10485760 bytes, more than 4096");
        g_clear_error(&error);
        req.name = "x";
        req.machine = huge;
        g_assert_false(igd_owner_prepare(f->owner, &req, &error));
        g_assert_cmpstr(error->message, ==, "machine type of 10485760 bytes, more than 4096");
        g_clear_error(&error);
    }
    g_assert_false(igd_owner_release(f->owner, "../" UUID_A, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_USAGE);
    g_clear_error(&error);
    g_assert_false(igd_owner_bind(f->owner, "0000:00:00.0", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED);
    g_clear_error(&error);
    g_assert_false(igd_owner_rebind(f->owner, "0000:00:03.0", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    /* Nothing was written anywhere (the tree holds the host copy, the state directory, nothing beside). */
    after = tree_of(f->dir);
    g_assert_cmpstr(after, ==, before);
    g_assert_cmpuint(igd_state_get_entries(igd_owner_get_state(f->owner))->len, ==, 0);
}

/*
 * A name is only shown: logged escaped and cut to IGD_SHOWN_MAX bytes
 * with its length (a 4000-byte name with control characters is accepted,
 * stored cut to IGD_STATE_NAME_MAX, and no log line carries it whole).
 */
static void
test_long_name(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *name = g_strnfill(4000, 'n');
    const char *line;

    name[10] = '\n';
    name[11] = '\033';
    g_assert_true(prepare(f, UUID_A, name, &error));
    g_assert_no_error(error);
    g_assert_true(igd_owner_release(f->owner, UUID_A, &error));
    for (guint i = 0; i < f->log->len; i++) {
        line = g_ptr_array_index(f->log, i);
        g_assert_cmpuint(strlen(line), <, 2 * IGD_SHOWN_MAX);
        g_assert_null(strchr(line, '\n'));
        g_assert_null(strchr(line, '\033'));
    }
    assert_logged(f, "for domain 'nnnnnnnnnn\\n\\033nnnn");
    assert_logged(f, "nnn...(4000 bytes)' (" UUID_A "), mode legacy");
    /* The state keeps it printable (control characters as '?'), IGD_STATE_NAME_MAX bytes. */
    assert_logged(f, "released " IGD " from domain 'nnnnnnnnnn??nnn");

    /* A message longer than 2048 bytes (here a configured VBT file of a 3000-byte path) is cut. */
    {
        g_autofree char *dirs = g_strnfill(3000, 'd');
        g_autofree char *path = g_strdup_printf("/%s/override.vbt", dirs);
        IgdOwnerOverrides o = { NULL, path, IGD_OPREGION_EXT_RELATIVE };
        IgdPciAddress addr;

        g_assert_true(igd_pci_address_parse(IGD, &addr, NULL));
        igd_owner_set_overrides(f->owner, &addr, &o);
        g_assert_false(prepare(f, UUID_B, "other", &error));
        g_clear_error(&error);
        line = g_ptr_array_index(f->log, f->log->len - 1);
        g_assert_nonnull(strstr(line, "prepare of " IGD " for domain 'other'"));
        g_assert_true(g_str_has_suffix(line, "..."));
        g_assert_cmpuint(strlen(line), <=, 2048 + strlen("WARNING " UUID_B " " IGD ": "));
    }
}

/* ---- two domains ---- */

static void
test_conflict(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;

    g_assert_true(prepare(f, UUID_A, "win10", &error));
    before = tree_of(f->state_dir);
    f->now = T0 + 10; /* within the grace period: A's QEMU may not have opened the group yet */
    g_assert_false(prepare(f, UUID_B, "linux", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CONFLICT);
    g_assert_cmpstr(error->message, ==, "device " IGD " is owned by running domain 'win10' (uuid " UUID_A ")");
    g_clear_error(&error);
    /* Reconnect by the other domain: refused too; rebind of an owned device: refused. */
    g_assert_false(igd_owner_reconnect(f->owner, UUID_B, IGD, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CONFLICT);
    g_clear_error(&error);
    g_assert_false(igd_owner_rebind(f->owner, IGD, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CONFLICT);
    g_assert_cmpstr(error->message, ==,
                    "device " IGD " is owned by running domain 'win10' (uuid " UUID_A "): stop it first");
    after = tree_of(f->state_dir);
    g_assert_cmpstr(after, ==, before);
    g_assert_false(blob_dir_exists(f, UUID_B));
    g_assert_cmpstr(igd_state_lookup_uuid(igd_owner_get_state(f->owner), UUID_A)->name, ==, "win10");
    g_assert_null(igd_state_lookup_uuid(igd_owner_get_state(f->owner), UUID_B));
}

/*
 * A stale owner: B prepared at T0 and stopped without a release (its QEMU
 * no longer holds the VFIO group, so the double lets the group be opened).
 * Within the grace period it is still the owner (its QEMU may not have
 * started); from T0 + IGD_OWNER_STALE_GRACE_SEC, A takes the device over.
 */
static void
test_takeover(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdState) st = NULL;

    g_assert_true(prepare(f, UUID_B, "old", &error));
    g_assert_true(blob_dir_exists(f, UUID_B));
    f->now = T0 + IGD_OWNER_STALE_GRACE_SEC - 1;
    g_assert_false(prepare(f, UUID_A, "win10", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CONFLICT);
    g_clear_error(&error);
    g_assert_false(blob_dir_exists(f, UUID_A));

    f->now = T0 + IGD_OWNER_STALE_GRACE_SEC;
    g_assert_true(prepare(f, UUID_A, "win10", &error));
    g_assert_no_error(error);
    st = disk_state(f);
    g_assert_cmpuint(igd_state_get_entries(st)->len, ==, 1);
    g_assert_cmpint(igd_state_lookup_uuid(st, UUID_A)->since, ==, T0 + IGD_OWNER_STALE_GRACE_SEC);
    g_assert_null(igd_state_lookup_uuid(st, UUID_B));
    g_assert_false(blob_dir_exists(f, UUID_B));
    g_assert_true(blob_dir_exists(f, UUID_A));
    assert_logged(f, "WARNING " UUID_B " " IGD ": domain 'old' (" UUID_B ") owns " IGD
                     " but no QEMU holds the device: it stopped without a release; handing the device to domain "
                     "'win10' (" UUID_A ")");
}

/* An owner whose QEMU holds the VFIO group (EBUSY) is never taken over, however old. */
static void
test_takeover_busy(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(prepare(f, UUID_B, "old", &error));
    igd_vfio_double_setup(f->root, "busy", 0, NULL);
    f->now = T0 + 30 * 24 * 3600;
    g_assert_false(prepare(f, UUID_A, "win10", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CONFLICT);
    g_assert_nonnull(strstr(error->message, "'old'"));
    g_assert_true(blob_dir_exists(f, UUID_B));
    g_assert_false(blob_dir_exists(f, UUID_A));
    g_assert_cmpstr(igd_state_lookup_uuid(igd_owner_get_state(f->owner), UUID_B)->name, ==, "old");
}

static void
test_release(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(prepare(f, UUID_A, "win10", &error));
    g_assert_true(igd_owner_release(f->owner, UUID_A, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(disk_entries(f), ==, 0);
    g_assert_cmpuint(igd_state_get_entries(igd_owner_get_state(f->owner))->len, ==, 0);
    g_assert_false(blob_dir_exists(f, UUID_A));
    assert_logged(f, "MESSAGE " UUID_A " " IGD ": released " IGD " from domain 'win10' (" UUID_A ")");
    /* Releasing again, or a domain that owns nothing: fine. */
    g_assert_true(igd_owner_release(f->owner, UUID_A, &error));
    g_assert_true(igd_owner_release(f->owner, UUID_B, &error));
    g_assert_no_error(error);
    /* And now the other domain may have it, at once (no grace). */
    g_assert_true(prepare(f, UUID_B, "linux", &error));
    g_assert_no_error(error);
}

static void
test_reconnect(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdState) st = NULL;
    const IgdStateEntry *e;

    /* libvirtd restarted, the daemon lost nothing but was restarted with an empty state: A claims again. */
    f->now = T0 + 5;
    g_assert_true(igd_owner_reconnect(f->owner, UUID_A, IGD, &error));
    g_assert_no_error(error);
    st = disk_state(f);
    e = igd_state_lookup_uuid(st, UUID_A);
    g_assert_nonnull(e);
    g_assert_cmpint(e->since, ==, T0 + 5);
    g_assert_cmpstr(e->name, ==, "");
    assert_logged(f, "domain " UUID_A " reclaimed " IGD);
    /* Again: nothing changes. */
    f->now = T0 + 10;
    g_assert_true(igd_owner_reconnect(f->owner, UUID_A, "00:02.0", &error));
    g_clear_pointer(&st, igd_state_free);
    st = disk_state(f);
    g_assert_cmpint(igd_state_lookup_uuid(st, UUID_A)->since, ==, T0 + 5);
    g_assert_false(igd_owner_reconnect(f->owner, UUID_B, IGD, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CONFLICT);
    g_clear_error(&error);
    g_assert_true(igd_owner_release(f->owner, UUID_A, &error));

    /* A device on i915 cannot be in use by a running domain. */
    to_i915(f);
    g_assert_false(igd_owner_reconnect(f->owner, UUID_A, IGD, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_assert_cmpstr(error->message, ==,
                    "device " IGD " is bound to i915, not vfio-pci: it cannot be in use by domain " UUID_A);
    g_clear_error(&error);
    g_assert_false(igd_owner_reconnect(f->owner, UUID_A, "0000:00:00.0", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED);
    g_assert_cmpuint(disk_entries(f), ==, 0);
}

/* ---- start ---- */

static void
write_state(Fixture *f, const char *xml)
{
    g_autofree char *path = path_in(f->state_dir, IGD_STATE_FILE_NAME, NULL);
    g_assert_true(g_file_set_contents(path, xml, -1, NULL));
}

static void
make_blob_dir(Fixture *f, const char *name)
{
    g_autofree char *dir = path_in(f->state_dir, name, NULL);
    g_autofree char *op = path_in(dir, "igd-opregion", NULL);
    g_autofree char *tmp = path_in(dir, ".igd-opregion.AbC123", NULL);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0750), ==, 0);
    g_assert_true(g_file_set_contents(op, "partial", -1, NULL));
    g_assert_true(g_file_set_contents(tmp, "x", -1, NULL));
}

/*
 * At start: A owns 00:02.0 (on vfio-pci: kept, blobs kept, the temp file a
 * killed writer of an older version left among them removed), B owns
 * 00:03.0 (no such device: dropped), C owns nothing but has blobs (a killed
 * prepare: removed), a killed state save left state.xml.XXXXXX, a killed
 * save of the watcher's records watcher.xml.XXXXXX, and a killed blob writer its new directory and the pair it replaced (all
 * removed); what is not ours is left alone. A state directory group and
 * others cannot enter (made under umask 077) is opened to them: QEMU reads
 * the blobs below it.
 */
static void
test_reconcile(Fixture *f, gconstpointer data)
{
    g_autofree char *temp = path_in(f->state_dir, IGD_STATE_FILE_NAME ".Xy12Zq", NULL);
    g_autofree char *watch_temp = path_in(f->state_dir, IGD_WATCH_LOG_FILE_NAME ".Ab3dE9", NULL);
    g_autofree char *not_temp = path_in(f->state_dir, IGD_WATCH_LOG_FILE_NAME ".bak", NULL);
    g_autofree char *other = path_in(f->state_dir, "not-a-uuid", NULL);
    g_autofree char *writing = path_in(f->state_dir, ".igd-blobs-" UUID_A ".Ab12Cd", NULL);
    g_autofree char *replaced = path_in(f->state_dir, ".igd-blobs-" UUID_A ".Ef34Gh", NULL);
    g_autofree char *writing_op = path_in(writing, "igd-opregion", NULL);
    g_autofree char *replaced_op = path_in(replaced, "igd-opregion", NULL);
    g_autofree char *replaced_bdsm = path_in(replaced, "igd-bdsm-size", NULL);
    g_autofree char *state = NULL;
    g_autoptr(IgdState) st = NULL;
    GStatBuf sb;

    write_state(f, "<igd-assign-state version=\"1\">\n"
                   "  <device address=\"0000:00:02.0\" uuid=\"" UUID_A "\" name=\"win10\" mode=\"legacy\" since=\"1\"/>\n"
                   "  <device address=\"0000:00:03.0\" uuid=\"" UUID_B "\" name=\"gone\" mode=\"upt\" since=\"1\"/>\n"
                   "</igd-assign-state>\n");
    make_blob_dir(f, UUID_A);
    make_blob_dir(f, UUID_C);
    g_assert_true(g_file_set_contents(temp, "<igd-assign-st", -1, NULL));
    g_assert_true(g_file_set_contents(watch_temp, "<igd-watch", -1, NULL));
    g_assert_true(g_file_set_contents(not_temp, "a user's copy", -1, NULL));
    g_assert_cmpint(g_mkdir(other, 0755), ==, 0);
    g_assert_cmpint(g_mkdir(writing, 0700), ==, 0);
    g_assert_true(g_file_set_contents(writing_op, "half", -1, NULL));
    g_assert_cmpint(g_mkdir(replaced, 0750), ==, 0);
    g_assert_true(g_file_set_contents(replaced_op, "old", -1, NULL));
    g_assert_true(g_file_set_contents(replaced_bdsm, "01234567", -1, NULL));
    g_assert_cmpint(g_chmod(f->state_dir, 0700), ==, 0);

    fixture_owner(f, FALSE);
    igd_owner_reconcile(f->owner);
    g_assert_cmpint(g_stat(f->state_dir, &sb), ==, 0);
    g_assert_cmphex(sb.st_mode & 07777, ==, 0711);
    assert_logged(f, "was mode 0700, now 0711");
    st = disk_state(f);
    g_assert_cmpuint(igd_state_get_entries(st)->len, ==, 1);
    g_assert_nonnull(igd_state_lookup_uuid(st, UUID_A));
    g_assert_null(igd_state_lookup_uuid(st, UUID_B));
    g_assert_cmpuint(igd_state_get_entries(igd_owner_get_state(f->owner))->len, ==, 1);
    assert_logged(f, "WARNING " UUID_B " 0000:00:03.0: dropping stale ownership of 0000:00:03.0 by domain " UUID_B);
    assert_logged(f, "MESSAGE " UUID_C " -: removed blobs of domain " UUID_C ", which owns no device");
    state = tree_of(f->state_dir);
    g_assert_cmpstr(state, ==, UUID_A " " UUID_A "/igd-opregion not-a-uuid state.xml watcher.xml.bak");

    /* Then A's device leaves vfio-pci (i915 took it back while the daemon was down): dropped at the next start. */
    to_i915(f);
    fixture_owner(f, FALSE);
    igd_owner_reconcile(f->owner);
    g_assert_cmpuint(disk_entries(f), ==, 0);
    g_assert_false(blob_dir_exists(f, UUID_A));
    assert_logged(f, "WARNING " UUID_A " " IGD ": dropping stale ownership of " IGD " by domain " UUID_A
                     ": no longer bound to vfio-pci");
}

/*
 * A host reboot: the IGD is on i915 again (the driver links and an empty
 * driver_override as the kernel shows them after boot), and a state
 * directory that is not a tmpfs still says A owns it. The start drops the
 * owner and its blobs; the next prepare binds the IGD to vfio-pci (the
 * sysfs double plays the kernel) and works; with rebind-on-release, the
 * release gives it back to i915.
 */
static void
test_reconcile_reboot(Fixture *f, gconstpointer data)
{
    g_autofree char *pci = g_build_filename(f->root, "sys/bus/pci", NULL);
    g_autofree char *vfio_link = g_build_filename(pci, "drivers/vfio-pci/" IGD, NULL);
    g_autofree char *i915_link = g_build_filename(pci, "drivers/i915/" IGD, NULL);
    g_autofree char *override = g_build_filename(f->root, DEV_DIR, "driver_override", NULL);
    g_autofree char *driver = g_build_filename(f->root, DEV_DIR, "driver", NULL);
    g_autofree char *target = NULL;
    g_autoptr(GError) error = NULL;
    const IgdStateEntry *e;

    g_assert_true(prepare(f, UUID_A, "win10", &error));
    g_assert_no_error(error);
    /* The reboot. */
    to_i915(f);
    g_assert_cmpint(g_unlink(vfio_link), ==, 0);
    g_assert_cmpint(symlink("../../devices/" IGD, i915_link), ==, 0);
    g_assert_true(g_file_set_contents(override, "(null)\n", -1, NULL));

    fixture_owner(f, TRUE);
    igd_owner_reconcile(f->owner);
    assert_logged(f, "dropping stale ownership of " IGD " by domain " UUID_A ": no longer bound to vfio-pci");
    g_assert_cmpuint(disk_entries(f), ==, 0);
    g_assert_false(blob_dir_exists(f, UUID_A));

    igd_sysfs_double_setup(f->root, NULL, NULL);
    f->now = T0 + 86400;
    g_assert_true(prepare(f, UUID_A, "win10", &error));
    g_assert_no_error(error);
    target = g_file_read_link(driver, NULL);
    g_assert_cmpstr(target, ==, "../../../../bus/pci/drivers/vfio-pci");
    e = igd_state_lookup_uuid(igd_owner_get_state(f->owner), UUID_A);
    g_assert_nonnull(e);
    g_assert_cmpstr(e->previous_driver, ==, "i915");
    g_assert_cmpint(e->since, ==, T0 + 86400);
    g_assert_cmpuint(bdsm_size(f, UUID_A), ==, 33554432);
    g_assert_true(igd_owner_release(f->owner, UUID_A, &error));
    g_assert_no_error(error);
    g_free(target);
    target = g_file_read_link(driver, NULL);
    g_assert_cmpstr(target, ==, "../../../../bus/pci/drivers/i915");
    g_assert_cmpint(igd_sysfs_double_count_fds(), ==, 0);
    igd_sysfs_double_setup(NULL, NULL, NULL);
}

/* ---- the intent before the bind ---- */

/*
 * The copy's IGD as the kernel shows it: bound to @driver (NULL: free),
 * driver_override @override (NULL: none, shown "(null)"). The links are
 * the ones the sysfs double makes.
 */
static void
set_binding(Fixture *f, const char *driver, const char *override)
{
    g_autofree char *pci = g_build_filename(f->root, "sys/bus/pci", NULL);
    g_autofree char *link = g_build_filename(f->root, DEV_DIR, "driver", NULL);
    g_autofree char *ov = g_build_filename(f->root, DEV_DIR, "driver_override", NULL);
    g_autofree char *ov_text = g_strdup_printf("%s\n", override ? override : "(null)");
    const char *drivers[] = { "i915", "vfio-pci" };

    for (guint i = 0; i < G_N_ELEMENTS(drivers); i++) {
        g_autofree char *back = g_build_filename(pci, "drivers", drivers[i], IGD, NULL);
        g_unlink(back);
    }
    g_unlink(link);
    if (driver != NULL) {
        g_autofree char *target = g_strdup_printf("../../../../bus/pci/drivers/%s", driver);
        g_autofree char *back = g_build_filename(pci, "drivers", driver, IGD, NULL);
        g_assert_cmpint(symlink(target, link), ==, 0);
        g_assert_cmpint(symlink("../../devices/" IGD, back), ==, 0);
    }
    g_assert_true(g_file_set_contents(ov, ov_text, -1, NULL));
}

/* The copy's IGD: "<driver or (none)> <driver_override's line>". */
static char *
binding(Fixture *f)
{
    g_autofree char *link = g_build_filename(f->root, DEV_DIR, "driver", NULL);
    g_autofree char *ov = g_build_filename(f->root, DEV_DIR, "driver_override", NULL);
    g_autofree char *target = g_file_read_link(link, NULL);
    g_autofree char *ov_text = NULL;

    g_assert_true(g_file_get_contents(ov, &ov_text, NULL, NULL));
    g_strchomp(ov_text);
    return g_strdup_printf("%s %s", target ? strrchr(target, '/') + 1 : "(none)", ov_text);
}

/* The sysfs double's write log since it was last emptied ("" when nothing was written). */
static char *
sysfs_writes(const char *log)
{
    g_autofree char *text = NULL;

    if (!g_file_get_contents(log, &text, NULL, NULL))
        return g_strdup("");
    g_assert_true(g_file_set_contents(log, "", 0, NULL));
    return g_steal_pointer(&text);
}

#define W_OVERRIDE(v) "/sys/bus/pci/devices/" IGD "/driver_override=" v "\n"
#define W_UNBIND(d) "/sys/bus/pci/drivers/" d "/unbind=" IGD "\n"
#define W_CLEAR W_OVERRIDE("\\n") /* "\n" clears it; the log C-escapes it */
#define W_PROBE "/sys/bus/pci/drivers_probe=" IGD "\n"

/*
 * A prepare that takes the IGD from i915 writes its intent first: when the
 * pending claim cannot be saved (the state file's place taken by a
 * directory), not one sysfs write is made. When it fails after the bind
 * (vfio-pci exposes no OpRegion), the IGD goes back to i915 whatever
 * rebind-on-release says (the domain never ran on it), the state is as
 * before, no blobs. Then it works: owned, i915 recorded, complete.
 */
static void
test_intent_first(Fixture *f, gconstpointer data)
{
    g_autofree char *log = g_build_filename(f->dir, "sysfs.log", NULL);
    g_autofree char *state = path_in(f->state_dir, IGD_STATE_FILE_NAME, NULL);
    g_autofree char *b = NULL;
    g_autofree char *w = NULL;
    g_autofree char *content = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdState) st = NULL;
    const IgdStateEntry *e;

    set_binding(f, "i915", NULL);
    igd_sysfs_double_setup(f->root, NULL, log);
    fixture_owner(f, FALSE);
    igd_owner_reconcile(f->owner);

    g_assert_cmpint(g_mkdir(state, 0755), ==, 0);
    g_assert_false(prepare(f, UUID_A, "win10", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    g_assert_nonnull(strstr(error->message, "cannot write state file"));
    g_clear_error(&error);
    w = sysfs_writes(log);
    g_assert_cmpstr(w, ==, "");
    b = binding(f);
    g_assert_cmpstr(b, ==, "i915 (null)");
    g_assert_cmpint(g_rmdir(state), ==, 0);

    igd_vfio_double_setup(f->root, "no-opregion", 0, NULL);
    g_assert_false(prepare(f, UUID_A, "win10", &error));
    g_assert_nonnull(error);
    g_clear_error(&error);
    g_free(w);
    w = sysfs_writes(log);
    g_assert_cmpstr(w, ==, W_OVERRIDE("vfio-pci") W_UNBIND("i915") W_PROBE /* the bind */
                           W_CLEAR W_UNBIND("vfio-pci") W_PROBE); /* given back */
    g_free(b);
    b = binding(f);
    g_assert_cmpstr(b, ==, "i915 (null)");
    g_assert_cmpuint(disk_entries(f), ==, 0);
    g_assert_true(g_file_get_contents(state, &content, NULL, NULL));
    g_assert_null(strstr(content, "<device"));
    g_assert_false(blob_dir_exists(f, UUID_A));
    assert_logged(f, "MESSAGE " UUID_A " " IGD ": gave " IGD " back to i915 (its prepare did not complete): now on i915");
    assert_logged(f, "WARNING " UUID_A " " IGD ": prepare of " IGD " for domain 'win10' (" UUID_A ") failed: ");

    igd_vfio_double_setup(f->root, "skl-opregion", 0, NULL);
    g_assert_true(prepare(f, UUID_A, "win10", &error));
    g_assert_no_error(error);
    g_free(b);
    b = binding(f);
    g_assert_cmpstr(b, ==, "vfio-pci vfio-pci");
    st = disk_state(f);
    e = igd_state_lookup_uuid(st, UUID_A);
    g_assert_nonnull(e);
    g_assert_cmpstr(e->previous_driver, ==, "i915");
    g_assert_false(e->pending);
    g_assert_cmpint(igd_sysfs_double_count_fds(), ==, 0);
    igd_sysfs_double_setup(NULL, NULL, NULL);
}

/*
 * A pending claim found at start (the daemon killed during a prepare that
 * took the IGD from i915), wherever the kill left the IGD: reconcile gives
 * it back to i915 and forgets the claim, writing to sysfs only what undoes
 * the prepare's writes; a QEMU holding the VFIO group (someone else's guest
 * started with it meanwhile) keeps it; a device gone is just forgotten.
 */
typedef struct {
    const char *name;
    const char *driver, *override; /* the IGD as the kill left it */
    const char *vfio_conf;         /* the VFIO double's config */
    const char *writes;            /* what reconcile writes to sysfs */
    const char *after;             /* binding() after */
    const char *logged;
} PendingCase;

static const PendingCase pending_cases[] = {
    { "after-bind", "vfio-pci", "vfio-pci", "skl-opregion", W_CLEAR W_UNBIND("vfio-pci") W_PROBE,
      "i915 (null)", "gave " IGD " back to i915 (its prepare did not complete): now on i915" },
    { "after-override", "i915", "vfio-pci", "skl-opregion", W_CLEAR, "i915 (null)",
      "gave " IGD " back to i915 (its prepare did not complete): now on i915" },
    { "after-unbind", NULL, "vfio-pci", "skl-opregion", W_CLEAR W_PROBE, "i915 (null)",
      "gave " IGD " back to i915 (its prepare did not complete): now on i915" },
    { "give-back-before-probe", NULL, NULL, "skl-opregion", W_PROBE, "i915 (null)",
      "gave " IGD " back to i915 (its prepare did not complete): now on i915" },
    { "before-bind", "i915", NULL, "skl-opregion", "", "i915 (null)",
      "dropping pending ownership of " IGD " by domain " UUID_A ": its prepare did not complete, and did not move "
      "the device" },
    { "qemu-holds-it", "vfio-pci", "vfio-pci", "busy", "", "vfio-pci vfio-pci",
      "dropping pending ownership of " IGD " by domain " UUID_A ": its prepare did not complete, and the device's "
      "VFIO group cannot be opened (a QEMU may hold it): left on vfio-pci: " },
};

static void
test_intent_settle(Fixture *f, gconstpointer data)
{
    const PendingCase *c = data;
    g_autofree char *log = g_build_filename(f->dir, "sysfs.log", NULL);
    g_autofree char *w = NULL;
    g_autofree char *b = NULL;
    g_autofree char *status = NULL;
    g_autofree char *listing = NULL;
    g_autoptr(GError) error = NULL;

    write_state(f, "<igd-assign-state version=\"1\">\n"
                   "  <device address=\"" IGD "\" uuid=\"" UUID_A "\" name=\"win10\" mode=\"legacy\" since=\"1\" "
                   "previous-driver=\"i915\" pending=\"true\"/>\n"
                   "  <device address=\"0000:00:03.0\" uuid=\"" UUID_B "\" name=\"gone\" mode=\"\" since=\"1\" "
                   "previous-driver=\"i915\" pending=\"true\"/>\n"
                   "</igd-assign-state>\n");
    make_blob_dir(f, UUID_A);
    set_binding(f, c->driver, c->override);
    igd_vfio_double_setup(f->root, c->vfio_conf, 0, NULL);
    igd_sysfs_double_setup(f->root, NULL, log);

    /* `igd-assign status` reads it as it is: being prepared, not owned. */
    fixture_owner(f, FALSE);
    g_assert_true(igd_owner_load(f->owner, &error));
    status = igd_owner_get_status(f->owner, &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(status, "\"blobs\": \"" ));
    g_assert_nonnull(strstr(status, "\"pending\": true\n"));

    fixture_owner(f, FALSE);
    igd_owner_reconcile(f->owner);
    w = sysfs_writes(log);
    g_assert_cmpstr(w, ==, c->writes);
    b = binding(f);
    g_assert_cmpstr(b, ==, c->after);
    g_assert_cmpuint(disk_entries(f), ==, 0);
    g_assert_cmpuint(igd_state_get_entries(igd_owner_get_state(f->owner))->len, ==, 0);
    listing = tree_of(f->state_dir);
    g_assert_cmpstr(listing, ==, IGD_STATE_FILE_NAME); /* the blobs of a domain that owns nothing: removed */
    assert_logged(f, c->logged);
    assert_logged(f, "WARNING " UUID_B " 0000:00:03.0: dropping pending ownership of 0000:00:03.0 by domain " UUID_B
                     ": PCI device '0000:00:03.0' not found in ");
    g_assert_cmpint(igd_sysfs_double_count_fds(), ==, 0);
    igd_sysfs_double_setup(NULL, NULL, NULL);
}

/* A corrupt state file is set aside, not trusted, said in the status; the owner serves. */
static void
test_reconcile_corrupt(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *status = NULL;
    g_autofree char *state_error = NULL;
    g_autoptr(GDir) d = NULL;
    const char *name;
    guint aside = 0;

    write_state(f, "<igd-assign-state version=\"1\"><device address=");
    fixture_owner(f, FALSE);
    igd_owner_reconcile(f->owner);
    assert_logged(f, "corrupt state file, kept as ");
    d = g_dir_open(f->state_dir, 0, NULL);
    while ((name = g_dir_read_name(d)) != NULL)
        aside += g_str_has_prefix(name, IGD_STATE_FILE_NAME ".corrupt-");
    g_assert_cmpuint(aside, ==, 1);
    status = igd_owner_get_status(f->owner, &error);
    g_assert_no_error(error);
    state_error = json_string_after(status, NULL, "state_error");
    g_assert_nonnull(state_error);
    g_assert_true(g_str_has_prefix(state_error, "corrupt state file, kept as "));
    g_assert_nonnull(strstr(status, "\"owner\": null"));
    /* The first save makes the file true again. */
    g_assert_true(prepare(f, UUID_A, "win10", &error));
    g_clear_pointer(&status, g_free);
    status = igd_owner_get_status(f->owner, &error);
    g_assert_nonnull(strstr(status, "\"state_error\": null"));
}

/* ---- all or nothing ---- */

/* The state directory cannot be made (a file where a directory should be): no blobs, no owner. */
static void
test_fail_state_dir(Fixture *f, gconstpointer data)
{
    g_autofree char *blocker = g_build_filename(f->dir, "blocker", NULL);
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_set_contents(blocker, "a file, not a directory\n", -1, NULL));
    g_free(f->state_dir);
    f->state_dir = g_build_filename(blocker, "state", NULL);
    fixture_owner(f, FALSE);
    igd_owner_reconcile(f->owner);
    assert_logged(f, "WARNING - -: cannot create state directory ");
    before = tree_of(f->dir);
    g_assert_false(prepare(f, UUID_A, "win10", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    after = tree_of(f->dir);
    g_assert_cmpstr(after, ==, before);
    g_assert_cmpuint(igd_state_get_entries(igd_owner_get_state(f->owner))->len, ==, 0);
    assert_logged(f, "WARNING " UUID_A " " IGD ": prepare of " IGD " for domain 'win10' (" UUID_A ") failed: ");
}

/* The state file cannot be replaced (a directory in its place): the blobs just written are removed. */
static void
test_fail_state_save(Fixture *f, gconstpointer data)
{
    g_autofree char *state = path_in(f->state_dir, IGD_STATE_FILE_NAME, NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *listing = NULL;

    g_unlink(state);
    g_assert_cmpint(g_mkdir(state, 0755), ==, 0);
    g_assert_false(prepare(f, UUID_A, "win10", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    g_assert_nonnull(strstr(error->message, "cannot write state file"));
    g_assert_false(blob_dir_exists(f, UUID_A));
    listing = tree_of(f->state_dir);
    g_assert_cmpstr(listing, ==, IGD_STATE_FILE_NAME);
    g_assert_cmpuint(igd_state_get_entries(igd_owner_get_state(f->owner))->len, ==, 0);
    g_assert_cmpint(g_rmdir(state), ==, 0);
}

/*
 * The OpRegion cannot be read (vfio-pci exposes no OpRegion region, or an
 * unreadable one): a new owner gets nothing; an owner asking again keeps
 * its ownership and its blobs.
 */
static void
test_fail_opregion(Fixture *f, gconstpointer data)
{
    const char *conf = data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) before_op = NULL;
    g_autoptr(GBytes) after_op = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;

    igd_vfio_double_setup(f->root, conf, 0, NULL);
    g_assert_false(prepare(f, UUID_A, "win10", &error));
    g_assert_nonnull(error);
    g_clear_error(&error);
    g_assert_false(blob_dir_exists(f, UUID_A));
    g_assert_cmpuint(disk_entries(f), ==, 0);

    igd_vfio_double_setup(f->root, "skl-opregion", 0, NULL);
    g_assert_true(prepare(f, UUID_A, "win10", &error));
    before_op = blob(f, UUID_A, "igd-opregion");
    before = tree_of(f->state_dir);
    igd_vfio_double_setup(f->root, conf, 0, NULL);
    f->now = T0 + 100;
    g_assert_false(prepare(f, UUID_A, "win10-renamed", &error));
    g_assert_nonnull(error);
    after = tree_of(f->state_dir);
    g_assert_cmpstr(after, ==, before);
    after_op = blob(f, UUID_A, "igd-opregion");
    g_assert_true(g_bytes_equal(after_op, before_op));
    g_assert_cmpstr(igd_state_lookup_uuid(igd_owner_get_state(f->owner), UUID_A)->name, ==, "win10");
    {
        g_autoptr(IgdState) st = disk_state(f);
        g_assert_cmpstr(igd_state_lookup_uuid(st, UUID_A)->name, ==, "win10");
    }
}

/*
 * A failed prepare gives a device back to its host driver only when the
 * call took it from one: here it was already on vfio-pci, so with
 * rebind-on-release set nothing is written to sysfs (driver_override stays).
 */
static void
test_fail_keeps_binding(Fixture *f, gconstpointer data)
{
    g_autofree char *override = g_build_filename(f->root, DEV_DIR, "driver_override", NULL);
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_get_contents(override, &before, NULL, NULL));
    g_assert_cmpstr(before, ==, "vfio-pci\n");
    fixture_owner(f, TRUE);
    igd_vfio_double_setup(f->root, "no-opregion", 0, NULL);
    g_assert_false(prepare(f, UUID_A, "win10", &error));
    g_assert_true(g_file_get_contents(override, &after, NULL, NULL));
    g_assert_cmpstr(after, ==, before);
}

/*
 * An IGD on vfio-pci already is not bound again (nothing is written to
 * sysfs); whether its IOMMU group can be used is vfio's to say when the
 * blobs open it: a group that is not viable is refused naming the group,
 * and nothing is left.
 */
static void
test_group_not_viable(Fixture *f, gconstpointer data)
{
    g_autofree char *log = g_build_filename(f->dir, "sysfs.log", NULL);
    g_autofree char *w = NULL;
    g_autoptr(GError) error = NULL;

    igd_sysfs_double_setup(f->root, NULL, log);
    igd_vfio_double_setup(f->root, "not-viable", 0, NULL);
    g_assert_false(prepare(f, UUID_A, "win10", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_assert_cmpstr(error->message, ==, "IOMMU group 0 is not viable: every device in it must be bound to vfio-pci "
                                        "or unbound");
    w = sysfs_writes(log);
    g_assert_cmpstr(w, ==, "");
    g_assert_false(blob_dir_exists(f, UUID_A));
    g_assert_cmpuint(disk_entries(f), ==, 0);
    igd_sysfs_double_setup(NULL, NULL, NULL);
}

/* A VBT override (the daemon's [device] vbt=): not a VBT is refused naming the file; a real one is spliced in. */
static void
test_vbt_override(Fixture *f, gconstpointer data)
{
    g_autofree char *vbt_path = g_build_filename(f->dir, "override.vbt", NULL);
    g_autofree char *fixture = igd_test_datapath("fixtures/vbt/skl-purism-librem-skl.vbt");
    g_autofree char *region_path = igd_test_datapath(OPREGION_FIXTURE);
    g_autoptr(GBytes) vbt = igd_test_load(fixture);
    g_autoptr(GBytes) region = igd_test_load(region_path);
    g_autoptr(GBytes) op = NULL;
    g_autoptr(GError) error = NULL;
    IgdOwnerOverrides o = { NULL, vbt_path, IGD_OPREGION_EXT_RELATIVE };
    IgdPciAddress addr;

    g_assert_true(igd_pci_address_parse(IGD, &addr, NULL));
    igd_owner_set_overrides(f->owner, &addr, &o);
    g_assert_true(g_file_set_contents(vbt_path, "this is not a VBT, just text", -1, NULL));
    g_assert_false(prepare(f, UUID_A, "win10", &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_nonnull(strstr(error->message, vbt_path));
    g_clear_error(&error);
    g_assert_false(blob_dir_exists(f, UUID_A));
    g_assert_cmpuint(disk_entries(f), ==, 0);

    /* Purism Librem 13 v2 (Skylake, 4312 bytes): mailbox 4 at OpRegion offset 0x400. */
    g_assert_true(g_file_set_contents(vbt_path, g_bytes_get_data(vbt, NULL), (gssize)g_bytes_get_size(vbt), NULL));
    g_assert_true(prepare(f, UUID_A, "win10", &error));
    g_assert_no_error(error);
    op = blob(f, UUID_A, "igd-opregion");
    g_assert_cmpuint(g_bytes_get_size(op), >=, 0x400 + 4312);
    /* Mailbox 4 is at OpRegion offset 0x400; the fixture's own VBT there differs from byte 24 on. */
    g_assert_cmpmem((const guint8 *)g_bytes_get_data(op, NULL) + 0x400, 4312, g_bytes_get_data(vbt, NULL), 4312);

    g_assert_false(g_bytes_equal(op, region));

    /* Removed again: the VFIO region's OpRegion, byte for byte. */
    igd_owner_set_overrides(f->owner, &addr, NULL);
    g_clear_pointer(&op, g_bytes_unref);
    g_assert_true(prepare(f, UUID_A, "win10", &error));
    op = blob(f, UUID_A, "igd-opregion");
    g_assert_true(g_bytes_equal(op, region));
}

/* ---- status ---- */

typedef struct {
    guint calls;
    gboolean saw_owner;
} StatusSeen;

static void
status_extra(IgdJson *json, const IgdOwnerDeviceStatus *dev, gpointer user_data)
{
    StatusSeen *seen = user_data;

    seen->calls++;
    seen->saw_owner |= dev->owner != NULL && g_str_equal(dev->owner->uuid, UUID_A);
    igd_json_begin_array(json, "domains");
    igd_json_string(json, NULL, dev->name);
    igd_json_end_array(json);
}

static void
test_status(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *status = NULL;
    g_autofree char *since = NULL;
    g_autofree char *blobs = NULL;
    g_autofree char *want_blobs = path_in(f->state_dir, UUID_A, NULL);
    g_autofree char *want_state = path_in(f->state_dir, IGD_STATE_FILE_NAME, NULL);
    g_autofree char *state_file = NULL;
    g_autofree char *s = NULL;
    g_autoptr(GDateTime) when = NULL;
    g_autoptr(IgdJson) json = igd_json_new();
    StatusSeen seen = { 0, FALSE };

    status = igd_owner_get_status(f->owner, &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(status, "\"address\": \"" IGD "\",\n      \"present\": true,\n"
                                    "      \"device_id\": \"0x1916\",\n      \"platform\": \"Skylake\",\n"
                                    "      \"driver\": \"vfio-pci\",\n      \"driver_override\": \"vfio-pci\",\n"
                                    "      \"owner\": null\n"));
    g_clear_pointer(&status, g_free);

    g_assert_true(prepare(f, UUID_A, "win10", &error));
    status = igd_owner_get_status(f->owner, &error);
    g_assert_no_error(error);
    state_file = json_string_after(status, NULL, "state_file");
    g_assert_cmpstr(state_file, ==, want_state);
    s = json_string_after(status, "\"owner\": {", "uuid");
    g_assert_cmpstr(s, ==, UUID_A);
    g_clear_pointer(&s, g_free);
    s = json_string_after(status, "\"owner\": {", "name");
    g_assert_cmpstr(s, ==, "win10");
    g_clear_pointer(&s, g_free);
    s = json_string_after(status, "\"owner\": {", "mode");
    g_assert_cmpstr(s, ==, "legacy");
    blobs = json_string_after(status, "\"owner\": {", "blobs");
    g_assert_cmpstr(blobs, ==, want_blobs);
    /* since: ISO 8601 in UTC, the moment of the prepare. */
    since = json_string_after(status, "\"owner\": {", "since");
    g_assert_cmpstr(since, ==, "2025-11-24T16:00:00Z");
    when = g_date_time_new_from_iso8601(since, NULL);
    g_assert_nonnull(when);
    g_assert_cmpint(g_date_time_to_unix(when), ==, T0);

    /* The caller's members inside each device object (the CLI's "domains"). */
    igd_json_begin_object(json, NULL);
    g_assert_true(igd_owner_status_write(f->owner, json, status_extra, &seen, &error));
    igd_json_end_object(json);
    g_assert_cmpuint(seen.calls, ==, 1);
    g_assert_true(seen.saw_owner);
    g_assert_nonnull(strstr(igd_json_get(json), "\n      },\n      \"domains\": [\n        \"" IGD "\"\n      ]\n    }"));
}

/* An owned device that is no longer there is still listed (present false), after the host's IGDs. */
static void
test_status_absent(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *status = NULL;
    const char *second;

    write_state(f, "<igd-assign-state version=\"1\">\n"
                   "  <device address=\"0000:00:03.0\" uuid=\"" UUID_B "\" name=\"gone\" mode=\"upt\" since=\"0\"/>\n"
                   "</igd-assign-state>\n");
    fixture_owner(f, FALSE);
    g_assert_true(igd_owner_load(f->owner, &error));
    status = igd_owner_get_status(f->owner, &error);
    g_assert_no_error(error);
    second = strstr(status, "\"address\": \"0000:00:03.0\"");
    g_assert_nonnull(second);
    g_assert_true(strstr(status, "\"address\": \"" IGD "\"") < second);
    g_assert_true(g_str_has_prefix(second, "\"address\": \"0000:00:03.0\",\n      \"present\": false,\n"
                                           "      \"device_id\": null,\n      \"platform\": null,\n"
                                           "      \"driver\": null,\n      \"driver_override\": null,\n"
                                           "      \"owner\": {\n"));
    g_assert_nonnull(strstr(second, "\"since\": \"1970-01-01T00:00:00Z\""));
    /* load() changed nothing on disk: the entry is still there for the daemon to judge. */
    g_assert_cmpuint(disk_entries(f), ==, 1);
}

/* The libvirt watcher's records (<state_dir>/watcher.xml) are in the status document; a corrupt file is said. */
static void
test_status_watcher(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *status = NULL;
    g_autofree char *path = path_in(f->state_dir, IGD_WATCH_LOG_FILE_NAME, NULL);
    g_autoptr(IgdWatchLog) log = igd_watch_log_new();
    IgdWatchRecord *r = igd_watch_record_new(UUID_A, "desk", T0, "switched", "upt",
                                             "domain 'desk': switched to UPT mode");

    status = igd_owner_get_status(f->owner, &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(status, "\"watcher\": [],\n  \"watcher_error\": null\n}"));
    g_clear_pointer(&status, g_free);

    g_ptr_array_add(r->changes, g_strdup("moved the IGD to guest address 00:03.0"));
    igd_watch_log_put(log, r);
    g_assert_true(igd_watch_log_save(log, path, &error));
    status = igd_owner_get_status(f->owner, &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(status, "\"watcher\": [\n    {\n      \"uuid\": \"" UUID_A "\",\n      \"name\": \"desk\",\n"
                                    "      \"at\": \"2025-11-24T16:00:00Z\",\n      \"action\": \"switched\",\n"
                                    "      \"mode\": \"upt\",\n"));
    g_assert_nonnull(strstr(status, "\"changes\": [\n        \"moved the IGD to guest address 00:03.0\"\n      ],"));
    g_assert_nonnull(igd_watch_log_lookup(igd_owner_get_watch_log(f->owner), UUID_A));
    g_clear_pointer(&status, g_free);

    g_assert_true(g_file_set_contents(path, "<igd-assign-watcher version=\"9\"/>", -1, NULL));
    status = igd_owner_get_status(f->owner, &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(status, "\"watcher_error\": \""));
    g_assert_nonnull(strstr(status, "unsupported watcher log version '9'"));
    /* the devices are still there */
    g_assert_nonnull(strstr(status, "\"address\": \"" IGD "\""));
}

int
main(int argc, char **argv)
{
    igd_sysfs_double_reexec(argc, argv);
    igd_vfio_double_reexec(argc, argv);
    g_test_init(&argc, &argv, NULL);
#define OWNER_TEST(path, func, data) g_test_add(path, Fixture, data, fixture_setup, func, fixture_teardown)
    OWNER_TEST("/owner/prepare", test_prepare, NULL);
    OWNER_TEST("/owner/status/watcher", test_status_watcher, NULL);
    OWNER_TEST("/owner/prepare/qemu-7.2", test_prepare_qemu, NULL);
    OWNER_TEST("/owner/prepare/bad-input", test_bad_input, NULL);
    OWNER_TEST("/owner/prepare/vbt-override", test_vbt_override, NULL);
    OWNER_TEST("/owner/prepare/long-name", test_long_name, NULL);
    OWNER_TEST("/owner/conflict", test_conflict, NULL);
    OWNER_TEST("/owner/takeover", test_takeover, NULL);
    OWNER_TEST("/owner/takeover/busy", test_takeover_busy, NULL);
    OWNER_TEST("/owner/release", test_release, NULL);
    OWNER_TEST("/owner/reconnect", test_reconnect, NULL);
    OWNER_TEST("/owner/reconcile", test_reconcile, NULL);
    OWNER_TEST("/owner/reconcile/corrupt", test_reconcile_corrupt, NULL);
    OWNER_TEST("/owner/reconcile/reboot", test_reconcile_reboot, NULL);
    OWNER_TEST("/owner/intent/first", test_intent_first, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(pending_cases); i++) {
        g_autofree char *path = g_strdup_printf("/owner/intent/settle/%s", pending_cases[i].name);
        OWNER_TEST(path, test_intent_settle, &pending_cases[i]);
    }
    OWNER_TEST("/owner/rollback/state-dir", test_fail_state_dir, NULL);
    OWNER_TEST("/owner/rollback/state-save", test_fail_state_save, NULL);
    OWNER_TEST("/owner/rollback/no-opregion", test_fail_opregion, "no-opregion");
    OWNER_TEST("/owner/rollback/unreadable-opregion", test_fail_opregion, "unreadable");
    OWNER_TEST("/owner/rollback/keeps-binding", test_fail_keeps_binding, NULL);
    OWNER_TEST("/owner/rollback/group-not-viable", test_group_not_viable, NULL);
    OWNER_TEST("/owner/status", test_status, NULL);
    OWNER_TEST("/owner/status/absent", test_status_absent, NULL);
    return g_test_run();
}
