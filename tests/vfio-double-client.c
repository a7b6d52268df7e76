/*
 * vfio-double-client.c: see vfio-double-client.h.
 */
#include "config.h"

#include "vfio-double-client.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

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
    const char *builddir = g_getenv("G_TEST_BUILDDIR");
    const char *valgrind = g_getenv("IGD_VALGRIND");
    const char *preload = g_getenv("LD_PRELOAD");
    g_autofree char *so = NULL;
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_auto(GStrv) args = NULL;

    if (dlsym(RTLD_DEFAULT, "igd_vfio_double_open_fds") != NULL)
        return;
    if (builddir == NULL) {
        g_autofree char *dir = g_path_get_dirname(self);
        so = g_build_filename(dir, "libigdvfiodouble.so", NULL);
    } else {
        so = g_build_filename(builddir, "libigdvfiodouble.so", NULL);
    }
    if (!g_file_test(so, G_FILE_TEST_EXISTS))
        g_error("the VFIO double %s is missing (make check builds it)", so);
    if (g_getenv("IGD_VFIO_DOUBLE_REEXEC") != NULL)
        g_error("LD_PRELOAD=%s did not load the VFIO double", so);
    if (preload && *preload) {
        g_autofree char *both = g_strdup_printf("%s:%s", so, preload);
        g_setenv("LD_PRELOAD", both, TRUE);
    } else {
        g_setenv("LD_PRELOAD", so, TRUE);
    }
    /* Under valgrind (make check-valgrind) the program runs under valgrind again. */
    if (valgrind && *valgrind) {
        g_auto(GStrv) words = g_strsplit_set(valgrind, " ", -1);
        for (guint i = 0; words[i]; i++)
            if (*words[i])
                g_strv_builder_add(b, words[i]);
    }
    g_setenv("IGD_VFIO_DOUBLE_REEXEC", "1", TRUE);
    g_strv_builder_add(b, self);
    for (int i = 1; i < argc; i++)
        g_strv_builder_add(b, argv[i]);
    args = g_strv_builder_end(b);
    execvp(args[0], args);
    g_error("cannot re-execute %s: %s", args[0], g_strerror(errno));
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
