/*
 * igd-daemon-private.h: the daemon object, shared by its start
 * (igd-daemon.c) and its D-Bus layer (igd-daemon-dbus.c) only.
 */
#pragma once

#include "igd-daemon.h"

typedef struct _IgdDaemonBus IgdDaemonBus;

struct _IgdDaemon {
    IgdDaemonConfig *config;
    IgdOwner *owner;
    /* D-Bus (igd-daemon-dbus.c): NULL until igd_daemon_export() */
    IgdDaemonBus *bus;
};
