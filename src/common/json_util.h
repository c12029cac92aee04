/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* JSON members that every part of a document (snapshot, stall report) adds the same way. */
#ifndef VFIOTOP_JSON_UTIL_H
#define VFIOTOP_JSON_UTIL_H

#include <json-c/json.h>
#include <stdint.h>

#include "json_writer.h"
#include "names.h"

void add_u64(json_object *o, const char *k, uint64_t v);
/* A string from outside (comm, sysfs): invalid UTF-8 becomes U+FFFD. */
json_object *json_string_utf8(const char *v);
void add_str(json_object *o, const char *k, const char *v);
/* "key": {"name": count, ...}: the entries of counts the key set names */
void jw_keyed_counts(struct json_writer *w, const char *key, const struct key_set *ks,
		     const __u64 *counts);

#endif
