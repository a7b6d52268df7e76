/*
 * igd-domxml.h: the domain-XML policy engine (SPEC.md §4). Turns a libvirt
 * domain definition into a correct IGD legacy or UPT definition, or says
 * exactly why it cannot; checks a live definition against the same rules
 * (for the hook); keeps what `undo` needs in <igd:assign> metadata.
 *
 * Pure: XML and host facts in, XML and reasons out. libxml2 only, no libvirt
 * API, never prints. Input is parsed without network, DTD or entity
 * expansion and refused above IGD_DOMXML_MAX_SIZE or with a DOCTYPE.
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "igd-facts.h"
#include "igd-pci-address.h"

G_BEGIN_DECLS

/* Namespace of the <igd:assign> metadata element (xml-schemas/igd-assign-metadata.rng). */
#define IGD_DOMXML_NS        "http://igd-assign.org/schemas/domain/1.0"
#define IGD_DOMXML_NS_PREFIX "igd"
/* libvirt's QEMU namespace, for <qemu:override>. */
#define IGD_DOMXML_QEMU_NS   "http://libvirt.org/schemas/domain/qemu/1.0"
/* The user alias given to the IGD hostdev (<qemu:override> targets it). */
#define IGD_DOMXML_ALIAS     "ua-igd"
/* Largest domain XML accepted. */
#define IGD_DOMXML_MAX_SIZE  (16u << 20)

typedef enum {
    IGD_DOMXML_MODE_AUTO = 0,
    IGD_DOMXML_MODE_LEGACY,
    IGD_DOMXML_MODE_UPT,
} IgdDomXmlMode;

/* "auto", "legacy", "upt". */
const char *igd_domxml_mode_to_string(IgdDomXmlMode mode);
/* Parse a --mode value; anything else is IGD_ERROR_USAGE. */
gboolean igd_domxml_mode_from_string(const char *str, IgdDomXmlMode *mode, GError **error);

/* xmlDoc with its free function, for g_autoptr. */
typedef xmlDoc IgdXmlDoc;
void igd_xml_doc_free(IgdXmlDoc *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdXmlDoc, igd_xml_doc_free)

/*
 * Parse a domain XML document safely: at most IGD_DOMXML_MAX_SIZE bytes,
 * no network, no entity expansion, no DTD loading, a DOCTYPE is refused,
 * the root must be <domain>. Blank text is kept (so serialising gives the
 * input's formatting back). Errors: IGD_ERROR_INVALID naming the problem
 * (and the line for a syntax error).
 */
IgdXmlDoc *igd_domxml_parse(const char *xml, gsize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;

typedef struct {
    IgdDomXmlMode mode;        /* requested mode */
    IgdPciAddress host;        /* host IGD (default 0000:00:02.0) */
    gboolean host_set;         /* @host was given explicitly (else: metadata, facts, 00:02.0) */
    const char *romfile;       /* <rom file=...> for the IGD, NULL: keep */
    gboolean opregion;         /* UPT: x-igd-opregion=true through <qemu:override> */
    const IgdHostFacts *facts; /* NULL: nothing known about the host (another machine) */
    const char *original;      /* what <igd:assign> records for undo (NULL: the input itself) */
    gsize original_len;
} IgdDomXmlOptions;

/* Defaults: auto, 0000:00:02.0, no romfile, no opregion, no facts. */
void igd_domxml_options_init(IgdDomXmlOptions *opts);

typedef struct {
    IgdDomXmlMode mode;  /* the mode applied (never AUTO after success) */
    IgdPciAddress host;  /* the host IGD the rewrite is for */
    gboolean changed;    /* the output differs from the input */
    GPtrArray *reasons;  /* char*: why `auto` chose the mode, one sentence each */
    GPtrArray *warnings; /* char*: what could not be tailored or will not work well */
} IgdDomXmlReport;

void igd_domxml_report_init(IgdDomXmlReport *report);
void igd_domxml_report_clear(IgdDomXmlReport *report);

/*
 * Rewrite the domain XML @xml (@len bytes) to the rules of @opts->mode.
 * On success *@out is the new document (NUL-terminated, *@out_len bytes)
 * and @report (initialised by the caller) lists the decisions. Everything
 * unrelated to the IGD is kept byte-for-byte as libxml2 serialises it
 * (double quotes, UTF-8). Rewriting the output again gives the same bytes.
 *
 * Errors (nothing is written to *@out): IGD_ERROR_INVALID (not a domain
 * XML, DOCTYPE, too large, two IGD hostdevs), IGD_ERROR_UNSUPPORTED (not an
 * x86 QEMU/KVM domain; not an i440fx or q35 machine; legacy on q35),
 * IGD_ERROR_CHECK_FAILED (auto without host facts; explicit legacy when a
 * requirement of the host or QEMU fails). @report's reasons and warnings
 * are filled on failure too.
 */
gboolean igd_domxml_rewrite(const char *xml, gsize len, const IgdDomXmlOptions *opts,
                            char **out, gsize *out_len, IgdDomXmlReport *report,
                            GError **error);

/*
 * @xml parsed and serialised again without any change: what the same
 * document looks like after a rewrite that changes nothing (libxml2's quoting
 * and escaping). Compare or diff a rewrite's output with this to see only
 * what the rules changed. Errors as igd_domxml_parse().
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

/* One rule of SPEC.md §4 that a definition breaks. */
typedef struct {
    char *rule;    /* short id: "legacy-address", "legacy-1f", "legacy-video", ... */
    char *message; /* one short sentence */
    char *hint;    /* what to do (never NULL) */
} IgdDomXmlProblem;

typedef struct {
    gboolean igd_domain;      /* carries <igd:assign> or an IGD hostdev */
    gboolean has_metadata;    /* <igd:assign> present */
    IgdDomXmlMode mode;       /* intended mode: metadata, else inferred (IGD at 00:02.0 = legacy) */
    guint n_igd_hostdevs;     /* hostdevs whose source is the IGD */
    gboolean host_known;
    IgdPciAddress host;       /* the IGD's host address (metadata, facts, or the hostdev's source) */
    GPtrArray *pci_hostdevs;  /* IgdPciAddress*: every PCI hostdev source (for sysfs checks by the caller) */
    GPtrArray *problems;      /* IgdDomXmlProblem*: every rule the definition breaks */
} IgdDomXmlVerdict;

/*
 * Check the (live) domain XML @xml against the rules of SPEC.md §4. The IGD
 * hostdev is found by the <igd:assign> host, else @facts->addr when @facts
 * says an IGD is present, else a hostdev whose source is 0000:00:02.0.
 * Fills @out (clear it with igd_domxml_verdict_clear()); a non-IGD domain
 * gives igd_domain FALSE and no problems. FALSE only when the XML cannot be
 * parsed (IGD_ERROR_INVALID).
 */
gboolean igd_domxml_verify(const char *xml, gsize len, const IgdHostFacts *facts,
                           IgdDomXmlVerdict *out, GError **error);
void igd_domxml_verdict_clear(IgdDomXmlVerdict *verdict);

G_END_DECLS
