/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* vfiotop report FILE, vfiotop reports [DIR]: stall reports, for people. */
#ifndef VFIOTOP_REPORT_VIEW_H
#define VFIOTOP_REPORT_VIEW_H

#include <stdio.h>

/* 0, or 1 with a message on stderr (unreadable, not a report) */
int report_print(const char *path, FILE *out);
int reports_list(const char *dir, FILE *out);

#endif
