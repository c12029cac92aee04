/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A folder of stall reports (docs/stalls.md): NAME.json beside its
 * NAME.trace.json, names that sort by time. The daemon trims it, the client
 * lists it: one rule for what a report is.
 */
#ifndef VFIOTOP_REPORT_FILES_H
#define VFIOTOP_REPORT_FILES_H

#include <dirent.h>

/* scandir(3) of dir's reports, oldest first; -1 with errno when unreadable */
int report_files_scan(const char *dir, struct dirent ***list);
/* the same, of the folder open at dirfd */
int report_files_scanat(int dirfd, struct dirent ***list);

#endif
