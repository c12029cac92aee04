/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * device_numbers.h as data for the outputs that read the model: each row
 * with its counter's offset or its derived value, its key set and, for a
 * hand-written part, the function that writes it.
 */
#ifndef VFIOTOP_DEVICE_ROWS_H
#define VFIOTOP_DEVICE_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device_numbers.h"
#include "devices.h"
#include "json_writer.h"
#include "names.h"

enum row_kind { ROW_NUM, ROW_KEYED, ROW_PART };

/* a part writes members of the object it sits in; details: pids, comms, addresses */
typedef void (*row_part_fn)(struct json_writer *w, const struct device *d, uint64_t now_ns,
			    bool details);

struct device_row {
	enum row_kind kind;
	const char *path;
	size_t stat;		/* offset in struct device_stats, unless derive */
	uint64_t (*derive)(const struct device *d, unsigned int key, uint64_t now_ns);
	const struct key_set *keys;
	enum dn_unit unit;
	const char *family;	/* "" for none */
	enum dn_type type;
	const char *label;
	const char *(*relabel)(unsigned int index);
	enum dn_json json;
	const char *help;
	const char *doc;	/* docs/json.md's words after help, "" none */
	row_part_fn part;
};

extern const struct device_row device_rows[];
extern const size_t device_rows_n;

/* the row's value for key index (0 for a NUM), at now_ns */
uint64_t device_row_value(const struct device_row *r, const struct device *d, unsigned int key,
			  uint64_t now_ns);
/* its value grows with now_ns alone (a power state's time so far) */
bool device_row_ticks(const struct device_row *r);
/* a family shows nanoseconds in seconds */
static inline double device_row_scale(const struct device_row *r)
{
	return r->unit == DN_NS ? 1e-9 : 1;
}

#endif
