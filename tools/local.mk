# tools: the igd-assign CLI. Only libc is linked dynamically (glib, pcre2,
# libxml2, zlib, lzma statically where configure found the archives: SPEC §8
# start-up); libvirt is loaded at run time by the commands that need it.
bin_PROGRAMS += tools/igd-assign
tools_igd_assign_SOURCES = \
	tools/igd-assign.c tools/igd-cli.h \
	tools/cmd-inspect.c tools/cmd-check.c tools/cmd-dump.c tools/cmd-status.c tools/cmd-rom.c
tools_igd_assign_LDADD = $(top_builddir)/igd-core/libigdcore.a $(IGD_CLI_LIBS) $(IGD_ICU_STUB_LIB) -ldl

dist_man_MANS += docs/igd-assign.1
# bash-completion loads completions/<command> on demand.
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = tools/completion/igd-assign

# rewrite/setup/undo (the domain-XML area): libvirt's headers only, libvirt
# itself is dlopen()ed by tools/igd-virt.c.
tools_igd_assign_SOURCES += tools/cmd-rewrite.c tools/cmd-setup.c tools/cmd-undo.c tools/igd-virt.c tools/igd-virt.h

# report: the capture writes .tar.xz through liblzma (already in $(IGD_CLI_LIBS)
# when that is static; configure says which).
tools_igd_assign_SOURCES += tools/cmd-report.c
tools_igd_assign_LDADD += $(IGD_CLI_LZMA_LIBS)
