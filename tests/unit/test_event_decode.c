// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * event_decode: each ring-buffer record kind lands in the daemon's event with
 * its fields where the aggregates read them; short and unknown records are
 * refused.
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
	assert_int_equal(e.flags, VTOP_MEM_ENABLE);
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

static void test_kinds(void **state)
{
	struct vtop_rec_mmap mm = { .bar = 2, .addr = 0x7f0000200000, .len = 1 << 28,
				    .bar_off = 4096 };
	struct vtop_rec_zap z = { .reason = VTOP_OP_FLR, .dur_ns = 5, .len = 8192, .vmas = 3 };
	struct vtop_rec_reset rs = { .reason = VTOP_OP_RESET, .method = VTOP_RESET_BUS,
				     .how = VTOP_PCIRESET_BUS, .dur_ns = 9, .wait_ns = 4 };
	struct vtop_rec_reserve rv = { .requested = VTOP_MODE_UC_MINUS, .granted = VTOP_MODE_WC,
				       .addr = 0xfe000000, .len = 4096 };
	struct vtop_rec_dma_fail df = { .op = VTOP_DMA_MAP, .target = VTOP_DMA_BAR,
					.vaddr = 0x1000, .iova = 1ull << 40, .len = 1 << 20,
					.dur_ns = 11 };
	struct vtop_rec_power pw = { .from = VTOP_PWR_D0, .to = VTOP_PWR_D3HOT,
				     .reason = VTOP_OP_POWER_STATE };
	struct vtop_rec_region_fail rf = { .bars = 0x11 };
	struct vtop_event e;

	hdr(&mm.h, VTOP_EV_MMAP);
	assert_true(event_decode(&mm, sizeof(mm), &e));
	assert_int_equal(e.bar, 2);
	assert_int_equal(e.addr, 0x7f0000200000);
	assert_int_equal(e.len, 1 << 28);
	assert_int_equal(e.bar_off, 4096);

	hdr(&z.h, VTOP_EV_ZAP);
	assert_true(event_decode(&z, sizeof(z), &e));
	assert_int_equal(e.reason, VTOP_OP_FLR);
	assert_int_equal(e.dur_ns, 5);
	assert_int_equal(e.len, 8192);
	assert_int_equal(e.vmas, 3);

	hdr(&rs.h, VTOP_EV_RESET);
	assert_true(event_decode(&rs, sizeof(rs), &e));
	assert_int_equal(e.reason, VTOP_OP_RESET);
	assert_int_equal(e.method, VTOP_RESET_BUS);
	assert_int_equal(e.how, VTOP_PCIRESET_BUS);
	assert_int_equal(e.dur_ns, 9);
	assert_int_equal(e.wait_ns, 4);

	/* the aggregates read the mode asked in method, the one granted in how */
	hdr(&rv.h, VTOP_EV_RESERVE);
	assert_true(event_decode(&rv, sizeof(rv), &e));
	assert_int_equal(e.method, VTOP_MODE_UC_MINUS);
	assert_int_equal(e.how, VTOP_MODE_WC);
	assert_int_equal(e.addr, 0xfe000000);
	assert_int_equal(e.len, 4096);

	hdr(&df.h, VTOP_EV_DMA_FAIL);
	assert_true(event_decode(&df, sizeof(df), &e));
	assert_int_equal(e.method, VTOP_DMA_MAP);
	assert_int_equal(e.flags, VTOP_DMA_BAR);
	assert_int_equal(e.addr, 0x1000);
	assert_int_equal(e.iova, 1ull << 40);
	assert_int_equal(e.len, 1 << 20);
	assert_int_equal(e.dur_ns, 11);

	hdr(&pw.h, VTOP_EV_POWER);
	assert_true(event_decode(&pw, sizeof(pw), &e));
	assert_int_equal(e.how_from, VTOP_PWR_D0);
	assert_int_equal(e.how, VTOP_PWR_D3HOT);
	assert_int_equal(e.reason, VTOP_OP_POWER_STATE);

	hdr(&rf.h, VTOP_EV_REGION_FAIL);
	assert_true(event_decode(&rf, sizeof(rf), &e));
	assert_int_equal(e.bar, 0x11);
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
	assert_int_equal(e.nr_stack, VTOP_STACK_DEPTH);
	assert_int_equal(e.stack[VTOP_STACK_DEPTH - 1], 0xffffffff81000000ull + VTOP_STACK_DEPTH - 1);
	assert_string_equal(e.holder_comm, "holder");
	assert_int_equal(e.holder_pid, 7);
	assert_int_equal(e.holder_tid, 8);
	assert_int_equal(e.flags, VTOP_LOCK_WRITE | VTOP_LOCK_IN_FAULT);
	assert_int_equal(e.dur_ns, 2000000);
	assert_int_equal(e.addr, 0xffff8000);

	r.nr_stack = 2;
	assert_true(event_decode(&r, sizeof(r), &e));
	assert_int_equal(e.nr_stack, 2);
	assert_int_equal(e.stack[2], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_lock_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
