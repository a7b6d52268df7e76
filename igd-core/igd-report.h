/*
 * igd-report.h: the `check` report (SPEC.md §3): host checks rendered as
 * virt-host-validate style text or as JSON, shared by the CLI and the daemon.
 */
#pragma once

#include <glib.h>

#include "igd-host.h"
#include "igd-pci-address.h"
#include "igd-qemu.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

/* {"checks": [{"id", "result", "message", "hint"}, ...]} plus address and summary. */
char *igd_report_checks_json(const IgdPciAddress *addr, GPtrArray *checks) G_GNUC_WARN_UNUSED_RESULT;
/* "Checking for <what> : PASS|WARN (hint)|FAIL (hint)" lines; @verbose adds each finding. */
char *igd_report_checks_text(GPtrArray *checks, gboolean verbose) G_GNUC_WARN_UNUSED_RESULT;
/* Run the checks and render them as JSON; *worst gets the worst result. */
char *igd_report_check_json(const IgdSysroot *sysroot, const IgdPciAddress *addr, const IgdQemuCaps *qemu,
                            int *worst, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
