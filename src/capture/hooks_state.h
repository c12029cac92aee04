/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What a load of the capture programs holds: capture/'s own, opaque elsewhere. */
#ifndef VFIOTOP_HOOKS_STATE_H
#define VFIOTOP_HOOKS_STATE_H

#include "hooks.h"
#include "vfiotop.skel.h"

struct hooks {
	struct vfiotop_bpf *skel;
	struct bpf_link **links;
	struct hook_status *status;
	int n;
	int n_attached;
	struct ring_buffer *rb;
	bool pinned;		/* the counter maps outlive this load */
	uint64_t counters_since_ns;
};

#endif
