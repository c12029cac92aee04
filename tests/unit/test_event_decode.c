// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * event_decode: each ring-buffer record kind, written as the BPF side writes
 * it, lands in its own member of the daemon's event with every field under
 * the name of what it holds; short and unknown records are refused. Each
 * record's fields get values no other field of it has, so a field read into
 * another's place fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "event_decode.h"

static void hdr(struct vtop_rec_hdr *h, __u32 type)
{
	h->type = type;
	h->dev = 0x0100;
	h->ts_ns = 777;
	h->pid = 42;
	h->tid = 43;
	h->cpu = 1;
	h->ret = -16;
	memcpy(h->comm, "qemu-system-x86_", 16);	/* exactly 16: decode terminates it */
}

static void test_header(void **state)
{
	struct vtop_rec_mem_write r = { .flags = VTOP_MEM_ENABLE };
	struct vtop_event e;

	hdr(&r.h, VTOP_EV_MEM_WRITE);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.type, VTOP_EV_MEM_WRITE);
	assert_int_equal(e.dev, 0x0100);
	assert_int_equal(e.ts_ns, 777);
	assert_int_equal(e.pid, 42);
	assert_int_equal(e.tid, 43);
	assert_int_equal(e.cpu, 1);
	assert_int_equal(e.ret, -16);
	assert_string_equal(e.comm, "qemu-system-x86");
	assert_int_equal(e.dur_ns, 0);	/* a kind that does not time itself */
}

static void test_refused(void **state)
{
	struct vtop_rec_reset r = { 0 };
	struct vtop_event e = { .type = 99 };

	hdr(&r.h, VTOP_EV_RESET);
	assert_false(event_decode(&r, sizeof(r) - 1, &e));
	assert_false(event_decode(&r, sizeof(r.h) - 1, &e));
	r.h.type = VTOP_EV_MAX;
	assert_false(event_decode(&r, sizeof(r), &e));
	r.h.type = 0;
	assert_false(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.type, 99);	/* untouched */
}

static void test_mmap(void **state)
{
	struct vtop_rec_mmap r = { .bar = 2, .addr = 0x7f0000200000, .len = 1 << 28,
				   .bar_off = 4096 };
	struct vtop_event e;

	hdr(&r.h, VTOP_EV_MMAP);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.mmap.bar, 2);
	assert_int_equal(e.mmap.addr, 0x7f0000200000);
	assert_int_equal(e.mmap.len, 1 << 28);
	assert_int_equal(e.mmap.bar_off, 4096);
	assert_int_equal(e.dur_ns, 0);
}

static void test_zap(void **state)
{
	struct vtop_rec_zap r = { .reason = VTOP_OP_FLR, .dur_ns = 5, .len = 8192, .vmas = 7 };
	struct vtop_event e;

	hdr(&r.h, VTOP_EV_ZAP);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.zap.reason, VTOP_OP_FLR);
	assert_int_equal(e.dur_ns, 5);
	assert_int_equal(e.zap.bytes, 8192);
	assert_int_equal(e.zap.vmas, 7);
}

static void test_reset_begin(void **state)
{
	struct vtop_rec_reset_begin r = { .reason = VTOP_OP_HOT_RESET, .method = VTOP_RESET_BUS };
	struct vtop_event e;

	hdr(&r.h, VTOP_EV_RESET_BEGIN);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.reset_begin.reason, VTOP_OP_HOT_RESET);
	assert_int_equal(e.reset_begin.method, VTOP_RESET_BUS);
}

/* function or bus (method) is not how the PCI core did it (its pci_method) */
static void test_reset(void **state)
{
	struct vtop_rec_reset r = { .reason = VTOP_OP_RESET, .method = VTOP_RESET_BUS,
				    .how = VTOP_PCIRESET_PM, .dur_ns = 9, .wait_ns = 4 };
	struct vtop_event e;

	hdr(&r.h, VTOP_EV_RESET);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.reset.reason, VTOP_OP_RESET);
	assert_int_equal(e.reset.method, VTOP_RESET_BUS);
	assert_int_equal(e.reset.pci_method, VTOP_PCIRESET_PM);
	assert_int_equal(e.dur_ns, 9);
	assert_int_equal(e.reset.wait_ns, 4);
}

