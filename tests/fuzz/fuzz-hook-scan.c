/*
 * fuzz-hook-scan.c: the hook's fast scan (igd_hook_scan_needs_full(),
 * hook/igd-hook-common.c) against the full reading of a domain.
 *
 * The scan lets the hook exit at once for a domain it proves IGD-free
 * without parsing it. Property: whenever it says no full parse is needed,
 * the full reader (igd_domain_read(), what the hook's full half uses) finds
 * no IGD domain in the same bytes: not a domain at all, or one without
 * <igd:assign> metadata and without any PCI hostdev. When the scan asks
 * for the full parse it names why. Also: igd_hook_escape_name() of the
 * bytes fits its buffer, NUL-terminated, printable ASCII only.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "igd-domain.h"
#include "igd-hook-common.h"

static void
check_escape(const char *name)
{
    static const size_t sizes[] = { 8, 9, 13, 64, 256 };

    for (gsize i = 0; i < G_N_ELEMENTS(sizes); i++) {
        char buf[256 + 8];
        size_t n;

        memset(buf, 'Z', sizeof(buf));
        igd_hook_escape_name(name, buf, sizes[i]);
        n = strnlen(buf, sizeof(buf));
        FUZZ_CHECK(n < sizes[i], "escaped name of %zu bytes in a buffer of %zu", n, sizes[i]);
        FUZZ_CHECK(buf[sizes[i]] == 'Z', "wrote past the buffer of %zu", sizes[i]);
        for (size_t k = 0; k < n; k++)
            FUZZ_CHECK(buf[k] >= 0x20 && buf[k] < 0x7f, "unprintable byte 0x%02x in the escaped name",
                       (guchar)buf[k]);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the hook reads stdin into a buffer NUL-terminated one past its length */
    g_autofree char *xml = fuzz_strndup(data, size);
    const char *why = NULL;
    int full;

    fuzz_setup();
    full = igd_hook_scan_needs_full(xml, size, &why);
    FUZZ_CHECK(full == 0 || full == 1, "scan returned %d", full);
    if (full) {
        FUZZ_CHECK(why != NULL && why[0] != '\0', "full parse asked for without a reason");
    } else {
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdDomain) dom = igd_domain_read(xml, size, NULL, &error);

        FUZZ_CHECK(why == NULL, "no full parse, but a reason: %s", why);
        if (dom != NULL) {
            FUZZ_CHECK(!dom->igd_domain, "the scan passed an IGD domain (host %04x:%02x:%02x.%x)", dom->host.domain,
                       dom->host.bus, dom->host.slot, dom->host.function);
            FUZZ_CHECK(!dom->has_metadata, "the scan passed a domain with <igd:assign> metadata");
            FUZZ_CHECK(dom->pci_hostdevs->len == 0 && dom->bad_hostdevs == 0,
                       "the scan passed a domain with PCI hostdevs");
        }
    }
    check_escape(xml);
    return 0;
}
