// SPDX-License-Identifier: GPL-2.0
/*
 * vfiotop capture: what vfio-pci does with BAR mappings, aggregated in
 * per-device maps. Only rare events (mmap, zap, reset) are sent to
 * userspace through the ring buffer; faults never are.
 *
 * Every hook is compiled twice: fentry/fexit, and kprobe/kretprobe. The
 * daemon picks one per function at load time (docs/kernel-matrix.md):
 * a trampoline on a module function pins the module, kprobes do not.
 * Programs whose function the running kernel lacks are not loaded.
 */
#define VTOP_MAPS_OWNER
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * 6.10+: a device's BAR mappings live in its inode's address space, zapped
 * with unmap_mapping_range(). Which device an address space belongs to is
 * learned whenever a vfio-pci operation names the device.
 */
struct {
	/* LRU: inodes of unbound devices go, and their addresses get reused */
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, VTOP_MAX_DEVICES);
	__type(key, __u64);	/* struct address_space * */
	__type(value, __u32);	/* device key */
} mapping_dev SEC(".maps");

#define VTOP_ORDER_WHOLE_VMA	0xff	/* the fault maps the whole vma itself */

/*
 * Entries installed by per-page and huge faults, to tell a fault that put
 * one in from a racing fault that found it there (both return NOPAGE). A
 * key is the page table slot's parent (pmd or pud pointer: one per mm and
 * range), the entry's address and order, the device and its map generation:
 * a zap or an mmap of the device starts a new generation, so the entries a
 * zap removed count again when they come back. Racing faults come within
 * microseconds of each other: an LRU of recent installs is enough.
 */
struct installed_key {
	__u64 table;
	__u64 addr;		/* entry's address | order */
	__u32 slot;
	__u32 gen;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct installed_key);
	__type(value, __u8);
} installed SEC(".maps");

/* per device slot: bumped by its zaps and mmaps */
__u32 map_gen[VTOP_MAX_DEVICES];

/* memory_lock address -> device: which lock contention is about a device */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTOP_MAX_DEVICES);
	__type(key, __u64);
	__type(value, __u32);
} lock_dev SEC(".maps");

/* dma_buf * -> device key: a DMA-BUF is alive from its export to its release */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} dmabuf_dev SEC(".maps");

/* waits at least this long carry the waiter's kernel stack (--stall-threshold) */
const volatile __u64 stack_threshold_ns = 100000000;

/*
 * Set by vfiotopd before a load that creates this map; a pinned map reused
 * by a restarted vfiotopd keeps it: when the counters began (ns, realtime).
 */
__u64 counters_since_ns;


static __always_inline void learn_mapping(void *vdev)
{
	struct vfio_device *v = vdev;
	__u32 dev, *known;
	__u64 mapping;

	if (!bpf_core_field_exists(v->inode))
		return;
	mapping = (__u64)BPF_CORE_READ(v, inode, i_mapping);
	if (!mapping)
		return;
	dev = vdev_key(vdev);
	/* a freed inode's address comes back for the next device bound */
	known = bpf_map_lookup_elem(&mapping_dev, &mapping);
	if (!known || *known != dev)
		bpf_map_update_elem(&mapping_dev, &mapping, &dev, BPF_ANY);
}

/* ---- faults ------------------------------------------------------------ */

/* The entry of this order's faults in faults_by_order. */
static __always_inline __u32 order_index(__u32 order)
{
	if (order == VTOP_ORDER_WHOLE_VMA)
		return VTOP_FORDER_WHOLE_VMA;
	if (order == VTOP_ORDER_PMD)
		return VTOP_FORDER_PMD;
	if (order == VTOP_ORDER_PUD)
		return VTOP_FORDER_PUD;
	return order ? VTOP_FORDER_MAX : VTOP_FORDER_PTE;
}

/*
 * The last fault of this task never reached its exit hook (a kretprobe has a
 * few instances in flight; faults asleep on memory_lock during a reset can
 * use them up). Its context is still here: count the fault itself, without
 * the latency, result and page only its exit knows.
 */
static __always_inline void fault_exit_missed(struct task_ctx *c)
{
	struct vtop_dev_stats *s = stats_at(c->fault_slot);
	__u32 o = order_index(c->fault_order);

	__sync_fetch_and_add(&self_stats.exits_missed, 1);
	if (!s)
		return;
	s->faults++;
	s->faults_by_origin[idx(c->fault_origin, VTOP_ORIGIN_MAX)]++;
	if (o < VTOP_FORDER_MAX)
		s->faults_by_order[idx(o, VTOP_FORDER_MAX)]++;
}

static __always_inline void fault_begin(void *vdev, __u32 flags, __u32 order, __u64 table,
					__u64 addr)
{
	struct task_ctx *c = ctx_get(true);

	if (!c)
		return;
	if (c->fault_start)
		fault_exit_missed(c);
	if (c->last_vdev != (__u64)vdev) {
		c->last_vdev = (__u64)vdev;
		c->last_key = vdev_key(vdev);
		c->last_slot = slot_of(c->last_key);
	}
	c->fault_dev = c->last_key;
	c->fault_slot = c->last_slot;
	c->fault_memtype = 0;
	/*
	 * The fault says who caused it: vfio_iommu_type1 faults a BAR in for
	 * VFIO_IOMMU_MAP_DMA with fixup_user_fault(mm, vaddr, FAULT_FLAG_REMOTE
	 * | ...); KVM's hva_to_pfn path passes neither flag; GUP refuses pfnmaps.
	 */
	if (flags & bpf_core_enum_value(enum fault_flag, FAULT_FLAG_REMOTE))
		c->fault_origin = VTOP_ORIGIN_DMA_MAP;
	else if (flags & bpf_core_enum_value(enum fault_flag, FAULT_FLAG_USER))
		c->fault_origin = VTOP_ORIGIN_USER;
	else
		c->fault_origin = VTOP_ORIGIN_KERNEL;
	c->fault_order = order;
	c->fault_table = table;
	c->fault_remapped = 0;
	c->fault_addr = addr;
	c->fault_start = bpf_ktime_get_ns();
}

/* The vmf's page table parent for a fault of this order: see installed_key. */
#define FAULT_TABLE(vmf, order)	((order) == VTOP_ORDER_PUD ? (__u64)(vmf)->pud : (__u64)(vmf)->pmd)
#define FAULT_TABLE_READ(vmf, order)						\
	((order) == VTOP_ORDER_PUD ? (__u64)BPF_CORE_READ(vmf, pud) : (__u64)BPF_CORE_READ(vmf, pmd))

/* Did this fault install its entry, rather than find a racing fault's? */
static __always_inline bool fault_installed(const struct task_ctx *c)
{
	__u32 shift = c->fault_order == VTOP_ORDER_PUD ? 30 :
		      c->fault_order == VTOP_ORDER_PMD ? 21 : VTOP_PAGE_SHIFT;
	struct installed_key k = {
		.table = c->fault_table,
		.addr = (c->fault_addr >> shift) << shift | c->fault_order,
		.slot = c->fault_slot,
		.gen = map_gen[idx(c->fault_slot, VTOP_MAX_DEVICES)],
	};
	__u8 one = 1;

	return bpf_map_update_elem(&installed, &k, &one, BPF_NOEXIST) == 0;
}

static __always_inline void map_gen_bump(__u32 dev)
{
	__u32 slot = slot_of(dev);

	if (slot < VTOP_MAX_DEVICES)
		__sync_fetch_and_add(&map_gen[idx(slot, VTOP_MAX_DEVICES)], 1);
}

/* The page a successful fault of this order installed: derived, not hooked. */
static __always_inline __u32 order_page_size(__u32 order)
{
	if (order == 0)
		return VTOP_PSIZE_4K;
	if (order == VTOP_ORDER_PMD)
		return VTOP_PSIZE_2M;
	if (order == VTOP_ORDER_PUD)
		return VTOP_PSIZE_1G;
	return VTOP_PSIZE_MAX;
}

static __always_inline void fault_end(vm_fault_t ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_stats *s;
	__u32 res, psize, order;
	__u64 ns;

	if (!c || !c->fault_start)
		return;
	ns = bpf_ktime_get_ns() - c->fault_start;
	c->fault_start = 0;
	s = stats_at(c->fault_slot);
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
	/* per-page and huge faults install one entry of their order on NOPAGE */
	psize = order_page_size(c->fault_order);
	order = order_index(c->fault_order);
	if (order < VTOP_FORDER_MAX)
		s->faults_by_order[idx(order, VTOP_FORDER_MAX)]++;
	if (res == VTOP_FRES_NOPAGE && psize < VTOP_PSIZE_MAX) {
		if (fault_installed(c))
			s->pages[idx(psize, VTOP_PSIZE_MAX)]++;
		else
			s->faults_found_mapped++;
	} else if (res == VTOP_FRES_NOPAGE && c->fault_order == VTOP_ORDER_WHOLE_VMA &&
		   !c->fault_remapped) {
		/* 6.1: another thread's fault had mapped the vma already */
		s->faults_found_mapped++;
	}
	if (c->fault_memtype) {
		s->memtype_lookups++;
		s->memtype_by_mode[idx(c->fault_memtype - 1, VTOP_MODE_MAX)]++;
	}
}

/* Up to 6.9: .fault; whole vma at once before 6.10's per-page rework */
static __always_inline __u32 mmap_fault_order(void)
{
	struct vfio_pci_core_device___vma_list *v = 0;

	return bpf_core_field_exists(v->vma_list) ? VTOP_ORDER_WHOLE_VMA : 0;
}

