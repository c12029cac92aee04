/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A /metrics document as pieces: the text rendered for this scrape (headers,
 * the daemon's own families, the samples that tick with the clock) and, by
 * reference, each device's samples as the cache keeps them. At 256 devices
 * copying 7 MB of kept samples into one fresh buffer a scrape faulted in and
 * zeroed that buffer's pages each time, the most of the daemon's CPU after
 * sending it (docs/benchmarks.md); read in blocks, the document needs none.
 */
#ifndef VFIOTOP_METRICS_DOC_H
#define VFIOTOP_METRICS_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "metrics_cache.h"

struct metrics_doc;

/* NULL on ENOMEM; *fresh: where this scrape's own text is written */
struct metrics_doc *metrics_doc_new(FILE **fresh);
/* the next len bytes at off of k, after what was written to fresh so far; false on ENOMEM */
bool metrics_doc_ref(struct metrics_doc *d, struct kept_text *k, size_t off, size_t len);
/* closes fresh: the document is whole; false on ENOMEM (free it) */
bool metrics_doc_finish(struct metrics_doc *d);

size_t metrics_doc_len(const struct metrics_doc *d);
/* up to max bytes from pos into buf; how many (0 at the end) */
size_t metrics_doc_read(struct metrics_doc *d, uint64_t pos, char *buf, size_t max);
/* the whole text, NUL-terminated, malloc'ed; NULL on ENOMEM */
char *metrics_doc_text(struct metrics_doc *d);
/* from any thread */
void metrics_doc_free(struct metrics_doc *d);

#endif
