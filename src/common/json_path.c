// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdbool.h>
#include <string.h>

#include "json_path.h"

static unsigned long misses;
static char last_miss[128];

/* Only counted and remembered: production shows a miss as 0 or "-" all the same. */
static void miss(const char *path)
{
	size_t n = strnlen(path, sizeof(last_miss) - 1);

	misses++;
	memcpy(last_miss, path, n);
	last_miss[n] = '\0';
}

unsigned long jpath_misses(void)
{
	return misses;
}

const char *jpath_last_miss(void)
{
	return last_miss;
}

void jpath_misses_reset(void)
{
	misses = 0;
	last_miss[0] = '\0';
}

json_object *jpath_opt_get(json_object *o, const char *path)
{
	char buf[128], *save = NULL, *tok;
	size_t n = strnlen(path, sizeof(buf) - 1);

	/* a copy for strtok_r (truncated as snprintf would), without printf's cost */
	memcpy(buf, path, n);
	buf[n] = '\0';
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save))
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, tok, &o))
			return NULL;
	return o;
}

json_object *jpath_get(json_object *o, const char *path)
{
	json_object *v = jpath_opt_get(o, path);

	if (!v && o)
		miss(path);
	return v;
}

size_t jpath_len(json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static bool is_u64(json_object *v)
{
	return v && (json_object_is_type(v, json_type_int) ||
		     json_object_is_type(v, json_type_boolean));
}

static bool is_str(json_object *v)
{
	return v && json_object_is_type(v, json_type_string);
}

uint64_t jpath_opt_u64(json_object *o, const char *path)
{
	json_object *v = jpath_opt_get(o, path);

	return is_u64(v) ? json_object_get_uint64(v) : 0;
}

const char *jpath_opt_str(json_object *o, const char *path)
{
	json_object *v = jpath_opt_get(o, path);

	return is_str(v) ? json_object_get_string(v) : "";
}

uint64_t jpath_u64(json_object *o, const char *path)
{
	json_object *v = jpath_opt_get(o, path);

	if (!is_u64(v)) {
		if (o)
			miss(path);
		return 0;
	}
	return json_object_get_uint64(v);
}

const char *jpath_str(json_object *o, const char *path)
{
	json_object *v = jpath_opt_get(o, path);

	if (!is_str(v)) {
		if (o)
			miss(path);
		return "";
	}
	return json_object_get_string(v);
}
