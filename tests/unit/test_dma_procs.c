// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * DMA maps per process (dma_procs.c): failures from ring buffer events,
 * totals kept across a detach, the eviction of the oldest process, and what
 * the snapshot's "dma" object and /metrics make of it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"
#include "dma_json.h"
#include "dma_procs.h"
#include "event_decode.h"
#include "json_path.h"
#include "map_read.h"
#include "metrics_prom.h"
#include "names.h"
#include "snapshot_json.h"

static struct vtop_event failure(pid_t pid, int ret, uint32_t dev, uint64_t iova)
{
	struct vtop_event e = { .type = VTOP_EV_DMA_FAIL, .pid = pid, .ret = ret, .dev = dev,
				.ts_ns = 1000, .dur_ns = 5000,
				.dma_fail = { .op = VTOP_DMA_MAP, .target = VTOP_DMA_RAM,
					      .vaddr = 0x7f0000000000, .iova = iova,
					      .len = 1 << 20 } };

	snprintf(e.comm, sizeof(e.comm), "qemu-%d", (int)pid);
	return e;
}

static void test_failures_per_process_and_last(void **state)
{
	struct dma_table *t = calloc(1, sizeof(*t));
	struct vtop_event e = failure(42, -28, 0, 1ull << 32);

	dma_table_apply_event(t, &e);
	e = failure(43, -14, 0, 0x1000);
	dma_table_apply_event(t, &e);
	e.type = VTOP_EV_RESET;	/* not ours: ignored */
	e.pid = 44;
	dma_table_apply_event(t, &e);
	assert_int_equal(t->n, 2);
	assert_int_equal(t->procs[0].pid, 42);
	assert_int_equal(t->procs[0].last_failure.err, 28);
	assert_string_equal(t->procs[0].bpf.comm, "qemu-42");
	assert_int_equal(t->last_failure.pid, 43);
	assert_int_equal(t->last_failure.err, 14);
	assert_false(t->last_failure.has_dev);
	free(t);
}

static void test_totals_survive_a_detach(void **state)
{
	struct dma_table *t = calloc(1, sizeof(*t));
	struct vtop_dma_stats live = { 0 };

	live.calls[VTOP_DMA_MAP] = 10;
	live.ns_max[VTOP_DMA_MAP] = 700;
	live.errors[VTOP_DMAERR_ENOSPC] = 1;
	dma_table_refresh(t, NULL, NULL, 0, &live, "/nonexistent");
	dma_table_keep_totals(t);
	/* the maps come back empty with the next attach */
	memset(&live, 0, sizeof(live));
	live.calls[VTOP_DMA_MAP] = 2;
	live.ns_max[VTOP_DMA_MAP] = 300;
	dma_table_refresh(t, NULL, NULL, 0, &live, "/nonexistent");
	assert_int_equal(t->totals.calls[VTOP_DMA_MAP], 12);
	assert_int_equal(t->totals.ns_max[VTOP_DMA_MAP], 700);	/* a max, not a sum */
	assert_int_equal(t->totals.errors[VTOP_DMAERR_ENOSPC], 1);
	free(t);
}

static void test_oldest_process_makes_room(void **state)
{
	struct dma_table *t = calloc(1, sizeof(*t));
	struct vtop_event e;

	for (int i = 0; i < DMA_MAX_PROCS + 5; i++) {
		e = failure(100 + i, -22, 0, i);
		dma_table_apply_event(t, &e);
		t->refreshes++;	/* each one seen in a later refresh */
	}
	assert_int_equal(t->n, DMA_MAX_PROCS);
	for (int i = 0; i < t->n; i++)
		assert_true(t->procs[i].pid >= 105);
	free(t);
}

/* liveness from /proc: a running pid is alive, one found gone is not looked up again */
static void test_alive_once_gone(void **state)
{
	struct dma_table *t = calloc(1, sizeof(*t));
	struct vtop_event e = failure(getpid(), -14, 0, 0);
	char buf[16];

	dma_table_apply_event(t, &e);
	e = failure(1 << 22, -14, 0, 0);	/* above pid_max's default: no such process */
	dma_table_apply_event(t, &e);
	dma_table_refresh(t, NULL, NULL, 0, NULL, "/proc");
	assert_true(t->procs[0].alive);
	assert_false(t->procs[1].alive);
	assert_true(t->procs[1].checked);
	dma_table_refresh(t, NULL, NULL, 0, NULL, "/nonexistent");
	assert_false(t->procs[0].alive);	/* gone from this /proc */
	assert_string_equal(errno_name(28, buf, sizeof(buf)), "ENOSPC");
	assert_string_equal(errno_name(9999, buf, sizeof(buf)), "9999");
	free(t);
}

/*
 * A real map (root: CI runs the tests as root) with more processes than the
 * table keeps: the table holds the ones active last, every value as the map
 * has it, and the next refresh keeps the same ones in the same slots (before,
 * map order evicted and re-added most of them at every refresh).
 */
/*
 * as vfiotopd does: the map's records in its order, as bpf/dma.bpf.c's
 * iterator writes them, read by capture/; the table given the arrays
 */
static void refresh_from_map(struct dma_table *t, int fd)
{
	static __u32 pids[VTOP_MAX_DMA_PROCS];
	static struct vtop_dma_proc procs[VTOP_MAX_DMA_PROCS];
	FILE *records = tmpfile();
	__u32 key, *prev = NULL;
	struct vtop_dma_proc v;
	uint32_t n;

	assert_non_null(records);
	while (!bpf_map_get_next_key(fd, prev, &key)) {
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		assert_int_equal(fwrite(&key, sizeof(key), 1, records), 1);
		assert_int_equal(fwrite(&v, sizeof(v), 1, records), 1);
	}
	fflush(records);
	rewind(records);
	n = map_read_records(fileno(records), pids, sizeof(pids[0]), procs, sizeof(procs[0]),
			     VTOP_MAX_DMA_PROCS);
	fclose(records);
	dma_table_refresh(t, pids, procs, n, NULL, "/nonexistent");
}

static void test_reads_the_map_newest_first(void **state)
{
	struct dma_table *t = calloc(1, sizeof(*t));
	int fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "test_dma_procs", sizeof(__u32),
				sizeof(struct vtop_dma_proc), VTOP_MAX_DMA_PROCS, NULL);
	const __u32 procs = 300;
	pid_t pids[DMA_MAX_PROCS];

	if (fd < 0)
		fail_msg("bpf_map_create: %s (the unit tests need root)", strerror(errno));
	for (__u32 pid = 1 << 22; pid < (1 << 22) + procs; pid++) {
		struct vtop_dma_proc v = { .first_open_ns = pid, .last_map_end_ns = pid * 10ull };

		v.s.calls[VTOP_DMA_MAP] = pid & 0xff;
		snprintf(v.comm, sizeof(v.comm), "qemu-%u", pid);
		assert_int_equal(bpf_map_update_elem(fd, &pid, &v, BPF_ANY), 0);
	}
	refresh_from_map(t, fd);
	assert_int_equal(t->n, DMA_MAX_PROCS);
	for (int i = 0; i < t->n; i++) {
		const struct dma_proc *p = &t->procs[i];
		char comm[VTOP_COMM_LEN];

		assert_true((__u32)p->pid >= (1 << 22) + procs - DMA_MAX_PROCS);
		assert_int_equal(p->bpf.last_map_end_ns, p->pid * 10ull);
		assert_int_equal(p->bpf.s.calls[VTOP_DMA_MAP], p->pid & 0xff);
		snprintf(comm, sizeof(comm), "qemu-%u", (unsigned int)p->pid);
		assert_string_equal(p->bpf.comm, comm);
		assert_true(p->checked);
	}
	/* the next refresh keeps the same processes in the same slots */
	for (int i = 0; i < t->n; i++)
		pids[i] = t->procs[i].pid;
	refresh_from_map(t, fd);
	assert_int_equal(t->n, DMA_MAX_PROCS);
	for (int i = 0; i < t->n; i++) {
		assert_int_equal(t->procs[i].pid, pids[i]);
		assert_int_equal(t->procs[i].seen, t->refreshes);
	}
	/*
	 * one newer process: only the one it pushes out of the newest 64 loses
	 * its slot; the others keep theirs and what the table knows of them
	 */
	{
		__u32 pid = (1 << 22) + procs, oldest = (1 << 22) + procs - DMA_MAX_PROCS;
		struct vtop_dma_proc v = { .first_open_ns = pid, .last_map_end_ns = pid * 10ull };
		struct vtop_event e = failure(pids[5], -28, 0, 0);

		snprintf(v.comm, sizeof(v.comm), "qemu-%u", pid);
		assert_int_equal(bpf_map_update_elem(fd, &pid, &v, BPF_ANY), 0);
		dma_table_apply_event(t, &e);
		refresh_from_map(t, fd);
		assert_int_equal(t->n, DMA_MAX_PROCS);
		for (int i = 0; i < t->n; i++) {
			if (pids[i] == (pid_t)oldest)
				assert_int_equal(t->procs[i].pid, pid);
			else
				assert_int_equal(t->procs[i].pid, pids[i]);
		}
		assert_int_equal(t->procs[5].last_failure.err, 28);
	}
	close(fd);
	free(t);
}

static struct daemon_status st = { .version = "test", .state = DAEMON_ATTACHED };

static json_object *snapshot_with(struct dma_table *t, struct device_table *devs)
{
	char *text;
	json_object *snap;

	st.dma = t;
	text = snapshot_render(&st, devs, false);
	assert_non_null(text);
	snap = json_tokener_parse(text);
	free(text);
	assert_non_null(snap);
	return snap;
}

