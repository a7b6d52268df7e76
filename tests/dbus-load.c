/*
 * dbus-load: load igd-assignd over D-Bus, and time calls under that load
 * (tests/daemon-flood.sh, bench/daemon-flood.sh).
 *
 *   dbus-load --address ADDR --flood N [--inflight K] [--method M] [--seconds S]
 *       N connections of their own to the bus at ADDR, each keeping K calls
 *       of M (default GetStatus) in flight: a reply (or an error: a denied
 *       caller gets org.igdassign.Error.Denied) sends the next one. Prints
 *       "connected N" once every connection is up (a script waits for it),
 *       and at the end (S seconds, default forever, or SIGTERM/SIGINT)
 *       "flood: calls C replies R errors E timeouts T per_s P" (answers a
 *       second since all were connected). SIGUSR1 prints "answered A"
 *       (replies and errors so far), for a script timing a stretch.
 *
 *   dbus-load --address ADDR --probe N [--method M] [--timeout-ms T]
 *       N calls of M one after another on one connection; prints
 *       "probe: calls N ok O errors E median_ms X p90_ms Y max_ms Z" and exits 0
 *       when every call got a reply (an error reply counts as an answer
 *       with --allow-errors).
 *
 *   dbus-load --address ADDR --call M [--name-bytes B] [--timeout-ms T]
 *       One call, its reply or error name and message on stdout (the
 *       message cut to 200 bytes); Prepare's name argument B bytes of 'x'
 *       (more than a command line may carry). Exit 0 on a reply, 1 on an
 *       error.
 *
 *   dbus-load --address ADDR --concurrent N --call M [--uuid U] [--name NAME]
 *       N connections of their own; once all are up, prints "connected N"
 *       and waits for SIGUSR2 (so that two such processes fire together),
 *       then sends the one call on every connection at once. Prints
 *       "concurrent: ok O errors E" and then each distinct answer with its
 *       count: "N x error: <name>: <message>" or "N x reply: ...".
 *
 * Methods and their arguments: GetStatus (), Release (UUID),
 * Prepare (UUID, name, "0000:00:02.0", "legacy"), Check ("0000:00:02.0");
 * UUID is --uuid (default c7a5fdbd-...) and name --name (default "load",
 * or --name-bytes of 'x').
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib-unix.h>

#define DEST "org.igdassign.Manager1"
#define PATH "/org/igdassign/Manager1"
#define IFACE "org.igdassign.Manager1"
#define UUID "c7a5fdbd-edaf-9455-926a-d65c16db1809"

typedef struct {
    const char *address;
    const char *method;
    const char *uuid;
    const char *name;
    int inflight;
    int timeout_ms;
    gsize name_bytes;
    GMainLoop *loop;
    GPtrArray *connections;
    int connecting;
    guint64 calls, replies, errors, timeouts;
    gboolean stopping;
    gint64 started; /* every connection up */
} Load;

static GVariant *
method_args(const Load *load)
{
    if (g_str_equal(load->method, "GetStatus"))
        return NULL;
    if (g_str_equal(load->method, "Release"))
        return g_variant_new("(s)", load->uuid);
    if (g_str_equal(load->method, "Check"))
        return g_variant_new("(s)", "0000:00:02.0");
    if (g_str_equal(load->method, "Prepare")) {
        g_autofree char *name = NULL;

        if (load->name_bytes > 0) {
            name = g_malloc(load->name_bytes + 1);
            memset(name, 'x', load->name_bytes);
            name[load->name_bytes] = '\0';
        }
        return g_variant_new("(ssss)", load->uuid, name ? name : load->name, "0000:00:02.0", "legacy");
    }
    g_printerr("dbus-load: unknown method %s\n", load->method);
    exit(2);
}

static GDBusConnection *
connect_sync(const char *address)
{
    g_autoptr(GError) error = NULL;
    GDBusConnection *c = g_dbus_connection_new_for_address_sync(
        address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
        NULL, NULL, &error);

    if (c == NULL) {
        g_printerr("dbus-load: cannot connect to %s: %s\n", address, error->message);
        exit(1);
    }
    return c;
}

/* ---- flood ---- */

static void flood_call(Load *load, GDBusConnection *c);

static void
flood_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
    Load *load = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);

    if (reply != NULL)
        load->replies++;
    else if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        load->timeouts++;
    else
        load->errors++;
    if (!load->stopping)
        flood_call(load, G_DBUS_CONNECTION(source));
}

static void
flood_call(Load *load, GDBusConnection *c)
{
    load->calls++;
    g_dbus_connection_call(c, DEST, PATH, IFACE, load->method, method_args(load), NULL, G_DBUS_CALL_FLAGS_NONE,
                           load->timeout_ms, NULL, flood_done, load);
}

static void
flood_connected(GObject *source, GAsyncResult *res, gpointer user_data)
{
    Load *load = user_data;
    g_autoptr(GError) error = NULL;
    GDBusConnection *c = g_dbus_connection_new_for_address_finish(res, &error);

    if (c == NULL) {
        g_printerr("dbus-load: cannot connect to %s: %s\n", load->address, error->message);
        exit(1);
    }
    g_ptr_array_add(load->connections, c);
    if (--load->connecting > 0)
        return;
    load->started = g_get_monotonic_time();
    printf("connected %u\n", load->connections->len);
    fflush(stdout);
    for (guint i = 0; i < load->connections->len; i++)
        for (int k = 0; k < load->inflight; k++)
            flood_call(load, g_ptr_array_index(load->connections, i));
}

static gboolean
flood_stop(gpointer user_data)
{
    Load *load = user_data;

    load->stopping = TRUE;
    g_main_loop_quit(load->loop);
    return G_SOURCE_REMOVE;
}

static gboolean
flood_report(gpointer user_data)
{
    Load *load = user_data;

    printf("answered %" G_GUINT64_FORMAT "\n", load->replies + load->errors + load->timeouts);
    fflush(stdout);
    return G_SOURCE_CONTINUE;
}

static int
flood(Load *load, int n, int seconds)
{
    load->loop = g_main_loop_new(NULL, FALSE);
    load->connections = g_ptr_array_new_with_free_func(g_object_unref);
    load->connecting = n;
    for (int i = 0; i < n; i++)
        g_dbus_connection_new_for_address(load->address,
                                          G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                              G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                          NULL, NULL, flood_connected, load);
    g_unix_signal_add(SIGTERM, flood_stop, load);
    g_unix_signal_add(SIGINT, flood_stop, load);
    g_unix_signal_add(SIGUSR1, flood_report, load);
    if (seconds > 0)
        g_timeout_add_seconds((guint)seconds, flood_stop, load);
    g_main_loop_run(load->loop);
    printf("flood: calls %" G_GUINT64_FORMAT " replies %" G_GUINT64_FORMAT " errors %" G_GUINT64_FORMAT
           " timeouts %" G_GUINT64_FORMAT " per_s %.0f\n",
           load->calls, load->replies, load->errors, load->timeouts,
           load->started ? (double)(load->replies + load->errors) * 1e6 / (double)(g_get_monotonic_time() - load->started)
                         : 0.0);
    fflush(stdout);
    /* The connections' pending calls die with the process. */
    _exit(0);
}

/* ---- probe ---- */

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int
probe(Load *load, int n, gboolean allow_errors)
{
    g_autoptr(GDBusConnection) c = connect_sync(load->address);
    g_autofree double *ms = g_new0(double, n);
    int ok = 0, errors = 0;

    for (int i = 0; i < n; i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        gint64 t0 = g_get_monotonic_time();

        reply = g_dbus_connection_call_sync(c, DEST, PATH, IFACE, load->method, method_args(load), NULL,
                                            G_DBUS_CALL_FLAGS_NONE, load->timeout_ms, NULL, &error);
        ms[i] = (double)(g_get_monotonic_time() - t0) / 1e3;
        if (reply != NULL) {
            ok++;
        } else {
            errors++;
            if (errors <= 3)
                g_printerr("dbus-load: call %d: %s\n", i, error->message);
        }
    }
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    printf("probe: calls %d ok %d errors %d median_ms %.2f p90_ms %.2f max_ms %.2f\n", n, ok, errors, ms[n / 2],
           ms[n * 9 / 10], ms[n - 1]);
    return ok == n || (allow_errors && ms[n - 1] < load->timeout_ms) ? 0 : 1;
}

/* ---- concurrent calls ---- */

typedef struct {
    Load *load;
    GHashTable *answers; /* "error: name: message" → count */
    int outstanding;
    int ok, errors;
} Concurrent;

static char *
answer_text(GVariant *reply, GError *error)
{
    g_autofree char *remote = NULL;

    if (reply != NULL) {
        g_autofree char *text = g_variant_print(reply, FALSE);
        return g_strdup_printf("reply: %.200s", text);
    }
    remote = g_dbus_error_get_remote_error(error);
    g_dbus_error_strip_remote_error(error);
    return g_strdup_printf("error: %s: %.200s", remote ? remote : "(local)", error->message);
}

static void
concurrent_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
    Concurrent *cc = user_data;
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
    char *text = answer_text(reply, error);

    if (reply != NULL)
        cc->ok++;
    else
        cc->errors++;
    g_hash_table_insert(cc->answers, text, GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(cc->answers, text)) + 1));
    if (--cc->outstanding == 0)
        g_main_loop_quit(cc->load->loop);
}

static gboolean
concurrent_go(gpointer user_data)
{
    Concurrent *cc = user_data;

    for (guint i = 0; i < cc->load->connections->len; i++)
        g_dbus_connection_call(g_ptr_array_index(cc->load->connections, i), DEST, PATH, IFACE, cc->load->method,
                               method_args(cc->load), NULL, G_DBUS_CALL_FLAGS_NONE, cc->load->timeout_ms, NULL,
                               concurrent_done, cc);
    return G_SOURCE_REMOVE;
}

static int
concurrent(Load *load, int n)
{
    Concurrent cc = { load, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL), n, 0, 0 };
    GHashTableIter iter;
    gpointer key, value;

    load->loop = g_main_loop_new(NULL, FALSE);
    load->connections = g_ptr_array_new_with_free_func(g_object_unref);
    for (int i = 0; i < n; i++)
        g_ptr_array_add(load->connections, connect_sync(load->address));
    printf("connected %d\n", n);
    fflush(stdout);
    g_unix_signal_add(SIGUSR2, concurrent_go, &cc);
    g_main_loop_run(load->loop);
    printf("concurrent: ok %d errors %d\n", cc.ok, cc.errors);
    g_hash_table_iter_init(&iter, cc.answers);
    while (g_hash_table_iter_next(&iter, &key, &value))
        printf("%d x %s\n", GPOINTER_TO_INT(value), (const char *)key);
    fflush(stdout);
    g_hash_table_unref(cc.answers);
    g_ptr_array_unref(load->connections);
    g_main_loop_unref(load->loop);
    return 0;
}

/* ---- one call ---- */

static int
one_call(Load *load)
{
    g_autoptr(GDBusConnection) c = connect_sync(load->address);
    g_autoptr(GError) error = NULL;
    g_autoptr(GVariant) reply = g_dbus_connection_call_sync(c, DEST, PATH, IFACE, load->method, method_args(load),
                                                            NULL, G_DBUS_CALL_FLAGS_NONE, load->timeout_ms, NULL,
                                                            &error);
    g_autofree char *text = answer_text(reply, error);

    printf("%s\n", text);
    return reply != NULL ? 0 : 1;
}

int
main(int argc, char **argv)
{
    g_autofree char *address = NULL;
    g_autofree char *method = NULL;
    g_autofree char *call = NULL;
    g_autofree char *uuid = NULL;
    g_autofree char *name = NULL;
    int concurrent_n = 0;
    int flood_n = 0, probe_n = 0, inflight = 1, seconds = 0, timeout_ms = 25000, name_bytes = 0;
    gboolean allow_errors = FALSE;
    GOptionEntry entries[] = {
        { "address", 0, 0, G_OPTION_ARG_STRING, &address, "Bus address", "ADDR" },
        { "flood", 0, 0, G_OPTION_ARG_INT, &flood_n, "Flood with N connections", "N" },
        { "inflight", 0, 0, G_OPTION_ARG_INT, &inflight, "Calls in flight per connection [1]", "K" },
        { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Stop flooding after S seconds", "S" },
        { "probe", 0, 0, G_OPTION_ARG_INT, &probe_n, "Time N calls one after another", "N" },
        { "allow-errors", 0, 0, G_OPTION_ARG_NONE, &allow_errors, "An error reply counts as an answer", NULL },
        { "call", 0, 0, G_OPTION_ARG_STRING, &call, "One call of METHOD", "METHOD" },
        { "concurrent", 0, 0, G_OPTION_ARG_INT, &concurrent_n, "The --call on N connections at once", "N" },
        { "uuid", 0, 0, G_OPTION_ARG_STRING, &uuid, "Domain UUID of Prepare and Release", "UUID" },
        { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Domain name of Prepare", "NAME" },
        { "method", 0, 0, G_OPTION_ARG_STRING, &method, "Method to flood or probe [GetStatus]", "M" },
        { "name-bytes", 0, 0, G_OPTION_ARG_INT, &name_bytes, "Prepare's name: B bytes", "B" },
        { "timeout-ms", 0, 0, G_OPTION_ARG_INT, &timeout_ms, "Call timeout [25000]", "T" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) context = g_option_context_new("- load and probe igd-assignd");
    g_autoptr(GError) error = NULL;
    Load load;

    g_option_context_add_main_entries(context, entries, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error) || address == NULL ||
        (flood_n > 0) + (probe_n > 0) + (call != NULL) != 1 || inflight < 1 || name_bytes < 0 ||
        (concurrent_n > 0 && call == NULL)) {
        g_printerr("dbus-load: %s\n", error ? error->message : "need --address and one of --flood, --probe, --call");
        return 2;
    }
    memset(&load, 0, sizeof load);
    load.address = address;
    load.method = call ? call : method ? method : "GetStatus";
    load.uuid = uuid ? uuid : UUID;
    load.name = name ? name : "load";
    load.inflight = inflight;
    load.timeout_ms = timeout_ms;
    load.name_bytes = (gsize)name_bytes;
    if (flood_n > 0)
        return flood(&load, flood_n, seconds);
    if (probe_n > 0)
        return probe(&load, probe_n, allow_errors);
    if (concurrent_n > 0)
        return concurrent(&load, concurrent_n);
    return one_call(&load);
}
