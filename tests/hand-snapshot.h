/*
 * hand-snapshot.h: IgdSnapshots built by hand for the domain-engine tests,
 * where a captured host tree holds less than a case needs (no ROM was
 * captured for the Skylake laptops) or a case wants one fact changed.
 */
#pragma once

#include <glib.h>

#include "igd-snapshot.h"

G_BEGIN_DECLS

/*
 * The Skylake IGD of fixtures/hosts/skl-lenovo-ideapad-320-14isk at
 * 0000:00:02.0: ids and GMCH from its captured config space (8086:1916,
 * GGC 0x01c1: 32 MiB stolen), bound to vfio-pci, alone in IOMMU group 0,
 * vfio-pci with VGA access, kernel 6.1 (IGD_SNAPSHOT_HOST, test
 * assumptions). @qemu "X.Y.Z" adds IGD_SNAPSHOT_QEMU with that version's
 * model (NULL: not probed); @rom adds IGD_SNAPSHOT_ROM as
 * hand_snapshot_set_rom() (NULL: the ROM is not gathered, so not judged).
 */
IgdSnapshot *hand_snapshot_skl(const char *qemu, const char *rom) G_GNUC_WARN_UNUSED_RESULT;

/*
 * Give @s the device ROM @rom: "legacy", "efi" or "both" parse the built
 * images tests/data/rom/{igd-x86-only,igd-efi-only,igd-x86-efi}.rom (see
 * its README); "none" is a ROM read but holding no valid image,
 * "unreadable" one that could not be read (NULL rom with a rom_error).
 */
void hand_snapshot_set_rom(IgdSnapshot *s, const char *rom);

/* Judge by the model of QEMU @version "X.Y.Z" (igd_qemu_caps_new_for_version()). */
void hand_snapshot_set_qemu(IgdSnapshot *s, const char *version);

G_END_DECLS
