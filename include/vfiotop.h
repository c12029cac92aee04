/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract between vfiotop's BPF programs (bpf/) and the daemon (src/).
 * Included by both sides: only fixed-size types, no libc, no kernel headers.
 */
#ifndef VFIOTOP_H
#define VFIOTOP_H

#ifdef __VFIOTOP_BPF__
/* vmlinux.h already defines __u8 ... __u64 */
#else
#include <linux/types.h>
#endif

/*
 * Devices counted since the counters began: SR-IOV hosts bind hundreds of
 * VFs to vfio-pci. Kernel memory grows with it times the CPUs: see
 * struct vtop_dev_hot.
 */
#define VTOP_MAX_DEVICES	1024
#define VTOP_HIST_SLOTS	64	/* log2(ns): slot i counts [2^i, 2^(i+1)), slot 0 also 0 */
#define VTOP_RINGBUF_SIZE	(256 * 1024)
#define VTOP_COMM_LEN	16

/*
 * A device is keyed by its PCI address: domain << 16 | bus << 8 | devfn.
 * That is what users know it by, and what sysfs is indexed by.
 */
static inline __u32 vtop_dev_key(__u32 domain, __u32 bus, __u32 devfn)
{
	return (domain & 0xffff) << 16 | (bus & 0xff) << 8 | (devfn & 0xff);
}

/*
 * Where the fault counters of a device's slot on one CPU sit in dev_hot, an
 * array of cpus entries per slot (cpus: the possible CPUs, set at load).
 */
static inline __u32 vtop_stats_index(__u32 slot, __u32 cpu, __u32 cpus)
{
	return slot * cpus + cpu;
}

/*
 * slot_dev[slot] (.bss): the device key of the slot's owner with this bit
 * set once the slot is given; 0 for a slot never given.
 */
#define VTOP_SLOT_USED	(1ULL << 32)

/* Who caused a BAR fault. */
enum vtop_origin {
	VTOP_ORIGIN_USER,		/* a CPU access from userspace */
	VTOP_ORIGIN_DMA_MAP,	/* vfio_iommu_type1 pinning the BAR for P2P DMA */
	VTOP_ORIGIN_KERNEL,	/* any other kernel-mode fault (e.g. KVM, uaccess) */
	VTOP_ORIGIN_MAX,
};

/* What a fault handler returned, folded from vm_fault_t bits. */
enum vtop_fault_result {
	VTOP_FRES_NOPAGE,
	VTOP_FRES_SIGBUS,
	VTOP_FRES_OOM,
	VTOP_FRES_FALLBACK,	/* huge fault declined; a smaller one follows */
	VTOP_FRES_OTHER,
	VTOP_FRES_MAX,
};

enum vtop_page_size {
	VTOP_PSIZE_4K,
	VTOP_PSIZE_2M,
	VTOP_PSIZE_1G,
	VTOP_PSIZE_MAX,
};

/* The size a fault asked for: its order (0, PMD, PUD), or the whole vma (6.1). */
enum vtop_fault_order {
	VTOP_FORDER_PTE,
	VTOP_FORDER_PMD,
	VTOP_FORDER_PUD,
	VTOP_FORDER_WHOLE_VMA,
	VTOP_FORDER_MAX,
};

/* enum page_cache_mode on x86 */
enum vtop_cache_mode {
	VTOP_MODE_WB,
	VTOP_MODE_WC,
	VTOP_MODE_UC_MINUS,
	VTOP_MODE_UC,
	VTOP_MODE_WT,
	VTOP_MODE_WP,
	VTOP_MODE_MAX,
};

/* The vfio-pci operation a task is inside of: gives zaps and resets a reason. */
enum vtop_op {
	VTOP_OP_NONE,
	VTOP_OP_MEM_DISABLE,	/* config write clearing PCI_COMMAND_MEMORY */
	VTOP_OP_POWER_STATE,	/* config write to the PM control register */
	VTOP_OP_FLR,		/* config write starting a function-level reset */
	VTOP_OP_RESET,		/* VFIO_DEVICE_RESET */
	VTOP_OP_HOT_RESET,	/* VFIO_DEVICE_PCI_HOT_RESET */
	VTOP_OP_LOW_POWER,	/* VFIO_DEVICE_FEATURE low-power entry */
	VTOP_OP_OPEN,		/* vfio_pci_core_enable: first open of the device */
	VTOP_OP_CLOSE,		/* vfio_pci_core_disable: last close */
	VTOP_OP_DMA_BUF,	/* VFIO_DEVICE_FEATURE_DMA_BUF: a BAR exported (7.x) */
	VTOP_OP_FEATURE,	/* any other VFIO_DEVICE_FEATURE */
	VTOP_OP_OTHER,
	VTOP_OP_MAX,
};

enum vtop_reset_request {
	VTOP_REQ_RESET,		/* VFIO_DEVICE_RESET */
	VTOP_REQ_HOT_RESET,	/* VFIO_DEVICE_PCI_HOT_RESET */
	VTOP_REQ_MAX,
};

enum vtop_reset_method {
	VTOP_RESET_FUNCTION,	/* pci_(try_)reset_function & co */
	VTOP_RESET_BUS,		/* pci_reset_bus: secondary bus / slot reset */
	VTOP_RESET_METHOD_MAX,
};

/*
 * How the PCI core reset a device: the entry of pci_reset_fn_methods[] it
 * used (sysfs reset_method names them), or the bus for a hot reset.
 */
enum vtop_pci_reset {
	VTOP_PCIRESET_UNKNOWN,	/* no method seen */
	VTOP_PCIRESET_DEVICE_SPECIFIC,
	VTOP_PCIRESET_ACPI,
	VTOP_PCIRESET_FLR,
	VTOP_PCIRESET_AF_FLR,
	VTOP_PCIRESET_PM,
	VTOP_PCIRESET_BUS,	/* secondary bus reset of the parent bridge */
	VTOP_PCIRESET_CXL_BUS,
	VTOP_PCIRESET_MAX,
};

/* pci_power_t: D0 .. D3cold */
enum vtop_power_state {
	VTOP_PWR_D0,
	VTOP_PWR_D1,
	VTOP_PWR_D2,
	VTOP_PWR_D3HOT,
	VTOP_PWR_D3COLD,
	VTOP_PWR_MAX,
};

/*
 * A device's power state as its latest transition left it (.bss power_now,
 * by slot); since_ns 0: no transition seen yet.
 */
struct vtop_power_now {
	__u32 state;		/* enum vtop_power_state */
	__u32 pad;
	__u64 since_ns;		/* bpf_ktime_get_ns() of that transition */
};

/* The type1 container ioctls that map and unmap memory for a device's DMA */
enum vtop_dma_op {
	VTOP_DMA_MAP,		/* VFIO_IOMMU_MAP_DMA */
	VTOP_DMA_UNMAP,		/* VFIO_IOMMU_UNMAP_DMA */
	VTOP_DMA_OP_MAX,
};

/* What a map's first page is: pinned RAM, or a BAR faulted in (peer-to-peer) */
enum vtop_dma_target {
	VTOP_DMA_RAM,		/* anything but a VM_IO|VM_PFNMAP vma */
	VTOP_DMA_BAR,		/* a VM_IO|VM_PFNMAP vma: a vfio-pci BAR mmap or another MMIO */
	VTOP_DMA_NO_VMA,	/* no vma at vaddr: the map fails with EFAULT */
	VTOP_DMA_TARGET_MAX,
};

/* The errnos a map or unmap fails with, as users report them */
enum vtop_dma_errno {
	VTOP_DMAERR_EFAULT,	/* vaddr not mapped, or not pinnable */
	VTOP_DMAERR_EINVAL,	/* bad flags or alignment, IOVA beyond the IOMMU's width */
	VTOP_DMAERR_ENOSPC,	/* more mappings than dma_entry_limit */
	VTOP_DMAERR_EEXIST,	/* IOVA range already mapped */
	VTOP_DMAERR_ENOMEM,	/* RLIMIT_MEMLOCK exceeded, or out of memory */
	VTOP_DMAERR_OTHER,
	VTOP_DMAERR_MAX,
};

struct vtop_dma_stats {
	__u64 calls[VTOP_DMA_OP_MAX];
	__u64 failed[VTOP_DMA_OP_MAX];
	__u64 errors[VTOP_DMAERR_MAX];		/* failures of both, by errno */
	__u64 ns[VTOP_DMA_OP_MAX];		/* time inside the ioctls, failed ones too */
	__u64 ns_max[VTOP_DMA_OP_MAX];
	__u64 maps[VTOP_DMA_TARGET_MAX];	/* maps that succeeded, by target */
	__u64 map_bytes[VTOP_DMA_TARGET_MAX];
	__u64 map_ns[VTOP_DMA_TARGET_MAX];	/* time of those maps */
	__u64 unmap_bytes;			/* what the kernel said it unmapped */
	__u64 pinned_pages;			/* growth of the caller's locked_vm in maps */
};

/*
 * Per process (tgid): its DMA maps and the start-up they belong to, from
 * the first vfio-pci device it opened (bpf_ktime_get_ns()).
 */
struct vtop_dma_proc {
	struct vtop_dma_stats s;
	char comm[VTOP_COMM_LEN];
	__u64 first_open_ns;	/* its first vfio_pci_core_enable, 0 if not seen */
	__u64 first_map_ns;	/* its first VFIO_IOMMU_MAP_DMA began */
	__u64 last_map_end_ns;	/* its latest one ended */
};

#define VTOP_MAX_DMA_PROCS	1024

/* VFIO_DEVICE_SET_IRQS's index: uapi VFIO_PCI_*_IRQ_INDEX */
enum vtop_irq_index {
	VTOP_IRQ_INTX,
	VTOP_IRQ_MSI,
	VTOP_IRQ_MSIX,
	VTOP_IRQ_ERR,		/* AER errors signalled to the user */
	VTOP_IRQ_REQ,		/* the kernel asking the user to release the device */
	VTOP_IRQ_INDEX_MAX,
};

/* ...and its action: VFIO_IRQ_SET_ACTION_MASK, _UNMASK, _TRIGGER */
enum vtop_irq_action {
	VTOP_IRQ_MASK,
	VTOP_IRQ_UNMASK,
	VTOP_IRQ_TRIGGER,
	VTOP_IRQ_ACTION_MAX,
};

/*
 * Interrupt vectors counted since the counters began, all devices: a
 * vector is a device's INTx, or one of its MSI or MSI-X vectors (MSI-X:
 * up to 2048 a device). A vector keeps its entry in vec_stats for good,
 * whatever host irqs it is given over time. 4,096: four a device at
 * VTOP_MAX_DEVICES, and 256 KiB of vec_stats within the kernel memory
 * the maps are allowed (docs/operating.md).
 */
#define VTOP_MAX_VECTORS	4096

/*
 * The regions of a vfio-pci device fd: VFIO_PCI_*_REGION_INDEX, the index
 * in the top bits of a read's or write's offset (VFIO_PCI_OFFSET_SHIFT).
 */
enum vtop_region {
	VTOP_REGION_BAR0,	/* ... to BAR5 */
	VTOP_REGION_ROM = 6,
	VTOP_REGION_CONFIG,
	VTOP_REGION_VGA,
	VTOP_REGION_MAX,
};

/*
 * What a config space write lands in: the capability vfio-pci's own
 * config map (vdev->pci_config_map) names at the offset, as its write
 * handlers are chosen. Standard capabilities by PCI_CAP_ID_*, extended
 * ones (offset 256 and up) together.
 */
enum vtop_config_cap {
	VTOP_CAP_BASIC,		/* the header: command, BARs, ... */
	VTOP_CAP_PM,
	VTOP_CAP_MSI,
	VTOP_CAP_MSIX,
	VTOP_CAP_PCIE,
	VTOP_CAP_AF,
	VTOP_CAP_OTHER,		/* any other standard capability */
	VTOP_CAP_EXTENDED,
	VTOP_CAP_UNASSIGNED,	/* in no capability: vfio drops or passes it raw */
	VTOP_CAP_MAX,
};

/*
 * Trapped access latency, a device's all regions together: slot k counts
 * [2^(k+8), 2^(k+9)) ns, the first also shorter ones, the last also
 * longer ones (256 ns .. 8 ms and beyond).
 */
#define VTOP_ACCESS_HIST_SLOTS	16
#define VTOP_ACCESS_HIST_SHIFT	8

/*
 * How long interrupts waited in their eventfds for a read, per device:
 * slot k counts [2^(k+10), 2^(k+11)) ns, the first also shorter, the last
 * also longer (1 us .. 33 ms; irqs.wait_max_ns has the longest). 16 slots:
 * the maps of 1,024 devices stay within 64 MiB at 256 CPUs.
 */
#define VTOP_DELIVERY_HIST_SLOTS	16
#define VTOP_DELIVERY_HIST_SHIFT	10

/*
 * One vector's interrupts, at its slot in vec_stats: written by the
 * handlers of every CPU, atomically. dev is 0 for a slot never given.
 */
struct vtop_vec_stats {
	__u32 dev;		/* device key */
	__u16 index;		/* enum vtop_irq_index: INTx, MSI or MSI-X */
	__u16 vector;
	__u32 irq;		/* the host irq it was given last */
	__u16 active;		/* 1 while vfio has a handler requested for it */
	__u16 bypass;		/* 1 while an irq-bypass consumer (KVM's irqfd) is connected */
	__u64 cookie;		/* the handler's dev_id: tells its free_irq from a sharer's */
	__u64 interrupts;	/* handled by vfio's handler: signalled to the user */
	__u64 unhandled;	/* INTx: the line was another device's (shared) */
	__u64 unmasks;		/* INTx: masked by the handler, unmasked by the user */
	__u64 masked_ns;	/* INTx: time from the handler to the unmask */
	__u64 masked_since;	/* INTx: when the handler masked it, 0 if unmasked */
	/*
	 * Delivery to a user that reads the eventfd (QEMU's own handler,
	 * DPDK, SPDK): from the first interrupt the eventfd holds unread to
	 * the read that takes it. KVM's irqfd takes the count in the signal
	 * itself and never reads: its vectors have no reads.
	 */
	__u64 trigger;		/* the vector's eventfd (struct eventfd_ctx *), 0 none */
	__u64 signalled_at;	/* the first interrupt not read yet, 0 if none */
	__u64 reads;		/* reads of the eventfd that took an interrupt */
	__u64 wait_ns;		/* and how long those interrupts waited, summed */
	__u64 wait_max_ns;
};

/*
 * The fault latency histogram of a device on one CPU: slot k counts faults
 * of [2^(k+4), 2^(k+5)) ns, the first also shorter ones, the last also
 * longer (32 ns .. 34 s): every fault there is, in half the slots of
 * VTOP_HIST_SLOTS.
 */
#define VTOP_FAULT_HIST_SLOTS	32
#define VTOP_FAULT_HIST_SHIFT	4

/* What each count of struct vtop_dev_hot holds, by its first index */
enum vtop_hot_count {
	VTOP_HOT_ORIGIN,					/* + enum vtop_origin */
	VTOP_HOT_RESULT = VTOP_HOT_ORIGIN + VTOP_ORIGIN_MAX,	/* + enum vtop_fault_result */
	VTOP_HOT_ORDER = VTOP_HOT_RESULT + VTOP_FRES_MAX,	/* + enum vtop_fault_order */
	/*
	 * Faults that returned NOPAGE without installing: a racing fault had
	 * put the same entry in first. Not pages.
	 */
	VTOP_HOT_FOUND_MAPPED = VTOP_HOT_ORDER + VTOP_FORDER_MAX,
	VTOP_HOT_PAGES,						/* + enum vtop_page_size */
	VTOP_HOT_MEMTYPE_LOOKUPS = VTOP_HOT_PAGES + VTOP_PSIZE_MAX,
	VTOP_HOT_MEMTYPE_MODE,					/* + enum vtop_cache_mode */
	VTOP_HOT_HIST = VTOP_HOT_MEMTYPE_MODE + VTOP_MODE_MAX,	/* + histogram slot */
	VTOP_HOT_COUNTS = VTOP_HOT_HIST + VTOP_FAULT_HIST_SLOTS,
};

/*
 * A device's counters of the fault path, one copy per CPU at
 * vtop_stats_index() of its slot (dev_slots) in dev_hot: a fault only ever
 * adds to its own CPU's copy. It is what grows with CPUs × devices, so it
 * holds only what every fault counts, in 32 bits: a count that wraps on a
 * CPU carries 2^32 into hot_carry of the device's shared counters. The
 * total of count i is the sum over CPUs plus hot_carry[i] << 32. Faults
 * are the sum of the origins.
 */
struct vtop_dev_hot {
	__u64 fault_ns_sum;
	__u64 fault_ns_max;
	__u32 count[VTOP_HOT_COUNTS];	/* enum vtop_hot_count */
	__u32 pad;
};

/*
 * A device's counters of everything but the fault path, one copy at its
 * slot in dev_rare, shared by all CPUs: rare events add to it atomically.
 */
struct vtop_dev_rare {
	__u64 memtype_mismatch;	/* granted mode differs from requested */
	/* reservations of the BARs themselves: pci_iomap at mmap (6.x), at open (7.x) */
	__u64 memtype_reservations;
	__u64 memtype_reserved;	/* their mode: enum vtop_cache_mode + 1, 0 if none seen */
	__u64 memtype_reserve_failed;
	__u64 memtype_reserve_conflicts;	/* granted another mode than asked: a
						 * range already reserved with it */
	__u64 region_request_failures;	/* pci_request_selected_regions: "can't reserve" */

	__u64 zaps;
	__u64 zaps_by_reason[VTOP_OP_MAX];
	__u64 zaps_failed;	/* trylock gave up (hot reset vs. busy faults) */
	__u64 zap_vmas;
	__u64 zap_bytes;
	__u64 zap_ns_sum;

	__u64 resets;
	/* VFIO_DEVICE_RESET and VFIO_DEVICE_PCI_HOT_RESET ioctls, and those that failed */
	__u64 reset_requests[VTOP_REQ_MAX];
	__u64 reset_requests_failed[VTOP_REQ_MAX];
	__u64 resets_by_origin[VTOP_OP_MAX];
	__u64 resets_by_method[VTOP_RESET_METHOD_MAX];
	__u64 resets_failed;
	__u64 reset_ns_sum;
	__u64 reset_ns_max;
	/* inside those resets: how the PCI core did each, every method it tried */
	__u64 resets_by_how[VTOP_PCIRESET_MAX];
	__u64 reset_attempts[VTOP_PCIRESET_MAX];
	__u64 reset_attempts_failed[VTOP_PCIRESET_MAX];	/* -ENOTTY: tried the next */
	/* waits for the device to answer after a reset (pci_dev_wait) */
	__u64 reset_waits;
	__u64 reset_waits_failed;	/* "not ready ... giving up" */
	__u64 reset_wait_ns_sum;
	__u64 reset_wait_ns_max;

	__u64 mmaps;
	__u64 mmap_bytes;
	__u64 mmaps_failed;	/* vfio_pci_core_mmap refused: not mmappable, past the BAR */
	/* VFIO_DEVICE_GET_REGION_INFO ioctls (QEMU: once per region at start) */
	__u64 region_info_requests;

	/* BARs exported as DMA-BUFs (VFIO_DEVICE_FEATURE_DMA_BUF, 7.x) */
	__u64 dmabuf_exports;
	__u64 dmabuf_exports_failed;
	__u64 dmabuf_export_bytes;
	__u64 dmabuf_released;		/* alive = exports - released */
	__u64 dmabuf_revokes;		/* vfio_pci_dma_buf_move(revoked): at every zap */
	__u64 dmabuf_restores;
	__u64 dmabuf_move_ns_sum;	/* both, waits for importers included */
	__u64 dmabuf_move_ns_max;

	/* power state changes (__pci_set_power_state, pci_power_up), into each state */
	__u64 power_transitions[VTOP_PWR_MAX];
	__u64 power_requested;	/* of those, written to PMCSR by the device's user */
	__u64 power_failures;	/* a change that returned an error */
	__u64 power_ns[VTOP_PWR_MAX];	/* time in each state, up to the latest change */

	/* VFIO_IOMMU_MAP_DMA of this device's BARs (peer-to-peer), by any process */
	__u64 dma_maps;
	__u64 dma_maps_failed;
	__u64 dma_map_bytes;
	__u64 dma_map_ns_sum;
	__u64 dma_map_ns_max;

	/* VFIO_DEVICE_SET_IRQS calls, by index and by action; vfio-pci's own tear-downs at close too */
	__u64 irq_sets[VTOP_IRQ_INDEX_MAX];
	__u64 irq_sets_by_action[VTOP_IRQ_ACTION_MAX];
	__u64 irq_sets_failed;
	__u64 irq_sets_refused;	/* of those, refused by vfio's argument checks */
	__u64 irq_set_ns_sum;
	__u64 irq_set_ns_max;
	__u64 irq_vectors_active;	/* handlers requested now, to keep the maximum */
	__u64 irq_vectors_max;
	__u64 intx_vec;			/* the INTx vector's slot in vec_stats + 1; 0: none */

	/*
	 * Reads and writes through the device fd (vfio_pci_rw), by region:
	 * what a VMM traps instead of mapping (config space, the MSI-X
	 * table's page, BARs it cannot or will not mmap, ROM, VGA).
	 */
	__u64 access_reads[VTOP_REGION_MAX];
	__u64 access_writes[VTOP_REGION_MAX];
	__u64 access_bytes[VTOP_REGION_MAX];	/* read and written */
	__u64 access_ns[VTOP_REGION_MAX];
	__u64 access_failed;			/* returned an error, in any region */
	__u64 access_ns_max;
	__u64 access_hist[VTOP_ACCESS_HIST_SLOTS];
	__u64 config_writes_by_cap[VTOP_CAP_MAX];
	/* VFIO_DEVICE_IOEVENTFD calls, and the writes vfio-pci did when one was signalled */
	__u64 ioeventfd_sets;
	__u64 ioeventfd_hits;
	__u64 delivery_hist[VTOP_DELIVERY_HIST_SLOTS];	/* interrupts' waits for a read */

	/* wraps of struct vtop_dev_hot's counts: 2^32 wraps of 2^32 make 2^64 */
	__u32 hot_carry[VTOP_HOT_COUNTS];
};

/* Counters about vfiotop itself, in .bss */
struct vtop_self_stats {
	__u64 ringbuf_drops;	/* events that found the ring buffer full */
	__u64 devmap_full;	/* updates dropped: more devices than VTOP_MAX_DEVICES */
	__u64 exits_missed;	/* a fault began while the last one never ended: its
				 * exit was missed (kretprobe instances exhausted) */
	__u64 vecmap_full;	/* vectors not counted: more than VTOP_MAX_VECTORS */
	__u64 access_exits_missed;	/* a trapped access began while the last one
					 * never ended: that one is lost */
};

/*
 * Rare events travel through the ring buffer, one record per event: a
 * struct vtop_rec_hdr whose type says which struct vtop_rec_* it begins.
 */
enum vtop_event_type {
	VTOP_EV_MMAP = 1,	/* vtop_rec_mmap: a BAR mmap() */
	VTOP_EV_ZAP,		/* vtop_rec_zap: vfio-pci invalidated BAR mappings */
	VTOP_EV_RESET,		/* vtop_rec_reset: a reset ended */
	VTOP_EV_RESET_BEGIN,	/* vtop_rec_reset_begin: a reset starts */
	VTOP_EV_REQUEST_BEGIN,	/* vtop_rec_request: VFIO_DEVICE_RESET or _PCI_HOT_RESET
				 * entered (dur_ns 0) */
	VTOP_EV_REQUEST,	/* vtop_rec_request: that ioctl returned */
	VTOP_EV_LOCK_WAIT,	/* vtop_rec_lock_wait: a task waited for memory_lock */
	VTOP_EV_MEM_WRITE,	/* vtop_rec_mem_write: a config write to PCI_COMMAND */
	VTOP_EV_RESERVE,	/* vtop_rec_reserve: a BAR range's memtype reserved */
	VTOP_EV_DMABUF_EXPORT,	/* vtop_rec_dmabuf_export: a BAR range exported as a DMA-BUF */
	VTOP_EV_DMABUF_MOVE,	/* vtop_rec_dmabuf_move: its mappings revoked or restored */
	VTOP_EV_DMA_FAIL,	/* vtop_rec_dma_fail: a DMA map or unmap failed */
	VTOP_EV_POWER,		/* vtop_rec_power: a power state change */
	VTOP_EV_REGION_FAIL,	/* vtop_rec_region_fail: a BAR region request failed */
	VTOP_EV_OPEN,		/* vtop_rec_hdr alone: a process opens the device
				 * (vfio_pci_core_enable): who to look at for its fd */
	VTOP_EV_IRQ_SET,	/* vtop_rec_irq_set: interrupts set up or torn down
				 * (VFIO_DEVICE_SET_IRQS, trigger action: not the
				 * masks and unmasks, which can come per interrupt) */
	VTOP_EV_INTX_UNMASK,	/* vtop_rec_intx_unmask: INTx unmasked after being
				 * masked for the stall threshold or longer */
	VTOP_EV_MAX,
};

/* VTOP_EV_LOCK_WAIT flags: the kernel's LCB_F_* and ours */
#define VTOP_LOCK_READ		(1u << 1)	/* LCB_F_READ: waited to read */
#define VTOP_LOCK_WRITE		(1u << 2)	/* LCB_F_WRITE: waited to write */
#define VTOP_LOCK_IN_FAULT	(1u << 16)	/* the waiter was in a BAR fault */
#define VTOP_MEM_ENABLE		(1u << 17)	/* VTOP_EV_MEM_WRITE: the memory bit is set */
#define VTOP_DMABUF_REVOKED	(1u << 18)	/* VTOP_EV_DMABUF_MOVE: revoked, not restored */

#define VTOP_STACK_DEPTH	12

struct vtop_rec_hdr {
	__u32 type;		/* enum vtop_event_type */
	__u32 dev;		/* device key, 0 if none */
	__u64 ts_ns;		/* bpf_ktime_get_ns() at the end of the operation */
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 cpu;
	__s32 ret;		/* what the operation returned, 0 if nothing */
	char comm[VTOP_COMM_LEN];
};

struct vtop_rec_mmap {
	struct vtop_rec_hdr h;
	__u32 bar;
	__u32 pad;
	__u64 addr;		/* vm_start */
	__u64 len;
	__u64 bar_off;		/* where in the BAR the mapping starts */
};

struct vtop_rec_zap {
	struct vtop_rec_hdr h;
	__u32 reason;		/* enum vtop_op */
	__u32 pad;
	__u64 dur_ns;
	__u64 len;		/* bytes zapped */
	__u64 vmas;		/* vmas zapped */
};

struct vtop_rec_reset_begin {
	struct vtop_rec_hdr h;
	__u32 reason;		/* enum vtop_op: what asked for it */
	__u32 method;		/* enum vtop_reset_method */
};

struct vtop_rec_reset {
	struct vtop_rec_hdr h;
	__u32 reason;		/* enum vtop_op */
	__u32 method;		/* enum vtop_reset_method */
	__u32 how;		/* enum vtop_pci_reset: the PCI core's method */
	__u32 pad;
	__u64 dur_ns;
	__u64 wait_ns;		/* waiting for the device to answer after it */
};

struct vtop_rec_request {
	struct vtop_rec_hdr h;
	__u32 reason;		/* enum vtop_op: VTOP_OP_RESET or VTOP_OP_HOT_RESET */
	__u32 pad;
	__u64 dur_ns;
};

struct vtop_rec_lock_wait {
	struct vtop_rec_hdr h;
	__u32 flags;		/* VTOP_LOCK_* */
	__u32 holder_pid;	/* the writer holding memory_lock as the wait began */
	__u32 holder_tid;
	__u32 nr_stack;		/* waits over the stall threshold: the waiter's kernel stack */
	char holder_comm[VTOP_COMM_LEN];
	__u64 addr;		/* the lock */
	__u64 dur_ns;
	__u64 stack[VTOP_STACK_DEPTH];
};

struct vtop_rec_mem_write {
	struct vtop_rec_hdr h;
	__u32 flags;		/* VTOP_MEM_ENABLE or 0 */
	__u32 pad;
};

struct vtop_rec_reserve {
	struct vtop_rec_hdr h;
	__u32 requested;	/* enum vtop_cache_mode asked for */
	__u32 granted;		/* enum vtop_cache_mode the range got */
	__u64 addr;
	__u64 len;
};

struct vtop_rec_dmabuf_export {
	struct vtop_rec_hdr h;
	__u64 addr;		/* physical start of the exported range */
	__u64 len;
};

struct vtop_rec_dmabuf_move {
	struct vtop_rec_hdr h;
	__u32 reason;		/* enum vtop_op: the zap's */
	__u32 flags;		/* VTOP_DMABUF_REVOKED or 0 (restored) */
	__u64 dur_ns;
};

struct vtop_rec_dma_fail {
	struct vtop_rec_hdr h;
	__u32 op;		/* enum vtop_dma_op */
	__u32 target;		/* enum vtop_dma_target */
	__u64 vaddr;
	__u64 iova;
	__u64 len;
	__u64 dur_ns;
};

struct vtop_rec_power {
	struct vtop_rec_hdr h;
	__u32 from;		/* enum vtop_power_state */
	__u32 to;
	__u32 reason;		/* enum vtop_op, VTOP_OP_NONE outside vfio's own ops */
	__u32 pad;
};

struct vtop_rec_region_fail {
	struct vtop_rec_hdr h;
	__u32 bars;		/* mask of the BARs asked for */
	__u32 pad;
};

struct vtop_rec_irq_set {
	struct vtop_rec_hdr h;
	__u32 index;		/* enum vtop_irq_index */
	__u32 start;		/* the first vector */
	__u32 count;		/* vectors; 0 tears the index down */
	__u32 pad;
	__u64 dur_ns;
};

struct vtop_rec_intx_unmask {
	struct vtop_rec_hdr h;
	__u64 masked_ns;	/* from the handler's mask to this unmask */
};

#endif /* VFIOTOP_H */
