build-split/serve/pci_json.o: src/serve/pci_json.c src/common/json_util.h \
 include/vfiotop.h src/common/names.h src/serve/pci_json.h \
 src/aggregate/devices.h src/aggregate/pci_sysfs.h
src/common/json_util.h:
include/vfiotop.h:
src/common/names.h:
src/serve/pci_json.h:
src/aggregate/devices.h:
src/aggregate/pci_sysfs.h:
