/*
 * fuzz-versions.c: the version parsers of what igd-assign probes: the QEMU
 * binary's `--version` (igd_qemu_caps_parse_version()) and `-device
 * vfio-pci,help` (igd_qemu_caps_parse_help()) output, and the kernel
 * release (igd_host_parse_kernel_version(), /proc/sys/kernel/osrelease).
 *
 * Input: the text up to the first NUL is given to both version parsers;
 * what follows it is the help text.
 *
 * Properties, against reference readings: QEMU: the first of the first 16
 * lines whose first "QEMU emulator version " is followed by N.N[.N] (1-5
 * digits each) then the end, a space, '\r' or '-', gives the version, and
 * the line (right-trimmed) is the version string; nothing else is
 * accepted. Help: every property kept is an "x-igd-" name of letters,
 * digits and dashes, at most 64 bytes, once. Kernel: "MAJOR.MINOR..." with
 * both at most 1000.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "igd-host.h"
#include "igd-qemu.h"

static GRegex *qemu_re, *kernel_re;

int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    fuzz_setup();
    qemu_re = g_regex_new("^QEMU emulator version ([0-9]{1,5})\\.([0-9]{1,5})(?:\\.([0-9]{1,5}))?(?:[ \\r-]|\\z)",
                          G_REGEX_RAW | G_REGEX_DOTALL, 0, NULL);
    kernel_re = g_regex_new("^([0-9]+)\\.([0-9]+)", G_REGEX_RAW, 0, NULL);
    g_assert(qemu_re && kernel_re);
    return 0;
}

/* The reference reading of --version: TRUE and the numbers and line when a line qualifies. */
static gboolean
qemu_reference(const char *text, guint v[3], char **line_out)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", 17);

    for (guint i = 0; lines[i] != NULL && i < 16; i++) {
        const char *at = strstr(lines[i], "QEMU emulator version ");
        g_autoptr(GMatchInfo) m = NULL;

        if (at == NULL || !g_regex_match(qemu_re, at, 0, &m))
            continue;
        for (guint k = 0; k < 3; k++) {
            g_autofree char *d = g_match_info_fetch(m, (gint)k + 1);
            v[k] = d && *d ? (guint)g_ascii_strtoull(d, NULL, 10) : 0;
        }
        *line_out = g_strchomp(g_strdup(lines[i]));
        return TRUE;
    }
    return FALSE;
}

static void
check_qemu(const char *text, const char *help)
{
    g_autoptr(IgdQemuCaps) caps = igd_qemu_caps_new_for_version(0, 0, 0);
    g_autoptr(GError) error = NULL;
    g_autofree char *ref_line = NULL;
    guint v[3] = { 0, 0, 0 };
    gboolean ok, ref;

    g_ptr_array_set_size(caps->vfio_pci_props, 0);
    caps->x_igd_opregion = caps->x_igd_gms = caps->x_igd_legacy_mode = caps->x_igd_lpc = FALSE;
    ok = igd_qemu_caps_parse_version(caps, text, &error);
    ref = qemu_reference(text, v, &ref_line);
    FUZZ_CHECK(ok == (error == NULL), "result and error disagree");
    FUZZ_CHECK(ok == ref, "QEMU version %s, the reference says %s", ok ? "accepted" : "refused",
               ref ? "valid" : "invalid");
    if (ok && ref) {
        FUZZ_CHECK(caps->major == v[0] && caps->minor == v[1] && caps->micro == v[2],
                   "QEMU %u.%u.%u, the reference reads %u.%u.%u", caps->major, caps->minor, caps->micro, v[0], v[1],
                   v[2]);
        FUZZ_CHECK(g_strcmp0(caps->version_string, ref_line) == 0, "version string '%s', expected '%s'",
                   caps->version_string, ref_line);
    }

    igd_qemu_caps_parse_help(caps, help);
    for (guint i = 0; i < caps->vfio_pci_props->len; i++) {
        const char *name = g_ptr_array_index(caps->vfio_pci_props, i);
        FUZZ_CHECK(g_str_has_prefix(name, "x-igd-") && strlen(name) <= 64 &&
                       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") ==
                           strlen(name),
                   "property name '%s' kept", name);
        for (guint k = 0; k < i; k++)
            FUZZ_CHECK(strcmp(name, g_ptr_array_index(caps->vfio_pci_props, k)) != 0, "property '%s' twice", name);
    }
    if (caps->vfio_pci_props->len > 0)
        FUZZ_CHECK(caps->has_vfio_pci, "x-igd properties without vfio-pci");
    FUZZ_CHECK(caps->x_igd_gms == g_ptr_array_find_with_equal_func(caps->vfio_pci_props, "x-igd-gms", g_str_equal, NULL),
               "x_igd_gms disagrees with the property list");
}

static void
check_kernel(const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GMatchInfo) m = NULL;
    guint major = 7777, minor = 7777;
    gboolean ok = igd_host_parse_kernel_version(text, &major, &minor, &error);
    gboolean ref = g_regex_match(kernel_re, text, 0, &m);
    guint64 rmaj = 0, rmin = 0;

    FUZZ_CHECK(ok == (error == NULL), "result and error disagree");
    if (ref) {
        g_autofree char *a = g_match_info_fetch(m, 1);
        g_autofree char *b = g_match_info_fetch(m, 2);
        /* numbers over 1000 are refused (strtoull saturates: no wrap-around) */
        rmaj = g_ascii_strtoull(a, NULL, 10);
        rmin = g_ascii_strtoull(b, NULL, 10);
        ref = rmaj <= 1000 && rmin <= 1000;
    }
    FUZZ_CHECK(ok == ref, "kernel release %s, the reference says %s", ok ? "accepted" : "refused",
               ref ? "valid" : "invalid");
    if (ok && ref)
        FUZZ_CHECK(major == rmaj && minor == rmin, "kernel %u.%u, the reference reads %" G_GUINT64_FORMAT
                   ".%" G_GUINT64_FORMAT, major, minor, rmaj, rmin);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = fuzz_strndup(data, size);
    const char *nul = memchr(data, '\0', size);
    const char *help = nul ? text + (nul - (const char *)data) + 1 : "";

    if (qemu_re == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    check_qemu(text, help);
    check_kernel(text);
    return 0;
}
