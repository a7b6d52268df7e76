#!/bin/sh
# TAP: igd-assignd's libvirt watcher (SPEC.md §7) against a real libvirtd.
# As root, in a private mount namespace (as tests/hook-libvirtd.sh: /etc/libvirt
# a copy, /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt
# empty tmpfs, /dev/kvm hidden), the script starts virtlogd and libvirtd,
# a private dbus-daemon with the daemon's own bus policy (as tests/daemon.sh)
# and igd-assignd on it with `[libvirt] watch=true adjust-hostdevs=true`,
# host facts from a copy of the captured tree skl-ideapad-vfio (Skylake, gen
# 9: UPT works). It checks:
#   - a domain defined before the daemon started is reconciled at its start;
#   - a display added to a legacy domain switches it to UPT, the display
#     kept, one log line naming the domain and every change, and the
#     watcher's record in `igd-assign status --json`;
#   - five edits within a minute are all handled (no rate limit);
#   - after `igd-assign undo` the domain is not adjusted again;
#   - a watcher event for a domain undefined meanwhile is one clear line
#     and nothing is defined.
#
# Safety: no domain is ever started. Their hostdevs name 0000:00:02.0 (on
# this machine a virtio device), which libvirt does not touch at define; the
# daemon reads only the captured tree (--sysfs-root) and binds nothing
# (nothing calls Prepare or Bind here). `igd-assign setup` runs with
# --no-detach.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
NTESTS=16

skip_all() {
    echo "1..$NTESTS"
    i=1
    while [ $i -le $NTESTS ]; do echo "ok $i # SKIP $1"; i=$((i + 1)); done
    exit 0
}

daemon_bin=$top_builddir/daemon/igd-assignd
cli=$top_builddir/tools/igd-assign
[ "$(id -u)" -eq 0 ] || skip_all "needs root (libvirtd system instance)"
for b in libvirtd virtlogd virsh dbus-daemon gdbus python3; do
    command -v $b >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
    command -v $b >/dev/null 2>&1 || skip_all "$b not installed"
done
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip_all "qemu-system-x86_64 not installed"
[ -x "$daemon_bin" ] || skip_all "$daemon_bin not built"

if [ -z "${IGD_WATCHER_LIBVIRTD_NS:-}" ] && command -v unshare >/dev/null 2>&1 &&
    unshare -m --propagation private true 2>/dev/null; then
    IGD_WATCHER_LIBVIRTD_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
[ -n "${IGD_WATCHER_LIBVIRTD_NS:-}" ] || skip_all "no private mount namespace (unshare -m)"

tmp=$(mktemp -d /tmp/igd-watcher-libvirtd.XXXXXX) || exit 1
chmod 755 "$tmp"
bus_pid=
daemon_pid=
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
    [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
    for p in libvirtd virtlogd; do
        if [ -f "$tmp/$p.pid" ]; then
            pid=$(cat "$tmp/$p.pid")
            kill "$pid" 2>/dev/null
            i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
            kill -9 "$pid" 2>/dev/null
        fi
    done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$tmp/etc"
[ -d /etc/libvirt ] && cp -a /etc/libvirt "$tmp/etc/"
mkdir -p "$tmp/etc/libvirt" /etc/libvirt
mount --bind "$tmp/etc/libvirt" /etc/libvirt || skip_all "cannot bind-mount /etc/libvirt"
rm -rf /etc/libvirt/hooks # no hook: nothing here starts a domain
for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
    mkdir -p "$d" && mount -t tmpfs -o mode=755 tmpfs "$d" || skip_all "cannot mount tmpfs on $d"
done
if [ -e /dev/kvm ]; then
    : >"$tmp/no-kvm" && chmod 000 "$tmp/no-kvm" && mount --bind "$tmp/no-kvm" /dev/kvm
    echo 'namespaces = [ ]' >>/etc/libvirt/qemu.conf
fi
virtlogd -d -p "$tmp/virtlogd.pid" || skip_all "virtlogd does not start"
libvirtd -d -p "$tmp/libvirtd.pid" >"$tmp/libvirtd.out" 2>&1 || skip_all "libvirtd does not start"
V="virsh -q -c qemu:///system"
i=0
until $V version >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 300 ] && skip_all "libvirtd does not answer"; sleep 0.1
done

echo "1..$NTESTS"
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -f "$tmp/msg" ] && sed 's/^/#   /' "$tmp/msg"; }
check() { if "$@" >"$tmp/msg" 2>&1; then ok "$name"; else notok "$name"; fi; }

tree=$tmp/host
cp -a "$top_srcdir/tests/data/hosts/skl-ideapad-vfio" "$tree"
state=$tmp/state
mkdir -p "$state"
addr="unix:path=$tmp/bus"
A() { "$cli" -c qemu:///system --sysfs-root "$tree" "$@"; }

# The domains: tests/data/daemon/watch/plain.xml (i440fx, SPICE + QXL) renamed,
# set up for legacy mode by the CLI as a user would (rewrite, define).
plain() { # NAME UUID-LAST-GROUP
    sed -e "s|<name>igd-watch</name>|<name>$1</name>|" \
        -e "s|3b0a5f4e-5a8c-4f4e-9d55-0d6e2f1c7a11|3b0a5f4e-5a8c-4f4e-9d55-$2|" \
        "$top_srcdir/tests/data/daemon/watch/plain.xml"
}
legacy() { # NAME UUID-LAST-GROUP: the set-up legacy definition
    plain "$1" "$2" >"$tmp/$1.plain.xml"
    A rewrite --mode legacy --romfile /usr/share/igd/vbios.rom "$tmp/$1.plain.xml" 2>/dev/null
}
dumpxml() { $V dumpxml --inactive "$1"; }
with_display() { # the definition with a SPICE display added (what virt-manager's "Add Hardware" does)
    sed 's|</devices>|  <graphics type="spice" autoport="yes"/>\n  </devices>|'
}
wait_for() { # wait_for SECONDS COMMAND...: until COMMAND succeeds
    t=$(($1 * 10)); shift
    i=0; while ! "$@" >/dev/null 2>&1; do i=$((i + 1)); [ $i -gt $t ] && return 1; sleep 0.1; done
}
log_lines() { grep -c "$1" "$tmp/daemon.log" 2>/dev/null || true; }
is_upt() { dumpxml "$1" | grep -q 'mode="upt"'; }

# ---- before the daemon: a broken legacy domain, and one set up with setup --no-detach ----
legacy igdw-early 000000000001 | with_display >"$tmp/early.xml"
$V define "$tmp/early.xml" >/dev/null 2>&1
# igdw-undo: its original has the IGD at guest 00:02.0 and a SPICE display, no metadata
# (what adjust-hostdevs=true adjusts); set up for legacy before the daemon starts
plain igdw-undo 000000000003 |
    sed "s|</devices>|  <hostdev mode='subsystem' type='pci' managed='no'><driver name='vfio'/><source><address domain='0' bus='0' slot='2' function='0'/></source><address type='pci' domain='0' bus='0' slot='2' function='0'/></hostdev>\n  </devices>|" \
        >"$tmp/undo-orig.xml"
$V define "$tmp/undo-orig.xml" >/dev/null 2>&1
A setup igdw-undo --mode legacy --romfile /usr/share/igd/vbios.rom --no-detach >"$tmp/setup.out" 2>&1

dbus-daemon --config-file="$top_srcdir/tests/data/daemon/bus.conf" --address="$addr" --nofork --nopidfile \
    2>/dev/null &
bus_pid=$!
wait_for 10 gdbus call --address "$addr" --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.GetId
printf '[daemon]\nqemu-binary=none\nqemu-group=root\n[libvirt]\nwatch=true\nuri=qemu:///system\nadjust-hostdevs=true\n' \
    >"$tmp/igd-assignd.conf"
G_MESSAGES_DEBUG= ${IGD_VALGRIND:-} "$daemon_bin" --bus-address "$addr" --sysfs-root "$tree" --state-dir "$state" \
    --config "$tmp/igd-assignd.conf" >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!

# ---- 1-2: reconciled at start ----
name="/watcher/defined-before-start/reconciled"
check wait_for 30 is_upt igdw-early
name="/watcher/defined-before-start/display-kept"
check sh -c "$V dumpxml --inactive igdw-early | grep -q \"<graphics type='spice'\""

# ---- 3-7: a display added to a legacy domain ----
legacy igdw-display 000000000002 >"$tmp/display.xml"
$V define "$tmp/display.xml" >/dev/null 2>&1
dumpxml igdw-display | with_display >"$tmp/display-edit.xml"
$V define "$tmp/display-edit.xml" >"$tmp/msg" 2>&1
name="/watcher/display-added/switched-to-upt"
check wait_for 30 is_upt igdw-display
dumpxml igdw-display >"$tmp/display-after.xml"
name="/watcher/display-added/display-kept"
check grep -q "<graphics type='spice'" "$tmp/display-after.xml"
name="/watcher/display-added/igd-off-02"
igd_guest_slot() { # the guest slot of the hostdev of 00:02.0 in $1
    python3 - "$1" <<'EOF'
import sys, xml.etree.ElementTree as ET
for h in ET.parse(sys.argv[1]).getroot().iter('hostdev'):
    src = h.find('source/address')
    if src is not None and int(src.get('slot'), 0) == 2:
        a = h.find('address')
        print('none' if a is None else int(a.get('slot'), 0))
EOF
}
off_02() { slot=$(igd_guest_slot "$tmp/display-after.xml"); [ -n "$slot" ] && [ "$slot" != 2 ]; }
check off_02
name="/watcher/display-added/one-log-line-naming-domain-and-changes"
one_line() {
    [ "$(log_lines "adjusted domain 'igdw-display'")" -eq 1 ] &&
        grep "adjusted domain 'igdw-display' (3b0a5f4e-5a8c-4f4e-9d55-000000000002) to UPT mode, which keeps the edit (legacy mode would remove <graphics type='spice'>): " "$tmp/daemon.log" >"$tmp/line" &&
        grep -q ": moved the IGD to guest address 00:0[3-9a-f].0; " "$tmp/line" &&
        grep -q "; switched to UPT mode (was legacy)$" "$tmp/line"
}
check one_line
name="/watcher/display-added/status-shows-last-action"
status_record() {
    IGD_ASSIGN_STATE_DIR=$state A --json status >"$tmp/status.json" || return 1
    python3 - "$tmp/status.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
rec = [r for r in doc["watcher"] if r["name"] == "igdw-display"]
assert rec and rec[0]["action"] == "switched" and rec[0]["mode"] == "upt", rec
assert any("moved the IGD" in c for c in rec[0]["changes"]), rec
doms = [d for dev in doc["devices"] for d in (dev.get("domains") or []) if d["name"] == "igdw-display"]
assert doms and doms[0]["watcher"]["action"] == "switched", doms
EOF
}
check status_record

# ---- 8-10: five edits within a minute, each handled (no rate limit) ----
legacy igdw-five 000000000004 >"$tmp/five.xml"
$V define "$tmp/five.xml" >/dev/null 2>&1
t0=$(date +%s)
five_ok=0
for k in 1 2 3 4 5; do
    # the user moves the IGD to guest 00:07.0 and writes a description: legacy puts it back at 00:02.0
    dumpxml igdw-five | python3 -c '
import sys, re
x = sys.stdin.read()
x = re.sub(r"<description>.*?</description>\s*", "", x)
x = x.replace("</name>", "</name>\n  <description>edit %s</description>" % sys.argv[1], 1)
x = re.sub(r"(<hostdev[^>]*>.*?<address type=.pci.[^>]*slot=.)0x02(.)", r"\g<1>0x07\2", x, count=1, flags=re.S)
print(x)' "$k" >"$tmp/five-$k.xml"
    $V define "$tmp/five-$k.xml" >/dev/null 2>&1
    back_at_02() {
        dumpxml igdw-five >"$tmp/five-now.xml" && grep -q "<description>edit $k</description>" "$tmp/five-now.xml" &&
            [ "$(igd_guest_slot "$tmp/five-now.xml")" = 2 ]
    }
    wait_for 20 back_at_02 && five_ok=$((five_ok + 1))
done
t1=$(date +%s)
name="/watcher/five-edits/all-handled"
check [ "$five_ok" -eq 5 ]
name="/watcher/five-edits/within-a-minute"
check [ $((t1 - t0)) -lt 60 ]
name="/watcher/five-edits/five-log-lines"
check [ "$(log_lines "adjusted domain 'igdw-five' (3b0a5f4e-5a8c-4f4e-9d55-000000000004) to its legacy mode: moved the IGD to guest address 00:02.0")" -eq 5 ]

# ---- 11-13: undo opts the domain out ----
A undo igdw-undo >"$tmp/msg" 2>&1
name="/watcher/undo/restored"
check sh -c "$V dumpxml --inactive igdw-undo | grep -q 'igd:undone' && ! $V dumpxml --inactive igdw-undo | grep -q 'igd:assign'"
# the user edits it further (a description): still left alone
dumpxml igdw-undo | sed 's|</name>|</name>\n  <description>after undo</description>|' >"$tmp/undo-edit.xml"
$V define "$tmp/undo-edit.xml" >/dev/null 2>&1
# a domain defined after it and adjusted shows that the worker has looked at both events
legacy igdw-sync 000000000005 | with_display >"$tmp/sync.xml"
$V define "$tmp/sync.xml" >/dev/null 2>&1
wait_for 30 is_upt igdw-sync
name="/watcher/undo/not-adjusted"
check sh -c "[ \"\$($V dumpxml --inactive igdw-undo | grep -c 'mode=\"')\" -eq 0 ] && $V dumpxml --inactive igdw-undo | grep -q \"<graphics type='spice'\" && ! grep -q \"adjusted domain 'igdw-undo'\" '$tmp/daemon.log'"
name="/watcher/undo/said-once"
check [ "$(log_lines "leaving domain 'igdw-undo' (3b0a5f4e-5a8c-4f4e-9d55-000000000003) as it is: igd-assign undo opted it out")" -eq 1 ]

# ---- 14-16: a watcher event for a domain undefined meanwhile ----
# The daemon is stopped (SIGSTOP) while the domain is defined and undefined:
# its DEFINED event waits in the socket, and the watcher finds it gone.
legacy igdw-gone 000000000006 | with_display >"$tmp/gone.xml"
kill -STOP "$daemon_pid"
$V define "$tmp/gone.xml" >/dev/null 2>&1
$V undefine igdw-gone >/dev/null 2>&1
kill -CONT "$daemon_pid"
name="/watcher/gone/clear-line"
check wait_for 30 grep -q "domain 3b0a5f4e-5a8c-4f4e-9d55-000000000006 was undefined before the watcher looked at it: nothing to do, nothing defined" "$tmp/daemon.log"
name="/watcher/gone/nothing-defined"
check sh -c "! $V list --all --name | grep -q '^igdw-gone\$' && ! grep -q \"adjusted domain 'igdw-gone'\" '$tmp/daemon.log'"
name="/watcher/daemon-still-serves"
check gdbus call --address "$addr" --dest org.igdassign.Manager1 --object-path /org/igdassign/Manager1 \
    --method org.igdassign.Manager1.GetStatus

kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null; daemon_pid=
if [ "$failed" -ne 0 ]; then
    echo "# daemon log:"; sed 's/^/#   /' "$tmp/daemon.log"
fi
[ $n -eq $NTESTS ] || { echo "# ran $n tests, planned $NTESTS"; exit 1; }
exit $failed
