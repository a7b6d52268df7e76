# docs: the manual pages beside igd-assign(1) (tools/local.mk) and the
# tests of what users read: the help texts, the installed text files and the
# manual pages.
dist_man_MANS += docs/igd-assignd.8 docs/igd-assign-hook.8 docs/igd-assign-hook-full.8 docs/igd-assignd.conf.5
# The guide is installed: `igd-assign rom build --help` points at it.
dist_doc_DATA = docs/GUIDE.md

dist_check_SCRIPTS += tests/help-text.sh
TESTS += tests/help-text.sh

# The bash completion (tools/completion/igd-assign, installed by tools/local.mk).
dist_check_SCRIPTS += tests/completion.sh
TESTS += tests/completion.sh

# The Debian package and its test (not part of `make check`: it installs on
# this machine, as root; .ci/run runs it).
EXTRA_DIST += debian/changelog debian/control debian/copyright debian/rules debian/source/format \
	debian/igd-assign.postinst debian/igd-assign.postrm tests/package.sh
