/*
 * test-bind.c: igd-bind on copies of the captured host trees
 * (tests/data/hosts/<case>). Every sysfs write is recorded through the
 * IgdBindObserver in order; a small "kernel model" in the observer plays
 * what Linux does with each write (unbind drops the driver link,
 * drivers_probe links the device to its driver_override, or to i915 when
 * none is set), so the real verification step of igd-bind runs.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "igd-bind.h"
#include "igd-common.h"
#include "igd-test.h"

#define ADDR "0000:00:02.0"
#define DEV_DIR "sys/bus/pci/devices/" ADDR

typedef struct {
    char *root;
    IgdSysroot *sysroot;
    IgdPciAddress addr;
    GPtrArray *writes;   /* "path=data" with "\n" shown as "\\n" */
    char *override;      /* the model's driver_override (NULL = none) */
    gboolean vfio_loaded; /* the vfio-pci module is there to take the device */
    gboolean fail_probe;  /* the observer fails on drivers_probe */
} Host;

static void
model_set_driver(Host *h, const char *driver)
{
    g_autofree char *link = g_build_filename(h->root, DEV_DIR, "driver", NULL);

    g_unlink(link);
    if (driver != NULL) {
        g_autofree char *target = g_strdup_printf("../../../../bus/pci/drivers/%s", driver);
        g_assert_cmpint(symlink(target, link), ==, 0);
    }
}

/* What Linux does with each write, on the sysroot copy. */
static gboolean
kernel_model(const char *abs_path, const char *data, gpointer user_data, GError **error)
{
    Host *h = user_data;
    g_autofree char *shown = NULL;

    if (abs_path == NULL) {
        g_ptr_array_add(h->writes, g_strdup("verify"));
        return TRUE;
    }
    shown = g_strescape(data, NULL);
    g_ptr_array_add(h->writes, g_strdup_printf("%s=%s", abs_path, shown));
    if (g_str_equal(abs_path, "/" DEV_DIR "/driver_override")) {
        g_free(h->override);
        h->override = (data[0] == '\n' || data[0] == '\0') ? NULL : g_strdup(data);
    } else if (g_str_has_prefix(abs_path, "/sys/bus/pci/drivers/") && g_str_has_suffix(abs_path, "/unbind")) {
        g_assert_cmpstr(data, ==, ADDR);
        model_set_driver(h, NULL);
    } else if (g_str_equal(abs_path, "/sys/bus/pci/drivers_probe")) {
        g_assert_cmpstr(data, ==, ADDR);
        if (h->fail_probe) {
            g_set_error_literal(error, IGD_ERROR, IGD_ERROR_IO, "model: probe failed");
            return FALSE;
        }
        if (h->override == NULL)
            model_set_driver(h, "i915");
        else if (g_str_equal(h->override, "vfio-pci") && h->vfio_loaded)
            model_set_driver(h, "vfio-pci");
    }
    return TRUE;
}

static Host *
host_new(const char *name)
{
    Host *h = g_new0(Host, 1);
    g_autofree char *src = g_strdup_printf("data/hosts/%s", name);
    g_autofree char *from = igd_test_srcpath(src);
    g_autofree char *override_path = NULL;
    g_autofree char *ov = NULL;

    h->root = igd_test_mkdtemp();
    igd_test_copytree(from, h->root);
    h->sysroot = igd_sysroot_new(h->root);
    g_assert_true(igd_pci_address_parse(ADDR, &h->addr, NULL));
    h->writes = g_ptr_array_new_with_free_func(g_free);
    h->vfio_loaded = TRUE;
    override_path = g_build_filename(h->root, DEV_DIR, "driver_override", NULL);
    if (g_file_get_contents(override_path, &ov, NULL, NULL)) {
        g_strstrip(ov);
        if (*ov && !g_str_equal(ov, "(null)"))
            h->override = g_strdup(ov);
    }
    return h;
}

static void
host_free(Host *h)
{
    igd_sysroot_free(h->sysroot);
    igd_test_rmtree(h->root);
    g_free(h->root);
    g_ptr_array_unref(h->writes);
    g_free(h->override);
    g_free(h);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Host, host_free)

static char *
host_driver(Host *h)
{
    g_autofree char *link = g_build_filename(h->root, DEV_DIR, "driver", NULL);
    g_autofree char *target = g_file_read_link(link, NULL);

    return target ? g_path_get_basename(target) : NULL;
}