static void test_request(void **state)
{
	struct vtop_rec_request r = { .reason = VTOP_OP_HOT_RESET, .dur_ns = 12 };
	struct vtop_event e;

	hdr(&r.h, VTOP_EV_REQUEST);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.request.reason, VTOP_OP_HOT_RESET);
	assert_int_equal(e.dur_ns, 12);

	r.dur_ns = 0;
	hdr(&r.h, VTOP_EV_REQUEST_BEGIN);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.type, VTOP_EV_REQUEST_BEGIN);
	assert_int_equal(e.request.reason, VTOP_OP_HOT_RESET);
}

/* the flags word becomes what its bit says, whatever else is set in it */
static void test_mem_write(void **state)
{
	struct vtop_rec_mem_write r = { .flags = VTOP_MEM_ENABLE };
	struct vtop_event e;

	hdr(&r.h, VTOP_EV_MEM_WRITE);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_true(e.mem_write.enable);
	r.flags = VTOP_DMABUF_REVOKED;
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_false(e.mem_write.enable);
}

/* the mode asked for and the one granted differ in a conflict: not swapped */
static void test_reserve(void **state)
{
	struct vtop_rec_reserve r = { .requested = VTOP_MODE_UC_MINUS, .granted = VTOP_MODE_WC,
				      .addr = 0xfe000000, .len = 4096 };
	struct vtop_event e;

	hdr(&r.h, VTOP_EV_RESERVE);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.reserve.requested, VTOP_MODE_UC_MINUS);
	assert_int_equal(e.reserve.granted, VTOP_MODE_WC);
	assert_int_equal(e.reserve.addr, 0xfe000000);
	assert_int_equal(e.reserve.len, 4096);
}

static void test_dmabuf_export(void **state)
{
	struct vtop_rec_dmabuf_export r = { .addr = 0x800000000ull, .len = 2 << 20 };
	struct vtop_event e;

	hdr(&r.h, VTOP_EV_DMABUF_EXPORT);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.dmabuf_export.addr, 0x800000000ull);
	assert_int_equal(e.dmabuf_export.len, 2 << 20);
}

static void test_dmabuf_move(void **state)
{
	struct vtop_rec_dmabuf_move r = { .reason = VTOP_OP_MEM_DISABLE,
					  .flags = VTOP_DMABUF_REVOKED, .dur_ns = 800 };
	struct vtop_event e;

	hdr(&r.h, VTOP_EV_DMABUF_MOVE);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.dmabuf_move.reason, VTOP_OP_MEM_DISABLE);
	assert_true(e.dmabuf_move.revoked);
	assert_int_equal(e.dur_ns, 800);
	r.flags = VTOP_MEM_ENABLE;	/* another kind's bit: restored */
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_false(e.dmabuf_move.revoked);
}

/* an unmap of no vma: the op and the target are not each other's */
static void test_dma_fail(void **state)
{
	struct vtop_rec_dma_fail r = { .op = VTOP_DMA_UNMAP, .target = VTOP_DMA_NO_VMA,
				       .vaddr = 0x1000, .iova = 1ull << 40, .len = 1 << 20,
				       .dur_ns = 11 };
	struct vtop_event e;

	hdr(&r.h, VTOP_EV_DMA_FAIL);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.dma_fail.op, VTOP_DMA_UNMAP);
	assert_int_equal(e.dma_fail.target, VTOP_DMA_NO_VMA);
	assert_int_equal(e.dma_fail.vaddr, 0x1000);
	assert_int_equal(e.dma_fail.iova, 1ull << 40);
	assert_int_equal(e.dma_fail.len, 1 << 20);
	assert_int_equal(e.dur_ns, 11);
}

/* from and to: a swap would report the device leaving the state it entered */
static void test_power(void **state)
{
	struct vtop_rec_power r = { .from = VTOP_PWR_D3HOT, .to = VTOP_PWR_D1,
				    .reason = VTOP_OP_LOW_POWER };
	struct vtop_event e;

	hdr(&r.h, VTOP_EV_POWER);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.power.from, VTOP_PWR_D3HOT);
	assert_int_equal(e.power.to, VTOP_PWR_D1);
	assert_int_equal(e.power.reason, VTOP_OP_LOW_POWER);
}

