/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kernel BTF ids of the functions and tracepoints the trampoline
 * programs attach to, handed to libbpf from the daemon's own one pass over
 * the BTF (btf_probe.c). libbpf 1.1 finds each program's target itself, a
 * linear search of vmlinux's 100,000+ types and then of each module's, for
 * every program: most of the load's time under TCG, where the verifier took
 * a tenth of it (strace -T of the BPF_PROG_LOADs in a 6.12 guest).
 */
#ifndef VFIOTOP_ATTACH_TARGETS_H
#define VFIOTOP_ATTACH_TARGETS_H

#include <bpf/libbpf.h>

#include "hook_status.h"

/*
 * From now on the fentry, fexit and tp_btf programs of objects opened after
 * this load with the target attach_targets_use() gives them; once per
 * process, before the first open. 0 or -errno.
 */
int attach_targets_register(void);

/*
 * Targets for obj's programs while it loads: status[i] is the i-th program
 * of obj (module and btf_id filled in). A program without one fails its
 * load. 0 or -errno: the BTF object of a module could not be opened.
 */
int attach_targets_use(struct bpf_object *obj, const struct hook_status *status, int n);
/* after the load: the kernel holds what the programs need */
void attach_targets_done(void);

#endif
