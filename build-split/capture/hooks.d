build-split/capture/hooks.o: src/capture/hooks.c src/capture/hooks.h \
 src/serve/status.h src/stalls/stall.h include/vfiotop.h src/common/log.h \
 build-split/vfiotop.skel.h
src/capture/hooks.h:
src/serve/status.h:
src/stalls/stall.h:
include/vfiotop.h:
src/common/log.h:
build-split/vfiotop.skel.h:
