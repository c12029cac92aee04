/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* vfiotop report FILE, vfiotop reports [DIR]: stall reports, for people. */
#ifndef VFIOTOP_REPORT_VIEW_H
#define VFIOTOP_REPORT_VIEW_H

#include <stdio.h>

/*
 * Bounds of a report read: the largest vfiotopd writes (65536 events a device,
 * 12-frame stacks) is about 50 MiB, 5 levels deep.
 */
#define REPORT_MAX_BYTES	(64 << 20)
#define REPORT_MAX_DEPTH	16

/*
 * 0, or 1 with a message on stderr (unreadable, not a regular file, too large
 * or deep, not a report). Every string of the report is printed escaped.
 */
int report_print(const char *path, FILE *out);
int reports_list(const char *dir, FILE *out);

#endif
