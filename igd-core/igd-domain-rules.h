/*
 * igd-domain-rules.h (igd-core only): the rules of SPEC.md §4 as pairs
 * {check, fix}. igd_domxml_verify() runs the checks, igd_domxml_rewrite()
 * the fixes, and the daemon's watcher repairs with the same rewrite: one
 * table (igd-domain-rules.c), so what verify reports is what rewrite mends.
 */
#pragma once

#include <glib.h>

#include "igd-domain.h"
#include "igd-finding.h"
#include "igd-requirements.h"
#include "igd-snapshot.h"

G_BEGIN_DECLS

typedef struct {
    IgdDomain *dom;
    const IgdSnapshot *snapshot; /* the IGD's (dom->host), NULL: nothing known about the host */
    IgdMode mode;                /* LEGACY or UPT */
    const char *romfile;         /* rewrite: <rom file=...> to set, NULL: keep */
    gboolean opregion;           /* rewrite: x-igd-opregion=true through <qemu:override> */
    GPtrArray *findings;         /* checks: what the definition breaks; fixes: what they say (WARN, NOTE) */
    GPtrArray *changes;          /* fixes: one finding per edit made, or NULL: NOTE ("moved the IGD to guest
                                  * address 00:02.0"), WARN when it removed something the definition had (a
                                  * display, an emulated video, <rom bar='off'>): what the watcher must not do
                                  * to an edit */
    guint removed;               /* fixes: how many of those removed something (the WARNs) */
    xmlNode *igd;                /* fixes: the IGD hostdev, made by the first fix when missing */
} IgdRuleCtx;

/* Add a finding for every rule of @ctx->mode that @ctx->dom breaks. */
void igd_domain_rules_check(IgdRuleCtx *ctx);
/*
 * @guest (igd-requirements.h) as the fixes will leave @dom: an x-igd-gms
 * that crashes the snapshot's QEMU removed, an OVMF guest's physical address
 * bits brought within the IOMMU's. So rewrite judges the requirements of
 * what it writes, not of what it mends.
 */
void igd_domain_rules_mend_guest(const IgdDomain *dom, const IgdSnapshot *snapshot, IgdGuest *guest);
/*
 * Apply every rule of @ctx->mode to @ctx->dom's document. Each fix that
 * changes something says what in @ctx->changes (when not NULL), once per
 * edit; a fix that changes nothing says nothing, so rewriting a rewrite
 * reports no change.
 */
void igd_domain_rules_fix(IgdRuleCtx *ctx);

G_END_DECLS
