/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vfiotopd's own process, as Prometheus' client libraries export it
 * (process_cpu_seconds_total, process_resident_memory_bytes, ...): read from
 * /proc/PID/stat, /proc/PID/fd, /proc/PID/limits and /proc/stat's btime, or
 * for the daemon itself, mostly from system calls.
 */
#ifndef VFIOTOP_PROCESS_STATS_H
#define VFIOTOP_PROCESS_STATS_H

#include <stdbool.h>
#include <stdint.h>

struct process_stats {
	bool valid;		/* false: /proc could not be read, nothing shown */
	uint64_t cpu_ns;	/* user + system */
	uint64_t resident_bytes;
	uint64_t virtual_bytes;
	uint64_t open_fds;
	uint64_t max_fds;	/* RLIMIT_NOFILE's soft limit (unlimited: RLIM_INFINITY) */
	uint64_t start_time_ns;	/* since the epoch, in clock ticks' resolution */
};

/*
 * proc: the procfs root ("/proc"), pid: "self" or a number. 0, or -1 with
 * out->valid false when a file is missing or not as procfs writes it.
 */
int process_stats_read(const char *proc, const char *pid, struct process_stats *out);

/*
 * This process's, as process_stats_read("/proc", "self") but at a fraction
 * of its cost: it runs for every snapshot and scrape, and the three files
 * and the fd directory were 30% of the daemon's CPU serving snapshots over
 * 16 idle devices (perf, in make bench's device boot). The open fds are the
 * process's own, with no directory of them held open to count them.
 */
int process_stats_self(struct process_stats *out);

/* VmSize and VmRSS (bytes) and FDSize of /proc/PID/status' text; 0 or -1 */
int process_status_parse(const char *text, uint64_t *virtual_bytes, uint64_t *resident_bytes,
			 uint64_t *fd_table);

#endif
