// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device_json_cache.h"
#include "device_rows.h"
#include "dma_json.h"
#include "json_util.h"
#include "mono_clock.h"
#include "snapshot_json.h"

/*
 * Moves the writer from the object open (a dotted path, "" the device's)
 * to the object want: closes what is not on the way, opens what is new.
 */
static void enter_object(struct json_writer *w, char *open, size_t len, const char *want,
			 size_t want_len)
{
	size_t n = strlen(open);

	while (n && !(n <= want_len && !strncmp(open, want, n) &&
		      (n == want_len || want[n] == '.'))) {
		char *dot = strrchr(open, '.');

		jw_object_end(w);
		n = dot ? (size_t)(dot - open) : 0;
		open[n] = '\0';
	}
	while (n < want_len) {
		size_t from = n ? n + 1 : 0, to = from;
		char key[64];

		while (to < want_len && want[to] != '.')
			to++;
		snprintf(key, sizeof(key), "%.*s", (int)(to - from), want + from);
		jw_object(w, key);
		snprintf(open + n, len - n, "%s%s", n ? "." : "", key);
		n = strlen(open);
	}
}

/* a number in the members: ticking ones are told to the caller's marker */
static void row_number(struct json_writer *w, const char *key, size_t row, unsigned int k,
		       uint64_t v, const struct member_marker *mark)
{
	jw_u64(w, key, v);
	if (mark && device_row_ticks(&device_rows[row]))
		mark->ticking(mark->ctx, w, row, k, v);
}

/* the keyed numbers of row: an object of them, or beside the others ("pages_%s") */
static void keyed_json(struct json_writer *w, size_t row, const char *leaf,
		       const struct device *d, uint64_t now_ns, const struct member_marker *mark)
{
	const struct device_row *r = &device_rows[row];
	const char *flat = strstr(leaf, "%s");
	size_t prefix = flat ? (size_t)(flat - leaf) : 0;
	char key[64];

	if (!flat)
		jw_object(w, leaf);
	memcpy(key, leaf, prefix);
	for (unsigned int i = 0; i < r->keys->n; i++) {
		unsigned int k = key_index(r->keys, i);
		const char *name = r->keys->name(k);
		size_t len = strnlen(name, sizeof(key) - prefix - 1);

		/* no snprintf: this runs for every number of every device */
		memcpy(key + prefix, name, len);
		key[prefix + len] = '\0';
		row_number(w, key, row, k, device_row_value(r, d, k, now_ns), mark);
	}
	if (!flat)
		jw_object_end(w);
}

void snapshot_device_members_marked(struct json_writer *w, const struct device *d,
				    uint64_t now_ns, bool details,
				    const struct member_marker *mark)
{
	char open[128] = "";

	for (size_t i = 0; i < device_rows_n; i++) {
		const struct device_row *r = &device_rows[i];
		const char *leaf = strrchr(r->path, '.');
		size_t obj_len = leaf ? (size_t)(leaf - r->path) : 0;

		if (r->kind == ROW_PART) {
			enter_object(w, open, sizeof(open), r->path, strlen(r->path));
			r->part(w, d, now_ns, details);
			continue;
		}
		if (r->kind == ROW_KEYED && r->json == DN_BYPART)
			continue;
		enter_object(w, open, sizeof(open), r->path, obj_len);
		leaf = leaf ? leaf + 1 : r->path;
		if (r->kind == ROW_KEYED)
			keyed_json(w, i, leaf, d, now_ns, mark);
		else
			row_number(w, leaf, i, 0, device_row_value(r, d, 0, now_ns), mark);
	}
	enter_object(w, open, sizeof(open), "", 0);
}

void snapshot_device_members(struct json_writer *w, const struct device *d, uint64_t now_ns,
			     bool details)
{
	snapshot_device_members_marked(w, d, now_ns, details, NULL);
}

static void device_json(struct json_writer *w, const struct device *d, uint64_t now_ns,
			bool details, struct device_json_cache *cache)
{
	jw_object(w, NULL);
	device_json_members(cache, w, d, now_ns, details);
	jw_object_end(w);
}

