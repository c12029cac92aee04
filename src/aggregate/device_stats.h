/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A device's counters as vfiotopd adds them up from the two maps the BPF
 * side keeps (vfiotop.h): the fault path's, summed over CPUs and widened
 * to 64 bits, and the rest as the device's shared entry holds them.
 */
#ifndef VFIOTOP_DEVICE_STATS_H
#define VFIOTOP_DEVICE_STATS_H

#include "vfiotop.h"

struct device_stats {
	__u64 faults;
	__u64 faults_by_origin[VTOP_ORIGIN_MAX];
	__u64 faults_by_result[VTOP_FRES_MAX];
	__u64 faults_by_order[VTOP_FORDER_MAX];
	__u64 fault_hist[VTOP_HIST_SLOTS];	/* log2(ns), as histogram.h reads them */
	__u64 fault_ns_sum;
	__u64 fault_ns_max;
	__u64 faults_found_mapped;
	__u64 pages[VTOP_PSIZE_MAX];
	__u64 memtype_lookups;
	__u64 memtype_by_mode[VTOP_MODE_MAX];
	/* the device's vectors' counts (vec_stats), summed by index */
	__u64 irq_interrupts[VTOP_IRQ_INDEX_MAX];
	__u64 irq_unhandled;
	__u64 intx_unmasks;
	__u64 intx_masked_ns;
	__u64 irq_reads;		/* eventfd reads that took interrupts, */
	__u64 irq_wait_ns;		/* the time those waited, */
	__u64 irq_wait_max_ns;		/* the longest, */
	__u64 delivery_hist[VTOP_HIST_SLOTS];	/* and the waits, as fault_hist */
	__u64 access_hist[VTOP_HIST_SLOTS];	/* trapped accesses', as fault_hist */
	struct vtop_dev_rare rare;	/* its hot_carry folded in above, then 0 */
};

/* Adds b into a: counters add, maxima take the max. */
void stats_add(struct device_stats *a, const struct device_stats *b);

/* A device's totals from its ncpus hot entries (dev_hot) and its shared one. */
void stats_compose(struct device_stats *out, const struct vtop_dev_hot *percpu, int ncpus,
		   const struct vtop_dev_rare *rare);

#endif
