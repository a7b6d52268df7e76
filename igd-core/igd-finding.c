/*
 * igd-finding.c: findings and lists of them.
 */
#include "config.h"

#include "igd-finding.h"

IgdFinding *
igd_finding_new(const char *id, IgdSeverity severity, const char *what, const char *message, const char *hint)
{
    IgdFinding *f = g_new0(IgdFinding, 1);

    f->id = g_strdup(id);
    f->severity = severity;
    f->what = g_strdup(what);
    f->message = g_strdup(message);
    f->hint = severity == IGD_SEVERITY_PASS || severity == IGD_SEVERITY_NOTE ? NULL : g_strdup(hint);
    return f;
}

IgdFinding *
igd_finding_copy(const IgdFinding *finding)
{
    return igd_finding_new(finding->id, finding->severity, finding->what, finding->message, finding->hint);
}

void
igd_finding_free(IgdFinding *finding)
{
    if (finding == NULL)
        return;
    g_free(finding->id);
    g_free(finding->what);
    g_free(finding->message);
    g_free(finding->hint);
    g_free(finding);
}

void
igd_finding_write_json(const IgdFinding *finding, IgdJson *json, const char *key)
{
    igd_json_begin_object(json, key);
    igd_json_string(json, "id", finding->id);
    igd_json_string(json, "message", finding->message);
    igd_json_string(json, "hint", finding->hint);
    igd_json_end_object(json);
}

const char *
igd_severity_to_string(IgdSeverity severity)
{
    switch (severity) {
    case IGD_SEVERITY_PASS:
        return "pass";
    case IGD_SEVERITY_NOTE:
        return "note";
    case IGD_SEVERITY_WARN:
        return "warn";
    case IGD_SEVERITY_FAIL:
        break;
    }
    return "fail";
}

GPtrArray *
igd_findings_new(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)igd_finding_free);
}

IgdFinding *
igd_findings_add(GPtrArray *findings, const char *id, IgdSeverity severity, const char *what, const char *hint,
                 const char *fmt, ...)
{
    g_autofree char *message = NULL;
    IgdFinding *f;
    va_list ap;

    va_start(ap, fmt);
    message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    f = igd_finding_new(id, severity, what, message, hint);
    g_ptr_array_add(findings, f);
    return f;
}

const IgdFinding *
igd_findings_find(GPtrArray *findings, const char *id)
{
    for (guint i = 0; findings != NULL && i < findings->len; i++) {
        const IgdFinding *f = g_ptr_array_index(findings, i);
        if (g_strcmp0(f->id, id) == 0)
            return f;
    }
    return NULL;
}

const IgdFinding *
igd_findings_first(GPtrArray *findings, IgdSeverity severity)
{
    for (guint i = 0; findings != NULL && i < findings->len; i++) {
        const IgdFinding *f = g_ptr_array_index(findings, i);
        if (f->severity >= severity)
            return f;
    }
    return NULL;
}

IgdSeverity
igd_findings_worst(GPtrArray *findings)
{
    IgdSeverity worst = IGD_SEVERITY_PASS;

    for (guint i = 0; findings != NULL && i < findings->len; i++) {
        const IgdFinding *f = g_ptr_array_index(findings, i);
        if (f->severity > worst)
            worst = f->severity;
    }
    return worst;
}

guint
igd_findings_count(GPtrArray *findings, IgdSeverity severity)
{
    guint n = 0;

    for (guint i = 0; findings != NULL && i < findings->len; i++)
        if (((const IgdFinding *)g_ptr_array_index(findings, i))->severity == severity)
            n++;
    return n;
}
