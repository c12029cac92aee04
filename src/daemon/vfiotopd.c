// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * vfiotopd: loads the capture programs, aggregates what they count per device
 * and serves snapshots on a unix socket. Runs in the foreground.
 *
 * One epoll loop: the ring buffer (rare events), the socket and its clients,
 * a 1 s timer (vfio module watch, owner scan) and a signalfd for SIGTERM/INT.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "daemon_opts.h"
#include "devices.h"
#include "dma_procs.h"
#include "evloop.h"
#include "hooks.h"
#include "http_server.h"
#include "json_lines.h"
#include "listen_addr.h"
#include "log.h"
#include "metrics_prom.h"
#include "owners.h"
#include "privileges.h"
#include "server.h"
#include "snapshot_json.h"
#include "stall.h"

#define TICK_MS		250	/* how soon a loaded vfio module is noticed */
#define STATS_TICKS	4	/* re-read the counters every second */
#define OWNER_SCAN_TICKS 20

struct daemon {
	int epfd;
	struct hooks hooks;
	struct hooks_opts hook_opts;
	char vfio_sig[512];	/* which vfio modules are loaded (hooks_vfio_signature) */
	unsigned long sig_since;	/* the tick vfio_sig was last seen to change */
	struct web_config web;		/* --web-config: TLS and users for HTTP */
	bool attached;
	struct device_table devs;
	struct dma_table dma;
	struct daemon_status status;
	struct server *srv;
	struct http_server *http;
	struct json_lines *jl;
	struct stall_tracker *stalls;
	unsigned long jl_ticks;	/* --interval in ticks */
	struct ev_handler sig_ev, tick_ev, rb_ev;
	int sigfd, tickfd, rbfd;
	int ncpus;
	struct vtop_dev_stats *percpu;
	struct vtop_self_stats self_base;	/* from earlier attachments */
	uint64_t prog_misses_base;
	uint64_t identities_ms;	/* when sysfs was last read */
	const char *sysfs, *proc;
	unsigned long ticks;
	bool attach_failed;	/* don't retry until vfio is reloaded */
	bool expire_due;
	bool stop;
};

static int on_ring_event(void *ctx, void *data, size_t len)
{
	struct daemon *d = ctx;
	struct vtop_event e;
	struct device *dev;

	if (!event_decode(data, len, &e)) {
		d->status.records_malformed++;
		return 0;
	}
	if (e.type == VTOP_EV_RESERVE) {
		/* 7.x reserves at open: a device bound a moment ago has no BAR ranges yet */
		dev = devtab_get(&d->devs, e.dev);
		if (dev && !dev->id.present)
			pci_identity_read(d->sysfs, dev->key, &dev->id);
	}
	devtab_apply_event(&d->devs, &e);
	dma_table_apply_event(&d->dma, &e);
	if (d->stalls) {
		dev = devtab_find(&d->devs, e.dev);
		stall_event(d->stalls, &e, dev ? dev->bdf : "?");
	}
	return 0;
}

/* Reads every device's per-CPU counters from its slot into the table. */
static void refresh_stats(struct daemon *d)
{
	int fd = hooks_stats_map_fd(&d->hooks), slots = hooks_slots_map_fd(&d->hooks);
	uint32_t key, next, slot, *prev = NULL;
	struct vtop_dma_stats dma;

	if (!d->attached || fd < 0 || slots < 0)
		return;
	while (bpf_map_get_next_key(slots, prev, &next) == 0) {
		struct device *dev = devtab_get(&d->devs, next);

		key = next;
		prev = &key;
		if (!dev || bpf_map_lookup_elem(slots, &key, &slot) ||
		    bpf_map_lookup_elem(fd, &slot, d->percpu))
			continue;
		stats_sum_percpu(&dev->stats, d->percpu, d->ncpus);
		stats_add(&dev->stats, &dev->base);
		dev->power_known = !bpf_map_lookup_elem(hooks_power_map_fd(&d->hooks), &key,
							&dev->power) || dev->power_known;
	}
	hooks_dma_totals(&d->hooks, &dma);
	dma_table_refresh(&d->dma, hooks_dma_procs_fd(&d->hooks), &dma, d->proc);
	hooks_self_stats(&d->hooks, &d->status.self);
	d->status.self.ringbuf_drops += d->self_base.ringbuf_drops;
	d->status.self.devmap_full += d->self_base.devmap_full;
	d->status.self.exits_missed += d->self_base.exits_missed;
	d->status.prog_misses = hooks_prog_misses(&d->hooks) + d->prog_misses_base;
}

/*
 * Picks up devices bound to vfio that did nothing yet, and who they are: at
 * most once a second, whatever the clients ask (sysfs reads cost a syscall
 * each, per device).
 */
static void refresh_identities(struct daemon *d)
{
	uint32_t keys[VTOP_MAX_DEVICES];
	struct timespec now;
	uint64_t ms;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (uint64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	if (d->identities_ms && ms - d->identities_ms < 1000)
		return;
	d->identities_ms = ms;
	n = pci_list_vfio_devices(d->sysfs, keys, VTOP_MAX_DEVICES);

	for (int i = 0; i < n; i++)
		devtab_get(&d->devs, keys[i]);
	for (size_t i = 0; i < d->devs.n; i++) {
		struct device *dev = &d->devs.devs[i];
		struct pci_identity id;

		pci_identity_read(d->sysfs, dev->key, &id);
		if (id.present)
			dev->id = id;
		else
			dev->id.present = false;	/* gone: keep what it was */
	}
}

static void attach(struct daemon *d)
{
	if (hooks_start(&d->hooks, &d->hook_opts, on_ring_event, d)) {
		log_err("not attached; will try again when vfio-pci is reloaded");
		d->attach_failed = true;
		return;
	}
	d->hook_opts.reset = false;	/* once: a module reload must not reset again */
	if (d->hooks.pinned) {
		d->status.counters_since_ns = d->hooks.counters_since_ns;
		d->status.pinned = d->hook_opts.pin_dir;
	}
	d->rbfd = ring_buffer__epoll_fd(d->hooks.rb);
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->rbfd,
		  &(struct epoll_event){ .events = EPOLLIN, .data.ptr = &d->rb_ev });
	d->attached = true;
	d->status.state = DAEMON_ATTACHED;
	d->status.hooks = d->hooks.status;
	d->status.n_hooks = d->hooks.n;
	refresh_identities(d);
}

static void detach(struct daemon *d)
{
	if (!d->attached)
		return;
	refresh_stats(d);
	/* pinned maps keep counting across the reload themselves */
	if (!d->hooks.pinned) {
		devtab_keep_totals(&d->devs);
		dma_table_keep_totals(&d->dma);
		d->self_base = d->status.self;
	}
	/* programs, pinned maps or not, go with the detach: keep what they missed */
	d->prog_misses_base = d->status.prog_misses;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, d->rbfd, NULL);
	hooks_stop(&d->hooks);
	d->attached = false;
	d->status.state = DAEMON_WAITING;
	d->status.hooks = NULL;
	d->status.n_hooks = 0;
}

/*
 * Hooks belong to one load of the vfio modules: when any of them goes or comes
 * back, detach (keeping the totals) and attach again to what is there now.
 * Modules load one after the other (modprobe, insmod in a script): attach once
 * the set has held still for a tick, not between two of them; a detach of
 * kprobes costs seconds under emulation.
 */
static void watch_vfio_modules(struct daemon *d)
{
	char sig[sizeof(d->vfio_sig)];

	hooks_vfio_signature(sig, sizeof(sig));
	if (strcmp(sig, d->vfio_sig)) {
		if (d->attached) {
			log_info("vfio modules changed (now: %s): detaching", sig[0] ? sig : "none");
			detach(d);
		}
		memcpy(d->vfio_sig, sig, sizeof(sig));
		d->sig_since = d->ticks;
		d->attach_failed = false;
	}
	if (d->attached || d->attach_failed)
		return;
	if (d->ticks == d->sig_since && d->ticks > 1)
		return;
	if (hooks_vfio_present()) {
		log_info("vfio-pci is loaded: attaching");
		attach(d);
	} else if (d->ticks == 1) {
		log_info("vfio-pci is not loaded (no vfio_pci_core module BTF): %s",
			 DAEMON_WAITING);
	}
}

/* What every client gets: counters as of now, not as of the last tick. */
static void refresh_for_client(struct daemon *d)
{
	if (d->attached)
		ring_buffer__consume(d->hooks.rb);
	refresh_stats(d);
	/*
	 * a client polling every second must not cost a /proc walk each time:
	 * the fd scan runs on the timer, liveness is cheap
	 */
	refresh_identities(d);
	owners_check_alive(&d->devs, d->proc);
}

static char *render_http(enum http_doc doc, bool pretty, void *ctx)
{
	struct daemon *d = ctx;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	refresh_for_client(d);
	if (doc == HTTP_DOC_JSON)
		return snapshot_render(&d->status, &d->devs, pretty);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return metrics_render(&d->status, &d->devs, (t1.tv_sec - t0.tv_sec) +
						     (t1.tv_nsec - t0.tv_nsec) / 1e9);
}

static void write_json_lines(struct daemon *d)
{
	json_object *snap;

	refresh_for_client(d);
	snap = snapshot_build(&d->status, &d->devs);
	if (snap)
		json_lines_write(d->jl, snap);
	json_object_put(snap);
}

static char *respond(const struct request *req, void *ctx)
{
	struct daemon *d = ctx;
	char buf[256];

	switch (req->kind) {
	case REQ_PING:
		return strdup("{\"pong\":true}");
	case REQ_VERSION:
		snprintf(buf, sizeof(buf), "{\"version\":\"%s\",\"schema_version\":%d}",
			 d->status.version, SNAPSHOT_SCHEMA_VERSION);
		return strdup(buf);
	case REQ_SNAPSHOT:
		refresh_for_client(d);
		return snapshot_render(&d->status, &d->devs, req->pretty);
	}
	return protocol_error_json("unknown request");
}

static void on_tick(struct ev_handler *h, uint32_t events)
{
	struct daemon *d = container_of(h, struct daemon, tick_ev);
	uint64_t expirations;

	if (read(d->tickfd, &expirations, sizeof(expirations)) < 0)
		return;
	d->ticks++;
	watch_vfio_modules(d);
	if (d->attached)
		ring_buffer__consume(d->hooks.rb);	/* events do not wake us one by one */
	if (d->ticks % STATS_TICKS == 0) {
		refresh_stats(d);
		refresh_identities(d);
	}
	if (d->ticks % OWNER_SCAN_TICKS == 0)
		owners_refresh(&d->devs, d->proc, d->sysfs);
	if (d->stalls) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		stall_tick(d->stalls, (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec);
	}
	if (d->jl && d->ticks % d->jl_ticks == 0)
		write_json_lines(d);
	http_tick(d->http);
	d->expire_due = true;	/* after this batch: a client may have events in it */
}

static void on_signal(struct ev_handler *h, uint32_t events)
{
	struct daemon *d = container_of(h, struct daemon, sig_ev);
	struct signalfd_siginfo si;

	if (read(d->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		log_info("SIGHUP: reopening the --json-lines file");
		json_lines_reopen(d->jl);
	} else {
		log_info("%s: detaching and exiting", strsignal(si.ssi_signo));
		d->stop = true;
	}
}

static void on_ring(struct ev_handler *h, uint32_t events)
{
	struct daemon *d = container_of(h, struct daemon, rb_ev);

	if (d->attached)
		ring_buffer__consume(d->hooks.rb);
}

static int setup_loop(struct daemon *d)
{
	struct itimerspec its = {
		.it_interval = { 0, TICK_MS * 1000000L },
		.it_value = { 0, TICK_MS * 1000000L },
	};
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->tickfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->epfd < 0 || d->sigfd < 0 || d->tickfd < 0 || timerfd_settime(d->tickfd, 0, &its, NULL))
		return -errno;
	d->sig_ev.on_event = on_signal;
	d->tick_ev.on_event = on_tick;
	d->rb_ev.on_event = on_ring;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->sigfd,
		  &(struct epoll_event){ .events = EPOLLIN, .data.ptr = &d->sig_ev });
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->tickfd,
		  &(struct epoll_event){ .events = EPOLLIN, .data.ptr = &d->tick_ev });
	return 0;
}

/* --socket-group: a name, or a number */
static int resolve_group(const char *name, gid_t *gid)
{
	struct group *g;
	char *end;
	unsigned long n;

	if (!name)
		return 0;
	errno = 0;
	n = strtoul(name, &end, 10);
	if (*name && !*end && n < (gid_t)-1) {
		*gid = n;
		return 0;
	}
	g = getgrnam(name);
	if (!g) {
		fprintf(stderr, "vfiotopd: --socket-group: no group '%s'\n", name);
		return -1;
	}
	*gid = g->gr_gid;
	return 0;
}

