#!/bin/bash
# TAP: what users read stands on its own and prints the same in every locale.
#
# * `--help` of igd-assign, of each command it lists (and --help-all), of
#   igd-assignd and of both hook halves: exit 0, something on stdout,
#   nothing on stderr, only ASCII (so the C locale shows no "?" for a
#   character it cannot print), identical under LC_ALL=C and C.UTF-8, no
#   reference to SPEC.md or to a file of the source tree (docs/, tests/: a
#   user of the installed program has neither).
# * What `make install` installs as text (manual pages, configuration,
#   D-Bus, polkit and systemd files, schemas, completion): ASCII, no SPEC.md.
# * Every manual page formats without a groff warning, and every page of
#   ours that a SEE ALSO names is installed.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
cli=$top_builddir/tools/igd-assign

tmp=$(mktemp -d "${TMPDIR:-/tmp}/igd-help.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'; }

# help NAME PROGRAM ARGS...: the checks above for one help text.
help() {
    local name=$1 why=
    shift
    # (under memcheck for `make check-valgrind`: an error changes the exit status)
    LC_ALL=C ${IGD_VALGRIND:-} "$@" >"$tmp/c.out" 2>"$tmp/c.err"
    local rc=$?
    LC_ALL=C.UTF-8 "$@" >"$tmp/u.out" 2>/dev/null
    [ $rc -eq 0 ] || why="exit $rc"
    [ -s "$tmp/c.out" ] || why="$why; nothing on stdout"
    [ -s "$tmp/c.err" ] && why="$why; stderr: $(head -c 200 "$tmp/c.err")"
    LC_ALL=C grep -n '[^[:print:][:space:]]' "$tmp/c.out" >"$tmp/bad" && why="$why; not ASCII: $(head -3 "$tmp/bad")"
    grep -n '?' "$tmp/c.out" >"$tmp/bad" && why="$why; a '?': $(head -3 "$tmp/bad")"
    cmp -s "$tmp/c.out" "$tmp/u.out" || why="$why; differs between C and C.UTF-8: $(diff "$tmp/c.out" "$tmp/u.out" | head -4)"
    grep -n 'SPEC' "$tmp/c.out" >"$tmp/bad" && why="$why; mentions SPEC: $(head -3 "$tmp/bad")"
    grep -n 'docs/\|tests/' "$tmp/c.out" >"$tmp/bad" && why="$why; names a path of the source tree: $(head -3 "$tmp/bad")"
    if [ -z "$why" ]; then ok "$name"; else notok "$name" "${why#; }"; fi
}

commands=$(LC_ALL=C "$cli" --help | awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1; next } f && !/^  / { f = 0 }')
[ -n "$commands" ] && ok "igd-assign --help lists commands" || notok "igd-assign --help lists commands"
help "igd-assign --help" "$cli" --help
for c in $commands; do
    help "igd-assign $c --help" "$cli" "$c" --help
    # A command with subcommands ("rom build") names its first one in its
    # own usage line: the options are the subcommand's.
    sub=$(LC_ALL=C "$cli" "$c" --help 2>/dev/null | sed -n "1s/^Usage: igd-assign $c \([a-z][a-z-]*\).*/\1/p")
    if [ -n "$sub" ]; then
        help "igd-assign $c $sub --help" "$cli" "$c" "$sub" --help
        help "igd-assign $c $sub --help-all" "$cli" "$c" "$sub" --help-all
    else
        help "igd-assign $c --help-all" "$cli" "$c" --help-all
    fi
done
help "igd-assign status --help-global" "$cli" status --help-global
help "igd-assignd --help" "$top_builddir/daemon/igd-assignd" --help
help "igd-assign-hook --help" "$top_builddir/hook/igd-assign-hook" --help
help "igd-assign-hook-full --help" "$top_builddir/hook/igd-assign-hook-full" --help
# The help printed on a command's own option error points at --help (stderr).
LC_ALL=C "$cli" inspect --frob >/dev/null 2>"$tmp/err"
grep -q '^hint: igd-assign inspect --help$' "$tmp/err" && ok "a usage error points at COMMAND --help" ||
    notok "a usage error points at COMMAND --help" "$(cat "$tmp/err")"

# What make install installs.
unset MAKEFLAGS MFLAGS MAKELEVEL
dest=$tmp/dest
if ${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$dest" >"$tmp/install.log" 2>&1; then
    ok "make install DESTDIR=..."
else
    notok "make install DESTDIR=..." "$(tail -20 "$tmp/install.log")"
fi
find "$dest" -type f >"$tmp/installed"
: >"$tmp/text"
while read -r f; do
    head -c 4 "$f" | grep -q 'ELF' || echo "$f" >>"$tmp/text"
done <"$tmp/installed"
bad=
while read -r f; do
    LC_ALL=C grep -l '[^[:print:][:space:]]' "$f" >/dev/null && bad="$bad ${f#"$dest"} (not ASCII)"
    grep -l 'SPEC\.md' "$f" >/dev/null && bad="$bad ${f#"$dest"} (SPEC.md)"
done <"$tmp/text"
[ -z "$bad" ] && ok "installed text files ($(wc -l <"$tmp/text")): ASCII, no SPEC.md" ||
    notok "installed text files: ASCII, no SPEC.md" "$bad"

# Manual pages: formatted from the installed tree (so .so links resolve).
mans=$(grep '/man/man[1-8]/' "$tmp/installed")
for want in man1/igd-assign.1 man8/igd-assignd.8 man8/igd-assign-hook.8 man8/igd-assign-hook-full.8 man5/igd-assignd.conf.5; do
    grep -q "/$want\$" <<<"$mans" && ok "installed: $want" || notok "installed: $want"
done
if command -v groff >/dev/null 2>&1; then
    for m in $mans; do
        mandir=${m%/man[1-8]/*}
        (cd "$mandir" && LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 -k "${m#"$mandir"/}") >"$tmp/groff" 2>&1
        [ -s "$tmp/groff" ] && notok "groff -ww: ${m##*/}" "$(head -5 "$tmp/groff")" || ok "groff -ww: ${m##*/}"
    done
else
    ok "groff -ww # SKIP groff is not installed"
fi
# A manual page names no file of the source tree (an installed system has none).
bad=$(grep -ln 'docs/\|tests/\|SPEC' $mans 2>/dev/null)
[ -z "$bad" ] && ok "manual pages name no file of the source tree" ||
    notok "manual pages name no file of the source tree" "$(grep -n 'docs/\|tests/\|SPEC' $bad)"
# Every page of ours named in a SEE ALSO is installed.
missing=
for m in $mans; do
    for ref in $(sed -n '/^\.SH SEE ALSO/,/^\.SH/p' "$m" | sed -n 's/^\.BR \(igd-[a-z.-]*\) (\([0-9]\)).*/\1.\2/p'); do
        grep -q "/man${ref##*.}/$ref\$" <<<"$mans" || missing="$missing ${m##*/}->$ref"
    done
done
[ -z "$missing" ] && ok "every igd-assign page a SEE ALSO names is installed" ||
    notok "every igd-assign page a SEE ALSO names is installed" "$missing"
echo "1..$n"
exit $failed
