/*
 * hw-lspci.h: read the config bytes of 00:02.0 out of a captured text dump
 * in tests/data/fixtures/hosts (lspci -xxx/-xxxx or the kernel's
 * pci=earlydump format), for the hardware tests.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The config space of the 00:02.0 stanza of fixture @rel ("hosts/x/lspci.txt",
 * under tests/data/fixtures),
 * 64..4096 bytes, rows contiguous from offset 0. Fails the test program
 * (g_error) when the file does not hold such a stanza.
 */
GBytes *hw_lspci_load_igd(const char *rel);

G_END_DECLS
