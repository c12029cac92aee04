// SPDX-License-Identifier: GPL-2.0
/*
 * BAR mmaps: where each landed, and which vm_ops marks a vfio-pci BAR.
 */
#include "common.bpf.h"

/* ---- BAR mmaps --------------------------------------------------------- */

static __always_inline void mmap_begin(void *vdev, struct vm_area_struct *vma, __u64 pgoff,
				       __u64 start, __u64 end)
{
	struct task_ctx *c = ctx_get(true);

	if (!c)
		return;
	learn_mapping(vdev);
	/* 6.1 rewrites vm_pgoff to the pfn: take the index before it does */
	c->mmap_bar = pgoff >> (VTOP_VFIO_PCI_OFFSET_SHIFT - VTOP_PAGE_SHIFT);
	c->mmap_bar_off = (pgoff << VTOP_PAGE_SHIFT) & ((1ull << VTOP_VFIO_PCI_OFFSET_SHIFT) - 1);
	c->mmap_dev = vdev_key(vdev);
	c->mmap_start = start;
	c->mmap_vma = vma;
	c->mmap_len = end - start;
}

static __always_inline void mmap_end(int ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_rare *s;
	struct vtop_rec_mmap *e;

	if (!c || !c->mmap_len)
		return;
	if (ret == 0) {
		struct vm_area_struct *vma = c->mmap_vma;
		__u64 ops = (__u64)BPF_CORE_READ(vma, vm_ops);

		if (ops && ops != vfio_vm_ops)
			vfio_vm_ops = ops;
		map_gen_bump(c->mmap_dev);
		s = rare_get(c->mmap_dev);
		if (s) {
			__sync_fetch_and_add(&s->mmaps, 1);
			__sync_fetch_and_add(&s->mmap_bytes, c->mmap_len);
		}
	} else {
		s = rare_get(c->mmap_dev);
		if (s)
			__sync_fetch_and_add(&s->mmaps_failed, 1);
	}
	e = event_new(VTOP_EV_MMAP, c->mmap_dev, sizeof(*e));
	if (e) {
		e->h.ret = ret;
		e->bar = c->mmap_bar;
		e->len = c->mmap_len;
		e->addr = c->mmap_start;
		e->bar_off = c->mmap_bar_off;
		event_submit(e);
	}
	c->mmap_len = 0;
}

SEC("fentry/vfio_pci_core_mmap")
int BPF_PROG(core_mmap_fentry, void *core_vdev, struct vm_area_struct *vma)
{
	mmap_begin(core_vdev, vma, vma->vm_pgoff, vma->vm_start, vma->vm_end);
	return 0;
}

SEC("fexit/vfio_pci_core_mmap")
int BPF_PROG(core_mmap_fexit, void *core_vdev, struct vm_area_struct *vma, int ret)
{
	mmap_end(ret);
	return 0;
}

SEC("kprobe/vfio_pci_core_mmap")
int BPF_KPROBE(core_mmap_kprobe, void *core_vdev, struct vm_area_struct *vma)
{
	mmap_begin(core_vdev, vma, BPF_CORE_READ(vma, vm_pgoff), BPF_CORE_READ(vma, vm_start),
		   BPF_CORE_READ(vma, vm_end));
	return 0;
}

SEC("kretprobe/vfio_pci_core_mmap")
int BPF_KRETPROBE(core_mmap_kretprobe, int ret)
{
	mmap_end(ret);
	return 0;
}
