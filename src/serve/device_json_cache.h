/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Each device's JSON members as last rendered, written again as they were
 * while the device has not changed: at 256 devices, rendering every one for
 * each snapshot was two thirds of the daemon's CPU (docs/benchmarks.md), and
 * a fleet's devices are idle most of the time. A device has changed when
 * the hash of its struct device and owners has; the numbers that change
 * with the clock alone (a power state's time so far) are rendered each time
 * into their places in the text.
 */
#ifndef VFIOTOP_DEVICE_JSON_CACHE_H
#define VFIOTOP_DEVICE_JSON_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "devices.h"
#include "json_writer.h"

struct device_json_cache;

/* NULL on ENOMEM */
struct device_json_cache *device_json_cache_new(void);
void device_json_cache_free(struct device_json_cache *c);

/*
 * snapshot_device_members(w, d, now_ns, details), the same bytes; from c
 * when d has not changed since c last rendered it. A NULL c, or a pretty
 * writer, renders every time.
 */
void device_json_members(struct device_json_cache *c, struct json_writer *w,
			 const struct device *d, uint64_t now_ns, bool details);

/* devices' members rendered, and written from the cache: for tests */
void device_json_cache_stats(const struct device_json_cache *c, uint64_t *rendered,
			     uint64_t *reused);

#endif
