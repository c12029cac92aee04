// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The daemon's aggregate: the counters' totals, the sorted device table, ring buffer
 * events turned into owners, and PCI address parsing/formatting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "event_decode.h"
#include "irq_vectors.h"
#include "pci_sysfs.h"
#include "vfiotop.h"

#define NCPUS 4
#define STATS_WORDS (sizeof(struct device_stats) / sizeof(uint64_t))

_Static_assert(sizeof(struct device_stats) % sizeof(uint64_t) == 0,
	       "device_stats is all __u64");

static uint32_t key_of(unsigned int dom, unsigned int bus, unsigned int dev, unsigned int fn)
{
	return vtop_dev_key(dom, bus, dev << 3 | fn);
}

/* ---- stats_compose / stats_add ---- */

/* Hot counts add over CPUs and their carries, maxima take the max, rare ones are copied. */
static void test_compose_named_fields(void **state)
{
	static const uint64_t fault_max[NCPUS] = { 5, 50, 7, 3 };
	struct vtop_dev_hot pc[NCPUS];
	struct vtop_dev_rare rare;
	struct device_stats out;

	memset(pc, 0, sizeof(pc));
	memset(&rare, 0, sizeof(rare));
	for (int c = 0; c < NCPUS; c++) {
		pc[c].count[VTOP_HOT_ORIGIN + VTOP_ORIGIN_KERNEL] = 10 * (c + 1);
		pc[c].count[VTOP_HOT_ORIGIN + VTOP_ORIGIN_USER] = c;	/* 0+1+2+3 = 6 */
		pc[c].count[VTOP_HOT_RESULT + VTOP_FRES_SIGBUS] = c;
		pc[c].count[VTOP_HOT_HIST] = 1;
		pc[c].count[VTOP_HOT_HIST + 10 - VTOP_FAULT_HIST_SHIFT] = c + 1;
		pc[c].count[VTOP_HOT_COUNTS - 1] = 2;		/* the last count */
		pc[c].count[VTOP_HOT_PAGES + VTOP_PSIZE_1G] = 1;
		pc[c].count[VTOP_HOT_MEMTYPE_MODE + VTOP_MODE_WP] = 0xffffffffu;
		pc[c].fault_ns_sum = 1000;
		pc[c].fault_ns_max = fault_max[c];
	}
	/* two CPUs wrapped WP lookups once, one of them twice */
	rare.hot_carry[VTOP_HOT_MEMTYPE_MODE + VTOP_MODE_WP] = 3;
	rare.hot_carry[VTOP_HOT_ORIGIN + VTOP_ORIGIN_USER] = 1;
	rare.zaps_by_reason[VTOP_OP_OTHER] = 12;
	rare.reset_ns_max = 900;
	rare.memtype_reserved = VTOP_MODE_UC_MINUS + 1;
	rare.dma_map_ns_max = 77;		/* the last field before the carries */
	/* out starts dirty: the sum must not include it */
	memset(&out, 0x5a, sizeof(out));
	stats_compose(&out, pc, NCPUS, &rare);

	assert_true(out.faults == 100 + 6 + (1ULL << 32));	/* the origins' sum */
	assert_int_equal(out.faults_by_origin[VTOP_ORIGIN_KERNEL], 100);
	assert_true(out.faults_by_origin[VTOP_ORIGIN_USER] == 6 + (1ULL << 32));
	assert_int_equal(out.faults_by_origin[VTOP_ORIGIN_DMA_MAP], 0);
	assert_int_equal(out.faults_by_result[VTOP_FRES_SIGBUS], 6);
	assert_int_equal(out.faults_by_result[VTOP_FRES_NOPAGE], 0);
	/* hot slot k is log2 slot k + shift */
	assert_int_equal(out.fault_hist[VTOP_FAULT_HIST_SHIFT], 4);
	assert_int_equal(out.fault_hist[10], 10);
	assert_int_equal(out.fault_hist[VTOP_FAULT_HIST_SLOTS - 1 + VTOP_FAULT_HIST_SHIFT], 8);
	assert_int_equal(out.fault_hist[0], 0);
	assert_int_equal(out.fault_hist[VTOP_HIST_SLOTS - 1], 0);
	assert_int_equal(out.fault_ns_sum, 4000);
	assert_int_equal(out.fault_ns_max, 50);		/* max, not 65 */
	assert_int_equal(out.pages[VTOP_PSIZE_1G], 4);
	assert_true(out.memtype_by_mode[VTOP_MODE_WP] == 4ULL * 0xffffffffu + (3ULL << 32));
	assert_int_equal(out.rare.zaps_by_reason[VTOP_OP_OTHER], 12);
	assert_int_equal(out.rare.reset_ns_max, 900);
	assert_int_equal(out.rare.memtype_reserved, VTOP_MODE_UC_MINUS + 1);
	assert_int_equal(out.rare.dma_map_ns_max, 77);
	assert_int_equal(out.rare.mmaps, 0);
	/* the carries are in the totals, not left for stats_add to add again */
	for (unsigned int i = 0; i < VTOP_HOT_COUNTS; i++)
		assert_int_equal(out.rare.hot_carry[i], 0);
}

