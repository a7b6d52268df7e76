/*
 * igd-virt.h: libvirt for the CLI's setup/undo, loaded at run time
 * (dlopen "libvirt.so.0") so `igd-assign` itself never links libvirt (its
 * start-up cost would break SPEC.md §8 for `rewrite`). Every function is
 * called through a pointer of the libvirt header's own type, so the
 * compiler checks each call. Also the helpers rewrite/setup share.
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "igd-cli.h"
#include "igd-domxml.h"
#include "igd-json.h"

G_BEGIN_DECLS

typedef struct {
    void *handle;
    __typeof__(virConnectOpen) *connectOpen;
    __typeof__(virConnectClose) *connectClose;
    __typeof__(virDomainLookupByName) *domainLookupByName;
    __typeof__(virDomainGetXMLDesc) *domainGetXMLDesc;
    __typeof__(virDomainDefineXMLFlags) *domainDefineXMLFlags;
    __typeof__(virDomainFree) *domainFree;
    __typeof__(virNodeDeviceLookupByName) *nodeDeviceLookupByName;
    __typeof__(virNodeDeviceGetXMLDesc) *nodeDeviceGetXMLDesc;
    __typeof__(virNodeDeviceDetachFlags) *nodeDeviceDetachFlags;
    __typeof__(virNodeDeviceReAttach) *nodeDeviceReAttach;
    __typeof__(virNodeDeviceFree) *nodeDeviceFree;
    __typeof__(virGetLastErrorMessage) *getLastErrorMessage;
    __typeof__(virSetErrorFunc) *setErrorFunc;
    __typeof__(virConnectListAllDomains) *connectListAllDomains;
    __typeof__(virDomainGetName) *domainGetName;
    __typeof__(virDomainIsActive) *domainIsActive;
    virConnectPtr conn;
} IgdVirt;

/*
 * Load libvirt and connect to @uri (NULL: LIBVIRT_DEFAULT_URI, else
 * qemu:///system). IGD_ERROR_IO when libvirt cannot be loaded or the
 * connection fails (the message says which).
 */
IgdVirt *igd_virt_open(const char *uri, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void igd_virt_close(IgdVirt *virt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdVirt, igd_virt_close)

/* The persistent (inactive) definition of domain @name (@secure: with passwords). */
char *igd_virt_get_inactive_xml(IgdVirt *virt, const char *name, gboolean secure,
                                GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Define @xml with libvirt's schema validation. */
gboolean igd_virt_define(IgdVirt *virt, const char *xml, GError **error);
/*
 * igd_virt_check_igd(): libvirt's node device for @addr exists and is an
 * Intel display-class device (else IGD_ERROR_NOT_FOUND / UNSUPPORTED).
 * igd_virt_detach_igd(): detach host PCI device @addr to vfio-pci (virNodeDeviceDetachFlags
 * "vfio"), after checking libvirt's node-device XML says vendor 0x8086 and a
 * display class; anything else is refused (IGD_ERROR_UNSUPPORTED).
 */
gboolean igd_virt_check_igd(IgdVirt *virt, const IgdPciAddress *addr, GError **error);
gboolean igd_virt_detach_igd(IgdVirt *virt, const IgdPciAddress *addr, GError **error);
/* Give @addr back to its host driver (virNodeDeviceReAttach), same check. */
gboolean igd_virt_reattach_igd(IgdVirt *virt, const IgdPciAddress *addr, GError **error);
/* TRUE when libvirt's node-device XML @xml is an Intel display-class PCI device (exposed for tests). */
gboolean igd_virt_nodedev_is_intel_display(const char *xml, GError **error);

/* A domain whose persistent definition carries an IGD (igd_virt_list_igd_domains()). */
typedef struct {
    char *name;
    char *uuid;             /* canonical, NULL when the definition has none */
    gboolean active;
    gboolean has_metadata;  /* <igd:assign> present (set up by igd-assign) */
    gboolean undone;        /* <igd:undone/>: `igd-assign undo` opted it out of the watcher */
    IgdMode mode;           /* intended mode */
    IgdPciAddress host;     /* the IGD it uses */
    GPtrArray *findings;    /* IgdFinding*: every rule its definition breaks (FAIL) or keeps with a caveat
                             * (WARN), igd_domxml_verify() */
} IgdVirtIgdDomain;
void igd_virt_igd_domain_free(IgdVirtIgdDomain *d);
/*
 * Every domain (running or not) whose inactive definition is an IGD domain
 * (igd_domain_read() with @sysroot: <igd:assign> metadata or a hostdev of
 * an Intel display device), with what it breaks. IgdVirtIgdDomain*
 * elements, sorted by name.
 */
GPtrArray *igd_virt_list_igd_domains(IgdVirt *virt, const IgdSysroot *sysroot,
                                     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Helpers shared by rewrite and setup (tools/cmd-rewrite.c). */
gboolean igd_cli_read_input(const char *path, char **data, gsize *len, GError **error);
gboolean igd_cli_domxml_options(IgdCli *cli, const char *mode, const char *host, const char *romfile,
                                gboolean opregion, IgdDomXmlOptions *opts, IgdSnapshot **snapshot,
                                int *exit_code);
void igd_cli_print_report(IgdCli *cli, const IgdDomXmlReport *report);
void igd_cli_json_findings(IgdJson *json, const char *key, GPtrArray *findings, IgdSeverity severity);
/* The report's changes as a JSON array "changes" of {"id", "message", "removes"}. */
void igd_cli_json_changes(IgdJson *json, const IgdDomXmlReport *report);

G_END_DECLS
