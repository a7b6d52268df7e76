#!/bin/sh
# daemon-faults.sh: faults leave nothing half-done (TAP). igd-assignd as
# tests/daemon.sh runs it (a private dbus-daemon with the daemon's policy,
# a copy of the captured host skl-ideapad-vfio, the VFIO double), here
# also under the sysfs double (binding moves the tree's driver links) and
# the fault double (tests/libigdfaultdouble.so: SIGKILL, or a failure as a
# full disk gives, at the Nth change the daemon makes under the state
# directory and the tree's /sys, counted while an arm file exists).
#
#   - the blobs are readable by QEMU's group (here nogroup, as nobody) and
#     by no one else;
#   - SIGKILL before each step of a first Prepare (the pending claim, bind,
#     blobs, the claim completed: the IGD taken from i915) and of a Prepare
#     that replaces an owner's blobs with another pair, then a restart: the
#     device owned with a whole pair (the old one or the new one, never
#     mixed) and i915 recorded, or not owned, no blobs and back on i915 with
#     no driver_override; nothing left behind; the next Prepare works;
#   - SIGKILL before each step of a start that settles a pending claim
#     (gives the IGD back to i915), restart: the same end;
#   - each step of a Prepare that binds failing with ENOSPC: the Prepare
#     fails and the IGD is back on i915 (or it succeeds whole), nothing is
#     left, the daemon serves, the next works;
#   - the state directory a real full tmpfs (a private mount namespace),
#     during the blobs and during the state commit;
#   - 200 concurrent Prepares of two domains for one IGD: exactly one wins,
#     every call of the other gets the winner's name;
#   - libvirtd restarted while the domain runs (the hook's reconnect begin),
#     with and without the daemon restarted too, and with its state lost:
#     the domain keeps the device;
#   - a stale state file after a host reboot (the tree back on i915):
#     dropped at start, the next Prepare binds and works.
#
# Under valgrind the daemon runs under memcheck and the kill loops take
# every third step.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
IGD_TEST_DATA_DIR=${IGD_TEST_DATA_DIR:-$top_srcdir/tests/data}
export IGD_TEST_DATA_DIR

daemon_bin=$top_builddir/daemon/igd-assignd
load=$top_builddir/tests/dbus-load
hook=$top_builddir/hook/igd-assign-hook
full=$top_builddir/hook/igd-assign-hook-full
fault=$top_builddir/tests/libigdfaultdouble.so
sysfs=$top_builddir/tests/libigdsysfsdouble.so
vfio=$top_builddir/tests/libigdvfiodouble.so
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/# /'; }
check() { # check NAME COMMAND...: its "summary:" lines become TAP comments
    name=$1; shift
    if "$@" >"$tmp/out" 2>&1; then ok "$name"; else not_ok "$name" "$(tail -40 "$tmp/out")"; fi
    grep '^summary: ' "$tmp/out" | sed 's/^/# /'
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

for tool in dbus-daemon gdbus setpriv cmp; do
    if ! command -v $tool >/dev/null 2>&1; then echo "1..0 # SKIP $tool not installed"; exit 0; fi
done
if [ "$(id -u)" != 0 ]; then echo "1..0 # SKIP needs root (the daemon serves root only on a private bus)"; exit 0; fi
for f in "$daemon_bin" "$load" "$hook" "$full" "$fault" "$sysfs" "$vfio"; do
    if [ ! -e "$f" ]; then echo "1..0 # SKIP $f not built"; exit 0; fi
done
getent group nogroup >/dev/null || { echo "1..0 # SKIP no group nogroup (the QEMU group here)"; exit 0; }

# A private mount namespace, for the small tmpfs of the full-disk cases.
if [ -z "${IGD_DAEMON_FAULTS_NS:-}" ] && command -v unshare >/dev/null 2>&1 &&
    unshare -m --propagation private true 2>/dev/null; then
    IGD_DAEMON_FAULTS_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi

echo "1..11"
[ -n "${IGD_VALGRIND:-}" ] && echo "# the daemon runs under: $IGD_VALGRIND"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/igd-daemon-faults.XXXXXX")
chmod 755 "$tmp" # nobody reaches the blobs through it (the QEMU user would through /run)
bus_pid=; daemon_pid=
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
    [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
    wait 2>/dev/null
    mountpoint -q "$tmp/small" 2>/dev/null && umount "$tmp/small"
    rm -rf "$tmp"
}
trap cleanup EXIT

addr="unix:path=$tmp/bus"
root=$tmp/root
state=$tmp/state
uuid_a=c7a5fdbd-edaf-9455-926a-d65c16db1809
uuid_b=6695eb01-f6a4-8304-79aa-97f2502e193f
dev=sys/bus/pci/devices/0000:00:02.0
conf1=$tmp/conf1 # the pair V1: the VFIO OpRegion as it is, the host's stolen size (32 MiB)
conf2=$tmp/conf2 # the pair V2: a VBT spliced in, QEMU 7.2's bdsm-size with x-igd-gms=1 (40 MiB)
printf '[daemon]\nqemu-binary=none\nqemu-group=nogroup\n' >"$conf1"
printf '[daemon]\nqemu-binary=%s\nqemu-group=nogroup\n[device 0000:00:02.0]\nvbt=%s\n' \
    "$top_srcdir/tests/cli-fake-qemu" "$IGD_TEST_DATA_DIR/fixtures/vbt/skl-purism-librem-skl.vbt" >"$conf2"
export IGD_ASSIGN_CACHE_DIR=

dbus-daemon --config-file="$top_srcdir/tests/data/daemon/bus.conf" --address="$addr" --nofork --nopidfile \
    2>/dev/null &
bus_pid=$!
i=0; while [ ! -S "$tmp/bus" ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i + 1)); done

