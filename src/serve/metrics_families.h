/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The families of per-device series /metrics shows, by index: a row of
 * device_numbers.h each (none for a row without a family), then the
 * histogram, the vectors and the gauges written by hand. Each family's
 * samples of one device are written apart from the others', so that a
 * device's samples can be kept and written again while it has not changed.
 */
#ifndef VFIOTOP_METRICS_FAMILIES_H
#define VFIOTOP_METRICS_FAMILIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "devices.h"

size_t metrics_families_n(void);
/* its name, NULL for an index that has no family */
const char *metrics_family_name(size_t fam);
/* # HELP and # TYPE, nothing for an index that has no family */
void metrics_family_header(FILE *f, size_t fam);
/* d's samples of the family; dev_labels: prom_device_labels(d) */
void metrics_family_samples(FILE *f, size_t fam, const struct device *d, const char *dev_labels,
			    uint64_t now_ns);
/* its samples change with now_ns alone (a power state's time so far) */
bool metrics_family_ticks(size_t fam);

#endif
