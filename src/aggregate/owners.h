/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Who owns a device: processes seen mapping its BARs (ring buffer events)
 * and processes holding its vfio group or device cdev open (/proc/PID/fd).
 * Never reads a process's maps, smaps or numa_maps: walking the page tables
 * of a process with huge pfnmaps has crashed kernels.
 */
#ifndef VFIOTOP_OWNERS_H
#define VFIOTOP_OWNERS_H

#include "devices.h"

/* Liveness of the owners already known, and a scan of every /proc/PID/fd. */
void owners_refresh(struct device_table *t, const char *proc, const char *sysfs);
/* Only the liveness of the owners already known: no /proc walk. */
void owners_check_alive(struct device_table *t, const char *proc);
/* pid runs, as comm if comm is not "" (a recycled pid is not the same process) */
bool pid_alive(const char *proc, pid_t pid, const char *comm);

#endif
