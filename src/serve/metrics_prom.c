// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "array_size.h"
#include "dma_procs.h"
#include "metrics_prom.h"
#include "metrics_device.h"
#include "metrics_text.h"
#include "mono_clock.h"
#include "names.h"

#define DMA(field)	offsetof(struct vtop_dma_stats, field)

/*
 * VFIO_IOMMU_MAP_DMA and _UNMAP_DMA of every process (docs/json.md "dma"):
 * a family per row, a sample per key of the set (NULL: one sample) from the
 * counter (array) in struct vtop_dma_stats.
 */
static const struct dma_family {
	const char *name, *lbl;
	const struct key_set *keys;
	size_t stat;
	double scale;
	const char *help;
} dma_families[] = {
	{ "vfiotop_dma_ioctls_total", "op", &dma_op_keys, DMA(calls), 1,
	  "VFIO_IOMMU_MAP_DMA (op=map) and VFIO_IOMMU_UNMAP_DMA (op=unmap) calls." },
	{ "vfiotop_dma_ioctl_failures_total", "op", &dma_op_keys, DMA(failed), 1,
	  "Those calls that failed." },
	{ "vfiotop_dma_ioctl_seconds_total", "op", &dma_op_keys, DMA(ns), 1e-9,
	  "Time spent in those calls." },
	{ "vfiotop_dma_errors_total", "errno", &dma_errno_keys, DMA(errors), 1,
	  "Failed DMA maps and unmaps, by errno (ENOSPC: dma_entry_limit reached)." },
	{ "vfiotop_dma_maps_total", "target", &dma_target_keys, DMA(maps), 1,
	  "DMA maps that succeeded, by what they mapped (ram, bar, no_vma)." },
	{ "vfiotop_dma_mapped_bytes_total", "target", &dma_target_keys, DMA(map_bytes), 1,
	  "Bytes mapped for DMA, by target." },
	{ "vfiotop_dma_map_seconds_total", "target", &dma_target_keys, DMA(map_ns), 1e-9,
	  "Time in DMA maps that succeeded, by target." },
	{ "vfiotop_dma_unmapped_bytes_total", NULL, NULL, DMA(unmap_bytes), 1,
	  "Bytes unmapped from DMA." },
	{ "vfiotop_dma_pinned_pages_total", NULL, NULL, DMA(pinned_pages), 1,
	  "Pages DMA maps added to their callers' locked memory (RAM pinned)." },
};

static void dma_metrics(FILE *f, const struct dma_table *dma)
{
	if (!dma)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(dma_families); i++) {
		const struct dma_family *fam = &dma_families[i];
		const void *counters = (const char *)&dma->totals + fam->stat;

		prom_header(f, fam->name, PROM_COUNTER, fam->help);
		if (fam->keys) {
			prom_keyed(f, fam->name, NULL, fam->lbl, fam->keys, NULL, prom_array_at,
				   counters, fam->scale, false);
			continue;
		}
		prom_sample(f, fam->name, NULL, NULL, NULL);
		prom_value(f, prom_array_at(counters, 0), fam->scale);
	}
}

static void hook_samples(FILE *f, const struct daemon_status *st)
{
	/* attached ones first, as /json lists them */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < st->n_hooks; i++) {
			const struct hook_status *h = &st->hooks[i];
			bool first = true;

			if (!h->selected || h->attached != !pass)
				continue;
			fputs("vfiotop_hook_attached", f);
			prom_label(f, "function", h->function, &first);
			prom_label(f, "mechanism", h->mechanism, &first);
			prom_label(f, "module", h->module, &first);
			fprintf(f, "} %d\n", !pass);
		}
	}
}

/*
 * The process_* families of Prometheus' client libraries (client_golang's
 * process collector: same names, units and sources), so the usual exporter
 * dashboards and alerts work on vfiotopd too.
 */
static void process_metrics(FILE *f, const struct process_stats *p)
{
	if (!p->valid)
		return;
	prom_header(f, "process_cpu_seconds_total", PROM_COUNTER,
		    "Total user and system CPU time spent in seconds.");
	fprintf(f, "process_cpu_seconds_total %" PRIu64 ".%09" PRIu64 "\n",
		p->cpu_ns / UINT64_C(1000000000), p->cpu_ns % UINT64_C(1000000000));
	prom_header(f, "process_resident_memory_bytes", PROM_GAUGE, "Resident memory size in bytes.");
	fprintf(f, "process_resident_memory_bytes %" PRIu64 "\n", p->resident_bytes);
	prom_header(f, "process_virtual_memory_bytes", PROM_GAUGE, "Virtual memory size in bytes.");
	fprintf(f, "process_virtual_memory_bytes %" PRIu64 "\n", p->virtual_bytes);
	prom_header(f, "process_open_fds", PROM_GAUGE, "Number of open file descriptors.");
	fprintf(f, "process_open_fds %" PRIu64 "\n", p->open_fds);
	prom_header(f, "process_max_fds", PROM_GAUGE, "Maximum number of open file descriptors.");
	fprintf(f, "process_max_fds %" PRIu64 "\n", p->max_fds);
	prom_header(f, "process_start_time_seconds", PROM_GAUGE,
		    "Start time of the process since unix epoch in seconds.");
	fprintf(f, "process_start_time_seconds %" PRIu64 ".%09" PRIu64 "\n",
		p->start_time_ns / UINT64_C(1000000000), p->start_time_ns % UINT64_C(1000000000));
}

static void daemon_metrics(FILE *f, const struct daemon_status *st, double collect_seconds)
{
	uint64_t reports, overwritten, events;
	bool first = true;
	char schema[16];

	prom_header(f, "vfiotop_build_info", PROM_GAUGE, "vfiotopd's version; value 1.");
	snprintf(schema, sizeof(schema), "%d", SNAPSHOT_SCHEMA_VERSION);
	fputs("vfiotop_build_info", f);
	prom_label(f, "version", st->version ? st->version : "", &first);
	prom_label(f, "schema_version", schema, &first);
	fputs("} 1\n", f);
	prom_header(f, "vfiotop_kernel_info", PROM_GAUGE, "The running kernel; value 1.");
	first = true;
	fputs("vfiotop_kernel_info", f);
	prom_label(f, "release", st->kernel_release, &first);
	fputs("} 1\n", f);
	prom_header(f, "vfiotop_daemon_start_time_seconds", PROM_GAUGE,
	       "When vfiotopd started, seconds since the epoch.");
	fprintf(f, "vfiotop_daemon_start_time_seconds %lld\n", (long long)st->started_at);
	prom_header(f, "vfiotop_daemon_attached", PROM_GAUGE,
	       "1 while the capture programs are attached, 0 while waiting for vfio-pci.");
	fprintf(f, "vfiotop_daemon_attached %d\n", daemon_attached(st));
	prom_header(f, "vfiotop_lost_events_total", PROM_COUNTER,
	       "Events the capture side could not record, by cause.");
	for (int c = 0; c < LOST_CAUSES; c++)
		fprintf(f, "vfiotop_lost_events_total{cause=\"%s\"} %" PRIu64 "\n",
			lost_cause_names[c], lost_events(st, c));
	stall_stats(st->stalls, &reports, &overwritten, &events);
	prom_header(f, "vfiotop_stall_reports_total", PROM_COUNTER,
	       "Stall reports written (docs/stalls.md).");
	fprintf(f, "vfiotop_stall_reports_total %" PRIu64 "\n", reports);
	prom_header(f, "vfiotop_recorder_overwritten_total", PROM_COUNTER,
	       "Flight recorder events overwritten before any report needed them.");
	fprintf(f, "vfiotop_recorder_overwritten_total %" PRIu64 "\n", overwritten);
	prom_header(f, "vfiotop_json_lines_dropped_total", PROM_COUNTER,
	       "--json-lines lines dropped because their reader did not take them.");
	fprintf(f, "vfiotop_json_lines_dropped_total %" PRIu64 "\n",
		status_json_lines_dropped(st));
	prom_header(f, "vfiotop_kernel_memory_bytes", PROM_GAUGE,
	       "Kernel memory each of vfiotopd's BPF maps holds (fdinfo memlock), as of the "
	       "latest attach.");
	for (int i = 0; i < st->n_maps; i++)
		fprintf(f, "vfiotop_kernel_memory_bytes{map=\"%s\"} %" PRIu64 "\n", st->maps[i].name,
			st->maps[i].bytes);
	prom_header(f, "vfiotop_hooks_unavailable", PROM_GAUGE,
	       "Hooks compiled in but not attached on this kernel.");
	fprintf(f, "vfiotop_hooks_unavailable %d\n", status_hook_count(st, false));
	prom_header(f, "vfiotop_hook_attached", PROM_GAUGE,
	       "Each hook vfiotopd has for a kernel function: 1 attached, 0 not (module \"\": "
	       "the function is not in this kernel).");
	hook_samples(f, st);
	if (collect_seconds >= 0) {
		prom_header(f, "vfiotop_scrape_collect_seconds", PROM_GAUGE,
		       "How long this scrape took to read the counters.");
		fprintf(f, "vfiotop_scrape_collect_seconds %.9f\n", collect_seconds);
	}
}

/* the devices /metrics shows, every one but those gone for o->forget_gone_ms, and their samples */
static bool pick_devices(struct prom_ctx *c, const struct device_table *t,
			 const struct metrics_opts *o, struct metrics_cache *cache)
{
	uint64_t now_ms = c->now_ns / 1000000;

	c->dev = calloc(t->n ? t->n : 1, sizeof(*c->dev));
	c->samples = calloc(t->n ? t->n : 1, sizeof(*c->samples));
	if (!c->dev || !c->samples)
		return false;
	for (size_t i = 0; i < t->n; i++) {
		if (o && metrics_device_forgotten(&t->devs[i], now_ms, o->forget_gone_ms))
			continue;
		c->dev[c->n] = &t->devs[i];
		c->samples[c->n] = metrics_cache_device(cache, &t->devs[i]);
		if (!c->samples[c->n++])
			return false;
	}
	return true;
}

/* what part writes to f, less the families o excludes; false on ENOMEM */
static bool put_filtered(FILE *f, const struct metrics_exclude *x,
			 void (*part)(FILE *f, const struct prom_ctx *c,
				      const struct daemon_status *st, double collect_seconds),
			 const struct prom_ctx *c, const struct daemon_status *st,
			 double collect_seconds)
{
	char *text = NULL;
	size_t len = 0;
	FILE *t;

	if (!x || !x->n) {
		part(f, c, st, collect_seconds);
		return true;
	}
	t = open_memstream(&text, &len);
	if (!t)
		return false;
	part(t, c, st, collect_seconds);
	if (fclose(t)) {
		free(text);
		return false;
	}
	len = metrics_exclude_apply(x, text, len);
	fwrite(text, 1, len, f);
	free(text);
	return true;
}

/* what comes before the devices' families: the daemon's own */
static void head_part(FILE *f, const struct prom_ctx *c, const struct daemon_status *st,
		      double collect_seconds)
{
	daemon_metrics(f, st, collect_seconds);
	process_metrics(f, &st->process);
	prom_header(f, "vfiotop_devices", PROM_GAUGE,
		    "Devices /metrics has series of: live, unbound, or gone for less than "
		    "vfiotopd's --forget-gone.");
	fprintf(f, "vfiotop_devices %zu\n", c->n);
}

static void dma_part(FILE *f, const struct prom_ctx *c, const struct daemon_status *st,
		     double collect_seconds)
{
	dma_metrics(f, st->dma);
}

struct metrics_doc *metrics_render_doc(const struct daemon_status *st,
				       const struct device_table *t, double collect_seconds,
				       const struct metrics_opts *o, struct metrics_cache *cache)
{
	struct metrics_cache *own = cache ? NULL : metrics_cache_new();
	const struct metrics_exclude *x = o ? &o->exclude : NULL;
	struct prom_ctx c = { .exclude = x, .now_ns = mono_ns() };
	bool ok = (cache || own) && (c.doc = metrics_doc_new(&c.f));

	ok = ok && pick_devices(&c, t, o, cache ? cache : own);
	ok = ok && put_filtered(c.f, x, head_part, &c, st, collect_seconds);
	ok = ok && device_metrics(&c);
	ok = ok && put_filtered(c.f, x, dma_part, &c, st, collect_seconds);
	if (c.doc)
		ok = metrics_doc_finish(c.doc) && ok;
	free(c.samples);
	free(c.dev);
	/* the document holds what it took from a cache of its own */
	metrics_cache_free(own);
	if (!ok) {
		metrics_doc_free(c.doc);
		return NULL;
	}
	return c.doc;
}

char *metrics_render_cached(const struct daemon_status *st, const struct device_table *t,
			    double collect_seconds, const struct metrics_opts *o,
			    struct metrics_cache *cache)
{
	struct metrics_doc *doc = metrics_render_doc(st, t, collect_seconds, o, cache);
	char *text = doc ? metrics_doc_text(doc) : NULL;

	metrics_doc_free(doc);
	return text;
}

char *metrics_render_opts(const struct daemon_status *st, const struct device_table *t,
			  double collect_seconds, const struct metrics_opts *o)
{
	return metrics_render_cached(st, t, collect_seconds, o, NULL);
}

char *metrics_render(const struct daemon_status *st, const struct device_table *t,
		     double collect_seconds)
{
	return metrics_render_cached(st, t, collect_seconds, NULL, NULL);
}
