build-split/fuzz/obj/common/listen_addr.o: src/common/listen_addr.c \
  src/common/listen_addr.h

src/common/listen_addr.h:
