/*
 * igd-hook-common.h: what both halves of the libvirt hook share, in plain C
 * (libc only, so the fast front igd-assign-hook links nothing else):
 * argv → operation, the bounded stdin reader, the conservative scan that
 * proves a domain IGD-free without parsing it, and the refusal line.
 *
 * How libvirt calls a qemu hook (libvirt 9.0, src/util/virhook.c and
 * src/qemu/qemu_process.c): argv NAME OP SUBOP EXTRA, the domain XML on
 * stdin; only "migrate begin" and "restore begin" read stdout (as the new
 * XML); a non-zero exit of "prepare begin" aborts the start and libvirt
 * shows the hook's stderr to the virsh user.
 */
#pragma once

#include <stddef.h>

/* libvirt never sends more; larger stdin is refused before any parsing. */
#define IGD_HOOK_STDIN_MAX ((size_t)64 << 20)

/* Environment: sysroot for tests, the full half's path, the daemon's bus. */
#define IGD_HOOK_ENV_SYSROOT  "IGD_ASSIGN_SYSFS_ROOT"
#define IGD_HOOK_ENV_FULL     "IGD_ASSIGN_HOOK_FULL"

/*
 * The namespace of <igd:assign> (IGD_DOMAIN_NS of igd-domxml.h, which the
 * full half checks is the same). Under any prefix, this is the only way a
 * document can carry the metadata: spelling it with a character reference
 * or an entity is caught by the scan on its own, and attribute-value
 * normalization cannot remove bytes. So "igd" inside other words (a domain
 * named "bigdata") no longer costs the full half.
 */
#define IGD_HOOK_NAMESPACE "http://igd-assign.org/schemas/domain/1.0"

typedef enum {
    IGD_HOOK_OP_OTHER = 0,      /* anything else: exit 0, stdin unread */
    IGD_HOOK_OP_PREPARE,        /* prepare begin: check, then daemon Prepare (binds the IGD when it must) */
    IGD_HOOK_OP_START,          /* start begin: daemon Prepare of a managed='yes' IGD, which libvirt detached */
    IGD_HOOK_OP_RELEASE,        /* release end: daemon Release */
    IGD_HOOK_OP_MIGRATE,        /* migrate begin: refuse IGD domains */
    IGD_HOOK_OP_RESTORE,        /* restore begin: refuse IGD domains */
    IGD_HOOK_OP_RECONNECT,      /* reconnect begin: daemon Reconnect, never fatal */
} IgdHookOp;

/* The operation of OP and SUBOP (either may be NULL → OTHER). */
IgdHookOp igd_hook_op_from_args(const char *op, const char *subop);
/* "prepare begin", ... for messages. */
const char *igd_hook_op_name(IgdHookOp op);
/* TRUE for the operations whose failure must stop libvirt (exit 1). */
int igd_hook_op_can_refuse(IgdHookOp op);

typedef enum {
    IGD_HOOK_READ_OK = 0,
    IGD_HOOK_READ_TOO_LARGE,    /* more than IGD_HOOK_STDIN_MAX bytes */
    IGD_HOOK_READ_ERROR,        /* read(2) failed; errno kept in *err */
} IgdHookReadResult;

/*
 * Read all of @fd (at most IGD_HOOK_STDIN_MAX bytes). On OK, *data is a
 * malloc'd buffer NUL-terminated one past *len (free it). @err receives the
 * errno of a failed read.
 */
IgdHookReadResult igd_hook_read_all(int fd, char **data, size_t *len, int *err);

/*
 * The fast scan. Returns 0 when the bytes provably describe no IGD domain
 * under any reading an XML parser could give them (so the hook exits at
 * once), or 1 with *why naming the first reason the full parse is needed:
 * the byte sequence "hostdev" (any case) or the igd-assign namespace URI
 * (as it is: parsers compare it byte for byte) anywhere, also in comments,
 * CDATA and metadata; a NUL byte, a character reference ("&#"), a DOCTYPE
 * or entity declaration, a document not starting with '<' (after an
 * optional UTF-8 BOM and white space: UTF-16/32, EBCDIC, garbage), or an
 * XML declaration naming an encoding other than UTF-8/ASCII.
 */
int igd_hook_scan_needs_full(const char *data, size_t len, const char **why);

/*
 * Write @name into @buf (size @size ≥ 8) printable: bytes outside 0x20..0x7e
 * and the backslash become \xNN, longer names end in "...". Always
 * NUL-terminates.
 */
void igd_hook_escape_name(const char *name, char *buf, size_t size);

/*
 * Print "igd-assign: <escaped name>: <reason>" and, when @hint is not NULL,
 * "hint: <hint>" on stderr, in one write; the same reason goes to syslog
 * (LOG_DAEMON, LOG_WARNING), since libvirt drops the stderr of a hook that
 * exits 0 (release end, reconnect begin).
 */
void igd_hook_print(const char *name, const char *reason, const char *hint);