/* Every hot count lands in a total: none is skipped by the composition. */
static void test_compose_every_count(void **state)
{
	struct vtop_dev_hot pc[NCPUS];
	struct vtop_dev_rare rare = { 0 };
	struct device_stats out;
	uint64_t sum = 0, hist = 0;

	memset(pc, 0, sizeof(pc));
	for (unsigned int i = 0; i < VTOP_HOT_COUNTS; i++)
		pc[i % NCPUS].count[i] = 1;
	stats_compose(&out, pc, NCPUS, &rare);
	for (unsigned int i = 0; i < VTOP_ORIGIN_MAX; i++)
		sum += out.faults_by_origin[i];
	for (unsigned int i = 0; i < VTOP_FRES_MAX; i++)
		sum += out.faults_by_result[i];
	for (unsigned int i = 0; i < VTOP_FORDER_MAX; i++)
		sum += out.faults_by_order[i];
	for (unsigned int i = 0; i < VTOP_PSIZE_MAX; i++)
		sum += out.pages[i];
	for (unsigned int i = 0; i < VTOP_MODE_MAX; i++)
		sum += out.memtype_by_mode[i];
	for (unsigned int i = 0; i < VTOP_HIST_SLOTS; i++)
		hist += out.fault_hist[i];
	sum += out.faults_found_mapped + out.memtype_lookups + hist;
	assert_int_equal(sum, VTOP_HOT_COUNTS);
	assert_int_equal(hist, VTOP_FAULT_HIST_SLOTS);
	assert_int_equal(out.faults, VTOP_ORIGIN_MAX);
}

/* Every field: a new counter added to the struct must not be skipped or maxed by accident. */
static void test_stats_add_every_word(void **state)
{
	struct device_stats a, b;
	uint64_t *wa = (uint64_t *)&a, *wb = (uint64_t *)&b;
	size_t twos = 0;

	for (size_t w = 0; w < STATS_WORDS; w++) {
		wa[w] = 1;
		wb[w] = 2;
	}
	stats_add(&a, &b);
	for (size_t w = 0; w < STATS_WORDS; w++) {
		assert_true(wa[w] == 2 || wa[w] == 3);
		twos += wa[w] == 2;
	}
	/* exactly the nine maxima, the reserved mode, the vectors now and INTx's slot */
	assert_int_equal(twos, 12);
	assert_int_equal(a.rare.access_ns_max, 2);
	assert_int_equal(a.rare.access_reads[VTOP_REGION_CONFIG], 3);
	assert_int_equal(a.access_hist[VTOP_ACCESS_HIST_SHIFT], 3);
	assert_int_equal(a.rare.irq_set_ns_max, 2);
	assert_int_equal(a.rare.irq_vectors_max, 2);
	assert_int_equal(a.rare.irq_vectors_active, 2);
	assert_int_equal(a.rare.intx_vec, 2);
	assert_int_equal(a.rare.irq_sets[VTOP_IRQ_MSIX], 3);
	assert_int_equal(a.irq_interrupts[VTOP_IRQ_MSIX], 3);
	assert_int_equal(a.irq_reads, 3);
	assert_int_equal(a.irq_wait_ns, 3);
	assert_int_equal(a.irq_wait_max_ns, 2);
	assert_int_equal(a.delivery_hist[VTOP_DELIVERY_HIST_SHIFT], 3);
	assert_int_equal(a.rare.reset_wait_ns_max, 2);
	assert_int_equal(a.fault_ns_max, 2);
	assert_int_equal(a.rare.dmabuf_move_ns_max, 2);
	assert_int_equal(a.rare.dma_map_ns_max, 2);
	assert_int_equal(a.rare.dma_map_bytes, 3);
	assert_int_equal(a.faults_found_mapped, 3);
	assert_int_equal(a.rare.dmabuf_exports, 3);
	assert_int_equal(a.rare.reset_ns_max, 2);
	assert_int_equal(a.rare.memtype_reserved, 2);
	assert_int_equal(a.faults, 3);
	assert_int_equal(a.fault_ns_sum, 3);
	assert_int_equal(a.rare.reset_ns_sum, 3);
	assert_int_equal(a.rare.resets_failed, 3);
	assert_int_equal(a.rare.mmap_bytes, 3);
	assert_int_equal(a.rare.mmaps, 3);
	assert_int_equal(a.memtype_by_mode[VTOP_MODE_WP], 3);
	assert_int_equal(b.faults, 2);	/* the source is left alone */
}

