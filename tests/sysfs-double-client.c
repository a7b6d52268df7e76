/*
 * sysfs-double-client.c: see sysfs-double-client.h.
 */
#include "config.h"

#include "sysfs-double-client.h"

#include <dlfcn.h>

#include "double-preload.h"

#define MARKER "igd_sysfs_double_open_fds"

typedef int (*OpenFdsFunc)(void);

void
igd_sysfs_double_reexec(int argc, char **argv)
{
    igd_test_preload_reexec(argc, argv, "libigdsysfsdouble.so", MARKER);
}

int
igd_sysfs_double_count_fds(void)
{
    OpenFdsFunc f = (OpenFdsFunc)dlsym(RTLD_DEFAULT, MARKER);

    g_assert_nonnull(f);
    return f();
}

static void
set_or_unset(const char *name, const char *value)
{
    if (value != NULL)
        g_setenv(name, value, TRUE);
    else
        g_unsetenv(name);
}

void
igd_sysfs_double_setup(const char *root, const char *config, const char *log)
{
    set_or_unset("IGD_SYSFS_DOUBLE", root);
    set_or_unset("IGD_SYSFS_DOUBLE_CONFIG", config);
    set_or_unset("IGD_SYSFS_DOUBLE_LOG", log);
}
