#!/usr/bin/env python3
"""Independent cross-check of the *.outputs goldens (not used by the build).

Re-decodes every fixture VBT from the raw bytes with the offsets of i915's
intel_vbt_defs.h, written separately from igd-core/igd-vbt.c, and compares
the header numbers, the child device list (device_type, dvo_port) and block 1
int_crt_support with the golden files. Port/type names are not re-derived
here: they are checked by hand (README.md).

    python3 crosscheck.py tests/data/fixtures/vbt
"""
import glob
import os
import struct
import sys

fixdir = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
bad = 0
for path in sorted(glob.glob(os.path.join(fixdir, "*.vbt"))):
    name = os.path.basename(path)[:-4]
    d = open(path, "rb").read()
    version, vbt_size = struct.unpack_from("<H", d, 0x14)[0], struct.unpack_from("<H", d, 0x18)[0]
    bdb = struct.unpack_from("<I", d, 0x1C)[0]
    bdb_ver, bdb_hsize, bdb_size = struct.unpack_from("<HHH", d, bdb + 0x10)
    want = {"version": str(version), "bdb_version": str(bdb_ver), "size": str(vbt_size),
            "checksum_ok": "yes" if sum(d[:vbt_size]) % 256 == 0 else "no"}
    children, crt = [], "no"
    i, end = bdb + bdb_hsize, bdb + bdb_size
    while i + 3 < end:
        bid, size = d[i], struct.unpack_from("<H", d, i + 1)[0]
        if i + 3 + size > end:
            break
        if bid == 1 and size > 4:
            crt = "yes" if d[i + 3 + 4] & 1 else "no"
        if bid == 2:
            cds = d[i + 3 + 4]
            for k in range((size - 5) // cds):
                o = i + 3 + 5 + k * cds
                dt = struct.unpack_from("<H", d, o + 2)[0]
                if dt:
                    children.append("device_type=0x%04x dvo_port=%d" % (dt, d[o + 16]))
        i += 3 + size
    got = {}
    got_children = []
    for line in open(os.path.join(here, name + ".outputs")):
        k, _, v = line.rstrip("\n").partition(": ")
        if k == "output":
            f = dict(x.split("=") for x in v.split())
            got_children.append("device_type=%s dvo_port=%s" % (f["device_type"], f["dvo_port"]))
        else:
            got[k] = v
    for k, v in want.items():
        if got.get(k) != v:
            print("%s: %s golden %s, bytes say %s" % (name, k, got.get(k), v)); bad += 1
    if got_children != children:
        print("%s: children golden %s, bytes say %s" % (name, got_children, children)); bad += 1
    if got.get("int_crt_support") != crt:
        print("%s: int_crt_support golden %s, bytes say %s" % (name, got.get("int_crt_support"), crt)); bad += 1
    print("%s: %s" % (name, "ok" if not bad else "MISMATCH"))
sys.exit(1 if bad else 0)
