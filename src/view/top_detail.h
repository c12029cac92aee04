/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The detail view of one device as lines of text: pure, so the live view only
 * draws them (and scrolls) and the unit tests can read them.
 */
#ifndef VFIOTOP_TOP_DETAIL_H
#define VFIOTOP_TOP_DETAIL_H

#include <stddef.h>

#include "top_model.h"

enum top_line_kind {
	TL_TEXT,
	TL_HEADING,
	TL_BAR,		/* text[bar_at..] is the bar, drawn in its own colour */
};

struct top_line {
	enum top_line_kind kind;
	int bar_at;
	char text[256];
};

struct top_lines {
	struct top_line *v;
	size_t n, cap;
};

/* Histogram bars are scaled to fit width. Returns 0, or -1 when out of memory. */
int top_detail(const struct top_row *r, int width, struct top_lines *out);
void top_lines_free(struct top_lines *l);

#endif
