/*
 * fuzz-watchlog.c: igd_watch_log_parse(), the daemon's and `igd-assign
 * status`'s reading of the watcher's records (<state_dir>/watcher.xml, a
 * file the daemon wrote, but read after crashes, full disks and edits).
 *
 * Properties of a parse that succeeds: at most IGD_WATCH_LOG_MAX_DOMAINS
 * records, sorted by UUID, none twice, each found by its UUID, with a
 * known action, at most IGD_WATCH_LOG_MAX_ITEMS changes and broken rules
 * and no text longer than IGD_WATCH_LOG_TEXT_MAX; igd_watch_log_to_xml()
 * gives a document that validates against xml-schemas/igd-watcher.rng and
 * parses back to the same document.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "igd-watchlog.h"

static xmlRelaxNGPtr watcher_rng;

int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    fuzz_setup();
    watcher_rng = fuzz_load_rng(TESTS_SRCDIR, "igd-watcher.rng");
    return 0;
}

static gboolean
text_ok(const char *s)
{
    return s != NULL && strlen(s) <= IGD_WATCH_LOG_TEXT_MAX;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdWatchLog) log = NULL;
    g_autoptr(IgdWatchLog) again = NULL;
    g_autoptr(GPtrArray) records = NULL;
    g_autofree char *xml = NULL, *xml2 = NULL;

    if (watcher_rng == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    log = igd_watch_log_parse((const char *)data, size, "watcher.xml", &error);
    FUZZ_CHECK((log == NULL) == (error != NULL), "NULL without error, or error with a result");
    if (log == NULL) {
        FUZZ_CHECK(g_str_has_prefix(error->message, "watcher.xml: "), "error does not name the file: %s",
                   error->message);
        return 0;
    }
    records = igd_watch_log_get_records(log);
    FUZZ_CHECK(records->len <= IGD_WATCH_LOG_MAX_DOMAINS, "%u records", records->len);
    for (guint i = 0; i < records->len; i++) {
        const IgdWatchRecord *r = g_ptr_array_index(records, i);

        FUZZ_CHECK(r->uuid != NULL && g_uuid_string_is_valid(r->uuid), "record %u: uuid", i);
        FUZZ_CHECK(igd_watch_action_is_valid(r->action), "record %u: action '%s'", i, r->action);
        FUZZ_CHECK(igd_watch_log_lookup(log, r->uuid) == r, "record %u is not found by its uuid", i);
        FUZZ_CHECK(r->changes->len <= IGD_WATCH_LOG_MAX_ITEMS && r->broken->len <= IGD_WATCH_LOG_MAX_ITEMS,
                   "record %u: %u changes, %u broken", i, r->changes->len, r->broken->len);
        FUZZ_CHECK(text_ok(r->name) && text_ok(r->message), "record %u: name or message too long", i);
        for (guint k = 0; k < r->changes->len; k++)
            FUZZ_CHECK(text_ok(g_ptr_array_index(r->changes, k)), "record %u: change %u too long", i, k);
        if (i > 0) {
            const IgdWatchRecord *p = g_ptr_array_index(records, i - 1);
            FUZZ_CHECK(g_ascii_strcasecmp(p->uuid, r->uuid) < 0, "records not sorted: %s before %s", p->uuid,
                       r->uuid);
        }
    }
    xml = igd_watch_log_to_xml(log);
    FUZZ_CHECK(fuzz_rng_valid(watcher_rng, xml), "the records written do not validate against igd-watcher.rng:\n%s", xml);
    again = igd_watch_log_parse(xml, strlen(xml), "written", NULL);
    FUZZ_CHECK(again != NULL, "the records written do not parse back:\n%s", xml);
    if (again) {
        xml2 = igd_watch_log_to_xml(again);
        FUZZ_CHECK(strcmp(xml, xml2) == 0, "the records written parse to other records:\n%s\n---\n%s", xml, xml2);
    }
    return 0;
}
