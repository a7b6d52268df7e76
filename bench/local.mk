# bench build fragment

# hook-latency (helper "hook"): the libvirt hook vs /bin/true vs bash+xmllint.
noinst_PROGRAMS += bench/hook-latency
bench_hook_latency_SOURCES = bench/hook-latency.c
bench_hook_latency_LDADD =
EXTRA_DIST += bench/hook-latency.sh

# rewrite-vs-virt-xml and bench-corpus (the domain-XML area): SPEC.md §8.
# Built with the tree, never run by `make check`; `make bench-domxml` runs both.
noinst_PROGRAMS += bench/rewrite-vs-virt-xml bench/bench-corpus bench/bench-scaling
bench_rewrite_vs_virt_xml_SOURCES = bench/rewrite-vs-virt-xml.c
bench_rewrite_vs_virt_xml_LDADD = $(GLIB_LIBS)
bench_bench_corpus_SOURCES = bench/bench-corpus.c
bench_bench_corpus_LDADD = $(IGD_CORE_LIBS)
bench_bench_scaling_SOURCES = bench/bench-scaling.c
bench_bench_scaling_LDADD = $(IGD_CORE_LIBS)
bench-domxml: bench/rewrite-vs-virt-xml bench/bench-corpus tools/igd-assign
	bench/rewrite-vs-virt-xml $(abs_top_builddir)/tools/igd-assign \
	  $(abs_top_srcdir)/tests/domxmldata/pc-vnc-cirrus.xml \
	  $(abs_top_srcdir)/tests/domxmldata/setup/nodedevs.xml 30
	bench/bench-corpus $(IGD_LIBVIRT_CORPUS)/qemuxml2argvdata
.PHONY: bench-domxml

# Cost linear in input (SPEC.md §8): 1, 4 and 16 MiB domains of each pathological shape.
bench-scaling: bench/bench-scaling
	bench/bench-scaling
.PHONY: bench-scaling

# The hook (SPEC.md §8): no-IGD fast path and an IGD prepare with the daemon.
bench-hook: bench/hook-latency hook/igd-assign-hook hook/igd-assign-hook-full daemon/igd-assignd tests/libigdvfiodouble.so \
	tests/dbus-load
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' IGD_TEST_DATA_DIR='$(abs_top_srcdir)/tests/data' \
	  $(SHELL) $(abs_top_srcdir)/bench/hook-latency.sh 300
.PHONY: bench-hook

# The hook's prepare begin with 200 unprivileged connections flooding the daemon (SPEC.md §8).
bench-flood: bench/hook-latency hook/igd-assign-hook hook/igd-assign-hook-full daemon/igd-assignd \
	tests/libigdvfiodouble.so tests/dbus-load
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' IGD_TEST_DATA_DIR='$(abs_top_srcdir)/tests/data' \
	  $(SHELL) $(abs_top_srcdir)/bench/daemon-flood.sh 5 20
.PHONY: bench-flood
EXTRA_DIST += bench/daemon-flood.sh

# Every SPEC.md §8 number in one run (bench/README.md).
bench: bench-domxml bench-scaling bench-hook bench-flood
.PHONY: bench
EXTRA_DIST += bench/README.md
