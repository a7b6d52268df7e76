/*
 * fuzz-sysfs-number.c: the readers of numbers in host files, on any file
 * content: igd_sysroot_read_u64() (every sysfs number: vendor, device,
 * class, module parameters), igd_host_iommu_address_width() (an IOMMU
 * unit's intel-iommu/cap register) and igd_host_cpu_phys_bits() (the
 * "address sizes" line of /proc/cpuinfo). The bytes are written to the
 * three files of a temporary sysroot and read through it, as a host tree
 * is (host trees are outside input: they come in `report` archives).
 *
 * Properties, against a reference reading of the first line (up to the
 * first newline or NUL, white space trimmed): a decimal number without
 * leading zeros or a 0x-hex number that fits 64 bits is read with its value
 * (for the small files sysfs has); anything that is not a number in C
 * syntax (decimal, 0x-hex, 0-octal), or does not fit, is refused with an
 * error; an octal number, if accepted, has its value. The cap register:
 * accepted exactly when it is 1 to 16 lower-case hex digits and at most one
 * newline (what the kernel's "%llx\n" writes), the width being bits 21:16
 * plus 1. cpuinfo: the first line (of the first 8 KiB) that starts with
 * "address sizes" and goes on decides: "address sizes[ \t]*:? *N bits
 * physical" with N from 32 to 64 is N, anything else an error.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "igd-common.h"
#include "igd-host.h"
#include "igd-sysroot.h"

#define LINE_MAX_READ 4096 /* what igd_sysroot_read_line() reads */

static char *root;
static char *file, *cap_file, *cpuinfo_file;
static IgdSysroot *sysroot;
static GRegex *cpuinfo_re;

static const char *const dirs[] = {
    "sys/devices/virtual/iommu/dmar0/intel-iommu", "sys/devices/virtual/iommu/dmar0",
    "sys/devices/virtual/iommu", "sys/devices/virtual", "sys/devices", "sys/class/iommu", "sys/class", "sys",
    "proc", NULL,
};

static void
cleanup(void)
{
    g_autofree char *link = root ? g_build_filename(root, "sys/class/iommu/dmar0", NULL) : NULL;

    if (file)
        unlink(file);
    if (cap_file)
        unlink(cap_file);
    if (cpuinfo_file)
        unlink(cpuinfo_file);
    if (link)
        unlink(link);
    for (guint i = 0; root && dirs[i]; i++) {
        g_autofree char *d = g_build_filename(root, dirs[i], NULL);
        rmdir(d);
    }
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
    /* /sys/class/iommu/dmar0 is a link to the unit's directory, as in sysfs */
    {
        g_autofree char *unit = g_build_filename(root, "sys/devices/virtual/iommu/dmar0/intel-iommu", NULL);
        g_autofree char *class_dir = g_build_filename(root, "sys/class/iommu", NULL);
        g_autofree char *link = g_build_filename(class_dir, "dmar0", NULL);
        g_autofree char *proc = g_build_filename(root, "proc", NULL);
        g_assert(g_mkdir_with_parents(unit, 0755) == 0 && g_mkdir_with_parents(class_dir, 0755) == 0 &&
                 g_mkdir_with_parents(proc, 0755) == 0);
        g_assert(symlink("../../devices/virtual/iommu/dmar0", link) == 0);
        cap_file = g_build_filename(unit, "cap", NULL);
        cpuinfo_file = g_build_filename(proc, "cpuinfo", NULL);
    }
    cpuinfo_re = g_regex_new("^address sizes[ \\t]*:? *([0-9]{1,3}) bits physical", G_REGEX_RAW, 0, NULL);
    g_assert(cpuinfo_re != NULL);
    sysroot = igd_sysroot_new(root);
    atexit(cleanup);
    return 0;
}

static void
write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    g_assert(fd >= 0);
    for (gsize done = 0; done < size;) {
        ssize_t w = write(fd, data + done, size - done);
        if (w < 0 && errno == EINTR)
            continue;
        g_assert(w > 0);
        done += (gsize)w;
    }
    close(fd);
}

/* The cap register as the kernel writes it ("%llx\n"). */
static void
check_cap(const uint8_t *data, size_t size)
{
    g_autoptr(GError) error = NULL;
    guint width = 0, units = 0;
    gboolean ok = igd_host_iommu_address_width(sysroot, &width, &units, &error);
    gsize digits = size > 0 && data[size - 1] == '\n' ? size - 1 : size;
    gboolean ref = digits >= 1 && digits <= 16;
    guint64 cap = 0;

    for (gsize i = 0; ref && i < digits; i++) {
        ref = (data[i] >= '0' && data[i] <= '9') || (data[i] >= 'a' && data[i] <= 'f');
        cap = cap << 4 | (guint64)g_ascii_xdigit_value((char)data[i]);
    }
    FUZZ_CHECK(ok == (error == NULL), "cap: result and error disagree");
    /* the cap file is reached through a link with "..": openat2(RESOLVE_BENEATH) gives EAGAIN when a rename or
     * mount anywhere races with the walk; once a finding, igd-sysroot.c now falls back to its own walk
     * (test-sysroot /sysroot/openat2-eagain) */
    FUZZ_CHECK(ok == ref, "cap '%.*s' %s, the kernel's format says %s (%s)", (int)MIN(size, 40), (const char *)data,
               ok ? "accepted" : "refused", ref ? "valid" : "invalid", error ? error->message : "no error");
    if (ok && ref)
        FUZZ_CHECK(width == (guint)((cap >> 16) & 0x3f) + 1 && units == 1, "cap: width %u of %u units", width, units);
}

/* The first "address sizes" line of the first 8 KiB. */
static void
check_cpuinfo(const uint8_t *data, size_t size)
{
    g_autoptr(GError) error = NULL;
    guint bits = 0;
    gboolean ok = igd_host_cpu_phys_bits(sysroot, &bits, &error);
    gsize n = MIN(size, 8192);
    int ref = -1; /* -1 no line, 0 invalid, else the bits */

    for (gsize at = 0; at < n && ref < 0;) {
        const uint8_t *nl = memchr(data + at, '\n', n - at);
        gsize llen = nl ? (gsize)(nl - (data + at)) : n - at;

        if (llen > 13 && memcmp(data + at, "address sizes", 13) == 0) {
            g_autofree char *line = g_strndup((const char *)data + at, llen);
            g_autoptr(GMatchInfo) m = NULL;
            ref = 0;
            /* a NUL ends the line for the regular expression, not for the reader */
            if (strlen(line) == llen && g_regex_match(cpuinfo_re, line, 0, &m)) {
                g_autofree char *d = g_match_info_fetch(m, 1);
                guint v = (guint)g_ascii_strtoull(d, NULL, 10);
                ref = v >= 32 && v <= 64 ? (int)v : 0;
            } else if (strlen(line) != llen) {
                ref = ok ? (int)bits : 0; /* not judged */
            }
        }
        at += llen + 1;
    }
    FUZZ_CHECK(ok == (error == NULL), "cpuinfo: result and error disagree");
    FUZZ_CHECK((ref > 0) == ok, "cpuinfo: %s, the reference says %d", ok ? "accepted" : "refused", ref);
    if (ok && ref > 0)
        FUZZ_CHECK(bits == (guint)ref, "cpuinfo: %u bits, the reference reads %d", bits, ref);
    if (ref < 0)
        FUZZ_CHECK(g_error_matches(error, IGD_ERROR, IGD_ERROR_NOT_FOUND), "cpuinfo without the line: not NOT_FOUND");
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

    if (sysroot == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    write_file(file, data, size);
    write_file(cap_file, data, size);
    write_file(cpuinfo_file, data, size);
    check_cap(data, size);
    check_cpuinfo(data, size);

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
