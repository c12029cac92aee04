/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The devices' part of /metrics: family by family, each device's samples
 * as the cache of rendered devices holds them, by reference.
 */
#ifndef VFIOTOP_METRICS_DEVICE_H
#define VFIOTOP_METRICS_DEVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "devices.h"
#include "metrics_cache.h"
#include "metrics_doc.h"
#include "metrics_filter.h"

struct prom_ctx {
	FILE *f;		/* the document's fresh text */
	struct metrics_doc *doc;
	const struct metrics_exclude *exclude;	/* NULL: none */
	const struct device **dev;	/* the devices /metrics shows (not forgotten) */
	const struct device_samples **samples;	/* theirs, from the cache */
	size_t n;
	uint64_t now_ns;	/* CLOCK_MONOTONIC: the power states' running time */
};

/* false on ENOMEM */
bool device_metrics(struct prom_ctx *c);

#endif
