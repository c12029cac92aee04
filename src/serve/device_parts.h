/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The hand-written parts of a device's JSON object, those device_numbers.h
 * places with PART: identity, strings, the latency histogram, BAR
 * reservations, mappings, owners. Each writes members of the object it is
 * placed in; now_ns is CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns().
 */
#ifndef VFIOTOP_DEVICE_PARTS_H
#define VFIOTOP_DEVICE_PARTS_H

#include <stdbool.h>
#include <stdint.h>

#include "devices.h"
#include "json_writer.h"

#define DEVICE_PART(name) \
	void name(struct json_writer *w, const struct device *d, uint64_t now_ns, bool details)

DEVICE_PART(identity_part);		/* bdf .. link */
DEVICE_PART(latency_part);		/* faults.latency_ns */
DEVICE_PART(memtype_reserved_part);	/* memtype.reserved */
DEVICE_PART(reserved_bars_part);	/* memtype.bars */
DEVICE_PART(memtype_mismatch_part);	/* memtype.mismatch */
DEVICE_PART(reset_attempts_part);	/* resets.attempts */
DEVICE_PART(reset_last_part);		/* resets.last_pci_method, last_error */
DEVICE_PART(mappings_part);		/* mappings */
DEVICE_PART(wait_latency_part);	/* irqs.wait_latency_ns */
DEVICE_PART(vectors_part);		/* irqs.by_vector */
DEVICE_PART(access_latency_part);	/* accesses.latency_ns */
DEVICE_PART(power_state_part);		/* power.state */
DEVICE_PART(processes_part);		/* processes */
DEVICE_PART(vm_part);			/* vm */

#endif
