/*
 * igd-common.c: error domain.
 */
#include "config.h"

#include "igd-common.h"

G_DEFINE_QUARK(igd-error-quark, igd_error)

int
igd_error_exit_code(const GError *error)
{
    if (error == NULL)
        return 0;
    if (error->domain != IGD_ERROR)
        return 3;
    switch ((IgdErrorCode)error->code) {
    case IGD_ERROR_INVALID:
    case IGD_ERROR_UNSUPPORTED:
    case IGD_ERROR_CHECK_FAILED:
    case IGD_ERROR_CONFLICT:
    case IGD_ERROR_DENIED:
        return 1;
    case IGD_ERROR_USAGE:
        return 2;
    case IGD_ERROR_INTERNAL:
    case IGD_ERROR_IO:
    case IGD_ERROR_NOT_FOUND:
    case IGD_ERROR_UNAVAILABLE:
    default:
        return 3;
    }
}
