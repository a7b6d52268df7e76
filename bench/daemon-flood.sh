#!/bin/sh
# bench/daemon-flood.sh [BLOCKS] [RUNS]: the hook's `prepare begin` for a
# legacy IGD domain, igd-assignd included, with and without 200
# unprivileged D-Bus connections flooding the daemon (SPEC.md §8: within 2x
# of its unloaded time).
#
# Set-up as tests/daemon.sh: a private dbus-daemon that behaves like the
# system bus with the daemon's own policy (tests/data/daemon/bus.conf),
# igd-assignd as root on a copy of the captured host skl-ideapad-vfio under
# the VFIO double, its state on a tmpfs as /run is. The flood is
# tests/dbus-load run as nobody (setpriv): 200 connections of its own, each
# keeping one GetStatus call in flight (a denial answers it, the next call
# follows at once). The hook is timed by bench/hook-latency (fork to exit,
# the XML on a pipe, as libvirt runs it).
#
# The flood process stays connected for the whole run and is stopped
# (SIGSTOP) and continued in turn, so the runs alternate in blocks of RUNS
# (default 20) between "idle" (200 connections open, nothing sent) and
# "flooding", BLOCKS (default 5) blocks each; the medians of all runs of
# each kind and their ratio are printed, and how many calls a second the
# daemon answered the flood while the hook ran.
#
# IGD_BENCH_DAEMON runs another igd-assignd binary (an older build, to
# compare). Run from the build directory (or set top_builddir/top_srcdir),
# as root (the daemon serves root only on a private bus), after
#   make bench/hook-latency hook/igd-assign-hook hook/igd-assign-hook-full \
#        daemon/igd-assignd tests/libigdvfiodouble.so tests/dbus-load
blocks=${1:-5}
runs=${2:-20}
connections=${IGD_BENCH_FLOOD_CONNECTIONS:-200}
inflight=${IGD_BENCH_FLOOD_INFLIGHT:-1}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=$(cd "${top_builddir:-.}" && pwd)
lat=$top_builddir/bench/hook-latency
hook=$top_builddir/hook/igd-assign-hook
full=$top_builddir/hook/igd-assign-hook-full
daemon=${IGD_BENCH_DAEMON:-$top_builddir/daemon/igd-assignd}
load=$top_builddir/tests/dbus-load
vfiodouble=$top_builddir/tests/libigdvfiodouble.so
for f in "$lat" "$hook" "$full" "$daemon" "$load" "$vfiodouble"; do
    [ -e "$f" ] || { echo "daemon-flood: build $f first"; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "daemon-flood: run as root (igd-assignd serves root only on a private bus)"; exit 2; }
for t in dbus-daemon setpriv; do
    command -v $t >/dev/null || { echo "daemon-flood: $t missing"; exit 2; }
done

tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp" # nobody reaches the bus socket
bus_pid=; daemon_pid=; flood_pid=; state=
cleanup() {
    [ -n "$flood_pid" ] && { kill -CONT "$flood_pid"; kill "$flood_pid"; } 2>/dev/null
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
    [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
    [ -n "$state" ] && rm -rf "$state"
}
trap cleanup EXIT

addr=unix:path=$tmp/bus
cp -a "$top_srcdir/tests/data/hosts/skl-ideapad-vfio" "$tmp/host"
: >"$tmp/host/dev/vfio/vfio"; : >"$tmp/host/dev/vfio/0" # the nodes the VFIO double answers for
dbus-daemon --config-file="$top_srcdir/tests/data/daemon/bus.conf" --address="$addr" --nofork --nopidfile \
    >/dev/null 2>&1 &
bus_pid=$!
if [ -d /dev/shm ] && [ -w /dev/shm ]; then state=$(mktemp -d /dev/shm/igd-bench-XXXXXX); else state=$tmp/state; fi
printf '[daemon]\nqemu-binary=none\nqemu-group=root\n' >"$tmp/igd-assignd.conf"
i=0; while [ ! -S "$tmp/bus" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
LD_PRELOAD=$vfiodouble IGD_VFIO_DOUBLE=$tmp/host/dev/vfio \
    IGD_VFIO_DOUBLE_CONFIG=$top_srcdir/tests/data/daemon/vfio-skl.conf \
    IGD_TEST_DATA_DIR=${IGD_TEST_DATA_DIR:-$top_srcdir/tests/data} \
    "$daemon" --bus-address "$addr" --sysfs-root "$tmp/host" --state-dir "$state" \
    --config "$tmp/igd-assignd.conf" >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
i=0
until "$load" --address "$addr" --probe 1 >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 200 ] && { echo "daemon-flood: igd-assignd did not start"; cat "$tmp/daemon.log"; exit 1; }
    sleep 0.05
done

export IGD_ASSIGN_HOOK_FULL="$full" IGD_ASSIGN_SYSFS_ROOT="$tmp/host" IGD_ASSIGND_BUS_ADDRESS="$addr"
setpriv --reuid=65534 --regid=65534 --clear-groups "$load" --address "$addr" --flood "$connections" --inflight "$inflight" \
    >"$tmp/flood.out" 2>&1 &
flood_pid=$!
i=0
until grep -q '^connected' "$tmp/flood.out"; do
    i=$((i + 1)); [ $i -gt 600 ] && { echo "daemon-flood: the flood did not connect"; cat "$tmp/flood.out"; exit 1; }
    sleep 0.05
done
answered() { # the flood's answered calls so far (it prints them on SIGUSR1)
    before=$(grep -c '^answered' "$tmp/flood.out")
    kill -USR1 "$flood_pid"
    i=0
    while [ "$(grep -c '^answered' "$tmp/flood.out")" = "$before" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i + 1)); done
    grep '^answered' "$tmp/flood.out" | tail -1 | cut -d' ' -f2
}
a0=$(answered) # what the flood was answered while it started
kill -STOP "$flood_pid"

block() { # block: RUNS prepare begin runs; the median in microseconds
    "$lat" --runs "$runs" --xml "$top_srcdir/tests/data/hook/legacy-igd.xml" --op "prepare begin" --domain desk \
        igd-assign-hook="$hook" >"$tmp/block.out" || exit 1
    awk '$1 == "igd-assign-hook" { print $2; if ($8 != 0) print "exit " $8 > "/dev/stderr" }' "$tmp/block.out"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "# igd-assignd: $daemon"
echo "# state directory: $state ($(stat -f -c %T "$state")); flood: $connections connections as nobody, $inflight GetStatus each in flight"
echo "# $blocks blocks of $runs runs each, idle and flooding in turn"
: >"$tmp/idle"; : >"$tmp/flooding"; flood_calls=0; flood_us=0
b=0
while [ $b -lt "$blocks" ]; do
    block >>"$tmp/idle"
    t0=$(date +%s%N)
    kill -CONT "$flood_pid"
    sleep 1.2 # past the burst the tarpit allows each caller after a pause: the steady flood
    block >>"$tmp/flooding"
    a1=$(answered); t1=$(date +%s%N)
    kill -STOP "$flood_pid"
    flood_calls=$((flood_calls + a1 - a0)); flood_us=$((flood_us + (t1 - t0) / 1000)); a0=$a1
    sleep 0.3 # the daemon answers what was in flight
    b=$((b + 1))
done
kill -CONT "$flood_pid"
idle=$(median <"$tmp/idle")
flooding=$(median <"$tmp/flooding")
echo "idle blocks (median us):     $(tr '\n' ' ' <"$tmp/idle")"
echo "flooding blocks (median us): $(tr '\n' ' ' <"$tmp/flooding")"
awk -v i="$idle" -v f="$flooding" -v c="$flood_calls" -v us="$flood_us" 'BEGIN {
    printf "prepare begin, idle:     %.2f ms (median of block medians)\n", i / 1000
    printf "prepare begin, flooding: %.2f ms\n", f / 1000
    printf "flood answered:          %.0f denied calls/s while flooding (igd-tarpit.h paces them)\n", (us > 0 ? c * 1e6 / us : 0)
    printf "flooding / idle:         %.2f x   (SPEC.md §8: <= 2)\n", f / i
}'
grep -c 'denied' "$tmp/daemon.log" | sed 's/^/daemon log lines about denials: /'
