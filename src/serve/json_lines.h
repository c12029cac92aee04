/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --json-lines PATH|-: one JSON object per device per interval, for log
 * pipelines (Vector, Fluent Bit, Loki). Each line is the device's object from
 * the snapshot with a timestamp, the host and the kernel in front
 * (docs/json.md, schema docs/vfiotop.schema.json#/$defs/json_line).
 */
#ifndef VFIOTOP_JSON_LINES_H
#define VFIOTOP_JSON_LINES_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

struct json_lines;

/*
 * "-" is stdout. NULL with a message logged if PATH cannot be opened: it is
 * a link, a FIFO nobody reads, not a regular file or FIFO, or (unless
 * shared_ok) another user's file or one with other hard links.
 *
 * Nothing blocks: a pipe, FIFO or terminal that does not take a line at once
 * loses it (json_lines_dropped() counts them, logged once); a line it took
 * part of is finished before the next one.
 */
struct json_lines *json_lines_open(const char *path, bool shared_ok);
/* Reopens PATH (after logrotate moved it); stdout stays. */
int json_lines_reopen(struct json_lines *jl);
/* Writes a line per device of snap; returns the number written, -1 on error. */
int json_lines_write(struct json_lines *jl, json_object *snap);
void json_lines_close(struct json_lines *jl);
/* Lines dropped so far because the reader did not take them */
uint64_t json_lines_dropped(const struct json_lines *jl);

/* The line for one device (a new reference); for tests and the writer. */
json_object *json_line_build(json_object *snap, json_object *dev, const char *host);

#endif
