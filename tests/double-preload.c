/*
 * double-preload.c: see double-preload.h.
 */
#include "config.h"

#include "double-preload.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

void
igd_test_preload_reexec(int argc, char **argv, const char *so_name, const char *marker)
{
    const char *builddir = g_getenv("G_TEST_BUILDDIR");
    const char *valgrind = g_getenv("IGD_VALGRIND");
    const char *preload = g_getenv("LD_PRELOAD");
    g_autofree char *so = NULL;
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_auto(GStrv) args = NULL;

    if (dlsym(RTLD_DEFAULT, marker) != NULL)
        return;
    if (builddir == NULL) {
        g_autofree char *dir = g_path_get_dirname(self);
        so = g_build_filename(dir, so_name, NULL);
    } else {
        so = g_build_filename(builddir, so_name, NULL);
    }
    if (!g_file_test(so, G_FILE_TEST_EXISTS))
        g_error("the test double %s is missing (make check builds it)", so);
    if (preload != NULL && strstr(preload, so) != NULL)
        g_error("LD_PRELOAD=%s did not load %s (no %s)", preload, so, marker);
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
    g_strv_builder_add(b, self);
    for (int i = 1; i < argc; i++)
        g_strv_builder_add(b, argv[i]);
    args = g_strv_builder_end(b);
    execvp(args[0], args);
    g_error("cannot re-execute %s: %s", args[0], g_strerror(errno));
}
