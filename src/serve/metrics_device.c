// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "array_size.h"
#include "device_values.h"
#include "histogram.h"
#include "metrics_device.h"
#include "names.h"

/*
 * Fixed histogram bounds, 2^10 ns .. 2^34 ns (1 us .. 17 s): the log2 slots
 * the BPF side fills end exactly on them, and a fixed set keeps every
 * scrape's buckets comparable.
 */
#define LE_FIRST_LOG2	10
#define LE_LAST_LOG2	34

/* where a counter (or a counter array) is in struct vtop_dev_stats */
#define STAT(field)	offsetof(struct vtop_dev_stats, field)

static const void *stat_at(const struct device *d, size_t off)
{
	return (const char *)&d->stats + off;
}

static uint64_t mapped_bytes(const struct device *d)
{
	return device_mapped_bytes(&d->stats);
}

static uint64_t memtype_mismatches(const struct device *d)
{
	return device_memtype_mismatches(&d->stats);
}

static uint64_t last_reset_ns(const struct device *d)
{
	return d->last_reset_ns;
}

static uint64_t dmabufs_alive(const struct device *d)
{
	return device_dmabufs_alive(&d->stats);
}

/*
 * One number per device: the family, its kind, the counter it shows (or the
 * value derived from the counters), the scale it shows it in (ns -> s).
 */
static const struct device_family {
	const char *name;
	enum prom_kind kind;
	size_t stat;
	uint64_t (*value)(const struct device *d);
	double scale;
	const char *help;
} device_families[] = {
	{ "vfiotop_reset_ready_wait_seconds_total", PROM_COUNTER, STAT(reset_wait_ns_sum), NULL, 1e-9,
	  "Time waiting for the device to answer after resets." },
	{ "vfiotop_fault_sigbus_total", PROM_COUNTER, STAT(faults_by_result[VTOP_FRES_SIGBUS]), NULL, 1,
	  "Faults that ended in SIGBUS." },
	{ "vfiotop_fault_oom_total", PROM_COUNTER, STAT(faults_by_result[VTOP_FRES_OOM]), NULL, 1,
	  "Faults that ended in VM_FAULT_OOM." },
	{ "vfiotop_fault_fallbacks_total", PROM_COUNTER, STAT(faults_by_result[VTOP_FRES_FALLBACK]), NULL,
	  1, "Huge faults that fell back to a smaller page size." },
	{ "vfiotop_fault_found_mapped_total", PROM_COUNTER, STAT(faults_found_mapped), NULL, 1,
	  "Faults that found their entry installed by a racing fault (no page mapped)." },
	{ "vfiotop_mapped_bytes_total", PROM_COUNTER, 0, mapped_bytes, 1,
	  "Bytes of BAR mapped by faults." },
	{ "vfiotop_zapped_bytes_total", PROM_COUNTER, STAT(zap_bytes), NULL, 1,
	  "Bytes of BAR mappings zapped." },
	{ "vfiotop_zapped_vmas_total", PROM_COUNTER, STAT(zap_vmas), NULL, 1,
	  "vmas zapped." },
	{ "vfiotop_zap_failures_total", PROM_COUNTER, STAT(zaps_failed), NULL, 1,
	  "Zaps that failed." },
	{ "vfiotop_zap_seconds_total", PROM_COUNTER, STAT(zap_ns_sum), NULL, 1e-9,
	  "Time spent zapping." },
	{ "vfiotop_memtype_reservations_total", PROM_COUNTER, STAT(memtype_reservations), NULL, 1,
	  "PAT memtype reservations for BAR mappings." },
	{ "vfiotop_memtype_reservation_failures_total", PROM_COUNTER, STAT(memtype_reserve_failed), NULL,
	  1, "BAR memtype reservations that failed." },
	{ "vfiotop_memtype_reservation_conflicts_total", PROM_COUNTER, STAT(memtype_reserve_conflicts),
	  NULL, 1, "BAR memtype reservations granted another cache mode than asked "
	  "(the range was already reserved with it)." },
	{ "vfiotop_region_request_failures_total", PROM_COUNTER, STAT(region_request_failures), NULL, 1,
	  "BAR region requests that failed (\"can't reserve\")." },
	{ "vfiotop_memtype_mismatches_total", PROM_COUNTER, 0, memtype_mismatches, 1,
	  "Lookups whose cache mode differs from the reserved one." },
	{ "vfiotop_reset_failures_total", PROM_COUNTER, STAT(resets_failed), NULL, 1,
	  "Resets that failed." },
	{ "vfiotop_reset_seconds_total", PROM_COUNTER, STAT(reset_ns_sum), NULL, 1e-9,
	  "Time spent in resets." },
	{ "vfiotop_reset_last_seconds", PROM_GAUGE, 0, last_reset_ns, 1e-9,
	  "Duration of the latest reset." },
	{ "vfiotop_reset_max_seconds", PROM_GAUGE, STAT(reset_ns_max), NULL, 1e-9,
	  "Duration of the longest reset." },
	{ "vfiotop_reset_ready_waits_total", PROM_COUNTER, STAT(reset_waits), NULL, 1,
	  "Waits for the device to answer after a reset (pci_dev_wait)." },
	{ "vfiotop_reset_ready_wait_failures_total", PROM_COUNTER, STAT(reset_waits_failed), NULL, 1,
	  "Waits that gave up: the device was not ready after the reset." },
	{ "vfiotop_reset_ready_wait_max_seconds", PROM_GAUGE, STAT(reset_wait_ns_max), NULL, 1e-9,
	  "The longest wait for the device after a reset." },
	{ "vfiotop_power_requested_total", PROM_COUNTER, STAT(power_requested), NULL, 1,
	  "Power state changes its user wrote to PMCSR through vfio." },
	{ "vfiotop_power_failures_total", PROM_COUNTER, STAT(power_failures), NULL, 1,
	  "Power state changes that failed (e.g. D3cold to D0)." },
	{ "vfiotop_mmaps_total", PROM_COUNTER, STAT(mmaps), NULL, 1,
	  "mmap() calls on the device's BARs." },
	{ "vfiotop_mmap_bytes_total", PROM_COUNTER, STAT(mmap_bytes), NULL, 1,
	  "Bytes of BAR mmap()ed." },
	{ "vfiotop_dmabuf_exports_total", PROM_COUNTER, STAT(dmabuf_exports), NULL, 1,
	  "BAR ranges exported as DMA-BUFs (VFIO_DEVICE_FEATURE_DMA_BUF)." },
	{ "vfiotop_dmabuf_export_failures_total", PROM_COUNTER, STAT(dmabuf_exports_failed), NULL, 1,
	  "DMA-BUF export requests that failed." },
	{ "vfiotop_dmabuf_export_bytes_total", PROM_COUNTER, STAT(dmabuf_export_bytes), NULL, 1,
	  "Bytes of BAR exported as DMA-BUFs." },
	{ "vfiotop_dmabufs", PROM_GAUGE, 0, dmabufs_alive, 1,
	  "DMA-BUFs of the device not yet released." },
	{ "vfiotop_dmabuf_revokes_total", PROM_COUNTER, STAT(dmabuf_revokes), NULL, 1,
	  "Times the device's DMA-BUFs were revoked (at a zap)." },
	{ "vfiotop_dmabuf_restores_total", PROM_COUNTER, STAT(dmabuf_restores), NULL, 1,
	  "Times the device's DMA-BUFs were restored." },
	{ "vfiotop_dmabuf_move_seconds_total", PROM_COUNTER, STAT(dmabuf_move_ns_sum), NULL, 1e-9,
	  "Time spent revoking and restoring DMA-BUFs, waits for importers included." },
	{ "vfiotop_dmabuf_move_max_seconds", PROM_GAUGE, STAT(dmabuf_move_ns_max), NULL, 1e-9,
	  "The longest DMA-BUF revoke or restore." },
	{ "vfiotop_dma_bar_maps_total", PROM_COUNTER, STAT(dma_maps), NULL, 1,
	  "VFIO_IOMMU_MAP_DMA of the device's BARs that succeeded (peer-to-peer)." },
	{ "vfiotop_dma_bar_map_failures_total", PROM_COUNTER, STAT(dma_maps_failed), NULL, 1,
	  "VFIO_IOMMU_MAP_DMA of the device's BARs that failed." },
	{ "vfiotop_dma_bar_mapped_bytes_total", PROM_COUNTER, STAT(dma_map_bytes), NULL, 1,
	  "Bytes of the device's BARs mapped for DMA." },
	{ "vfiotop_dma_bar_map_seconds_total", PROM_COUNTER, STAT(dma_map_ns_sum), NULL, 1e-9,
	  "Time in VFIO_IOMMU_MAP_DMA of the device's BARs." },
};

/* what a derived keyed value reads: the device, at the scrape's time */
struct device_at {
	const struct device *d;
	uint64_t now_ns;
};

static uint64_t power_time(const void *arg, unsigned int st)
{
	const struct device_at *at = arg;

	return device_power_time_ns(at->d, st, at->now_ns);
}

/*
 * A sample per key per device: the counter array the keys index (or the
 * value derived for a key), named as JSON names it unless relabelled.
 */
static const struct keyed_family {
	const char *name, *lbl;
	const struct key_set *keys;
	const char *(*relabel)(unsigned int index);
	size_t stat;
	prom_value_fn value;	/* its arg: a struct device_at */
	double scale;
	const char *help;
} keyed_families[] = {
	{ "vfiotop_faults_total", "origin", &fault_origin_keys, NULL, STAT(faults_by_origin), NULL,
	  1, "Faults on BAR mmaps, by who caused them." },
	{ "vfiotop_faults_by_size_total", "size", &fault_order_keys, fault_order_size,
	  STAT(faults_by_order), NULL, 1,
	  "Faults on BAR mmaps, by the page size they mapped (vma: the whole vma at once)." },
	{ "vfiotop_mapped_pages_total", "size", &page_size_keys, NULL, STAT(pages), NULL, 1,
	  "Page table entries inserted for BAR mappings, by page size." },
	{ "vfiotop_zaps_total", "reason", &zap_reason_keys, NULL, STAT(zaps_by_reason), NULL, 1,
	  "Times vfio-pci invalidated the BAR mappings, by reason." },
	{ "vfiotop_memtype_lookups_total", "mode", &cache_mode_keys, NULL, STAT(memtype_by_mode),
	  NULL, 1, "PAT memtype lookups for BAR mappings, by the cache mode found." },
	{ "vfiotop_resets_total", "origin", &reset_origin_keys, NULL, STAT(resets_by_origin), NULL,
	  1, "Resets vfio-pci performed, by what asked for them." },
	{ "vfiotop_resets_by_method_total", "method", &reset_method_keys, NULL,
	  STAT(resets_by_method), NULL, 1, "Resets by method (function or bus)." },
	{ "vfiotop_reset_requests_total", "origin", &reset_request_keys, NULL, STAT(reset_requests),
	  NULL, 1, "VFIO_DEVICE_RESET and VFIO_DEVICE_PCI_HOT_RESET requests for the device." },
	{ "vfiotop_reset_request_failures_total", "origin", &reset_request_keys, NULL,
	  STAT(reset_requests_failed), NULL, 1, "Reset requests that failed." },
	{ "vfiotop_resets_by_pci_method_total", "method", &pci_reset_keys, NULL, STAT(resets_by_how),
	  NULL, 1,
	  "Resets by the method the PCI core used (sysfs reset_method: flr, pm, bus, ...)." },
	{ "vfiotop_reset_attempts_total", "method", &pci_attempt_keys, NULL, STAT(reset_attempts),
	  NULL, 1, "Reset methods the PCI core tried, the next one after -ENOTTY." },
	{ "vfiotop_reset_attempt_failures_total", "method", &pci_attempt_keys, NULL,
	  STAT(reset_attempts_failed), NULL, 1, "Reset methods that failed." },
	{ "vfiotop_power_transitions_total", "state", &power_state_keys, NULL,
	  STAT(power_transitions), NULL, 1,
	  "Power state changes of the device, by the state entered." },
	{ "vfiotop_power_state_seconds_total", "state", &power_state_keys, NULL, 0, power_time, 1e-9,
	  "Time the device spent in each power state since the counters began." },
};

