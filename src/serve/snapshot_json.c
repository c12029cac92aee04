// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device_values.h"
#include "dma_json.h"
#include "histogram.h"
#include "json_util.h"
#include "mono_clock.h"
#include "names.h"
#include "pci_json.h"
#include "snapshot_json.h"

static void add_hex(json_object *o, const char *k, unsigned int v, int width)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%0*x", width, v);
	add_str(o, k, buf);
}

static json_object *latency_json(const struct vtop_dev_stats *s)
{
	json_object *lat = json_object_new_object(), *b = json_object_new_array();

	add_u64(lat, "p50", hist_quantile(s->fault_hist, VTOP_HIST_SLOTS, 0.50, s->fault_ns_max));
	add_u64(lat, "p99", hist_quantile(s->fault_hist, VTOP_HIST_SLOTS, 0.99, s->fault_ns_max));
	add_u64(lat, "max", s->fault_ns_max);
	add_u64(lat, "mean", s->faults ? s->fault_ns_sum / s->faults : 0);
	add_u64(lat, "sum", s->fault_ns_sum);
	for (unsigned int i = 0; i < VTOP_HIST_SLOTS; i++) {
		json_object *slot;

		if (!s->fault_hist[i])
			continue;
		slot = json_object_new_object();
		add_u64(slot, "lo", hist_slot_low(i));
		add_u64(slot, "hi", hist_slot_high(i));
		add_u64(slot, "count", s->fault_hist[i]);
		json_object_array_add(b, slot);
	}
	json_object_object_add(lat, "buckets", b);
	return lat;
}

static json_object *faults_json(const struct vtop_dev_stats *s)
{
	json_object *f = json_object_new_object();

	add_u64(f, "count", s->faults);
	add_u64(f, "sigbus", s->faults_by_result[VTOP_FRES_SIGBUS]);
	add_u64(f, "oom", s->faults_by_result[VTOP_FRES_OOM]);
	add_u64(f, "fallback", s->faults_by_result[VTOP_FRES_FALLBACK]);
	add_u64(f, "found_mapped", s->faults_found_mapped);
	json_object_object_add(f, "by_origin", keyed_counts(&fault_origin_keys, s->faults_by_origin));
	json_object_object_add(f, "by_order", keyed_counts(&fault_order_keys, s->faults_by_order));
	json_object_object_add(f, "latency_ns", latency_json(s));
	return f;
}

static json_object *mapped_json(const struct vtop_dev_stats *s)
{
	json_object *m = json_object_new_object();

	add_u64(m, "pages_4k", s->pages[VTOP_PSIZE_4K]);
	add_u64(m, "pages_2m", s->pages[VTOP_PSIZE_2M]);
	add_u64(m, "pages_1g", s->pages[VTOP_PSIZE_1G]);
	add_u64(m, "bytes", device_mapped_bytes(s));
	return m;
}

static json_object *zaps_json(const struct vtop_dev_stats *s)
{
	json_object *z = json_object_new_object();

	add_u64(z, "count", s->zaps);
	add_u64(z, "bytes", s->zap_bytes);
	add_u64(z, "vmas", s->zap_vmas);
	add_u64(z, "failed", s->zaps_failed);
	add_u64(z, "time_ns", s->zap_ns_sum);
	json_object_object_add(z, "by_reason", keyed_counts(&zap_reason_keys, s->zaps_by_reason));
	return z;
}

/* each BAR's own reservations, as their events named them */
static json_object *reserved_bars_json(const struct device *d)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < PCI_BARS; i++) {
		json_object *b;

		if (!d->reserved[i].count)
			continue;
		b = json_object_new_object();
		json_object_object_add(b, "bar", json_object_new_int(i));
		add_str(b, "mode", cache_mode_name(d->reserved[i].mode));
		add_str(b, "requested", cache_mode_name(d->reserved[i].requested));
		add_u64(b, "reservations", d->reserved[i].count);
		add_u64(b, "bytes", d->id.bar_size[i]);
		json_object_array_add(a, b);
	}
	return a;
}

static json_object *memtype_json(const struct device *d)
{
	const struct vtop_dev_stats *s = &d->stats;
	json_object *m = json_object_new_object();
	uint64_t mismatches = device_memtype_mismatches(s);
	const char *reserved = device_memtype_reserved(s);

	json_object_object_add(m, "reserved", reserved ? json_object_new_string(reserved) : NULL);
	add_u64(m, "reservations", s->memtype_reservations);
	json_object_object_add(m, "bars", reserved_bars_json(d));
	add_u64(m, "reservations_outside_bars", d->reserved_elsewhere);
	add_u64(m, "reservations_failed", s->memtype_reserve_failed);
	add_u64(m, "reservation_conflicts", s->memtype_reserve_conflicts);
	add_u64(m, "region_request_failures", s->region_request_failures);
	add_u64(m, "lookups", s->memtype_lookups);
	json_object_object_add(m, "by_mode", keyed_counts(&cache_mode_keys, s->memtype_by_mode));
	add_u64(m, "mismatches", mismatches);
	json_object_object_add(m, "mismatch", json_object_new_boolean(mismatches > 0));
	return m;
}

static json_object *resets_json(const struct device *d)
{
	const struct vtop_dev_stats *s = &d->stats;
	json_object *r = json_object_new_object();

	add_u64(r, "count", s->resets);
	add_u64(r, "failed", s->resets_failed);
	add_u64(r, "time_ns", s->reset_ns_sum);
	add_u64(r, "max_ns", s->reset_ns_max);
	add_u64(r, "last_ns", d->last_reset_ns);
	json_object_object_add(r, "by_origin", keyed_counts(&reset_origin_keys, s->resets_by_origin));
	json_object_object_add(r, "requests", keyed_counts(&reset_request_keys, s->reset_requests));
	json_object_object_add(r, "requests_failed",
			       keyed_counts(&reset_request_keys, s->reset_requests_failed));
	json_object_object_add(r, "by_method", keyed_counts(&reset_method_keys, s->resets_by_method));
	reset_how_json(r, d);
	return r;
}

static json_object *dmabuf_json(const struct vtop_dev_stats *s)
{
	json_object *o = json_object_new_object();

	add_u64(o, "exports", s->dmabuf_exports);
	add_u64(o, "exports_failed", s->dmabuf_exports_failed);
	add_u64(o, "bytes", s->dmabuf_export_bytes);
	add_u64(o, "alive", device_dmabufs_alive(s));
	add_u64(o, "revokes", s->dmabuf_revokes);
	add_u64(o, "restores", s->dmabuf_restores);
	add_u64(o, "move_time_ns", s->dmabuf_move_ns_sum);
	add_u64(o, "move_max_ns", s->dmabuf_move_ns_max);
	return o;
}

/*
 * A BAR mapping's address against the huge page sizes: a PMD (PUD) maps it
 * only where the virtual address and the physical one agree modulo 2 MiB
 * (1 GiB), and the mapping spans a whole one. A BAR is aligned to its size,
 * so the physical address is the offset into the BAR modulo the page size.
 */
static uint64_t misalignment(const struct bar_mapping *m, uint64_t page)
{
	return (m->addr - m->bar_off) & (page - 1);
}

static const char *mapping_page(const struct bar_mapping *m)
{
	if (!misalignment(m, 1ull << 30) && m->len >= 1ull << 30)
		return "1g";
	if (!misalignment(m, 1ull << 21) && m->len >= 1ull << 21)
		return "2m";
	return "4k";
}

