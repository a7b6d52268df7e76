#!/bin/sh
# TAP: the hook inside a real libvirtd (SPEC.md §6). As root (as CI runs),
# this script starts virtlogd and libvirtd, installs the build tree's hook
# as /etc/libvirt/hooks/qemu.d/igd-assign, and with QEMU under TCG checks:
#   - a domain without IGD defines, starts and stops normally, and every
#     hook of its life ran (prepare, start, started, stopped, release);
#   - a domain whose hostdev names this machine's 0000:00:02.0 (not an
#     Intel display device here) with igd-assign metadata fails `virsh start`
#     with our sentence in the error;
#   - a legacy IGD domain that igd-assign did not set up (managed='no',
#     no metadata: the user binds the IGD) on a captured host tree whose IGD
#     is still bound to i915 fails `virsh start` with the driver hint;
#   - one set up by igd-assign (metadata) on that tree asks igd-assignd to
#     bind the IGD, and with no daemon running fails `virsh start` saying so.
#
# Isolation: when it can, the script re-runs itself in a private mount
# namespace (unshare -m) where /etc/libvirt is a copy and /run/libvirt,
# /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt are empty tmpfs, so
# neither the host's libvirt nor another test's sees anything; without
# unshare it uses the real paths and refuses to run next to a running
# libvirtd. Either way the hook file is removed and the daemons it started
# are stopped (by their pidfiles) at the end.
#
# The hook as installed is a small wrapper script: libvirtd gives hooks a
# cleaned environment, so the wrapper sets IGD_ASSIGN_HOOK_FULL (the build
# tree's full half), IGD_ASSIGN_SYSFS_ROOT (per case) and
# IGD_ASSIGND_BUS_ADDRESS (a bus that does not exist: no daemon here), logs
# its argv and execs the build tree's igd-assign-hook.
#
# Safety: no real device is ever detached or rebound. The domain naming the
# real 00:02.0 uses managed='no' (libvirt never detaches it) and is refused
# by the hook at "prepare begin", which libvirt runs in qemuProcessInit,
# before qemuProcessPrepareHost prepares any hostdev; the script first runs
# the hook on that XML directly and does not even try `virsh start` unless
# the hook refuses it. If 00:02.0 of this machine is an Intel display
# device, that case is skipped.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
hook=$top_builddir/hook/igd-assign-hook
full=$top_builddir/hook/igd-assign-hook-full
hosts=$top_srcdir/tests/data/hosts
NTESTS=11

skip_all() {
    echo "1..$NTESTS"
    i=1
    while [ $i -le $NTESTS ]; do echo "ok $i # SKIP $1"; i=$((i + 1)); done
    exit 0
}

[ "$(id -u)" -eq 0 ] || skip_all "needs root (libvirtd system instance)"
for b in libvirtd virtlogd virsh; do
    command -v $b >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
    command -v $b >/dev/null 2>&1 || skip_all "$b not installed"
done
qemu=$(command -v qemu-system-x86_64) || skip_all "qemu-system-x86_64 not installed"
getent passwd libvirt-qemu >/dev/null 2>&1 || skip_all "no libvirt-qemu user (.ci/install-deps creates it)"

# Re-run in a private mount namespace when possible.
# (IGD_HOOK_LIBVIRTD_NO_NS=1 forces the host-path mode, to test that mode.)
if [ -z "${IGD_HOOK_LIBVIRTD_NS:-}" ] && [ -z "${IGD_HOOK_LIBVIRTD_NO_NS:-}" ] && command -v unshare >/dev/null 2>&1 &&
    unshare -m --propagation private true 2>/dev/null; then
    IGD_HOOK_LIBVIRTD_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi

tmp=$(mktemp -d /tmp/igd-hook-libvirtd.XXXXXX) || exit 1
chmod 755 "$tmp"
hookdir=/etc/libvirt/hooks/qemu.d
installed_hook=
made_hookdir=
made_hooks=
cleanup() {
    if [ -f "$tmp/libvirtd.pid" ]; then
        for d in $(virsh -c qemu:///system list --name 2>/dev/null); do
            case $d in igdhook-*) virsh -c qemu:///system destroy "$d" >/dev/null 2>&1 ;; esac
        done
        for d in igdhook-plain igdhook-virtio igdhook-legacy igdhook-setup; do
            virsh -c qemu:///system undefine "$d" >/dev/null 2>&1
        done
    fi
    [ -n "$installed_hook" ] && rm -f "$installed_hook" "$hookdir/../igd-assign-test.env"
    [ -n "$made_hookdir" ] && rmdir "$hookdir" 2>/dev/null
    [ -n "$made_hooks" ] && rmdir /etc/libvirt/hooks 2>/dev/null
    for p in libvirtd virtlogd; do
        if [ -f "$tmp/$p.pid" ]; then
            pid=$(cat "$tmp/$p.pid")
            kill "$pid" 2>/dev/null
            i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
            kill -9 "$pid" 2>/dev/null
        fi
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ -n "${IGD_HOOK_LIBVIRTD_NS:-}" ]; then
    mkdir -p "$tmp/etc"
    [ -d /etc/libvirt ] && cp -a /etc/libvirt "$tmp/etc/"
    mkdir -p "$tmp/etc/libvirt" /etc/libvirt
    mount --bind "$tmp/etc/libvirt" /etc/libvirt || skip_all "cannot bind-mount /etc/libvirt"
    for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
        mkdir -p "$d" && mount -t tmpfs -o mode=755 tmpfs "$d" || skip_all "cannot mount tmpfs on $d"
    done
    # A /dev/kvm that the QEMU user cannot use makes libvirt 9.0 throw its
    # capabilities cache away at every lookup ("KVM was enabled when
    # probing ..., but it is not available now"): 30 s per define. Under
    # TCG it is not needed: hide it in this namespace.
    if [ -e /dev/kvm ]; then
        : >"$tmp/no-kvm" && chmod 000 "$tmp/no-kvm" && mount --bind "$tmp/no-kvm" /dev/kvm
        # ... and keep QEMU out of a private /dev, where libvirt would try
        # to move that bind mount (private copy of qemu.conf only).
        echo 'namespaces = [ ]' >>/etc/libvirt/qemu.conf
    fi
    mode="in a private mount namespace"
else
    if [ -S /run/libvirt/libvirt-sock ] && virsh -c qemu:///system version >/dev/null 2>&1; then
        skip_all "a libvirtd already runs here and no mount namespace is available"
    fi
    mkdir -p /var/log/libvirt /run/libvirt
    mode="on the host paths"
fi
echo "# libvirtd $mode"

# The hook: a wrapper that restores what the cleaned environment drops.
[ -d /etc/libvirt/hooks ] || made_hooks=1
[ -d "$hookdir" ] || { mkdir -p "$hookdir" && made_hookdir=1; }
cat >"$hookdir/igd-assign" <<EOF
#!/bin/sh
# Installed by tests/hook-libvirtd.sh (removed when it ends).
. /etc/libvirt/hooks/igd-assign-test.env
export IGD_ASSIGN_HOOK_FULL='$full' IGD_ASSIGN_SYSFS_ROOT IGD_ASSIGND_BUS_ADDRESS='unix:path=$tmp/no-daemon-bus'
echo "\$1 \$2 \$3" >>'$tmp/hook.log'
exec '$hook' "\$@"
EOF
chmod 755 "$hookdir/igd-assign"
installed_hook=$hookdir/igd-assign
set_sysroot() { echo "IGD_ASSIGN_SYSFS_ROOT='$1'" >"$hookdir/../igd-assign-test.env"; }
set_sysroot ""

# The daemons (no systemd on these machines), pidfiles in $tmp.
virtlogd -d -p "$tmp/virtlogd.pid" || skip_all "virtlogd does not start"
libvirtd -d -p "$tmp/libvirtd.pid" >"$tmp/libvirtd.out" 2>&1 || skip_all "libvirtd does not start"
V="virsh -q -c qemu:///system"
i=0
until $V version >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -gt 300 ] && skip_all "libvirtd does not answer"
    sleep 0.1
done

echo "1..$NTESTS"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; [ -f "$tmp/msg" ] && sed 's/^/#   /' "$tmp/msg"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

domain() { # NAME UUID EXTRA-METADATA EXTRA-DEVICES
    cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <uuid>$2</uuid>
  <metadata>$3</metadata>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <emulator>$qemu</emulator>
    $4
  </devices>
</domain>
EOF
}
META='<igd:assign xmlns:igd="http://igd-assign.org/schemas/domain/1.0" mode="legacy" host="0000:00:02.0"/>'
HOSTDEV="<video><model type='none'/></video>
    <hostdev mode='subsystem' type='pci' managed='no'>
      <driver name='vfio'/>
      <source><address domain='0x0000' bus='0x00' slot='0x02' function='0x0'/></source>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>
    </hostdev>"

