/*
 * test-hook.c: the libvirt hook, data-driven (libvirt's qemuhotplugtest
 * style). Every tests/hookdata/<case>.args names the domain XML (a file of
 * tests/data/hook/), the host tree (tests/data/hosts/<tree>, or one of the
 * variants made here: @virtio-0002, @no-0002, @tgl-efifb-vfio) and libvirt's
 * argv (NAME OP SUBOP [EXTRA...]); the hook is run as libvirt runs it (the
 * fast front, which execs the full half) with no daemon on the bus, and its
 * exit status, stdout and stderr are compared with tests/hookdata/<case>.expect
 * ("exit N", then "stdout: " lines, then stderr as it is). The derived trees:
 *   @virtio-0002     skl-ideapad-vfio with 00:02.0 replaced by a virtio-blk
 *                    device (1af4:1042 class 0x018000: the development
 *                    machine's real 00:02.0, tests/data/hook/README.md)
 *   @no-0002         skl-ideapad-vfio without a 00:02.0
 *   @tgl-efifb-vfio  tgl-nuc11-efifb (a real NUC11 /proc/iomem with efifb on
 *                    BAR2) with the IGD bound to vfio-pci
 *   @vfio-no-vga     skl-ideapad-vfio with vfio-pci's disable_vga=Y (no VGA
 *                    region for QEMU: /sys/module/vfio_pci/parameters)
 * The hook judges the QEMU it finds ($IGD_QEMU): tests/cli-fake-qemu (the
 * captured Debian 12 QEMU 7.2), or with TREE written TREE,qemu=X.Y.Z a
 * stand-in that reports version X.Y.Z (the captured 10.1 property list from
 * 10.1 on, 7.2's before); nothing is cached.
 * Every file in tests/hookdata is used by a case (as libvirt's
 * testConfXMLCheck does for its data).
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "igd-test.h"

/* a bus nobody listens on: the daemon is out of these cases (tests/hook-direct.sh has it) */
#define NO_BUS "unix:path=/nonexistent/igd-test-no-bus"

static char *trees; /* temporary directory of the derived trees */
static GHashTable *used;

static char *
tree_path(const char *name)
{
    if (name[0] == '@')
        return g_build_filename(trees, name + 1, NULL);
    return g_build_filename(TESTS_SRCDIR, "data", "hosts", name, NULL);
}

static void
write_attr(const char *tree, const char *attr, const char *value)
{
    g_autofree char *path = g_build_filename(trees, tree, "sys/bus/pci/devices/0000:00:02.0", attr, NULL);
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_set_contents(path, value, -1, &error));
}

static void
make_trees(void)
{
    g_autofree char *vfio = g_build_filename(TESTS_SRCDIR, "data/hosts/skl-ideapad-vfio", NULL);
    g_autofree char *tgl = g_build_filename(TESTS_SRCDIR, "data/hosts/tgl-nuc11-efifb", NULL);
    g_autofree char *virtio = NULL, *none = NULL, *efifb = NULL, *gone = NULL, *link = NULL;
    g_autofree char *novga = NULL, *novga_param = NULL;

    trees = igd_test_mkdtemp();
    virtio = g_build_filename(trees, "virtio-0002", NULL);
    none = g_build_filename(trees, "no-0002", NULL);
    efifb = g_build_filename(trees, "tgl-efifb-vfio", NULL);
    igd_test_copytree(vfio, virtio);
    write_attr("virtio-0002", "vendor", "0x1af4\n");
    write_attr("virtio-0002", "device", "0x1042\n");
    write_attr("virtio-0002", "class", "0x018000\n");
    igd_test_copytree(vfio, none);
    gone = g_build_filename(none, "sys/bus/pci/devices/0000:00:02.0", NULL);
    igd_test_rmtree(gone);
    igd_test_copytree(tgl, efifb);
    link = g_build_filename(efifb, "sys/bus/pci/devices/0000:00:02.0/driver", NULL);
    g_unlink(link);
    g_assert_cmpint(symlink("../../../../bus/pci/drivers/vfio-pci", link), ==, 0);
    novga = g_build_filename(trees, "vfio-no-vga", NULL);
    igd_test_copytree(vfio, novga);
    novga_param = g_build_filename(novga, "sys/module/vfio_pci/parameters/disable_vga", NULL);
    g_assert_true(g_file_set_contents(novga_param, "Y\n", -1, NULL));
}

