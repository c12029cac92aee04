/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The snapshot document (docs/json.md): what `vfiotop --json` prints. */
#ifndef VFIOTOP_SNAPSHOT_JSON_H
#define VFIOTOP_SNAPSHOT_JSON_H

#include "devices.h"
#include "json_writer.h"
#include "status.h"

/*
 * When a document is written: time_ns is the wall clock, and the durations
 * it holds (a power state's so far) end at the monotonic one. Read once, so
 * that every device, and every --json-lines line of an interval, agree.
 */
struct snapshot_clock {
	uint64_t real_ns;	/* CLOCK_REALTIME */
	uint64_t mono_ns;	/* mono_ns() */
};

struct snapshot_clock snapshot_clock_now(void);

struct device_json_cache;

/* The whole document as one string; the caller frees it. NULL on ENOMEM. */
char *snapshot_render(const struct daemon_status *st, const struct device_table *t,
		      bool pretty);
/*
 * The same; without details, pids, comms and addresses are left out (what
 * HTTP serves to a client that did not authenticate: docs/json.md).
 */
char *snapshot_render_for(const struct daemon_status *st, const struct device_table *t,
			  bool pretty, bool details);
/* The same, at a given time: for tests, which compare documents byte for byte */
char *snapshot_render_at(const struct daemon_status *st, const struct device_table *t,
			 bool pretty, bool details, const struct snapshot_clock *at);
/*
 * The same, compact, each device's members taken from cache while the
 * device has not changed (device_json_cache.h): what the daemon serves.
 */
char *snapshot_render_cached(const struct daemon_status *st, const struct device_table *t,
			     bool details, struct device_json_cache *cache,
			     const struct snapshot_clock *at);
/*
 * One device's members, what its object in devices[] holds, into an object
 * the caller opened: a --json-lines line is them after its envelope.
 */
void snapshot_device_members(struct json_writer *w, const struct device *d, uint64_t now_ns,
			     bool details);

/*
 * Told of each number that changes with now_ns alone (a power state's time
 * so far) right after its digits, the writer's last bytes: row indexes
 * device_rows, key its key set.
 */
struct member_marker {
	void (*ticking)(void *ctx, const struct json_writer *w, size_t row, unsigned int key,
			uint64_t value);
	void *ctx;
};

/* snapshot_device_members, telling mark (NULL: nobody) of the ticking numbers */
void snapshot_device_members_marked(struct json_writer *w, const struct device *d,
				    uint64_t now_ns, bool details,
				    const struct member_marker *mark);

#endif
