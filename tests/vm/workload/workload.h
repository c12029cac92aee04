// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the workload's files share: its options, the device it holds, the
 * ground truth it prints, and the steps main() runs in order.
 */
#ifndef VFIOTOP_WORKLOAD_H
#define VFIOTOP_WORKLOAD_H

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* vfio-pci puts each region at index << 40 in the device fd. */
_Static_assert(sizeof(off_t) == 8, "vfio region offsets need a 64-bit off_t");

#define PROG		"workload"
#define TOUCH_STRIDE	4096UL
#define WAIT_POLL_NS	(20 * 1000 * 1000L)
#define MAX_THREADS	64		/* --race-threads, --load-threads */

struct options {
	const char *bdf;
	unsigned int bar;
	unsigned long rounds;
	bool dma_map;
	unsigned long resets;
	unsigned long sigbus;
	const char *wait_file;
	uint64_t iova;
	uint64_t align;		/* map at a multiple of this (0: where mmap puts it) */
	uint64_t offset;	/* ... plus this */
	unsigned int race_threads;	/* 0: no race phase */
	unsigned long race_rounds;
	unsigned int load_threads;	/* 0: no load phase */
	unsigned long load_ms;
	unsigned long load_resets;
	unsigned long hot_resets;
	unsigned long mmap_storm;	/* extra mmap+munmap pairs of the BAR */
	bool rt_resets;		/* time resets from a SCHED_FIFO thread: the load
				 * threads cannot delay the clock reads around them */
	unsigned int touch_threads;	/* threads touching every page in each round */
	unsigned long dmabufs;	/* BAR ranges to export as DMA-BUFs (7.x) */
	unsigned long vm_start;	/* MiB of RAM to map for DMA, 1 MiB per map (--vm-start) */
	unsigned long pm_cycles;	/* PMCSR writes D3hot then D0, this many times */
	bool wc_first;		/* map sysfs resourceN_wc before vfio reserves the BAR */
	bool low_power;		/* VFIO_DEVICE_FEATURE low-power entry, then exit */
	unsigned long msi_rounds;	/* edu interrupts raised and waited for, by MSI */
	unsigned long intx_rounds;	/* ... by INTx, each acknowledged and unmasked */
	const char *intx_after;	/* ... once this file exists, INTx set up before */
	unsigned long irq_pause_every;	/* every Nth round reads its eventfd late (0: none) */
	unsigned long access_rounds;	/* config and BAR reads and writes, ioeventfd signals */
	unsigned int access_threads;	/* ... then this many threads reading at once */
	unsigned long msix_rounds;	/* e1000e: each MSI-X vector raised this many times */
	const char *msix_after;	/* ... once this file exists, the vectors set up before */
	unsigned int kvm_irqfds;	/* e1000e: MSI-X vectors given a KVM irqfd (kvm.c) */
};

/*
 * Reads and writes through the device fd, by region (VFIO_PCI_*_REGION_INDEX),
 * as vfiotop counts them: every one the workload does goes through
 * dev_pread() and dev_pwrite(), which count it here.
 */
#define MSIX_VECTORS	5	/* e1000e's: one per interrupt cause */

#define ACC_REGIONS	9
#define ACC_CONFIG	7
#define ACC_ROM		6
/* config writes by capability, in vfiotop's order (accesses.config_writes_by_cap) */
enum { CAP_BASIC, CAP_PM, CAP_MSI, CAP_KINDS = 9, CAP_NONE = -1 };

struct access_truth {
	unsigned long reads[ACC_REGIONS], writes[ACC_REGIONS], bytes[ACC_REGIONS];
	unsigned long failed;
	unsigned long config_writes[CAP_KINDS];
	unsigned long ioeventfd_sets;		/* VFIO_DEVICE_IOEVENTFD calls */
	unsigned long ioeventfd_signals;	/* eventfd writes: vfio-pci writes once for each */
};

