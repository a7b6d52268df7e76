# igd-core/qemu.mk: the installed QEMU (probe, cache) and the per-version
# model of QEMU's hw/vfio/igd.c; tests/test-qemu with tests/fake-qemu.
igd_core_libigdcore_a_SOURCES += \
	igd-core/igd-qemu.c igd-core/igd-qemu.h \
	igd-core/igd-qemu-model.c

check_PROGRAMS += tests/test-qemu
TESTS += tests/test-qemu
tests_test_qemu_SOURCES = tests/test-qemu.c
tests_test_qemu_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_qemu_LDADD = $(IGD_TEST_LIBS)

EXTRA_DIST += tests/fake-qemu
