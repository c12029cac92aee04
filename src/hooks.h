/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Loading and attaching the capture programs. Every program is compiled in;
 * the ones whose target function the running kernel lacks (by its BTF, never
 * by its version number) are switched off before load, and a program that
 * loads but cannot attach is reported, not fatal.
 */
#ifndef VFIOTOP_HOOKS_H
#define VFIOTOP_HOOKS_H

#include <bpf/libbpf.h>

#include "status.h"

struct vfiotop_bpf;

struct hooks {
	struct vfiotop_bpf *skel;
	struct bpf_link **links;
	struct hook_status *status;
	int n;
	int n_attached;
	struct ring_buffer *rb;
};

/* vfio-pci's core module is loaded and has BTF to attach to. */
bool hooks_vfio_present(void);

/* 0 on success; -errno with a logged reason otherwise. */
int hooks_start(struct hooks *h, ring_buffer_sample_fn on_event, void *ctx);
void hooks_stop(struct hooks *h);

int hooks_stats_map_fd(const struct hooks *h);
void hooks_self_stats(const struct hooks *h, struct vtop_self_stats *out);

#endif
