/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What became of each capture program: capture/ fills it in, the daemon's
 * status (serve/) shows it. Here, not in serve/, so capture needs nothing
 * from the folders its data flows into.
 */
#ifndef VFIOTOP_HOOK_STATUS_H
#define VFIOTOP_HOOK_STATUS_H

#include <stdbool.h>

struct hook_status {
	char function[64];
	char mechanism[16];	/* fentry, fexit, kprobe, kretprobe */
	char module[64];	/* vmlinux or the module whose BTF has the function */
	unsigned int btf_id;	/* there: its FUNC, or for tp_btf its btf_trace_ typedef */
	char program[64];	/* BPF program name */
	bool selected;		/* the mechanism chosen for its function */
	bool attached;
	char why[64];		/* when selected but not attached */
};

#endif
