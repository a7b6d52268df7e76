/*
 * fuzz-replay.c: the main() of a fuzz target built without libFuzzer. It
 * runs the target on every file of its corpus, tests/fuzz/corpus/<name>/
 * (seeds from the real fixtures and golden domains, and every reproducer
 * of a finding), and prints TAP: one test per file, failed when the target
 * reports a broken property (fuzz_fail()). A crash ends the program, after
 * "# <file>" names the input that caused it.
 *
 * Files of tests/fuzz/known/<name>/ reproduce findings whose fix belongs
 * elsewhere and has not landed yet (tests/fuzz/known/README.md): they run
 * as TAP "TODO" tests, so they may fail; once one passes (XPASS, which the
 * suite counts as a failure), move it to the corpus.
 *
 * The program's name says the target: tests/fuzz/fuzz-<name>. Arguments,
 * when given, are the files or directories to run instead.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

/* Targets without set-up do not define it. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

typedef struct {
    char *path;
    gboolean todo;
} Input;

static void
input_free(gpointer p)
{
    Input *in = p;

    g_free(in->path);
    g_free(in);
}

static gint
input_cmp(gconstpointer a, gconstpointer b)
{
    const Input *x = *(const Input *const *)a, *y = *(const Input *const *)b;

    if (x->todo != y->todo)
        return x->todo ? 1 : -1;
    return strcmp(x->path, y->path);
}

/* Every regular file under @path (or @path itself), recursively. */
static void
collect(GPtrArray *inputs, const char *path, gboolean todo, gboolean must_exist)
{
    g_autoptr(GDir) dir = NULL;
    const char *name;

    if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        Input *in = g_new0(Input, 1);
        in->path = g_strdup(path);
        in->todo = todo;
        g_ptr_array_add(inputs, in);
        return;
    }
    dir = g_dir_open(path, 0, NULL);
    if (dir == NULL) {
        if (must_exist) {
            printf("Bail out! cannot read %s: %s\n", path, g_strerror(errno));
            exit(1);
        }
        return;
    }
    while ((name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *child = g_build_filename(path, name, NULL);
        if (name[0] != '.')
            collect(inputs, child, todo, TRUE);
    }
}

int
main(int argc, char **argv)
{
    g_autofree char *base = g_path_get_basename(argv[0]);
    const char *target = g_str_has_prefix(base, "fuzz-") ? base + strlen("fuzz-") : base;
    g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func(input_free);
    guint failed = 0;

    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            collect(inputs, argv[i], FALSE, TRUE);
    } else {
        g_autofree char *corpus = g_build_filename(TESTS_SRCDIR, "fuzz", "corpus", target, NULL);
        g_autofree char *known = g_build_filename(TESTS_SRCDIR, "fuzz", "known", target, NULL);
        collect(inputs, corpus, FALSE, TRUE);
        collect(inputs, known, TRUE, FALSE);
    }
    g_ptr_array_sort(inputs, input_cmp);
    if (inputs->len == 0) {
        printf("Bail out! no input for target %s\n", target);
        return 1;
    }

    fuzz_keep_going = TRUE;
    if (LLVMFuzzerInitialize) {
        int ac = 1;
        char **av = argv;
        LLVMFuzzerInitialize(&ac, &av);
    }
    printf("1..%u\n", inputs->len);
    for (guint i = 0; i < inputs->len; i++) {
        const Input *in = g_ptr_array_index(inputs, i);
        g_autofree char *data = NULL;
        g_autoptr(GError) error = NULL;
        gsize len = 0;
        const char *shown = in->path;

        /* the path below the tests directory, for a stable test name */
        if (g_str_has_prefix(shown, TESTS_SRCDIR "/"))
            shown += strlen(TESTS_SRCDIR "/");
        if (!g_file_get_contents(in->path, &data, &len, &error)) {
            printf("not ok %u - %s: %s\n", i + 1, shown, error->message);
            failed++;
            continue;
        }
        printf("# %s (%" G_GSIZE_FORMAT " bytes)\n", shown, len);
        fflush(stdout);
        fuzz_failures = 0;
        /* a copy of exactly @len bytes, so that reading past the input is caught by valgrind/ASan */
        {
            g_autofree uint8_t *copy = g_malloc(len ? len : 1);
            memcpy(copy, data, len);
            LLVMFuzzerTestOneInput(copy, len);
        }
        if (fuzz_failures > 0) {
            printf("not ok %u - %s%s\n", i + 1, shown, in->todo ? " # TODO known finding (tests/fuzz/known/README.md)" : "");
            if (!in->todo)
                failed++;
        } else {
            printf("ok %u - %s%s\n", i + 1, shown, in->todo ? " # TODO known finding (tests/fuzz/known/README.md)" : "");
        }
        fflush(stdout);
    }
    return failed ? 1 : 0;
}
