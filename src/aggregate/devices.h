/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon's aggregate: one entry per device ever seen, holding the totals
 * read from the BPF maps, what the ring buffer told about it, its PCI
 * identity and the processes that own it. Entries are never dropped: a device
 * that goes away stays, marked gone (since gone_ms); /metrics forgets its
 * series after --forget-gone (serve/metrics_filter.h).
 */
#ifndef VFIOTOP_DEVICES_H
#define VFIOTOP_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "device_stats.h"
#include "pci_names.h"
#include "pci_sysfs.h"
#include "vm_ident.h"
#include "event.h"

#define DEVICE_MAX_OWNERS 16

enum owner_via {
	OWNER_VIA_MMAP = 1,	/* seen mapping a BAR (ring buffer event) */
	OWNER_VIA_FD = 2,	/* holds the device's group or cdev open */
	OWNER_VIA_DMABUF = 4,	/* exported one of its BARs as a DMA-BUF */
};

struct owner {
	pid_t pid;
	char comm[VTOP_COMM_LEN];
	unsigned int via;	/* enum owner_via bits */
	bool alive;
	uint32_t bars;		/* bit i: mapped BAR i */
	uint64_t dmabufs;	/* DMA-BUFs it exported */
	struct vm_ident vm;	/* the VM it runs, read once while it is alive */
};

#define DEVICE_MAX_MAPPINGS 8

/* A BAR mmap as its event told it: where, so its alignment can be read */
struct bar_mapping {
	pid_t pid;
	uint32_t bar;
	uint64_t addr, len;
	uint64_t bar_off;	/* where in the BAR it starts */
};

/* One interrupt vector of the device, as vec_stats holds it */
struct irq_vector {
	uint16_t index;			/* enum vtop_irq_index: INTx, MSI or MSI-X */
	uint16_t vector;
	uint32_t irq;			/* the host irq it was given last */
	bool active;			/* vfio has its handler requested */
	bool bypass;			/* an irq-bypass consumer (KVM) is connected to it */
	uint64_t interrupts, unhandled, unmasks, masked_ns;
	uint64_t reads, wait_ns, wait_max_ns;	/* its eventfd's reads that took interrupts */
};

/* The BAR memtype reservations a device's reservation events named */
struct bar_reservations {
	uint64_t count;
	uint32_t mode;		/* enum vtop_cache_mode granted to the latest */
	uint32_t requested;	/* and the one it asked for */
};

struct device {
	uint32_t key;
	char bdf[BDF_LEN];
	struct pci_identity id;
	uint64_t gone_ms;		/* when it was first seen gone (CLOCK_MONOTONIC);
					 * 0 while present */
	struct pci_names names;		/* of id's numbers, from the PCI ID database */
	struct device_stats stats;	/* base + what the live maps hold */
	uint64_t last_reset_ns;		/* from the latest reset event */
	int last_reset_ret;
	uint32_t last_reset_how;	/* enum vtop_pci_reset */
	uint64_t last_reset_wait_ns;
	struct vtop_power_now power;	/* its state since its latest change */
	bool power_known;		/* a change was seen */
	uint64_t events;		/* ring buffer events received */
	/*
	 * Grown as processes open it, up to DEVICE_MAX_OWNERS: most devices
	 * have one, and a table of 1,024 devices would hold 7.5 MB of empty
	 * owners inline.
	 */
	struct owner *owners;
	int n_owners, owners_cap;
	uint64_t owners_dropped;	/* more owners than fit */
	struct bar_mapping mappings[DEVICE_MAX_MAPPINGS];	/* the latest, oldest first */
	int n_mappings;
	struct bar_reservations reserved[PCI_BARS];
	uint64_t reserved_elsewhere;	/* reservations outside every known BAR */
	/* its interrupt vectors, by index then vector; read whole every refresh */
	struct irq_vector *vectors;
	int n_vectors, vectors_cap;
	/*
	 * The daemon's bookkeeping, in no output: last, for the cache of
	 * rendered devices hashes what comes before identity_ms (a whole
	 * identity read every 30 s would otherwise render every device again).
	 */
	uint64_t identity_ms;		/* when id was last read whole (CLOCK_MONOTONIC); 0: never looked */
	struct device_stats base;	/* totals kept from earlier attachments */
};

struct device_table {
	struct device *devs;
	size_t n, cap;
};

void devtab_free(struct device_table *t);
struct device *devtab_find(const struct device_table *t, uint32_t key);
/* Finds or adds (sorted by key); NULL only on allocation failure. */
struct device *devtab_get(struct device_table *t, uint32_t key);

/* Folds every device's live totals into its base: the maps are going away. */
void devtab_keep_totals(struct device_table *t);

/* Notes when a device was first seen off the bus (!id.present), ms CLOCK_MONOTONIC. */
void device_note_presence(struct device *d, uint64_t now_ms);

/* Records what a ring buffer event says about its device and owner. */
void devtab_apply_event(struct device_table *t, const struct vtop_event *e);

/* The VM of the newest live owner that has a name; NULL when none does. */
const struct vm_ident *device_vm(const struct device *d);
/* The VM name of pid as an owner of any device; NULL when unknown. */
const char *devtab_owner_vm(const struct device_table *t, pid_t pid);
/* Adds or refreshes an owner; via is OR-ed into what was known. */
void device_owner_seen(struct device *d, pid_t pid, const char *comm, unsigned int via);

#endif
