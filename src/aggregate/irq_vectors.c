// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "irq_vectors.h"

static struct irq_vector *vector_add(struct device *d)
{
	if (d->n_vectors == d->vectors_cap) {
		int cap = d->vectors_cap ? d->vectors_cap * 2 : 4;
		struct irq_vector *n = realloc(d->vectors, (size_t)cap * sizeof(*n));

		if (!n)
			return NULL;
		d->vectors = n;
		d->vectors_cap = cap;
	}
	return &d->vectors[d->n_vectors++];
}

static int vector_order(const void *a, const void *b)
{
	const struct irq_vector *x = a, *y = b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return (x->vector > y->vector) - (x->vector < y->vector);
}

static void add_counts(struct device_stats *s, const struct irq_vector *v)
{
	if (v->index < VTOP_IRQ_INDEX_MAX)
		s->irq_interrupts[v->index] += v->interrupts;
	s->irq_unhandled += v->unhandled;
	s->intx_unmasks += v->unmasks;
	s->intx_masked_ns += v->masked_ns;
	s->irq_reads += v->reads;
	s->irq_wait_ns += v->wait_ns;
	if (v->wait_max_ns > s->irq_wait_max_ns)
		s->irq_wait_max_ns = v->wait_max_ns;
}

void devtab_take_vectors(struct device_table *t, const struct vtop_vec_stats *vec, uint32_t n)
{
	for (size_t i = 0; i < t->n; i++)
		t->devs[i].n_vectors = 0;
	for (uint32_t slot = 0; slot < n; slot++) {
		/* the handlers write while we read: one load of each field */
		struct vtop_vec_stats s = vec[slot];
		struct irq_vector *v;
		struct device *d;

		if (!s.dev)
			continue;
		d = devtab_get(t, s.dev);
		v = d ? vector_add(d) : NULL;
		if (!v)
			continue;
		/* zeroed whole: the cache of rendered devices hashes the bytes */
		memset(v, 0, sizeof(*v));
		v->index = s.index;
		v->vector = s.vector;
		v->irq = s.irq;
		v->active = s.active;
		v->bypass = s.bypass;
		v->interrupts = s.interrupts;
		v->unhandled = s.unhandled;
		v->unmasks = s.unmasks;
		v->masked_ns = s.masked_ns;
		v->reads = s.reads;
		v->wait_ns = s.wait_ns;
		v->wait_max_ns = s.wait_max_ns;
	}
	for (size_t i = 0; i < t->n; i++) {
		struct device *d = &t->devs[i];

		if (d->n_vectors > 1)
			qsort(d->vectors, d->n_vectors, sizeof(*d->vectors), vector_order);
		for (int k = 0; k < d->n_vectors; k++)
			add_counts(&d->stats, &d->vectors[k]);
	}
}
