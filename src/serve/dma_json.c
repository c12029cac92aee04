// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "dma_json.h"
#include "json_util.h"
#include "names.h"

static json_object *op_json(const struct vtop_dma_stats *s, unsigned int op)
{
	json_object *o = json_object_new_object();

	add_u64(o, "calls", s->calls[op]);
	add_u64(o, "failed", s->failed[op]);
	add_u64(o, "time_ns", s->ns[op]);
	add_u64(o, "max_ns", s->ns_max[op]);
	return o;
}

static json_object *stats_json(const struct vtop_dma_stats *s)
{
	json_object *o = json_object_new_object(), *targets = json_object_new_object();
	json_object *unmap = op_json(s, VTOP_DMA_UNMAP);

	json_object_object_add(o, "map", op_json(s, VTOP_DMA_MAP));
	add_u64(unmap, "bytes", s->unmap_bytes);
	json_object_object_add(o, "unmap", unmap);
	for (unsigned int i = 0; i < VTOP_DMA_TARGET_MAX; i++) {
		json_object *t = json_object_new_object();

		add_u64(t, "maps", s->maps[i]);
		add_u64(t, "bytes", s->map_bytes[i]);
		add_u64(t, "time_ns", s->map_ns[i]);
		json_object_object_add(targets, dma_target_name(i), t);
	}
	json_object_object_add(o, "by_target", targets);
	json_object_object_add(o, "errors", keyed_counts(&dma_errno_keys, s->errors));
	add_u64(o, "pinned_pages", s->pinned_pages);
	return o;
}

static json_object *failure_json(const struct dma_failure *f, const struct device_table *devs)
{
	const struct device *d = f->has_dev ? devtab_find(devs, f->dev) : NULL;
	json_object *o;
	char buf[16];

	if (!f->ts_ns)
		return NULL;
	o = json_object_new_object();
	add_str(o, "op", dma_op_name(f->op));
	json_object_object_add(o, "errno", json_object_new_int(f->err));
	add_str(o, "error", errno_name(f->err, buf, sizeof(buf)));
	add_str(o, "target", f->op == VTOP_DMA_MAP ? dma_target_name(f->target) : "");
	add_u64(o, "vaddr", f->vaddr);
	add_u64(o, "iova", f->iova);
	add_u64(o, "size", f->size);
	json_object_object_add(o, "device", d ? json_object_new_string(d->bdf) : NULL);
	json_object_object_add(o, "pid", json_object_new_int(f->pid));
	add_str(o, "comm", f->comm);
	add_u64(o, "duration_ns", f->dur_ns);
	return o;
}

/*
 * "Why did this VM take 40 s to start": from its first device open (or its
 * first map, if the open was not seen) to the end of its latest map.
 */
static json_object *startup_json(const struct vtop_dma_proc *p)
{
	json_object *o = json_object_new_object();
	uint64_t from = p->first_open_ns ? p->first_open_ns : p->first_map_ns;

	json_object_object_add(o, "open_seen", json_object_new_boolean(p->first_open_ns != 0));
	add_u64(o, "open_to_first_map_ns", p->first_open_ns && p->first_map_ns > p->first_open_ns ?
				       p->first_map_ns - p->first_open_ns : 0);
	add_u64(o, "to_last_map_ns", from && p->last_map_end_ns > from ?
				 p->last_map_end_ns - from : 0);
	add_u64(o, "in_maps_ns", p->s.ns[VTOP_DMA_MAP]);
	return o;
}

json_object *dma_json(const struct dma_table *t, const struct device_table *devs)
{
	json_object *o = stats_json(&t->totals), *procs = json_object_new_array();

	json_object_object_add(o, "last_failure", failure_json(&t->last_failure, devs));
	for (int i = 0; i < t->n; i++) {
		const struct dma_proc *p = &t->procs[i];
		json_object *j = json_object_new_object();

		json_object_object_add(j, "pid", json_object_new_int(p->pid));
		add_str(j, "comm", p->bpf.comm);
		json_object_object_add(j, "alive", json_object_new_boolean(p->alive));
		json_object_object_add(j, "startup", startup_json(&p->bpf));
		json_object_object_add(j, "dma", stats_json(&p->bpf.s));
		json_object_object_add(j, "last_failure", failure_json(&p->last_failure, devs));
		json_object_array_add(procs, j);
	}
	json_object_object_add(o, "processes", procs);
	return o;
}

json_object *dma_device_json(const struct vtop_dev_stats *s)
{
	json_object *o = json_object_new_object();

	add_u64(o, "maps", s->dma_maps);
	add_u64(o, "failed", s->dma_maps_failed);
	add_u64(o, "bytes", s->dma_map_bytes);
	add_u64(o, "time_ns", s->dma_map_ns_sum);
	add_u64(o, "max_ns", s->dma_map_ns_max);
	return o;
}
