# igd-core/formats.mk
