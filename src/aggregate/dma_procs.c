// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/bpf.h>
#include <stddef.h>
#include <stdio.h>
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

/* The entry for pid; a new one replaces the process read longest ago. */
static struct dma_proc *proc_slot(struct dma_table *t, pid_t pid)
{
	struct dma_proc *oldest = NULL;

	for (int i = 0; i < t->n; i++)
		if (t->procs[i].pid == pid)
			return &t->procs[i];
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
	f.op = e->method;
	f.target = e->flags;
	f.err = e->ret < 0 ? 0u - (unsigned int)e->ret : (unsigned int)e->ret;
	f.vaddr = e->addr;
	f.iova = e->iova;
	f.size = e->len;
	f.dev = e->dev;
	f.has_dev = e->dev != 0;
	f.dur_ns = e->dur_ns;
	t->last_failure = f;
	p = proc_slot(t, e->pid);
	p->last_failure = f;
	if (!p->bpf.comm[0])
		memcpy(p->bpf.comm, f.comm, sizeof(f.comm));
}

void dma_table_refresh(struct dma_table *t, int procs_fd, const struct vtop_dma_stats *live,
		       const char *proc)
{
	__u32 key, next, *prev = NULL;
	struct vtop_dma_proc v;

	t->refreshes++;
	t->totals = t->base;
	if (live)
		dma_stats_add(&t->totals, live);
	while (procs_fd >= 0 && bpf_map_get_next_key(procs_fd, prev, &next) == 0) {
		struct dma_proc *p;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(procs_fd, &key, &v))
			continue;
		p = proc_slot(t, key);
		p->bpf = v;
		p->bpf.comm[VTOP_COMM_LEN - 1] = '\0';
		p->seen = t->refreshes;
	}
	/*
	 * a process found gone stays gone: its pid is not looked up again. Its
	 * comm is a thread's (the one that mapped), /proc says the process's:
	 * only the pid is compared
	 */
	for (int i = 0; i < t->n; i++)
		if (t->procs[i].alive || !t->procs[i].checked) {
			t->procs[i].alive = pid_alive(proc, t->procs[i].pid, "");
			t->procs[i].checked = true;
		}
}

void dma_table_keep_totals(struct dma_table *t)
{
	t->base = t->totals;
}
