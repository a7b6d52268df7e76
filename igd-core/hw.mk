# igd-core/hw.mk: PCI sysfs device, device-id table, GMCH/BDSM decoding.
igd_core_libigdcore_a_SOURCES += \
	igd-core/igd-pci.c igd-core/igd-pci.h \
	igd-core/igd-devices.c igd-core/igd-devices.h \
	igd-core/igd-gmch.c igd-core/igd-gmch.h

check_PROGRAMS += tests/test-devices
TESTS += tests/test-devices
tests_test_devices_SOURCES = tests/test-devices.c
tests_test_devices_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_devices_LDADD = $(IGD_TEST_LIBS)

check_PROGRAMS += tests/test-gmch
TESTS += tests/test-gmch
tests_test_gmch_SOURCES = tests/test-gmch.c tests/hw-lspci.c tests/hw-lspci.h
tests_test_gmch_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_gmch_LDADD = $(IGD_TEST_LIBS)

check_PROGRAMS += tests/test-pci
TESTS += tests/test-pci
tests_test_pci_SOURCES = tests/test-pci.c tests/hw-lspci.c tests/hw-lspci.h
tests_test_pci_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_pci_LDADD = $(IGD_TEST_LIBS)
