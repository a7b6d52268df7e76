# igd-core/daemon-core.mk
