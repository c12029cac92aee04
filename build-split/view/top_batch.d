build-split/view/top_batch.o: src/view/top_batch.c src/view/top.h \
 src/view/top_model.h src/common/json_path.h
src/view/top.h:
src/view/top_model.h:
src/common/json_path.h:
