build-split/common/histogram.o: src/common/histogram.c \
 src/common/histogram.h
src/common/histogram.h:
