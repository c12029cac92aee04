/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What /metrics leaves out to cut its cardinality (docs/metrics.md
 * "Cardinality"): families by name prefix (--metrics-exclude), the series of
 * devices gone from the bus for longer than --forget-gone.
 */
#ifndef VFIOTOP_METRICS_FILTER_H
#define VFIOTOP_METRICS_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices.h"

#define METRICS_MAX_EXCLUDE	32
#define METRICS_PREFIX_LEN	96	/* with its NUL; the longest family is < 50 */
#define METRICS_DEFAULT_FORGET_GONE_S	3600

struct metrics_exclude {
	int n;
	char prefix[METRICS_MAX_EXCLUDE][METRICS_PREFIX_LEN];
};

struct metrics_opts {
	struct metrics_exclude exclude;
	uint64_t forget_gone_ms;	/* 0: keep gone devices' series forever */
};

/*
 * Adds the comma-separated prefixes of list to x: each "vfiotop_" and more
 * of [a-zA-Z0-9_:]. -1 with a one-line message in err when one is not.
 */
int metrics_exclude_add(struct metrics_exclude *x, const char *list, char *err, size_t errlen);
/* Whether a family of this name (as its # HELP line says it) is left out. */
bool metrics_family_excluded(const struct metrics_exclude *x, const char *name, size_t len);
/*
 * Removes from text, in place, every excluded family: its # HELP and # TYPE
 * lines and its samples (which follow them). Returns the new length.
 */
size_t metrics_exclude_apply(const struct metrics_exclude *x, char *text, size_t len);
/* Whether /metrics leaves the device out: gone for forget_ms or more (0: never). */
bool metrics_device_forgotten(const struct device *d, uint64_t now_ms, uint64_t forget_ms);

#endif
