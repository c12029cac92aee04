/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef VFIOTOP_SEED_VECTORS_H
#define VFIOTOP_SEED_VECTORS_H

#include <stdio.h>

struct vfiotop_bpf;

/*
 * Enters the MSI and MSI-X vectors /proc/interrupts (proc) lists and the
 * maps lack into them, as the set-up hooks would have; returns how many.
 */
int seed_vectors(struct vfiotop_bpf *skel, FILE *proc);

#endif
