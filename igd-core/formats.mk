# igd-core/formats.mk: parsers of outside binary formats (OpRegion, VBT, option ROM)
# and the option-ROM builder of `igd-assign rom build`.
igd_core_libigdcore_a_SOURCES += \
	igd-core/igd-opregion.c igd-core/igd-opregion.h \
	igd-core/igd-vbt.c igd-core/igd-vbt.h \
	igd-core/igd-rom.c igd-core/igd-rom.h \
	igd-core/igd-rom-build.c igd-core/igd-rom-build.h

check_PROGRAMS += tests/test-vbt
TESTS += tests/test-vbt
tests_test_vbt_SOURCES = tests/test-vbt.c
tests_test_vbt_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_vbt_LDADD = $(IGD_TEST_LIBS)

check_PROGRAMS += tests/test-opregion
TESTS += tests/test-opregion
tests_test_opregion_SOURCES = tests/test-opregion.c
tests_test_opregion_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_opregion_LDADD = $(IGD_TEST_LIBS)

check_PROGRAMS += tests/test-rom
TESTS += tests/test-rom
tests_test_rom_SOURCES = tests/test-rom.c
tests_test_rom_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_rom_LDADD = $(IGD_TEST_LIBS)

check_PROGRAMS += tests/test-rom-build
TESTS += tests/test-rom-build
tests_test_rom_build_SOURCES = tests/test-rom-build.c
tests_test_rom_build_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_rom_build_LDADD = $(IGD_TEST_LIBS)
