/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One event as the daemon keeps it: a ring-buffer record (struct vtop_rec_*
 * in vfiotop.h) decoded into what every kind has, and a union with one typed
 * member per kind, chosen by type. Each field has one meaning: a reset's PCI
 * core method and a power event's new state no longer share a slot, so a
 * reader of the wrong kind's field is a name that does not fit. Decoded by
 * capture/event_decode.c.
 */
#ifndef VTOP_EVENT_H
#define VTOP_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "vfiotop.h"

/* VTOP_EV_MMAP */
struct vtop_event_mmap {
	__u32 bar;		/* BAR index */
	__u64 addr;		/* vm_start */
	__u64 len;		/* bytes mapped */
	__u64 bar_off;		/* where in the BAR the mapping starts */
};

/* VTOP_EV_ZAP */
struct vtop_event_zap {
	__u32 reason;		/* enum vtop_op */
	__u64 bytes;		/* bytes zapped */
	__u64 vmas;		/* vmas zapped */
};

/* VTOP_EV_RESET_BEGIN */
struct vtop_event_reset_begin {
	__u32 reason;		/* enum vtop_op: what asked for it */
	__u32 method;		/* enum vtop_reset_method */
};

/* VTOP_EV_RESET */
struct vtop_event_reset {
	__u32 reason;		/* enum vtop_op */
	__u32 method;		/* enum vtop_reset_method: function or bus */
	__u32 pci_method;	/* enum vtop_pci_reset: how the PCI core did it */
	__u64 wait_ns;		/* waiting for the device to answer after it */
};

/* VTOP_EV_REQUEST_BEGIN and VTOP_EV_REQUEST */
struct vtop_event_request {
	__u32 reason;		/* enum vtop_op: VTOP_OP_RESET or VTOP_OP_HOT_RESET */
};

/* VTOP_EV_LOCK_WAIT */
struct vtop_event_lock_wait {
	__u32 flags;		/* VTOP_LOCK_* */
	__u32 holder_pid;	/* the writer holding memory_lock as the wait began */
	__u32 holder_tid;
	char holder_comm[VTOP_COMM_LEN];
	__u64 addr;		/* the lock */
	__u32 nr_stack;		/* waits over the stall threshold: the waiter's kernel stack */
	__u64 stack[VTOP_STACK_DEPTH];
};

/* VTOP_EV_MEM_WRITE */
struct vtop_event_mem_write {
	bool enable;		/* the write sets PCI_COMMAND_MEMORY */
};

/* VTOP_EV_RESERVE */
struct vtop_event_reserve {
	__u32 requested;	/* enum vtop_cache_mode asked for */
	__u32 granted;		/* enum vtop_cache_mode the range got */
	__u64 addr;		/* physical start */
	__u64 len;
};

/* VTOP_EV_DMABUF_EXPORT */
struct vtop_event_dmabuf_export {
	__u64 addr;		/* physical start of the exported range */
	__u64 len;
};

/* VTOP_EV_DMABUF_MOVE */
struct vtop_event_dmabuf_move {
	__u32 reason;		/* enum vtop_op: the zap's */
	bool revoked;		/* false: restored */
};

/* VTOP_EV_DMA_FAIL */
struct vtop_event_dma_fail {
	__u32 op;		/* enum vtop_dma_op */
	__u32 target;		/* enum vtop_dma_target */
	__u64 vaddr;
	__u64 iova;		/* the IOVA asked for */
	__u64 len;
};

/* VTOP_EV_POWER */
struct vtop_event_power {
	__u32 from;		/* enum vtop_power_state before */
	__u32 to;		/* and after */
	__u32 reason;		/* enum vtop_op, VTOP_OP_NONE outside vfio's own ops */
};

/* VTOP_EV_REGION_FAIL */
struct vtop_event_region_fail {
	__u32 bars;		/* mask of the BARs asked for */
};

/* VTOP_EV_IRQ_SET */
struct vtop_event_irq_set {
	__u32 index;		/* enum vtop_irq_index */
	__u32 start;		/* the first vector */
	__u32 count;		/* 0: torn down */
};

struct vtop_event {
	__u32 type;		/* enum vtop_event_type: which member of the union */
	__u32 dev;		/* device key, 0 if none */
	__u64 ts_ns;		/* bpf_ktime_get_ns() at the end of the operation */
	/*
	 * How long the operation took, 0 for kinds that do not time it: the
	 * stall recorder reads it of any kind to place the event in time.
	 */
	__u64 dur_ns;
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 cpu;
	__s32 ret;		/* what the operation returned, 0 if nothing */
	char comm[VTOP_COMM_LEN];
	union {
		struct vtop_event_mmap mmap;
		struct vtop_event_zap zap;
		struct vtop_event_reset_begin reset_begin;
		struct vtop_event_reset reset;
		struct vtop_event_request request;
		struct vtop_event_lock_wait lock_wait;
		struct vtop_event_mem_write mem_write;
		struct vtop_event_reserve reserve;
		struct vtop_event_dmabuf_export dmabuf_export;
		struct vtop_event_dmabuf_move dmabuf_move;
		struct vtop_event_dma_fail dma_fail;
		struct vtop_event_power power;
		struct vtop_event_region_fail region_fail;
		struct vtop_event_irq_set irq_set;
	};
};

#endif /* VTOP_EVENT_H */
