build-split/fuzz/obj/aggregate/pci_sysfs.o: src/aggregate/pci_sysfs.c \
  src/aggregate/pci_sysfs.h include/vfiotop.h

src/aggregate/pci_sysfs.h:

include/vfiotop.h:
