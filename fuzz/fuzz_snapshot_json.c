// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Whatever a daemon (or a man in the middle of a bridged socket) sends as a
 * snapshot: the live view's model and detail view, /metrics, --json-lines.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>

#include "json_lines.h"
#include "json_path.h"
#include "metrics_prom.h"
#include "top_detail.h"
#include "top_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_tokener *tok = json_tokener_new();
	json_object *snap = tok ? json_tokener_parse_ex(tok, (const char *)data, size) : NULL;
	struct top_row *rows = NULL;
	struct top_view v = { .sort = 0 };
	int n;

	json_tokener_free(tok);
	if (!snap)
		return 0;
	free(metrics_render(snap));
	for (size_t i = 0; i < jpath_len(jpath_get(snap, "devices")); i++)
		json_object_put(json_line_build(snap, json_object_array_get_idx(
							jpath_get(snap, "devices"), i), "h"));
	/* the same document as previous and current: rates, then a sort per column */
	n = top_build(snap, snap, 1.0, &rows);
	for (int c = 0; n > 0 && c < COL_NR; c++) {
		v.sort = c;
		v.reverse = c & 1;
		top_apply(rows, n, &v);
	}
	for (int i = 0; i < n; i++) {
		struct top_lines l = { 0 };
		char cell[64];

		for (int c = 0; c < COL_NR; c++)
			top_cell(&rows[i], c, cell, sizeof(cell));
		if (top_detail(&rows[i], 80, &l) == 0)
			top_lines_free(&l);
	}
	free(rows);
	json_object_put(snap);
	return 0;
}
