/*
 * vfio-double-client.c: see vfio-double-client.h.
 */
#include "config.h"

#include "vfio-double-client.h"

#include <dlfcn.h>

#include "double-preload.h"
#include "igd-test.h"

typedef int (*OpenFdsFunc)(void);

int
igd_vfio_double_count_fds(void)
{
    OpenFdsFunc f = (OpenFdsFunc)dlsym(RTLD_DEFAULT, "igd_vfio_double_open_fds");

    g_assert_nonnull(f);
    return f();
}

void
igd_vfio_double_reexec(int argc, char **argv)
{
    igd_test_preload_reexec(argc, argv, "libigdvfiodouble.so", "igd_vfio_double_open_fds");
}

void
igd_vfio_double_setup(const char *sysroot_dir, const char *conf, gint group, const char *log)
{
    g_autofree char *rel = g_strdup_printf("data/vfio/%s.conf", conf);
    g_autofree char *src = igd_test_srcpath(rel);
    g_autofree char *text = NULL;
    g_autofree char *out = g_build_filename(sysroot_dir, "vfio-double.conf", NULL);
    g_autofree char *vfio = g_build_filename(sysroot_dir, "dev", "vfio", NULL);
    g_autofree char *number = g_strdup_printf("number=%d\n", group);
    g_autoptr(GString) s = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *data = igd_test_datapath("");

    g_assert_true(g_file_get_contents(src, &text, NULL, &error));
    s = g_string_new(text);
    g_assert_cmpint(g_string_replace(s, "number=1\n", number, 1), ==, 1);
    g_assert_true(g_file_set_contents(out, s->str, -1, &error));
    g_assert_cmpint(g_mkdir_with_parents(vfio, 0755), ==, 0);
    /* the nodes as the tree stands for them: the double answers only opens the kernel allows */
    for (guint i = 0; i < 2; i++) {
        g_autofree char *name = i == 0 ? g_strdup("vfio") : g_strdup_printf("%d", group);
        g_autofree char *node = g_build_filename(vfio, name, NULL);
        if (!g_file_test(node, G_FILE_TEST_EXISTS))
            g_assert_true(g_file_set_contents(node, "", 0, &error));
    }
    g_setenv("IGD_VFIO_DOUBLE", vfio, TRUE);
    g_setenv("IGD_VFIO_DOUBLE_CONFIG", out, TRUE);
    /* "data:" paths of the config (make check sets it; a direct run may not) */
    if (g_getenv("IGD_TEST_DATA_DIR") == NULL)
        g_setenv("IGD_TEST_DATA_DIR", data, TRUE);
    if (log)
        g_setenv("IGD_VFIO_DOUBLE_LOG", log, TRUE);
    else
        g_unsetenv("IGD_VFIO_DOUBLE_LOG");
}
