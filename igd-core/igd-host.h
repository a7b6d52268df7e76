/*
 * igd-host.h: host readiness checks for IGD assignment (SPEC.md §3 `check`),
 * in the manner of virt-host-validate: each check is one IgdCheck with a
 * stable id, the text after "Checking for ", a result, one line of what was
 * found and, when it is not a PASS, the fix.
 *
 * Everything is read through an IgdSysroot: /sys (PCI device, IOMMU groups,
 * vfio-pci module parameters), /proc/iomem, /proc/sys/kernel/osrelease,
 * /dev/kmsg and i915's debugfs. Nothing is written.
 */
#pragma once

#include <glib.h>

#include "igd-pci-address.h"
#include "igd-pci.h"
#include "igd-qemu.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

typedef enum {
    IGD_CHECK_PASS,
    IGD_CHECK_WARN,
    IGD_CHECK_FAIL,
} IgdCheckResult;

typedef struct {
    char *id;             /* stable: "igd-present", "generation", "iommu", "iommu-group", "vfio-pci",
                           * "vfio-vga", "driver", "framebuffer", "kernel", "rom", "opregion",
                           * "dmar", "qemu" */
    char *what;           /* text after "Checking for ", e.g. "IOMMU enabled" */
    IgdCheckResult result;
    char *message;        /* one line, what was found */
    char *hint;           /* the fix (kernel argument, BIOS setting, command); NULL on PASS */
} IgdCheck;

/* A new check (all strings copied; @hint may be NULL). */
IgdCheck *igd_check_new(const char *id, const char *what, IgdCheckResult result,
                        const char *message, const char *hint) G_GNUC_WARN_UNUSED_RESULT;
void igd_check_free(IgdCheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(IgdCheck, igd_check_free)

/* "pass", "warn", "fail". */
const char *igd_check_result_to_string(IgdCheckResult r);

/* The check with id @id in @checks (IgdCheck*), or NULL. */
const IgdCheck *igd_host_find_check(GPtrArray *checks, const char *id);
/* The worst result in @checks (PASS for an empty array). */
IgdCheckResult igd_host_worst_result(GPtrArray *checks);

/*
 * Run every check for the IGD at @addr (NULL: 0000:00:02.0). @qemu may be
 * NULL: then the QEMU check is a WARN saying no QEMU was found. Returns a
 * GPtrArray of IgdCheck* (free function set), in a fixed order: igd-present,
 * generation, iommu, iommu-group, vfio-pci, vfio-vga, driver, framebuffer,
 * kernel, rom, opregion, dmar, qemu. When no IGD is at @addr the array holds
 * igd-present FAIL only. Only an environment error (the sysroot cannot be
 * read at all: no /sys/bus/pci/devices) returns NULL with IGD_ERROR_IO or
 * IGD_ERROR_NOT_FOUND.
 */
GPtrArray *igd_host_run_checks(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                               const IgdQemuCaps *qemu, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Building blocks others reuse (hook, daemon, domxml auto). */

/*
 * TRUE when the kernel has DMA remapping on: /sys/kernel/iommu_groups has at
 * least one group (what vfio needs), or /sys/class/iommu has a unit.
 */
gboolean igd_host_iommu_enabled(const IgdSysroot *sysroot);

/*
 * The /proc/iomem entries of a firmware or generic framebuffer driver that
 * overlap any memory BAR of @dev: names "efifb", "vesafb", "simplefb",
 * "simple-framebuffer", "BOOTFB", "simpledrm" (prefix match, so
 * "simple-framebuffer.0" counts). Nesting does not matter: the claim may be
 * nested under the device's BAR line, under a "PCI Bus" line or at top level.
 * Each element is "efifb 4000000000-40001d4fff" (char*, lower-case hex).
 * Lines that do not parse (garbage, reversed ranges, over-long lines) are
 * skipped. A missing /proc/iomem is IGD_ERROR_NOT_FOUND; an empty result
 * means no claim.
 */
GPtrArray *igd_host_framebuffer_claims(const IgdSysroot *sysroot, IgdPciDevice *dev,
                                       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * The number of DMAR fault reports for @addr in the kernel log (/dev/kmsg
 * records "prio,seq,usec,flags;text" or dmesg lines "[ s.us] text"; the
 * device written "[00:02.0]" or "[0x00:0x02.0]"). *@ongoing (may be NULL)
 * is set when the faults are not a one-off burst: they span
 * IGD_HOST_DMAR_ONGOING_SPAN_USEC or more of log time, or number
 * IGD_HOST_DMAR_ONGOING_COUNT or more, or the kernel rate-limited them
 * ("dmar_fault: N callbacks suppressed" after a fault of the device).
 * A missing or unreadable log is IGD_ERROR_NOT_FOUND / IGD_ERROR_IO
 * (returns 0).
 */
#define IGD_HOST_DMAR_ONGOING_SPAN_USEC (2 * G_USEC_PER_SEC)
#define IGD_HOST_DMAR_ONGOING_COUNT     16
guint igd_host_dmar_faults(const IgdSysroot *sysroot, const IgdPciAddress *addr, gboolean *ongoing,
                           GError **error);

/*
 * The vfio-pci disable_vga parameter (/sys/module/vfio_pci/parameters/disable_vga,
 * "Y"/"N"/"1"/"0"). FALSE with IGD_ERROR_NOT_FOUND when vfio-pci is not
 * loaded (or built without VGA support), IGD_ERROR_INVALID for another value.
 */
gboolean igd_host_vfio_disable_vga(const IgdSysroot *sysroot, gboolean *disable_vga, GError **error);

/* The running kernel's release (/proc/sys/kernel/osrelease), e.g. "6.1.0-28-amd64". */
char *igd_host_kernel_release(const IgdSysroot *sysroot, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Parse the leading "MAJOR.MINOR" of a kernel release. FALSE with
 * IGD_ERROR_INVALID when it does not start that way.
 */
gboolean igd_host_parse_kernel_version(const char *release, guint *major, guint *minor, GError **error);

G_END_DECLS
