# bench build fragment

# hook-latency (helper "hook"): the libvirt hook vs /bin/true vs bash+xmllint.
noinst_PROGRAMS += bench/hook-latency
bench_hook_latency_SOURCES = bench/hook-latency.c
bench_hook_latency_LDADD =
EXTRA_DIST += bench/hook-latency.sh
