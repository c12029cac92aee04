// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The rows vfiotop shows, from snapshots recorded in a VM run (tests/unit/data,
 * read relative to the repository root, where make check runs the tests):
 * rates must be unknown rather than wrong, sorting and filtering must agree
 * with what is on screen, and narrow terminals must keep the key columns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top_detail.h"
#include "top_model.h"

static json_object *load(const char *name)
{
	char path[128];
	json_object *o;

	snprintf(path, sizeof(path), "tests/unit/data/snapshot-6.12-%s.json", name);
	o = json_object_from_file(path);
	if (!o)
		fail_msg("cannot read %s (run from the repository root)", path);
	return o;
}

static const struct top_row *row(const struct top_row *rows, int n, const char *bdf)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(rows[i].bdf, bdf))
			return &rows[i];
	fail_msg("no row for %s", bdf);
	return NULL;
}

static json_object *dev(json_object *snap, int i)
{
	return json_object_array_get_idx(jpath_get(snap, "devices"), i);
}

static void set_u64(json_object *o, const char *path, uint64_t v)
{
	json_object *x = jpath_get(o, path);

	assert_non_null(x);
	json_object_set_uint64(x, v);
}

/*
 * Every field the view reads must be in the recorded documents: a path the
 * schema requires that is absent reads as 0 or "" on screen, so a renamed
 * field would pass every check of a value that happens to be 0.
 */
static int reset_misses(void **state)
{
	jpath_misses_reset();
	return 0;
}

static int no_misses(void **state)
{
	if (jpath_misses())
		fail_msg("the view read %lu missing paths, the last \"%s\"", jpath_misses(),
			 jpath_last_miss());
	return 0;
}

#define assert_rate(v, want) assert_true(fabs((v) - (want)) < 1e-9)

/*
 * A number as recorded, read without jpath: what the workload decides (counts) is
 * written in the tests, what the machine's timing decides (latencies, times) is read
 * from the document, so re-recording the fixtures (data/record.py) keeps the tests.
 */
static uint64_t want(json_object *o, const char *k1, const char *k2, const char *k3)
{
	const char *keys[] = { k1, k2, k3 };

	for (int i = 0; i < 3 && keys[i]; i++)
		if (!json_object_object_get_ex(o, keys[i], &o))
			fail_msg("the recording has no %s", keys[i]);
	assert_true(json_object_is_type(o, json_type_int));
	return json_object_get_uint64(o);
}

/* the rows' BDFs, in order: every device of the recordings (six) */
static void assert_order(const struct top_row *rows, int n, const char *a, const char *b,
			 const char *c, const char *d, const char *e, const char *f)
{
	assert_int_equal(n, 6);
	assert_string_equal(rows[0].bdf, a);
	assert_string_equal(rows[1].bdf, b);
	assert_string_equal(rows[2].bdf, c);
	assert_string_equal(rows[3].bdf, d);
	assert_string_equal(rows[4].bdf, e);
	assert_string_equal(rows[5].bdf, f);
}

/* First sample: totals are there, every rate is unknown and shows as "-". */
static void test_first_sample(void **state)
{
	json_object *cur = load("running");
	struct top_row *rows;
	const struct top_row *r;
	char buf[32], ns[32];
	int n = top_build(NULL, cur, 1.0, &rows);

	assert_int_equal(n, 6);
	r = row(rows, n, "0000:01:00.0");
	assert_string_equal(r->id, "1af4:1110");
	/* the scenario runs as a systemd service: its unit names the "VM" */
	assert_string_equal(r->owner, "vfiotop-scenario.service");
	assert_false(r->gone);
	assert_true(isnan(r->fault_rate) && isnan(r->zap_rate) && isnan(r->map4k_rate) &&
		    isnan(r->map2m_rate) && isnan(r->map1g_rate));
	/* 256 MiB, 2 MiB-aligned, DMA-mapped (128 faults) then touched page by page */
	assert_int_equal(r->faults, want(dev(cur, 0), "faults", "count", NULL));
	assert_true(r->faults >= 512 + 2 && r->faults < 600);
	assert_int_equal(r->zaps, 5);
	assert_int_equal(r->p50_ns, want(dev(cur, 0), "faults", "latency_ns", "p50"));
	assert_int_equal(r->p99_ns, want(dev(cur, 0), "faults", "latency_ns", "p99"));
	assert_true(r->p50_ns > 0 && r->p50_ns < r->p99_ns);
	assert_string_equal(r->reason, "mem_disable");	/* 4 of 5, all time */
	assert_string_equal(r->memtype, "uc-");
	assert_false(r->mismatch);
	assert_int_equal(r->resets, 2);
	assert_int_equal(r->reset_last_ns, want(dev(cur, 0), "resets", "last_ns", NULL));
	assert_true(r->reset_last_ns > 0);
	assert_ptr_equal(r->dev, dev(cur, 0));
	assert_string_equal(row(rows, n, "0000:02:00.0")->owner, "vt-b");
	assert_string_equal(row(rows, n, "0000:04:00.0")->owner, "-");	/* never opened */
	assert_string_equal(row(rows, n, "0000:04:00.0")->id, "1af4:1044");

	for (int c = COL_FLT_RATE; c <= COL_ZAP_RATE; c++) {
		if (c == COL_P50 || c == COL_P99)
			continue;
		top_cell(r, c, buf, sizeof(buf));
		assert_string_equal(buf, "-");
	}
	top_cell(r, COL_P99, buf, sizeof(buf));
	top_fmt_ns(r->p99_ns, ns, sizeof(ns));
	assert_string_equal(buf, ns);
	assert_non_null(strstr(buf, "s"));
	top_cell(r, COL_STATE, buf, sizeof(buf));
	assert_string_equal(buf, "live");
	top_cell(row(rows, n, "0000:02:00.0"), COL_FAULTS, buf, sizeof(buf));
	assert_string_equal(buf, "33k");	/* 32832 */
	free(rows);
	json_object_put(cur);
}

/* removed and after-race: the same daemon, 01:00.0 raced faults against resets between */
static void test_rates(void **state)
{
	json_object *prev = load("removed"), *cur = load("after-race");
	json_object *p0 = dev(prev, 0), *c0 = dev(cur, 0);
	struct top_row *rows;
	const struct top_row *r;
	char buf[32];
	int n = top_build(prev, cur, 2.0, &rows);
	double elapsed;

	assert_int_equal(n, 6);
	r = row(rows, n, "0000:01:00.0");
	assert_true(r->faults > want(p0, "faults", "count", NULL));
	assert_rate(r->fault_rate, (r->faults - want(p0, "faults", "count", NULL)) / 2.0);
	assert_rate(r->map2m_rate, (want(c0, "mapped", "pages_2m", NULL) -
				    want(p0, "mapped", "pages_2m", NULL)) / 2.0);
	assert_true(r->map2m_rate > 0);
	assert_rate(r->map4k_rate, 0);
	assert_rate(r->map1g_rate, 0);
	assert_rate(r->zap_rate, (r->zaps - want(p0, "zaps", "count", NULL)) / 2.0);
	assert_true(r->zap_rate > 0);
	top_cell(r, COL_FLT_RATE, buf, sizeof(buf));
	assert_true(strcmp(buf, "-") && strcmp(buf, "0"));
	/* nothing happened: a known zero, not unknown */
	r = row(rows, n, "0000:03:00.0");
	assert_rate(r->fault_rate, 0);
	top_cell(r, COL_FLT_RATE, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	assert_rate(row(rows, n, "0000:02:00.0")->fault_rate, 0);	/* gone, kept */
	free(rows);

	/* elapsed comes from the snapshots' own clocks when they have one */
	elapsed = (want(cur, "time_ns", NULL, NULL) - want(prev, "time_ns", NULL, NULL)) / 1e9;
	assert_true(elapsed > 0);
	assert_true(fabs(top_elapsed(prev, cur, 99) - elapsed) < 1e-6);
	assert_true(top_elapsed(NULL, cur, 3) == 3);
	assert_true(top_elapsed(cur, prev, 4) == 4);	/* backwards: the fallback */
	json_object_put(prev);
	json_object_put(cur);
}

/* Counters that went backwards are a restarted daemon: unknown, never negative or huge. */
static void test_counter_reset(void **state)
{
	json_object *prev = load("after-race"), *cur = load("removed");
	struct top_row *rows;
	const struct top_row *r;
	int n = top_build(prev, cur, 1.0, &rows);

	r = row(rows, n, "0000:01:00.0");
	assert_true(isnan(r->fault_rate));
	assert_true(isnan(r->map2m_rate));
	assert_true(isnan(r->zap_rate));
	assert_rate(r->map4k_rate, 0);	/* 0 -> 0 did not go backwards */
	free(rows);
	json_object_put(prev);
	json_object_put(cur);

	/* another daemon instance: no rate at all, even where counters grew */
	prev = load("removed");
	cur = load("after-race");
	set_u64(cur, "daemon.pid", 4242);
	n = top_build(prev, cur, 1.0, &rows);
	for (int i = 0; i < n; i++)
		assert_true(isnan(rows[i].fault_rate) && isnan(rows[i].zap_rate));
	free(rows);
	json_object_put(prev);
	json_object_put(cur);

	/* as recorded: the scenario killed the daemon between final and removed */
	prev = load("final");
	cur = load("removed");
	assert_true(want(prev, "daemon", "started_at", NULL) !=
		    want(cur, "daemon", "started_at", NULL));
	n = top_build(prev, cur, 1.0, &rows);
	r = row(rows, n, "0000:01:00.0");
	assert_true(r->faults > want(dev(prev, 0), "faults", "count", NULL));
	for (int i = 0; i < n; i++)
		assert_true(isnan(rows[i].fault_rate) && isnan(rows[i].zap_rate));
	free(rows);
	json_object_put(prev);
	json_object_put(cur);

	/* no elapsed time: no rate */
	prev = load("removed");
	cur = load("after-race");
	n = top_build(prev, cur, 0, &rows);
	assert_true(isnan(rows[0].fault_rate));
	free(rows);
	json_object_put(prev);
	json_object_put(cur);
}

/* The interval's top reason wins over all time's; without zaps in the interval, all time's. */
static void test_top_reason(void **state)
{
	json_object *prev = load("after-race"), *cur = load("after-race");
	json_object *reasons;
	struct top_row *rows;
	int n;

	/* 01:00.0: mostly mem_disable all time, but 5 resets in the interval */
	assert_true(want(dev(cur, 0), "zaps", "by_reason", "mem_disable") >
		    want(dev(cur, 0), "zaps", "by_reason", "reset") + 5);
	set_u64(dev(cur, 0), "zaps.by_reason.reset",
		want(dev(cur, 0), "zaps", "by_reason", "reset") + 5);
	set_u64(dev(cur, 0), "zaps.count", want(dev(cur, 0), "zaps", "count", NULL) + 5);
	/* 03:00.0 never zapped */
	reasons = jpath_get(dev(cur, 2), "zaps.by_reason");
	json_object_object_foreach(reasons, k, v) {
		(void)k;
		json_object_set_uint64(v, 0);
	}
	n = top_build(prev, cur, 1.0, &rows);
	assert_string_equal(row(rows, n, "0000:01:00.0")->reason, "reset");
	/* mem_disable 2, reset 2: a tie goes to the first reason of the list */
	assert_string_equal(row(rows, n, "0000:02:00.0")->reason, "mem_disable");
	assert_string_equal(row(rows, n, "0000:03:00.0")->reason, "-");
	assert_string_equal(row(rows, n, "0000:04:00.0")->reason, "-");
	free(rows);

	/* first sample: all time */
	n = top_build(NULL, cur, 1.0, &rows);
	assert_string_equal(row(rows, n, "0000:01:00.0")->reason, "mem_disable");
	free(rows);
	json_object_put(prev);
	json_object_put(cur);
}

static void test_owner(void **state)
{
	json_object *snap = load("final"), *procs, *p;
	struct top_row *rows;
	int n;

	/* every owner exited: the first one seen */
	n = top_build(NULL, snap, 1.0, &rows);
	assert_false(json_object_get_boolean(jpath_get(json_object_array_get_idx(
		jpath_get(dev(snap, 0), "processes"), 0), "alive")));
	assert_string_equal(row(rows, n, "0000:01:00.0")->owner, "vfiotop-scenario.service");
	free(rows);

	/* a live one wins over an earlier dead one; without a VM name, pid/comm */
	procs = jpath_get(dev(snap, 0), "processes");
	p = NULL;
	assert_int_equal(json_object_deep_copy(json_object_array_get_idx(procs, 0), &p, NULL), 0);
	json_object_array_add(procs, p);
	json_object_object_add(p, "pid", json_object_new_int(373));
	json_object_object_add(p, "alive", json_object_new_boolean(1));
	json_object_object_add(jpath_get(p, "vm"), "name", json_object_new_string(""));
	/* comm is the process's choice: escape codes and spaces must not reach the table */
	json_object_object_add(p, "comm", json_object_new_string("ev\x1b[2Jil x"));
	/* no owner at all */
	json_object_object_add(dev(snap, 1), "processes", json_object_new_array());
	n = top_build(NULL, snap, 1.0, &rows);
	assert_string_equal(row(rows, n, "0000:01:00.0")->owner, "373/ev?[2Jil_x");
	assert_string_equal(row(rows, n, "0000:02:00.0")->owner, "-");
	free(rows);

	/* the VM's name where the daemon knows it, made as safe as a comm */
	json_object_object_add(jpath_get(p, "vm"), "name", json_object_new_string("gpu vm\x1b[2J"));
	n = top_build(NULL, snap, 1.0, &rows);
	assert_string_equal(row(rows, n, "0000:01:00.0")->owner, "gpu_vm?[2J");
	assert_int_equal(top_filter(rows, n, "gpu_vm"), 1);
	free(rows);
	json_object_put(snap);
}

static void test_gone_and_memtype(void **state)
{
	json_object *snap = load("removed");
	struct top_row *rows;
	char buf[32];
	int n = top_build(NULL, snap, 1.0, &rows);

	assert_false(row(rows, n, "0000:01:00.0")->gone);
	assert_true(row(rows, n, "0000:02:00.0")->gone);
	assert_false(row(rows, n, "0000:03:00.0")->gone);
	top_cell(row(rows, n, "0000:02:00.0"), COL_STATE, buf, sizeof(buf));
	assert_string_equal(buf, "gone");
	/* never mapped: no reservation (null), no lookup */
	assert_string_equal(row(rows, n, "0000:04:00.0")->memtype, "-");
	free(rows);

	/* no reservation seen: the mode faults got most; a mismatch is flagged */
	json_object_object_add(jpath_get(dev(snap, 0), "memtype"), "reserved", NULL);
	set_u64(dev(snap, 0), "memtype.by_mode.wc", 900000);
	json_object_object_add(jpath_get(dev(snap, 0), "memtype"), "mismatch",
			       json_object_new_boolean(1));
	json_object_object_add(jpath_get(dev(snap, 1), "memtype"), "reserved", NULL);
	json_object_object_foreach(jpath_get(dev(snap, 1), "memtype.by_mode"), k, v) {
		(void)k;
		json_object_set_uint64(v, 0);
	}
	n = top_build(NULL, snap, 1.0, &rows);
	assert_string_equal(rows[0].memtype, "wc");
	assert_true(rows[0].mismatch);
	top_cell(&rows[0], COL_MEMTYPE, buf, sizeof(buf));
	assert_string_equal(buf, "wc!");
	assert_string_equal(rows[1].memtype, "-");
	free(rows);
	json_object_put(snap);
}

static void test_sort(void **state)
{
	json_object *prev = load("removed"), *cur = load("after-race");
	struct top_row *rows;
	int n = top_build(prev, cur, 1.0, &rows);

	/* the recorded order these rely on: 01 raced, 03 took a 1 GiB fault, 04, 05 and 06 never ran */
	assert_true(want(dev(cur, 0), "faults", "latency_ns", "p99") >
		    want(dev(cur, 2), "faults", "latency_ns", "p99"));
	assert_true(want(dev(cur, 2), "faults", "latency_ns", "p99") >
		    want(dev(cur, 1), "faults", "latency_ns", "p99"));
	/* numbers: largest first; r reverses */
	top_sort(rows, n, COL_P99, false);
	assert_order(rows, n, "0000:01:00.0", "0000:03:00.0", "0000:02:00.0", "0000:04:00.0",
		     "0000:05:00.0", "0000:06:00.0");
	top_sort(rows, n, COL_P99, true);
	assert_order(rows, n, "0000:04:00.0", "0000:05:00.0", "0000:06:00.0", "0000:02:00.0",
		     "0000:03:00.0", "0000:01:00.0");
	top_sort(rows, n, COL_RESETS, false);	/* 10, 4, 4, 0: the tie in BDF order */
	assert_order(rows, n, "0000:01:00.0", "0000:02:00.0", "0000:03:00.0", "0000:04:00.0",
		     "0000:05:00.0", "0000:06:00.0");
	top_sort(rows, n, COL_LASTRST, false);	/* gone: its last reset reads 0 */
	if (want(dev(cur, 0), "resets", "last_ns", NULL) > want(dev(cur, 2), "resets", "last_ns", NULL))
		assert_order(rows, n, "0000:01:00.0", "0000:03:00.0", "0000:02:00.0", "0000:04:00.0",
			     "0000:05:00.0", "0000:06:00.0");
	else
		assert_order(rows, n, "0000:03:00.0", "0000:01:00.0", "0000:02:00.0", "0000:04:00.0",
			     "0000:05:00.0", "0000:06:00.0");
	/* only 01 faulted: ties stay in BDF order both ways */
	top_sort(rows, n, COL_FLT_RATE, false);
	assert_order(rows, n, "0000:01:00.0", "0000:02:00.0", "0000:03:00.0", "0000:04:00.0",
		     "0000:05:00.0", "0000:06:00.0");
	top_sort(rows, n, COL_FLT_RATE, true);
	assert_order(rows, n, "0000:02:00.0", "0000:03:00.0", "0000:04:00.0", "0000:05:00.0",
		     "0000:06:00.0", "0000:01:00.0");
	/* text: A to Z */
	top_sort(rows, n, COL_BDF, true);
	assert_order(rows, n, "0000:06:00.0", "0000:05:00.0", "0000:04:00.0", "0000:03:00.0",
		     "0000:02:00.0", "0000:01:00.0");
	top_sort(rows, n, COL_BDF, false);
	assert_order(rows, n, "0000:01:00.0", "0000:02:00.0", "0000:03:00.0", "0000:04:00.0",
		     "0000:05:00.0", "0000:06:00.0");
	top_sort(rows, n, COL_STATE, false);	/* gone < live */
	assert_order(rows, n, "0000:02:00.0", "0000:01:00.0", "0000:03:00.0", "0000:04:00.0",
		     "0000:05:00.0", "0000:06:00.0");
	top_sort(rows, n, COL_STATE, true);
	assert_order(rows, n, "0000:01:00.0", "0000:03:00.0", "0000:04:00.0", "0000:05:00.0",
		     "0000:06:00.0", "0000:02:00.0");
	free(rows);

	/* unknown rates sort last, and among themselves by BDF */
	n = top_build(NULL, cur, 1.0, &rows);
	top_sort(rows, n, COL_ZAP_RATE, false);
	assert_order(rows, n, "0000:01:00.0", "0000:02:00.0", "0000:03:00.0", "0000:04:00.0",
		     "0000:05:00.0", "0000:06:00.0");
	free(rows);
	json_object_put(prev);
	json_object_put(cur);
}

static void test_filter(void **state)
{
	json_object *snap = load("removed");
	struct top_row *rows;
	struct top_view v = { .sort = COL_BDF, .reverse = true };
	int n;

	n = top_build(NULL, snap, 1.0, &rows);
	assert_int_equal(top_filter(rows, n, "02:00"), 1);
	assert_string_equal(rows[0].bdf, "0000:02:00.0");
	free(rows);

	n = top_build(NULL, snap, 1.0, &rows);
	assert_int_equal(top_filter(rows, n, ""), 6);
	assert_int_equal(top_filter(rows, n, NULL), 6);
	assert_int_equal(top_filter(rows, n, "1AF4:1110"), 3);	/* case-insensitive */
	/* the owner: the scenario's workloads that held 01 and 03 */
	assert_int_equal(top_filter(rows, n, "Scenario.SERVICE"), 2);
	assert_string_equal(rows[0].bdf, "0000:01:00.0");
	assert_string_equal(rows[1].bdf, "0000:03:00.0");
	free(rows);

	n = top_build(NULL, snap, 1.0, &rows);
	assert_int_equal(top_filter(rows, n, "nothing like it"), 0);
	free(rows);

	/* filter, then sort */
	n = top_build(NULL, snap, 1.0, &rows);
	snprintf(v.filter, sizeof(v.filter), "0000:0");
	assert_int_equal(top_apply(rows, n, &v), 6);
	assert_order(rows, n, "0000:06:00.0", "0000:05:00.0", "0000:04:00.0", "0000:03:00.0",
		     "0000:02:00.0", "0000:01:00.0");
	snprintf(v.filter, sizeof(v.filter), "3:00");
	assert_int_equal(top_apply(rows, n, &v), 1);
	assert_string_equal(rows[0].bdf, "0000:03:00.0");
	free(rows);
	json_object_put(snap);
}

/* A field the daemon renamed reads as 0 on screen, as ever, but is a miss the tests see. */
static void test_renamed_field(void **state)
{
	json_object *snap = load("running"), *faults = jpath_get(dev(snap, 0), "faults"), *count;
	struct top_row *rows;
	int n;

	count = json_object_get(jpath_get(faults, "count"));
	json_object_object_del(faults, "count");
	json_object_object_add(faults, "total", count);
	n = top_build(NULL, snap, 1.0, &rows);
	assert_int_equal(row(rows, n, "0000:01:00.0")->faults, 0);
	assert_int_equal(jpath_misses(), 1);
	assert_string_equal(jpath_last_miss(), "faults.count");
	free(rows);

	/* of another type is a miss too; null and absent optional members are none */
	jpath_misses_reset();
	json_object_object_add(faults, "count", json_object_new_string("514"));
	assert_int_equal(jpath_u64(faults, "count"), 0);
	assert_int_equal(jpath_misses(), 1);
	jpath_misses_reset();
	assert_null(jpath_opt_get(snap, "dma.last_failure"));	/* null as recorded */
	assert_string_equal(jpath_opt_str(dev(snap, 0), "power.state"), "");
	assert_int_equal(jpath_opt_u64(snap, "daemon.no_such_member"), 0);
	assert_int_equal(jpath_u64(NULL, "faults.count"), 0);	/* no document, no miss */
	assert_int_equal(jpath_misses(), 0);
	json_object_put(snap);
}

static void test_layout(void **state)
{
	bool shown[COL_NR];
	int all = -1;

	for (int c = 0; c < COL_NR; c++)
		all += top_columns[c].width + 1;
	assert_int_equal(top_layout(1000, shown), COL_NR);
	assert_int_equal(top_layout(all, shown), COL_NR);
	/* one short: the lowest priority goes first */
	assert_int_equal(top_layout(all - 1, shown), COL_NR - 1);
	assert_false(shown[COL_ZAPS]);
	assert_true(shown[COL_FAULTS]);

	top_layout(80, shown);
	assert_true(shown[COL_BDF] && shown[COL_FLT_RATE] && shown[COL_P99] &&
		    shown[COL_ZAP_RATE] && shown[COL_OWNER]);
	assert_false(shown[COL_ZAPS] || shown[COL_FAULTS] || shown[COL_RESETS]);
	for (int c = 0, w = -1; c <= COL_NR; c++) {
		if (c == COL_NR)
			assert_true(w <= 80);
		else if (shown[c])
			w += top_columns[c].width + 1;
	}

	/* too narrow for anything but the two that always stay: the view clips them */
	for (int width = 0; width <= 20; width += 5) {
		assert_int_equal(top_layout(width, shown), 2);
		assert_true(shown[COL_BDF] && shown[COL_FLT_RATE]);
	}
}

static void test_col_names(void **state)
{
	assert_int_equal(top_col_by_name("BDF"), COL_BDF);
	assert_int_equal(top_col_by_name("flt/s"), COL_FLT_RATE);
	assert_int_equal(top_col_by_name("P99"), COL_P99);
	assert_int_equal(top_col_by_name("lastrst"), COL_LASTRST);
	assert_int_equal(top_col_by_name("zaps"), COL_ZAPS);
	assert_int_equal(top_col_by_name("nosuch"), -1);
	assert_int_equal(top_col_by_name(""), -1);
	/* each header fits its width with the sort marker after it */
	for (int c = 0; c < COL_NR; c++)
		assert_true((int)strlen(top_columns[c].name) < top_columns[c].width);
}

static void test_format(void **state)
{
	static const struct { uint64_t ns; const char *s; } durs[] = {
		{ 0, "0ns" }, { 812, "812ns" }, { 999, "999ns" }, { 1000, "1.0us" },
		{ 3509, "3.5us" }, { 9960, "10us" }, { 61439, "61us" }, { 999600, "1.0ms" },
		{ 1081592, "1.1ms" }, { 25928424, "26ms" }, { 2300000000ull, "2.3s" },
		{ 120000000000ull, "120s" },
	};
	static const struct { double v; const char *s; } rates[] = {
		{ 0, "0" }, { 0.5, "0.5" }, { 2, "2" }, { 12, "12" }, { 12.4, "12" },
		{ 999.4, "999" }, { 999.6, "1k" }, { 3400, "3.4k" }, { 12345, "12k" },
		{ 1.2e6, "1.2M" }, { 5e9, "5G" }, { NAN, "-" }, { -1, "-" },
	};
	static const struct { uint64_t b; const char *s; } sizes[] = {
		{ 512, "512 B" }, { 268435456, "256 MiB" }, { 1073741824, "1.0 GiB" },
		{ 1400000000, "1.3 GiB" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(durs) / sizeof(durs[0]); i++) {
		top_fmt_ns(durs[i].ns, buf, sizeof(buf));
		assert_string_equal(buf, durs[i].s);
	}
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		top_fmt_rate(rates[i].v, buf, sizeof(buf));
		assert_string_equal(buf, rates[i].s);
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		top_fmt_bytes(sizes[i].b, buf, sizeof(buf));
		assert_string_equal(buf, sizes[i].s);
	}
}

static bool has_line(const struct top_lines *l, enum top_line_kind kind, const char *text)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].kind == kind && strstr(l->v[i].text, text))
			return true;
	return false;
}

/* Detail view: one bar per histogram slot, scaled to the width; every section there. */
static void test_dma_summary(void **state)
{
	json_object *snap = json_tokener_parse(
		"{\"dma\": {\"map\": {\"calls\": 12, \"failed\": 3, \"time_ns\": 1200000000},"
		" \"unmap\": {\"calls\": 2, \"failed\": 0},"
		" \"by_target\": {\"ram\": {\"bytes\": 8388608}, \"bar\": {\"bytes\": 268435456}},"
		" \"last_failure\": {\"op\": \"map\", \"size\": 1048576, \"iova\": 4303355904,"
		" \"comm\": \"qemu\", \"pid\": 42, \"error\": \"ENOSPC\"}}}");
	char buf[256];

	top_dma_summary(snap, buf, sizeof(buf));
	assert_string_equal(buf, "DMA maps 12 (264 MiB in 1.2s)  failed 3  last: map of 1024 KiB "
				 "at iova 0x100800000 by qemu[42] ENOSPC");
	json_object_put(snap);
	/* as recorded: the workload's one map, no failure yet (last_failure is null) */
	snap = load("running");
	top_dma_summary(snap, buf, sizeof(buf));
	assert_int_equal(want(snap, "dma", "map", "calls"), 1);
	assert_null(jpath_opt_get(snap, "dma.last_failure"));
	assert_true(!strncmp(buf, "DMA maps 1 (", 12) && strstr(buf, "failed 0"));
	assert_null(strstr(buf, "last:"));
	set_u64(snap, "dma.map.calls", 0);
	set_u64(snap, "dma.unmap.calls", 0);
	top_dma_summary(snap, buf, sizeof(buf));
	assert_string_equal(buf, "");	/* no line without maps */
	/* a daemon without the DMA hooks leaves "dma" out: no line, and no miss */
	json_object_object_del(snap, "dma");
	top_dma_summary(snap, buf, sizeof(buf));
	assert_string_equal(buf, "");
	json_object_put(snap);
}

static void test_detail(void **state)
{
	json_object *snap = load("running");
	struct top_lines l = { 0 };
	struct top_row *rows;
	size_t bars = 0, longest = 0, shortest = SIZE_MAX;
	char ns[32], p99[48], origin[64];
	json_object *slots = NULL;
	uint64_t most = 0, least = UINT64_MAX;

	json_object_object_get_ex(jpath_get(dev(snap, 0), "faults.latency_ns"), "buckets", &slots);
	assert_non_null(slots);
	top_build(NULL, snap, 1.0, &rows);
	assert_int_equal(top_detail(&rows[0], 100, &l), 0);
	assert_true(has_line(&l, TL_HEADING, "0000:01:00.0"));
	assert_true(has_line(&l, TL_HEADING, "Fault latency histogram"));
	top_fmt_ns(rows[0].p99_ns, ns, sizeof(ns));
	snprintf(p99, sizeof(p99), "p99 %s", ns);
	assert_true(has_line(&l, TL_HEADING, p99));
	snprintf(origin, sizeof(origin), "user %" PRIu64 "  dma_map 128  kernel 0",
		 rows[0].faults - 128);
	assert_true(has_line(&l, TL_TEXT, origin));
	assert_true(has_line(&l, TL_HEADING, "Zaps by reason"));
	assert_true(has_line(&l, TL_TEXT, "mem_disable 4  reset 1"));
	assert_true(has_line(&l, TL_HEADING, "Memtype   reserved uc-"));
	assert_true(has_line(&l, TL_TEXT, "reset 1  open 1"));
	assert_true(has_line(&l, TL_HEADING, "Processes"));
	assert_true(has_line(&l, TL_TEXT, "workload"));
	/* the workload DMA-mapped its 256 MiB BAR once; the bus reset the PCI core chose */
	assert_true(has_line(&l, TL_HEADING, "DMA maps of its BARs   1 (256"));
	assert_true(has_line(&l, TL_TEXT, "pci method bus 2   ready waits"));
	/* power.state is null: nothing seen yet, no section */
	assert_false(has_line(&l, TL_HEADING, "Power"));
	json_object_object_add(rows[0].dev, "dma",
			       json_tokener_parse("{\"maps\": 2, \"failed\": 1, \"bytes\": 536870912,"
						  " \"time_ns\": 1500000, \"max_ns\": 900000}"));
	assert_int_equal(top_detail(&rows[0], 100, &l), 0);
	assert_true(has_line(&l, TL_HEADING, "DMA maps of its BARs   2 (512"));
	assert_true(has_line(&l, TL_HEADING, "failed 1"));
	/* the PCI core's side: its reset method and waits, its power state */
	json_object_object_add(jpath_get(rows[0].dev, "resets"), "by_pci_method",
			       json_tokener_parse("{\"flr\": 3, \"bus\": 0}"));
	json_object_object_add(rows[0].dev, "power",
			       json_tokener_parse("{\"state\": \"D3hot\", \"in_state_ns\": 2000000000,"
						  " \"transitions\": {\"D0\": 3, \"D3hot\": 2},"
						  " \"requested\": 4, \"failed\": 1}"));
	assert_int_equal(top_detail(&rows[0], 100, &l), 0);
	assert_true(has_line(&l, TL_TEXT, "pci method flr 3   ready waits"));
	assert_true(has_line(&l, TL_HEADING, "Power   D3hot for 2"));
	assert_true(has_line(&l, TL_TEXT, "entered    D0 3  D3hot 2"));
	/* a vector KVM's irqfd is connected to says so next to its count */
	json_object_object_add(jpath_get(rows[0].dev, "irqs"), "by_vector",
			       json_tokener_parse("[{\"type\": \"msix\", \"vector\": 0,"
						  " \"active\": true, \"bypass\": true,"
						  " \"interrupts\": 0}, {\"type\": \"msix\","
						  " \"vector\": 1, \"active\": true,"
						  " \"bypass\": false, \"interrupts\": 7}]"));
	assert_int_equal(top_detail(&rows[0], 100, &l), 0);
	assert_true(has_line(&l, TL_TEXT, "vectors    msix[0]* 0 bypass  msix[1]* 7"));
	/* waits for the eventfd's reader: only where something read it */
	assert_false(has_line(&l, TL_TEXT, "read wait"));
	json_object_object_add(jpath_get(rows[0].dev, "irqs"), "reads", json_object_new_int(3));
	json_object_object_add(jpath_get(rows[0].dev, "irqs"), "wait_max_ns",
			       json_object_new_int(4000000));
	json_object_object_add(jpath_get(rows[0].dev, "irqs"), "wait_latency_ns",
			       json_tokener_parse("{\"p50\": 20000, \"p99\": 4000000}"));
	assert_int_equal(top_detail(&rows[0], 100, &l), 0);
	assert_true(has_line(&l, TL_TEXT, "read wait  p50 20us  p99 4.0ms  max 4.0ms"));
	for (size_t i = 0; i < l.n; i++) {
		size_t len;

		assert_true(strlen(l.v[i].text) <= sizeof(l.v[i].text) - 1);
		if (l.v[i].kind != TL_BAR)
			continue;
		bars++;
		len = strlen(l.v[i].text + l.v[i].bar_at);
		assert_true(strlen(l.v[i].text) <= 100);
		longest = len > longest ? len : longest;
		shortest = len < shortest ? len : shortest;
	}
	/* one bar per recorded slot, the fullest one 69 wide, the others rounded up */
	for (size_t i = 0; i < json_object_array_length(slots); i++) {
		uint64_t cnt = want(json_object_array_get_idx(slots, i), "count", NULL, NULL);

		most = cnt > most ? cnt : most;
		least = cnt < least ? cnt : least;
	}
	assert_true(least > 0 && most > least);
	assert_int_equal(bars, json_object_array_length(slots));
	assert_int_equal(longest, 100 - 31);
	assert_int_equal(shortest, (least * 69 + most - 1) / most);

	/* a terminal too narrow for bars still lists the slots */
	assert_int_equal(top_detail(&rows[0], 20, &l), 0);
	snprintf(ns, sizeof(ns), " %" PRIu64 " ", most);
	assert_true(has_line(&l, TL_BAR, ns));
	top_lines_free(&l);
	free(rows);
	json_object_put(snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_sample, reset_misses, no_misses),
		cmocka_unit_test_setup_teardown(test_rates, reset_misses, no_misses),
		cmocka_unit_test_setup_teardown(test_counter_reset, reset_misses, no_misses),
		cmocka_unit_test_setup_teardown(test_top_reason, reset_misses, no_misses),
		cmocka_unit_test_setup_teardown(test_owner, reset_misses, no_misses),
		cmocka_unit_test_setup_teardown(test_gone_and_memtype, reset_misses, no_misses),
		cmocka_unit_test_setup_teardown(test_sort, reset_misses, no_misses),
		cmocka_unit_test_setup_teardown(test_filter, reset_misses, no_misses),
		cmocka_unit_test_setup_teardown(test_layout, reset_misses, no_misses),
		cmocka_unit_test_setup_teardown(test_col_names, reset_misses, no_misses),
		cmocka_unit_test_setup_teardown(test_format, reset_misses, no_misses),
		cmocka_unit_test_setup_teardown(test_detail, reset_misses, no_misses),
		cmocka_unit_test_setup_teardown(test_dma_summary, reset_misses, no_misses),
		cmocka_unit_test_setup_teardown(test_renamed_field, reset_misses, no_misses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
