// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_path.h"
#include "metrics_prom.h"

/*
 * Fixed histogram bounds, 2^10 ns .. 2^34 ns (1 us .. 17 s): the log2 slots
 * the BPF side fills end exactly on them, and a fixed set keeps every
 * scrape's buckets comparable.
 */
#define LE_FIRST_LOG2	10
#define LE_LAST_LOG2	34

enum kind { COUNTER, GAUGE };

/* label values are ours or sysfs', but a quote or newline must not break a line */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void label(FILE *f, const char *k, const char *v, bool *first)
{
	fprintf(f, "%s%s=\"", *first ? "{" : ",", k);
	put_escaped(f, v);
	fputc('"', f);
	*first = false;
}

/* an integer field as a label value, "" when it is null or absent */
static void int_label(FILE *f, const char *k, json_object *v, bool *first)
{
	char buf[24] = "";

	if (v && json_object_is_type(v, json_type_int))
		snprintf(buf, sizeof(buf), "%" PRId64, json_object_get_int64(v));
	label(f, k, buf, first);
}

/*
 * The labels node_exporter's pcidevice collector puts on the same device
 * (segment, bus, device, function as %04x/%02x/%02x/%x), so a PromQL join finds it.
 */
static void device_labels(FILE *f, json_object *dev, bool *first)
{
	const char *bdf = jpath_str(dev, "bdf");
	unsigned int seg, bus, slot, fn;
	char buf[4][8], grp[16];
	json_object *g;

	label(f, "bdf", bdf, first);
	if (sscanf(bdf, "%4x:%2x:%2x.%1x", &seg, &bus, &slot, &fn) == 4) {
		snprintf(buf[0], sizeof(buf[0]), "%04x", seg);
		snprintf(buf[1], sizeof(buf[1]), "%02x", bus);
		snprintf(buf[2], sizeof(buf[2]), "%02x", slot);
		snprintf(buf[3], sizeof(buf[3]), "%x", fn);
		label(f, "segment", buf[0], first);
		label(f, "bus", buf[1], first);
		label(f, "device", buf[2], first);
		label(f, "function", buf[3], first);
	}
	label(f, "vendor_id", jpath_str(dev, "vendor"), first);
	label(f, "device_id", jpath_str(dev, "device"), first);
	g = jpath_get(dev, "iommu_group");
	snprintf(grp, sizeof(grp), "%" PRId64, g ? json_object_get_int64(g) : -1);
	label(f, "iommu_group", grp, first);
}

static void header(FILE *f, const char *name, enum kind kind, const char *help)
{
	/* text format 0.0.4: the family is named as its samples, _total included */
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		kind == COUNTER ? "counter" : "gauge");
}

struct ctx {
	FILE *f;
	json_object *devs;
	size_t ndevs;
	char **labels;		/* per device: device_labels()' text, "{bdf=...", rendered once */
};

static json_object *dev_at(struct ctx *c, size_t i)
{
	return json_object_array_get_idx(c->devs, i);
}

/* every sample of a device repeats its labels: render them once per scrape */
static char *render_labels(json_object *dev)
{
	char *buf = NULL;
	size_t len = 0;
	bool first = true;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	device_labels(f, dev, &first);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void sample_start(FILE *f, const char *name, const char *dev_labels, const char *k,
			 const char *v)
{
	bool first = !dev_labels;

	fputs(name, f);
	if (dev_labels)
		fputs(dev_labels, f);
	if (k)
		label(f, k, v, &first);
	if (!first)
		fputc('}', f);
}

/* one sample per device from a number at path, scaled (ns -> s) if scale != 1 */
static void per_device(struct ctx *c, const char *name, enum kind kind, const char *help,
		       const char *path, double scale)
{
	header(c->f, name, kind, help);
	for (size_t i = 0; i < c->ndevs; i++) {
		json_object *d = dev_at(c, i);

		sample_start(c->f, name, c->labels[i], NULL, NULL);
		if (scale == 1)
			fprintf(c->f, " %" PRIu64 "\n", jpath_u64(d, path));
		else
			fprintf(c->f, " %.9g\n", jpath_u64(d, path) * scale);
	}
}

/* one sample per key of the object at path: {"user": 3, ...} -> {origin="user"} 3 */
static void per_key(struct ctx *c, const char *name, const char *help, const char *path,
		    const char *lbl, const char *(*rename)(const char *))
{
	header(c->f, name, COUNTER, help);
	for (size_t i = 0; i < c->ndevs; i++) {
		json_object *d = dev_at(c, i), *o = jpath_get(d, path);

		if (!o || !json_object_is_type(o, json_type_object))
			continue;
		json_object_object_foreach(o, k, v) {
			sample_start(c->f, name, c->labels[i], lbl, rename ? rename(k) : k);
			fprintf(c->f, " %" PRIu64 "\n", json_object_get_uint64(v));
		}
	}
}

/* per_key over an object of objects: {"flr": {"count": 2}} -> {method="flr"} 2 */
static void per_key_field(struct ctx *c, const char *name, const char *help, const char *path,
			  const char *lbl, const char *field)
{
	header(c->f, name, COUNTER, help);
	for (size_t i = 0; i < c->ndevs; i++) {
		json_object *o = jpath_get(dev_at(c, i), path);

		if (!o || !json_object_is_type(o, json_type_object))
			continue;
		json_object_object_foreach(o, k, v) {
			sample_start(c->f, name, c->labels[i], lbl, k);
			fprintf(c->f, " %" PRIu64 "\n", jpath_u64(v, field));
		}
	}
}

static const char *order_size(const char *order)
{
	if (!strcmp(order, "0"))
		return "4k";
	if (!strcmp(order, "9"))
		return "2m";
	if (!strcmp(order, "18"))
		return "1g";
	return "vma";	/* whole_vma: 6.1 maps the whole vma in one fault */
}

static void fault_histogram(struct ctx *c)
{
	static const char name[] = "vfiotop_fault_duration_seconds";
	FILE *f = c->f;

	fprintf(f, "# HELP %s Time vfio-pci took to handle a fault on a BAR mmap.\n"
		"# TYPE %s histogram\n", name, name);
	for (size_t i = 0; i < c->ndevs; i++) {
		json_object *d = dev_at(c, i), *b = jpath_get(d, "faults.latency_ns.buckets");
		size_t nb = b && json_object_is_type(b, json_type_array) ?
			    json_object_array_length(b) : 0;
		uint64_t total = 0, cum;
		char le[32];

		for (size_t j = 0; j < nb; j++)
			total += jpath_u64(json_object_array_get_idx(b, j), "count");
		for (int e = LE_FIRST_LOG2; e <= LE_LAST_LOG2 + 1; e++) {
			cum = 0;
			for (size_t j = 0; j < nb; j++) {
				json_object *s = json_object_array_get_idx(b, j);

				if (e > LE_LAST_LOG2 || jpath_u64(s, "hi") < (1ull << e))
					cum += jpath_u64(s, "count");
			}
			if (e > LE_LAST_LOG2)
				snprintf(le, sizeof(le), "+Inf");
			else
				snprintf(le, sizeof(le), "%.9g", (double)(1ull << e) / 1e9);
			sample_start(f, "vfiotop_fault_duration_seconds_bucket", c->labels[i], "le", le);
			fprintf(f, " %" PRIu64 "\n", cum);
		}
		sample_start(f, "vfiotop_fault_duration_seconds_sum", c->labels[i], NULL, NULL);
		fprintf(f, " %.9g\n", jpath_u64(d, "faults.latency_ns.sum") / 1e9);
		sample_start(f, "vfiotop_fault_duration_seconds_count", c->labels[i], NULL, NULL);
		fprintf(f, " %" PRIu64 "\n", total);
	}
}

static void device_gauges(struct ctx *c)
{
	FILE *f = c->f;

	header(f, "vfiotop_device_info", GAUGE,
	       "A device bound to a vfio driver (or that was); value 1.");
	for (size_t i = 0; i < c->ndevs; i++) {
		json_object *d = dev_at(c, i);
		bool first = false;

		fputs("vfiotop_device_info", f);
		fputs(c->labels[i], f);
		label(f, "driver", jpath_str(d, "driver"), &first);
		label(f, "class_id", jpath_str(d, "class"), &first);
		label(f, "subsystem_vendor_id", jpath_str(d, "subsystem_vendor"), &first);
		label(f, "subsystem_device_id", jpath_str(d, "subsystem_device"), &first);
		/* where it sits: NUMA node, the PF of a VF, its PCIe link ("" unknown) */
		int_label(f, "numa_node", jpath_get(d, "numa_node"), &first);
		label(f, "physfn", jpath_str(d, "sriov.physfn"), &first);
		label(f, "link_speed", jpath_str(d, "link.speed"), &first);
		int_label(f, "link_width", jpath_get(d, "link.width"), &first);
		fputs("} 1\n", f);
	}
	header(f, "vfiotop_device_up", GAUGE, "1 while the device is present, 0 once it is gone.");
	for (size_t i = 0; i < c->ndevs; i++) {
		sample_start(f, "vfiotop_device_up", c->labels[i], NULL, NULL);
		fprintf(f, " %d\n", !strcmp(jpath_str(dev_at(c, i), "state"), "live"));
	}
	header(f, "vfiotop_device_processes", GAUGE,
	       "Live processes that map the device's BARs or hold it open.");
	for (size_t i = 0; i < c->ndevs; i++) {
		json_object *p = jpath_get(dev_at(c, i), "processes");
		size_t n = p && json_object_is_type(p, json_type_array) ?
			   json_object_array_length(p) : 0, alive = 0;

		for (size_t j = 0; j < n; j++)
			alive += jpath_u64(json_object_array_get_idx(p, j), "alive");
		sample_start(f, "vfiotop_device_processes", c->labels[i], NULL, NULL);
		fprintf(f, " %zu\n", alive);
	}
	header(f, "vfiotop_memtype_reserved", GAUGE,
	       "The PAT cache mode reserved for the device's BAR mappings; value 1.");
	for (size_t i = 0; i < c->ndevs; i++) {
		const char *mode = jpath_str(dev_at(c, i), "memtype.reserved");

		if (!*mode || !strcmp(mode, "none"))
			continue;
		sample_start(f, "vfiotop_memtype_reserved", c->labels[i], "mode", mode);
		fputs(" 1\n", f);
	}
}

/*
 * One number per device: the family, its kind and help, the snapshot path it
 * reads and the scale it shows it in (ns -> s).
 */
static const struct device_family {
	const char *name;
	enum kind kind;
	const char *path;
	double scale;
	const char *help;
} device_families[] = {
	{ "vfiotop_reset_ready_wait_seconds_total", COUNTER, "resets.ready_wait.time_ns", 1e-9,
	  "Time waiting for the device to answer after resets." },
	{ "vfiotop_fault_sigbus_total", COUNTER, "faults.sigbus", 1,
	  "Faults that ended in SIGBUS." },
	{ "vfiotop_fault_oom_total", COUNTER, "faults.oom", 1,
	  "Faults that ended in VM_FAULT_OOM." },
	{ "vfiotop_fault_fallbacks_total", COUNTER, "faults.fallback", 1,
	  "Huge faults that fell back to a smaller page size." },
	{ "vfiotop_fault_found_mapped_total", COUNTER, "faults.found_mapped", 1,
	  "Faults that found their entry installed by a racing fault (no page mapped)." },
	{ "vfiotop_mapped_bytes_total", COUNTER, "mapped.bytes", 1,
	  "Bytes of BAR mapped by faults." },
	{ "vfiotop_zapped_bytes_total", COUNTER, "zaps.bytes", 1,
	  "Bytes of BAR mappings zapped." },
	{ "vfiotop_zapped_vmas_total", COUNTER, "zaps.vmas", 1,
	  "vmas zapped." },
	{ "vfiotop_zap_failures_total", COUNTER, "zaps.failed", 1,
	  "Zaps that failed." },
	{ "vfiotop_zap_seconds_total", COUNTER, "zaps.time_ns", 1e-9,
	  "Time spent zapping." },
	{ "vfiotop_memtype_reservations_total", COUNTER, "memtype.reservations", 1,
	  "PAT memtype reservations for BAR mappings." },
	{ "vfiotop_memtype_reservation_failures_total", COUNTER, "memtype.reservations_failed", 1,
	  "BAR memtype reservations that failed." },
	{ "vfiotop_memtype_reservation_conflicts_total", COUNTER, "memtype.reservation_conflicts", 1,
	  "BAR memtype reservations granted another cache mode than asked "
	  "(the range was already reserved with it)." },
	{ "vfiotop_region_request_failures_total", COUNTER, "memtype.region_request_failures", 1,
	  "BAR region requests that failed (\"can't reserve\")." },
	{ "vfiotop_memtype_mismatches_total", COUNTER, "memtype.mismatches", 1,
	  "Lookups whose cache mode differs from the reserved one." },
	{ "vfiotop_reset_failures_total", COUNTER, "resets.failed", 1,
	  "Resets that failed." },
	{ "vfiotop_reset_seconds_total", COUNTER, "resets.time_ns", 1e-9,
	  "Time spent in resets." },
	{ "vfiotop_reset_last_seconds", GAUGE, "resets.last_ns", 1e-9,
	  "Duration of the latest reset." },
	{ "vfiotop_reset_max_seconds", GAUGE, "resets.max_ns", 1e-9,
	  "Duration of the longest reset." },
	{ "vfiotop_reset_ready_waits_total", COUNTER, "resets.ready_wait.count", 1,
	  "Waits for the device to answer after a reset (pci_dev_wait)." },
	{ "vfiotop_reset_ready_wait_failures_total", COUNTER, "resets.ready_wait.failed", 1,
	  "Waits that gave up: the device was not ready after the reset." },
	{ "vfiotop_reset_ready_wait_max_seconds", GAUGE, "resets.ready_wait.max_ns", 1e-9,
	  "The longest wait for the device after a reset." },
	{ "vfiotop_power_requested_total", COUNTER, "power.requested", 1,
	  "Power state changes its user wrote to PMCSR through vfio." },
	{ "vfiotop_power_failures_total", COUNTER, "power.failed", 1,
	  "Power state changes that failed (e.g. D3cold to D0)." },
	{ "vfiotop_mmaps_total", COUNTER, "mmaps.count", 1,
	  "mmap() calls on the device's BARs." },
	{ "vfiotop_mmap_bytes_total", COUNTER, "mmaps.bytes", 1,
	  "Bytes of BAR mmap()ed." },
	{ "vfiotop_dmabuf_exports_total", COUNTER, "dmabuf.exports", 1,
	  "BAR ranges exported as DMA-BUFs (VFIO_DEVICE_FEATURE_DMA_BUF)." },
	{ "vfiotop_dmabuf_export_failures_total", COUNTER, "dmabuf.exports_failed", 1,
	  "DMA-BUF export requests that failed." },
	{ "vfiotop_dmabuf_export_bytes_total", COUNTER, "dmabuf.bytes", 1,
	  "Bytes of BAR exported as DMA-BUFs." },
	{ "vfiotop_dmabufs", GAUGE, "dmabuf.alive", 1,
	  "DMA-BUFs of the device not yet released." },
	{ "vfiotop_dmabuf_revokes_total", COUNTER, "dmabuf.revokes", 1,
	  "Times the device's DMA-BUFs were revoked (at a zap)." },
	{ "vfiotop_dmabuf_restores_total", COUNTER, "dmabuf.restores", 1,
	  "Times the device's DMA-BUFs were restored." },
	{ "vfiotop_dmabuf_move_seconds_total", COUNTER, "dmabuf.move_time_ns", 1e-9,
	  "Time spent revoking and restoring DMA-BUFs, waits for importers included." },
	{ "vfiotop_dmabuf_move_max_seconds", GAUGE, "dmabuf.move_max_ns", 1e-9,
	  "The longest DMA-BUF revoke or restore." },
	{ "vfiotop_dma_bar_maps_total", COUNTER, "dma.maps", 1,
	  "VFIO_IOMMU_MAP_DMA of the device's BARs that succeeded (peer-to-peer)." },
	{ "vfiotop_dma_bar_map_failures_total", COUNTER, "dma.failed", 1,
	  "VFIO_IOMMU_MAP_DMA of the device's BARs that failed." },
	{ "vfiotop_dma_bar_mapped_bytes_total", COUNTER, "dma.bytes", 1,
	  "Bytes of the device's BARs mapped for DMA." },
	{ "vfiotop_dma_bar_map_seconds_total", COUNTER, "dma.time_ns", 1e-9,
	  "Time in VFIO_IOMMU_MAP_DMA of the device's BARs." },
};

static void device_metrics(struct ctx *c)
{
	for (size_t i = 0; i < sizeof(device_families) / sizeof(device_families[0]); i++) {
		const struct device_family *f = &device_families[i];

		per_device(c, f->name, f->kind, f->help, f->path, f->scale);
	}
	per_key(c, "vfiotop_faults_total", "Faults on BAR mmaps, by who caused them.",
		"faults.by_origin", "origin", NULL);
	per_key(c, "vfiotop_faults_by_size_total",
		"Faults on BAR mmaps, by the page size they mapped (vma: the whole vma at once).",
		"faults.by_order", "size", order_size);
	fault_histogram(c);

	header(c->f, "vfiotop_mapped_pages_total", COUNTER,
	       "Page table entries inserted for BAR mappings, by page size.");
	for (size_t i = 0; i < c->ndevs; i++) {
		static const char *const sz[][2] = {
			{ "4k", "mapped.pages_4k" }, { "2m", "mapped.pages_2m" },
			{ "1g", "mapped.pages_1g" },
		};

		for (int s = 0; s < 3; s++) {
			sample_start(c->f, "vfiotop_mapped_pages_total", c->labels[i], "size",
				     sz[s][0]);
			fprintf(c->f, " %" PRIu64 "\n", jpath_u64(dev_at(c, i), sz[s][1]));
		}
	}

	per_key(c, "vfiotop_zaps_total", "Times vfio-pci invalidated the BAR mappings, by reason.",
		"zaps.by_reason", "reason", NULL);

	per_key(c, "vfiotop_memtype_lookups_total",
		"PAT memtype lookups for BAR mappings, by the cache mode found.",
		"memtype.by_mode", "mode", NULL);

	per_key(c, "vfiotop_resets_total", "Resets vfio-pci performed, by what asked for them.",
		"resets.by_origin", "origin", NULL);
	per_key(c, "vfiotop_resets_by_method_total", "Resets by method (function or bus).",
		"resets.by_method", "method", NULL);
	per_key(c, "vfiotop_reset_requests_total",
		"VFIO_DEVICE_RESET and VFIO_DEVICE_PCI_HOT_RESET requests for the device.",
		"resets.requests", "origin", NULL);
	per_key(c, "vfiotop_reset_request_failures_total", "Reset requests that failed.",
		"resets.requests_failed", "origin", NULL);

	per_key(c, "vfiotop_resets_by_pci_method_total",
		"Resets by the method the PCI core used (sysfs reset_method: flr, pm, bus, ...).",
		"resets.by_pci_method", "method", NULL);
	per_key_field(c, "vfiotop_reset_attempts_total",
		      "Reset methods the PCI core tried, the next one after -ENOTTY.",
		      "resets.attempts", "method", "count");
	per_key_field(c, "vfiotop_reset_attempt_failures_total", "Reset methods that failed.",
		      "resets.attempts", "method", "failed");

	per_key(c, "vfiotop_power_transitions_total",
		"Power state changes of the device, by the state entered.",
		"power.transitions", "state", NULL);
	header(c->f, "vfiotop_power_state_seconds_total", COUNTER,
	       "Time the device spent in each power state since the counters began.");
	for (size_t i = 0; i < c->ndevs; i++) {
		json_object *o = jpath_get(dev_at(c, i), "power.time_ns");

		if (!o || !json_object_is_type(o, json_type_object))
			continue;
		json_object_object_foreach(o, k, v) {
			sample_start(c->f, "vfiotop_power_state_seconds_total", c->labels[i], "state", k);
			fprintf(c->f, " %.9g\n", json_object_get_uint64(v) / 1e9);
		}
	}
	header(c->f, "vfiotop_power_state", GAUGE,
	       "The device's power state as its latest change left it; value 1.");
	for (size_t i = 0; i < c->ndevs; i++) {
		const char *st = jpath_str(dev_at(c, i), "power.state");

		if (!*st)
			continue;
		sample_start(c->f, "vfiotop_power_state", c->labels[i], "state", st);
		fputs(" 1\n", c->f);
	}

	device_gauges(c);
}

/* one sample per key of the object at path in o, its field (or itself if NULL) */
static void keyed(FILE *f, json_object *o, const char *path, const char *name, const char *lbl,
		  const char *field, double scale)
{
	json_object *m = jpath_get(o, path);

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

/* VFIO_IOMMU_MAP_DMA and _UNMAP_DMA of every process (docs/json.md "dma") */
static void dma_metrics(FILE *f, json_object *snap)
{
	json_object *dma = jpath_get(snap, "dma");
	static const char *const ops[] = { "map", "unmap" };

	if (!dma)
		return;
	header(f, "vfiotop_dma_ioctls_total", COUNTER,
	       "VFIO_IOMMU_MAP_DMA (op=map) and VFIO_IOMMU_UNMAP_DMA (op=unmap) calls.");
	for (int i = 0; i < 2; i++)
		fprintf(f, "vfiotop_dma_ioctls_total{op=\"%s\"} %" PRIu64 "\n", ops[i],
			jpath_u64(jpath_get(dma, ops[i]), "calls"));
	header(f, "vfiotop_dma_ioctl_failures_total", COUNTER, "Those calls that failed.");
	for (int i = 0; i < 2; i++)
		fprintf(f, "vfiotop_dma_ioctl_failures_total{op=\"%s\"} %" PRIu64 "\n", ops[i],
			jpath_u64(jpath_get(dma, ops[i]), "failed"));
	header(f, "vfiotop_dma_ioctl_seconds_total", COUNTER, "Time spent in those calls.");
	for (int i = 0; i < 2; i++)
		fprintf(f, "vfiotop_dma_ioctl_seconds_total{op=\"%s\"} %.9g\n", ops[i],
			jpath_u64(jpath_get(dma, ops[i]), "time_ns") / 1e9);
	header(f, "vfiotop_dma_errors_total", COUNTER,
	       "Failed DMA maps and unmaps, by errno (ENOSPC: dma_entry_limit reached).");
	keyed(f, dma, "errors", "vfiotop_dma_errors_total", "errno", NULL, 1);
	header(f, "vfiotop_dma_maps_total", COUNTER,
	       "DMA maps that succeeded, by what they mapped (ram, bar, no_vma).");
	keyed(f, dma, "by_target", "vfiotop_dma_maps_total", "target", "maps", 1);
	header(f, "vfiotop_dma_mapped_bytes_total", COUNTER, "Bytes mapped for DMA, by target.");
	keyed(f, dma, "by_target", "vfiotop_dma_mapped_bytes_total", "target", "bytes", 1);
	header(f, "vfiotop_dma_map_seconds_total", COUNTER,
	       "Time in DMA maps that succeeded, by target.");
	keyed(f, dma, "by_target", "vfiotop_dma_map_seconds_total", "target", "time_ns", 1e-9);
	header(f, "vfiotop_dma_unmapped_bytes_total", COUNTER, "Bytes unmapped from DMA.");
	fprintf(f, "vfiotop_dma_unmapped_bytes_total %" PRIu64 "\n",
		jpath_u64(dma, "unmap.bytes"));
	header(f, "vfiotop_dma_pinned_pages_total", COUNTER,
	       "Pages DMA maps added to their callers' locked memory (RAM pinned).");
	fprintf(f, "vfiotop_dma_pinned_pages_total %" PRIu64 "\n", jpath_u64(dma, "pinned_pages"));
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
