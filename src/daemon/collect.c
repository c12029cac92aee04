// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What vfiotopd knows, kept current: the capture attached while vfio-pci is
 * loaded, its ring-buffer records decoded into the device and DMA tables and
 * the stall recorder, its per-CPU counters summed, sysfs identities read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>

#include "btf_probe.h"
#include "daemon.h"
#include "event_decode.h"
#include "irq_vectors.h"
#include "log.h"
#include "map_read.h"
#include "mono_clock.h"
#include "owners.h"
#include "privileges.h"
#include "protocol.h"

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
	if (e.type == VTOP_EV_OPEN)
		owners_queue_open(&d->opened, e.pid, e.ts_ns);
	devtab_apply_event(&d->devs, &e);
	dma_table_apply_event(&d->dma, &e);
	if (d->stalls) {
		dev = devtab_find(&d->devs, e.dev);
		stall_event(d->stalls, &e, dev ? dev->bdf : "?");
	}
	return 0;
}

/* A device's counters: its slot's per-CPU copies summed, on top of earlier attachments' */
static void device_take_counters(struct daemon *d, struct device *dev,
				 const struct vtop_dev_hot *percpu, const struct vtop_dev_rare *rare)
{
	stats_compose(&dev->stats, percpu, d->ncpus, rare);
	stats_add(&dev->stats, &dev->base);
}

/* Reads every device's counters from its slot into the table, with no map syscall. */
void daemon_refresh_stats(struct daemon *d)
{
	static uint32_t keys[VTOP_MAX_DEVICES];
	/* the DMA map whole; one refresh at a time (single-threaded daemon) */
	static __u32 dma_pids[VTOP_MAX_DMA_PROCS];
	static struct vtop_dma_proc dma_counts[VTOP_MAX_DMA_PROCS];
	bool given[VTOP_MAX_DEVICES];
	const struct vtop_vec_stats *vec;
	struct vtop_dma_stats dma;
	uint32_t n, used;

	if (!d->attached || !hooks_running(d->hooks))
		return;
	used = hooks_slot_devices(d->hooks, keys, given, VTOP_MAX_DEVICES);
	for (uint32_t slot = 0; slot < used; slot++) {
		const struct vtop_dev_hot *percpu;
		const struct vtop_dev_rare *rare;
		struct device *dev;

		if (!given[slot] || !hooks_slot_counters(d->hooks, slot, &percpu, &rare))
			continue;
		dev = devtab_get(&d->devs, keys[slot]);
		if (!dev)
			continue;
		device_take_counters(d, dev, percpu, rare);
		dev->power_known = hooks_slot_power(d->hooks, slot, &dev->power);
	}
	vec = hooks_vectors(d->hooks, &n);
	if (vec)
		devtab_take_vectors(&d->devs, vec, n);
	hooks_dma_totals(d->hooks, &dma);
	n = hooks_dma_procs(d->hooks, dma_pids, dma_counts, VTOP_MAX_DMA_PROCS);
	dma_table_refresh(&d->dma, dma_pids, dma_counts, n, &dma, d->proc);
	hooks_self_stats(d->hooks, &d->status.self);
	d->status.self.ringbuf_drops += d->self_base.ringbuf_drops;
	d->status.self.devmap_full += d->self_base.devmap_full;
	d->status.self.exits_missed += d->self_base.exits_missed;
	d->status.self.vecmap_full += d->self_base.vecmap_full;
	d->status.self.access_exits_missed += d->self_base.access_exits_missed;
	d->status.prog_misses = hooks_prog_misses(d->hooks) + d->prog_misses_base;
}

/*
 * A device's identity is read whole when it is first seen, its driver
 * changes or a PCI device was added (a device replaced at its address, with
 * the same driver bound, shows no other change). Every IDENTITY_FULL_MS
 * what may change while it stays bound (VFs enabled, the link retrained) is
 * read again, and without uevents all of it. In between one readlink of its
 * driver says whether anything did. Reading whole costs ~60 syscalls a
 * device, which at 16 devices every second was most of the daemon's own.
 */
#define IDENTITY_FULL_MS	30000

static void refresh_identity(struct daemon *d, struct device *dev, uint64_t ms)
{
	struct pci_identity id;
	char driver[sizeof(id.driver)];

	if (!pci_driver_read(d->sysfs, dev->key, driver, sizeof(driver))) {
		dev->id.present = false;	/* gone: keep what it was */
		dev->identity_ms = dev->identity_ms ?: ms;	/* looked at, not unread */
		return;
	}
	if (dev->id.present && !strcmp(driver, dev->id.driver) && !d->identities_whole) {
		if (ms - dev->identity_ms < IDENTITY_FULL_MS)
			return;
		if (d->ueventfd >= 0) {
			pci_identity_reread_bound(d->sysfs, dev->key, &dev->id);
			dev->identity_ms = ms;
			return;
		}
	}
	pci_identity_read(d->sysfs, dev->key, &id);
	if (!id.present) {
		dev->id.present = false;
		return;
	}
	dev->id = id;
	dev->identity_ms = ms;
}

/*
 * Names follow the identity's numbers: looked up when a device is first
 * read from sysfs or its IDs change (a new device at the same address),
 * not at every read. Between such lookups the parsed database is freed:
 * holding Debian's pci.ids costs ~2.2 MiB, parsing it again ~6 ms.
 */
static void refresh_names(struct daemon *d)
{
	bool looked_up = false;

	for (size_t i = 0; i < d->devs.n; i++) {
		struct device *dev = &d->devs.devs[i];

		/* a device gone keeps the names it had */
		if (!dev->id.present || pci_names_current(&dev->names, &dev->id))
			continue;
		pci_names_resolve(d->pci_names, &dev->id, &dev->names);
		looked_up = true;
	}
	if (looked_up)
		pci_name_db_release(d->pci_names);
}

/* a device the counters or an event named, not yet read from sysfs */
static bool any_unread(const struct daemon *d)
{
	for (size_t i = 0; i < d->devs.n; i++)
		if (!d->devs.devs[i].identity_ms)
			return true;
	return false;
}

/*
 * Picks up devices bound to vfio that did nothing yet, and who they are.
 * The kernel says when a device comes, goes or changes driver (a uevent);
 * without uevents, at most once a second, whatever the clients ask.
 */
void daemon_refresh_identities(struct daemon *d)
{
	uint32_t keys[VTOP_MAX_DEVICES];
	uint64_t ms;
	int n;

	ms = mono_ns() / 1000000;
	if (d->ueventfd >= 0 && !d->identities_due && !any_unread(d) &&
	    ms - d->identities_ms < IDENTITY_FULL_MS)
		return;
	if (d->ueventfd < 0 && d->identities_ms && ms - d->identities_ms < 1000)
		return;
	d->identities_ms = ms;
	d->identities_due = false;
	n = pci_list_vfio_devices(d->sysfs, keys, VTOP_MAX_DEVICES);

	for (int i = 0; i < n; i++)
		devtab_get(&d->devs, keys[i]);
	for (size_t i = 0; i < d->devs.n; i++) {
		refresh_identity(d, &d->devs.devs[i], ms);
		device_note_presence(&d->devs.devs[i], ms);
	}
	d->identities_whole = false;
	refresh_names(d);
}

/* all the kept capabilities while loading and attaching, the readers' after */
static int start_hooks(struct daemon *d)
{
	char caps[160];
	int err = privileges_raise();

	if (err)
		log_warn("cannot raise capabilities to attach: %s", strerror(-err));
	err = hooks_start(d->hooks, &d->hook_opts, on_ring_event, d);
	/* more in effect than the documented set is worse than stopping */
	if (privileges_lower(err ? -1 : hooks_stats_map_fd(d->hooks))) {
		log_err("cannot lower capabilities after attaching: %s", strerror(errno));
		exit(1);
	}
	privileges_effective(caps, sizeof(caps));
	log_info("capabilities in effect until the next attach: %s", caps);
	return err;
}

/*
 * What the maps hold in kernel memory, said once per attach: dev_hot, a
 * struct per device slot per possible CPU, is most of it and grows with
 * both; dev_rare, a struct per slot, with the devices only.
 */
static void note_map_memory(struct daemon *d)
{
	struct daemon_status *st = &d->status;
	uint64_t hot = 0, rare = 0;

	st->n_maps = hooks_map_memory(d->hooks, st->maps, MAPS_MAX);
	for (int i = 0; i < st->n_maps; i++) {
		if (!strcmp(st->maps[i].name, "dev_hot"))
			hot = st->maps[i].bytes;
		else if (!strcmp(st->maps[i].name, "dev_rare"))
			rare = st->maps[i].bytes;
	}
	log_info("BPF maps hold %" PRIu64 " KiB of kernel memory; dev_hot %" PRIu64
		 " KiB of it: %d device slots x %zu bytes x %d possible CPUs; dev_rare %" PRIu64
		 " KiB: %d x %zu bytes",
		 status_kernel_memory(st) >> 10, hot >> 10, VTOP_MAX_DEVICES,
		 sizeof(struct vtop_dev_hot), d->ncpus, rare >> 10, VTOP_MAX_DEVICES,
		 sizeof(struct vtop_dev_rare));
}

static void attach(struct daemon *d)
{
	if (start_hooks(d)) {
		log_err("not attached; will try again when vfio-pci is reloaded");
		d->attach_failed = true;
		return;
	}
	d->hook_opts.reset = false;	/* once: a module reload must not reset again */
	if (hooks_pinned(d->hooks, &d->status.counters_since_ns))
		d->status.pinned = d->hook_opts.pin_dir;
	d->rbfd = hooks_ring_fd(d->hooks);
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->rbfd,
		  &(struct epoll_event){ .events = EPOLLIN, .data.ptr = &d->rb_ev });
	d->attached = true;
	d->status.state = DAEMON_ATTACHED;
	d->status.hooks = hooks_status(d->hooks, &d->status.n_hooks);
	note_map_memory(d);
	d->identities_due = true;
	daemon_refresh_identities(d);
	/* what was opened before this attach sent no open event */
	owners_refresh(&d->devs, d->proc, d->sysfs);
}

void daemon_detach(struct daemon *d)
{
	if (!d->attached)
		return;
	daemon_refresh_stats(d);
	/* pinned maps keep counting across the reload themselves */
	if (!hooks_pinned(d->hooks, NULL)) {
		devtab_keep_totals(&d->devs);
		dma_table_keep_totals(&d->dma);
		d->self_base = d->status.self;
	}
	/* programs, pinned maps or not, go with the detach: keep what they missed */
	d->prog_misses_base = d->status.prog_misses;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, d->rbfd, NULL);
	privileges_raise();
	hooks_stop(d->hooks);
	privileges_lower(-1);
	d->attached = false;
	d->status.state = DAEMON_WAITING;
	d->status.hooks = NULL;
	d->status.n_hooks = 0;
}

/* daemon_watch_vfio_modules() again ms from now, once */
static void watch_again_in(struct daemon *d, uint64_t ms)
{
	struct itimerspec once = {
		.it_value = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L },
	};

	if (d->settlefd >= 0)
		timerfd_settime(d->settlefd, 0, &once, NULL);
}

char *daemon_release(struct daemon *d, uid_t uid)
{
	bool was_attached = d->attached;
	char buf[160];

	/* unloading modules is root's: nobody else may take the capture away */
	if (uid != 0)
		return protocol_error_json("release: only root may ask (as for rmmod)");
	if (d->attached)
		log_info("release asked: detaching so that the vfio modules can be unloaded");
	daemon_detach(d);
	/* not loaded: nothing to hold, and their load is to be attached to */
	if (vfio_modules_present()) {
		d->released_until_ms = mono_ns() / 1000000 + RELEASE_MS;
		d->status.state = DAEMON_RELEASED;
		watch_again_in(d, RELEASE_MS);
	}
	snprintf(buf, sizeof(buf),
		 "{\"released\":true,\"was_attached\":%s,\"attach_again_s\":%d}",
		 was_attached ? "true" : "false", RELEASE_MS / 1000);
	return strdup(buf);
}

/*
 * Released: true while the modules are still there and free to go. When
 * they are gone, the release is over: attach when they come back. If they
 * stay loaded RELEASE_MS, attach again to them.
 */
static bool still_released(struct daemon *d, uint64_t ms)
{
	if (!d->released_until_ms)
		return false;
	if (!vfio_modules_present()) {
		d->released_until_ms = 0;
		d->status.state = DAEMON_WAITING;
		return false;
	}
	if (ms < d->released_until_ms) {
		watch_again_in(d, d->released_until_ms - ms);
		return true;
	}
	log_info("released, but the vfio modules stayed loaded for %d s: attaching again",
		 RELEASE_MS / 1000);
	d->released_until_ms = 0;
	return false;
}

/*
 * Hooks belong to one load of the vfio modules: when any of them goes or comes
 * back, detach (keeping the totals) and attach again to what is there now.
 * Modules load one after the other (modprobe, insmod in a script): attach once
 * the set has held still for SETTLE_MS, not between two of them; a detach of
 * kprobes costs seconds under emulation. At start, at once.
 */
void daemon_watch_vfio_modules(struct daemon *d)
{
	char sig[sizeof(d->vfio_sig)];
	uint64_t ms = mono_ns() / 1000000;
	bool first = !d->modules_watched;

	d->modules_watched = true;
	vfio_modules_signature(sig, sizeof(sig));
	if (strcmp(sig, d->vfio_sig)) {
		if (d->attached) {
			log_info("vfio modules changed (now: %s): detaching", sig[0] ? sig : "none");
			daemon_detach(d);
		}
		memcpy(d->vfio_sig, sig, sizeof(sig));
		d->sig_changed_ms = ms;
		d->attach_failed = false;
	}
	if (d->attached || d->attach_failed || still_released(d, ms))
		return;
	if (!first && ms - d->sig_changed_ms < SETTLE_MS) {
		watch_again_in(d, SETTLE_MS);
		return;
	}
	if (vfio_modules_present()) {
		log_info("vfio-pci is loaded: attaching");
		attach(d);
	} else if (first) {
		log_info("vfio-pci is not loaded (no vfio_pci_core module BTF): %s",
			 DAEMON_WAITING);
	}
}

void daemon_refresh_for_client(struct daemon *d)
{
	if (d->attached)
		hooks_consume(d->hooks);
	/* the stalls those events end have their reports now, not at the next tick */
	if (d->stalls)
		stall_tick(d->stalls, mono_ns());
	daemon_refresh_stats(d);
	/*
	 * a client polling every second must not cost a /proc walk each time:
	 * the fd scan runs on the timer, liveness is cheap
	 */
	daemon_refresh_identities(d);
	owners_scan_queued(&d->opened, &d->devs, d->proc, d->sysfs, mono_ns());
	owners_check_alive(&d->devs, d->proc);
	/* its own process is always the real /proc's, whatever VFIOTOP_PROC says */
	process_stats_self(&d->status.process);
}

