#!/usr/bin/env python3
"""Build the test option ROMs of tests/data/rom/ (see README.md there).

These are BUILT, not captured: the layout is the PCI Firmware Specification
3.0 expansion-ROM format (ROM header, PCI data structure "PCIR") and the UEFI
specification's EFI PCI option-ROM header. The only hardware value used is
the IGD id 8086:1912 of the real OpRegion fixture's machine (ASUS B150M-PLUS
D3, i7-6700, see ../fixtures/README.md section 3). Code areas
are zero-filled: nothing here executes.

Run from anywhere: python3 make-roms.py  (writes next to itself)
"""
import os
import struct

VENDOR, DEVICE = 0x8086, 0x1912
CLASS_VGA = (0x00, 0x00, 0x03)  # prog-if, sub-class, base class: 0x030000


def pcir(length_units, code_type, last):
    # PCI 3.0 data structure, 0x1C bytes
    return (b"PCIR" + struct.pack("<HHHHB", VENDOR, DEVICE, 0, 0x1C, 3)
            + bytes(CLASS_VGA)
            + struct.pack("<HHBBHHH", length_units, 0, code_type,
                          0x80 if last else 0x00, 0, 0, 0))


def x86_image(units, last):
    img = bytearray(units * 512)
    img[0:2] = b"\x55\xaa"
    img[2] = units                 # initialization size, 512-byte units
    img[3:6] = b"\xcb\x00\x00"     # entry point: RETF (does nothing)
    struct.pack_into("<H", img, 0x18, 0x40)   # PCIR pointer
    p = pcir(units, 0, last)
    img[0x40:0x40 + len(p)] = p
    img[-1] = (-sum(img[:-1])) & 0xff        # checksum: bytes sum to 0
    return bytes(img)


def efi_image(units, last, subsystem=11):
    img = bytearray(units * 512)
    img[0:2] = b"\x55\xaa"
    struct.pack_into("<HIHHH", img, 2, units, 0x0EF1, subsystem, 0x8664, 0)
    struct.pack_into("<H", img, 0x16, 0x60)   # EFI image offset (zero-filled)
    struct.pack_into("<H", img, 0x18, 0x1C)   # PCIR pointer
    p = pcir(units, 3, last)
    img[0x1C:0x1C + len(p)] = p
    return bytes(img)


def write(name, data):
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), name), "wb") as f:
        f.write(data)


x86 = x86_image(2, last=False)
efi = efi_image(2, last=True)
combo = x86 + efi
write("igd-x86-efi.rom", combo + b"\xff" * (4096 - len(combo)))  # sysfs pads to the BAR size
write("igd-x86-only.rom", x86_image(2, last=True))
write("igd-efi-only.rom", efi_image(2, last=True))
