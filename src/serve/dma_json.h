/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The snapshot's DMA maps (docs/json.md "dma"), per process; a device's own
 * are rows of device_numbers.h.
 */
#ifndef VFIOTOP_DMA_JSON_H
#define VFIOTOP_DMA_JSON_H

#include "devices.h"
#include "dma_procs.h"
#include "json_writer.h"

/* The top-level "dma" object; devs names a failing BAR's device; details: pids, comms, addresses. */
void dma_json(struct json_writer *w, const struct dma_table *t, const struct device_table *devs,
	      bool details);

#endif
