// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "array_size.h"
#include "device_paths.h"
#include "json_path.h"
#include "names.h"
#include "top_model.h"

/* Every width leaves room for the sort marker after the name. */
const struct top_column top_columns[COL_NR] = {
	[COL_BDF]	 = { "BDF",	12, 0, false, "PCI address" },
	[COL_ID]	 = { "ID",	 9, 3, false, "vendor:device" },
	[COL_OWNER]	 = { "OWNER",	16, 7, false, "live owner's VM or pid/comm, else first seen" },
	[COL_STATE]	 = { "STATE",	 7, 4, false, "live (vfio), unbound, or gone from sysfs" },
	[COL_FLT_RATE]	 = { "FLT/s",	 6, 0, true,  "BAR faults per second" },
	[COL_P50]	 = { "P50",	 6, 7, true,  "median fault latency" },
	[COL_P99]	 = { "P99",	 6, 9, true,  "99th percentile latency" },
	[COL_MAP4K_RATE] = { "4K/s",	 6, 6, true,  "4 KiB pages mapped per s" },
	[COL_MAP2M_RATE] = { "2M/s",	 6, 6, true,  "2 MiB pages mapped per s" },
	[COL_MAP1G_RATE] = { "1G/s",	 6, 5, true,  "1 GiB pages mapped per s" },
	[COL_ZAP_RATE]	 = { "ZAP/s",	 6, 8, true,  "mapping zaps per second" },
	[COL_IRQ_RATE]	 = { "IRQ/s",	 6, 6, true,  "interrupts per second" },
	[COL_REASON]	 = { "REASON",	11, 5, false, "top zap reason (interval)" },
	[COL_MEMTYPE]	 = { "MEMTYPE",	 8, 4, false, "cache mode; ! a mismatch" },
	[COL_RESETS]	 = { "RESETS",	 7, 3, true,  "device resets, total" },
	[COL_LASTRST]	 = { "LASTRST",	 8, 3, true,  "last reset's duration" },
	[COL_FAULTS]	 = { "FAULTS",	 7, 2, true,  "faults, total" },
	[COL_ZAPS]	 = { "ZAPS",	 6, 1, true,  "zaps, total" },
};

double top_elapsed(json_object *prev, json_object *cur, double fallback)
{
	uint64_t a = jpath_u64(prev, "time_ns"), b = jpath_u64(cur, "time_ns");

	return prev && a && b > a ? (double)(b - a) / 1e9 : fallback;
}

/* A restarted daemon counts from zero again: its totals are no base for a rate. */
static bool same_daemon(json_object *a, json_object *b)
{
	return jpath_opt_u64(a, "daemon.pid") == jpath_opt_u64(b, "daemon.pid") &&
	       jpath_u64(a, "daemon.started_at") == jpath_u64(b, "daemon.started_at");
}

static json_object *find_device(json_object *snap, const char *bdf)
{
	json_object *devs = jpath_get(snap, "devices");
	size_t n = jpath_len(devs);

	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		if (!strcmp(jpath_str(d, "bdf"), bdf))
			return d;
	}
	return NULL;
}

/* a counter's growth a second from a to b; NAN when no time passed or it went back */
static double per_second(uint64_t a, uint64_t b, double elapsed)
{
	if (!(elapsed > 0))
		return NAN;
	return b < a ? NAN : (double)(b - a) / elapsed;
}

static double rate(json_object *prev, json_object *cur, const char *path, double elapsed)
{
	return prev ? per_second(jpath_u64(prev, path), jpath_u64(cur, path), elapsed) : NAN;
}

/* interrupts of every type: irqs.interrupts' keys */
static uint64_t irq_total(json_object *dev)
{
	char path[96];
	uint64_t n = 0;

	for (unsigned int i = 0; i < irq_kind_keys.n; i++) {
		const char *type = irq_kind_keys.name(key_index(&irq_kind_keys, i));

		n += jpath_u64(dev, dnum_key(DNUM_irq_interrupts, type, path, sizeof(path)));
	}
	return n;
}

/*
 * comm is whatever the process set: keep escape codes out of the terminal,
 * and spaces out of the columns so the table splits on whitespace.
 */
static void sanitize(char *s)
{
	for (; *s; s++)
		if (!isgraph((unsigned char)*s))
			*s = *s == ' ' ? '_' : '?';
}

static void pick_owner(json_object *dev, char *buf, size_t len)
{
	json_object *procs = jpath_get(dev, "processes"), *pick = NULL;
	size_t n = jpath_len(procs);

	for (size_t i = 0; i < n && !pick; i++) {
		json_object *p = json_object_array_get_idx(procs, i), *alive;

		if (json_object_object_get_ex(p, "alive", &alive) && json_object_get_boolean(alive))
			pick = p;
	}
	if (!pick && n)
		pick = json_object_array_get_idx(procs, 0);
	if (!pick) {
		snprintf(buf, len, "-");
		return;
	}
	/* an operator knows the VM, not the pid (docs/json.md: the VM behind a process) */
	if (*jpath_str(pick, "vm.name"))
		snprintf(buf, len, "%s", jpath_str(pick, "vm.name"));
	else
		snprintf(buf, len, "%" PRIu64 "/%s", jpath_opt_u64(pick, "pid"),
			 jpath_opt_str(pick, "comm"));
	sanitize(buf);
}

/*
 * The reason that zapped most in the interval; with none there, the most of
 * all time. The reasons are the document's keys: a new one needs no edit here.
 */
static void pick_reason(json_object *prev, json_object *dev, char *buf, size_t len)
{
	json_object *reasons = jpath_get(dev, dnum(DNUM_zaps_by_reason));
	json_object *before = prev ? jpath_get(prev, dnum(DNUM_zaps_by_reason)) : NULL;
	uint64_t best = 0, best_total = 0;
	const char *pick = NULL, *pick_total = NULL;

	if (json_object_is_type(reasons, json_type_object)) {
		json_object_object_foreach(reasons, reason, count) {
			uint64_t b = json_object_get_uint64(count), a = b;

			if (before)
				a = jpath_u64(before, reason);
			if (b > a && b - a > best) {
				best = b - a;
				pick = reason;
			}
			if (b > best_total) {
				best_total = b;
				pick_total = reason;
			}
		}
	}
	snprintf(buf, len, "%s", pick ? pick : pick_total ? pick_total : "-");
}

static void pick_memtype(json_object *dev, char *buf, size_t len)
{
	json_object *modes = jpath_get(dev, dnum(DNUM_memtype_by_mode));
	const char *reserved = jpath_opt_str(dev, "memtype.reserved"), *pick = "-";
	uint64_t best = 0;

	if (*reserved) {
		snprintf(buf, len, "%s", reserved);
		return;
	}
	if (json_object_is_type(modes, json_type_object)) {
		json_object_object_foreach(modes, mode, count) {
			uint64_t c = json_object_get_uint64(count);

			if (c > best) {
				best = c;
				pick = mode;
			}
		}
	}
	snprintf(buf, len, "%s", pick);
}

static void build_row(json_object *prev, json_object *dev, double elapsed, struct top_row *r)
{
	const char *vendor = jpath_str(dev, "vendor"), *device = jpath_str(dev, "device");
	json_object *mm = jpath_get(dev, "memtype.mismatch");
	char path[96];

	memset(r, 0, sizeof(*r));
	r->dev = dev;
	snprintf(r->bdf, sizeof(r->bdf), "%s", jpath_str(dev, "bdf"));
	/* "0x1af4" -> "1af4" */
	snprintf(r->id, sizeof(r->id), "%.4s:%.4s", strlen(vendor) > 2 ? vendor + 2 : "?",
		 strlen(device) > 2 ? device + 2 : "?");
	pick_owner(dev, r->owner, sizeof(r->owner));
	snprintf(r->state, sizeof(r->state), "%s", *jpath_str(dev, "state") ? jpath_str(dev, "state") :
		 "?");
	r->gone = strcmp(r->state, "live") != 0;
	r->fault_rate = rate(prev, dev, dnum(DNUM_faults_count), elapsed);
	r->map4k_rate = rate(prev, dev, dnum_key(DNUM_mapped_pages, "4k", path, sizeof(path)),
			     elapsed);
	r->map2m_rate = rate(prev, dev, dnum_key(DNUM_mapped_pages, "2m", path, sizeof(path)),
			     elapsed);
	r->map1g_rate = rate(prev, dev, dnum_key(DNUM_mapped_pages, "1g", path, sizeof(path)),
			     elapsed);
	r->zap_rate = rate(prev, dev, dnum(DNUM_zaps_count), elapsed);
	r->irq_rate = prev ? per_second(irq_total(prev), irq_total(dev), elapsed) : NAN;
	r->faults = jpath_u64(dev, dnum(DNUM_faults_count));
	r->zaps = jpath_u64(dev, dnum(DNUM_zaps_count));
	r->p50_ns = jpath_u64(dev, "faults.latency_ns.p50");
	r->p99_ns = jpath_u64(dev, "faults.latency_ns.p99");
	/* a reset between samples makes every delta meaningless, reasons included */
	pick_reason(isnan(r->zap_rate) ? NULL : prev, dev, r->reason,
		    sizeof(r->reason));
	pick_memtype(dev, r->memtype, sizeof(r->memtype));
	r->mismatch = mm && json_object_get_boolean(mm);
	r->resets = jpath_u64(dev, dnum(DNUM_resets_count));
	r->reset_last_ns = jpath_u64(dev, dnum(DNUM_resets_last));
}

int top_build(json_object *prev, json_object *cur, double elapsed, struct top_row **rows)
{
	json_object *devs = jpath_get(cur, "devices");
	size_t n = jpath_len(devs);

	*rows = calloc(n ? n : 1, sizeof(**rows));
	if (!*rows)
		return -1;
	if (prev && !same_daemon(prev, cur))
		prev = NULL;
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		build_row(prev ? find_device(prev, jpath_str(d, "bdf")) : NULL, d, elapsed,
			  &(*rows)[i]);
	}
	return (int)n;
}

static double num_key(const struct top_row *r, enum top_col c)
{
	switch (c) {
	case COL_FLT_RATE:	return r->fault_rate;
	case COL_P50:		return r->faults ? (double)r->p50_ns : NAN;
	case COL_P99:		return r->faults ? (double)r->p99_ns : NAN;
	case COL_MAP4K_RATE:	return r->map4k_rate;
	case COL_MAP2M_RATE:	return r->map2m_rate;
	case COL_MAP1G_RATE:	return r->map1g_rate;
	case COL_ZAP_RATE:	return r->zap_rate;
	case COL_IRQ_RATE:	return r->irq_rate;
	case COL_RESETS:	return (double)r->resets;
	case COL_LASTRST:	return r->resets ? (double)r->reset_last_ns : NAN;
	case COL_FAULTS:	return (double)r->faults;
	case COL_ZAPS:		return (double)r->zaps;
	default:		return 0;
	}
}

static const char *str_key(const struct top_row *r, enum top_col c)
{
	switch (c) {
	case COL_ID:		return r->id;
	case COL_OWNER:		return r->owner;
	case COL_STATE:		return r->state;
	case COL_REASON:	return r->reason;
	case COL_MEMTYPE:	return r->memtype;
	default:		return r->bdf;
	}
}

static enum top_col sort_col;
static bool sort_reverse;

/* Natural order: numbers largest first (unknown last), text A to Z. */
static int cmp_rows(const void *pa, const void *pb)
{
	const struct top_row *a = pa, *b = pb;
	int c = 0;

	if (top_columns[sort_col].numeric) {
		double x = num_key(a, sort_col), y = num_key(b, sort_col);

		if (isnan(x) || isnan(y))
			c = isnan(x) - isnan(y);
		else
			c = (x < y) - (x > y);
	} else {
		c = strcasecmp(str_key(a, sort_col), str_key(b, sort_col));
	}
	if (sort_reverse)
		c = -c;
	/* BDFs are unique: a total order, so qsort's instability cannot show */
	return c ? c : strcmp(a->bdf, b->bdf);
}

void top_sort(struct top_row *rows, size_t n, enum top_col col, bool reverse)
{
	sort_col = col < COL_NR ? col : COL_BDF;
	sort_reverse = reverse;
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp_rows);
}

bool top_match(const struct top_row *r, const char *needle)
{
	return !needle || !*needle || strcasestr(r->bdf, needle) || strcasestr(r->id, needle) ||
	       strcasestr(r->owner, needle);
}

size_t top_filter(struct top_row *rows, size_t n, const char *needle)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (top_match(&rows[i], needle))
			rows[k++] = rows[i];
	return k;
}

size_t top_apply(struct top_row *rows, size_t n, const struct top_view *v)
{
	n = top_filter(rows, n, v->filter);
	top_sort(rows, n, v->sort, v->reverse);
	return n;
}

int top_col_by_name(const char *name)
{
	for (int c = 0; c < COL_NR; c++)
		if (!strcasecmp(name, top_columns[c].name))
			return c;
	return -1;
}

