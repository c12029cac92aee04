// SPDX-License-Identifier: GPL-2.0
/*
 * PAT memtypes: the cache mode of the pages a fault maps, and the BARs
 * own reservations.
 */
#include "common.bpf.h"

/* ---- PAT memtype lookups made for a vfio fault ------------------------ */

static __always_inline void memtype_count(struct task_ctx *c, __u32 mode, bool granted,
					  bool mismatch)
{
	struct vtop_dev_hot *h = hot_at(c->fault.slot);
	struct vtop_dev_rare *r;

	if (!h)
		return;
	hot_add(h, c->fault.slot, VTOP_HOT_MEMTYPE_LOOKUPS, 1);
	if (granted)
		hot_add(h, c->fault.slot, VTOP_HOT_MEMTYPE_MODE + idx(mode, VTOP_MODE_MAX), 1);
	r = mismatch ? rare_at(c->fault.slot) : NULL;
	if (r)
		__sync_fetch_and_add(&r->memtype_mismatch, 1);
}

/* 6.1: remap_pfn_range() -> track_pfn_remap() reserves the whole vma's range */
SEC("fentry/reserve_pfn_range")
int BPF_PROG(reserve_pfn_range_fentry, __u64 paddr, unsigned long size, pgprot_t *prot)
{
	struct task_ctx *c = ctx_get(false);

	if (!c || !c->fault.start)
		return 0;
	c->memtype_depth++;
	c->memtype_req = pgprot_cache_mode(prot->pgprot);
	return 0;
}

SEC("fexit/reserve_pfn_range")
int BPF_PROG(reserve_pfn_range_fexit, __u64 paddr, unsigned long size, pgprot_t *prot,
	     int strict, int ret)
{
	struct task_ctx *c = ctx_get(false);
	__u32 got;

	if (!c || !c->fault.start || !c->memtype_depth)
		return 0;
	c->memtype_depth--;
	got = pgprot_cache_mode(prot->pgprot);
	memtype_count(c, got, ret == 0, ret == 0 && got != c->memtype_req);
	return 0;
}

/*
 * Per-page and huge inserts: vmf_insert_pfn*() -> track_pfn_insert() -> here.
 * Only noted in the task context: fault_end() counts it with the fault, so
 * the fault path looks its device's counters up once.
 */
SEC("fexit/lookup_memtype")
int BPF_PROG(lookup_memtype_fexit, __u64 paddr, enum page_cache_mode ret)
{
	struct task_ctx *c = ctx_get(false);

	/* inside reserve_pfn_range() a RAM range is looked up page by page: counted there */
	if (!c || !c->fault.start || c->memtype_depth)
		return 0;
	c->fault.memtype = idx(ret, VTOP_MODE_MAX) + 1;
	return 0;
}

/*
 * The BARs' own reservations: vfio-pci maps a BAR in the kernel (pci_iomap
 * -> ioremap -> memtype_reserve) the first time it is mmapped (6.x), or every
 * BAR when the device is opened (7.x: vfio_pci_core_enable). ioremap passes
 * new_type: a range already reserved with another mode (a sysfs
 * resourceN_wc mapping, an fbdev) is granted that mode instead of failing,
 * and the BAR is mapped with it. The daemon finds the BAR from the range.
 */
SEC("fexit/memtype_reserve")
int BPF_PROG(memtype_reserve_fexit, __u64 start, __u64 end, enum page_cache_mode req)
{
	struct task_ctx *c = ctx_get(false);
	__u32 dev, granted = req;
	struct vtop_dev_rare *s;
	struct vtop_rec_reserve *e;
	void *new_type = NULL;
	int ret = (int)ctx[4];

	if (!c)
		return 0;
	if (c->mmap_len)
		dev = c->mmap_dev;
	else if (c->op_depth && c->op == VTOP_OP_OPEN)
		dev = c->op_dev;
	else
		return 0;
	/*
	 * 6.1's verifier refuses any load of a pointer-to-enum argument from
	 * the context ("is not a struct"): copy the pointer, then the mode
	 */
	if (!ret && !bpf_probe_read_kernel(&new_type, sizeof(new_type), &ctx[3]) && new_type)
		bpf_probe_read_kernel(&granted, sizeof(granted), new_type);
	s = rare_get(dev);
	if (!s)
		return 0;
	if (ret) {
		__sync_fetch_and_add(&s->memtype_reserve_failed, 1);
	} else {
		__sync_fetch_and_add(&s->memtype_reservations, 1);
		s->memtype_reserved = idx(granted, VTOP_MODE_MAX) + 1;
		if (granted != req)
			__sync_fetch_and_add(&s->memtype_reserve_conflicts, 1);
	}
	e = event_new(VTOP_EV_RESERVE, dev, sizeof(*e));
	if (e) {
		e->addr = start;
		e->len = end - start;
		e->h.ret = ret;
		e->requested = idx(req, VTOP_MODE_MAX);
		e->granted = idx(granted, VTOP_MODE_MAX);
		event_submit(e);
	}
	return 0;
}
