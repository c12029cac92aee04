/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reading the snapshot document by dotted path ("faults.latency_ns.p99"):
 * what is absent or of another type reads as NULL, 0 or "", never a crash,
 * whatever the document (clients and exporters take it as untrusted).
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
/* Length of an array, 0 for anything else. */
size_t jpath_len(json_object *a);

#endif
