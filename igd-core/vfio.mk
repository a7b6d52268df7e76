# igd-core/vfio.mk: VFIO access, binding and the firmware blobs (issue 4),
# the /dev/vfio and sysfs doubles and their tests.
igd_core_libigdcore_a_SOURCES += \
	igd-core/igd-vfio.c igd-core/igd-vfio.h \
	igd-core/igd-bind.c igd-core/igd-bind.h \
	igd-core/igd-blobs.c igd-core/igd-blobs.h

# The /dev/vfio test double, an LD_PRELOAD object (no libtool: a "program"
# linked -shared). The daemon's tests preload it too (tests/data/vfio/README.md).
# The doubles are never built with --enable-sanitizers' flags: children such as
# cp inherit LD_PRELOAD and have no sanitizer runtime.
check_PROGRAMS += tests/libigdvfiodouble.so
tests_libigdvfiodouble_so_SOURCES = tests/vfio-double.c
tests_libigdvfiodouble_so_CFLAGS = $(IGD_BASE_CFLAGS) -fPIC
tests_libigdvfiodouble_so_LDFLAGS = -shared -fPIC
tests_libigdvfiodouble_so_LDADD = $(GLIB_LIBS) -ldl

# The sysfs double: the PCI core's answer to driver_override, unbind, bind
# and drivers_probe writes under a sysroot copy (tests/data/sysfs/README.md).
check_PROGRAMS += tests/libigdsysfsdouble.so
tests_libigdsysfsdouble_so_SOURCES = tests/sysfs-double.c
tests_libigdsysfsdouble_so_CFLAGS = $(IGD_BASE_CFLAGS) -fPIC
tests_libigdsysfsdouble_so_LDFLAGS = -shared -fPIC
tests_libigdsysfsdouble_so_LDADD = $(GLIB_LIBS) -ldl

check_PROGRAMS += tests/test-vfio
TESTS += tests/test-vfio
tests_test_vfio_SOURCES = tests/test-vfio.c tests/vfio-double-client.c tests/vfio-double-client.h \
	tests/double-preload.c tests/double-preload.h
tests_test_vfio_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_vfio_LDADD = $(IGD_TEST_LIBS) -ldl

check_PROGRAMS += tests/test-bind
TESTS += tests/test-bind
tests_test_bind_SOURCES = tests/test-bind.c tests/sysfs-double-client.c tests/sysfs-double-client.h \
	tests/double-preload.c tests/double-preload.h
tests_test_bind_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_bind_LDADD = $(IGD_TEST_LIBS) -ldl

check_PROGRAMS += tests/test-blobs
TESTS += tests/test-blobs
tests_test_blobs_SOURCES = tests/test-blobs.c tests/firmware-model.c tests/firmware-model.h \
	tests/vfio-double-client.c tests/vfio-double-client.h tests/double-preload.c tests/double-preload.h
tests_test_blobs_CPPFLAGS = $(IGD_TEST_CPPFLAGS)
tests_test_blobs_LDADD = $(IGD_TEST_LIBS) -ldl
