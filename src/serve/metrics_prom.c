// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_path.h"
#include "metrics_prom.h"
#include "metrics_text.h"

/* a sample per key of the object at path in o (NULL: o), each its field (NULL: itself) */
static void keyed(FILE *f, json_object *o, const char *path, const char *name, const char *lbl,
		  const char *field, double scale)
{
	json_object *m = path ? jpath_get(o, path) : o;

	if (!m || !json_object_is_type(m, json_type_object))
		return;
	json_object_object_foreach(m, k, v) {
		uint64_t n = field ? jpath_u64(v, field) : json_object_get_uint64(v);

		fprintf(f, "%s{%s=\"%s\"}", name, lbl, k);
		if (scale == 1)
			fprintf(f, " %" PRIu64 "\n", n);
		else
			fprintf(f, " %.9g\n", n * scale);
	}
}

/*
 * VFIO_IOMMU_MAP_DMA and _UNMAP_DMA of every process (docs/json.md "dma"):
 * a family per row, a sample per key of the object at path (NULL: one
 * sample, the number at field), the key's label lbl.
 */
static const struct dma_family {
	const char *name, *path, *lbl, *field;
	double scale;
	const char *help;
} dma_families[] = {
	{ "vfiotop_dma_ioctls_total", "ops", "op", "calls", 1,
	  "VFIO_IOMMU_MAP_DMA (op=map) and VFIO_IOMMU_UNMAP_DMA (op=unmap) calls." },
	{ "vfiotop_dma_ioctl_failures_total", "ops", "op", "failed", 1,
	  "Those calls that failed." },
	{ "vfiotop_dma_ioctl_seconds_total", "ops", "op", "time_ns", 1e-9,
	  "Time spent in those calls." },
	{ "vfiotop_dma_errors_total", "errors", "errno", NULL, 1,
	  "Failed DMA maps and unmaps, by errno (ENOSPC: dma_entry_limit reached)." },
	{ "vfiotop_dma_maps_total", "by_target", "target", "maps", 1,
	  "DMA maps that succeeded, by what they mapped (ram, bar, no_vma)." },
	{ "vfiotop_dma_mapped_bytes_total", "by_target", "target", "bytes", 1,
	  "Bytes mapped for DMA, by target." },
	{ "vfiotop_dma_map_seconds_total", "by_target", "target", "time_ns", 1e-9,
	  "Time in DMA maps that succeeded, by target." },
	{ "vfiotop_dma_unmapped_bytes_total", NULL, NULL, "unmap.bytes", 1,
	  "Bytes unmapped from DMA." },
	{ "vfiotop_dma_pinned_pages_total", NULL, NULL, "pinned_pages", 1,
	  "Pages DMA maps added to their callers' locked memory (RAM pinned)." },
};

static void dma_metrics(FILE *f, json_object *snap)
{
	json_object *dma = jpath_get(snap, "dma"), *ops;

	if (!dma)
		return;
	/* map and unmap as one object, so the calls are keyed by op too */
	ops = json_object_new_object();
	json_object_object_add(ops, "map", json_object_get(jpath_get(dma, "map")));
	json_object_object_add(ops, "unmap", json_object_get(jpath_get(dma, "unmap")));
	for (size_t i = 0; i < sizeof(dma_families) / sizeof(dma_families[0]); i++) {
		const struct dma_family *fam = &dma_families[i];

		header(f, fam->name, COUNTER, fam->help);
		if (!fam->path)
			fprintf(f, "%s %" PRIu64 "\n", fam->name, jpath_u64(dma, fam->field));
		else if (!strcmp(fam->path, "ops"))
			keyed(f, ops, NULL, fam->name, fam->lbl, fam->field, fam->scale);
		else
			keyed(f, dma, fam->path, fam->name, fam->lbl, fam->field, fam->scale);
	}
	json_object_put(ops);
}

static void daemon_metrics(FILE *f, json_object *snap, double collect_seconds)
{
	json_object *hooks = jpath_get(snap, "hooks"), *un = jpath_get(snap, "hooks_unavailable");
	json_object *lost = jpath_get(snap, "lost_events_by_cause");
	bool first = true;
	char schema[16];

	header(f, "vfiotop_build_info", GAUGE, "vfiotopd's version; value 1.");
	snprintf(schema, sizeof(schema), "%" PRIu64, jpath_u64(snap, "schema_version"));
	fputs("vfiotop_build_info", f);
	label(f, "version", jpath_str(snap, "daemon.version"), &first);
	label(f, "schema_version", schema, &first);
	fputs("} 1\n", f);
	header(f, "vfiotop_kernel_info", GAUGE, "The running kernel; value 1.");
	first = true;
	fputs("vfiotop_kernel_info", f);
	label(f, "release", jpath_str(snap, "kernel.release"), &first);
	fputs("} 1\n", f);
	header(f, "vfiotop_daemon_start_time_seconds", GAUGE,
	       "When vfiotopd started, seconds since the epoch.");
	fprintf(f, "vfiotop_daemon_start_time_seconds %" PRIu64 "\n",
		jpath_u64(snap, "daemon.started_at"));
	header(f, "vfiotop_daemon_attached", GAUGE,
	       "1 while the capture programs are attached, 0 while waiting for vfio-pci.");
	fprintf(f, "vfiotop_daemon_attached %d\n",
		!strcmp(jpath_str(snap, "daemon.state"), "attached"));
	header(f, "vfiotop_lost_events_total", COUNTER,
	       "Events the capture side could not record, by cause.");
	if (lost && json_object_is_type(lost, json_type_object)) {
		json_object_object_foreach(lost, k, v)
			fprintf(f, "vfiotop_lost_events_total{cause=\"%s\"} %" PRIu64 "\n", k,
				json_object_get_uint64(v));
	}
	header(f, "vfiotop_stall_reports_total", COUNTER,
	       "Stall reports written (docs/stalls.md).");
	fprintf(f, "vfiotop_stall_reports_total %" PRIu64 "\n", jpath_u64(snap, "stalls.reports"));
	header(f, "vfiotop_recorder_overwritten_total", COUNTER,
	       "Flight recorder events overwritten before any report needed them.");
	fprintf(f, "vfiotop_recorder_overwritten_total %" PRIu64 "\n",
		jpath_u64(snap, "stalls.recorder_overwritten"));
	header(f, "vfiotop_hooks_unavailable", GAUGE,
	       "Hooks compiled in but not attached on this kernel.");
	fprintf(f, "vfiotop_hooks_unavailable %zu\n",
		un && json_object_is_type(un, json_type_array) ? json_object_array_length(un) : 0);
	header(f, "vfiotop_hook_attached", GAUGE,
	       "Each hook vfiotopd has for a kernel function: 1 attached, 0 not (module \"\": "
	       "the function is not in this kernel).");
	for (int pass = 0; pass < 2; pass++) {
		json_object *list = pass ? un : hooks;
		size_t n = list && json_object_is_type(list, json_type_array) ?
			   json_object_array_length(list) : 0;

		for (size_t i = 0; i < n; i++) {
			json_object *h = json_object_array_get_idx(list, i);

			first = true;
			fputs("vfiotop_hook_attached", f);
			label(f, "function", jpath_str(h, "function"), &first);
			label(f, "mechanism", jpath_str(h, "mechanism"), &first);
			label(f, "module", jpath_str(h, "module"), &first);
			fprintf(f, "} %d\n", !pass);
		}
	}
	if (collect_seconds >= 0) {
		header(f, "vfiotop_scrape_collect_seconds", GAUGE,
		       "How long this scrape took to read the counters and build the snapshot.");
		fprintf(f, "vfiotop_scrape_collect_seconds %.9f\n", collect_seconds);
	}
}

char *metrics_render(json_object *snap)
{
	return metrics_render_collected(snap, -1);
}

char *metrics_render_collected(json_object *snap, double collect_seconds)
{
	struct ctx c = { 0 };
	char *buf = NULL;
	size_t len = 0;
	bool ok = true;

	c.devs = jpath_get(snap, "devices");
	if (c.devs && json_object_is_type(c.devs, json_type_array))
		c.ndevs = json_object_array_length(c.devs);
	else
		c.devs = NULL;
	c.labels = calloc(c.ndevs ? c.ndevs : 1, sizeof(*c.labels));
	for (size_t i = 0; ok && c.labels && i < c.ndevs; i++)
		ok = (c.labels[i] = render_labels(dev_at(&c, i))) != NULL;
	c.f = ok && c.labels ? open_memstream(&buf, &len) : NULL;
	if (c.f) {
		daemon_metrics(c.f, snap, collect_seconds);
		header(c.f, "vfiotop_devices", GAUGE, "Devices vfiotopd knows, live or gone.");
		fprintf(c.f, "vfiotop_devices %zu\n", c.ndevs);
		device_metrics(&c);
		dma_metrics(c.f, snap);
		if (fclose(c.f)) {
			free(buf);
			buf = NULL;
		}
	}
	for (size_t i = 0; c.labels && i < c.ndevs; i++)
		free(c.labels[i]);
	free(c.labels);
	return buf;
}
