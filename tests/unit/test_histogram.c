// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The log2 histogram helpers behind faults.latency_ns: slot bounds must match
 * what the BPF side counts (slot i = [2^i, 2^(i+1)), slot 0 also 0), and the
 * percentiles must stay inside the slot that holds them and never exceed max.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "histogram.h"
#include "vfiotop.h"

#define N VTOP_HIST_SLOTS

/* The bounds a snapshot prints as buckets[].lo/hi: a gap or overlap would misplace samples. */
static void test_slot_bounds(void **state)
{
	/* slot 0 also holds 0 ns (log2_slot(0) == 0 on the BPF side) */
	assert_int_equal(hist_slot_low(0), 0);
	assert_int_equal(hist_slot_high(0), 1);
	assert_int_equal(hist_slot_low(1), 2);
	assert_int_equal(hist_slot_high(1), 3);
	assert_int_equal(hist_slot_low(10), 1024);
	assert_int_equal(hist_slot_high(10), 2047);
	assert_int_equal(hist_slot_low(20), 1048576);
	assert_int_equal(hist_slot_high(20), 2097151);

	/* contiguous and covering: high(i) + 1 == low(i + 1), each low a power of two */
	for (unsigned int i = 1; i < N; i++) {
		assert_true(hist_slot_low(i) == (uint64_t)1 << i);
		assert_true(hist_slot_high(i - 1) + 1 == hist_slot_low(i));
		assert_true(hist_slot_low(i) < hist_slot_high(i));
	}

	/* the last slot is open-ended: it must reach UINT64_MAX, not wrap */
	assert_true(hist_slot_low(63) == (uint64_t)1 << 63);
	assert_true(hist_slot_high(63) == UINT64_MAX);
	assert_true(hist_slot_high(62) == ((uint64_t)1 << 63) - 1);
}

static void test_total(void **state)
{
	__u64 s[N] = { 0 };

	assert_int_equal(hist_total(s, N), 0);
	s[0] = 3;
	s[17] = 40;
	s[63] = 500;	/* the last slot is counted too */
	assert_int_equal(hist_total(s, N), 543);
	/* n bounds the slots read */
	assert_int_equal(hist_total(s, 17), 3);
	assert_int_equal(hist_total(s, 18), 43);
	assert_int_equal(hist_total(s, 0), 0);
}

/* A device that never faulted must report 0, not max or garbage. */
static void test_quantile_empty(void **state)
{
	__u64 s[N] = { 0 };

	assert_int_equal(hist_quantile(s, N, 0.5, 0), 0);
	assert_int_equal(hist_quantile(s, N, 0.99, 12345), 0);
	assert_int_equal(hist_quantile(s, N, 1.0, 12345), 0);
}

/*
 * Every sample in one slot: any quantile is inside that slot, up to the top
 * slot whose bounds do not fit a double (2^63 .. 2^64-1).
 */
static void test_quantile_single_slot(void **state)
{
	static const double qs[] = { 0.001, 0.25, 0.5, 0.9, 0.99, 1.0 };

	for (unsigned int slot = 0; slot < N; slot++) {
		__u64 s[N] = { 0 };

		s[slot] = 7;
		for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
			uint64_t v = hist_quantile(s, N, qs[k], 0);

			assert_true(v >= hist_slot_low(slot));
			assert_true(v <= hist_slot_high(slot));
		}
	}
}

/* max is a real sample: a percentile above it would be invented. */
static void test_quantile_never_above_max(void **state)
{
	__u64 s[N] = { 0 };
	const uint64_t max = 1100;	/* inside slot 10 = [1024, 2047] */

	s[10] = 10;
	for (int k = 1; k <= 100; k++) {
		uint64_t v = hist_quantile(s, N, k / 100.0, max);

		assert_true(v >= 1024);
		assert_true(v <= max);
	}
	/* the largest quantile lands on the slot's top without max, on max with it */
	assert_true(hist_quantile(s, N, 1.0, 0) > max);
	assert_int_equal(hist_quantile(s, N, 1.0, max), max);
}

/* Interpolation: quantiles inside one slot spread out instead of all being one value. */
static void test_quantile_interpolates(void **state)
{
	__u64 s[N] = { 0 };
	uint64_t p25, p50, p75, p100;

	s[10] = 4;
	p25 = hist_quantile(s, N, 0.25, 0);
	p50 = hist_quantile(s, N, 0.50, 0);
	p75 = hist_quantile(s, N, 0.75, 0);
	p100 = hist_quantile(s, N, 1.0, 0);
	assert_true(1024 <= p25);
	assert_true(p25 < p50);
	assert_true(p50 < p75);
	assert_true(p75 < p100);
	assert_true(p100 <= 2047);
}

static void fill_spread(__u64 *s)
{
	memset(s, 0, N * sizeof(*s));
	for (unsigned int i = 3; i <= 20; i++)
		s[i] = 1 + (i * 37) % 11;	/* uneven counts over 18 slots */
}

static void test_quantile_ordering(void **state)
{
	__u64 s[N];
	const uint64_t max = hist_slot_low(20) + 5;
	uint64_t p50, p99, p100;

	fill_spread(s);
	p50 = hist_quantile(s, N, 0.50, max);
	p99 = hist_quantile(s, N, 0.99, max);
	p100 = hist_quantile(s, N, 1.0, max);
	assert_true(p50 > 0);
	assert_true(p50 <= p99);
	assert_true(p99 <= max);
	/* the top sample is in slot 20, so p100 is clamped to max exactly */
	assert_int_equal(p100, max);
	/* the median is well below the top slot */
	assert_true(p50 < hist_slot_low(20));
}

/* 99 fast faults and one slow one: p99 must not be dragged to the outlier. */
static void test_quantile_known_distribution(void **state)
{
	__u64 s[N] = { 0 };
	const uint64_t max = 1500000;	/* inside slot 20 = [1048576, 2097151] */
	uint64_t p50, p99, p100;

	s[10] = 99;
	s[20] = 1;
	p50 = hist_quantile(s, N, 0.50, max);
	p99 = hist_quantile(s, N, 0.99, max);
	p100 = hist_quantile(s, N, 1.0, max);
	assert_in_range(p50, 1024, 2047);
	assert_in_range(p99, 1024, 2047);
	assert_in_range(p100, 1048576, max);
	assert_int_equal(p100, max);	/* slot top 2097151 > max: clamped */
	/* with max unknown (0) the outlier is still in slot 20 */
	assert_in_range(hist_quantile(s, N, 1.0, 0), 1048576, 2097151);
}

/* q > 1 is a caller mistake; treat it as 1 rather than running off the end. */
static void test_quantile_q_above_one(void **state)
{
	__u64 s[N];
	const uint64_t max = hist_slot_low(20) + 5;

	fill_spread(s);
	assert_int_equal(hist_quantile(s, N, 1.5, max), hist_quantile(s, N, 1.0, max));
	/* without max: past the last sample would return max (0), not the top value */
	assert_int_equal(hist_quantile(s, N, 1.5, 0), hist_quantile(s, N, 1.0, 0));
	assert_int_equal(hist_quantile(s, N, 100.0, 0), hist_quantile(s, N, 1.0, 0));
	assert_true(hist_quantile(s, N, 1.5, 0) >= hist_slot_low(20));
	assert_true(hist_quantile(s, N, 2.0, 0) <= hist_slot_high(20));
}

static void test_quantile_monotonic(void **state)
{
	__u64 s[N];
	const uint64_t max = hist_slot_low(20) + 5;
	uint64_t prev = 0, prev_nomax = 0;

	fill_spread(s);
	for (int k = 1; k <= 1000; k++) {
		double q = k / 1000.0;
		uint64_t v = hist_quantile(s, N, q, max);
		uint64_t w = hist_quantile(s, N, q, 0);

		assert_true(v >= prev);
		assert_true(w >= prev_nomax);
		assert_true(v <= max);
		assert_true(w >= hist_slot_low(3) && w <= hist_slot_high(20));
		prev = v;
		prev_nomax = w;
	}
	/* the sweep covered more than one slot */
	assert_true(hist_quantile(s, N, 0.01, 0) < hist_slot_low(10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot_bounds),
		cmocka_unit_test(test_total),
		cmocka_unit_test(test_quantile_empty),
		cmocka_unit_test(test_quantile_single_slot),
		cmocka_unit_test(test_quantile_never_above_max),
		cmocka_unit_test(test_quantile_interpolates),
		cmocka_unit_test(test_quantile_ordering),
		cmocka_unit_test(test_quantile_known_distribution),
		cmocka_unit_test(test_quantile_q_above_one),
		cmocka_unit_test(test_quantile_monotonic),
	};

	return cmocka_run_group_tests_name("histogram", tests, NULL, NULL);
}
