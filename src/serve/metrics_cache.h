/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Each device's /metrics samples as last rendered, family by family, written
 * again while the device has not changed (device_content_hash()): at 256
 * devices a scrape is ~9 MB, and rendering all of it for each scrape cost the
 * daemon more than all else it does (docs/benchmarks.md), while a fleet's
 * devices are idle most of the time. Families that tick with the clock alone
 * are not kept: the scrape renders them.
 */
#ifndef VFIOTOP_METRICS_CACHE_H
#define VFIOTOP_METRICS_CACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "devices.h"

struct metrics_cache;

/*
 * Rendered samples, held by the cache and by each document that sends
 * them: a scrape's document goes out from the HTTP server's thread after
 * the device may have been rendered again.
 */
struct kept_text {
	atomic_uint refs;
	size_t len;
	char *bytes;		/* the buffer they were rendered in */
};

void kept_text_hold(struct kept_text *k);
/* from any thread; the last one frees it */
void kept_text_drop(struct kept_text *k);

/* a device's labels and samples: family fam's are bytes at[fam] .. at[fam + 1] of text */
struct device_samples {
	uint64_t hash;		/* of the device they were rendered from */
	char *labels;		/* prom_device_labels() */
	struct kept_text *text;
	size_t *at;		/* metrics_families_n() + 1 offsets */
};

/* NULL on ENOMEM */
struct metrics_cache *metrics_cache_new(void);
void metrics_cache_free(struct metrics_cache *c);

/*
 * d's samples, rendered again if d changed since they were; valid until the
 * next call for d. NULL on ENOMEM.
 */
const struct device_samples *metrics_cache_device(struct metrics_cache *c,
						  const struct device *d);

/* devices' samples rendered, and reused: for tests */
void metrics_cache_stats(const struct metrics_cache *c, uint64_t *rendered, uint64_t *reused);

#endif
