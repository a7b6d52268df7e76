#!/bin/sh
# daemon-polkit.sh: igd-assignd's polkit path for real (TAP). In a private
# mount namespace:
#   - /run is an empty tmpfs, and /run/dbus/system_bus_socket a private
#     dbus-daemon started with Debian's system bus configuration
#     (/usr/share/dbus-1/system.conf, its system.d policies) plus the
#     project's own policy (daemon/org.igdassign.Manager1.conf); no service
#     is activated by it;
#   - /usr/share/polkit-1/actions holds only the project's built action
#     file (daemon/org.igdassign.policy), /etc/polkit-1/rules.d one rule:
#     the group igdtest may do every org.igdassign.* action; the other
#     rules directory is empty; /etc/group has igdtest with the user daemon;
#   - Debian's polkitd (the polkitd package) runs on that bus;
#   - igd-assignd runs on the system bus as a service does (no
#     --bus-address), as root, against a copy of the captured host
#     skl-ideapad-vfio under the VFIO and sysfs doubles.
# Each method is called by nobody (no rule for it, no session: polkit's
# defaults say auth_admin, and there is no agent): Error.Denied naming the
# method's action; and by daemon (in igdtest): it runs. Root needs no
# polkit.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
IGD_TEST_DATA_DIR=${IGD_TEST_DATA_DIR:-$top_srcdir/tests/data}
export IGD_TEST_DATA_DIR

daemon_bin=$top_builddir/daemon/igd-assignd
policy=$top_builddir/daemon/org.igdassign.policy
polkitd=/usr/lib/polkit-1/polkitd
sysfs=$top_builddir/tests/libigdsysfsdouble.so
vfio=$top_builddir/tests/libigdvfiodouble.so
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/# /'; }
check() { # check NAME COMMAND...
    name=$1; shift
    if "$@" >"$tmp/out" 2>&1; then ok "$name"; else not_ok "$name" "$(tail -30 "$tmp/out")"; fi
}

for tool in dbus-daemon gdbus setpriv unshare mount; do
    if ! command -v $tool >/dev/null 2>&1; then echo "1..0 # SKIP $tool not installed"; exit 0; fi
done
if [ "$(id -u)" != 0 ]; then echo "1..0 # SKIP needs root (mount namespace, the daemon as a system service)"; exit 0; fi
[ -x "$polkitd" ] || { echo "1..0 # SKIP $polkitd not installed (Debian package polkitd)"; exit 0; }
getent passwd polkitd >/dev/null || { echo "1..0 # SKIP no polkitd user"; exit 0; }
for f in "$daemon_bin" "$policy" "$sysfs" "$vfio" /usr/share/dbus-1/system.conf; do
    [ -e "$f" ] || { echo "1..0 # SKIP $f missing (built with polkit? dbus's system.conf?)"; exit 0; }
done
for d in /usr/share/polkit-1/actions /etc/polkit-1/rules.d /usr/share/polkit-1/rules.d; do
    [ -d "$d" ] || { echo "1..0 # SKIP no $d to mount over"; exit 0; }
done
if [ -z "${IGD_DAEMON_POLKIT_NS:-}" ]; then
    unshare -m --propagation private true 2>/dev/null || { echo "1..0 # SKIP no private mount namespace"; exit 0; }
    IGD_DAEMON_POLKIT_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
unset DBUS_SYSTEM_BUS_ADDRESS DBUS_SESSION_BUS_ADDRESS

