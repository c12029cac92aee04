// SPDX-License-Identifier: GPL-2.0
/*
 * vfiotop capture: what vfio-pci does with BAR mappings, aggregated in
 * per-device maps. Only rare events (mmap, zap, reset) are sent to
 * userspace through the ring buffer; faults never are.
 *
 * Every program is compiled in; the daemon switches off at load time
 * the ones whose target function the running kernel does not have.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define __VFIOTOP_BPF__
#include "vfiotop.h"
#include "vfio_types.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VTOP_MAX_DEVICES);
	__type(key, __u32);
	__type(value, struct vtop_dev_stats);
} dev_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, VTOP_RINGBUF_SIZE);
} events SEC(".maps");

/* What the current task is in the middle of, for the hooks nested below it. */
struct task_ctx {
	__u64 fault_start;	/* non-zero while inside a vfio fault handler */
	__u32 fault_dev;
	__u32 fault_origin;

	__u32 op;		/* enum vtop_op of the outermost vfio-pci operation */
	__u32 op_depth;
	__u32 dma_map_depth;	/* inside vfio_iommu_type1 vaddr_get_pfns() */

	__u64 zap_start;	/* non-zero while inside a device-level zap */
	__u32 zap_dev;
	__u32 zap_vmas;
	__u64 zap_bytes;

	__u64 reset_start;
	__u32 reset_dev;
	__u32 reset_method;
	__u32 reset_depth;

