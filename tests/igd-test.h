/*
 * igd-test.h: helpers shared by the test programs.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Absolute path of a file under tests/ in the source tree. */
char *igd_test_srcpath(const char *rel);
/* Absolute path of a file under ../shared (IGD_SHARED_DIR), e.g. "fixtures/vbt/x.vbt". */
char *igd_test_sharedpath(const char *rel);
/* Read a whole file or fail the test. */
GBytes *igd_test_load(const char *path);

/*
 * Compare @actual with the expected file @expected_path. On mismatch print a
 * unified diff and fail; with IGD_TEST_REGENERATE_OUTPUT=1 rewrite the file
 * instead (review the result before committing it).
 */
void igd_test_compare_file(const char *actual, const char *expected_path);

/* A fresh temporary directory removed with igd_test_rmtree(). */
char *igd_test_mkdtemp(void);
void igd_test_rmtree(const char *path);
/* Copy a directory tree (symlinks kept as links). */
void igd_test_copytree(const char *from, const char *to);

G_END_DECLS
