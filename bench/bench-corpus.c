/*
 * bench-corpus: SPEC.md §8, all 1070 domain XMLs of libvirt 9.0's test
 * suite rewritten in legacy and UPT mode in one process (igd-core only, no
 * host facts). Files are read first; the time printed is the rewriting.
 *
 *   bench-corpus [CORPUS_DIR] [REPEAT]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "igd-domxml.h"

static double
cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/cache/libvirt-corpus/qemuxml2argvdata";
    guint repeat = argc > 2 ? (guint)atoi(argv[2]) : 1;
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    const char *e;
    guint ok = 0, refused = 0;
    double c0, w0, cpu, wall;

    if (d == NULL) {
        fprintf(stderr, "cannot open %s\n", dir);
        return 1;
    }
    while ((e = g_dir_read_name(d))) {
        g_autofree char *path = NULL;
        char *data = NULL;
        gsize len = 0;
        if (!g_str_has_suffix(e, ".xml"))
            continue;
        path = g_build_filename(dir, e, NULL);
        if (g_file_get_contents(path, &data, &len, NULL))
            g_ptr_array_add(docs, g_bytes_new_take(data, len));
    }
    if (repeat == 0)
        repeat = 1;
    c0 = cpu_now();
    w0 = wall_now();
    for (guint r = 0; r < repeat; r++) {
        for (guint i = 0; i < docs->len; i++) {
            static const IgdMode modes[] = { IGD_MODE_LEGACY, IGD_MODE_UPT };
            gsize len = 0;
            const char *xml = g_bytes_get_data(docs->pdata[i], &len);
            for (guint m = 0; m < G_N_ELEMENTS(modes); m++) {
                IgdDomXmlOptions o;
                IgdDomXmlReport rep;
                g_autoptr(GError) error = NULL;
                g_autofree char *out = NULL;
                gsize out_len = 0;

                igd_domxml_options_init(&o);
                o.mode = modes[m];
                igd_domxml_report_init(&rep);
                if (igd_domxml_rewrite(xml, len, &o, &out, &out_len, &rep, &error))
                    ok++;
                else
                    refused++;
                igd_domxml_report_clear(&rep);
            }
        }
    }
    cpu = cpu_now() - c0;
    wall = wall_now() - w0;
    printf("files:            %u\n", docs->len);
    printf("rewrites:         %u (%u written, %u refused), legacy and UPT%s\n", ok + refused, ok, refused,
           repeat > 1 ? ", repeated" : "");
    printf("time:             %.3f s CPU, %.3f s wall (SPEC.md §8: <= 2 s)\n", cpu / repeat, wall / repeat);
    printf("per rewrite:      %.1f us\n", cpu * 1e6 / (ok + refused));
    return 0;
}
