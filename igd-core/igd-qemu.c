/*
 * igd-qemu.c: what the installed QEMU is: its version and the IGD
 * properties its vfio-pci device offers, found by running the binary
 * (`--version`, `-device vfio-pci,help`) with a time limit, and cached in a
 * key file keyed by the binary's path, mtime and size.
 *
 * The per-version model of hw/vfio/igd.c lives in igd-qemu-model.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igd-common.h"
#include "igd-qemu.h"

#define IGD_QEMU_TIMEOUT_MS     10000     /* each run of the binary */
#define IGD_QEMU_OUTPUT_MAX     (1 << 20) /* a help text is ~2 KiB; more is not QEMU */
#define IGD_QEMU_CACHE_GROUP    "qemu"
#define IGD_QEMU_CACHE_FORMAT   1         /* bump when the cached fields change */
#define IGD_QEMU_CACHE_MAX      (64 * 1024)

static IgdQemuCaps *
igd_qemu_caps_new(void)
{
    IgdQemuCaps *caps = g_new0(IgdQemuCaps, 1);

    caps->vfio_pci_props = g_ptr_array_new_with_free_func(g_free);
    return caps;
}

void
igd_qemu_caps_free(IgdQemuCaps *caps)
{
    if (caps == NULL)
        return;
    g_free(caps->binary);
    g_free(caps->version_string);
    if (caps->vfio_pci_props)
        g_ptr_array_unref(caps->vfio_pci_props);
    g_free(caps);
}

gboolean
igd_qemu_caps_version_ge(const IgdQemuCaps *caps, guint major, guint minor)
{
    g_return_val_if_fail(caps != NULL, FALSE);
    return caps->major > major || (caps->major == major && caps->minor >= minor);
}

/* Record one x-igd-* property name (deduplicated) and set its flag. */
static void
igd_qemu_caps_add_prop(IgdQemuCaps *caps, const char *name)
{
    for (guint i = 0; i < caps->vfio_pci_props->len; i++) {
        if (g_str_equal(g_ptr_array_index(caps->vfio_pci_props, i), name))
            return;
    }
    g_ptr_array_add(caps->vfio_pci_props, g_strdup(name));
    if (g_str_equal(name, "x-igd-opregion"))
        caps->x_igd_opregion = TRUE;
    else if (g_str_equal(name, "x-igd-gms"))
        caps->x_igd_gms = TRUE;
    else if (g_str_equal(name, "x-igd-legacy-mode"))
        caps->x_igd_legacy_mode = TRUE;
    else if (g_str_equal(name, "x-igd-lpc"))
        caps->x_igd_lpc = TRUE;
}

IgdQemuCaps *
igd_qemu_caps_new_for_version(guint major, guint minor, guint micro)
{
    IgdQemuCaps *caps = igd_qemu_caps_new();

    caps->major = major;
    caps->minor = minor;
    caps->micro = micro;
    caps->version_string = g_strdup_printf("QEMU emulator version %u.%u.%u", major, minor, micro);
    caps->has_vfio_pci = TRUE;
    /* hw/vfio/pci.c vfio_pci_dev_properties[]: x-igd-opregion and x-igd-gms
     * since 2.7 (still defined, though ignored, in 9.2); x-igd-lpc and
     * x-igd-legacy-mode since 10.0; x-igd-opregion defaults to true since
     * 10.1 ("vfio/igd: Enable OpRegion by default"). */
    igd_qemu_caps_add_prop(caps, "x-igd-gms");
    if (igd_qemu_caps_version_ge(caps, 10, 0)) {
        igd_qemu_caps_add_prop(caps, "x-igd-legacy-mode");
        igd_qemu_caps_add_prop(caps, "x-igd-lpc");
    }
    igd_qemu_caps_add_prop(caps, "x-igd-opregion");
    caps->x_igd_opregion_default_on = igd_qemu_caps_version_ge(caps, 10, 1);
    return caps;
}

/* Parse "N" at *p (decimal, at most 5 digits), advancing *p. */
static gboolean
igd_qemu_parse_uint(const char **p, guint *value)
{
    guint v = 0;
    guint n = 0;

    while (g_ascii_isdigit(**p)) {
        if (++n > 5)
            return FALSE;
        v = v * 10 + (guint)(**p - '0');
        (*p)++;
    }
    *value = v;
    return n > 0;
}

gboolean
igd_qemu_caps_parse_version(IgdQemuCaps *caps, const char *text, GError **error)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", 0);

    /* "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)" */
    for (guint i = 0; lines[i] != NULL && i < 16; i++) {
        const char *line = lines[i];
        const char *p = strstr(line, "QEMU emulator version ");
        guint major, minor, micro = 0;

        if (p == NULL)
            continue;
        p += strlen("QEMU emulator version ");
        if (!igd_qemu_parse_uint(&p, &major) || *p++ != '.' || !igd_qemu_parse_uint(&p, &minor))
            continue;
        if (*p == '.') {
            p++;
            if (!igd_qemu_parse_uint(&p, &micro))
                continue;
        }
        if (*p != '\0' && *p != ' ' && *p != '\r' && *p != '-')
            continue;
        caps->major = major;
        caps->minor = minor;
        caps->micro = micro;
        g_free(caps->version_string);
        caps->version_string = g_strchomp(g_strdup(line));
        return TRUE;
    }
    g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "no 'QEMU emulator version X.Y.Z' line in the --version output");
    return FALSE;
}

/* TRUE for a property name QEMU could print: "x-igd-" then letters, digits and dashes, ≤ 64 chars. */
static gboolean
igd_qemu_prop_name_ok(const char *name)
{
    if (!g_str_has_prefix(name, "x-igd-") || strlen(name) > 64)
        return FALSE;
    for (const char *c = name; *c; c++) {
        if (!g_ascii_isalnum(*c) && *c != '-')
            return FALSE;
    }
    return TRUE;
}

void
igd_qemu_caps_parse_help(IgdQemuCaps *caps, const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", 0);

    /*
     * QEMU ≥ 2.x: "vfio-pci options:" then "  x-igd-gms=<uint32>     -  (default: 0)";
     * older: "vfio-pci.x-igd-gms=uint32". An unknown device prints
     * "Device 'vfio-pci' not found" on stderr and nothing here.
     */
    for (guint i = 0; lines[i] != NULL; i++) {
        const char *line = g_strchug(lines[i]);
        const char *eq;
        g_autofree char *name = NULL;

        if (g_str_has_prefix(line, "vfio-pci options:")) {
            caps->has_vfio_pci = TRUE;
            continue;
        }
        if (g_str_has_prefix(line, "vfio-pci.")) {
            caps->has_vfio_pci = TRUE;
            line += strlen("vfio-pci.");
        }
        eq = strchr(line, '=');
        if (eq == NULL)
            continue;
        name = g_strndup(line, (gsize)(eq - line));
        if (!igd_qemu_prop_name_ok(name))
            continue;
        caps->has_vfio_pci = TRUE;
        igd_qemu_caps_add_prop(caps, name);
        if (g_str_equal(name, "x-igd-opregion"))
            caps->x_igd_opregion_default_on = strstr(eq, "(default: true)") != NULL;
    }
}

/* The child of igd_qemu_run() leads its own process group so a timeout kills all of it. */
static void
igd_qemu_child_setup(gpointer data G_GNUC_UNUSED)
{
    setpgid(0, 0);
}

static gint64
igd_qemu_ms_left(gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();

    return left > 0 ? (left + 999) / 1000 : 0; /* rounded up: never wake before the deadline */
}

/* Wait for @pid until @deadline; FALSE when it is still running. */
static gboolean
igd_qemu_wait(GPid pid, gint64 deadline, int *status)
{
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);

        if (r == pid)
            return TRUE;
        if (r < 0 && errno != EINTR)
            return TRUE; /* not our child any more: nothing to wait for */
        if (g_get_monotonic_time() >= deadline)
            return FALSE;
        g_usleep(2000);
    }
}

/*
 * Run @binary with @args (stdin at EOF, stderr discarded), collect its
 * stdout (at most IGD_QEMU_OUTPUT_MAX bytes) and its exit status, killing its
 * process group when it runs longer than @timeout_ms.
 */
static gboolean
igd_qemu_run(const char *binary, const char *const *args, guint timeout_ms, char **out, int *exit_status,
             GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GString) buf = g_string_new(NULL);
    g_autoptr(GError) spawn_error = NULL;
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    GPid pid = 0;
    int in_fd = -1;
    int fd = -1;
    int status = 0;
    gboolean timed_out = FALSE;
    gboolean too_big = FALSE;

    g_ptr_array_add(argv, (gpointer)binary);
    for (guint i = 0; args[i] != NULL; i++)
        g_ptr_array_add(argv, (gpointer)args[i]);
    g_ptr_array_add(argv, NULL);

    /* stdin is a pipe closed at once (EOF): G_SPAWN_STDIN_FROM_DEV_NULL needs GLib 2.74, configure asks 2.66 */
    if (!g_spawn_async_with_pipes(NULL, (char **)argv->pdata, NULL,
                                  G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                  igd_qemu_child_setup, NULL, &pid, &in_fd, &fd, NULL, &spawn_error)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot run '%s': %s", binary, spawn_error->message);
        return FALSE;
    }
    close(in_fd);

    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        char chunk[4096];
        ssize_t n;
        int r = poll(&pfd, 1, (int)igd_qemu_ms_left(deadline));

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            timed_out = r == 0;
            break;
        }
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (buf->len + (gsize)n > IGD_QEMU_OUTPUT_MAX) {
            too_big = TRUE;
            break;
        }
        g_string_append_len(buf, chunk, n);
    }
    close(fd);

    if (timed_out || too_big || !igd_qemu_wait(pid, deadline, &status)) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        g_spawn_close_pid(pid);
        if (too_big)
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "'%s' printed more than %d bytes", binary,
                        IGD_QEMU_OUTPUT_MAX);
        else
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "'%s' did not finish within %u ms", binary, timeout_ms);
        return FALSE;
    }
    g_spawn_close_pid(pid);

    if (WIFSIGNALED(status)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "'%s' was killed by signal %d", binary, WTERMSIG(status));
        return FALSE;
    }
    *exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
    *out = g_string_free(g_steal_pointer(&buf), FALSE);
    return TRUE;
}

/* The key file of @binary's cache in @cache_dir: "qemu-caps-<sha256 of the path, 16 hex>.ini". */
static char *
igd_qemu_cache_path(const char *cache_dir, const char *binary)
{
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, binary, -1);
    g_autofree char *name = g_strdup_printf("qemu-caps-%.16s.ini", sum);

    return g_build_filename(cache_dir, name, NULL);
}

/* One typed key of the cache group; FALSE when it is missing or malformed. */
static gboolean
igd_qemu_cache_int64(GKeyFile *kf, const char *key, gint64 *value)
{
    g_autoptr(GError) e = NULL;

    *value = g_key_file_get_int64(kf, IGD_QEMU_CACHE_GROUP, key, &e);
    return e == NULL;
}

static gboolean
igd_qemu_cache_bool(GKeyFile *kf, const char *key, gboolean *value)
{
    g_autoptr(GError) e = NULL;

    *value = g_key_file_get_boolean(kf, IGD_QEMU_CACHE_GROUP, key, &e);
    return e == NULL;
}

/*
 * The caps in the "qemu" group of @kf (format, binary, version, vfio-pci,
 * opregion-default-on, props); NULL with the reason when a key is missing
 * or malformed. The cache adds mtime/mtime-nsec/size; a saved probe
 * (igd_qemu_caps_save()) has none.
 */
static IgdQemuCaps *
igd_qemu_caps_from_keyfile(GKeyFile *kf, GError **error)
{
    g_autoptr(IgdQemuCaps) caps = igd_qemu_caps_new();
    g_autofree char *binary = NULL;
    g_autofree char *version = NULL;
    g_auto(GStrv) props = NULL;
    gint64 format;

    if (!igd_qemu_cache_int64(kf, "format", &format) || format != IGD_QEMU_CACHE_FORMAT) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "not a QEMU probe of format %d", IGD_QEMU_CACHE_FORMAT);
        return NULL;
    }
    binary = g_key_file_get_string(kf, IGD_QEMU_CACHE_GROUP, "binary", NULL);
    version = g_key_file_get_string(kf, IGD_QEMU_CACHE_GROUP, "version", NULL);
    if (binary == NULL || version == NULL || !igd_qemu_caps_parse_version(caps, version, NULL)) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INVALID, "no binary or no parsable version");
        return NULL;
    }
    if (!igd_qemu_cache_bool(kf, "vfio-pci", &caps->has_vfio_pci) ||
        !igd_qemu_cache_bool(kf, "opregion-default-on", &caps->x_igd_opregion_default_on)) {
        g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INVALID, "vfio-pci or opregion-default-on missing");
        return NULL;
    }
    /* An empty list is not written: a missing "props" key means none. */
    if (g_key_file_has_key(kf, IGD_QEMU_CACHE_GROUP, "props", NULL)) {
        props = g_key_file_get_string_list(kf, IGD_QEMU_CACHE_GROUP, "props", NULL, NULL);
        if (props == NULL) {
            g_set_error_literal(error, IGD_ERROR, IGD_ERROR_INVALID, "props is not a list");
            return NULL;
        }
    }
    for (guint i = 0; props != NULL && props[i] != NULL; i++) {
        if (!igd_qemu_prop_name_ok(props[i])) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "'%.64s' is not a vfio-pci IGD property", props[i]);
            return NULL;
        }
        igd_qemu_caps_add_prop(caps, props[i]);
    }
    caps->binary = g_steal_pointer(&binary);
    return g_steal_pointer(&caps);
}

/* @caps as a key file: the fields igd_qemu_caps_from_keyfile() reads. */
static GKeyFile *
igd_qemu_caps_to_keyfile(const IgdQemuCaps *caps)
{
    GKeyFile *kf = g_key_file_new();

    g_key_file_set_integer(kf, IGD_QEMU_CACHE_GROUP, "format", IGD_QEMU_CACHE_FORMAT);
    g_key_file_set_string(kf, IGD_QEMU_CACHE_GROUP, "binary", caps->binary ? caps->binary : "");
    g_key_file_set_string(kf, IGD_QEMU_CACHE_GROUP, "version", caps->version_string ? caps->version_string : "");
    g_key_file_set_boolean(kf, IGD_QEMU_CACHE_GROUP, "vfio-pci", caps->has_vfio_pci);
    g_key_file_set_boolean(kf, IGD_QEMU_CACHE_GROUP, "opregion-default-on", caps->x_igd_opregion_default_on);
    if (caps->vfio_pci_props->len > 0)
        g_key_file_set_string_list(kf, IGD_QEMU_CACHE_GROUP, "props",
                                   (const char *const *)caps->vfio_pci_props->pdata, caps->vfio_pci_props->len);
    return kf;
}

/* The cached caps of @binary when the cache file matches @st; NULL for a missing, stale or corrupt cache. */
static IgdQemuCaps *
igd_qemu_cache_load(const char *path, const char *binary, const struct stat *st)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(IgdQemuCaps) caps = NULL;
    g_autofree char *contents = NULL;
    gsize len = 0;
    gint64 mtime, mtime_nsec, size;

    if (!g_file_get_contents(path, &contents, &len, NULL) || len > IGD_QEMU_CACHE_MAX)
        return NULL;
    if (!g_key_file_load_from_data(kf, contents, len, G_KEY_FILE_NONE, NULL))
        return NULL;
    caps = igd_qemu_caps_from_keyfile(kf, NULL);
    if (caps == NULL || !g_str_equal(caps->binary, binary))
        return NULL;
    if (!igd_qemu_cache_int64(kf, "mtime", &mtime) || !igd_qemu_cache_int64(kf, "mtime-nsec", &mtime_nsec) ||
        !igd_qemu_cache_int64(kf, "size", &size))
        return NULL;
    if (mtime != (gint64)st->st_mtim.tv_sec || mtime_nsec != (gint64)st->st_mtim.tv_nsec ||
        size != (gint64)st->st_size)
        return NULL; /* stale: the binary was replaced */
    return g_steal_pointer(&caps);
}

/* Best effort: a cache that cannot be written only costs the next caller a probe. */
static void
igd_qemu_cache_store(const char *cache_dir, const char *path, const IgdQemuCaps *caps, const struct stat *st)
{
    g_autoptr(GKeyFile) kf = igd_qemu_caps_to_keyfile(caps);
    g_autofree char *data = NULL;
    gsize len = 0;

    if (g_mkdir_with_parents(cache_dir, 0755) < 0)
        return;
    g_key_file_set_int64(kf, IGD_QEMU_CACHE_GROUP, "mtime", (gint64)st->st_mtim.tv_sec);
    g_key_file_set_int64(kf, IGD_QEMU_CACHE_GROUP, "mtime-nsec", (gint64)st->st_mtim.tv_nsec);
    g_key_file_set_int64(kf, IGD_QEMU_CACHE_GROUP, "size", (gint64)st->st_size);
    data = g_key_file_to_data(kf, &len, NULL);
    /* g_file_set_contents() writes a temporary file and renames it: readers never see half a cache. */
    (void)g_file_set_contents(path, data, (gssize)len, NULL);
}

char *
igd_qemu_caps_save(const IgdQemuCaps *caps, gsize *len)
{
    g_autoptr(GKeyFile) kf = igd_qemu_caps_to_keyfile(caps);

    g_key_file_set_comment(kf, NULL, NULL,
                           " igd-assign: a saved QEMU probe (qemu --version, -device vfio-pci,help);\n"
                           " judge by it with IGD_QEMU_CAPS=<this file>", NULL);
    return g_key_file_to_data(kf, len, NULL);
}

