build-split/serve/http_server.o: src/serve/http_server.c \
 src/common/evloop.h src/serve/http_server.h src/common/listen_addr.h \
 src/serve/web_config.h src/common/log.h src/serve/metrics_prom.h
src/common/evloop.h:
src/serve/http_server.h:
src/common/listen_addr.h:
src/serve/web_config.h:
src/common/log.h:
src/serve/metrics_prom.h:
