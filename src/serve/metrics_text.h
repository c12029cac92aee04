/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Prometheus text format 0.0.4, as the renderers of /metrics write it: one
 * family's header, then its samples, each device's labels rendered once.
 */
#ifndef VFIOTOP_METRICS_TEXT_H
#define VFIOTOP_METRICS_TEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "devices.h"

enum kind { COUNTER, GAUGE, HISTOGRAM };

struct ctx {
	FILE *f;
	const struct device_table *t;
	uint64_t now_ns;	/* CLOCK_MONOTONIC: the power states' running time */
	char **labels;		/* per device: "{bdf=...", rendered once */
};

void label(FILE *f, const char *k, const char *v, bool *first);
/* an integer as a label value, "" when unknown */
void int_label(FILE *f, const char *k, long long v, bool known, bool *first);
void header(FILE *f, const char *name, enum kind kind, const char *help);
/* a device's labels as "{bdf=...,..." (no closing brace); NULL on ENOMEM */
char *render_labels(const struct device *d);
void sample_start(FILE *f, const char *name, const char *dev_labels, const char *k,
		  const char *v);
/* " n\n", or " n*scale\n" when a scale turns ns into seconds */
void put_value(FILE *f, uint64_t n, double scale);

/* The per-device families (metrics_device.c). */
void device_metrics(struct ctx *c);

#endif
