// SPDX-License-Identifier: GPL-2.0
/*
 * Faults on BAR mmaps: how many, how long, who caused them, what they
 * mapped. The hot path: one entry and one exit program per fault, nothing
 * per page.
 */
#include "common.bpf.h"

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
	struct vtop_dev_hot *h = hot_at(c->fault.slot);
	__u32 o = order_index(c->fault.order);

	__sync_fetch_and_add(&self_stats.exits_missed, 1);
	if (!h)
		return;
	hot_add(h, c->fault.slot, VTOP_HOT_ORIGIN + idx(c->fault.origin, VTOP_ORIGIN_MAX), 1);
	if (o < VTOP_FORDER_MAX)
		hot_add(h, c->fault.slot, VTOP_HOT_ORDER + o, 1);
}

/*
 * The fault says who caused it: vfio_iommu_type1 faults a BAR in for
 * VFIO_IOMMU_MAP_DMA with fixup_user_fault(mm, vaddr, FAULT_FLAG_REMOTE
 * | ...); KVM's hva_to_pfn path passes neither flag; GUP refuses pfnmaps.
 */
static __always_inline __u16 fault_origin(__u32 flags)
{
	if (flags & bpf_core_enum_value(enum fault_flag, FAULT_FLAG_REMOTE))
		return VTOP_ORIGIN_DMA_MAP;
	if (flags & bpf_core_enum_value(enum fault_flag, FAULT_FLAG_USER))
		return VTOP_ORIGIN_USER;
	return VTOP_ORIGIN_KERNEL;
}

static __always_inline struct task_ctx *fault_begin(void *vdev, __u32 flags, __u32 order,
						    __u64 table, __u64 addr)
{
	struct task_ctx *c = ctx_get(true);

	if (!c)
		return NULL;
	if (c->fault.start)
		fault_exit_missed(c);
	if (c->last_vdev != (__u64)vdev) {
		c->last_vdev = (__u64)vdev;
		c->last_key = vdev_key(vdev);
		c->last_slot = slot_of(c->last_key);
	}
	c->fault.slot = c->last_slot;
	c->fault.memtype = 0;
	c->fault.origin = fault_origin(flags);
	c->fault.order = order;
	c->fault.table = table;
	c->fault.remapped = 0;
	c->fault.addr = addr;
	c->fault.untimed = 0;
	c->fault.start = bpf_ktime_get_ns();
	return c;
}

/*
 * A trampoline program runs preemptible (migration, not preemption, off):
 * while a task is preempted inside the fentry program, the next task that
 * enters it on that CPU is turned away, a recursion miss (7.3 under 24
 * faulting threads in TCG: 36,653 misses, a quarter of the faults lost).
 * fexit sees the same arguments, so it begins such a fault itself: counted
 * whole but for its latency, which only the entry knew. A begun fault at
 * another address is an older one whose exit was turned away (the task's
 * next entry too): fault_begin counts it exit-missed and this one begins.
 */
static __always_inline struct task_ctx *fault_ctx_at_exit(void *vdev, __u32 flags, __u32 order,
							  __u64 table, __u64 addr)
{
	struct task_ctx *c = ctx_get(false);

	if (c && c->fault.start && c->fault.addr == addr)
		return c;
	c = fault_begin(vdev, flags, order, table, addr);
	if (c)
		c->fault.untimed = 1;
	return c;
}

/* The vmf's page table parent for a fault of this order: see installed_key. */
#define FAULT_TABLE(vmf, order)	((order) == VTOP_ORDER_PUD ? (__u64)(vmf)->pud : (__u64)(vmf)->pmd)
#define FAULT_TABLE_READ(vmf, order)						\
	((order) == VTOP_ORDER_PUD ? (__u64)BPF_CORE_READ(vmf, pud) : (__u64)BPF_CORE_READ(vmf, pmd))

/*
 * A kprobe reads the kernel by copies, each a helper call. The vm_fault
 * fields a fault needs lie within its first 64 bytes on every supported
 * kernel: one copy takes them all, CO-RE giving each one's offset, and a
 * layout that ever moves them further falls back to a copy per field.
 */
#define VMF_HEAD_BYTES	64

static __always_inline void fault_begin_kprobe(struct vm_fault *vmf, __u32 order)
{
	__u32 vma_off = bpf_core_field_offset(vmf->vma);
	__u32 flags_off = bpf_core_field_offset(vmf->flags);
	__u32 addr_off = bpf_core_field_offset(vmf->address);
	__u32 table_off = order == VTOP_ORDER_PUD ? bpf_core_field_offset(vmf->pud) :
						     bpf_core_field_offset(vmf->pmd);
	__u64 head[VMF_HEAD_BYTES / 8];
	struct vm_area_struct *vma;

	if (vma_off > VMF_HEAD_BYTES - 8 || flags_off > VMF_HEAD_BYTES - 4 ||
	    addr_off > VMF_HEAD_BYTES - 8 || table_off > VMF_HEAD_BYTES - 8) {
		fault_begin(BPF_CORE_READ(vmf, vma, vm_private_data), BPF_CORE_READ(vmf, flags),
			    order, FAULT_TABLE_READ(vmf, order), BPF_CORE_READ(vmf, address));
		return;
	}
	bpf_probe_read_kernel(head, sizeof(head), vmf);	/* zeroed if it fails */
	vma = *(struct vm_area_struct **)((void *)head + vma_off);
	fault_begin(BPF_CORE_READ(vma, vm_private_data), *(__u32 *)((void *)head + flags_off),
		    order, *(__u64 *)((void *)head + table_off), *(__u64 *)((void *)head + addr_off));
}

/* Did this fault install its entry, rather than find a racing fault's? */
static __always_inline bool fault_installed(const struct fault_seen *f)
{
	__u32 shift = f->order == VTOP_ORDER_PUD ? 30 :
		      f->order == VTOP_ORDER_PMD ? 21 : VTOP_PAGE_SHIFT;
	__u64 page = f->addr >> shift, fp, *seen;
	__u32 gen = map_gen[idx(f->slot, VTOP_MAX_DEVICES)], i;

	/* 64-bit multiplicative mixing (splitmix64's constants) of the entry's name */
	fp = (f->table ^ (page << 8 | f->order)) * 0x9e3779b97f4a7c15ull;
	fp ^= ((__u64)f->slot << 32 | gen) * 0xbf58476d1ce4e5b9ull;
	fp ^= fp >> 31;
	fp |= 1;	/* 0 is an empty slot */
	/* neighbouring pages of one table take neighbouring slots */
	i = (__u32)(page ^ (f->table >> 12) * 0x9e3779b1u) & (VTOP_INSTALLED_SLOTS - 1);
	seen = bpf_map_lookup_elem(&installed, &i);
	if (!seen)
		return true;
	return __sync_lock_test_and_set(seen, fp) != fp;
}

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

/* Counts a fault that ended with ret after ns (0: not timed) in h, its CPU's counters. */
static __always_inline void fault_count(const struct fault_seen *f, struct vtop_dev_hot *h,
					vm_fault_t ret, __u64 ns)
{
	__u32 res, psize, order, slot = f->slot;

	if (!h)
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

	hot_add(h, slot, VTOP_HOT_ORIGIN + idx(f->origin, VTOP_ORIGIN_MAX), 1);
	hot_add(h, slot, VTOP_HOT_RESULT + res, 1);
	if (ns) {
		hot_add(h, slot, VTOP_HOT_HIST + fault_hist_slot(ns), 1);
		h->fault_ns_sum += ns;
		if (ns > h->fault_ns_max)
			h->fault_ns_max = ns;
	}
	/* per-page and huge faults install one entry of their order on NOPAGE */
	psize = order_page_size(f->order);
	order = order_index(f->order);
	if (order < VTOP_FORDER_MAX)
		hot_add(h, slot, VTOP_HOT_ORDER + order, 1);
	if (res == VTOP_FRES_NOPAGE && psize < VTOP_PSIZE_MAX) {
		if (fault_installed(f))
			hot_add(h, slot, VTOP_HOT_PAGES + psize, 1);
		else
			hot_add(h, slot, VTOP_HOT_FOUND_MAPPED, 1);
	} else if (res == VTOP_FRES_NOPAGE && f->order == VTOP_ORDER_WHOLE_VMA &&
		   !f->remapped) {
		/* 6.1: another thread's fault had mapped the vma already */
		hot_add(h, slot, VTOP_HOT_FOUND_MAPPED, 1);
	}
	if (f->memtype) {
		hot_add(h, slot, VTOP_HOT_MEMTYPE_LOOKUPS, 1);
		hot_add(h, slot, VTOP_HOT_MEMTYPE_MODE + idx(f->memtype - 1, VTOP_MODE_MAX), 1);
	}
}

static __always_inline void fault_end_ctx(struct task_ctx *c, vm_fault_t ret)
{
	__u64 ns;

	if (!c || !c->fault.start)
		return;
	ns = c->fault.untimed ? 0 : bpf_ktime_get_ns() - c->fault.start;
	c->fault.start = 0;
	fault_count(&c->fault, hot_at(c->fault.slot), ret, ns);
}

static __always_inline void fault_end(vm_fault_t ret)
{
	fault_end_ctx(ctx_get(false), ret);
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
	fault_end_ctx(fault_ctx_at_exit(vmf->vma->vm_private_data, vmf->flags, mmap_fault_order(),
					(__u64)vmf->pmd, vmf->address), ret);
	return 0;
}

SEC("kprobe/vfio_pci_mmap_fault")
int BPF_KPROBE(mmap_fault_kprobe, struct vm_fault *vmf)
{
	fault_begin_kprobe(vmf, mmap_fault_order());
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
	fault_end_ctx(fault_ctx_at_exit(vmf->vma->vm_private_data, vmf->flags, order,
					FAULT_TABLE(vmf, order), vmf->address), ret);
	return 0;
}

SEC("kprobe/vfio_pci_mmap_huge_fault")
int BPF_KPROBE(huge_fault_kprobe, struct vm_fault *vmf, unsigned int order)
{
	fault_begin_kprobe(vmf, order);
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
	struct vtop_dev_hot *h;

	if (ret || !c || !c->fault.start || c->fault.order != VTOP_ORDER_WHOLE_VMA)
		return 0;
	h = hot_at(c->fault.slot);
	if (h)
		hot_add(h, c->fault.slot, VTOP_HOT_PAGES + VTOP_PSIZE_4K, size >> VTOP_PAGE_SHIFT);
	c->fault.remapped = 1;
	return 0;
}

/*
 * Our patched 6.1 (kernel/patches 0005): the kernel's own tracepoint carries
 * what the entry and exit programs gather, and the fault's duration and the
 * protection of the page it left, so it is the one program per fault; its
 * memtype comes free with it. In vfio_pci_trace, a module nothing needs:
 * attaching to it pins no vfio module.
 *
 * A tracepoint runs its programs with preemption off, so a per-CPU entry is
 * the program's own for the run. It keeps the device this CPU faulted on
 * last and that device's counters here: a fault loop stays on one device,
 * and the next fault skips the device key's pointer chase and copy, the
 * dev_slots lookup and the CPU number. The fault is built in it too: the
 * page table pointer stored there reads back as a number that the
 * fingerprint may mix (the verifier lets no arithmetic touch a BTF
 * pointer), where a copy by helper would cost a call per fault.
 */
struct fault_cpu {
	__u64 vdev;		/* the device of the last fault on this CPU, */
	__u32 bus_devfn;	/* its bus and devfn: another device bound at a freed one's address */
	__u32 hot;		/* and its counters on this CPU: vtop_stats_index() */
	struct fault_seen f;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fault_cpu);
} fault_cpus SEC(".maps");

SEC("tp_btf/vfio_pci_fault")
int BPF_PROG(vfio_pci_fault_tp, struct vfio_pci_core_device *vdev, struct vm_fault *vmf,
	     unsigned long pfn, vm_fault_t ret, unsigned long prot, __u64 duration_ns)
{
	struct pci_dev *pdev = vdev->pdev;
	__u32 zero = 0, bus_devfn = (__u32)pdev->bus->number << 8 | pdev->devfn, slot;
	struct fault_cpu *e = bpf_map_lookup_elem(&fault_cpus, &zero);

	if (!e)
		return 0;
	if (e->vdev != (__u64)vdev || e->bus_devfn != bus_devfn) {
		slot = slot_of(vdev_arg_key(vdev));
		if (slot >= VTOP_MAX_DEVICES)
			return 0;	/* not cached: a full dev_slots is counted per fault */
		e->f.slot = slot;
		e->vdev = (__u64)vdev;
		e->bus_devfn = bus_devfn;
		e->hot = vtop_stats_index(slot, bpf_get_smp_processor_id(), stats_cpus);
	}
	e->f.table = (__u64)vmf->pmd;
	e->f.addr = vmf->address;
	e->f.origin = fault_origin(vmf->flags);
	e->f.memtype = prot ? pgprot_cache_mode(prot) + 1 : 0;
	asm volatile("" ::: "memory");	/* fault_installed reads table back from the map */
	/*
	 * 0 ns is a fault the clock did not see advance (HPET under TCG: 1 of
	 * 262,144 faults on 6.1), or one begun before the tracer was enabled:
	 * both are timed in the first slot, so the histogram holds every fault
	 */
	fault_count(&e->f, bpf_map_lookup_elem(&dev_hot, &e->hot), ret, duration_ns ?: 1);
	return 0;
}
