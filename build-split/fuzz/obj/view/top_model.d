build-split/fuzz/obj/view/top_model.o: src/view/top_model.c \
  src/common/json_path.h src/view/top_model.h

src/common/json_path.h:

src/view/top_model.h:
