/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * DMA maps per process: what the BPF side counts per tgid (dma_procs) and
 * for every process (dma_totals), and the failures the ring buffer told,
 * with the range that failed. Processes are kept after they exit, marked
 * so, until DMA_MAX_PROCS newer ones push the oldest out.
 */
#ifndef VFIOTOP_DMA_PROCS_H
#define VFIOTOP_DMA_PROCS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"
#include "vm_ident.h"

#define DMA_MAX_PROCS 64

struct dma_failure {
	uint64_t ts_ns;		/* bpf_ktime_get_ns(): 0 if none */
	pid_t pid;
	char comm[VTOP_COMM_LEN];
	uint32_t op;		/* enum vtop_dma_op */
	uint32_t target;	/* enum vtop_dma_target */
	int err;		/* positive errno */
	uint64_t vaddr, iova, size;
	uint32_t dev;		/* the BAR's device key, when has_dev */
	bool has_dev;
	uint64_t dur_ns;
};

struct dma_proc {
	pid_t pid;
	bool alive;
	bool checked;		/* alive was looked up since it came */
	uint64_t seen;		/* the refresh it was last read in */
	struct vtop_dma_proc bpf;
	struct dma_failure last_failure;
	struct vm_ident vm;	/* read once, when it is first found alive */
};

struct dma_table {
	struct vtop_dma_stats totals;	/* base + the live .bss */
	struct vtop_dma_stats base;	/* kept from earlier attachments */
	struct dma_proc procs[DMA_MAX_PROCS];
	int n;
	uint64_t refreshes;
	struct dma_failure last_failure;
};

/* A VTOP_EV_DMA_FAIL event; other events are ignored. */
void dma_table_apply_event(struct dma_table *t, const struct vtop_event *e);
/*
 * Takes the BPF per-process map as read (n processes: pids[i]'s counters
 * in procs[i]) and the live totals (NULL: none); proc is /proc.
 */
void dma_table_refresh(struct dma_table *t, const __u32 *pids, const struct vtop_dma_proc *procs,
		       uint32_t n, const struct vtop_dma_stats *live, const char *proc);
/* The VM name of pid as a DMA process; NULL when unknown. */
const char *dma_table_vm(const struct dma_table *t, pid_t pid);
/* The live totals are going away with their maps: keep them in base. */
void dma_table_keep_totals(struct dma_table *t);
void dma_stats_add(struct vtop_dma_stats *a, const struct vtop_dma_stats *b);

#endif
