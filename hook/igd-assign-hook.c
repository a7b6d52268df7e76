/*
 * igd-assign-hook: the libvirt qemu hook, fast front (SPEC.md §6, §8).
 *
 * libvirt runs every hook synchronously for every domain at every start,
 * stop and migration, so this half links libc only: no GLib, no libxml2,
 * no D-Bus. It reads argv and stdin, and
 *   - for an operation it has nothing to do with, exits 0 without reading
 *     stdin (libvirt ignores EPIPE on the hook's stdin, vircommand.c);
 *   - for prepare/release/migrate/restore/reconnect, scans the XML bytes
 *     (igd_hook_scan_needs_full()): a document that cannot hold an IGD
 *     hostdev or <igd:assign> metadata under any parse ends here, exit 0,
 *     nothing printed (stdout stays empty, so libvirt keeps the XML of a
 *     migration or restore);
 *   - anything else is handed, with the same argv and the same stdin bytes
 *     (in a memfd), to igd-assign-hook-full, which parses it properly and
 *     decides.
 * It never calls the libvirt API.
 *
 * The full half is $(libexecdir)/igd-assign-hook-full, or
 * $IGD_ASSIGN_HOOK_FULL (libvirtd gives hooks a cleaned environment, so
 * that variable only matters when the hook is run by hand or by tests).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igd-hook-common.h"

#ifndef IGD_LIBEXECDIR
#define IGD_LIBEXECDIR "/usr/local/libexec"
#endif
#define IGD_HOOK_FULL_PATH IGD_LIBEXECDIR "/igd-assign-hook-full"

static const char usage[] =
    "usage: igd-assign-hook DOMAIN OPERATION SUB-OPERATION [EXTRA]\n"
    "The libvirt qemu hook of igd-assign, installed as\n"
    "  " IGD_LIBVIRT_HOOKSDIR "/qemu.d/igd-assign;\n"
    "libvirtd runs it with the domain XML on stdin. See igd-assign-hook(8).\n";

/* Write @len bytes of @data to @fd, whole. */
static int
write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * Make @data the process's stdin again, from the start: a memfd (sealed
 * size not needed, it is ours), else a pipe fed by a child.
 */
static int
restore_stdin(const char *data, size_t len)
{
    int fd = -1;

#ifdef MFD_CLOEXEC
    fd = memfd_create("igd-assign-hook-stdin", 0);
#endif
    if (fd >= 0) {
        if (write_all(fd, data, len) < 0 || lseek(fd, 0, SEEK_SET) != 0) {
            close(fd);
            return -1;
        }
    } else {
        int p[2];
        pid_t pid;

        if (pipe(p) < 0)
            return -1;
        pid = fork();
        if (pid < 0) {
            close(p[0]);
            close(p[1]);
            return -1;
        }
        if (pid == 0) {
            close(p[0]);
            /* A grandchild writes, so the exec'd half has no child to reap. */
            if (fork() == 0) {
                write_all(p[1], data, len);
                _exit(0);
            }
            _exit(0);
        }
        close(p[1]);
        waitpid(pid, NULL, 0);
        fd = p[0];
    }
    if (fd != STDIN_FILENO) {
        if (dup2(fd, STDIN_FILENO) < 0) {
            close(fd);
            return -1;
        }
        close(fd);
    }
    return 0;
}

int
main(int argc, char **argv)
{
    const char *name, *full, *why = NULL;
    IgdHookOp op;
    char *data = NULL;
    size_t len = 0;
    int err = 0;
    char reason[512];

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc < 4) {
        fputs(usage, stderr);
        return 2;
    }
    /* Arguments past EXTRA are ignored: a later libvirt may add some. */
    name = argv[1];
    op = igd_hook_op_from_args(argv[2], argv[3]);
    if (op == IGD_HOOK_OP_OTHER)
        return 0;

    switch (igd_hook_read_all(STDIN_FILENO, &data, &len, &err)) {
    case IGD_HOOK_READ_OK:
        break;
    case IGD_HOOK_READ_TOO_LARGE:
        igd_hook_print(name, "the domain XML on stdin is larger than 64 MiB",
                       igd_hook_op_can_refuse(op) ? "libvirt never sends that much: check what runs this hook" : NULL);
        return igd_hook_op_can_refuse(op) ? 1 : 0;
    case IGD_HOOK_READ_ERROR:
        snprintf(reason, sizeof(reason), "cannot read the domain XML on stdin: %s", strerror(err));
        igd_hook_print(name, reason,
                       igd_hook_op_can_refuse(op) ? "libvirt passes the domain XML on stdin: check what runs this hook"
                                                  : NULL);
        return igd_hook_op_can_refuse(op) ? 1 : 0;
    }

    if (!igd_hook_scan_needs_full(data, len, &why)) {
        free(data);
        return 0;
    }

    full = getenv(IGD_HOOK_ENV_FULL);
    if (full == NULL || full[0] == '\0')
        full = IGD_HOOK_FULL_PATH;
    if (restore_stdin(data, len) == 0) {
        free(data);
        execv(full, argv);
        err = errno;
    } else {
        err = errno;
        free(data);
    }
    /* The document may be an IGD domain and cannot be judged. */
    snprintf(reason, sizeof(reason), "cannot run %s: %s", full, strerror(err));
    if (igd_hook_op_can_refuse(op)) {
        igd_hook_print(name, reason, "reinstall igd-assign (make install puts the helper in " IGD_LIBEXECDIR ")");
        return 1;
    }
    igd_hook_print(name, reason, NULL);
    return 0;
}
