/*
 * double-preload.h: run a test program with one of the LD_PRELOAD test
 * doubles (tests/libigdvfiodouble.so, tests/libigdsysfsdouble.so) loaded.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Re-execute the program with the build's tests/@so_name added to
 * LD_PRELOAD unless the symbol @marker (exported by that object) is already
 * there; under `make check-valgrind` through $IGD_VALGRIND again. Fails the
 * program when the object is missing or when LD_PRELOAD already names it
 * but @marker is still absent. Call first thing in main(), once per double.
 */
void igd_test_preload_reexec(int argc, char **argv, const char *so_name, const char *marker);

G_END_DECLS
