/*
 * test-bind.c: igd-bind on copies of the captured host trees
 * (tests/data/hosts/<case>) under the sysfs double
 * (tests/libigdsysfsdouble.so, tests/data/sysfs/README.md): the double plays
 * the kernel (unbind drops the driver link, drivers_probe links the device
 * to its driver_override, or to i915 when none is set, when that driver is
 * loaded) and logs every sysfs write in order, so igd-bind's real writes
 * and its real verification step run. Faults and a refusing vfio-pci come
 * from the double's key file.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "igd-bind.h"
#include "igd-common.h"
#include "igd-test.h"
#include "sysfs-double-client.h"

#define ADDR "0000:00:02.0"
#define DEV_DIR "sys/bus/pci/devices/" ADDR

typedef struct {
    char *dir;    /* the test's temporary directory */
    char *root;   /* dir/root: the copy of the host tree */
    char *source; /* the captured tree it was copied from */
    char *config; /* dir/sysfs-double.conf */
    char *log;    /* dir/writes.log */
    IgdSysroot *sysroot;
    IgdPciAddress addr;
} Host;

static void
host_config(Host *h, const char *text)
{
    g_assert_true(g_file_set_contents(h->config, text, -1, NULL));
}

static Host *
host_new(const char *name)
{
    Host *h = g_new0(Host, 1);
    g_autofree char *rel = g_strdup_printf("data/hosts/%s", name);

    /* cp runs with the double preloaded: it must not see a root while copying into one. */
    igd_sysfs_double_setup(NULL, NULL, NULL);
    h->dir = igd_test_mkdtemp();
    h->root = g_build_filename(h->dir, "root", NULL);
    h->source = igd_test_srcpath(rel);
    h->config = g_build_filename(h->dir, "sysfs-double.conf", NULL);
    h->log = g_build_filename(h->dir, "writes.log", NULL);
    igd_test_copytree(h->source, h->root);
    host_config(h, "");
    h->sysroot = igd_sysroot_new(h->root);
    g_assert_true(igd_pci_address_parse(ADDR, &h->addr, NULL));
    igd_sysfs_double_setup(h->root, h->config, h->log);
    return h;
}

static void
host_free(Host *h)
{
    igd_sysfs_double_setup(NULL, NULL, NULL);
    igd_sysroot_free(h->sysroot);
    igd_test_rmtree(h->dir);
    g_free(h->dir);
    g_free(h->root);
    g_free(h->source);
    g_free(h->config);
    g_free(h->log);
    g_free(h);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Host, host_free)

static void
set_attr(Host *h, const char *dev, const char *attr, const char *value)
{
    g_autofree char *p = g_build_filename(h->root, "sys/bus/pci/devices", dev, attr, NULL);

    g_assert_true(g_file_set_contents(p, value, -1, NULL));
}

/* The last component of the device's driver link in @tree, NULL when unbound. */
static char *
tree_driver(const char *tree)
{
    g_autofree char *link = g_build_filename(tree, DEV_DIR, "driver", NULL);
    g_autofree char *target = g_file_read_link(link, NULL);

    return target ? g_path_get_basename(target) : NULL;
}

static char *
host_driver(Host *h)
{
    return tree_driver(h->root);
}

/* The driver_override file as the kernel shows it ("vfio-pci\n", "(null)\n"). */
static char *
tree_override(const char *tree)
{
    g_autofree char *path = g_build_filename(tree, DEV_DIR, "driver_override", NULL);
    char *text = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

/* What a rollback must restore: the override file, the driver link, the drivers' links back. */
typedef struct {
    char *override;
    char *link; /* the driver link's target, NULL when unbound */
    gboolean back[2];
} Snapshot;

static const char *const snapshot_drivers[] = { "i915", "vfio-pci" };

static void
snapshot_clear(Snapshot *snap)
{
    g_free(snap->override);
    g_free(snap->link);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Snapshot, snapshot_clear)

static void
snapshot_take(const char *tree, Snapshot *snap)
{
    g_autofree char *link = g_build_filename(tree, DEV_DIR, "driver", NULL);

    snap->override = tree_override(tree);
    snap->link = g_file_read_link(link, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(snapshot_drivers); i++) {
        g_autofree char *back = g_build_filename(tree, "sys/bus/pci/drivers", snapshot_drivers[i], ADDR, NULL);
        snap->back[i] = g_file_test(back, G_FILE_TEST_IS_SYMLINK);
    }
}

static void
assert_as_before(Host *h, const Snapshot *before)
{
    g_auto(Snapshot) now = { 0 };

    snapshot_take(h->root, &now);
    g_assert_cmpstr(now.override, ==, before->override);
    g_assert_cmpstr(now.link, ==, before->link);
    for (guint i = 0; i < G_N_ELEMENTS(snapshot_drivers); i++)
        g_assert_cmpint(now.back[i], ==, before->back[i]);
}

/*
 * The writes the double saw since the last call, in order, as
 * "<host path>=<data, C-escaped>[ -> ERRNO]"; every attribute igd-bind
 * opened is closed again.
 */
static void
assert_writes(Host *h, const char *const *expected)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    guint i;

    g_assert_cmpint(igd_sysfs_double_count_fds(), ==, 0);
    if (!g_file_get_contents(h->log, &text, NULL, NULL))
        text = g_strdup("");
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; expected[i]; i++) {
        if (lines[i] == NULL || *lines[i] == '\0')
            g_error("write %u missing: expected '%s'", i, expected[i]);
        g_assert_cmpstr(lines[i], ==, expected[i]);
    }
    if (lines[i] != NULL && *lines[i] != '\0')
        g_error("unexpected write %u: '%s'", i, lines[i]);
    g_assert_true(g_file_set_contents(h->log, "", 0, NULL));
}