static json_object *mappings_json(const struct device *d)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < d->n_mappings; i++) {
		const struct bar_mapping *m = &d->mappings[i];
		json_object *o = json_object_new_object();
		uint64_t off2m = misalignment(m, 1ull << 21);
		char why[160] = "";

		json_object_object_add(o, "pid", json_object_new_int(m->pid));
		json_object_object_add(o, "bar", json_object_new_int(m->bar));
		add_u64(o, "addr", m->addr);
		add_u64(o, "bytes", m->len);
		add_u64(o, "bar_offset", m->bar_off);
		add_str(o, "largest_page", mapping_page(m));
		add_u64(o, "offset_from_2m", off2m);
		if (off2m && m->len >= 1ull << 21)
			snprintf(why, sizeof(why), "mapped %" PRIu64 " KiB off a 2 MiB boundary: "
				 "huge faults fall back to 4 KiB pages", off2m >> 10);
		json_object_object_add(o, "huge_fallback", why[0] ? json_object_new_string(why) :
								   NULL);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *processes_json(const struct device *d)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < d->n_owners; i++) {
		const struct owner *o = &d->owners[i];
		json_object *p = json_object_new_object(), *bars = json_object_new_array();

		json_object_object_add(p, "pid", json_object_new_int(o->pid));
		add_str(p, "comm", o->comm);
		json_object_object_add(p, "alive", json_object_new_boolean(o->alive));
		json_object_object_add(p, "mapped", json_object_new_boolean(o->via & OWNER_VIA_MMAP));
		json_object_object_add(p, "holds_fd", json_object_new_boolean(o->via & OWNER_VIA_FD));
		for (int b = 0; b < 32; b++)
			if (o->bars & (1u << b))
				json_object_array_add(bars, json_object_new_int(b));
		json_object_object_add(p, "bars", bars);
		add_u64(p, "dmabufs", o->dmabufs);
		json_object_array_add(a, p);
	}
	return a;
}

/* read once from sysfs with the rest of the identity: where the device sits */
static void identity_json(json_object *o, const struct pci_identity *id)
{
	json_object *sriov = json_object_new_object(), *link = NULL;

	json_object_object_add(o, "numa_node", id->numa_node >= 0 ?
				      json_object_new_int(id->numa_node) : NULL);
	json_object_object_add(sriov, "physfn", id->physfn[0] ? json_object_new_string(id->physfn) :
								NULL);
	json_object_object_add(sriov, "numvfs", id->sriov_numvfs >= 0 ?
				      json_object_new_int(id->sriov_numvfs) : NULL);
	json_object_object_add(o, "sriov", sriov);
	if (id->link_speed[0] || id->link_width) {
		link = json_object_new_object();
		json_object_object_add(link, "speed", json_string_utf8(id->link_speed));
		json_object_object_add(link, "width", json_object_new_int(id->link_width));
		json_object_object_add(link, "max_speed", json_string_utf8(id->max_link_speed));
		json_object_object_add(link, "max_width", json_object_new_int(id->max_link_width));
	}
	json_object_object_add(o, "link", link);
}

static json_object *device_json(const struct device *d, uint64_t now_ns)
{
	json_object *o = json_object_new_object(), *mm = json_object_new_object();

	add_str(o, "bdf", d->bdf);
	/* unbound: still on the bus, but no vfio driver (unbound, or rebound elsewhere) */
	add_str(o, "state", device_state(d));
	add_hex(o, "vendor", d->id.vendor, 4);
	add_hex(o, "device", d->id.device, 4);
	add_hex(o, "subsystem_vendor", d->id.subsys_vendor, 4);
	add_hex(o, "subsystem_device", d->id.subsys_device, 4);
	add_hex(o, "class", d->id.class_id, 6);
	add_str(o, "driver", d->id.driver);
	json_object_object_add(o, "iommu_group", d->id.iommu_group >= 0 ?
				      json_object_new_int(d->id.iommu_group) : NULL);
	identity_json(o, &d->id);
	json_object_object_add(o, "faults", faults_json(&d->stats));
	json_object_object_add(o, "mapped", mapped_json(&d->stats));
	json_object_object_add(o, "zaps", zaps_json(&d->stats));
	json_object_object_add(o, "memtype", memtype_json(d));
	json_object_object_add(o, "resets", resets_json(d));
	add_u64(mm, "count", d->stats.mmaps);
	add_u64(mm, "bytes", d->stats.mmap_bytes);
	json_object_object_add(o, "mmaps", mm);
	json_object_object_add(o, "mappings", mappings_json(d));
	json_object_object_add(o, "dmabuf", dmabuf_json(&d->stats));
	json_object_object_add(o, "dma", dma_device_json(&d->stats));
	json_object_object_add(o, "power", power_json(d, now_ns));
	json_object_object_add(o, "processes", processes_json(d));
	add_u64(o, "owners_dropped", d->owners_dropped);
	return o;
}

static json_object *hooks_json(const struct daemon_status *st, bool attached)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < st->n_hooks; i++) {
		const struct hook_status *h = &st->hooks[i];
		json_object *o;

		if (!h->selected || h->attached != attached)
			continue;
		o = json_object_new_object();
		add_str(o, "function", h->function);
		add_str(o, "mechanism", h->mechanism);
		add_str(o, "module", h->module);
		add_str(o, "program", h->program);
		if (!attached)
			add_str(o, "why", h->why);
		json_object_array_add(a, o);
	}
	return a;
}

json_object *snapshot_build(const struct daemon_status *st, const struct device_table *t)
{
	json_object *root = json_object_new_object(), *k = json_object_new_object();
	json_object *dm = json_object_new_object(), *lost = json_object_new_object();
	json_object *devs = json_object_new_array();
	struct timespec now;
	uint64_t lost_total = 0, now_ns;

	clock_gettime(CLOCK_REALTIME, &now);
	json_object_object_add(root, "schema_version", json_object_new_int(SNAPSHOT_SCHEMA_VERSION));
	add_u64(root, "time_ns", (uint64_t)now.tv_sec * 1000000000ull + now.tv_nsec);
	add_str(k, "release", st->kernel_release);
	add_str(k, "version", st->kernel_version);
	json_object_object_add(root, "kernel", k);
	add_str(dm, "version", st->version);
	json_object_object_add(dm, "pid", json_object_new_int(st->pid));
	json_object_object_add(dm, "started_at", json_object_new_int64(st->started_at));
	json_object_object_add(dm, "counters_since",
			       json_object_new_int64(st->counters_since_ns / 1000000000ull));
	json_object_object_add(dm, "pinned", st->pinned ? json_string_utf8(st->pinned) : NULL);
	add_str(dm, "state", st->state);
	json_object_object_add(root, "daemon", dm);
	{
		json_object *sj = json_object_new_object();
		uint64_t reports, overwritten, events;

		stall_stats(st->stalls, &reports, &overwritten, &events);
		add_u64(sj, "threshold_ns", st->stall_threshold_ns);
		json_object_object_add(sj, "report_dir", st->report_dir ?
				       json_string_utf8(st->report_dir) : NULL);
		add_u64(sj, "reports", reports);
		add_u64(sj, "recorded_events", events);
		add_u64(sj, "recorder_overwritten", overwritten);
		json_object_object_add(root, "stalls", sj);
	}
	json_object_object_add(root, "hooks", hooks_json(st, true));
	json_object_object_add(root, "hooks_unavailable", hooks_json(st, false));
	for (int c = 0; c < LOST_CAUSES; c++) {
		add_u64(lost, lost_cause_names[c], lost_events(st, c));
		lost_total += lost_events(st, c);
	}
	add_u64(root, "lost_events", lost_total);
	json_object_object_add(root, "lost_events_by_cause", lost);
	now_ns = mono_ns();
	for (size_t i = 0; i < t->n; i++)
		json_object_array_add(devs, device_json(&t->devs[i], now_ns));
	json_object_object_add(root, "devices", devs);
	if (st->dma)
		json_object_object_add(root, "dma", dma_json(st->dma, t));
	return root;
}

char *snapshot_render(const struct daemon_status *st, const struct device_table *t,
		      bool pretty)
{
	json_object *root = snapshot_build(st, t);
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
		    (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
	const char *s = json_object_to_json_string_ext(root, flags);
	char *out = s ? strdup(s) : NULL;

	json_object_put(root);
	return out;
}
