#!/bin/sh
# TAP: the libvirt hook run directly, as libvirt runs it (argv NAME OP SUBOP
# EXTRA, domain XML on stdin), for every operation, against the captured
# host trees of tests/data/hosts (via IGD_ASSIGN_SYSFS_ROOT) and, when
# daemon/igd-assignd is built, a private igd-assignd on a private bus.
#
# Host trees used (see their README.md):
#   skl-ideapad-vfio              SKL 8086:1916 at 00:02.0, bound to vfio-pci, no framebuffer
#   skl-lenovo-ideapad-320-14isk  the same IGD still bound to i915
# (The table of refusals per operation and host is data: tests/hookdata, run
# by tests/test-hook. This script keeps what is not a table: the fast path,
# the byte scan, broken stdin and argv, hostile names, the daemon.)
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
hook=$top_builddir/hook/igd-assign-hook
full=$top_builddir/hook/igd-assign-hook-full
data=$top_srcdir/tests/data/hook
hosts=$top_srcdir/tests/data/hosts
# make check-valgrind: both halves under memcheck (the front execs the full half).
tmp=$(mktemp -d) || exit 1
# memcheck's own words go to $tmp/vg.PID, not to the stderr the cases compare
# (it warns there of syscalls it does not know, e.g. openat2, which the
# sysroot then does without); an error still exits 99 and shows in notok.
vg=${IGD_VALGRIND:+$IGD_VALGRIND --trace-children=yes --show-leak-kinds=definite --log-file=$tmp/vg.%p}
[ -n "$vg" ] && echo "# under: $vg"
# the time a bound may take on top of itself: memcheck starts two processes slowly
slack=${IGD_VALGRIND:+10}
slack=${slack:-0}
daemon_pid=
bus_pid=
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
    [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
    n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"
    echo "#   rc=$rc"; sed 's/^/#   stdout: /' "$tmp/out"; sed 's/^/#   stderr: /' "$tmp/err"
    for f in "$tmp"/vg.*; do [ -s "$f" ] && sed 's/^/#   valgrind: /' "$f"; done
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# run HOST XMLFILE NAME OP SUBOP: the front, as libvirt would, with the
# build tree's full half; rc, $tmp/out, $tmp/err.
run() {
    host=$1; xml=$2; shift 2; rm -f "$tmp"/vg.*
    IGD_ASSIGN_HOOK_FULL=${FULL_OVERRIDE:-$full} IGD_ASSIGN_SYSFS_ROOT=$host \
        IGD_ASSIGN_HOOK_TIMEOUT_MS=${IGD_ASSIGN_HOOK_TIMEOUT_MS:-} \
        IGD_ASSIGND_BUS_ADDRESS=${BUS:-unix:path=$tmp/no-such-bus} \
        $vg "$hook" "$@" <"$xml" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
# run_full: the same through the full half directly.
run_full() {
    host=$1; xml=$2; shift 2; rm -f "$tmp"/vg.*
    IGD_ASSIGN_SYSFS_ROOT=$host IGD_ASSIGND_BUS_ADDRESS=${BUS:-unix:path=$tmp/no-such-bus} \
        $vg "$full" "$@" <"$xml" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
silent() { [ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; }
# refused PATTERN: exit 1, nothing on stdout, stderr exactly
# "igd-assign: ...PATTERN..." then "hint: ...".
refused() {
    [ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 2 ] &&
        head -n 1 "$tmp/err" | grep -q "^igd-assign: .*$1" &&
        sed -n 2p "$tmp/err" | grep -q '^hint: .'
}
expect_silent() { if silent; then ok "$1"; else notok "$1"; fi; }
expect_refused() { if refused "$2"; then ok "$1"; else notok "$1"; fi; }

vfio=$hosts/skl-ideapad-vfio
i915=$hosts/skl-lenovo-ideapad-320-14isk

OPS="prepare:begin release:end migrate:begin restore:begin reconnect:begin start:begin started:begin stopped:end"

# ---- 1. domains without an IGD: silent for every operation -------------
for op in $OPS; do
    run "$vfio" "$data/plain.xml" web01 ${op%:*} ${op#*:} -
    expect_silent "/no-igd/plain/$op"
done
# The fast path alone decides: with no full half to exec, still silent.
for op in prepare:begin migrate:begin release:end; do
    FULL_OVERRIDE=$tmp/no-such-full run "$vfio" "$data/plain.xml" web01 ${op%:*} ${op#*:} -
    expect_silent "/no-igd/plain/$op/fast-path-only"
done
# A hostdev or igd:assign only in a comment, CDATA, or foreign metadata
# takes the full path (proved: without the full half, prepare is refused)
# and is judged correctly (not an IGD domain), though 00:02.0 of this host
# IS an Intel IGD.
for f in comment-hostdev cdata-hostdev metadata-hostdev; do
    FULL_OVERRIDE=$tmp/no-such-full run "$vfio" "$data/$f.xml" web01 prepare begin -
    expect_refused "/no-igd/$f/takes-full-path" "cannot run $tmp/no-such-full"
    for op in prepare:begin migrate:begin restore:begin release:end reconnect:begin; do
        run "$vfio" "$data/$f.xml" web01 ${op%:*} ${op#*:} -
        expect_silent "/no-igd/$f/$op"
    done
done
# What the byte scan cannot see through goes to the full parse too:
# an encoding other than UTF-8, a NUL byte, a character reference.
sed '1s/^/<?xml version="1.0" encoding="UTF-7"?>\n/' "$data/plain.xml" >"$tmp/utf7-decl.xml"
sed '1s/^/<?xml version="1.0" encoding="ISO-8859-1"?>\n/' "$data/plain.xml" >"$tmp/latin1-decl.xml"
sed "1s/^/<?xml version='1.0' encoding='utf-8'?>\\n/" "$data/plain.xml" >"$tmp/utf8-decl.xml"
{ cat "$data/plain.xml"; printf '\0'; } >"$tmp/nul.xml"
for f in utf7-decl latin1-decl nul; do
    FULL_OVERRIDE=$tmp/no-such-full run "$vfio" "$tmp/$f.xml" web01 prepare begin -
    expect_refused "/scan/$f/takes-full-path" "cannot run $tmp/no-such-full"
done
run "$vfio" "$tmp/latin1-decl.xml" web01 prepare begin -
expect_silent "/scan/latin1-decl/judged-not-igd"
# plain.xml is not valid UTF-7 ("+64055" starts a base64 run): cannot be
# judged, so the start is refused in one line (no libxml2 noise).
run "$vfio" "$tmp/utf7-decl.xml" web01 prepare begin -
expect_refused "/scan/utf7-decl/unparseable-refused" "web01: the domain XML on stdin does not parse"
FULL_OVERRIDE=$tmp/no-such-full run "$vfio" "$tmp/utf8-decl.xml" web01 prepare begin -
expect_silent "/scan/utf8-decl/fast-path"
# <igd:assign> whose namespace is spelled with a character reference
# ("&#105;" = "i"), so the bytes "igd" appear nowhere: still found by the
# full parse, and refused (metadata, no IGD hostdev).
sed 's|</metadata>|<x:assign xmlns:x="http://\&#105;gd-assign.org/schemas/domain/1.0" mode="legacy" host="0000:00:02.0"/></metadata>|' \
    "$data/plain.xml" >"$tmp/charref-meta.xml"
if grep -qi 'igd' "$tmp/charref-meta.xml"; then
    notok "/scan/charref-metadata/no-igd-bytes"
else
    ok "/scan/charref-metadata/no-igd-bytes"
fi
run "$vfio" "$tmp/charref-meta.xml" web01 prepare begin -
expect_refused "/scan/charref-metadata/judged-igd" "web01: the domain carries igd-assign metadata but no PCI hostdev for the IGD"
run "$vfio" "$tmp/charref-meta.xml" web01 migrate begin -
expect_refused "/scan/charref-metadata/migrate-refused" "web01: a domain with an assigned IGD cannot be migrated"

# "igd" as part of other words (a domain named "bigdata", its disk
# "bigdisk.qcow2", a description) cannot make an IGD domain: only the
# igd-assign namespace URI can, so the fast path alone decides.
sed -e 's|<name>web01</name>|<name>bigdata</name>|' \
    -e 's|<description>.*</description>|<description>BigData node, no IGD (rigged for SIGDUMP)</description>|' \
    "$data/plain.xml" >"$tmp/bigdata.xml"
FULL_OVERRIDE=$tmp/no-such-full run "$vfio" "$tmp/bigdata.xml" bigdata prepare begin -
expect_silent "/scan/igd-inside-words/fast-path"
# The namespace URI under any prefix, and nothing else saying "igd" or
# "hostdev": handed to the full parse, which finds the metadata.
sed 's|</metadata>|<m:assign xmlns:m="http://igd-assign.org/schemas/domain/1.0" mode="legacy"/></metadata>|' \
    "$data/plain.xml" >"$tmp/ns-prefix-m.xml"
FULL_OVERRIDE=$tmp/no-such-full run "$vfio" "$tmp/ns-prefix-m.xml" web01 prepare begin -
expect_refused "/scan/namespace-other-prefix/takes-full-path" "cannot run $tmp/no-such-full"
run "$vfio" "$tmp/ns-prefix-m.xml" web01 prepare begin -
expect_refused "/scan/namespace-other-prefix/judged-igd" "web01: the domain carries igd-assign metadata but no PCI hostdev for the IGD"

# (Domains with a hostdev of a non-display Intel device or of a non-Intel
# 00:02.0: tests/hookdata, run by tests/test-hook.)

# ---- 2. unknown operations never read stdin ------------------------------
IGD_ASSIGN_SYSFS_ROOT=$vfio $vg "$hook" web01 attach begin - </dev/zero >"$tmp/out" 2>"$tmp/err"; rc=$?
expect_silent "/ops/unknown-op-does-not-read-stdin"
IGD_ASSIGN_SYSFS_ROOT=$vfio $vg "$hook" web01 prepare end - </dev/zero >"$tmp/out" 2>"$tmp/err"; rc=$?
expect_silent "/ops/prepare-end-is-not-prepare-begin"

# ---- 3.-5. prepare/migrate/restore/release/reconnect of IGD domains ---------
# Data-driven: tests/hookdata/<case>.{args,expect}, run by tests/test-hook.

# ---- 6. bad input -----------------------------------------------------------
$vg "$hook" >"$tmp/out" 2>"$tmp/err" </dev/null; rc=$?
[ "$rc" -eq 2 ] && grep -q '^usage: igd-assign-hook DOMAIN OPERATION' "$tmp/err" && ok "/bad/no-argv" || notok "/bad/no-argv"
$vg "$hook" desk prepare >"$tmp/out" 2>"$tmp/err" <"$data/legacy-igd.xml"; rc=$?
[ "$rc" -eq 2 ] && ok "/bad/missing-subop" || notok "/bad/missing-subop"
# (extra or missing EXTRA argv: tests/hookdata/prepare-{extra-argv-ignored,missing-extra})
: >"$tmp/empty.xml"
for op in prepare:begin migrate:begin release:end; do
    run "$vfio" "$tmp/empty.xml" desk ${op%:*} ${op#*:} -
    expect_silent "/bad/empty-stdin/$op"
done
# stdin closed: read(2) fails (EBADF).
IGD_ASSIGN_SYSFS_ROOT=$vfio $vg "$hook" desk prepare begin - <&- >"$tmp/out" 2>"$tmp/err"; rc=$?
expect_refused "/bad/stdin-closed/prepare" "desk: cannot read the domain XML on stdin: Bad file descriptor"
IGD_ASSIGN_SYSFS_ROOT=$vfio $vg "$hook" desk release end - <&- >"$tmp/out" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 0 ] && grep -q "cannot read the domain XML on stdin" "$tmp/err" && ok "/bad/stdin-closed/release-not-fatal" ||
    notok "/bad/stdin-closed/release-not-fatal"
printf 'this is not XML at all\n' >"$tmp/garbage.txt"
run "$vfio" "$tmp/garbage.txt" desk prepare begin -
expect_refused "/bad/not-xml/prepare" "the domain XML on stdin does not parse"
printf '<domain><devices><hostdev mode="subsystem" type="pci"><source>' >"$tmp/truncated.xml"
run "$vfio" "$tmp/truncated.xml" desk prepare begin -
expect_refused "/bad/truncated/prepare" "does not parse: domain XML is not well-formed: line 1:"
run "$vfio" "$tmp/truncated.xml" desk release end -
[ "$rc" -eq 0 ] && grep -q "^igd-assign: desk: the domain XML on stdin does not parse" "$tmp/err" &&
    ok "/bad/truncated/release-logs-only" || notok "/bad/truncated/release-logs-only"
run "$vfio" "$tmp/truncated.xml" desk migrate begin -
expect_refused "/bad/truncated/migrate" "does not parse"
# (a network with forward mode "hostdev": the scan cannot rule it out)
printf '<network><name>sriov</name><forward mode="hostdev" managed="yes"/></network>\n' >"$tmp/network.xml"
run "$vfio" "$tmp/network.xml" desk prepare begin -
expect_refused "/bad/not-a-domain" "does not parse: root element is <network>, not <domain>"
# DOCTYPE / entities: an entity could spell the namespace; refused, never expanded.
cat >"$tmp/doctype.xml" <<'EOF'
<!DOCTYPE domain [ <!ENTITY ns "http://igd-assign.org/schemas/domain/1.0"> ]>
<domain><name>x</name><metadata><i:assign xmlns:i="&ns;" mode="legacy"/></metadata></domain>
EOF
run "$vfio" "$tmp/doctype.xml" desk prepare begin -
expect_refused "/bad/doctype" "has a DOCTYPE"
# UTF-16: no ASCII "hostdev" bytes, still judged by the full parse, which
# refuses it (libvirt writes UTF-8 and cannot read UTF-16 itself): the start
# is refused, never waved through.
if iconv -f UTF-8 -t UTF-16 "$data/igd-no-metadata.xml" >"$tmp/utf16.xml" 2>/dev/null; then
    run "$i915" "$tmp/utf16.xml" desk prepare begin -
    expect_refused "/bad/utf-16-is-parsed" "does not parse: domain XML is in UTF-16 or UTF-32"
else
    skip "/bad/utf-16-is-parsed" "no iconv"
fi
# More than 64 MiB: from a file (size known) and from a pipe (read to the limit).
head -c $((64 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$tmp/huge.xml"
run "$vfio" "$tmp/huge.xml" desk prepare begin -
[ "$rc" -eq 1 ] && grep -q "^igd-assign: desk: the domain XML on stdin is larger than 64 MiB" "$tmp/err" &&
    ok "/bad/oversize/file" || notok "/bad/oversize/file"
cat "$tmp/huge.xml" | IGD_ASSIGN_SYSFS_ROOT=$vfio "$hook" desk prepare begin - >"$tmp/out" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 1 ] && grep -q "larger than 64 MiB" "$tmp/err" && ok "/bad/oversize/pipe" || notok "/bad/oversize/pipe"
run "$vfio" "$tmp/huge.xml" desk release end -
[ "$rc" -eq 0 ] && grep -q "larger than 64 MiB" "$tmp/err" && ok "/bad/oversize/release-not-fatal" ||
    notok "/bad/oversize/release-not-fatal"
rm -f "$tmp/huge.xml"
# Hostile names: printed escaped on one line, never a path.
i=0
for name in '../../etc/passwd' 'a/b' '$(touch pwned)`id`;|&' "$(printf 'two\nlines')" "$(printf 'esc\033[31m')"; do
    i=$((i + 1)); label=$(echo "dotdot slash shell-meta newline escape-seq" | cut -d' ' -f$i)
    cd "$tmp" || exit 1
    run "$i915" "$data/igd-no-metadata.xml" "$name" prepare begin -
    cd - >/dev/null || exit 1
    if refused "bound to i915" && ! grep -q "$(printf '\033')" "$tmp/err" && [ ! -e "$tmp/pwned" ] &&
        [ ! -e "$tmp/a" ]; then
        ok "/bad/name/$label"
    else
        notok "/bad/name/$label"
    fi
done
rc=$(IGD_ASSIGN_HOOK_FULL=$full IGD_ASSIGN_SYSFS_ROOT=$i915 "$hook" "$(printf 'two\nlines')" prepare begin - \
    <"$data/igd-no-metadata.xml" 2>&1 >/dev/null | head -n 1)
[ "$rc" = 'igd-assign: two\x0alines: host device 0000:00:02.0 is bound to i915, not vfio-pci' ] &&
    ok "/bad/name/newline-escaped" || { echo "# got: $rc"; notok "/bad/name/newline-escaped"; }
rc=$(IGD_ASSIGN_HOOK_FULL=$full IGD_ASSIGN_SYSFS_ROOT=$i915 "$hook" 'my vm$' prepare begin - \
    <"$data/igd-no-metadata.xml" 2>&1 >/dev/null | sed -n 2p)
[ "$rc" = "hint: run: igd-assign setup 'my vm\$' (or: virsh nodedev-detach pci_0000_00_02_0)" ] &&
    ok "/bad/name/hint-quotes-name" || { echo "# got: $rc"; notok "/bad/name/hint-quotes-name"; }

# ---- 7. the full half alone gives the same answers --------------------------
run_full "$vfio" "$data/comment-hostdev.xml" web01 prepare begin -
expect_silent "/full/comment-hostdev"
run_full "$i915" "$data/igd-no-metadata.xml" desk prepare begin -
expect_refused "/full/no-metadata/bound-to-i915" "bound to i915"
run_full "$vfio" "$data/plain.xml" web01 migrate begin -
expect_silent "/full/plain/migrate"

# ---- 8. a private igd-assignd -----------------------------------------------
# A bus that accepts the connection and then says nothing: the client's
# connect is bounded by the hook's timeout (shortened to 1 s here), well
# before the hook's alarm (timeout + 2 s) and GDBus's own 25 s.
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(16); time.sleep(60)' "$tmp/silent-bus" &
    silent_pid=$!
    i=0; while [ ! -S "$tmp/silent-bus" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    t0=$(date +%s)
    BUS=unix:path=$tmp/silent-bus IGD_ASSIGN_HOOK_TIMEOUT_MS=1000 run "$vfio" "$data/legacy-igd.xml" desk prepare begin -
    t1=$(date +%s)
    if refused "desk: cannot prepare the IGD: cannot reach igd-assignd: cannot connect to the bus at 'unix:path=$tmp/silent-bus': no answer within 1000 ms" &&
        grep -q "^hint: start the daemon" "$tmp/err" && [ $((t1 - t0)) -le $((3 + slack)) ]; then
        ok "/daemon/silent-bus/prepare-bounded"
    else
        notok "/daemon/silent-bus/prepare-bounded"
    fi
    BUS=unix:path=$tmp/silent-bus IGD_ASSIGN_HOOK_TIMEOUT_MS=1000 run "$vfio" "$data/legacy-igd.xml" desk release end -
    [ "$rc" -eq 0 ] && grep -q "release of 0000:00:02.0: cannot reach igd-assignd: .*: no answer within 1000 ms (the domain is not affected)" "$tmp/err" &&
        ok "/daemon/silent-bus/release-not-fatal" || notok "/daemon/silent-bus/release-not-fatal"
    kill "$silent_pid" 2>/dev/null
    unset BUS IGD_ASSIGN_HOOK_TIMEOUT_MS
else
    skip "/daemon/silent-bus/prepare-bounded" "no python3"
    skip "/daemon/silent-bus/release-not-fatal" "no python3"
fi

daemon=$top_builddir/daemon/igd-assignd
if command -v dbus-daemon >/dev/null 2>&1; then
    cat >"$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$tmp/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
    dbus-daemon --config-file="$tmp/bus.conf" --nofork --nopidfile >/dev/null 2>&1 &
    bus_pid=$!
    i=0; while [ ! -S "$tmp/bus" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    BUS=unix:path=$tmp/bus
    # Bus up, igd-assignd not running: refused, naming the daemon.
    run "$vfio" "$data/legacy-igd.xml" desk prepare begin -
    expect_refused "/daemon/not-running" "desk: cannot prepare the IGD: igd-assignd is not running"
    run "$vfio" "$data/legacy-igd.xml" desk release end -
    [ "$rc" -eq 0 ] && grep -q "^igd-assign: desk: release of 0000:00:02.0: igd-assignd is not running .*(the domain is not affected)" "$tmp/err" &&
        ok "/daemon/not-running/release" || notok "/daemon/not-running/release"
    unset BUS
else
    skip "/daemon/not-running" "no dbus-daemon"
    skip "/daemon/not-running/release" "no dbus-daemon"
fi
vfiodouble=$top_builddir/tests/libigdvfiodouble.so
if [ -x "$daemon" ] && [ -n "$bus_pid" ] && [ -f "$vfiodouble" ] && [ "$(id -u)" = 0 ]; then
    export IGD_TEST_DATA_DIR=${IGD_TEST_DATA_DIR:-$top_srcdir/tests/data}
    BUS=unix:path=$tmp/bus
    # The daemon as tests/daemon.sh runs it: the captured SKL host, and its
    # VFIO device from the VFIO test double (tests/data/daemon/vfio-skl.conf,
    # OpRegion = the real dump in tests/data/fixtures/opregion).
    cp -a "$vfio" "$tmp/host-d"
    : >"$tmp/host-d/dev/vfio/vfio"; : >"$tmp/host-d/dev/vfio/0" # the nodes the double answers for
    mkdir -p "$tmp/state"
    printf '[daemon]\nqemu-binary=none\nqemu-group=root\n' >"$tmp/igd-assignd.conf"
    LD_PRELOAD=$vfiodouble IGD_VFIO_DOUBLE=$tmp/host-d/dev/vfio \
        IGD_VFIO_DOUBLE_CONFIG=$top_srcdir/tests/data/daemon/vfio-skl.conf \
        "$daemon" --bus-address "$BUS" --sysfs-root "$tmp/host-d" --state-dir "$tmp/state" \
        --config "$tmp/igd-assignd.conf" >"$tmp/daemon.log" 2>&1 &
    daemon_pid=$!
    i=0
    until gdbus call --address "$BUS" --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.NameHasOwner org.igdassign.Manager1 2>/dev/null | grep -q true; do
        i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.02
    done
    run "$tmp/host-d" "$data/legacy-igd.xml" desk prepare begin -
    expect_silent "/daemon/prepare-ok"
    # What Prepare made: the blobs of SPEC §5 under the domain's uuid.
    d=$tmp/state/6f1c3a52-9b0e-4d8e-a1f2-3c4d5e6f7081
    [ "$(stat -c %s "$d/igd-opregion" 2>/dev/null)" = 8192 ] && [ "$(stat -c %s "$d/igd-bdsm-size" 2>/dev/null)" = 8 ] &&
        ok "/daemon/prepare-wrote-blobs" || { ls -la "$d" >"$tmp/err" 2>&1; notok "/daemon/prepare-wrote-blobs"; }
    # A second domain asking for the same device: the daemon refuses (owned).
    sed -e 's/<name>desk</<name>desk2</' -e 's/6f1c3a52-9b0e-4d8e-a1f2-3c4d5e6f7081/6f1c3a52-9b0e-4d8e-a1f2-3c4d5e6f7082/' \
        "$data/legacy-igd.xml" >"$tmp/desk2.xml"
    run "$tmp/host-d" "$tmp/desk2.xml" desk2 prepare begin -
    expect_refused "/daemon/prepare-owned-by-other" "desk2: igd-assignd refused to prepare 0000:00:02.0: .*desk"
    run "$tmp/host-d" "$data/legacy-igd.xml" desk reconnect begin -
    expect_silent "/daemon/reconnect"
    run "$tmp/host-d" "$data/legacy-igd.xml" desk release end -
    expect_silent "/daemon/release"
    run "$tmp/host-d" "$tmp/desk2.xml" desk2 prepare begin -
    expect_silent "/daemon/prepare-after-release"
    run "$tmp/host-d" "$tmp/desk2.xml" desk2 release end -
    expect_silent "/daemon/release-2"
    # Silence alone would also be a hook that never called Release: the blobs are gone.
    [ -d "$tmp/state" ] && [ ! -e "$tmp/state/6f1c3a52-9b0e-4d8e-a1f2-3c4d5e6f7082" ] &&
        ! grep -q '<device ' "$tmp/state/state.xml" &&
        ok "/daemon/release-2/blobs-and-owner-gone" || notok "/daemon/release-2/blobs-and-owner-gone"

    # The domain's machine type and x-igd-gms reach the daemon, which sizes
    # etc/igd-bdsm-size as that QEMU will: restart it with the captured
    # QEMU 7.2 (tests/cli-fake-qemu). QEMU 7.2 hw/vfio/igd.c (gen 8 path for
    # a Skylake): bdsm-size = GTT + x-igd-gms x 32 MiB; the SKL GGC 0x01c1
    # has GGMS 3 -> GTT 8 MiB. No x-igd-gms: 8 MiB = 8388608; x-igd-gms=1:
    # 8 + 32 MiB = 41943040.
    kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null; daemon_pid=
    printf '[daemon]\nqemu-binary=%s\nqemu-group=root\n' "$top_srcdir/tests/cli-fake-qemu" >"$tmp/igd-assignd.conf"
    IGD_ASSIGN_CACHE_DIR= LD_PRELOAD=$vfiodouble IGD_VFIO_DOUBLE=$tmp/host-d/dev/vfio \
        IGD_VFIO_DOUBLE_CONFIG=$top_srcdir/tests/data/daemon/vfio-skl.conf \
        "$daemon" --bus-address "$BUS" --sysfs-root "$tmp/host-d" --state-dir "$tmp/state" \
        --config "$tmp/igd-assignd.conf" >"$tmp/daemon2.log" 2>&1 &
    daemon_pid=$!
    i=0
    until gdbus call --address "$BUS" --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.NameHasOwner org.igdassign.Manager1 2>/dev/null | grep -q true; do
        i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.02
    done
    bdsm() { od -An -t u8 "$tmp/state/6f1c3a52-9b0e-4d8e-a1f2-3c4d5e6f7081/igd-bdsm-size" 2>/dev/null | tr -d ' '; }
    run "$tmp/host-d" "$data/legacy-igd.xml" desk prepare begin -
    expect_silent "/daemon/qemu72/prepare"
    [ "$(bdsm)" = 8388608 ] && ok "/daemon/qemu72/bdsm-size-gtt-only" ||
        { echo "bdsm-size $(bdsm)" >"$tmp/err"; notok "/daemon/qemu72/bdsm-size-gtt-only"; }
    run "$tmp/host-d" "$data/legacy-igd.xml" desk release end -
    sed -e 's|<domain type=.kvm.>|<domain type="kvm" xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0">|' \
        -e 's|</devices>|</devices><qemu:override><qemu:device alias="ua-igd"><qemu:frontend><qemu:property name="x-igd-gms" type="unsigned" value="1"/></qemu:frontend></qemu:device></qemu:override>|' \
        "$data/legacy-igd.xml" >"$tmp/desk-gms.xml"
    run "$tmp/host-d" "$tmp/desk-gms.xml" desk prepare begin -
    expect_silent "/daemon/qemu72/prepare-x-igd-gms"
    [ "$(bdsm)" = 41943040 ] && ok "/daemon/qemu72/bdsm-size-x-igd-gms-1" ||
        { echo "bdsm-size $(bdsm)" >"$tmp/err"; notok "/daemon/qemu72/bdsm-size-x-igd-gms-1"; }
    run "$tmp/host-d" "$tmp/desk-gms.xml" desk release end -
    expect_silent "/daemon/qemu72/release"
    kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null; daemon_pid=

    # ---- 9. after a reboot: the IGD is back on i915 ----------------------------
    # The host tree as the kernel leaves it after a reboot: skl-ideapad-vfio
    # with the IGD bound to i915 again and no driver_override. The daemon
    # runs under the sysfs double (tests/data/sysfs/README.md), which plays
    # the PCI core's answers to driver_override/unbind/drivers_probe on the
    # copy, and the VFIO double. A domain set up by igd-assign starts with
    # nothing else run: the hook's prepare begin asks the daemon, whose
    # Prepare binds (igd_bind_to_vfio(), the transaction of Bind), and both
    # the hook (stderr, syslog) and the daemon (journal) say so.
    sysfsdouble=$top_builddir/tests/libigdsysfsdouble.so
    reboot_tree() { # reboot_tree DIR: a copy of skl-ideapad-vfio as it is after a reboot
        rm -rf "$1"; cp -a "$vfio" "$1"
        dev=$1/sys/bus/pci/devices/0000:00:02.0
        rm -f "$dev/driver" "$1/sys/bus/pci/drivers/vfio-pci/0000:00:02.0"
        ln -s ../../../../bus/pci/drivers/i915 "$dev/driver"
        ln -s ../../devices/0000:00:02.0 "$1/sys/bus/pci/drivers/i915/0000:00:02.0"
        printf '(null)\n' >"$dev/driver_override"
        : >"$1/dev/vfio/vfio"; : >"$1/dev/vfio/0" # the nodes the VFIO double answers for
    }
    start_reboot_daemon() { # on $tmp/host-r, log $tmp/daemon-r.log, sysfs writes in $tmp/sysfs-r.log
        : >"$tmp/sysfs-r.log"
        printf '[daemon]\nqemu-binary=none\nqemu-group=root\n' >"$tmp/igd-assignd.conf"
        LD_PRELOAD="$vfiodouble $sysfsdouble" IGD_SYSFS_DOUBLE=$tmp/host-r IGD_SYSFS_DOUBLE_LOG=$tmp/sysfs-r.log \
            IGD_VFIO_DOUBLE=$tmp/host-r/dev/vfio IGD_VFIO_DOUBLE_CONFIG=$top_srcdir/tests/data/daemon/vfio-skl.conf \
            "$daemon" --bus-address "$BUS" --sysfs-root "$tmp/host-r" --state-dir "$tmp/state-r" \
            --config "$tmp/igd-assignd.conf" >>"$tmp/daemon-r.log" 2>&1 &
        daemon_pid=$!
        i=0
        until gdbus call --address "$BUS" --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
            --method org.freedesktop.DBus.NameHasOwner org.igdassign.Manager1 2>/dev/null | grep -q true; do
            i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.02
        done
    }
    r_dev=$tmp/host-r/sys/bus/pci/devices/0000:00:02.0
    reboot_tree "$tmp/host-r"
    start_reboot_daemon
    # the hook's own preflight passes: the START row "driver" notes who will bind it
    run "$tmp/host-r" "$data/legacy-igd.xml" desk prepare begin -
    if [ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ] &&
        [ "$(cat "$tmp/err")" = "igd-assign: desk: igd-assignd bound 0000:00:02.0 to vfio-pci for this start (it was on i915)" ]; then
        ok "/reboot/prepare-binds-and-starts"
    else
        notok "/reboot/prepare-binds-and-starts"
    fi
    [ "$(readlink "$r_dev/driver")" = ../../../../bus/pci/drivers/vfio-pci ] &&
        [ "$(cat "$r_dev/driver_override")" = vfio-pci ] && [ ! -e "$tmp/host-r/sys/bus/pci/drivers/i915/0000:00:02.0" ] &&
        ok "/reboot/driver-link-and-override" ||
        { ls -l "$r_dev" >"$tmp/err"; notok "/reboot/driver-link-and-override"; }
    # the bind is the one transaction of Bind: override, unbind i915, probe; nothing else was written
    printf '%s\n' "/sys/bus/pci/devices/0000:00:02.0/driver_override=vfio-pci" \
        "/sys/bus/pci/drivers/i915/unbind=0000:00:02.0" "/sys/bus/pci/drivers_probe=0000:00:02.0" >"$tmp/want-writes"
    cmp -s "$tmp/want-writes" "$tmp/sysfs-r.log" && ok "/reboot/writes-in-order" ||
        { cp "$tmp/sysfs-r.log" "$tmp/err"; notok "/reboot/writes-in-order"; }
    grep -q "bound 0000:00:02.0 to vfio-pci for domain 'desk' (6f1c3a52-9b0e-4d8e-a1f2-3c4d5e6f7081): it was on i915" \
        "$tmp/daemon-r.log" && ok "/reboot/daemon-journal-says-so" ||
        { cp "$tmp/daemon-r.log" "$tmp/err"; notok "/reboot/daemon-journal-says-so"; }
    [ "$(stat -c %s "$tmp/state-r/6f1c3a52-9b0e-4d8e-a1f2-3c4d5e6f7081/igd-opregion" 2>/dev/null)" = 8192 ] &&
        ok "/reboot/blobs-written" || notok "/reboot/blobs-written"
    # a second start of the same boot: already on vfio-pci, nothing said, nothing written
    run "$tmp/host-r" "$data/legacy-igd.xml" desk release end -
    : >"$tmp/sysfs-r.log"
    run "$tmp/host-r" "$data/legacy-igd.xml" desk prepare begin -
    silent && [ ! -s "$tmp/sysfs-r.log" ] && ok "/reboot/second-start-silent" || notok "/reboot/second-start-silent"
    run "$tmp/host-r" "$data/legacy-igd.xml" desk release end -
    kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null; daemon_pid=

    # The same refusals as Bind: another device in the IGD's IOMMU group (an
    # Intel audio function, class 0x040300) and nothing is written.
    reboot_tree "$tmp/host-r"
    mkdir -p "$tmp/host-r/sys/bus/pci/devices/0000:00:1f.3"
    printf '0x8086\n' >"$tmp/host-r/sys/bus/pci/devices/0000:00:1f.3/vendor"
    printf '0x9d70\n' >"$tmp/host-r/sys/bus/pci/devices/0000:00:1f.3/device"
    printf '0x040300\n' >"$tmp/host-r/sys/bus/pci/devices/0000:00:1f.3/class"
    ln -s ../../../../bus/pci/devices/0000:00:1f.3 "$tmp/host-r/sys/kernel/iommu_groups/0/devices/0000:00:1f.3"
    rm -rf "$tmp/state-r"
    start_reboot_daemon
    run "$tmp/host-r" "$data/legacy-igd.xml" desk prepare begin -
    if refused "desk: igd-assignd refused to prepare 0000:00:02.0: .*0000:00:1f.3" && [ ! -s "$tmp/sysfs-r.log" ] &&
        [ "$(readlink "$r_dev/driver")" = ../../../../bus/pci/drivers/i915 ] &&
        [ "$(cat "$r_dev/driver_override")" = "(null)" ]; then
        ok "/reboot/iommu-group-refused-nothing-written"
    else
        cat "$tmp/sysfs-r.log" >>"$tmp/err"; notok "/reboot/iommu-group-refused-nothing-written"
    fi
    kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null; daemon_pid=

    # ---- 9b. Meteor Lake (derived tree): no BDSM register, etc/igd-bdsm-size 0 -----
    # QEMU docs/igd-assign.txt (v10.2.0, lines 161-165): "Starting from Meteor
    # Lake, IGD devices access stolen memory via its MMIO BAR2 (LMEMBAR) and
    # removed the BDSM register in config space ... Value of this fw_cfg file
    # is 0 in such case". tests/data/hosts/mtl-derived is DERIVED (its README:
    # the IdeaPad dump with device id 0x7d55, BDSM zeroed, on i915), so the
    # daemon binds it as after a reboot and writes the blobs for a UPT domain:
    # etc/igd-bdsm-size is 8 bytes of zero (the host's 32 MiB of stolen
    # memory, GMS 1, is not what QEMU reads there).
    rm -rf "$tmp/host-r" "$tmp/state-r"
    cp -a "$top_srcdir/tests/data/hosts/mtl-derived" "$tmp/host-r"
    : >"$tmp/host-r/dev/vfio/vfio"; : >"$tmp/host-r/dev/vfio/0"
    start_reboot_daemon
    run "$tmp/host-r" "$data/upt-igd.xml" upt prepare begin -
    m_bdsm=$(od -An -t u8 "$tmp/state-r/6f1c3a52-9b0e-4d8e-a1f2-3c4d5e6f7081/igd-bdsm-size" 2>/dev/null | tr -d ' ')
    if [ "$rc" -eq 0 ] && [ "$m_bdsm" = 0 ] &&
        [ "$(stat -c %s "$tmp/state-r/6f1c3a52-9b0e-4d8e-a1f2-3c4d5e6f7081/igd-bdsm-size")" = 8 ] &&
        [ "$(readlink "$r_dev/driver")" = ../../../../bus/pci/drivers/vfio-pci ] &&
        grep -q "prepared 0000:00:02.0 for domain 'upt' (6f1c3a52-9b0e-4d8e-a1f2-3c4d5e6f7081), mode upt, bdsm-size 0," \
            "$tmp/daemon-r.log"; then
        ok "/daemon/mtl-derived/bdsm-size-0"
    else
        { echo "bdsm-size '$m_bdsm'"; tail -5 "$tmp/daemon-r.log"; } >>"$tmp/err"; notok "/daemon/mtl-derived/bdsm-size-0"
    fi
    run "$tmp/host-r" "$data/upt-igd.xml" upt release end -
    expect_silent "/daemon/mtl-derived/release"
    kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null; daemon_pid=

    # ---- 10. managed='yes': libvirt detaches it, the daemon prepares at start begin ----
    reboot_tree "$tmp/host-r"
    rm -rf "$tmp/state-r"
    start_reboot_daemon
    run "$tmp/host-r" "$data/managed-yes.xml" desk prepare begin -
    if [ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ] &&
        head -n 1 "$tmp/err" | grep -q "^igd-assign: desk: warning: the IGD hostdev is managed='yes': .*rebinds i915 when the domain stops" &&
        sed -n 2p "$tmp/err" | grep -q "^hint: .*igd-assign setup desk" &&
        [ "$(readlink "$r_dev/driver")" = ../../../../bus/pci/drivers/i915 ] && [ ! -s "$tmp/sysfs-r.log" ] &&
        [ ! -e "$tmp/state-r/6f1c3a52-9b0e-4d8e-a1f2-3c4d5e6f7081" ]; then
        ok "/managed-yes/prepare-warns-binds-nothing"
    else
        notok "/managed-yes/prepare-warns-binds-nothing"
    fi
    # what libvirt's virPCIDeviceBindToStub then does (driver_override vfio-pci, rebind): by hand here
    rm -f "$r_dev/driver" "$tmp/host-r/sys/bus/pci/drivers/i915/0000:00:02.0"
    ln -s ../../../../bus/pci/drivers/vfio-pci "$r_dev/driver"
    ln -s ../../devices/0000:00:02.0 "$tmp/host-r/sys/bus/pci/drivers/vfio-pci/0000:00:02.0"
    printf 'vfio-pci\n' >"$r_dev/driver_override"
    run "$tmp/host-r" "$data/managed-yes.xml" desk start begin -
    if silent && [ ! -s "$tmp/sysfs-r.log" ] &&
        [ "$(stat -c %s "$tmp/state-r/6f1c3a52-9b0e-4d8e-a1f2-3c4d5e6f7081/igd-opregion" 2>/dev/null)" = 8192 ] &&
        grep -q 'uuid="6f1c3a52-9b0e-4d8e-a1f2-3c4d5e6f7081"' "$tmp/state-r/state.xml"; then
        ok "/managed-yes/start-begin-prepares"
    else
        notok "/managed-yes/start-begin-prepares"
    fi
    run "$tmp/host-r" "$data/managed-yes.xml" desk release end -
    expect_silent "/managed-yes/release"
    unset BUS
else
    for t in prepare-ok prepare-wrote-blobs prepare-owned-by-other reconnect release prepare-after-release release-2 \
        release-2/blobs-and-owner-gone \
        qemu72/prepare qemu72/bdsm-size-gtt-only qemu72/prepare-x-igd-gms qemu72/bdsm-size-x-igd-gms-1 qemu72/release \
        reboot/prepare-binds-and-starts reboot/driver-link-and-override reboot/writes-in-order \
        reboot/daemon-journal-says-so reboot/blobs-written reboot/second-start-silent \
        reboot/iommu-group-refused-nothing-written managed-yes/prepare-warns-binds-nothing \
        managed-yes/start-begin-prepares managed-yes/release; do
        skip "/daemon/$t" "daemon/igd-assignd or tests/libigdvfiodouble.so not built, no dbus-daemon, or not root"
    done
fi

echo "1..$n"
[ "$fails" -eq 0 ]
