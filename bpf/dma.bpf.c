// SPDX-License-Identifier: GPL-2.0
/*
 * DMA maps: VFIO_IOMMU_MAP_DMA and VFIO_IOMMU_UNMAP_DMA on a type1
 * container, counted once per ioctl. What a map points at is read from the
 * vma at its first address, never per page: pinning RAM and faulting BARs in
 * happen below this hook, one call per page or run of pages.
 */
#include "common.bpf.h"

#define VTOP_VFIO_IOMMU_MAP_DMA		0x3b71	/* _IO(';', 100 + 13) */
#define VTOP_VFIO_IOMMU_UNMAP_DMA	0x3b72	/* _IO(';', 100 + 14) */
#define VTOP_VM_IO			0x00004000UL
#define VTOP_VM_PFNMAP			0x00000400UL

#define VTOP_EFAULT	14
#define VTOP_EINVAL	22
#define VTOP_ENOSPC	28
#define VTOP_EEXIST	17
#define VTOP_ENOMEM	12

/* uapi struct vfio_iommu_type1_dma_map and _unmap, up to their size */
struct dma_map_arg {
	__u32 argsz;
	__u32 flags;
	__u64 vaddr;
	__u64 iova;
	__u64 size;
};

struct dma_unmap_arg {
	__u32 argsz;
	__u32 flags;
	__u64 iova;
	__u64 size;	/* written back: the bytes unmapped */
};

/* The ioctl a task is in, from its entry to its exit */
struct dma_call {
	__u64 start;
	__u64 arg;		/* the user's struct: an unmap writes its size back */
	__u64 vaddr;
	__u64 iova;
	__u64 size;
	__u64 locked_vm;	/* the caller's, as the map began */
	__u32 op;		/* enum vtop_dma_op; VTOP_DMA_OP_MAX: none */
	__u32 target;		/* enum vtop_dma_target */
	__u32 dev;		/* the BAR's device, when has_dev */
	__u32 has_dev;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct dma_call);
} dma_calls SEC(".maps");

struct vma_class {
	__u32 target;
	__u32 dev;
	__u32 has_dev;
};

static long vma_classify(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	const __u64 io = VTOP_VM_IO | VTOP_VM_PFNMAP;
	struct vma_class *vc = data;

	if ((BPF_CORE_READ(vma, vm_flags) & io) != io) {
		vc->target = VTOP_DMA_RAM;
		return 0;
	}
	vc->target = VTOP_DMA_BAR;
	if (vfio_vm_ops && (__u64)BPF_CORE_READ(vma, vm_ops) == vfio_vm_ops) {
		vc->dev = vdev_key(BPF_CORE_READ(vma, vm_private_data));
		vc->has_dev = 1;
	}
	return 0;
}

static __always_inline __u32 errno_class(long ret)
{
	switch (-ret) {
	case VTOP_EFAULT:
		return VTOP_DMAERR_EFAULT;
	case VTOP_EINVAL:
		return VTOP_DMAERR_EINVAL;
	case VTOP_ENOSPC:
		return VTOP_DMAERR_ENOSPC;
	case VTOP_EEXIST:
		return VTOP_DMAERR_EEXIST;
	case VTOP_ENOMEM:
		return VTOP_DMAERR_ENOMEM;
	}
	return VTOP_DMAERR_OTHER;
}

static __always_inline void dma_enter(unsigned int cmd, unsigned long arg)
{
	struct task_struct *task;
	struct vma_class vc = { .target = VTOP_DMA_NO_VMA };
	struct dma_call *c;
	long found;

	task = bpf_get_current_task_btf();
	if (cmd != VTOP_VFIO_IOMMU_MAP_DMA && cmd != VTOP_VFIO_IOMMU_UNMAP_DMA) {
		/* a map whose exit was missed must not be ended by another ioctl */
		c = bpf_task_storage_get(&dma_calls, task, 0, 0);
		if (c)
			c->op = VTOP_DMA_OP_MAX;
		return;
	}
	c = bpf_task_storage_get(&dma_calls, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c)
		return;
	c->arg = arg;
	c->has_dev = 0;
	if (cmd == VTOP_VFIO_IOMMU_MAP_DMA) {
		struct dma_map_arg m = {};

		bpf_probe_read_user(&m, sizeof(m), (void *)arg);
		c->op = VTOP_DMA_MAP;
		c->vaddr = m.vaddr;
		c->iova = m.iova;
		c->size = m.size;
		found = bpf_find_vma(task, m.vaddr, vma_classify, &vc, 0);
		/* -EBUSY: mmap_lock taken; most maps are of RAM */
		if (found && found != -2 /* -ENOENT */)
			vc.target = VTOP_DMA_RAM;
		c->target = vc.target;
		c->dev = vc.dev;
		c->has_dev = vc.has_dev;
		c->locked_vm = BPF_CORE_READ(task, mm, locked_vm);
	} else {
		struct dma_unmap_arg u = {};

		bpf_probe_read_user(&u, sizeof(u), (void *)arg);
		c->op = VTOP_DMA_UNMAP;
		c->vaddr = 0;
		c->iova = u.iova;
		c->size = u.size;
		c->target = VTOP_DMA_RAM;
	}
	c->start = bpf_ktime_get_ns();
}

/* Shared by processes' threads: every add is atomic */
static __always_inline void dma_count(struct vtop_dma_stats *s, const struct dma_call *c,
				      long ret, __u64 ns, __u64 bytes, __u64 pinned)
{
	__u32 op = idx(c->op, VTOP_DMA_OP_MAX), target = idx(c->target, VTOP_DMA_TARGET_MAX);

	__sync_fetch_and_add(&s->calls[op], 1);
	__sync_fetch_and_add(&s->ns[op], ns);
	atomic_max(&s->ns_max[op], ns);
	if (ret) {
		__sync_fetch_and_add(&s->failed[op], 1);
		__sync_fetch_and_add(&s->errors[idx(errno_class(ret), VTOP_DMAERR_MAX)], 1);
	} else if (c->op == VTOP_DMA_MAP) {
		__sync_fetch_and_add(&s->maps[target], 1);
		__sync_fetch_and_add(&s->map_bytes[target], bytes);
		__sync_fetch_and_add(&s->map_ns[target], ns);
		__sync_fetch_and_add(&s->pinned_pages, pinned);
	} else {
		__sync_fetch_and_add(&s->unmap_bytes, bytes);
	}
}

static __always_inline void dma_exit(long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vtop_dev_rare *ds;
	struct vtop_dma_proc *p;
	struct vtop_rec_dma_fail *e;
	__u64 now, ns, bytes = 0, pinned = 0, locked;
	struct dma_call *c;

	c = bpf_task_storage_get(&dma_calls, task, 0, 0);
	if (!c || c->op >= VTOP_DMA_OP_MAX)
		return;
	now = bpf_ktime_get_ns();
	ns = now - c->start;
	if (!ret && c->op == VTOP_DMA_MAP) {
		bytes = c->size;
		locked = BPF_CORE_READ(task, mm, locked_vm);
		if (locked > c->locked_vm)
			pinned = locked - c->locked_vm;
	} else if (!ret) {
		struct dma_unmap_arg u = {};

		if (!bpf_probe_read_user(&u, sizeof(u), (void *)c->arg))
			bytes = u.size;
	}
	dma_count(&dma_totals, c, ret, ns, bytes, pinned);
	p = dma_proc_get();
	if (p) {
		dma_count(&p->s, c, ret, ns, bytes, pinned);
		if (c->op == VTOP_DMA_MAP) {
			if (!p->first_map_ns)
				p->first_map_ns = c->start;
			p->last_map_end_ns = now;
		}
	}
	if (c->op == VTOP_DMA_MAP && c->has_dev) {
		ds = rare_get(c->dev);
		if (ds) {
			if (ret) {
				__sync_fetch_and_add(&ds->dma_maps_failed, 1);
			} else {
				__sync_fetch_and_add(&ds->dma_maps, 1);
				__sync_fetch_and_add(&ds->dma_map_bytes, bytes);
			}
			__sync_fetch_and_add(&ds->dma_map_ns_sum, ns);
			atomic_max(&ds->dma_map_ns_max, ns);
		}
	}
	if (ret) {
		e = event_new(VTOP_EV_DMA_FAIL, c->has_dev ? c->dev : 0, sizeof(*e));
		if (e) {
			e->dur_ns = ns;
			e->h.ret = ret;
			e->op = c->op;
			e->target = c->target;
			e->vaddr = c->vaddr;
			e->iova = c->iova;
			e->len = c->size;
			event_submit(e);
		}
	}
	c->op = VTOP_DMA_OP_MAX;
}

SEC("fentry/vfio_iommu_type1_ioctl")
int BPF_PROG(dma_ioctl_fentry, void *iommu, unsigned int cmd, unsigned long arg)
{
	dma_enter(cmd, arg);
	return 0;
}

SEC("fexit/vfio_iommu_type1_ioctl")
int BPF_PROG(dma_ioctl_fexit, void *iommu, unsigned int cmd, unsigned long arg, long ret)
{
	dma_exit(ret);
	return 0;
}

SEC("kprobe/vfio_iommu_type1_ioctl")
int BPF_KPROBE(dma_ioctl_kprobe, void *iommu, unsigned int cmd, unsigned long arg)
{
	dma_enter(cmd, arg);
	return 0;
}

SEC("kretprobe/vfio_iommu_type1_ioctl")
int BPF_KRETPROBE(dma_ioctl_kretprobe, long ret)
{
	dma_exit(ret);
	return 0;
}

/*
 * vfiotopd's reader of dma_procs: a record per process, its tgid then its
 * struct vtop_dma_proc (map_read_records()). Read through an iterator, a
 * map walk does not hold off the kprobe programs of other tasks on its CPU.
 */
SEC("iter/bpf_map_elem")
int dump_dma_procs(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *tgid = ctx->key;
	struct vtop_dma_proc *p = ctx->value;

	if (!tgid || !p)
		return 0;
	bpf_seq_write(ctx->meta->seq, tgid, sizeof(*tgid));
	bpf_seq_write(ctx->meta->seq, p, sizeof(*p));
	return 0;
}
