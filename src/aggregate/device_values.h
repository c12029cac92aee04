/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The values every output shows that are not a counter as such but follow
 * from the counters and events: worked out here, once, so that JSON,
 * /metrics and json-lines cannot disagree about them.
 */
#ifndef VFIOTOP_DEVICE_VALUES_H
#define VFIOTOP_DEVICE_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices.h"

/* "live" (bound to a vfio driver), "unbound" (on the bus, another or no driver), "gone" */
const char *device_state(const struct device *d);
/* bytes of BAR the faults mapped: their page table entries by size */
uint64_t device_mapped_bytes(const struct device_stats *s);
/* DMA-BUFs exported and not yet released */
uint64_t device_dmabufs_alive(const struct device_stats *s);
/*
 * Reservations granted another mode than requested, plus the faults given
 * another mode than the one reserved for the BAR.
 */
uint64_t device_memtype_mismatches(const struct device_stats *s);
/* the reserved mode's name, NULL if none was seen */
const char *device_memtype_reserved(const struct device_stats *s);
/* owners still alive */
size_t device_processes_alive(const struct device *d);
/* the power state its latest change left it in, NULL if no change was seen */
const char *device_power_state(const struct device *d);
/* how long it has been in that state at now_ns (CLOCK_MONOTONIC) */
uint64_t device_power_in_state_ns(const struct device *d, uint64_t now_ns);
/* its time in state st: the current state's runs on until its next change */
uint64_t device_power_time_ns(const struct device *d, unsigned int st, uint64_t now_ns);

#endif
