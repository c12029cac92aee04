build-split/serve/dma_json.o: src/serve/dma_json.c src/serve/dma_json.h \
 src/aggregate/devices.h src/aggregate/pci_sysfs.h include/vfiotop.h \
 src/aggregate/dma_procs.h src/common/json_util.h
src/serve/dma_json.h:
src/aggregate/devices.h:
src/aggregate/pci_sysfs.h:
include/vfiotop.h:
src/aggregate/dma_procs.h:
src/common/json_util.h:
