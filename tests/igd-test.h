/*
 * igd-test.h: helpers shared by the test programs.
 */
#pragma once

#include <glib.h>
#include <libxml/relaxng.h>

G_BEGIN_DECLS

/* Absolute path of a file under tests/ in the source tree. */
char *igd_test_srcpath(const char *rel);
/* Absolute path of a file under tests/data in the source tree, e.g. "fixtures/vbt/x.vbt". */
char *igd_test_datapath(const char *rel);
/*
 * libvirt's test-suite domains (tests/qemuxml2argvdata of the installed
 * libvirt's Debian source, fetched by tests/fetch-libvirt-corpus): the
 * directory $IGD_LIBVIRT_CORPUS (set by make check from configure's
 * --with-libvirt-corpus) or tests/cache/libvirt-corpus, and the source
 * version it came from (*@version, may be NULL). NULL with *@why (g_free)
 * saying what to run when it was not fetched.
 */
char *igd_test_corpus_dir(char **version, char **why);
/* The RelaxNG schema at @path, or g_error(). */
xmlRelaxNGPtr igd_test_load_rng(const char *path);
/*
 * Does the document @xml (@len bytes) parse and validate against @rng?
 * Quiet; when it does not, the schema's errors go to the test log, headed
 * by @what.
 */
gboolean igd_test_rng_valid(xmlRelaxNGPtr rng, const char *xml, gsize len, const char *what);
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
/*
 * TRUE when @text is exactly one JSON document (RFC 8259: one value, white
 * space around it, nothing else); FALSE with *@why (g_free) saying where it
 * is not.
 */
gboolean igd_test_json_valid(const char *text, char **why);

G_END_DECLS
