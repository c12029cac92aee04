build-split/fuzz/obj/daemon/daemon_opts.o: src/daemon/daemon_opts.c \
  src/daemon/daemon_opts.h src/capture/hooks.h src/serve/status.h \
  src/stalls/stall.h include/vfiotop.h src/common/listen_addr.h \
  src/serve/server.h src/common/protocol.h

src/daemon/daemon_opts.h:

src/capture/hooks.h:

src/serve/status.h:

src/stalls/stall.h:

include/vfiotop.h:

src/common/listen_addr.h:

src/serve/server.h:

src/common/protocol.h:
