/*
 * sysfs-double-client.h: what a test program needs to run under the sysfs
 * double (tests/libigdsysfsdouble.so, tests/data/sysfs/README.md).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Re-execute the program with the double preloaded unless it already is. Call first thing in main(). */
void igd_sysfs_double_reexec(int argc, char **argv);

/* How many caught attribute fds are open (igd_sysfs_double_open_fds() of the preloaded double). */
int igd_sysfs_double_count_fds(void);

/*
 * Point the double at the sysroot copy @root (IGD_SYSFS_DOUBLE), with the
 * key file @config (IGD_SYSFS_DOUBLE_CONFIG; NULL: none) and the write log
 * @log (IGD_SYSFS_DOUBLE_LOG; NULL: none). NULL @root turns the double off.
 */
void igd_sysfs_double_setup(const char *root, const char *config, const char *log);

G_END_DECLS
