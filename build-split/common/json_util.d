build-split/common/json_util.o: src/common/json_util.c \
 src/common/json_util.h include/vfiotop.h
src/common/json_util.h:
include/vfiotop.h:
