#!/bin/bash
# TAP: the Debian package on this machine, as root (.ci/run runs it after
# the test suite; it is not part of `make check`, because it installs into
# the real /usr and /etc).
#
#   tests/package.sh [REPOSITORY]     (default: the repository this file is in)
#
# 1. `git clone` of REPOSITORY's committed tree into a temporary directory,
#    `dpkg-buildpackage -b -us -uc` there (the test suite already ran, so
#    with the nocheck option and profile): igd-assign_<configure's
#    version>_amd64.deb, no lintian error, the files where the services look.
# 2. In a private mount namespace (as tests/hook-libvirtd.sh: a private copy
#    of /etc/libvirt, empty tmpfs on /run/libvirt, /var/lib/libvirt,
#    /var/cache/libvirt, /var/log/libvirt, /dev/kvm hidden), a libvirtd is
#    started first, then `apt-get install ./igd-assign_*.deb`: the postinst
#    must make that running libvirtd find the hook (libvirtd's debug log
#    says "Found hook script"). /usr, /etc (but /etc/libvirt), /lib, /var
#    and /run are the machine's own: the package really is installed.
# 3. With the installed hook: a domain whose hostdev is this machine's
#    0000:00:02.0 (a virtio device here, not an IGD) with igd-assign
#    metadata is refused at `virsh start` with the hook's sentence; a plain
#    domain (TCG, no disk) starts.
# 4. A dbus-daemon configured as Debian's system bus (its system.conf,
#    listening on a private socket, reading /usr/share/dbus-1/system.d and
#    the system-services directories): a call as root activates the
#    installed igd-assignd, which owns org.igdassign.Manager1 under the
#    installed policy; a non-root caller (setpriv as nobody) gets
#    org.igdassign.Error.Denied and may not own the name.
# 5. `apt-get purge`: every file `dpkg -L` listed is gone, every directory
#    the package made is gone, /run/igd-assign and /etc/igd-assign are gone,
#    and no path named like igd-assign is left in /etc /usr /lib /var /run.
#
# Safety: the real 0000:00:02.0 is never detached or rebound. Its domain
# uses managed='no' (libvirt never detaches such a device) and is refused
# by the hook at "prepare begin", which libvirt 9.0 runs in qemuProcessInit()
# before qemuProcessPrepareHost() prepares any hostdev (qemu_process.c);
# the failed start's qemuProcessStop() reattaches only devices in libvirt's
# active list (virHostdevReAttachPCIDevicesImpl() step 1), where this one
# never was. The installed hook is first run directly on that XML, and
# `virsh start` is not even tried unless it refuses. If 00:02.0 here is an
# Intel display device, those cases are skipped. The test refuses to run
# (SKIP) where igd-assign is installed, where any file of the package
# exists already (a `make install`), or where /run/igd-assign exists.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=${1:-$(cd "$here/.." && pwd)}
self=$here/package.sh
export LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive
PATH=$PATH:/usr/sbin:/sbin

skip_all() { echo "1..0 # SKIP $1"; exit 0; }

[ "$(id -u)" -eq 0 ] || skip_all "needs root (installs the package on this machine)"
for b in git dpkg-buildpackage dh apt-get dpkg-deb libvirtd virtlogd virsh dbus-daemon gdbus setpriv unshare; do
    command -v $b >/dev/null 2>&1 || skip_all "$b not installed (.ci/install-deps installs it)"
done
qemu=$(command -v qemu-system-x86_64) || skip_all "qemu-system-x86_64 not installed"
getent passwd libvirt-qemu >/dev/null 2>&1 || skip_all "no libvirt-qemu user (.ci/install-deps creates it)"
git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 || skip_all "$repo is not a git repository"
if dpkg-query -W -f='${Status}' igd-assign 2>/dev/null | grep -q 'installed\|config-files\|unpacked\|half'; then
    skip_all "igd-assign is installed here: this test would replace and purge it"
fi
[ -e /run/igd-assign ] && skip_all "/run/igd-assign exists: an igd-assignd may be in use here"

# Everything below runs in a private mount namespace.
if [ -z "${IGD_PACKAGE_NS:-}" ]; then
    unshare -m --propagation private true 2>/dev/null || skip_all "no private mount namespace (unshare -m)"
    IGD_PACKAGE_NS=1 exec unshare -m --propagation private bash "$self" "$repo"
fi

tmp=$(mktemp -d /tmp/igd-package.XXXXXX) || exit 1
chmod 755 "$tmp"
installed=
dbus_pid=
started_pids=
cleanup() {
    if [ -f "$tmp/libvirtd.pid" ]; then
        for d in igdpkg-plain igdpkg-virtio; do
            virsh -q -c qemu:///system destroy "$d" >/dev/null 2>&1
            virsh -q -c qemu:///system undefine "$d" >/dev/null 2>&1
        done
    fi
    # The services the bus started for us (igd-assignd, polkitd), by pid.
    for p in $started_pids; do kill "$p" 2>/dev/null; done
    [ -n "$dbus_pid" ] && kill "$dbus_pid" 2>/dev/null
    if [ -n "$installed" ]; then
        echo "# cleanup: purging igd-assign"
        apt-get purge -y -q igd-assign >/dev/null 2>&1 || dpkg --purge igd-assign >/dev/null 2>&1
    fi
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

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
    n=$((n + 1)); failed=1; echo "not ok $n - $1"
    [ -n "${2:-}" ] && [ -f "$2" ] && tail -n "${3:-15}" "$2" | sed 's/^/#   /'
    return 0
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # NAME COMMAND...: ok when COMMAND succeeds; its output shown otherwise
    local name=$1
    shift
    if "$@" >"$tmp/out" 2>&1; then ok "$name"; else notok "$name" "$tmp/out"; fi
}
t0=$(date +%s)
elapsed() { echo "$(($(date +%s) - t0)) s"; }

# ---- 1. build from a clean clone -------------------------------------------
mkdir -p "$tmp/build"
git clone -q "$repo" "$tmp/build/igd-assign" || { echo "1..0 # SKIP git clone of $repo failed"; exit 0; }
version=$(sed -n 's/^AC_INIT(\[igd-assign\], \[\([^]]*\)\].*/\1/p' "$tmp/build/igd-assign/configure.ac")
deb=$tmp/build/igd-assign_${version}_amd64.deb
echo "# building igd-assign $version from a clone of $(git -C "$repo" rev-parse --short HEAD)"
if (cd "$tmp/build/igd-assign" && DEB_BUILD_OPTIONS="nocheck parallel=2" DEB_BUILD_PROFILES=nocheck \
    dpkg-buildpackage -b -us -uc) >"$tmp/build.log" 2>&1 && [ -f "$deb" ]; then
    ok "dpkg-buildpackage -b -us -uc on a clean clone gives igd-assign_${version}_amd64.deb ($(elapsed))"
else
    notok "dpkg-buildpackage -b -us -uc on a clean clone gives igd-assign_${version}_amd64.deb" "$tmp/build.log" 40
    echo "1..$n"
    exit 1
fi
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] && ok "package version $version = configure.ac's" ||
    notok "package version $(dpkg-deb -f "$deb" Version) = configure.ac's $version"
if grep -qi 'warning:' "$tmp/build.log"; then
    grep -i 'warning:' "$tmp/build.log" >"$tmp/out"
    notok "the build prints no compiler or packaging warning" "$tmp/out"
else
    ok "the build prints no compiler or packaging warning"
fi
if command -v lintian >/dev/null 2>&1; then
    lintian --fail-on error --tag-display-limit 0 "$tmp"/build/igd-assign_"${version}"_amd64.changes >"$tmp/lintian.log" 2>&1
    rc=$?
    sed -n 's/^\([EWI]: .*\)/# lintian: \1/p' "$tmp/lintian.log"
    [ $rc -eq 0 ] && ! grep -q '^E: ' "$tmp/lintian.log" && ok "lintian: no error ($(elapsed))" ||
        notok "lintian: no error" "$tmp/lintian.log"
else
    skip "lintian: no error" "lintian is not installed"
fi

# What the package holds, without the leading "." (dirs end in /, links show " -> ").
dpkg-deb -c "$deb" | awk '{ $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); sub(/^\./, ""); print }' >"$tmp/contents"
sed -n '/ -> /!{ /\/$/!p }' "$tmp/contents" >"$tmp/files"
sed -n 's/ -> .*//p' "$tmp/contents" >>"$tmp/files"
sed -n 's|^\(/.*[^/]\)/$|\1|p' "$tmp/contents" >"$tmp/dirs"
has() { grep -qxF -- "$1" "$tmp/contents" || { echo "not in the package: $1"; return 1; }; }
where() {
    local r=0 f
    for f in /usr/bin/igd-assign /usr/sbin/igd-assignd /usr/libexec/igd-assign-hook \
        /usr/libexec/igd-assign-hook-full /usr/share/dbus-1/system.d/org.igdassign.Manager1.conf \
        /usr/share/dbus-1/system-services/org.igdassign.Manager1.service \
        /usr/share/dbus-1/interfaces/org.igdassign.Manager1.xml \
        /usr/share/polkit-1/actions/org.igdassign.policy /lib/systemd/system/igd-assignd.service \
        /etc/igd-assign/igd-assignd.conf /usr/share/bash-completion/completions/igd-assign \
        /usr/share/man/man1/igd-assign.1.gz /usr/share/man/man5/igd-assignd.conf.5.gz \
        /usr/share/man/man8/igd-assignd.8.gz /usr/share/man/man8/igd-assign-hook.8.gz \
        /usr/share/igd-assign/schemas/igd-assign-metadata.rng /usr/share/doc/igd-assign/GUIDE.md; do
        has "$f" || r=1
    done
    has "/etc/libvirt/hooks/qemu.d/igd-assign -> /usr/libexec/igd-assign-hook" || r=1
    dpkg-deb -I "$deb" conffiles | grep -qx /etc/igd-assign/igd-assignd.conf || { echo "igd-assignd.conf is not a conffile"; r=1; }
    return $r
}
check "files where libvirtd, dbus-daemon, polkitd and systemd look; the hook a link to /usr/libexec" where

# Nothing of the package may be here yet (a `make install` would be overwritten).
present=$(while read -r f; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done <"$tmp/files")
if [ -n "$present" ]; then
    echo "# files of the package exist on this machine already:"; echo "$present" | sed 's/^/#   /'
    echo "1..$n"
    echo "# not installing over them"
    exit 1
fi
while read -r d; do [ -d "$d" ] && echo "$d"; done <"$tmp/dirs" >"$tmp/dirs-before"
paths_named_like_us() {
    find /etc /usr /lib /var /run /opt /srv -xdev \( -iname '*igd-assign*' -o -iname '*igdassign*' -o -iname 'igdpkg-*' \) \
        -not -path "$tmp/*" 2>/dev/null | grep -v '^/var/cache/apt/\|^/var/lib/apt/lists/' | sort
}
paths_named_like_us >"$tmp/named-before"

# ---- 2. libvirtd first, then the install -------------------------------------
mkdir -p "$tmp/etc"
[ -d /etc/libvirt ] && cp -a /etc/libvirt "$tmp/etc/"
mkdir -p "$tmp/etc/libvirt" /etc/libvirt
mount --bind "$tmp/etc/libvirt" /etc/libvirt || { echo "# cannot bind-mount /etc/libvirt"; echo "1..$n"; exit 1; }
for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
    mkdir -p "$d" && mount -t tmpfs -o mode=755 tmpfs "$d" || { echo "# cannot mount tmpfs on $d"; echo "1..$n"; exit 1; }
done
# libvirt 9.0 with a /dev/kvm the QEMU user cannot use re-probes QEMU at
# every call (see tests/hook-libvirtd.sh): hide it, and keep QEMU out of a
# private /dev (private copy of qemu.conf only).
if [ -e /dev/kvm ]; then
    : >"$tmp/no-kvm" && chmod 000 "$tmp/no-kvm" && mount --bind "$tmp/no-kvm" /dev/kvm
    echo 'namespaces = [ ]' >>/etc/libvirt/qemu.conf
fi
virtlogd -d -p "$tmp/virtlogd.pid" || { echo "# virtlogd does not start"; echo "1..$n"; exit 1; }
LIBVIRT_LOG_FILTERS="1:util.hook" LIBVIRT_LOG_OUTPUTS="1:file:$tmp/libvirtd-debug.log" \
    libvirtd -d -p "$tmp/libvirtd.pid" >"$tmp/libvirtd.out" 2>&1 || { echo "# libvirtd does not start"; echo "1..$n"; exit 1; }
V="virsh -q -c qemu:///system"
i=0
until $V version >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -gt 300 ] && { echo "# libvirtd does not answer"; echo "1..$n"; exit 1; }
    sleep 0.1
done

# Its dependencies are here (.ci/install-deps): apt adds igd-assign only.
apt-get -s install -y "$deb" >"$tmp/simulate.log" 2>&1
grep '^Inst ' "$tmp/simulate.log" | grep -v '^Inst igd-assign ' >"$tmp/others"
if [ -s "$tmp/others" ]; then
    notok "apt-get install ./igd-assign_${version}_amd64.deb installs nothing else" "$tmp/others"
    echo "1..$n"
    exit 1
fi
if apt-get install -y -q "$deb" >"$tmp/install.log" 2>&1 && dpkg-query -W -f='${Status}' igd-assign | grep -q 'ok installed'; then
    installed=1
    ok "apt-get install ./igd-assign_${version}_amd64.deb ($(elapsed))"
else
    installed=1
    notok "apt-get install ./igd-assign_${version}_amd64.deb" "$tmp/install.log" 30
fi
sed -n 's/^\(igd-assign: .*\)/# postinst: \1/p' "$tmp/install.log"
dpkg -L igd-assign | grep -v '^/\.$' | sort >"$tmp/listed"
dpkg-query -W -f='${Conffiles}\n' igd-assign | awk 'NF { print $1 }' >"$tmp/conffiles"
# The running libvirtd looks for hooks again on the postinst's SIGHUP.
found=
i=0
while [ $i -lt 100 ]; do
    grep -q 'Found hook script /etc/libvirt/hooks/qemu.d/igd-assign' "$tmp/libvirtd-debug.log" 2>/dev/null && { found=1; break; }
    sleep 0.1
    i=$((i + 1))
done
if [ -n "$found" ] && grep -q '^igd-assign: asked libvirtd (pid [0-9]*) ' "$tmp/install.log"; then
    ok "the running libvirtd found the new hook (postinst: SIGHUP)"
else
    grep -i hook "$tmp/libvirtd-debug.log" >"$tmp/out" 2>&1
    notok "the running libvirtd found the new hook (postinst: SIGHUP)" "$tmp/out"
fi
check "igd-assign --version (installed)" sh -c "/usr/bin/igd-assign --version | grep -qx 'igd-assign $version'"
if command -v man >/dev/null 2>&1; then
    check "man finds igd-assignd(8), igd-assign-hook(8), igd-assignd.conf(5)" sh -c \
        'man -w igd-assignd | grep -q man8/igd-assignd.8 && man -w igd-assign-hook | grep -q man8/igd-assign-hook.8 && man -w 5 igd-assignd.conf | grep -q man5/igd-assignd.conf.5'
else
    skip "man finds igd-assignd(8), igd-assign-hook(8), igd-assignd.conf(5)" "man-db is not installed"
fi

# ---- 3. the installed hook in libvirtd -----------------------------------------
domain() { # NAME UUID METADATA DEVICES
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
real=/sys/bus/pci/devices/0000:00:02.0
vendor=$(cat "$real/vendor" 2>/dev/null)
class=$(cat "$real/class" 2>/dev/null)
sentence="igd-assign: igdpkg-virtio: host device 0000:00:02.0 is not an Intel graphics device (vendor $vendor, class $class)"
domain igdpkg-virtio 6c1f7f2e-4d66-4c8b-8e1f-6b2a3c4d5e01 "$META" "$HOSTDEV" >"$tmp/virtio.xml"
case "$vendor:$class" in
0x8086:0x03* | :)
    for t in "the installed hook refuses it" "virsh start is refused with the hook's sentence" "it stays off, 00:02.0 keeps its driver"; do
        skip "real 0000:00:02.0: $t" "00:02.0 here is an Intel display device or absent: never put it in a test domain"
    done
    ;;