SEC("fentry/vfio_pci_mmap_fault")
int BPF_PROG(mmap_fault_fentry, struct vm_fault *vmf)
{
	__u32 order = mmap_fault_order();

	fault_begin(vmf->vma->vm_private_data, vmf->flags, order, (__u64)vmf->pmd, vmf->address);
	return 0;
}

SEC("fexit/vfio_pci_mmap_fault")
int BPF_PROG(mmap_fault_fexit, struct vm_fault *vmf, vm_fault_t ret)
{
	fault_end(ret);
	return 0;
}

SEC("kprobe/vfio_pci_mmap_fault")
int BPF_KPROBE(mmap_fault_kprobe, struct vm_fault *vmf)
{
	fault_begin(BPF_CORE_READ(vmf, vma, vm_private_data), BPF_CORE_READ(vmf, flags),
		    mmap_fault_order(), (__u64)BPF_CORE_READ(vmf, pmd), BPF_CORE_READ(vmf, address));
	return 0;
}

SEC("kretprobe/vfio_pci_mmap_fault")
int BPF_KRETPROBE(mmap_fault_kretprobe, vm_fault_t ret)
{
	fault_end(ret);
	return 0;
}

/*
 * 6.12: .huge_fault; .fault (vfio_pci_mmap_page_fault) is a tail call into
 * it with order 0, so this one hook sees every fault.
 */
SEC("fentry/vfio_pci_mmap_huge_fault")
int BPF_PROG(huge_fault_fentry, struct vm_fault *vmf, unsigned int order)
{
	fault_begin(vmf->vma->vm_private_data, vmf->flags, order, FAULT_TABLE(vmf, order),
		    vmf->address);
	return 0;
}

SEC("fexit/vfio_pci_mmap_huge_fault")
int BPF_PROG(huge_fault_fexit, struct vm_fault *vmf, unsigned int order, vm_fault_t ret)
{
	fault_end(ret);
	return 0;
}

SEC("kprobe/vfio_pci_mmap_huge_fault")
int BPF_KPROBE(huge_fault_kprobe, struct vm_fault *vmf, unsigned int order)
{
	fault_begin(BPF_CORE_READ(vmf, vma, vm_private_data), BPF_CORE_READ(vmf, flags), order,
		    FAULT_TABLE_READ(vmf, order), BPF_CORE_READ(vmf, address));
	return 0;
}

SEC("kretprobe/vfio_pci_mmap_huge_fault")
int BPF_KRETPROBE(huge_fault_kretprobe, vm_fault_t ret)
{
	fault_end(ret);
	return 0;
}

/* ---- PTEs installed by a whole-vma fault (6.1) -------------------------- */

/* io_remap_pfn_range() is inline and lands here, the whole vma at once */
SEC("fexit/remap_pfn_range")
int BPF_PROG(remap_pfn_range_fexit, struct vm_area_struct *vma, unsigned long addr,
	     unsigned long pfn, unsigned long size, __u64 prot, int ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_stats *s;

	if (ret || !c || !c->fault_start || c->fault_order != VTOP_ORDER_WHOLE_VMA)
		return 0;
	s = stats_at(c->fault_slot);
	if (s)
		s->pages[VTOP_PSIZE_4K] += size >> VTOP_PAGE_SHIFT;
	c->fault_remapped = 1;
	return 0;
}

/* ---- PAT memtype lookups made for a vfio fault ------------------------ */

/*
 * x86 cache mode of a pgprot: PAT index = PAT:PCD:PWT (bits 7, 4, 3) into the
 * table pat_init() programs, "WB WC UC- UC WB WP UC- WT".
 */
static __always_inline __u32 pgprot_cache_mode(__u64 prot)
{
	__u32 i = ((prot >> 3) & 1) | ((prot >> 4) & 1) << 1 | ((prot >> 7) & 1) << 2;

	switch (i) {
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
	struct vtop_dev_stats *s = stats_at(c->fault_slot);

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
int BPF_PROG(reserve_pfn_range_fentry, __u64 paddr, unsigned long size, pgprot_t *prot)
{
	struct task_ctx *c = ctx_get(false);

	if (!c || !c->fault_start)
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

	if (!c || !c->fault_start || !c->memtype_depth)
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
	if (!c || !c->fault_start || c->memtype_depth)
		return 0;
	c->fault_memtype = idx(ret, VTOP_MODE_MAX) + 1;
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
	struct vtop_dev_stats *s;
	struct vtop_event *e;
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
	s = stats_get(dev);
	if (!s)
		return 0;
	if (ret) {
		s->memtype_reserve_failed++;
	} else {
		s->memtype_reservations++;
		s->memtype_reserved = idx(granted, VTOP_MODE_MAX) + 1;
		if (granted != req)
			s->memtype_reserve_conflicts++;
	}
	e = event_new(VTOP_EV_RESERVE, dev);
	if (e) {
		e->addr = start;
		e->len = end - start;
		e->ret = ret;
		e->method = idx(req, VTOP_MODE_MAX);
		e->how = idx(granted, VTOP_MODE_MAX);
		event_submit(e);
	}
	return 0;
}

/* ---- the vfio-pci operation a task is in: reasons for zaps and resets -- */

/* lock contention on this device's memory_lock is then recognized */
static __always_inline void learn_lock(void *vdev)
{
	struct vfio_pci_core_device *v = vdev;
	__u64 lock = (__u64)&v->memory_lock;
	__u32 dev, *known;

	if (!bpf_core_field_exists(v->memory_lock))
		return;
	known = bpf_map_lookup_elem(&lock_dev, &lock);
	dev = vdev_key(vdev);
	if (!known || *known != dev)
		bpf_map_update_elem(&lock_dev, &lock, &dev, BPF_ANY);
}

static __always_inline void op_push(struct task_ctx *c, __u32 op, void *vdev)
{
	if (c->op_depth++ == 0) {
		c->op = op;
		c->op_dev = vdev_key(vdev);
	}
	learn_mapping(vdev);
	learn_lock(vdev);
}

static __always_inline void op_enter(__u32 op, void *vdev)
{
	struct task_ctx *c = ctx_get(true);
	struct vtop_dma_proc *p;

	if (c)
		op_push(c, op, vdev);
	/* where a process's start-up begins: its DMA maps are timed from here */
	if (op == VTOP_OP_OPEN) {
		p = dma_proc_get();
		if (p && !p->first_open_ns)
			p->first_open_ns = bpf_ktime_get_ns();
	}
}

static __always_inline void op_exit(void)
{
	struct task_ctx *c = ctx_get(false);

	if (!c || !c->op_depth)
		return;
	if (--c->op_depth == 0)
		c->op = VTOP_OP_NONE;
}

static __always_inline void ioctl_enter(void *vdev, unsigned int cmd)
{
	struct vtop_event *e;
	struct task_ctx *c;
	__u32 op;

	if (cmd == VTOP_VFIO_DEVICE_RESET)
		op = VTOP_OP_RESET;
	else if (cmd == VTOP_VFIO_DEVICE_PCI_HOT_RESET)
		op = VTOP_OP_HOT_RESET;
	else
		return;
	c = ctx_get(true);
	if (!c)
		return;
	c->ioctl_op = 1;
	c->ioctl_dev = vdev_key(vdev);
	c->ioctl_start = bpf_ktime_get_ns();
	op_push(c, op, vdev);
	e = event_new(VTOP_EV_REQUEST_BEGIN, c->ioctl_dev);
	if (e) {
		e->reason = op;
		event_submit(e);
	}
}

/*
 * A reset request is counted with its result: a hot reset that loses its
 * trylock to running faults returns -EBUSY before any zap or reset happens.
 */
static __always_inline void ioctl_exit(long ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_stats *s;
	struct vtop_event *e;
	__u32 req;

	if (!c || !c->ioctl_op)
		return;
	c->ioctl_op = 0;
	req = c->op == VTOP_OP_HOT_RESET ? VTOP_REQ_HOT_RESET : VTOP_REQ_RESET;
	s = stats_get(c->ioctl_dev);
	if (s) {
		s->reset_requests[idx(req, VTOP_REQ_MAX)]++;
		if (ret)
			s->reset_requests_failed[idx(req, VTOP_REQ_MAX)]++;
	}
	e = event_new(VTOP_EV_REQUEST, c->ioctl_dev);
	if (e) {
		e->dur_ns = e->ts_ns - c->ioctl_start;
		e->ret = ret;
		e->reason = c->op;
		event_submit(e);
	}
	op_exit();
}

SEC("fentry/vfio_pci_core_ioctl")
int BPF_PROG(core_ioctl_fentry, void *core_vdev, unsigned int cmd)
{
	ioctl_enter(core_vdev, cmd);
	return 0;
}

SEC("fexit/vfio_pci_core_ioctl")
int BPF_PROG(core_ioctl_fexit, void *core_vdev, unsigned int cmd, unsigned long arg, long ret)
{
	ioctl_exit(ret);
	return 0;
}

SEC("kprobe/vfio_pci_core_ioctl")
int BPF_KPROBE(core_ioctl_kprobe, void *core_vdev, unsigned int cmd)
{
	ioctl_enter(core_vdev, cmd);
	return 0;
}

SEC("kretprobe/vfio_pci_core_ioctl")
int BPF_KRETPROBE(core_ioctl_kretprobe, long ret)
{
	ioctl_exit(ret);
	return 0;
}

/* Each function's first argument is the device (vdev, or its embedded vfio_device). */
#define VTOP_OP_HOOK(name, func, op)				\
SEC("fentry/" #func)						\
int BPF_PROG(name##_fentry, void *vdev)				\
{								\
	op_enter(op, vdev);					\
	return 0;						\
}								\
SEC("fexit/" #func)						\
int BPF_PROG(name##_fexit)					\
{								\
	op_exit();						\
	return 0;						\
}								\
SEC("kprobe/" #func)						\
int BPF_KPROBE(name##_kprobe, void *vdev)			\
{								\
	op_enter(op, vdev);					\
	return 0;						\
}								\
SEC("kretprobe/" #func)						\
int BPF_KRETPROBE(name##_kretprobe)				\
{								\
	op_exit();						\
	return 0;						\
}

/* VFIO_DEVICE_FEATURE(device, flags, arg, argsz): labelled by its feature */
static __always_inline __u32 feature_op(__u32 flags)
{
	__u32 feature = flags & VTOP_VFIO_DEVICE_FEATURE_MASK;

	if (feature >= VTOP_VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY &&
	    feature <= VTOP_VFIO_DEVICE_FEATURE_LOW_POWER_EXIT)
		return VTOP_OP_LOW_POWER;
	if (feature == VTOP_VFIO_DEVICE_FEATURE_DMA_BUF)
		return VTOP_OP_DMA_BUF;
	return VTOP_OP_FEATURE;
}

/*
 * VFIO_DEVICE_FEATURE_DMA_BUF returns the dma-buf's fd: counted with the
 * size and address dma_buf_export() saw, and the exporting task.
 */
static __always_inline void feature_exit(long ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_stats *s;
	struct vtop_event *e;

	if (!c || !c->op_depth)
		return;
	/* a PROBE (or a GET that found nothing to do) returns 0 and exports nothing */
	if (c->op_depth == 1 && c->op == VTOP_OP_DMA_BUF && (c->dmabuf || ret < 0)) {
		s = stats_get(c->op_dev);
		if (s && ret >= 0) {
			s->dmabuf_exports++;
			s->dmabuf_export_bytes += c->dmabuf_size;
		} else if (s) {
			s->dmabuf_exports_failed++;
		}
		/* a dma-buf made but not handed out is released, not alive */
		if (ret < 0 && c->dmabuf)
			bpf_map_delete_elem(&dmabuf_dev, &c->dmabuf);
		e = event_new(VTOP_EV_DMABUF_EXPORT, c->op_dev);
		if (e) {
			e->ret = ret;
			e->len = c->dmabuf_size;
			e->addr = c->dmabuf_paddr;
			event_submit(e);
		}
		c->dmabuf = c->dmabuf_size = c->dmabuf_paddr = 0;
	}
	op_exit();
}

static __always_inline void feature_enter(void *vdev, __u32 flags)
{
	struct task_ctx *c = ctx_get(true);

	if (!c)
		return;
	/* an export whose exit was missed leaves nothing for this one to take */
	if (!c->op_depth)
		c->dmabuf = c->dmabuf_size = c->dmabuf_paddr = 0;
	op_push(c, feature_op(flags), vdev);
}

SEC("fentry/vfio_pci_core_ioctl_feature")
int BPF_PROG(ioctl_feature_fentry, void *vdev, __u32 flags)
{
	feature_enter(vdev, flags);
	return 0;
}

SEC("fexit/vfio_pci_core_ioctl_feature")
int BPF_PROG(ioctl_feature_fexit, void *vdev, __u32 flags, void *arg, size_t argsz, int ret)
{
	feature_exit(ret);
	return 0;
}

SEC("kprobe/vfio_pci_core_ioctl_feature")
int BPF_KPROBE(ioctl_feature_kprobe, void *vdev, __u32 flags)
{
	feature_enter(vdev, flags);
	return 0;
}

SEC("kretprobe/vfio_pci_core_ioctl_feature")
int BPF_KRETPROBE(ioctl_feature_kretprobe, int ret)
{
	feature_exit(ret);
	return 0;
}

/* the dma-buf vfio-pci exports: its size and first physical range */
SEC("fexit/dma_buf_export")
int BPF_PROG(dma_buf_export_fexit, const struct dma_buf_export_info___vtop *info, void *ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vfio_pci_dma_buf *priv;
	__u64 key = (__u64)ret;

	/* dma_buf_export() is there before vfio-pci exports BARs (7.x) */
	if (!bpf_core_type_exists(struct vfio_pci_dma_buf))
		return 0;
	if (!c || !c->op_depth || c->op != VTOP_OP_DMA_BUF)
		return 0;
	if (key >= (__u64)-4095)	/* IS_ERR() */
		return 0;
	priv = BPF_CORE_READ(info, priv);
	c->dmabuf = key;
	c->dmabuf_size = BPF_CORE_READ(info, size);
	c->dmabuf_paddr = BPF_CORE_READ(priv, phys_vec, paddr);
	bpf_map_update_elem(&dmabuf_dev, &key, &c->op_dev, BPF_ANY);
	return 0;
}

static __always_inline void dmabuf_release(__u64 dmabuf)
{
	struct vtop_dev_stats *s;
	__u32 *dev = bpf_map_lookup_elem(&dmabuf_dev, &dmabuf);

	if (!dev)
		return;
	s = stats_get(*dev);
	if (s)
		s->dmabuf_released++;
	bpf_map_delete_elem(&dmabuf_dev, &dmabuf);
}

SEC("fentry/vfio_pci_dma_buf_release")
int BPF_PROG(dma_buf_release_fentry, void *dmabuf)
{
	dmabuf_release((__u64)dmabuf);
	return 0;
}

SEC("kprobe/vfio_pci_dma_buf_release")
int BPF_KPROBE(dma_buf_release_kprobe, void *dmabuf)
{
	dmabuf_release((__u64)dmabuf);
	return 0;
}

/*
 * Every zap site of 7.x revokes the device's dma-bufs (and a memory enable
 * restores them) under memory_lock; the revoke waits for every importer's
 * fences without bound. Timed only when the device has dma-bufs.
 */
static __always_inline void dmabuf_move_begin(void *vdev, bool revoked)
{
	struct vfio_pci_core_device___dmabufs *v = vdev;
	struct vfio_pci_dma_buf *first;
	struct list_head *next;
	struct task_ctx *c = ctx_get(false);

	/* a move left untimed must not end with the start of an older one */
	if (c)
		c->move_start = 0;
	if (!bpf_core_field_exists(v->dmabufs))
		return;
	next = BPF_CORE_READ(v, dmabufs.next);
	if (next == &v->dmabufs)
		return;
	/*
	 * A device's dma-bufs move together: when the first is already in the
	 * asked state (a memory enable while enabled), the call changes nothing.
	 */
	first = (void *)next - bpf_core_field_offset(struct vfio_pci_dma_buf, dmabufs_elm);
	if (BPF_CORE_READ_BITFIELD_PROBED(first, revoked) == revoked)
		return;
	c = ctx_get(true);
	if (!c)
		return;
	c->move_dev = vdev_key(vdev);
	c->move_revoked = revoked;
	c->move_start = bpf_ktime_get_ns();
}

static __always_inline void dmabuf_move_end(void)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_stats *s;
	struct vtop_event *e;
	__u64 ns;

	if (!c || !c->move_start)
		return;
	ns = bpf_ktime_get_ns() - c->move_start;
	c->move_start = 0;
	s = stats_get(c->move_dev);
	if (s) {
		if (c->move_revoked)
			s->dmabuf_revokes++;
		else
			s->dmabuf_restores++;
		s->dmabuf_move_ns_sum += ns;
		if (ns > s->dmabuf_move_ns_max)
			s->dmabuf_move_ns_max = ns;
	}
	e = event_new(VTOP_EV_DMABUF_MOVE, c->move_dev);
	if (!e)
		return;
	e->dur_ns = ns;
	e->reason = c->op_depth && c->op < VTOP_OP_MAX ? c->op : VTOP_OP_OTHER;
	e->flags = c->move_revoked ? VTOP_DMABUF_REVOKED : 0;
	event_submit(e);
}

SEC("fentry/vfio_pci_dma_buf_move")
int BPF_PROG(dma_buf_move_fentry, void *vdev, bool revoked)
{
	dmabuf_move_begin(vdev, revoked);
	return 0;
}

SEC("fexit/vfio_pci_dma_buf_move")
int BPF_PROG(dma_buf_move_fexit)
{
	dmabuf_move_end();
	return 0;
}

SEC("kprobe/vfio_pci_dma_buf_move")
int BPF_KPROBE(dma_buf_move_kprobe, void *vdev, bool revoked)
{
	dmabuf_move_begin(vdev, revoked);
	return 0;
}

SEC("kretprobe/vfio_pci_dma_buf_move")
int BPF_KRETPROBE(dma_buf_move_kretprobe)
{
	dmabuf_move_end();
	return 0;
}

VTOP_OP_HOOK(core_enable, vfio_pci_core_enable, VTOP_OP_OPEN)
VTOP_OP_HOOK(core_disable, vfio_pci_core_disable, VTOP_OP_CLOSE)

/*
 * A write to PCI_COMMAND: its memory bit, for the flight recorder. Clearing
 * it zaps the BARs (counted there); setting it again is recorded here only.
 */
static __always_inline void command_write(void *vdev, int count, int offset, __u32 val)
{
	struct vtop_event *e;
	int shift = (4 - offset) * 8;	/* PCI_COMMAND is at 4 */

	op_enter(VTOP_OP_MEM_DISABLE, vdev);
	if (offset > 4 || offset + count <= 4 || shift < 0 || shift > 24)
		return;
	e = event_new(VTOP_EV_MEM_WRITE, vdev_key(vdev));
	if (!e)
		return;
	e->flags = (val >> shift) & 0x2 ? VTOP_MEM_ENABLE : 0;
	event_submit(e);
}

SEC("fentry/vfio_basic_config_write")
int BPF_PROG(basic_config_write_fentry, void *vdev, int pos, int count, void *perm, int offset,
	     __u32 val)
{
	command_write(vdev, count, offset, val);
	return 0;
}

SEC("fexit/vfio_basic_config_write")
int BPF_PROG(basic_config_write_fexit)
{
	op_exit();
	return 0;
}

/* the sixth argument: libbpf's BPF_KPROBE stops at five */
SEC("kprobe/vfio_basic_config_write")
int BPF_KPROBE(basic_config_write_kprobe, void *vdev, int pos, int count, void *perm, int offset)
{
	command_write(vdev, count, offset, (__u32)ctx->r9);
	return 0;
}

SEC("kretprobe/vfio_basic_config_write")
int BPF_KRETPROBE(basic_config_write_kretprobe)
{
	op_exit();
	return 0;
}
VTOP_OP_HOOK(pm_config_write, vfio_pm_config_write, VTOP_OP_POWER_STATE)
VTOP_OP_HOOK(exp_config_write, vfio_exp_config_write, VTOP_OP_FLR)
VTOP_OP_HOOK(af_config_write, vfio_af_config_write, VTOP_OP_FLR)

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
	struct vtop_dev_stats *s;
	struct vtop_event *e;
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
SEC("tp_btf/vfio_pci_fault")
int BPF_PROG(vfio_pci_fault_tp, void *vdev, struct vm_fault *vmf, unsigned long pfn,
	     vm_fault_t ret)
{
	fault_end(ret);
	return 0;
}

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

/* ---- resets made by vfio-pci ------------------------------------------ */

static __always_inline void reset_begin(struct pci_dev *pdev, __u32 method)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_event *e;

	/* only resets vfio-pci asked for: pci core calls these for others too */
	if (!c || !c->op_depth)
		return;
	if (c->reset_depth++)
		return;
	c->reset_dev = pdev_key(pdev);
	c->reset_pdev = pdev;
	c->reset_method = method;
	c->reset_how = method == VTOP_RESET_BUS ? VTOP_PCIRESET_BUS : VTOP_PCIRESET_UNKNOWN;
	c->reset_wait_ns = 0;
	c->reset_start = bpf_ktime_get_ns();
	e = event_new(VTOP_EV_RESET_BEGIN, c->reset_dev);
	if (e) {
		e->reason = c->op < VTOP_OP_MAX ? c->op : VTOP_OP_OTHER;
		e->method = method;
		event_submit(e);
	}
}

/*
 * A function reset that neither waited after itself nor reset the bus
 * (pci.bpf.c): device_specific, acpi or cxl_bus. The PCI core tried the
 * device's methods in order; the first is the one that worked unless it
 * answered -ENOTTY. pci_reset_fn_methods[] indexes are enum vtop_pci_reset.
 */
static __always_inline __u32 first_reset_method(struct pci_dev *pdev)
{
	__u8 m = 0;

	if (!bpf_core_field_exists(pdev->reset_methods))
		return VTOP_PCIRESET_UNKNOWN;
	bpf_core_read(&m, sizeof(m), &pdev->reset_methods[0]);
	return m < VTOP_PCIRESET_MAX ? m : VTOP_PCIRESET_UNKNOWN;
}

static __always_inline void reset_end(int ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_stats *s;
	struct vtop_event *e;
	__u32 origin;
	__u64 ns;

	if (!c || !c->reset_depth || --c->reset_depth)
		return;
	ns = bpf_ktime_get_ns() - c->reset_start;
	origin = c->op < VTOP_OP_MAX ? c->op : VTOP_OP_OTHER;
	if (!ret && c->reset_how == VTOP_PCIRESET_UNKNOWN)
		c->reset_how = first_reset_method(c->reset_pdev);

	s = stats_get(c->reset_dev);
	if (s) {
		s->resets++;
		s->resets_by_origin[idx(origin, VTOP_OP_MAX)]++;
		s->resets_by_method[idx(c->reset_method, VTOP_RESET_METHOD_MAX)]++;
		if (ret)
			s->resets_failed++;
		s->reset_ns_sum += ns;
		if (ns > s->reset_ns_max)
			s->reset_ns_max = ns;
		s->resets_by_how[idx(c->reset_how, VTOP_PCIRESET_MAX)]++;
	}
	e = event_new(VTOP_EV_RESET, c->reset_dev);
	if (!e)
		return;
	e->dur_ns = ns;
	e->how = c->reset_how;
	e->wait_ns = c->reset_wait_ns;
	e->ret = ret;
	e->reason = origin;
	e->method = c->reset_method;
	event_submit(e);
}

#define VTOP_RESET_HOOK(func, method)					\
SEC("fentry/" #func)							\
int BPF_PROG(func##_fentry, struct pci_dev *pdev)			\
{									\
	reset_begin(pdev, method);					\
	return 0;							\
}									\
SEC("fexit/" #func)							\
int BPF_PROG(func##_fexit, struct pci_dev *pdev, int ret)		\
{									\
	reset_end(ret);							\
	return 0;							\
}

VTOP_RESET_HOOK(pci_try_reset_function, VTOP_RESET_FUNCTION)
VTOP_RESET_HOOK(pci_reset_function, VTOP_RESET_FUNCTION)
VTOP_RESET_HOOK(__pci_reset_function_locked, VTOP_RESET_FUNCTION)
VTOP_RESET_HOOK(pci_reset_bus, VTOP_RESET_BUS)

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
	struct vtop_dev_stats *s;
	struct vtop_event *e;

	if (!c || !c->mmap_len)
		return;
	if (ret == 0) {
		struct vm_area_struct *vma = c->mmap_vma;
		__u64 ops = (__u64)BPF_CORE_READ(vma, vm_ops);

		if (ops && ops != vfio_vm_ops)
			vfio_vm_ops = ops;
		map_gen_bump(c->mmap_dev);
		s = stats_get(c->mmap_dev);
		if (s) {
			s->mmaps++;
			s->mmap_bytes += c->mmap_len;
		}
	}
	e = event_new(VTOP_EV_MMAP, c->mmap_dev);
	if (e) {
		e->ret = ret;
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

/* ---- memory_lock waits (lock:contention_begin/end, 5.19+) -------------- */

/*
 * Every contended lock in the kernel passes here: one hash lookup tells a
 * vfio device's memory_lock from the rest.
 */
SEC("tp_btf/contention_begin")
int BPF_PROG(contention_begin, void *lock, unsigned int flags)
{
	__u64 key = (__u64)lock;
	struct rw_semaphore *sem = lock;
	struct task_struct *holder;
	struct task_ctx *c;
	__u32 *dev;
	long owner;

	dev = bpf_map_lookup_elem(&lock_dev, &key);
	if (!dev)
		return 0;
	c = ctx_get(true);
	if (!c)
		return 0;
	c->lock_start = bpf_ktime_get_ns();
	c->lock_addr = key;
	c->lock_dev = *dev;
	c->lock_flags = flags;
	c->holder_pid = c->holder_tid = 0;
	c->holder_comm[0] = '\0';
	owner = BPF_CORE_READ(sem, owner.counter);
	if (owner & VTOP_RWSEM_READER_OWNED)
		return 0;	/* readers hold it: no one task to name */
	holder = (struct task_struct *)(owner & ~VTOP_RWSEM_OWNER_MASK);
	if (!holder)
		return 0;
	c->holder_pid = BPF_CORE_READ(holder, tgid);
	c->holder_tid = BPF_CORE_READ(holder, pid);
	BPF_CORE_READ_STR_INTO(&c->holder_comm, holder, comm);
	return 0;
}

SEC("tp_btf/contention_end")
int BPF_PROG(contention_end, void *lock, int ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_event *e;

	if (!c || !c->lock_start || c->lock_addr != (__u64)lock)
		return 0;
	e = event_new(VTOP_EV_LOCK_WAIT, c->lock_dev);
	if (e) {
		e->dur_ns = e->ts_ns - c->lock_start;
		e->ret = ret;
		e->addr = c->lock_addr;
		e->flags = c->lock_flags & (VTOP_LOCK_READ | VTOP_LOCK_WRITE);
		if (c->fault_start)
			e->flags |= VTOP_LOCK_IN_FAULT;
		e->holder_pid = c->holder_pid;
		e->holder_tid = c->holder_tid;
		__builtin_memcpy(e->holder_comm, c->holder_comm, sizeof(e->holder_comm));
		if (e->dur_ns >= stack_threshold_ns) {
			long n = bpf_get_stack(ctx, e->stack, sizeof(e->stack), 0);

			e->nr_stack = n > 0 ? n / sizeof(__u64) : 0;
		}
		event_submit(e);
	}
	c->lock_start = 0;
	return 0;
}