/* A QEMU stand-in for version @version in the trees directory (made once); its path. */
static char *
fake_qemu(const char *version)
{
    g_autofree char *name = g_strdup_printf("qemu-%s", version);
    char *path = g_build_filename(trees, name, NULL);
    guint maj = 0, min = 0, mic = 0;
    g_autofree char *help = NULL;
    g_autofree char *script = NULL;

    if (g_file_test(path, G_FILE_TEST_EXISTS))
        return path;
    g_assert_cmpint(sscanf(version, "%u.%u.%u", &maj, &min, &mic), ==, 3);
    help = g_build_filename(TESTS_SRCDIR, "data", "qemu", maj > 10 || (maj == 10 && min >= 1) ? "10.1" : "7.2",
                            "vfio-pci-help.txt", NULL);
    script = g_strdup_printf("#!/bin/sh\n"
                             "case \"$*\" in\n"
                             "*--version*) echo 'QEMU emulator version %s' ;;\n"
                             "*vfio-pci,help*) cat '%s' ;;\n"
                             "*) exit 1 ;;\n"
                             "esac\n", version, help);
    g_assert_true(g_file_set_contents(path, script, -1, NULL));
    g_assert_cmpint(g_chmod(path, 0755), ==, 0);
    return path;
}

static void
test_case(gconstpointer data)
{
    const char *name = data;
    g_autofree char *args_rel = g_strdup_printf("hookdata/%s.args", name);
    g_autofree char *expect_rel = g_strdup_printf("hookdata/%s.expect", name);
    g_autofree char *args_path = igd_test_srcpath(args_rel);
    g_autofree char *expect_path = igd_test_srcpath(expect_rel);
    g_autofree char *line = NULL;
    g_autofree char *xml = NULL, *root = NULL, *hook = NULL, *full = NULL, *out = NULL, *err = NULL;
    g_autofree char *qemu = NULL;
    g_auto(GStrv) tree = NULL;
    g_autofree char *stdin_data = NULL;
    g_auto(GStrv) words = NULL;
    g_auto(GStrv) env = g_get_environ();
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GString) got = g_string_new(NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_auto(GStrv) out_lines = NULL;

    g_assert_true(g_file_get_contents(args_path, &line, NULL, &error));
    g_strstrip(line);
    words = g_strsplit(line, " ", -1);
    g_assert_cmpuint(g_strv_length(words), >=, 4); /* XML TREE NAME OP [SUBOP EXTRA...] */
    xml = g_build_filename(TESTS_SRCDIR, "data", "hook", words[0], NULL);
    g_hash_table_add(used, g_strdup(words[0]));
    tree = g_strsplit(words[1], ",", 2);
    root = tree_path(tree[0]);
    if (tree[1] != NULL) {
        g_assert_true(g_str_has_prefix(tree[1], "qemu="));
        qemu = fake_qemu(tree[1] + 5);
    } else {
        qemu = g_build_filename(TESTS_SRCDIR, "cli-fake-qemu", NULL);
    }
    hook = g_build_filename(TESTS_BUILDDIR, "..", "hook", "igd-assign-hook", NULL);
    full = g_build_filename(TESTS_BUILDDIR, "..", "hook", "igd-assign-hook-full", NULL);
    g_assert_true(g_file_get_contents(xml, &stdin_data, NULL, &error));

    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                         G_SUBPROCESS_FLAGS_STDERR_PIPE);
    env = g_environ_setenv(env, "IGD_ASSIGN_HOOK_FULL", full, TRUE);
    env = g_environ_setenv(env, "IGD_ASSIGN_SYSFS_ROOT", root, TRUE);
    env = g_environ_setenv(env, "IGD_ASSIGND_BUS_ADDRESS", NO_BUS, TRUE);
    env = g_environ_setenv(env, "LC_ALL", "C", TRUE);
    env = g_environ_setenv(env, "IGD_QEMU", qemu, TRUE);
    env = g_environ_setenv(env, "IGD_ASSIGN_CACHE_DIR", "", TRUE);
    g_subprocess_launcher_set_environ(launcher, env);
    g_ptr_array_add(argv, hook);
    for (guint i = 2; words[i]; i++)
        g_ptr_array_add(argv, words[i]);
    g_ptr_array_add(argv, NULL);
    proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, &error);
    g_assert_no_error(error);
    g_assert_true(g_subprocess_communicate_utf8(proc, stdin_data, NULL, &out, &err, &error));
    g_assert_no_error(error);

    g_string_append_printf(got, "exit %d\n", g_subprocess_get_exit_status(proc));
    out_lines = g_strsplit(out ? out : "", "\n", -1);
    for (guint i = 0; out_lines[i]; i++)
        if (out_lines[i][0] || out_lines[i + 1])
            g_string_append_printf(got, "stdout: %s\n", out_lines[i]);
    g_string_append(got, err ? err : "");
    igd_test_compare_file(got->str, expect_path);
}

