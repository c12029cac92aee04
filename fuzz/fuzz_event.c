// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A ring-buffer record as the daemon gets it: any bytes, of any length (a BPF
 * object from another version, or a bug on the BPF side, sends what it
 * sends). Decoded, then applied to the device and DMA tables as vfiotopd does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "dma_procs.h"
#include "event_decode.h"

static struct device_table devs;
static struct dma_table dma;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *rec = malloc(size ? size : 1);	/* exactly size bytes: ASan sees overreads */
	struct vtop_event e;

	memcpy(rec, data, size);
	if (event_decode(rec, size, &e)) {
		if (!e.type || e.type >= VTOP_EV_MAX || e.comm[VTOP_COMM_LEN - 1])
			abort();
		if (e.type == VTOP_EV_LOCK_WAIT && (e.lock_wait.nr_stack > VTOP_STACK_DEPTH ||
						    e.lock_wait.holder_comm[VTOP_COMM_LEN - 1]))
			abort();
		devtab_apply_event(&devs, &e);
		dma_table_apply_event(&dma, &e);
	}
	free(rec);
	if (devs.n > 64)
		devtab_free(&devs);
	return 0;
}