echo "1..11"
[ -n "${IGD_VALGRIND:-}" ] && echo "# the daemon runs under: $IGD_VALGRIND"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/igd-daemon-polkit.XXXXXX")
chmod 755 "$tmp"
pids=
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---- the namespace ----
setup() {
    # A test group with the user daemon, in a private /etc/group.
    gid=64990
    while getent group $gid >/dev/null && [ $gid -lt 65000 ]; do gid=$((gid + 1)); done
    { cat /etc/group; echo "igdtest:x:$gid:daemon"; } >"$tmp/group"
    chmod 644 "$tmp/group"
    mount --bind "$tmp/group" /etc/group || return 1
    [ "$(id -nG daemon | tr ' ' '\n' | grep -c '^igdtest$')" = 1 ] || { echo "daemon is not in igdtest"; return 1; }
    # polkit: our actions only, one rule.
    mkdir -p "$tmp/actions" "$tmp/rules" "$tmp/no-rules"
    cp "$policy" "$tmp/actions/"
    cat >"$tmp/rules/50-igd-assign-test.rules" <<'EOF'
// tests/daemon-polkit.sh: members of igdtest may do everything igd-assignd offers.
polkit.addRule(function(action, subject) {
    if (action.id.indexOf("org.igdassign.") == 0 && subject.isInGroup("igdtest"))
        return polkit.Result.YES;
});
EOF
    chown -R polkitd "$tmp/rules" "$tmp/no-rules"
    chmod 700 "$tmp/rules" "$tmp/no-rules"
    mount --bind "$tmp/actions" /usr/share/polkit-1/actions &&
        mount --bind "$tmp/rules" /etc/polkit-1/rules.d &&
        mount --bind "$tmp/no-rules" /usr/share/polkit-1/rules.d || return 1
    # The system bus: an empty /run, Debian's configuration without what starts or logs, plus ours.
    mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -p /run/dbus || return 1
    sed -e '/<user>/d' -e '/<fork\/>/d' -e '/<pidfile>/d' -e '/<syslog\/>/d' \
        -e '/<standard_system_servicedirs\/>/d' -e '/<servicehelper>/d' \
        -e 's|<includedir>system.d</includedir>|<includedir>/usr/share/dbus-1/system.d</includedir>|' \
        -e "s|</busconfig>|<include>$top_srcdir/daemon/org.igdassign.Manager1.conf</include></busconfig>|" \
        /usr/share/dbus-1/system.conf >"$tmp/system.conf"
    grep -q 'unix:path=/run/dbus/system_bus_socket' "$tmp/system.conf" || { echo "unexpected system.conf"; return 1; }
    dbus-daemon --config-file="$tmp/system.conf" --nofork --nopidfile >"$tmp/bus.log" 2>&1 &
    pids="$pids $!"
    i=0
    until gdbus call --system --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.GetId >/dev/null 2>&1; do
        i=$((i + 1)); [ $i -gt 250 ] && { cat "$tmp/bus.log"; return 1; }; sleep 0.02
    done
}
check "a private system bus (Debian's system.conf + the project's policy) at /run/dbus/system_bus_socket; polkit actions and rules of our own" setup

has_owner() {
    gdbus call --system --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.NameHasOwner "$1" 2>/dev/null | grep -q true
}
start_polkitd() {
    "$polkitd" --no-debug >"$tmp/polkitd.log" 2>&1 &
    polkitd_pid=$!
    pids="$pids $polkitd_pid"
    i=0; until has_owner org.freedesktop.PolicyKit1; do
        i=$((i + 1)); [ $i -gt 500 ] && { cat "$tmp/polkitd.log"; return 1; }; sleep 0.02
    done
    # It read our action file.
    gdbus call --system --dest org.freedesktop.PolicyKit1 --object-path /org/freedesktop/PolicyKit1/Authority \
        --method org.freedesktop.PolicyKit1.Authority.EnumerateActions "" | grep -q org.igdassign.prepare
}
check "Debian's polkitd serves org.freedesktop.PolicyKit1 on it, with org.igdassign.policy's actions" start_polkitd

root=$tmp/root
state=$tmp/state
cp -a "$top_srcdir/tests/data/hosts/skl-ideapad-vfio" "$root"
: >"$root/dev/vfio/vfio"; : >"$root/dev/vfio/0" # the nodes the VFIO double answers for
printf '[daemon]\nqemu-binary=none\nqemu-group=root\n' >"$tmp/igd-assignd.conf"
start_wait=500
[ -n "${IGD_VALGRIND:-}" ] && start_wait=3000
start_daemon() {
    LD_PRELOAD=$sysfs:$vfio IGD_SYSFS_DOUBLE=$root IGD_VFIO_DOUBLE=$root/dev/vfio \
    IGD_VFIO_DOUBLE_CONFIG=$top_srcdir/tests/data/daemon/vfio-skl.conf \
        ${IGD_VALGRIND:-} "$daemon_bin" --sysfs-root "$root" --state-dir "$state" --config "$tmp/igd-assignd.conf" \
        >/dev/null 2>"$tmp/daemon.log" &
    daemon_pid=$!
    i=0; until has_owner org.igdassign.Manager1; do
        i=$((i + 1))
        if [ $i -gt $start_wait ] || ! kill -0 "$daemon_pid" 2>/dev/null; then cat "$tmp/daemon.log"; return 1; fi
        sleep 0.02
    done
}
check "igd-assignd serves org.igdassign.Manager1 on the system bus (no --bus-address)" start_daemon

uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809
# call_as USER METHOD ARGS...: one call on a connection of its own, as USER (setpriv, the user's groups).
call_as() {
    who=$1 m=$2; shift 2
    uid=$(id -u "$who") gid=$(id -g "$who")
    setpriv --reuid="$uid" --regid="$gid" --init-groups \
        gdbus call --system --dest org.igdassign.Manager1 --object-path /org/igdassign/Manager1 \
        --method "org.igdassign.Manager1.$m" "$@" 2>&1
}
# Each method, its polkit action (daemon/org.igdassign.policy.in), arguments that succeed for an
# authorized caller (in an order that keeps them so; words without spaces) and an a{sv} argument.
cases="GetStatus|status||
Check|check|0000:00:02.0|
Prepare|prepare|$uuid win10 0000:00:02.0 legacy|
PrepareWithOptions|prepare|$uuid win10 0000:00:02.0 legacy|{'x-igd-gms': <uint32 1>}
Reconnect|prepare|$uuid 0000:00:02.0|
Release|release|$uuid|
Rebind|bind|0000:00:02.0|
Bind|bind|0000:00:02.0|"

per_method() { # per_method USER: each method as USER; nobody must be denied, daemon allowed
    user=$1; bad=0; done_=""
    printf '%s\n' "$cases" >"$tmp/cases"
    while IFS='|' read -r m action args opts; do
        set -f
        # shellcheck disable=SC2086 # the arguments are words
        if [ -n "$opts" ]; then out=$(call_as "$user" "$m" $args "$opts"); else out=$(call_as "$user" "$m" $args); fi
        rc=$?
        set +f
        if [ "$user" = nobody ]; then
            case $rc:$out in
            [1-9]*:*"GDBus.Error:org.igdassign.Error.Denied: not authorized to call $m: polkit action org.igdassign.$action not granted"*) ;;
            *) echo "$m as nobody: rc $rc: $out"; bad=1 ;;
            esac
        else
            case $out in *Denied*) echo "$m as $user denied: $out"; bad=1 ;; esac
            [ $rc = 0 ] || { echo "$m as $user failed: $out"; bad=1; }
        fi
        done_="$done_ $m"
    done <"$tmp/cases"
    echo "methods:$done_"
    [ $bad = 0 ]
}
check "nobody (no rule, no session, no agent) is denied every method, naming its polkit action" per_method nobody
nothing_done() { # nobody's calls changed nothing: no owner, the IGD still on vfio-pci
    ! grep -q '<device ' "$state/state.xml" 2>/dev/null && [ ! -e "$state/$uuid" ] &&
        [ "$(basename "$(readlink "$root/sys/bus/pci/devices/0000:00:02.0/driver")")" = vfio-pci ]
}
check "nobody's calls changed nothing" nothing_done
check "daemon (in igdtest, allowed by the rule) runs every method: status, check, prepare, reconnect, release, rebind, bind" \
    per_method daemon
after_allowed() { # the allowed calls did what they say: released at the end, rebound then bound again
    ! grep -q '<device ' "$state/state.xml" && [ ! -e "$state/$uuid" ] &&
        [ "$(basename "$(readlink "$root/sys/bus/pci/devices/0000:00:02.0/driver")")" = vfio-pci ] &&
        grep -q "prepared 0000:00:02.0 for domain 'win10'" "$tmp/daemon.log" &&
        grep -q "0000:00:02.0 given back to the host driver" "$tmp/daemon.log"
}
check "the allowed calls did their work (prepared, released, given back to i915, bound to vfio-pci again)" after_allowed
root_ok() { out=$(call_as root GetStatus) && case $out in *devices*) ;; *) echo "$out"; false ;; esac; }
check "root needs no polkit rule" root_ok
logged() {
    grep -q "denied GetStatus to :[0-9.]* (uid 65534, pid [0-9]*): polkit action org.igdassign.status not granted" \
        "$tmp/daemon.log" || { grep denied "$tmp/daemon.log"; return 1; }
}
check "a denial is logged with the caller's uid and pid and the action" logged

# polkitd gone: non-root callers are denied with the reason, root is served.
polkit_gone() {
    kill "$polkitd_pid" 2>/dev/null
    i=0; while has_owner org.freedesktop.PolicyKit1 && [ $i -lt 250 ]; do i=$((i + 1)); sleep 0.02; done
    out=$(call_as daemon GetStatus); rc=$?
    [ $rc != 0 ] && case $out in *"org.igdassign.Error.Denied"*"polkit"*) ;; *) echo "rc $rc: $out"; false ;; esac &&
        root_ok
}
check "polkitd gone: an allowed user is denied with polkit's failure, root is still served" polkit_gone
sigterm() {
    kill -TERM "$daemon_pid"; wait "$daemon_pid"; rc=$?
    [ $rc = 0 ] || { echo "exit $rc"; tail -20 "$tmp/daemon.log"; return 1; }
}
check "SIGTERM: the daemon exits 0${IGD_VALGRIND:+ (memcheck clean)}" sigterm

exit $failed