#define W_OVERRIDE_VFIO "/" DEV_DIR "/driver_override=vfio-pci"
#define W_OVERRIDE_CLEAR "/" DEV_DIR "/driver_override=\\n"
#define W_UNBIND_I915 "/sys/bus/pci/drivers/i915/unbind=" ADDR
#define W_UNBIND_VFIO "/sys/bus/pci/drivers/vfio-pci/unbind=" ADDR
#define W_PROBE "/sys/bus/pci/drivers_probe=" ADDR
#define W_BIND_I915 "/sys/bus/pci/drivers/i915/bind=" ADDR
#define W_BIND_VFIO "/sys/bus/pci/drivers/vfio-pci/bind=" ADDR
#define FAIL_PROBE "[write /sys/bus/pci/drivers_probe]\nerrno=EIO\n"

typedef enum { START_I915, START_NONE, START_VFIO, START_NO_IOMMU } Start;

typedef struct {
    const char *host;
    Start start; /* the tree's state as captured (tests/data/hosts/README.md) */
} HostCase;

static const HostCase host_cases[] = {
    { "adl-dsb1210", START_I915 },
    { "cfl-elitedesk-vfio", START_VFIO },
    { "chv-ideapad-gms-13", START_VFIO },
    { "ehl-crb-bootfb", START_NONE },
    { "hsw-dell-latitude-e6540-i7-4800mq", START_I915 },
    { "ivb-dell-latitude-e6430-i5-3340m", START_I915 },
    { "ivb-intel-dh77df-i5-3450", START_I915 },
    { "skl-ideapad-gms-f1", START_VFIO },
    { "skl-ideapad-vfio", START_VFIO },
    { "skl-lenovo-ideapad-320-14isk", START_NO_IOMMU },
    { "snb-gigabyte-h61m-ds2-dmar-ongoing", START_VFIO },
    { "snb-gigabyte-h61m-ds2-i3-2100", START_I915 },
    { "snb-lenovo-17aa21d1-i7-2760qm", START_I915 },
    { "snb-lenovo-17aa21da-earlydump", START_NONE },
    { "tgl-nuc11-efifb", START_NONE },
    { "tgl-rvp-efifb-32bit", START_NONE },
    { "whl-maxtang-wl37-bootfb", START_NONE },
};

