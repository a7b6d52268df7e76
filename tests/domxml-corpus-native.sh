#!/bin/sh
# domxml-corpus-native.sh: libvirt's own QEMU driver on the engine's output
# for libvirt's corpus (every 6th domain; IGD_CORPUS_STEP=1 for all of them,
# about two minutes). See domxml-native.sh --corpus.
exec sh "$(dirname "$0")/domxml-native.sh" --corpus "${IGD_CORPUS_STEP:-6}"
