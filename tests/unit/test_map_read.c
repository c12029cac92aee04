// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * How the daemon reads its maps without a map syscall (map_read.h):
 * map_read_records on the stream a map iterator writes (whole records, as
 * many as asked, a record cut short dropped); map_view_open on a real
 * mmapable array (root: CI runs the tests as root) laid out as dev_hot,
 * each slot's CPUs where vtop_stats_index() says; and the kernel memory a
 * map holds, from fdinfo.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdbool.h>
#include <stdio.h>
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

struct rec_value {
	uint64_t a, b;
	char tag[4];
} __attribute__((packed));

/* n records (key i, values from i) then extra bytes of a record cut short */
static int record_stream(uint32_t n, size_t extra)
{
	FILE *f = tmpfile();
	char junk[sizeof(struct rec_value)] = { 0 };

	assert_non_null(f);
	for (uint32_t i = 0; i < n; i++) {
		struct rec_value v = { .a = i * 7919ull + 1, .b = ~(uint64_t)i };

		snprintf(v.tag, sizeof(v.tag), "%03u", i % 1000);
		assert_int_equal(fwrite(&i, sizeof(i), 1, f), 1);
		assert_int_equal(fwrite(&v, sizeof(v), 1, f), 1);
	}
	assert_int_equal(fwrite(junk, 1, extra, f), extra);
	fflush(f);
	rewind(f);
	return dup(fileno(f));	/* the FILE goes, the open file stays */
}

static void check_records(const uint32_t *keys, const struct rec_value *vals, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		char tag[4];

		snprintf(tag, sizeof(tag), "%03u", i % 1000);
		assert_int_equal(keys[i], i);
		assert_true(vals[i].a == i * 7919ull + 1 && vals[i].b == ~(uint64_t)i);
		assert_memory_equal(vals[i].tag, tag, sizeof(tag));
	}
}

/* a stream of n records (and extra bytes cut short) read with room for max: want of them */
static void read_stream(uint32_t n, size_t extra, uint32_t max, uint32_t want)
{
	static uint32_t keys[3000];
	static struct rec_value vals[3000];
	int fd = record_stream(n, extra);

	assert_int_equal(map_read_records(fd, keys, sizeof(keys[0]), vals, sizeof(vals[0]), max),
			 want);
	check_records(keys, vals, want);
	close(fd);
}

/* more records than one read() of the reader's buffer holds, split anywhere */
static void test_records(void **state)
{
	uint32_t keys[4];
	struct rec_value vals[4];

	(void)state;
	read_stream(2500, 0, 3000, 2500);
	/* room for fewer: the first ones, each whole */
	read_stream(2500, 0, 100, 100);
	/* a record cut short at the end is not one */
	read_stream(3, sizeof(uint32_t) + 5, 3000, 3);
	/* nothing, and no file: nothing, no crash */
	read_stream(0, 0, 3000, 0);
	assert_int_equal(map_read_records(-1, keys, sizeof(keys[0]), vals, sizeof(vals[0]), 4), 0);
	assert_int_equal(map_read_iter(-1, keys, sizeof(keys[0]), vals, sizeof(vals[0]), 4), 0);
}

#define SLOTS	20

/* dev_hot as the BPF side writes it, read as the daemon does */
static void test_view(void **state)
{
	int ncpus = libbpf_num_possible_cpus();
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	const struct vtop_dev_hot *view;
	struct vtop_dev_hot v;
	size_t len = 0;
	int fd;

	(void)state;
	assert_true(ncpus > 0);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "test_view", sizeof(uint32_t),
			    sizeof(struct vtop_dev_hot), SLOTS * ncpus, &opts);
	if (fd < 0)
		fail_msg("bpf_map_create: %s (the unit tests need root)", strerror(errno));
	for (uint32_t slot = 0; slot < SLOTS; slot++) {
		for (int c = 0; c < ncpus; c++) {
			uint32_t i = vtop_stats_index(slot, c, ncpus);

			memset(&v, 0, sizeof(v));
			v.fault_ns_max = slot * 1000ull + c;
			v.fault_ns_sum = ~v.fault_ns_max;
			assert_int_equal(bpf_map_update_elem(fd, &i, &v, BPF_ANY), 0);
		}
	}
	view = map_view_open(fd, &len);
	assert_non_null(view);
	assert_true(len >= SLOTS * ncpus * sizeof(v) && len % sysconf(_SC_PAGESIZE) == 0);
	for (uint32_t slot = 0; slot < SLOTS; slot++) {
		const struct vtop_dev_hot *percpu = view + vtop_stats_index(slot, 0, ncpus);

		for (int c = 0; c < ncpus; c++)
			assert_true(percpu[c].fault_ns_max == slot * 1000ull + c &&
				    percpu[c].fault_ns_sum == ~percpu[c].fault_ns_max);
	}
	/* live: a later write shows without another read */
	{
		uint32_t i = vtop_stats_index(SLOTS - 1, ncpus - 1, ncpus);

		v.count[VTOP_HOT_COUNTS - 1] = 42;
		assert_int_equal(bpf_map_update_elem(fd, &i, &v, BPF_ANY), 0);
		assert_true(view[i].count[VTOP_HOT_COUNTS - 1] == 42);
	}
	map_view_close(view, len);
	close(fd);
	/* not mmapable, not a map: NULL */
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "test_view2", sizeof(uint32_t), 8, 4, NULL);
	assert_true(fd >= 0);
	assert_null(map_view_open(fd, &len));
	close(fd);
	assert_null(map_view_open(-1, &len));
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

	(void)state;
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
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_view),
		cmocka_unit_test(test_memlock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
