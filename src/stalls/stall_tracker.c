// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "report_files.h"
#include "safe_files.h"
#include "stall.h"

#define WINDOW_MARGIN_NS	100000000ull	/* context kept on each side */
/*
 * An ongoing stall's report is refreshed 1 s after its first write, then
 * at twice the last interval, up to every 32 s: a reset hung for minutes
 * keeps a current report without a write and a log line every second (at
 * 256 devices, a bus reset's report rewritten each second was a quarter of
 * the daemon's CPU in make bench).
 */
#define REWRITE_NS		1000000000ull
#define REWRITE_MAX_NS		(32 * REWRITE_NS)
/*
 * A device's ring starts this small and doubles up to cfg.events as its
 * events come: most devices of a fleet see a few opens and mmaps, and 256
 * events of 200 bytes each for 258 devices were 13 MiB of the daemon's RSS.
 */
#define RING_FIRST		16

struct dev_rec {
	uint32_t key;
	char bdf[16];
	struct vtop_event *ring;
	size_t cap, head, n;		/* oldest at (head - n) % cap */
	uint64_t overwritten;
	struct vtop_event req, reset;	/* begin events of what is in flight */
	bool req_open, reset_open;
	bool open;			/* a stall is being followed */
	uint64_t start, end, written;
	uint64_t rewrite_ns;		/* since written, when an ongoing report is written again */
	char name[96];			/* its report's file name, without extension */
};

struct stall_tracker {
	struct stall_config cfg;
	struct dev_rec *devs;
	size_t n;
	uint64_t reports, events;
	bool dir_refused;	/* said so once: not once a second */
};

/*
 * mkdir -p, the last level 0750: /var/lib/vfiotop may not exist yet. Made
 * with the first report: a daemon that never stalls leaves no trace.
 */
static int make_dirs(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0750) && errno != EEXIST ? -1 : 0;
}

struct stall_tracker *stall_new(const struct stall_config *cfg)
{
	struct stall_tracker *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->cfg = *cfg;
	if (!st->cfg.events)
		st->cfg.events = STALL_DEFAULT_EVENTS;
	return st;
}

void stall_free(struct stall_tracker *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++)
		free(st->devs[i].ring);
	free(st->devs);
	free(st);
}

static struct dev_rec *rec_get(struct stall_tracker *st, uint32_t key, const char *bdf)
{
	struct dev_rec *d;

	for (size_t i = 0; i < st->n; i++)
		if (st->devs[i].key == key)
			return &st->devs[i];
	if (st->n >= VTOP_MAX_DEVICES)
		return NULL;
	d = realloc(st->devs, (st->n + 1) * sizeof(*d));
	if (!d)
		return NULL;
	st->devs = d;
	d = &st->devs[st->n];
	memset(d, 0, sizeof(*d));
	d->cap = st->cfg.events < RING_FIRST ? st->cfg.events : RING_FIRST;
	d->ring = calloc(d->cap, sizeof(*d->ring));
	if (!d->ring)
		return NULL;
	d->key = key;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	st->n++;
	return d;
}

static uint64_t ev_begin(const struct vtop_event *e)
{
	return e->ts_ns > e->dur_ns ? e->ts_ns - e->dur_ns : 0;
}

static bool has_duration(const struct vtop_event *e)
{
	return e->type == VTOP_EV_REQUEST || e->type == VTOP_EV_RESET ||
	       e->type == VTOP_EV_ZAP || e->type == VTOP_EV_LOCK_WAIT ||
	       e->type == VTOP_EV_DMABUF_MOVE;
}

static void open_stall(struct dev_rec *d, uint64_t start, uint64_t end)
{
	if (!d->open) {
		d->open = true;
		d->start = start;
		d->end = end;
		d->written = 0;
		d->rewrite_ns = REWRITE_NS;
		d->name[0] = '\0';
		return;
	}
	if (start < d->start)
		d->start = start;
	if (end > d->end)
		d->end = end;
}

