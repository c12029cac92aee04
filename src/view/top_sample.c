// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <time.h>

#include "client.h"
#include "mono_clock.h"
#include "top.h"

double top_now(void)
{
	return mono_ns() / 1e9;
}

int top_sample(struct top_sampler *s, int timeout_ms)
{
	json_object *snap = client_snapshot(s->sock, false, timeout_ms, NULL, s->err,
					    sizeof(s->err));
	double now = top_now();

	if (!snap)
		return -1;
	s->err[0] = '\0';
	json_object_put(s->prev);
	s->prev = s->cur;
	s->cur = snap;
	/* the daemon's own clock says when each snapshot was taken; ours is the fallback */
	s->elapsed = top_elapsed(s->prev, s->cur, s->prev ? now - s->cur_at : 0);
	s->cur_at = now;
	return 0;
}

void top_sampler_free(struct top_sampler *s)
{
	json_object_put(s->prev);
	json_object_put(s->cur);
	s->prev = s->cur = NULL;
}
