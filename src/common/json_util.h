/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Building the snapshot's JSON objects: what every part of it adds the same way. */
#ifndef VFIOTOP_JSON_UTIL_H
#define VFIOTOP_JSON_UTIL_H

#include <json-c/json.h>
#include <stdint.h>

#include "vfiotop.h"

void add_u64(json_object *o, const char *k, uint64_t v);
/* A string from outside (comm, sysfs): invalid UTF-8 becomes U+FFFD. */
json_object *json_string_utf8(const char *v);
void add_str(json_object *o, const char *k, const char *v);
/* {"name": count, ...}: names[i] labels counts[i], i.e. the enum that indexes them */
json_object *named_counts(const char *const *names, const __u64 *counts, unsigned int n);

#define NAMED_COUNTS(names, counts) \
	named_counts(names, counts, sizeof(names) / sizeof((names)[0]))

#endif
