build-split/view/client.o: src/view/client.c src/view/client.h
src/view/client.h:
