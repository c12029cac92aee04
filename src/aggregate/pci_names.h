/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A device's vendor, device, subsystem and class names, from the PCI ID
 * database (pci.ids) through libpci: resolved once per identity, so
 * a dashboard needs no join with node_exporter to name a device.
 */
#ifndef VFIOTOP_PCI_NAMES_H
#define VFIOTOP_PCI_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "pci_sysfs.h"

/* pci.ids' longest names are ~150 bytes; a subsystem's is its vendor's and its own */
#define PCI_NAME_LEN 256

struct pci_names {
	bool resolved;		/* for the numbers below */
	uint16_t vendor, device, subsys_vendor, subsys_device;
	uint32_t class_id;
	/* "" when the database does not name it (or there is no database) */
	char vendor_name[PCI_NAME_LEN];
	char device_name[PCI_NAME_LEN];
	char subsystem_name[PCI_NAME_LEN];	/* "Red Hat, Inc. QEMU Virtual Machine" */
	char class_name[PCI_NAME_LEN];
};

struct pci_name_db;

/*
 * The database at path (NULL: libpci's, /usr/share/misc/pci.ids on Debian).
 * Nothing is read until a lookup; a missing or malformed file means ""
 * names, never an error. NULL only when out of memory.
 */
struct pci_name_db *pci_name_db_open(const char *path);
void pci_name_db_close(struct pci_name_db *db);
/*
 * Frees the parsed database (~2 MiB for Debian's pci.ids): the next lookup
 * parses the file again (~6 ms), which only a new identity needs.
 */
void pci_name_db_release(struct pci_name_db *db);

/* Whether names hold the names of id's numbers already. */
bool pci_names_current(const struct pci_names *names, const struct pci_identity *id);
/* Looks id's numbers up in db (NULL: every name ""); names are valid UTF-8. */
void pci_names_resolve(struct pci_name_db *db, const struct pci_identity *id,
		       struct pci_names *names);

#endif
