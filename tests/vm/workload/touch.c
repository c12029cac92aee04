// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Faulting the BAR in: the rounds of page touches (by one or several threads)
 * between memory disables, the touches that must raise SIGBUS, and the
 * mmap storm.
 */
#include <setjmp.h>
#include <string.h>
#include <sys/mman.h>

#include "workload.h"

unsigned long pages_per_round(const struct vfio *v)
{
	return (v->bar_size + TOUCH_STRIDE - 1) / TOUCH_STRIDE;
}

/* One write per 4 KiB page: each is a fault if the mapping was zapped. */
static void touch_pages(const struct vfio *v, uint8_t val)
{
	for (uint64_t off = 0; off < v->bar_size; off += TOUCH_STRIDE)
		v->map[off] = val;
}

/*
 * Writes one byte; true if that raised SIGBUS. Kept tiny so that nothing
 * live across sigsetjmp() can be clobbered by the siglongjmp().
 */
static bool touch_raises_sigbus(volatile uint8_t *p)
{
	/* savemask: SIGBUS is blocked inside the handler we jump out of */
	if (sigsetjmp(sigbus_env, 1))
		return true;
	sigbus_armed = 1;
	*p = 0x5a;
	sigbus_armed = 0;
	return false;
}

/* mmap and munmap the BAR again and again, untouched: one mmap event each */
void run_mmap_storm(const struct options *o, const struct vfio *v, struct truth *t)
{
	double start = now_ms();

	for (unsigned long i = 0; i < o->mmap_storm; i++) {
		void *p = mmap(NULL, v->bar_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->device,
			       v->bar_off);

		if (p == MAP_FAILED)
			die_errno("mmap storm");
		munmap(p, v->bar_size);
	}
	t->mmap_storm_ms = now_ms() - start;
}

/* A touching thread: every page of the round, with the others at once. */
struct touch_worker {
	pthread_t thread;
	const struct vfio *v;
	pthread_barrier_t *start;
	uint8_t val;
};

static void *touch_thread(void *arg)
{
	struct touch_worker *w = arg;
	int err = pthread_barrier_wait(w->start);

	if (err && err != PTHREAD_BARRIER_SERIAL_THREAD)
		die("pthread_barrier_wait: %s", strerror(err));
	touch_pages(w->v, w->val);
	return NULL;
}

/*
 * --touch-threads: the round's touch done by several threads at once, each
 * over every page: their faults race for the same entries, and the pages
 * mapped must still be one per entry.
 */
static void touch_round(const struct options *o, const struct vfio *v, uint8_t val)
{
	struct touch_worker w[MAX_THREADS];
	pthread_barrier_t start;
	int err;

	if (o->touch_threads <= 1) {
		touch_pages(v, val);
		return;
	}
	err = pthread_barrier_init(&start, NULL, o->touch_threads);
	if (err)
		die("pthread_barrier_init: %s", strerror(err));
	for (unsigned int i = 0; i < o->touch_threads; i++) {
		w[i] = (struct touch_worker){ .v = v, .start = &start, .val = val };
		start_thread(&w[i].thread, touch_thread, &w[i]);
	}
	for (unsigned int i = 0; i < o->touch_threads; i++)
		join_thread(w[i].thread);
	pthread_barrier_destroy(&start);
}

void run_rounds(const struct options *o, const struct vfio *v, struct truth *t)
{
	for (unsigned long r = 0; r < o->rounds; r++) {
		double start = now_ms();

		touch_round(o, v, (uint8_t)(r + 1));
		t->touch_ms += now_ms() - start;
		write_command(v, false, t);
		write_command(v, true, t);
	}
}

void run_sigbus(const struct options *o, const struct vfio *v, struct truth *t)
{
	if (!o->sigbus)
		return;
	/* the clear zaps the mapping, so every touch below faults */
	write_command(v, false, t);
	for (unsigned long i = 0; i < o->sigbus; i++)
		if (touch_raises_sigbus(v->map))
			t->sigbus_delivered++;
	write_command(v, true, t);
}
