// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "dma_json.h"
#include "json_util.h"
#include "names.h"
#include "vm_json.h"

static void op_members(struct json_writer *w, const struct vtop_dma_stats *s, unsigned int op)
{
	jw_u64(w, "calls", s->calls[op]);
	jw_u64(w, "failed", s->failed[op]);
	jw_u64(w, "time_ns", s->ns[op]);
	jw_u64(w, "max_ns", s->ns_max[op]);
}

/* the members of a "dma" object: the totals', and each process's */
static void stats_members(struct json_writer *w, const struct vtop_dma_stats *s)
{
	jw_object(w, "map");
	op_members(w, s, VTOP_DMA_MAP);
	jw_object_end(w);
	jw_object(w, "unmap");
	op_members(w, s, VTOP_DMA_UNMAP);
	jw_u64(w, "bytes", s->unmap_bytes);
	jw_object_end(w);
	jw_object(w, "by_target");
	for (unsigned int i = 0; i < VTOP_DMA_TARGET_MAX; i++) {
		jw_object(w, dma_target_name(i));
		jw_u64(w, "maps", s->maps[i]);
		jw_u64(w, "bytes", s->map_bytes[i]);
		jw_u64(w, "time_ns", s->map_ns[i]);
		jw_object_end(w);
	}
	jw_object_end(w);
	jw_keyed_counts(w, "errors", &dma_errno_keys, s->errors);
	jw_u64(w, "pinned_pages", s->pinned_pages);
}

static void failure_json(struct json_writer *w, const struct dma_failure *f,
			 const struct device_table *devs, bool details)
{
	const struct device *d = f->has_dev ? devtab_find(devs, f->dev) : NULL;
	char buf[16];

	if (!f->ts_ns) {
		jw_null(w, "last_failure");
		return;
	}
	jw_object(w, "last_failure");
	jw_str(w, "op", dma_op_name(f->op));
	jw_int(w, "errno", f->err);
	jw_str(w, "error", errno_name(f->err, buf, sizeof(buf)));
	jw_str(w, "target", f->op == VTOP_DMA_MAP ? dma_target_name(f->target) : "");
	if (details) {	/* the process's addresses, and who it is */
		jw_u64(w, "vaddr", f->vaddr);
		jw_u64(w, "iova", f->iova);
	}
	jw_u64(w, "size", f->size);
	jw_str(w, "device", d ? d->bdf : NULL);
	if (details) {
		jw_int(w, "pid", f->pid);
		jw_str(w, "comm", f->comm);
	}
	jw_u64(w, "duration_ns", f->dur_ns);
	jw_object_end(w);
}

/*
 * "Why did this VM take 40 s to start": from its first device open (or its
 * first map, if the open was not seen) to the end of its latest map.
 */
static void startup_json(struct json_writer *w, const struct vtop_dma_proc *p)
{
	uint64_t from = p->first_open_ns ? p->first_open_ns : p->first_map_ns;

	jw_object(w, "startup");
	jw_bool(w, "open_seen", p->first_open_ns != 0);
	jw_u64(w, "open_to_first_map_ns", p->first_open_ns && p->first_map_ns > p->first_open_ns ?
					  p->first_map_ns - p->first_open_ns : 0);
	jw_u64(w, "to_last_map_ns", from && p->last_map_end_ns > from ?
				    p->last_map_end_ns - from : 0);
	jw_u64(w, "in_maps_ns", p->s.ns[VTOP_DMA_MAP]);
	jw_object_end(w);
}

void dma_json(struct json_writer *w, const struct dma_table *t, const struct device_table *devs,
	      bool details)
{
	jw_object(w, "dma");
	stats_members(w, &t->totals);
	failure_json(w, &t->last_failure, devs, details);
	jw_array(w, "processes");
	for (int i = 0; i < t->n; i++) {
		const struct dma_proc *p = &t->procs[i];

		jw_object(w, NULL);
		if (details) {
			jw_int(w, "pid", p->pid);
			jw_str(w, "comm", p->bpf.comm);
		}
		jw_bool(w, "alive", p->alive);
		startup_json(w, &p->bpf);
		jw_object(w, "dma");
		stats_members(w, &p->bpf.s);
		jw_object_end(w);
		failure_json(w, &p->last_failure, devs, details);
		vm_json(w, &p->vm);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_object_end(w);
}
