// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The race phase (--race-threads): threads let go at once on a freshly
 * zapped mapping, their first faults racing, each read checked.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

#define RACE_PAGES	64UL		/* pages each race thread reads */
#define RACE_MAGIC	0x5646494f00000000ULL	/* "VFIO" above the page index */

static uint64_t race_pattern(unsigned long page)
{
	return RACE_MAGIC | page;
}

static volatile uint64_t *race_word(const struct vfio *v, unsigned long page)
{
	return (volatile uint64_t *)(v->map + page * TOUCH_STRIDE);
}

/* One race thread's round. Volatile: what it counted must survive a siglongjmp. */
struct race_worker {
	pthread_t thread;
	const struct vfio *v;
	pthread_barrier_t *start;
	unsigned long pages;
	volatile unsigned long next;	/* the page to read next */
	volatile unsigned long reads;
	volatile unsigned long mismatches;
	unsigned long sigbus;
};

/*
 * Reads and checks the pages from w->next on; true if one raised SIGBUS,
 * with w->next still at that page. All state lives in *w, for the siglongjmp.
 */
static bool race_read_raises_sigbus(struct race_worker *w)
{
	if (sigsetjmp(sigbus_env, 1))
		return true;
	sigbus_armed = 1;
	for (; w->next < w->pages; w->next++) {
		uint64_t got = *race_word(w->v, w->next);

		w->reads++;
		if (got != race_pattern(w->next))
			w->mismatches++;
	}
	sigbus_armed = 0;
	return false;
}

static void *race_thread(void *arg)
{
	struct race_worker *w = arg;
	int err = pthread_barrier_wait(w->start);

	if (err && err != PTHREAD_BARRIER_SERIAL_THREAD)
		die("pthread_barrier_wait: %s", strerror(err));
	/* a page that raised SIGBUS was not read: go on with the next one */
	while (race_read_raises_sigbus(w)) {
		w->sigbus++;
		w->next++;
	}
	return NULL;
}

/*
 * Concurrent faults on the same fresh vma: each round zaps the mapping, then
 * all threads are let go at once to read the same pages, so that their first
 * faults race. Each page holds its own pattern: a fault that maps the wrong
 * pfn shows up as a mismatch (counted, not fatal).
 */
void run_race(const struct options *o, const struct vfio *v, struct truth *t)
{
	struct race_worker *w;
	pthread_barrier_t start;
	int err;

	if (!o->race_threads)
		return;
	t->race_pages = pages_per_round(v) < RACE_PAGES ? pages_per_round(v) : RACE_PAGES;
	/* memory is enabled again after every earlier phase: these writes just fault */
	for (unsigned long p = 0; p < t->race_pages; p++)
		*race_word(v, p) = race_pattern(p);

	w = calloc(o->race_threads, sizeof(*w));
	if (!w)
		die_errno("calloc");
	err = pthread_barrier_init(&start, NULL, o->race_threads);
	if (err)
		die("pthread_barrier_init: %s", strerror(err));
	for (unsigned long r = 0; r < o->race_rounds; r++) {
		write_command(v, false, t);
		write_command(v, true, t);
		/* the barrier lets them go only once the last one has started */
		for (unsigned int i = 0; i < o->race_threads; i++) {
			w[i] = (struct race_worker){ .v = v, .start = &start, .pages = t->race_pages };
			start_thread(&w[i].thread, race_thread, &w[i]);
		}
		for (unsigned int i = 0; i < o->race_threads; i++) {
			join_thread(w[i].thread);
			t->race_reads += w[i].reads;
			t->race_mismatches += w[i].mismatches;
			t->race_sigbus += w[i].sigbus;
		}
	}
	pthread_barrier_destroy(&start);
	free(w);
	if (t->race_mismatches || t->race_sigbus)
		fprintf(stderr, PROG ": race: %lu mismatches and %lu SIGBUS in %lu reads\n",
			t->race_mismatches, t->race_sigbus, t->race_reads);
}
