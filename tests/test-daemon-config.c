/*
 * test-daemon-config.c: igd-assignd.conf (daemon/igd-daemon-config.c):
 * defaults, the shipped example, every key, and files that must be refused
 * with the file, group and key named.
 */
#include "config.h"

#include "igd-common.h"
#include "igd-daemon-config.h"
#include "igd-test.h"

static char *
write_conf(const char *dir, const char *text)
{
    char *path = g_build_filename(dir, "igd-assignd.conf", NULL);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    return path;
}

static void
test_defaults(void)
{
    g_autoptr(IgdDaemonConfig) c = igd_daemon_config_new();
    g_autoptr(GError) error = NULL;

    g_assert_cmpstr(c->sysfs_root, ==, "/");
    g_assert_cmpstr(c->state_dir, ==, IGD_STATEDIR);
    g_assert_false(c->rebind_on_release);
    g_assert_false(c->libvirt_watch);
    g_assert_cmpstr(c->qemu_group, ==, IGD_QEMU_GROUP);
    g_assert_null(c->qemu_binary);
    /* No file at the default path is fine; an explicit missing file is not. */
    g_assert_true(igd_daemon_config_load(c, "/nonexistent/igd-assignd.conf", FALSE, &error));
    g_assert_no_error(error);
    g_assert_false(igd_daemon_config_load(c, "/nonexistent/igd-assignd.conf", TRUE, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "/nonexistent/igd-assignd.conf"));
}

static void
test_example(void)
{
    /* The shipped example (all keys commented out) loads and changes nothing. */
    g_autofree char *path = igd_test_srcpath("../daemon/igd-assignd.conf");
    g_autoptr(IgdDaemonConfig) c = igd_daemon_config_new();
    g_autoptr(GError) error = NULL;

    g_assert_true(igd_daemon_config_load(c, path, TRUE, &error));
    g_assert_no_error(error);
    g_assert_false(c->rebind_on_release);
    g_assert_cmpuint(g_hash_table_size(c->devices), ==, 0);
}

static void
test_all_keys(void)
{
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *path = write_conf(dir,
        "[daemon]\n"
        "rebind-on-release=true\n"
        "qemu-user=qemu\n"
        "qemu-group=kvm\n"
        "qemu-binary=/opt/qemu/bin/qemu-system-x86_64\n"
        "sysfs-root=/tmp/root\n"
        "state-dir=/tmp/state\n"
        "[libvirt]\n"
        "watch=true\n"
        "uri=qemu:///session\n"
        "adjust-hostdevs=true\n"
        "[device 00:02.0]\n"
        "vbt=/etc/igd-assign/x.vbt\n"
        "vbt-layout=absolute\n"
        "[device 0000:01:00.0]\n"
        "opregion=/etc/igd-assign/op.bin\n");
    g_autoptr(IgdDaemonConfig) c = igd_daemon_config_new();
    g_autoptr(GError) error = NULL;
    const IgdDaemonDeviceConfig *d;

    g_assert_true(igd_daemon_config_load(c, path, TRUE, &error));
    g_assert_no_error(error);
    g_assert_true(c->rebind_on_release);
    g_assert_true(c->libvirt_watch);
    g_assert_cmpstr(c->libvirt_uri, ==, "qemu:///session");
    g_assert_true(c->adjust_hostdevs);
    g_assert_cmpstr(c->qemu_user, ==, "qemu");
    g_assert_cmpstr(c->qemu_group, ==, "kvm");
    g_assert_cmpstr(c->qemu_binary, ==, "/opt/qemu/bin/qemu-system-x86_64");
    g_assert_cmpstr(c->sysfs_root, ==, "/tmp/root");
    g_assert_cmpstr(c->state_dir, ==, "/tmp/state");
    /* Device groups are keyed by the canonical address whatever form the file uses. */
    d = igd_daemon_config_get_device(c, "0000:00:02.0");
    g_assert_nonnull(d);
    g_assert_cmpstr(d->vbt, ==, "/etc/igd-assign/x.vbt");
    g_assert_null(d->opregion);
    g_assert_cmpint(d->layout, ==, IGD_OPREGION_EXT_ABSOLUTE);
    d = igd_daemon_config_get_device(c, "0000:01:00.0");
    g_assert_nonnull(d);
    g_assert_cmpstr(d->opregion, ==, "/etc/igd-assign/op.bin");
    g_assert_cmpint(d->layout, ==, IGD_OPREGION_EXT_RELATIVE);
    g_assert_null(igd_daemon_config_get_device(c, "0000:00:03.0"));
    igd_test_rmtree(dir);
}

typedef struct {
    const char *name;
    const char *text;
    const char *message; /* expected in the error, after the file name */
} BadConf;

static const BadConf bad_confs[] = {
    { "unknown-group", "[demon]\nx=1\n", "unknown group [demon]" },
    { "unknown-key", "[daemon]\nrebind=true\n", "[daemon]: unknown key 'rebind'" },
    { "bad-bool", "[daemon]\nrebind-on-release=maybe\n", "[daemon] rebind-on-release: not true or false" },
    { "relative-state", "[daemon]\nstate-dir=run/igd\n", "[daemon] state-dir: 'run/igd' is not an absolute path" },
    { "relative-qemu", "[daemon]\nqemu-binary=qemu\n", "[daemon] qemu-binary: 'qemu' is not an absolute path or none" },
    { "bad-device", "[device ../../etc]\nvbt=/x\n", "[device ../../etc]: invalid PCI address" },
    { "twice", "[device 00:02.0]\nvbt=/x\n[device 0000:00:02.0]\nvbt=/y\n", "device 0000:00:02.0 configured twice" },
    { "relative-vbt", "[device 00:02.0]\nvbt=x.vbt\n", "[device 00:02.0] vbt: 'x.vbt' is not an absolute path" },
    { "bad-layout", "[device 00:02.0]\nvbt-layout=sideways\n", "vbt-layout: 'sideways' is not relative or absolute" },
    { "device-unknown-key", "[device 00:02.0]\nrom=/x\n", "[device 00:02.0]: unknown key 'rom'" },
    { "libvirt-bool", "[libvirt]\nwatch=1x\n", "[libvirt] watch: not true or false" },
    { "not-keyfile", "this is not a key file\n", "" },
};

static void
test_bad(gconstpointer data)
{
    const BadConf *b = data;
    g_autofree char *dir = igd_test_mkdtemp();
    g_autofree char *path = write_conf(dir, b->text);
    g_autoptr(IgdDaemonConfig) c = igd_daemon_config_new();
    g_autoptr(GError) error = NULL;

    g_assert_false(igd_daemon_config_load(c, path, TRUE, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_assert_true(g_str_has_prefix(error->message, path));
    if (strstr(error->message, b->message) == NULL)
        g_error("'%s' does not contain '%s'", error->message, b->message);
    igd_test_rmtree(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/daemon-config/defaults", test_defaults);
    g_test_add_func("/daemon-config/example", test_example);
    g_test_add_func("/daemon-config/all-keys", test_all_keys);
    for (gsize i = 0; i < G_N_ELEMENTS(bad_confs); i++) {
        g_autofree char *name = g_strdup_printf("/daemon-config/bad/%s", bad_confs[i].name);
        g_test_add_data_func(name, &bad_confs[i], test_bad);
    }
    return g_test_run();
}
