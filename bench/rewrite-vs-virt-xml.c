/*
 * rewrite-vs-virt-xml: SPEC.md §8, `igd-assign rewrite` of one domain, whole
 * process, against virt-xml making the equivalent edit (IGD hostdev at
 * 00:02.0 with managed='no' and the vfio driver, video none, graphics
 * removed) and against exec'ing /bin/true, side by side: the three run in
 * turn, round after round, each with the domain XML on stdin and stdout to
 * /dev/null. Prints the medians and the ratios.
 *
 *   rewrite-vs-virt-xml IGD_ASSIGN DOMAIN.XML TEST_NODE.XML [ROUNDS]
 *
 * virt-xml (Debian package virtinst) needs a connection that knows the node
 * device 0000:00:02.0: libvirt's test driver with TEST_NODE.XML
 * (tests/domxmldata/setup/nodedevs.xml). One virt-xml call makes one kind of
 * change, so the edit is a pipeline of three (run by /bin/sh, whose own
 * start-up is noise next to Python's).
 */
#include "config.h"

#include <fcntl.h>
#include <glib.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run @argv with stdin from @input, stdout and stderr to /dev/null; seconds, or -1 on failure. */
static double
run(char *const argv[], const char *input, gboolean want_success)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = 0;
    double t0, t1;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, input, O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    t0 = now();
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return -1;
    }
    waitpid(pid, &status, 0);
    t1 = now();
    posix_spawn_file_actions_destroy(&fa);
    if (want_success && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        return -1;
    return t1 - t0;
}

static int
cmp_double(gconstpointer a, gconstpointer b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double
median(GArray *a)
{
    g_array_sort(a, cmp_double);
    return g_array_index(a, double, a->len / 2);
}

int
main(int argc, char **argv)
{
    const char *igd, *input, *node;
    guint rounds = 20;
    g_autofree char *uri = NULL;
    g_autofree char *pipeline = NULL;
    g_autoptr(GArray) t_true = g_array_new(FALSE, FALSE, sizeof(double));
    g_autoptr(GArray) t_igd = g_array_new(FALSE, FALSE, sizeof(double));
    g_autoptr(GArray) t_vx = g_array_new(FALSE, FALSE, sizeof(double));
    double m_true, m_igd, m_vx;

    if (argc < 4) {
        fprintf(stderr, "usage: %s IGD_ASSIGN DOMAIN.XML TEST_NODE.XML [ROUNDS]\n", argv[0]);
        return 2;
    }
    igd = argv[1];
    input = argv[2];
    node = argv[3];
    if (argc > 4)
        rounds = (guint)atoi(argv[4]);
    if (rounds == 0)
        rounds = 1;
    uri = g_strdup_printf("test://%s", node);
    pipeline = g_strdup_printf(
        "virt-xml --connect '%s' --add-device --hostdev 0000:00:02.0,driver.name=vfio,address.type=pci,"
        "address.domain=0,address.bus=0,address.slot=2,address.function=0,xpath0.set=./@managed=no"
        " | virt-xml --connect '%s' --edit all --video clearxml=yes,model.type=none"
        " | virt-xml --connect '%s' --remove-device --graphics all",
        uri, uri, uri);
    {
        char *a_true[] = { (char *)"/bin/true", NULL };
        char *a_igd[] = { (char *)igd, (char *)"-q", (char *)"rewrite", (char *)"--mode", (char *)"legacy", NULL };
        char *a_vx[] = { (char *)"/bin/sh", (char *)"-ec", pipeline, NULL };

        /* warm up, and make sure each one works */
        if (run(a_igd, input, TRUE) < 0 || run(a_true, input, TRUE) < 0) {
            fprintf(stderr, "%s rewrite failed\n", igd);
            return 1;
        }
        if (run(a_vx, input, TRUE) < 0) {
            fprintf(stderr, "the virt-xml pipeline failed (is virtinst installed?)\n");
            return 1;
        }
        for (guint i = 0; i < rounds; i++) {
            double t;
            t = run(a_true, input, TRUE);
            g_array_append_val(t_true, t);
            t = run(a_igd, input, TRUE);
            g_array_append_val(t_igd, t);
            t = run(a_vx, input, TRUE);
            g_array_append_val(t_vx, t);
        }
    }
    m_true = median(t_true);
    m_igd = median(t_igd);
    m_vx = median(t_vx);
    printf("rounds:                 %u (alternating)\n", rounds);
    printf("/bin/true:              %8.3f ms (median)\n", m_true * 1e3);
    printf("igd-assign rewrite:     %8.3f ms (median)\n", m_igd * 1e3);
    printf("virt-xml (3 calls):     %8.3f ms (median)\n", m_vx * 1e3);
    printf("virt-xml / rewrite:     %8.1f x   (SPEC.md §8: >= 40)\n", m_vx / m_igd);
    printf("rewrite / /bin/true:    %8.2f x   (SPEC.md §8: <= 2.5)\n", m_igd / m_true);
    return 0;
}
