/*
 * igd-daemon.c: igd-assignd's configuration turned into its IgdOwner (see
 * igd-daemon.h); the operations are igd-core's (igd-owner.c).
 */
#include "config.h"

#include <grp.h>

#include "igd-common.h"
#include "igd-daemon.h"
#include "igd-owner.h"
#include "igd-pci-address.h"
#include "igd-qemu.h"

#include "igd-daemon-private.h"

static gint
qemu_gid(const IgdDaemonConfig *config)
{
    struct group *gr = config->qemu_group ? getgrnam(config->qemu_group) : NULL;

    if (gr != NULL)
        return (gint)gr->gr_gid;
    g_warning("QEMU group '%s' not found: blobs keep the daemon's group", config->qemu_group);
    return -1;
}

static IgdQemuCaps *
probe_qemu(const IgdDaemonConfig *config)
{
    g_autoptr(GError) error = NULL;
    IgdQemuCaps *caps;

    if (g_strcmp0(config->qemu_binary, "none") == 0)
        return NULL;
    caps = igd_qemu_caps_probe(config->qemu_binary, config->state_dir, 0, &error);
    if (caps == NULL)
        g_warning("QEMU not probed, stolen-memory size taken from the host: %s", error->message);
    else
        g_debug("QEMU %s", caps->version_string);
    return caps;
}

IgdDaemon *
igd_daemon_new(IgdDaemonConfig *config, GError **error)
{
    g_autoptr(IgdDaemon) daemon = g_new0(IgdDaemon, 1);
    IgdOwnerConfig oc = { config->sysfs_root, config->state_dir, config->rebind_on_release, qemu_gid(config) };
    GHashTableIter iter;
    gpointer key, value;

    daemon->config = config;
    daemon->owner = igd_owner_new(&oc);
    g_hash_table_iter_init(&iter, config->devices);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        const IgdDaemonDeviceConfig *dc = value;
        IgdOwnerOverrides o = { dc->opregion, dc->vbt, dc->layout };
        IgdPciAddress addr;

        /* The keys were parsed when the file was read. */
        if (!igd_pci_address_parse(key, &addr, error))
            return NULL;
        igd_owner_set_overrides(daemon->owner, &addr, &o);
    }
    igd_owner_reconcile(daemon->owner);
    /* The probe's cache lives in the state directory that reconcile made. */
    igd_owner_set_qemu(daemon->owner, probe_qemu(config));
    return g_steal_pointer(&daemon);
}

void
igd_daemon_free(IgdDaemon *daemon)
{
    if (daemon == NULL)
        return;
    igd_daemon_unexport(daemon);
    igd_owner_free(daemon->owner);
    igd_daemon_config_free(daemon->config);
    g_free(daemon);
}

const IgdDaemonConfig *
igd_daemon_get_config(const IgdDaemon *daemon)
{
    return daemon->config;
}

IgdOwner *
igd_daemon_get_owner(IgdDaemon *daemon)
{
    return daemon->owner;
}