/* Every .args has its .expect and the other way round; every XML of tests/data/hook is used. */
static void
test_all_used(gconstpointer data)
{
    GPtrArray *names = (GPtrArray *)data;
    g_autofree char *dir = igd_test_srcpath("hookdata");
    g_autofree char *xmldir = igd_test_srcpath("data/hook");
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GDir) x = g_dir_open(xmldir, 0, NULL);
    const char *e;

    while ((e = g_dir_read_name(d)) != NULL) {
        g_autofree char *stem = NULL;
        if (g_str_equal(e, "README.md"))
            continue;
        g_assert_true(g_str_has_suffix(e, ".args") || g_str_has_suffix(e, ".expect"));
        stem = g_strndup(e, strrchr(e, '.') - e);
        if (!g_ptr_array_find_with_equal_func(names, stem, g_str_equal, NULL))
            g_error("tests/hookdata/%s belongs to no case", e);
    }
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *rel = g_strdup_printf("hookdata/%s.expect", (const char *)names->pdata[i]);
        g_autofree char *path = igd_test_srcpath(rel);
        if (!g_file_test(path, G_FILE_TEST_EXISTS) && g_getenv("IGD_TEST_REGENERATE_OUTPUT") == NULL)
            g_error("case %s has no .expect", (const char *)names->pdata[i]);
    }
    while ((e = g_dir_read_name(x)) != NULL) {
        if (!g_str_has_suffix(e, ".xml"))
            continue;
        if (!g_hash_table_contains(used, e))
            g_error("tests/data/hook/%s is used by no case of tests/hookdata", e);
    }
}

static gint
cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
main(int argc, char **argv)
{
    g_autofree char *dir = NULL;
    g_autoptr(GDir) d = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *e;
    int ret;

    g_test_init(&argc, &argv, NULL);
    used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    make_trees();
    dir = igd_test_srcpath("hookdata");
    d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    while ((e = g_dir_read_name(d)) != NULL)
        if (g_str_has_suffix(e, ".args"))
            g_ptr_array_add(names, g_strndup(e, strlen(e) - 5));
    g_ptr_array_sort(names, cmp_names);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path = g_strdup_printf("/hook/%s", (const char *)names->pdata[i]);
        g_test_add_data_func(path, names->pdata[i], test_case);
    }
    g_test_add_data_func("/hook/every-file-used", names, test_all_used);
    ret = g_test_run();
    igd_test_rmtree(trees);
    g_free(trees);
    g_hash_table_unref(used);
    return ret;
}
