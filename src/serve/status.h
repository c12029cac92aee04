/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the daemon says about itself in every snapshot. */
#ifndef VFIOTOP_STATUS_H
#define VFIOTOP_STATUS_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "stall.h"
#include "vfiotop.h"

struct dma_table;

#define SNAPSHOT_SCHEMA_VERSION 1

struct hook_status {
	char function[64];
	char mechanism[16];	/* fentry, fexit, kprobe, kretprobe */
	char module[64];	/* vmlinux or the module whose BTF has the function */
	char program[64];	/* BPF program name */
	bool selected;		/* the mechanism chosen for its function */
	bool attached;
	char why[64];		/* when selected but not attached */
};

struct daemon_status {
	const char *version;
	pid_t pid;
	time_t started_at;
	uint64_t counters_since_ns;	/* pinned maps: when they were created */
	const char *pinned;		/* the pin folder while the maps are pinned */
	const struct stall_tracker *stalls;
	const char *report_dir;
	uint64_t stall_threshold_ns;
	const char *state;	/* "attached", "waiting for vfio-pci" */
	char kernel_release[65];
	char kernel_version[65];
	const struct hook_status *hooks;
	int n_hooks;
	struct vtop_self_stats self;
	/*
	 * Runs of vfiotop's programs on vfio module functions the kernel skipped:
	 * a trampoline program is preemptible, and another task entering it on
	 * the same CPU meanwhile is turned away (bpf_prog_info.recursion_misses).
	 */
	uint64_t prog_misses;
	/* ring-buffer records the daemon could not decode (unknown type, short) */
	uint64_t records_malformed;
	/* DMA maps per process: not any one device's (NULL: none to show) */
	const struct dma_table *dma;
};

#endif
