build-split/fuzz/obj/aggregate/devices.o: src/aggregate/devices.c \
  src/aggregate/devices.h src/aggregate/pci_sysfs.h include/vfiotop.h

src/aggregate/devices.h:

src/aggregate/pci_sysfs.h:

include/vfiotop.h:
