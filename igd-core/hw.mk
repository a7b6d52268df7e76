# igd-core/hw.mk: PCI sysfs device, device-id table, GMCH/BDSM decoding.
igd_core_libigdcore_a_SOURCES += \
	igd-core/igd-pci.c igd-core/igd-pci.h \
	igd-core/igd-devices.c igd-core/igd-devices.h \
	igd-core/igd-gmch.c igd-core/igd-gmch.h
