build-split/fuzz/obj/serve/json_lines.o: src/serve/json_lines.c \
  src/serve/json_lines.h src/common/log.h

src/serve/json_lines.h:

src/common/log.h:
