/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kernel's uevents (netlink), for when to look again: a vfio module
 * loaded or gone, a PCI device added, removed, bound or unbound. The daemon
 * then reads /sys/kernel/btf or sysfs once, instead of every tick.
 */
#ifndef VFIOTOP_UEVENT_H
#define VFIOTOP_UEVENT_H

#include <stddef.h>

/* What a batch of uevents says, as bits */
enum uevent_news {
	UEVENT_VFIO_MODULES = 1 << 0,	/* a vfio* module came or went */
	UEVENT_PCI_DEVICES = 1 << 1,	/* a PCI device came, went or changed driver */
	UEVENT_LOST = 1 << 2,		/* the kernel dropped some: look at everything */
	UEVENT_PCI_ADDED = 1 << 3,	/* one came (with UEVENT_PCI_DEVICES): perhaps another at a known address */
};

/*
 * One message's text as the kernel sends it, "ACTION@DEVPATH" then
 * "KEY=VALUE" strings, each NUL-terminated: what it says (0: nothing for us).
 */
unsigned int uevent_parse(const char *msg, size_t len);

/* A non-blocking socket of the kernel's uevents; -errno if there is none. */
int uevent_open(void);

/*
 * Reads every message waiting on fd (uevent_open()): what they say, ORed.
 * Only the kernel's own count (a process could send to the group).
 */
unsigned int uevent_drain(int fd);

#endif