/* Doubles a full ring, up to max, oldest event first; false: it stays as it is. */
static bool ring_grow(struct dev_rec *d, size_t max)
{
	size_t cap = d->cap * 2 < max ? d->cap * 2 : max;
	struct vtop_event *ring = malloc(cap * sizeof(*ring));

	if (!ring)
		return false;
	for (size_t i = 0; i < d->n; i++)
		ring[i] = d->ring[(d->head + d->cap - d->n + i) % d->cap];
	free(d->ring);
	d->ring = ring;
	d->cap = cap;
	d->head = d->n % cap;
	return true;
}

void stall_event(struct stall_tracker *st, const struct vtop_event *e, const char *bdf)
{
	struct dev_rec *d = rec_get(st, e->dev, bdf);

	if (!d)
		return;
	st->events++;
	/* when it cannot grow, it overwrites as a ring at its full size does */
	if (d->n == d->cap && d->cap < st->cfg.events)
		ring_grow(d, st->cfg.events);
	if (d->n == d->cap)
		d->overwritten++;
	else
		d->n++;
	d->ring[d->head] = *e;
	d->head = (d->head + 1) % d->cap;

	switch (e->type) {
	case VTOP_EV_REQUEST_BEGIN:
		d->req = *e;
		d->req_open = true;
		break;
	case VTOP_EV_REQUEST:
		if (d->req_open && d->req.tid == e->tid)
			d->req_open = false;
		break;
	case VTOP_EV_RESET_BEGIN:
		d->reset = *e;
		d->reset_open = true;
		break;
	case VTOP_EV_RESET:
		if (d->reset_open && d->reset.tid == e->tid)
			d->reset_open = false;
		break;
	}
	if (has_duration(e) && e->dur_ns >= st->cfg.threshold_ns)
		open_stall(d, ev_begin(e), e->ts_ns);
}

/* The device's recorded events overlapping [from, to], oldest first. */
static size_t window_events(const struct dev_rec *d, uint64_t from, uint64_t to,
			    struct vtop_event *out)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++) {
		const struct vtop_event *e = &d->ring[(d->head + d->cap - d->n + i) % d->cap];

		if (e->ts_ns >= from && ev_begin(e) <= to)
			out[n++] = *e;
	}
	return n;
}

static int64_t mono_to_real(void)
{
	struct timespec m, r;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((int64_t)r.tv_sec - m.tv_sec) * 1000000000ll + (r.tv_nsec - m.tv_nsec);
}

