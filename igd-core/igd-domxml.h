/*
 * igd-domxml.h: the domain-XML policy engine (SPEC.md §4). Turns a libvirt
 * domain definition into a correct IGD legacy or UPT definition, or says
 * exactly why it cannot; checks a definition against the same rules (the
 * hook, status, the watcher); keeps what `undo` needs in <igd:assign>
 * metadata.
 *
 * Pure: XML and a host snapshot in, XML and findings out. libxml2 only, no
 * libvirt API, never prints. The domain is read by igd-domain.h, the rules
 * are igd-domain-rules.c ({check, fix} pairs), the host's and QEMU's part of
 * a mode is igd-requirements.h.
 */
#pragma once

#include <glib.h>

#include "igd-domain.h"
#include "igd-finding.h"
#include "igd-pci-address.h"
#include "igd-requirements.h"
#include "igd-snapshot.h"

G_BEGIN_DECLS

typedef struct {
    IgdMode mode;                 /* requested mode */
    IgdPciAddress host;           /* host IGD (default 0000:00:02.0) */
    gboolean host_set;            /* @host was given explicitly (else: the domain's rule, igd-domain.h) */
    const char *romfile;          /* <rom file=...> for the IGD, NULL: keep the domain's */
    gboolean opregion;            /* UPT: x-igd-opregion=true through <qemu:override> */
    const IgdSnapshot *snapshot;  /* of the host IGD; NULL: nothing known about the host (another machine) */
    const char *original;         /* what <igd:assign> records for undo (NULL: the input itself) */
    gsize original_len;
} IgdDomXmlOptions;

/* Defaults: auto, 0000:00:02.0, no romfile, no opregion, no snapshot. */
void igd_domxml_options_init(IgdDomXmlOptions *opts);

typedef struct {
    IgdMode mode;          /* the mode applied (never AUTO after success) */
    IgdPciAddress host;    /* the host IGD the rewrite is for */
    gboolean changed;      /* the output differs from the input */
    GPtrArray *findings;   /* IgdFinding*: NOTE: why `auto` chose the mode (and x-igd-gms); WARN: what could
                            * not be tailored or will not work well; on failure, the FAILs that refused */
    GPtrArray *changes;    /* IgdFinding*, one per edit of the definition, in order: NOTE ("moved the IGD
                            * to guest address 00:02.0"), WARN when it took away something the definition
                            * had ("removed <graphics type='spice'>"; a display, an emulated video, <rom
                            * bar='off'>); empty when the rewrite changed nothing of meaning (only layout) */
    guint removed;         /* how many of @changes are such WARNs */
} IgdDomXmlReport;

void igd_domxml_report_init(IgdDomXmlReport *report);
void igd_domxml_report_clear(IgdDomXmlReport *report);

/*
 * Rewrite the domain XML @xml (@len bytes) to the rules of @opts->mode.
 * On success *@out is the new document (NUL-terminated, *@out_len bytes)
 * and @report (initialised by the caller) lists the decisions. Everything
 * unrelated to the IGD is kept as libxml2 serialises it (double quotes,
 * UTF-8). Rewriting the output again gives the same bytes. The IGD
 * hostdev's own <rom file> is a ROM source like @opts->romfile.
 *
 * Errors (nothing is written to *@out): IGD_ERROR_INVALID (not a domain
 * XML, DOCTYPE, too large, two IGD hostdevs), IGD_ERROR_UNSUPPORTED (not an
 * x86 QEMU/KVM domain; not an i440fx or q35 machine; legacy on q35),
 * IGD_ERROR_CHECK_FAILED (auto without a snapshot; explicit legacy when a
 * requirement of the host or QEMU fails). @report's findings are filled on
 * failure too.
 */
gboolean igd_domxml_rewrite(const char *xml, gsize len, const IgdDomXmlOptions *opts,
                            char **out, gsize *out_len, IgdDomXmlReport *report,
                            GError **error);

/*
 * The guest @dom is for the requirements (igd-requirements.h): its machine,
 * firmware, ROM file (judged when @snapshot describes it), x-igd-gms,
 * x-igd-legacy-mode, where the IGD and 00:1f.x sit and who binds its IGD
 * for a start (igd_domain_binder()). For IGD_SCOPE_START.
 */
void igd_domxml_guest(const IgdDomain *dom, const IgdSnapshot *snapshot, IgdGuest *guest);

/*
 * Every rule @dom breaks for its mode (FAIL findings) or keeps with a
 * caveat (WARN: a managed='yes' IGD hostdev), in the order of the rules
 * table, then, with a @snapshot of its IGD, the requirements of that
 * mode as far as the snapshot's parts allow (igd-requirements.h). A domain
 * that is not an IGD domain breaks nothing. A snapshot of another device
 * than @dom->host is ignored.
 */
GPtrArray *igd_domxml_verify(const IgdDomain *dom, const IgdSnapshot *snapshot) G_GNUC_WARN_UNUSED_RESULT;

/*
 * @xml with <igd:undone at=@when/> in its <metadata> (made when missing,
 * an earlier <igd:undone> replaced): `undo` records that the user opted
 * the domain out of igd-assignd's watcher; the next rewrite (`setup`)
 * removes it. @when (ISO 8601) may be NULL. Errors as igd_domain_read().
 */
gboolean igd_domxml_mark_undone(const char *xml, gsize len, const char *when, char **out, gsize *out_len,
                                GError **error);

/*
 * @xml parsed and serialised again without any change: what the same
 * document looks like after a rewrite that changes nothing (libxml2's quoting
 * and escaping). Errors as igd_domain_read().
 */
gboolean igd_domxml_normalize(const char *xml, gsize len, char **out, gsize *out_len, GError **error);

/*
 * The definition saved in the <igd:assign> metadata of @xml (what it was
 * before the first rewrite), for `undo`. IGD_ERROR_NOT_FOUND when @xml has
 * no <igd:assign> metadata or it carries no original; IGD_ERROR_INVALID when
 * the original is not a domain definition; IGD_ERROR_CHECK_FAILED when it is
 * another domain's (name or uuid differ: metadata copied with a clone).
 */
gboolean igd_domxml_get_original(const char *xml, gsize len, char **original, gsize *original_len,
                                 GError **error);

G_END_DECLS
