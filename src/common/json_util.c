// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "json_util.h"

void add_u64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

/* length of the valid UTF-8 sequence at s (RFC 3629), 0 if there is none */
static int utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];
	int n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
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
			memcpy(buf + o, "\xef\xbf\xbd", 3);
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

json_object *keyed_counts(const struct key_set *ks, const __u64 *counts)
{
	json_object *o = json_object_new_object();

	for (unsigned int i = 0; i < ks->n; i++) {
		unsigned int k = key_index(ks, i);

		add_u64(o, ks->name(k), counts[k]);
	}
	return o;
}

