// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array_size.h"
#include "counters.h"
#include "dma_procs.h"
#include "owners.h"

void dma_stats_add(struct vtop_dma_stats *a, const struct vtop_dma_stats *b)
{
	static const size_t maxima[] = {
		offsetof(struct vtop_dma_stats, ns_max[VTOP_DMA_MAP]),
		offsetof(struct vtop_dma_stats, ns_max[VTOP_DMA_UNMAP]),
	};

	counters_add(a, b, sizeof(*a), maxima, ARRAY_SIZE(maxima));
}

static struct dma_proc *proc_find(struct dma_table *t, pid_t pid)
{
	for (int i = 0; i < t->n; i++)
		if (t->procs[i].pid == pid)
			return &t->procs[i];
	return NULL;
}

/* The entry for pid; a new one replaces the process read longest ago. */
static struct dma_proc *proc_slot(struct dma_table *t, pid_t pid)
{
	struct dma_proc *oldest = proc_find(t, pid);

	if (oldest)
		return oldest;
	if (t->n < DMA_MAX_PROCS) {
		oldest = &t->procs[t->n++];
	} else {
		oldest = &t->procs[0];
		for (int i = 1; i < t->n; i++)
			if (t->procs[i].seen < oldest->seen)
				oldest = &t->procs[i];
	}
	memset(oldest, 0, sizeof(*oldest));
	oldest->pid = pid;
	oldest->seen = t->refreshes;
	return oldest;
}

void dma_table_apply_event(struct dma_table *t, const struct vtop_event *e)
{
	struct dma_failure f = { 0 };
	struct dma_proc *p;

	if (e->type != VTOP_EV_DMA_FAIL)
		return;
	f.ts_ns = e->ts_ns;
	f.pid = e->pid;
	memcpy(f.comm, e->comm, sizeof(f.comm));
	f.comm[sizeof(f.comm) - 1] = '\0';
	f.op = e->dma_fail.op;
	f.target = e->dma_fail.target;
	f.err = e->ret < 0 ? 0u - (unsigned int)e->ret : (unsigned int)e->ret;
	f.vaddr = e->dma_fail.vaddr;
	f.iova = e->dma_fail.iova;
	f.size = e->dma_fail.len;
	f.dev = e->dev;
	f.has_dev = e->dev != 0;
	f.dur_ns = e->dur_ns;
	t->last_failure = f;
	p = proc_slot(t, e->pid);
	p->last_failure = f;
	if (!p->bpf.comm[0])
		memcpy(p->bpf.comm, f.comm, sizeof(f.comm));
}

static void proc_seen(struct dma_table *t, __u32 pid, const struct vtop_dma_proc *v)
{
	struct dma_proc *p = proc_slot(t, pid);

	p->bpf = *v;
	p->bpf.comm[VTOP_COMM_LEN - 1] = '\0';
	p->seen = t->refreshes;
}

/* what newer_first() compares: qsort() passes it no context */
static const struct vtop_dma_proc *sort_procs;

static __u64 last_active(const struct vtop_dma_proc *p)
{
	__u64 t = p->first_open_ns;

	if (p->first_map_ns > t)
		t = p->first_map_ns;
	return p->last_map_end_ns > t ? p->last_map_end_ns : t;
}

static int newer_first(const void *a, const void *b)
{
	__u64 ta = last_active(&sort_procs[*(const __u32 *)a]);
	__u64 tb = last_active(&sort_procs[*(const __u32 *)b]);

	return ta < tb ? 1 : ta > tb ? -1 : 0;
}

void dma_table_refresh(struct dma_table *t, const __u32 *pids, const struct vtop_dma_proc *procs,
		       uint32_t n, const struct vtop_dma_stats *live, const char *proc)
{
	static __u32 order[VTOP_MAX_DMA_PROCS];
	__u32 keep;

	if (n > VTOP_MAX_DMA_PROCS)	/* as many as the BPF map holds: order[]'s size */
		n = VTOP_MAX_DMA_PROCS;
	keep = n;

	t->refreshes++;
	t->totals = t->base;
	if (live)
		dma_stats_add(&t->totals, live);
	/*
	 * The map keeps more processes than the table: the table keeps the
	 * ones active last. Taking them in map order instead would evict and
	 * re-add (and look up in /proc) most of them at every refresh.
	 */
	for (__u32 i = 0; i < n; i++)
		order[i] = i;
	if (n > DMA_MAX_PROCS) {
		sort_procs = procs;
		qsort(order, n, sizeof(order[0]), newer_first);
		keep = DMA_MAX_PROCS;
	}
	/*
	 * Those already in the table first, in place: a newcomer then evicts
	 * only a process no longer kept, never one still to be read this time
	 */
	for (__u32 i = 0; i < keep; i++)
		if (proc_find(t, pids[order[i]]))
			proc_seen(t, pids[order[i]], &procs[order[i]]);
	for (__u32 i = 0; i < keep; i++)
		if (!proc_find(t, pids[order[i]]))
			proc_seen(t, pids[order[i]], &procs[order[i]]);
	/*
	 * a process found gone stays gone: its pid is not looked up again. Its
	 * comm is a thread's (the one that mapped), /proc says the process's:
	 * only the pid is compared
	 */
	for (int i = 0; i < t->n; i++)
		if (t->procs[i].alive || !t->procs[i].checked) {
			t->procs[i].alive = pid_alive(proc, t->procs[i].pid, "");
			t->procs[i].checked = true;
			if (t->procs[i].alive && !t->procs[i].vm.read)
				vm_ident_read(&t->procs[i].vm, proc, t->procs[i].pid);
			else if (t->procs[i].alive)
				vm_ident_poll(&t->procs[i].vm, t->procs[i].pid);
		}
}

const char *dma_table_vm(const struct dma_table *t, pid_t pid)
{
	for (int i = 0; i < t->n; i++)
		if (t->procs[i].pid == pid && t->procs[i].vm.name[0])
			return t->procs[i].vm.name;
	return NULL;
}

void dma_table_keep_totals(struct dma_table *t)
{
	t->base = t->totals;
}