static void test_region_fail(void **state)
{
	struct vtop_rec_region_fail r = { .bars = 0x11 };
	struct vtop_event e;

	hdr(&r.h, VTOP_EV_REGION_FAIL);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.region_fail.bars, 0x11);
}

/* a set-up's vectors and time; a tear-down is a count of 0 */
static void test_irq_set(void **state)
{
	struct vtop_rec_irq_set r = { .index = VTOP_IRQ_MSIX, .start = 2, .count = 3,
				      .dur_ns = 77 };
	struct vtop_event e;

	(void)state;
	hdr(&r.h, VTOP_EV_IRQ_SET);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.irq_set.index, VTOP_IRQ_MSIX);
	assert_int_equal(e.irq_set.start, 2);
	assert_int_equal(e.irq_set.count, 3);
	assert_int_equal(e.dur_ns, 77);
	assert_false(event_decode(&r, sizeof(r) - 1, &e));
}

/* the time masked is the event's duration: the recorder draws it from the mask */
static void test_intx_unmask(void **state)
{
	struct vtop_rec_intx_unmask r = { .masked_ns = 123456789 };
	struct vtop_event e;

	(void)state;
	hdr(&r.h, VTOP_EV_INTX_UNMASK);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.dur_ns, 123456789);
}

/* a header alone: the process and the device, nothing more to read */
static void test_open(void **state)
{
	struct vtop_rec_hdr r;
	struct vtop_event e;

	(void)state;
	hdr(&r, VTOP_EV_OPEN);
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.type, VTOP_EV_OPEN);
	assert_int_equal(e.pid, r.pid);
	assert_int_equal(e.dev, r.dev);
	assert_false(event_decode(&r, sizeof(r) - 1, &e));
}

/* every kind has a decoder: a zeroed record of the largest size decodes */
static void test_every_kind(void **state)
{
	struct vtop_rec_lock_wait r = { 0 };	/* the largest record */
	struct vtop_event e;

	for (__u32 type = 1; type < VTOP_EV_MAX; type++) {
		hdr(&r.h, type);
		assert_true(event_decode(&r, sizeof(r), &e));
		assert_int_equal(e.type, type);
	}
}

/* a lock wait's stack is copied as far as the record says, never further */
static void test_lock_wait(void **state)
{
	struct vtop_rec_lock_wait r = { .flags = VTOP_LOCK_WRITE | VTOP_LOCK_IN_FAULT,
					.holder_pid = 7, .holder_tid = 8, .nr_stack = 99,
					.addr = 0xffff8000, .dur_ns = 2000000 };
	struct vtop_event e;

	hdr(&r.h, VTOP_EV_LOCK_WAIT);
	memcpy(r.holder_comm, "holder", 7);
	for (int i = 0; i < VTOP_STACK_DEPTH; i++)
		r.stack[i] = 0xffffffff81000000ull + i;
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.lock_wait.nr_stack, VTOP_STACK_DEPTH);
	assert_int_equal(e.lock_wait.stack[VTOP_STACK_DEPTH - 1],
			 0xffffffff81000000ull + VTOP_STACK_DEPTH - 1);
	assert_string_equal(e.lock_wait.holder_comm, "holder");
	assert_int_equal(e.lock_wait.holder_pid, 7);
	assert_int_equal(e.lock_wait.holder_tid, 8);
	assert_int_equal(e.lock_wait.flags, VTOP_LOCK_WRITE | VTOP_LOCK_IN_FAULT);
	assert_int_equal(e.dur_ns, 2000000);
	assert_int_equal(e.lock_wait.addr, 0xffff8000);

	r.nr_stack = 2;
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.lock_wait.nr_stack, 2);
	assert_int_equal(e.lock_wait.stack[2], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_mmap),
		cmocka_unit_test(test_zap),
		cmocka_unit_test(test_reset_begin),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_lock_wait),
		cmocka_unit_test(test_mem_write),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_dmabuf_export),
		cmocka_unit_test(test_dmabuf_move),
		cmocka_unit_test(test_dma_fail),
		cmocka_unit_test(test_power),
		cmocka_unit_test(test_region_fail),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_irq_set),
		cmocka_unit_test(test_intx_unmask),
		cmocka_unit_test(test_every_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
