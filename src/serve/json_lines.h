/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --json-lines PATH|-: one JSON object per device per interval, for log
 * pipelines (Vector, Fluent Bit, Loki). Each line is the device's object from
 * the snapshot with a timestamp, the host and the kernel in front
 * (docs/json.md, schema docs/vfiotop.schema.json#/$defs/json_line).
 */
#ifndef VFIOTOP_JSON_LINES_H
#define VFIOTOP_JSON_LINES_H

#include <stdbool.h>
#include <stdint.h>

#include "json_writer.h"

struct json_lines;
struct daemon_status;
struct device;
struct device_table;
struct snapshot_clock;

/*
 * "-" is stdout. NULL with a message logged if PATH cannot be opened: it is
 * a link, a FIFO nobody reads, not a regular file or FIFO, or (unless
 * shared_ok) another user's file or one with other hard links.
 *
 * Nothing blocks: a pipe, FIFO or terminal that does not take a line at once
 * loses it (daemon.json_lines_dropped counts them, logged once); a line it took
 * part of is finished before the next one.
 */
struct json_lines *json_lines_open(const char *path, bool shared_ok);
/* Reopens PATH (after logrotate moved it); stdout stays. */
int json_lines_reopen(struct json_lines *jl);
/*
 * Writes a line per device of t, straight from the table as the snapshot
 * would (no document is rendered and parsed for it); returns the number
 * written, -1 on error.
 */
int json_lines_write(struct json_lines *jl, const struct daemon_status *st,
		     const struct device_table *t);
void json_lines_close(struct json_lines *jl);
/*
 * Where the count of lines dropped because the reader did not take them is,
 * for the daemon's status to show (daemon.json_lines_dropped)
 */
const uint64_t *json_lines_dropped_count(const struct json_lines *jl);

/*
 * One device's line, without its newline: the envelope (timestamp, time_ns,
 * host, kernel_release, schema_version), then the members of the device's
 * object in the snapshot taken at the same time.
 */
void json_line_json(struct json_writer *w, const struct daemon_status *st,
		    const struct device *d, const struct snapshot_clock *at, const char *host);

#endif
