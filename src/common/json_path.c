// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "json_path.h"

json_object *jpath_get(json_object *o, const char *path)
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

size_t jpath_len(json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

uint64_t jpath_u64(json_object *o, const char *path)
{
	json_object *v = jpath_get(o, path);

	return v && (json_object_is_type(v, json_type_int) ||
		     json_object_is_type(v, json_type_boolean)) ? json_object_get_uint64(v) : 0;
}

const char *jpath_str(json_object *o, const char *path)
{
	json_object *v = jpath_get(o, path);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}
