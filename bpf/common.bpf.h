/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every BPF unit of vfiotop shares: the per-device counters, the ring
 * buffer and the helpers that reach them. The units are linked into one
 * object (bpftool gen object); vfiotop.bpf.c defines these maps and
 * globals, the other units see them as extern.
 */
#ifndef VTOP_COMMON_BPF_H
#define VTOP_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define __VFIOTOP_BPF__
#include "vfiotop.h"
#include "vfio_types.bpf.h"

#ifdef VTOP_MAPS_OWNER
#define VTOP_SHARED
#else
#define VTOP_SHARED extern
#endif

/*
 * Counters live in two mmapable arrays: dev_hot, an entry per device slot
 * and CPU (vtop_stats_index()) for what every fault counts, and dev_rare,
 * one entry per slot for the rest. The fault path indexes dev_hot with the
 * slot its task cached, no hashing, and adds to its own CPU's entry; rare
 * events add atomically to the device's one entry, which keeps what grows
 * with CPUs × devices small. vfiotopd reads both from their mappings,
 * without a map syscall: a map syscall holds bpf_prog_active on its CPU,
 * and a kprobe program of another task run there while it is preempted
 * would be skipped. dev_slots says which device (PCI address) owns which
 * slot; slot_dev says it to vfiotopd.
 */
VTOP_SHARED struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, VTOP_MAX_DEVICES);	/* times the CPUs, set at load */
	__type(key, __u32);
	__type(value, struct vtop_dev_hot);
} dev_hot SEC(".maps");

VTOP_SHARED struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, VTOP_MAX_DEVICES);
	__type(key, __u32);
	__type(value, struct vtop_dev_rare);
} dev_rare SEC(".maps");

VTOP_SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTOP_MAX_DEVICES);
	__type(key, __u32);	/* device key */
	__type(value, __u32);	/* slot in dev_hot and dev_rare */
} dev_slots SEC(".maps");

VTOP_SHARED __u32 next_slot;

VTOP_SHARED struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, VTOP_RINGBUF_SIZE);
} events SEC(".maps");

VTOP_SHARED struct vtop_self_stats self_stats;

/*
 * DMA maps (dma.bpf.c) per process, and the start-up each belongs to: a
 * process's first device open is seen by the op hooks of ops.bpf.c.
 */
VTOP_SHARED struct {
	/* LRU: processes come and go; the totals below keep what they did */
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, VTOP_MAX_DMA_PROCS);
	__type(key, __u32);	/* tgid */
	__type(value, struct vtop_dma_proc);
} dma_procs SEC(".maps");

VTOP_SHARED struct vtop_dma_stats dma_totals;

/*
 * &vfio_pci_mmap_ops: tells a vfio-pci BAR vma from other MMIO. Learned at
 * every BAR mmap; .bss is pinned, so a restarted vfiotopd still knows it.
 */
VTOP_SHARED __u64 vfio_vm_ops;

/* A fault as its programs see it, counted when it ends (fault.bpf.c). */
struct fault_seen {
	__u64 start;		/* non-zero while inside a vfio fault handler */
	__u64 table;		/* vmf->pmd (vmf->pud for PUD faults): installed_key */
	__u64 addr;		/* vmf->address */
	__u32 slot;
	__u32 memtype;		/* mode + 1 of the memtype it was given; 0: not seen */
	__u16 origin;
	__u8 order;		/* VTOP_ORDER_WHOLE_VMA: pages come from remap_pfn_range */
	__u8 remapped;		/* a whole-vma fault did remap the vma */
	__u8 untimed;		/* begun by its exit: fentry was turned away */
};

/* What the current task is in the middle of, for the hooks nested below it. */
struct task_ctx {
	struct fault_seen fault;
	__u8 ioctl_op;		/* the current ioctl entered an op */
	__u32 ioctl_dev;
	__u32 region_info;	/* in a VFIO_DEVICE_GET_REGION_INFO the ioctl counted */
	__u64 last_vdev;	/* the device this task faulted on last, its key and */
	__u32 last_key;		/* slot: spare the next fault the pointer chase and */
	__u32 last_slot;	/* the hash lookup */

	__u32 op;		/* enum vtop_op of the outermost vfio-pci operation */
	__u32 op_depth;
	__u32 op_dev;		/* its device */

	__u64 zap_start;	/* non-zero while inside a device-level zap */
	__u32 zap_dev;
	__u32 zap_vmas;
	__u64 zap_bytes;
	__u32 zap_reason;	/* from the kernel's vfio_pci_zap tracepoint; 0: from op */
	__u32 zap_in_umr;	/* the zap ends when unmap_mapping_range() returns */

	__u64 reset_start;
	__u32 reset_dev;
	__u32 reset_method;
	__u32 reset_depth;
	__u32 reset_how;	/* enum vtop_pci_reset: the method the PCI core tried last */
	struct pci_dev *reset_pdev;
	__u64 reset_wait_ns;	/* in pci_dev_wait() during the reset */
	__u64 wait_start;

	__u32 pm_depth;		/* in __pci_set_power_state() or pci_power_up() */
	__u32 pm_from;		/* the device's state as the outermost began */

	__u32 mmap_bar;		/* kretprobes see no arguments: kept from entry */
	__u32 mmap_dev;
	__u64 mmap_len;
	__u64 mmap_start;
	__u64 mmap_bar_off;
	struct vm_area_struct *mmap_vma;

	__u64 ioctl_start;	/* reset request: when the ioctl began */

	__u64 lock_start;	/* waiting for a device's memory_lock since */
	__u64 lock_addr;
	__u32 lock_dev;
	__u32 lock_flags;
	__u32 holder_pid;
	__u32 holder_tid;
	char holder_comm[VTOP_COMM_LEN];

	__u64 dmabuf;		/* VFIO_DEVICE_FEATURE_DMA_BUF: the dma_buf exported, */
	__u64 dmabuf_size;	/* its bytes and */
	__u64 dmabuf_paddr;	/* where its first range starts (the BAR) */
	__u64 move_start;	/* in vfio_pci_dma_buf_move() since */
	__u32 move_dev;
	__u32 move_revoked;

	__u64 access_start;	/* in vfio_pci_rw() since, 0 outside it */
	__u32 access_dev;
	__u8 access_region;	/* enum vtop_region, VTOP_REGION_MAX for another */
	__u8 access_write;
	__u8 access_cap;	/* a config write's enum vtop_config_cap */

	__u64 irqs_start;	/* in vfio_pci_set_irqs_ioctl() since, 0 outside it */
	__u32 irqs_dev;
	__u16 irqs_index;	/* enum vtop_irq_index */
	__u16 irqs_vector;	/* the vector being set up: its handler is requested next */
	__u32 irqs_flags;	/* VFIO_IRQ_SET_* of the call */
	__u16 irqs_start_vec;	/* its first vector and count, for the recorder */
	__u16 irqs_count;
	__u64 irqs_trigger;	/* the eventfd it took last, for the handler requested next */
	__u64 irqs_uarg;	/* SET_IRQS' struct vfio_irq_set, until vfio-pci acts on it */
	__u32 unmask_vec;	/* in vfio_pci_intx_unmask_handler(): the INTx vector + 1 */
	__u64 unmask_since;	/* the mask cycle it ends began then */
	__u32 bypass_irq;	/* kprobes, in irqbypass's __connect(): its producer's irq + 1 */

	__u32 memtype_depth;	/* inside reserve_pfn_range() */
	__u32 memtype_req;	/* cache mode the caller asked for */
};

VTOP_SHARED struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

static __always_inline struct task_ctx *ctx_get(bool create)
{
	return bpf_task_storage_get(&task_ctxs, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

#define VTOP_ORDER_WHOLE_VMA	0xff	/* the fault maps the whole vma itself */

/*
 * Entries installed by per-page and huge faults, to tell a fault that put
 * one in from a racing fault that found it there (both return NOPAGE). An
 * entry is named by a fingerprint of the page table slot's parent (pmd or
 * pud pointer: one per mm and range), its address and order, the device and
 * its map generation: a zap or an mmap of the device starts a new
 * generation, so the entries a zap removed count again when they come back.
 * Racing faults come within microseconds of each other, so a direct-mapped
 * table of the latest fingerprint per slot is enough; the first fault to
 * swap its fingerprint in installed the entry. An array lookup is inlined
 * and the swap is one atomic instruction: no hash update on the fault path.
 */
#define VTOP_INSTALLED_SLOTS	65536	/* a 256 MiB BAR's 4 KiB pages */

VTOP_SHARED struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VTOP_INSTALLED_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} installed SEC(".maps");

/*
 * 6.10+: a device's BAR mappings live in its inode's address space, zapped
 * with unmap_mapping_range(). Which device an address space belongs to is
 * learned whenever a vfio-pci operation names the device.
 */
VTOP_SHARED struct {
	/* LRU: inodes of unbound devices go, and their addresses get reused */
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, VTOP_MAX_DEVICES);
	__type(key, __u64);	/* struct address_space * */
	__type(value, __u32);	/* device key */
} mapping_dev SEC(".maps");

