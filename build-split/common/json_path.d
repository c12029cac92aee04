build-split/common/json_path.o: src/common/json_path.c \
 src/common/json_path.h
src/common/json_path.h:
