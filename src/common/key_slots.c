// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "key_slots.h"

struct key_slot *key_slot(struct key_slots *s, uint32_t key)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->slots[mid].key == key)
			return &s->slots[mid];
		if (s->slots[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct key_slot *slots = realloc(s->slots, cap * sizeof(*slots));

		if (!slots)
			return NULL;
		s->slots = slots;
		s->cap = cap;
	}
	memmove(&s->slots[lo + 1], &s->slots[lo], (s->n - lo) * sizeof(*s->slots));
	s->n++;
	s->slots[lo] = (struct key_slot){ .key = key };
	return &s->slots[lo];
}

void key_slots_free(struct key_slots *s, void (*free_p)(void *p))
{
	for (size_t i = 0; i < s->n; i++)
		free_p(s->slots[i].p);
	free(s->slots);
	*s = (struct key_slots){ 0 };
}