int main(int argc, char **argv)
{
	static struct daemon d;
	struct daemon_opts o;
	gid_t group = (gid_t)-1;
	const char *why;
	struct utsname u;
	char msg[256];
	int err;

	switch (daemon_opts_parse(argc, argv, &o, msg, sizeof(msg))) {
	case OPTS_RUN:
		break;
	case OPTS_HELP:
		daemon_usage(stdout);
		return 0;
	case OPTS_VERSION:
		printf("vfiotopd %s\n", VFIOTOP_VERSION);
		return 0;
	case OPTS_USAGE:
		fprintf(stderr, "vfiotopd: %s\n", msg);
		daemon_usage(stderr);
		return 2;
	}
	d.hook_opts = o.hooks;
	d.hook_opts.pin_dir = o.pin_dir;
	d.hook_opts.reset = o.reset;
	d.hook_opts.stall_ns = o.stall_ms * 1e6;
	d.stalls = stall_new(&(struct stall_config){ .threshold_ns = o.stall_ms * 1e6,
						     .dir = o.report_dir,
						     .events = o.recorder_events });
	if (!d.stalls)
		return 1;
	d.status.stalls = d.stalls;
	d.status.dma = &d.dma;
	d.status.report_dir = o.report_dir;
	d.status.stall_threshold_ns = o.stall_ms * 1e6;
	log_init("vfiotopd", o.verbose);
	why = privileges_missing();
	if (why) {
		log_err("%s", why);
		return 1;
	}

	d.sysfs = getenv("VFIOTOP_SYSFS") ?: "/sys";
	d.proc = getenv("VFIOTOP_PROC") ?: "/proc";
	d.ncpus = libbpf_num_possible_cpus();
	d.percpu = calloc(d.ncpus > 0 ? d.ncpus : 1, sizeof(*d.percpu));
	d.status.version = VFIOTOP_VERSION;
	d.status.pid = getpid();
	d.status.started_at = time(NULL);
	d.status.counters_since_ns = (uint64_t)d.status.started_at * 1000000000ull;
	d.status.state = DAEMON_WAITING;
	if (!uname(&u)) {
		snprintf(d.status.kernel_release, sizeof(d.status.kernel_release), "%s", u.release);
		snprintf(d.status.kernel_version, sizeof(d.status.kernel_version), "%s", u.version);
	}
	err = setup_loop(&d);
	if (err || !d.percpu || d.ncpus <= 0) {
		log_err("failed to set up the event loop: %s", strerror(err ? -err : ENOMEM));
		return 1;
	}
	if (resolve_group(o.socket_group, &group))
		return 2;
	d.srv = server_open(o.socket, group, d.epfd, respond, &d);
	if (!d.srv)
		return 1;
	if (o.web_config && web_config_load(o.web_config, &d.web, msg, sizeof(msg))) {
		fprintf(stderr, "vfiotopd: %s\n", msg);
		return 2;
	}
	if (o.web_config && !o.want_http) {
		fprintf(stderr, "vfiotopd: --web-config is for --listen\n");
		return 2;
	}
	if (o.want_http) {
		d.http = http_open(&o.listen, o.web_config ? &d.web : NULL, d.epfd, render_http, &d);
		if (!d.http)
			return 1;
	}
	if (o.json_lines) {
		d.jl = json_lines_open(o.json_lines);
		if (!d.jl)
			return 1;
		d.jl_ticks = o.interval * 1000 / TICK_MS;
	}
	err = privileges_drop(msg, sizeof(msg));
	if (err) {
		log_err("cannot drop capabilities: %s", strerror(-err));
		return 1;
	}
	log_info("capabilities kept: %s; no_new_privs set", msg);
	log_info("vfiotopd %s on kernel %s, serving %s", VFIOTOP_VERSION, u.release, o.socket);

	d.ticks = 1;
	watch_vfio_modules(&d);
	refresh_identities(&d);

	while (!d.stop) {
		struct epoll_event evs[16];
		int n = epoll_wait(d.epfd, evs, 16, -1);

		if (n < 0 && errno != EINTR) {
			log_err("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			struct ev_handler *h = evs[i].data.ptr;

			h->on_event(h, evs[i].events);
		}
		if (d.expire_due) {
			server_expire(d.srv);
			d.expire_due = false;
		}
	}
	if (d.jl)
		write_json_lines(&d);	/* the last interval, however short */
	detach(&d);
	json_lines_close(d.jl);
	stall_free(d.stalls);
	http_close(d.http);
	server_close(d.srv);
	devtab_free(&d.devs);
	free(d.percpu);
	return 0;
}
