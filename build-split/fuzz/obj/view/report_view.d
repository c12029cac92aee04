build-split/fuzz/obj/view/report_view.o: src/view/report_view.c \
  src/common/json_path.h src/view/report_view.h

src/common/json_path.h:

src/view/report_view.h:
