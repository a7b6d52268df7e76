/*
 * igd-report.h: the `check` report (SPEC.md §3): the requirement findings
 * of IGD_SCOPE_CHECK rendered as virt-host-validate style text or as JSON,
 * shared by the CLI and the daemon.
 */
#pragma once

#include <glib.h>

#include "igd-finding.h"
#include "igd-pci-address.h"
#include "igd-qemu.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

/* {"address", "checks": [{"id", "what", "result", "message", "hint"}, ...], "result", "passed", "warned", "failed"}. */
char *igd_report_checks_json(const IgdPciAddress *addr, GPtrArray *findings) G_GNUC_WARN_UNUSED_RESULT;
/*
 * "IGD: Checking for <what> : PASS|WARN (hint)|FAIL (hint)" lines; @verbose
 * adds what was found under a PASS too; @quiet prints only what warns or fails.
 */
char *igd_report_checks_text(GPtrArray *findings, gboolean verbose, gboolean quiet) G_GNUC_WARN_UNUSED_RESULT;
/* Run `check` (igd_requirements_check_host()) and render it as JSON; *@worst gets the worst severity. */
char *igd_report_check_json(const IgdSysroot *sysroot, const IgdPciAddress *addr, const IgdQemuCaps *qemu,
                            IgdSeverity *worst, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
