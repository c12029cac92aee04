/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The rows vfiotop shows, one per device, built from two snapshots: the
 * totals of the newer one and the rates between them. Pure (no terminal, no
 * I/O) so the live view, batch mode and the unit tests share one truth.
 */
#ifndef VFIOTOP_TOP_MODEL_H
#define VFIOTOP_TOP_MODEL_H

#include <json-c/json.h>

#include "json_path.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum top_col {
	COL_BDF,
	COL_ID,
	COL_OWNER,
	COL_STATE,
	COL_FLT_RATE,
	COL_P50,
	COL_P99,
	COL_MAP4K_RATE,
	COL_MAP2M_RATE,
	COL_MAP1G_RATE,
	COL_ZAP_RATE,
	COL_IRQ_RATE,
	COL_REASON,
	COL_MEMTYPE,
	COL_RESETS,
	COL_LASTRST,
	COL_FAULTS,
	COL_ZAPS,
	COL_NR
};

struct top_column {
	const char *name;	/* header text, also what --sort accepts */
	int width;
	int prio;		/* dropped first when narrow: lowest; 0 never dropped */
	bool numeric;		/* right-aligned, sorts largest first */
	const char *help;	/* at most 28 characters: the help screen fits 80x24 */
};

extern const struct top_column top_columns[COL_NR];

/* Rates are NAN when unknown: first sample, or a counter that went backwards. */
struct top_row {
	char bdf[16];
	char id[10];		/* vendor:device, "1af4:1110" */
	char owner[32];		/* "pid/comm", or "-" */
	bool gone;		/* not live: gone from sysfs, or unbound from vfio */
	char state[8];		/* live, unbound, gone */
	double fault_rate, map4k_rate, map2m_rate, map1g_rate, zap_rate;
	double irq_rate;	/* interrupts signalled, all vectors */
	uint64_t faults, zaps;
	uint64_t p50_ns, p99_ns;
	char reason[16];	/* zap reason of the interval, else of all time, else "-" */
	char memtype[8];	/* reserved mode, else most looked-up mode, else "-" */
	bool mismatch;
	uint64_t resets, reset_last_ns;
	json_object *dev;	/* borrowed from the current snapshot, for the detail view */
};

struct top_view {
	enum top_col sort;
	bool reverse;		/* against the column's natural order */
	char filter[64];
};

/*
 * Elapsed seconds between two snapshots: their own time_ns when both have
 * one and it moved forward, else fallback (the caller's clock).
 */
double top_elapsed(json_object *prev, json_object *cur, double fallback);

/*
 * One row per device of cur, in snapshot order, into *rows (malloc'ed; free()
 * it). prev may be NULL, or from another daemon instance: then every rate is
 * unknown. Returns the number of rows, or -1 when out of memory.
 */
int top_build(json_object *prev, json_object *cur, double elapsed, struct top_row **rows);

/* Stable: equal values keep BDF order, whatever the direction. */
void top_sort(struct top_row *rows, size_t n, enum top_col col, bool reverse);
bool top_match(const struct top_row *r, const char *needle);
/* Keeps the rows top_match() accepts, in order, at the front; returns how many. */
size_t top_filter(struct top_row *rows, size_t n, const char *needle);
/* Filter then sort, as v says. */
size_t top_apply(struct top_row *rows, size_t n, const struct top_view *v);

/* Column by header name, case-insensitive; -1 if none. */
int top_col_by_name(const char *name);
/* The cell's text, as the table shows it. */
void top_cell(const struct top_row *r, enum top_col c, char *buf, size_t len);

/*
 * Which columns fit in width: drops the lowest priority first (the rightmost
 * of equals) until the rest, one space apart, fit. BDF and FLT/s always stay.
 * Returns how many are shown.
 */
int top_layout(int width, bool shown[COL_NR]);

/* "812ns", "3.5us", "61us", "1.1ms", "2.3s" */
void top_fmt_ns(uint64_t ns, char *buf, size_t len);
/* "0", "0.5", "12", "3.4k", "1.2M"; "-" when unknown (NAN) */
void top_fmt_rate(double v, char *buf, size_t len);
/* "512 MiB", "1.0 GiB" */
void top_fmt_bytes(uint64_t b, char *buf, size_t len);
/*
 * One line about every process's DMA maps, "" when there were none:
 * "DMA maps 12 (264 MiB in 1.2 s)  failed 3  last: map of 1024 KiB at iova 0x... by qemu[42] ENOSPC"
 */
void top_dma_summary(json_object *snap, char *buf, size_t len);

#endif
