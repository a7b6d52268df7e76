/*
 * igd-daemon-private.h: the daemon object, shared by its start
 * (igd-daemon.c) and its D-Bus layer (igd-daemon-dbus.c) only.
 */
#pragma once

#include "igd-daemon.h"

struct _IgdDaemon {
    IgdDaemonConfig *config;
    IgdOwner *owner;
    /* D-Bus (igd-daemon-dbus.c) */
    GDBusConnection *connection;
    guint registration_id;
    gboolean private_bus;
    gpointer authority;       /* PolkitAuthority*, fetched at the first non-root call */
};
