#!/bin/sh
# TAP: regenerating the host trees from tests/data/fixtures with tests/mkhost
# gives exactly the committed tests/data/hosts (bytes, symlinks, file set).
srcdir=$(cd "$(dirname "$0")" && pwd)
fixtures=$srcdir/data/fixtures
hosts=$srcdir/data/hosts
if ! command -v python3 >/dev/null 2>&1; then
    echo "1..0 # SKIP no python3"
    exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cases=$(cd "$hosts" && for d in *; do [ -d "$d" ] && echo "$d"; done)
n=$(echo "$cases" | wc -w)
echo "1..$((n + 2))"
if python3 "$srcdir/mkhost" --fixtures "$fixtures" --out "$tmp" >"$tmp.log" 2>&1; then
    echo "ok 1 - mkhost runs"
else
    echo "not ok 1 - mkhost runs"; sed 's/^/# /' "$tmp.log"
fi
rm -f "$tmp.log"
gen=$(cd "$tmp" && for d in *; do [ -d "$d" ] && echo "$d"; done)
if [ "$gen" = "$cases" ]; then
    echo "ok 2 - same set of cases"
else
    echo "not ok 2 - same set of cases"; echo "# committed: $cases" | tr '\n' ' '; echo; echo "# generated: $gen" | tr '\n' ' '; echo
fi
i=3
for c in $cases; do
    if out=$(LC_ALL=C diff -r --no-dereference "$hosts/$c" "$tmp/$c" 2>&1); then
        echo "ok $i - /mkhost/$c"
    else
        echo "not ok $i - /mkhost/$c"; echo "$out" | head -20 | sed 's/^/# /'
    fi
    i=$((i + 1))
done
