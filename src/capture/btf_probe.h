/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Probing the running kernel's BTF for the functions vfiotop can hook. */
#ifndef VFIOTOP_BTF_PROBE_H
#define VFIOTOP_BTF_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "hook_status.h"

/* The BTF of vmlinux and of every loaded vfio module, searched in that order. */
struct btf_set {
	struct btf *btf[16];
	char name[16][64];
	int n;
};

void btf_set_load(struct btf_set *s);
void btf_set_free(struct btf_set *s);
/*
 * Fills in status[].module, which BTF (vmlinux or a module) has each
 * function, and status[].btf_id, its type there.
 */
void locate_functions(struct hook_status *status, int n, const struct btf_set *s);

/*
 * capture/'s interface to the daemon for what the kernel has: vfio-pci's
 * core module is loaded and has BTF to attach to.
 */
bool vfio_modules_present(void);
/*
 * Names and sysfs inode numbers of the loaded vfio modules' BTF: changes
 * when any of them is unloaded or loaded again.
 */
void vfio_modules_signature(char *buf, size_t len);

#endif
