// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "event_decode.h"

static const size_t rec_size[VTOP_EV_MAX] = {
	[VTOP_EV_MMAP] = sizeof(struct vtop_rec_mmap),
	[VTOP_EV_ZAP] = sizeof(struct vtop_rec_zap),
	[VTOP_EV_RESET] = sizeof(struct vtop_rec_reset),
	[VTOP_EV_RESET_BEGIN] = sizeof(struct vtop_rec_reset_begin),
	[VTOP_EV_REQUEST_BEGIN] = sizeof(struct vtop_rec_request),
	[VTOP_EV_REQUEST] = sizeof(struct vtop_rec_request),
	[VTOP_EV_LOCK_WAIT] = sizeof(struct vtop_rec_lock_wait),
	[VTOP_EV_MEM_WRITE] = sizeof(struct vtop_rec_mem_write),
	[VTOP_EV_RESERVE] = sizeof(struct vtop_rec_reserve),
	[VTOP_EV_DMABUF_EXPORT] = sizeof(struct vtop_rec_dmabuf_export),
	[VTOP_EV_DMABUF_MOVE] = sizeof(struct vtop_rec_dmabuf_move),
	[VTOP_EV_DMA_FAIL] = sizeof(struct vtop_rec_dma_fail),
	[VTOP_EV_POWER] = sizeof(struct vtop_rec_power),
	[VTOP_EV_REGION_FAIL] = sizeof(struct vtop_rec_region_fail),
};

static void decode_lock_wait(const struct vtop_rec_lock_wait *r, struct vtop_event *e)
{
	e->flags = r->flags;
	e->holder_pid = r->holder_pid;
	e->holder_tid = r->holder_tid;
	memcpy(e->holder_comm, r->holder_comm, sizeof(e->holder_comm));
	e->holder_comm[sizeof(e->holder_comm) - 1] = 0;
	e->addr = r->addr;
	e->dur_ns = r->dur_ns;
	e->nr_stack = r->nr_stack < VTOP_STACK_DEPTH ? r->nr_stack : VTOP_STACK_DEPTH;
	memcpy(e->stack, r->stack, e->nr_stack * sizeof(e->stack[0]));
}

/* the fields past the header, by kind */
static void decode_body(const void *rec, struct vtop_event *e)
{
	switch (e->type) {
	case VTOP_EV_MMAP: {
		const struct vtop_rec_mmap *r = rec;

		e->bar = r->bar;
		e->addr = r->addr;
		e->len = r->len;
		e->bar_off = r->bar_off;
		break;
	}
	case VTOP_EV_ZAP: {
		const struct vtop_rec_zap *r = rec;

		e->reason = r->reason;
		e->dur_ns = r->dur_ns;
		e->len = r->len;
		e->vmas = r->vmas;
		break;
	}
	case VTOP_EV_RESET_BEGIN: {
		const struct vtop_rec_reset_begin *r = rec;

		e->reason = r->reason;
		e->method = r->method;
		break;
	}
	case VTOP_EV_RESET: {
		const struct vtop_rec_reset *r = rec;

		e->reason = r->reason;
		e->method = r->method;
		e->how = r->how;
		e->dur_ns = r->dur_ns;
		e->wait_ns = r->wait_ns;
		break;
	}
	case VTOP_EV_REQUEST_BEGIN:
	case VTOP_EV_REQUEST: {
		const struct vtop_rec_request *r = rec;

		e->reason = r->reason;
		e->dur_ns = r->dur_ns;
		break;
	}
	case VTOP_EV_LOCK_WAIT:
		decode_lock_wait(rec, e);
		break;
	case VTOP_EV_MEM_WRITE:
		e->flags = ((const struct vtop_rec_mem_write *)rec)->flags;
		break;
	case VTOP_EV_RESERVE: {
		const struct vtop_rec_reserve *r = rec;

		e->method = r->requested;
		e->how = r->granted;
		e->addr = r->addr;
		e->len = r->len;
		break;
	}
	case VTOP_EV_DMABUF_EXPORT: {
		const struct vtop_rec_dmabuf_export *r = rec;

		e->addr = r->addr;
		e->len = r->len;
		break;
	}
	case VTOP_EV_DMABUF_MOVE: {
		const struct vtop_rec_dmabuf_move *r = rec;

		e->reason = r->reason;
		e->flags = r->flags;
		e->dur_ns = r->dur_ns;
		break;
	}
	case VTOP_EV_DMA_FAIL: {
		const struct vtop_rec_dma_fail *r = rec;

		e->method = r->op;
		e->flags = r->target;
		e->addr = r->vaddr;
		e->iova = r->iova;
		e->len = r->len;
		e->dur_ns = r->dur_ns;
		break;
	}
	case VTOP_EV_POWER: {
		const struct vtop_rec_power *r = rec;

		e->how_from = r->from;
		e->how = r->to;
		e->reason = r->reason;
		break;
	}
	case VTOP_EV_REGION_FAIL:
		e->bar = ((const struct vtop_rec_region_fail *)rec)->bars;
		break;
	}
}

bool event_decode(const void *rec, size_t len, struct vtop_event *e)
{
	const struct vtop_rec_hdr *h = rec;

	if (len < sizeof(*h) || !h->type || h->type >= VTOP_EV_MAX || len < rec_size[h->type])
		return false;
	memset(e, 0, sizeof(*e));
	e->type = h->type;
	e->dev = h->dev;
	e->ts_ns = h->ts_ns;
	e->pid = h->pid;
	e->tid = h->tid;
	e->cpu = h->cpu;
	e->ret = h->ret;
	memcpy(e->comm, h->comm, sizeof(e->comm));
	e->comm[sizeof(e->comm) - 1] = 0;
	decode_body(rec, e);
	return true;
}
