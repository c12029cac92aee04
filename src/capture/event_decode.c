// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "event_decode.h"

/*
 * One function per record kind, each reading its own struct vtop_rec_* into
 * its own member of the event: a field can only land where its kind's
 * reader looks for it.
 */

static void decode_mmap(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_mmap *r = rec;

	e->mmap.bar = r->bar;
	e->mmap.addr = r->addr;
	e->mmap.len = r->len;
	e->mmap.bar_off = r->bar_off;
}

static void decode_zap(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_zap *r = rec;

	e->dur_ns = r->dur_ns;
	e->zap.reason = r->reason;
	e->zap.bytes = r->len;
	e->zap.vmas = r->vmas;
}

static void decode_reset_begin(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_reset_begin *r = rec;

	e->reset_begin.reason = r->reason;
	e->reset_begin.method = r->method;
}

static void decode_reset(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_reset *r = rec;

	e->dur_ns = r->dur_ns;
	e->reset.reason = r->reason;
	e->reset.method = r->method;
	e->reset.pci_method = r->how;
	e->reset.wait_ns = r->wait_ns;
}

/* the begin record has the same struct, its dur_ns 0 */
static void decode_request(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_request *r = rec;

	e->dur_ns = r->dur_ns;
	e->request.reason = r->reason;
}

static void decode_lock_wait(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_lock_wait *r = rec;
	struct vtop_event_lock_wait *w = &e->lock_wait;

	e->dur_ns = r->dur_ns;
	w->flags = r->flags;
	w->holder_pid = r->holder_pid;
	w->holder_tid = r->holder_tid;
	memcpy(w->holder_comm, r->holder_comm, sizeof(w->holder_comm));
	w->holder_comm[sizeof(w->holder_comm) - 1] = 0;
	w->addr = r->addr;
	/* the BPF side bounds it too, but a record is not trusted to */
	w->nr_stack = r->nr_stack < VTOP_STACK_DEPTH ? r->nr_stack : VTOP_STACK_DEPTH;
	memcpy(w->stack, r->stack, w->nr_stack * sizeof(w->stack[0]));
}

static void decode_mem_write(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_mem_write *r = rec;

	e->mem_write.enable = r->flags & VTOP_MEM_ENABLE;
}

static void decode_reserve(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_reserve *r = rec;

	e->reserve.requested = r->requested;
	e->reserve.granted = r->granted;
	e->reserve.addr = r->addr;
	e->reserve.len = r->len;
}

static void decode_dmabuf_export(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_dmabuf_export *r = rec;

	e->dmabuf_export.addr = r->addr;
	e->dmabuf_export.len = r->len;
}

static void decode_dmabuf_move(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_dmabuf_move *r = rec;

	e->dur_ns = r->dur_ns;
	e->dmabuf_move.reason = r->reason;
	e->dmabuf_move.revoked = r->flags & VTOP_DMABUF_REVOKED;
}

static void decode_dma_fail(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_dma_fail *r = rec;

	e->dur_ns = r->dur_ns;
	e->dma_fail.op = r->op;
	e->dma_fail.target = r->target;
	e->dma_fail.vaddr = r->vaddr;
	e->dma_fail.iova = r->iova;
	e->dma_fail.len = r->len;
}

static void decode_power(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_power *r = rec;

	e->power.from = r->from;
	e->power.to = r->to;
	e->power.reason = r->reason;
}

static void decode_region_fail(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_region_fail *r = rec;

	e->region_fail.bars = r->bars;
}

static void decode_irq_set(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_irq_set *r = rec;

	e->dur_ns = r->dur_ns;
	e->irq_set.index = r->index;
	e->irq_set.start = r->start;
	e->irq_set.count = r->count;
}

/* drawn as an operation from the mask to the unmask */
static void decode_intx_unmask(const void *rec, struct vtop_event *e)
{
	const struct vtop_rec_intx_unmask *r = rec;

	e->dur_ns = r->masked_ns;
}

/* a header alone: who and which device is all there is */
static void decode_header_only(const void *rec, struct vtop_event *e)
{
	(void)rec;
	(void)e;
}

/* each kind's record size, checked before its decoder reads past the header */
static const struct record_kind {
	size_t size;
	void (*decode)(const void *rec, struct vtop_event *e);
} kinds[VTOP_EV_MAX] = {
	[VTOP_EV_MMAP] = { sizeof(struct vtop_rec_mmap), decode_mmap },
	[VTOP_EV_ZAP] = { sizeof(struct vtop_rec_zap), decode_zap },
	[VTOP_EV_RESET] = { sizeof(struct vtop_rec_reset), decode_reset },
	[VTOP_EV_RESET_BEGIN] = { sizeof(struct vtop_rec_reset_begin), decode_reset_begin },
	[VTOP_EV_REQUEST_BEGIN] = { sizeof(struct vtop_rec_request), decode_request },
	[VTOP_EV_REQUEST] = { sizeof(struct vtop_rec_request), decode_request },
	[VTOP_EV_LOCK_WAIT] = { sizeof(struct vtop_rec_lock_wait), decode_lock_wait },
	[VTOP_EV_MEM_WRITE] = { sizeof(struct vtop_rec_mem_write), decode_mem_write },
	[VTOP_EV_RESERVE] = { sizeof(struct vtop_rec_reserve), decode_reserve },
	[VTOP_EV_DMABUF_EXPORT] = { sizeof(struct vtop_rec_dmabuf_export), decode_dmabuf_export },
	[VTOP_EV_DMABUF_MOVE] = { sizeof(struct vtop_rec_dmabuf_move), decode_dmabuf_move },
	[VTOP_EV_DMA_FAIL] = { sizeof(struct vtop_rec_dma_fail), decode_dma_fail },
	[VTOP_EV_POWER] = { sizeof(struct vtop_rec_power), decode_power },
	[VTOP_EV_REGION_FAIL] = { sizeof(struct vtop_rec_region_fail), decode_region_fail },
	[VTOP_EV_OPEN] = { sizeof(struct vtop_rec_hdr), decode_header_only },
	[VTOP_EV_IRQ_SET] = { sizeof(struct vtop_rec_irq_set), decode_irq_set },
	[VTOP_EV_INTX_UNMASK] = { sizeof(struct vtop_rec_intx_unmask), decode_intx_unmask },
};

static void decode_header(const struct vtop_rec_hdr *h, struct vtop_event *e)
{
	e->type = h->type;
	e->dev = h->dev;
	e->ts_ns = h->ts_ns;
	e->pid = h->pid;
	e->tid = h->tid;
	e->cpu = h->cpu;
	e->ret = h->ret;
	memcpy(e->comm, h->comm, sizeof(e->comm));
	e->comm[sizeof(e->comm) - 1] = 0;
}

bool event_decode(const void *rec, size_t len, struct vtop_event *e)
{
	const struct vtop_rec_hdr *h = rec;

	if (len < sizeof(*h) || !h->type || h->type >= VTOP_EV_MAX || len < kinds[h->type].size)
		return false;
	/* zeroed whole: the stall recorder copies events, union bytes and all */
	memset(e, 0, sizeof(*e));
	decode_header(h, e);
	kinds[h->type].decode(rec, e);
	return true;
}
