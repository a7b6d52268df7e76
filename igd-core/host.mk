# igd-core/host.mk