# ---- 1-3: a domain without IGD lives normally with the hook installed ----
domain igdhook-plain 3b0e6f1e-3c55-4b7a-9d0e-5a1f2b3c4d01 "" "<memballoon model='none'/>" >"$tmp/plain.xml"
if $V define "$tmp/plain.xml" >"$tmp/msg" 2>&1 && $V start igdhook-plain >>"$tmp/msg" 2>&1 &&
    [ "$($V domstate igdhook-plain 2>>"$tmp/msg")" = running ]; then
    ok "/libvirtd/no-igd/start"
else
    notok "/libvirtd/no-igd/start"
    tail -n 5 /var/log/libvirt/qemu/igdhook-plain.log 2>/dev/null | sed 's/^/#   qemu: /'
fi
if $V destroy igdhook-plain >"$tmp/msg" 2>&1 && [ "$($V domstate igdhook-plain 2>>"$tmp/msg")" = "shut off" ]; then
    ok "/libvirtd/no-igd/stop"
else
    notok "/libvirtd/no-igd/stop"
fi
# Every hook of that life ran, in libvirt's order, through our wrapper.
grep '^igdhook-plain ' "$tmp/hook.log" 2>/dev/null | cut -d' ' -f2,3 | tr '\n' ',' >"$tmp/ops"
echo "# hook calls: $(cat "$tmp/ops")"
if [ "$(cat "$tmp/ops")" = "prepare begin,start begin,started begin,stopped end,release end," ]; then
    ok "/libvirtd/no-igd/hook-ran-for-every-step"
else
    { cat "$tmp/ops"; echo; } >"$tmp/msg"; notok "/libvirtd/no-igd/hook-ran-for-every-step"
fi
$V undefine igdhook-plain >/dev/null 2>&1

# ---- 4-6: this machine's 00:02.0 (not an Intel display device) -----------
real=/sys/bus/pci/devices/0000:00:02.0
vendor=$(cat "$real/vendor" 2>/dev/null); class=$(cat "$real/class" 2>/dev/null)
domain igdhook-virtio 3b0e6f1e-3c55-4b7a-9d0e-5a1f2b3c4d02 "$META" "$HOSTDEV" >"$tmp/virtio.xml"
case "$vendor:$class" in
0x8086:0x03*)
    for t in direct-refusal start-refused stays-off; do
        skip "/libvirtd/real-0000:00:02.0/$t" "00:02.0 here is an Intel display device: never put it in a test domain"
    done
    ;;
*)
    # The safety belt: the hook itself must refuse this XML, or nothing is started.
    IGD_ASSIGN_HOOK_FULL=$full IGD_ASSIGND_BUS_ADDRESS=unix:path=$tmp/no-daemon-bus \
        "$hook" igdhook-virtio prepare begin - <"$tmp/virtio.xml" >"$tmp/msg" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -q "^igd-assign: igdhook-virtio: host device 0000:00:02.0 " "$tmp/msg"; then
        ok "/libvirtd/real-0000:00:02.0/direct-refusal"
        set_sysroot ""
        readlink "$real/driver" >"$tmp/driver-before" 2>/dev/null
        $V define "$tmp/virtio.xml" >"$tmp/msg" 2>&1
        if $V start igdhook-virtio >"$tmp/msg" 2>&1; then
            notok "/libvirtd/real-0000:00:02.0/start-refused"
            $V destroy igdhook-virtio >/dev/null 2>&1
        else
            sed 's/^/#   virsh: /' "$tmp/msg"
            if grep -q "igd-assign: igdhook-virtio: host device 0000:00:02.0 is not an Intel graphics device (vendor $vendor, class $class)" "$tmp/msg" ||
                grep -q "igd-assign: igdhook-virtio: host device 0000:00:02.0 of its IGD hostdev does not exist" "$tmp/msg"; then
                ok "/libvirtd/real-0000:00:02.0/start-refused"
            else
                notok "/libvirtd/real-0000:00:02.0/start-refused"
            fi
        fi
        if [ "$($V domstate igdhook-virtio 2>/dev/null)" = "shut off" ] &&
            [ "$(readlink "$real/driver" 2>/dev/null)" = "$(cat "$tmp/driver-before")" ]; then
            ok "/libvirtd/real-0000:00:02.0/stays-off"
        else
            notok "/libvirtd/real-0000:00:02.0/stays-off"
        fi
        $V undefine igdhook-virtio >/dev/null 2>&1
    else
        notok "/libvirtd/real-0000:00:02.0/direct-refusal"
        skip "/libvirtd/real-0000:00:02.0/start-refused" "the hook did not refuse it directly: not starting it"
        skip "/libvirtd/real-0000:00:02.0/stays-off" "not started"
    fi
    ;;
esac

# ---- 7-9: legacy IGD domain (not set up by igd-assign) on a captured host whose IGD is bound to i915 ----
set_sysroot "$hosts/skl-lenovo-ideapad-320-14isk"
domain igdhook-legacy 3b0e6f1e-3c55-4b7a-9d0e-5a1f2b3c4d03 "" "$HOSTDEV" >"$tmp/legacy.xml"
IGD_ASSIGN_HOOK_FULL=$full IGD_ASSIGN_SYSFS_ROOT=$hosts/skl-lenovo-ideapad-320-14isk \
    "$hook" igdhook-legacy prepare begin - <"$tmp/legacy.xml" >"$tmp/msg" 2>&1
if [ $? -eq 1 ] && grep -q "bound to i915" "$tmp/msg" && $V define "$tmp/legacy.xml" >"$tmp/msg" 2>&1; then
    if $V start igdhook-legacy >"$tmp/msg" 2>&1; then
        notok "/libvirtd/legacy-i915/start-refused"
        $V destroy igdhook-legacy >/dev/null 2>&1
    else
        sed 's/^/#   virsh: /' "$tmp/msg"
        if grep -q "igd-assign: igdhook-legacy: host device 0000:00:02.0 is bound to i915, not vfio-pci" "$tmp/msg"; then
            ok "/libvirtd/legacy-i915/start-refused"
        else
            notok "/libvirtd/legacy-i915/start-refused"
        fi
    fi
    if grep -q "hint: run: igd-assign setup igdhook-legacy (or: virsh nodedev-detach pci_0000_00_02_0)" "$tmp/msg"; then
        ok "/libvirtd/legacy-i915/driver-hint"
    else
        notok "/libvirtd/legacy-i915/driver-hint"
    fi
else
    notok "/libvirtd/legacy-i915/start-refused"
    skip "/libvirtd/legacy-i915/driver-hint" "not started"
fi
[ "$($V domstate igdhook-legacy 2>/dev/null)" = "shut off" ] && ok "/libvirtd/legacy-i915/stays-off" ||
    notok "/libvirtd/legacy-i915/stays-off"
$V undefine igdhook-legacy >/dev/null 2>&1

# ---- 10-11: the same domain set up by igd-assign: igd-assignd must bind it, and is not running ----
domain igdhook-setup 3b0e6f1e-3c55-4b7a-9d0e-5a1f2b3c4d04 "$META" "$HOSTDEV" >"$tmp/setup.xml"
IGD_ASSIGN_HOOK_FULL=$full IGD_ASSIGN_SYSFS_ROOT=$hosts/skl-lenovo-ideapad-320-14isk \
    IGD_ASSIGND_BUS_ADDRESS=unix:path=$tmp/no-daemon-bus \
    "$hook" igdhook-setup prepare begin - <"$tmp/setup.xml" >"$tmp/msg" 2>&1
if [ $? -eq 1 ] && grep -q "is on i915 and igd-assignd must bind it" "$tmp/msg" && $V define "$tmp/setup.xml" >"$tmp/msg" 2>&1; then
    if $V start igdhook-setup >"$tmp/msg" 2>&1; then
        notok "/libvirtd/set-up-i915-no-daemon/start-refused"
        $V destroy igdhook-setup >/dev/null 2>&1
    else
        sed 's/^/#   virsh: /' "$tmp/msg"
        if grep -q "igd-assign: igdhook-setup: host device 0000:00:02.0 is on i915 and igd-assignd must bind it to vfio-pci: " "$tmp/msg" &&
            grep -q "hint: start the daemon" "$tmp/msg"; then
            ok "/libvirtd/set-up-i915-no-daemon/start-refused"
        else
            notok "/libvirtd/set-up-i915-no-daemon/start-refused"
        fi
    fi
else
    notok "/libvirtd/set-up-i915-no-daemon/start-refused"
fi
[ "$($V domstate igdhook-setup 2>/dev/null)" = "shut off" ] && ok "/libvirtd/set-up-i915-no-daemon/stays-off" ||
    notok "/libvirtd/set-up-i915-no-daemon/stays-off"
$V undefine igdhook-setup >/dev/null 2>&1
set_sysroot ""

[ $n -eq $NTESTS ] || echo "# ran $n tests, planned $NTESTS"
