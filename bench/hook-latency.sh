#!/bin/sh
# bench/hook-latency.sh [RUNS]: the hook against /bin/true and a typical
# bash + xmllint hook, on the same stdin, alternating (bench/hook-latency.c).
#   1. an 8 KiB domain without IGD (tests/data/hook/plain.xml), prepare begin
#      and migrate begin: SPEC §8 wants the hook within 1.5x of /bin/true,
#      peak RSS <= 8 MiB;
#   2. a legacy IGD domain (tests/data/hook/legacy-igd.xml) on the captured
#      host tests/data/hosts/skl-ideapad-vfio with igd-assignd running on a
#      private bus, prepare begin then release end: SPEC §8 wants <= 10 ms
#      median. Set up as tests/daemon.sh does: a private dbus-daemon that
#      behaves like the system bus with the daemon's own policy
#      (tests/data/daemon/bus.conf), igd-assignd as root on a copy of the
#      tree with the nodes /dev/vfio/vfio and /dev/vfio/0 the VFIO double
#      (tests/libigdvfiodouble.so) answers for, its state on a tmpfs as
#      $(runstatedir) is. One run of each operation is checked first (exit 0,
#      or the hook's words and the daemon's log, and no numbers). Needs root
#      (the daemon serves root only on a private bus).
# The machine's load average is printed before and after each part: on a
# shared machine the wall times follow it; the cpu_us column (the hook's own
# CPU time) and the daemon's own time for each Prepare (from its log) do
# much less.
# Run from the build directory (or set top_builddir / top_srcdir), after
# make bench/hook-latency hook/igd-assign-hook hook/igd-assign-hook-full
#      daemon/igd-assignd tests/libigdvfiodouble.so tests/dbus-load
runs=${1:-300}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-.}
top_builddir=$(cd "$top_builddir" && pwd)
lat=$top_builddir/bench/hook-latency
hook=$top_builddir/hook/igd-assign-hook
full=$top_builddir/hook/igd-assign-hook-full
data=$top_srcdir/tests/data/hook
for f in "$lat" "$hook" "$full"; do
    [ -x "$f" ] || { echo "hook-latency: build $f first (make bench/hook-latency hook/igd-assign-hook hook/igd-assign-hook-full)"; exit 2; }
done
command -v xmllint >/dev/null || { echo "hook-latency: xmllint missing (apt-get install libxml2-utils)"; exit 2; }
tmp=$(mktemp -d) || exit 1
chmod 755 "$tmp"
bus_pid=; daemon_pid=; state=
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
    [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
    [ -n "$state" ] && rm -rf "$state"
}
trap cleanup EXIT
load() { echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"; }

# What people run today: bash reads the XML and asks xmllint for hostdevs.
cat >"$tmp/bash-xmllint-hook" <<'HOOK'
#!/bin/bash
# typical /etc/libvirt/hooks/qemu: act on domains with a PCI hostdev
xml=$(cat)
case "$2/$3" in
prepare/begin|release/end)
    addrs=$(printf '%s' "$xml" | xmllint --xpath "//devices/hostdev[@type='pci']/source/address" - 2>/dev/null) || exit 0
    [ -n "$addrs" ] || exit 0
    echo "$1: has PCI hostdevs" >&2
    ;;
esac
exit 0
HOOK
chmod 755 "$tmp/bash-xmllint-hook"

export IGD_ASSIGN_HOOK_FULL="$full"
echo "## 1. domain without IGD"
load
for op in "prepare begin" "migrate begin"; do
    "$lat" --runs "$runs" --xml "$data/plain.xml" --op "$op" --domain web01 \
        true=/bin/true igd-assign-hook="$hook" bash+xmllint="$tmp/bash-xmllint-hook"
done
load

echo "## 2. legacy IGD domain, captured host skl-ideapad-vfio, igd-assignd on a private bus"
daemon=$top_builddir/daemon/igd-assignd
vfiodouble=$top_builddir/tests/libigdvfiodouble.so
probe=$top_builddir/tests/dbus-load
for f in "$daemon" "$vfiodouble" "$probe"; do
    [ -e "$f" ] || { echo "# SKIP: $f not built"; exit 0; }
