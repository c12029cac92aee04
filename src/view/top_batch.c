// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Batch mode, like top -b: plain text every interval, every column, each as
 * wide as its widest cell, so the output can be grepped, diffed and logged.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "top.h"

#define REQUEST_TIMEOUT_MS 5000

static void print_line(const char *cells[COL_NR], const int widths[COL_NR])
{
	char line[1024];
	size_t off = 0;

	for (int c = 0; c < COL_NR && off < sizeof(line); c++)
		off += snprintf(line + off, sizeof(line) - off, "%s%*s", c ? " " : "",
				top_columns[c].numeric ? widths[c] : -widths[c], cells[c]);
	while (off && line[off - 1] == ' ')
		line[--off] = '\0';
	puts(line);
}

static void print_iteration(const struct top_sampler *s, const struct top_view *v)
{
	static char cells[COL_NR][64];	/* one row's at a time */
	const char *names[COL_NR], *ptrs[COL_NR];
	int widths[COL_NR], total, n;
	struct top_row *rows;
	char when[32], dma[256];
	time_t now = time(NULL);

	total = top_build(s->prev, s->cur, s->elapsed, &rows);
	if (total < 0) {
		fprintf(stderr, "vfiotop: out of memory\n");
		exit(1);
	}
	n = (int)top_apply(rows, total, v);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&now));
	printf("vfiotop %s  %d of %d devices  lost events %llu  vfiotopd %s  kernel %s  sort %s%s"
	       "%s%s%s\n", when, n, total, (unsigned long long)jpath_u64(s->cur, "lost_events"),
	       jpath_str(s->cur, "daemon.state"), jpath_str(s->cur, "kernel.release"),
	       top_columns[v->sort].name, v->reverse ? " reversed" : "",
	       *v->filter ? "  filter \"" : "", v->filter, *v->filter ? "\"" : "");

	top_dma_summary(s->cur, dma, sizeof(dma));
	if (*dma)
		printf("%s\n", dma);
	for (int c = 0; c < COL_NR; c++) {
		names[c] = top_columns[c].name;
		widths[c] = strlen(names[c]);
	}
	for (int i = 0; i < n; i++)
		for (int c = 0; c < COL_NR; c++) {
			top_cell(&rows[i], c, cells[c], sizeof(cells[c]));
			if ((int)strlen(cells[c]) > widths[c])
				widths[c] = strlen(cells[c]);
		}
	print_line(names, widths);
	for (int i = 0; i < n; i++) {
		for (int c = 0; c < COL_NR; c++) {
			top_cell(&rows[i], c, cells[c], sizeof(cells[c]));
			ptrs[c] = cells[c];
		}
		print_line(ptrs, widths);
	}
	free(rows);
}

/* Absolute deadlines: a slow daemon does not make the iterations drift. */
static void sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t, .tv_nsec = (long)((t - floor(t)) * 1e9) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int top_batch(const struct top_opts *o)
{
	struct top_sampler s = { .sock = o->sock };
	double start = top_now();
	int rc = 0;

	for (unsigned long i = 0; !o->count || i < o->count; i++) {
		if (i)
			sleep_until(start + i * o->interval);
		if (top_sample(&s, REQUEST_TIMEOUT_MS)) {
			fprintf(stderr, "vfiotop: %s\n", s.err);
			rc = 1;
			break;
		}
		if (i)
			putchar('\n');
		print_iteration(&s, &o->view);
		/* a pipe is block-buffered: whoever reads wants each iteration as it comes */
		fflush(stdout);
	}
	top_sampler_free(&s);
	return rc;
}
