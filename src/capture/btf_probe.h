/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Probing the running kernel's BTF for the functions vfiotop can hook. */
#ifndef VFIOTOP_BTF_PROBE_H
#define VFIOTOP_BTF_PROBE_H

#include "status.h"

/* The BTF of vmlinux and of every loaded vfio module, searched in that order. */
struct btf_set {
	struct btf *btf[16];
	char name[16][64];
	int n;
};

void btf_set_load(struct btf_set *s);
void btf_set_free(struct btf_set *s);
/* Fills in status[].module: which BTF (vmlinux or a module) has each function. */
void locate_functions(struct hook_status *status, int n, const struct btf_set *s);

#endif
