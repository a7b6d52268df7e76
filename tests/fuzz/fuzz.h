/*
 * fuzz.h: what every fuzz target of tests/fuzz/ shares.
 *
 * A target is one file fuzz-<name>.c defining LLVMFuzzerTestOneInput()
 * (and, when it needs set-up, LLVMFuzzerInitialize()). It is linked twice:
 * with libFuzzer (`make fuzz`, clang, tests/fuzz/run-fuzz), and with
 * fuzz-replay.c, a plain main() that feeds it every file of its corpus
 * tests/fuzz/corpus/<name>/ (`make check`, any compiler). A target checks
 * properties, not only the absence of crashes: a broken property is
 * reported with fuzz_fail(), which aborts under libFuzzer (so the input is
 * kept as a crash) and counts a failure of the current file in the replay.
 */
#pragma once

#include <glib.h>
#include <libxml/relaxng.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * Report a broken property of the current input: print it and abort(), or,
 * in the replay (fuzz_keep_going set), count it and return.
 */
void fuzz_fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
#define FUZZ_CHECK(cond, ...)          \
    do {                               \
        if (G_UNLIKELY(!(cond)))       \
            fuzz_fail(__VA_ARGS__);    \
    } while (0)

/*
 * A broken property that matches a known finding @id (tests/fuzz/known/
 * README.md), one whose fix belongs to another change: like fuzz_fail(),
 * unless $FUZZ_SKIP_KNOWN lists @id (comma-separated, or "all"), as long
 * runs do so that one known bug does not stop them: then it is printed
 * once and the run goes on.
 */
void fuzz_known(const char *id, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Set by the replay: fuzz_fail() returns instead of aborting. */
extern gboolean fuzz_keep_going;
/* Broken properties seen since the replay last reset it. */
extern guint fuzz_failures;

/*
 * Common set-up of a target (idempotent): GLib criticals and warnings are
 * fatal (igd-core never logs: one reached from an input is a bug), libxml2
 * prints nothing.
 */
void fuzz_setup(void);

/*
 * The RelaxNG schema @dir/@name (TESTS_SRCDIR or TESTS_BUILDDIR + "/../xml-schemas"), loaded once per
 * target; g_error() when it cannot be (run make first: igd-domain.rng is built).
 */
xmlRelaxNGPtr fuzz_load_rng(const char *dir, const char *name);
/* Does @doc validate against @rng? */
gboolean fuzz_rng_valid_doc(xmlRelaxNGPtr rng, xmlDocPtr doc);
/* Does the document @xml (NUL-terminated) parse and validate against @rng? */
gboolean fuzz_rng_valid(xmlRelaxNGPtr rng, const char *xml);

/* @data as a NUL-terminated string (embedded NULs kept), g_free() it. */
char *fuzz_strndup(const uint8_t *data, size_t size);

G_END_DECLS
