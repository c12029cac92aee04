build-split/serve/snapshot_json.o: src/serve/snapshot_json.c \
 src/serve/dma_json.h src/aggregate/devices.h src/aggregate/pci_sysfs.h \
 include/vfiotop.h src/aggregate/dma_procs.h src/common/histogram.h \
 src/common/json_util.h src/common/names.h src/serve/pci_json.h \
 src/serve/snapshot_json.h src/serve/status.h src/stalls/stall.h
src/serve/dma_json.h:
src/aggregate/devices.h:
src/aggregate/pci_sysfs.h:
include/vfiotop.h:
src/aggregate/dma_procs.h:
src/common/histogram.h:
src/common/json_util.h:
src/common/names.h:
src/serve/pci_json.h:
src/serve/snapshot_json.h:
src/serve/status.h:
src/stalls/stall.h:
