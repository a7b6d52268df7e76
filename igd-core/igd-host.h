/*
 * igd-host.h: what the host's own files say about IGD assignment: the
 * IOMMU, the kernel release and command line, vfio-pci's module and its
 * disable_vga parameter, framebuffer drivers in /proc/iomem, DMAR faults in
 * the kernel log, and the OpRegion and VBT as the host exposes them. Read
 * through an IgdSysroot; nothing is written. The snapshot gathers them
 * (igd-snapshot.h), the requirements judge them (igd-requirements.h).
 */
#pragma once

#include <glib.h>

#include "igd-pci-address.h"
#include "igd-pci.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

/*
 * TRUE when the kernel has DMA remapping on: /sys/kernel/iommu_groups has at
 * least one group (what vfio needs), or /sys/class/iommu has a unit.
 */
gboolean igd_host_iommu_enabled(const IgdSysroot *sysroot);
/* The number of IOMMU groups (/sys/kernel/iommu_groups entries). */
guint igd_host_iommu_group_count(const IgdSysroot *sysroot);
/* TRUE when the kernel command line (/proc/cmdline) has the word @word ("intel_iommu=off"). */
gboolean igd_host_cmdline_has(const IgdSysroot *sysroot, const char *word);
/* TRUE when vfio-pci is loaded (/sys/module/vfio_pci or its driver directory exists). */
gboolean igd_host_vfio_pci_loaded(const IgdSysroot *sysroot);

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
 * The parser under igd_host_framebuffer_claims(): the claims in the
 * /proc/iomem text @iomem (@len bytes) on the @n_bars ranges
 * [@bar_start[i], @bar_end[i]]. IGD_ERROR_DENIED when the text shows no
 * address (read without CAP_SYS_ADMIN).
 */
GPtrArray *igd_host_parse_framebuffer_claims(const char *iomem, gsize len, const guint64 *bar_start,
                                             const guint64 *bar_end, guint n_bars,
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
/* The parser under igd_host_dmar_faults(): the DMAR faults of @addr in the log text @log (@len bytes). */
guint igd_host_parse_dmar_faults(const char *log, gsize len, const IgdPciAddress *addr, gboolean *ongoing);
guint igd_host_dmar_faults(const IgdSysroot *sysroot, const IgdPciAddress *addr, gboolean *ongoing,
                           GError **error);

/*
 * The kernel log as igd_host_dmar_faults() reads it: /dev/kmsg read without
 * blocking (one record per read on the real device, records overwritten
 * meanwhile skipped), at most 64 MiB; under a sysroot, dev/kmsg is a
 * regular file of records. NOT_FOUND / IO as igd_host_dmar_faults().
 */
GBytes *igd_host_read_kmsg(const IgdSysroot *sysroot, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * The vfio-pci disable_vga parameter (/sys/module/vfio_pci/parameters/disable_vga,
 * "Y"/"N"/"1"/"0"). FALSE with IGD_ERROR_NOT_FOUND when vfio-pci is not
 * loaded (or built without VGA support), IGD_ERROR_INVALID for another value.
 */
gboolean igd_host_vfio_disable_vga(const IgdSysroot *sysroot, gboolean *disable_vga, GError **error);

/*
 * The IOMMU address width guests can use: the smallest MGAW ("maximum
 * guest address width") of every Intel VT-d unit, the capability register's
 * bits 21:16 plus 1 (Linux drivers/iommu/intel/iommu.h cap_mgaw()). Each unit's
 * register is read from /sys/class/iommu/<unit>/intel-iommu/cap (a link to
 * /sys/devices/virtual/iommu/dmarN; the kernel prints it with "%llx\n":
 * lower-case hex, no 0x, no leading zeros). Guest physical addresses above
 * 2^width cannot be mapped for DMA (QEMU docs/igd-assign.txt, "Known issues").
 * *@units (may be NULL) is the number of units read. NOT_FOUND when no unit
 * has that file (DMA remapping off, or not Intel VT-d); INVALID when a cap
 * file is not what the kernel writes (not a regular file, empty, not hex,
 * more than 16 digits); IO when one cannot be read. Nothing blocks: a FIFO
 * in place of the file is refused, not opened for reading.
 */
#define IGD_HOST_IOMMU_CAP_MAX 64 /* bytes of a cap file: 16 digits and a newline are the most the kernel writes */
gboolean igd_host_iommu_address_width(const IgdSysroot *sysroot, guint *width, guint *units, GError **error);

/* VT-d MGAW of a capability register value: bits 21:16 plus 1 (cap_mgaw()). */
#define IGD_HOST_CAP_MGAW(cap) ((guint)(((cap) >> 16) & 0x3f) + 1)

/*
 * The host CPU's physical address bits: the first "address sizes : N bits
 * physical, M bits virtual" line of /proc/cpuinfo (arch/x86/kernel/cpu/proc.c),
 * what QEMU's -cpu host gives a guest (host-phys-bits). NOT_FOUND without
 * the file or the line, INVALID when N is not a number from 32 to 64.
 */
gboolean igd_host_cpu_phys_bits(const IgdSysroot *sysroot, guint *bits, GError **error);

/* The running kernel's release (/proc/sys/kernel/osrelease), e.g. "6.1.0-28-amd64". */
char *igd_host_kernel_release(const IgdSysroot *sysroot, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Parse the leading "MAJOR.MINOR" of a kernel release. FALSE with
 * IGD_ERROR_INVALID when it does not start that way.
 */
gboolean igd_host_parse_kernel_version(const char *release, guint *major, guint *minor, GError **error);

/*
 * The OpRegion of a device as the host exposes it: the VFIO OpRegion region
 * when bound to vfio-pci (@driver), else i915's debugfs copy. *@source is
 * "vfio" or "debugfs". NULL with an error saying which sources were tried.
 */
GBytes *igd_host_read_opregion(const IgdSysroot *sysroot, const IgdPciAddress *addr, const char *driver,
                               char **source, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/*
 * The host path of i915's debugfs @file ("i915_opregion", "i915_vbt") for
 * @addr: /sys/kernel/debug/dri/<pci name>/@file, or the numbered minor
 * whose "name" says "dev=<pci name>". NULL when neither exists.
 */
char *igd_host_debugfs_path(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                            const char *file) G_GNUC_WARN_UNUSED_RESULT;
/* The VBT from i915's debugfs (`i915_vbt`), for hosts where the OpRegion is not readable. */
GBytes *igd_host_read_debugfs_vbt(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                                  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
