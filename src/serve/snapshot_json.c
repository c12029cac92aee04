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
#include "json_lines.h"
#include "snapshot_json.h"
#include "vm_json.h"

static void add_hex(struct json_writer *w, const char *k, unsigned int v, int width)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%0*x", width, v);
	jw_str(w, k, buf);
}

static void latency_json(struct json_writer *w, const struct vtop_dev_stats *s)
{
	jw_object(w, "latency_ns");
	jw_u64(w, "p50", hist_quantile(s->fault_hist, VTOP_HIST_SLOTS, 0.50, s->fault_ns_max));
	jw_u64(w, "p99", hist_quantile(s->fault_hist, VTOP_HIST_SLOTS, 0.99, s->fault_ns_max));
	jw_u64(w, "max", s->fault_ns_max);
	jw_u64(w, "mean", s->faults ? s->fault_ns_sum / s->faults : 0);
	jw_u64(w, "sum", s->fault_ns_sum);
	jw_array(w, "buckets");
	for (unsigned int i = 0; i < VTOP_HIST_SLOTS; i++) {
		if (!s->fault_hist[i])
			continue;
		jw_object(w, NULL);
		jw_u64(w, "lo", hist_slot_low(i));
		jw_u64(w, "hi", hist_slot_high(i));
		jw_u64(w, "count", s->fault_hist[i]);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_object_end(w);
}

static void faults_json(struct json_writer *w, const struct vtop_dev_stats *s)
{
	jw_object(w, "faults");
	jw_u64(w, "count", s->faults);
	jw_u64(w, "sigbus", s->faults_by_result[VTOP_FRES_SIGBUS]);
	jw_u64(w, "oom", s->faults_by_result[VTOP_FRES_OOM]);
	jw_u64(w, "fallback", s->faults_by_result[VTOP_FRES_FALLBACK]);
	jw_u64(w, "found_mapped", s->faults_found_mapped);
	jw_keyed_counts(w, "by_origin", &fault_origin_keys, s->faults_by_origin);
	jw_keyed_counts(w, "by_order", &fault_order_keys, s->faults_by_order);
	latency_json(w, s);
	jw_object_end(w);
}

static void mapped_json(struct json_writer *w, const struct vtop_dev_stats *s)
{
	jw_object(w, "mapped");
	jw_u64(w, "pages_4k", s->pages[VTOP_PSIZE_4K]);
	jw_u64(w, "pages_2m", s->pages[VTOP_PSIZE_2M]);
	jw_u64(w, "pages_1g", s->pages[VTOP_PSIZE_1G]);
	jw_u64(w, "bytes", device_mapped_bytes(s));
	jw_object_end(w);
}

static void zaps_json(struct json_writer *w, const struct vtop_dev_stats *s)
{
	jw_object(w, "zaps");
	jw_u64(w, "count", s->zaps);
	jw_u64(w, "bytes", s->zap_bytes);
	jw_u64(w, "vmas", s->zap_vmas);
	jw_u64(w, "failed", s->zaps_failed);
	jw_u64(w, "time_ns", s->zap_ns_sum);
	jw_keyed_counts(w, "by_reason", &zap_reason_keys, s->zaps_by_reason);
	jw_object_end(w);
}

/* each BAR's own reservations, as their events named them */
static void reserved_bars_json(struct json_writer *w, const struct device *d)
{
	jw_array(w, "bars");
	for (int i = 0; i < PCI_BARS; i++) {
		if (!d->reserved[i].count)
			continue;
		jw_object(w, NULL);
		jw_int(w, "bar", i);
		jw_str(w, "mode", cache_mode_name(d->reserved[i].mode));
		jw_str(w, "requested", cache_mode_name(d->reserved[i].requested));
		jw_u64(w, "reservations", d->reserved[i].count);
		jw_u64(w, "bytes", d->id.bar_size[i]);
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void memtype_json(struct json_writer *w, const struct device *d)
{
	const struct vtop_dev_stats *s = &d->stats;
	uint64_t mismatches = device_memtype_mismatches(s);

	jw_object(w, "memtype");
	jw_str(w, "reserved", device_memtype_reserved(s));
	jw_u64(w, "reservations", s->memtype_reservations);
	reserved_bars_json(w, d);
	jw_u64(w, "reservations_outside_bars", d->reserved_elsewhere);
	jw_u64(w, "reservations_failed", s->memtype_reserve_failed);
	jw_u64(w, "reservation_conflicts", s->memtype_reserve_conflicts);
	jw_u64(w, "region_request_failures", s->region_request_failures);
	jw_u64(w, "lookups", s->memtype_lookups);
	jw_keyed_counts(w, "by_mode", &cache_mode_keys, s->memtype_by_mode);
	jw_u64(w, "mismatches", mismatches);
	jw_bool(w, "mismatch", mismatches > 0);
	jw_object_end(w);
}

static void resets_json(struct json_writer *w, const struct device *d)
{
	const struct vtop_dev_stats *s = &d->stats;

	jw_object(w, "resets");
	jw_u64(w, "count", s->resets);
	jw_u64(w, "failed", s->resets_failed);
	jw_u64(w, "time_ns", s->reset_ns_sum);
	jw_u64(w, "max_ns", s->reset_ns_max);
	jw_u64(w, "last_ns", d->last_reset_ns);
	jw_keyed_counts(w, "by_origin", &reset_origin_keys, s->resets_by_origin);
	jw_keyed_counts(w, "requests", &reset_request_keys, s->reset_requests);
	jw_keyed_counts(w, "requests_failed", &reset_request_keys, s->reset_requests_failed);
	jw_keyed_counts(w, "by_method", &reset_method_keys, s->resets_by_method);
	reset_how_json(w, d);
	jw_object_end(w);
}

static void dmabuf_json(struct json_writer *w, const struct vtop_dev_stats *s)
{
	jw_object(w, "dmabuf");
	jw_u64(w, "exports", s->dmabuf_exports);
	jw_u64(w, "exports_failed", s->dmabuf_exports_failed);
	jw_u64(w, "bytes", s->dmabuf_export_bytes);
	jw_u64(w, "alive", device_dmabufs_alive(s));
	jw_u64(w, "revokes", s->dmabuf_revokes);
	jw_u64(w, "restores", s->dmabuf_restores);
	jw_u64(w, "move_time_ns", s->dmabuf_move_ns_sum);
	jw_u64(w, "move_max_ns", s->dmabuf_move_ns_max);
	jw_object_end(w);
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

static void mappings_json(struct json_writer *w, const struct device *d, bool details)
{
	jw_array(w, "mappings");
	for (int i = 0; i < d->n_mappings; i++) {
		const struct bar_mapping *m = &d->mappings[i];
		uint64_t off2m = misalignment(m, 1ull << 21);
		char why[160] = "";

		jw_object(w, NULL);
		if (details)
			jw_int(w, "pid", m->pid);
		jw_int(w, "bar", m->bar);
		if (details)	/* where a process mapped it: its ASLR */
			jw_u64(w, "addr", m->addr);
		jw_u64(w, "bytes", m->len);
		jw_u64(w, "bar_offset", m->bar_off);
		jw_str(w, "largest_page", mapping_page(m));
		jw_u64(w, "offset_from_2m", off2m);
		if (off2m && m->len >= 1ull << 21)
			snprintf(why, sizeof(why), "mapped %" PRIu64 " KiB off a 2 MiB boundary: "
				 "huge faults fall back to 4 KiB pages", off2m >> 10);
		jw_str(w, "huge_fallback", why[0] ? why : NULL);
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void processes_json(struct json_writer *w, const struct device *d, bool details)
{
	jw_array(w, "processes");
	for (int i = 0; i < d->n_owners; i++) {
		const struct owner *o = &d->owners[i];

		jw_object(w, NULL);
		if (details) {
			jw_int(w, "pid", o->pid);
			jw_str(w, "comm", o->comm);
		}
		jw_bool(w, "alive", o->alive);
		jw_bool(w, "mapped", o->via & OWNER_VIA_MMAP);
		jw_bool(w, "holds_fd", o->via & OWNER_VIA_FD);
		jw_array(w, "bars");
		for (int b = 0; b < 32; b++)
			if (o->bars & (1u << b))
				jw_int(w, NULL, b);
		jw_array_end(w);
		jw_u64(w, "dmabufs", o->dmabufs);
		vm_json(w, &o->vm);
		jw_object_end(w);
	}
	jw_array_end(w);
}

/* read once from sysfs with the rest of the identity: where the device sits */
static void identity_json(struct json_writer *w, const struct pci_identity *id)
{
	if (id->numa_node >= 0)
		jw_int(w, "numa_node", id->numa_node);
	else
		jw_null(w, "numa_node");
	jw_object(w, "sriov");
	jw_str(w, "physfn", id->physfn[0] ? id->physfn : NULL);
	if (id->sriov_numvfs >= 0)
		jw_int(w, "numvfs", id->sriov_numvfs);
	else
		jw_null(w, "numvfs");
	jw_object_end(w);
	if (!id->link_speed[0] && !id->link_width) {
		jw_null(w, "link");
		return;
	}
	jw_object(w, "link");
	jw_str(w, "speed", id->link_speed);
	jw_int(w, "width", id->link_width);
	jw_str(w, "max_speed", id->max_link_speed);
	jw_int(w, "max_width", id->max_link_width);
	jw_object_end(w);
}

void snapshot_device_members(struct json_writer *w, const struct device *d, uint64_t now_ns,
			     bool details)
{
	jw_str(w, "bdf", d->bdf);
	/* unbound: still on the bus, but no vfio driver (unbound, or rebound elsewhere) */
	jw_str(w, "state", device_state(d));
	add_hex(w, "vendor", d->id.vendor, 4);
	add_hex(w, "device", d->id.device, 4);
	add_hex(w, "subsystem_vendor", d->id.subsys_vendor, 4);
	add_hex(w, "subsystem_device", d->id.subsys_device, 4);
	add_hex(w, "class", d->id.class_id, 6);
	/* from pci.ids, "" when it does not name them: a dashboard needs no join */
	jw_str(w, "vendor_name", d->names.vendor_name);
	jw_str(w, "device_name", d->names.device_name);
	jw_str(w, "subsystem_name", d->names.subsystem_name);
	jw_str(w, "class_name", d->names.class_name);
	jw_str(w, "driver", d->id.driver);
	if (d->id.iommu_group >= 0)
		jw_int(w, "iommu_group", d->id.iommu_group);
	else
		jw_null(w, "iommu_group");
	identity_json(w, &d->id);
	faults_json(w, &d->stats);
	mapped_json(w, &d->stats);
	zaps_json(w, &d->stats);
	memtype_json(w, d);
	resets_json(w, d);
	jw_object(w, "mmaps");
	jw_u64(w, "count", d->stats.mmaps);
	jw_u64(w, "bytes", d->stats.mmap_bytes);
	jw_object_end(w);
	mappings_json(w, d, details);
	dmabuf_json(w, &d->stats);
	dma_device_json(w, &d->stats);
	power_json(w, d, now_ns);
	processes_json(w, d, details);
	jw_u64(w, "owners_dropped", d->owners_dropped);
	jw_str(w, "vm", device_vm(d) ? device_vm(d)->name : "");
}

static void device_json(struct json_writer *w, const struct device *d, uint64_t now_ns,
			bool details)
{
	jw_object(w, NULL);
	snapshot_device_members(w, d, now_ns, details);
	jw_object_end(w);
}

static void hooks_json(struct json_writer *w, const char *key, const struct daemon_status *st,
		       bool attached)
{
	jw_array(w, key);
	for (int i = 0; i < st->n_hooks; i++) {
		const struct hook_status *h = &st->hooks[i];

		if (!h->selected || h->attached != attached)
			continue;
		jw_object(w, NULL);
		jw_str(w, "function", h->function);
		jw_str(w, "mechanism", h->mechanism);
		jw_str(w, "module", h->module);
		jw_str(w, "program", h->program);
		if (!attached)
			jw_str(w, "why", h->why);
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void stalls_json(struct json_writer *w, const struct daemon_status *st)
{
	uint64_t reports, overwritten, events;

	stall_stats(st->stalls, &reports, &overwritten, &events);
	jw_object(w, "stalls");
	jw_u64(w, "threshold_ns", st->stall_threshold_ns);
	jw_str(w, "report_dir", st->report_dir);
	jw_u64(w, "reports", reports);
	jw_u64(w, "recorded_events", events);
	jw_u64(w, "recorder_overwritten", overwritten);
	jw_object_end(w);
}

/* the daemon's own process: /metrics' process_* families */
static void process_json(struct json_writer *w, const struct process_stats *p)
{
	if (!p->valid)
		return;
	jw_object(w, "process");
	jw_u64(w, "cpu_ns", p->cpu_ns);
	jw_u64(w, "resident_bytes", p->resident_bytes);
	jw_u64(w, "virtual_bytes", p->virtual_bytes);
	jw_u64(w, "open_fds", p->open_fds);
	jw_u64(w, "max_fds", p->max_fds);
	jw_u64(w, "start_time_ns", p->start_time_ns);
	jw_object_end(w);
}

struct snapshot_clock snapshot_clock_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (struct snapshot_clock){
		.real_ns = (uint64_t)now.tv_sec * 1000000000ull + now.tv_nsec,
		.mono_ns = mono_ns(),
	};
}

static void snapshot_json(struct json_writer *w, const struct daemon_status *st,
			  const struct device_table *t, bool details,
			  const struct snapshot_clock *at)
{
	uint64_t lost_total = 0;

	jw_object(w, NULL);
	jw_int(w, "schema_version", SNAPSHOT_SCHEMA_VERSION);
	jw_u64(w, "time_ns", at->real_ns);
	jw_object(w, "kernel");
	jw_str(w, "release", st->kernel_release);
	jw_str(w, "version", st->kernel_version);
	jw_object_end(w);
	jw_object(w, "daemon");
	jw_str(w, "version", st->version);
	if (details)
		jw_int(w, "pid", st->pid);
	jw_int(w, "started_at", st->started_at);
	jw_int(w, "counters_since", st->counters_since_ns / 1000000000ull);
	jw_str(w, "pinned", st->pinned);
	jw_str(w, "state", st->state);
	jw_u64(w, "json_lines_dropped", json_lines_dropped(st->json_lines));
	process_json(w, &st->process);
	jw_object_end(w);
	stalls_json(w, st);
	hooks_json(w, "hooks", st, true);
	hooks_json(w, "hooks_unavailable", st, false);
	for (int c = 0; c < LOST_CAUSES; c++)
		lost_total += lost_events(st, c);
	jw_u64(w, "lost_events", lost_total);
	jw_object(w, "lost_events_by_cause");
	for (int c = 0; c < LOST_CAUSES; c++)
		jw_u64(w, lost_cause_names[c], lost_events(st, c));
	jw_object_end(w);
	jw_array(w, "devices");
	for (size_t i = 0; i < t->n; i++)
		device_json(w, &t->devs[i], at->mono_ns, details);
	jw_array_end(w);
	if (st->dma)
		dma_json(w, st->dma, t, details);
	jw_object_end(w);
}

char *snapshot_render_at(const struct daemon_status *st, const struct device_table *t,
			 bool pretty, bool details, const struct snapshot_clock *at)
{
	struct json_writer w;

	if (pretty)
		jw_init_pretty(&w);
	else
		jw_init(&w);
	snapshot_json(&w, st, t, details, at);
	return jw_finish(&w);
}

char *snapshot_render_for(const struct daemon_status *st, const struct device_table *t,
			  bool pretty, bool details)
{
	struct snapshot_clock now = snapshot_clock_now();

	return snapshot_render_at(st, t, pretty, details, &now);
}

char *snapshot_render(const struct daemon_status *st, const struct device_table *t,
		      bool pretty)
{
	return snapshot_render_for(st, t, pretty, true);
}
