/*
 * igd-capture-private.h: IgdCapture's insides, shared by igd-capture.c
 * (the capture) and igd-capture-output.c (README.md, the archive, JSON).
 * Not for other objects.
 */
#pragma once

#include "igd-capture.h"
#include "igd-pci-address.h"
#include "igd-redact.h"

G_BEGIN_DECLS

typedef struct {
    IgdPciAddress addr;
    char name[13];
    gboolean igd;
    char *phys_dir;      /* physical host path of the device directory */
    char *driver;        /* link name, NULL: none */
    char *group;         /* IOMMU group name, NULL: none */
} IgdCaptureDevice;

struct _IgdCapture {
    IgdSysroot *sysroot;
    char *root;                  /* "" for the real host */
    GHashTable *entries;         /* tree path -> IgdCaptureEntry */
    GPtrArray *discarded;        /* entries add_entry() refused */
    GPtrArray *sorted;           /* after the run */
    GPtrArray *redactions;
    GPtrArray *omissions;
    IgdRedactor *redactor;
    GPtrArray *devices;          /* IgdCaptureDevice */
    GPtrArray *igds;             /* char * */
    char *qemu_ini;              /* the saved probe, redacted later; NULL: none */
    char *qemu_binary;
    char *qemu_error;
    gint64 time;
    gboolean ran;
    guint kmsg_kept, kmsg_total;
};

/* The order of entries everywhere: by path. */
int igd_capture_compare_entries(gconstpointer a, gconstpointer b);
/* README.md of a capture whose entries are @sorted. */
char *igd_capture_readme(IgdCapture *c, GPtrArray *sorted) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
