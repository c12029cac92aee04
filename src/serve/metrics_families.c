// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "array_size.h"
#include "device_rows.h"
#include "device_values.h"
#include "histogram.h"
#include "metrics_families.h"
#include "metrics_text.h"
#include "names.h"

/*
 * Fixed histogram bounds, 2^10 ns .. 2^34 ns (1 us .. 17 s): the log2 slots
 * the BPF side fills end exactly on them, and a fixed set keeps every
 * scrape's buckets comparable.
 */
#define LE_FIRST_LOG2	10
#define LE_LAST_LOG2	34

/*
 * A series per vector, for the first VECTOR_SERIES of each device (by type,
 * then vector): a NIC's 64 MSI-X queues fit, a device's 2,048 would not be
 * worth their series. /json lists them all.
 */
#define VECTOR_SERIES	64

/* what a keyed family's value function reads: the row, the device, the scrape's time */
struct row_at {
	const struct device_row *r;
	const struct device *d;
	uint64_t now_ns;
};

static uint64_t row_value_at(const void *arg, unsigned int key)
{
	const struct row_at *at = arg;

	return device_row_value(at->r, at->d, key, at->now_ns);
}

static bool row_has_family(const struct device_row *r)
{
	return r->kind != ROW_PART && r->family[0];
}

/* a sample, or one per key, named as JSON names them unless relabelled */
static void row_samples(FILE *f, const struct device_row *r, const struct device *d,
			const char *labels, uint64_t now_ns)
{
	struct row_at at = { r, d, now_ns };

	if (r->kind == ROW_KEYED) {
		prom_keyed(f, r->family, labels, r->label, r->keys, r->relabel, row_value_at, &at,
			   device_row_scale(r), r->json == DN_SPARSE);
		return;
	}
	prom_sample(f, r->family, labels, NULL, NULL);
	prom_value(f, row_value_at(&at, 0), device_row_scale(r));
}

/* a log2 histogram as a Prometheus histogram family of that name, in seconds */
static void log2_histogram(FILE *f, const char *family, const __u64 *hist, uint64_t sum_ns,
			   const char *labels)
{
	/* the buckets' bounds, the same for every device */
	static char le[LE_LAST_LOG2 - LE_FIRST_LOG2 + 2][32];
	char name[96];

	if (!le[0][0]) {
		for (int e = LE_FIRST_LOG2; e <= LE_LAST_LOG2; e++)
			snprintf(le[e - LE_FIRST_LOG2], sizeof(le[0]), "%.9g",
				 (double)(1ull << e) / 1e9);
		snprintf(le[LE_LAST_LOG2 + 1 - LE_FIRST_LOG2], sizeof(le[0]), "+Inf");
	}
	snprintf(name, sizeof(name), "%s_bucket", family);
	for (int e = LE_FIRST_LOG2; e <= LE_LAST_LOG2 + 1; e++) {
		uint64_t cum = 0;

		for (unsigned int j = 0; j < VTOP_HIST_SLOTS; j++)
			if (e > LE_LAST_LOG2 || hist_slot_high(j) < (1ull << e))
				cum += hist[j];
		prom_sample(f, name, labels, "le", le[e - LE_FIRST_LOG2]);
		prom_value(f, cum, 1);
	}
	snprintf(name, sizeof(name), "%s_sum", family);
	prom_sample(f, name, labels, NULL, NULL);
	prom_value(f, sum_ns, 1e-9);
	snprintf(name, sizeof(name), "%s_count", family);
	prom_sample(f, name, labels, NULL, NULL);
	prom_value(f, hist_total(hist, VTOP_HIST_SLOTS), 1);
}

static void fault_histogram(FILE *f, const struct device *d, const char *labels)
{
	log2_histogram(f, "vfiotop_fault_duration_seconds", d->stats.fault_hist,
		       d->stats.fault_ns_sum, labels);
}

/* only a device whose eventfds were read (--irq-waits): 28 series a device otherwise 0 */
static void irq_wait_histogram(FILE *f, const struct device *d, const char *labels)
{
	if (!d->stats.irq_reads)
		return;
	log2_histogram(f, "vfiotop_irq_wait_duration_seconds", d->stats.delivery_hist,
		       d->stats.irq_wait_ns, labels);
}

static void vector_interrupts(FILE *f, const struct device *d, const char *labels)
{
	for (int k = 0; k < d->n_vectors && k < VECTOR_SERIES; k++) {
		const struct irq_vector *v = &d->vectors[k];
		bool first = false;

		fputs("vfiotop_vector_interrupts_total", f);
		fputs(labels, f);
		prom_label(f, "type", irq_index_name(v->index), &first);
		prom_int_label(f, "vector", v->vector, true, &first);
		fputc('}', f);
		prom_value(f, v->interrupts, 1);
	}
}

static void info_gauge(FILE *f, const struct device *d, const char *labels)
{
	const struct pci_identity *id = &d->id;
	bool first = false, link = id->link_speed[0] || id->link_width;
	char hex[3][16];

	snprintf(hex[0], sizeof(hex[0]), "0x%06x", id->class_id);
	snprintf(hex[1], sizeof(hex[1]), "0x%04x", id->subsys_vendor);
	snprintf(hex[2], sizeof(hex[2]), "0x%04x", id->subsys_device);
	fputs("vfiotop_device_info", f);
	fputs(labels, f);
	prom_label(f, "driver", id->driver, &first);
	prom_label(f, "class_id", hex[0], &first);
	prom_label(f, "subsystem_vendor_id", hex[1], &first);
	prom_label(f, "subsystem_device_id", hex[2], &first);
	/* the PCI ID database's names, as /json's ("" unknown): no node_exporter join */
	prom_label(f, "vendor_name", d->names.vendor_name, &first);
	prom_label(f, "device_name", d->names.device_name, &first);
	prom_label(f, "subsystem_name", d->names.subsystem_name, &first);
	prom_label(f, "class_name", d->names.class_name, &first);
	/* where it sits: NUMA node, the PF of a VF, its PCIe link ("" unknown) */
	prom_int_label(f, "numa_node", id->numa_node, id->numa_node >= 0, &first);
	prom_label(f, "physfn", id->physfn, &first);
	prom_label(f, "link_speed", link ? id->link_speed : "", &first);
	prom_int_label(f, "link_width", id->link_width, link, &first);
	fputs("} 1\n", f);
}

static void up_gauge(FILE *f, const struct device *d, const char *labels)
{
	prom_sample(f, "vfiotop_device_up", labels, NULL, NULL);
	prom_value(f, !strcmp(device_state(d), "live"), 1);
}

static void processes_gauge(FILE *f, const struct device *d, const char *labels)
{
	prom_sample(f, "vfiotop_device_processes", labels, NULL, NULL);
	prom_value(f, device_processes_alive(d), 1);
}

/* one series per device at most, so `* on(instance, bdf) group_left(vm)` joins */
static void vm_gauge(FILE *f, const struct device *d, const char *labels)
{
	const struct vm_ident *vm = device_vm(d);
	bool first = false;

	if (!vm)
		return;
	fputs("vfiotop_device_vm_info", f);
	fputs(labels, f);
	prom_label(f, "vm", vm->name, &first);
	prom_label(f, "source", vm_source_name(vm->source), &first);
	fputs("} 1\n", f);
}

/* gauges of value 1 whose label says the state; no sample while it is unknown */
static void state_gauge(FILE *f, const char *name, const char *lbl, const char *state,
			const char *labels)
{
	if (!state)
		return;
	prom_sample(f, name, labels, lbl, state);
	fputs(" 1\n", f);
}

static void memtype_gauge(FILE *f, const struct device *d, const char *labels)
{
	state_gauge(f, "vfiotop_memtype_reserved", "mode", device_memtype_reserved(&d->stats),
		    labels);
}

static void power_gauge(FILE *f, const struct device *d, const char *labels)
{
	state_gauge(f, "vfiotop_power_state", "state", device_power_state(d), labels);
}

/* the families written by hand, after device_numbers.h's rows */
static const struct hand_family {
	const char *name;
	enum prom_kind kind;
	const char *help;
	void (*samples)(FILE *f, const struct device *d, const char *labels);
} hand_families[] = {
	{ "vfiotop_fault_duration_seconds", PROM_HISTOGRAM,
	  "Time vfio-pci took to handle a fault on a BAR mmap.", fault_histogram },
	{ "vfiotop_irq_wait_duration_seconds", PROM_HISTOGRAM,
	  "Time an interrupt waited in its eventfd for the read that took it.",
	  irq_wait_histogram },
	{ "vfiotop_vector_interrupts_total", PROM_COUNTER,
	  "Interrupts vfio-pci's handlers signalled to the user, per vector (the first 64 of a "
	  "device).", vector_interrupts },
	{ "vfiotop_device_info", PROM_GAUGE, "A device bound to a vfio driver (or that was); value 1.",
	  info_gauge },
	{ "vfiotop_device_up", PROM_GAUGE, "1 while the device is present, 0 once it is gone.",
	  up_gauge },
	{ "vfiotop_device_processes", PROM_GAUGE,
	  "Live processes that map the device's BARs or hold it open.", processes_gauge },
	{ "vfiotop_device_vm_info", PROM_GAUGE,
	  "The VM of the device's newest live owner (libvirt domain, QEMU -name, systemd unit or "
	  "container); value 1.", vm_gauge },
	{ "vfiotop_memtype_reserved", PROM_GAUGE,
	  "The PAT cache mode reserved for the device's BAR mappings; value 1.", memtype_gauge },
	{ "vfiotop_power_state", PROM_GAUGE,
	  "The device's power state as its latest change left it; value 1.", power_gauge },
};

size_t metrics_families_n(void)
{
	return device_rows_n + ARRAY_SIZE(hand_families);
}

const char *metrics_family_name(size_t fam)
{
	if (fam >= device_rows_n)
		return hand_families[fam - device_rows_n].name;
	return row_has_family(&device_rows[fam]) ? device_rows[fam].family : NULL;
}

void metrics_family_header(FILE *f, size_t fam)
{
	const struct hand_family *h;

	if (fam < device_rows_n) {
		const struct device_row *r = &device_rows[fam];

		if (row_has_family(r))
			prom_header(f, r->family, r->type == DN_GAUGE ? PROM_GAUGE : PROM_COUNTER,
				    r->help);
		return;
	}
	h = &hand_families[fam - device_rows_n];
	prom_header(f, h->name, h->kind, h->help);
}

void metrics_family_samples(FILE *f, size_t fam, const struct device *d, const char *dev_labels,
			    uint64_t now_ns)
{
	if (fam >= device_rows_n)
		hand_families[fam - device_rows_n].samples(f, d, dev_labels);
	else if (row_has_family(&device_rows[fam]))
		row_samples(f, &device_rows[fam], d, dev_labels, now_ns);
}

bool metrics_family_ticks(size_t fam)
{
	return fam < device_rows_n && device_row_ticks(&device_rows[fam]);
}
