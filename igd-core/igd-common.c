/*
 * igd-common.c: error domain, whole-file reads, ASCII option help.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "igd-common.h"

G_DEFINE_QUARK(igd-error-quark, igd_error)

int
igd_error_exit_code(const GError *error)
{
    if (error == NULL)
        return 0;
    if (error->domain != IGD_ERROR)
        return 3;
    switch ((IgdErrorCode)error->code) {
    case IGD_ERROR_INVALID:
    case IGD_ERROR_UNSUPPORTED:
    case IGD_ERROR_CHECK_FAILED:
    case IGD_ERROR_CONFLICT:
    case IGD_ERROR_DENIED:
        return 1;
    case IGD_ERROR_USAGE:
        return 2;
    case IGD_ERROR_INTERNAL:
    case IGD_ERROR_IO:
    case IGD_ERROR_NOT_FOUND:
    case IGD_ERROR_UNAVAILABLE:
    default:
        return 3;
    }
}

GBytes *
igd_read_regular_file(const char *path, gsize max, const char *what, GError **error)
{
    g_autofree guint8 *data = NULL;
    struct stat st;
    gsize done = 0;
    int fd;

    /* O_NONBLOCK: a FIFO given as the file must not hang us (it is refused below). */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, e == ENOENT ? IGD_ERROR_NOT_FOUND : IGD_ERROR_IO, "cannot open %s '%s': %s",
                    what, path, g_strerror(e));
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s '%s' is not a regular file", what, path);
        return NULL;
    }
    if ((guint64)st.st_size > max) {
        close(fd);
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s '%s' is %" G_GUINT64_FORMAT " bytes, larger than %" G_GSIZE_FORMAT,
                    what, path, (guint64)st.st_size, max);
        return NULL;
    }
    data = g_malloc(st.st_size ? st.st_size : 1);
    while (done < (gsize)st.st_size) {
        ssize_t n = read(fd, data + done, st.st_size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;
            close(fd);
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot read %s '%s': %s", what, path,
                        n < 0 ? g_strerror(e) : "file shrank while reading");
            return NULL;
        }
        done += (gsize)n;
    }
    close(fd);
    return g_bytes_new_take(g_steal_pointer(&data), done);
}

char *
igd_option_help(GOptionContext *ctx, const char *group_name, GOptionGroup *group, int argc, char *const *argv)
{
    g_autofree char *help = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--") == 0)
            return NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "-?") == 0)
            help = g_option_context_get_help(ctx, TRUE, NULL);
        else if (strcmp(a, "--help-all") == 0)
            help = g_option_context_get_help(ctx, FALSE, NULL);
        else if (group != NULL && group_name != NULL && g_str_has_prefix(a, "--help-") &&
                 strcmp(a + strlen("--help-"), group_name) == 0)
            help = g_option_context_get_help(ctx, FALSE, group);
        if (help != NULL)
            return g_str_to_ascii(help, "C");
    }
    return NULL;
}

/* @c as g_strescape() writes it, into @esc (5 bytes); its length. */
static gsize
shown_char(guchar c, char esc[5])
{
    static const char from[] = "\b\f\n\r\t\v\\\"";
    static const char to[] = "bfnrtv\\\"";
    const char *hit = c != '\0' ? strchr(from, c) : NULL;

    if (hit != NULL)
        return (gsize)g_snprintf(esc, 5, "\\%c", to[hit - from]);
    if (c < 0x20 || c > 0x7e)
        return (gsize)g_snprintf(esc, 5, "\\%03o", c);
    esc[0] = (char)c;
    esc[1] = '\0';
    return 1;
}

char *
igd_log_message_bound(char *msg)
{
    if (msg != NULL && strlen(msg) > IGD_LOG_MESSAGE_MAX)
        strcpy(msg + IGD_LOG_MESSAGE_MAX - 3, "...");
    return msg;
}

char *
igd_shown(const char *s, gsize max)
{
    GString *out;
    gsize whole = 0, budget, i;
    char esc[5];

    if (s == NULL)
        return g_strdup("(null)");
    max = MAX(max, 32);
    /* Does all of it fit? (stops counting at max) */
    for (i = 0; s[i] != '\0' && whole <= max; i++)
        whole += shown_char((guchar)s[i], esc);
    budget = s[i] == '\0' && whole <= max ? max : max - 24; /* room for "...(N bytes)" */
    out = g_string_sized_new(max + 1);
    for (i = 0; s[i] != '\0'; i++) {
        gsize n = shown_char((guchar)s[i], esc);
        if (out->len + n > budget)
            break;
        g_string_append_len(out, esc, (gssize)n);
    }
    if (s[i] != '\0')
        g_string_append_printf(out, "...(%" G_GSIZE_FORMAT " bytes)", i + strlen(s + i));
    return g_string_free(out, FALSE);
}
