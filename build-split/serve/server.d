build-split/serve/server.o: src/serve/server.c src/common/evloop.h \
 src/common/log.h src/serve/server.h src/common/protocol.h
src/common/evloop.h:
src/common/log.h:
src/serve/server.h:
src/common/protocol.h:
