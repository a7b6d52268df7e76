/*
 * igd-requirements.c: the table of what IGD assignment needs, judged over a
 * snapshot (see igd-requirements.h). Each row is one requirement; its
 * judgement speaks in the scopes it lists and says nothing (NULL) where it
 * has nothing to say. Messages and hints are written here once: `check`,
 * `inspect`, `rewrite`, the hook and `status` print these sentences.
 *
 * Rules worth knowing:
 *  - IOMMU group: vfio accepts a group whose other members are bridges
 *    (igd_pci_iommu_group_others(), the rule igd-bind applies too).
 *  - Kernel: the vfio IGD regions (OpRegion, host and LPC bridge config)
 *    came with Linux 4.6, and until 6.15 only for VGA-class devices
 *    (drivers/vfio/pci/vfio_pci.c, vfio_pci_is_intel_display() since 6.15).
 *  - Legacy mode needs Sandy Bridge or newer, vfio-pci VGA access, those
 *    regions, a ROM image for the guest's firmware (x86 VGA BIOS for
 *    SeaBIOS, EFI GOP for OVMF), an i440fx machine and a QEMU that engages
 *    legacy mode for this IGD and emulates BDSM where the guest reads it.
 *  - UPT: guest drivers support it from Broadwell (gen 8) on (SPEC.md §1).
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-requirements.h"

#define SCOPE(s) (1u << (s))
#define S_CHECK  SCOPE(IGD_SCOPE_CHECK)
#define S_LEGACY SCOPE(IGD_SCOPE_LEGACY)
#define S_UPT    SCOPE(IGD_SCOPE_UPT)
#define S_START  SCOPE(IGD_SCOPE_START)

typedef struct {
    const IgdSnapshot *s;
    IgdScope scope;
    const IgdGuest *guest;
    const char *id;
    const char *what;
} Judge;

typedef IgdFinding *(*JudgeFunc)(const Judge *j);

/* A row that judges the guest alone (no snapshot needed): its parts are this. */
#define GUEST_ONLY ((IgdSnapshotParts)(1u << 30))

typedef struct {
    const char *id;
    const char *what;     /* the text after "Checking for " */
    guint scopes;
    IgdSnapshotParts parts; /* what the judgement reads beyond the device (GUEST_ONLY: no snapshot at all) */
    JudgeFunc judge;
    IgdSnapshotParts also;  /* read too when gathered (gatherers ask for them), judged as unknown otherwise */
} Requirement;

