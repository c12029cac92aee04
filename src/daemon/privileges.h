/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef VFIOTOP_PRIVILEGES_H
#define VFIOTOP_PRIVILEGES_H

#include <stddef.h>

/*
 * NULL when this process may load and attach tracing BPF programs, else one
 * sentence naming the capability that is missing.
 */
const char *privileges_missing(void);

/*
 * Keeps only CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN, CAP_SYS_PTRACE and
 * CAP_DAC_READ_SEARCH
 * (permitted, effective and bounding; ambient cleared) and sets no_new_privs.
 * said gets the names kept. 0 or -errno.
 */
int privileges_drop(char *said, size_t len);

#endif
