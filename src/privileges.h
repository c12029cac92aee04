/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef VFIOTOP_PRIVILEGES_H
#define VFIOTOP_PRIVILEGES_H

/*
 * NULL when this process may load and attach tracing BPF programs, else one
 * sentence naming the capability that is missing.
 */
const char *privileges_missing(void);

#endif
