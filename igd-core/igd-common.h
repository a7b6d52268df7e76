/*
 * igd-common.h: the error domain and small helpers every igd-core object uses.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define IGD_ERROR igd_error_quark()
GQuark igd_error_quark(void);

/*
 * Error codes. The CLI maps them to its exit codes (SPEC.md §3):
 * INVALID/UNSUPPORTED/CHECK_FAILED/CONFLICT/DENIED → 1 (impossible or refused),
 * USAGE → 2, IO/INTERNAL/NOT_FOUND/UNAVAILABLE → 3 (environment).
 */
typedef enum {
    IGD_ERROR_INTERNAL,     /* a bug or an unexpected state */
    IGD_ERROR_IO,           /* a file or device could not be read or written */
    IGD_ERROR_NOT_FOUND,    /* a file, device or object that should exist does not */
    IGD_ERROR_INVALID,      /* outside bytes that do not parse: truncated, bad signature, ... */
    IGD_ERROR_UNSUPPORTED,  /* valid but not something IGD assignment can use */
    IGD_ERROR_CHECK_FAILED, /* a requirement of the mode is not met */
    IGD_ERROR_CONFLICT,     /* owned by someone else, already in another state */
    IGD_ERROR_USAGE,        /* the caller's arguments are wrong */
    IGD_ERROR_DENIED,       /* not authorized */
    IGD_ERROR_UNAVAILABLE,  /* a service (igd-assignd, libvirtd) cannot be reached or did not answer */
} IgdErrorCode;

/* Exit code of the CLI for an error of IGD_ERROR (or any other domain: 3). */
int igd_error_exit_code(const GError *error);

/*
 * A whole user-given file (a --romfile, an OpRegion or VBT override) of at
 * most @max bytes: opened without blocking and refused unless it is a
 * regular file, so a FIFO, a device or a directory is an error, never a
 * hang. @what names the file in errors ("ROM file"). NOT_FOUND when
 * missing, INVALID when not regular or too large, IO otherwise.
 */
GBytes *igd_read_regular_file(const char *path, gsize max, const char *what, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * The help a front end's argv asks GOption for, as plain ASCII text to
 * print, or NULL when it asks for none. Help options are -h, --help, -?,
 * --help-all and --help-@group_name (when @group is given), before "--";
 * the text is g_option_context_get_help()'s. GLib's own part of it carries
 * "…" (U+2026), which g_print() writes as "?" in the C locale: here every
 * character is transliterated to ASCII ("..."), so the help reads the same
 * in every locale. The caller prints it and exits 0.
 */
char *igd_option_help(GOptionContext *ctx, const char *group_name, GOptionGroup *group, int argc,
                      char *const *argv) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Outside text made safe for one log line or message: C escapes as
 * g_strescape() makes them (control characters, quotes, backslashes and
 * every byte over 0x7e escaped, so the result is printable ASCII), cut to
 * at most @max bytes (escapes are never split; at least 32) with
 * "...(N bytes)" naming the length of @s when cut. NULL is "(null)".
 */
#define IGD_SHOWN_MAX 256 /* bytes of one outside string in a log line */
char *igd_shown(const char *s, gsize max) G_GNUC_WARN_UNUSED_RESULT;

/*
 * The last guard of a log line: a message over IGD_LOG_MESSAGE_MAX bytes
 * (its outside parts are bounded by igd_shown() where they are put in, but
 * it also carries errors of the steps below) is cut there, ending "...".
 * Cuts @msg in place; returns it.
 */
#define IGD_LOG_MESSAGE_MAX 2048
char *igd_log_message_bound(char *msg);

/* Little-endian readers over a byte buffer; the caller checks bounds first. */
static inline guint16 igd_le16(const guint8 *p) { return (guint16)(p[0] | (p[1] << 8)); }
static inline guint32 igd_le32(const guint8 *p)
{
    return (guint32)p[0] | ((guint32)p[1] << 8) | ((guint32)p[2] << 16) | ((guint32)p[3] << 24);
}
static inline guint64 igd_le64(const guint8 *p)
{
    return (guint64)igd_le32(p) | ((guint64)igd_le32(p + 4) << 32);
}
static inline void igd_put_le16(guint8 *p, guint16 v) { p[0] = v & 0xff; p[1] = v >> 8; }
static inline void igd_put_le32(guint8 *p, guint32 v)
{
    p[0] = v & 0xff; p[1] = (v >> 8) & 0xff; p[2] = (v >> 16) & 0xff; p[3] = v >> 24;
}
static inline void igd_put_le64(guint8 *p, guint64 v)
{
    igd_put_le32(p, (guint32)v); igd_put_le32(p + 4, (guint32)(v >> 32));
}

/* TRUE when [off, off+len) lies inside a buffer of @size bytes (no overflow). */
static inline gboolean igd_range_ok(gsize size, gsize off, gsize len)
{
    return off <= size && len <= size - off;
}

G_END_DECLS
