// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "array_size.h"
#include "device_parts.h"
#include "device_rows.h"
#include "device_values.h"

/* the values device_numbers.h derives, D(fn): fn(device, key, now) */

static uint64_t dv_mapped_bytes(const struct device *d, unsigned int key, uint64_t now_ns)
{
	return device_mapped_bytes(&d->stats);
}

static uint64_t dv_reserved_elsewhere(const struct device *d, unsigned int key, uint64_t now_ns)
{
	return d->reserved_elsewhere;
}

static uint64_t dv_mismatches(const struct device *d, unsigned int key, uint64_t now_ns)
{
	return device_memtype_mismatches(&d->stats);
}

static uint64_t dv_last_reset(const struct device *d, unsigned int key, uint64_t now_ns)
{
	return d->last_reset_ns;
}

static uint64_t dv_last_wait(const struct device *d, unsigned int key, uint64_t now_ns)
{
	return d->last_reset_wait_ns;
}

static uint64_t dv_dmabufs_alive(const struct device *d, unsigned int key, uint64_t now_ns)
{
	return device_dmabufs_alive(&d->stats);
}

/* the device's vectors that are active now, or that have a bypass consumer */
static uint64_t vectors_now(const struct device *d, bool bypass)
{
	uint64_t n = 0;

	for (int i = 0; i < d->n_vectors; i++)
		n += bypass ? d->vectors[i].bypass : d->vectors[i].active;
	return n;
}

static uint64_t dv_vectors_active(const struct device *d, unsigned int key, uint64_t now_ns)
{
	return vectors_now(d, false);
}

static uint64_t dv_vectors_bypass(const struct device *d, unsigned int key, uint64_t now_ns)
{
	return vectors_now(d, true);
}

static uint64_t dv_in_state(const struct device *d, unsigned int key, uint64_t now_ns)
{
	return device_power_in_state_ns(d, now_ns);
}

static uint64_t dv_power_time(const struct device *d, unsigned int key, uint64_t now_ns)
{
	return device_power_time_ns(d, key, now_ns);
}

static uint64_t dv_owners_dropped(const struct device *d, unsigned int key, uint64_t now_ns)
{
	return d->owners_dropped;
}

#define S(field)	.stat = offsetof(struct device_stats, field)
#define D(fn)		.derive = fn

#define ROW_NUM(id, path_, src, unit_, family_, type_, view, help_, doc_)		\
	{ .kind = ROW_NUM, .path = path_, src, .unit = DN_##unit_, .family = family_,	\
	  .type = DN_##type_, .help = help_, .doc = doc_ },
#define ROW_KEYED(id, path_, keys_, src, unit_, family_, label_, relabel_, json_, help_, doc_) \
	{ .kind = ROW_KEYED, .path = path_, .keys = &keys_, src, .unit = DN_##unit_,	\
	  .family = family_, .type = DN_COUNTER, .label = label_, .relabel = relabel_,	\
	  .json = DN_##json_, .help = help_, .doc = doc_ },
#define ROW_PART(path_, writer)	{ .kind = ROW_PART, .path = path_, .part = writer },

const struct device_row device_rows[] = {
	VTOP_DEVICE_NUMBERS(ROW_NUM, ROW_KEYED, ROW_PART)
};
const size_t device_rows_n = ARRAY_SIZE(device_rows);

uint64_t device_row_value(const struct device_row *r, const struct device *d, unsigned int key,
			  uint64_t now_ns)
{
	if (r->derive)
		return r->derive(d, key, now_ns);
	return ((const uint64_t *)((const char *)&d->stats + r->stat))[key];
}

bool device_row_ticks(const struct device_row *r)
{
	return r->derive == dv_in_state || r->derive == dv_power_time;
}
