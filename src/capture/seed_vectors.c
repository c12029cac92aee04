// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Vectors vfio-pci set up before vfiotopd attached (a VM running when the
 * package is installed, counters reset, no pinned maps): their handlers
 * run, but none of the maps the set-up hooks fill has them, so their
 * interrupts would go uncounted until their user sets them up again.
 * /proc/interrupts names them; they are entered before the hooks attach,
 * as request_threaded_irq's would have, without the handler's cookie
 * (free_irq then takes any) and without the device's count of vectors
 * requested (irqs.vectors_max), which only a seen set-up moves.
 */
#include <bpf/bpf.h>
#include <string.h>

#include "log.h"
#include "proc_vectors.h"
#include "seed_vectors.h"
#include "vfiotop.h"
#include "vfiotop.skel.h"

/* the vector's slot in vec_stats, given as vec_slot_of() in irq.bpf.c does; ~0 none */
static __u32 slot_of(struct vfiotop_bpf *skel, const struct proc_vector *pv)
{
	__u64 key = (__u64)pv->dev << 32 | (__u64)pv->index << 16 | pv->vector;
	int fd = bpf_map__fd(skel->maps.vec_slots);
	__u32 slot;

	if (!bpf_map_lookup_elem(fd, &key, &slot))
		return slot;
	slot = __atomic_fetch_add(&skel->bss->next_vec, 1, __ATOMIC_ACQ_REL);
	if (slot >= VTOP_MAX_VECTORS) {
		__atomic_fetch_add(&skel->bss->self_stats.vecmap_full, 1, __ATOMIC_RELAXED);
		return ~0u;
	}
	if (bpf_map_update_elem(fd, &key, &slot, BPF_NOEXIST))
		return ~0u;
	return slot;
}

static bool seed_one(struct vfiotop_bpf *skel, const struct proc_vector *pv)
{
	int irq_fd = bpf_map__fd(skel->maps.irq_vecs), vec_fd = bpf_map__fd(skel->maps.vec_stats);
	struct vtop_vec_stats v;
	__u32 slot, irq = pv->irq;

	if (!bpf_map_lookup_elem(irq_fd, &irq, &slot))
		return false;		/* its set-up was seen: known */
	slot = slot_of(skel, pv);
	if (slot == ~0u || bpf_map_lookup_elem(vec_fd, &slot, &v))
		return false;
	if (!v.dev) {
		v.index = pv->index;
		v.vector = pv->vector;
		v.dev = pv->dev;
	}
	v.irq = irq;
	v.active = 1;
	v.cookie = 0;
	v.trigger = 0;		/* its eventfd is not known: no waits until a set-up */
	v.signalled_at = 0;
	if (bpf_map_update_elem(vec_fd, &slot, &v, BPF_ANY) ||
	    bpf_map_update_elem(irq_fd, &irq, &slot, BPF_ANY))
		return false;
	return true;
}

int seed_vectors(struct vfiotop_bpf *skel, FILE *proc)
{
	char line[4096];
	int n = 0;

	while (fgets(line, sizeof(line), proc)) {
		struct proc_vector pv;

		if (proc_vector_parse(line, &pv) && seed_one(skel, &pv))
			n++;
	}
	return n;
}