/* Bind to vfio-pci, bind again (no-op), give back to the host, give back again (no-op). */
static void
test_round_trip(gconstpointer data)
{
    const HostCase *c = data;
    g_autoptr(Host) h = host_new(c->host);
    g_autoptr(GError) error = NULL;
    g_autofree char *drv = NULL;
    g_autofree char *drv2 = NULL;
    g_autofree char *ov = NULL;
    g_autofree char *ov2 = NULL;
    g_autofree char *ov_before = NULL;
    const char *const bind_i915[] = { W_OVERRIDE_VFIO, W_UNBIND_I915, W_PROBE, NULL };
    const char *const bind_none[] = { W_OVERRIDE_VFIO, W_PROBE, NULL };
    const char *const rebind[] = { W_OVERRIDE_CLEAR, W_UNBIND_VFIO, W_PROBE, NULL };
    const char *const nothing[] = { NULL };

    if (c->start == START_NO_IOMMU) {
        g_assert_false(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
        g_assert_nonnull(strstr(error->message, "has no IOMMU group"));
        g_assert_nonnull(strstr(error->message, "intel_iommu=on"));
        g_clear_error(&error);
        g_assert_false(igd_bind_rebind_host(h->sysroot, &h->addr, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
        assert_writes(h, nothing);
        return;
    }

    g_assert_true(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_no_error(error);
    assert_writes(h, c->start == START_I915 ? bind_i915 : c->start == START_NONE ? bind_none : nothing);
    drv = host_driver(h);
    g_assert_cmpstr(drv, ==, "vfio-pci");
    /* The file shows what was written, as the kernel shows it. */
    ov = tree_override(h->root);
    ov_before = tree_override(h->source);
    g_assert_cmpstr(ov, ==, c->start == START_VFIO ? ov_before : "vfio-pci\n");
    /* Idempotent. */
    g_assert_true(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_no_error(error);
    assert_writes(h, nothing);

    /* The override is in the file now; the second IgdPciDevice reads it. */
    g_assert_true(igd_bind_rebind_host(h->sysroot, &h->addr, &error));
    g_assert_no_error(error);
    assert_writes(h, rebind);
    drv2 = host_driver(h);
    g_assert_cmpstr(drv2, ==, "i915");
    ov2 = tree_override(h->root);
    g_assert_cmpstr(ov2, ==, "(null)\n");
    /* Idempotent too: on i915 with no override there is nothing to do. */
    g_assert_true(igd_bind_rebind_host(h->sysroot, &h->addr, &error));
    g_assert_no_error(error);
    assert_writes(h, nothing);
}

/* i915 gives the device up, but vfio-pci is not there to take it: error, and i915 gets it back. */
static void
test_vfio_missing(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    g_autofree char *module = g_build_filename(h->root, "sys/bus/pci/drivers/vfio-pci", NULL);
    g_auto(Snapshot) before = { 0 };
    const char *const expected[] = { W_OVERRIDE_VFIO, W_UNBIND_I915, W_PROBE, W_OVERRIDE_CLEAR, W_BIND_I915, NULL };

    igd_test_rmtree(module);
    snapshot_take(h->root, &before);
    g_assert_false(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_assert_cmpstr(error->message, ==,
                    "vfio-pci did not take 0000:00:02.0 (driver now: none): the vfio-pci module is not loaded "
                    "(modprobe vfio-pci)");
    assert_writes(h, expected);
    assert_as_before(h, &before);
}

/* vfio-pci is loaded but its probe fails: the same rollback, and the message does not blame the module. */
static void
test_rollback_vfio_refuses(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    g_auto(Snapshot) before = { 0 };
    const char *const expected[] = { W_OVERRIDE_VFIO, W_UNBIND_I915, W_PROBE, W_OVERRIDE_CLEAR, W_BIND_I915, NULL };

    host_config(h, "[driver vfio-pci]\nrefuse=EINVAL\n");
    snapshot_take(h->source, &before);
    g_assert_false(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_assert_cmpstr(error->message, ==,
                    "vfio-pci did not take 0000:00:02.0 (driver now: none): vfio-pci refused it (the kernel log "
                    "says why)");
    assert_writes(h, expected);
    assert_as_before(h, &before);
}

/* With the double off nothing moves the link: the real verification fails clearly. */
static void
test_no_kernel(void)
{
    g_autoptr(Host) h = host_new("snb-gigabyte-h61m-ds2-i3-2100");
    g_autoptr(GError) error = NULL;
    g_autofree char *unbind = g_build_filename(h->root, "sys/bus/pci/drivers/i915/unbind", NULL);
    g_autofree char *probe = g_build_filename(h->root, "sys/bus/pci/drivers_probe", NULL);
    g_autofree char *s = NULL;

    igd_sysfs_double_setup(NULL, NULL, h->log);
    g_assert_false(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_assert_nonnull(strstr(error->message, "vfio-pci did not take 0000:00:02.0 (driver now: i915)"));
    /* The writes went to the plain files of the copy, unseen by the double. */
    g_assert_true(g_file_get_contents(unbind, &s, NULL, NULL));
    g_assert_cmpstr(s, ==, ADDR);
    g_clear_pointer(&s, g_free);
    g_assert_true(g_file_get_contents(probe, &s, NULL, NULL));
    g_assert_cmpstr(s, ==, ADDR);
    g_assert_false(g_file_test(h->log, G_FILE_TEST_EXISTS));
}

/* The message of a write the double failed with @errno_text. */
static char *
write_error(Host *h, const char *data, const char *attr, const char *errno_text)
{
    return g_strdup_printf("cannot write '%s' to '%s/sys/bus/pci/%s': %s", data, h->root, attr, errno_text);
}

typedef struct {
    const char *host;
    const char *const *writes;
} RollbackCase;

static const char *const probe_fails_i915[] = { W_OVERRIDE_VFIO, W_UNBIND_I915, W_PROBE " -> EIO", W_OVERRIDE_CLEAR,
                                                W_BIND_I915, NULL };
static const char *const probe_fails_none[] = { W_OVERRIDE_VFIO, W_PROBE " -> EIO", W_OVERRIDE_CLEAR, NULL };
static const RollbackCase probe_fails_cases[] = {
    { "ivb-intel-dh77df-i5-3450", probe_fails_i915 },
    { "ehl-crb-bootfb", probe_fails_none },
};

/*
 * drivers_probe fails after i915 let the device go: driver_override and the
 * driver link end exactly as in the captured tree, and the error is the
 * probe's.
 */
static void
test_rollback_probe_fails(gconstpointer data)
{
    const RollbackCase *c = data;
    g_autoptr(Host) h = host_new(c->host);
    g_autoptr(GError) error = NULL;
    g_auto(Snapshot) before = { 0 };
    g_autofree char *why = write_error(h, ADDR, "drivers_probe", "Input/output error");
    g_autofree char *msg = g_strdup_printf("cannot probe drivers for " ADDR ": %s", why);

    host_config(h, FAIL_PROBE);
    snapshot_take(h->source, &before);
    g_assert_false(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    g_assert_cmpstr(error->message, ==, msg);
    assert_writes(h, c->writes);
    assert_as_before(h, &before);
}

/* i915 does not let go: only driver_override needs putting back. */
static void
test_rollback_unbind_fails(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    g_auto(Snapshot) before = { 0 };
    g_autofree char *why = write_error(h, ADDR, "drivers/i915/unbind", "Device or resource busy");
    g_autofree char *msg = g_strdup_printf("cannot unbind " ADDR " from i915: %s", why);
    const char *const expected[] = { W_OVERRIDE_VFIO, W_UNBIND_I915 " -> EBUSY", W_OVERRIDE_CLEAR, NULL };

    host_config(h, "[write /sys/bus/pci/drivers/i915/unbind]\nerrno=EBUSY\n");
    snapshot_take(h->source, &before);
    g_assert_false(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    g_assert_cmpstr(error->message, ==, msg);
    assert_writes(h, expected);
    assert_as_before(h, &before);
}

/* A driver_override the device had (here i915's own name) is written back as it was, not cleared. */
static void
test_rollback_previous_override(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    g_auto(Snapshot) before = { 0 };
    const char *const expected[] = { W_OVERRIDE_VFIO, W_UNBIND_I915, W_PROBE " -> EIO",
                                     "/" DEV_DIR "/driver_override=i915", W_BIND_I915, NULL };

    set_attr(h, ADDR, "driver_override", "i915\n");
    host_config(h, FAIL_PROBE);
    snapshot_take(h->root, &before);
    g_assert_cmpstr(before.override, ==, "i915\n");
    g_assert_false(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    assert_writes(h, expected);
    assert_as_before(h, &before);
}

/* The rollback fails too (i915 will not bind again): both are in the message, in order. */
static void
test_rollback_fails_too(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    g_autofree char *why = write_error(h, ADDR, "drivers_probe", "Input/output error");
    g_autofree char *why2 = write_error(h, ADDR, "drivers/i915/bind", "Device or resource busy");
    g_autofree char *msg = g_strdup_printf("cannot probe drivers for " ADDR ": %s; putting " ADDR
                                           " back failed too: cannot bind " ADDR " to i915: %s",
                                           why, why2);
    g_autofree char *ov = NULL;
    g_autofree char *drv = NULL;
    const char *const expected[] = { W_OVERRIDE_VFIO, W_UNBIND_I915, W_PROBE " -> EIO", W_OVERRIDE_CLEAR,
                                     W_BIND_I915 " -> EBUSY", NULL };

    host_config(h, FAIL_PROBE "[write /sys/bus/pci/drivers/i915/bind]\nerrno=EBUSY\n");
    g_assert_false(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    g_assert_cmpstr(error->message, ==, msg);
    assert_writes(h, expected);
    /* As the message says: the override is back, no driver has the device. */
    ov = tree_override(h->root);
    g_assert_cmpstr(ov, ==, "(null)\n");
    drv = host_driver(h);
    g_assert_null(drv);
}

/* Putting driver_override back fails (the second write to it): said, and nothing more is tried. */
static void
test_rollback_override_fails(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    g_autofree char *why = write_error(h, ADDR, "drivers_probe", "Input/output error");
    g_autofree char *why2 = write_error(h, "\n", "devices/" ADDR "/driver_override", "Input/output error");
    g_autofree char *msg = g_strdup_printf("cannot probe drivers for " ADDR ": %s; putting " ADDR
                                           " back failed too: cannot clear the driver_override of " ADDR ": %s",
                                           why, why2);
    g_autofree char *ov = NULL;
    g_autofree char *drv = NULL;
    const char *const expected[] = { W_OVERRIDE_VFIO, W_UNBIND_I915, W_PROBE " -> EIO", W_OVERRIDE_CLEAR " -> EIO",
                                     NULL };

    host_config(h, FAIL_PROBE "[write /" DEV_DIR "/driver_override]\nerrno=EIO\nskip=1\n");
    g_assert_false(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    g_assert_cmpstr(error->message, ==, msg);
    assert_writes(h, expected);
    ov = tree_override(h->root);
    g_assert_cmpstr(ov, ==, "vfio-pci\n");
    drv = host_driver(h);
    g_assert_null(drv);
}

/* The first write fails: nothing changed, so nothing is put back. */
static void
test_override_fails(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    g_auto(Snapshot) before = { 0 };
    g_autofree char *why = write_error(h, "vfio-pci", "devices/" ADDR "/driver_override", "Permission denied");
    g_autofree char *msg = g_strdup_printf("cannot set the driver_override of " ADDR ": %s", why);
    const char *const expected[] = { W_OVERRIDE_VFIO " -> EACCES", NULL };

    host_config(h, "[write /" DEV_DIR "/driver_override]\nerrno=EACCES\n");
    snapshot_take(h->source, &before);
    g_assert_false(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    g_assert_cmpstr(error->message, ==, msg);
    assert_writes(h, expected);
    assert_as_before(h, &before);
}

/* No host driver loaded (i915 blacklisted): giving the device back leaves it free, and that is fine. */
static void
test_rebind_no_i915(void)
{
    g_autoptr(Host) h = host_new("skl-ideapad-vfio");
    g_autoptr(GError) error = NULL;
    g_autofree char *module = g_build_filename(h->root, "sys/bus/pci/drivers/i915", NULL);
    g_autofree char *drv = NULL;
    g_autofree char *ov = NULL;
    const char *const expected[] = { W_OVERRIDE_CLEAR, W_UNBIND_VFIO, W_PROBE, NULL };

    igd_test_rmtree(module);
    g_assert_true(igd_bind_rebind_host(h->sysroot, &h->addr, &error));
    g_assert_no_error(error);
    assert_writes(h, expected);
    drv = host_driver(h);
    g_assert_null(drv);
    ov = tree_override(h->root);
    g_assert_cmpstr(ov, ==, "(null)\n");
}

/* On i915 with a stale override: only the override is cleared, the driver stays. */
static void
test_rebind_stale_override(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    g_autofree char *drv = NULL;
    g_autofree char *ov = NULL;
    const char *const expected[] = { W_OVERRIDE_CLEAR, NULL };

    set_attr(h, ADDR, "driver_override", "vfio-pci\n");
    g_assert_true(igd_bind_rebind_host(h->sysroot, &h->addr, &error));
    g_assert_no_error(error);
    assert_writes(h, expected);
    drv = host_driver(h);
    g_assert_cmpstr(drv, ==, "i915");
    ov = tree_override(h->root);
    g_assert_cmpstr(ov, ==, "(null)\n");
}

/* Free with an override (a bind that vfio-pci refused long ago): cleared, then probed, i915 takes it. */
static void
test_rebind_free_with_override(void)
{
    g_autoptr(Host) h = host_new("ehl-crb-bootfb");
    g_autoptr(GError) error = NULL;
    g_autofree char *drv = NULL;
    const char *const expected[] = { W_OVERRIDE_CLEAR, W_PROBE, NULL };

    set_attr(h, ADDR, "driver_override", "vfio-pci\n");
    g_assert_true(igd_bind_rebind_host(h->sysroot, &h->addr, &error));
    g_assert_no_error(error);
    assert_writes(h, expected);
    drv = host_driver(h);
    g_assert_cmpstr(drv, ==, "i915");
}

/* Free without an override (a give-back killed between vfio-pci's unbind and the probe): probed, i915 takes it. */
static void
test_rebind_free(void)
{
    g_autoptr(Host) h = host_new("skl-ideapad-vfio");
    g_autoptr(GError) error = NULL;
    g_autofree char *drv = NULL;
    g_autofree char *ov = NULL;
    g_autofree char *link = g_build_filename(h->root, "sys/bus/pci/devices/" ADDR "/driver", NULL);
    g_autofree char *back = g_build_filename(h->root, "sys/bus/pci/drivers/vfio-pci/" ADDR, NULL);
    const char *const expected[] = { W_PROBE, NULL };

    g_assert_cmpint(g_unlink(link), ==, 0);
    g_assert_cmpint(g_unlink(back), ==, 0);
    set_attr(h, ADDR, "driver_override", "(null)\n");
    g_assert_true(igd_bind_rebind_host(h->sysroot, &h->addr, &error));
    g_assert_no_error(error);
    assert_writes(h, expected);
    drv = host_driver(h);
    g_assert_cmpstr(drv, ==, "i915");
    ov = tree_override(h->root);
    g_assert_cmpstr(ov, ==, "(null)\n");
}

static const char *const rebind_probe_fails[] = { W_OVERRIDE_CLEAR, W_UNBIND_VFIO, W_PROBE " -> EIO",
                                                  W_OVERRIDE_VFIO, W_BIND_VFIO, NULL };
static const char *const rebind_unbind_fails[] = { W_OVERRIDE_CLEAR, W_UNBIND_VFIO " -> EBUSY", W_OVERRIDE_VFIO,
                                                   NULL };

typedef struct {
    const char *path;
    const char *config;
    const char *const *writes;
    const char *msg_start;
} RebindRollbackCase;

static const RebindRollbackCase rebind_rollback_cases[] = {
    { "/bind/rebind-host/rollback/probe-fails", FAIL_PROBE, rebind_probe_fails, "cannot probe drivers for " ADDR ": " },
    { "/bind/rebind-host/rollback/unbind-fails", "[write /sys/bus/pci/drivers/vfio-pci/unbind]\nerrno=EBUSY\n",
      rebind_unbind_fails, "cannot unbind " ADDR " from vfio-pci: " },
};

/* Giving the device back fails halfway: it is on vfio-pci with its override again, as before. */
static void
test_rebind_rollback(gconstpointer data)
{
    const RebindRollbackCase *c = data;
    g_autoptr(Host) h = host_new("skl-ideapad-vfio");
    g_autoptr(GError) error = NULL;
    g_auto(Snapshot) before = { 0 };

    host_config(h, c->config);
    snapshot_take(h->source, &before);
    g_assert_cmpstr(before.override, ==, "vfio-pci\n");
    g_assert_false(igd_bind_rebind_host(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    if (!g_str_has_prefix(error->message, c->msg_start) || strstr(error->message, "back failed") != NULL)
        g_error("unexpected message '%s'", error->message);
    assert_writes(h, c->writes);
    assert_as_before(h, &before);
}

/* With the double off vfio-pci keeps the device: the verification says so. */
static void
test_rebind_no_kernel(void)
{
    g_autoptr(Host) h = host_new("skl-ideapad-vfio");
    g_autoptr(GError) error = NULL;
    g_autofree char *drv = NULL;

    igd_sysfs_double_setup(NULL, NULL, NULL);
    g_assert_false(igd_bind_rebind_host(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_assert_cmpstr(error->message, ==, ADDR " is still bound to vfio-pci after unbinding it");
    drv = host_driver(h);
    g_assert_cmpstr(drv, ==, "vfio-pci");
}

/* A second device in the IGD's group (a copy of the host bridge's attributes with @class). */
static void
add_group_member(Host *h, const char *name, const char *class)
{
    g_autofree char *src = g_build_filename(h->root, "sys/bus/pci/devices/0000:00:00.0", NULL);
    g_autofree char *dst = g_build_filename(h->root, "sys/bus/pci/devices", name, NULL);
    g_autofree char *link = g_build_filename(h->root, "sys/kernel/iommu_groups/0/devices", name, NULL);
    g_autofree char *glink = g_build_filename(dst, "iommu_group", NULL);
    g_autofree char *target = g_strdup_printf("../../../../bus/pci/devices/%s", name);

    igd_sysfs_double_setup(NULL, NULL, NULL);
    g_assert_cmpint(g_mkdir_with_parents(dst, 0755), ==, 0);
    igd_test_copytree(src, dst);
    g_unlink(glink);
    g_assert_cmpint(symlink("../../../../kernel/iommu_groups/0", glink), ==, 0);
    g_assert_cmpint(symlink(target, link), ==, 0);
    set_attr(h, name, "class", class);
    if (g_str_has_prefix(class, "0x0604")) {
        /* a PCI-to-PCI bridge has header type 1 (PCI_HEADER_TYPE_BRIDGE at config 0x0e): what vfio looks at */
        g_autofree char *cfg = g_build_filename(dst, "config", NULL);
        g_autofree char *bytes = NULL;
        gsize n = 0;
        g_assert_true(g_file_get_contents(cfg, &bytes, &n, NULL));
        g_assert_cmpuint(n, >, 0x0e);
        bytes[0x0e] = 0x01;
        g_assert_true(g_file_set_contents(cfg, bytes, (gssize)n, NULL));
    }
    igd_sysfs_double_setup(h->root, h->config, h->log);
}

static void
test_refuse_group(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    const char *const nothing[] = { NULL };

    /* An audio device (class 0x0403) shares the group: refused, named. */
    add_group_member(h, "0000:00:1f.3", "0x040300\n");
    add_group_member(h, "0000:00:1c.0", "0x060400\n"); /* a PCI bridge: tolerated */
    g_assert_false(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_assert_nonnull(strstr(error->message, "IOMMU group 0 also holds 0000:00:1f.3,"));
    g_assert_null(strstr(error->message, "0000:00:1c.0"));
    g_clear_error(&error);
    g_assert_false(igd_bind_rebind_host(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_clear_error(&error);
    g_assert_false(igd_bind_check_device(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    assert_writes(h, nothing);
}

static void
test_bridge_ok(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;

    add_group_member(h, "0000:00:1c.0", "0x060400\n");
    g_assert_true(igd_bind_check_device(h->sysroot, &h->addr, &error));
    g_assert_no_error(error);
}

typedef struct {
    const char *path;
    const char *attr;
    const char *value;
    const char *msg;
} RefuseCase;

/* igd_pci_device_open_igd()'s one sentence. */
static const RefuseCase refuse_cases[] = {
    /* virtio-gpu, like this machine's real 00:02.0 */
    { "/bind/refuse/not-intel", "vendor", "0x1af4\n",
      "0000:00:02.0 is not an Intel graphics device (vendor 0x1af4, class 0x030000)" },
    { "/bind/refuse/not-display", "class", "0x040300\n",
      "0000:00:02.0 is not an Intel graphics device (vendor 0x8086, class 0x040300)" },
    { "/bind/refuse/bridge", "class", "0x060400\n",
      "0000:00:02.0 is not an Intel graphics device (vendor 0x8086, class 0x060400)" },
};

static void
test_refuse(gconstpointer data)
{
    const RefuseCase *c = data;
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    const char *const nothing[] = { NULL };
    g_autofree char *drv = NULL;

    set_attr(h, ADDR, c->attr, c->value);
    g_assert_false(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED);
    g_assert_cmpstr(error->message, ==, c->msg);
    g_clear_error(&error);
    g_assert_false(igd_bind_rebind_host(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED);
    g_assert_cmpstr(error->message, ==, c->msg);
    g_clear_error(&error);
    g_assert_false(igd_bind_check_device(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED);
    assert_writes(h, nothing);
    drv = host_driver(h);
    g_assert_cmpstr(drv, ==, "i915");
}

static void
test_missing_device(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    const char *const nothing[] = { NULL };
    IgdPciAddress other;

    g_assert_true(igd_pci_address_parse("0000:01:00.0", &other, NULL));
    g_assert_false(igd_bind_to_vfio(h->sysroot, &other, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    g_assert_cmpstr(error->message, ==, "no PCI device 0000:01:00.0 on this host");
    assert_writes(h, nothing);
}

/* A driver link whose last component is not a plain name never becomes a path to write to. */
static void
test_hostile_driver_link(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    g_autofree char *link = g_build_filename(h->root, DEV_DIR, "driver", NULL);
    const char *const nothing[] = { NULL };

    /* igd-pci already refuses to read such a link; igd-bind checks again before writing. */
    g_assert_cmpint(g_unlink(link), ==, 0);
    g_assert_cmpint(symlink("..", link), ==, 0);
    g_assert_false(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, "bad name '..'"));
    assert_writes(h, nothing);
}

/*
 * The double's safety net: an open for writing of the machine's own /sys
 * aborts before anything is opened, also through a link into a part of /sys
 * that does not exist. The paths do not exist, so even a broken double
 * could not change anything. The open runs in a child (this
 * program again, on this test alone, with $IGD_TEST_GUARD_PATH set).
 */
static void
test_guard_real_sys(void)
{
    const char *guard = g_getenv("IGD_TEST_GUARD_PATH");
    g_autoptr(Host) h = NULL;
    g_autofree char *escape = NULL;
    g_autofree char *via_link = NULL;
    g_autofree char *missing = NULL, *via_missing = NULL;
    g_autofree char *self = NULL;

    if (guard != NULL) {
        int fd = open(guard, O_WRONLY | O_CLOEXEC);
        if (fd >= 0)
            close(fd);
        return;
    }
    h = host_new("ivb-intel-dh77df-i5-3450");
    escape = g_build_filename(h->root, "sys/bus/pci/devices/escape", NULL);
    via_link = g_build_filename(escape, "igd-assign-no-such-attribute", NULL);
    /* valgrind answers this with the test program, not itself */
    self = g_file_read_link("/proc/self/exe", NULL);
    /* A link in the copy that leads back into the real /sys. */
    g_assert_cmpint(symlink("/sys/bus/pci", escape), ==, 0);
    /* One into a part of /sys that does not exist (as all of it, in a chroot without sysfs mounted). */
    missing = g_build_filename(h->root, "sys/bus/pci/devices/escape-missing", NULL);
    g_assert_cmpint(symlink("/sys/igd-assign-no-such-dir", missing), ==, 0);
    via_missing = g_build_filename(missing, "attr", NULL);
    for (guint i = 0; i < 3; i++) {
        const char *path = i == 0 ? "/sys/bus/pci/igd-assign-no-such-attribute" : i == 1 ? via_link : via_missing;
        const char *argv[] = { self, "-p", "/sysfs-double/guard-real-sys", NULL };
        g_autofree char *err = NULL;
        g_autofree char *want = g_strdup_printf("sysfs-double: refusing to open %s for writing: it is the real /sys",
                                                path);
        int status = 0;

        g_setenv("IGD_TEST_GUARD_PATH", path, TRUE);
        g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                                   &status, NULL));
        g_unsetenv("IGD_TEST_GUARD_PATH");
        g_assert_true(WIFSIGNALED(status));
        g_assert_cmpint(WTERMSIG(status), ==, SIGABRT);
        if (strstr(err, want) == NULL)
            g_error("the child's stderr '%s' does not say '%s'", err, want);
    }
}

int
main(int argc, char **argv)
{
    igd_sysfs_double_reexec(argc, argv);
    g_test_init(&argc, &argv, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(host_cases); i++) {
        g_autofree char *path = g_strdup_printf("/bind/round-trip/%s", host_cases[i].host);
        g_test_add_data_func(path, &host_cases[i], test_round_trip);
    }
    for (guint i = 0; i < G_N_ELEMENTS(refuse_cases); i++)
        g_test_add_data_func(refuse_cases[i].path, &refuse_cases[i], test_refuse);
    g_test_add_func("/bind/vfio-missing", test_vfio_missing);
    g_test_add_func("/bind/no-kernel", test_no_kernel);
    for (guint i = 0; i < G_N_ELEMENTS(probe_fails_cases); i++) {
        g_autofree char *path = g_strdup_printf("/bind/rollback/probe-fails/%s", probe_fails_cases[i].host);
        g_test_add_data_func(path, &probe_fails_cases[i], test_rollback_probe_fails);
    }
    g_test_add_func("/bind/rollback/vfio-refuses", test_rollback_vfio_refuses);
    g_test_add_func("/bind/rollback/unbind-fails", test_rollback_unbind_fails);
    g_test_add_func("/bind/rollback/previous-override", test_rollback_previous_override);
    g_test_add_func("/bind/rollback/fails-too", test_rollback_fails_too);
    g_test_add_func("/bind/rollback/override-fails", test_rollback_override_fails);
    g_test_add_func("/bind/override-fails", test_override_fails);
    g_test_add_func("/bind/rebind-host/no-i915", test_rebind_no_i915);
    g_test_add_func("/bind/rebind-host/stale-override", test_rebind_stale_override);
    g_test_add_func("/bind/rebind-host/free-with-override", test_rebind_free_with_override);
    g_test_add_func("/bind/rebind-host/free", test_rebind_free);
    g_test_add_func("/bind/rebind-host/no-kernel", test_rebind_no_kernel);
    for (guint i = 0; i < G_N_ELEMENTS(rebind_rollback_cases); i++)
        g_test_add_data_func(rebind_rollback_cases[i].path, &rebind_rollback_cases[i], test_rebind_rollback);
    g_test_add_func("/bind/refuse/group-shared", test_refuse_group);
    g_test_add_func("/bind/group-bridge-ok", test_bridge_ok);
    g_test_add_func("/bind/missing-device", test_missing_device);
    g_test_add_func("/bind/hostile-driver-link", test_hostile_driver_link);
    g_test_add_func("/sysfs-double/guard-real-sys", test_guard_real_sys);
    return g_test_run();
}