struct vfio {
	int container;
	int group;
	int device;
	off_t cmd_off;		/* PCI_COMMAND in the device fd */
	uint16_t cmd;		/* PCI_COMMAND as first read */
	uint64_t bar_size;
	off_t bar_off;
	volatile uint8_t *map;
	struct access_truth *acc;	/* where dev_pread() and dev_pwrite() count */
};

/* What the workload did: the ground truth that gets printed. */
struct truth {
	unsigned long mmaps_refused;	/* mmaps vfio-pci refused, as asked */
	unsigned long region_infos;	/* VFIO_DEVICE_GET_REGION_INFO ioctls */
	unsigned long mem_disable_writes;
	unsigned long mem_enable_writes;
	unsigned long sigbus_delivered;
	bool dma_map_ok;
	int dma_map_errno;
	double dma_map_ms;
	bool dma_unmap_ok;
	int dma_unmap_errno;
	unsigned long resets_ok;
	unsigned long resets_failed;
	double *reset_ms;
	int *reset_errno;
	double touch_ms;	/* all rounds' touches: the cost of faulting the BAR in */
	double mmap_storm_ms;	/* the mmap+munmap pairs: the rare-event path of observers */
	unsigned long race_pages;
	unsigned long race_reads;
	unsigned long race_mismatches;
	unsigned long race_sigbus;
	unsigned long load_pages_touched;
	unsigned long load_sigbus;
	unsigned long load_resets_ok;
	double *load_reset_ms;
	int *load_reset_errno;
	unsigned long hot_resets_ok;
	double *hot_reset_ms;
	int *hot_reset_errno;
	unsigned int hot_reset_devices;	/* 0: not asked, or the kernel would not say */
	unsigned long dmabufs_ok;
	uint64_t dmabuf_bytes;
	int dmabuf_errno;	/* of the first export that failed */
	int *dmabuf_fds;
	unsigned int mem_bars;	/* memory BARs of the device (sysfs resource) */
	double open_start_ms, open_end_ms;	/* around the device's open */
	double last_map_end_ms;			/* after its latest VFIO_IOMMU_MAP_DMA */
	unsigned long dma_map_calls, dma_unmap_calls;
	unsigned long ram_maps_ok;
	uint64_t ram_map_bytes, unmap_bytes;
	struct dma_failure {
		int err;
		uint64_t vaddr, iova, size;
	} dma_failures[4];
	unsigned int n_dma_failures;
	unsigned int pm_cap;		/* config offset of the PM capability, 0: none */
	unsigned long pm_writes;	/* PMCSR writes that changed the state field */
	uint64_t wc_bytes;		/* --wc-first: the resourceN_wc mapping */
	int low_power_errno;		/* of the entry, 0 if it worked */
	bool low_power_suspended;	/* runtime PM said "suspended" before the exit */
	/* the interrupt phase (irq.c): what the eventfds received, and /proc/interrupts */
	unsigned long set_irqs[5];	/* VFIO_DEVICE_SET_IRQS calls by index */
	unsigned long set_irq_actions[3];	/* ... by action: mask, unmask, trigger */
	unsigned long set_irqs_refused;	/* ... that vfio's argument checks refused */
	unsigned long set_irqs_refused_indexed;	/* of those, with an index of the device */
	unsigned long intx_unmasks;	/* of those, INTx unmasks */
	unsigned long msi_signals, intx_signals;	/* eventfd counts read */
	unsigned long msi_proc, intx_proc;	/* /proc/interrupts: the vector's line, its growth */
	unsigned int msi_irq, intx_irq;		/* the host irqs /proc/interrupts named */
	unsigned long vectors_max;
	/* the MSI-X phase (msix.c), per vector: eventfd counts, /proc/interrupts, irqs */
	unsigned long msix_signals[MSIX_VECTORS], msix_proc[MSIX_VECTORS];
	unsigned int msix_irq[MSIX_VECTORS];
	/*
	 * eventfd reads that returned a count, and for edu's rounds bounds on
	 * the interrupts' waits: each waited at most from the raise to the read's
	 * return, and at least the pause the round took before reading
	 */
	struct irq_waits {
		unsigned long reads;
		double bound_ms, paused_ms;
	} msi_waits, intx_waits;
	unsigned long msix_reads[MSIX_VECTORS];
	/* the KVM phase (kvm.c): irqfds assigned, or why there was no KVM */
	unsigned int kvm_irqfds;
	int kvm_errno;
	struct access_truth acc;
};

