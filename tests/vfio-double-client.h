/*
 * vfio-double-client.h: what a test program needs to run under the
 * /dev/vfio double (tests/libigdvfiodouble.so, tests/data/vfio/README.md).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Re-execute the program with the double preloaded unless it already is
 * (under `make check-valgrind`, through $IGD_VALGRIND again). Call first
 * thing in main().
 */
void igd_vfio_double_reexec(int argc, char **argv);

/* How many double fds are open (igd_vfio_double_open_fds() of the preloaded double). */
int igd_vfio_double_count_fds(void);

/*
 * Point the double at @sysroot_dir/dev/vfio, with the config
 * tests/data/vfio/@conf.conf, its group number replaced by @group (a
 * config written under @sysroot_dir), and the tree's stand-ins for
 * /dev/vfio/vfio and /dev/vfio/@group made (empty files) when missing.
 * @log: IGD_VFIO_DOUBLE_LOG or NULL.
 */
void igd_vfio_double_setup(const char *sysroot_dir, const char *conf, gint group, const char *log);

G_END_DECLS
