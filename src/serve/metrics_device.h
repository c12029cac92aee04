/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The devices' part of /metrics: family by family, each device's samples
 * as the cache of rendered devices holds them.
 */
#ifndef VFIOTOP_METRICS_DEVICE_H
#define VFIOTOP_METRICS_DEVICE_H

#include <stdint.h>
#include <stdio.h>

#include "devices.h"
#include "metrics_cache.h"

struct prom_ctx {
	FILE *f;
	const struct device **dev;	/* the devices /metrics shows (not forgotten) */
	const struct device_samples **samples;	/* theirs, from the cache */
	size_t n;
	uint64_t now_ns;	/* CLOCK_MONOTONIC: the power states' running time */
};

void device_metrics(struct prom_ctx *c);

#endif
