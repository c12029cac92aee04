build-split/view/top_tui.o: src/view/top_tui.c src/view/top.h \
 src/view/top_model.h src/common/json_path.h src/view/top_detail.h
src/view/top.h:
src/view/top_model.h:
src/common/json_path.h:
src/view/top_detail.h:
