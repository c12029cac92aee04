/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Adding up a counter struct of the contract (struct device_stats,
 * struct vtop_dma_stats): every __u64 adds, but for the maxima, which take
 * the larger. Word by word, so a new counter adds without a line here.
 */
#ifndef VFIOTOP_COUNTERS_H
#define VFIOTOP_COUNTERS_H

#include <stddef.h>

/* a += b over size bytes of __u64; maxima: byte offsets of the words that are maxima */
void counters_add(void *a, const void *b, size_t size, const size_t *maxima, size_t n_maxima);

#endif