static void device_family(struct prom_ctx *c, const struct device_family *fam)
{
	prom_header(c->f, fam->name, fam->kind, fam->help);
	for (size_t i = 0; i < c->n; i++) {
		const struct device *d = c->dev[i];

		prom_sample(c->f, fam->name, c->labels[i], NULL, NULL);
		prom_value(c->f, fam->value ? fam->value(d) : prom_array_at(stat_at(d, fam->stat), 0),
			   fam->scale);
	}
}

static void keyed_family(struct prom_ctx *c, const struct keyed_family *fam)
{
	prom_header(c->f, fam->name, PROM_COUNTER, fam->help);
	for (size_t i = 0; i < c->n; i++) {
		struct device_at at = { c->dev[i], c->now_ns };

		prom_keyed(c->f, fam->name, c->labels[i], fam->lbl, fam->keys, fam->relabel,
			   fam->value ? fam->value : prom_array_at,
			   fam->value ? (const void *)&at : stat_at(at.d, fam->stat), fam->scale);
	}
}

static void fault_histogram(struct prom_ctx *c)
{
	static const char name[] = "vfiotop_fault_duration_seconds";
	FILE *f = c->f;

	prom_header(f, name, PROM_HISTOGRAM, "Time vfio-pci took to handle a fault on a BAR mmap.");
	for (size_t i = 0; i < c->n; i++) {
		const struct vtop_dev_stats *s = &c->dev[i]->stats;
		char le[32];

		for (int e = LE_FIRST_LOG2; e <= LE_LAST_LOG2 + 1; e++) {
			uint64_t cum = 0;

			for (unsigned int j = 0; j < VTOP_HIST_SLOTS; j++)
				if (e > LE_LAST_LOG2 || hist_slot_high(j) < (1ull << e))
					cum += s->fault_hist[j];
			if (e > LE_LAST_LOG2)
				snprintf(le, sizeof(le), "+Inf");
			else
				snprintf(le, sizeof(le), "%.9g", (double)(1ull << e) / 1e9);
			prom_sample(f, "vfiotop_fault_duration_seconds_bucket", c->labels[i], "le", le);
			prom_value(f, cum, 1);
		}
		prom_sample(f, "vfiotop_fault_duration_seconds_sum", c->labels[i], NULL, NULL);
		prom_value(f, s->fault_ns_sum, 1e-9);
		prom_sample(f, "vfiotop_fault_duration_seconds_count", c->labels[i], NULL, NULL);
		prom_value(f, hist_total(s->fault_hist, VTOP_HIST_SLOTS), 1);
	}
}

static void info_gauge(struct prom_ctx *c, size_t i)
{
	const struct device *d = c->dev[i];
	const struct pci_identity *id = &d->id;
	bool first = false, link = id->link_speed[0] || id->link_width;
	char hex[3][16];

	snprintf(hex[0], sizeof(hex[0]), "0x%06x", id->class_id);
	snprintf(hex[1], sizeof(hex[1]), "0x%04x", id->subsys_vendor);
	snprintf(hex[2], sizeof(hex[2]), "0x%04x", id->subsys_device);
	fputs("vfiotop_device_info", c->f);
	fputs(c->labels[i], c->f);
	prom_label(c->f, "driver", id->driver, &first);
	prom_label(c->f, "class_id", hex[0], &first);
	prom_label(c->f, "subsystem_vendor_id", hex[1], &first);
	prom_label(c->f, "subsystem_device_id", hex[2], &first);
	/* the PCI ID database's names, as /json's ("" unknown): no node_exporter join */
	prom_label(c->f, "vendor_name", d->names.vendor_name, &first);
	prom_label(c->f, "device_name", d->names.device_name, &first);
	prom_label(c->f, "subsystem_name", d->names.subsystem_name, &first);
	prom_label(c->f, "class_name", d->names.class_name, &first);
	/* where it sits: NUMA node, the PF of a VF, its PCIe link ("" unknown) */
	prom_int_label(c->f, "numa_node", id->numa_node, id->numa_node >= 0, &first);
	prom_label(c->f, "physfn", id->physfn, &first);
	prom_label(c->f, "link_speed", link ? id->link_speed : "", &first);
	prom_int_label(c->f, "link_width", id->link_width, link, &first);
	fputs("} 1\n", c->f);
}

