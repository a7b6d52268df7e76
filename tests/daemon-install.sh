#!/bin/sh
# daemon-install.sh: `make install DESTDIR=...` puts igd-assignd and its
# systemd, D-Bus and polkit files where the system looks for them, with
# the installed paths substituted (TAP).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/# /'; }
check() { name=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$name"; else not_ok "$name" "$(cat "$tmp/out")"; fi; }

if [ ! -x "$top_builddir/daemon/igd-assignd" ]; then echo "1..0 # SKIP daemon/igd-assignd not built"; exit 0; fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/igd-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest

# The directories configure chose, from the Makefile itself.
# Run make afresh, not as a child of `make check` (no jobserver, no "Entering directory").
unset MAKEFLAGS MFLAGS MAKELEVEL
var() { ${MAKE:-make} -s -C "$top_builddir" --no-print-directory -f Makefile -f - print-var V="$1" <<'EOM'
print-var:
	@echo '$($(V))'
EOM
}
sbindir=$(var sbindir); datadir=$(var datadir); sysconfdir=$(var sysconfdir); prefix=$(var prefix)
unitdir=$(var systemdsystemunitdir); pkgdatadir=$(var pkgdatadir)
dbussys=$(var dbus_systemdir); dbussvc=$(var dbus_servicedir); dbusif=$(var dbus_interfacedir)
polkitdir=$(var polkit_actiondir); hooksdir=$(var libvirt_hooksdir)
have_polkit=no; grep -q '^#define HAVE_POLKIT 1' "$top_builddir/config.h" && have_polkit=yes

echo "1..12"
if ${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$dest" >"$tmp/install.log" 2>&1; then
    ok "make install DESTDIR=..."
else
    not_ok "make install DESTDIR=..." "$(tail -20 "$tmp/install.log")"
fi
exists() { [ -f "$dest$1" ] || { echo "missing: $1"; return 1; }; }
check "igd-assignd in sbindir" test -x "$dest$sbindir/igd-assignd"
check "systemd unit" exists "$unitdir/igd-assignd.service"
check "D-Bus system-bus activation file" exists "$dbussvc/org.igdassign.Manager1.service"
check "D-Bus policy" exists "$dbussys/org.igdassign.Manager1.conf"
check "introspection XML" exists "$dbusif/org.igdassign.Manager1.xml"
check "libvirt hook" test -x "$dest$hooksdir/qemu.d/igd-assign"
# A plain ./configure installs where the host's services look, whatever the
# prefix (distcheck overrides every directory into its own prefix: skipped).
where_services_look() {
    pk() { pkg-config --variable="$2" "$1" 2>/dev/null; }
    want_sys=$(pk dbus-1 datadir); want_sys=${want_sys:-/usr/share}/dbus-1/system.d
    want_svc=$(pk dbus-1 system_bus_services_dir); want_svc=${want_svc:-/usr/share/dbus-1/system-services}
    want_pol=$(pk polkit-gobject-1 policydir); want_pol=${want_pol:-/usr/share/polkit-1/actions}
    want_unit=$(pk systemd systemdsystemunitdir); want_unit=${want_unit:-/lib/systemd/system}
    [ "$dbussys" = "$want_sys" ] || { echo "D-Bus policy in $dbussys, dbus-daemon reads $want_sys"; return 1; }
    [ "$dbussvc" = "$want_svc" ] || { echo "activation in $dbussvc, dbus-daemon reads $want_svc"; return 1; }
    [ "$polkitdir" = "$want_pol" ] || { echo "polkit action in $polkitdir, polkitd reads $want_pol"; return 1; }
    [ "$unitdir" = "$want_unit" ] || { echo "unit in $unitdir, systemd reads $want_unit"; return 1; }
    [ "$hooksdir" = /etc/libvirt/hooks ] || { echo "hook in $hooksdir, libvirtd reads /etc/libvirt/hooks"; return 1; }
}
# (A prefix of /usr holds the services' own directories: checked, not skipped.)
case $prefix:$dbussys in
    /usr:*) check "directories where the services look" where_services_look ;;
    *:"$prefix"/*) ok "directories where the services look # SKIP configured into the prefix (distcheck)" ;;
    *) check "directories where the services look" where_services_look ;;
esac
check "configuration file" exists "$sysconfdir/igd-assign/igd-assignd.conf"
check "state-file schema" exists "$pkgdatadir/schemas/igd-state.rng"
paths() {
    grep -qx "Exec=$sbindir/igd-assignd" "$dest$dbussvc/org.igdassign.Manager1.service" &&
        grep -qx "ExecStart=$sbindir/igd-assignd" "$dest$unitdir/igd-assignd.service" &&
        grep -qx "BusName=org.igdassign.Manager1" "$dest$unitdir/igd-assignd.service" &&
        grep -qx "SystemdService=igd-assignd.service" "$dest$dbussvc/org.igdassign.Manager1.service" &&
        ! grep -q '@[a-z]*@' "$dest$unitdir/igd-assignd.service" "$dest$dbussvc/org.igdassign.Manager1.service"
}
check "unit and activation file name the installed binary" paths
if [ $have_polkit = yes ]; then
    polkit() {
        f=$dest$polkitdir/org.igdassign.policy
        for a in prepare release bind check status; do
            grep -q "<action id=\"org.igdassign.$a\">" "$f" || { echo "no action org.igdassign.$a"; return 1; }
        done
        if command -v xmllint >/dev/null 2>&1; then xmllint --noout "$f"; fi
    }
    check "polkit policy with one action per operation" polkit
else
    ok "polkit policy # SKIP built without polkit"
fi
exit $failed
