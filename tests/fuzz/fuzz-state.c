/*
 * fuzz-state.c: igd_state_parse(), the daemon's reading of its state file
 * (a file the daemon wrote, but read after crashes, full disks and edits).
 *
 * Properties of a parse that succeeds: at most IGD_STATE_MAX_DEVICES
 * entries, sorted by address, none twice, each with a canonical UUID, a
 * known mode and a bounded name; igd_state_to_xml() gives a document that
 * validates against xml-schemas/igd-state.rng and parses back to the same
 * document; igd_state_copy() writes the same document.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "igd-state.h"

static xmlRelaxNGPtr state_rng;

int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    fuzz_setup();
    state_rng = fuzz_load_rng(TESTS_SRCDIR, "igd-state.rng");
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdState) state = NULL;
    g_autoptr(IgdState) again = NULL;
    g_autoptr(IgdState) copy = NULL;
    g_autofree char *xml = NULL, *xml2 = NULL, *xml3 = NULL;
    GPtrArray *entries;

    if (state_rng == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    state = igd_state_parse((const char *)data, size, "state.xml", &error);
    FUZZ_CHECK((state == NULL) == (error != NULL), "NULL without error, or error with a result");
    if (state == NULL) {
        FUZZ_CHECK(g_str_has_prefix(error->message, "state.xml: "), "error does not name the file: %s",
                   error->message);
        return 0;
    }
    entries = igd_state_get_entries(state);
    FUZZ_CHECK(entries->len <= IGD_STATE_MAX_DEVICES, "%u entries", entries->len);
    for (guint i = 0; i < entries->len; i++) {
        const IgdStateEntry *e = g_ptr_array_index(entries, i);
        g_autofree char *canon = igd_state_canonical_uuid(e->uuid, NULL);

        FUZZ_CHECK(canon != NULL && strcmp(canon, e->uuid) == 0, "entry %u: uuid '%s' is not canonical", i, e->uuid);
        FUZZ_CHECK(igd_state_mode_is_valid(e->mode), "entry %u: mode '%s'", i, e->mode);
        FUZZ_CHECK(e->name != NULL && strlen(e->name) <= IGD_STATE_NAME_MAX, "entry %u: name too long", i);
        FUZZ_CHECK(igd_state_lookup(state, &e->address) == e, "entry %u is not found by its address", i);
        if (i > 0) {
            const IgdStateEntry *p = g_ptr_array_index(entries, i - 1);
            char a[13], b[13];
            igd_pci_address_format(&p->address, a);
            igd_pci_address_format(&e->address, b);
            FUZZ_CHECK(strcmp(a, b) < 0, "entries not sorted by address: %s before %s", a, b);
        }
    }
    xml = igd_state_to_xml(state);
    FUZZ_CHECK(fuzz_rng_valid(state_rng, xml), "the state written does not validate against igd-state.rng:\n%s", xml);
    again = igd_state_parse(xml, strlen(xml), "written", NULL);
    FUZZ_CHECK(again != NULL, "the state written does not parse back:\n%s", xml);
    if (again) {
        xml2 = igd_state_to_xml(again);
        FUZZ_CHECK(strcmp(xml, xml2) == 0, "the state written parses to another state:\n%s\n---\n%s", xml, xml2);
    }
    copy = igd_state_copy(state);
    xml3 = igd_state_to_xml(copy);
    FUZZ_CHECK(strcmp(xml, xml3) == 0, "a copy writes another document");
    return 0;
}
