build-split/serve/web_config.o: src/serve/web_config.c \
 src/serve/web_config.h
src/serve/web_config.h:
