/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The Prometheus text exposition (docs/metrics.md), rendered from the same
 * typed model as the JSON snapshot (struct daemon_status, struct
 * device_table and the values aggregate/device_values.c derives), with the
 * same names for every enum (common/names.c).
 */
#ifndef VFIOTOP_METRICS_PROM_H
#define VFIOTOP_METRICS_PROM_H

#include "devices.h"
#include "metrics_cache.h"
#include "metrics_doc.h"
#include "metrics_filter.h"
#include "status.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/*
 * malloc'ed text, NULL on ENOMEM. collect_seconds: how long the daemon took
 * to read the counters for it (< 0: not said).
 */
char *metrics_render(const struct daemon_status *st, const struct device_table *t,
		     double collect_seconds);
/*
 * The same, less what o leaves out (NULL: nothing): excluded families, the
 * devices gone for o->forget_gone_ms (CLOCK_MONOTONIC, device.gone_ms).
 */
char *metrics_render_opts(const struct daemon_status *st, const struct device_table *t,
			  double collect_seconds, const struct metrics_opts *o);
/*
 * The document as pieces, each device's samples from cache while it has not
 * changed (NULL: none kept), for the HTTP server to read in blocks; NULL on
 * ENOMEM.
 */
struct metrics_doc *metrics_render_doc(const struct daemon_status *st,
				       const struct device_table *t, double collect_seconds,
				       const struct metrics_opts *o, struct metrics_cache *cache);
/* the same, as one text */
char *metrics_render_cached(const struct daemon_status *st, const struct device_table *t,
			    double collect_seconds, const struct metrics_opts *o,
			    struct metrics_cache *cache);

#endif
