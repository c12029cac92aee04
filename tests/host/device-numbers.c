// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * src/common/device_numbers.h as JSON, one object per number with its key
 * names: what tests/host/device-docs.py writes the docs' tables and the
 * schema's device numbers from, and checks them against.
 *   device-numbers
 */
#include <json-c/json.h>
#include <stdio.h>

#include "device_rows.h"

static const char *const units[] = { [DN_COUNT] = "count", [DN_BYTES] = "bytes", [DN_NS] = "ns" };
static const char *const types[] = { [DN_NONE] = "", [DN_COUNTER] = "counter",
				     [DN_GAUGE] = "gauge" };

int main(void)
{
	json_object *all = json_object_new_array();

	for (size_t i = 0; i < device_rows_n; i++) {
		const struct device_row *r = &device_rows[i];
		json_object *o, *keys, *labels;

		o = json_object_new_object();
		if (r->kind == ROW_PART) {	/* where, for device-docs.py's layout check */
			json_object_object_add(o, "part", json_object_new_string(r->path));
			json_object_array_add(all, o);
			continue;
		}
		json_object_object_add(o, "path", json_object_new_string(r->path));
		json_object_object_add(o, "unit", json_object_new_string(units[r->unit]));
		json_object_object_add(o, "family", json_object_new_string(r->family));
		json_object_object_add(o, "type", json_object_new_string(types[r->type]));
		json_object_object_add(o, "help", json_object_new_string(r->help));
		json_object_object_add(o, "doc", json_object_new_string(r->doc));
		if (r->kind == ROW_KEYED) {
			keys = json_object_new_array();
			labels = json_object_new_array();
			for (unsigned int k = 0; k < r->keys->n; k++) {
				unsigned int idx = key_index(r->keys, k);

				json_object_array_add(keys,
						      json_object_new_string(r->keys->name(idx)));
				json_object_array_add(labels, json_object_new_string(
					r->relabel ? r->relabel(idx) : r->keys->name(idx)));
			}
			json_object_object_add(o, "keys", keys);
			json_object_object_add(o, "label", json_object_new_string(r->label));
			json_object_object_add(o, "label_values", labels);
			json_object_object_add(o, "by_part",
					       json_object_new_boolean(r->json == DN_BYPART));
			json_object_object_add(o, "sparse",
					       json_object_new_boolean(r->json == DN_SPARSE));
		}
		json_object_array_add(all, o);
	}
	puts(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY |
						 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(all);
	return 0;
}
