build-split/aggregate/dma_procs.o: src/aggregate/dma_procs.c \
 src/aggregate/dma_procs.h include/vfiotop.h
src/aggregate/dma_procs.h:
include/vfiotop.h:
