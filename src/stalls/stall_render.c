// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A stall's report and Chrome trace-event file, from recorded events. */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "names.h"
#include "stall.h"

static void fmt_dur(char *buf, size_t len, uint64_t ns)
{
	if (ns >= 1000000000ull)
		snprintf(buf, len, "%.2f s", ns / 1e9);
	else if (ns >= 1000000)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else
		snprintf(buf, len, "%" PRIu64 " us", ns / 1000);
}

static void comm_of(const char *src, char *dst)
{
	memcpy(dst, src, VTOP_COMM_LEN);
	dst[VTOP_COMM_LEN - 1] = '\0';
}

static const char *vm_of(const struct stall_window *w, uint32_t pid)
{
	const char *vm = w->vm_of ? w->vm_of(pid, w->vm_ctx) : NULL;

	return vm ? vm : "";
}

/* "workload", or "qemu-system-x86, VM gpu-vm-01": the task as an operator knows it */
static void who(const struct stall_window *w, uint32_t pid, const char *comm, char *out,
		size_t len)
{
	const char *vm = vm_of(w, pid);

	snprintf(out, len, *vm ? "%.*s, VM %s" : "%.*s", VTOP_COMM_LEN - 1, comm, vm);
}

static const char *request_name(unsigned int op)
{
	return op == VTOP_OP_HOT_RESET ? "VFIO_DEVICE_PCI_HOT_RESET" : "VFIO_DEVICE_RESET";
}

static void describe_reset(const struct vtop_event_reset *r, char *buf, size_t len)
{
	/* "function reset by flr (reset, waited 120.0 ms for the device)" */
	snprintf(buf, len, "%s reset%s%s (%s", r->method == VTOP_RESET_BUS ? "bus" : "function",
		 r->pci_method ? " by " : "", r->pci_method ? pci_reset_name(r->pci_method) : "",
		 op_name(r->reason));
	if (r->wait_ns)
		snprintf(buf + strlen(buf), len - strlen(buf),
			 ", waited %.1f ms for the device", r->wait_ns / 1e6);
	snprintf(buf + strlen(buf), len - strlen(buf), ")");
}

static void describe_reserve(const struct vtop_event_reserve *r, int ret, char *buf, size_t len)
{
	snprintf(buf, len, "memtype reserve %" PRIu64 " KiB %s", (uint64_t)r->len >> 10,
		 cache_mode_name(r->requested));
	if (ret)
		snprintf(buf + strlen(buf), len - strlen(buf), " failed (%d)", ret);
	else if (r->granted != r->requested)
		snprintf(buf + strlen(buf), len - strlen(buf), ", got %s (conflict)",
			 cache_mode_name(r->granted));
}

/* "SET_IRQS msix 0-3", "SET_IRQS msi off", "... failed (-22)" */
static void describe_irq_set(const struct vtop_event_irq_set *s, int ret, char *buf, size_t len)
{
	if (!s->count)
		snprintf(buf, len, "SET_IRQS %s off", irq_index_name(s->index));
	else if (s->count == 1)
		snprintf(buf, len, "SET_IRQS %s %u", irq_index_name(s->index), s->start);
	else
		snprintf(buf, len, "SET_IRQS %s %u-%u", irq_index_name(s->index), s->start,
			 s->start + s->count - 1);
	if (ret)
		snprintf(buf + strlen(buf), len - strlen(buf), " failed (%d)", ret);
}

/* "zap (mem_disable)", "function reset (hot_reset)", "VFIO_DEVICE_RESET" */
static void describe(const struct vtop_event *e, char *buf, size_t len)
{
	switch (e->type) {
	case VTOP_EV_REQUEST:
	case VTOP_EV_REQUEST_BEGIN:
		snprintf(buf, len, "%s", request_name(e->request.reason));
		break;
	case VTOP_EV_RESET_BEGIN:
		snprintf(buf, len, "%s reset (%s)",
			 e->reset_begin.method == VTOP_RESET_BUS ? "bus" : "function",
			 op_name(e->reset_begin.reason));
		break;
	case VTOP_EV_RESET:
		describe_reset(&e->reset, buf, len);
		break;
	case VTOP_EV_POWER:
		snprintf(buf, len, "power %s -> %s (%s%s)", power_state_name(e->power.from),
			 power_state_name(e->power.to), op_name(e->power.reason),
			 e->ret < 0 ? ", failed" : "");
		break;
	case VTOP_EV_ZAP:
		snprintf(buf, len, "zap (%s)", op_name(e->zap.reason));
		break;
	case VTOP_EV_DMABUF_MOVE:
		snprintf(buf, len, "dma-buf %s (%s)", e->dmabuf_move.revoked ? "revoke" : "restore",
			 op_name(e->dmabuf_move.reason));
		break;
	case VTOP_EV_RESERVE:
		describe_reserve(&e->reserve, e->ret, buf, len);
		break;
	case VTOP_EV_REGION_FAIL:
		snprintf(buf, len, "BAR region request 0x%x failed (%d)", e->region_fail.bars,
			 e->ret);
		break;
	case VTOP_EV_DMABUF_EXPORT:
		snprintf(buf, len, "dma-buf export %" PRIu64 " KiB (ret %d)",
			 (uint64_t)e->dmabuf_export.len >> 10, e->ret);
		break;
	case VTOP_EV_LOCK_WAIT:
		snprintf(buf, len, "memory_lock %s wait%s",
			 e->lock_wait.flags & VTOP_LOCK_WRITE ? "write" : "read",
			 e->lock_wait.flags & VTOP_LOCK_IN_FAULT ? " (fault)" : "");
		break;
	case VTOP_EV_MMAP:
		snprintf(buf, len, "mmap BAR %u", e->mmap.bar);
		break;
	case VTOP_EV_MEM_WRITE:
		snprintf(buf, len, "memory %s (PCI_COMMAND write)",
			 e->mem_write.enable ? "enable" : "disable");
		break;
	case VTOP_EV_OPEN:
		snprintf(buf, len, "device open");
		break;
	case VTOP_EV_IRQ_SET:
		describe_irq_set(&e->irq_set, e->ret, buf, len);
		break;
	case VTOP_EV_INTX_UNMASK:
		snprintf(buf, len, "INTx unmask (masked since the interrupt)");
		break;
	default:
		snprintf(buf, len, "event %u", e->type);
	}
}

/* a begin event whose end is not in the window: still running at w->now */
static bool still_running(const struct stall_window *w, size_t i)
{
	const struct vtop_event *b = &w->events[i];
	unsigned int end = b->type == VTOP_EV_REQUEST_BEGIN ? VTOP_EV_REQUEST : VTOP_EV_RESET;

	if (b->type != VTOP_EV_REQUEST_BEGIN && b->type != VTOP_EV_RESET_BEGIN)
		return false;
	for (size_t j = i + 1; j < w->n; j++)
		if (w->events[j].type == end && w->events[j].tid == b->tid)
			return false;
	return w->in_progress;
}

/* An operation of the window: a finished one, or one still running. */
struct op {
	const struct vtop_event *e;
	uint64_t begin, dur;
	bool running;
};

static bool op_at(const struct stall_window *w, size_t i, struct op *op)
{
	const struct vtop_event *e = &w->events[i];

	op->e = e;
	op->running = still_running(w, i);
	if (op->running) {
		op->begin = e->ts_ns;
		op->dur = w->now > e->ts_ns ? w->now - e->ts_ns : 0;
		return true;
	}
	if (e->type != VTOP_EV_REQUEST && e->type != VTOP_EV_RESET && e->type != VTOP_EV_ZAP &&
	    e->type != VTOP_EV_LOCK_WAIT && e->type != VTOP_EV_DMABUF_MOVE &&
	    e->type != VTOP_EV_IRQ_SET && e->type != VTOP_EV_INTX_UNMASK)
		return false;
	op->begin = e->ts_ns - e->dur_ns;
	op->dur = e->dur_ns;
	return true;
}

/*
 * rank of what explains a stall best: a request, then a reset, a zap, a
 * wait; 0 for the steps that are context, never the stall (interrupt
 * set-ups, INTx masked while the guest handled it)
 */
static int rank(const struct op *op)
{
	switch (op->e->type) {
	case VTOP_EV_IRQ_SET:
	case VTOP_EV_INTX_UNMASK:
		return 0;
	case VTOP_EV_REQUEST:
	case VTOP_EV_REQUEST_BEGIN:
		return 4;
	case VTOP_EV_RESET:
	case VTOP_EV_RESET_BEGIN:
		return 3;
	case VTOP_EV_ZAP:
	case VTOP_EV_DMABUF_MOVE:	/* a zap step */
		return 2;
	default:
		return 1;
	}
}

static bool main_op(const struct stall_window *w, struct op *best)
{
	bool found = false;
	struct op op;

	for (size_t i = 0; i < w->n; i++) {
		if (!op_at(w, i, &op) || op.dur < w->threshold_ns || !rank(&op))
			continue;
		if (!found || rank(&op) > rank(best) ||
		    (rank(&op) == rank(best) && op.dur > best->dur)) {
			*best = op;
			found = true;
		}
	}
	return found;
}

struct waiter {
	uint32_t pid, holder;
	char comm[VTOP_COMM_LEN], holder_comm[VTOP_COMM_LEN];
	unsigned int count, in_fault;
	uint64_t max, total;
};

#define MAX_WAITERS 16

static size_t group_waits(const struct stall_window *w, struct waiter *out)
{
	size_t n = 0;

	for (size_t i = 0; i < w->n; i++) {
		const struct vtop_event *e = &w->events[i];
		struct waiter *g = NULL;

		if (e->type != VTOP_EV_LOCK_WAIT)
			continue;
		for (size_t j = 0; j < n && !g; j++)
			if (out[j].pid == e->pid && out[j].holder == e->lock_wait.holder_pid)
				g = &out[j];
		if (!g) {
			if (n == MAX_WAITERS)
				continue;
			g = &out[n++];
			memset(g, 0, sizeof(*g));
			g->pid = e->pid;
			g->holder = e->lock_wait.holder_pid;
			comm_of(e->comm, g->comm);
			comm_of(e->lock_wait.holder_comm, g->holder_comm);
		}
		g->count++;
		g->in_fault += !!(e->lock_wait.flags & VTOP_LOCK_IN_FAULT);
		g->total += e->dur_ns;
		if (e->dur_ns > g->max)
			g->max = e->dur_ns;
	}
	return n;
}

/*
 * vfio-pci takes memory_lock to write as it zaps for a reset or a memory
 * disable, and releases it just before returning: the hold is estimated from
 * the operation's first zap to its end, without a hook on up_write.
 */
static uint64_t hold_ns(const struct stall_window *w, const struct op *op)
{
	for (size_t i = 0; i < w->n; i++) {
		const struct vtop_event *z = &w->events[i];

		if (z->type == VTOP_EV_ZAP && z->tid == op->e->tid &&
		    z->ts_ns - z->dur_ns >= op->begin && z->ts_ns <= op->begin + op->dur)
			return op->begin + op->dur - (z->ts_ns - z->dur_ns);
	}
	return 0;
}

/*
 * 7.x revokes a device's DMA-BUFs at every zap and waits, without bound, for
 * their importers' fences: name it when that is where the time went.
 */
static void dmabuf_wait(const struct stall_window *w, const struct op *op, FILE *f)
{
	char d[32];

	for (size_t i = 0; i < w->n; i++) {
		const struct vtop_event *m = &w->events[i];

		if (m->type != VTOP_EV_DMABUF_MOVE || m->dur_ns < w->threshold_ns ||
		    m->tid != op->e->tid || m->ts_ns - m->dur_ns < op->begin ||
		    m->ts_ns > op->begin + op->dur)
			continue;
		fmt_dur(d, sizeof(d), m->dur_ns);
		fprintf(f, "; %s the device's DMA-BUFs took %s, waiting for their importers",
			m->dmabuf_move.revoked ? "revoking" : "restoring", d);
		return;
	}
}

char *stall_explain(const struct stall_window *w)
{
	struct waiter g[MAX_WAITERS];
	char *buf = NULL, name[64], d1[32], d2[32], comm[VTOP_COMM_LEN + 80];
	size_t len = 0, ng;
	struct op op;
	FILE *f = open_memstream(&buf, &len);
	bool first = true;

	if (!f)
		return NULL;
	if (main_op(w, &op)) {
		describe(op.e, name, sizeof(name));
		who(w, op.e->pid, op.e->comm, comm, sizeof(comm));
		fmt_dur(d1, sizeof(d1), op.dur);
		if (op.running)
			fprintf(f, "%s of %s by pid %u (%s) has been running for %s and has not "
				"returned", name, w->bdf, op.e->pid, comm, d1);
		else
			fprintf(f, "%s of %s by pid %u (%s) took %s", name, w->bdf, op.e->pid, comm,
				d1);
		/* what the same task did inside it */
		for (size_t i = 0; i < w->n; i++) {
			struct op in;

			if (!op_at(w, i, &in) || in.e == op.e || in.e->tid != op.e->tid ||
			    in.e->type == VTOP_EV_LOCK_WAIT || in.begin < op.begin ||
			    in.begin > op.begin + op.dur)
				continue;
			describe(in.e, name, sizeof(name));
			fmt_dur(d1, sizeof(d1), in.dur);
			fprintf(f, "%s%s %s%s", first ? ": " : ", ", name, d1,
				in.running ? " so far" : "");
			first = false;
		}
		dmabuf_wait(w, &op, f);
		if (rank(&op) >= 3 && hold_ns(w, &op)) {
			fmt_dur(d1, sizeof(d1), hold_ns(w, &op));
			fprintf(f, "; it held memory_lock for about %s%s", d1,
				op.running ? " so far" : "");
		}
	} else {
		fmt_dur(d1, sizeof(d1), w->end - w->start);
		fprintf(f, "%s stalled for %s", w->bdf, d1);
	}
	ng = group_waits(w, g);
	for (size_t i = 0; i < ng; i++) {
		fmt_dur(d1, sizeof(d1), g[i].max);
		fmt_dur(d2, sizeof(d2), g[i].total);
		who(w, g[i].pid, g[i].comm, comm, sizeof(comm));
		fprintf(f, "; %u %s from pid %u (%s) waited up to %s (%s in all) for memory_lock",
			g[i].count, g[i].in_fault == g[i].count ? (g[i].count == 1 ? "fault" : "faults") :
			g[i].count == 1 ? "task" : "tasks", g[i].pid, comm, d1, d2);
		who(w, g[i].holder, g[i].holder_comm, comm, sizeof(comm));
		if (g[i].holder)
			fprintf(f, " held by pid %u (%s)", g[i].holder, comm);
		else
			fprintf(f, " held by readers");
	}
	fputc('.', f);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void lock_wait_json(json_object *o, const struct vtop_event_lock_wait *lw)
{
	json_object *st = json_object_new_array();
	char addr[24], comm[VTOP_COMM_LEN];

	json_object_object_add(o, "mode", json_object_new_string(
			       lw->flags & VTOP_LOCK_WRITE ? "write" : "read"));
	json_object_object_add(o, "in_fault",
			       json_object_new_boolean(lw->flags & VTOP_LOCK_IN_FAULT));
	add_u64(o, "holder_pid", lw->holder_pid);
	add_u64(o, "holder_tid", lw->holder_tid);
	comm_of(lw->holder_comm, comm);
	json_object_object_add(o, "holder_comm", json_string_utf8(comm));
	for (uint32_t i = 0; i < lw->nr_stack && i < VTOP_STACK_DEPTH; i++) {
		snprintf(addr, sizeof(addr), "0x%" PRIx64, (uint64_t)lw->stack[i]);
		json_object_array_add(st, json_object_new_string(addr));
	}
	json_object_object_add(o, "stack", st);
}

static json_object *event_json(const struct stall_window *w, const struct op *op)
{
	json_object *o = json_object_new_object();
	const struct vtop_event *e = op->e;
	char name[128], comm[VTOP_COMM_LEN];

	describe(e, name, sizeof(name));
	comm_of(e->comm, comm);
	json_object_object_add(o, "what", json_object_new_string(name));
	add_u64(o, "start_ns", op->begin + w->mono_to_real);
	add_u64(o, "dur_ns", op->dur);
	json_object_object_add(o, "in_progress", json_object_new_boolean(op->running));
	add_u64(o, "pid", e->pid);
	add_u64(o, "tid", e->tid);
	json_object_object_add(o, "comm", json_string_utf8(comm));
	json_object_object_add(o, "vm", json_string_utf8(vm_of(w, e->pid)));
	add_u64(o, "cpu", e->cpu);
	if (!op->running && e->type != VTOP_EV_LOCK_WAIT)
		json_object_object_add(o, "ret", json_object_new_int(e->ret));
	if (e->type == VTOP_EV_ZAP) {
		add_u64(o, "bytes", e->zap.bytes);
		add_u64(o, "vmas", e->zap.vmas);
	}
	if (e->type == VTOP_EV_LOCK_WAIT)
		lock_wait_json(o, &e->lock_wait);
	return o;
}

static json_object *trace_event(const struct stall_window *w, const struct op *op, uint64_t t0)
{
	json_object *o = json_object_new_object(), *args = event_json(w, op);
	char name[128];

	describe(op->e, name, sizeof(name));
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "cat", json_object_new_string(
			       op->e->type == VTOP_EV_LOCK_WAIT ? "memory_lock" : "vfio"));
	json_object_object_add(o, "ph", json_object_new_string("X"));
	json_object_object_add(o, "ts", json_object_new_double((op->begin - t0) / 1e3));
	json_object_object_add(o, "dur", json_object_new_double(op->dur / 1e3));
	add_u64(o, "pid", op->e->pid);
	add_u64(o, "tid", op->e->tid);
	json_object_object_add(o, "args", args);
	return o;
}

static void thread_names(json_object *evs, const struct stall_window *w)
{
	for (size_t i = 0; i < w->n; i++) {
		const struct vtop_event *e = &w->events[i];
		json_object *m, *args;
		char comm[VTOP_COMM_LEN];
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = w->events[j].tid == e->tid;
		if (seen)
			continue;
		comm_of(e->comm, comm);
		m = json_object_new_object();
		args = json_object_new_object();
		json_object_object_add(args, "name", json_string_utf8(comm));
		json_object_object_add(m, "name", json_object_new_string("thread_name"));
		json_object_object_add(m, "ph", json_object_new_string("M"));
		add_u64(m, "pid", e->pid);
		add_u64(m, "tid", e->tid);
		json_object_object_add(m, "args", args);
		json_object_array_add(evs, m);
	}
}

/* stack addresses mean something only in the boot that recorded them */
static const char *boot_id(void)
{
	static char id[40];
	FILE *f;

	if (id[0])
		return id;
	f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (!f || !fgets(id, sizeof(id), f))
		snprintf(id, sizeof(id), "unknown");
	id[strcspn(id, "\n")] = '\0';
	if (f)
		fclose(f);
	return id;
}

int stall_render(const struct stall_window *w, char **report, char **trace)
{
	json_object *r = json_object_new_object(), *t = json_object_new_object();
	json_object *ops = json_object_new_array(), *waits = json_object_new_array();
	json_object *evs = json_object_new_array(), *other = json_object_new_object();
	json_object *rec = json_object_new_object();
	uint64_t t0 = w->start > 100000000ull ? w->start - 100000000ull : 0;
	char *why = stall_explain(w);
	struct op op;
	bool have_main = main_op(w, &op);
	int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE;

	t0 = w->n && w->events[0].ts_ns - w->events[0].dur_ns < t0 ?
	     w->events[0].ts_ns - w->events[0].dur_ns : t0;
	json_object_object_add(r, "report_version", json_object_new_int(1));
	json_object_object_add(r, "boot_id", json_object_new_string(boot_id()));
	json_object_object_add(r, "bdf", json_object_new_string(w->bdf));
	json_object_object_add(r, "in_progress", json_object_new_boolean(w->in_progress));
	add_u64(r, "threshold_ns", w->threshold_ns);
	add_u64(r, "start_ns", w->start + w->mono_to_real);
	add_u64(r, "end_ns", (w->in_progress ? w->now : w->end) + w->mono_to_real);
	add_u64(r, "duration_ns", (w->in_progress ? w->now : w->end) - w->start);
	json_object_object_add(r, "explanation", json_string_utf8(why ? why : ""));
	if (have_main) {
		json_object_object_add(r, "stalled", event_json(w, &op));
		add_u64(r, "memory_lock_held_ns", rank(&op) >= 3 ? hold_ns(w, &op) : 0);
	}
	for (size_t i = 0; i < w->n; i++) {
		struct op o;

		if (!op_at(w, i, &o)) {
			/* instants: mmaps, and begins whose end is in the window */
			if (w->events[i].type == VTOP_EV_MMAP ||
			    w->events[i].type == VTOP_EV_MEM_WRITE) {
				o = (struct op){ .e = &w->events[i], .begin = w->events[i].ts_ns };
				json_object_array_add(ops, event_json(w, &o));
				json_object_array_add(evs, trace_event(w, &o, t0));
			}
			continue;
		}
		json_object_array_add(o.e->type == VTOP_EV_LOCK_WAIT ? waits : ops,
				      event_json(w, &o));
		json_object_array_add(evs, trace_event(w, &o, t0));
	}
	json_object_object_add(r, "operations", ops);
	json_object_object_add(r, "waits", waits);
	add_u64(rec, "capacity", w->capacity);
	add_u64(rec, "overwritten", w->overwritten);
	add_u64(rec, "in_window", w->n);
	json_object_object_add(r, "recorder", rec);

	thread_names(evs, w);
	json_object_object_add(t, "traceEvents", evs);
	json_object_object_add(t, "displayTimeUnit", json_object_new_string("ms"));
	json_object_object_add(other, "bdf", json_object_new_string(w->bdf));
	json_object_object_add(other, "explanation", json_string_utf8(why ? why : ""));
	add_u64(other, "t0_ns", t0 + w->mono_to_real);
	json_object_object_add(t, "otherData", other);

	*report = strdup(json_object_to_json_string_ext(r, flags));
	*trace = strdup(json_object_to_json_string_ext(t, JSON_C_TO_STRING_PLAIN));
	json_object_put(r);
	json_object_put(t);
	free(why);
	if (!*report || !*trace) {
		free(*report);
		free(*trace);
		return -ENOMEM;
	}
	return 0;
}
