build-split/fuzz/obj/aggregate/owners.o: src/aggregate/owners.c \
  src/aggregate/owners.h src/aggregate/devices.h \
  src/aggregate/pci_sysfs.h include/vfiotop.h

src/aggregate/owners.h:

src/aggregate/devices.h:

src/aggregate/pci_sysfs.h:

include/vfiotop.h:
