// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * map_read_all on real maps (root: CI runs the tests as root): every entry
 * once with its own value, and for a caller who asks for fewer than the map
 * holds. map_read_slot_stats on a per-CPU array as the daemon's dev_stats:
 * each slot asked for once, with every CPU's copy, and no other.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "map_read.h"

#define ENTRIES	3000

static int filled_map(enum bpf_map_type type, uint32_t entries)
{
	int fd = bpf_map_create(type, "test_map_read", sizeof(uint32_t), sizeof(uint64_t),
				ENTRIES, NULL);

	if (fd < 0)
		fail_msg("bpf_map_create: %s (the unit tests need root)", strerror(errno));
	for (uint32_t k = 0; k < entries; k++) {
		uint64_t v = (uint64_t)k * 7919 + 1;

		assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), 0);
	}
	return fd;
}

static void check_all(enum bpf_map_type type)
{
	static uint32_t keys[ENTRIES];
	static uint64_t vals[ENTRIES];
	static char seen[ENTRIES];
	int fd = filled_map(type, 2500);
	uint32_t n;

	memset(seen, 0, sizeof(seen));
	n = map_read_all(fd, keys, sizeof(keys[0]), vals, sizeof(vals[0]), ENTRIES);
	assert_int_equal(n, 2500);
	for (uint32_t i = 0; i < n; i++) {
		assert_true(keys[i] < 2500);
		assert_false(seen[keys[i]]);
		seen[keys[i]] = 1;
		assert_true(vals[i] == (uint64_t)keys[i] * 7919 + 1);
	}
	/* room for fewer: that many, each still right */
	n = map_read_all(fd, keys, sizeof(keys[0]), vals, sizeof(vals[0]), 100);
	assert_true(n <= 100 && n > 0);
	for (uint32_t i = 0; i < n; i++)
		assert_true(vals[i] == (uint64_t)keys[i] * 7919 + 1);
	close(fd);
}

static void test_hash(void **state)
{
	(void)state;
	check_all(BPF_MAP_TYPE_HASH);
}

static void test_lru_hash(void **state)
{
	(void)state;
	check_all(BPF_MAP_TYPE_LRU_HASH);
}

static void test_empty(void **state)
{
	uint32_t keys[4];
	uint64_t vals[4];
	int fd = filled_map(BPF_MAP_TYPE_HASH, 0);

	(void)state;
	assert_int_equal(map_read_all(fd, keys, sizeof(keys[0]), vals, sizeof(vals[0]), 4), 0);
	close(fd);
	/* not a map: nothing, no crash */
	assert_int_equal(map_read_all(-1, keys, sizeof(keys[0]), vals, sizeof(vals[0]), 4), 0);
}

#define SLOTS	20

struct taken {
	int ncpus;
	int times[SLOTS];
};

static void take(void *ctx, uint32_t slot, const struct vtop_dev_stats *percpu)
{
	struct taken *t = ctx;

	assert_true(slot < SLOTS);
	t->times[slot]++;
	for (int c = 0; c < t->ncpus; c++)
		assert_true(percpu[c].faults == slot * 1000ull + c);
}

static void test_slot_stats(void **state)
{
	int ncpus = libbpf_num_possible_cpus();
	struct vtop_dev_stats *vals, *buf;
	bool want[SLOTS] = { 0 };
	struct taken t = { 0 };
	int fd;

	(void)state;
	assert_true(ncpus > 0);
	t.ncpus = ncpus;
	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "test_slot_stats", sizeof(uint32_t),
			    sizeof(struct vtop_dev_stats), SLOTS, NULL);
	if (fd < 0)
		fail_msg("bpf_map_create: %s (the unit tests need root)", strerror(errno));
	vals = calloc(ncpus, sizeof(*vals));
	buf = calloc((size_t)STATS_CHUNK * ncpus, sizeof(*buf));
	assert_non_null(vals);
	assert_non_null(buf);
	for (uint32_t slot = 0; slot < SLOTS; slot++) {
		for (int c = 0; c < ncpus; c++)
			vals[c].faults = slot * 1000ull + c;
		assert_int_equal(bpf_map_update_elem(fd, &slot, vals, BPF_ANY), 0);
	}
	/* across chunks, and the last slot used not a chunk's end */
	want[0] = want[3] = want[8] = want[9] = want[17] = true;
	map_read_slot_stats(fd, want, 18, buf, ncpus, take, &t);
	for (int s = 0; s < SLOTS; s++) {
		assert_int_equal(t.times[s], s == 0 || s == 3 || s == 8 || s == 9 || s == 17);
		assert_false(want[s]);
	}
	/* none below used: nothing read */
	map_read_slot_stats(fd, want, 0, buf, ncpus, take, &t);
	assert_int_equal(t.times[0], 1);
	free(buf);
	free(vals);
	close(fd);
}

/*
 * What the kernel charges for a per-CPU array: at least a value per entry
 * per possible CPU (the map's own struct and rounding on top), read from
 * this process's fdinfo; fdinfo's text parsed on its own too.
 */
static void test_memlock(void **state)
{
	int ncpus = libbpf_num_possible_cpus();
	int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "test_memlock", sizeof(uint32_t),
				1024, 256, NULL);
	uint64_t bytes;

	if (fd < 0)
		fail_msg("bpf_map_create: %s (the unit tests need root)", strerror(errno));
	bytes = map_memlock(fd);
	assert_true(ncpus > 0);
	assert_true(bytes >= 256ull * 1024 * ncpus);
	assert_true(bytes < 2 * 256ull * 1024 * ncpus + (1 << 20));
	close(fd);
	assert_int_equal(map_memlock(-1), 0);
	assert_int_equal(fdinfo_memlock("pos:\t0\nflags:\t02000002\nmap_type:\t6\n"
					"memlock:\t798720\nmap_id:\t5\n"), 798720);
	assert_int_equal(fdinfo_memlock("memlock:\t4096\n"), 4096);
	assert_int_equal(fdinfo_memlock("pos:\t0\nflags:\t0\n"), 0);
	assert_int_equal(fdinfo_memlock("xmemlock:\t5\n"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_lru_hash),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_slot_stats),
		cmocka_unit_test(test_memlock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
