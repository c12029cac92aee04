// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Resets: VFIO_DEVICE_RESET on its own, then (--load-threads) function and
 * hot resets while threads keep faulting the BAR in.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <linux/vfio.h>

#include "workload.h"

void run_resets(const struct options *o, const struct vfio *v, struct truth *t)
{
	int last_errno = 0;

	for (unsigned long i = 0; i < o->resets; i++) {
		double start = now_ms();
		int ret = ioctl(v->device, VFIO_DEVICE_RESET);

		t->reset_ms[i] = now_ms() - start;
		if (ret) {
			last_errno = errno;
			t->reset_errno[i] = last_errno;
			t->resets_failed++;
		} else {
			t->resets_ok++;
		}
	}
	if (t->resets_failed)
		fprintf(stderr, PROG ": VFIO_DEVICE_RESET failed %lu of %lu times (last: %s)\n",
			t->resets_failed, o->resets, strerror(last_errno));
}

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* One load thread: reads the BAR page by page until told to stop. */
struct load_worker {
	pthread_t thread;
	const struct vfio *v;
	atomic_bool *stop;
	volatile unsigned long pages;	/* volatile: must survive a siglongjmp */
	unsigned long sigbus;
};

/*
 * One pass over the BAR, one byte read per 4 KiB page (a fault wherever the
 * mapping was zapped); true if a read raised SIGBUS. Stops early when told to:
 * a pass over a zapped 1 GiB BAR can take longer than the whole load.
 */
static bool load_pass_raises_sigbus(struct load_worker *w)
{
	if (sigsetjmp(sigbus_env, 1))
		return true;
	sigbus_armed = 1;
	for (uint64_t off = 0; off < w->v->bar_size && !atomic_load(w->stop); off += TOUCH_STRIDE) {
		(void)w->v->map[off];	/* a volatile read, even in a void context */
		w->pages++;
	}
	sigbus_armed = 0;
	return false;
}

static void *load_thread(void *arg)
{
	struct load_worker *w = arg;

	/* SIGBUS is a bug to count here, not to die of: the next pass starts over */
	while (!atomic_load(w->stop))
		if (load_pass_raises_sigbus(w))
			w->sigbus++;
	return NULL;
}

/*
 * How many devices our hot reset would reset: asked first with room for none
 * (ENOSPC then says how many), then with room for them all.
 */
static unsigned int hot_reset_devices(const struct vfio *v)
{
	struct vfio_pci_hot_reset_info hdr = { .argsz = sizeof(hdr) };
	struct vfio_pci_hot_reset_info *info;
	unsigned int count;
	size_t size;

	if (!ioctl(v->device, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &hdr))
		return hdr.count;
	if (errno != ENOSPC) {
		fprintf(stderr, PROG ": VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: %s\n", strerror(errno));
		return 0;
	}
	count = hdr.count;
	size = sizeof(*info) + (size_t)count * sizeof(info->devices[0]);
	info = calloc(1, size);
	if (!info)
		die_errno("calloc");
	info->argsz = (uint32_t)size;
	if (ioctl(v->device, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info))
		fprintf(stderr, PROG ": VFIO_DEVICE_GET_PCI_HOT_RESET_INFO(%u devices): %s\n",
			count, strerror(errno));
	else
		count = info->count;
	free(info);
	if (count > 1)
		fprintf(stderr, PROG ": a hot reset would reset %u devices, we hold one group\n",
			count);
	return count;
}

/* A timed reset ioctl: its errno, or 0 if it worked. */
static int timed_reset(const struct vfio *v, unsigned long request, void *arg, double *ms)
{
	double start = now_ms();
	int ret = ioctl(v->device, request, arg);
	int err = ret ? errno : 0;

	*ms = now_ms() - start;
	return err;
}

static void report_failures(const char *what, unsigned long attempted, unsigned long ok,
			    const int *errnos)
{
	unsigned long busy = 0;
	int last = 0;

	if (ok == attempted)
		return;
	for (unsigned long i = 0; i < attempted; i++) {
		busy += errnos[i] == EBUSY;
		if (errnos[i])
			last = errnos[i];
	}
	fprintf(stderr, PROG ": load: %s failed %lu of %lu times (%lu EBUSY; last: %s)\n",
		what, attempted - ok, attempted, busy, strerror(last));
}

/*
 * Resets while faults are running: the threads keep faulting the BAR back in,
 * the resets keep zapping it. Hot resets may lose their trylocks to the faults
 * and fail with EBUSY: that is an outcome to record, not an error.
 */
void run_load(const struct options *o, const struct vfio *v, struct truth *t)
{
	struct vfio_pci_hot_reset *hot = NULL;
	struct load_worker *w;
	atomic_bool stop;
	unsigned long steps = o->load_resets > o->hot_resets ? o->load_resets : o->hot_resets;

	if (!o->load_threads)
		return;
	/* everything a reset needs is ready before the load starts */
	if (o->hot_resets) {
		size_t size = sizeof(*hot) + sizeof(hot->group_fds[0]);

		t->hot_reset_devices = hot_reset_devices(v);
		hot = calloc(1, size);
		if (!hot)
			die_errno("calloc");
		/* the device is alone in its group and behind its port: our group is all */
		hot->argsz = (uint32_t)size;
		hot->count = 1;
		hot->group_fds[0] = v->group;
	}
	w = calloc(o->load_threads, sizeof(*w));
	if (!w)
		die_errno("calloc");
	atomic_init(&stop, false);
	for (unsigned int i = 0; i < o->load_threads; i++) {
		w[i] = (struct load_worker){ .v = v, .stop = &stop };
		start_thread(&w[i].thread, load_thread, &w[i]);
	}

	sleep_ms(o->load_ms / 2);
	if (o->rt_resets &&
	    pthread_setschedparam(pthread_self(), SCHED_FIFO, &(struct sched_param){ .sched_priority = 1 }))
		fprintf(stderr, PROG ": --rt-resets: SCHED_FIFO refused\n");
	/* interleaved, so each kind of reset meets running faults */
	for (unsigned long i = 0; i < steps; i++) {
		if (i < o->load_resets) {
			t->load_reset_errno[i] = timed_reset(v, VFIO_DEVICE_RESET, NULL,
							     &t->load_reset_ms[i]);
			t->load_resets_ok += !t->load_reset_errno[i];
		}
		if (i < o->hot_resets) {
			t->hot_reset_errno[i] = timed_reset(v, VFIO_DEVICE_PCI_HOT_RESET, hot,
							    &t->hot_reset_ms[i]);
			t->hot_resets_ok += !t->hot_reset_errno[i];
		}
	}
	if (o->rt_resets)
		pthread_setschedparam(pthread_self(), SCHED_OTHER, &(struct sched_param){ 0 });
	sleep_ms(o->load_ms - o->load_ms / 2);

	atomic_store(&stop, true);
	for (unsigned int i = 0; i < o->load_threads; i++) {
		join_thread(w[i].thread);
		t->load_pages_touched += w[i].pages;
		t->load_sigbus += w[i].sigbus;
	}
	free(w);
	free(hot);
	report_failures("VFIO_DEVICE_RESET", o->load_resets, t->load_resets_ok,
			t->load_reset_errno);
	report_failures("VFIO_DEVICE_PCI_HOT_RESET", o->hot_resets, t->hot_resets_ok,
			t->hot_reset_errno);
	if (t->load_sigbus)
		fprintf(stderr, PROG ": load: %lu SIGBUS in %lu page reads\n",
			t->load_sigbus, t->load_pages_touched);
}
