# igd-core/hw.mk
