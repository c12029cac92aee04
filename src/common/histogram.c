// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <math.h>

#include "histogram.h"

uint64_t hist_slot_low(unsigned int slot)
{
	return slot ? 1ULL << slot : 0;
}

uint64_t hist_slot_high(unsigned int slot)
{
	return slot >= 63 ? UINT64_MAX : (2ULL << slot) - 1;
}

uint64_t hist_total(const __u64 *slots, unsigned int n)
{
	uint64_t t = 0;

	for (unsigned int i = 0; i < n; i++)
		t += slots[i];
	return t;
}

uint64_t hist_quantile(const __u64 *slots, unsigned int n, double q, uint64_t max)
{
	uint64_t total = hist_total(slots, n), seen = 0, rank, v;

	if (!total || q <= 0)
		return 0;
	if (q > 1)
		q = 1;
	rank = (uint64_t)ceil(q * (double)total);
	if (rank < 1)
		rank = 1;
	for (unsigned int i = 0; i < n; i++) {
		if (seen + slots[i] < rank) {
			seen += slots[i];
			continue;
		}
		/*
		 * rank-th value is the (rank - seen)-th of slots[i] spread evenly;
		 * the span stays an integer so the top slots (2^63..) stay exact
		 */
		uint64_t lo = hist_slot_low(i), span = hist_slot_high(i) - lo;
		long double frac = (long double)(rank - seen) / (long double)slots[i];

		v = lo + (uint64_t)(span * frac);
		return max && v > max ? max : v;
	}
	return max;
}
