build-split/view/top_sample.o: src/view/top_sample.c src/view/client.h \
 src/view/top.h src/view/top_model.h src/common/json_path.h
src/view/client.h:
src/view/top.h:
src/view/top_model.h:
src/common/json_path.h:
