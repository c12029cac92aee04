/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vfiotop's device table, two ways: batch (plain text every interval, for
 * scripts and logs) and the live view (ncurses). Both sample the same way.
 */
#ifndef VFIOTOP_TOP_H
#define VFIOTOP_TOP_H

#include <json-c/json.h>

#include "top_model.h"

#define TOP_INTERVAL_MIN 0.1
#define TOP_INTERVAL_MAX 86400.0

struct top_opts {
	const char *sock;
	double interval;	/* seconds */
	unsigned long count;	/* iterations, 0: until stopped */
	struct top_view view;	/* initial sort and filter */
};

/* The two latest snapshots that answered; rates come from the pair. */
struct top_sampler {
	const char *sock;
	json_object *prev, *cur;
	double cur_at;		/* monotonic seconds when cur arrived */
	double elapsed;		/* between prev and cur */
	char err[512];		/* why the last sample failed, "" if it did not */
};

double top_now(void);
/* 0, or -1 with s->err set and the older snapshots kept. */
int top_sample(struct top_sampler *s, int timeout_ms);
void top_sampler_free(struct top_sampler *s);

int top_batch(const struct top_opts *o);
int top_tui(const struct top_opts *o);

#endif
