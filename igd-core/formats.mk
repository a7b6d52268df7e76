# igd-core/formats.mk: parsers of outside binary formats (OpRegion, VBT, option ROM).
igd_core_libigdcore_a_SOURCES += \
	igd-core/igd-opregion.c igd-core/igd-opregion.h \
	igd-core/igd-vbt.c igd-core/igd-vbt.h \
	igd-core/igd-rom.c igd-core/igd-rom.h
