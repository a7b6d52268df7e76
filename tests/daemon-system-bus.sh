#!/bin/sh
# TAP: igd-assignd on "the system bus" (no --bus-address: it connects to
# $DBUS_SYSTEM_BUS_ADDRESS, here a private dbus-daemon with the project's
# policy), where a caller that is not root goes through polkit. This bus has
# no polkitd (tests/daemon-polkit.sh runs a real one), so polkit cannot
# answer: the call is denied, and the daemon lives on and keeps serving
# root. (Every non-root caller on the system bus once crashed igd-assignd:
# authorize() read the polkit action through a pointer it had already handed
# over; tests/package.sh met it with the installed package.)
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
daemon_bin=$top_builddir/daemon/igd-assignd

for tool in dbus-daemon gdbus setpriv; do
    if ! command -v $tool >/dev/null 2>&1; then echo "1..0 # SKIP $tool not installed"; exit 0; fi
done
if [ "$(id -u)" != 0 ]; then echo "1..0 # SKIP needs root (a caller as nobody)"; exit 0; fi
if [ ! -x "$daemon_bin" ]; then echo "1..0 # SKIP $daemon_bin not built"; exit 0; fi
if ! grep -q '^#define HAVE_POLKIT 1' "$top_builddir/config.h"; then echo "1..0 # SKIP built without polkit"; exit 0; fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/igd-daemon-sysbus.XXXXXX")
chmod 755 "$tmp" # nobody must reach the bus socket
bus_pid=
daemon_pid=
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
    [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -f "${2:-}" ] && sed 's/^/#   /' "$2"; return 0; }

addr="unix:path=$tmp/bus"
cp -a "$top_srcdir/tests/data/hosts/skl-ideapad-vfio" "$tmp/root"
printf '[daemon]\nqemu-binary=none\nqemu-group=root\n' >"$tmp/igd-assignd.conf"
dbus-daemon --config-file="$top_srcdir/tests/data/daemon/bus.conf" --address="$addr" --nofork --nopidfile 2>/dev/null &
bus_pid=$!
DBUS_SYSTEM_BUS_ADDRESS=$addr ${IGD_VALGRIND:-} "$daemon_bin" --config "$tmp/igd-assignd.conf" \
    --sysfs-root "$tmp/root" --state-dir "$tmp/state" >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
call() { gdbus call --address "$addr" --dest org.igdassign.Manager1 --object-path /org/igdassign/Manager1 \
    --method org.igdassign.Manager1.GetStatus; }
i=0
until call >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 3000 ] || ! kill -0 "$daemon_pid" 2>/dev/null; then
        echo "1..0 # SKIP the daemon did not start: $(head -c 300 "$tmp/daemon.log")"
        exit 0
    fi
    sleep 0.01
done

echo "1..3"
setpriv --reuid=65534 --regid=65534 --clear-groups \
    gdbus call --address "$addr" --dest org.igdassign.Manager1 --object-path /org/igdassign/Manager1 \
    --method org.igdassign.Manager1.GetStatus >"$tmp/out" 2>&1
if grep -q 'org.igdassign.Error.Denied: not authorized to call GetStatus: polkit' "$tmp/out"; then
    ok "nobody: denied, polkit cannot answer ($(sed -n 's/.*: polkit/polkit/p' "$tmp/out" | head -c 120))"
else
    notok "nobody: denied, polkit cannot answer" "$tmp/out"
fi
if kill -0 "$daemon_pid" 2>/dev/null && call >"$tmp/out" 2>&1 && grep -q '"devices"' "$tmp/out"; then
    ok "the daemon lives on and answers root"
else
    cat "$tmp/daemon.log" >>"$tmp/out"
    notok "the daemon lives on and answers root" "$tmp/out"
fi
kill "$daemon_pid" 2>/dev/null
wait "$daemon_pid"
rc=$?
daemon_pid=
# 0 after SIGTERM; memcheck's --error-exitcode (99) or a signal otherwise
[ $rc -eq 0 ] && ok "it stops cleanly on SIGTERM" || { echo "exit $rc" >"$tmp/out"; cat "$tmp/daemon.log" >>"$tmp/out"; notok "it stops cleanly on SIGTERM" "$tmp/out"; }
exit $failed
