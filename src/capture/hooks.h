/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Loading and attaching the capture programs. Every program is compiled in;
 * those on vfio module functions as fentry/fexit and as kprobe/kretprobe.
 * Per function, one of the two is loaded:
 *  - functions the running kernel lacks (by its BTF, never by its version
 *    number) load nothing and are reported;
 *  - vmlinux functions use fentry/fexit;
 *  - module functions too with pin_modules (the daemon's default): a BPF
 *    trampoline holds a reference on its module, so `rmmod vfio_pci_core`
 *    fails until the daemon lets go (`vfiotop release`). Without it they
 *    use kprobes, which hold nothing and cost more per call;
 *  - a function whose fentry/fexit fails to attach falls back to kprobes.
 * A program that cannot attach is reported, not fatal.
 */
#ifndef VFIOTOP_HOOKS_H
#define VFIOTOP_HOOKS_H

#include <bpf/libbpf.h>
#include <stdbool.h>
#include <stdint.h>

#include "hook_status.h"
#include "map_read.h"
#include "vfiotop.h"

struct hooks_opts {
	bool pin_modules;	/* fentry/fexit on module functions too */
	bool kprobes_only;	/* kprobes everywhere (kernels without trampolines) */
	bool memtype_faults;	/* the memtype of every per-page/huge fault: one more
				 * trampoline on the fault path */
	bool irq_waits;		/* interrupts' waits for their eventfds' readers: a
				 * trampoline on every eventfd read of the host */
	const char *pin_dir;	/* pin the counter maps here and reuse them; NULL: don't */
	bool reset;		/* remove pinned maps before the next load */
	uint64_t stall_ns;	/* lock waits this long carry a kernel stack */
};

/* One load of the capture programs: opaque outside hooks.c. */
struct hooks;

struct hooks *hooks_new(void);
void hooks_free(struct hooks *h);

/*
 * 0 on success; -errno with a logged reason otherwise. With opts->pin_dir the
 * counter maps (dev_hot, dev_rare, dev_slots, .bss, dmabuf_dev, dma_procs) are
 * pinned there, or reused if a vfiotopd pinned them before: the counts
 * continue.
 */
int hooks_start(struct hooks *h, const struct hooks_opts *opts, ring_buffer_sample_fn on_event,
		void *ctx);
void hooks_stop(struct hooks *h);
/* Whether programs are loaded and attached (hooks_start succeeded, no stop since). */
bool hooks_running(const struct hooks *h);
/* The ring buffer's epoll fd, and reading what it holds into the on_event callback. */
int hooks_ring_fd(const struct hooks *h);
void hooks_consume(struct hooks *h);
/* Whether the counter maps outlive this load, and since when they count (realtime ns). */
bool hooks_pinned(const struct hooks *h, uint64_t *counters_since_ns);
/* Every program's hook and what became of it; n of them. */
const struct hook_status *hooks_status(const struct hooks *h, int *n);

/* dev_hot: the gate of map reads (privileges_lower()) */
int hooks_stats_map_fd(const struct hooks *h);
/* Each map of the loaded object and the kernel memory it holds: how many (up to max) */
int hooks_map_memory(const struct hooks *h, struct map_memory *out, int max);

/*
 * What the maps hold now, read without a map syscall (map_read.h says why).
 * hooks_slot_devices: the slots given so far, up to max: keys[s] is the
 * device at slot s where given[s]. hooks_slot_counters: the counters of a
 * slot, live: its fault counters, one struct per possible CPU,
 * and its shared ones (false before a load). hooks_slot_power: a slot's
 * power state, false before its first transition.
 */
uint32_t hooks_slot_devices(const struct hooks *h, uint32_t *keys, bool *given, uint32_t max);
bool hooks_slot_counters(const struct hooks *h, uint32_t slot, const struct vtop_dev_hot **percpu,
			 const struct vtop_dev_rare **rare);
bool hooks_slot_power(const struct hooks *h, uint32_t slot, struct vtop_power_now *out);
/* DMA maps per process (up to max, by tgid), and of all processes */
uint32_t hooks_dma_procs(const struct hooks *h, uint32_t *tgids, struct vtop_dma_proc *procs,
			 uint32_t max);
void hooks_dma_totals(const struct hooks *h, struct vtop_dma_stats *out);
/* vec_stats, mapped, and how many of its slots were given (*n); NULL before a load */
const struct vtop_vec_stats *hooks_vectors(const struct hooks *h, uint32_t *n);
void hooks_self_stats(const struct hooks *h, struct vtop_self_stats *out);
/* Runs of the loaded programs the kernel skipped to avoid recursion. */
uint64_t hooks_prog_misses(const struct hooks *h);

#endif