/* A smaller max from b must not overwrite a larger one already in a. */
static void test_stats_add_max_keeps_larger(void **state)
{
	struct device_stats a = { 0 }, b = { 0 };

	a.fault_ns_max = 100;
	a.rare.reset_ns_max = 1;
	b.fault_ns_max = 50;
	b.rare.reset_ns_max = 10;
	stats_add(&a, &b);
	assert_int_equal(a.fault_ns_max, 100);
	assert_int_equal(a.rare.reset_ns_max, 10);
}

/* ---- device table ---- */

static void test_devtab_get_same_key(void **state)
{
	struct device_table t = { 0 };
	uint32_t k = key_of(0, 1, 0, 0);
	struct device *d1, *d2;

	d1 = devtab_get(&t, k);
	assert_non_null(d1);
	assert_int_equal(t.n, 1);
	/* a fresh entry: its key, its address, no iommu group, nothing counted */
	assert_int_equal(d1->key, k);
	assert_string_equal(d1->bdf, "0000:01:00.0");
	assert_int_equal(d1->id.iommu_group, -1);
	assert_int_equal(d1->stats.faults, 0);
	assert_int_equal(d1->n_owners, 0);
	d1->events = 42;

	d2 = devtab_get(&t, k);
	assert_ptr_equal(d1, d2);
	assert_int_equal(t.n, 1);
	assert_int_equal(d2->events, 42);	/* not reinitialised */
	assert_ptr_equal(devtab_find(&t, k), d1);
	devtab_free(&t);
	assert_int_equal(t.n, 0);
	assert_null(t.devs);
}

/* Out-of-order inserts past the initial capacity: sorted, nothing lost, data moves with its key. */
static void test_devtab_growth_sorted(void **state)
{
	struct device_table t = { 0 };
	uint32_t keys[100];
	uint32_t rng = 12345;

	for (int i = 0; i < 100; i++)
		keys[i] = vtop_dev_key(i % 3, i, (i * 5) & 0xff);
	/* deterministic Fisher-Yates shuffle */
	for (int i = 99; i > 0; i--) {
		int j;
		uint32_t tmp;

		rng = rng * 1103515245u + 12345u;
		j = (rng >> 8) % (i + 1);
		tmp = keys[i];
		keys[i] = keys[j];
		keys[j] = tmp;
	}
	for (int i = 0; i < 100; i++) {
		struct device *d = devtab_get(&t, keys[i]);

		assert_non_null(d);
		assert_int_equal(d->key, keys[i]);
		d->events = keys[i] ^ 0xabcd;	/* a payload to follow across memmove/realloc */
		assert_int_equal(t.n, (size_t)i + 1);
	}
	assert_true(t.cap >= 100);
	for (size_t i = 1; i < t.n; i++)
		assert_true(t.devs[i - 1].key < t.devs[i].key);
	for (size_t i = 0; i < t.n; i++) {
		char bdf[BDF_LEN];

		assert_int_equal(t.devs[i].events, t.devs[i].key ^ 0xabcd);
		bdf_format(t.devs[i].key, bdf);
		assert_string_equal(t.devs[i].bdf, bdf);
	}
	for (int i = 0; i < 100; i++) {
		struct device *d = devtab_find(&t, keys[i]);

		assert_non_null(d);
		assert_int_equal(d->key, keys[i]);
	}
	/* getting an existing key after growth adds nothing */
	assert_int_equal(devtab_get(&t, keys[50])->key, keys[50]);
	assert_int_equal(t.n, 100);
	devtab_free(&t);
}

static void test_devtab_find_missing(void **state)
{
	struct device_table t = { 0 };

	assert_null(devtab_find(&t, 0));	/* empty table */
	devtab_get(&t, 0x100);
	devtab_get(&t, 0x300);
	devtab_get(&t, 0x200);
	assert_non_null(devtab_find(&t, 0x100));
	assert_non_null(devtab_find(&t, 0x200));
	assert_non_null(devtab_find(&t, 0x300));
	assert_null(devtab_find(&t, 0x0ff));	/* below the first */
	assert_null(devtab_find(&t, 0x250));	/* between */
	assert_null(devtab_find(&t, 0x301));	/* above the last */
	assert_null(devtab_find(&t, UINT32_MAX));
	assert_int_equal(t.n, 3);		/* find never adds */
	devtab_free(&t);
}

/* On detach the live totals become the base, so nothing is lost on re-attach. */
static void test_devtab_keep_totals(void **state)
{
	struct device_table t = { 0 };
	struct device *a = devtab_get(&t, 0x100), *b;
	struct device_stats before;

	a->stats.faults = 9;
	a->stats.fault_ns_max = 77;
	a->stats.rare.mmap_bytes = 4096;
	a->stats.fault_hist[5] = 9;
	b = devtab_get(&t, 0x200);
	a = devtab_find(&t, 0x100);
	b->stats.rare.zaps = 3;
	before = a->stats;
	devtab_keep_totals(&t);
	assert_memory_equal(&a->base, &a->stats, sizeof(a->stats));
	assert_memory_equal(&a->stats, &before, sizeof(before));	/* stats unchanged */
	assert_int_equal(a->base.faults, 9);
	assert_int_equal(a->base.rare.mmap_bytes, 4096);
	assert_int_equal(b->base.rare.zaps, 3);			/* every device */
	devtab_free(&t);
}

/* ---- interrupt vectors ---- */

/*
 * vec_stats into the devices: each vector to its device (one never seen
 * before is added), sorted by type then vector, unused slots skipped, the
 * counts summed into the stats on top of what they held; read again whole.
 */
static void test_take_vectors(void **state)
{
	struct device_table t = { 0 };
	struct vtop_vec_stats vec[5] = {
		{ .dev = 0x100, .index = VTOP_IRQ_MSIX, .vector = 3, .irq = 40, .active = 1,
		  .bypass = 1, .interrupts = 30 },
		{ .dev = 0x200, .index = VTOP_IRQ_INTX, .irq = 11, .interrupts = 5,
		  .unhandled = 2, .unmasks = 4, .masked_ns = 900 },
		{ 0 },	/* taken by a CPU that lost the race: no device */
		{ .dev = 0x100, .index = VTOP_IRQ_MSIX, .vector = 0, .irq = 41, .interrupts = 7,
		  .reads = 6, .wait_ns = 600, .wait_max_ns = 400 },
		{ .dev = 0x100, .index = VTOP_IRQ_INTX, .irq = 12, .interrupts = 1, .unmasks = 1,
		  .masked_ns = 100 },
	};
	struct device *a = devtab_get(&t, 0x100), *b;

	a->stats.irq_interrupts[VTOP_IRQ_MSIX] = 1000;	/* an earlier attachment's base */
	devtab_take_vectors(&t, vec, 5);
	a = devtab_find(&t, 0x100);
	b = devtab_find(&t, 0x200);
	assert_non_null(b);
	assert_int_equal(a->n_vectors, 3);
	assert_int_equal(a->vectors[0].index, VTOP_IRQ_INTX);
	assert_int_equal(a->vectors[1].index, VTOP_IRQ_MSIX);
	assert_int_equal(a->vectors[1].vector, 0);
	assert_int_equal(a->vectors[2].vector, 3);
	assert_true(a->vectors[2].active && !a->vectors[1].active);
	/* KVM's irqfd connected to msix 3 only */
	assert_true(a->vectors[2].bypass && !a->vectors[1].bypass && !a->vectors[0].bypass);
	assert_int_equal(a->vectors[2].irq, 40);
	assert_int_equal(a->stats.irq_interrupts[VTOP_IRQ_MSIX], 1037);
	assert_int_equal(a->stats.irq_interrupts[VTOP_IRQ_INTX], 1);
	assert_int_equal(a->stats.intx_unmasks, 1);
	assert_int_equal(b->n_vectors, 1);
	assert_int_equal(b->stats.irq_unhandled, 2);
	assert_int_equal(b->stats.intx_masked_ns, 900);
	/* the eventfd reads: msix 0's, the device's longest wait its */
	assert_int_equal(a->vectors[1].reads, 6);
	assert_int_equal(a->stats.irq_reads, 6);
	assert_int_equal(a->stats.irq_wait_ns, 600);
	assert_int_equal(a->stats.irq_wait_max_ns, 400);
	assert_int_equal(b->stats.irq_reads, 0);

	/* the next refresh: the counts grew, a vector was freed */
	vec[0].interrupts = 31;
	vec[0].active = 0;
	vec[0].bypass = 0;
	a->stats.irq_interrupts[VTOP_IRQ_MSIX] = 1000;
	a->stats.irq_interrupts[VTOP_IRQ_INTX] = 0;
	a->stats.intx_unmasks = 0;
	devtab_take_vectors(&t, vec, 5);
	assert_int_equal(a->n_vectors, 3);
	assert_int_equal(a->stats.irq_interrupts[VTOP_IRQ_MSIX], 1038);
	assert_false(a->vectors[2].active);
	assert_false(a->vectors[2].bypass);
	/* fewer slots given: only theirs */
	devtab_take_vectors(&t, vec, 1);
	assert_int_equal(a->n_vectors, 1);
	assert_int_equal(b->n_vectors, 0);
	devtab_free(&t);
}

/* ---- ring buffer events ---- */

static struct vtop_event mmap_event(uint32_t dev, uint32_t pid, const char *comm, uint32_t bar,
				    int ret)
{
	struct vtop_event e;

	memset(&e, 0, sizeof(e));
	e.type = VTOP_EV_MMAP;
	e.dev = dev;
	e.pid = pid;
	e.tid = pid + 1;
	snprintf(e.comm, sizeof(e.comm), "%s", comm);
	e.mmap.bar = bar;
	e.ret = ret;
	e.mmap.len = 1 << 20;
	e.mmap.addr = 0x7f0000000000;
	return e;
}

/* a pid found gone and then seen again is another process: not the old VM */
static void test_reused_pid_forgets_vm(void **state)
{
	struct device_table t = { 0 };
	struct vtop_event e = mmap_event(0x100, 4242, "qemu-system-x86", 2, 0);
	struct device *d;

	devtab_apply_event(&t, &e);
	d = devtab_find(&t, 0x100);
	d->owners[0].vm = (struct vm_ident){ .read = true, .name = "old-vm" };
	devtab_apply_event(&t, &e);	/* alive: the same process, its VM stays */
	assert_string_equal(devtab_owner_vm(&t, 4242), "old-vm");
	d->owners[0].alive = false;	/* found gone */
	devtab_apply_event(&t, &e);
	assert_null(devtab_owner_vm(&t, 4242));
	assert_false(d->owners[0].vm.read);	/* to be read again */
	devtab_free(&t);
}

static void test_event_mmap_adds_owner(void **state)
{
	struct device_table t = { 0 };
	struct vtop_event e = mmap_event(0x100, 4242, "qemu-system-x86", 2, 0);
	struct device *d;

	devtab_apply_event(&t, &e);	/* the device did not exist: the event creates it */
	d = devtab_find(&t, 0x100);
	assert_non_null(d);
	assert_int_equal(d->events, 1);
	assert_int_equal(d->n_owners, 1);
	assert_int_equal(d->owners[0].pid, 4242);	/* tgid, not tid */
	assert_string_equal(d->owners[0].comm, "qemu-system-x86");
	assert_int_equal(d->owners[0].via, OWNER_VIA_MMAP);
	assert_true(d->owners[0].alive);
	assert_int_equal(d->owners[0].bars, 1u << 2);

	/* a second BAR by the same process: one owner, both bits */
	e = mmap_event(0x100, 4242, "qemu-system-x86", 0, 0);
	devtab_apply_event(&t, &e);
	assert_int_equal(d->events, 2);
	assert_int_equal(d->n_owners, 1);
	assert_int_equal(d->owners[0].bars, (1u << 2) | 1u);

	/* another process is another owner, with only its own BAR */
	e = mmap_event(0x100, 77, "dpdk", 4, 0);
	devtab_apply_event(&t, &e);
	assert_int_equal(d->n_owners, 2);
	assert_int_equal(d->owners[1].pid, 77);
	assert_int_equal(d->owners[1].bars, 1u << 4);
	assert_int_equal(d->owners[0].bars, (1u << 2) | 1u);
	devtab_free(&t);
}

/* A failed mmap maps nothing: it must not make the process an owner. */
static void test_event_mmap_failed(void **state)
{
	struct device_table t = { 0 };
	struct vtop_event e = mmap_event(0x100, 4242, "qemu", 2, -22);
	struct device *d;

	devtab_apply_event(&t, &e);
	d = devtab_find(&t, 0x100);
	assert_non_null(d);
	assert_int_equal(d->events, 1);		/* still an event received */
	assert_int_equal(d->n_owners, 0);
	devtab_free(&t);
}

