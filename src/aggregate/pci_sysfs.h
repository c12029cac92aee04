/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A device's PCI identity, read from sysfs (root is a parameter for tests). */
#ifndef VFIOTOP_PCI_SYSFS_H
#define VFIOTOP_PCI_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BDF_LEN 16	/* "dddd:bb:dd.f" + NUL */
#define PCI_BARS 6

struct pci_identity {
	bool present;		/* the device exists in sysfs now */
	uint16_t vendor, device, subsys_vendor, subsys_device;
	uint32_t class_id;
	char driver[64];	/* "" when unbound */
	int iommu_group;	/* -1 when none */
	/* the BARs' physical ranges (sysfs resource): a reservation's BAR */
	uint64_t bar_start[PCI_BARS], bar_size[PCI_BARS];
	int numa_node;		/* -1: none (one node, or the firmware did not say) */
	char physfn[BDF_LEN];	/* a VF's PF; "" for anything else */
	int sriov_numvfs;	/* a PF's enabled VFs; -1: not SR-IOV capable */
	char link_speed[32], max_link_speed[32];	/* "8.0 GT/s PCIe"; "": no link */
	int link_width, max_link_width;	/* lanes; 0: no link */
};

void bdf_format(uint32_t key, char out[BDF_LEN]);
/* Parses "dddd:bb:dd.f" or "bb:dd.f"; 0 on success, -1 on malformed input. */
int bdf_parse(const char *s, uint32_t *key);

void pci_identity_read(const char *sysfs, uint32_t key, struct pci_identity *id);
/*
 * Only what changes while a device stays bound and sends no uevent: its
 * enabled VFs and its link's current speed and width (3 files, against ~15).
 */
void pci_identity_reread_bound(const char *sysfs, uint32_t key, struct pci_identity *id);
/*
 * The device's driver's name ("" when unbound) in driver; false when the
 * device is gone. One readlink: how the daemon sees a change cheaply.
 */
bool pci_driver_read(const char *sysfs, uint32_t key, char *driver, size_t len);
/* Fills keys of devices bound to any vfio driver; returns how many (<= max). */
int pci_list_vfio_devices(const char *sysfs, uint32_t *keys, int max);
/* The first line of dir/file without its newline; -1 (out "") when unreadable. */
int sysfs_line(const char *dir, const char *file, char *out, size_t len);
/* The first BAR whose physical range overlaps [addr, addr + len); -1 if none. */
int pci_bar_of(const struct pci_identity *id, uint64_t addr, uint64_t len);

#endif
