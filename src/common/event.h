/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One event as the daemon keeps it: any ring-buffer record (struct vtop_rec_*
 * in vfiotop.h) decoded into one flat form, so that the aggregates and the
 * stall recorder read events alike whatever their kind. Which field holds
 * what for each kind: capture/event_decode.c.
 */
#ifndef VTOP_EVENT_H
#define VTOP_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "vfiotop.h"

struct vtop_event {
	__u32 type;		/* enum vtop_event_type */
	__u32 dev;
	__u64 ts_ns;		/* bpf_ktime_get_ns() at the end of the operation */
	__u64 dur_ns;
	__u32 pid;		/* tgid */
	__u32 tid;
	char comm[VTOP_COMM_LEN];
	__s32 ret;
	__u32 reason;		/* enum vtop_op: zap reason, reset origin */
	__u32 bar;		/* mmap: BAR index; region request: mask of BARs */
	__u32 method;		/* reset: enum vtop_reset_method; reserve: the mode asked;
				 * DMA failure: enum vtop_dma_op */
	__u64 len;		/* mmap: bytes mapped; zap: bytes zapped */
	__u64 addr;		/* mmap: vm_start; DMA failure: vaddr; reserve, DMA-BUF
				 * export: physical start; lock wait: the lock */
	__u64 bar_off;		/* mmap: where in the BAR the mapping starts */
	__u64 vmas;		/* zap: vmas zapped */
	__u64 iova;		/* DMA map failure: the IOVA asked for */
	__u64 wait_ns;		/* reset: waiting for the device to answer after it */
	__u32 how;		/* reset: enum vtop_pci_reset; power: the new state;
				 * reserve: the mode granted */
	__u32 how_from;		/* power: the state before */
	__u32 cpu;
	__u32 flags;		/* lock wait: VTOP_LOCK_*; mem write, DMA-BUF move, DMA
				 * failure (enum vtop_dma_target) */
	__u32 holder_pid;	/* lock wait: the writer holding memory_lock as it began */
	__u32 holder_tid;
	char holder_comm[VTOP_COMM_LEN];
	__u32 nr_stack;		/* lock wait over the stall threshold: waiter's kernel stack */
	__u32 pad;
	__u64 stack[VTOP_STACK_DEPTH];
};

#endif /* VTOP_EVENT_H */