# ---- the tree and the daemon ----

fresh_tree() { # fresh_tree [i915]: the captured host, its IGD on vfio-pci, or on i915 (a host just booted)
    rm -rf "$root"
    cp -a "$top_srcdir/tests/data/hosts/skl-ideapad-vfio" "$root"
    : >"$root/dev/vfio/vfio"; : >"$root/dev/vfio/0" # the nodes the VFIO double answers for
    [ "${1:-}" = i915 ] && to_i915
}
to_i915() {
    ln -sfn ../../../../bus/pci/drivers/i915 "$root/$dev/driver"
    rm -f "$root/sys/bus/pci/drivers/vfio-pci/0000:00:02.0"
    ln -sfn ../../devices/0000:00:02.0 "$root/sys/bus/pci/drivers/i915/0000:00:02.0"
    printf '(null)\n' >"$root/$dev/driver_override"
}
driver() { basename "$(readlink "$root/$dev/driver" 2>/dev/null)" 2>/dev/null; }
override() { cat "$root/$dev/driver_override" 2>/dev/null; }

start_wait=300
[ -n "${IGD_VALGRIND:-}" ] && start_wait=3000
# spawn_daemon CONF [FAULT_AT [ACTION]]: the daemon under the three doubles; FAULT_AT 0 = no fault.
spawn_daemon() {
    LD_PRELOAD=$fault:$sysfs:$vfio IGD_SYSFS_DOUBLE=$root \
    IGD_VFIO_DOUBLE=$root/dev/vfio IGD_VFIO_DOUBLE_CONFIG=$top_srcdir/tests/data/daemon/vfio-skl.conf \
    IGD_FAULT_DIRS=$state:$root/sys IGD_FAULT_ARM=$tmp/arm IGD_FAULT_AT=${2:-0} IGD_FAULT_ACTION=${3:-kill} \
    IGD_FAULT_LOG=$tmp/steps \
        ${IGD_VALGRIND:-} "$daemon_bin" --bus-address "$addr" --sysfs-root "$root" --state-dir "$state" \
        --config "$1" >/dev/null 2>>"$tmp/daemon.log" &
    daemon_pid=$!
}
# start_daemon CONF [FAULT_AT [ACTION]]: spawned, and serving.
start_daemon() {
    spawn_daemon "$@"
    i=0
    until "$load" --address "$addr" --probe 1 >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt $start_wait ] || ! kill -0 "$daemon_pid" 2>/dev/null; then
            echo "the daemon did not start"; tail -5 "$tmp/daemon.log"; return 1
        fi
        sleep 0.02
    done
}
stop_daemon() {
    [ -n "$daemon_pid" ] || return 0
    kill -TERM "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null; rc=$?
    daemon_pid=
    [ $rc = 0 ] || { echo "the daemon exited with $rc"; return 1; }
}
call() { # call METHOD ARGS...
    m=$1; shift
    gdbus call --address "$addr" --dest org.igdassign.Manager1 --object-path /org/igdassign/Manager1 \
        --method "org.igdassign.Manager1.$m" "$@"
}
prepare_v1() { call Prepare "$uuid_a" alpha 0000:00:02.0 legacy; }
prepare_v2() { call PrepareWithOptions "$uuid_a" alpha 0000:00:02.0 legacy "{'x-igd-gms': <uint32 1>}"; }
owns() { grep -q "uuid=\"$1\"" "$state/state.xml" 2>/dev/null; }
# What a restart must find of a Prepare that bound the IGD (on i915 before it): owned, on vfio-pci,
# i915 recorded as the driver to give it back to, the claim complete; or no owner at all and the
# IGD on i915 again with no driver_override (the kernel shows "(null)").
owned_from_i915() {
    [ "$(driver)" = vfio-pci ] && grep -q "uuid=\"$1\".* previous-driver=\"i915\"" "$state/state.xml" &&
        ! grep -q 'pending=' "$state/state.xml" ||
        { echo "owned, but driver $(driver), state:"; cat "$state/state.xml"; return 1; }
}
back_on_i915() {
    ! grep -q '<device ' "$state/state.xml" 2>/dev/null && [ "$(driver)" = i915 ] && [ "$(override)" = "(null)" ] ||
        { echo "not owned, but driver '$(driver)', driver_override '$(override)', state:"; cat "$state/state.xml"
          return 1; }
}
# Nothing a killed or failed writer leaves: temp directories, temp state files, temp blobs.
no_leftovers() {
    left=$(ls -A "$state" 2>/dev/null | grep -E '^\.|^state\.xml\.[A-Za-z0-9]{6}$')
    for d in "$state"/*-*-*-*-*; do
        [ -d "$d" ] && left="$left$(ls -A "$d" | grep '^\.' | sed "s|^| $(basename "$d")/|")"
    done
    [ -z "$left" ] || { echo "left behind: $left"; return 1; }
}
same_pair() { # same_pair DIR REF: DIR holds REF's two files, byte for byte
    cmp -s "$1/igd-opregion" "$2/igd-opregion" && cmp -s "$1/igd-bdsm-size" "$2/igd-bdsm-size"
}
show_pair() { # for messages
    printf '%s: opregion %s bytes (%s), bdsm-size %s' "$1" "$(stat -c %s "$1/igd-opregion" 2>/dev/null)" \
        "$(md5sum <"$1/igd-opregion" 2>/dev/null | cut -c1-8)" "$(od -An -tu8 "$1/igd-bdsm-size" 2>/dev/null | tr -d ' ')"
}

# The reference pairs, made once without faults.
references() {
    fresh_tree; rm -rf "$state"
    start_daemon "$conf1" && prepare_v1 >/dev/null && stop_daemon || return 1
    cp -a "$state/$uuid_a" "$tmp/ref-v1"
    start_daemon "$conf2" && prepare_v2 >/dev/null && stop_daemon || return 1
    cp -a "$state/$uuid_a" "$tmp/ref-v2"
    # V1 and V2 differ in both files: a mixed pair is seen.
    ! cmp -s "$tmp/ref-v1/igd-opregion" "$tmp/ref-v2/igd-opregion" &&
        ! cmp -s "$tmp/ref-v1/igd-bdsm-size" "$tmp/ref-v2/igd-bdsm-size" &&
        [ "$(od -An -tu8 "$tmp/ref-v2/igd-bdsm-size" | tr -d ' ')" = 41943040 ] ||
        { show_pair "$tmp/ref-v1"; echo; show_pair "$tmp/ref-v2"; return 1; }
}
check "two reference pairs, different in both files (V1: no override, 32 MiB; V2: a VBT spliced in, 40 MiB)" references

# ---- 1. QEMU's group reads the blobs, nobody else ----
readable() {
    d=$state/$uuid_a
    [ "$(stat -c '%a %U %G' "$d")" = "750 root nogroup" ] || { stat -c '%n %a %U %G' "$d"; return 1; }
    for f in igd-opregion igd-bdsm-size; do
        [ "$(stat -c '%a %U %G' "$d/$f")" = "640 root nogroup" ] || { stat -c '%n %a %U %G' "$d/$f"; return 1; }
        # The QEMU user (nobody, in nogroup) opens it through every directory down from $tmp.
        setpriv --reuid=65534 --regid=65534 --clear-groups cat "$d/$f" | cmp -s - "$d/$f" ||
            { echo "nobody:nogroup cannot read $d/$f"; return 1; }
        # Someone else (daemon:daemon) cannot.
        if setpriv --reuid=1 --regid=1 --clear-groups cat "$d/$f" >/dev/null 2>&1; then
            echo "daemon:daemon can read $d/$f"; return 1
        fi
    done
    [ "$(($(stat -c '0%a' "$state") & 011))" = 9 ] || { stat -c '%n %a' "$state"; return 1; }
}
check "blobs: <state>/<uuid> 0750 and the files 0640 of QEMU's group; QEMU's user reads them, another user cannot" \
    readable

# ---- 2. SIGKILL before each step ----
step_stride=1
[ -n "${IGD_VALGRIND:-}" ] && step_stride=3
# kill_loop SCENARIO: for k = 1, 2, ...: the baseline, the daemon killed before step k of the Prepare,
# restarted, checked by check_after_kill_SCENARIO, the next Prepare checked; until the Prepare has no step k.
kill_loop() {
    scenario=$1; k=1; kills=0
    while :; do
        baseline_$scenario || { echo "baseline failed"; return 1; }
        : >"$tmp/steps"
        start_daemon "$conf2" "$k" kill || return 1
        touch "$tmp/arm"
        prepare_v2 >"$tmp/call.out" 2>&1
        rm -f "$tmp/arm"
        if ! grep -q -- '-> FAULT' "$tmp/steps"; then
            # No step k: every step was covered.
            stop_daemon || return 1
            total=$((k - 1))
            echo "summary: $scenario: $kills kills (one before each of $total steps, stride $step_stride)"
            [ "$total" -ge 20 ] || { echo "only $total steps?"; cat "$tmp/steps"; return 1; }
            return 0
        fi
        wait "$daemon_pid" 2>/dev/null; daemon_pid=
        kills=$((kills + 1))
        what=$(grep -- '-> FAULT' "$tmp/steps")
        start_daemon "$conf2" || { echo "restart after a kill at: $what"; return 1; }
        if ! no_leftovers || ! check_after_kill_$scenario; then
            echo "after a kill at: $what"; stop_daemon; return 1
        fi
        # The next Prepare works and gives the new pair.
        prepare_v2 >/dev/null && same_pair "$state/$uuid_a" "$tmp/ref-v2" && [ "$(driver)" = vfio-pci ] ||
            { echo "the next Prepare after a kill at: $what"; show_pair "$state/$uuid_a"; echo; stop_daemon; return 1; }
        stop_daemon || return 1
        k=$((k + step_stride))
    done
}

# A first Prepare: the IGD on i915, nobody owns it.
baseline_first() { stop_daemon; fresh_tree i915; rm -rf "$state"; }
owned_n=0; back_n=0
check_after_kill_first() {
    if owns "$uuid_a"; then
        same_pair "$state/$uuid_a" "$tmp/ref-v2" ||
            { echo "owned, but:"; show_pair "$state/$uuid_a"; echo; return 1; }
        owned_from_i915 "$uuid_a" && owned_n=$((owned_n + 1))
    else
        [ ! -e "$state/$uuid_a" ] || { echo "not owned, but blobs: $(ls -A "$state/$uuid_a")"; return 1; }
        back_on_i915 && back_n=$((back_n + 1))
    fi
}
kill_loop_first() {
    kill_loop first || return 1
    echo "summary: first: after the restart $owned_n owned (i915 recorded), $back_n back on i915 with no owner"
}
check "SIGKILL before each step of a first Prepare (state, bind, blobs, state), restart: owned with the whole pair and i915 recorded, or not owned, no blobs, the IGD on i915 again; the next Prepare works" \
    kill_loop_first

# Prepare again with another pair: V1 is there, V2 is asked for.
baseline_again() {
    stop_daemon; rm -rf "$root" "$state"
    cp -a "$tmp/base-root" "$root"; cp -a "$tmp/base-state" "$state"
}
make_base_again() {
    fresh_tree; rm -rf "$state"
    start_daemon "$conf1" && prepare_v1 >/dev/null && stop_daemon || return 1
    rm -rf "$tmp/base-root" "$tmp/base-state"
    cp -a "$root" "$tmp/base-root"; cp -a "$state" "$tmp/base-state"
}
check_after_kill_again() {
    owns "$uuid_a" || { echo "the owner was lost"; return 1; }
    same_pair "$state/$uuid_a" "$tmp/ref-v1" || same_pair "$state/$uuid_a" "$tmp/ref-v2" ||
        { echo "neither the old pair nor the new one:"; show_pair "$state/$uuid_a"; echo; return 1; }
}
if make_base_again >"$tmp/out" 2>&1; then
    check "SIGKILL before each step of a Prepare replacing an owner's pair, restart: the old pair or the new one, never mixed; the next Prepare works" \
        kill_loop again
else
    not_ok "SIGKILL before each step of a Prepare replacing an owner's pair" "$(cat "$tmp/out")"
fi

# A start that finds a pending claim (a Prepare killed after its bind: the IGD on vfio-pci, i915
# recorded) gives the IGD back to i915; killed before each step of that start, the next start does.
pending_state() {
    printf '<igd-assign-state version="1">\n  <device address="0000:00:02.0" uuid="%s" name="alpha" mode="legacy" since="1" previous-driver="i915" pending="true"/>\n</igd-assign-state>\n' \
        "$uuid_a" >"$state/state.xml"
}
settle_loop() {
    k=1; kills=0
    while :; do
        stop_daemon; fresh_tree; rm -rf "$state"; mkdir -p "$state"; pending_state
        : >"$tmp/steps"
        touch "$tmp/arm"
        spawn_daemon "$conf1" "$k" kill
        i=0
        until grep -q -- '-> FAULT' "$tmp/steps" || "$load" --address "$addr" --probe 1 >/dev/null 2>&1; do
            i=$((i + 1)); [ $i -gt $start_wait ] && { echo "neither killed nor serving"; return 1; }; sleep 0.02
        done
        rm -f "$tmp/arm"
        what=$(grep -- '-> FAULT' "$tmp/steps")
        if [ -z "$what" ]; then
            stop_daemon || return 1
            back_on_i915 && no_leftovers || { echo "a start without a kill"; return 1; }
            echo "summary: settle: $kills kills (one before each of $((k - 1)) steps of the start, stride $step_stride)"
            [ $((k - 1)) -ge 5 ] || { echo "only $((k - 1)) steps?"; cat "$tmp/steps"; return 1; }
            return 0
        fi
        wait "$daemon_pid" 2>/dev/null; daemon_pid=
        kills=$((kills + 1))
        start_daemon "$conf1" || { echo "restart after a kill at: $what"; return 1; }
        back_on_i915 && no_leftovers && [ ! -e "$state/$uuid_a" ] ||
            { echo "after a kill at: $what"; stop_daemon; return 1; }
        prepare_v1 >/dev/null && owned_from_i915 "$uuid_a" ||
            { echo "the next Prepare after a kill at: $what"; stop_daemon; return 1; }
        stop_daemon || return 1
        k=$((k + step_stride))
    done
}
check "a start that finds a pending claim (the IGD on vfio-pci, i915 recorded), killed before each of its steps, restart: the IGD back on i915, no owner; the next Prepare works" \
    settle_loop

# ---- 3. each step failing as a full disk does ----
enospc_loop() {
    k=1; failures=0
    while :; do
        stop_daemon; fresh_tree i915; rm -rf "$state"
        : >"$tmp/steps"
        start_daemon "$conf2" "$k" ENOSPC || return 1
        touch "$tmp/arm"
        prepare_v2 >"$tmp/call.out" 2>&1; rc=$?
        rm -f "$tmp/arm"
        what=$(grep -- '-> FAULT' "$tmp/steps")
        if [ -z "$what" ]; then
            stop_daemon || return 1
            echo "summary: ENOSPC before each of $((k - 1)) steps (stride $step_stride): $failures Prepares failed, the others succeeded whole"
            [ $((k - 1)) -ge 20 ] || { echo "only $((k - 1)) steps?"; return 1; }
            return 0
        fi
        if [ $rc != 0 ]; then
            failures=$((failures + 1))
            grep -q 'No space left on device' "$tmp/call.out" ||
                { echo "at $what: $(cat "$tmp/call.out")"; return 1; }
            ! owns "$uuid_a" && [ ! -e "$state/$uuid_a" ] ||
                { echo "a failed Prepare left its owner or blobs, at: $what"; return 1; }
            back_on_i915 || { echo "a failed Prepare did not give the IGD back, at: $what"; return 1; }
        else
            owns "$uuid_a" && same_pair "$state/$uuid_a" "$tmp/ref-v2" && owned_from_i915 "$uuid_a" ||
                { echo "a Prepare that succeeded is not whole, at: $what"; return 1; }
        fi
        no_leftovers || { echo "at: $what"; return 1; }
        # The daemon serves, and the next Prepare works.
        prepare_v2 >/dev/null && same_pair "$state/$uuid_a" "$tmp/ref-v2" ||
            { echo "the next Prepare after ENOSPC at: $what"; return 1; }
        stop_daemon || return 1
        k=$((k + step_stride))
    done
}
check "ENOSPC at each step of a Prepare that binds: it fails naming it, the IGD back on i915 (or succeeds whole), nothing is left, the daemon serves, the next works" \
    enospc_loop

# ---- 4. a real full tmpfs ----
full_tmpfs() {
    stop_daemon; fresh_tree; rm -rf "$state"
    mkdir -p "$tmp/small"
    mount -t tmpfs -o size=128k,mode=0755 tmpfs "$tmp/small" || { echo "cannot mount a tmpfs"; return 1; }
    state=$tmp/small/state
    start_daemon "$conf1" || return 1
    # Full during the blobs: not a byte left.
    dd if=/dev/zero of="$tmp/small/filler" bs=4096 2>/dev/null
    out=$(prepare_v1 2>&1) && { echo "Prepare on a full disk succeeded"; return 1; }
    case $out in *"org.igdassign.Error.IO"*"No space left on device"*) ;; *) echo "$out"; return 1 ;; esac
    ! owns "$uuid_a" && [ ! -e "$state/$uuid_a" ] && no_leftovers || return 1
    rm -f "$tmp/small/filler"
    prepare_v1 >/dev/null && call Release "$uuid_a" >/dev/null || { echo "no Prepare once space is back"; return 1; }
    cp "$state/state.xml" "$tmp/state-before"
    # Full at the state commit: room for the two blobs (3 pages), none for the new state file.
    free=$(stat -f -c %a "$tmp/small")
    dd if=/dev/zero of="$tmp/small/filler" bs=4096 count=$((free - 3)) 2>/dev/null
    out=$(prepare_v1 2>&1) && { echo "Prepare with no room for the state succeeded"; return 1; }
    case $out in *"org.igdassign.Error.IO"*"state file"*"No space left on device"*) ;; *) echo "$out"; return 1 ;; esac
    ! owns "$uuid_a" && [ ! -e "$state/$uuid_a" ] && no_leftovers || { ls -la "$state"; return 1; }
    cmp -s "$state/state.xml" "$tmp/state-before" || { echo "the state file changed"; return 1; }
    rm -f "$tmp/small/filler"
    prepare_v1 >/dev/null && owns "$uuid_a" && same_pair "$state/$uuid_a" "$tmp/ref-v1" ||
        { echo "no Prepare once space is back"; return 1; }
    call Release "$uuid_a" >/dev/null && stop_daemon
}
if [ -n "${IGD_DAEMON_FAULTS_NS:-}" ]; then
    check "a full tmpfs as the state directory, during the blobs and during the state commit: refused, nothing left, then works" \
        full_tmpfs
    state=$tmp/state
    mountpoint -q "$tmp/small" && umount "$tmp/small"
else
    skip "a full tmpfs as the state directory" "no private mount namespace (unshare -m)"
fi

# ---- 5. 200 concurrent Prepares of two domains ----
concurrent() {
    stop_daemon; fresh_tree; rm -rf "$state"
    start_daemon "$conf1" || return 1
    "$load" --address "$addr" --concurrent 100 --call Prepare --uuid "$uuid_a" --name alpha >"$tmp/conc-a" 2>&1 &
    pa=$!
    "$load" --address "$addr" --concurrent 100 --call Prepare --uuid "$uuid_b" --name beta >"$tmp/conc-b" 2>&1 &
    pb=$!
    i=0
    until grep -q '^connected' "$tmp/conc-a" && grep -q '^connected' "$tmp/conc-b"; do
        i=$((i + 1)); [ $i -gt 1500 ] && { cat "$tmp/conc-a" "$tmp/conc-b"; return 1; }; sleep 0.02
    done
    kill -USR2 "$pa" "$pb"
    wait "$pa" "$pb"
    cat "$tmp/conc-a" "$tmp/conc-b"
    grep -h '^concurrent:' "$tmp/conc-a" "$tmp/conc-b" | sed 's/^/summary: /'
    if grep -q '^concurrent: ok 100 errors 0$' "$tmp/conc-a"; then
        winner=alpha; wuuid=$uuid_a; loser=$tmp/conc-b
    elif grep -q '^concurrent: ok 100 errors 0$' "$tmp/conc-b"; then
        winner=beta; wuuid=$uuid_b; loser=$tmp/conc-a
    else
        echo "no domain won every call"; return 1
    fi
    grep -qx "100 x error: org.igdassign.Error.Conflict: device 0000:00:02.0 is owned by running domain '$winner' (uuid $wuuid)" \
        "$loser" || { echo "the loser's answers are not all the winner's name"; return 1; }
    [ "$(grep -c '<device ' "$state/state.xml")" = 1 ] && owns "$wuuid" && [ "$(ls "$state" | grep -c -- -)" = 1 ] ||
        { cat "$state/state.xml"; ls -A "$state"; return 1; }
    call Release "$wuuid" >/dev/null && stop_daemon
}
check "200 concurrent Prepares of two domains for one IGD: one wins every call, the other's all name the winner" concurrent

# ---- 6. libvirtd restarted while the domain runs ----
hook_run() { # hook_run OP SUBOP: the hook as libvirt runs it, on the domain desk
    IGD_ASSIGN_HOOK_FULL=$full IGD_ASSIGN_SYSFS_ROOT=$root IGD_ASSIGND_BUS_ADDRESS=$addr \
        "$hook" desk "$1" "$2" - <"$top_srcdir/tests/data/hook/legacy-igd.xml" >"$tmp/hook.out" 2>&1
}
desk=6f1c3a52-9b0e-4d8e-a1f2-3c4d5e6f7081
reconnect() {
    stop_daemon; fresh_tree; rm -rf "$state"
    start_daemon "$conf1" || return 1
    hook_run prepare begin || { cat "$tmp/hook.out"; return 1; }
    owns "$desk" || return 1
    cp "$state/state.xml" "$tmp/owned.xml"; cp -a "$state/$desk" "$tmp/desk-blobs"
    # libvirtd restarts: for the running domain it runs the hook's reconnect begin.
    hook_run reconnect begin && [ ! -s "$tmp/hook.out" ] || { echo "reconnect:"; cat "$tmp/hook.out"; return 1; }
    cmp -s "$state/state.xml" "$tmp/owned.xml" && same_pair "$state/$desk" "$tmp/desk-blobs" ||
        { echo "reconnect changed the owner or the blobs"; return 1; }
    # The daemon restarted too (an upgrade): the state is read back, reconnect keeps it.
    stop_daemon && start_daemon "$conf1" || return 1
    hook_run reconnect begin && [ ! -s "$tmp/hook.out" ] || { echo "reconnect:"; cat "$tmp/hook.out"; return 1; }
    cmp -s "$state/state.xml" "$tmp/owned.xml" && same_pair "$state/$desk" "$tmp/desk-blobs" ||
        { echo "reconnect after a daemon restart changed the owner or the blobs"; return 1; }
    # The daemon lost its state (the file removed while it was down): reconnect claims the device again.
    stop_daemon && rm -f "$state/state.xml" && start_daemon "$conf1" || return 1
    owns "$desk" && { echo "owner without a state file?"; return 1; }
    hook_run reconnect begin || { cat "$tmp/hook.out"; return 1; }
    owns "$desk" || { echo "reconnect did not claim the device back"; cat "$tmp/hook.out"; return 1; }
    # Kept: another domain is refused.
    out=$(call Prepare "$uuid_b" other 0000:00:02.0 legacy 2>&1) && { echo "another domain took it"; return 1; }
    case $out in *"org.igdassign.Error.Conflict"*"$desk"*) ;; *) echo "$out"; return 1 ;; esac
    hook_run release end && ! owns "$desk" && stop_daemon
}
check "libvirtd restarted while the domain runs (reconnect begin): it keeps the device, also across a daemon restart and a lost state file" \
    reconnect

# ---- 7. a stale state file after a host reboot ----
reboot() {
    stop_daemon; fresh_tree; rm -rf "$state"
    start_daemon "$conf1" && prepare_v1 >/dev/null && stop_daemon || return 1
    owns "$uuid_a" || return 1
    # The host reboots: i915 takes the IGD back; the state directory is not a tmpfs here and keeps its file.
    to_i915
    start_daemon "$conf1" || return 1
    ! owns "$uuid_a" && [ ! -e "$state/$uuid_a" ] || { echo "the stale owner was kept"; return 1; }
    grep -q "dropping stale ownership of 0000:00:02.0 by domain $uuid_a: no longer bound to vfio-pci" \
        "$tmp/daemon.log" || { echo "not said in the log"; return 1; }
    # The next Prepare binds the IGD again and works.
    prepare_v1 >/dev/null && owns "$uuid_a" && [ "$(driver)" = vfio-pci ] &&
        same_pair "$state/$uuid_a" "$tmp/ref-v1" || { echo "driver $(driver)"; return 1; }
    call Release "$uuid_a" >/dev/null && stop_daemon
}
check "a stale state file after a host reboot (IGD back on i915): dropped at start, the next Prepare binds and works" reboot

sigterm_clean() {
    start_daemon "$conf1" && stop_daemon
}
check "the daemon still starts and stops cleanly (SIGTERM, exit 0)${IGD_VALGRIND:+, memcheck clean}" sigterm_clean

exit $failed
