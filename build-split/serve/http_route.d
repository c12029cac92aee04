build-split/serve/http_route.o: src/serve/http_route.c \
 src/serve/http_server.h src/common/listen_addr.h src/serve/web_config.h
src/serve/http_server.h:
src/common/listen_addr.h:
src/serve/web_config.h:
