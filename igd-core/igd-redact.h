/*
 * igd-redact.h: what of a host's data is private, and how `igd-assign
 * report` leaves it out (igd-capture.h). One place decides:
 *
 *  - /proc/cmdline: the values of parameters that name disks, network
 *    identities or hosts (root=, resume=, ip=, hostname=, BOOTIF=,
 *    rd.luks.*, ...) become REDACTED;
 *  - any text (command line, kernel log, kernel release, QEMU probe): MAC
 *    addresses, UUIDs, and the private words (host and user names) become
 *    REDACTED-MAC, REDACTED-UUID, REDACTED-HOST, REDACTED-USER;
 *  - PCI config space: the PCIe Device Serial Number and the VPD data
 *    register are zeroed;
 *  - the kernel log: only the records about the IGDs are kept.
 *
 * PCI ids, subsystem ids and firmware tables (OpRegion, VBT, ROM) are not
 * private: they are the same on every unit of a model.
 */
#pragma once

#include <glib.h>

#include "igd-pci-address.h"

G_BEGIN_DECLS

typedef struct _IgdRedactor IgdRedactor;

/* One kind of redaction made in one text: "value of root=", "MAC address", "host name", ... */
typedef struct {
    char *what;
    guint count;
} IgdRedaction;

void igd_redaction_free(IgdRedaction *redaction);

/* A redactor without private words (MAC addresses and UUIDs are always redacted). */
IgdRedactor *igd_redactor_new(void) G_GNUC_WARN_UNUSED_RESULT;
void igd_redactor_free(IgdRedactor *redactor);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdRedactor, igd_redactor_free)

/*
 * A word never to write: each whole-word occurrence (case-insensitive,
 * between characters that are not ASCII letters or digits) becomes
 * REDACTED-HOST (@kind "host name") or REDACTED-USER (any other @kind).
 * Words shorter than 2 characters, "root", "localhost" and "(none)" are
 * ignored, as is anything past 256 words.
 */
void igd_redactor_add_word(IgdRedactor *redactor, const char *word, const char *kind);

/*
 * The private words of this machine: its host name (gethostname(), and
 * @tree_hostname, a host tree's proc/sys/kernel/hostname, may be NULL; each
 * also without its domain), the calling user's name unless root,
 * $SUDO_USER, $USER, $LOGNAME, and every account with a uid from 1000 to
 * 59999 (Debian's adduser.conf range for people).
 */
void igd_redactor_add_host_words(IgdRedactor *redactor, const char *tree_hostname);

/*
 * @text with MAC addresses, UUIDs and the private words replaced (any
 * bytes, NUL included; linear in its length). What was replaced is
 * appended to @found (IgdRedaction *, may be NULL).
 */
GBytes *igd_redactor_text(const IgdRedactor *redactor, GBytes *text, GPtrArray *found) G_GNUC_WARN_UNUSED_RESULT;

/*
 * A kernel command line: private parameters' values replaced (parameters
 * split as the kernel's next_arg() does: on spaces outside double quotes,
 * the key ending at the first '='), then igd_redactor_text().
 */
GBytes *igd_redactor_cmdline(const IgdRedactor *redactor, GBytes *cmdline,
                             GPtrArray *found) G_GNUC_WARN_UNUSED_RESULT;

/* Only the private words of @text replaced (for messages); nothing recorded. */
char *igd_redactor_words(const IgdRedactor *redactor, const char *text) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Zero, in place, the PCIe Device Serial Number (extended capability 0x03)
 * and the VPD data register (capability 0x03) of a config space copy.
 * Both lists are walked a bounded number of steps.
 */
void igd_redact_config(guint8 *config, gsize len, GPtrArray *found);

/*
 * The records of a kernel log (/dev/kmsg "prio,seq,usec,flags;text" or
 * dmesg lines, continuation lines " KEY=value" following their record)
 * that are about the IGDs @igds: every record naming one of them, and the
 * records mentioning DMAR, IOMMU, vfio, i915 or a firmware framebuffer that
 * name no other PCI device; never the kernel command line. A device is
 * named "0000:00:02.0", "00:02.0" or "0x00:0x02.0". *@kept and *@total
 * count records.
 */
GBytes *igd_redact_kernel_log(GBytes *log, const IgdPciAddress *igds, guint n_igds, guint *kept,
                              guint *total) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
