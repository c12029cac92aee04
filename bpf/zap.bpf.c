// SPDX-License-Identifier: GPL-2.0
/*
 * Zaps: a device-level invalidation of all its BAR mappings, its reason,
 * vmas and bytes.
 */
#include "common.bpf.h"

/* ---- zaps: a device-level invalidation of all its BAR mappings -------- */

static __always_inline void zap_begin(__u32 dev, __u32 reason)
{
	struct task_ctx *c = ctx_get(true);

	if (!c)
		return;
	c->zap_dev = dev;
	c->zap_reason = reason;
	c->zap_vmas = 0;
	c->zap_bytes = 0;
	c->zap_start = bpf_ktime_get_ns();
}

static __always_inline void zap_end(bool ok)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_rare *s;
	struct vtop_rec_zap *e;
	__u32 reason;
	__u64 ns;

	if (!c || !c->zap_start)
		return;
	ns = bpf_ktime_get_ns() - c->zap_start;
	c->zap_start = 0;
	reason = c->zap_reason ?: (c->op_depth ? c->op : VTOP_OP_OTHER);
	if (reason >= VTOP_OP_MAX || reason == VTOP_OP_NONE)
		reason = VTOP_OP_OTHER;

	map_gen_bump(c->zap_dev);
	s = rare_get(c->zap_dev);
	if (s) {
		__sync_fetch_and_add(&s->zaps, 1);
		__sync_fetch_and_add(&s->zaps_by_reason[idx(reason, VTOP_OP_MAX)], 1);
		if (!ok)
			__sync_fetch_and_add(&s->zaps_failed, 1);
		__sync_fetch_and_add(&s->zap_vmas, c->zap_vmas);
		__sync_fetch_and_add(&s->zap_bytes, c->zap_bytes);
		__sync_fetch_and_add(&s->zap_ns_sum, ns);
	}
	e = event_new(VTOP_EV_ZAP, c->zap_dev, sizeof(*e));
	if (!e)
		return;
	e->dur_ns = ns;
	e->h.ret = ok ? 0 : -16;	/* -EBUSY: a trylock lost the race */
	e->reason = reason;
	e->len = c->zap_bytes;
	e->vmas = c->zap_vmas;
	event_submit(e);
}

/* 6.1: every device zap goes through this static helper (docs/kernel-matrix.md) */
SEC("fentry/vfio_pci_zap_and_vma_lock")
int BPF_PROG(zap_and_vma_lock_fentry, void *vdev)
{
	zap_begin(vdev_key(vdev), 0);
	return 0;
}

SEC("fexit/vfio_pci_zap_and_vma_lock")
int BPF_PROG(zap_and_vma_lock_fexit, void *vdev, bool try, int ret)
{
	zap_end(ret != 0);
	return 0;
}

SEC("kprobe/vfio_pci_zap_and_vma_lock")
int BPF_KPROBE(zap_and_vma_lock_kprobe, void *vdev)
{
	zap_begin(vdev_key(vdev), 0);
	return 0;
}

SEC("kretprobe/vfio_pci_zap_and_vma_lock")
int BPF_KRETPROBE(zap_and_vma_lock_kretprobe, int ret)
{
	zap_end(ret != 0);
	return 0;
}

/*
 * 6.10+: vfio_pci_zap_bars() (inline) unmaps the device inode's BAR range.
 * With our patched 6.1 the vfio_pci_zap tracepoint has begun the zap already,
 * with the kernel's own reason.
 */
SEC("fentry/unmap_mapping_range")
int BPF_PROG(unmap_mapping_range_fentry, struct address_space *mapping)
{
	struct task_ctx *c = ctx_get(false);
	__u64 key = (__u64)mapping;
	__u32 *dev;

	if (c && c->zap_start) {
		c->zap_in_umr = 1;
		return 0;
	}
	dev = bpf_map_lookup_elem(&mapping_dev, &key);
	if (!dev)
		return 0;
	zap_begin(*dev, 0);
	c = ctx_get(false);
	if (c)
		c->zap_in_umr = 1;
	return 0;
}

SEC("fexit/unmap_mapping_range")
int BPF_PROG(unmap_mapping_range_fexit)
{
	struct task_ctx *c = ctx_get(false);

	if (!c || !c->zap_in_umr)
		return 0;
	c->zap_in_umr = 0;
	zap_end(true);
	return 0;
}

/*
 * The tracepoints of kernel/patches 0003 (patched 6.1). A BPF link on a module
 * tracepoint holds the module like a trampoline does: used with --pin-modules.
 */
/* enum vfio_pci_zap_reason is enum vtop_op shifted by one (VTOP_OP_NONE) */
SEC("tp_btf/vfio_pci_zap")
int BPF_PROG(vfio_pci_zap_tp, void *vdev, loff_t start, loff_t len, unsigned int reason)
{
	zap_begin(vdev_key(vdev), reason + VTOP_OP_MEM_DISABLE);
	return 0;
}

static __always_inline void zap_vma_range(unsigned long size)
{
	struct task_ctx *c = ctx_get(false);

	if (!c || !c->zap_start)
		return;
	c->zap_vmas++;
	c->zap_bytes += size;
}

/* each vma a zap unmaps, up to 6.x (6.1 reaches it via zap_vma_ptes) */
SEC("fentry/zap_page_range_single")
int BPF_PROG(zap_page_range_single_fentry, struct vm_area_struct *vma, unsigned long addr,
	     unsigned long size)
{
	zap_vma_range(size);
	return 0;
}

/* 7.x: unmap_mapping_range() zaps each vma through this one */
SEC("fentry/zap_vma_range_batched")
int BPF_PROG(zap_vma_range_batched_fentry, void *tlb, struct vm_area_struct *vma,
	     unsigned long addr, unsigned long size)
{
	zap_vma_range(size);
	return 0;
}