done
command -v dbus-daemon >/dev/null || { echo "# SKIP: dbus-daemon missing"; exit 0; }
[ "$(id -u)" = 0 ] || { echo "# SKIP: run as root (igd-assignd serves root only on a private bus)"; exit 0; }
addr=unix:path=$tmp/bus
cp -a "$top_srcdir/tests/data/hosts/skl-ideapad-vfio" "$tmp/host"
: >"$tmp/host/dev/vfio/vfio"; : >"$tmp/host/dev/vfio/0" # the nodes the VFIO double answers for
dbus-daemon --config-file="$top_srcdir/tests/data/daemon/bus.conf" --address="$addr" --nofork --nopidfile \
    >/dev/null 2>&1 &
bus_pid=$!
# The daemon's state and blobs live in $(runstatedir)/igd-assign, a tmpfs on
# a systemd host (/run): measure that layout (IGD_BENCH_STATE_DIR overrides).
# On a disk-backed directory the fsyncs of the blobs and the state file are
# disk flushes.
if [ -n "${IGD_BENCH_STATE_DIR:-}" ]; then
    mkdir -p "$IGD_BENCH_STATE_DIR" && bench_state=$IGD_BENCH_STATE_DIR
elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
    state=$(mktemp -d /dev/shm/igd-bench-XXXXXX) && bench_state=$state
else
    bench_state=$tmp/state
fi
echo "# daemon state directory: $bench_state ($(stat -f -c %T "$bench_state"))"
printf '[daemon]\nqemu-binary=none\nqemu-group=root\n' >"$tmp/igd-assignd.conf"
i=0; while [ ! -S "$tmp/bus" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
LD_PRELOAD=$vfiodouble IGD_VFIO_DOUBLE=$tmp/host/dev/vfio \
    IGD_VFIO_DOUBLE_CONFIG=$top_srcdir/tests/data/daemon/vfio-skl.conf \
    IGD_TEST_DATA_DIR=${IGD_TEST_DATA_DIR:-$top_srcdir/tests/data} \
    "$daemon" --bus-address "$addr" --sysfs-root "$tmp/host" --state-dir "$bench_state" \
    --config "$tmp/igd-assignd.conf" >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
i=0
until "$probe" --address "$addr" --probe 1 >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -gt 200 ] && { echo "hook-latency: igd-assignd did not start"; cat "$tmp/daemon.log"; exit 1; }
    sleep 0.05
done
export IGD_ASSIGN_SYSFS_ROOT="$tmp/host" IGD_ASSIGND_BUS_ADDRESS="$addr"
echo "# igd-assignd running on a private bus"
# One run of each first: a hook that fails is not measured.
for op in "prepare begin" "release end"; do
    # shellcheck disable=SC2086
    if ! "$hook" desk $op - <"$data/legacy-igd.xml" >"$tmp/once.out" 2>&1; then
        echo "hook-latency: the hook's $op failed, nothing measured:"
        cat "$tmp/once.out"; echo "igd-assignd's log:"; tail -5 "$tmp/daemon.log"
        exit 1
    fi
done
load
for op in "prepare begin" "release end"; do
    "$lat" --runs "$runs" --xml "$data/legacy-igd.xml" --op "$op" --domain desk \
        true=/bin/true igd-assign-hook="$hook" bash+xmllint="$tmp/bash-xmllint-hook" | tee "$tmp/lat.out"
    # the hook's exit code stayed 0 through every run
    awk '$1 == "igd-assign-hook" && ($8 != 0 || $9 != "") { print "hook-latency: the hook exited " $8 " " $9; exit 1 }' \
        "$tmp/lat.out" || exit 1
done
load
# igd-assignd's own time for each Prepare (igd_owner_prepare(), from its log line "prepared ... N us")
sed -n 's/.*prepared .* bytes, \([0-9]*\) us$/\1/p' "$tmp/daemon.log" | sort -n |
    awk '{ v[NR] = $1 } END { if (NR) printf "# igd-assignd, inside Prepare: median %d us, min %d us, %d calls\n", v[int((NR + 1) / 2)], v[1], NR }'