*)
    # The safety belt: the installed hook must refuse this XML, or nothing is started.
    /etc/libvirt/hooks/qemu.d/igd-assign igdpkg-virtio prepare begin - <"$tmp/virtio.xml" >"$tmp/out" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -qF "$sentence" "$tmp/out"; then
        ok "real 0000:00:02.0: the installed hook refuses it"
        readlink "$real/driver" >"$tmp/driver-before" 2>/dev/null
        $V define "$tmp/virtio.xml" >"$tmp/out" 2>&1
        if $V start igdpkg-virtio >"$tmp/out" 2>&1; then
            notok "real 0000:00:02.0: virsh start is refused with the hook's sentence"
            $V destroy igdpkg-virtio >/dev/null 2>&1
        else
            sed 's/^/#   virsh: /' "$tmp/out"
            grep -qF "$sentence" "$tmp/out" && ok "real 0000:00:02.0: virsh start is refused with the hook's sentence" ||
                notok "real 0000:00:02.0: virsh start is refused with the hook's sentence"
        fi
        if [ "$($V domstate igdpkg-virtio 2>/dev/null)" = "shut off" ] &&
            [ "$(readlink "$real/driver" 2>/dev/null)" = "$(cat "$tmp/driver-before")" ]; then
            ok "real 0000:00:02.0: it stays off, 00:02.0 keeps its driver"
        else
            notok "real 0000:00:02.0: it stays off, 00:02.0 keeps its driver"
        fi
        $V undefine igdpkg-virtio >/dev/null 2>&1
    else
        notok "real 0000:00:02.0: the installed hook refuses it (exit $rc)" "$tmp/out"
        skip "real 0000:00:02.0: virsh start is refused with the hook's sentence" "the hook did not refuse it: not starting it"
        skip "real 0000:00:02.0: it stays off, 00:02.0 keeps its driver" "not started"
    fi
    ;;
esac
domain igdpkg-plain 6c1f7f2e-4d66-4c8b-8e1f-6b2a3c4d5e02 "" "<memballoon model='none'/>" >"$tmp/plain.xml"
if $V define "$tmp/plain.xml" >"$tmp/out" 2>&1 && $V start igdpkg-plain >>"$tmp/out" 2>&1 &&
    [ "$($V domstate igdpkg-plain 2>>"$tmp/out")" = running ]; then
    ok "a domain without IGD starts with the hook installed ($(elapsed))"
else
    notok "a domain without IGD starts with the hook installed" "$tmp/out"
fi
$V destroy igdpkg-plain >/dev/null 2>&1
$V undefine igdpkg-plain >/dev/null 2>&1

# ---- 4. the installed D-Bus service on a system-configured bus -------------
# Debian's system.conf, but: our socket, no user switch, no fork, no pid
# file, no syslog, no setuid activation helper (services are started
# directly), and its relative <includedir>system.d</includedir> made
# absolute (it is relative to the config file's directory).
bus=$tmp/system_bus_socket
sed -e '/<user>/d' -e '/<fork\/>/d' -e '/<pidfile>/d' -e '/<syslog\/>/d' -e '/<servicehelper>/d' \
    -e "s|<listen>.*</listen>|<listen>unix:path=$bus</listen>|" \
    -e 's|<includedir>system.d</includedir>|<includedir>/usr/share/dbus-1/system.d</includedir>|' \
    /usr/share/dbus-1/system.conf >"$tmp/system-bus.conf"
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$bus
dbus-daemon --config-file="$tmp/system-bus.conf" --nofork --nopidfile >"$tmp/dbus.log" 2>&1 &
dbus_pid=$!
i=0
until [ -S "$bus" ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
G="gdbus call --system --dest org.igdassign.Manager1 --object-path /org/igdassign/Manager1"
owner_pid() {
    gdbus call --system --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.GetConnectionUnixProcessID "$1" 2>/dev/null | sed -n 's/^(uint32 \([0-9]*\),)$/\1/p'
}
if timeout 60 $G --method org.igdassign.Manager1.GetStatus >"$tmp/status.out" 2>&1 && grep -q '"devices"' "$tmp/status.out"; then
    ok "root: GetStatus activates the installed igd-assignd ($(elapsed))"
else
    cat "$tmp/dbus.log" >>"$tmp/status.out"
    notok "root: GetStatus activates the installed igd-assignd" "$tmp/status.out"
fi
pid=$(owner_pid org.igdassign.Manager1)
[ -n "$pid" ] && started_pids="$started_pids $pid"
if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe")" = /usr/sbin/igd-assignd ] && [ "$(stat -c %u "/proc/$pid")" = 0 ]; then
    ok "/usr/sbin/igd-assignd (root) owns org.igdassign.Manager1 under the installed policy"
else
    echo "pid '$pid', exe '$(readlink "/proc/$pid/exe" 2>/dev/null)'" >"$tmp/out"
    notok "/usr/sbin/igd-assignd (root) owns org.igdassign.Manager1 under the installed policy" "$tmp/out"
fi
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }
nobody timeout 60 $G --method org.igdassign.Manager1.GetStatus >"$tmp/out" 2>&1
grep -q 'org.igdassign.Error.Denied' "$tmp/out" && ok "nobody: GetStatus is denied (org.igdassign.Error.Denied)" ||
    notok "nobody: GetStatus is denied (org.igdassign.Error.Denied)" "$tmp/out"
sed -n 's/.*Error.Denied: \(.*\)/# daemon: \1/p' "$tmp/out"
# With polkitd here the bus activates it, and it judges by the installed
# actions: "not granted" (not "not registered") shows it read ours.
if [ -x /usr/lib/polkit-1/polkitd ]; then
    grep -q 'polkit action org.igdassign.status not granted' "$tmp/out" &&
        ok "nobody: polkitd knows the installed action org.igdassign.status and does not grant it" ||
        notok "nobody: polkitd knows the installed action org.igdassign.status and does not grant it" "$tmp/out"
else
    skip "nobody: polkitd knows the installed action org.igdassign.status and does not grant it" "polkitd is not installed"
fi
nobody gdbus call --system --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.RequestName org.igdassign.Manager1 0 >"$tmp/out" 2>&1
grep -q 'org.freedesktop.DBus.Error.AccessDenied' "$tmp/out" && ok "nobody: may not own org.igdassign.Manager1" ||
    notok "nobody: may not own org.igdassign.Manager1" "$tmp/out"
[ -d /run/igd-assign ] && ok "igd-assignd keeps its state in /run/igd-assign" || notok "igd-assignd keeps its state in /run/igd-assign"
p=$(owner_pid org.freedesktop.PolicyKit1)
[ -n "$p" ] && started_pids="$started_pids $p"
for p in $started_pids; do kill "$p" 2>/dev/null; done
kill "$dbus_pid" 2>/dev/null
wait "$dbus_pid" 2>/dev/null
dbus_pid=
started_pids=
unset DBUS_SYSTEM_BUS_ADDRESS

# ---- 5. purge: nothing is left ------------------------------------------------
if apt-get purge -y -q igd-assign >"$tmp/purge.log" 2>&1; then
    ok "apt-get purge igd-assign"
else
    notok "apt-get purge igd-assign" "$tmp/purge.log"
fi
if ! dpkg-query -W -f='${Status}' igd-assign 2>/dev/null | grep -q 'installed\|config-files'; then
    installed=
    ok "dpkg knows igd-assign no more"
else
    notok "dpkg knows igd-assign no more"
fi
left() {
    local r=0 f
    while read -r f; do
        if grep -qxF -- "$f" "$tmp/dirs"; then
            # a directory of the package (or a link to one, as /lib -> usr/lib)
            [ -d "$f" ] && ! grep -qxF -- "$f" "$tmp/dirs-before" && { echo "directory left: $f"; r=1; }
        elif [ -e "$f" ] || [ -L "$f" ]; then
            echo "left: $f"
            r=1
        fi
    done <"$tmp/listed"
    while read -r f; do [ -e "$f" ] && { echo "conffile left: $f"; r=1; }; done <"$tmp/conffiles"
    [ ! -e /run/igd-assign ] || { echo "state left: /run/igd-assign"; r=1; }
    [ ! -e /etc/igd-assign ] || { echo "left: /etc/igd-assign"; r=1; }
    return $r
}
check "every file dpkg -L listed is gone, and every directory the package made ($(wc -l <"$tmp/listed") paths)" left
paths_named_like_us >"$tmp/named-after"
comm -13 "$tmp/named-before" "$tmp/named-after" >"$tmp/out"
[ ! -s "$tmp/out" ] && ok "no path named like igd-assign left in /etc /usr /lib /var /run /opt /srv" ||
    notok "no path named like igd-assign left in /etc /usr /lib /var /run /opt /srv" "$tmp/out" 30

echo "# package test: $(elapsed)"
echo "1..$n"
exit $failed
