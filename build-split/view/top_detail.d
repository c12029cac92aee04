build-split/view/top_detail.o: src/view/top_detail.c \
 src/view/top_detail.h src/view/top_model.h src/common/json_path.h
src/view/top_detail.h:
src/view/top_model.h:
src/common/json_path.h:
