/*
 * igd-daemon-private.h: the daemon object, shared by its operations
 * (igd-daemon.c) and its D-Bus layer (igd-daemon-dbus.c) only.
 */
#pragma once

#include "igd-daemon.h"
#include "igd-qemu.h"
#include "igd-sysroot.h"

struct _IgdDaemon {
    IgdDaemonConfig *config;
    IgdSysroot *sysroot;
    char *state_path;
    IgdState *state;
    IgdQemuCaps *qemu;        /* probed once at start, NULL = none */
    gint qemu_gid;            /* group of the blob files, -1 = unknown */
    /* D-Bus (igd-daemon-dbus.c) */
    GDBusConnection *connection;
    guint registration_id;
    gboolean private_bus;
    gpointer authority;       /* PolkitAuthority*, fetched at the first non-root call */
};
