/*
 * fuzz-pci-address.c: igd_pci_address_parse() on any string (command
 * lines, domain metadata, the D-Bus API, the state file).
 *
 * Properties: the parser accepts exactly DDDD:BB:SS.F and BB:SS.F in hex
 * with slot <= 1f and function <= 7 (checked against a regular
 * expression); what it accepts formats back to the same address, lower
 * case, with the domain; the formatted address parses to the same value;
 * libvirt's node device name is pci_DDDD_BB_SS_F.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "igd-pci-address.h"

static GRegex *grammar;

int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    fuzz_setup();
    grammar = g_regex_new("^(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:(?:[01][0-9a-fA-F])\\.[0-7]\\z", G_REGEX_RAW, 0, NULL);
    g_assert(grammar != NULL);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *str = fuzz_strndup(data, size);
    g_autoptr(GError) error = NULL;
    IgdPciAddress addr = { 0xffff, 0xff, 0xff, 0xff };
    gboolean ok;
    gboolean expected;
    g_autofree char *shown = g_strescape(str, NULL);

    if (grammar == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    ok = igd_pci_address_parse(str, &addr, &error);
    FUZZ_CHECK(ok == (error == NULL), "result and error disagree");
    /* the string the parser sees ends at the first NUL */
    expected = g_regex_match_full(grammar, str, -1, 0, 0, NULL, NULL);
    FUZZ_CHECK(ok == expected, "'%s' %s, the grammar says %s", shown, ok ? "accepted" : "refused",
               expected ? "valid" : "invalid");
    if (!ok) {
        FUZZ_CHECK(error->message != NULL && g_utf8_validate(error->message, -1, NULL), "error message not UTF-8");
        return 0;
    }
    {
        char buf[13], node[17];
        g_autofree char *s = igd_pci_address_to_string(&addr);
        g_autofree char *lower = g_ascii_strdown(str, -1);
        g_autofree char *expect_node = NULL;
        IgdPciAddress again = { 0 };

        igd_pci_address_format(&addr, buf);
        FUZZ_CHECK(strcmp(buf, s) == 0, "format and to_string differ");
        FUZZ_CHECK(strlen(buf) == 12, "'%s' is not DDDD:BB:SS.F", buf);
        FUZZ_CHECK(g_str_has_suffix(buf, lower), "'%s' does not end with the input '%s'", buf, lower);
        FUZZ_CHECK(addr.slot <= 0x1f && addr.function <= 7, "slot/function out of range");
        FUZZ_CHECK(igd_pci_address_parse(buf, &again, NULL) && igd_pci_address_equal(&addr, &again),
                   "'%s' does not parse back to itself", buf);
        igd_pci_address_nodedev_name(&addr, node);
        expect_node = g_strdup_printf("pci_%.4s_%.2s_%.2s_%.1s", buf, buf + 5, buf + 8, buf + 11);
        FUZZ_CHECK(strcmp(node, expect_node) == 0, "node device name '%s', expected '%s'", node, expect_node);
    }
    return 0;
}
