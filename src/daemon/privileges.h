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
 * Keeps CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN, CAP_SYS_PTRACE and
 * CAP_DAC_READ_SEARCH permitted and bounding, of them only CAP_SYS_PTRACE
 * and CAP_DAC_READ_SEARCH in effect; clears ambient ones and sets
 * no_new_privs. For the whole process: call it before starting threads.
 * said gets the names kept. 0 or -errno.
 */
int privileges_drop(char *said, size_t len);

/* The calling thread's effective set becomes its permitted one: to attach. */
int privileges_raise(void);

/*
 * Back to what reads need between attaches; map_fd (or -1) is tried for
 * whether this kernel wants CAP_BPF for map reads, which then stays.
 */
int privileges_lower(int map_fd);

/* The calling thread's effective capabilities of the kept ones, or "none". */
void privileges_effective(char *said, size_t len);

/*
 * The calling thread keeps only caps[0..n) (CAP_* values), permitted and
 * effective, for good; threads it starts inherit that. On failure it keeps
 * none. 0 or -errno.
 */
int privileges_thread_keep(const int *caps, size_t n);

/*
 * fn(arg) run by a thread without capabilities, waited for: threads that fn
 * starts (a library's) have none either. fn's result, -1 if none started.
 */
int privileges_call_bare(int (*fn)(void *arg), void *arg);

#endif