/* a failed unmap of no vma, from the wire: op, target and addresses each in place */
static void test_decoded_failure(void **state)
{
	struct dma_table *t = calloc(1, sizeof(*t));
	struct vtop_rec_dma_fail r = { .op = VTOP_DMA_UNMAP, .target = VTOP_DMA_NO_VMA,
				       .vaddr = 0x7f0000001000, .iova = 1ull << 40,
				       .len = 1 << 20, .dur_ns = 5000 };
	struct vtop_event e;

	r.h.type = VTOP_EV_DMA_FAIL;
	r.h.pid = 42;
	r.h.ret = -14;
	assert_true(event_decode(&r, sizeof(r), &e));
	dma_table_apply_event(t, &e);
	assert_int_equal(t->last_failure.op, VTOP_DMA_UNMAP);
	assert_int_equal(t->last_failure.target, VTOP_DMA_NO_VMA);
	assert_int_equal(t->last_failure.vaddr, 0x7f0000001000);
	assert_int_equal(t->last_failure.iova, 1ull << 40);
	assert_int_equal(t->last_failure.size, 1 << 20);
	assert_int_equal(t->last_failure.dur_ns, 5000);
	assert_int_equal(t->last_failure.err, 14);
	free(t);
}

static void test_json_and_metrics(void **state)
{
	struct dma_table *t = calloc(1, sizeof(*t));
	struct device_table devs = { 0 };
	struct device *d = devtab_get(&devs, 0x0100);
	struct vtop_dma_stats live = { 0 };
	struct vtop_event e = failure(42, -22, 0x0100, 1ull << 40);
	json_object *snap, *p;
	char *m;

	snprintf(d->bdf, sizeof(d->bdf), "0000:01:00.0");
	d->stats.rare.dma_maps = 3;
	d->stats.rare.dma_map_bytes = 3 << 28;
	d->stats.rare.dma_map_ns_sum = 1500000000;
	live.calls[VTOP_DMA_MAP] = 12;
	live.failed[VTOP_DMA_MAP] = 3;
	live.errors[VTOP_DMAERR_EINVAL] = 1;
	live.errors[VTOP_DMAERR_ENOSPC] = 2;
	live.maps[VTOP_DMA_RAM] = 8;
	live.map_bytes[VTOP_DMA_RAM] = 8 << 20;
	live.map_ns[VTOP_DMA_BAR] = 2500000000ull;
	live.unmap_bytes = 4096;
	live.pinned_pages = 2048;
	dma_table_apply_event(t, &e);
	t->procs[0].bpf.first_open_ns = 1000;
	t->procs[0].bpf.first_map_ns = 5000;
	t->procs[0].bpf.last_map_end_ns = 41000;
	t->procs[0].bpf.s = live;
	dma_table_refresh(t, NULL, NULL, 0, &live, "/nonexistent");

	snap = snapshot_with(t, &devs);
	assert_int_equal(jpath_u64(snap, "dma.map.calls"), 12);
	assert_int_equal(jpath_u64(snap, "dma.errors.ENOSPC"), 2);
	assert_int_equal(jpath_u64(snap, "dma.by_target.ram.bytes"), 8 << 20);
	assert_string_equal(jpath_str(snap, "dma.last_failure.error"), "EINVAL");
	assert_string_equal(jpath_str(snap, "dma.last_failure.device"), "0000:01:00.0");
	assert_int_equal(jpath_u64(snap, "dma.last_failure.iova"), 1ull << 40);
	p = json_object_array_get_idx(jpath_get(snap, "dma.processes"), 0);
	assert_non_null(p);
	assert_int_equal(jpath_u64(p, "startup.to_last_map_ns"), 40000);
	assert_int_equal(jpath_u64(p, "startup.open_to_first_map_ns"), 4000);
	assert_false(json_object_get_boolean(jpath_get(p, "alive")));
	assert_int_equal(jpath_u64(p, "dma.pinned_pages"), 2048);

	m = metrics_render(&st, &devs, -1);
	assert_non_null(m);
	assert_non_null(strstr(m, "\nvfiotop_dma_ioctls_total{op=\"map\"} 12\n"));
	assert_non_null(strstr(m, "\nvfiotop_dma_errors_total{errno=\"ENOSPC\"} 2\n"));
	assert_non_null(strstr(m, "\nvfiotop_dma_maps_total{target=\"ram\"} 8\n"));
	assert_non_null(strstr(m, "\nvfiotop_dma_map_seconds_total{target=\"bar\"} 2.5\n"));
	assert_non_null(strstr(m, "\nvfiotop_dma_pinned_pages_total 2048\n"));
	assert_non_null(strstr(m, "vfiotop_dma_bar_maps_total{bdf=\"0000:01:00.0\""));
	assert_non_null(strstr(m, "vfiotop_dma_bar_map_seconds_total{bdf=\"0000:01:00.0\""));
	free(m);
	json_object_put(snap);
	devtab_free(&devs);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failures_per_process_and_last),
		cmocka_unit_test(test_totals_survive_a_detach),
		cmocka_unit_test(test_oldest_process_makes_room),
		cmocka_unit_test(test_decoded_failure),
		cmocka_unit_test(test_json_and_metrics),
		cmocka_unit_test(test_alive_once_gone),
		cmocka_unit_test(test_reads_the_map_newest_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
