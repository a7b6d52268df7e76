/*
 * fuzz-sysfs-number.c: igd_sysroot_read_u64(), the reader of every sysfs
 * number (vendor, device, class, iommu_group ids, module parameters), on
 * any file content: the bytes are written to a file of a temporary sysroot
 * and read through it, as a host tree is (host trees are outside input:
 * they come in `report` archives).
 *
 * Properties, against a reference reading of the first line (up to the
 * first newline or NUL, white space trimmed): a decimal number without
 * leading zeros or a 0x-hex number that fits 64 bits is read with its value
 * (for the small files sysfs has); anything that is not a number in C
 * syntax (decimal, 0x-hex, 0-octal), or does not fit, is refused with an
 * error; an octal number, if accepted, has its value.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "igd-sysroot.h"

#define LINE_MAX_READ 4096 /* what igd_sysroot_read_line() reads */

static char *root;
static char *file;
static IgdSysroot *sysroot;

static void
cleanup(void)
{
    if (file)
        unlink(file);
    if (root)
        rmdir(root);
}

int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    fuzz_setup();
    /* tmpfs when there is one: ext4 flushes a file truncated to 0 on close (auto_da_alloc), 3 ms a run */
    if (g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) && access("/dev/shm", W_OK) == 0)
        root = g_mkdtemp(g_strdup("/dev/shm/igd-fuzz-sysfs-XXXXXX"));
    if (root == NULL)
        root = g_dir_make_tmp("igd-fuzz-sysfs-XXXXXX", NULL);
    g_assert(root != NULL);
    file = g_build_filename(root, "number", NULL);
    sysroot = igd_sysroot_new(root);
    atexit(cleanup);
    return 0;
}

typedef enum { REF_INVALID, REF_CANONICAL, REF_OCTAL } RefKind;

/* The reference reading: what kind of number the line is, and its value. */
static RefKind
reference(const char *s, gsize n, guint64 *value)
{
    guint base = 10;
    gsize i = 0;
    guint64 v = 0;
    RefKind kind = REF_CANONICAL;

    if (n == 0)
        return REF_INVALID;
    if (s[0] == '0' && n >= 2 && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
        if (n == 2)
            return REF_INVALID;
    } else if (s[0] == '0' && n >= 2) {
        base = 8;
        i = 1;
        kind = REF_OCTAL;
    } else if (!g_ascii_isdigit(s[0])) {
        return REF_INVALID;
    }
    for (; i < n; i++) {
        gint d = g_ascii_xdigit_value(s[i]);
        if (d < 0 || (guint)d >= base)
            return REF_INVALID;
        if (v > (G_MAXUINT64 - (guint)d) / base)
            return REF_INVALID; /* does not fit */
        v = v * base + (guint)d;
    }
    *value = v;
    return kind;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) error = NULL;
    guint64 value = 0, ref = 0;
    gboolean ok;
    RefKind kind;
    gsize n = MIN(size, LINE_MAX_READ), start = 0, end;
    const char *s = (const char *)data;
    int fd;

    if (sysroot == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    g_assert(fd >= 0);
    for (gsize done = 0; done < size;) {
        ssize_t w = write(fd, data + done, size - done);
        if (w < 0 && errno == EINTR)
            continue;
        g_assert(w > 0);
        done += (gsize)w;
    }
    close(fd);

    ok = igd_sysroot_read_u64(sysroot, "/number", &value, &error);
    FUZZ_CHECK(ok == (error == NULL), "result and error disagree");

    /* the first line, trimmed */
    for (end = 0; end < n && s[end] != '\n' && s[end] != '\0'; end++)
        ;
    while (start < end && g_ascii_isspace(s[start]))
        start++;
    while (end > start && g_ascii_isspace(s[end - 1]))
        end--;
    kind = reference(s + start, end - start, &ref);

    if (kind == REF_INVALID)
        FUZZ_CHECK(!ok, "'%.*s' read as %" G_GUINT64_FORMAT ", it is not a 64-bit number", (int)(end - start),
                   s + start, value);
    if (ok)
        FUZZ_CHECK(value == ref, "'%.*s' read as %" G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT,
                   (int)(end - start), s + start, value, ref);
    if (kind == REF_CANONICAL && size <= 64 && memchr(data, '\0', size) == NULL)
        FUZZ_CHECK(ok, "'%.*s' refused: %s", (int)(end - start), s + start, error ? error->message : "?");
    return 0;
}
