build-split/common/names.o: src/common/names.c src/common/names.h \
 include/vfiotop.h
src/common/names.h:
include/vfiotop.h:
