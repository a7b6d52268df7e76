#!/bin/bash
# TAP: the bash completion (tools/completion/igd-assign).
#
# The completion function is run as bash runs it: COMP_WORDS split the way
# readline splits a typed line (blanks, and "=" as a word of its own, as in
# bash's default COMP_WORDBREAKS), COMP_CWORD, COMP_LINE and COMP_POINT at
# the end of the line. Every case runs twice: with the plain bash fallback
# of the script, and with bash-completion's helpers loaded (_init_completion,
# _filedir) when the bash-completion package is installed (.ci/install-deps
# installs it; otherwise those cases are skipped).
#
# Checked: the commands are the ones `igd-assign --help` lists; every option
# that `igd-assign COMMAND --help-all` lists is offered after COMMAND; the
# values of --mode and --mode=; PCI addresses are the Intel display-class
# devices (vendor 0x8086, class 0x03xxxx) under --sysfs-root DIR,
# --sysfs-root=DIR or $IGD_ASSIGN_SYSFS_ROOT (a captured host tree: its
# Intel host bridge 00:00.0, class 0x0600, is left out), else under /sys.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
completion=$top_srcdir/tools/completion/igd-assign
cli=$top_builddir/tools/igd-assign
tree=$top_srcdir/tests/data/hosts/skl-lenovo-ideapad-320-14isk
bashcomp=/usr/share/bash-completion/bash_completion

tmp=$(mktemp -d "${TMPDIR:-/tmp}/igd-completion.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# complete MODE LINE: the sorted COMPREPLY for LINE (cursor at its end), in a
# fresh bash that sourced the completion (MODE plain or bash-completion).
complete_line() {
    bash --norc --noprofile -s "$1" "$2" "$completion" "$bashcomp" <<'EOS'
mode=$1 line=$2 completion=$3 bashcomp=$4
if [ "$mode" = bash-completion ]; then
    . "$bashcomp" || exit 99
fi
. "$completion" || exit 98
# Readline's split: blanks, then "=" as a word of its own after --opt.
COMP_WORDS=()
read -r -a raw <<<"$line"
for w in "${raw[@]}"; do
    if [[ $w == --*=* ]]; then
        COMP_WORDS+=("${w%%=*}" "=")
        [ -n "${w#*=}" ] && COMP_WORDS+=("${w#*=}")
    else
        COMP_WORDS+=("$w")
    fi
done
[[ $line == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$line
COMP_POINT=${#line}
COMPREPLY=()
_igd_assign igd-assign "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}" | sort -u | sed '/^$/d'
EOS
}

# expect NAME MODE LINE WANT...: COMPREPLY is exactly WANT (sorted).
expect() {
    local name=$1 mode=$2 line=$3 got want
    shift 3
    got=$(complete_line "$mode" "$line")
    want=$(printf '%s\n' "$@" | sort -u | sed '/^$/d')
    if [ "$got" = "$want" ]; then
        ok "$mode: $name"
    else
        notok "$mode: $name" "line: '$line'
want: $(echo $want)
got:  $(echo $got)"
    fi
}

# contains NAME MODE LINE WANT...: COMPREPLY holds every WANT.
contains() {
    local name=$1 mode=$2 line=$3 got w missing=
    shift 3
    got=$(complete_line "$mode" "$line")
    for w in "$@"; do
        grep -qxF -- "$w" <<<"$got" || missing="$missing $w"
    done
    if [ -z "$missing" ]; then
        ok "$mode: $name"
    else
        notok "$mode: $name" "line: '$line'
missing:$missing
got: $(echo $got)"
    fi
}

# The commands and their options, as the program's own help lists them.
commands=$(LC_ALL=C "$cli" --help | awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1; next } f && !/^  / { f = 0 }')
# A command with subcommands ("rom build") names its first one in its usage line.
sub_of() { LC_ALL=C "$cli" "$1" --help 2>/dev/null | sed -n "1s/^Usage: igd-assign $1 \([a-z][a-z-]*\).*/\1/p"; }
options_of() { # every -x / --long option the command's (or its subcommand's) --help-all lists
    LC_ALL=C "$cli" "$1" $(sub_of "$1") --help-all |
        sed -n 's/^  \(-[a-zA-Z?]\), \(--[a-z][a-z-]*\).*/\1\n\2/p; s/^  \(--[a-z][a-z-]*\).*/\1/p' | sort -u
}

# A small tree of four devices for the filter: two Intel display-class
# functions (an IGD at 02.0 and a display controller, class 0x038000, at
# 02.1), a virtio display (vendor 0x1af4, class 0x030000) and an Intel ISA
# bridge (class 0x060100). Made up for the rule, not hardware facts.
mk() { mkdir -p "$tmp/four/sys/bus/pci/devices/$1" && echo "$2" >"$tmp/four/sys/bus/pci/devices/$1/vendor" &&
    echo "$3" >"$tmp/four/sys/bus/pci/devices/$1/class"; }
mk 0000:00:02.0 0x8086 0x030000
mk 0000:00:02.1 0x8086 0x038000
mk 0000:00:01.0 0x1af4 0x030000
mk 0000:00:1f.0 0x8086 0x060100
# This machine's own Intel display devices, found another way.
real=$(for d in /sys/bus/pci/devices/*; do
    grep -qx 0x8086 "$d/vendor" 2>/dev/null && grep -q '^0x03' "$d/class" 2>/dev/null && basename "$d"
done)

modes="plain bash-completion"
ncmd=$(echo $commands | wc -w)
per_mode=$((18 + ncmd))

[ -x "$cli" ] && [ -n "$commands" ] && ok "igd-assign --help lists commands: $(echo $commands)" ||
    notok "igd-assign --help lists commands" "$cli"
[ "$(options_of rewrite | grep -c -- --mode)" = 1 ] && ok "options read from COMMAND --help-all" ||
    notok "options read from COMMAND --help-all" "$(options_of rewrite)"

for mode in $modes; do
    if [ $mode = bash-completion ] && [ ! -r "$bashcomp" ]; then
        i=0
        while [ $i -lt $per_mode ]; do skip "bash-completion: case $((i + 1))" "bash-completion is not installed"; i=$((i + 1)); done
        continue
    fi
    # shellcheck disable=SC2086 # word lists
    expect "the commands of --help" $mode "igd-assign " $commands
    contains "global options before the command" $mode "igd-assign --" \
        --connect --sysfs-root --json --quiet --verbose --version --help
    for c in $commands; do
        sub=$(sub_of "$c")
        # shellcheck disable=SC2046
        contains "every option of '$c${sub:+ $sub} --help-all'" $mode "igd-assign $c${sub:+ $sub} -" $(options_of "$c")
    done
    expect "--mode values" $mode "igd-assign rewrite --mode " legacy upt auto
    expect "--mode=u" $mode "igd-assign setup vm --mode=u" upt
    expect "-c URIs" $mode "igd-assign -c qemu:///s" qemu:///system qemu:///session
    expect "--sysfs-root DIR: the IGD, not the Intel host bridge" $mode \
        "igd-assign --sysfs-root $tree inspect " 0000:00:02.0
    expect "--sysfs-root=DIR" $mode "igd-assign --sysfs-root=$tree check 0000:" 0000:00:02.0
    expect "--sysfs-root after the command" $mode "igd-assign check --sysfs-root $tree " 0000:00:02.0
    expect "--host from the tree" $mode "igd-assign --sysfs-root $tree setup vm --host " 0000:00:02.0
    expect "--host= from the tree" $mode "igd-assign --sysfs-root $tree rewrite --host=" 0000:00:02.0
    expect "Intel display-class devices only" $mode "igd-assign --sysfs-root $tmp/four inspect " \
        0000:00:02.0 0000:00:02.1
    expect "dump: the blobs" $mode "igd-assign dump " opregion vbt rom
    expect "rom: its subcommand" $mode "igd-assign rom " build
    expect "rom build --device from the tree" $mode "igd-assign --sysfs-root $tree rom build --device " 0000:00:02.0
    # $IGD_ASSIGN_SYSFS_ROOT from the environment, as in the user's shell.
    got=$(IGD_ASSIGN_SYSFS_ROOT=$tmp/four complete_line $mode "igd-assign dump vbt 0000:00:02.")
    [ "$(echo $got)" = "0000:00:02.0 0000:00:02.1" ] && ok "$mode: \$IGD_ASSIGN_SYSFS_ROOT in the environment" ||
        notok "$mode: \$IGD_ASSIGN_SYSFS_ROOT in the environment" "got: $(echo $got)"
    got=$(IGD_ASSIGN_SYSFS_ROOT=$tmp/four complete_line $mode "igd-assign --sysfs-root $tree inspect ")
    [ "$(echo $got)" = "0000:00:02.0" ] && ok "$mode: --sysfs-root wins over \$IGD_ASSIGN_SYSFS_ROOT" ||
        notok "$mode: --sysfs-root wins over \$IGD_ASSIGN_SYSFS_ROOT" "got: $(echo $got)"
    # shellcheck disable=SC2086
    expect "no root: the devices of /sys" $mode "igd-assign inspect " $real
    expect "a missing root: nothing" $mode "igd-assign --sysfs-root $tmp/none inspect " ""
done
[ $n -eq $((2 + 2 * per_mode)) ] || notok "ran $n cases, expected $((2 + 2 * per_mode))"
echo "1..$n"
exit $failed
