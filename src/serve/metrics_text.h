/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Prometheus text format 0.0.4, as the renderers of /metrics write it: one
 * family's header, then its samples, each device's labels rendered once.
 */
#ifndef VFIOTOP_METRICS_TEXT_H
#define VFIOTOP_METRICS_TEXT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

enum kind { COUNTER, GAUGE };

struct ctx {
	FILE *f;
	json_object *devs;
	size_t ndevs;
	char **labels;		/* per device: device_labels()' text, "{bdf=...", rendered once */
};

void label(FILE *f, const char *k, const char *v, bool *first);
/* an integer field as a label value, "" when it is null or absent */
void int_label(FILE *f, const char *k, json_object *v, bool *first);
void header(FILE *f, const char *name, enum kind kind, const char *help);
json_object *dev_at(struct ctx *c, size_t i);
/* a device's labels as "{bdf=...,..." (no closing brace); NULL on ENOMEM */
char *render_labels(json_object *dev);
void sample_start(FILE *f, const char *name, const char *dev_labels, const char *k,
		  const char *v);
/* one sample per device from a number at path, scaled (ns -> s) if scale != 1 */
void per_device(struct ctx *c, const char *name, enum kind kind, const char *help,
		const char *path, double scale);
void keyed_samples(struct ctx *c, const char *name, const char *path, const char *lbl,
		   const char *(*rename)(const char *), const char *field, double scale);
/* a counter family with a sample per key of each device's object at path */
void per_key(struct ctx *c, const char *name, const char *help, const char *path,
	     const char *lbl, const char *(*rename)(const char *));
/* the same over an object of objects, each sample its field */
void per_key_field(struct ctx *c, const char *name, const char *help, const char *path,
		   const char *lbl, const char *field);

/* The per-device families (metrics_device.c). */
void device_metrics(struct ctx *c);

#endif