static IgdFinding *say(const Judge *j, IgdSeverity severity, const char *hint, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static IgdFinding *
say(const Judge *j, IgdSeverity severity, const char *hint, const char *fmt, ...)
{
    g_autofree char *message = NULL;
    va_list ap;

    va_start(ap, fmt);
    message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return igd_finding_new(j->id, severity, j->what, message, hint);
}

void
igd_guest_init(IgdGuest *guest)
{
    memset(guest, 0, sizeof(*guest));
    guest->x_igd_gms = -1;
    guest->phys_bits = -1;
    guest->legacy_mode = IGD_QEMU_LEGACY_AUTO;
}

char *
igd_requirements_phys_bits_fix(gboolean cpu_host, guint width)
{
    if (cpu_host)
        return g_strdup_printf("limit the guest to %u physical address bits: `igd-assign setup DOMAIN` adds "
                               "<qemu:commandline> -global max-x86_64-cpu.host-phys-bits-limit=%u (QEMU ignores "
                               "<maxphysaddr mode='emulate'> for host-passthrough; libvirt 9.3+ also takes "
                               "<maxphysaddr mode='passthrough' limit='%u'/>)", width, width, width);
    return g_strdup_printf("limit the guest to %u physical address bits: `igd-assign setup DOMAIN` sets "
                           "<cpu><maxphysaddr mode='emulate' bits='%u'/></cpu>", width, width);
}

/* The host graphics driver of this IGD: "xe" for the parts only xe drives (igd-devices.c), else "i915". */
static const char *
host_driver(const IgdSnapshot *s)
{
    return s->platform && s->platform->driver ? s->platform->driver : "i915";
}

/* The fix for a device held by a host driver, naming the device as virsh does (pci_0000_00_02_0). */
static char *
hint_detach(const IgdSnapshot *s)
{
    char nodedev[17];

    igd_pci_address_nodedev_name(&s->addr, nodedev);
    return g_strdup_printf("detach it from the host driver: `virsh nodedev-detach %s` and use "
                           "<hostdev managed='no'>, or `igd-assign setup DOMAIN` (driver_override vfio-pci)",
                           nodedev);
}

/* ---- the rows ---- */

static IgdFinding *
judge_present(const Judge *j)
{
    return say(j, IGD_SEVERITY_PASS, NULL, "%s is %04x:%04x class 0x%06x", j->s->name, j->s->vendor_id,
               j->s->device_id, j->s->class_code);
}

static IgdFinding *
judge_machine(const Judge *j)
{
    const char *machine = j->guest->machine;
    IgdMachineKind kind = igd_machine_kind(machine);

    if (kind == IGD_MACHINE_I440FX)
        return say(j, IGD_SEVERITY_PASS, NULL, "machine '%s' is i440fx, so 1f.0 is free for QEMU's LPC bridge",
                   machine ? machine : "pc");
    return say(j, IGD_SEVERITY_FAIL, "use an i440fx machine ('pc') for legacy mode, or UPT mode",
               "machine '%s' is not i440fx (%s)", machine,
               kind == IGD_MACHINE_Q35 ? "q35 has its own LPC bridge at 1f.0"
                                       : "legacy mode needs i440fx's host bridge and a free 1f.0");
}

static IgdFinding *
judge_generation(const Judge *j)
{
    const IgdPlatformInfo *p = j->s->platform;

    if (p == NULL && j->scope == IGD_SCOPE_UPT)
        /* an IGD newer than the table: UPT needs nothing of its generation that could be checked */
        return say(j, IGD_SEVERITY_WARN, "update igd-assign, or check the IGD's guest driver support by hand",
                   "device id 0x%04x is not in igd-assign's table (newer than this version?): its UPT support is "
                   "not checked", j->s->device_id);
    if (p == NULL)
        return say(j, IGD_SEVERITY_FAIL, "IGD assignment needs a known Sandy Bridge or newer IGD",
                   "device id 0x%04x is not a known Intel IGD", j->s->device_id);
    switch (j->scope) {
    case IGD_SCOPE_LEGACY:
        if (p->gen < 6)
            return say(j, IGD_SEVERITY_FAIL, "IGD assignment needs Sandy Bridge (generation 6) or newer",
                       "%s (gen %u) is older than SandyBridge", p->platform, p->gen);
        return say(j, IGD_SEVERITY_PASS, NULL, "%s (gen %u) is SandyBridge or newer", p->platform, p->gen);
    case IGD_SCOPE_UPT:
        if (p->gen < 8)
            return say(j, IGD_SEVERITY_FAIL, "use legacy mode for this IGD",
                       "%s (gen %u) has no guest driver support for UPT, which starts with Broadwell", p->platform,
                       p->gen);
        return say(j, IGD_SEVERITY_PASS, NULL, "%s (gen %u) has guest driver support for UPT", p->platform, p->gen);
    default:
        break;
    }
    if (p->gen < 6)
        return say(j, IGD_SEVERITY_FAIL, "IGD assignment needs Sandy Bridge (generation 6) or newer",
                   "%s (generation %u) is older than Sandy Bridge", p->platform, p->gen);
    if (p->gen < 8)
        return say(j, IGD_SEVERITY_PASS, NULL,
                   "%s (generation %u): legacy mode only, guest drivers support UPT from Broadwell on", p->platform,
                   p->gen);
    return say(j, IGD_SEVERITY_PASS, NULL, "%s (generation %u)", p->platform, p->gen);
}

static IgdFinding *
judge_iommu(const Judge *j)
{
    if (j->s->iommu_enabled)
        return say(j, IGD_SEVERITY_PASS, NULL, "DMA remapping is on (%u IOMMU groups)", j->s->iommu_groups);
    if (j->s->iommu_off_cmdline)
        return say(j, IGD_SEVERITY_FAIL, "remove intel_iommu=off and boot with intel_iommu=on",
                   "DMA remapping is off: the kernel was booted with intel_iommu=off");
    return say(j, IGD_SEVERITY_FAIL, "enable VT-d in the BIOS and boot with intel_iommu=on",
               "DMA remapping is off: no IOMMU groups in /sys/kernel/iommu_groups");
}

static IgdFinding *
judge_iommu_group(const Judge *j)
{
    const IgdSnapshot *s = j->s;
    g_autoptr(GString) others = g_string_new(NULL);

    if (s->iommu_group < 0)
        return say(j, IGD_SEVERITY_FAIL, "enable VT-d in the BIOS and boot with intel_iommu=on",
                   "%s is in no IOMMU group", s->name);
    if (s->iommu_group_others == NULL)
        return say(j, IGD_SEVERITY_WARN, "check /sys/kernel/iommu_groups", "cannot list IOMMU group %d: %s",
                   s->iommu_group, s->iommu_group_error ? s->iommu_group_error->message : "unknown");
    if (s->iommu_group_others->len == 0)
        return say(j, IGD_SEVERITY_PASS, NULL, "%s is alone in IOMMU group %d", s->name, s->iommu_group);
    for (guint i = 0; i < s->iommu_group_others->len; i++)
        g_string_append_printf(others, "%s%s", i ? ", " : "", (const char *)s->iommu_group_others->pdata[i]);
    return say(j, IGD_SEVERITY_FAIL,
               "every device of an IOMMU group goes to the guest together: the IGD must be alone in its "
               "group (check the BIOS VT-d/ACS settings)",
               "IOMMU group %d also holds %s", s->iommu_group, others->str);
}

/*
 * The IOMMU address width (QEMU docs/igd-assign.txt, "Known issues"): with
 * OVMF, a guest whose physical address bits exceed the IOMMU's gets its
 * 64-bit PCI BARs placed where VFIO cannot map them for DMA
 * (`vfio_container_dma_map(...) = -22 (Invalid argument)`). Not every OVMF
 * places them that high, and a host CPU no wider than the IOMMU does no harm,
 * so an unbounded guest is a WARN, not a FAIL.
 */
static IgdFinding *
judge_iommu_width(const Judge *j)
{
    const IgdSnapshot *s = j->s;
    guint w = s->iommu_width;
    gint bits = j->guest->phys_bits;
    g_autofree char *fix = NULL;
    g_autofree char *got = NULL;

    if (j->scope == IGD_SCOPE_CHECK) {
        if (w == 0)
            return say(j, IGD_SEVERITY_WARN,
                       "OVMF guests need at most the IOMMU's address width in physical address bits: read it from "
                       "/sys/class/iommu/dmar*/intel-iommu/cap (bits 21:16, plus 1) with DMA remapping on",
                       "%s", s->iommu_width_error ? s->iommu_width_error->message : "IOMMU address width unknown");
        return say(j, IGD_SEVERITY_PASS, NULL, "%u bits (the smallest of %u VT-d unit%s): OVMF guests get at most %u "
                   "physical address bits", w, s->iommu_units, s->iommu_units == 1 ? "" : "s", w);
    }
    if (!j->guest->ovmf || w == 0 || w >= IGD_QEMU_PHYS_BITS_MAX)
        return NULL; /* SeaBIOS keeps BARs low; unknown width: the check says so; nothing can exceed 52 */
    if (bits > 0 && (guint)bits <= w)
        return say(j, IGD_SEVERITY_PASS, NULL, "the guest CPU gets at most %d physical address bits, within the "
                   "IOMMU's %u", bits, w);
    fix = igd_requirements_phys_bits_fix(j->guest->cpu_host, w);
    got = bits > 0 ? g_strdup_printf("%d", bits) : g_strdup("the host CPU's (unknown here)");
    return say(j, IGD_SEVERITY_WARN, fix,
               "the OVMF guest's CPU gets %s physical address bits, more than the IOMMU's %u: OVMF may place 64-bit "
               "PCI BARs where VFIO cannot map them (QEMU: vfio_container_dma_map(...) = -22)", got, w);
}

static IgdFinding *
judge_vfio_pci(const Judge *j)
{
    if (j->s->vfio_pci_loaded)
        return say(j, IGD_SEVERITY_PASS, NULL, "vfio-pci is loaded");
    return say(j, IGD_SEVERITY_FAIL, "`modprobe vfio-pci` (and list it in /etc/modules-load.d/ to load it at boot)",
               "vfio-pci is not loaded");
}

static IgdFinding *
judge_vfio_vga(const Judge *j)
{
    const IgdSnapshot *s = j->s;
    const char *fix = "set `options vfio-pci disable_vga=0` in /etc/modprobe.d/ (or vfio-pci.disable_vga=0 on the "
                      "kernel command line) for legacy mode";

    if (j->scope == IGD_SCOPE_LEGACY) {
        if (s->vfio_vga_known && s->vfio_disable_vga)
            return say(j, IGD_SEVERITY_FAIL, fix,
                       "vfio-pci has VGA support disabled (disable_vga=1; QEMU: \"failed getting region info for "
                       "VGA region index 8\")");
        return NULL; /* off, or unknown: nothing against legacy mode */
    }
    if (!s->vfio_vga_known)
        return say(j, IGD_SEVERITY_WARN,
                   s->vfio_pci_loaded ? "legacy mode needs a kernel with CONFIG_VFIO_PCI_VGA" : "`modprobe vfio-pci`",
                   "cannot tell: %s", s->vfio_vga_error ? s->vfio_vga_error->message : "unknown");
    if (s->vfio_disable_vga)
        return say(j, IGD_SEVERITY_WARN, fix,
                   "vfio-pci disable_vga is on: legacy mode is impossible (QEMU: failed getting region info for "
                   "VGA region index 8); UPT is unaffected");
    return say(j, IGD_SEVERITY_PASS, NULL, "vfio-pci disable_vga is off");
}

static IgdFinding *
judge_driver(const Judge *j)
{
    const IgdSnapshot *s = j->s;
    g_autofree char *detach = hint_detach(s);
    g_autofree char *hint = NULL;
    char nodedev[17];

    if (j->scope == IGD_SCOPE_START) {
        const char *now = s->driver ? s->driver : "no driver";

        if (g_strcmp0(s->driver, "vfio-pci") == 0)
            return say(j, IGD_SEVERITY_PASS, NULL, "host device %s is bound to vfio-pci", s->name);
        /* after a reboot the IGD is back on i915: whoever binds it for this start is not the user */
        switch (j->guest->binder) {
        case IGD_BINDER_DAEMON:
            return say(j, IGD_SEVERITY_NOTE, NULL, "host device %s is bound to %s: igd-assignd will bind it to vfio-pci",
                       s->name, now);
        case IGD_BINDER_LIBVIRT:
            return say(j, IGD_SEVERITY_NOTE, NULL,
                       "host device %s is bound to %s: libvirt detaches it for the start (managed='yes')", s->name,
                       now);
        case IGD_BINDER_NONE:
            break;
        }
        igd_pci_address_nodedev_name(&s->addr, nodedev);
        hint = g_strdup_printf("run: igd-assign setup DOMAIN (or: virsh nodedev-detach %s)", nodedev);
        if (s->driver != NULL)
            return say(j, IGD_SEVERITY_FAIL, hint, "host device %s is bound to %s, not vfio-pci", s->name,
                       s->driver);
        return say(j, IGD_SEVERITY_FAIL, hint, "host device %s is bound to no driver, not vfio-pci", s->name);
    }
    if (g_strcmp0(s->driver, "vfio-pci") == 0)
        return say(j, IGD_SEVERITY_PASS, NULL, "%s is bound to vfio-pci%s", s->name,
                   g_strcmp0(s->driver_override, "vfio-pci") == 0 ? " (driver_override vfio-pci)" : "");
    if (s->driver == NULL) {
        if (g_strcmp0(s->driver_override, "vfio-pci") == 0) {
            hint = g_strdup_printf("`echo %s > /sys/bus/pci/drivers_probe` or `igd-assign setup DOMAIN`", s->name);
            return say(j, IGD_SEVERITY_WARN, hint, "%s is bound to no driver (driver_override vfio-pci)", s->name);
        }
        return say(j, IGD_SEVERITY_WARN, detach, "%s is bound to no driver", s->name);
    }
    if (g_str_equal(s->driver, "i915") || g_str_equal(s->driver, "xe"))
        return say(j, IGD_SEVERITY_FAIL, detach, "%s is bound to %s, the host graphics driver", s->name, s->driver);
    return say(j, IGD_SEVERITY_FAIL, detach, "%s is bound to %s", s->name, s->driver);
}

/* The kernel arguments that keep each framebuffer driver of @claims off the BARs. */
static char *
framebuffer_hint(GPtrArray *claims)
{
    g_autoptr(GString) hint = g_string_new(NULL);
    gboolean efi = FALSE, sysfb = FALSE, vesa = FALSE;

    for (guint i = 0; i < claims->len; i++) {
        const char *c = g_ptr_array_index(claims, i);
        if (g_ascii_strncasecmp(c, "efifb", 5) == 0)
            efi = TRUE;
        else if (g_ascii_strncasecmp(c, "vesafb", 6) == 0)
            vesa = TRUE;
        else
            sysfb = TRUE;
    }
    if (efi)
        g_string_append(hint, "boot with video=efifb:off (and initcall_blacklist=sysfb_init on 5.15+)");
    if (vesa)
        g_string_append_printf(hint, "%sboot with video=vesafb:off", hint->len ? "; " : "");
    if (sysfb && !efi)
        g_string_append_printf(hint, "%sboot with initcall_blacklist=sysfb_init (sysfb's simple-framebuffer "
                               "registers BOOTFB)", hint->len ? "; " : "");
    return g_string_free(g_steal_pointer(&hint), FALSE);
}

static IgdFinding *
judge_framebuffer(const Judge *j)
{
    const IgdSnapshot *s = j->s;
    g_autoptr(GString) list = g_string_new(NULL);
    g_autofree char *hint = NULL;

    if (s->fb_claims == NULL) {
        /* no memory BAR to hold, or /proc/iomem missing: nothing a start must refuse for */
        if (j->scope == IGD_SCOPE_START && g_error_matches(s->fb_error, IGD_ERROR, IGD_ERROR_NOT_FOUND))
            return NULL;
        return say(j, j->scope == IGD_SCOPE_START ? IGD_SEVERITY_FAIL : IGD_SEVERITY_WARN,
                   j->scope == IGD_SCOPE_START ? "igd-assign check shows the host's state"
                   : g_error_matches(s->fb_error, IGD_ERROR, IGD_ERROR_DENIED) ? "run as root"
                                                                               : "check /proc/iomem by hand",
                   j->scope == IGD_SCOPE_START ? "cannot check framebuffer claims on %s: %s" : "cannot tell%s: %s",
                   j->scope == IGD_SCOPE_START ? s->name : "",
                   s->fb_error ? s->fb_error->message : "unknown");
    }
    if (s->fb_claims->len == 0)
        return say(j, IGD_SEVERITY_PASS, NULL, "no efifb/vesafb/simplefb/BOOTFB range inside a BAR of %s", s->name);
    hint = framebuffer_hint(s->fb_claims);
    if (j->scope == IGD_SCOPE_START)
        return say(j, IGD_SEVERITY_FAIL, hint, "a framebuffer driver holds a BAR of %s (%s): QEMU could not map it",
                   s->name, (const char *)g_ptr_array_index(s->fb_claims, 0));
    for (guint i = 0; i < s->fb_claims->len; i++)
        g_string_append_printf(list, "%s%s", i ? ", " : "", (const char *)g_ptr_array_index(s->fb_claims, i));
    return say(j, IGD_SEVERITY_FAIL, hint, "%s inside the BARs of %s (QEMU: Failed to mmap BAR, slow or no display)",
               list->str, s->name);
}

static gboolean
kernel_at_least(const IgdSnapshot *s, guint major, guint minor)
{
    return s->kernel_major > major || (s->kernel_major == major && s->kernel_minor >= minor);
}

static IgdFinding *
judge_kernel(const Judge *j)
{
    const IgdSnapshot *s = j->s;
    gboolean vga_class = (s->class_code >> 8) == 0x0300;

    if (j->scope == IGD_SCOPE_LEGACY) {
        if (s->kernel_release != NULL && !kernel_at_least(s, 4, 6))
            return say(j, IGD_SEVERITY_FAIL, "upgrade to Linux 4.6 or newer",
                       "the host kernel lacks the vfio IGD extensions (Linux 4.6)");
        return NULL;
    }
    if (s->kernel_release == NULL)
        return say(j, IGD_SEVERITY_WARN, "Linux 4.6 or newer is needed", "cannot tell the kernel version: %s",
                   s->kernel_error ? s->kernel_error->message : "unknown");
    if (!kernel_at_least(s, 4, 6))
        return say(j, IGD_SEVERITY_FAIL, "upgrade to Linux 4.6 or newer",
                   "kernel %s has no vfio IGD regions (OpRegion, host and LPC bridge: Linux 4.6+)", s->kernel_release);
    if (!vga_class && !kernel_at_least(s, 6, 15))
        return say(j, IGD_SEVERITY_FAIL,
                   "upgrade to Linux 6.15 or newer, or make the IGD the primary display in the BIOS (VGA class)",
                   "kernel %s exposes the IGD regions only for VGA-class devices and %s is class 0x%06x "
                   "(display class beyond VGA since Linux 6.15)", s->kernel_release, s->name, s->class_code);
    return say(j, IGD_SEVERITY_PASS, NULL, "kernel %s has the vfio IGD regions", s->kernel_release);
}

void
igd_requirements_rom_way_out(const IgdSnapshot *s, char **seabios, char **uefi)
{
    gboolean gen11 = s->platform && s->platform->gen >= 11;

    *seabios = gen11 ? NULL
                     : g_strdup("legacy BIOS (SeaBIOS) guests: the IGD's VGA BIOS with `igd-assign rewrite --romfile "
                                "FILE` (`igd-assign dump rom` where the host booted it, legacy/CSM, or extracted from "
                                "the host firmware)");
    *uefi = g_strdup_printf("UEFI (OVMF) guests: `igd-assign rom build -o igd.rom --device %s --efi "
                            "IgdAssignmentDxe.efi PlatformGopPolicy.efi IntelGopDriver.efi`, then --romfile igd.rom "
                            "(IgdAssignmentDxe and PlatformGopPolicy: built from VfioIgdPkg with EDK2%s; "
                            "IntelGopDriver: extracted from the host firmware, for a display before the guest's "
                            "driver; see No VGA ROM in igd-assign's GUIDE.md)", s->name,
                            gen11 ? ", whose IgdAssignmentDxe knows the 64-bit BDSM of generation 11 and newer" : "");
}

/* One hint of both ways out. */
static char *
rom_way_out_hint(const IgdSnapshot *s)
{
    g_autofree char *seabios = NULL;
    g_autofree char *uefi = NULL;

    igd_requirements_rom_way_out(s, &seabios, &uefi);
    if (seabios == NULL)
        return g_strdup_printf("%s; SeaBIOS cannot serve generation %u (it sets only the 32-bit BDSM)", uefi,
                               s->platform->gen);
    return g_strdup_printf("%s; %s", seabios, uefi);
}

static IgdFinding *
judge_rom(const Judge *j)
{
    const IgdSnapshot *s = j->s;
    g_autoptr(GString) images = g_string_new(NULL);
    gboolean mismatch = FALSE;
    const char *rom_name = igd_snapshot_rom_is_file(s) ? "ROM file" : "IGD's ROM";

    if (j->scope == IGD_SCOPE_LEGACY) {
        gboolean ovmf = j->guest->ovmf;

        if (j->guest->romfile_unchecked)
            return NULL; /* a ROM file the snapshot does not describe: the domain's concern */
        if (s->rom == NULL && ovmf) {
            g_autofree char *seabios = NULL;
            g_autofree char *uefi = NULL;
            igd_requirements_rom_way_out(s, &seabios, &uefi);
            if (s->qemu != NULL)
                return say(j, IGD_SEVERITY_FAIL, uefi,
                           "the IGD's ROM could not be read (give one with --romfile; QEMU %u.%u: %s)", s->qemu->major,
                           s->qemu->minor, igd_qemu_no_rom_message(s->qemu));
            return say(j, IGD_SEVERITY_FAIL, uefi,
                       "the IGD's ROM could not be read (give one with --romfile; QEMU: \"has no ROM, legacy mode "
                       "disabled\")");
        }
        if (s->rom == NULL && s->qemu != NULL)
            return say(j, IGD_SEVERITY_FAIL,
                       "give a VGA ROM with `igd-assign rewrite --romfile FILE` (<rom file=...>)",
                       "the IGD's ROM could not be read (give one with --romfile; QEMU %u.%u: %s)", s->qemu->major,
                       s->qemu->minor, igd_qemu_no_rom_message(s->qemu));
        if (s->rom == NULL)
            return say(j, IGD_SEVERITY_FAIL,
                       "give a VGA ROM with `igd-assign rewrite --romfile FILE` (<rom file=...>)",
                       "the IGD's ROM could not be read (give one with --romfile; QEMU: \"has no ROM, legacy mode "
                       "disabled\")");
        if (ovmf && !igd_rom_has_efi_gop(s->rom))
            return say(j, IGD_SEVERITY_FAIL, "give a ROM with an EFI GOP image (--romfile)",
                       "the domain boots OVMF and the %s has no EFI GOP image", rom_name);
        if (!ovmf && !igd_rom_has_legacy(s->rom))
            return say(j, IGD_SEVERITY_FAIL, "give a VGA BIOS with --romfile",
                       "the domain boots SeaBIOS and the %s has no legacy VGA BIOS image", rom_name);
        return say(j, IGD_SEVERITY_PASS, NULL, "the %s has the image the firmware (%s) needs", rom_name,
                   ovmf ? "OVMF" : "SeaBIOS");
    }
    if (s->rom == NULL && s->rom_size == 0) {
        g_autofree char *hint = rom_way_out_hint(s);
        return say(j, IGD_SEVERITY_WARN, hint, "no ROM readable: %s",
                   s->rom_error ? s->rom_error->message : "unknown");
    }
    if (s->rom == NULL) {
        g_autofree char *hint = rom_way_out_hint(s);
        return say(j, IGD_SEVERITY_FAIL, hint, "the ROM of %s is invalid: %s", s->name,
                   s->rom_error ? s->rom_error->message : "unknown");
    }
    for (guint i = 0; i < igd_rom_get_n_images(s->rom); i++) {
        const IgdRomImage *im = igd_rom_get_image(s->rom, i);
        g_string_append_printf(images, "%s%s %04x:%04x", i ? ", " : "", igd_rom_code_type_name(im->code_type),
                               im->vendor_id, im->device_id);
        if (im->vendor_id != IGD_PCI_VENDOR_INTEL)
            mismatch = TRUE;
    }
    if (!igd_rom_has_legacy(s->rom))
        return say(j, IGD_SEVERITY_WARN,
                   "legacy mode needs an x86 VGA BIOS image: give one with `igd-assign rewrite --romfile FILE`",
                   "the ROM has no x86 VGA BIOS image (%s)", images->str);
    if (mismatch)
        return say(j, IGD_SEVERITY_WARN, "use the VGA BIOS of this IGD (--romfile)", "the ROM names another vendor (%s)",
                   images->str);
    return say(j, IGD_SEVERITY_PASS, NULL, "valid ROM: %s", images->str);
}

/*
 * The guest firmware's part: placing the OpRegion (etc/igd-opregion) and the
 * stolen memory, and writing its base to the BDSM register the IGD reads.
 *  - SeaBIOS (src/fw/pciinit.c intel_igd_setup(), rel-1.16.2 line 325, the
 *    same at 41514a7 line 330): "pci_config_writel(dev->bdf, 0x5C,
 *    cpu_to_le32((u32)addr));", never 0xC0; QEMU's docs/igd-assign.txt
 *    (v10.2.0): "Upstream Seabios has OpRegion and BDSM (pre-Gen11 device
 *    only) support." A gen 11+ IGD (64-bit BDSM at 0xC0) keeps BDSM unset
 *    under SeaBIOS: legacy mode cannot work.
 *  - OVMF has no IGD support upstream; IgdAssignmentDxe comes as a driver or
 *    option ROM in two lineages. The original (Red Hat 2018, VfioIgdPkg's
 *    import c64d051f) writes BDSM 32-bit at 0x5C only and fails as a whole
 *    (EFI_PROTOCOL_ERROR: no OpRegion either) on an etc/igd-bdsm-size that
 *    is not 8 bytes or is 0. VfioIgdPkg from 7802f4a (2025-05-05, "Get DSM
 *    size directly from device") takes the size from the guest's GGC,
 *    never reads etc/igd-bdsm-size, writes 0xC0 (64 bit) on gen 11/12 and
 *    nothing from Meteor Lake on. Which one a guest runs is not known here:
 *    what only VfioIgdPkg gets right is a WARN naming it.
 */
static IgdFinding *
judge_firmware(const Judge *j)
{
    const IgdSnapshot *s = j->s;
    const IgdPlatformInfo *p = s->platform;
    const char *vfioigdpkg = "boot OVMF with VfioIgdPkg's IgdAssignmentDxe (github.com/tomitamoeko/VfioIgdPkg, "
                             "7802f4a or later)";
    gboolean bdsm64 = p != NULL && igd_gmch_bdsm_offset(p) == IGD_BDSM_GEN11;
    IgdQemuIgdModel m = { 0 };
    IgdQemuModelRequest req;
    gboolean zero = FALSE;

    if (p == NULL)
        return NULL;
    if (!j->guest->ovmf) {
        if (j->scope != IGD_SCOPE_LEGACY || !bdsm64)
            return NULL; /* UPT: no firmware programs BDSM off 00:02.0; pre-gen 11 or no BDSM: nothing to say */
        return say(j, IGD_SEVERITY_FAIL, "boot OVMF with VfioIgdPkg's IgdAssignmentDxe (it writes 0xC0 on gen "
                   "11/12), or use UPT mode",
                   "SeaBIOS writes the stolen memory base only to BDSM at 0x5C (pre-gen 11); %s (gen %u) reads it "
                   "at 0xC0, which stays unset in the guest", p->platform, p->gen);
    }
    igd_snapshot_model_request(s, &req);
    req.x_igd_gms = j->guest->x_igd_gms;
    req.machine = j->guest->machine;
    if (s->qemu != NULL && igd_qemu_model_igd(s->qemu, &req, &m, NULL))
        zero = m.bdsm_size_file && m.bdsm_size == 0 && m.crash == IGD_QEMU_CRASH_NONE && s->gmch_valid;
    igd_qemu_igd_model_clear(&m);
    if (zero)
        return say(j, IGD_SEVERITY_WARN, vfioigdpkg,
                   "QEMU %u.%u writes etc/igd-bdsm-size 0 for %s: the original IgdAssignmentDxe refuses it and sets "
                   "up nothing, not even the OpRegion; VfioIgdPkg's (7802f4a on) does not read it",
                   s->qemu->major, s->qemu->minor, p->platform);
    if (j->scope == IGD_SCOPE_LEGACY && bdsm64)
        return say(j, IGD_SEVERITY_WARN, vfioigdpkg,
                   "%s (gen %u) reads BDSM at 0xC0: VfioIgdPkg's IgdAssignmentDxe writes it there, the original "
                   "writes 0x5C only", p->platform, p->gen);
    return NULL;
}

static IgdFinding *
judge_opregion(const Judge *j)
{
    const IgdSnapshot *s = j->s;
    g_autoptr(GBytes) vbt = NULL;

    if (!s->gmch_valid || !s->gmch.asls_present)
        return say(j, IGD_SEVERITY_WARN, "check that config space is readable (run as root)",
                   "cannot read ASLS from the config space of %s%s%s", s->name, s->config_error ? ": " : "",
                   s->config_error ? s->config_error->message : "");
    if (s->gmch.asls == 0)
        return say(j, IGD_SEVERITY_FAIL, "the firmware set no OpRegion (ASLS = 0): enable the IGD as a display in the BIOS",
                   "ASLS (config 0xfc) of %s is 0: no OpRegion", s->name);
    if (s->opregion == NULL && s->opregion_source == NULL) {
        /* xe builds i915's display code and its debugfs files too (i915_opregion, i915_vbt) */
        g_autofree char *hint = g_strdup_printf("bind the IGD to vfio-pci (VFIO OpRegion region) or mount debugfs "
                                                "with %s bound", host_driver(s));
        return say(j, IGD_SEVERITY_WARN, hint, "OpRegion at 0x%08x not readable here: %s", s->gmch.asls,
                   s->opregion_error ? s->opregion_error->message : "unknown");
    }
    if (s->opregion == NULL)
        return say(j, IGD_SEVERITY_FAIL,
                   "the OpRegion is not usable: pass a good one to the guest with the daemon's OpRegion override",
                   "OpRegion from %s is invalid: %s", s->opregion_source,
                   s->opregion_error ? s->opregion_error->message : "unknown");
    vbt = igd_opregion_get_vbt(s->opregion);
    if (vbt == NULL)
        return say(j, IGD_SEVERITY_WARN, "the guest driver will have no VBT: configure a VBT override for the daemon",
                   "OpRegion %u.%u from %s at 0x%08x has no reachable VBT", igd_opregion_get_version_major(s->opregion),
                   igd_opregion_get_version_minor(s->opregion), s->opregion_source, s->gmch.asls);
    return say(j, IGD_SEVERITY_PASS, NULL, "OpRegion %u.%u from %s at 0x%08x, VBT of %" G_GSIZE_FORMAT " bytes",
               igd_opregion_get_version_major(s->opregion), igd_opregion_get_version_minor(s->opregion),
               s->opregion_source, s->gmch.asls, g_bytes_get_size(vbt));
}

static IgdFinding *
judge_dmar(const Judge *j)
{
    const IgdSnapshot *s = j->s;
    guint n = s->dmar_faults;

    if (!s->dmar_known)
        return say(j, IGD_SEVERITY_WARN, "run as root (kernel.dmesg_restrict) to read the kernel log",
                   "cannot read the kernel log: %s", s->dmar_error ? s->dmar_error->message : "unknown");
    if (n == 0)
        return say(j, IGD_SEVERITY_PASS, NULL, "no DMAR faults for %s in the kernel log", s->name);
    if (!s->dmar_ongoing)
        return say(j, IGD_SEVERITY_WARN, "a few faults at the first assignment are harmless; watch for new ones",
                   "%u DMAR fault%s for %s in one burst", n, n == 1 ? "" : "s", s->name);
    return say(j, IGD_SEVERITY_FAIL,
               "give the guest the host's stolen memory (etc/igd-bdsm-size or x-igd-gms, `igd-assign setup`) "
               "and use a firmware with the IGD fw_cfg support",
               "%u DMAR faults for %s, ongoing (spread over time or rate-limited by the kernel)", n, s->name);
}

static IgdFinding *
judge_qemu(const Judge *j)
{
    const IgdQemuCaps *q = j->s->qemu;
    g_autoptr(GString) opts = g_string_new(NULL);

    if (q == NULL)
        return say(j, IGD_SEVERITY_WARN, "install qemu-system-x86", "no QEMU found");
    if (!q->has_vfio_pci)
        return say(j, IGD_SEVERITY_FAIL, "install a QEMU built with VFIO (qemu-system-x86)",
                   "QEMU %u.%u.%u has no vfio-pci device", q->major, q->minor, q->micro);
    if (q->x_igd_opregion)
        g_string_append(opts, " x-igd-opregion");
    if (q->x_igd_gms)
        g_string_append(opts, " x-igd-gms");
    if (q->x_igd_legacy_mode)
        g_string_append(opts, " x-igd-legacy-mode");
    if (q->x_igd_lpc)
        g_string_append(opts, " x-igd-lpc");
    if (opts->len == 0)
        return say(j, IGD_SEVERITY_WARN, "install QEMU 2.7 or newer", "QEMU %u.%u.%u vfio-pci offers no x-igd-* option",
                   q->major, q->minor, q->micro);
    return say(j, IGD_SEVERITY_PASS, NULL, "QEMU %u.%u.%u vfio-pci offers%s", q->major, q->minor, q->micro, opts->str);
}

/* What the installed QEMU does with this IGD in legacy mode on the guest's machine (igd-qemu-model.c). */
static IgdFinding *
judge_qemu_legacy(const Judge *j)
{
    const IgdSnapshot *s = j->s;
    const IgdQemuCaps *q = s->qemu;
    IgdQemuIgdModel m = { 0 };
    IgdQemuModelRequest req;
    IgdFinding *f;

    if (q == NULL || s->platform == NULL)
        return NULL; /* nothing known about QEMU: the caller says so */
    igd_snapshot_model_request(s, &req);
    req.x_igd_gms = j->guest->x_igd_gms;
    req.machine = j->guest->machine;
    if (!igd_qemu_model_igd(q, &req, &m, NULL))
        return NULL;
    if (m.crash != IGD_QEMU_CRASH_NONE)
        f = NULL; /* QEMU dies before legacy mode matters: "qemu-crash" says how */
    else if (!m.legacy_possible)
        f = say(j, IGD_SEVERITY_FAIL, "use UPT mode, or a QEMU that supports legacy mode for this IGD",
                "QEMU %u.%u cannot use legacy mode for this IGD: %s", q->major, q->minor,
                m.legacy_reason ? m.legacy_reason : "unsupported");
    else if (s->gmch_valid && s->gmch.bdsm_offset == 0)
        f = say(j, IGD_SEVERITY_FAIL, "use UPT mode",
                "%s has no BDSM register (stolen memory through LMEMBAR, BAR2) and QEMU %u.%u would emulate one "
                "at 0x%02x for a legacy VGA BIOS", s->platform->platform, q->major, q->minor, m.bdsm_offset);
    else if (s->gmch_valid && s->gmch.bdsm_offset != m.bdsm_offset)
        f = say(j, IGD_SEVERITY_FAIL, "use QEMU 9.2 or later for legacy mode, or UPT mode",
                "QEMU %u.%u emulates BDSM at 0x%02x but %s reads it at 0x%02x (QEMU 9.2 or later knows the 64-bit "
                "register)", q->major, q->minor, m.bdsm_offset, s->platform->platform, s->gmch.bdsm_offset);
    else
        f = say(j, IGD_SEVERITY_PASS, NULL, "QEMU %u.%u supports legacy mode for this IGD", q->major, q->minor);
    igd_qemu_igd_model_clear(&m);
    return f;
}

/* The fix for each way QEMU dies (IgdQemuCrash). */
static char *
crash_hint(const IgdQemuIgdModel *m, const IgdQemuSetup *setup)
{
    switch (m->crash) {
    case IGD_QEMU_CRASH_GMS:
        if (m->x_igd_gms_max == 0)
            return g_strdup("remove x-igd-gms from the domain (`igd-assign rewrite` does): this QEMU does not know "
                            "the device's generation");
        if (m->x_igd_gms_max == 0xfe) /* gen 9+, 10.1+: 32 MiB steps to 0x40, 4 MiB steps from 0xf0 */
            return g_strdup("remove x-igd-gms from the domain (`igd-assign rewrite` does), or give a value this "
                            "QEMU accepts (0 to 0x40, or 0xf0 to 0xfe)");
        return g_strdup_printf("remove x-igd-gms from the domain (`igd-assign rewrite` does), or give a value this "
                               "QEMU accepts (0 to 0x%x)", m->x_igd_gms_max);
    case IGD_QEMU_CRASH_LEGACY_SETUP:
        if (!setup->slot_1f_free)
            return g_strdup("free guest address 00:1f.0 (`igd-assign rewrite --mode legacy`), or set "
                            "x-igd-legacy-mode=off");
        return g_strdup("upgrade to a kernel with the vfio IGD regions (Linux 4.6+), or set x-igd-legacy-mode=off");
    case IGD_QEMU_CRASH_VGA:
        return g_strdup("set `options vfio-pci disable_vga=0` in /etc/modprobe.d/ (a kernel with "
                        "CONFIG_VFIO_PCI_VGA), or use UPT mode (x-igd-legacy-mode=off)");
    default:
        return NULL;
    }
}

/*
 * Would the installed QEMU crash realizing this IGD for this guest
 * (igd-qemu-model.c: a refused x-igd-gms on 10.1+, a failing LPC/OpRegion
 * setup or no VGA region in legacy mode on 10.0+)? LEGACY judges the IGD at
 * 00:02.0 with 1f.0 free (what the mode's rules make of the domain), UPT
 * elsewhere, START the domain as it is. Nothing to say when it starts.
 */
static IgdFinding *
judge_qemu_crash(const Judge *j)
{
    const IgdSnapshot *s = j->s;
    IgdQemuIgdModel m = { 0 };
    IgdQemuModelRequest req;
    IgdQemuSetup *setup = &req.setup;
    IgdFinding *f = NULL;

    if (s->qemu == NULL)
        return NULL;
    igd_snapshot_model_request(s, &req);
    req.x_igd_gms = j->guest->x_igd_gms;
    req.machine = j->guest->machine;
    req.legacy_mode = j->guest->legacy_mode;
    igd_snapshot_qemu_setup(s, setup);
    setup->at_02_0 = j->scope == IGD_SCOPE_LEGACY || (j->scope != IGD_SCOPE_UPT && !j->guest->igd_elsewhere);
    setup->slot_1f_free = j->scope == IGD_SCOPE_LEGACY || !j->guest->slot_1f_taken;
    if (j->guest->romfile_unchecked)
        setup->romfile = TRUE;
    if (!igd_qemu_model_igd(s->qemu, &req, &m, NULL))
        return NULL;
    if (m.crash != IGD_QEMU_CRASH_NONE) {
        g_autofree char *hint = crash_hint(&m, setup);
        f = say(j, IGD_SEVERITY_FAIL, hint, "%s", m.crash_reason);
    }
    igd_qemu_igd_model_clear(&m);
    return f;
}

/*
 * The table. Order is the order of `check` (and of the reasons `auto`
 * gives); "machine" first, as a guest's machine is the first thing legacy
 * mode asks.
 */
static const Requirement requirements[] = {
    { "machine", "i440fx machine", S_LEGACY, GUEST_ONLY, judge_machine, 0 },
    { "igd-present", "Intel IGD present", S_CHECK, 0, judge_present, 0 },
    { "generation", "IGD generation supported", S_CHECK | S_LEGACY | S_UPT, 0, judge_generation, 0 },
    { "iommu", "IOMMU enabled", S_CHECK, IGD_SNAPSHOT_HOST, judge_iommu, 0 },
    { "iommu-group", "IGD IOMMU group assignable", S_CHECK, IGD_SNAPSHOT_HOST, judge_iommu_group, 0 },
    { "iommu-width", "IOMMU address width", S_CHECK | S_LEGACY | S_UPT, IGD_SNAPSHOT_HOST, judge_iommu_width, 0 },
    { "vfio-pci", "VFIO PCI driver", S_CHECK, IGD_SNAPSHOT_HOST, judge_vfio_pci, 0 },
    { "vfio-vga", "VFIO VGA access (disable_vga off)", S_CHECK | S_LEGACY, IGD_SNAPSHOT_HOST, judge_vfio_vga, 0 },
    { "driver", "IGD host driver", S_CHECK | S_START, 0, judge_driver, 0 },
    { "framebuffer", "no framebuffer driver on the IGD BARs", S_CHECK | S_START, IGD_SNAPSHOT_FRAMEBUFFER,
      judge_framebuffer, 0 },
    { "kernel", "kernel vfio IGD support", S_CHECK | S_LEGACY, IGD_SNAPSHOT_HOST, judge_kernel, 0 },
    { "rom", "IGD VGA ROM", S_CHECK | S_LEGACY, IGD_SNAPSHOT_ROM, judge_rom, 0 },
    { "firmware", "guest firmware programs BDSM", S_LEGACY | S_UPT, 0, judge_firmware, IGD_SNAPSHOT_QEMU },
    { "opregion", "IGD OpRegion", S_CHECK, IGD_SNAPSHOT_OPREGION, judge_opregion, 0 },
    { "dmar", "no ongoing DMAR faults", S_CHECK, IGD_SNAPSHOT_DMAR, judge_dmar, 0 },
    { "qemu", "QEMU vfio-pci IGD support", S_CHECK, IGD_SNAPSHOT_QEMU, judge_qemu, 0 },
    { "qemu-legacy", "QEMU legacy mode for this IGD", S_LEGACY, IGD_SNAPSHOT_QEMU, judge_qemu_legacy, 0 },
    { "qemu-crash", "QEMU starts this IGD without crashing", S_LEGACY | S_UPT | S_START, IGD_SNAPSHOT_QEMU,
      judge_qemu_crash, IGD_SNAPSHOT_HOST },
};

IgdSnapshotParts
igd_requirements_parts(IgdScope scope)
{
    guint parts = 0;

    for (gsize i = 0; i < G_N_ELEMENTS(requirements); i++)
        if ((requirements[i].scopes & SCOPE(scope)) && requirements[i].parts != GUEST_ONLY)
            parts |= requirements[i].parts | requirements[i].also;
    if (scope == IGD_SCOPE_CHECK)
        parts |= igd_requirements_parts(IGD_SCOPE_LEGACY) | igd_requirements_parts(IGD_SCOPE_UPT);
    return (IgdSnapshotParts)parts;
}

static void
evaluate(GPtrArray *out, const IgdSnapshot *s, IgdScope scope, const IgdGuest *guest)
{
    for (gsize i = 0; i < G_N_ELEMENTS(requirements); i++) {
        const Requirement *r = &requirements[i];
        Judge j = { s, scope, guest, r->id, r->what };
        IgdFinding *f;

        if (!(r->scopes & SCOPE(scope)))
            continue;
        if (r->parts == GUEST_ONLY ? FALSE : s == NULL || (r->parts & ~s->parts) != 0)
            continue; /* what it judges was not gathered: it has nothing to say */
        f = r->judge(&j);
        if (f != NULL)
            g_ptr_array_add(out, f);
    }
}

/* `check`'s verdict on one mode: PASS, or WARN with its first failed requirement. */
static IgdFinding *
mode_verdict(const IgdSnapshot *s, IgdScope scope, const IgdGuest *guest)
{
    g_autoptr(GPtrArray) findings = igd_findings_new();
    const IgdFinding *fail;
    gboolean legacy = scope == IGD_SCOPE_LEGACY;
    const char *id = legacy ? "legacy" : "upt";
    const char *what = legacy ? "legacy mode possible (i440fx, SeaBIOS)" : "UPT mode possible";

    evaluate(findings, s, scope, guest);
    fail = igd_findings_first(findings, IGD_SEVERITY_FAIL);
    if (fail == NULL)
        return igd_finding_new(id, IGD_SEVERITY_PASS, what,
                               legacy ? "every legacy-mode requirement holds" : "every UPT-mode requirement holds",
                               NULL);
    {
        g_autofree char *message = g_strdup_printf("%s mode is not possible: %s", legacy ? "legacy" : "UPT",
                                                   fail->message);
        return igd_finding_new(id, IGD_SEVERITY_WARN, what, message, fail->hint);
    }
}

GPtrArray *
igd_requirements_evaluate(const IgdSnapshot *s, IgdScope scope, const IgdGuest *guest)
{
    GPtrArray *out = igd_findings_new();
    IgdGuest defaults;

    if (guest == NULL) {
        igd_guest_init(&defaults);
        guest = &defaults;
    }
    evaluate(out, s, scope, guest);
    if (scope == IGD_SCOPE_CHECK && s != NULL) {
        IgdFinding *legacy = mode_verdict(s, IGD_SCOPE_LEGACY, guest);
        IgdFinding *upt = mode_verdict(s, IGD_SCOPE_UPT, guest);

        /* neither mode can work: that fails the host, not only warns */
        if (legacy->severity != IGD_SEVERITY_PASS && upt->severity != IGD_SEVERITY_PASS)
            legacy->severity = upt->severity = IGD_SEVERITY_FAIL;
        g_ptr_array_add(out, legacy);
        g_ptr_array_add(out, upt);
    }
    return out;
}

gboolean
igd_requirements_met(GPtrArray *findings)
{
    return igd_findings_first(findings, IGD_SEVERITY_FAIL) == NULL;
}

GPtrArray *
igd_requirements_check_host(const IgdSysroot *sysroot, const IgdPciAddress *addr, const IgdQemuCaps *qemu,
                            GError **error)
{
    return igd_requirements_check_host_romfile(sysroot, addr, qemu, NULL, error);
}

GPtrArray *
igd_requirements_check_host_romfile(const IgdSysroot *sysroot, const IgdPciAddress *addr, const IgdQemuCaps *qemu,
                                    const char *romfile, GError **error)
{
    g_autoptr(IgdSnapshot) s = NULL;
    g_autoptr(GError) local = NULL;
    IgdPciAddress def = { 0, 0, 2, 0 };
    char name[13];

    if (addr == NULL)
        addr = &def;
    igd_pci_address_format(addr, name);
    if (!igd_sysroot_lookup(sysroot, "/sys/bus/pci/devices", &local)) {
        g_autofree char *p = igd_sysroot_path(sysroot, "/sys/bus/pci/devices");
        if (!g_error_matches(local, IGD_ERROR, IGD_ERROR_NOT_FOUND))
            g_propagate_error(error, g_steal_pointer(&local)); /* a link out of the tree, a loop */
        else
            g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND, "cannot read '%s': no such directory", p);
        return NULL;
    }
    s = igd_snapshot_gather(sysroot, addr, igd_requirements_parts(IGD_SCOPE_CHECK) & ~IGD_SNAPSHOT_QEMU, &local);
    if (s == NULL) {
        GPtrArray *out = igd_findings_new();
        gboolean other = g_error_matches(local, IGD_ERROR, IGD_ERROR_UNSUPPORTED);

        igd_findings_add(out, "igd-present", IGD_SEVERITY_FAIL, "Intel IGD present",
                         other ? "give the PCI address of the Intel IGD (usually 0000:00:02.0)"
                               : "enable the integrated graphics in the BIOS (iGPU, IGD multi-monitor)",
                         "%s", local->message);
        return out;
    }
    if (romfile && !igd_snapshot_use_romfile(s, romfile, error))
        return NULL;
    igd_snapshot_set_qemu(s, (IgdQemuCaps *)qemu, FALSE);
    return igd_requirements_evaluate(s, IGD_SCOPE_CHECK, NULL);
}