static void
assert_writes(Host *h, const char *const *expected)
{
    guint i;

    for (i = 0; expected[i]; i++) {
        if (i >= h->writes->len)
            g_error("write %u missing: expected '%s'", i, expected[i]);
        g_assert_cmpstr(h->writes->pdata[i], ==, expected[i]);
    }
    if (i != h->writes->len)
        g_error("unexpected write %u: '%s'", i, (const char *)h->writes->pdata[i]);
    g_ptr_array_set_size(h->writes, 0);
}

#define W_OVERRIDE_VFIO "/" DEV_DIR "/driver_override=vfio-pci"
#define W_OVERRIDE_CLEAR "/" DEV_DIR "/driver_override=\\n"
#define W_UNBIND_I915 "/sys/bus/pci/drivers/i915/unbind=" ADDR
#define W_UNBIND_VFIO "/sys/bus/pci/drivers/vfio-pci/unbind=" ADDR
#define W_PROBE "/sys/bus/pci/drivers_probe=" ADDR

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
    const char *const bind_i915[] = { W_OVERRIDE_VFIO, W_UNBIND_I915, W_PROBE, "verify", NULL };
    const char *const bind_none[] = { W_OVERRIDE_VFIO, W_PROBE, "verify", NULL };
    const char *const rebind[] = { W_OVERRIDE_CLEAR, W_UNBIND_VFIO, W_PROBE, "verify", NULL };
    const char *const nothing[] = { NULL };

    if (c->start == START_NO_IOMMU) {
        g_assert_false(igd_bind_to_vfio_full(h->sysroot, &h->addr, kernel_model, h, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
        g_assert_nonnull(strstr(error->message, "has no IOMMU group"));
        g_assert_nonnull(strstr(error->message, "intel_iommu=on"));
        g_clear_error(&error);
        g_assert_false(igd_bind_rebind_host_full(h->sysroot, &h->addr, kernel_model, h, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
        assert_writes(h, nothing);
        return;
    }

    g_assert_true(igd_bind_to_vfio_full(h->sysroot, &h->addr, kernel_model, h, &error));
    g_assert_no_error(error);
    assert_writes(h, c->start == START_I915 ? bind_i915 : c->start == START_NONE ? bind_none : nothing);
    drv = host_driver(h);
    g_assert_cmpstr(drv, ==, "vfio-pci");
    /* Idempotent. */
    g_assert_true(igd_bind_to_vfio_full(h->sysroot, &h->addr, kernel_model, h, &error));
    g_assert_no_error(error);
    assert_writes(h, nothing);

    /* The sysroot file itself holds what was written (over the old contents). */
    if (c->start != START_VFIO) {
        g_autofree char *p = g_build_filename(h->root, DEV_DIR, "driver_override", NULL);
        g_autofree char *s = NULL;
        g_assert_true(g_file_get_contents(p, &s, NULL, NULL));
        g_assert_true(g_str_has_prefix(s, "vfio-pci"));
    }

    /* The model's override is in the file now; the second IgdPciDevice reads it. */
    g_assert_true(igd_bind_rebind_host_full(h->sysroot, &h->addr, kernel_model, h, &error));
    g_assert_no_error(error);
    assert_writes(h, rebind);
    drv2 = host_driver(h);
    g_assert_cmpstr(drv2, ==, "i915");
}

/* i915 gives the device up, but vfio-pci is not there to take it: error, and i915 gets it back. */
static void
test_vfio_missing(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    g_autofree char *drv = NULL;
    const char *const expected[] = { W_OVERRIDE_VFIO, W_UNBIND_I915, W_PROBE, "verify", W_OVERRIDE_CLEAR, W_PROBE, NULL };

    h->vfio_loaded = FALSE;
    g_assert_false(igd_bind_to_vfio_full(h->sysroot, &h->addr, kernel_model, h, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_assert_cmpstr(error->message, ==,
                    "vfio-pci did not take 0000:00:02.0 (driver now: none); is the vfio-pci module loaded? "
                    "(modprobe vfio-pci)");
    assert_writes(h, expected);
    drv = host_driver(h);
    g_assert_cmpstr(drv, ==, "i915");
}

/* Without the model nothing moves the link: the real verification fails clearly. */
static void
test_no_kernel(void)
{
    g_autoptr(Host) h = host_new("snb-gigabyte-h61m-ds2-i3-2100");
    g_autoptr(GError) error = NULL;
    g_autofree char *unbind = g_build_filename(h->root, "sys/bus/pci/drivers/i915/unbind", NULL);
    g_autofree char *probe = g_build_filename(h->root, "sys/bus/pci/drivers_probe", NULL);
    g_autofree char *s = NULL;

    g_assert_false(igd_bind_to_vfio(h->sysroot, &h->addr, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_assert_nonnull(strstr(error->message, "vfio-pci did not take 0000:00:02.0 (driver now: i915)"));
    g_assert_true(g_file_get_contents(unbind, &s, NULL, NULL));
    g_assert_cmpstr(s, ==, ADDR);
    g_clear_pointer(&s, g_free);
    g_assert_true(g_file_get_contents(probe, &s, NULL, NULL));
    g_assert_cmpstr(s, ==, ADDR);
}

/* An observer error stops the sequence at that write. */
static void
test_observer_abort(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    const char *const expected[] = { W_OVERRIDE_VFIO, W_UNBIND_I915, W_PROBE, NULL };

    h->fail_probe = TRUE;
    g_assert_false(igd_bind_to_vfio_full(h->sysroot, &h->addr, kernel_model, h, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_IO);
    g_assert_cmpstr(error->message, ==, "model: probe failed");
    assert_writes(h, expected);
}

static void
set_attr(Host *h, const char *dev, const char *attr, const char *value)
{
    g_autofree char *p = g_build_filename(h->root, "sys/bus/pci/devices", dev, attr, NULL);

    g_assert_true(g_file_set_contents(p, value, -1, NULL));
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

    g_assert_cmpint(g_mkdir_with_parents(dst, 0755), ==, 0);
    igd_test_copytree(src, dst);
    g_unlink(glink);
    g_assert_cmpint(symlink("../../../../kernel/iommu_groups/0", glink), ==, 0);
    g_assert_cmpint(symlink(target, link), ==, 0);
    set_attr(h, name, "class", class);
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
    g_assert_false(igd_bind_to_vfio_full(h->sysroot, &h->addr, kernel_model, h, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_CHECK_FAILED);
    g_assert_nonnull(strstr(error->message, "IOMMU group 0 also holds 0000:00:1f.3,"));
    g_assert_null(strstr(error->message, "0000:00:1c.0"));
    g_clear_error(&error);
    g_assert_false(igd_bind_rebind_host_full(h->sysroot, &h->addr, kernel_model, h, &error));
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

static const RefuseCase refuse_cases[] = {
    /* virtio-gpu, like this machine's real 00:02.0 */
    { "/bind/refuse/not-intel", "vendor", "0x1af4\n", "not an Intel display device (1af4:0152 class 0x030000)" },
    { "/bind/refuse/not-display", "class", "0x040300\n", "not an Intel display device (8086:0152 class 0x040300)" },
    { "/bind/refuse/bridge", "class", "0x060400\n", "not an Intel display device (8086:0152 class 0x060400)" },
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
    g_assert_false(igd_bind_to_vfio_full(h->sysroot, &h->addr, kernel_model, h, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_UNSUPPORTED);
    if (strstr(error->message, c->msg) == NULL)
        g_error("'%s' does not contain '%s'", error->message, c->msg);
    g_clear_error(&error);
    g_assert_false(igd_bind_rebind_host_full(h->sysroot, &h->addr, kernel_model, h, &error));
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
    IgdPciAddress other;

    g_assert_true(igd_pci_address_parse("0000:01:00.0", &other, NULL));
    g_assert_false(igd_bind_to_vfio(h->sysroot, &other, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
}

/* A driver link whose last component is not a plain name never becomes a path to write to. */
static void
test_hostile_driver_link(void)
{
    g_autoptr(Host) h = host_new("ivb-intel-dh77df-i5-3450");
    g_autoptr(GError) error = NULL;
    const char *const nothing[] = { NULL };

    /* igd-pci already refuses to read such a link; igd-bind checks again before writing. */
    model_set_driver(h, "..");
    g_assert_false(igd_bind_to_vfio_full(h->sysroot, &h->addr, kernel_model, h, &error));
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, "bad name '..'"));
    assert_writes(h, nothing);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(host_cases); i++) {
        g_autofree char *path = g_strdup_printf("/bind/round-trip/%s", host_cases[i].host);
        g_test_add_data_func(path, &host_cases[i], test_round_trip);
    }
    for (guint i = 0; i < G_N_ELEMENTS(refuse_cases); i++)
        g_test_add_data_func(refuse_cases[i].path, &refuse_cases[i], test_refuse);
    g_test_add_func("/bind/vfio-missing", test_vfio_missing);
    g_test_add_func("/bind/no-kernel", test_no_kernel);
    g_test_add_func("/bind/observer-abort", test_observer_abort);
    g_test_add_func("/bind/refuse/group-shared", test_refuse_group);
    g_test_add_func("/bind/group-bridge-ok", test_bridge_ok);
    g_test_add_func("/bind/missing-device", test_missing_device);
    g_test_add_func("/bind/hostile-driver-link", test_hostile_driver_link);
    return g_test_run();
}
