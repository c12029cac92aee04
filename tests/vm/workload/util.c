// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The workload's shared helpers: dying with a message, the clock, threads. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workload.h"

void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Like die(), for a failed call: names the step and says why it failed. */
void __attribute__((noreturn)) die_errno(const char *step)
{
	die("%s: %s", step, strerror(errno));
}

/* The harness creates the file once it has taken its snapshot. */
void wait_for_file(const char *path)
{
	const struct timespec tick = { .tv_nsec = WAIT_POLL_NS };

	while (access(path, F_OK)) {
		if (errno != ENOENT)
			die("waiting for %s: %s", path, strerror(errno));
		nanosleep(&tick, NULL);
	}
}

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void start_thread(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	int err = pthread_create(thread, NULL, fn, arg);

	if (err)
		die("pthread_create: %s", strerror(err));
}

void join_thread(pthread_t thread)
{
	int err = pthread_join(thread, NULL);

	if (err)
		die("pthread_join: %s", strerror(err));
}
