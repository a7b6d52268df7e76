# igd-core/domxml.mk
