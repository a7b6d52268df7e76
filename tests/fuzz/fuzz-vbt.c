/*
 * fuzz-vbt.c: igd_vbt_parse() on any bytes (a VBT comes from the OpRegion,
 * i915's debugfs or a user's file).
 *
 * Properties of a parse that succeeds: the cheap check the OpRegion code
 * uses agrees (igd_vbt_looks_valid(), same vbt_size); the VBT bytes are the
 * first vbt_size bytes of the input; every output has a port and a type
 * name; fixing the checksum of a copy makes igd_vbt_checksum_ok() true and
 * changes nothing else of the parse.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "igd-vbt.h"

static void
check_outputs(const IgdVbt *vbt)
{
    GPtrArray *outputs = igd_vbt_get_outputs(vbt);
    gboolean analog = igd_vbt_get_int_crt_support(vbt);

    FUZZ_CHECK(outputs != NULL, "no output array");
    if (outputs == NULL)
        return;
    /* every child device takes at least the legacy 33 bytes */
    FUZZ_CHECK(outputs->len <= igd_vbt_get_size(vbt) / IGD_CHILD_LEGACY_SIZE, "%u outputs in %" G_GSIZE_FORMAT " bytes",
               outputs->len, igd_vbt_get_size(vbt));
    for (guint i = 0; i < outputs->len; i++) {
        const IgdVbtOutput *o = g_ptr_array_index(outputs, i);
        FUZZ_CHECK(o->port != NULL && o->type != NULL && o->port[0] != '\0', "output %u without port or type", i);
        FUZZ_CHECK(o->device_type != 0, "output %u with device_type 0", i);
        FUZZ_CHECK(g_strcmp0(o->type, igd_vbt_type_from_device_type(o->device_type)) == 0,
                   "output %u: type %s, but device_type 0x%x says %s", i, o->type, o->device_type,
                   igd_vbt_type_from_device_type(o->device_type));
        analog = analog || o->analog;
    }
    FUZZ_CHECK(analog == igd_vbt_has_analog(vbt), "has_analog disagrees with the outputs and int_crt_support");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GBytes) bytes = g_bytes_new(data, size);
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdVbt) vbt = NULL;
    g_autoptr(GBytes) own = NULL;
    gsize vsize;

    fuzz_setup();
    vbt = igd_vbt_parse(bytes, &error);
    FUZZ_CHECK((vbt == NULL) == (error != NULL), "NULL without error, or error with a result");
    if (vbt == NULL)
        return 0;

    vsize = igd_vbt_get_size(vbt);
    FUZZ_CHECK(vsize <= size, "vbt_size %" G_GSIZE_FORMAT " beyond the %zu bytes given", vsize, size);
    FUZZ_CHECK(igd_vbt_looks_valid(data, size), "parsed, but igd_vbt_looks_valid() says no");
    if (igd_vbt_looks_valid(data, size))
        FUZZ_CHECK(igd_vbt_peek_size(data) == vsize, "peek_size disagrees with the parse");
    own = igd_vbt_get_bytes(vbt);
    FUZZ_CHECK(g_bytes_get_size(own) == vsize && memcmp(g_bytes_get_data(own, NULL), data, vsize) == 0,
               "VBT bytes are not the first vbt_size bytes of the input");
    FUZZ_CHECK(igd_vbt_get_signature(vbt) != NULL && g_str_has_prefix(igd_vbt_get_signature(vbt), IGD_VBT_SIGNATURE),
               "signature does not start with $VBT");
    check_outputs(vbt);

    /* with its checksum fixed, the same VBT */
    if (vsize > IGD_VBT_CHECKSUM_OFFSET) {
        g_autofree guint8 *copy = g_memdup2(data, vsize);
        g_autoptr(GBytes) fixed_bytes = NULL;
        g_autoptr(IgdVbt) fixed = NULL;
        g_autoptr(GError) error2 = NULL;

        igd_vbt_fix_checksum(copy, vsize);
        fixed_bytes = g_bytes_new_take(g_steal_pointer(&copy), vsize);
        fixed = igd_vbt_parse(fixed_bytes, &error2);
        FUZZ_CHECK(fixed != NULL, "fixing the checksum broke the parse: %s", error2 ? error2->message : "?");
        if (fixed) {
            FUZZ_CHECK(igd_vbt_checksum_ok(fixed), "checksum still wrong after igd_vbt_fix_checksum()");
            FUZZ_CHECK(igd_vbt_get_outputs(fixed)->len == igd_vbt_get_outputs(vbt)->len &&
                           igd_vbt_get_bdb_version(fixed) == igd_vbt_get_bdb_version(vbt),
                       "fixing the checksum changed the parse");
        }
    }
    return 0;
}