static void hooks_json(struct json_writer *w, const char *key, const struct daemon_status *st,
		       bool attached)
{
	jw_array(w, key);
	for (int i = 0; i < st->n_hooks; i++) {
		const struct hook_status *h = &st->hooks[i];

		if (!h->selected || h->attached != attached)
			continue;
		jw_object(w, NULL);
		jw_str(w, "function", h->function);
		jw_str(w, "mechanism", h->mechanism);
		jw_str(w, "module", h->module);
		jw_str(w, "program", h->program);
		if (!attached)
			jw_str(w, "why", h->why);
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void stalls_json(struct json_writer *w, const struct daemon_status *st)
{
	uint64_t reports, overwritten, events;

	stall_stats(st->stalls, &reports, &overwritten, &events);
	jw_object(w, "stalls");
	jw_u64(w, "threshold_ns", st->stall_threshold_ns);
	jw_str(w, "report_dir", st->report_dir);
	jw_u64(w, "reports", reports);
	jw_u64(w, "recorded_events", events);
	jw_u64(w, "recorder_overwritten", overwritten);
	jw_object_end(w);
}

/* what its BPF maps hold in kernel memory, as of the latest attach ({} before one) */
static void kernel_memory_json(struct json_writer *w, const struct daemon_status *st)
{
	jw_object(w, "kernel_memory");
	jw_u64(w, "bytes", status_kernel_memory(st));
	jw_object(w, "maps");
	for (int i = 0; i < st->n_maps; i++)
		jw_u64(w, st->maps[i].name, st->maps[i].bytes);
	jw_object_end(w);
	jw_object_end(w);
}

/* the daemon's own process: /metrics' process_* families */
static void process_json(struct json_writer *w, const struct process_stats *p)
{
	if (!p->valid)
		return;
	jw_object(w, "process");
	jw_u64(w, "cpu_ns", p->cpu_ns);
	jw_u64(w, "resident_bytes", p->resident_bytes);
	jw_u64(w, "virtual_bytes", p->virtual_bytes);
	jw_u64(w, "open_fds", p->open_fds);
	jw_u64(w, "max_fds", p->max_fds);
	jw_u64(w, "start_time_ns", p->start_time_ns);
	jw_object_end(w);
}

struct snapshot_clock snapshot_clock_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (struct snapshot_clock){
		.real_ns = (uint64_t)now.tv_sec * 1000000000ull + now.tv_nsec,
		.mono_ns = mono_ns(),
	};
}

static void snapshot_json(struct json_writer *w, const struct daemon_status *st,
			  const struct device_table *t, bool details,
			  const struct snapshot_clock *at, struct device_json_cache *cache)
{
	uint64_t lost_total = 0;

	jw_object(w, NULL);
	jw_int(w, "schema_version", SNAPSHOT_SCHEMA_VERSION);
	jw_u64(w, "time_ns", at->real_ns);
	jw_object(w, "kernel");
	jw_str(w, "release", st->kernel_release);
	jw_str(w, "version", st->kernel_version);
	jw_object_end(w);
	jw_object(w, "daemon");
	jw_str(w, "version", st->version);
	if (details)
		jw_int(w, "pid", st->pid);
	jw_int(w, "started_at", st->started_at);
	jw_int(w, "counters_since", st->counters_since_ns / 1000000000ull);
	jw_str(w, "pinned", st->pinned);
	jw_str(w, "state", st->state);
	jw_u64(w, "json_lines_dropped", status_json_lines_dropped(st));
	kernel_memory_json(w, st);
	process_json(w, &st->process);
	jw_object_end(w);
	stalls_json(w, st);
	hooks_json(w, "hooks", st, true);
	hooks_json(w, "hooks_unavailable", st, false);
	for (int c = 0; c < LOST_CAUSES; c++)
		lost_total += lost_events(st, c);
	jw_u64(w, "lost_events", lost_total);
	jw_object(w, "lost_events_by_cause");
	for (int c = 0; c < LOST_CAUSES; c++)
		jw_u64(w, lost_cause_names[c], lost_events(st, c));
	jw_object_end(w);
	jw_array(w, "devices");
	for (size_t i = 0; i < t->n; i++)
		device_json(w, &t->devs[i], at->mono_ns, details, cache);
	jw_array_end(w);
	if (st->dma)
		dma_json(w, st->dma, t, details);
	jw_object_end(w);
}

char *snapshot_render_at(const struct daemon_status *st, const struct device_table *t,
			 bool pretty, bool details, const struct snapshot_clock *at)
{
	struct json_writer w;

	if (pretty)
		jw_init_pretty(&w);
	else
		jw_init(&w);
	snapshot_json(&w, st, t, details, at, NULL);
	return jw_finish(&w);
}

char *snapshot_render_cached(const struct daemon_status *st, const struct device_table *t,
			     bool details, struct device_json_cache *cache,
			     const struct snapshot_clock *at)
{
	struct json_writer w;

	jw_init(&w);
	snapshot_json(&w, st, t, details, at, cache);
	return jw_finish(&w);
}

char *snapshot_render_for(const struct daemon_status *st, const struct device_table *t,
			  bool pretty, bool details)
{
	struct snapshot_clock now = snapshot_clock_now();

	return snapshot_render_at(st, t, pretty, details, &now);
}

char *snapshot_render(const struct daemon_status *st, const struct device_table *t,
		      bool pretty)
{
	return snapshot_render_for(st, t, pretty, true);
}
