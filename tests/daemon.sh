#!/bin/sh
# daemon.sh: igd-assignd on a real private dbus-daemon, driven with
# `gdbus call` (TAP). The bus (tests/data/daemon/bus.conf) behaves like the
# system bus and includes the daemon's own policy file; the daemon runs as
# root against a copy of the captured host skl-ideapad-vfio under the VFIO
# test double. Covers: Prepare (blobs, state), the same domain again, a
# second domain refused, a non-root caller denied and unable to own the
# name, bad arguments, restart (state reloaded), Release, a corrupt state
# file set aside, blobs of no owner removed, SIGKILL in the middle of
# Prepare, an unwritable state directory, a stale owner dropped. The
# transaction's own cases (a busy VFIO group, rollback, reconcile) are
# tested in process by test-owner.c; here, that the daemon's start, real
# clock and log reach them.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
IGD_TEST_DATA_DIR=${IGD_TEST_DATA_DIR:-$top_srcdir/tests/data}
export IGD_TEST_DATA_DIR

daemon_bin=$top_builddir/daemon/igd-assignd
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/# /'; }
check() { # check NAME COMMAND...
    name=$1; shift
    if "$@" >"$tmp/out" 2>&1; then ok "$name"; else not_ok "$name" "$(cat "$tmp/out")"; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

for tool in dbus-daemon gdbus; do
    if ! command -v $tool >/dev/null 2>&1; then echo "1..0 # SKIP $tool not installed"; exit 0; fi
done
if [ "$(id -u)" != 0 ]; then echo "1..0 # SKIP needs root (the daemon serves root only on a private bus)"; exit 0; fi
if [ ! -x "$daemon_bin" ]; then echo "1..0 # SKIP $daemon_bin not built"; exit 0; fi

echo "1..38"
[ -n "${IGD_VALGRIND:-}" ] && echo "# the daemon runs under: $IGD_VALGRIND"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/igd-daemon-sh.XXXXXX")
chmod 755 "$tmp" # nobody must reach the bus socket for the daemon itself to deny it
bus_pid=
daemon_pid=
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
    [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

addr="unix:path=$tmp/bus"
root=$tmp/root
state=$tmp/state
conf=$tmp/igd-assignd.conf
uuid_a=c7a5fdbd-edaf-9455-926a-d65c16db1809
uuid_b=6695eb01-f6a4-8304-79aa-97f2502e193f
cp -a "$top_srcdir/tests/data/hosts/skl-ideapad-vfio" "$root"
: >"$root/dev/vfio/vfio"; : >"$root/dev/vfio/0" # the nodes the VFIO double answers for
printf '[daemon]\nqemu-binary=none\nqemu-group=root\n' >"$conf"
vfio_conf=$tmp/vfio.conf # the double re-reads it whenever no VFIO fd is open
cp "$top_srcdir/tests/data/daemon/vfio-skl.conf" "$vfio_conf"

dbus-daemon --config-file="$top_srcdir/tests/data/daemon/bus.conf" --address="$addr" \
    --nofork --nopidfile 2>/dev/null &
bus_pid=$!

call() { # call METHOD ARGS... (as root)
    m=$1; shift
    gdbus call --address "$addr" --dest org.igdassign.Manager1 --object-path /org/igdassign/Manager1 \
        --method "org.igdassign.Manager1.$m" "$@"
}

has_owner() {
    gdbus call --address "$addr" --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.NameHasOwner org.igdassign.Manager1 2>/dev/null | grep -q true
}

# Under `make check-valgrind` the daemon runs under memcheck too (slower start).
start_wait=300
[ -n "${IGD_VALGRIND:-}" ] && start_wait=3000
start_daemon() { # start_daemon [STATE_DIR]
    LD_PRELOAD=$top_builddir/tests/libigdvfiodouble.so IGD_VFIO_DOUBLE=$root/dev/vfio \
    IGD_VFIO_DOUBLE_CONFIG=$vfio_conf \
        ${IGD_VALGRIND:-} "$daemon_bin" --bus-address "$addr" --sysfs-root "$root" --state-dir "${1:-$state}" \
        --config "$conf" >/dev/null 2>>"$tmp/daemon.log" &
    daemon_pid=$!
    i=0
    while ! has_owner; do
        i=$((i + 1))
        if [ $i -gt $start_wait ] || ! kill -0 "$daemon_pid" 2>/dev/null; then return 1; fi
        sleep 0.02
    done
}

stop_daemon() { # stop_daemon [SIGNAL]
    kill -"${1:-TERM}" "$daemon_pid" 2>/dev/null
    wait "$daemon_pid" 2>/dev/null
    rc=$?
    [ "${1:-TERM}" = TERM ] && [ $rc != 0 ] && echo "daemon exited with $rc" >>"$tmp/daemon-exits"
    daemon_pid=
    i=0
    while has_owner && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.02; done
}

# The error name gdbus prints: "GDBus.Error:org.igdassign.Error.Conflict: message".
expect_error() { # expect_error ERROR-NAME SUBSTRING COMMAND...
    want=$1 text=$2; shift 2
    if out=$("$@" 2>&1); then echo "succeeded: $out"; return 1; fi
    case $out in *"GDBus.Error:$want: "*"$text"*) return 0 ;; esac
    echo "wanted $want with '$text', got: $out"; return 1
}

blobs_complete() { # the blobs of $1 are whole: 8192-byte OpRegion (the fixture dump), 8-byte size
    d=$state/$1
    [ "$(stat -c %s "$d/igd-opregion")" = 8192 ] && [ "$(stat -c %s "$d/igd-bdsm-size")" = 8 ] &&
        cmp -s "$d/igd-opregion" "$IGD_TEST_DATA_DIR/fixtures/opregion/skl-asus-b150m-plus-d3-i7-6700.bin"
}

bus_answers() {
    gdbus call --address "$addr" --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.GetId >/dev/null 2>&1
}
i=0; while ! bus_answers && [ $i -lt 500 ]; do i=$((i + 1)); sleep 0.02; done
if bus_answers; then ok "private dbus-daemon with the daemon's policy file"; else not_ok "private bus"; fi
check "igd-assignd owns org.igdassign.Manager1" start_daemon
introspect() {
    out=$(gdbus introspect --address "$addr" --dest org.igdassign.Manager1 --object-path /org/igdassign/Manager1) ||
        return 1
    for m in Prepare PrepareWithOptions Release Reconnect Bind Rebind Check GetStatus; do
        case $out in *"$m("*) ;; *) echo "no method $m in: $out"; return 1 ;; esac
    done
}
check "the object serves the interface of daemon/org.igdassign.Manager1.xml" introspect

prepare_a() {
    out=$(call Prepare "$uuid_a" win10 0000:00:02.0 legacy) && [ "$out" = "()" ] || { echo "$out"; return 1; }
    blobs_complete "$uuid_a" || { echo "blobs incomplete"; return 1; }
    # etc/igd-bdsm-size: GGC 0x01c1 on gen 9 → GMS 1 × 32 MiB = 0x02000000, little-endian.
    [ "$(od -An -tx1 "$state/$uuid_a/igd-bdsm-size" | tr -d ' \n')" = 0000000200000000 ] || return 1
    [ "$(stat -c %a "$state/$uuid_a/igd-opregion")" = 640 ] || return 1
    grep -q "<device address=\"0000:00:02.0\" uuid=\"$uuid_a\" name=\"win10\" mode=\"legacy\"" "$state/state.xml"
}
check "Prepare writes both blobs and records the owner" prepare_a
if command -v xmllint >/dev/null 2>&1; then
    check "state file validates against xml-schemas/igd-state.rng" \
        xmllint --noout --relaxng "$top_srcdir/xml-schemas/igd-state.rng" "$state/state.xml"
else
    skip "state file validates" "xmllint not installed"
fi
check "Prepare by the same domain again succeeds" call Prepare "$uuid_a" win10 00:02.0 legacy
check "Prepare by a second domain is refused naming the owner" expect_error org.igdassign.Error.Conflict \
    "device 0000:00:02.0 is owned by running domain 'win10' (uuid $uuid_a)" \
    call Prepare "$uuid_b" other 0000:00:02.0 upt
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if command -v setpriv >/dev/null 2>&1; then
    check "a call from nobody is denied by the daemon" expect_error org.igdassign.Error.Denied \
        "not authorized to call Release" \
        as_nobody gdbus call --address "$addr" --dest org.igdassign.Manager1 \
        --object-path /org/igdassign/Manager1 --method org.igdassign.Manager1.Release "$uuid_a"
    # 8
    check "nobody may not own org.igdassign.Manager1 (bus policy)" expect_error \
        org.freedesktop.DBus.Error.AccessDenied "" \
        as_nobody gdbus call --address "$addr" --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.RequestName org.igdassign.Manager1 4
else
    skip "a call from nobody is denied" "setpriv not installed"
    skip "nobody may not own the name" "setpriv not installed"
fi
: >"$tmp/listing"; ls -A "$tmp" | tr '\n' ' ' >"$tmp/listing" # what $tmp holds before the bad calls
check "a UUID with .. is refused" expect_error org.igdassign.Error.Usage "invalid domain UUID '../$uuid_b'" \
    call Prepare "../$uuid_b" x 0000:00:02.0 legacy
check "Reconnect refuses a UUID with / and .." expect_error org.igdassign.Error.Usage \
    "invalid domain UUID '$uuid_b/..'" call Reconnect "$uuid_b/.." 0000:00:02.0
check "Release refuses a UUID with / and .." expect_error org.igdassign.Error.Usage \
    "invalid domain UUID '../../$uuid_b'" call Release "../../$uuid_b"
check "Check refuses a PCI address with / and .." expect_error org.igdassign.Error.Usage \
    "invalid PCI address" call Check "../../0000:00:02.0"
check "PrepareWithOptions refuses a machine type with / and .." expect_error org.igdassign.Error.Usage \
    "invalid machine type '../../pc'" call PrepareWithOptions "$uuid_b" x 0000:00:02.0 legacy "{'machine': <'../../pc'>}"
check "a PCI address that does not parse is refused" expect_error org.igdassign.Error.Usage \
    "invalid PCI address" call Bind "0000:00:02.0/../../x"
check "a device that is not an IGD is refused" expect_error org.igdassign.Error.Unsupported \
    "0000:00:00.0 is not an Intel graphics device (vendor 0x8086, class 0x060000)" call Rebind 0000:00:00.0
check "a call with the wrong signature is refused by GDBus" expect_error \
    org.freedesktop.DBus.Error.InvalidArgs "" call Prepare "$uuid_b"
check "PrepareWithOptions refuses an unknown option" expect_error org.igdassign.Error.Usage \
    "unknown option 'evil' of type i" call PrepareWithOptions "$uuid_a" win10 0000:00:02.0 legacy "{'evil': <1>}"
# gdbus prints the JSON string in GVariant text form: drop its backslashes before matching.
status_has() {
    out=$(call GetStatus | tr -d '\\') && case $out in *"$1"*) return 0 ;; esac; echo "$out"; return 1
}
# "../$uuid_b" would have been $tmp/$uuid_b: the state directory holds
# exactly the first domain's blobs and the state file, and nothing appeared
# beside it.
nothing_written() {
    [ ! -e "$tmp/$uuid_b" ] && [ ! -e "$state/$uuid_b" ] && [ "$(grep -c '<device ' "$state/state.xml")" = 1 ] &&
        [ "$(ls -A "$state" | tr '\n' ' ')" = "$uuid_a state.xml " ] &&
        [ "$(ls -A "$tmp" | tr '\n' ' ')" = "$(cat "$tmp/listing")" ] && status_has "\"uuid\": \"$uuid_a\""
}
check "the daemon still serves after the bad calls; nothing was written for them" nothing_written
restart() { stop_daemon && start_daemon && status_has "\"uuid\": \"$uuid_a\""; }
check "restart: the owner is reloaded from the state file" restart
check "after restart a second domain is still refused" expect_error org.igdassign.Error.Conflict "'win10'" \
    call Prepare "$uuid_b" other 0000:00:02.0 upt
release_a() {
    call Release "$uuid_a" >/dev/null && [ ! -e "$state/$uuid_a" ] && ! grep -q '<device ' "$state/state.xml"
}
check "Release removes the owner and the blobs" release_a

corrupt() {
    stop_daemon
    printf '<igd-assign-state version="1"><device address=' >"$state/state.xml"
    start_daemon || return 1
    set -- "$state"/state.xml.corrupt-*
    [ -f "$1" ] && [ "$(cat "$1")" = '<igd-assign-state version="1"><device address=' ] || return 1
    grep -q "corrupt state file, kept as" "$tmp/daemon.log" && status_has '"owner": null' &&
        call Prepare "$uuid_a" win10 0000:00:02.0 legacy >/dev/null && call Release "$uuid_a" >/dev/null
}
check "a corrupt state file is kept aside, not trusted, and the daemon serves" corrupt
orphans() {
    stop_daemon
    mkdir -p "$state/$uuid_b"
    printf 'partial' >"$state/$uuid_b/igd-opregion"
    printf 'x' >"$state/$uuid_b/.igd-opregion.AbC123"
    start_daemon && [ ! -e "$state/$uuid_b" ]
}
check "blobs of a domain that owns nothing (a killed Prepare) are removed at start" orphans
kill_mid_prepare() {
    for delay in 0 0.001 0.002 0.003 0.005 0.008 0.012; do
        call Prepare "$uuid_a" win10 0000:00:02.0 legacy >/dev/null 2>&1 &
        cpid=$!
        sleep $delay
        kill -KILL "$daemon_pid"; wait "$daemon_pid" 2>/dev/null; daemon_pid=
        wait $cpid 2>/dev/null
        start_daemon || { echo "restart failed"; return 1; }
        if grep -q "uuid=\"$uuid_a\"" "$state/state.xml" 2>/dev/null; then
            blobs_complete "$uuid_a" || { echo "owner recorded but blobs incomplete (delay $delay)"; return 1; }
        elif [ -e "$state/$uuid_a" ]; then
            echo "blobs without an owner survived a restart (delay $delay)"; return 1
        fi
        call Release "$uuid_a" >/dev/null || return 1
    done
}
check "SIGKILL in the middle of Prepare never leaves a partial blob for the next start" kill_mid_prepare
unwritable() {
    stop_daemon
    printf 'a file, not a directory\n' >"$tmp/blocker"
    start_daemon "$tmp/blocker/state" || { echo "daemon did not start"; return 1; }
    expect_error org.igdassign.Error.IO "" call Prepare "$uuid_a" win10 0000:00:02.0 legacy || return 1
    status_has '"owner": null'
}
check "an unwritable state directory: Prepare fails with the reason, the daemon serves" unwritable
state_unsaveable() {
    stop_daemon
    start_daemon || return 1
    rm -f "$state/state.xml"; mkdir "$state/state.xml" # the rename onto it must fail
    expect_error org.igdassign.Error.IO "cannot write state file" \
        call Prepare "$uuid_a" win10 0000:00:02.0 legacy || return 1
    [ ! -e "$state/$uuid_a" ] || { echo "blobs left behind"; return 1; }
    status_has '"owner": null' || return 1
    rmdir "$state/state.xml"
}
check "a state file that cannot be replaced: Prepare fails, its blobs are removed, the daemon serves" state_unsaveable
owned_by_b() { # owned_by_b SINCE: a state where $uuid_b owns the IGD since SINCE (seconds)
    stop_daemon
    rm -rf "$state/$uuid_a"
    cat >"$state/state.xml" <<EOX
<igd-assign-state version="1">
  <device address="0000:00:02.0" uuid="$uuid_b" name="old" mode="legacy" since="$1"/>
</igd-assign-state>
EOX
    start_daemon
}
takeover() {
    owned_by_b 1 || return 1
    call Prepare "$uuid_a" win10 0000:00:02.0 legacy >/dev/null || return 1
    grep -q "uuid=\"$uuid_a\"" "$state/state.xml" && ! grep -q "$uuid_b" "$state/state.xml" &&
        grep -q "stopped without a release" "$tmp/daemon.log" && call Release "$uuid_a" >/dev/null
}
check "an old owner whose QEMU no longer holds the VFIO group is taken over" takeover
# The default clock (seconds of the real time): an owner recorded now is within the grace period.
recent() {
    owned_by_b "$(date +%s)" || return 1
    expect_error org.igdassign.Error.Conflict "'old'" call Prepare "$uuid_a" win10 0000:00:02.0 legacy &&
        call Release "$uuid_b" >/dev/null
}
check "an owner prepared less than a minute ago is not taken over (its QEMU may not have started)" recent
stale() {
    stop_daemon
    cat >"$state/state.xml" <<EOX
<igd-assign-state version="1">
  <device address="0000:00:03.0" uuid="$uuid_b" name="gone" mode="upt" since="1"/>
</igd-assign-state>
EOX
    start_daemon && ! grep -q 0000:00:03.0 "$state/state.xml" && grep -q "dropping stale ownership" "$tmp/daemon.log"
}
check "an owner of a device that no longer exists is dropped at start" stale
check_json() { out=$(call Check 0000:00:02.0 | tr -d '\\') && case $out in *'"checks"'*'"id": "driver"'*) return 0 ;; esac; echo "$out"; return 1; }
check "Check returns the host checks as JSON" check_json
reconnect() {
    call Prepare "$uuid_a" win10 0000:00:02.0 legacy >/dev/null &&
        call Reconnect "$uuid_a" 0000:00:02.0 >/dev/null &&
        expect_error org.igdassign.Error.Conflict "'win10'" call Reconnect "$uuid_b" 0000:00:02.0 &&
        call Release "$uuid_a" >/dev/null
}
check "Reconnect: the owner again is fine, another domain is refused" reconnect
check "Bind of a device already on vfio-pci succeeds" call Bind 0000:00:02.0
watch_unreachable() {
    stop_daemon
    printf '[daemon]\nqemu-binary=none\nqemu-group=root\n[libvirt]\nwatch=true\nuri=test:///nonexistent/node.xml\n' >"$conf"
    start_daemon || { echo "daemon did not start"; return 1; }
    # The watcher connects in a thread of its own: its warning may follow the name.
    i=0
    while ! grep -q "libvirt watcher: cannot connect to test:///nonexistent/node.xml" "$tmp/daemon.log" &&
        [ $i -lt 250 ]; do i=$((i + 1)); sleep 0.02; done
    grep -q "libvirt watcher: cannot connect to test:///nonexistent/node.xml" "$tmp/daemon.log" &&
        status_has '"devices"'
}
check "libvirt watcher that cannot connect: a warning, the daemon serves" watch_unreachable
# libvirtd is ordered after igd-assignd (the unit's Before=) and socket
# activated: until it runs, a connection to it is accepted and never
# answered. The daemon must own its name and serve meanwhile (systemd
# waits for the name; libvirtd's autostart needs Prepare), and stop on
# SIGTERM without waiting for libvirt.
watch_hanging() {
    command -v python3 >/dev/null 2>&1 || { echo "no python3"; return 1; }
    python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(16); time.sleep(120)' "$tmp/libvirt-silent" &
    silent_pid=$!
    i=0; while [ ! -S "$tmp/libvirt-silent" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    stop_daemon
    printf '[daemon]\nqemu-binary=none\nqemu-group=root\n[libvirt]\nwatch=true\nuri=qemu+unix:///system?socket=%s\n' \
        "$tmp/libvirt-silent" >"$conf"
    ok=1
    if ! start_daemon; then echo "the daemon did not own its name while libvirt was silent"; ok=0; fi
    [ $ok = 1 ] && ! status_has '"devices"' && ok=0
    if [ -n "$daemon_pid" ]; then
        t0=$(date +%s); stop_daemon; t1=$(date +%s)
        [ $((t1 - t0)) -le 5 ] || { echo "SIGTERM took $((t1 - t0)) s"; ok=0; }
    fi
    kill "$silent_pid" 2>/dev/null; wait "$silent_pid" 2>/dev/null
    printf '[daemon]\nqemu-binary=none\nqemu-group=root\n[libvirt]\nwatch=true\nuri=test:///nonexistent/node.xml\n' >"$conf"
    start_daemon || { echo "restart failed"; return 1; }
    [ $ok = 1 ]
}
check "libvirt that accepts and never answers: the daemon owns its name, serves, and stops on SIGTERM" watch_hanging
sigterm() {
    kill -TERM "$daemon_pid"; wait "$daemon_pid"; rc=$?; daemon_pid=
    [ $rc = 0 ] || { echo "exit status $rc"; return 1; }
    ! has_owner
}
check "SIGTERM: the daemon exits 0 and gives up the name" sigterm
check "every daemon stopped with SIGTERM exited 0${IGD_VALGRIND:+ (memcheck clean)}" test ! -s "$tmp/daemon-exits"

activation() {
    # A second bus like the first, with a service directory holding the
    # built activation file; its Exec= line is pointed at a wrapper that
    # adds the test arguments (sysroot copy, state dir, VFIO double).
    svc=$top_builddir/daemon/org.igdassign.Manager1.service
    [ -f "$svc" ] || { echo "no $svc"; return 1; }
    mkdir -p "$tmp/services" "$tmp/state2"
    cat >"$tmp/igd-assignd-wrapper" <<EOW
#!/bin/sh
export LD_PRELOAD=$top_builddir/tests/libigdvfiodouble.so IGD_VFIO_DOUBLE=$root/dev/vfio IGD_VFIO_DOUBLE_CONFIG=$vfio_conf
exec $daemon_bin --bus-address unix:path=$tmp/bus2 --sysfs-root $root --state-dir $tmp/state2 --config $conf
EOW
    chmod 755 "$tmp/igd-assignd-wrapper"
    grep -q '^Name=org.igdassign.Manager1$' "$svc" && grep -q '^Exec=' "$svc" || { echo "bad activation file"; return 1; }
    sed "s|^Exec=.*|Exec=$tmp/igd-assignd-wrapper|" "$svc" >"$tmp/services/org.igdassign.Manager1.service"
    sed -e "s|<include>../../../daemon/|<include>$top_srcdir/daemon/|" \
        -e "s|</busconfig>|<servicedir>$tmp/services</servicedir></busconfig>|" \
        "$top_srcdir/tests/data/daemon/bus.conf" >"$tmp/bus2.conf"
    dbus-daemon --config-file="$tmp/bus2.conf" --address="unix:path=$tmp/bus2" --nofork --nopidfile 2>/dev/null &
    bus2_pid=$!
    i=0
    while ! gdbus call --address "unix:path=$tmp/bus2" --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.GetId >/dev/null 2>&1 && [ $i -lt 500 ]; do i=$((i + 1)); sleep 0.02; done
    # No daemon runs on bus2: the call itself starts it.
    out=$(gdbus call --timeout 30 --address "unix:path=$tmp/bus2" --dest org.igdassign.Manager1 \
        --object-path /org/igdassign/Manager1 --method org.igdassign.Manager1.GetStatus 2>&1)
    rc=$?
    pid=$(gdbus call --address "unix:path=$tmp/bus2" --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.GetConnectionUnixProcessID org.igdassign.Manager1 2>/dev/null |
        sed -n 's/^(uint32 \([0-9]*\),)$/\1/p')
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    kill "$bus2_pid" 2>/dev/null; wait "$bus2_pid" 2>/dev/null
    [ $rc = 0 ] && case $out in *devices*) return 0 ;; esac
    echo "$out"; return 1
}
check "D-Bus activation: a call starts igd-assignd through the activation file" activation

exit $failed
