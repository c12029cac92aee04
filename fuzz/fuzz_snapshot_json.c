// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Whatever a daemon (or a man in the middle of a bridged socket) sends as a
 * snapshot: the live view builds its rows from the previous and the current
 * snapshot, sorts, filters, formats every cell and the detail view.
 * (--json-lines read the document back too; it writes from the daemon's
 * table now, and parses nothing.)
 *
 * Input: one JSON document (previous = current: every rate 0), or two in a row
 * (previous, then current), as json-c reads them from the socket.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_path.h"
#include "top_detail.h"
#include "top_model.h"

static json_object *parse_next(json_tokener *tok, const uint8_t **p, size_t *left)
{
	json_object *o;
	size_t used;

	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, (const char *)*p, (int)*left);
	used = json_tokener_get_parse_end(tok);
	if (used > *left)
		abort();
	*p += used;
	*left -= used;
	return o;
}

static void check_text(const char *s, size_t cap)
{
	if (!memchr(s, '\0', cap))
		abort();	/* a cell or line without its NUL */
}

static void live_view(json_object *prev, json_object *cur, size_t size)
{
	static const char *const needles[] = { "", "0000:0", "1AF4", "qemu" };
	static const int widths[] = { 0, 40, 80, 250 };
	struct top_row *rows = NULL;
	struct top_view v = { .sort = COL_FLT_RATE };
	bool shown[COL_NR];
	int n;

	n = top_build(prev, cur, top_elapsed(prev, cur, 1.0), &rows);
	if (n < 0 || (size_t)n > jpath_len(jpath_get(cur, "devices")))
		abort();
	for (int c = 0; c < COL_NR; c++)
		top_sort(rows, n, c, c & 1);
	snprintf(v.filter, sizeof(v.filter), "%s", needles[size % 4]);
	v.sort = size / 4 % COL_NR;
	v.reverse = size & 1;
	n = top_apply(rows, n, &v);
	for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
		top_layout(widths[w], shown);
	for (int i = 0; i < n; i++) {
		struct top_lines l = { 0 };
		char cell[64];

		for (int c = 0; c < COL_NR; c++) {
			top_cell(&rows[i], c, cell, sizeof(cell));
			check_text(cell, sizeof(cell));
		}
		if (top_detail(&rows[i], i & 1 ? 20 : 80, &l) == 0)
			for (size_t k = 0; k < l.n; k++)
				check_text(l.v[k].text, sizeof(l.v[k].text));
		top_lines_free(&l);
	}
	free(rows);
}

static json_tokener *tok;	/* one for the process, reset per document */

static void free_tokener(void)
{
	json_tokener_free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *first, *second;
	const uint8_t *p = data;
	size_t left = size;

	if (!tok) {
		tok = json_tokener_new();
		if (!tok)
			abort();
		atexit(free_tokener);
	}
	first = parse_next(tok, &p, &left);
	second = first && left ? parse_next(tok, &p, &left) : NULL;
	if (!first)
		return 0;
	live_view(first, second ? second : first, size);
	json_object_put(first);
	json_object_put(second);
	return 0;
}
