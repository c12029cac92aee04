/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Percentiles over the log2 histograms the BPF side fills: slot i counts
 * values in [2^i, 2^(i+1)), slot 0 also counts 0.
 */
#ifndef VFIOTOP_HISTOGRAM_H
#define VFIOTOP_HISTOGRAM_H

#include <linux/types.h>
#include <stdint.h>

uint64_t hist_slot_low(unsigned int slot);
uint64_t hist_slot_high(unsigned int slot);	/* inclusive */
uint64_t hist_total(const __u64 *slots, unsigned int n);
/*
 * Value at quantile q (0 < q <= 1), interpolated linearly inside the slot that
 * holds it and never above the largest value seen (max, 0 if unknown).
 */
uint64_t hist_quantile(const __u64 *slots, unsigned int n, double q, uint64_t max);

#endif
