/*
 * igd-finding.h: the one thing the engine reports. A host check
 * (`igd-assign check`), a requirement of a mode (inspect, `rewrite --mode
 * auto`, the hook's preflight), a rule of the domain policy (verify, status,
 * the watcher) and a warning of a rewrite are all findings: a stable id, a
 * severity, one sentence of what was found and the fix. The hint is
 * attached where the failure is found, so every front end prints the same
 * sentence.
 */
#pragma once

#include <glib.h>

#include "igd-json.h"

G_BEGIN_DECLS

typedef enum {
    IGD_SEVERITY_PASS, /* the requirement holds */
    IGD_SEVERITY_NOTE, /* something worth saying that changes nothing (a reason of `auto`) */
    IGD_SEVERITY_WARN, /* works, or may work, with a caveat */
    IGD_SEVERITY_FAIL, /* the requirement does not hold: the mode, the check or the start fails */
} IgdSeverity;

typedef struct {
    char *id;           /* stable: "driver", "legacy-address", "qemu-legacy", ... */
    IgdSeverity severity;
    char *what;         /* the text after "Checking for " in `check` ("IOMMU enabled"), NULL elsewhere */
    char *message;      /* one short sentence: what was found */
    char *hint;         /* what to do; NULL for PASS and NOTE, and where nothing can be done */
} IgdFinding;

/* A finding (strings copied; @what and @hint may be NULL; PASS and NOTE drop the hint). */
IgdFinding *igd_finding_new(const char *id, IgdSeverity severity, const char *what, const char *message,
                            const char *hint) G_GNUC_WARN_UNUSED_RESULT;
IgdFinding *igd_finding_copy(const IgdFinding *finding) G_GNUC_WARN_UNUSED_RESULT;
void igd_finding_free(IgdFinding *finding);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdFinding, igd_finding_free)

/*
 * @finding as the JSON object {"id", "message", "hint"} (member @key of the
 * object being written, NULL in an array): a broken rule in `status`, the
 * daemon's GetStatus and the watcher's records.
 */
void igd_finding_write_json(const IgdFinding *finding, IgdJson *json, const char *key);

/* "pass", "note", "warn", "fail". */
const char *igd_severity_to_string(IgdSeverity severity);

/* A GPtrArray of IgdFinding* that frees them. */
GPtrArray *igd_findings_new(void) G_GNUC_WARN_UNUSED_RESULT;
/* Append a finding whose message is formatted; returns it (owned by @findings). */
IgdFinding *igd_findings_add(GPtrArray *findings, const char *id, IgdSeverity severity, const char *what,
                             const char *hint, const char *fmt, ...) G_GNUC_PRINTF(6, 7);
/* The first finding with @id, or NULL. */
const IgdFinding *igd_findings_find(GPtrArray *findings, const char *id);
/* The first finding of severity @severity or worse, or NULL. */
const IgdFinding *igd_findings_first(GPtrArray *findings, IgdSeverity severity);
/* The worst severity in @findings (PASS for none). */
IgdSeverity igd_findings_worst(GPtrArray *findings);
/* How many findings have severity @severity exactly. */
guint igd_findings_count(GPtrArray *findings, IgdSeverity severity);

G_END_DECLS
