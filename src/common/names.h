/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The names of the contract's enums (include/vfiotop.h), as JSON, /metrics,
 * reports and the live view show them: "mem_disable", "uc-", "flr", "D3hot".
 * One table per enum; the outputs name an array's entries through key sets.
 */
#ifndef VFIOTOP_NAMES_H
#define VFIOTOP_NAMES_H

#include <stddef.h>

#include "vfiotop.h"

/* enum vtop_op: a zap's reason, a reset's origin; "other" when out of range */
const char *op_name(unsigned int op);
/* enum vtop_cache_mode, indexed */
extern const char *const cache_mode_names[VTOP_MODE_MAX];
const char *cache_mode_name(unsigned int mode);
/* enum vtop_pci_reset: sysfs reset_method's names */
const char *pci_reset_name(unsigned int how);
/* "ENOSPC" for 28 (a positive errno), or the number in buf when glibc has no name */
const char *errno_name(int err, char *buf, size_t len);
/* enum vtop_power_state */
const char *power_state_name(unsigned int state);
/* enum vtop_dma_op, enum vtop_dma_target, enum vtop_dma_errno */
const char *dma_op_name(unsigned int op);
const char *dma_target_name(unsigned int target);
const char *dma_errno_name(unsigned int e);

/*
 * The entries of a counter array an output shows, and what it calls them:
 * entry i is index keys[i] (i itself if keys is NULL), named name(index).
 * JSON keys and Prometheus label values come from the same set.
 */
struct key_set {
	unsigned int n;
	const unsigned int *keys;
	const char *(*name)(unsigned int index);
};

static inline unsigned int key_index(const struct key_set *ks, unsigned int i)
{
	return ks->keys ? ks->keys[i] : i;
}

extern const struct key_set fault_origin_keys;	/* faults_by_origin */
extern const struct key_set fault_order_keys;	/* faults_by_order: "0", "9", "18", "whole_vma" */
extern const struct key_set zap_reason_keys;	/* zaps_by_reason */
extern const struct key_set reset_origin_keys;	/* resets_by_origin */
extern const struct key_set reset_method_keys;	/* resets_by_method */
extern const struct key_set reset_request_keys;	/* reset_requests(_failed) */
extern const struct key_set cache_mode_keys;	/* memtype_by_mode */
extern const struct key_set pci_reset_keys;	/* resets_by_how */
extern const struct key_set pci_attempt_keys;	/* reset_attempts: every method but unknown */
extern const struct key_set power_state_keys;	/* power_transitions, power_ns */
extern const struct key_set page_size_keys;	/* pages: "4k", "2m", "1g" */
extern const struct key_set dma_op_keys;
extern const struct key_set dma_target_keys;
extern const struct key_set dma_errno_keys;
extern const struct key_set irq_index_keys;	/* irq_sets: intx, msi, msix, err, req */
extern const struct key_set irq_action_keys;	/* irq_sets_by_action: mask, unmask, trigger */
extern const struct key_set irq_kind_keys;	/* irq_interrupts: intx, msi, msix */
extern const struct key_set region_keys;	/* access_*: bar0..bar5, rom, config, vga */
extern const struct key_set config_cap_keys;	/* config_writes_by_cap */

/* a VFIO_DEVICE_SET_IRQS index's name: "intx", "msi", "msix", "err", "req" */
const char *irq_index_name(unsigned int index);

/* a fault order's page size as /metrics labels it: "4k", "2m", "1g", "vma" */
const char *fault_order_size(unsigned int order);

#endif
