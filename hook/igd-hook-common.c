/*
 * igd-hook-common.c: argv, stdin and the fast scan of the libvirt hook,
 * libc only (see igd-hook-common.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "igd-hook-common.h"

static const struct {
    const char *op;
    const char *subop;
    IgdHookOp value;
    const char *name;
} igd_hook_ops[] = {
    { "prepare", "begin", IGD_HOOK_OP_PREPARE, "prepare begin" },
    { "start", "begin", IGD_HOOK_OP_START, "start begin" },
    { "release", "end", IGD_HOOK_OP_RELEASE, "release end" },
    { "migrate", "begin", IGD_HOOK_OP_MIGRATE, "migrate begin" },
    { "restore", "begin", IGD_HOOK_OP_RESTORE, "restore begin" },
    { "reconnect", "begin", IGD_HOOK_OP_RECONNECT, "reconnect begin" },
};

IgdHookOp
igd_hook_op_from_args(const char *op, const char *subop)
{
    if (op == NULL || subop == NULL)
        return IGD_HOOK_OP_OTHER;
    for (size_t i = 0; i < sizeof(igd_hook_ops) / sizeof(igd_hook_ops[0]); i++) {
        if (strcmp(op, igd_hook_ops[i].op) == 0 && strcmp(subop, igd_hook_ops[i].subop) == 0)
            return igd_hook_ops[i].value;
    }
    return IGD_HOOK_OP_OTHER;
}

const char *
igd_hook_op_name(IgdHookOp op)
{
    for (size_t i = 0; i < sizeof(igd_hook_ops) / sizeof(igd_hook_ops[0]); i++) {
        if (igd_hook_ops[i].value == op)
            return igd_hook_ops[i].name;
    }
    return "other";
}

int
igd_hook_op_can_refuse(IgdHookOp op)
{
    return op == IGD_HOOK_OP_PREPARE || op == IGD_HOOK_OP_START || op == IGD_HOOK_OP_MIGRATE ||
           op == IGD_HOOK_OP_RESTORE;
}

IgdHookReadResult
igd_hook_read_all(int fd, char **data, size_t *len, int *err)
{
    size_t cap = 64 * 1024, used = 0;
    struct stat st;
    char *buf;

    *data = NULL;
    *len = 0;
    *err = 0;
    /* A regular file (tests, shell redirection) says its size up front. */
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        if ((unsigned long long)st.st_size > IGD_HOOK_STDIN_MAX)
            return IGD_HOOK_READ_TOO_LARGE;
        cap = (size_t)st.st_size + 1;
    }
    buf = malloc(cap + 1);
    if (buf == NULL) {
        *err = ENOMEM;
        return IGD_HOOK_READ_ERROR;
    }
    for (;;) {
        ssize_t n;

        if (used == cap) {
            size_t ncap;
            char *nbuf;

            if (cap > IGD_HOOK_STDIN_MAX) {
                free(buf);
                return IGD_HOOK_READ_TOO_LARGE;
            }
            /* Grow to at most one byte past the limit, to see an excess. */
            ncap = cap * 2 > IGD_HOOK_STDIN_MAX + 1 ? IGD_HOOK_STDIN_MAX + 1 : cap * 2;
            nbuf = realloc(buf, ncap + 1);
            if (nbuf == NULL) {
                free(buf);
                *err = ENOMEM;
                return IGD_HOOK_READ_ERROR;
            }
            buf = nbuf;
            cap = ncap;
        }
        n = read(fd, buf + used, cap - used);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            *err = errno;
            free(buf);
            return IGD_HOOK_READ_ERROR;
        }
        if (n == 0)
            break;
        used += (size_t)n;
        if (used > IGD_HOOK_STDIN_MAX) {
            free(buf);
            return IGD_HOOK_READ_TOO_LARGE;
        }
    }
    buf[used] = '\0';
    *data = buf;
    *len = used;
    return IGD_HOOK_READ_OK;
}

static int
lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* TRUE when @word (lower case) starts at @p, any case, within @end. */
static int
match_word(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);

    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (lower((unsigned char)p[i]) != word[i])
            return 0;
    }
    return 1;
}

/* The XML declaration's encoding, if any, is one whose ASCII bytes are ASCII. */
static int
xml_decl_encoding_ok(const char *p, const char *end)
{
    const char *decl_end = NULL, *enc;
    char quote;
    const char *val, *val_end;
    static const char *const ok[] = { "utf-8", "utf8", "us-ascii", "ascii" };

    if (!match_word(p, end, "<?xml"))
        return 1;
    for (const char *q = p; q + 1 < end; q++) {
        if (q[0] == '?' && q[1] == '>') {
            decl_end = q;
            break;
        }
    }
    if (decl_end == NULL)
        return 0;
    enc = NULL;
    for (const char *q = p; q < decl_end; q++) {
        if (match_word(q, decl_end, "encoding")) {
            enc = q + 8;
            break;
        }
    }
    if (enc == NULL)
        return 1; /* no declaration of encoding: UTF-8 by the XML spec */
    while (enc < decl_end && (*enc == ' ' || *enc == '\t' || *enc == '\r' || *enc == '\n' || *enc == '='))
        enc++;
    if (enc >= decl_end || (*enc != '"' && *enc != '\''))
        return 0;
    quote = *enc;
    val = enc + 1;
    val_end = memchr(val, quote, (size_t)(decl_end - val));
    if (val_end == NULL)
        return 0;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        if ((size_t)(val_end - val) == strlen(ok[i]) && match_word(val, val_end, ok[i]))
            return 1;
    }
    return 0;
}

int
igd_hook_scan_needs_full(const char *data, size_t len, const char **why)
{
    const char *p = data, *end = data + len;
    const size_t ns_len = sizeof(IGD_HOOK_NAMESPACE) - 1;
    const char *dummy;

    if (why == NULL)
        why = &dummy;
    *why = NULL;

    /* The start: optional UTF-8 BOM, white space, then '<'. */
    if (len >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
        p += 3;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    if (p == end) {
        /* Nothing but white space: no domain at all, so no IGD domain. */
        return 0;
    }
    if (*p != '<') {
        *why = "does not start with '<' (not XML, or not an ASCII-compatible encoding)";
        return 1;
    }
    if (!xml_decl_encoding_ok(p, end)) {
        *why = "declares an encoding other than UTF-8";
        return 1;
    }

    for (; p < end; p++) {
        switch (*p) {
        case 'h':
            /* The namespace is compared as it is by any parser: case matters. */
            if ((size_t)(end - p) >= ns_len && memcmp(p, IGD_HOOK_NAMESPACE, ns_len) == 0) {
                *why = "names the igd-assign namespace";
                return 1;
            }
            /* fall through */
        case 'H':
            if (match_word(p, end, "hostdev")) {
                *why = "mentions \"hostdev\"";
                return 1;
            }
            break;
        case '&':
            if (p + 1 < end && p[1] == '#') {
                *why = "contains a character reference";
                return 1;
            }
            break;
        case '<':
            /* Comments and CDATA are fine (their bytes are scanned too);
             * DOCTYPE, ENTITY, ATTLIST could inject names or values. */
            if (p + 1 < end && p[1] == '!' && !match_word(p, end, "<!--") && !match_word(p, end, "<![cdata[")) {
                *why = "contains a markup declaration (DOCTYPE/ENTITY)";
                return 1;
            }
            break;
        case '\0':
            *why = "contains a NUL byte";
            return 1;
        default:
            break;
        }
    }
    return 0;
}

void
igd_hook_escape_name(const char *name, char *buf, size_t size)
{
    size_t o = 0;
    const size_t limit = size - 4; /* room for "..." and NUL */

    if (name == NULL)
        name = "(none)";
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        char tmp[5];
        size_t n;

        if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
            tmp[0] = (char)*p;
            n = 1;
        } else {
            snprintf(tmp, sizeof(tmp), "\\x%02x", *p);
            n = 4;
        }
        if (o + n > limit) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(buf + o, tmp, n);
        o += n;
    }
    buf[o] = '\0';
}

void
igd_hook_print(const char *name, const char *reason, const char *hint)
{
    char ename[256];
    char line[8192];
    int n;

    igd_hook_escape_name(name, ename, sizeof(ename));
    if (hint != NULL)
        n = snprintf(line, sizeof(line), "igd-assign: %s: %s\nhint: %s\n", ename, reason, hint);
    else
        n = snprintf(line, sizeof(line), "igd-assign: %s: %s\n", ename, reason);
    if (n < 0)
        return;
    /* libvirt shows a failing hook's stderr to the user but drops it when
     * the hook succeeds (release, reconnect): the journal keeps both. */
    openlog("igd-assign-hook", LOG_PID, LOG_DAEMON);
    syslog(LOG_WARNING, "%s: %s", ename, reason);
    closelog();
    if ((size_t)n >= sizeof(line)) {
        n = sizeof(line) - 1;
        line[n - 1] = '\n';
    }
    for (const char *p = line; n > 0;) {
        ssize_t w = write(STDERR_FILENO, p, (size_t)n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        p += w;
        n -= (int)w;
    }
}
