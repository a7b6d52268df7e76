/*
 * hook-latency: what one libvirt hook call costs (SPEC.md §8).
 *
 *   hook-latency [--runs N] --xml FILE --op "prepare begin" NAME=CMD [NAME=CMD ...]
 *
 * Each CMD (a program, run with argv "CMD DOMAIN OP SUBOP -") gets FILE on
 * a pipe as its stdin, as libvirt gives it (the whole XML is written into
 * the pipe and the write end closed; a program that does not read it is
 * fine, as in libvirt). The commands run alternately, N rounds, so that
 * they see the same machine state; each run is timed from fork to the
 * child's exit (CLOCK_MONOTONIC), its CPU time (user + system, of it and
 * the children it waited for) and peak RSS taken from wait4(). Prints per
 * command the median, min and 90th percentile wall time, the median CPU
 * time (steadier than wall time on a loaded machine: it leaves out the
 * time spent waiting for a CPU and for other processes, such as a
 * daemon), the peak RSS, and the ratio of its median to the first
 * command's median.
 * A command whose exit status differs from its first run is reported.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    const char *name;
    const char *path;
    double *ns;
    double *cpu_ns;
    long max_rss_kib;
    int status;
    int status_changed;
} Cmd;

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "hook-latency: cannot read %s: %s\n", path, strerror(errno));
        exit(2);
    }
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "hook-latency: cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static double
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One run: returns wall ns, sets *status, *cpu_ns and *rss_kib. */
static double
run_once(const Cmd *cmd, char *const argv[], const char *xml, size_t len, int *status, double *cpu_ns,
         long *rss_kib)
{
    int p[2];
    pid_t pid;
    struct rusage ru;
    double t0, t1;
    int devnull = open("/dev/null", O_WRONLY);

    if (pipe(p) < 0 || devnull < 0) {
        perror("hook-latency: pipe");
        exit(2);
    }
    t0 = now_ns();
    pid = fork();
    if (pid < 0) {
        perror("hook-latency: fork");
        exit(2);
    }
    if (pid == 0) {
        dup2(p[0], STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
        close(p[0]);
        close(p[1]);
        close(devnull);
        execv(cmd->path, argv);
        _exit(127);
    }
    close(p[0]);
    close(devnull);
    /* Like libvirt: write the document, ignore a reader that left early. */
    for (size_t off = 0; off < len;) {
        ssize_t n = write(p[1], xml + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    close(p[1]);
    if (wait4(pid, status, 0, &ru) < 0) {
        perror("hook-latency: wait4");
        exit(2);
    }
    t1 = now_ns();
    *rss_kib = ru.ru_maxrss;
    *cpu_ns = ((double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec) * 1e9 +
              ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e3;
    return t1 - t0;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    const char *xml_path = NULL, *op = "prepare begin", *domain = "bench";
    int runs = 300, ncmds = 0;
    Cmd cmds[8];
    char *xml;
    size_t len;
    char opbuf[64], *subop;
    double base = 0;

    signal(SIGPIPE, SIG_IGN);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--xml") == 0 && i + 1 < argc) {
            xml_path = argv[++i];
        } else if (strcmp(argv[i], "--op") == 0 && i + 1 < argc) {
            op = argv[++i];
        } else if (strcmp(argv[i], "--domain") == 0 && i + 1 < argc) {
            domain = argv[++i];
        } else if (strchr(argv[i], '=') != NULL && ncmds < 8) {
            char *eq = strchr(argv[i], '=');

            *eq = '\0';
            cmds[ncmds] = (Cmd){ .name = argv[i], .path = eq + 1 };
            ncmds++;
        } else {
            fprintf(stderr, "usage: hook-latency [--runs N] --xml FILE [--op 'prepare begin'] [--domain NAME] "
                            "NAME=PROGRAM...\n");
            return 2;
        }
    }
    if (xml_path == NULL || ncmds == 0 || runs < 1) {
        fprintf(stderr, "hook-latency: need --xml FILE and at least one NAME=PROGRAM\n");
        return 2;
    }
    xml = slurp(xml_path, &len);
    snprintf(opbuf, sizeof(opbuf), "%s", op);
    subop = strchr(opbuf, ' ');
    if (subop == NULL) {
        fprintf(stderr, "hook-latency: --op must be 'OP SUBOP'\n");
        return 2;
    }
    *subop++ = '\0';

    for (int c = 0; c < ncmds; c++) {
        cmds[c].ns = calloc((size_t)runs, sizeof(double));
        cmds[c].cpu_ns = calloc((size_t)runs, sizeof(double));
    }
    /* One warm-up round (page cache, dynamic loader caches), then alternate. */
    for (int r = -1; r < runs; r++) {
        for (int c = 0; c < ncmds; c++) {
            char *cargv[] = { (char *)cmds[c].path, (char *)domain, opbuf, subop, (char *)"-", NULL };
            int status;
            long rss;
            double cpu;
            double ns = run_once(&cmds[c], cargv, xml, len, &status, &cpu, &rss);

            if (r < 0) {
                cmds[c].status = status;
                continue;
            }
            if (status != cmds[c].status)
                cmds[c].status_changed = 1;
            cmds[c].ns[r] = ns;
            cmds[c].cpu_ns[r] = cpu;
            if (rss > cmds[c].max_rss_kib)
                cmds[c].max_rss_kib = rss;
        }
    }

    printf("# %s: %zu bytes, op '%s %s', %d alternating runs each\n", xml_path, len, opbuf, subop, runs);
    printf("%-14s %10s %10s %10s %10s %10s %8s %s\n", "command", "median_us", "min_us", "p90_us", "cpu_us",
           "peak_rss", "ratio", "exit");
    for (int c = 0; c < ncmds; c++) {
        double med, mn, p90;

        qsort(cmds[c].ns, (size_t)runs, sizeof(double), cmp_double);
        qsort(cmds[c].cpu_ns, (size_t)runs, sizeof(double), cmp_double);
        med = cmds[c].ns[runs / 2];
        mn = cmds[c].ns[0];
        p90 = cmds[c].ns[(runs * 9) / 10 < runs ? (runs * 9) / 10 : runs - 1];
        if (c == 0)
            base = med;
        printf("%-14s %10.1f %10.1f %10.1f %10.1f %7ldKiB %8.2f %d%s\n", cmds[c].name, med / 1e3, mn / 1e3,
               p90 / 1e3, cmds[c].cpu_ns[runs / 2] / 1e3, cmds[c].max_rss_kib, med / base,
               WIFEXITED(cmds[c].status) ? WEXITSTATUS(cmds[c].status) : -1,
               cmds[c].status_changed ? " (varied!)" : "");
        free(cmds[c].ns);
        free(cmds[c].cpu_ns);
    }
    free(xml);
    return 0;
}
