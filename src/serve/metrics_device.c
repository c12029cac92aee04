// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "device_rows.h"
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

/* a sample per device, or one per key per device, named as JSON names them unless relabelled */
static void row_family(struct prom_ctx *c, const struct device_row *r)
{
	prom_header(c->f, r->family, r->type == DN_GAUGE ? PROM_GAUGE : PROM_COUNTER, r->help);
	for (size_t i = 0; i < c->n; i++) {
		struct row_at at = { r, c->dev[i], c->now_ns };

		if (r->kind == ROW_KEYED) {
			prom_keyed(c->f, r->family, c->labels[i], r->label, r->keys, r->relabel,
				   row_value_at, &at, device_row_scale(r), r->json == DN_SPARSE);
			continue;
		}
		prom_sample(c->f, r->family, c->labels[i], NULL, NULL);
		prom_value(c->f, row_value_at(&at, 0), device_row_scale(r));
	}
}

static void fault_histogram(struct prom_ctx *c)
{
	static const char name[] = "vfiotop_fault_duration_seconds";
	FILE *f = c->f;

	/* the buckets' bounds, the same for every device: printed once a scrape */
	char le[LE_LAST_LOG2 - LE_FIRST_LOG2 + 2][32];

	for (int e = LE_FIRST_LOG2; e <= LE_LAST_LOG2; e++)
		snprintf(le[e - LE_FIRST_LOG2], sizeof(le[0]), "%.9g", (double)(1ull << e) / 1e9);
	snprintf(le[LE_LAST_LOG2 + 1 - LE_FIRST_LOG2], sizeof(le[0]), "+Inf");
	prom_header(f, name, PROM_HISTOGRAM, "Time vfio-pci took to handle a fault on a BAR mmap.");
	for (size_t i = 0; i < c->n; i++) {
		const struct device_stats *s = &c->dev[i]->stats;

		for (int e = LE_FIRST_LOG2; e <= LE_LAST_LOG2 + 1; e++) {
			uint64_t cum = 0;

			for (unsigned int j = 0; j < VTOP_HIST_SLOTS; j++)
				if (e > LE_LAST_LOG2 || hist_slot_high(j) < (1ull << e))
					cum += s->fault_hist[j];
			prom_sample(f, "vfiotop_fault_duration_seconds_bucket", c->labels[i], "le",
				    le[e - LE_FIRST_LOG2]);
			prom_value(f, cum, 1);
		}
		prom_sample(f, "vfiotop_fault_duration_seconds_sum", c->labels[i], NULL, NULL);
		prom_value(f, s->fault_ns_sum, 1e-9);
		prom_sample(f, "vfiotop_fault_duration_seconds_count", c->labels[i], NULL, NULL);
		prom_value(f, hist_total(s->fault_hist, VTOP_HIST_SLOTS), 1);
	}
}

/*
 * A series per vector, for the first VECTOR_SERIES of each device (by type,
 * then vector): a NIC's 64 MSI-X queues fit, a device's 2,048 would not be
 * worth their series. /json lists them all.
 */
#define VECTOR_SERIES	64

static void vector_sample(struct prom_ctx *c, size_t i, const struct irq_vector *v)
{
	bool first = false;

	fputs("vfiotop_vector_interrupts_total", c->f);
	fputs(c->labels[i], c->f);
	prom_label(c->f, "type", irq_index_name(v->index), &first);
	prom_int_label(c->f, "vector", v->vector, true, &first);
	fputc('}', c->f);
	prom_value(c->f, v->interrupts, 1);
}

static void vector_interrupts(struct prom_ctx *c)
{
	prom_header(c->f, "vfiotop_vector_interrupts_total", PROM_COUNTER,
		    "Interrupts vfio-pci's handlers signalled to the user, per vector (the "
		    "first 64 of a device).");
	for (size_t i = 0; i < c->n; i++) {
		const struct device *d = c->dev[i];

		for (int k = 0; k < d->n_vectors && k < VECTOR_SERIES; k++)
			vector_sample(c, i, &d->vectors[k]);
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
	for (size_t i = 0; i < device_rows_n; i++)
		if (device_rows[i].kind != ROW_PART && device_rows[i].family[0])
			row_family(c, &device_rows[i]);
	fault_histogram(c);
	vector_interrupts(c);
	device_gauges(c);
}
