// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdbool.h>
#include <stdint.h>

#include "counters.h"

static bool is_max(size_t off, const size_t *maxima, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (maxima[i] == off)
			return true;
	return false;
}

void counters_add(void *a, const void *b, size_t size, const size_t *maxima, size_t n_maxima)
{
	const uint64_t *in = b;
	uint64_t *out = a;

	for (size_t w = 0; w < size / sizeof(uint64_t); w++) {
		if (is_max(w * sizeof(uint64_t), maxima, n_maxima))
			out[w] = in[w] > out[w] ? in[w] : out[w];
		else
			out[w] += in[w];
	}
}
