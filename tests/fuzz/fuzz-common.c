/*
 * fuzz-common.c: the helpers of fuzz.h, linked into every fuzz target.
 */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

gboolean fuzz_keep_going;
guint fuzz_failures;

void
fuzz_fail(const char *fmt, ...)
{
    va_list ap;

    fputs("fuzz: property broken: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    fuzz_failures++;
    if (!fuzz_keep_going)
        abort();
}

void
fuzz_known(const char *id, const char *fmt, ...)
{
    static GHashTable *seen;
    const char *skip = g_getenv("FUZZ_SKIP_KNOWN");
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (skip != NULL) {
        g_auto(GStrv) ids = g_strsplit(skip, ",", -1);
        if (g_strv_contains((const char *const *)ids, id) || g_strv_contains((const char *const *)ids, "all")) {
            if (seen == NULL)
                seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
            if (g_hash_table_add(seen, g_strdup(id)))
                fprintf(stderr, "fuzz: known finding %s (reported once, run goes on): %.200s\n", id, msg);
            return;
        }
    }
    fuzz_fail("[known finding %s] %s", id, msg);
}

static void
xml_silent(void *ctx G_GNUC_UNUSED, const char *msg G_GNUC_UNUSED, ...)
{
}

static void
xml_silent_structured(void *ctx G_GNUC_UNUSED, xmlErrorPtr e G_GNUC_UNUSED)
{
}

void
fuzz_setup(void)
{
    static gboolean done;

    if (done)
        return;
    done = TRUE;
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    g_log_set_fatal_mask(NULL, G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, xml_silent);
    xmlSetStructuredErrorFunc(NULL, xml_silent_structured);
}

char *
fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = g_malloc(size + 1);

    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

xmlRelaxNGPtr
fuzz_load_rng(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, "..", "xml-schemas", name, NULL);
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(path);
    xmlRelaxNGPtr rng = xmlRelaxNGParse(pc);

    xmlRelaxNGFreeParserCtxt(pc);
    if (rng == NULL)
        g_error("cannot load %s (run make first)", path);
    return rng;
}

gboolean
fuzz_rng_valid_doc(xmlRelaxNGPtr rng, xmlDocPtr doc)
{
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(rng);
    int r = doc ? xmlRelaxNGValidateDoc(vc, doc) : -1;

    xmlRelaxNGFreeValidCtxt(vc);
    return r == 0;
}

gboolean
fuzz_rng_valid(xmlRelaxNGPtr rng, const char *xml)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "written.xml", NULL, XML_PARSE_NONET);
    gboolean ok = fuzz_rng_valid_doc(rng, doc);

    xmlFreeDoc(doc);
    return ok;
}
