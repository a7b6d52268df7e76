/*
 * igd-daemon-config.h: igd-assignd's configuration (igd-assignd.conf, a
 * GKeyFile), see daemon/igd-assignd.conf for every key.
 */
#pragma once

#include <glib.h>

#include "igd-opregion.h"

G_BEGIN_DECLS

#define IGD_DAEMON_CONFIG_FILE IGD_SYSCONFDIR "/igd-assign/igd-assignd.conf"
#define IGD_DAEMON_STATE_DIR   IGD_STATEDIR

/* Per-device overrides, group "[device DDDD:BB:SS.F]". */
typedef struct {
    char *opregion;              /* OpRegion file used instead of the VFIO region, NULL = none */
    char *vbt;                   /* VBT spliced into the OpRegion, NULL = none */
    IgdOpRegionExtLayout layout; /* where a VBT too large for mailbox 4 goes: "relative" (2.1) or "absolute" (2.0) */
} IgdDaemonDeviceConfig;

typedef struct {
    char *sysfs_root;           /* "/" for the real host */
    char *state_dir;            /* state.xml and the <uuid>/ blob directories */
    gboolean rebind_on_release; /* give the device back to its previous host driver at Release */
    char *qemu_user;            /* for messages and the blob group's default */
    char *qemu_group;           /* group of the blob files (0640) */
    char *qemu_binary;          /* probed at start; NULL = the configured default; "none" = no probe */
    gboolean libvirt_watch;     /* [libvirt] watch */
    char *libvirt_uri;          /* [libvirt] uri, NULL = qemu:///system */
    gboolean adjust_hostdevs;   /* [libvirt] adjust-hostdevs: also domains without <igd:assign> */
    GHashTable *devices;        /* canonical PCI address → IgdDaemonDeviceConfig* */
} IgdDaemonConfig;

/* The built-in defaults (no file). */
IgdDaemonConfig *igd_daemon_config_new(void);
void igd_daemon_config_free(IgdDaemonConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdDaemonConfig, igd_daemon_config_free)

/*
 * Read @path over the defaults. A missing file is fine when !@must_exist.
 * Unknown groups or keys, a value of the wrong type, a relative path, a
 * device group whose address does not parse: IGD_ERROR_INVALID naming the
 * file, group and key.
 */
gboolean igd_daemon_config_load(IgdDaemonConfig *config, const char *path, gboolean must_exist, GError **error);

/* The overrides for the device @pci (canonical form), or NULL. */
const IgdDaemonDeviceConfig *igd_daemon_config_get_device(const IgdDaemonConfig *config, const char *pci);

G_END_DECLS
