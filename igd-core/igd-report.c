/*
 * igd-report.c: rendering of the host checks.
 */
#include "config.h"

#include <string.h>

#include "igd-json.h"
#include "igd-report.h"
#include "igd-requirements.h"

char *
igd_report_checks_json(const IgdPciAddress *addr, GPtrArray *findings)
{
    g_autoptr(IgdJson) json = igd_json_new();
    char name[13];

    igd_pci_address_format(addr, name);
    igd_json_begin_object(json, NULL);
    igd_json_string(json, "address", name);
    igd_json_begin_array(json, "checks");
    for (guint i = 0; i < findings->len; i++) {
        const IgdFinding *c = g_ptr_array_index(findings, i);
        igd_json_begin_object(json, NULL);
        igd_json_string(json, "id", c->id);
        igd_json_string(json, "what", c->what);
        igd_json_string(json, "result", igd_severity_to_string(c->severity));
        igd_json_string(json, "message", c->message);
        igd_json_string(json, "hint", c->hint);
        igd_json_end_object(json);
    }
    igd_json_end_array(json);
    igd_json_string(json, "result", igd_severity_to_string(igd_findings_worst(findings)));
    igd_json_uint(json, "passed", igd_findings_count(findings, IGD_SEVERITY_PASS));
    igd_json_uint(json, "warned", igd_findings_count(findings, IGD_SEVERITY_WARN));
    igd_json_uint(json, "failed", igd_findings_count(findings, IGD_SEVERITY_FAIL));
    igd_json_end_object(json);
    return g_strdup(igd_json_get(json));
}

char *
igd_report_checks_text(GPtrArray *findings, gboolean verbose, gboolean quiet)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < findings->len; i++) {
        const IgdFinding *c = g_ptr_array_index(findings, i);
        g_autofree char *label = g_strdup_printf("Checking for %s", c->what ? c->what : c->id);
        g_autofree char *result = g_ascii_strup(igd_severity_to_string(c->severity), -1);

        if (quiet && c->severity <= IGD_SEVERITY_NOTE)
            continue;
        /* virt-host-validate pads the label to a column */
        g_string_append_printf(s, "IGD: %-60s : %s", label, result);
        if (c->severity > IGD_SEVERITY_NOTE && c->hint)
            g_string_append_printf(s, " (%s)", c->hint);
        g_string_append_c(s, '\n');
        if (c->message && (verbose || c->severity > IGD_SEVERITY_NOTE))
            g_string_append_printf(s, "     %s\n", c->message);
    }
    return g_string_free(s, FALSE);
}

char *
igd_report_check_json(const IgdSysroot *sysroot, const IgdPciAddress *addr, const IgdQemuCaps *qemu,
                      IgdSeverity *worst, GError **error)
{
    g_autoptr(GPtrArray) findings = igd_requirements_check_host(sysroot, addr, qemu, error);
    IgdPciAddress def = { 0, 0, 2, 0 };

    if (findings == NULL)
        return NULL;
    if (worst)
        *worst = igd_findings_worst(findings);
    return igd_report_checks_json(addr ? addr : &def, findings);
}