/* comm from BPF is not guaranteed NUL-terminated: the owner's must be. */
static void test_event_comm_unterminated(void **state)
{
	struct device_table t = { 0 };
	struct vtop_event e = mmap_event(0x100, 1, "", 1, 0);
	struct device *d;

	memset(e.comm, 'A', sizeof(e.comm));
	devtab_apply_event(&t, &e);
	d = devtab_find(&t, 0x100);
	assert_int_equal(d->n_owners, 1);
	assert_int_equal(strlen(d->owners[0].comm), VTOP_COMM_LEN - 1);
	assert_int_equal(d->owners[0].comm[0], 'A');
	devtab_free(&t);
}

static void test_event_reset(void **state)
{
	struct device_table t = { 0 };
	struct vtop_event e;
	struct device *d;

	memset(&e, 0, sizeof(e));
	e.type = VTOP_EV_RESET;
	e.dev = 0x200;
	e.ts_ns = 111111;
	e.dur_ns = 5000;
	e.ret = -5;
	e.pid = 10;
	snprintf(e.comm, sizeof(e.comm), "resetter");
	devtab_apply_event(&t, &e);
	d = devtab_find(&t, 0x200);
	assert_non_null(d);
	/* docs/json.md: resets.last_ns is the latest reset's duration */
	assert_int_equal(d->last_reset_ns, 5000);
	assert_int_equal(d->last_reset_ret, -5);
	assert_int_equal(d->n_owners, 0);	/* a reset does not make an owner */

	e.dur_ns = 9;
	e.ret = 0;
	devtab_apply_event(&t, &e);
	assert_int_equal(d->last_reset_ns, 9);	/* latest, not max */
	assert_int_equal(d->last_reset_ret, 0);
	assert_int_equal(d->events, 2);
	devtab_free(&t);
}

/* A wire record, as the BPF side writes it, through the daemon's decoder. */
static struct vtop_event decoded(void *rec, size_t len, __u32 type, __u32 dev)
{
	struct vtop_rec_hdr *h = rec;
	struct vtop_event e;

	h->type = type;
	h->dev = dev;
	h->pid = 10;
	assert_true(event_decode(rec, len, &e));
	return e;
}

/* the PCI core's method and the wait land in the device, not the function/bus choice */
static void test_decoded_reset(void **state)
{
	struct device_table t = { 0 };
	struct vtop_rec_reset r = { .reason = VTOP_OP_RESET, .method = VTOP_RESET_BUS,
				    .how = VTOP_PCIRESET_PM, .dur_ns = 5000, .wait_ns = 700 };
	struct vtop_event e = decoded(&r, sizeof(r), VTOP_EV_RESET, 0x200);
	struct device *d;

	devtab_apply_event(&t, &e);
	d = devtab_find(&t, 0x200);
	assert_non_null(d);
	assert_int_equal(d->last_reset_how, VTOP_PCIRESET_PM);
	assert_int_equal(d->last_reset_ns, 5000);
	assert_int_equal(d->last_reset_wait_ns, 700);
	devtab_free(&t);
}

/* a conflict: the BAR keeps the mode granted, and the one asked for beside it */
static void test_decoded_reserve(void **state)
{
	struct device_table t = { 0 };
	struct device *d = devtab_get(&t, 0x100);
	struct vtop_rec_reserve r = { .requested = VTOP_MODE_UC_MINUS, .granted = VTOP_MODE_WC,
				      .addr = 0x800000000ull, .len = 4096 };
	struct vtop_event e = decoded(&r, sizeof(r), VTOP_EV_RESERVE, 0x100);

	d->id.present = true;
	d->id.bar_start[2] = 0x800000000ull;
	d->id.bar_size[2] = 64ull << 20;
	devtab_apply_event(&t, &e);
	assert_int_equal(d->reserved[2].count, 1);
	assert_int_equal(d->reserved[2].mode, VTOP_MODE_WC);
	assert_int_equal(d->reserved[2].requested, VTOP_MODE_UC_MINUS);
	devtab_free(&t);
}

