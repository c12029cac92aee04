build-split/fuzz/obj/common/protocol.o: src/common/protocol.c \
  src/common/protocol.h

src/common/protocol.h:
