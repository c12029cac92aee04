// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * make bench's eventfd turn: what every eventfd read on the host pays for
 * vfiotopd's program on eventfd_read. An eventfd of no vfio vector, written
 * and read N times in turn; prints "pairs=N ns_per_pair=X".
 *
 *	eventfd-reads N
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	char *end;
	unsigned long n = argc == 2 ? strtoul(argv[1], &end, 10) : 0;
	uint64_t one = 1, got;
	double t0;
	int efd;

	if (argc != 2 || !n || *end) {
		fprintf(stderr, "usage: eventfd-reads N (N > 0)\n");
		return 2;
	}
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0) {
		fprintf(stderr, "eventfd-reads: eventfd: %s\n", strerror(errno));
		return 1;
	}
	t0 = now_ns();
	for (unsigned long i = 0; i < n; i++) {
		if (write(efd, &one, sizeof(one)) != sizeof(one) ||
		    read(efd, &got, sizeof(got)) != sizeof(got)) {
			fprintf(stderr, "eventfd-reads: pair %lu: %s\n", i, strerror(errno));
			return 1;
		}
	}
	printf("pairs=%lu ns_per_pair=%.0f\n", n, (now_ns() - t0) / (double)n);
	return 0;
}
