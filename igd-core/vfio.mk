# igd-core/vfio.mk