	__u32 mmap_bar;
	__u32 memtype_depth;	/* inside reserve_pfn_range() */
	__u32 memtype_req;	/* cache mode the caller asked for */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

struct vtop_self_stats self_stats;
/* Source for new map entries: too large for the BPF stack. */
struct vtop_dev_stats zero_stats;

static __always_inline struct task_ctx *ctx_get(bool create)
{
	return bpf_task_storage_get(&task_ctxs, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

static __always_inline struct vtop_dev_stats *stats_get(__u32 dev)
{
	struct vtop_dev_stats *s;

	s = bpf_map_lookup_elem(&dev_stats, &dev);
	if (s)
		return s;
	bpf_map_update_elem(&dev_stats, &dev, &zero_stats, BPF_NOEXIST);
	s = bpf_map_lookup_elem(&dev_stats, &dev);
	if (!s)
		__sync_fetch_and_add(&self_stats.devmap_full, 1);
	return s;
}

static __always_inline __u32 pdev_key(struct pci_dev *pdev)
{
	struct pci_bus *bus = BPF_CORE_READ(pdev, bus);
	struct pci_sysdata *sd = BPF_CORE_READ(bus, sysdata);

	/* x86 keeps the PCI domain (segment) in the host bridge's sysdata */
	return vtop_dev_key(BPF_CORE_READ(sd, domain), BPF_CORE_READ(bus, number),
			  BPF_CORE_READ(pdev, devfn));
}

static __always_inline __u32 vdev_key(void *vdev)
{
	return pdev_key(BPF_CORE_READ((struct vfio_pci_core_device *)vdev, pdev));
}

/*
 * An array index the verifier can bound: clang otherwise range-checks one
 * register and indexes with a copy it has not checked (6.1's verifier then
 * rejects the access). The empty asm hides the value from clang.
 */
static __always_inline __u64 idx(__u64 v, __u64 n)
{
	asm volatile("" : "+r"(v));
	if (v >= n)
		v = n - 1;
	return v;
}

static __always_inline __u64 log2_slot(__u64 v)
{
	__u64 r, shift;

	r = (v > 0xffffffff) << 5; v >>= r;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return idx(r, VTOP_HIST_SLOTS);
}

static __always_inline struct vtop_event *event_new(__u32 type, __u32 dev)
{
	struct vtop_event *e;
	__u64 id = bpf_get_current_pid_tgid();

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&self_stats.ringbuf_drops, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->type = type;
	e->dev = dev;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

/* ---- faults ------------------------------------------------------------ */

static __always_inline void fault_begin(struct vm_fault *vmf)
{
	struct task_ctx *c = ctx_get(true);

	if (!c)
		return;
	c->fault_dev = vdev_key(vmf->vma->vm_private_data);
	if (c->dma_map_depth)
		c->fault_origin = VTOP_ORIGIN_DMA_MAP;
	else if (vmf->flags & FAULT_FLAG_USER)
		c->fault_origin = VTOP_ORIGIN_USER;
	else
		c->fault_origin = VTOP_ORIGIN_KERNEL;
	c->fault_start = bpf_ktime_get_ns();
}

static __always_inline void fault_end(vm_fault_t ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_stats *s;
	__u64 ns;
	__u32 res;

	if (!c || !c->fault_start)
		return;
	ns = bpf_ktime_get_ns() - c->fault_start;
	c->fault_start = 0;
	s = stats_get(c->fault_dev);
	if (!s)
		return;

	if (ret & VTOP_VM_FAULT_SIGBUS)
		res = VTOP_FRES_SIGBUS;
	else if (ret & VTOP_VM_FAULT_OOM)
		res = VTOP_FRES_OOM;
	else if (ret & VTOP_VM_FAULT_FALLBACK)
		res = VTOP_FRES_FALLBACK;
	else if (ret & VTOP_VM_FAULT_NOPAGE)
		res = VTOP_FRES_NOPAGE;
	else
		res = VTOP_FRES_OTHER;

	s->faults++;
	s->faults_by_origin[idx(c->fault_origin, VTOP_ORIGIN_MAX)]++;
	s->faults_by_result[idx(res, VTOP_FRES_MAX)]++;
	s->fault_hist[log2_slot(ns)]++;
	s->fault_ns_sum += ns;
	if (ns > s->fault_ns_max)
		s->fault_ns_max = ns;
}

SEC("fentry/vfio_pci_mmap_fault")
int BPF_PROG(mmap_fault_enter, struct vm_fault *vmf)
{
	fault_begin(vmf);
	return 0;
}

SEC("fexit/vfio_pci_mmap_fault")
int BPF_PROG(mmap_fault_exit, struct vm_fault *vmf, vm_fault_t ret)
{
	fault_end(ret);
	return 0;
}

/* ---- PTEs installed while a vfio fault is running --------------------- */

static __always_inline void pages_add(__u32 size_idx, __u64 n)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_stats *s;

	if (!c || !c->fault_start)
		return;
	s = stats_get(c->fault_dev);
	if (s)
		s->pages[idx(size_idx, VTOP_PSIZE_MAX)] += n;
}

/* 6.1: io_remap_pfn_range() is inline and lands here, whole vma at once */
SEC("fexit/remap_pfn_range")
int BPF_PROG(remap_pfn_range_exit, struct vm_area_struct *vma, unsigned long addr,
	     unsigned long pfn, unsigned long size, __u64 prot, int ret)
{
	if (ret == 0)
		pages_add(VTOP_PSIZE_4K, size >> VTOP_PAGE_SHIFT);
	return 0;
}

/* ---- PAT memtype lookups made for a vfio fault ------------------------ */

/*
 * x86 cache mode of a pgprot: PAT index = PAT:PCD:PWT (bits 7, 4, 3) into the
 * table pat_init() programs, "WB WC UC- UC WB WP UC- WT".
 */
static __always_inline __u32 pgprot_cache_mode(__u64 prot)
{
	__u32 idx = ((prot >> 3) & 1) | ((prot >> 4) & 1) << 1 | ((prot >> 7) & 1) << 2;

	switch (idx) {
	case 0: case 4: return VTOP_MODE_WB;
	case 1: return VTOP_MODE_WC;
	case 2: case 6: return VTOP_MODE_UC_MINUS;
	case 3: return VTOP_MODE_UC;
	case 5: return VTOP_MODE_WP;
	default: return VTOP_MODE_WT;
	}
}

static __always_inline void memtype_count(struct task_ctx *c, __u32 mode, bool granted,
					  bool mismatch)
{
	struct vtop_dev_stats *s = stats_get(c->fault_dev);

	if (!s)
		return;
	s->memtype_lookups++;
	if (granted)
		s->memtype_by_mode[idx(mode, VTOP_MODE_MAX)]++;
	if (mismatch)
		s->memtype_mismatch++;
}

/* 6.1: remap_pfn_range() -> track_pfn_remap() reserves the whole vma's range */
SEC("fentry/reserve_pfn_range")
int BPF_PROG(reserve_pfn_range_enter, __u64 paddr, unsigned long size, pgprot_t *prot)
{
	struct task_ctx *c = ctx_get(false);

	if (!c || !c->fault_start)
		return 0;
	c->memtype_depth++;
	c->memtype_req = pgprot_cache_mode(prot->pgprot);
	return 0;
}

SEC("fexit/reserve_pfn_range")
int BPF_PROG(reserve_pfn_range_exit, __u64 paddr, unsigned long size, pgprot_t *prot,
	     int strict, int ret)
{
	struct task_ctx *c = ctx_get(false);
	__u32 got;

	if (!c || !c->fault_start || !c->memtype_depth)
		return 0;
	c->memtype_depth--;
	got = pgprot_cache_mode(prot->pgprot);
	memtype_count(c, got, ret == 0, ret == 0 && got != c->memtype_req);
	return 0;
}

/* per-page inserts: vmf_insert_pfn*() -> track_pfn_insert() -> lookup_memtype() */
SEC("fexit/lookup_memtype")
int BPF_PROG(lookup_memtype_exit, __u64 paddr, enum page_cache_mode ret)
{
	struct task_ctx *c = ctx_get(false);

	/* inside reserve_pfn_range() a RAM range is looked up page by page: counted there */
	if (!c || !c->fault_start || c->memtype_depth)
		return 0;
	memtype_count(c, ret, true, false);
	return 0;
}

/* ---- the vfio-pci operation a task is in: reasons for zaps and resets -- */

static __always_inline void op_enter(__u32 op)
{
	struct task_ctx *c = ctx_get(true);

	if (!c)
		return;
	if (c->op_depth++ == 0)
		c->op = op;
}

static __always_inline void op_exit(void)
{
	struct task_ctx *c = ctx_get(false);

	if (!c || !c->op_depth)
		return;
	if (--c->op_depth == 0)
		c->op = VTOP_OP_NONE;
}

static __always_inline __u32 ioctl_op(unsigned int cmd)
{
	if (cmd == VTOP_VFIO_DEVICE_RESET)
		return VTOP_OP_RESET;
	if (cmd == VTOP_VFIO_DEVICE_PCI_HOT_RESET)
		return VTOP_OP_HOT_RESET;
	return VTOP_OP_NONE;
}

SEC("fentry/vfio_pci_core_ioctl")
int BPF_PROG(core_ioctl_enter, struct vfio_device *core_vdev, unsigned int cmd)
{
	__u32 op = ioctl_op(cmd);

	if (op != VTOP_OP_NONE)
		op_enter(op);
	return 0;
}

SEC("fexit/vfio_pci_core_ioctl")
int BPF_PROG(core_ioctl_exit, struct vfio_device *core_vdev, unsigned int cmd)
{
	if (ioctl_op(cmd) != VTOP_OP_NONE)
		op_exit();
	return 0;
}

#define VTOP_OP_HOOK(name, func, op)				\
SEC("fentry/" #func)						\
int BPF_PROG(name##_enter)					\
{								\
	op_enter(op);						\
	return 0;						\
}								\
SEC("fexit/" #func)						\
int BPF_PROG(name##_exit)					\
{								\
	op_exit();						\
	return 0;						\
}

VTOP_OP_HOOK(ioctl_feature, vfio_pci_core_ioctl_feature, VTOP_OP_LOW_POWER)
VTOP_OP_HOOK(core_enable, vfio_pci_core_enable, VTOP_OP_OPEN)
VTOP_OP_HOOK(core_disable, vfio_pci_core_disable, VTOP_OP_CLOSE)
VTOP_OP_HOOK(basic_config_write, vfio_basic_config_write, VTOP_OP_MEM_DISABLE)
VTOP_OP_HOOK(pm_config_write, vfio_pm_config_write, VTOP_OP_POWER_STATE)
VTOP_OP_HOOK(exp_config_write, vfio_exp_config_write, VTOP_OP_FLR)
VTOP_OP_HOOK(af_config_write, vfio_af_config_write, VTOP_OP_FLR)

/* The IOMMU driver faulting a BAR in for VFIO_IOMMU_MAP_DMA (P2P DMA). */
SEC("fentry/vaddr_get_pfns")
int BPF_PROG(vaddr_get_pfns_enter)
{
	struct task_ctx *c = ctx_get(true);

	if (c)
		c->dma_map_depth++;
	return 0;
}

SEC("fexit/vaddr_get_pfns")
int BPF_PROG(vaddr_get_pfns_exit)
{
	struct task_ctx *c = ctx_get(false);

	if (c && c->dma_map_depth)
		c->dma_map_depth--;
	return 0;
}

/* ---- zaps: a device-level invalidation of all its BAR mappings -------- */

static __always_inline void zap_begin(void *vdev)
{
	struct task_ctx *c = ctx_get(true);

	if (!c)
		return;
	c->zap_dev = vdev_key(vdev);
	c->zap_vmas = 0;
	c->zap_bytes = 0;
	c->zap_start = bpf_ktime_get_ns();
}

static __always_inline void zap_end(bool ok)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_stats *s;
	struct vtop_event *e;
	__u64 ns;
	__u32 reason;

	if (!c || !c->zap_start)
		return;
	ns = bpf_ktime_get_ns() - c->zap_start;
	c->zap_start = 0;
	reason = c->op_depth ? c->op : VTOP_OP_OTHER;
	if (reason >= VTOP_OP_MAX || reason == VTOP_OP_NONE)
		reason = VTOP_OP_OTHER;

	s = stats_get(c->zap_dev);
	if (s) {
		s->zaps++;
		s->zaps_by_reason[idx(reason, VTOP_OP_MAX)]++;
		if (!ok)
			s->zaps_failed++;
		s->zap_vmas += c->zap_vmas;
		s->zap_bytes += c->zap_bytes;
		s->zap_ns_sum += ns;
	}
	e = event_new(VTOP_EV_ZAP, c->zap_dev);
	if (!e)
		return;
	e->dur_ns = ns;
	e->ret = ok ? 0 : -16;	/* -EBUSY: a trylock lost the race */
	e->reason = reason;
	e->len = c->zap_bytes;
	e->vmas = c->zap_vmas;
	bpf_ringbuf_submit(e, 0);
}

/* 6.1: every device zap goes through this static helper (see docs/hooks.md) */
SEC("fentry/vfio_pci_zap_and_vma_lock")
int BPF_PROG(zap_and_vma_lock_enter, void *vdev, bool try)
{
	zap_begin(vdev);
	return 0;
}

SEC("fexit/vfio_pci_zap_and_vma_lock")
int BPF_PROG(zap_and_vma_lock_exit, void *vdev, bool try, int ret)
{
	zap_end(ret != 0);
	return 0;
}

SEC("fentry/zap_vma_ptes")
int BPF_PROG(zap_vma_ptes_enter, struct vm_area_struct *vma, unsigned long addr,
	     unsigned long size)
{
	struct task_ctx *c = ctx_get(false);

	if (!c || !c->zap_start)
		return 0;
	c->zap_vmas++;
	c->zap_bytes += size;
	return 0;
}

/* ---- resets made by vfio-pci ------------------------------------------ */

static __always_inline void reset_begin(struct pci_dev *pdev, __u32 method)
{
	struct task_ctx *c = ctx_get(false);

	/* only resets vfio-pci asked for: pci core calls these for others too */
	if (!c || !c->op_depth)
		return;
	if (c->reset_depth++)
		return;
	c->reset_dev = pdev_key(pdev);
	c->reset_method = method;
	c->reset_start = bpf_ktime_get_ns();
}

static __always_inline void reset_end(int ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_stats *s;
	struct vtop_event *e;
	__u32 origin, method;
	__u64 ns;

	if (!c || !c->reset_depth || --c->reset_depth)
		return;
	ns = bpf_ktime_get_ns() - c->reset_start;
	origin = c->op < VTOP_OP_MAX ? c->op : VTOP_OP_OTHER;
	method = c->reset_method < VTOP_RESET_METHOD_MAX ? c->reset_method : 0;

	s = stats_get(c->reset_dev);
	if (s) {
		s->resets++;
		s->resets_by_origin[idx(origin, VTOP_OP_MAX)]++;
		s->resets_by_method[idx(method, VTOP_RESET_METHOD_MAX)]++;
		if (ret)
			s->resets_failed++;
		s->reset_ns_sum += ns;
		if (ns > s->reset_ns_max)
			s->reset_ns_max = ns;
	}
	e = event_new(VTOP_EV_RESET, c->reset_dev);
	if (!e)
		return;
	e->dur_ns = ns;
	e->ret = ret;
	e->reason = origin;
	e->method = method;
	bpf_ringbuf_submit(e, 0);
}

#define VTOP_RESET_HOOK(func, method)					\
SEC("fentry/" #func)							\
int BPF_PROG(func##_enter, struct pci_dev *pdev)			\
{									\
	reset_begin(pdev, method);					\
	return 0;							\
}									\
SEC("fexit/" #func)							\
int BPF_PROG(func##_exit, struct pci_dev *pdev, int ret)		\
{									\
	reset_end(ret);							\
	return 0;							\
}

VTOP_RESET_HOOK(pci_try_reset_function, VTOP_RESET_FUNCTION)
VTOP_RESET_HOOK(pci_reset_function, VTOP_RESET_FUNCTION)
VTOP_RESET_HOOK(__pci_reset_function_locked, VTOP_RESET_FUNCTION)
VTOP_RESET_HOOK(pci_reset_bus, VTOP_RESET_BUS)

/* ---- BAR mmaps --------------------------------------------------------- */

SEC("fentry/vfio_pci_core_mmap")
int BPF_PROG(core_mmap_enter, struct vfio_device *core_vdev, struct vm_area_struct *vma)
{
	struct task_ctx *c = ctx_get(true);

	/* 6.1 rewrites vm_pgoff to the pfn: take the index before it does */
	if (c)
		c->mmap_bar = vma->vm_pgoff >> (VTOP_VFIO_PCI_OFFSET_SHIFT - VTOP_PAGE_SHIFT);
	return 0;
}

SEC("fexit/vfio_pci_core_mmap")
int BPF_PROG(core_mmap_exit, struct vfio_device *core_vdev, struct vm_area_struct *vma,
	     int ret)
{
	struct task_ctx *c = ctx_get(false);
	/* struct vfio_device is the first member of vfio_pci_core_device */
	__u32 dev = vdev_key(core_vdev);
	__u64 len = vma->vm_end - vma->vm_start;
	struct vtop_dev_stats *s;
	struct vtop_event *e;

	if (ret == 0) {
		s = stats_get(dev);
		if (s) {
			s->mmaps++;
			s->mmap_bytes += len;
		}
	}
	e = event_new(VTOP_EV_MMAP, dev);
	if (!e)
		return 0;
	e->ret = ret;
	e->bar = c ? c->mmap_bar : ~0u;
	e->len = len;
	e->addr = vma->vm_start;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
