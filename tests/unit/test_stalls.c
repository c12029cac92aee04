// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Stall reports from a known sequence of events: the explanation names the
 * request, its phases, the waiting tasks and the holder; the report and the
 * trace parse back; an operation still running at the threshold leaves a
 * report marked in progress, completed when it ends; the recorder is bounded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "stall.h"
#include "utf8.h"

#define MS 1000000ull
#define BDF "0000:01:00.0"

static struct vtop_event ev(uint32_t type, uint64_t end_ms, uint64_t dur_ms, uint32_t pid,
			    uint32_t tid, const char *comm)
{
	struct vtop_event e = { .type = type, .dev = 0x100, .ts_ns = end_ms * MS,
				.dur_ns = dur_ms * MS, .pid = pid, .tid = tid };

	snprintf(e.comm, sizeof(e.comm), "%s", comm);
	return e;
}

static struct vtop_event wait_ev(uint64_t end_ms, uint64_t dur_ms, uint32_t tid)
{
	struct vtop_event e = ev(VTOP_EV_LOCK_WAIT, end_ms, dur_ms, 412, tid, "qemu-kvm");

	e.lock_wait.flags = VTOP_LOCK_READ | VTOP_LOCK_IN_FAULT;
	e.lock_wait.holder_pid = 415;
	e.lock_wait.holder_tid = 415;
	snprintf(e.lock_wait.holder_comm, sizeof(e.lock_wait.holder_comm), "reset-helper");
	e.lock_wait.nr_stack = 2;
	e.lock_wait.stack[0] = 0xffffffff81000010ull;
	e.lock_wait.stack[1] = 0xffffffff81000020ull;
	return e;
}

/* a 1.2 s VFIO_DEVICE_RESET with a zap and a function reset inside, 3 faults waiting */
static size_t reset_story(struct vtop_event *evs)
{
	size_t n = 0;
	struct vtop_event e;

	e = ev(VTOP_EV_REQUEST_BEGIN, 1000, 0, 415, 415, "reset-helper");
	e.request.reason = VTOP_OP_RESET;
	evs[n++] = e;
	e = ev(VTOP_EV_ZAP, 1003, 3, 415, 415, "reset-helper");
	e.zap.reason = VTOP_OP_RESET;
	evs[n++] = e;
	e = ev(VTOP_EV_RESET, 2195, 1190, 415, 415, "reset-helper");
	e.reset.reason = VTOP_OP_RESET;
	e.reset.pci_method = VTOP_PCIRESET_FLR;
	e.reset.wait_ns = 1090 * MS;	/* the device took a second to answer after its FLR */
	evs[n++] = e;
	evs[n++] = wait_ev(2196, 1100, 420);
	evs[n++] = wait_ev(2197, 900, 421);
	evs[n++] = wait_ev(2198, 500, 422);
	e = ev(VTOP_EV_REQUEST, 2200, 1200, 415, 415, "reset-helper");
	e.request.reason = VTOP_OP_RESET;
	evs[n++] = e;
	return n;
}

static void test_explanation(void **state)
{
	struct vtop_event evs[16];
	struct stall_window w = { .bdf = BDF, .threshold_ns = 100 * MS };
	char *text;

	w.n = reset_story(evs);
	w.events = evs;
	w.start = 1000 * MS;
	w.end = 2200 * MS;
	text = stall_explain(&w);
	assert_non_null(text);
	assert_string_equal(text,
			    "VFIO_DEVICE_RESET of 0000:01:00.0 by pid 415 (reset-helper) took 1.20 s: "
			    "zap (reset) 3.0 ms, function reset by flr (reset, waited 1090.0 ms for "
			    "the device) 1.19 s; it held memory_lock "
			    "for about 1.20 s; 3 faults from pid 412 "
			    "(qemu-kvm) waited up to 1.10 s (2.50 s in all) for memory_lock held by "
			    "pid 415 (reset-helper).");
	free(text);
}

static const char *vm_of_412(uint32_t pid, void *ctx)
{
	return pid == 412 ? (const char *)ctx : NULL;
}

/* the waiters are a VM's vCPUs: the report says which VM, the resetter has none */
static void test_explanation_names_vm(void **state)
{
	struct vtop_event evs[16];
	struct stall_window w = { .bdf = BDF, .threshold_ns = 100 * MS, .vm_of = vm_of_412,
				  .vm_ctx = (void *)"gpu-vm-01" };
	char *text, *report = NULL, *trace = NULL;
	json_object *r, *ops;
	int vms = 0;

	w.n = reset_story(evs);
	w.events = evs;
	w.start = 1000 * MS;
	w.end = 2200 * MS;
	text = stall_explain(&w);
	assert_non_null(text);
	assert_non_null(strstr(text, "by pid 415 (reset-helper) took"));
	assert_non_null(strstr(text, "3 faults from pid 412 (qemu-kvm, VM gpu-vm-01) waited"));
	free(text);
	assert_int_equal(stall_render(&w, &report, &trace), 0);
	r = json_tokener_parse(report);
	assert_non_null(r);
	assert_true(json_object_object_get_ex(r, "waits", &ops));
	for (size_t i = 0; i < json_object_array_length(ops); i++) {
		json_object *o = json_object_array_get_idx(ops, i), *pid, *vm;

		assert_true(json_object_object_get_ex(o, "pid", &pid));
		assert_true(json_object_object_get_ex(o, "vm", &vm));
		assert_string_equal(json_object_get_string(vm),
				    json_object_get_int(pid) == 412 ? "gpu-vm-01" : "");
		vms += json_object_get_int(pid) == 412;
	}
	assert_int_equal(vms, 3);
	json_object_put(r);
	free(report);
	free(trace);
}

/* 7.x: a reset whose DMA-BUF revoke waits 800 ms for an importer's fences */
static void test_dmabuf_revoke_explained(void **state)
{
	struct vtop_event evs[8], e;
	struct stall_window w = { .bdf = BDF, .threshold_ns = 100 * MS };
	size_t n = 0;
	char *text;

	e = ev(VTOP_EV_REQUEST_BEGIN, 1000, 0, 415, 415, "reset-helper");
	e.request.reason = VTOP_OP_RESET;
	evs[n++] = e;
	e = ev(VTOP_EV_ZAP, 1002, 2, 415, 415, "reset-helper");
	e.zap.reason = VTOP_OP_RESET;
	evs[n++] = e;
	e = ev(VTOP_EV_DMABUF_MOVE, 1802, 800, 415, 415, "reset-helper");
	e.dmabuf_move.reason = VTOP_OP_RESET;
	e.dmabuf_move.revoked = true;
	evs[n++] = e;
	e = ev(VTOP_EV_RESET, 1812, 10, 415, 415, "reset-helper");
	e.reset.reason = VTOP_OP_RESET;
	evs[n++] = e;
	e = ev(VTOP_EV_LOCK_WAIT, 1900, 850, 412, 412, "qemu-kvm");
	e.lock_wait.flags = VTOP_LOCK_WRITE;
	e.lock_wait.holder_pid = e.lock_wait.holder_tid = 415;
	snprintf(e.lock_wait.holder_comm, sizeof(e.lock_wait.holder_comm), "reset-helper");
	evs[n++] = e;
	e = ev(VTOP_EV_REQUEST, 1815, 815, 415, 415, "reset-helper");
	e.request.reason = VTOP_OP_RESET;
	evs[n++] = e;
	w.n = n;
	w.events = evs;
	w.start = 1000 * MS;
	w.end = 1900 * MS;
	text = stall_explain(&w);
	assert_non_null(text);
	assert_string_equal(text,
			    "VFIO_DEVICE_RESET of 0000:01:00.0 by pid 415 (reset-helper) took 815.0 ms: "
			    "zap (reset) 2.0 ms, dma-buf revoke (reset) 800.0 ms, function reset "
			    "(reset) 10.0 ms; revoking the device's DMA-BUFs took 800.0 ms, waiting "
			    "for their importers; it held memory_lock for about 815.0 ms; 1 task from "
			    "pid 412 (qemu-kvm) waited up to 850.0 ms (850.0 ms in all) for memory_lock held by "
			    "pid 415 (reset-helper).");
	free(text);
}

static json_object *jget(json_object *o, const char *k)
{
	json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, k, &v));
	return v;
}

static void test_render_parses(void **state)
{
	struct vtop_event evs[16];
	struct stall_window w = { .bdf = BDF, .threshold_ns = 100 * MS, .capacity = 256,
				  .mono_to_real = 1000000000000ll };
	char *report, *trace;
	json_object *r, *t, *tev, *waits;
	size_t x = 0;

	w.n = reset_story(evs);
	w.events = evs;
	w.start = 1000 * MS;
	w.end = 2200 * MS;
	assert_int_equal(stall_render(&w, &report, &trace), 0);
	r = json_tokener_parse(report);
	t = json_tokener_parse(trace);
	assert_non_null(r);
	assert_non_null(t);
	assert_int_equal(json_object_get_uint64(jget(r, "duration_ns")), 1200 * MS);
	assert_int_equal(json_object_get_uint64(jget(r, "memory_lock_held_ns")), 1200 * MS);
	assert_false(json_object_get_boolean(jget(r, "in_progress")));
	assert_string_equal(json_object_get_string(jget(jget(r, "stalled"), "what")),
			    "VFIO_DEVICE_RESET");
	waits = jget(r, "waits");
	assert_int_equal(json_object_array_length(waits), 3);
	assert_int_equal(json_object_get_int(jget(json_object_array_get_idx(waits, 0),
						  "holder_pid")), 415);
	assert_int_equal(json_object_array_length(jget(json_object_array_get_idx(waits, 0),
						       "stack")), 2);
	tev = jget(t, "traceEvents");
	for (size_t i = 0; i < json_object_array_length(tev); i++) {
		json_object *e = json_object_array_get_idx(tev, i);

		if (strcmp(json_object_get_string(jget(e, "ph")), "X"))
			continue;
		x++;
		assert_true(json_object_get_double(jget(e, "ts")) >= 0);
		assert_true(json_object_get_double(jget(e, "dur")) >= 0);
		jget(e, "pid");
		jget(e, "tid");
	}
	assert_int_equal(x, 6);	/* zap, reset, 3 waits, the request */
	json_object_put(r);
	json_object_put(t);
	free(report);
	free(trace);
}

/* the operation of ops whose what is what, NULL if none */
static json_object *op_named(json_object *ops, const char *what)
{
	for (size_t i = 0; i < json_object_array_length(ops); i++) {
		json_object *o = json_object_array_get_idx(ops, i);

		if (!strcmp(json_object_get_string(jget(o, "what")), what))
			return o;
	}
	return NULL;
}

/*
 * Interrupt set-ups and a long INTx mask are steps the report shows, never
 * the stall: a 1.5 s mask (the guest's handling) is longer than the reset.
 */
static void test_irq_steps_recorded_not_blamed(void **state)
{
	struct vtop_event evs[20];
	struct stall_window w = { .bdf = BDF, .threshold_ns = 100 * MS, .capacity = 256,
				  .mono_to_real = 0 };
	char *report, *trace;
	json_object *r, *ops, *o;
	size_t n = reset_story(evs);

	(void)state;
	evs[n] = ev(VTOP_EV_IRQ_SET, 1001, 1, 412, 412, "qemu-kvm");
	evs[n].irq_set = (struct vtop_event_irq_set){ .index = VTOP_IRQ_MSIX, .start = 0,
						      .count = 4 };
	n++;
	evs[n] = ev(VTOP_EV_IRQ_SET, 1002, 0, 412, 412, "qemu-kvm");
	evs[n].irq_set = (struct vtop_event_irq_set){ .index = VTOP_IRQ_INTX, .count = 0 };
	evs[n++].ret = -22;
	evs[n++] = ev(VTOP_EV_INTX_UNMASK, 2199, 1500, 412, 413, "qemu-kvm");
	w.n = n;
	w.events = evs;
	w.start = 1000 * MS;
	w.end = 2200 * MS;
	assert_int_equal(stall_render(&w, &report, &trace), 0);
	r = json_tokener_parse(report);
	assert_non_null(r);
	assert_string_equal(json_object_get_string(jget(jget(r, "stalled"), "what")),
			    "VFIO_DEVICE_RESET");
	ops = jget(r, "operations");
	o = op_named(ops, "SET_IRQS msix 0-3");
	assert_non_null(o);
	assert_int_equal(json_object_get_uint64(jget(o, "dur_ns")), 1 * MS);
	o = op_named(ops, "SET_IRQS intx off failed (-22)");
	assert_non_null(o);
	o = op_named(ops, "INTx unmask (masked since the interrupt)");
	assert_non_null(o);
	assert_int_equal(json_object_get_uint64(jget(o, "dur_ns")), 1500 * MS);
	assert_int_equal(json_object_get_uint64(jget(o, "start_ns")), 699 * MS);
	json_object_put(r);
	free(report);
	free(trace);
}

static bool valid_utf8(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int n = utf8_seq_len(p);

		if (!n)
			return false;
		p += n;
	}
	return true;
}

/* a task may name itself anything (prctl PR_SET_NAME): the files stay UTF-8 */
static void test_render_hostile_comm(void **state)
{
	struct vtop_event evs[16];
	struct stall_window w = { .bdf = BDF, .threshold_ns = 100 * MS, .capacity = 256 };
	char *report, *trace;
	json_object *r;

	w.n = reset_story(evs);
	for (size_t i = 0; i < w.n; i++) {
		memcpy(evs[i].comm, "q\xff\xfe\"x\n", 7);
		if (evs[i].type == VTOP_EV_LOCK_WAIT)
			memcpy(evs[i].lock_wait.holder_comm, "h\xc3", 3);
	}
	w.events = evs;
	w.start = 1000 * MS;
	w.end = 2200 * MS;
	assert_int_equal(stall_render(&w, &report, &trace), 0);
	assert_true(valid_utf8(report));
	assert_true(valid_utf8(trace));
	r = json_tokener_parse(report);
	assert_non_null(r);
	assert_non_null(strstr(json_object_get_string(jget(jget(r, "stalled"), "comm")),
			       "q\xef\xbf\xbd\xef\xbf\xbd\"x"));
	json_object_put(r);
	free(report);
	free(trace);
}

static int count_reports(const char *dir, const char *must_have)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d))) {
		char path[4096];
		json_object *r;

		if (!strstr(de->d_name, ".json") || strstr(de->d_name, ".trace."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		r = json_object_from_file(path);
		assert_non_null(r);
		if (!must_have || strstr(json_object_to_json_string(r), must_have))
			n++;
		json_object_put(r);
	}
	if (d)
		closedir(d);
	return n;
}

/* a tracker writing into dir, told of a hot reset pid 415 began at 1 s */
static struct stall_tracker *hot_reset_begun(char *dir)
{
	struct stall_tracker *st;
	struct vtop_event e;

	assert_non_null(mkdtemp(dir));
	st = stall_new(&(struct stall_config){ .threshold_ns = 100 * MS, .dir = dir, .events = 32 });
	e = ev(VTOP_EV_REQUEST_BEGIN, 1000, 0, 415, 415, "reset-helper");
	e.request.reason = VTOP_OP_HOT_RESET;
	stall_event(st, &e, BDF);
	return st;
}

/* a reset that does not return within the threshold: reported while it lasts */
static void test_hung_reset_leaves_a_report(void **state)
{
	char dir[] = "/tmp/vfiotop-stall-XXXXXX";
	struct stall_tracker *st;
	struct vtop_event e;

	st = hot_reset_begun(dir);
	stall_tick(st, 1050 * MS);
	assert_int_equal(count_reports(dir, NULL), 0);	/* not yet a stall */
	stall_tick(st, 1200 * MS);
	assert_int_equal(count_reports(dir, "\"in_progress\": true"), 1);
	assert_int_equal(count_reports(dir, "VFIO_DEVICE_PCI_HOT_RESET of 0000:01:00.0 by pid 415 "
					    "(reset-helper) has been running for 200.0 ms and has "
					    "not returned"), 1);
	e = ev(VTOP_EV_REQUEST, 3000, 2000, 415, 415, "reset-helper");
	e.request.reason = VTOP_OP_HOT_RESET;
	stall_event(st, &e, BDF);
	stall_tick(st, 3100 * MS);	/* late waits may still come */
	assert_int_equal(count_reports(dir, "\"in_progress\": true"), 1);
	stall_tick(st, 3700 * MS);
	/* the same report, now complete */
	assert_int_equal(count_reports(dir, NULL), 1);
	assert_int_equal(count_reports(dir, "\"in_progress\": false"), 1);
	assert_int_equal(count_reports(dir, "VFIO_DEVICE_PCI_HOT_RESET of 0000:01:00.0 by pid "
					    "415 (reset-helper) took 2.00 s"), 1);
	stall_free(st);
	assert_int_equal(system("rm -rf /tmp/vfiotop-stall-*"), 0);
}

/* how long the report of a hung request says it has been running */
static void assert_running_for(const char *dir, const char *dur)
{
	char want[160];

	snprintf(want, sizeof(want), "by pid 415 (reset-helper) has been running for %s and", dur);
	assert_int_equal(count_reports(dir, want), 1);
}

/* an ongoing report is rewritten 1 s after the first write, then 2, 4 ... 32 s apart */
static void test_ongoing_report_backs_off(void **state)
{
	char dir[] = "/tmp/vfiotop-stall-XXXXXX";
	struct stall_tracker *st;

	st = hot_reset_begun(dir);
	stall_tick(st, 1200 * MS);
	assert_running_for(dir, "200.0 ms");
	stall_tick(st, 2100 * MS);		/* 0.9 s after the first write */
	assert_running_for(dir, "200.0 ms");
	stall_tick(st, 2200 * MS);
	assert_running_for(dir, "1.20 s");
	stall_tick(st, 4100 * MS);		/* 1.9 s after the second */
	assert_running_for(dir, "1.20 s");
	stall_tick(st, 4200 * MS);
	assert_running_for(dir, "3.20 s");
	/* ticks every 100 ms: written at 8.2, 16.2, 32.2, 64.2, then every 32 s */
	for (uint64_t t = 4300; t <= 130000; t += 100)
		stall_tick(st, t * MS);
	assert_running_for(dir, "127.20 s");	/* the write at 128.2 s */
	stall_free(st);
	assert_int_equal(system("rm -rf /tmp/vfiotop-stall-*"), 0);
}

static struct stall_tracker *hung_reset(const char *dir, bool shared_ok)
{
	struct stall_tracker *st = stall_new(&(struct stall_config){
		.threshold_ns = 100 * MS, .dir = dir, .events = 32, .shared_dir_ok = shared_ok });
	struct vtop_event e = ev(VTOP_EV_REQUEST_BEGIN, 1000, 0, 415, 415, "reset-helper");

	e.request.reason = VTOP_OP_HOT_RESET;
	stall_event(st, &e, BDF);
	return st;
}

/* links to path at every name the report begun at 1000 ms may get (+- 50 ms) */
static void plant_links(const char *dir, const char *path)
{
	struct timespec m, r;
	int64_t m2r;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	m2r = ((int64_t)r.tv_sec - m.tv_sec) * 1000000000ll + (r.tv_nsec - m.tv_nsec);
	for (int delta = -50; delta <= 50; delta++) {
		int64_t ns = 1000 * MS + m2r + delta * (int64_t)MS;
		time_t sec = ns / 1000000000;
		char stamp[32], link[256];
		struct tm tm;

		gmtime_r(&sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
		for (int k = 0; k < 2; k++) {
			snprintf(link, sizeof(link), "%s/stall-%s.%03d-0000-01-00.0%s.tmp", dir, stamp,
				 (int)(ns / 1000000 % 1000), k ? ".json" : ".trace.json");
			assert_int_equal(symlink(path, link), 0);
		}
	}
}

static int regular_reports(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_type == DT_REG && strstr(de->d_name, ".json") &&
		     !strstr(de->d_name, ".trace.");
	if (d)
		closedir(d);
	return n;
}

/* the attack of issue 23: links planted where the daemon writes its reports */
static void test_reports_never_follow_planted_links(void **state)
{
	char dir[] = "/tmp/vfiotop-stall-XXXXXX", victim[64], buf[32] = "";
	struct stall_tracker *st;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(victim, sizeof(victim), "%s.victim", dir);
	f = fopen(victim, "w");
	assert_non_null(f);
	fputs("root only\n", f);
	fclose(f);
	chmod(victim, 0600);
	/* a folder anyone may write in: refused, nothing written */
	assert_int_equal(chmod(dir, 01777), 0);
	plant_links(dir, victim);
	st = hung_reset(dir, false);
	stall_tick(st, 1200 * MS);
	assert_int_equal(regular_reports(dir), 0);
	stall_free(st);
	/* allowed (--allow-shared-dirs): written beside the links, not through them */
	st = hung_reset(dir, true);
	stall_tick(st, 1200 * MS);
	assert_int_equal(regular_reports(dir), 1);
	stall_free(st);
	f = fopen(victim, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "root only\n");
	unlink(victim);
	assert_int_equal(system("rm -rf /tmp/vfiotop-stall-*"), 0);
}

static void test_recorder_is_bounded(void **state)
{
	struct stall_tracker *st;
	uint64_t reports, overwritten, events;

	st = stall_new(&(struct stall_config){ .threshold_ns = 100 * MS, .events = 16 });
	for (int i = 0; i < 100; i++) {
		struct vtop_event e = ev(VTOP_EV_MMAP, i, 0, 1, 1, "x");

		stall_event(st, &e, BDF);
	}
	stall_stats(st, &reports, &overwritten, &events);
	assert_int_equal(events, 100);
	assert_int_equal(overwritten, 84);
	assert_int_equal(reports, 0);
	stall_free(st);
}

/*
 * A device's recorder starts small and grows as its events come: a report
 * made after it grew twice still has every event of its window.
 */
static void test_recorder_grows_and_keeps_order(void **state)
{
	char dir[] = "/tmp/vfiotop-stall-XXXXXX";
	struct vtop_event story[16];
	struct stall_tracker *st;
	uint64_t reports, overwritten, events;
	size_t n = reset_story(story);

	assert_non_null(mkdtemp(dir));
	st = stall_new(&(struct stall_config){ .threshold_ns = 100 * MS, .dir = dir, .events = 64 });
	stall_event(st, &story[0], BDF);
	stall_event(st, &story[1], BDF);
	for (int i = 0; i < 30; i++) {
		struct vtop_event e = wait_ev(1100 + 10 * i, 50, 430 + i);

		stall_event(st, &e, BDF);
	}
	for (size_t i = 2; i < n; i++)
		stall_event(st, &story[i], BDF);
	stall_tick(st, 2900 * MS);
	stall_stats(st, &reports, &overwritten, &events);
	assert_int_equal(events, 30 + n);
	assert_int_equal(overwritten, 0);
	assert_int_equal(reports, 1);
	assert_int_equal(count_reports(dir, "33 faults from pid 412 (qemu-kvm) waited up to 1.10 s"),
			 1);
	stall_free(st);
	assert_int_equal(system("rm -rf /tmp/vfiotop-stall-*"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_explanation),
		cmocka_unit_test(test_dmabuf_revoke_explained),
		cmocka_unit_test(test_render_hostile_comm),
		cmocka_unit_test(test_explanation_names_vm),
		cmocka_unit_test(test_render_parses),
		cmocka_unit_test(test_irq_steps_recorded_not_blamed),
		cmocka_unit_test(test_hung_reset_leaves_a_report),
		cmocka_unit_test(test_ongoing_report_backs_off),
		cmocka_unit_test(test_reports_never_follow_planted_links),
		cmocka_unit_test(test_recorder_is_bounded),
		cmocka_unit_test(test_recorder_grows_and_keeps_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