/* memory_lock address -> device: which lock contention is about a device */
VTOP_SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VTOP_MAX_DEVICES);
	__type(key, __u64);
	__type(value, __u32);
} lock_dev SEC(".maps");

/* dma_buf * -> device key: a DMA-BUF is alive from its export to its release */
VTOP_SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} dmabuf_dev SEC(".maps");

/*
 * .bss and .rodata: defined by vfiotop.bpf.c alone, so their layout in the
 * pinned .bss map stays what that unit says; every unit sees them here.
 */
extern __u32 map_gen[VTOP_MAX_DEVICES];
extern __u64 slot_dev[VTOP_MAX_DEVICES];
extern struct vtop_power_now power_now[VTOP_MAX_DEVICES];
extern const volatile __u32 stats_cpus;
extern const volatile __u64 stack_threshold_ns;
extern const volatile __u32 fault_by_tracepoint;
extern const volatile __u32 irq_waits;
extern __u64 counters_since_ns;
extern __u32 next_vec;

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

/* The device's slot in dev_hot and dev_rare, given one on first sight; ~0 when full. */
static __always_inline __u32 slot_of(__u32 dev)
{
	__u32 *slot = bpf_map_lookup_elem(&dev_slots, &dev), s;

	if (slot)
		return *slot;
	s = __sync_fetch_and_add(&next_slot, 1);
	if (s >= VTOP_MAX_DEVICES) {
		__sync_fetch_and_add(&self_stats.devmap_full, 1);
		return ~0u;
	}
	/* two CPUs may race for a new device: the first insert wins its slot */
	if (bpf_map_update_elem(&dev_slots, &dev, &s, BPF_NOEXIST)) {
		slot = bpf_map_lookup_elem(&dev_slots, &dev);
		return slot ? *slot : ~0u;
	}
	slot_dev[idx(s, VTOP_MAX_DEVICES)] = VTOP_SLOT_USED | dev;
	return s;
}

/* This CPU's fault counters of the device at slot; NULL for no slot (~0) */
static __always_inline struct vtop_dev_hot *hot_at(__u32 slot)
{
	__u32 i;

	if (slot >= VTOP_MAX_DEVICES)
		return NULL;
	i = vtop_stats_index(slot, bpf_get_smp_processor_id(), stats_cpus);
	return bpf_map_lookup_elem(&dev_hot, &i);
}

/* The shared counters of the device at slot; NULL for no slot (~0) */
static __always_inline struct vtop_dev_rare *rare_at(__u32 slot)
{
	if (slot >= VTOP_MAX_DEVICES)
		return NULL;
	return bpf_map_lookup_elem(&dev_rare, &slot);
}

static __always_inline struct vtop_dev_rare *rare_get(__u32 dev)
{
	return rare_at(slot_of(dev));
}

/*
 * count i of this CPU's hot counters of the device at slot, plus n. A wrap
 * carries into the shared entry: after the store, so that a reader between
 * the two sees the count low for an instant, not 2^32 too high.
 */
static __always_inline void hot_add(struct vtop_dev_hot *h, __u32 slot, __u32 i, __u32 n)
{
	struct vtop_dev_rare *r;
	__u32 v;

	i = idx(i, VTOP_HOT_COUNTS);
	v = h->count[i] + n;
	h->count[i] = v;
	if (v >= n)
		return;
	r = rare_at(slot);
	if (r)
		__sync_fetch_and_add(&r->hot_carry[i], 1);
}

#define VTOP_IRQ_SET_ACTION_SHIFT	3	/* VFIO_IRQ_SET_ACTION_MASK is 1 << 3 */

/*
 * A VFIO_DEVICE_SET_IRQS call, by index and action, and its failure: where
 * vfio-pci acted on it (irq.bpf.c), or where vfio's argument checks refused
 * it first (ops.bpf.c).
 */
static __always_inline void irq_set_count(struct vtop_dev_rare *r, __u32 index, __u32 flags,
					  int ret)
{
	/* one action bit: 1 mask, 2 unmask, 4 trigger */
	__u32 action = (flags >> VTOP_IRQ_SET_ACTION_SHIFT) & 7;

	if (index < VTOP_IRQ_INDEX_MAX)
		__sync_fetch_and_add(&r->irq_sets[idx(index, VTOP_IRQ_INDEX_MAX)], 1);
	if (action == 1 || action == 2 || action == 4)
		__sync_fetch_and_add(&r->irq_sets_by_action[idx(action >> 1,
								VTOP_IRQ_ACTION_MAX)], 1);
	if (ret)
		__sync_fetch_and_add(&r->irq_sets_failed, 1);
}

/*
 * *max = v if larger, for maxima that CPUs share. Events that race for one
 * are rare; the loser tries again, a few times, while its value is larger.
 */
static __always_inline void atomic_max(__u64 *max, __u64 v)
{
	__u64 old = *max;

	for (int i = 0; i < 4 && v > old; i++) {
		__u64 seen = __sync_val_compare_and_swap(max, old, v);

		if (seen == old)
			return;
		old = seen;
	}
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
 * vdev_key of a tracing program's argument: its pointers are loaded as they
 * are, where BPF_CORE_READ would copy each field by a helper call; only the
 * untyped sysdata needs a copy.
 */
static __always_inline __u32 vdev_arg_key(struct vfio_pci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	struct pci_bus *bus = pdev->bus;

	return vtop_dev_key(BPF_CORE_READ((struct pci_sysdata *)bus->sysdata, domain),
			    bus->number, pdev->devfn);
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

/* The slot of ns in a log2 histogram of slots slots, the first at 2^shift ns */
static __always_inline __u32 shifted_hist_slot(__u64 ns, __u32 shift, __u32 slots)
{
	__u64 s = log2_slot(ns);

	s = s > shift ? s - shift : 0;
	return s < slots ? s : slots - 1;
}

/* The slot of a fault that took ns in struct vtop_dev_hot's histogram */
static __always_inline __u32 fault_hist_slot(__u64 ns)
{
	return shifted_hist_slot(ns, VTOP_FAULT_HIST_SHIFT, VTOP_FAULT_HIST_SLOTS);
}

/*
 * Reserves a record of size bytes (one of the struct vtop_rec_* in vfiotop.h)
 * and fills its header; the caller fills the rest and submits it.
 */
static __always_inline void *event_new(__u32 type, __u32 dev, __u64 size)
{
	struct vtop_rec_hdr *h;
	__u64 id = bpf_get_current_pid_tgid();

	h = bpf_ringbuf_reserve(&events, size, 0);
	if (!h) {
		__sync_fetch_and_add(&self_stats.ringbuf_drops, 1);
		return NULL;
	}
	__builtin_memset(h, 0, size);
	h->type = type;
	h->dev = dev;
	h->ts_ns = bpf_ktime_get_ns();
	h->pid = id >> 32;
	h->tid = (__u32)id;
	h->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	return h;
}

/*
 * Events wait for the daemon's 1 s tick: a wakeup per event costs the
 * daemon more than the event itself. Only a ring filling up wakes it early.
 */
static __always_inline void event_submit(void *e)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > VTOP_RINGBUF_SIZE / 2)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

/* The calling process's DMA record, created on first sight; NULL if the map refuses. */
static __always_inline struct vtop_dma_proc *dma_proc_get(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct vtop_dma_proc *p = bpf_map_lookup_elem(&dma_procs, &tgid), fresh;

	if (p)
		return p;
	__builtin_memset(&fresh, 0, sizeof(fresh));
	bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
	bpf_map_update_elem(&dma_procs, &tgid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&dma_procs, &tgid);
}

/*
 * map[addr] = dev, for a kernel object's address: written only when it is new
 * or names another device (a freed object's address comes back for the next
 * device bound); a lookup costs less than an update.
 */
static __always_inline void remember_dev(void *map, __u64 addr, __u32 dev)
{
	__u32 *known = bpf_map_lookup_elem(map, &addr);

	if (!known || *known != dev)
		bpf_map_update_elem(map, &addr, &dev, BPF_ANY);
}

static __always_inline void learn_mapping(void *vdev)
{
	struct vfio_device *v = vdev;
	__u64 mapping;

	if (!bpf_core_field_exists(v->inode))
		return;
	mapping = (__u64)BPF_CORE_READ(v, inode, i_mapping);
	if (mapping)
		remember_dev(&mapping_dev, mapping, vdev_key(vdev));
}

static __always_inline void map_gen_bump(__u32 dev)
{
	__u32 slot = slot_of(dev);

	if (slot < VTOP_MAX_DEVICES)
		__sync_fetch_and_add(&map_gen[idx(slot, VTOP_MAX_DEVICES)], 1);
}

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

#endif /* VTOP_COMMON_BPF_H */
