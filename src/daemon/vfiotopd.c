// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * vfiotopd: loads the capture programs, aggregates what they count per device
 * and serves snapshots on a unix socket. Runs in the foreground.
 *
 * One epoll loop: the ring buffer (rare events), the socket and its clients,
 * HTTP, the kernel's uevents (vfio modules, PCI devices), a 1 s tick (the
 * ring buffer, the fds of processes that opened a device, a full owner scan
 * every minute, timeouts), --json-lines' own timer and a signalfd for
 * SIGTERM/INT/HUP. Counters are read when a client asks, not on the
 * tick. What the loop keeps current is in collect.c.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "daemon.h"
#include "daemon_opts.h"
#include "device_json_cache.h"
#include "log.h"
#include "metrics_prom.h"
#include "mono_clock.h"
#include "owners.h"
#include "privileges.h"
#include "snapshot_json.h"
#include "uevent.h"
#include "vm_ident.h"

#define TICK_MS		1000
/* owners come from open events; a full /proc scan only for fds passed on or lost events */
#define OWNER_SCAN_TICKS 60
/* with uevents, the modules are looked at on the tick only in case some were lost */
#define MODULE_CHECK_TICKS 30

/* compact ones, what programs ask for, from the cache of devices' JSON */
static char *render_snapshot(struct daemon *d, bool pretty, bool details)
{
	struct snapshot_clock now = snapshot_clock_now();

	if (pretty)
		return snapshot_render_at(&d->status, &d->devs, true, details, &now);
	return snapshot_render_cached(&d->status, &d->devs, details, d->json_cache, &now);
}

/* how often a device was rendered again: what the caches saved, for the log */
static void log_caches(const struct daemon *d)
{
	uint64_t json_rendered = 0, json_reused = 0, prom_rendered = 0, prom_reused = 0;

	if (d->json_cache)
		device_json_cache_stats(d->json_cache, &json_rendered, &json_reused);
	if (d->metrics_cache)
		metrics_cache_stats(d->metrics_cache, &prom_rendered, &prom_reused);
	log_info("devices rendered again / reused: JSON %" PRIu64 " / %" PRIu64
		 ", /metrics %" PRIu64 " / %" PRIu64, json_rendered, json_reused, prom_rendered,
		 prom_reused);
}

static size_t read_metrics(void *src, uint64_t pos, char *buf, size_t max)
{
	return metrics_doc_read(src, pos, buf, max);
}

static void free_metrics(void *src)
{
	metrics_doc_free(src);
}

static struct http_body render_http(enum http_doc doc, bool pretty, bool details, void *ctx)
{
	struct daemon *d = ctx;
	uint64_t t0 = mono_ns();
	struct metrics_doc *m;

	daemon_refresh_for_client(d);
	if (doc == HTTP_DOC_JSON)
		return (struct http_body){ .text = render_snapshot(d, pretty, details) };
	m = metrics_render_doc(&d->status, &d->devs, (mono_ns() - t0) / 1e9, &d->metrics,
			       d->metrics_cache);
	if (!m)
		return (struct http_body){ 0 };
	return (struct http_body){ .src = m, .len = metrics_doc_len(m), .read = read_metrics,
				   .release = free_metrics };
}

static void write_json_lines(struct daemon *d)
{
	daemon_refresh_for_client(d);
	json_lines_write(d->jl, &d->status, &d->devs);
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
		daemon_refresh_for_client(d);
		return render_snapshot(d, req->pretty, true);
	case REQ_RELEASE:
		return daemon_release(d, req->peer_uid);
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
	if (d->ueventfd < 0 || d->ticks % MODULE_CHECK_TICKS == 0)
		daemon_watch_vfio_modules(d);
	if (d->attached)
		hooks_consume(d->hooks);	/* events do not wake us one by one */
	daemon_refresh_identities(d);
	if (d->ticks % OWNER_SCAN_TICKS == 0)
		owners_refresh(&d->devs, d->proc, d->sysfs);
	else
		owners_scan_queued(&d->opened, &d->devs, d->proc, d->sysfs, mono_ns());
	if (d->stalls)
		stall_tick(d->stalls, mono_ns());
	for (int i = 0; i < d->n_http; i++)
		http_tick(d->http[i]);
	d->expire_due = true;	/* after this batch: a client may have events in it */
}

/* --json-lines: a timer of its own, as --interval may be shorter than the tick */
static void on_json_lines(struct ev_handler *h, uint32_t events)
{
	struct daemon *d = container_of(h, struct daemon, jl_ev);
	uint64_t expirations;

	if (read(d->jlfd, &expirations, sizeof(expirations)) > 0)
		write_json_lines(d);
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

static void on_uevent(struct ev_handler *h, uint32_t events)
{
	struct daemon *d = container_of(h, struct daemon, uevent_ev);
	unsigned int news = uevent_drain(d->ueventfd);

	if (news & UEVENT_LOST)
		log_info("kernel uevents were lost: looking at modules and devices again");
	if (news & (UEVENT_VFIO_MODULES | UEVENT_LOST))
		daemon_watch_vfio_modules(d);
	if (news & (UEVENT_PCI_DEVICES | UEVENT_LOST)) {
		d->identities_due = true;
		/* a device added where one was before is read whole, not trusted */
		d->identities_whole |= !!(news & (UEVENT_PCI_ADDED | UEVENT_LOST));
		daemon_refresh_identities(d);
	}
}

static void on_settle(struct ev_handler *h, uint32_t events)
{
	struct daemon *d = container_of(h, struct daemon, settle_ev);
	uint64_t expirations;

	if (read(d->settlefd, &expirations, sizeof(expirations)) > 0)
		daemon_watch_vfio_modules(d);
}

static void on_ring(struct ev_handler *h, uint32_t events)
{
	struct daemon *d = container_of(h, struct daemon, rb_ev);

	if (d->attached)
		hooks_consume(d->hooks);
}

static int setup_loop(struct daemon *d)
{
	struct itimerspec its = {
		.it_interval = { TICK_MS / 1000, TICK_MS % 1000 * 1000000L },
		.it_value = { TICK_MS / 1000, TICK_MS % 1000 * 1000000L },
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
	d->settlefd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->epfd < 0 || d->sigfd < 0 || d->tickfd < 0 || d->settlefd < 0 ||
	    timerfd_settime(d->tickfd, 0, &its, NULL))
		return -errno;
	d->sig_ev.on_event = on_signal;
	d->tick_ev.on_event = on_tick;
	d->rb_ev.on_event = on_ring;
	d->uevent_ev.on_event = on_uevent;
	d->settle_ev.on_event = on_settle;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->sigfd,
		  &(struct epoll_event){ .events = EPOLLIN, .data.ptr = &d->sig_ev });
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->tickfd,
		  &(struct epoll_event){ .events = EPOLLIN, .data.ptr = &d->tick_ev });
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->settlefd,
		  &(struct epoll_event){ .events = EPOLLIN, .data.ptr = &d->settle_ev });
	d->ueventfd = uevent_open();
	if (d->ueventfd < 0) {
		log_warn("no kernel uevents (%s): looking at the vfio modules every second",
			 strerror(-d->ueventfd));
		return 0;
	}
	log_info("watching kernel uevents for vfio modules and PCI devices");
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->ueventfd,
		  &(struct epoll_event){ .events = EPOLLIN, .data.ptr = &d->uevent_ev });
	return 0;
}

static int start_json_lines_timer(struct daemon *d, double interval)
{
	long ns = (long)(interval * 1e9) % 1000000000L;
	struct itimerspec its = {
		.it_interval = { (time_t)interval, ns },
		.it_value = { (time_t)interval, ns },
	};

	d->jlfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->jlfd < 0 || timerfd_settime(d->jlfd, 0, &its, NULL)) {
		log_err("--json-lines: cannot start its timer: %s", strerror(errno));
		return -1;
	}
	d->jl_ev.on_event = on_json_lines;
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->jlfd,
		  &(struct epoll_event){ .events = EPOLLIN, .data.ptr = &d->jl_ev });
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

/* stall reports name a task's VM when the daemon knows the process */
static const char *known_vm(uint32_t pid, void *ctx)
{
	const struct daemon *d = ctx;
	const char *vm = devtab_owner_vm(&d->devs, (pid_t)pid);

	return vm ? vm : dma_table_vm(&d->dma, (pid_t)pid);
}

/* threads a libmicrohttpd server starts take their name from this one */
static int start_http_bare(void *http)
{
	pthread_setname_np(pthread_self(), "vfiotopd-http");
	return http_start(http);
}

/*
 * The thread that reads and parses other users' /proc/PID/cmdline keeps
 * CAP_SYS_PTRACE only: what /proc mounted hidepid= asks of a reader.
 */
