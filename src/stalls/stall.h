/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Flight recorder and stall reports (docs/stalls.md). Every ring buffer event
 * is kept per device in a bounded ring; a reset request, reset, zap,
 * memory_lock wait or DMA-BUF revoke/restore longer than the threshold opens
 * a stall, and the daemon
 * writes a JSON report and a Chrome trace-event file of the window around it:
 * while it lasts (a hung reset still leaves a report) and once it ended.
 */
#ifndef VFIOTOP_STALL_H
#define VFIOTOP_STALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#define STALL_DEFAULT_THRESHOLD_MS	100
#define STALL_DEFAULT_EVENTS		256
#define STALL_MAX_REPORTS		200	/* the oldest go first */
#define STALL_GRACE_NS			600000000ull	/* late waits still join */

/* The VM a process runs (its libvirt domain, QEMU -name, ...): NULL or "" if none known */
typedef const char *(*stall_vm_fn)(uint32_t pid, void *ctx);

struct stall_config {
	stall_vm_fn vm_of;	/* optional: reports name each task's VM */
	void *vm_ctx;
	uint64_t threshold_ns;
	const char *dir;	/* NULL: record, but write no reports */
	size_t events;		/* per device */
	bool shared_dir_ok;	/* --allow-shared-dirs: dir may be another's, or shared */
};

struct stall_tracker;

struct stall_tracker *stall_new(const struct stall_config *cfg);
void stall_free(struct stall_tracker *st);
/*
 * Whether cfg->dir may hold reports: 0 if it is safe or does not exist yet
 * (it is made, and checked, at the first report); -1 with why[] otherwise.
 */
int stall_check_dir(const struct stall_config *cfg, char *why, size_t len);
/* Records e for its device (bdf as the daemon names it) and looks for stalls. */
void stall_event(struct stall_tracker *st, const struct vtop_event *e, const char *bdf);
/* now: bpf_ktime_get_ns()'s clock (CLOCK_MONOTONIC). Writes due reports. */
void stall_tick(struct stall_tracker *st, uint64_t now);
/* Reports written so far, recorder overwrites and events recorded, for the snapshot. */
void stall_stats(const struct stall_tracker *st, uint64_t *reports, uint64_t *overwritten,
		 uint64_t *events);

/*
 * The report for one stall, built from recorded events: exposed so tests can
 * feed it events. mono_to_real: add to a ktime to get wall-clock ns.
 */
struct stall_window {
	const char *bdf;
	uint64_t start, end;		/* ktime ns */
	bool in_progress;
	uint64_t threshold_ns;
	const struct vtop_event *events;	/* in time order */
	size_t n;
	uint64_t capacity, overwritten;
	int64_t mono_to_real;
	uint64_t now;			/* for an operation still running */
	stall_vm_fn vm_of;		/* optional */
	void *vm_ctx;
};

/* malloc'ed JSON text of the report and of its trace; 0 or -ENOMEM */
int stall_render(const struct stall_window *w, char **report, char **trace);
/* The one-paragraph explanation (malloc'ed). */
char *stall_explain(const struct stall_window *w);

#endif
