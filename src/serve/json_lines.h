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

struct json_lines;

/* "-" is stdout. NULL with a message logged if PATH cannot be opened. */
struct json_lines *json_lines_open(const char *path);
/* Reopens PATH (after logrotate moved it); stdout stays. */
int json_lines_reopen(struct json_lines *jl);
/* Writes a line per device of snap; returns the number written, -1 on error. */
int json_lines_write(struct json_lines *jl, json_object *snap);
void json_lines_close(struct json_lines *jl);

/* The line for one device (a new reference); for tests and the writer. */
json_object *json_line_build(json_object *snap, json_object *dev, const char *host);

#endif
