build-split/daemon/privileges.o: src/daemon/privileges.c \
 src/daemon/privileges.h
src/daemon/privileges.h:
