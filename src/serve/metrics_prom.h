/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The Prometheus text exposition of a snapshot document (docs/metrics.md).
 * Rendered from the same JSON object /json serves, so the two never disagree.
 */
#ifndef VFIOTOP_METRICS_PROM_H
#define VFIOTOP_METRICS_PROM_H

#include <json-c/json.h>

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* malloc'ed text, NULL on ENOMEM; fields missing from snap are skipped. */
char *metrics_render(json_object *snap);
/* The same, with how long the daemon took to collect snap (seconds). */
char *metrics_render_collected(json_object *snap, double collect_seconds);

#endif
