/*
 * igd-assignd: the privileged helper of igd-assign (SPEC.md §7), a D-Bus
 * service on the system bus (or a private bus for tests).
 *
 *   igd-assignd [--bus-address ADDR] [--config FILE] [--sysfs-root DIR] [--state-dir DIR]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include "igd-common.h"
#include "igd-daemon.h"
#include "igd-dbus-common.h"
#include "igd-watcher.h"

typedef struct {
    GMainLoop *loop;
    int status;
} Run;

/*
 * The libvirt watcher connects in a thread of its own: libvirtd is ordered
 * after igd-assignd (the unit's Before=) and socket activated, so until it
 * runs its socket accepts and never answers. Connecting before owning the
 * name would hold systemd's start of igd-assignd, hence libvirtd's, until
 * a timeout; connecting in the main loop would leave libvirtd's autostart
 * hooks (Prepare) unanswered. At exit, a connect still under way is left
 * behind: the thread frees what it made if it ever finishes.
 */
typedef struct {
    GMutex lock;
    GThread *thread;
    gboolean done;      /* the thread finished: watcher is its result */
    gboolean abandoned; /* main has left: the thread cleans up */
    IgdWatcher *watcher;
    IgdSysroot *root;
    char *uri;
    char *qemu_binary;
    char *state_dir;
    gboolean adjust_hostdevs;
} WatchStart;

static void
watch_start_free(WatchStart *ws)
{
    g_clear_pointer(&ws->watcher, igd_watcher_free);
    igd_sysroot_free(ws->root);
    g_free(ws->uri);
    g_free(ws->qemu_binary);
    g_free(ws->state_dir);
    g_mutex_clear(&ws->lock);
    g_free(ws);
}

static gpointer
watch_start_thread(gpointer data)
{
    WatchStart *ws = data;
    IgdWatcherOptions wo = { ws->uri, ws->adjust_hostdevs, ws->qemu_binary, ws->state_dir, NULL, NULL, FALSE };
    g_autoptr(GError) error = NULL;
    IgdWatcher *watcher = igd_watcher_new(&wo, ws->root, &error);
    gboolean abandoned;

    if (watcher == NULL)
        g_warning("%s (the daemon serves without it)", error->message);
    g_mutex_lock(&ws->lock);
    ws->watcher = watcher;
    ws->done = TRUE;
    abandoned = ws->abandoned;
    g_mutex_unlock(&ws->lock);
    if (abandoned)
        watch_start_free(ws);
    return NULL;
}

static WatchStart *
watch_start(const IgdDaemonConfig *c)
{
    WatchStart *ws = g_new0(WatchStart, 1);

    g_mutex_init(&ws->lock);
    ws->root = igd_sysroot_new(c->sysfs_root);
    ws->uri = g_strdup(c->libvirt_uri);
    ws->qemu_binary = g_strdup(g_strcmp0(c->qemu_binary, "none") == 0 ? "" : c->qemu_binary);
    ws->adjust_hostdevs = c->adjust_hostdevs;
    ws->state_dir = g_strdup(c->state_dir);
    ws->thread = g_thread_new("igd-libvirt-connect", watch_start_thread, ws);
    return ws;
}

static void
watch_stop(WatchStart *ws)
{
    gboolean done;

    if (ws == NULL)
        return;
    g_mutex_lock(&ws->lock);
    done = ws->done;
    if (!done)
        ws->abandoned = TRUE;
    g_mutex_unlock(&ws->lock);
    if (done) {
        g_thread_join(ws->thread);
        watch_start_free(ws);
    } else {
        g_thread_unref(ws->thread);
    }
}

static void
name_acquired(GDBusConnection *connection, const char *name, gpointer user_data)
{
    g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "MESSAGE", "igd-assignd %s serving %s", PACKAGE_VERSION, name);
}

static void
name_lost(GDBusConnection *connection, const char *name, gpointer user_data)
{
    Run *run = user_data;

    if (connection == NULL)
        g_printerr("igd-assignd: lost the connection to the bus\n");
    else
        g_printerr("igd-assignd: cannot own %s on the bus (another igd-assignd? the bus policy?)\n", name);
    run->status = 1;
    g_main_loop_quit(run->loop);
}

static gboolean
on_signal(gpointer user_data)
{
    Run *run = user_data;

    g_main_loop_quit(run->loop);
    return G_SOURCE_CONTINUE;
}

static void
on_closed(GDBusConnection *connection, gboolean remote_peer_vanished, GError *error, gpointer user_data)
{
    Run *run = user_data;

    g_printerr("igd-assignd: the bus connection closed%s%s\n", error ? ": " : "", error ? error->message : "");
    run->status = 1;
    g_main_loop_quit(run->loop);
}

int
main(int argc, char **argv)
{
    g_autofree char *bus_address = NULL;
    g_autofree char *config_file = NULL;
    g_autofree char *sysfs_root = NULL;
    g_autofree char *state_dir = NULL;
    gboolean version = FALSE;
    GOptionEntry entries[] = {
        { "bus-address", 0, 0, G_OPTION_ARG_STRING, &bus_address, "Serve on the bus at ADDR instead of the system bus", "ADDR" },
        { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_file, "Configuration file [" IGD_DAEMON_CONFIG_FILE "]", "FILE" },
        { "sysfs-root", 0, 0, G_OPTION_ARG_FILENAME, &sysfs_root, "A directory standing for / (tests)", "DIR" },
        { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir, "State and blobs [" IGD_DAEMON_STATE_DIR "]", "DIR" },
        { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) context = g_option_context_new(NULL);
    g_autofree char *help = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdDaemonConfig) config = igd_daemon_config_new();
    g_autoptr(IgdDaemon) daemon = NULL;
    g_autoptr(GDBusConnection) connection = NULL;
    WatchStart *watch = NULL;
    Run run = { NULL, 0 };
    guint owner_id;

    g_option_context_add_main_entries(context, entries, NULL);
    g_option_context_set_summary(context,
                                 "The privileged helper of igd-assign: binds Intel IGDs to vfio-pci, writes the\n"
                                 "OpRegion and stolen-memory blobs QEMU reads, and records which domain owns\n"
                                 "each IGD. Serves org.igdassign.Manager1 on the system bus; started by D-Bus\n"
                                 "activation or systemd (igd-assignd.service). See igd-assignd(8).");
    g_set_prgname("igd-assignd");
    help = igd_option_help(context, NULL, NULL, argc, argv);
    if (help != NULL) {
        fputs(help, stdout);
        return 0;
    }
    if (!g_option_context_parse(context, &argc, &argv, &error)) {
        g_printerr("igd-assignd: %s\n", error->message);
        return 2;
    }
    if (version) {
        g_print("igd-assignd %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (argc > 1) {
        g_printerr("igd-assignd: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    if (!igd_daemon_config_load(config, config_file ? config_file : IGD_DAEMON_CONFIG_FILE, config_file != NULL,
                                &error)) {
        g_printerr("igd-assignd: %s\n", error->message);
        return 1;
    }
    if (sysfs_root != NULL) {
        g_free(config->sysfs_root);
        config->sysfs_root = g_steal_pointer(&sysfs_root);
    }
    if (state_dir != NULL) {
        g_free(config->state_dir);
        config->state_dir = g_steal_pointer(&state_dir);
    }

    igd_dbus_error_ensure();
    if (bus_address != NULL)
        connection = g_dbus_connection_new_for_address_sync(
            bus_address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
            NULL, NULL, &error);
    else
        connection = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
    if (connection == NULL) {
        g_printerr("igd-assignd: cannot connect to %s: %s\n", bus_address ? bus_address : "the system bus",
                   error->message);
        return 1;
    }
    g_dbus_connection_set_exit_on_close(connection, FALSE);

    daemon = igd_daemon_new(g_steal_pointer(&config), &error);
    if (daemon == NULL) {
        g_printerr("igd-assignd: %s\n", error->message);
        return 1;
    }
    if (!igd_daemon_export(daemon, connection, bus_address != NULL, &error)) {
        g_printerr("igd-assignd: %s\n", error->message);
        return 1;
    }

    if (igd_daemon_get_config(daemon)->libvirt_watch)
        watch = watch_start(igd_daemon_get_config(daemon));

    run.loop = g_main_loop_new(NULL, FALSE);
    g_signal_connect(connection, "closed", G_CALLBACK(on_closed), &run);
    g_unix_signal_add(SIGTERM, on_signal, &run);
    g_unix_signal_add(SIGINT, on_signal, &run);
    owner_id = g_bus_own_name_on_connection(connection, IGD_DBUS_NAME, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                            name_acquired, name_lost, &run, NULL);
    g_main_loop_run(run.loop);
    g_bus_unown_name(owner_id);
    g_clear_pointer(&watch, watch_stop);
    g_signal_handlers_disconnect_by_data(connection, &run);
    igd_daemon_unexport(daemon);
    g_dbus_connection_flush_sync(connection, NULL, NULL);
    g_main_loop_unref(run.loop);
    return run.status;
}
