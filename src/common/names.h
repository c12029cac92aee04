/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The names of the contract's enums (include/vfiotop.h), as JSON, /metrics,
 * reports and the live view show them: "mem_disable", "uc-", "flr", "D3hot".
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

#endif
