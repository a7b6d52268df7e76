#!/bin/sh
# domxml-cli.sh: `igd-assign rewrite` as a pipeline filter with bad input:
# each case gives a clear error on stderr, the exit code of SPEC.md §3 and
# NOTHING on stdout (so a pipeline never defines half a domain). Prints TAP.
set -u
srcdir=${top_srcdir:-$(dirname "$0")/..}
builddir=${top_builddir:-.}
IGD=$builddir/tools/igd-assign
data=$srcdir/tests/domxmldata

tmp=$(mktemp -d "${TMPDIR:-/tmp}/igd-cli-XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
# a host with no IGD (empty) and one whose 00:03.0 is a virtio NIC
mkdir -p "$tmp/empty" "$tmp/nic/sys/bus/pci/devices/0000:00:03.0"
printf '0x1af4\n' > "$tmp/nic/sys/bus/pci/devices/0000:00:03.0/vendor"
printf '0x1041\n' > "$tmp/nic/sys/bus/pci/devices/0000:00:03.0/device"
printf '0x020000\n' > "$tmp/nic/sys/bus/pci/devices/0000:00:03.0/class"

n=0
fails=0
echo "1..20"

# check NAME WANT_STATUS STDERR_PATTERN -- igd-assign args (stdin from $input)
check() {
    name=$1 want=$2 pattern=$3
    shift 4
    n=$((n + 1))
    "$IGD" "$@" < "$input" > "$tmp/out" 2> "$tmp/err"
    status=$?
    why=""
    [ "$status" -eq "$want" ] || why="exit $status, want $want"
    if [ "$want" -ne 0 ] && [ -s "$tmp/out" ]; then why="${why:+$why; }stdout not empty"; fi
    if [ -n "$pattern" ] && ! grep -q -- "$pattern" "$tmp/err"; then
        why="${why:+$why; }stderr lacks '$pattern': $(head -n 2 "$tmp/err" | tr '\n' ' ')"
    fi
    if [ -z "$why" ]; then echo "ok $n - $name"; else echo "not ok $n - $name: $why"; fails=$((fails + 1)); fi
}

input=$data/not-xml.xml
check "not XML" 1 "igd-assign: rewrite: domain XML is not well-formed" -- --sysfs-root "$tmp/empty" rewrite --mode legacy
input=$data/doctype.xml
check "DOCTYPE with entities, no expansion" 1 "has a DOCTYPE" -- --sysfs-root "$tmp/empty" rewrite --mode upt
# 100 MB: refused at the 40 MiB read limit (IGD_XML_MAX_SIZE_SET_UP) without reading it all into memory
{ printf '<domain>'; head -c 100000000 /dev/zero | tr '\0' ' '; printf '</domain>'; } > "$tmp/big.xml"
input=$tmp/big.xml
check "100 MB document" 1 "larger than the limit of 41943040 bytes" -- --sysfs-root "$tmp/empty" rewrite --mode legacy
rm -f "$tmp/big.xml"
input=$data/unbound-prefix.xml
check "unbound namespace prefix" 1 "not namespace-well-formed: line 15" -- --sysfs-root "$tmp/empty" rewrite --mode upt --opregion
{ cat "$data/pc-vnc-cirrus.xml"; printf '\000\000<x/>'; } > "$tmp/nul.xml"
input=$tmp/nul.xml
check "NUL bytes after the document" 1 "has a NUL byte at offset" -- --sysfs-root "$tmp/empty" rewrite --mode upt
input=$data/two-igd.xml
check "two IGD hostdevs" 1 "2 hostdevs name the IGD 0000:00:02.0" -- --sysfs-root "$tmp/empty" rewrite --mode legacy
input=$data/pc-vnc-cirrus.xml
check "--host is a virtio NIC" 1 "0000:00:03.0 is not an Intel graphics device" -- --sysfs-root "$tmp/nic" rewrite --mode legacy --host 0000:00:03.0
# --host absent from this host: the IGD of another machine (SPEC.md §3), written with a warning
check "--host of another machine" 0 "warning: no Intel IGD at 0000:00:02.0 on this host" -- --sysfs-root "$tmp/empty" rewrite --mode legacy --host 0000:00:02.0
input=$data/aarch64.xml
check "not x86" 1 "domain architecture 'aarch64' is not x86" -- --sysfs-root "$tmp/empty" rewrite --mode upt
input=$data/q35.xml
check "legacy on q35" 1 "hint: use --mode upt" -- --sysfs-root "$tmp/empty" rewrite --mode legacy
check "auto without an IGD" 1 "auto mode needs the host's IGD" -- --sysfs-root "$tmp/empty" rewrite
check "bad --mode" 2 "invalid mode 'bogus'" -- rewrite --mode bogus
check "bad --host" 2 "invalid PCI address" -- rewrite --host 00:02
check "relative --romfile" 2 "not an absolute path" -- rewrite --romfile vbios.rom
input=$data/pc-vnc-cirrus.xml
check "--romfile that is not a ROM" 1 "is not" -- --sysfs-root "$srcdir/tests/data/hosts/skl-ideapad-vfio" rewrite --mode legacy --romfile "$srcdir/tests/data/rom/README.md"
check "missing file" 3 "cannot open" -- --sysfs-root "$tmp/empty" rewrite --mode upt "$tmp/nonexistent.xml"

# success: the golden output, then a second pass changes nothing
input=$data/pc-vnc-cirrus.xml
n=$((n + 1))
if "$IGD" -q --sysfs-root "$tmp/empty" rewrite --mode legacy < "$input" > "$tmp/out1" 2> "$tmp/err" &&
   cmp -s "$tmp/out1" "$data/pc-vnc-cirrus.legacy.xml" &&
   "$IGD" -q --sysfs-root "$tmp/empty" rewrite --mode legacy "$tmp/out1" > "$tmp/out2" && cmp -s "$tmp/out1" "$tmp/out2"; then
    echo "ok $n - rewrite legacy matches the golden file and is idempotent"
else
    echo "not ok $n - rewrite legacy: $(cat "$tmp/err")"
fi
n=$((n + 1))
if "$IGD" --json --sysfs-root "$tmp/empty" rewrite --mode upt < "$input" > "$tmp/json" 2> "$tmp/err" &&
   grep -q '"mode": *"upt"' "$tmp/json" && grep -q '"xml": *"<domain' "$tmp/json" && [ ! -s "$tmp/err" ]; then
    echo "ok $n - --json gives one document on stdout"
else
    echo "not ok $n - --json: $(head -c 300 "$tmp/json") $(cat "$tmp/err")"
fi
n=$((n + 1))
# auto against a captured host tree (Skylake, vfio-pci bound, no ROM captured): with a
# romfile every legacy requirement holds; the installed QEMU is probed (cache in $tmp)
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
    if XDG_CACHE_HOME=$tmp/cache "$IGD" --sysfs-root "$srcdir/tests/data/hosts/skl-ideapad-vfio" rewrite \
            --romfile /usr/share/igd-assign/vbios.rom < "$input" > "$tmp/auto" 2> "$tmp/err" &&
       grep -q 'mode="legacy"' "$tmp/auto" && grep -q "legacy mode: Skylake (gen 9)" "$tmp/err" &&
       grep -q "legacy mode: QEMU [0-9]" "$tmp/err"; then
        echo "ok $n - auto on a captured Skylake host chooses legacy and says why"
    else
        echo "not ok $n - auto on skl-ideapad-vfio: $(cat "$tmp/err")"
    fi
else
    echo "ok $n # SKIP no qemu-system-x86_64"
fi
n=$((n + 1))
# the QEMU probe of rewrite uses the same cache as inspect and check: $IGD_ASSIGN_CACHE_DIR
# (the fake QEMU 7.2 answers the probe), not only $XDG_CACHE_HOME/igd-assign
mkdir -p "$tmp/xdg"
if IGD_QEMU=$srcdir/tests/cli-fake-qemu IGD_ASSIGN_CACHE_DIR=$tmp/qcache XDG_CACHE_HOME=$tmp/xdg \
        "$IGD" --sysfs-root "$srcdir/tests/data/hosts/skl-ideapad-vfio" rewrite --romfile /usr/share/igd-assign/vbios.rom \
        < "$input" > "$tmp/auto" 2> "$tmp/err" &&
   grep -q "legacy mode: QEMU 7.2 supports legacy mode" "$tmp/err" &&
   ls "$tmp/qcache"/qemu-caps-*.ini >/dev/null 2>&1 && [ -z "$(ls -A "$tmp/xdg")" ]; then
    echo "ok $n - rewrite caches its QEMU probe in \$IGD_ASSIGN_CACHE_DIR"
else
    echo "not ok $n - rewrite QEMU cache: $(ls -R "$tmp/qcache" "$tmp/xdg" 2>&1 | tr '\n' ' ') $(cat "$tmp/err")"
fi
