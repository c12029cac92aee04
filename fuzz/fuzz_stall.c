// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The flight recorder and its reports: any sequence of decoded events (what
 * event_decode() lets through: a known type, NUL-terminated names, at most
 * VTOP_STACK_DEPTH frames), in any order, with clock ticks between them.
 *
 * Input: 4 bytes of setup (threshold, recorder size, whether a report window
 * of everything is rendered), then 32-byte records. A record of type 0xff is
 * a tick: stall_tick() at the current time. Every other record is an event
 * of one of 3 devices, ts advancing by its delta (ms).
 *
 * The tracker writes its reports into a folder of its own (on tmpfs when
 * there is one); each report it writes, and the window rendered at the end,
 * must be JSON, and vfiotop report must read the report back (0): what the
 * daemon writes, the client reads. Those reports carry this boot's id, so
 * the client symbolizes their stacks: as fuzz_report does, a small fake
 * /proc/kallsyms is mounted over the real one where the harness may.
 */
#include <dirent.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_kallsyms.h"
#include "report_view.h"
#include "stall.h"

#define REC_LEN		32
#define MAX_EVENTS	256

static char dir[128], file[192], syms[192];
static FILE *devnull;

static void cleanup(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "fuzz_stall: could not remove %s\n", dir);
	unlink(file);
	unlink(syms);
	if (devnull)
		fclose(devnull);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct stat st;
	const char *base = !stat("/dev/shm", &st) && S_ISDIR(st.st_mode) &&
			   !access("/dev/shm", W_OK) ? "/dev/shm" :
			   getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	snprintf(dir, sizeof(dir), "%s/vfiotop-fuzz-stall-%d", base, (int)getpid());
	snprintf(file, sizeof(file), "%s.json", dir);
	snprintf(syms, sizeof(syms), "%s.kallsyms", dir);
	if (mkdir(dir, 0700))
		abort();
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	atexit(cleanup);
	fake_kallsyms(syms, "fuzz_stall");
	return 0;
}

static uint32_t u16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t u32(const uint8_t *p)
{
	return u16(p) | u16(p + 2) << 16;
}

/* The kind's own fields, from the same record bytes whatever the kind. */
static void kind_of(struct vtop_event *e, const uint8_t *r)
{
	uint32_t reason = r[11], flags = r[14] | (uint32_t)(r[13] & 1) << 16;
	uint64_t len = (uint64_t)u32(r + 16) << (r[20] % 24), addr = (uint64_t)u32(r + 16) << 12;

	switch (e->type) {
	case VTOP_EV_MMAP:
		e->mmap = (struct vtop_event_mmap){ .bar = r[12], .addr = addr, .len = len };
		break;
	case VTOP_EV_ZAP:
		e->zap = (struct vtop_event_zap){ .reason = reason, .bytes = len, .vmas = r[12] };
		break;
	case VTOP_EV_RESET_BEGIN:
		e->reset_begin = (struct vtop_event_reset_begin){ .reason = reason, .method = r[13] };
		break;
	case VTOP_EV_RESET:
		e->reset = (struct vtop_event_reset){ .reason = reason, .method = r[13],
						      .pci_method = r[12],
						      .wait_ns = (uint64_t)u16(r + 22) * 100000 };
		break;
	case VTOP_EV_REQUEST_BEGIN:
	case VTOP_EV_REQUEST:
		e->request.reason = reason;
		break;
	case VTOP_EV_LOCK_WAIT:
		e->lock_wait = (struct vtop_event_lock_wait){
			.flags = flags,	/* VTOP_LOCK_IN_FAULT too */
			.holder_pid = r[15] % 4 ? 400 + r[15] % 8 : 0,
			.holder_tid = 400 + r[15] % 16,
			.addr = addr,
			.nr_stack = r[24] % (VTOP_STACK_DEPTH + 1),
		};
		memcpy(e->lock_wait.holder_comm, r + 26, 6);
		for (uint32_t i = 0; i < e->lock_wait.nr_stack; i++)
			e->lock_wait.stack[i] = 0xffffffff81000000ull +
						(uint64_t)r[(i + 27) % REC_LEN] * 0x1000 + i;
		break;
	case VTOP_EV_MEM_WRITE:
		e->mem_write.enable = flags & VTOP_MEM_ENABLE;
		break;
	case VTOP_EV_RESERVE:
		e->reserve = (struct vtop_event_reserve){ .requested = r[13], .granted = r[12],
							  .addr = addr, .len = len };
		break;
	case VTOP_EV_DMABUF_EXPORT:
		e->dmabuf_export = (struct vtop_event_dmabuf_export){ .addr = addr, .len = len };
		break;
	case VTOP_EV_DMABUF_MOVE:
		e->dmabuf_move = (struct vtop_event_dmabuf_move){ .reason = reason,
								  .revoked = r[14] & 1 };
		break;
	case VTOP_EV_DMA_FAIL:
		e->dma_fail = (struct vtop_event_dma_fail){ .op = r[13], .target = r[12],
							    .vaddr = addr, .iova = len, .len = len };
		break;
	case VTOP_EV_POWER:
		e->power = (struct vtop_event_power){ .from = r[13], .to = r[12], .reason = reason };
		break;
	case VTOP_EV_REGION_FAIL:
		e->region_fail.bars = r[12];
		break;
	}
}

static struct vtop_event event_of(const uint8_t *r, uint64_t ts)
{
	static const uint32_t keys[3] = { 0x100, 0x200, 0x10308 };
	struct vtop_event e = {
		.type = 1 + r[0] % (VTOP_EV_MAX - 1),
		.dev = keys[r[1] % 3],
		.ts_ns = ts,
		/* up to 4.3 s, any ns: under, at and over the threshold */
		.dur_ns = (uint64_t)u32(r + 4) * (r[1] & 0x80 ? 1000 : 1),
		.pid = 400 + r[8] % 8,
		.tid = 400 + r[9] % 16,
		.ret = (int8_t)r[10],
		.cpu = r[21] % 4,
	};

	/* any bytes, NUL-terminated: comms are the kernel's, hostile ones included */
	memcpy(e.comm, r + 25, 7);
	kind_of(&e, r);
	return e;
}

/* The window of everything, as the tracker would hand it over, rendered and read back. */
static void render_all(const struct vtop_event *evs, size_t n, uint64_t now, uint64_t threshold,
		       bool in_progress)
{
	struct stall_window w = {
		.bdf = "0000:01:00.0", .start = n ? evs[0].ts_ns : 0, .end = now,
		.in_progress = in_progress, .threshold_ns = threshold, .events = evs, .n = n,
		.capacity = MAX_EVENTS, .mono_to_real = 1700000000ll * 1000000000ll, .now = now,
	};
	char *report = NULL, *trace = NULL, *text = stall_explain(&w);
	json_object *r, *t;
	FILE *f;

	free(text);
	if (stall_render(&w, &report, &trace))
		return;	/* -ENOMEM only */
	r = json_tokener_parse(report);
	t = json_tokener_parse(trace);
	if (!r || !t)
		abort();	/* the daemon wrote something no one can read */
	json_object_put(r);
	json_object_put(t);
	f = fopen(file, "w");
	if (f) {
		fputs(report, f);
		fclose(f);
		if (report_print(file, devnull))
			abort();	/* vfiotop report refused the daemon's own report */
	}
	free(report);
	free(trace);
}

/* Every report the tracker wrote must read back. */
static void check_written(void)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char path[400];

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (strstr(de->d_name, ".tmp"))
			abort();	/* a write left its temporary file */
		if (!strstr(de->d_name, ".trace.") && report_print(path, devnull))
			abort();
		unlink(path);
	}
	if (d)
		closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vtop_event evs[MAX_EVENTS];
	struct stall_tracker *st;
	uint64_t now = 1000000000ull, threshold;
	size_t n = 0;

	if (size < 4)
		return 0;
	threshold = (1 + data[0] % 200) * 1000000ull;
	st = stall_new(&(struct stall_config){ .threshold_ns = threshold, .dir = dir,
					       .events = 16 + data[1] % 64 });
	if (!st)
		return 0;
	for (size_t off = 4; off + REC_LEN <= size && n < MAX_EVENTS; off += REC_LEN) {
		const uint8_t *r = data + off;

		now += (uint64_t)u16(r + 2) * 1000000;
		if (r[0] == 0xff) {
			stall_tick(st, now);
			continue;
		}
		evs[n] = event_of(r, now);
		stall_event(st, &evs[n], "0000:01:00.0");
		n++;
	}
	stall_tick(st, now + 2000000000ull);	/* every stall ends: its final report */
	stall_free(st);
	check_written();
	if (data[2] & 1)
		render_all(evs, n, now, threshold, data[2] & 2);
	return 0;
}
