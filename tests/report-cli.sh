#!/bin/sh
# report-cli.sh: `igd-assign report` end to end. For every captured host
# tree: a report of it, extracted, is read by `inspect --json` and
# `check --json` exactly as the tree itself (the tree's own path and the
# QEMU binary's path aside), holds the same links and the same bytes; then
# the bad inputs of issue 10 (a destination that exists, is not writable,
# is missing; a host tree with FIFOs, devices, links leaving it, loops,
# oversized files), the redactions, the OpRegion from the VFIO region
# (VFIO double), --json, and tests/mkhost --import-report. Prints TAP.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${top_builddir:-$srcdir}
IGD=$builddir/tools/igd-assign
hosts=$srcdir/tests/data/hosts
tmp=$(mktemp -d "${TMPDIR:-/tmp}/igd-report-XXXXXX") || exit 99
# memcheck's own words (e.g. its warning about openat2, which the sysroot
# then does without) go to a file, not to the stderr the cases compare;
# an error still exits 99, and not_ok shows the file.
vg=${IGD_VALGRIND:+$IGD_VALGRIND --log-file=$tmp/vg.log}
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export IGD_ASSIGN_CACHE_DIR= SOURCE_DATE_EPOCH=1700000000
unset IGD_ASSIGN_SYSFS_ROOT IGD_QEMU_CAPS
# the captured Debian 12 QEMU 7.2 probe (tests/cli-fake-qemu finds its data beside itself)
printf '#!/bin/sh\nexec "%s/tests/cli-fake-qemu" "$@"\n' "$srcdir" > "$tmp/qemu-system-x86_64"
chmod +x "$tmp/qemu-system-x86_64"
export IGD_QEMU=$tmp/qemu-system-x86_64

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done
    [ -s "$tmp/vg.log" ] && sed 's/^/# valgrind: /' "$tmp/vg.log"
}
# check NAME COMMAND...: ok when the command succeeds
check() { name=$1; shift; if "$@" > "$tmp/check.out" 2>&1; then ok "$name"; else not_ok "$name" "$(head -c 1500 "$tmp/check.out")"; fi; }

report() { # report ROOT DEST [ARGS]: igd-assign report, exit code in $rc
    root=$1 dest=$2; shift 2
    $vg "$IGD" --sysfs-root "$root" "$@" report -o "$dest" > "$tmp/out" 2> "$tmp/err"
    rc=$?
}

# inspect/check of a tree, its own path and the QEMU binary's path made neutral
view() { # view ROOT CMD [ENV...]
    root=$1 cmd=$2; shift 2
    env "$@" "$IGD" --sysfs-root "$root" --json "$cmd" 2>/dev/null |
        sed -e "s#$root#ROOT#g" -e 's#"binary": ".*"#"binary": QEMU#'
}

extract() { # extract ARCHIVE DIR
    mkdir -p "$2" && tar -C "$2" -xJf "$1"
}

links() { (cd "$1" && find . -type l -printf '%P -> %l\n' | LC_ALL=C sort); }

# ------------------------------------------------------------------ every host tree
for h in "$hosts"/*/; do
    h=${h%/}
    c=$(basename "$h")
    a=$tmp/$c.tar.xz
    x=$tmp/x-$c
    report "$h" "$a"
    if [ "$rc" -ne 0 ] || ! xz -t "$a" 2>/dev/null; then
        not_ok "/report/$c: written" "exit $rc: $(cat "$tmp/err")"
        continue
    fi
    bad=$(tar -tJf "$a" | grep -v "^$c/" | head -3)
    if [ -n "$bad" ]; then not_ok "/report/$c: one top directory" "$bad"; else ok "/report/$c: written under $c/"; fi
    extract "$a" "$x"
    t=$x/$c
    for cmd in inspect check; do
        view "$h" "$cmd" > "$tmp/want.json"
        view "$t" "$cmd" IGD_QEMU_CAPS="$t/qemu-probe.ini" > "$tmp/got.json"
        if [ -s "$tmp/want.json" ] && diff -u "$tmp/want.json" "$tmp/got.json" > "$tmp/diff"; then
            ok "/report/$c: $cmd --json of the extracted report is the tree's"
        else
            not_ok "/report/$c: $cmd --json of the extracted report is the tree's" "$(head -c 2000 "$tmp/diff")"
        fi
    done
    # the same links, verbatim (every link of these trees is about a captured device)
    links "$h" > "$tmp/want.links"
    links "$t" > "$tmp/got.links"
    if diff -u "$tmp/want.links" "$tmp/got.links" > "$tmp/diff"; then
        ok "/report/$c: every link kept as a link, same target"
    else
        not_ok "/report/$c: every link kept as a link, same target" "$(head -c 1500 "$tmp/diff")"
    fi
    # the same bytes, except README.md, the filtered log and a redacted command line; nothing else missing
    why=""
    for f in $(cd "$h" && find . -type f -printf '%P\n'); do
        case $f in
            README.md|dev/vfio/.keep) continue ;;
            dev/kmsg|proc/cmdline) [ -f "$t/$f" ] || why="$why $f:missing" ; continue ;;
        esac
        if [ ! -f "$t/$f" ]; then why="$why $f:missing"; elif ! cmp -s "$h/$f" "$t/$f"; then why="$why $f:differs"; fi
    done
    if [ -z "$why" ]; then ok "/report/$c: every file of the tree captured byte for byte"; else not_ok "/report/$c: every file of the tree captured byte for byte" "$why"; fi
done

# ------------------------------------------------------------------ one report, looked at closely
h=$hosts/skl-ideapad-vfio
report "$h" "$tmp/r.tar.xz" --json
check "--json: one document, exit 0" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) >= {"path", "top", "size", "igds", "files", "redactions", "left_out"}, d.keys()
assert d["path"] == sys.argv[2] and d["top"] == "r" and d["igds"] == ["0000:00:02.0"], d
assert any(f["path"] == "README.md" for f in d["files"])
assert any(f["type"] == "link" and f["path"] == "sys/bus/pci/devices/0000:00:02.0/driver" and
           f["target"] == "../../../../bus/pci/drivers/vfio-pci" for f in d["files"])
assert any(o["source"] == "/sys/bus/pci/devices/0000:00:02.0/rom" for o in d["left_out"])
assert int(sys.argv[3]) == 0 and sys.argv[4] == ""
' "$tmp/out" "$tmp/r.tar.xz" "$rc" "$(cat "$tmp/err")"
extract "$tmp/r.tar.xz" "$tmp/xr"
missing=""
for m in $(tar -tJf "$tmp/r.tar.xz" | grep -v '/$' | sed 's#^r/##'); do
    grep -qF "| $m |" "$tmp/xr/r/README.md" || missing="$missing $m"
done
if [ -z "$missing" ]; then ok "README.md lists every file and link"; else not_ok "README.md lists every file and link" "$missing"; fi
check "README.md says what was left out and why" grep -q "rom: no rom attribute" "$tmp/xr/r/README.md"

mkdir "$tmp/again"
report "$h" "$tmp/again/r.tar.xz"
check "the same host and SOURCE_DATE_EPOCH give the same bytes" cmp "$tmp/r.tar.xz" "$tmp/again/r.tar.xz"

# ------------------------------------------------------------------ the destination
report "$h" "$tmp/r.tar.xz"
cp "$tmp/r.tar.xz" "$tmp/r.copy"
if [ "$rc" -eq 1 ] && grep -q "igd-assign: report: '.*r.tar.xz' exists; a report never replaces a file" "$tmp/err" &&
   grep -q "^hint: " "$tmp/err" && cmp -s "$tmp/r.tar.xz" "$tmp/r.copy" && [ ! -s "$tmp/out" ]; then
    ok "an existing destination: exit 1, left as it was"
else
    not_ok "an existing destination: exit 1, left as it was" "exit $rc: $(cat "$tmp/err")"
fi
mkdir "$tmp/dir.tar.xz"
report "$h" "$tmp/dir.tar.xz"
check "a directory as destination: exit 1" sh -c "[ $rc -eq 1 ] && grep -q 'is a directory' '$tmp/err'"
ln -s "$tmp/nowhere" "$tmp/dangling.tar.xz"
report "$h" "$tmp/dangling.tar.xz"
check "a dangling link as destination: exit 1, nothing created through it" \
    sh -c "[ $rc -eq 1 ] && [ ! -e '$tmp/nowhere' ]"
report "$h" /sys/igd-report-test.tar.xz
check "a destination that cannot be written (/sys): exit 3" \
    sh -c "[ $rc -eq 3 ] && grep -q \"cannot write '/sys/igd-report-test.tar.xz'\" '$tmp/err'"
report "$h" "$tmp/no/such/dir/r.tar.xz"
check "a missing directory: exit 3" sh -c "[ $rc -eq 3 ] && grep -q 'does not exist' '$tmp/err'"
# A read-only directory: as a user who cannot write it (root writes anywhere, so
# as root the report runs as nobody, through setpriv).
mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
chmod 755 "$tmp"
if [ "$(id -u)" -ne 0 ]; then
    report "$h" "$tmp/ro/r.tar.xz"
else
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$IGD" --sysfs-root "$h" report -o "$tmp/ro/r.tar.xz" \
        > "$tmp/out" 2> "$tmp/err"
    rc=$?
fi
check "a read-only directory: exit 3, nothing left" sh -c "[ $rc -eq 3 ] && [ -z \"\$(ls -A '$tmp/ro')\" ]"
mkdir "$tmp/notahost" "$tmp/out-dir"
report "$tmp/notahost" "$tmp/out-dir/r.tar.xz"
check "not a host tree: exit 3, no file and no temporary file left" \
    sh -c "[ $rc -eq 3 ] && grep -q 'cannot list /sys/bus/pci/devices' '$tmp/err' && [ -z \"\$(ls -A '$tmp/out-dir')\" ]"
$vg "$IGD" --sysfs-root "$h" report > /dev/null 2> "$tmp/err"; rc=$?
check "no -o: usage error" sh -c "[ $rc -eq 2 ] && grep -q 'no output file' '$tmp/err'"
$vg "$IGD" --sysfs-root "$h" report -o "$tmp/u.tar.xz" extra > /dev/null 2> "$tmp/err"; rc=$?
check "an extra argument: usage error, nothing written" sh -c "[ $rc -eq 2 ] && [ ! -e '$tmp/u.tar.xz' ]"
$vg "$IGD" --sysfs-root "$h" report -o - > /dev/null 2> "$tmp/err"; rc=$?
check "-o -: usage error" sh -c "[ $rc -eq 2 ]"

# ------------------------------------------------------------------ a hostile host tree
t=$tmp/hostile
cp -a "$h" "$t"
d=$t/sys/bus/pci/devices
mkfifo "$d/0000:00:02.0/rom"
rm "$t/dev/kmsg" && mkfifo "$t/dev/kmsg"
mkdir -p "$t/sys/kernel/debug/dri/0000:00:02.0"
mkfifo "$t/sys/kernel/debug/dri/0000:00:02.0/i915_vbt"
rm "$d/0000:00:00.0/config" && ln -s /etc/passwd "$d/0000:00:00.0/config"
rm "$t/proc/iomem" && ln -s ../../../../../../../../../etc/passwd "$t/proc/iomem"
ln -s loop "$t/sys/class/iommu/loop"
truncate -s 20M "$t/proc/cmdline"
[ "$(id -u)" -eq 0 ] && rm "$d/0000:00:02.0/boot_vga" && mknod "$d/0000:00:02.0/boot_vga" c 1 5
start=$(date +%s)
IGD_VALGRIND= timeout 60 "$IGD" --sysfs-root "$t" --json report -o "$tmp/hostile.tar.xz" > "$tmp/out" 2> "$tmp/err"
rc=$?
took=$(( $(date +%s) - start ))
check "hostile tree: reported in bounded time (${took}s), exit 0" sh -c "[ $rc -eq 0 ] && [ $took -lt 30 ]"
check "hostile tree: FIFOs, devices, links out, loops, oversized files left out and named" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
why = {o["source"]: o["why"] for o in d["left_out"]}
def has(src, text):
    assert src in why and text in why[src], (src, why.get(src))
has("/sys/bus/pci/devices/0000:00:02.0/rom", "a FIFO")
has("/dev/kmsg", "a FIFO")
has("/sys/bus/pci/devices/0000:00:00.0/config", "outside the tree")
has("/proc/iomem", "above the root")
has("/sys/class/iommu/loop", "too many levels of links")
has("/proc/cmdline", "larger than 65536 bytes")
assert any("i915 debugfs is not safe to read" in w for w in why.values()), why
if sys.argv[2] == "0":
    has("/sys/bus/pci/devices/0000:00:02.0/boot_vga", "a character device")
' "$tmp/out" "$(id -u)"
extract "$tmp/hostile.tar.xz" "$tmp/xh"
check "hostile tree: the archive holds no FIFO, device, absolute link or outside file" sh -c "
    [ -z \"\$(find '$tmp/xh' ! -type f ! -type d ! -type l)\" ] &&
    [ -z \"\$(find '$tmp/xh' -type l -lname '/*')\" ] &&
    ! grep -rq 'root:x:0:0' '$tmp/xh'"

# ------------------------------------------------------------------ redactions
t=$tmp/private
cp -a "$h" "$t"
echo "secret-box" > "$t/proc/sys/kernel/hostname"
printf 'BOOT_IMAGE=/vmlinuz root=UUID=0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9 ro ip=10.0.0.2::10.0.0.1:255.0.0.0:secret-box:eth0:off BOOTIF=01-00-1b-21-3a-4f-5e intel_iommu=on iommu=pt\n' > "$t/proc/cmdline"
printf '6,900,99000000,-;i915 0000:00:02.0: [drm] secret-box.lan HDMI-A-1 00:1b:21:3a:4f:5e\n' >> "$t/dev/kmsg"
report "$t" "$tmp/private.tar.xz"
check "host name, UUIDs and MAC addresses are not in the archive" sh -c "
    [ $rc -eq 0 ] && ! xz -dc '$tmp/private.tar.xz' | grep -a -q -i -e secret-box -e 0a1b2c3d-4e5f -e 00:1b:21:3a:4f:5e -e 00-1b-21-3a-4f-5e -e 10.0.0.2"
extract "$tmp/private.tar.xz" "$tmp/xp"
check "README.md names each redaction" sh -c "
    grep -q 'proc/cmdline: value of root= (1)' '$tmp/xp/private/README.md' &&
    grep -q 'proc/cmdline: value of ip= (1)' '$tmp/xp/private/README.md' &&
    grep -q 'dev/kmsg: host name (1)' '$tmp/xp/private/README.md' &&
    grep -q 'dev/kmsg: MAC address (1)' '$tmp/xp/private/README.md'"
check "the redacted command line still says what igd-assign looks for" \
    grep -q 'intel_iommu=on iommu=pt' "$tmp/xp/private/proc/cmdline"

# ------------------------------------------------------------------ the OpRegion from the VFIO region
vfiodouble=$builddir/tests/libigdvfiodouble.so
if [ -f "$vfiodouble" ]; then
    t=$tmp/vfio
    cp -a "$h" "$t"
    : > "$t/dev/vfio/vfio"; : > "$t/dev/vfio/0"
    sed 's/^number=1$/number=0/' "$srcdir/tests/data/vfio/skl-opregion.conf" > "$t/dev/vfio/double.conf"
    LD_PRELOAD=$vfiodouble IGD_VFIO_DOUBLE=$t/dev/vfio IGD_TEST_DATA_DIR=$srcdir/tests/data \
        "$IGD" --sysfs-root "$t" report -o "$tmp/vfio.tar.xz" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    extract "$tmp/vfio.tar.xz" "$tmp/xv"
    check "the OpRegion read from the VFIO region is in the report" cmp \
        "$srcdir/tests/data/fixtures/opregion/skl-asus-b150m-plus-d3-i7-6700.bin" \
        "$tmp/xv/vfio/sys/kernel/debug/dri/0000:00:02.0/i915_opregion"
    view "$t" inspect LD_PRELOAD="$vfiodouble" IGD_VFIO_DOUBLE="$t/dev/vfio" IGD_TEST_DATA_DIR="$srcdir/tests/data" |
        sed 's/"source": "vfio"/"source": "debugfs"/' > "$tmp/want.json"
    view "$tmp/xv/vfio" inspect IGD_QEMU_CAPS="$tmp/xv/vfio/qemu-probe.ini" > "$tmp/got.json"
    # the one legitimate difference: where the OpRegion was read (the VFIO region, then the file beside debugfs)
    if grep -q '"vbt_location"' "$tmp/want.json" && diff -u "$tmp/want.json" "$tmp/got.json" > "$tmp/diff"; then
        ok "inspect of the report = inspect under VFIO, but for the OpRegion's \"source\""
    else
        not_ok "inspect of the report = inspect under VFIO, but for the OpRegion's \"source\"" "$(head -c 2000 "$tmp/diff")"
    fi
else
    ok "OpRegion from VFIO # SKIP tests/libigdvfiodouble.so not built"
    ok "inspect under VFIO # SKIP tests/libigdvfiodouble.so not built"
fi

# ------------------------------------------------------------------ tests/mkhost --import-report
if command -v python3 > /dev/null; then
    fx=$tmp/fixtures out=$tmp/hosts
    mkdir -p "$fx" "$out"
    check "mkhost imports a report archive as a case" \
        python3 "$srcdir/tests/mkhost" --fixtures "$fx" --out "$out" --import-report "$tmp/r.tar.xz" --name user-skl
    check "... keeping the archive as its fixture" cmp "$tmp/r.tar.xz" "$fx/reports/user-skl.tar.xz"
    view "$h" inspect > "$tmp/want.json"
    view "$out/user-skl" inspect IGD_QEMU_CAPS="$out/user-skl/qemu-probe.ini" > "$tmp/got.json"
    check "inspect of the new case is the original host's" diff -u "$tmp/want.json" "$tmp/got.json"
    check "the case is the report but for its README" sh -c "
        diff -r --no-dereference -x README.md '$tmp/xr/r' '$out/user-skl' && grep -q 'Imported by' '$out/user-skl/README.md'"
    mv "$out/user-skl" "$tmp/first"
    check "mkhost rebuilds the case from its fixture byte for byte" sh -c "
        python3 '$srcdir/tests/mkhost' --fixtures '$fx' --out '$out' user-skl && diff -r --no-dereference '$tmp/first' '$out/user-skl'"
    check "mkhost imports an extracted report directory too" sh -c "
        python3 '$srcdir/tests/mkhost' --fixtures '$fx' --out '$out' --import-report '$tmp/xr/r' --name user-skl-dir &&
        diff -r --no-dereference -x README.md '$out/user-skl' '$out/user-skl-dir'"
    python3 "$srcdir/tests/mkhost" --fixtures "$fx" --out "$out" --import-report "$tmp/r.tar.xz" --name user-skl \
        > /dev/null 2> "$tmp/err"
    check "mkhost refuses a case name that is taken" sh -c "[ $? -ne 0 ] && grep -q 'exists' '$tmp/err'"
    python3 - "$tmp/evil.tar.xz" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:xz") as tar:
    readme = b"# igd-assign report\n"
    ti = tarfile.TarInfo("evil/README.md"); ti.size = len(readme); tar.addfile(ti, io.BytesIO(readme))
    ti = tarfile.TarInfo("evil/sys/bus/pci/devices/0000:00:02.0/config"); ti.type = tarfile.SYMTYPE
    ti.linkname = "../../../../../../../etc/passwd"; tar.addfile(ti)
EOF
    python3 "$srcdir/tests/mkhost" --fixtures "$fx" --out "$out" --import-report "$tmp/evil.tar.xz" --name evil \
        > /dev/null 2> "$tmp/err"
    check "mkhost refuses an archive whose link leaves the tree, keeping nothing" sh -c "
        [ $? -ne 0 ] && grep -q 'leaves the tree' '$tmp/err' && [ ! -e '$fx/reports/evil.tar.xz' ] && [ ! -e '$out/evil' ]"
else
    for i in 1 2 3 4 5 6 7 8; do ok "mkhost # SKIP no python3"; done
fi

echo "1..$n"
[ "$fails" -eq 0 ]