/* the BAR index, not the length or offset, makes the owner's BAR mask */
static void test_decoded_mmap(void **state)
{
	struct device_table t = { 0 };
	struct vtop_rec_mmap r = { .bar = 4, .addr = 0x7f0000200000, .len = 1 << 21,
				   .bar_off = 8192 };
	struct vtop_event e = decoded(&r, sizeof(r), VTOP_EV_MMAP, 0x100);
	struct device *d;

	devtab_apply_event(&t, &e);
	d = devtab_find(&t, 0x100);
	assert_non_null(d);
	assert_int_equal(d->n_owners, 1);
	assert_int_equal(d->owners[0].bars, 1u << 4);
	assert_int_equal(d->n_mappings, 1);
	assert_int_equal(d->mappings[0].bar, 4);
	assert_int_equal(d->mappings[0].addr, 0x7f0000200000);
	assert_int_equal(d->mappings[0].len, 1 << 21);
	assert_int_equal(d->mappings[0].bar_off, 8192);
	devtab_free(&t);
}

/* ---- owners ---- */

static void test_owner_seen_updates(void **state)
{
	struct device d;

	memset(&d, 0, sizeof(d));
	device_owner_seen(&d, 100, "old", OWNER_VIA_MMAP);
	d.owners[0].alive = false;
	device_owner_seen(&d, 100, "new", OWNER_VIA_FD);
	assert_int_equal(d.n_owners, 1);
	assert_int_equal(d.owners[0].via, OWNER_VIA_MMAP | OWNER_VIA_FD);	/* OR-ed */
	assert_string_equal(d.owners[0].comm, "new");
	assert_true(d.owners[0].alive);
	/* no comm known this time: keep the one we had */
	device_owner_seen(&d, 100, NULL, OWNER_VIA_FD);
	assert_string_equal(d.owners[0].comm, "new");
	device_owner_seen(&d, 100, "", OWNER_VIA_FD);
	assert_string_equal(d.owners[0].comm, "new");
	assert_int_equal(d.n_owners, 1);
	assert_int_equal(d.owners_dropped, 0);

	/* an over-long comm is cut to VTOP_COMM_LEN - 1 */
	device_owner_seen(&d, 101, "0123456789abcdefXYZ", OWNER_VIA_MMAP);
	assert_int_equal(d.n_owners, 2);
	assert_string_equal(d.owners[1].comm, "0123456789abcde");
	free(d.owners);
}

static void test_owner_seen_full(void **state)
{
	struct device d;

	memset(&d, 0, sizeof(d));
	for (int i = 0; i < DEVICE_MAX_OWNERS; i++)
		device_owner_seen(&d, 1000 + i, "p", OWNER_VIA_MMAP);
	assert_int_equal(d.n_owners, DEVICE_MAX_OWNERS);
	assert_int_equal(d.owners_dropped, 0);
	/* grown one at a time from one slot, each owner kept where it was */
	assert_int_equal(d.owners_cap, DEVICE_MAX_OWNERS);
	for (int i = 0; i < DEVICE_MAX_OWNERS; i++)
		assert_int_equal(d.owners[i].pid, 1000 + i);

	device_owner_seen(&d, 5000, "late", OWNER_VIA_MMAP);
	device_owner_seen(&d, 5001, "later", OWNER_VIA_FD);
	assert_int_equal(d.n_owners, DEVICE_MAX_OWNERS);
	assert_int_equal(d.owners_dropped, 2);
	for (int i = 0; i < DEVICE_MAX_OWNERS; i++)
		assert_int_not_equal(d.owners[i].pid, 5000);

	/* a known owner is still updated when the table is full, and is not a drop */
	device_owner_seen(&d, 1003, "p", OWNER_VIA_FD);
	assert_int_equal(d.owners[3].via, OWNER_VIA_MMAP | OWNER_VIA_FD);
	assert_int_equal(d.owners_dropped, 2);
	free(d.owners);
}

/* ---- PCI addresses ---- */

static void test_bdf_format(void **state)
{
	char out[BDF_LEN];

	bdf_format(key_of(0, 1, 0, 0), out);
	assert_string_equal(out, "0000:01:00.0");
	bdf_format(key_of(0x1234, 0xab, 0x1f, 7), out);
	assert_string_equal(out, "1234:ab:1f.7");
	bdf_format(key_of(0xffff, 0xff, 0x1f, 7), out);
	assert_string_equal(out, "ffff:ff:1f.7");	/* the longest fits BDF_LEN */
}

static void test_bdf_round_trip(void **state)
{
	static const uint32_t keys[] = {
		0x00000000, 0x00000100, 0x00000108, 0x0000ff07, 0x00010000,
		0x12343a5f, 0xffffffff, 0x00a00011,
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char s[BDF_LEN];
		uint32_t k = 0xdeadbeef;

		bdf_format(keys[i], s);
		assert_int_equal(bdf_parse(s, &k), 0);
		assert_int_equal(k, keys[i]);
	}
}

static void test_bdf_parse_accepts(void **state)
{
	uint32_t k = 0;

	assert_int_equal(bdf_parse("0000:01:00.0", &k), 0);
	assert_int_equal(k, key_of(0, 1, 0, 0));
	/* short form: domain 0 */
	k = 0xdeadbeef;
	assert_int_equal(bdf_parse("01:00.0", &k), 0);
	assert_int_equal(k, key_of(0, 1, 0, 0));
	assert_int_equal(bdf_parse("0001:80:1f.7", &k), 0);
	assert_int_equal(k, key_of(1, 0x80, 0x1f, 7));
	assert_int_equal(bdf_parse("ab:1F.3", &k), 0);	/* hex is case-insensitive */
	assert_int_equal(k, key_of(0, 0xab, 0x1f, 3));
}

static void test_bdf_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"0000:01:20.0",		/* device > 0x1f */
		"0000:01:00.8",		/* function > 7 */
		"01:20.0",
		"zz",
		"",
		"0000:01:00.0x",	/* trailing garbage */
		"0000:01:00.0 ",
		"01:00.0x",
		"0000:01:00",		/* no function */
		"0000:01.00.0",
		"00000:01:00.0",	/* domain too wide */
		"0000:001:00.0",
		/* what sscanf's %x would take: space, sign, 0x prefix */
		" 000:01:00.0",
		"+000:01:00.0",
		"0x00:01:00.0",
		"0000:01:-0.0",
		"-1:00.0",
		"0000:0x:00.0",
	};
	uint32_t k;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		k = 0x5555;
		if (bdf_parse(bad[i], &k) != -1)
			fail_msg("bdf_parse accepted \"%s\"", bad[i]);
	}
	assert_int_equal(bdf_parse(NULL, &k), -1);
}

/* A VM restarted 16 times: the owner table makes room by dropping dead owners. */
static void test_owner_slots_reused_when_dead(void **state)
{
	struct device_table t = { 0 };
	struct device *d = devtab_get(&t, vtop_dev_key(0, 1, 0));

	for (int i = 0; i < DEVICE_MAX_OWNERS; i++)
		device_owner_seen(d, 1000 + i, "qemu", OWNER_VIA_FD);
	d->owners[3].alive = false;	/* that qemu exited */
	device_owner_seen(d, 5000, "qemu", OWNER_VIA_MMAP);
	assert_int_equal(d->n_owners, DEVICE_MAX_OWNERS);
	assert_int_equal(d->owners_dropped, 0);
	assert_int_equal(d->owners[3].pid, 5000);
	assert_true(d->owners[3].alive);
	assert_int_equal(d->owners[3].via, OWNER_VIA_MMAP);	/* not the dead one's bits */
	device_owner_seen(d, 6000, "qemu", OWNER_VIA_FD);	/* all alive again: dropped */
	assert_int_equal(d->owners_dropped, 1);
	devtab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner_slots_reused_when_dead),
		cmocka_unit_test(test_compose_named_fields),
		cmocka_unit_test(test_compose_every_count),
		cmocka_unit_test(test_stats_add_every_word),
		cmocka_unit_test(test_stats_add_max_keeps_larger),
		cmocka_unit_test(test_devtab_get_same_key),
		cmocka_unit_test(test_devtab_growth_sorted),
		cmocka_unit_test(test_devtab_find_missing),
		cmocka_unit_test(test_devtab_keep_totals),
		cmocka_unit_test(test_take_vectors),
		cmocka_unit_test(test_event_mmap_adds_owner),
		cmocka_unit_test(test_reused_pid_forgets_vm),
		cmocka_unit_test(test_event_mmap_failed),
		cmocka_unit_test(test_event_comm_unterminated),
		cmocka_unit_test(test_event_reset),
		cmocka_unit_test(test_decoded_reset),
		cmocka_unit_test(test_decoded_reserve),
		cmocka_unit_test(test_decoded_mmap),
		cmocka_unit_test(test_owner_seen_updates),
		cmocka_unit_test(test_owner_seen_full),
		cmocka_unit_test(test_bdf_format),
		cmocka_unit_test(test_bdf_round_trip),
		cmocka_unit_test(test_bdf_parse_accepts),
		cmocka_unit_test(test_bdf_parse_rejects),
	};

	return cmocka_run_group_tests_name("aggregate", tests, NULL, NULL);
}
