/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the daemon says about itself in every snapshot. */
#ifndef VFIOTOP_STATUS_H
#define VFIOTOP_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "hook_status.h"
#include "map_read.h"
#include "process_stats.h"
#include "stall.h"
#include "vfiotop.h"

struct dma_table;

#define SNAPSHOT_SCHEMA_VERSION 1

#define DAEMON_ATTACHED	"attached"
#define DAEMON_WAITING	"waiting for vfio-pci"
/* vfiotop release: detached so that the vfio modules can be unloaded */
#define DAEMON_RELEASED	"released"

struct daemon_status {
	const char *version;
	pid_t pid;
	time_t started_at;
	uint64_t counters_since_ns;	/* pinned maps: when they were created */
	const char *pinned;		/* the pin folder while the maps are pinned */
	const struct stall_tracker *stalls;
	const char *report_dir;
	uint64_t stall_threshold_ns;
	const char *state;	/* DAEMON_ATTACHED, DAEMON_WAITING or DAEMON_RELEASED */
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
	/* vfiotopd's own CPU, memory and fds, read for each client */
	struct process_stats process;
	/* DMA maps per process: not any one device's (NULL: none to show) */
	const struct dma_table *dma;
	/*
	 * --json-lines' count of the lines its reader did not take (NULL: no
	 * --json-lines): a counter, not the writer, which itself prints the
	 * snapshot's members and so sits above it
	 */
	const uint64_t *json_lines_dropped;
	/* the kernel memory each BPF map holds, as of the latest attach */
	struct map_memory maps[MAPS_MAX];
	int n_maps;
};

/* Why an event went uncounted: lost_events_by_cause's keys, in order */
enum lost_cause {
	LOST_RINGBUF_FULL,
	LOST_DEVICE_MAP_FULL,
	LOST_FAULT_EXIT_MISSED,
	LOST_PROGRAM_RECURSION,
	LOST_MALFORMED_RECORD,
	LOST_VECTOR_MAP_FULL,
	LOST_ACCESS_EXIT_MISSED,
	LOST_CAUSES,
};

extern const char *const lost_cause_names[LOST_CAUSES];
uint64_t lost_events(const struct daemon_status *st, enum lost_cause cause);
/* whether the capture programs are attached (state DAEMON_ATTACHED) */
bool daemon_attached(const struct daemon_status *st);
/* hooks selected for their function, attached (true) or not */
int status_hook_count(const struct daemon_status *st, bool attached);
/* --json-lines' lines dropped (0 without --json-lines) */
uint64_t status_json_lines_dropped(const struct daemon_status *st);
/* what all the BPF maps hold in kernel memory, as of the latest attach */
uint64_t status_kernel_memory(const struct daemon_status *st);

#endif
