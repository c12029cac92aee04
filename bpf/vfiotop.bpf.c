// SPDX-License-Identifier: GPL-2.0
/*
 * vfiotop capture: what vfio-pci does with BAR mappings, aggregated in
 * per-device maps. Only rare events (mmaps, zaps, resets, lock waits,
 * reservations, DMA-BUF moves, failed DMA maps, power changes) are sent to
 * userspace through the ring buffer, one struct vtop_rec_* each; faults
 * never are.
 *
 * This unit holds what the others share (common.bpf.h): the license, the
 * maps and the globals several units use, defined here once. Each other
 * unit of bpf/ is one concern; bpftool gen object links them into one
 * object and skeleton.
 *
 * A hook on a vfio module function is written as fentry/fexit and as
 * kprobe/kretprobe: the daemon picks one per function at load time
 * (docs/kernel-matrix.md), as a trampoline on a module function pins the
 * module and kprobes do not. Hooks on vmlinux functions are trampolines.
 * Programs whose function the running kernel lacks are not loaded.
 */
#define VTOP_MAPS_OWNER
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* per device slot: bumped by its zaps and mmaps */
__u32 map_gen[VTOP_MAX_DEVICES];

/* per device slot: VTOP_SLOT_USED | its device key, for vfiotopd */
__u64 slot_dev[VTOP_MAX_DEVICES];

/* per device slot: its power state and since when (pci.bpf.c) */
struct vtop_power_now power_now[VTOP_MAX_DEVICES];

/* the next slot of vec_stats to give (irq.bpf.c) */
__u32 next_vec;

/* the possible CPUs: dev_hot holds this many entries per slot */
const volatile __u32 stats_cpus = 1;

/* waits at least this long carry the waiter's kernel stack (--stall-threshold) */
const volatile __u64 stack_threshold_ns = 100000000;

/* the kernel's vfio_pci_fault tracepoint is the fault's one program (lock.bpf.c) */
const volatile __u32 fault_by_tracepoint;

/* interrupts' waits for their eventfds' readers are counted (--irq-waits: irq.bpf.c) */
const volatile __u32 irq_waits;

/*
 * Set by vfiotopd before a load that creates this map; a pinned map reused
 * by a restarted vfiotopd keeps it: when the counters began (ns, realtime).
 */
__u64 counters_since_ns;
