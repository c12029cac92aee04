build-split/stalls/stall_report.o: src/stalls/stall_report.c \
 src/common/names.h include/vfiotop.h src/stalls/stall.h
src/common/names.h:
include/vfiotop.h:
src/stalls/stall.h:
