build-split/serve/metrics_prom.o: src/serve/metrics_prom.c \
 src/common/json_path.h src/serve/metrics_prom.h
src/common/json_path.h:
src/serve/metrics_prom.h:
