# igd-core/host.mk: host readiness checks (igd-host.c), the captured host
# trees (tests/data/hosts, built by tests/mkhost) and their tests.
igd_core_libigdcore_a_SOURCES += igd-core/igd-host.c igd-core/igd-host.h

dist_check_SCRIPTS += tests/test-mkhost.sh
TESTS += tests/test-mkhost.sh
EXTRA_DIST += tests/mkhost
