/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reading the snapshot document by dotted path ("faults.latency_ns.p99"):
 * what is absent or of another type reads as NULL, 0 or "", never a crash,
 * whatever the document (clients and exporters take it as untrusted).
 *
 * jpath_get/_u64/_str read what the schema (docs/vfiotop.schema.json) requires:
 * a path that is absent, null or of another type there is a miss, counted (and
 * the last one kept) for the unit tests, which assert that reading recorded
 * snapshots misses nothing, so a renamed field fails a test instead of showing
 * as 0. The jpath_opt_ ones read what the schema lets be absent or null and
 * count nothing. A NULL document is no miss: the caller has nothing to read.
 */
#ifndef VFIOTOP_JSON_PATH_H
#define VFIOTOP_JSON_PATH_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

json_object *jpath_get(json_object *o, const char *path);
/* an integer (a boolean reads as 0 or 1) */
uint64_t jpath_u64(json_object *o, const char *path);
const char *jpath_str(json_object *o, const char *path);
json_object *jpath_opt_get(json_object *o, const char *path);
uint64_t jpath_opt_u64(json_object *o, const char *path);
const char *jpath_opt_str(json_object *o, const char *path);
/* Misses since the last reset; the last path missed ("" if none). */
unsigned long jpath_misses(void);
const char *jpath_last_miss(void);
void jpath_misses_reset(void);
/* Length of an array, 0 for anything else. */
size_t jpath_len(json_object *a);

#endif
