// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include <string.h>

#include "array_size.h"
#include "counters.h"
#include "device_stats.h"

void stats_add(struct device_stats *a, const struct device_stats *b)
{
	static const size_t maxima[] = {
		offsetof(struct device_stats, fault_ns_max),
		offsetof(struct device_stats, rare.reset_ns_max),
		offsetof(struct device_stats, rare.reset_wait_ns_max),
		offsetof(struct device_stats, rare.dmabuf_move_ns_max),
		offsetof(struct device_stats, rare.dma_map_ns_max),
		offsetof(struct device_stats, rare.irq_set_ns_max),
		offsetof(struct device_stats, rare.irq_vectors_max),
		offsetof(struct device_stats, rare.access_ns_max),
		offsetof(struct device_stats, irq_wait_max_ns),
		/* not counts: the vectors requested now, the INTx vector's slot */
		offsetof(struct device_stats, rare.irq_vectors_active),
		offsetof(struct device_stats, rare.intx_vec),
		/* not a count: the mode of the device's reservations */
		offsetof(struct device_stats, rare.memtype_reserved),
	};

	counters_add(a, b, sizeof(*a), maxima, ARRAY_SIZE(maxima));
}

/* count i of the hot entries: the sum over CPUs, and what their wraps carried */
static __u64 hot_total(const struct vtop_dev_hot *percpu, int ncpus,
		       const struct vtop_dev_rare *rare, unsigned int i)
{
	__u64 n = (__u64)rare->hot_carry[i] << 32;

	for (int c = 0; c < ncpus; c++)
		n += percpu[c].count[i];
	return n;
}

/* out[k] = count first + k, for k < n */
static void hot_totals(__u64 *out, unsigned int n, const struct vtop_dev_hot *percpu, int ncpus,
		       const struct vtop_dev_rare *rare, unsigned int first)
{
	for (unsigned int k = 0; k < n; k++)
		out[k] = hot_total(percpu, ncpus, rare, first + k);
}

void stats_compose(struct device_stats *out, const struct vtop_dev_hot *percpu, int ncpus,
		   const struct vtop_dev_rare *rare)
{
	__u64 hist[VTOP_FAULT_HIST_SLOTS];

	memset(out, 0, sizeof(*out));
	hot_totals(out->faults_by_origin, VTOP_ORIGIN_MAX, percpu, ncpus, rare, VTOP_HOT_ORIGIN);
	hot_totals(out->faults_by_result, VTOP_FRES_MAX, percpu, ncpus, rare, VTOP_HOT_RESULT);
	hot_totals(out->faults_by_order, VTOP_FORDER_MAX, percpu, ncpus, rare, VTOP_HOT_ORDER);
	hot_totals(out->pages, VTOP_PSIZE_MAX, percpu, ncpus, rare, VTOP_HOT_PAGES);
	hot_totals(out->memtype_by_mode, VTOP_MODE_MAX, percpu, ncpus, rare,
		   VTOP_HOT_MEMTYPE_MODE);
	hot_totals(hist, VTOP_FAULT_HIST_SLOTS, percpu, ncpus, rare, VTOP_HOT_HIST);
	out->faults_found_mapped = hot_total(percpu, ncpus, rare, VTOP_HOT_FOUND_MAPPED);
	out->memtype_lookups = hot_total(percpu, ncpus, rare, VTOP_HOT_MEMTYPE_LOOKUPS);
	for (unsigned int i = 0; i < VTOP_ORIGIN_MAX; i++)
		out->faults += out->faults_by_origin[i];
	/* the hot slots are log2 slots shifted; the first and last also hold what is beyond */
	for (unsigned int k = 0; k < VTOP_FAULT_HIST_SLOTS; k++)
		out->fault_hist[k + VTOP_FAULT_HIST_SHIFT] = hist[k];
	for (int c = 0; c < ncpus; c++) {
		out->fault_ns_sum += percpu[c].fault_ns_sum;
		if (percpu[c].fault_ns_max > out->fault_ns_max)
			out->fault_ns_max = percpu[c].fault_ns_max;
	}
	out->rare = *rare;
	memset(out->rare.hot_carry, 0, sizeof(out->rare.hot_carry));
	for (unsigned int k = 0; k < VTOP_ACCESS_HIST_SLOTS; k++)
		out->access_hist[k + VTOP_ACCESS_HIST_SHIFT] = rare->access_hist[k];
	for (unsigned int k = 0; k < VTOP_DELIVERY_HIST_SLOTS; k++)
		out->delivery_hist[k + VTOP_DELIVERY_HIST_SHIFT] = rare->delivery_hist[k];
}
