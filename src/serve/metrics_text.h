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
#include "names.h"

enum prom_kind { PROM_COUNTER, PROM_GAUGE, PROM_HISTOGRAM };

void prom_label(FILE *f, const char *k, const char *v, bool *first);
/* an integer as a label value, "" when unknown */
void prom_int_label(FILE *f, const char *k, long long v, bool known, bool *first);
void prom_header(FILE *f, const char *name, enum prom_kind kind, const char *help);
/* a device's labels as "{bdf=...,..." (no closing brace); NULL on ENOMEM */
char *prom_device_labels(const struct device *d);
void prom_sample(FILE *f, const char *name, const char *dev_labels, const char *k,
		  const char *v);
/* " n\n", or " n*scale\n" when a scale turns ns into seconds */
void prom_value(FILE *f, uint64_t n, double scale);

/* a value by key index: from an array of counters (prom_array_at), or derived */
typedef uint64_t (*prom_value_fn)(const void *arg, unsigned int index);
/* arg: the first __u64 of a counter array in struct device_stats or vtop_dma_stats */
uint64_t prom_array_at(const void *arg, unsigned int index);
/*
 * A sample per key of ks: name{dev_labels..., lbl="the key's name"} value,
 * the name relabelled if relabel, dev_labels NULL for the document's own;
 * with sparse, none for a key whose value is 0.
 */
void prom_keyed(FILE *f, const char *name, const char *dev_labels, const char *lbl,
		const struct key_set *ks, const char *(*relabel)(unsigned int index),
		prom_value_fn value, const void *arg, double scale, bool sparse);

#endif