IgdQemuCaps *
igd_qemu_caps_load(const char *path, GError **error)
{
    g_autoptr(GBytes) bytes = igd_read_regular_file(path, IGD_QEMU_CACHE_MAX, "QEMU probe file", error);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) local = NULL;
    IgdQemuCaps *caps;
    gsize len = 0;
    const char *data;

    if (bytes == NULL)
        return NULL;
    data = g_bytes_get_data(bytes, &len);
    if (len == 0 || !g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &local)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "QEMU probe file '%s' is not a key file%s%s", path,
                    local ? ": " : "", local ? local->message : "");
        return NULL;
    }
    caps = igd_qemu_caps_from_keyfile(kf, &local);
    if (caps == NULL)
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "QEMU probe file '%s': %s", path, local->message);
    return caps;
}

/* The binary to probe: @binary, else $IGD_QEMU, else IGD_DEFAULT_QEMU; made absolute through $PATH. */
static char *
igd_qemu_resolve_binary(const char *binary, GError **error)
{
    const char *name = binary;

    if (name == NULL || *name == '\0')
        name = g_getenv("IGD_QEMU");
    if (name == NULL || *name == '\0')
        name = IGD_DEFAULT_QEMU;
    if (g_path_is_absolute(name))
        return g_strdup(name);
    if (strchr(name, '/') == NULL) {
        char *found = g_find_program_in_path(name);

        if (found != NULL)
            return found;
        g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND, "QEMU binary '%s' not found in PATH", name);
        return NULL;
    }
    {
        g_autofree char *cwd = g_get_current_dir();

        return g_build_filename(cwd, name, NULL);
    }
}

IgdQemuCaps *
igd_qemu_caps_probe(const char *binary, const char *cache_dir, guint timeout_ms, GError **error)
{
    if (timeout_ms == 0)
        timeout_ms = IGD_QEMU_TIMEOUT_MS;
    static const char *const version_args[] = { "--version", NULL };
    static const char *const help_args[] = {
        "-machine", "none", "-nodefaults", "-display", "none", "-device", "vfio-pci,help", NULL,
    };
    g_autofree char *path = igd_qemu_resolve_binary(binary, error);
    g_autofree char *cache_path = NULL;
    g_autofree char *version_out = NULL;
    g_autofree char *help_out = NULL;
    g_autoptr(IgdQemuCaps) caps = NULL;
    struct stat st;
    int status = 0;

    if (path == NULL)
        return NULL;
    if (stat(path, &st) < 0) {
        int saved = errno;

        g_set_error(error, IGD_ERROR, saved == ENOENT || saved == ENOTDIR ? IGD_ERROR_NOT_FOUND : IGD_ERROR_IO,
                    "QEMU binary '%s': %s", path, g_strerror(saved));
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "QEMU binary '%s' is not an executable file", path);
        return NULL;
    }

    if (cache_dir != NULL) {
        cache_path = igd_qemu_cache_path(cache_dir, path);
        caps = igd_qemu_cache_load(cache_path, path, &st);
        if (caps != NULL)
            return g_steal_pointer(&caps);
    }

    caps = igd_qemu_caps_new();
    caps->binary = g_strdup(path);
    if (!igd_qemu_run(path, version_args, timeout_ms, &version_out, &status, error)) {
        g_prefix_error(error, "probing QEMU version: ");
        return NULL;
    }
    if (status != 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "probing QEMU version: '%s --version' exited with status %d",
                    path, status);
        return NULL;
    }
    if (!igd_qemu_caps_parse_version(caps, version_out, error)) {
        g_prefix_error(error, "probing QEMU version of '%s': ", path);
        return NULL;
    }
    if (!igd_qemu_run(path, help_args, timeout_ms, &help_out, &status, error)) {
        g_prefix_error(error, "probing vfio-pci properties: ");
        return NULL;
    }
    /* A build without vfio-pci prints "Device 'vfio-pci' not found" (exit status 0 or 1): not an error. */
    igd_qemu_caps_parse_help(caps, help_out);

    if (cache_path != NULL)
        igd_qemu_cache_store(cache_dir, cache_path, caps, &st);
    return g_steal_pointer(&caps);
}


IgdMachineKind
igd_machine_kind(const char *machine)
{
    if (machine == NULL || g_str_equal(machine, "pc") || g_str_has_prefix(machine, "pc-i440fx-"))
        return IGD_MACHINE_I440FX;
    /* QEMU's oldest i440fx names: pc-0.10 ... pc-1.3 */
    if (g_str_has_prefix(machine, "pc-") && g_ascii_isdigit(machine[3]))
        return IGD_MACHINE_I440FX;
    if (g_str_equal(machine, "q35") || g_str_has_prefix(machine, "pc-q35-"))
        return IGD_MACHINE_Q35;
    return IGD_MACHINE_OTHER;
}
