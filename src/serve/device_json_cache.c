// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "device_hash.h"
#include "device_json_cache.h"
#include "device_rows.h"
#include "key_slots.h"
#include "snapshot_json.h"

/* power.in_state_ns and power.time_ns' states; more is rendered uncached */
#define TICKING_MAX 16

/* where a ticking number's digits sit in a device's text */
struct ticking_place {
	uint32_t at;
	uint8_t len;
	uint16_t row;		/* in device_rows */
	uint16_t key;
};

struct members_text {
	bool valid;
	uint64_t hash;		/* of the device it was rendered from */
	char *text;
	size_t len;
	struct ticking_place places[TICKING_MAX];
	unsigned int n_places;
};

struct cached_device {
	struct members_text by_details[2];
};

struct device_json_cache {
	struct key_slots devs;	/* of struct cached_device */
	uint64_t rendered, reused;
};

struct device_json_cache *device_json_cache_new(void)
{
	return calloc(1, sizeof(struct device_json_cache));
}

static void free_cached(void *p)
{
	struct cached_device *e = p;

	for (int v = 0; e && v < 2; v++)
		free(e->by_details[v].text);
	free(e);
}

void device_json_cache_free(struct device_json_cache *c)
{
	if (!c)
		return;
	key_slots_free(&c->devs, free_cached);
	free(c);
}

void device_json_cache_stats(const struct device_json_cache *c, uint64_t *rendered,
			     uint64_t *reused)
{
	*rendered = c->rendered;
	*reused = c->reused;
}

static struct cached_device *entry_for(struct device_json_cache *c, uint32_t key)
{
	struct key_slot *slot = key_slot(&c->devs, key);

	if (slot && !slot->p)
		slot->p = calloc(1, sizeof(struct cached_device));
	return slot ? slot->p : NULL;
}

static unsigned int decimal_digits(uint64_t v)
{
	unsigned int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

struct marking {
	struct members_text *mt;
	size_t start;		/* where the device's first member begins in the writer */
	bool overflow;
};

static void mark_ticking(void *ctx, const struct json_writer *w, size_t row, unsigned int key,
			 uint64_t value)
{
	struct marking *m = ctx;
	struct members_text *mt = m->mt;

	if (mt->n_places == TICKING_MAX) {
		m->overflow = true;
		return;
	}
	mt->places[mt->n_places++] = (struct ticking_place){
		.at = w->len - decimal_digits(value) - m->start,
		.len = decimal_digits(value),
		.row = row,
		.key = key,
	};
}

/* renders d's members into w, and keeps them in mt unless something failed */
static void render_keeping(struct members_text *mt, struct json_writer *w,
			   const struct device *d, uint64_t now_ns, bool details, uint64_t hash)
{
	/* the separator member() writes before the first member is not the device's */
	struct marking m = { .mt = mt, .start = w->len + !w->first };
	struct member_marker mark = { .ticking = mark_ticking, .ctx = &m };
	char *text;

	mt->valid = false;
	mt->n_places = 0;
	snapshot_device_members_marked(w, d, now_ns, details, &mark);
	if (w->failed || m.overflow || w->len < m.start)
		return;
	text = realloc(mt->text, w->len - m.start);
	if (!text)
		return;
	memcpy(text, w->buf + m.start, w->len - m.start);
	mt->text = text;
	mt->len = w->len - m.start;
	mt->hash = hash;
	mt->valid = true;
}

static void write_kept(const struct members_text *mt, struct json_writer *w,
		       const struct device *d, uint64_t now_ns)
{
	size_t from = 0;

	for (unsigned int i = 0; i < mt->n_places; i++) {
		const struct ticking_place *p = &mt->places[i];

		if (!from)
			jw_raw_members(w, mt->text, p->at);
		else
			jw_raw(w, mt->text + from, p->at - from);
		jw_raw_u64(w, device_row_value(&device_rows[p->row], d, p->key, now_ns));
		from = p->at + p->len;
	}
	if (!from)
		jw_raw_members(w, mt->text, mt->len);
	else
		jw_raw(w, mt->text + from, mt->len - from);
}

void device_json_members(struct device_json_cache *c, struct json_writer *w,
			 const struct device *d, uint64_t now_ns, bool details)
{
	struct cached_device *e;
	struct members_text *mt;
	uint64_t hash;

	if (!c || w->pretty || !(e = entry_for(c, d->key))) {
		snapshot_device_members(w, d, now_ns, details);
		return;
	}
	mt = &e->by_details[details];
	hash = device_content_hash(d);
	if (mt->valid && mt->hash == hash) {
		write_kept(mt, w, d, now_ns);
		c->reused++;
		return;
	}
	render_keeping(mt, w, d, now_ns, details, hash);
	c->rendered++;
}
