/*
 * igd-requirements.h: the one list of what IGD assignment needs of the
 * host, the IGD, the installed QEMU and the guest's machine and firmware
 * (SPEC.md §1; QEMU's hw/vfio/igd.c per version, through igd-qemu-model;
 * the firmware's fw_cfg consumers). One ordered table of rules, each with
 * an id, the scopes it speaks in and a judgement over a snapshot that gives
 * one IgdFinding. `check` (host readiness), `inspect` (legacy/UPT
 * eligibility), `rewrite --mode auto`, the hook's preflight and `status`
 * all evaluate this table; adding a requirement is adding a row.
 * (The domain's own rules, SPEC.md §4, are igd-domain-rules.c.)
 */
#pragma once

#include <glib.h>

#include "igd-finding.h"
#include "igd-pci-address.h"
#include "igd-snapshot.h"
#include "igd-sysroot.h"

G_BEGIN_DECLS

typedef enum {
    IGD_SCOPE_CHECK,  /* `check`: is this host ready (either mode); ends with a legacy and a UPT verdict */
    IGD_SCOPE_LEGACY, /* what legacy mode needs (inspect, auto, explicit --mode legacy) */
    IGD_SCOPE_UPT,    /* what UPT mode needs */
    IGD_SCOPE_START,  /* what must hold when libvirt starts the domain (the hook's prepare begin) */
} IgdScope;

/*
 * Who puts the IGD on vfio-pci when the domain starts: what the START
 * scope's "driver" row asks of a device that is not on vfio-pci yet
 * (decided for a domain by igd_domain_binder(), igd-domain.h).
 */
typedef enum {
    IGD_BINDER_NONE = 0, /* nobody: the user binds it (managed='no', not set up by igd-assign); it must be bound */
    IGD_BINDER_DAEMON,   /* igd-assignd binds it at prepare begin (set up by igd-assign, managed='no') */
    IGD_BINDER_LIBVIRT,  /* libvirt detaches it itself (managed='yes') and gives it back when the domain stops */
} IgdBinder;

/* The guest the requirements are judged for. */
typedef struct {
    const char *machine;        /* the domain's machine type; NULL: "pc" (i440fx) */
    gboolean ovmf;              /* the guest boots OVMF (UEFI), else SeaBIOS */
    gboolean romfile_unchecked; /* the domain names a ROM file the snapshot does not describe: not judged */
    gint x_igd_gms;             /* the domain's x-igd-gms, -1: unset */
    gint phys_bits;             /* the most physical address bits its CPU gets (igd_domain_guest_phys_bits()), -1: unknown */
    gboolean cpu_host;          /* -cpu host or max (host-passthrough, maximum): host-phys-bits, not phys-bits */
    IgdQemuLegacyMode legacy_mode; /* the domain's x-igd-legacy-mode (QEMU 10.0+), default auto */
    gboolean igd_elsewhere;     /* START: the IGD is not at guest 00:02.0 (LEGACY puts it there, UPT elsewhere) */
    gboolean slot_1f_taken;     /* START: another device sits at guest 00:1f.x (LEGACY frees it) */
    IgdBinder binder;           /* START: who binds the IGD to vfio-pci for the start */
} IgdGuest;

/* Defaults: i440fx "pc", SeaBIOS, the device's ROM, no x-igd-*, the IGD at 00:02.0, 1f.0 free, CPU physical
 * address bits unknown, nobody binds the IGD. */
void igd_guest_init(IgdGuest *guest);

/*
 * QEMU's bounds of a guest CPU's physical address bits: phys-bits must lie
 * in 32..52 (target/i386: "phys-bits should be between 32 and %u",
 * TARGET_PHYS_ADDR_SPACE_BITS = 52 on x86_64). An IOMMU at least
 * IGD_QEMU_PHYS_BITS_MAX wide bounds nothing a guest can have.
 */
#define IGD_QEMU_PHYS_BITS_MIN 32
#define IGD_QEMU_PHYS_BITS_MAX 52

/*
 * What keeps an OVMF guest's physical address bits within the IOMMU's
 * @width, as `rewrite`/`setup` write it: <maxphysaddr mode='emulate'
 * bits=@width> (libvirt 8.7+, QEMU phys-bits), or for -cpu host/max
 * (@cpu_host), where QEMU ignores phys-bits, a <qemu:commandline> -global
 * max-x86_64-cpu.host-phys-bits-limit=@width (libvirt before 9.3 has no
 * <maxphysaddr limit>). One sentence, for hints.
 */
char *igd_requirements_phys_bits_fix(gboolean cpu_host, guint width) G_GNUC_WARN_UNUSED_RESULT;

/*
 * The way out for this IGD when the host gives it no usable ROM: *@seabios
 * for legacy BIOS (SeaBIOS) guests, the IGD's VGA BIOS through --romfile, NULL
 * from generation 11 on (SeaBIOS programs only the 32-bit BDSM at 0x5C: QEMU
 * docs, "pre-Gen11 device only"); *@uefi for UEFI (OVMF) guests, a ROM built
 * with `igd-assign rom build` from IgdAssignmentDxe, PlatformGopPolicy and
 * IntelGopDriver, each with where it comes from (docs/GUIDE.md). g_free both.
 */
void igd_requirements_rom_way_out(const IgdSnapshot *snapshot, char **seabios, char **uefi);

/* The snapshot parts a scope judges (what igd_snapshot_gather() must be asked for). */
IgdSnapshotParts igd_requirements_parts(IgdScope scope);

/*
 * Evaluate every row of @scope over @snapshot for @guest (NULL: defaults).
 * Returns the findings in table order (a row with nothing to say in that
 * scope gives none; a row whose snapshot part was not gathered is skipped;
 * with @snapshot NULL only the rows that judge the guest alone speak). IGD_SCOPE_CHECK also judges the two modes and ends
 * with a "legacy" and an "upt" finding (PASS, or WARN with the first reason
 * and its fix).
 */
GPtrArray *igd_requirements_evaluate(const IgdSnapshot *snapshot, IgdScope scope,
                                     const IgdGuest *guest) G_GNUC_WARN_UNUSED_RESULT;

/* TRUE when no finding is a FAIL. */
gboolean igd_requirements_met(GPtrArray *findings);

/*
 * `check` for the IGD at @addr (NULL: 0000:00:02.0): gather the snapshot
 * (judged with @qemu, NULL: none found) and evaluate IGD_SCOPE_CHECK. A missing
 * device or one that is not an Intel IGD gives the single finding
 * "igd-present" FAIL. Only an unreadable sysroot (no /sys/bus/pci/devices)
 * is an error (IGD_ERROR_NOT_FOUND).
 */
GPtrArray *igd_requirements_check_host(const IgdSysroot *sysroot, const IgdPciAddress *addr, const IgdQemuCaps *qemu,
                                       GError **error) G_GNUC_WARN_UNUSED_RESULT;
/*
 * igd_requirements_check_host() with the ROM check judging the ROM file
 * @romfile (NULL: the device's ROM; igd_snapshot_use_romfile()). A ROM file
 * that cannot be read or is not an option ROM is an error (NOT_FOUND,
 * INVALID), as is an unreadable sysroot.
 */
GPtrArray *igd_requirements_check_host_romfile(const IgdSysroot *sysroot, const IgdPciAddress *addr,
                                               const IgdQemuCaps *qemu, const char *romfile,
                                               GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