static void names_thread_start(void)
{
	static const int ptrace_only[] = { CAP_SYS_PTRACE };

	pthread_setname_np(pthread_self(), "vfiotopd-names");
	if (privileges_thread_keep(ptrace_only, 1))
		log_warn("the VM names' thread keeps no capability: %s", strerror(errno));
}

#define GO_ON	(-1)	/* a step's answer when main should go on */

/* the command line: GO_ON, or what to exit with once answered */
static int read_options(int argc, char **argv, struct daemon_opts *o)
{
	char msg[256];

	switch (daemon_opts_parse(argc, argv, o, msg, sizeof(msg))) {
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
	return GO_ON;
}

/* what the options say of hooks, stalls and logging; 0, or the exit status */
static int configure(struct daemon *d, const struct daemon_opts *o)
{
	struct stall_config stall_cfg;
	const char *why;
	char msg[256];

	d->hook_opts = o->hooks;
	d->metrics = o->metrics;
	d->hook_opts.pin_dir = o->pin_dir;
	d->hook_opts.reset = o->reset;
	d->hook_opts.stall_ns = o->stall_ms * 1e6;
	stall_cfg = (struct stall_config){ .vm_of = known_vm, .vm_ctx = d,
					   .threshold_ns = o->stall_ms * 1e6, .dir = o->report_dir,
					   .events = o->recorder_events,
					   .shared_dir_ok = o->shared_dirs_ok };
	if (stall_check_dir(&stall_cfg, msg, sizeof(msg))) {
		fprintf(stderr, "vfiotopd: --report-dir %s%s\n", msg, errno == EPERM ?
			" (a folder of its own, or --allow-shared-dirs)" : "");
		return 1;
	}
	d->stalls = stall_new(&stall_cfg);
	if (!d->stalls)
		return 1;
	d->status.stalls = d->stalls;
	d->status.dma = &d->dma;
	d->status.report_dir = o->report_dir;
	d->status.stall_threshold_ns = o->stall_ms * 1e6;
	log_init("vfiotopd", o->verbose);
	why = privileges_missing();
	if (why) {
		log_err("%s", why);
		return 1;
	}
	return 0;
}

/* the heap, the tables, the status and the epoll loop; 0, or the exit status */
static int set_up_process(struct daemon *d, struct utsname *u)
{
	int err;

	/*
	 * Each snapshot's text grows in a buffer of its own, freed once sent;
	 * glibc would hand the heap's top back after each and fault it in
	 * again for the next (a fifth of a snapshot's cost with 16 devices,
	 * measured when --pretty and --json-lines still built json-c trees of
	 * ~2,000 objects). Keep it. Setting the trim threshold also freezes
	 * glibc's mmap threshold at 128 KiB, and a buffer above it is mapped
	 * afresh and unmapped at free: at 256 devices the 805 KiB snapshot
	 * faulted in ~200 pages every time, a quarter of the daemon's CPU
	 * serving a snapshot a second. Buffers up to 8 MiB stay in the heap.
	 */
	mallopt(M_TRIM_THRESHOLD, 8 << 20);
	mallopt(M_MMAP_THRESHOLD, 8 << 20);
	mallopt(M_TOP_PAD, 1 << 20);
	d->sysfs = getenv("VFIOTOP_SYSFS") ?: "/sys";
	d->proc = getenv("VFIOTOP_PROC") ?: "/proc";
	/* pci.ids (libpci's path unless given); NULL, out of memory: names stay "" */
	d->pci_names = pci_name_db_open(getenv("VFIOTOP_PCI_IDS"));
	d->json_cache = device_json_cache_new();	/* NULL: every snapshot renders all */
	d->metrics_cache = metrics_cache_new();	/* NULL: every scrape renders all */
	d->ncpus = libbpf_num_possible_cpus();
	d->hooks = hooks_new();
	d->status.version = VFIOTOP_VERSION;
	d->status.pid = getpid();
	d->status.started_at = time(NULL);
	d->status.counters_since_ns = (uint64_t)d->status.started_at * 1000000000ull;
	d->status.state = DAEMON_WAITING;
	if (!uname(u)) {
		snprintf(d->status.kernel_release, sizeof(d->status.kernel_release), "%s",
			 u->release);
		snprintf(d->status.kernel_version, sizeof(d->status.kernel_version), "%s",
			 u->version);
	}
	err = setup_loop(d);
	if (err || !d->hooks || d->ncpus <= 0) {
		log_err("failed to set up the event loop: %s", strerror(err ? -err : ENOMEM));
		return 1;
	}
	return 0;
}

/* the socket, the HTTP listeners, the --json-lines file; 0, or the exit status */
static int set_up_serving(struct daemon *d, struct daemon_opts *o)
{
	gid_t group = (gid_t)-1;
	char msg[256];

	if (resolve_group(o->socket_group, &group))
		return 2;
	/* each HTTP server's connections, and libmicrohttpd's own few */
	d->srv = server_open(o->socket, group, o->shared_dirs_ok,
			     o->n_listen * (HTTP_MAX_CONNECTIONS + HTTP_SPARE_CONNECTIONS + 8),
			     d->epfd, respond, d);
	if (!d->srv)
		return 1;
	if (o->web_config && web_config_load(o->web_config, &d->web, msg, sizeof(msg))) {
		fprintf(stderr, "vfiotopd: %s\n", msg);
		return 2;
	}
	if (o->web_config && !o->n_listen) {
		fprintf(stderr, "vfiotopd: --web-config is for --listen\n");
		return 2;
	}
	/* one server per address, each with its own connection limit */
	for (int i = 0; i < o->n_listen; i++) {
		d->http[i] = http_open(&o->listen[i], o->web_config ? &d->web : NULL, d->epfd,
				       render_http, d);
		if (!d->http[i])
			return 1;
		d->n_http++;
	}
	if (o->json_lines) {
		d->jl = json_lines_open(o->json_lines, o->shared_dirs_ok);
		if (!d->jl)
			return 1;
		d->status.json_lines_dropped = json_lines_dropped_count(d->jl);
		if (start_json_lines_timer(d, o->interval))
			return 1;
	}
	return 0;
}

/* the capabilities go, then the threads start; 0, or the exit status */
static int drop_and_start(struct daemon *d, const struct daemon_opts *o,
			  const struct utsname *u)
{
	char msg[256];
	int err;

	err = privileges_drop(msg, sizeof(msg));
	if (err) {
		log_err("cannot drop capabilities: %s", strerror(-err));
		return 1;
	}
	log_info("capabilities kept: %s; no_new_privs set", msg);
	/* libmicrohttpd's threads, and GnuTLS in them, with no capability at all */
	for (int i = 0; i < d->n_http; i++)
		if (privileges_call_bare(start_http_bare, d->http[i]))
			return 1;
	vm_ident_on_worker_start(names_thread_start);
	log_info("vfiotopd %s on kernel %s, serving %s", VFIOTOP_VERSION, u->release, o->socket);
	return 0;
}

/* until SIGTERM, SIGINT or a broken epoll */
static void run_loop(struct daemon *d)
{
	d->ticks = 1;
	daemon_watch_vfio_modules(d);
	daemon_refresh_identities(d);

	while (!d->stop) {
		struct epoll_event evs[16];
		int n = epoll_wait(d->epfd, evs, 16, -1);

		if (n < 0 && errno != EINTR) {
			log_err("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			struct ev_handler *h = evs[i].data.ptr;

			h->on_event(h, evs[i].events);
		}
		if (d->expire_due) {
			server_expire(d->srv);
			d->expire_due = false;
		}
	}
}

static void tear_down(struct daemon *d)
{
	/* first: closing renders what requests still wait for, from all of the below */
	for (int i = 0; i < d->n_http; i++)
		http_close(d->http[i]);
	if (d->jl)
		write_json_lines(d);	/* the last interval, however short */
	daemon_detach(d);
	json_lines_close(d->jl);
	stall_free(d->stalls);
	server_close(d->srv);
	devtab_free(&d->devs);
	log_caches(d);
	device_json_cache_free(d->json_cache);
	metrics_cache_free(d->metrics_cache);
	pci_name_db_close(d->pci_names);
	hooks_free(d->hooks);
}

int main(int argc, char **argv)
{
	static struct daemon d;
	struct daemon_opts o;	/* lives as long as the servers that point into it */
	struct utsname u;
	int rc;

	rc = read_options(argc, argv, &o);
	if (rc != GO_ON)
		return rc;
	if ((rc = configure(&d, &o)) || (rc = set_up_process(&d, &u)))
		return rc;
	/*
	 * Every socket, listener and file is open before the capabilities are
	 * dropped, and no thread runs until they are: the HTTP threads start
	 * with none at all.
	 */
	if ((rc = set_up_serving(&d, &o)) || (rc = drop_and_start(&d, &o, &u)))
		return rc;
	run_loop(&d);
	tear_down(&d);
	return 0;
}
