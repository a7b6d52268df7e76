/*
 * igd-daemon-config.c: igd-assignd.conf.
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-daemon-config.h"
#include "igd-pci-address.h"

static void
device_config_free(IgdDaemonDeviceConfig *d)
{
    if (d == NULL)
        return;
    g_free(d->opregion);
    g_free(d->vbt);
    g_free(d);
}

IgdDaemonConfig *
igd_daemon_config_new(void)
{
    IgdDaemonConfig *c = g_new0(IgdDaemonConfig, 1);

    c->sysfs_root = g_strdup("/");
    c->state_dir = g_strdup(IGD_DAEMON_STATE_DIR);
    c->qemu_user = g_strdup(IGD_QEMU_USER);
    c->qemu_group = g_strdup(IGD_QEMU_GROUP);
    c->devices = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)device_config_free);
    return c;
}

void
igd_daemon_config_free(IgdDaemonConfig *c)
{
    if (c == NULL)
        return;
    g_free(c->sysfs_root);
    g_free(c->state_dir);
    g_free(c->qemu_user);
    g_free(c->qemu_group);
    g_free(c->qemu_binary);
    g_free(c->libvirt_uri);
    g_hash_table_unref(c->devices);
    g_free(c);
}

static const char *const daemon_keys[] = {
    "rebind-on-release", "qemu-user", "qemu-group", "qemu-binary", "sysfs-root", "state-dir", NULL,
};
static const char *const device_keys[] = { "opregion", "vbt", "vbt-layout", NULL };
static const char *const libvirt_keys[] = { "watch", "uri", "adjust-hostdevs", NULL };

static gboolean
check_keys(GKeyFile *kf, const char *path, const char *group, const char *const *allowed, GError **error)
{
    g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

    for (guint i = 0; keys && keys[i]; i++) {
        if (!g_strv_contains(allowed, keys[i])) {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: [%s]: unknown key '%s'", path, group, keys[i]);
            return FALSE;
        }
    }
    return TRUE;
}

/* A string key; FALSE (error set) only for a present but unreadable value. */
static gboolean
get_string(GKeyFile *kf, const char *path, const char *group, const char *key, gboolean absolute_path,
           char **out, GError **error)
{
    g_autoptr(GError) local = NULL;
    g_autofree char *v = NULL;

    if (!g_key_file_has_key(kf, group, key, NULL))
        return TRUE;
    v = g_key_file_get_string(kf, group, key, &local);
    if (v == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: [%s] %s: %s", path, group, key, local->message);
        return FALSE;
    }
    g_strstrip(v);
    if (absolute_path && *v != '\0' && !g_path_is_absolute(v)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: [%s] %s: '%s' is not an absolute path", path,
                    group, key, v);
        return FALSE;
    }
    g_free(*out);
    *out = *v == '\0' ? NULL : g_steal_pointer(&v);
    return TRUE;
}

static gboolean
get_bool(GKeyFile *kf, const char *path, const char *group, const char *key, gboolean *out, GError **error)
{
    g_autoptr(GError) local = NULL;
    gboolean v;

    if (!g_key_file_has_key(kf, group, key, NULL))
        return TRUE;
    v = g_key_file_get_boolean(kf, group, key, &local);
    if (local != NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: [%s] %s: not true or false", path, group, key);
        return FALSE;
    }
    *out = v;
    return TRUE;
}

static gboolean
load_device(IgdDaemonConfig *c, GKeyFile *kf, const char *path, const char *group, GError **error)
{
    g_autoptr(GError) local = NULL;
    g_autofree char *layout = NULL;
    IgdDaemonDeviceConfig *d;
    IgdPciAddress addr;
    char pci[13];

    if (!igd_pci_address_parse(group + strlen("device "), &addr, &local)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: [%s]: %s", path, group, local->message);
        return FALSE;
    }
    if (!check_keys(kf, path, group, device_keys, error))
        return FALSE;
    igd_pci_address_format(&addr, pci);
    if (g_hash_table_contains(c->devices, pci)) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: [%s]: device %s configured twice", path, group, pci);
        return FALSE;
    }
    d = g_new0(IgdDaemonDeviceConfig, 1);
    g_hash_table_insert(c->devices, g_strdup(pci), d);
    if (!get_string(kf, path, group, "opregion", TRUE, &d->opregion, error) ||
        !get_string(kf, path, group, "vbt", TRUE, &d->vbt, error) ||
        !get_string(kf, path, group, "vbt-layout", FALSE, &layout, error))
        return FALSE;
    if (layout == NULL || g_str_equal(layout, "relative")) {
        d->layout = IGD_OPREGION_EXT_RELATIVE;
    } else if (g_str_equal(layout, "absolute")) {
        d->layout = IGD_OPREGION_EXT_ABSOLUTE;
    } else {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: [%s] vbt-layout: '%s' is not relative or absolute",
                    path, group, layout);
        return FALSE;
    }
    return TRUE;
}

gboolean
igd_daemon_config_load(IgdDaemonConfig *c, const char *path, gboolean must_exist, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) local = NULL;
    g_auto(GStrv) groups = NULL;

    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &local)) {
        if (!must_exist && g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return TRUE;
        g_set_error(error, IGD_ERROR,
                    local->domain == G_KEY_FILE_ERROR ? IGD_ERROR_INVALID
                    : g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? IGD_ERROR_NOT_FOUND
                                                                               : IGD_ERROR_IO,
                    "%s: %s", path, local->message);
        return FALSE;
    }
    groups = g_key_file_get_groups(kf, NULL);
    for (guint i = 0; groups[i]; i++) {
        const char *g = groups[i];
        if (g_str_equal(g, "daemon")) {
            g_autofree char *root = NULL;
            g_autofree char *state = NULL;
            if (!check_keys(kf, path, g, daemon_keys, error) ||
                !get_bool(kf, path, g, "rebind-on-release", &c->rebind_on_release, error) ||
                !get_string(kf, path, g, "qemu-user", FALSE, &c->qemu_user, error) ||
                !get_string(kf, path, g, "qemu-group", FALSE, &c->qemu_group, error) ||
                !get_string(kf, path, g, "qemu-binary", FALSE, &c->qemu_binary, error) ||
                !get_string(kf, path, g, "sysfs-root", TRUE, &root, error) ||
                !get_string(kf, path, g, "state-dir", TRUE, &state, error))
                return FALSE;
            if (c->qemu_binary != NULL && !g_str_equal(c->qemu_binary, "none") &&
                !g_path_is_absolute(c->qemu_binary)) {
                g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID,
                            "%s: [daemon] qemu-binary: '%s' is not an absolute path or none", path, c->qemu_binary);
                return FALSE;
            }
            if (root != NULL) {
                g_free(c->sysfs_root);
                c->sysfs_root = g_steal_pointer(&root);
            }
            if (state != NULL) {
                g_free(c->state_dir);
                c->state_dir = g_steal_pointer(&state);
            }
        } else if (g_str_equal(g, "libvirt")) {
            if (!check_keys(kf, path, g, libvirt_keys, error) ||
                !get_bool(kf, path, g, "watch", &c->libvirt_watch, error) ||
                !get_bool(kf, path, g, "adjust-hostdevs", &c->adjust_hostdevs, error) ||
                !get_string(kf, path, g, "uri", FALSE, &c->libvirt_uri, error))
                return FALSE;
        } else if (g_str_has_prefix(g, "device ")) {
            if (!load_device(c, kf, path, g, error))
                return FALSE;
        } else {
            g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: unknown group [%s]", path, g);
            return FALSE;
        }
    }
    return TRUE;
}

const IgdDaemonDeviceConfig *
igd_daemon_config_get_device(const IgdDaemonConfig *config, const char *pci)
{
    return g_hash_table_lookup(config->devices, pci);
}
