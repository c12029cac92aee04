/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A pointer kept per device key, in an array sorted by key: what the caches
 * of rendered devices hold per device, found by a binary search. What the
 * pointers point to never moves as slots are added.
 */
#ifndef VFIOTOP_KEY_SLOTS_H
#define VFIOTOP_KEY_SLOTS_H

#include <stddef.h>
#include <stdint.h>

struct key_slot {
	uint32_t key;
	void *p;
};

struct key_slots {
	struct key_slot *slots;
	size_t n, cap;
};

/* key's slot, added with a NULL p if new; NULL on ENOMEM */
struct key_slot *key_slot(struct key_slots *s, uint32_t key);
/* frees each slot's p with free_p, then the array */
void key_slots_free(struct key_slots *s, void (*free_p)(void *p));

#endif
