#!/bin/sh
# Regenerate the GNU build system, then run configure with the given arguments.
set -e
srcdir=$(dirname "$0")
test -n "$srcdir" || srcdir=.
(cd "$srcdir" && autoreconf --force --install --verbose)
if test -z "$NOCONFIGURE"; then
    exec "$srcdir/configure" "$@"
fi
