build-split/fuzz/obj/view/client_opts.o: src/view/client_opts.c \
  src/view/client_opts.h src/view/top.h src/view/top_model.h \
  src/common/json_path.h src/serve/server.h src/common/protocol.h

src/view/client_opts.h:

src/view/top.h:

src/view/top_model.h:

src/common/json_path.h:

src/serve/server.h:

src/common/protocol.h:
