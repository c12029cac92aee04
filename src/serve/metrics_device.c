// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_path.h"
#include "metrics_text.h"

/*
 * Fixed histogram bounds, 2^10 ns .. 2^34 ns (1 us .. 17 s): the log2 slots
 * the BPF side fills end exactly on them, and a fixed set keeps every
 * scrape's buckets comparable.
 */
#define LE_FIRST_LOG2	10
#define LE_LAST_LOG2	34

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

void device_metrics(struct ctx *c)
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
	keyed_samples(c, "vfiotop_power_state_seconds_total", "power.time_ns", "state", NULL, NULL,
		      1e-9);
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
