/*
 * igd-report.c: rendering of the host checks.
 */
#include "config.h"

#include <string.h>

#include "igd-json.h"
#include "igd-report.h"

char *
igd_report_checks_json(const IgdPciAddress *addr, GPtrArray *checks)
{
    g_autoptr(IgdJson) json = igd_json_new();
    char name[13];
    guint counts[3] = { 0, 0, 0 };

    igd_pci_address_format(addr, name);
    igd_json_begin_object(json, NULL);
    igd_json_string(json, "address", name);
    igd_json_begin_array(json, "checks");
    for (guint i = 0; i < checks->len; i++) {
        const IgdCheck *c = g_ptr_array_index(checks, i);
        if ((guint)c->result < G_N_ELEMENTS(counts))
            counts[c->result]++;
        igd_json_begin_object(json, NULL);
        igd_json_string(json, "id", c->id);
        igd_json_string(json, "what", c->what);
        igd_json_string(json, "result", igd_check_result_to_string(c->result));
        igd_json_string(json, "message", c->message);
        igd_json_string(json, "hint", c->hint);
        igd_json_end_object(json);
    }
    igd_json_end_array(json);
    igd_json_string(json, "result", igd_check_result_to_string(igd_host_worst_result(checks)));
    igd_json_uint(json, "passed", counts[IGD_CHECK_PASS]);
    igd_json_uint(json, "warned", counts[IGD_CHECK_WARN]);
    igd_json_uint(json, "failed", counts[IGD_CHECK_FAIL]);
    igd_json_end_object(json);
    return g_strdup(igd_json_get(json));
}

char *
igd_report_checks_text(GPtrArray *checks, gboolean verbose)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < checks->len; i++) {
        const IgdCheck *c = g_ptr_array_index(checks, i);
        g_autofree char *label = g_strdup_printf("Checking for %s", c->what);
        g_autofree char *result = g_ascii_strup(igd_check_result_to_string(c->result), -1);

        /* virt-host-validate pads the label to a column */
        g_string_append_printf(s, "IGD: %-60s : %s", label, result);
        if (c->result != IGD_CHECK_PASS && c->hint)
            g_string_append_printf(s, " (%s)", c->hint);
        g_string_append_c(s, '\n');
        if (c->message && (verbose || c->result != IGD_CHECK_PASS))
            g_string_append_printf(s, "     %s\n", c->message);
    }
    return g_string_free(s, FALSE);
}

char *
igd_report_check_json(const IgdSysroot *sysroot, const IgdPciAddress *addr, const IgdQemuCaps *qemu,
                      int *worst, GError **error)
{
    g_autoptr(GPtrArray) checks = igd_host_run_checks(sysroot, addr, qemu, error);

    if (checks == NULL)
        return NULL;
    if (worst)
        *worst = igd_host_worst_result(checks);
    return igd_report_checks_json(addr, checks);
}
