/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Who owns a device: processes seen mapping its BARs (ring buffer events)
 * and processes holding its vfio group or device cdev open (/proc/PID/fd).
 * Never reads a process's maps, smaps or numa_maps: walking the page tables
 * of a process with huge pfnmaps has crashed kernels.
 */
#ifndef VFIOTOP_OWNERS_H
#define VFIOTOP_OWNERS_H

#include "devices.h"

/*
 * Liveness of the owners already known, and a scan of every /proc/PID/fd
 * while a device is present (none: no /proc walk).
 */
void owners_refresh(struct device_table *t, const char *proc, const char *sysfs);
/* Only the liveness of the owners already known: no /proc walk. */
void owners_check_alive(struct device_table *t, const char *proc);
/*
 * Processes that opened a device (VTOP_EV_OPEN), each looked at alone in
 * /proc/PID/fd once its fd is in place, instead of every process's.
 */
#define OWNER_QUEUE_MAX	64
struct owner_queue {
	struct {
		pid_t pid;
		uint64_t open_ns;	/* CLOCK_MONOTONIC of the open */
	} q[OWNER_QUEUE_MAX];
	int n;
	bool overflow;		/* more than it holds: the next look is a full scan */
};

void owners_queue_open(struct owner_queue *q, pid_t pid, uint64_t open_ns);
/*
 * Scans the fds of the queued processes that opened OWNER_OPEN_SETTLE_NS or
 * longer before now_ns (vfio installs the fd after the open), or every
 * process's if the queue overflowed; the others stay queued.
 */
#define OWNER_OPEN_SETTLE_NS	100000000ull
void owners_scan_queued(struct owner_queue *q, struct device_table *t, const char *proc,
			const char *sysfs, uint64_t now_ns);

/* pid runs, as comm if comm is not "" (a recycled pid is not the same process) */
bool pid_alive(const char *proc, pid_t pid, const char *comm);

#endif
