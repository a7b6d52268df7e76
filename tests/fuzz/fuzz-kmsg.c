/*
 * fuzz-kmsg.c: the kernel-log reader behind the DMAR fault check
 * (igd_host_parse_dmar_faults(), the parser of igd_host_dmar_faults():
 * /dev/kmsg records or dmesg lines of a host or a host tree).
 *
 * Input: byte 0 picks the device looked for, the rest is the log.
 *
 * Properties (metamorphic: no second implementation of the format): the
 * count is at most the number of lines naming "[DMA " and "Request device
 * ["; the log twice gives twice the faults; a real fault line of the device
 * appended (dmesg and kmsg form, Linux <= 6.0 and 6.1+ spelling) adds
 * exactly one; "ongoing" only with faults, and always with 16 or more.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "igd-host.h"

static const IgdPciAddress addrs[] = {
    { 0, 0, 2, 0 }, { 0, 0, 0x1f, 3 }, { 0, 1, 0, 0 }, { 0x10, 0xff, 0x1f, 7 },
};

static gboolean
has(const char *p, gsize len, const char *needle)
{
    gsize n = strlen(needle);

    for (gsize i = 0; i + n <= len; i++)
        if (memcmp(p + i, needle, n) == 0)
            return TRUE;
    return FALSE;
}

/* Lines with both markers: an upper bound of the faults. */
static guint
candidate_lines(const char *log, gsize len)
{
    guint n = 0;

    for (const char *line = log, *eod = log + len; line < eod;) {
        const char *nl = memchr(line, '\n', (gsize)(eod - line));
        gsize llen = nl ? (gsize)(nl - line) : (gsize)(eod - line);

        n += has(line, llen, "[DMA ") && has(line, llen, "Request device [");
        line += llen + 1;
    }
    return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const IgdPciAddress *addr;
    const char *log;
    gsize len;
    gboolean ongoing = TRUE;
    guint faults;

    fuzz_setup();
    if (size < 1)
        return 0;
    addr = &addrs[data[0] % G_N_ELEMENTS(addrs)];
    log = (const char *)data + 1;
    len = size - 1;

    faults = igd_host_parse_dmar_faults(log, len, addr, &ongoing);
    FUZZ_CHECK(faults <= candidate_lines(log, len), "%u faults in %u candidate lines", faults,
               candidate_lines(log, len));
    FUZZ_CHECK(!ongoing || faults > 0, "ongoing without faults");
    FUZZ_CHECK(faults < IGD_HOST_DMAR_ONGOING_COUNT || ongoing, "%u faults, not ongoing", faults);
    FUZZ_CHECK(igd_host_parse_dmar_faults(log, len, addr, NULL) == faults, "a NULL ongoing changes the count");

    {
        g_autoptr(GByteArray) twice = g_byte_array_new();
        g_byte_array_append(twice, (const guint8 *)log, (guint)len);
        g_byte_array_append(twice, (const guint8 *)"\n", 1);
        g_byte_array_append(twice, (const guint8 *)log, (guint)len);
        FUZZ_CHECK(igd_host_parse_dmar_faults((const char *)twice->data, twice->len, addr, NULL) == 2 * faults,
                   "the log twice does not give twice the faults");
    }
    {
        char dev[16], dev61[32];
        const char *forms[4];
        g_snprintf(dev, sizeof dev, "%02x:%02x.%x", addr->bus, addr->slot, addr->function);
        g_snprintf(dev61, sizeof dev61, "0x%02x:0x%02x.%x", addr->bus, addr->slot, addr->function);
        g_autofree char *l1 = g_strdup_printf("[   12.345678] DMAR: [DMA Read NO_PASID] Request device [%s] fault "
                                              "addr 0x7b800000 [fault reason 0x06] PTE Read access is not set", dev61);
        g_autofree char *l2 = g_strdup_printf("3,1234,12345678,-;DMAR: [DMA Write] Request device [%s] fault addr "
                                              "7b800000 [fault reason 05] PTE Write access is not set", dev);
        g_autofree char *l3 = g_strdup_printf("DMAR: [DMA Read] Request device [%s] fault addr 0", dev);
        g_autofree char *l4 = g_strdup_printf("[ 0.1] DMAR: [DMA Read] Request device [%s] PASID ffffffff", dev61);
        forms[0] = l1;
        forms[1] = l2;
        forms[2] = l3;
        forms[3] = l4;
        for (guint i = 0; i < G_N_ELEMENTS(forms); i++) {
            g_autoptr(GByteArray) more = g_byte_array_new();
            g_byte_array_append(more, (const guint8 *)log, (guint)len);
            g_byte_array_append(more, (const guint8 *)"\n", 1);
            g_byte_array_append(more, (const guint8 *)forms[i], (guint)strlen(forms[i]));
            FUZZ_CHECK(igd_host_parse_dmar_faults((const char *)more->data, more->len, addr, NULL) == faults + 1,
                       "a fault line (form %u) of the device does not add one fault", i);
        }
    }
    return 0;
}