/* Keeps the folder bounded: the oldest reports (names sort by time) go. */
static void prune(int dirfd)
{
	struct dirent **list;
	int n = report_files_scanat(dirfd, &list);
	char trace[300];

	for (int i = 0; i < n; i++) {
		if (i < n - STALL_MAX_REPORTS) {
			char *dot = strrchr(list[i]->d_name, '.');

			unlinkat(dirfd, list[i]->d_name, 0);
			if (dot) {
				snprintf(trace, sizeof(trace), "%.*s.trace.json",
					 (int)(dot - list[i]->d_name), list[i]->d_name);
				unlinkat(dirfd, trace, 0);
			}
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

int stall_check_dir(const struct stall_config *cfg, char *why, size_t len)
{
	int fd;

	if (!cfg->dir)
		return 0;
	fd = safe_dir_open(cfg->dir, cfg->shared_dir_ok, why, len);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	close(fd);
	return 0;
}

/* The report folder, made on first use and checked every time; -1 when refused. */
static int open_report_dir(struct stall_tracker *st)
{
	char why[4300];
	int fd;

	if (make_dirs(st->cfg.dir))
		snprintf(why, sizeof(why), "cannot create %s: %s", st->cfg.dir, strerror(errno));
	fd = safe_dir_open(st->cfg.dir, st->cfg.shared_dir_ok, why, sizeof(why));
	if (fd >= 0) {
		st->dir_refused = false;
		return fd;
	}
	if (!st->dir_refused)
		log_err("stall reports not written: %s%s", why, errno == EPERM ?
			" (a folder of its own, or --allow-shared-dirs)" : "");
	st->dir_refused = true;
	return -1;
}

static void write_report(struct stall_tracker *st, struct dev_rec *d, uint64_t now,
			 bool in_progress)
{
	struct stall_window w = {
		.bdf = d->bdf, .start = d->start, .end = d->end, .in_progress = in_progress,
		.threshold_ns = st->cfg.threshold_ns, .capacity = st->cfg.events,
		.vm_of = st->cfg.vm_of, .vm_ctx = st->cfg.vm_ctx,
		.overwritten = d->overwritten, .mono_to_real = mono_to_real(), .now = now,
	};
	struct vtop_event *evs = calloc(st->cfg.events, sizeof(*evs));
	char *report = NULL, *trace = NULL, file[128];
	int err, dirfd = open_report_dir(st);

	if (!evs || dirfd < 0) {
		free(evs);
		if (dirfd >= 0)
			close(dirfd);
		return;
	}
	w.events = evs;
	w.n = window_events(d, d->start > WINDOW_MARGIN_NS ? d->start - WINDOW_MARGIN_NS : 0,
			    d->end + WINDOW_MARGIN_NS, evs);
	if (!d->name[0]) {
		time_t sec = (d->start + w.mono_to_real) / 1000000000ull;
		struct tm tm;
		char stamp[32], bdf[16];

		gmtime_r(&sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
		snprintf(bdf, sizeof(bdf), "%s", d->bdf);
		for (char *p = bdf; *p; p++)
			if (*p == ':')
				*p = '-';
		snprintf(d->name, sizeof(d->name), "stall-%s.%03u-%s", stamp,
			 (unsigned int)((d->start + w.mono_to_real) / 1000000 % 1000), bdf);
		prune(dirfd);
		st->reports++;
	}
	err = stall_render(&w, &report, &trace);
	snprintf(file, sizeof(file), "%s.trace.json", d->name);
	if (!err)
		err = safe_write_file(dirfd, file, trace, strlen(trace), 0640);
	snprintf(file, sizeof(file), "%s.json", d->name);
	if (!err)
		err = safe_write_file(dirfd, file, report, strlen(report), 0640);
	if (err)
		log_err("stall report %s/%s.json: %s", st->cfg.dir, d->name, strerror(-err));
	else
		log_info("stall on %s%s: report %s/%s.json", d->bdf, in_progress ? " (ongoing)" : "",
			 st->cfg.dir, d->name);
	d->written = now;
	close(dirfd);
	free(report);
	free(trace);
	free(evs);
}

void stall_tick(struct stall_tracker *st, uint64_t now)
{
	for (size_t i = 0; i < st->n; i++) {
		struct dev_rec *d = &st->devs[i];
		uint64_t oldest = UINT64_MAX;
		bool running = false;

		if (d->req_open && now - d->req.ts_ns >= st->cfg.threshold_ns)
			oldest = d->req.ts_ns;
		if (d->reset_open && now - d->reset.ts_ns >= st->cfg.threshold_ns &&
		    d->reset.ts_ns < oldest)
			oldest = d->reset.ts_ns;
		if (oldest != UINT64_MAX) {
			open_stall(d, oldest, now);
			running = true;
		}
		if (!d->open || !st->cfg.dir)
			continue;
		if (running) {
			if (d->written && now - d->written < d->rewrite_ns)
				continue;
			if (d->written && d->rewrite_ns < REWRITE_MAX_NS)
				d->rewrite_ns *= 2;
			write_report(st, d, now, true);
		} else if (now >= d->end + STALL_GRACE_NS) {
			write_report(st, d, now, false);
			d->open = false;
		}
	}
}

void stall_stats(const struct stall_tracker *st, uint64_t *reports, uint64_t *overwritten,
		 uint64_t *events)
{
	*reports = st ? st->reports : 0;
	*overwritten = 0;
	*events = st ? st->events : 0;
	for (size_t i = 0; st && i < st->n; i++)
		*overwritten += st->devs[i].overwritten;
}