void top_cell(const struct top_row *r, enum top_col c, char *buf, size_t len)
{
	switch (c) {
	case COL_FLT_RATE:	top_fmt_rate(r->fault_rate, buf, len); break;
	case COL_MAP4K_RATE:	top_fmt_rate(r->map4k_rate, buf, len); break;
	case COL_MAP2M_RATE:	top_fmt_rate(r->map2m_rate, buf, len); break;
	case COL_MAP1G_RATE:	top_fmt_rate(r->map1g_rate, buf, len); break;
	case COL_ZAP_RATE:	top_fmt_rate(r->zap_rate, buf, len); break;
	case COL_IRQ_RATE:	top_fmt_rate(r->irq_rate, buf, len); break;
	case COL_RESETS:	top_fmt_rate((double)r->resets, buf, len); break;
	case COL_FAULTS:	top_fmt_rate((double)r->faults, buf, len); break;
	case COL_ZAPS:		top_fmt_rate((double)r->zaps, buf, len); break;
	case COL_P50:
	case COL_P99:
	case COL_LASTRST:
		if (isnan(num_key(r, c)))
			snprintf(buf, len, "-");
		else	/* 2^64 - 1 as a double is 2^64: not a uint64_t any more */
			top_fmt_ns(num_key(r, c) >= 0x1p64 ? UINT64_MAX :
				   num_key(r, c) <= 0 ? 0 : (uint64_t)num_key(r, c), buf, len);
		break;
	case COL_MEMTYPE:
		snprintf(buf, len, "%s%s", r->memtype, r->mismatch ? "!" : "");
		break;
	default:
		snprintf(buf, len, "%s", str_key(r, c));
		break;
	}
}

int top_layout(int width, bool shown[COL_NR])
{
	int total = -1, n = COL_NR;

	for (int c = 0; c < COL_NR; c++) {
		shown[c] = true;
		total += top_columns[c].width + 1;
	}
	while (total > width) {
		int drop = -1;

		for (int c = 0; c < COL_NR; c++)
			if (shown[c] && top_columns[c].prio &&
			    (drop < 0 || top_columns[c].prio <= top_columns[drop].prio))
				drop = c;
		if (drop < 0)
			break;	/* only the never-dropped ones left: the caller clips */
		shown[drop] = false;
		total -= top_columns[drop].width + 1;
		n--;
	}
	return n;
}

/*
 * One decimal while the integer part is a single digit, none after; the
 * thresholds are where rounding would print "10.0" or "1000". trim drops a
 * ".0" (rates: "2", not "2.0").
 */
static void fmt_scaled(double v, const char *const units[], double step, size_t n, bool trim,
		       char *buf, size_t len)
{
	size_t u = 0;

	while (u + 1 < n && v >= step * 999.5 / 1000)
		v /= step, u++;
	if (v < 9.95 && (!trim || fabs(v - round(v)) >= 0.05))
		snprintf(buf, len, "%.1f%s", v, units[u]);
	else
		snprintf(buf, len, "%.0f%s", v, units[u]);
}

void top_fmt_ns(uint64_t ns, char *buf, size_t len)
{
	static const char *const units[] = { "ns", "us", "ms", "s" };

	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	else
		fmt_scaled((double)ns, units, 1000, 4, false, buf, len);
}

void top_fmt_rate(double v, char *buf, size_t len)
{
	static const char *const units[] = { "", "k", "M", "G", "T" };

	if (isnan(v) || v < 0) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_scaled(v, units, 1000, 5, true, buf, len);
}

void top_fmt_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const units[] = { " B", " KiB", " MiB", " GiB", " TiB", " PiB" };

	if (b < 1024)
		snprintf(buf, len, "%" PRIu64 " B", b);
	else
		fmt_scaled((double)b, units, 1024, 6, false, buf, len);
}

void top_dma_summary(json_object *snap, char *buf, size_t len)
{
	/* "dma" is left out by a daemon without the DMA hooks; last_failure is null at first */
	json_object *dma = jpath_opt_get(snap, "dma"), *last = jpath_opt_get(dma, "last_failure");
	uint64_t calls = jpath_u64(dma, "map.calls"), failed = jpath_u64(dma, "map.failed");
	char bytes[32], t[32];
	size_t off;

	buf[0] = '\0';
	if (!calls && !jpath_u64(dma, "unmap.calls"))
		return;
	top_fmt_bytes(jpath_u64(dma, "by_target.ram.bytes") +
		      jpath_u64(dma, "by_target.bar.bytes"), bytes, sizeof(bytes));
	top_fmt_ns(jpath_u64(dma, "map.time_ns"), t, sizeof(t));
	off = snprintf(buf, len, "DMA maps %" PRIu64 " (%s in %s)  failed %" PRIu64, calls, bytes, t,
		       failed + jpath_u64(dma, "unmap.failed"));
	/* iova, comm and pid are left out over HTTP without a password */
	if (last && json_object_is_type(last, json_type_object) && off < len)
		snprintf(buf + off, len - off, "  last: %s of %" PRIu64 " KiB at iova 0x%" PRIx64
			 " by %s[%" PRIu64 "] %s", jpath_str(last, "op"), jpath_u64(last, "size") >> 10,
			 jpath_opt_u64(last, "iova"), jpath_opt_str(last, "comm"),
			 jpath_opt_u64(last, "pid"), jpath_str(last, "error"));
}
