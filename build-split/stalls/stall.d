build-split/stalls/stall.o: src/stalls/stall.c src/common/log.h \
 src/serve/snapshot_json.h src/aggregate/devices.h \
 src/aggregate/pci_sysfs.h include/vfiotop.h src/serve/status.h \
 src/stalls/stall.h src/stalls/stall.h
src/common/log.h:
src/serve/snapshot_json.h:
src/aggregate/devices.h:
src/aggregate/pci_sysfs.h:
include/vfiotop.h:
src/serve/status.h:
src/stalls/stall.h:
src/stalls/stall.h:
