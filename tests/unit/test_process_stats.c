// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * process_stats.c: vfiotopd's process_* metrics from a fake procfs tree
 * (a comm with spaces and parentheses, /proc/stat's btime after a long
 * interrupt line, an unlimited fd limit), and from this process's own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "process_stats.h"

static char root[64];

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void fake_tree(const char *limits_fds)
{
	char path[256], limits[512];

	snprintf(root, sizeof(root), "/tmp/vfiotop-proc-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/42", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/42/fd", root);
	mkdir(path, 0755);
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "%s/42/fd/%d", root, i);
		close(open(path, O_CREAT | O_WRONLY, 0600));
	}
	/* utime 250, stime 130 ticks; starttime 4200 ticks; vsize; rss 3000 pages */
	put("42/stat", "42 (vfio) top (x)) S 1 42 42 0 -1 4194560 900 0 0 0 250 130 0 0 20 0 "
		       "1 0 4200 31457280 3000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 "
		       "1 0 0 0 0 0\n");
	snprintf(limits, sizeof(limits),
		 "Limit                     Soft Limit           Hard Limit           Units\n"
		 "Max cpu time              unlimited            unlimited            seconds\n"
		 "Max open files            %-20s 524288               files\n"
		 "Max locked memory         8388608              8388608              bytes\n",
		 limits_fds);
	put("42/limits", limits);
}

static void write_proc_stat(const char *btime)
{
	char *intr = malloc(20000), text[21000];

	/* an interrupt line longer than any fixed buffer would take */
	memset(intr, '0', 19999);
	for (int i = 1; i < 19999; i += 2)
		intr[i] = ' ';
	intr[19999] = '\0';
	snprintf(text, sizeof(text), "cpu  1 2 3 4\ncpu0 1 2 3 4\nintr %s\nctxt 1\nbtime %s\n"
		 "processes 9\n", intr, btime);
	put("stat", text);
	free(intr);
}

static void remove_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

static void test_fake_tree(void **state)
{
	long hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	struct process_stats p;

	fake_tree("1024");
	write_proc_stat("1700000000");
	assert_int_equal(process_stats_read(root, "42", &p), 0);
	assert_true(p.valid);
	assert_int_equal(p.cpu_ns, 380 * (1000000000ull / hz));
	assert_int_equal(p.resident_bytes, 3000ull * page);
	assert_int_equal(p.virtual_bytes, 31457280);
	assert_int_equal(p.open_fds, 5);
	assert_int_equal(p.max_fds, 1024);
	assert_int_equal(p.start_time_ns, 1700000000ull * 1000000000ull +
					  4200 * (1000000000ull / hz));
	remove_tree();
}

static void test_unlimited_and_broken(void **state)
{
	struct process_stats p;

	fake_tree("unlimited");
	/* btime is cached per root: a new root, read afresh */
	write_proc_stat("1600000000");
	assert_int_equal(process_stats_read(root, "42", &p), 0);
	assert_int_equal(p.max_fds, UINT64_MAX);
	put("42/stat", "42 (short) S 1 2\n");
	assert_int_equal(process_stats_read(root, "42", &p), -1);
	assert_false(p.valid);
	assert_int_equal(process_stats_read(root, "43", &p), -1);
	assert_false(p.valid);
	remove_tree();
}

/* this test's own process: plausible numbers, as the daemon reads its own */
static void test_self(void **state)
{
	struct process_stats p;
	uint64_t now_ns = (uint64_t)time(NULL) * 1000000000ull;

	assert_int_equal(process_stats_read("/proc", "self", &p), 0);
	assert_true(p.resident_bytes > 100 * 1024);
	assert_true(p.virtual_bytes >= p.resident_bytes);
	assert_true(p.open_fds >= 3);
	assert_true(p.max_fds >= p.open_fds);
	/* started within the last day, not in the future (a second of slack) */
	assert_true(p.start_time_ns <= now_ns + 1000000000ull);
	assert_true(p.start_time_ns + 86400ull * 1000000000ull > now_ns);
}

static void test_status_parse(void **state)
{
	uint64_t vm, rss, table;

	assert_int_equal(process_status_parse("Name:\tvfiotopd\nFDSize:\t128\nVmPeak:\t  9000 kB\n"
					      "VmSize:\t  8000 kB\nVmRSS:\t  1200 kB\n",
					      &vm, &rss, &table), 0);
	assert_int_equal(vm, 8000 * 1024);
	assert_int_equal(rss, 1200 * 1024);
	assert_int_equal(table, 128);
	/* a kernel thread has no Vm lines; a name that merely starts alike is not it */
	assert_int_equal(process_status_parse("Name:\tkthreadd\nFDSize:\t64\n", &vm, &rss, &table),
			 -1);
	assert_int_equal(process_status_parse("FDSizeX:\t1\nVmSize:\t1 kB\nVmRSS:\t1 kB\n",
					      &vm, &rss, &table), -1);
}

/* the daemon's cheap read of itself agrees with the full read of /proc/self */
static void test_self_cheap(void **state)
{
	struct process_stats full, cheap;
	int extra[3];

	/* fds above a gap, as a daemon has after connections close */
	for (int i = 0; i < 3; i++)
		extra[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(extra[1]);
	assert_int_equal(process_stats_self(&cheap), 0);
	assert_int_equal(process_stats_read("/proc", "self", &full), 0);
	assert_true(cheap.valid);
	/* the full read counts the directory it holds open to count them */
	assert_int_equal(cheap.open_fds + 1, full.open_fds);
	assert_int_equal(cheap.max_fds, full.max_fds);
	assert_int_equal(cheap.start_time_ns, full.start_time_ns);
	assert_int_equal(cheap.virtual_bytes / 4096, full.virtual_bytes / 4096);
	assert_true(cheap.resident_bytes > 100 * 1024);
	/* microseconds against clock ticks: within a tick of each other */
	assert_true(cheap.cpu_ns + 10000000ull >= full.cpu_ns &&
		    full.cpu_ns + 10000000ull >= cheap.cpu_ns);
	close(extra[2]);
	assert_int_equal(process_stats_self(&full), 0);
	assert_int_equal(full.open_fds + 1, cheap.open_fds);
	close(extra[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake_tree),
		cmocka_unit_test(test_unlimited_and_broken),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_status_parse),
		cmocka_unit_test(test_self_cheap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
