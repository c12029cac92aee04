// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdio.h>

#include "device_parts.h"
#include "device_values.h"
#include "histogram.h"
#include "json_util.h"
#include "names.h"
#include "vm_json.h"

static void add_hex(struct json_writer *w, const char *k, unsigned int v, int width)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%0*x", width, v);
	jw_str(w, k, buf);
}

/* read once from sysfs with the rest of the identity: where the device sits */
static void placement_json(struct json_writer *w, const struct pci_identity *id)
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

DEVICE_PART(identity_part)
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
	placement_json(w, &d->id);
}

/* key: the quantiles and the slots not 0 of a log2 histogram of count events */
static void latency_json(struct json_writer *w, const char *key, const __u64 *hist,
			 uint64_t count, uint64_t sum, uint64_t max)
{
	jw_object(w, key);
	jw_u64(w, "p50", hist_quantile(hist, VTOP_HIST_SLOTS, 0.50, max));
	jw_u64(w, "p99", hist_quantile(hist, VTOP_HIST_SLOTS, 0.99, max));
	jw_u64(w, "max", max);
	jw_u64(w, "mean", count ? sum / count : 0);
	jw_u64(w, "sum", sum);
	jw_array(w, "buckets");
	for (unsigned int i = 0; i < VTOP_HIST_SLOTS; i++) {
		if (!hist[i])
			continue;
		jw_object(w, NULL);
		jw_u64(w, "lo", hist_slot_low(i));
		jw_u64(w, "hi", hist_slot_high(i));
		jw_u64(w, "count", hist[i]);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_object_end(w);
}

DEVICE_PART(latency_part)
{
	const struct device_stats *s = &d->stats;

	latency_json(w, "latency_ns", s->fault_hist, s->faults, s->fault_ns_sum, s->fault_ns_max);
}

DEVICE_PART(access_latency_part)
{
	const struct vtop_dev_rare *r = &d->stats.rare;
	uint64_t count = 0, sum = 0;

	for (unsigned int i = 0; i < VTOP_REGION_MAX; i++) {
		count += r->access_reads[i] + r->access_writes[i];
		sum += r->access_ns[i];
	}
	latency_json(w, "latency_ns", d->stats.access_hist, count, sum, r->access_ns_max);
}

DEVICE_PART(wait_latency_part)
{
	const struct device_stats *s = &d->stats;

	latency_json(w, "wait_latency_ns", s->delivery_hist, s->irq_reads, s->irq_wait_ns,
		     s->irq_wait_max_ns);
}

DEVICE_PART(memtype_reserved_part)
{
	jw_str(w, "reserved", device_memtype_reserved(&d->stats));
}

/* each BAR's own reservations, as their events named them */
DEVICE_PART(reserved_bars_part)
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

DEVICE_PART(memtype_mismatch_part)
{
	jw_bool(w, "mismatch", device_memtype_mismatches(&d->stats) > 0);
}

/* a method's tries and failures side by side: two rows' numbers per key */
DEVICE_PART(reset_attempts_part)
{
	const struct device_stats *s = &d->stats;

	jw_object(w, "attempts");
	for (unsigned int i = 0; i < pci_attempt_keys.n; i++) {
		unsigned int m = key_index(&pci_attempt_keys, i);

		jw_object(w, pci_attempt_keys.name(m));
		jw_u64(w, "count", s->rare.reset_attempts[m]);
		jw_u64(w, "failed", s->rare.reset_attempts_failed[m]);
		jw_object_end(w);
	}
	jw_object_end(w);
}

DEVICE_PART(reset_last_part)
{
	char err[16];

	jw_str(w, "last_pci_method", d->last_reset_ns ? pci_reset_name(d->last_reset_how) : "");
	/* "ENOTTY": no method of the device worked; "" after a reset that did */
	jw_str(w, "last_error", d->last_reset_ret < 0 ?
	       errno_name(-d->last_reset_ret, err, sizeof(err)) : "");
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

DEVICE_PART(mappings_part)
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

DEVICE_PART(vectors_part)
{
	jw_array(w, "by_vector");
	for (int i = 0; i < d->n_vectors; i++) {
		const struct irq_vector *v = &d->vectors[i];

		jw_object(w, NULL);
		jw_str(w, "type", irq_index_name(v->index));
		jw_int(w, "vector", v->vector);
		jw_u64(w, "irq", v->irq);
		jw_bool(w, "active", v->active);
		jw_bool(w, "bypass", v->bypass);
		jw_u64(w, "interrupts", v->interrupts);
		if (v->index == VTOP_IRQ_INTX) {
			jw_u64(w, "unhandled", v->unhandled);
			jw_u64(w, "unmasks", v->unmasks);
			jw_u64(w, "masked_ns", v->masked_ns);
		}
		jw_u64(w, "reads", v->reads);
		jw_u64(w, "wait_ns", v->wait_ns);
		jw_u64(w, "wait_max_ns", v->wait_max_ns);
		jw_object_end(w);
	}
	jw_array_end(w);
}

DEVICE_PART(power_state_part)
{
	jw_str(w, "state", device_power_state(d));
}

DEVICE_PART(processes_part)
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

DEVICE_PART(vm_part)
{
	jw_str(w, "vm", device_vm(d) ? device_vm(d)->name : "");
}
