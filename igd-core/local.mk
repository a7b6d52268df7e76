# igd-core: the engine, a static library every front end links.
# Each area appends its sources (and tests) in its own fragment below.
noinst_LIBRARIES += igd-core/libigdcore.a
igd_core_libigdcore_a_SOURCES = \
	igd-core/igd-common.c igd-core/igd-common.h \
	igd-core/igd-sysroot.c igd-core/igd-sysroot.h \
	igd-core/igd-pci-address.c igd-core/igd-pci-address.h \
	igd-core/igd-json.c igd-core/igd-json.h \
	igd-core/igd-finding.c igd-core/igd-finding.h
igd_core_libigdcore_a_CFLAGS = $(AM_CFLAGS)

# The ICU stub for a static libxml2 (see igd-icu-stub.c).
if IGD_ICU_STUB
noinst_LIBRARIES += igd-core/libigdicustub.a
igd_core_libigdicustub_a_SOURCES = igd-core/igd-icu-stub.c
igd_core_libigdicustub_a_CPPFLAGS = $(AM_CPPFLAGS) -DIGD_ICU_SUFFIX=$(IGD_ICU_SUFFIX)
IGD_ICU_STUB_LIB = $(top_builddir)/igd-core/libigdicustub.a
endif
EXTRA_DIST += igd-core/igd-icu-stub.c

# What a program linking igd-core needs (libxml2 static where possible).
IGD_XML_LIBS = $(LIBXML_LINK_LIBS) $(IGD_ICU_STUB_LIB)
IGD_CORE_LIBS = $(top_builddir)/igd-core/libigdcore.a $(GLIB_LIBS) $(IGD_XML_LIBS)

include igd-core/hw.mk
include igd-core/formats.mk
include igd-core/host.mk
include igd-core/domxml.mk
include igd-core/vfio.mk
include igd-core/daemon-core.mk

# Reports shared by the CLI and the daemon.
igd_core_libigdcore_a_SOURCES += \
	igd-core/igd-inspect.c igd-core/igd-inspect.h \
	igd-core/igd-report.c igd-core/igd-report.h
include igd-core/qemu.mk
include igd-core/capture.mk
