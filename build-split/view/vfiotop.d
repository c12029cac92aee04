build-split/view/vfiotop.o: src/view/vfiotop.c src/view/client.h \
 src/view/client_opts.h src/view/top.h src/view/top_model.h \
 src/common/json_path.h src/view/report_view.h src/serve/server.h \
 src/common/protocol.h src/stalls/stall.h include/vfiotop.h
src/view/client.h:
src/view/client_opts.h:
src/view/top.h:
src/view/top_model.h:
src/common/json_path.h:
src/view/report_view.h:
src/serve/server.h:
src/common/protocol.h:
src/stalls/stall.h:
include/vfiotop.h:
