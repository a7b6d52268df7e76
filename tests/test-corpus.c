/*
 * test-corpus.c: every domain XML of libvirt's qemuxml2argv test suite (the
 * installed libvirt's, 9.0 on Debian 12: tests/fetch-libvirt-corpus) is given an IGD hostdev and
 * rewritten in legacy, UPT and auto mode. For every x86 domain that libvirt
 * itself accepts (defines on test:///default), each rewrite must be either a
 * clear refusal or an output that
 *   - validates against libvirt's domain.rng,
 *   - rewrites to itself (idempotent),
 *   - changed nothing unrelated to the IGD (exclusive C14N of both
 *     documents after removing what the rules of SPEC.md §4 touch), and
 *   - defines on test:///default with VIR_DOMAIN_DEFINE_VALIDATE.
 * Every other file must give a clear refusal, never a crash.
 *
 * x86: <os><type arch='x86_64'|'i686'> or, without arch, a machine that is
 * pc*, q35 or absent (libvirt's x86 default); domain type qemu or kvm.
 * The counts go to the test log.
 */
#include "config.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/c14n.h>
#include <libxml/relaxng.h>
#include <string.h>

#include "hand-snapshot.h"
#include "igd-common.h"
#include "igd-domxml.h"
#include "igd-test.h"
#include "igd-xml.h"

#define IGD_NS "http://igd-assign.org/schemas/domain/1.0"
#define QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

static xmlRelaxNGPtr libvirt_rng;
static virConnectPtr conn;

static void
virt_silent(void *ud, virErrorPtr e)
{
}

static gboolean
rng_valid(const char *xml, gsize len)
{
    return igd_test_rng_valid(libvirt_rng, xml, len, "libvirt's domain.rng");
}

static gboolean
defines(const char *xml, char **why)
{
    virDomainPtr dom = virDomainDefineXMLFlags(conn, xml, VIR_DOMAIN_DEFINE_VALIDATE);

    if (dom == NULL) {
        if (why)
            *why = g_strdup(virGetLastErrorMessage());
        return FALSE;
    }
    virDomainUndefine(dom);
    virDomainFree(dom);
    return TRUE;
}

static char *
prop(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    char *r = v ? g_strdup((const char *)v) : NULL;
    xmlFree(v);
    return r;
}

static gboolean
is_el(xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->ns == NULL && g_str_equal((const char *)n->name, name);
}

static xmlNode *
child(xmlNode *p, const char *name)
{
    for (xmlNode *c = p ? p->children : NULL; c; c = c->next)
        if (is_el(c, name))
            return c;
    return NULL;
}

/* The test's own notion of x86 (independent of the engine's). */
static gboolean
is_x86(xmlDoc *doc)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *type = child(child(root, "os"), "type");
    g_autofree char *arch = type ? prop(type, "arch") : NULL;
    g_autofree char *machine = type ? prop(type, "machine") : NULL;
    g_autofree char *dtype = prop(root, "type");

    if (!is_el(root, "domain") || dtype == NULL || (!g_str_equal(dtype, "qemu") && !g_str_equal(dtype, "kvm")))
        return FALSE;
    if (arch)
        return g_str_equal(arch, "x86_64") || g_str_equal(arch, "i686");
    return machine == NULL || g_str_has_prefix(machine, "pc") || g_str_equal(machine, "q35");
}

/* libvirt's own names for Q35 machines (qemu_domain.c qemuDomainMachineIsQ35: "q35", "pc-q35-*") */
static gboolean
is_q35(xmlDoc *doc)
{
    xmlNode *type = child(child(xmlDocGetRootElement(doc), "os"), "type");
    g_autofree char *machine = type ? prop(type, "machine") : NULL;

    return machine && (g_str_equal(machine, "q35") || g_str_has_prefix(machine, "pc-q35-"));
}

/* UEFI firmware in libvirt's terms: <os firmware='efi'> or a <loader type='pflash'> (on x86 a pflash
 * loader is UEFI code: formatdomain "Operating system booting", BIOS bootloader) */
static gboolean
is_uefi(xmlDoc *doc)
{
    xmlNode *os = child(xmlDocGetRootElement(doc), "os");
    xmlNode *loader = child(os, "loader");
    g_autofree char *fw = os ? prop(os, "firmware") : NULL;
    g_autofree char *type = loader ? prop(loader, "type") : NULL;

    return (fw && g_str_equal(fw, "efi")) || (type && g_str_equal(type, "pflash"));
}

static gboolean
pci_at(xmlNode *address, guint slot)
{
    g_autofree char *type = prop(address, "type");
    g_autofree char *d = prop(address, "domain");
    g_autofree char *b = prop(address, "bus");
    g_autofree char *s = prop(address, "slot");

    if (type == NULL || !g_str_equal(type, "pci"))
        return FALSE;
    return (d == NULL || g_ascii_strtoull(d, NULL, 0) == 0) && (b == NULL || g_ascii_strtoull(b, NULL, 0) == 0) &&
           s && g_ascii_strtoull(s, NULL, 0) == slot;
}

static gboolean
is_igd_hostdev(xmlNode *n)
{
    xmlNode *a;
    g_autofree char *type = NULL;

    if (!is_el(n, "hostdev"))
        return FALSE;
    type = prop(n, "type");
    a = child(child(n, "source"), "address");
    if (type == NULL || !g_str_equal(type, "pci") || a == NULL)
        return FALSE;
    {
        g_autofree char *d = prop(a, "domain");
        g_autofree char *b = prop(a, "bus");
        g_autofree char *s = prop(a, "slot");
        g_autofree char *f = prop(a, "function");
        return d && b && s && f && g_ascii_strtoull(d, NULL, 0) == 0 && g_ascii_strtoull(b, NULL, 0) == 0 &&
               g_ascii_strtoull(s, NULL, 0) == 2 && g_ascii_strtoull(f, NULL, 0) == 0;
    }
}

static void
drop(xmlNode *n)
{
    xmlUnlinkNode(n);
    xmlFreeNode(n);
}

/*
 * Remove from @doc everything the IGD rules may touch, so that what is left
 * must be identical in input and output: IGD hostdevs, <igd:assign>, the
 * QEMU override, every display device and what hangs off SPICE, guest PCI
 * addresses at 00:02.x and 00:1f.x, and blank text.
 */
/* The bus numbers of the pci-bridges legacy mode added (alias ua-igd-bridgeN), -1 terminated. */
static void
added_bridges(xmlNode *devices, gint64 *buses, guint max)
{
    guint n = 0;

    for (xmlNode *c = devices ? devices->children : NULL; c && n + 1 < max; c = c->next) {
        xmlNode *alias = child(c, "alias");
        g_autofree char *name = alias ? prop(alias, "name") : NULL;
        g_autofree char *index = prop(c, "index");
        if (is_el(c, "controller") && name && g_str_has_prefix(name, "ua-igd-bridge") && index)
            buses[n++] = g_ascii_strtoll(index, NULL, 10);
    }
    buses[n] = -1;
}

static gboolean
on_added_bridge(xmlNode *address, const gint64 *buses)
{
    g_autofree char *bus = prop(address, "bus");
    gint64 b = bus ? g_ascii_strtoll(bus, NULL, 0) : 0;

    for (guint i = 0; buses[i] >= 0; i++)
        if (buses[i] == b)
            return TRUE;
    return FALSE;
}

static void
strip_igd(xmlNode *node)
{
    xmlNode *c, *next;
    static gint64 bridges[64] = { -1 };

    if (is_el(node, "devices"))
        added_bridges(node, bridges, G_N_ELEMENTS(bridges));

    for (c = node->children; c; c = next) {
        next = c->next;
        if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c)) {
            drop(c);
            continue;
        }
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (c->ns && c->ns->href &&
            (g_str_equal((const char *)c->ns->href, IGD_NS) ||
             (g_str_equal((const char *)c->ns->href, QEMU_NS) && g_str_equal((const char *)c->name, "override")))) {
            drop(c);
            continue;
        }
        if (is_el(node, "devices")) {
            g_autofree char *type = prop(c, "type");
            if (is_igd_hostdev(c) || is_el(c, "graphics") || is_el(c, "video") ||
                (is_el(c, "audio") && type && g_str_equal(type, "spice")) ||
                (type && (g_str_equal(type, "spicevmc") || g_str_equal(type, "spiceport")))) {
                drop(c);
                continue;
            }
            if (is_el(c, "hostdev") && type && g_str_equal(type, "mdev")) {
                /* legacy mode turns a mediated device's display off */
                xmlAttr *a = xmlHasProp(c, (const xmlChar *)"display");
                if (a)
                    xmlRemoveProp(a);
                a = xmlHasProp(c, (const xmlChar *)"ramfb");
                if (a)
                    xmlRemoveProp(a);
            }
            if (is_el(c, "sound")) {
                xmlNode *a = child(c, "audio");
                if (a)
                    drop(a);
            }
        }
        if (is_el(c, "controller")) {
            xmlNode *alias = child(c, "alias");
            g_autofree char *name = alias ? prop(alias, "name") : NULL;
            if (name && g_str_has_prefix(name, "ua-igd-bridge")) {
                drop(c);
                continue;
            }
        }
        if (is_el(c, "address") && node->parent && is_el(node->parent, "devices") &&
            (pci_at(c, 2) || pci_at(c, 0x1f) || (is_el(node, "disk") && on_added_bridge(c, bridges)))) {
            drop(c);
            continue;
        }
        strip_igd(c);
    }
}

static char *
canonical(const char *xml, gsize len)
{
    g_autoptr(IgdXmlDoc) doc = xmlReadMemory(xml, (int)len, "x.xml", NULL, XML_PARSE_NONET);
    xmlNode *root;
    xmlNode *metadata;
    xmlChar *out = NULL;
    char *ret;

    if (doc == NULL)
        return NULL;
    root = xmlDocGetRootElement(doc);
    strip_igd(root);
    /* a <metadata> left empty by the strip (or created by the rewrite) */
    metadata = child(root, "metadata");
    if (metadata && metadata->children == NULL)
        drop(metadata);
    /* so is a <devices> the rewrite had to create */
    metadata = child(root, "devices");
    if (metadata && metadata->children == NULL)
        drop(metadata);
    if (xmlC14NDocDumpMemory(doc, NULL, XML_C14N_EXCLUSIVE_1_0, NULL, 0, &out) < 0)
        return NULL;
    ret = g_strdup((const char *)out);
    xmlFree(out);
    return ret;
}

/* The input with a plain IGD hostdev as a user would add it (before </devices>). */
static char *
add_igd_hostdev(const char *xml)
{
    static const char hostdev[] =
        "  <hostdev mode='subsystem' type='pci' managed='yes'>\n"
        "      <source>\n        <address domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n      </source>\n"
        "    </hostdev>\n  ";
    const char *end = g_strrstr(xml, "</devices>");

    if (end == NULL)
        return g_strdup(xml);
    return g_strdup_printf("%.*s%s%s", (int)(end - xml), xml, hostdev, end);
}

typedef struct {
    guint files, x86, not_x86, input_not_defined, parse_errors;
    guint rewritten[3], refused[3], defined[3], unchanged_ok[3];
    guint q35;               /* accepted x86 inputs on a Q35 machine */
    guint auto_legacy;       /* auto chose legacy */
    guint i440fx_uefi;       /* accepted x86 inputs on i440fx booting UEFI */
    GHashTable *refusal_classes; /* message prefix → count */
    GPtrArray *failures;
} Counts;

static const char *
refusal_class(const GError *e)
{
    if (strstr(e->message, "not x86") || strstr(e->message, "not a QEMU/KVM") ||
        strstr(e->message, "not an x86"))
        return "not-x86";
    if (strstr(e->message, "is not a PCI PC machine"))
        return "no-pci-machine";
    if (strstr(e->message, "i440fx"))
        return "legacy-needs-i440fx";
    if (strstr(e->message, "hostdevs name the IGD"))
        return "two-igd-hostdevs";
    if (strstr(e->message, "auto mode needs"))
        return "auto-needs-host";
    if (strstr(e->message, "legacy mode is impossible"))
        return "legacy-impossible-on-host";
    return "other";
}

static IgdSnapshot *snapshot;

static void
run_file(Counts *k, const char *path, const char *name)
{
    g_autofree char *xml = NULL;
    gsize len = 0;
    g_autoptr(IgdXmlDoc) doc = NULL;
    g_autofree char *input = NULL;
    g_autofree char *why = NULL;
    gboolean x86;
    static const IgdMode modes[] = { IGD_MODE_LEGACY, IGD_MODE_UPT, IGD_MODE_AUTO };

    g_assert_true(g_file_get_contents(path, &xml, &len, NULL));
    k->files++;
    doc = xmlReadMemory(xml, (int)len, name, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        k->parse_errors++;
        return;
    }
    x86 = is_x86(doc);
    input = add_igd_hostdev(xml);
    if (x86) {
        k->x86++;
        /* only what libvirt itself accepts counts: the input with the plain hostdev must define */
        if (!defines(xml, &why)) {
            if (g_getenv("IGD_CORPUS_VERBOSE"))
                g_test_message("not accepted as input: %s: %s", name, why);
            k->input_not_defined++;
            x86 = FALSE;
        }
    } else {
        k->not_x86++;
    }
    if (x86 && is_q35(doc))
        k->q35++;
    else if (x86 && is_uefi(doc))
        k->i440fx_uefi++;

    for (guint m = 0; m < G_N_ELEMENTS(modes); m++) {
        IgdDomXmlOptions o;
        IgdDomXmlReport r;
        g_autoptr(GError) error = NULL;
        g_autofree char *out = NULL;
        gsize out_len = 0;

        igd_domxml_options_init(&o);
        o.mode = modes[m];
        o.snapshot = modes[m] == IGD_MODE_AUTO ? snapshot : NULL;
        igd_domxml_report_init(&r);
        if (!igd_domxml_rewrite(input, strlen(input), &o, &out, &out_len, &r, &error)) {
            const char *cls = refusal_class(error);
            int code = igd_error_exit_code(error);
            /* a clear refusal: exit 1 or 2, a message */
            if ((code != 1 && code != 2) || error->message[0] == '\0' || g_str_equal(cls, "other"))
                g_ptr_array_add(k->failures, g_strdup_printf("%s [%s]: unclear refusal (exit %d): %s", name,
                                                             igd_mode_to_string(modes[m]), code,
                                                             error->message));
            if (x86) {
                k->refused[m]++;
                g_hash_table_insert(k->refusal_classes, (gpointer)cls,
                                    GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(k->refusal_classes, cls)) + 1));
            } else if (!g_str_equal(cls, "not-x86") && !is_x86(doc)) {
                g_ptr_array_add(k->failures, g_strdup_printf("%s [%s]: non-x86 domain refused for another reason: %s",
                                                             name, igd_mode_to_string(modes[m]),
                                                             error->message));
            }
            igd_domxml_report_clear(&r);
            continue;
        }
        if (!is_x86(doc))
            g_ptr_array_add(k->failures, g_strdup_printf("%s [%s]: non-x86 domain was rewritten", name,
                                                         igd_mode_to_string(modes[m])));
        if (!x86) {
            igd_domxml_report_clear(&r);
            continue;
        }
        k->rewritten[m]++;
        if (modes[m] == IGD_MODE_AUTO && r.mode == IGD_MODE_LEGACY)
            k->auto_legacy++;
        /* auto with a snapshot where every host requirement holds and an x86-only ROM: legacy exactly
         * on i440fx booting SeaBIOS (SPEC.md §4; UEFI would need an EFI GOP image in the ROM) */
        if (modes[m] == IGD_MODE_AUTO &&
            (r.mode == IGD_MODE_LEGACY) != (!is_q35(doc) && !is_uefi(doc)))
            g_ptr_array_add(k->failures, g_strdup_printf("%s [auto]: chose %s on a %s machine booting %s", name,
                                                         igd_mode_to_string(r.mode),
                                                         is_q35(doc) ? "q35" : "i440fx",
                                                         is_uefi(doc) ? "UEFI" : "SeaBIOS"));
        {
            g_autofree char *again = NULL;
            gsize again_len = 0;
            IgdDomXmlReport r2;
            IgdDomXmlOptions o2 = o;
            g_autofree char *c_in = canonical(input, strlen(input));
            g_autofree char *c_out = canonical(out, out_len);
            g_autofree char *def_why = NULL;

            o2.mode = r.mode;
            igd_domxml_report_init(&r2);
            if (!rng_valid(out, out_len))
                g_ptr_array_add(k->failures, g_strdup_printf("%s [%s]: output does not validate against domain.rng",
                                                             name, igd_mode_to_string(modes[m])));
            if (!igd_domxml_rewrite(out, out_len, &o2, &again, &again_len, &r2, NULL) || r2.changed ||
                g_strcmp0(again, out) != 0)
                g_ptr_array_add(k->failures, g_strdup_printf("%s [%s]: second rewrite is not a no-op", name,
                                                             igd_mode_to_string(modes[m])));
            igd_domxml_report_clear(&r2);
            if (c_in == NULL || c_out == NULL || !g_str_equal(c_in, c_out))
                g_ptr_array_add(k->failures, g_strdup_printf("%s [%s]: something unrelated to the IGD changed", name,
                                                             igd_mode_to_string(modes[m])));
            else
                k->unchanged_ok[m]++;
            if (defines(out, &def_why))
                k->defined[m]++;
            else
                g_ptr_array_add(k->failures, g_strdup_printf("%s [%s]: test:///default refuses the output: %s", name,
                                                             igd_mode_to_string(modes[m]), def_why));
        }
        igd_domxml_report_clear(&r);
    }
}

/* g_ptr_array_sort() passes pointers to the elements */
static gint
cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
test_corpus(void)
{
    g_autofree char *version = NULL;
    g_autofree char *why = NULL;
    g_autofree char *dir = igd_test_corpus_dir(&version, &why);
    g_autoptr(GDir) d = dir ? g_dir_open(dir, 0, NULL) : NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) classes = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func(g_free);
    Counts k = { 0 };
    const char *e;
    static const char *const mode_names[] = { "legacy", "upt", "auto" };
    GHashTableIter it;
    gpointer key, value;
    guint step = 1;

    if (d == NULL) {
        g_test_skip(why ? why : "the corpus directory cannot be read");
        return;
    }
    g_test_message("corpus: libvirt %s", version);
    k.refusal_classes = classes;
    k.failures = failures;
    while ((e = g_dir_read_name(d)))
        if (g_str_has_suffix(e, ".xml"))
            g_ptr_array_add(names, g_strdup(e));
    g_ptr_array_sort(names, cmp_names);
    /* under valgrind (make check-valgrind) every 25th file: the whole corpus would take ten minutes */
    if (g_getenv("IGD_VALGRIND") && *g_getenv("IGD_VALGRIND")) {
        step = 25;
        g_test_message("corpus: under valgrind, every %uth file only", step);
    }
    for (guint i = 0; i < names->len; i += step) {
        const char *n = names->pdata[i];
        g_autofree char *path = g_build_filename(dir, n, NULL);
        run_file(&k, path, n);
    }

    g_test_message("corpus: %u files, %u x86 (%u of them not accepted by libvirt as input), %u not x86, "
                   "%u not parsable",
                   k.files, k.x86, k.input_not_defined, k.not_x86, k.parse_errors);
    for (guint m = 0; m < 3; m++)
        g_test_message("corpus %s: %u rewritten, %u refused, %u unchanged apart from the IGD, %u defined on test:///default",
                       mode_names[m], k.rewritten[m], k.refused[m], k.unchanged_ok[m], k.defined[m]);
    g_hash_table_iter_init(&it, classes);
    while (g_hash_table_iter_next(&it, &key, &value))
        g_test_message("corpus refusals: %s: %u", (const char *)key, GPOINTER_TO_UINT(value));
    for (guint i = 0; i < failures->len; i++)
        g_test_message("FAIL %s", (const char *)failures->pdata[i]);
    /* libvirt 9.0.0's tests/qemuxml2argvdata holds 1070 domain XMLs (SPEC.md §8 counts on them) */
    if (g_str_has_prefix(version, "9.0.0-"))
        g_assert_cmpuint(names->len, ==, 1070);
    g_assert_cmpuint(names->len, >, 0);
    g_assert_cmpuint(k.files, ==, (names->len + step - 1) / step);
    g_assert_cmpuint(k.parse_errors, ==, 0);
    g_assert_cmpuint(failures->len, ==, 0);
    /* every accepted x86 domain is rewritten or refused, in each mode */
    g_assert_cmpuint(k.rewritten[1] + k.refused[1], ==, k.x86 - k.input_not_defined);
    g_assert_cmpuint(k.rewritten[2] + k.refused[2], ==, k.x86 - k.input_not_defined);
    g_assert_cmpuint(k.defined[0] + k.refused[0], ==, k.x86 - k.input_not_defined);
    /* the refusals are the ones SPEC.md §4 asks for and no others: legacy refuses exactly the Q35
     * domains (counted from the inputs' machine attribute), UPT and auto refuse none; so a rewrite
     * that refused more would fail here rather than shrink the counts above */
    g_test_message("corpus: %u accepted x86 inputs on q35, %u on i440fx with UEFI, auto chose legacy %u times",
                   k.q35, k.i440fx_uefi, k.auto_legacy);
    if (step == 1)
        g_assert_cmpuint(k.q35, >, 0); /* a sample (valgrind) may hold none */
    g_assert_cmpuint(k.refused[0], ==, k.q35);
    g_assert_cmpuint(k.refused[1], ==, 0);
    g_assert_cmpuint(k.refused[2], ==, 0);
    if (step == 1)
        g_assert_cmpuint(k.i440fx_uefi, >, 0);
    g_assert_cmpuint(k.auto_legacy, ==, k.rewritten[2] - k.q35 - k.i440fx_uefi);
}

int
main(int argc, char **argv)
{
    g_autofree char *libvirt = g_build_filename(IGD_LIBVIRT_SCHEMADIR, "domain.rng", NULL);
    int ret;

    g_test_init(&argc, &argv, NULL);
    libvirt_rng = igd_test_load_rng(libvirt);
    virSetErrorFunc(NULL, virt_silent);
    conn = virConnectOpen("test:///default");
    g_assert_nonnull(conn);
    {
        /* test:///default comes with a running domain 'test': corpus domains have that name too */
        virDomainPtr t = virDomainLookupByName(conn, "test");
        if (t) {
            virDomainDestroy(t);
            virDomainUndefine(t);
            virDomainFree(t);
        }
    }
    /* the Skylake of hosts/skl-lenovo-ideapad-320-14isk, QEMU 7.2, an x86-only ROM (tests/hand-snapshot.h) */
    snapshot = hand_snapshot_skl("7.2.0", "legacy");

    g_test_add_func("/corpus/libvirt-qemuxml2argv", test_corpus);
    ret = g_test_run();

    igd_snapshot_free(snapshot);
    virConnectClose(conn);
    xmlRelaxNGFree(libvirt_rng);
    return ret;
}
