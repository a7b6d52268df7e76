/*
 * igd-icu-stub.c: the ICU entry points that a static libxml2.a references.
 *
 * Debian's libxml2 is built with ICU, which drags libicuuc, libicudata and
 * libstdc++ into every process (about 1.3 ms of start-up, measured by
 * bench/rewrite-vs-virt-xml). libxml2 looks for an iconv converter first and
 * asks ICU only for encodings iconv lacks; domain XML is UTF-8 or ASCII. This
 * stub answers every ICU request with "no converter", which libxml2 reports
 * as an unsupported encoding. Built only when configure found libxml2.a
 * referencing ICU symbols with the version suffix IGD_ICU_SUFFIX.
 */
#include "config.h"

#include <stddef.h>

#define IGD_ICU_CAT2(a, b) a##_##b
#define IGD_ICU_CAT(a, b) IGD_ICU_CAT2(a, b)
#define IGD_ICU(name) IGD_ICU_CAT(name, IGD_ICU_SUFFIX)

typedef int IgdUErrorCode;
#define IGD_U_FILE_ACCESS_ERROR 4 /* ICU's U_FILE_ACCESS_ERROR: no such converter */

void *IGD_ICU(ucnv_open)(const char *name, IgdUErrorCode *err);
void IGD_ICU(ucnv_close)(void *cnv);
void IGD_ICU(ucnv_convertEx)(void);
void IGD_ICU(ucnv_setFromUCallBack)(void);
void IGD_ICU(ucnv_setToUCallBack)(void);
void IGD_ICU(UCNV_FROM_U_CALLBACK_STOP)(void);
void IGD_ICU(UCNV_TO_U_CALLBACK_STOP)(void);

void *
IGD_ICU(ucnv_open)(const char *name, IgdUErrorCode *err)
{
    (void)name;
    if (err)
        *err = IGD_U_FILE_ACCESS_ERROR;
    return NULL;
}

/* Never reached: libxml2 calls these only on a converter ucnv_open gave. */
void IGD_ICU(ucnv_close)(void *cnv) { (void)cnv; }
void IGD_ICU(ucnv_convertEx)(void) {}
void IGD_ICU(ucnv_setFromUCallBack)(void) {}
void IGD_ICU(ucnv_setToUCallBack)(void) {}
void IGD_ICU(UCNV_FROM_U_CALLBACK_STOP)(void) {}
void IGD_ICU(UCNV_TO_U_CALLBACK_STOP)(void) {}
