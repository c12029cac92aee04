// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_doc.h"

struct piece {
	struct kept_text *kept;	/* NULL: at off in the fresh text */
	size_t off, len;
};

struct metrics_doc {
	FILE *fresh_f;
	char *fresh;
	size_t fresh_len, fresh_mark;	/* fresh text before fresh_mark is in pieces */
	struct piece *pieces;
	size_t n, cap, len;
	/* where the last read ended: the server reads in order */
	size_t at_piece, at_off;
	uint64_t at_pos;
};

struct metrics_doc *metrics_doc_new(FILE **fresh)
{
	struct metrics_doc *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->fresh_f = open_memstream(&d->fresh, &d->fresh_len);
	if (!d->fresh_f) {
		free(d);
		return NULL;
	}
	/* one thread writes it: no lock taken and released per call */
	__fsetlocking(d->fresh_f, FSETLOCKING_BYCALLER);
	*fresh = d->fresh_f;
	return d;
}

static bool add_piece(struct metrics_doc *d, struct kept_text *k, size_t off, size_t len)
{
	if (!len)
		return true;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 1024;
		struct piece *p = realloc(d->pieces, cap * sizeof(*p));

		if (!p)
			return false;
		d->pieces = p;
		d->cap = cap;
	}
	if (k)
		kept_text_hold(k);
	d->pieces[d->n++] = (struct piece){ .kept = k, .off = off, .len = len };
	d->len += len;
	return true;
}

/* the fresh text written since the last piece, as a piece */
static bool take_fresh(struct metrics_doc *d)
{
	long end = ftell(d->fresh_f);
	size_t from = d->fresh_mark;

	if (end < 0)
		return false;
	d->fresh_mark = end;
	return add_piece(d, NULL, from, end - from);
}

bool metrics_doc_ref(struct metrics_doc *d, struct kept_text *k, size_t off, size_t len)
{
	return take_fresh(d) && add_piece(d, k, off, len);
}

bool metrics_doc_finish(struct metrics_doc *d)
{
	bool ok = take_fresh(d) && !ferror(d->fresh_f);

	ok = !fclose(d->fresh_f) && ok;
	d->fresh_f = NULL;
	return ok;
}

size_t metrics_doc_len(const struct metrics_doc *d)
{
	return d->len;
}

static const char *piece_bytes(const struct metrics_doc *d, const struct piece *p)
{
	return (p->kept ? p->kept->bytes : d->fresh) + p->off;
}

size_t metrics_doc_read(struct metrics_doc *d, uint64_t pos, char *buf, size_t max)
{
	size_t done = 0;

	if (pos != d->at_pos) {	/* not where the last read ended: from the start */
		d->at_piece = d->at_off = 0;
		d->at_pos = 0;
		while (d->at_piece < d->n && d->at_pos + d->pieces[d->at_piece].len <= pos)
			d->at_pos += d->pieces[d->at_piece++].len;
		d->at_off = pos - d->at_pos;
		d->at_pos = pos;
	}
	while (done < max && d->at_piece < d->n) {
		const struct piece *p = &d->pieces[d->at_piece];
		size_t n = p->len - d->at_off;

		if (n > max - done)
			n = max - done;
		memcpy(buf + done, piece_bytes(d, p) + d->at_off, n);
		done += n;
		d->at_off += n;
		if (d->at_off == p->len) {
			d->at_piece++;
			d->at_off = 0;
		}
	}
	d->at_pos += done;
	return done;
}

char *metrics_doc_text(struct metrics_doc *d)
{
	char *text = malloc(d->len + 1);
	size_t n;

	if (!text)
		return NULL;
	n = metrics_doc_read(d, 0, text, d->len);
	text[n] = '\0';
	return text;
}

void metrics_doc_free(struct metrics_doc *d)
{
	if (!d)
		return;
	if (d->fresh_f)
		fclose(d->fresh_f);
	for (size_t i = 0; i < d->n; i++)
		kept_text_drop(d->pieces[i].kept);
	free(d->pieces);
	free(d->fresh);
	free(d);
}
