# xml-schemas: RelaxNG for what igd-assign writes into a domain definition
# and the daemon's files.
#
# igd-assign-metadata.rng  the <igd:assign> and <igd:undone> metadata elements (installed)
# igd-state.rng            igd-assignd's ownership state file (installed)
# igd-watcher.rng          igd-assignd's record of the libvirt watcher's actions (installed)
# igd-domain.rng           libvirt's domain.rng combined with it, built here:
#                          RelaxNG cannot override a define from a nested
#                          include, so libvirt's schemas are copied to
#                          xml-schemas/libvirt/ with the <metadata> define of
#                          basictypes.rng replaced by metadata-define.txt.
igdschemadir = $(pkgdatadir)/schemas
dist_igdschema_DATA = xml-schemas/igd-assign-metadata.rng
EXTRA_DIST += xml-schemas/igd-domain.rng.in xml-schemas/metadata-define.txt

BUILT_SOURCES += xml-schemas/igd-domain.rng
CLEANFILES += xml-schemas/igd-domain.rng
xml-schemas/igd-domain.rng: $(srcdir)/xml-schemas/igd-domain.rng.in $(srcdir)/xml-schemas/metadata-define.txt
	$(AM_V_GEN)$(MKDIR_P) xml-schemas/libvirt && \
	cp $(LIBVIRT_SCHEMADIR)/*.rng xml-schemas/libvirt/ && \
	$(SED) -i -e '/<define name="metadata">/,/<\/define>/{/<define name="metadata">/r $(srcdir)/xml-schemas/metadata-define.txt' -e 'd;}' \
	  xml-schemas/libvirt/basictypes.rng && \
	grep -q igdOtherMetadata xml-schemas/libvirt/basictypes.rng && \
	$(SED) -e 's|@IGD_SCHEMADIR@|$(abs_top_srcdir)/xml-schemas|' $(srcdir)/xml-schemas/igd-domain.rng.in > $@.tmp && \
	mv $@.tmp $@
clean-local: clean-local-xml-schemas
clean-local-xml-schemas:
	rm -rf xml-schemas/libvirt
.PHONY: clean-local-xml-schemas
dist_igdschema_DATA += xml-schemas/igd-state.rng  # the daemon state file (daemon helper)
dist_igdschema_DATA += xml-schemas/igd-watcher.rng  # the watcher's last action per domain (daemon state dir)
