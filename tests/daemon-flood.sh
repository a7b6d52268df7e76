#!/bin/sh
# daemon-flood.sh: no unprivileged caller can delay a root caller of
# igd-assignd (SPEC.md §7), and what a denied or oversized call costs is
# bounded (TAP). The daemon runs as tests/daemon.sh runs it: a private
# dbus-daemon that behaves like the system bus with the daemon's policy,
# the captured host skl-ideapad-vfio under the VFIO double. The flood is
# tests/dbus-load as nobody: 200 connections, each keeping one call in
# flight. Checks:
#   - root's calls on its own connection, and new root connections (what
#     the hook makes), answered within bounds while the flood runs (the
#     timing bounds are skipped under valgrind; everything else is not);
#   - the flood gets its denials, paced (igd-tarpit.h: 3 at once, then one
#     a second per caller), not thousands a second;
#   - the denials are logged a few times, then counted, not once per call;
#   - a 10 MB domain name is refused before anything (a Usage error naming
#     the bound), and no log line is longer than a few hundred bytes; a
#     long name with control characters is logged escaped and cut.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
IGD_TEST_DATA_DIR=${IGD_TEST_DATA_DIR:-$top_srcdir/tests/data}
export IGD_TEST_DATA_DIR

daemon_bin=$top_builddir/daemon/igd-assignd
load=$top_builddir/tests/dbus-load
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/# /'; }
check() { # check NAME COMMAND...
    name=$1; shift
    if "$@" >"$tmp/out" 2>&1; then ok "$name"; else not_ok "$name" "$(cat "$tmp/out")"; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

for tool in dbus-daemon setpriv; do
    if ! command -v $tool >/dev/null 2>&1; then echo "1..0 # SKIP $tool not installed"; exit 0; fi
done
if [ "$(id -u)" != 0 ]; then echo "1..0 # SKIP needs root (the daemon serves root only on a private bus)"; exit 0; fi
for f in "$daemon_bin" "$load"; do
    if [ ! -x "$f" ]; then echo "1..0 # SKIP $f not built"; exit 0; fi
done

echo "1..9"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/igd-daemon-flood.XXXXXX")
chmod 755 "$tmp" # nobody reaches the bus socket
bus_pid=; daemon_pid=; flood_pid=
cleanup() {
    [ -n "$flood_pid" ] && kill "$flood_pid" 2>/dev/null
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
    [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

addr="unix:path=$tmp/bus"
root=$tmp/root
state=$tmp/state
uuid_a=c7a5fdbd-edaf-9455-926a-d65c16db1809
cp -a "$top_srcdir/tests/data/hosts/skl-ideapad-vfio" "$root"
: >"$root/dev/vfio/vfio"; : >"$root/dev/vfio/0" # the nodes the VFIO double answers for
printf '[daemon]\nqemu-binary=none\nqemu-group=root\n' >"$tmp/igd-assignd.conf"
dbus-daemon --config-file="$top_srcdir/tests/data/daemon/bus.conf" --address="$addr" --nofork --nopidfile \
    2>/dev/null &
bus_pid=$!
i=0; while [ ! -S "$tmp/bus" ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i + 1)); done

start_wait=300
[ -n "${IGD_VALGRIND:-}" ] && start_wait=3000
start_daemon() {
    LD_PRELOAD=$top_builddir/tests/libigdvfiodouble.so IGD_VFIO_DOUBLE=$root/dev/vfio \
    IGD_VFIO_DOUBLE_CONFIG=$top_srcdir/tests/data/daemon/vfio-skl.conf \
        ${IGD_VALGRIND:-} "$daemon_bin" --bus-address "$addr" --sysfs-root "$root" --state-dir "$state" \
        --config "$tmp/igd-assignd.conf" >/dev/null 2>>"$tmp/daemon.log" &
    daemon_pid=$!
    i=0
    until "$load" --address "$addr" --probe 1 >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt $start_wait ] || ! kill -0 "$daemon_pid" 2>/dev/null; then return 1; fi
        sleep 0.02
    done
}
check "igd-assignd serves root on a private bus" start_daemon

field() { # field NAME LINE: the number after NAME in a dbus-load summary line
    echo "$2" | tr ' ' '\n' | awk -v k="$1" 'p { print; exit } $0 == k { p = 1 }'
}
start_flood() {
    setpriv --reuid=65534 --regid=65534 --clear-groups "$load" --address "$addr" --flood 200 \
        >"$tmp/flood.out" 2>&1 &
    flood_pid=$!
    i=0
    until grep -q '^connected 200' "$tmp/flood.out"; do
        i=$((i + 1))
        if [ $i -gt 1500 ] || ! kill -0 "$flood_pid" 2>/dev/null; then cat "$tmp/flood.out"; return 1; fi
        sleep 0.02
    done
    flood_t0=$(date +%s)
    sleep 1
}
check "200 connections of nobody flood the daemon with calls" start_flood

# Root on one connection: 50 GetStatus calls one after another.
probe=$("$load" --address "$addr" --probe 50 2>&1)
if [ -n "${IGD_VALGRIND:-}" ]; then
    skip "50 root calls during the flood: median <= 25 ms, none over 1 s" "timing under valgrind"
else
    med=$(field median_ms "$probe"); max=$(field max_ms "$probe")
    if [ -n "$med" ] && [ "$(field ok "$probe")" = 50 ] &&
        awk -v m="$med" -v x="$max" 'BEGIN { exit !(m <= 25 && x <= 1000) }'; then
        ok "50 root calls during the flood: median <= 25 ms, none over 1 s ($probe)"
    else
        not_ok "50 root calls during the flood: median <= 25 ms, none over 1 s" "$probe"
    fi
fi
# Root as the hook calls: a new connection (authentication, Hello), one call.
new_connections() {
    worst=0
    for i in 1 2 3 4 5 6 7 8 9 10; do
        t0=$(date +%s%N)
        "$load" --address "$addr" --probe 1 >/dev/null || { echo "call $i failed"; return 1; }
        t=$((($(date +%s%N) - t0) / 1000000))
        [ $t -gt $worst ] && worst=$t
    done
    echo "slowest: $worst ms"
    [ $worst -le 1000 ]
}
if [ -n "${IGD_VALGRIND:-}" ]; then
    skip "10 new root connections during the flood, one call each: each within 1 s" "timing under valgrind"
else
    check "10 new root connections during the flood, one call each: each within 1 s" new_connections
fi

# The flood, denied: answered, but paced. Over T seconds 200 callers get
# at most 3 + T + 1 answers each (igd-tarpit.h); unpaced, a denial is
# answered at once and the flood makes thousands a second.
stop_flood() {
    kill "$flood_pid"; wait "$flood_pid" 2>/dev/null; flood_pid=
    secs=$(($(date +%s) - flood_t0 + 1))
    line=$(grep '^flood:' "$tmp/flood.out")
    answered=$(($(field errors "$line") + $(field replies "$line")))
    echo "$line; $secs s"
    [ "$(field replies "$line")" = 0 ] && [ "$answered" -ge 200 ] && [ "$answered" -le $((200 * (secs + 4))) ]
}
check "the flood's calls are denied, paced: at most 3 + 1 a second per caller" stop_flood
logged() {
    lines=$(grep -c 'denied GetStatus to' "$tmp/daemon.log")
    echo "$lines lines name a denied GetStatus"
    [ "$lines" -ge 1 ] && [ "$lines" -le 10 ]
}
check "denials are logged a few times, then counted" logged

big_name() {
    out=$("$load" --address "$addr" --call Prepare --name-bytes 10485760 2>&1)
    echo "$out"
    case $out in "error: org.igdassign.Error.Usage: argument 'name' of Prepare is 10485760 bytes, more than 4096") ;;
    *) return 1 ;; esac
    [ ! -e "$state/$uuid_a" ]
}
check "a 10 MB domain name is refused before anything, naming the bound" big_name
long_name() {
    long=$(printf 'x%.0s' $(seq 1 300))
    gdbus call --address "$addr" --dest org.igdassign.Manager1 --object-path /org/igdassign/Manager1 \
        --method org.igdassign.Manager1.Prepare "$uuid_a" "$long
second line" 0000:00:02.0 legacy >/dev/null || return 1
    gdbus call --address "$addr" --dest org.igdassign.Manager1 --object-path /org/igdassign/Manager1 \
        --method org.igdassign.Manager1.Release "$uuid_a" >/dev/null || return 1
    grep -q "prepared 0000:00:02.0 for domain 'x*\.\.\.(312 bytes)' ($uuid_a)" "$tmp/daemon.log" ||
        { echo "no bounded name in:"; grep prepared "$tmp/daemon.log" | cut -c1-400; return 1; }
    longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$tmp/daemon.log")
    echo "longest log line: $longest bytes"
    [ "$longest" -le 1024 ]
}
check "a long name with a newline is logged escaped and cut; no log line over 1 KiB" long_name

sigterm() {
    kill -TERM "$daemon_pid"; wait "$daemon_pid"; rc=$?; daemon_pid=
    [ $rc = 0 ] || { echo "exit status $rc"; cat "$tmp/daemon.log" | tail -20; return 1; }
}
check "SIGTERM: the daemon exits 0${IGD_VALGRIND:+ (memcheck clean)}" sigterm

exit $failed