/* one series per device at most, so `* on(instance, bdf) group_left(vm)` joins */
static void vm_gauge(struct prom_ctx *c)
{
	prom_header(c->f, "vfiotop_device_vm_info", PROM_GAUGE,
		    "The VM of the device's newest live owner (libvirt domain, QEMU -name, "
		    "systemd unit or container); value 1.");
	for (size_t i = 0; i < c->n; i++) {
		const struct vm_ident *vm = device_vm(c->dev[i]);
		bool first = false;

		if (!vm)
			continue;
		fputs("vfiotop_device_vm_info", c->f);
		fputs(c->labels[i], c->f);
		prom_label(c->f, "vm", vm->name, &first);
		prom_label(c->f, "source", vm_source_name(vm->source), &first);
		fputs("} 1\n", c->f);
	}
}

/* a gauge of value 1 whose label says the state; no sample while it is unknown */
static void state_gauge(struct prom_ctx *c, const char *name, const char *help, const char *lbl,
			const char *(*state)(const struct device *d))
{
	prom_header(c->f, name, PROM_GAUGE, help);
	for (size_t i = 0; i < c->n; i++) {
		const char *v = state(c->dev[i]);

		if (!v)
			continue;
		prom_sample(c->f, name, c->labels[i], lbl, v);
		fputs(" 1\n", c->f);
	}
}

static const char *memtype_reserved(const struct device *d)
{
	return device_memtype_reserved(&d->stats);
}

static void device_gauges(struct prom_ctx *c)
{
	prom_header(c->f, "vfiotop_device_info", PROM_GAUGE,
	       "A device bound to a vfio driver (or that was); value 1.");
	for (size_t i = 0; i < c->n; i++)
		info_gauge(c, i);
	prom_header(c->f, "vfiotop_device_up", PROM_GAUGE, "1 while the device is present, 0 once it is gone.");
	for (size_t i = 0; i < c->n; i++) {
		prom_sample(c->f, "vfiotop_device_up", c->labels[i], NULL, NULL);
		prom_value(c->f, !strcmp(device_state(c->dev[i]), "live"), 1);
	}
	prom_header(c->f, "vfiotop_device_processes", PROM_GAUGE,
	       "Live processes that map the device's BARs or hold it open.");
	for (size_t i = 0; i < c->n; i++) {
		prom_sample(c->f, "vfiotop_device_processes", c->labels[i], NULL, NULL);
		prom_value(c->f, device_processes_alive(c->dev[i]), 1);
	}
	vm_gauge(c);
	state_gauge(c, "vfiotop_memtype_reserved",
		    "The PAT cache mode reserved for the device's BAR mappings; value 1.", "mode",
		    memtype_reserved);
	state_gauge(c, "vfiotop_power_state",
		    "The device's power state as its latest change left it; value 1.", "state",
		    device_power_state);
}

void device_metrics(struct prom_ctx *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(device_families); i++)
		device_family(c, &device_families[i]);
	for (size_t i = 0; i < ARRAY_SIZE(keyed_families); i++)
		keyed_family(c, &keyed_families[i]);
	fault_histogram(c);
	device_gauges(c);
}