/*
 * sigbus.c: the SIGBUS handler and its per-thread state, which a phase that
 * expects SIGBUS arms after its sigsetjmp() (touch.c, race.c, resets.c)
 */
extern _Thread_local sigjmp_buf sigbus_env;
extern _Thread_local volatile sig_atomic_t sigbus_armed;
void install_sigbus_handler(void);

/* util.c */
void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...);
void __attribute__((noreturn)) die_errno(const char *step);
double now_ms(void);
void wait_for_file(const char *path);
void start_thread(pthread_t *thread, void *(*fn)(void *), void *arg);
void join_thread(pthread_t thread);

/* options.c */
void parse_options(int argc, char **argv, struct options *o);

/* vfio.c */
void vfio_open(const char *bdf, struct vfio *v);
void vfio_regions(unsigned int bar, struct vfio *v, struct truth *t);
void vfio_close(struct vfio *v);
ssize_t dev_pread(const struct vfio *v, void *buf, size_t len, off_t off);
ssize_t dev_pwrite(const struct vfio *v, const void *buf, size_t len, off_t off, int cap);
uint32_t bar_read32(const struct vfio *v, unsigned int off);
void bar_write32(const struct vfio *v, unsigned int off, uint32_t val);
uint16_t config_read16(const struct vfio *v, unsigned int off);
unsigned int find_cap(const struct vfio *v, unsigned int id);
uint16_t read_command(const struct vfio *v);
void write_command(const struct vfio *v, bool mem_on, struct truth *t);
void map_bar(struct vfio *v, const struct options *o);
void refused_mmap(const struct vfio *v, struct truth *t);
unsigned int count_mem_bars(const char *bdf);
void map_resource_wc(const struct options *o, struct truth *t);

/* touch.c */
unsigned long pages_per_round(const struct vfio *v);
void run_rounds(const struct options *o, const struct vfio *v, struct truth *t);
void run_sigbus(const struct options *o, const struct vfio *v, struct truth *t);
void run_mmap_storm(const struct options *o, const struct vfio *v, struct truth *t);

/* dma.c */
void export_dmabufs(const struct options *o, const struct vfio *v, struct truth *t);
void run_vm_start(const struct options *o, const struct vfio *v, struct truth *t);
void run_dma_map(const struct options *o, const struct vfio *v, struct truth *t);

/* access.c */
void run_accesses(const struct options *o, const struct vfio *v, struct truth *t);

/* msix.c */
void run_msix(const struct options *o, const struct vfio *v, struct truth *t);
void msix_on(const struct vfio *v, struct truth *t, int *efd);
unsigned long msix_proc_line(const char *bdf, unsigned int k, unsigned int *irq);

/* kvm.c */
void run_kvm_irqfds(const struct options *o, const struct vfio *v, struct truth *t);

/* irq.c */
void run_irqs(const struct options *o, const struct vfio *v, struct truth *t);
void count_set_irqs(struct truth *t, uint32_t index, uint32_t flags);
unsigned long proc_interrupts(const char *name, unsigned int *irq);

/* power.c */
void run_pm_cycles(const struct options *o, const struct vfio *v, struct truth *t);
void run_low_power(const struct options *o, const struct vfio *v, struct truth *t);

/* race.c */
void run_race(const struct options *o, const struct vfio *v, struct truth *t);

/* resets.c */
void run_resets(const struct options *o, const struct vfio *v, struct truth *t);
void run_load(const struct options *o, const struct vfio *v, struct truth *t);

/* truth.c */
void print_truth(const struct options *o, const struct vfio *v, const struct truth *t);

#endif
