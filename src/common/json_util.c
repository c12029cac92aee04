// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "utf8.h"

void add_u64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

/*
 * Strings from outside (a task's comm, sysfs) may hold any bytes; json-c copies
 * bytes >= 0x80 as they are, which would make the document invalid UTF-8.
 * Invalid bytes become U+FFFD.
 */
json_object *json_string_utf8(const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t len = strlen(v), o = 0;
	char *buf = malloc(len * 3 + 1);
	json_object *j;

	if (!buf)
		return json_object_new_string("");
	while (*s) {
		int n = utf8_seq_len(s);

		if (n) {
			memcpy(buf + o, s, n);
			o += n;
			s += n;
		} else {
			memcpy(buf + o, UTF8_REPLACEMENT, 3);
			o += 3;
			s++;
		}
	}
	buf[o] = '\0';
	j = json_object_new_string(buf);
	free(buf);
	return j;
}

void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_string_utf8(v));
}

void jw_keyed_counts(struct json_writer *w, const char *key, const struct key_set *ks,
		     const __u64 *counts)
{
	jw_object(w, key);
	for (unsigned int i = 0; i < ks->n; i++) {
		unsigned int k = key_index(ks, i);

		jw_u64(w, ks->name(k), counts[k]);
	}
	jw_object_end(w);
}
