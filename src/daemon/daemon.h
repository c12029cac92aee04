/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vfiotopd's state, shared by its loop (vfiotopd.c) and what keeps its model
 * current (collect.c).
 */
#ifndef VFIOTOP_DAEMON_H
#define VFIOTOP_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon_opts.h"
#include "devices.h"
#include "dma_procs.h"
#include "evloop.h"
#include "hooks.h"
#include "http_server.h"
#include "json_lines.h"
#include "map_read.h"
#include "owners.h"
#include "server.h"
#include "stall.h"
#include "status.h"

struct daemon {
	int epfd;
	struct hooks *hooks;
	struct hooks_opts hook_opts;
	char vfio_sig[512];	/* which vfio modules are loaded (vfio_modules_signature) */
	uint64_t sig_changed_ms;	/* when vfio_sig was last seen to change */
	struct web_config web;		/* --web-config: TLS and users for HTTP */
	struct metrics_opts metrics;	/* what /metrics leaves out */
	bool attached;
	struct device_table devs;
	struct device_json_cache *json_cache;	/* devs' JSON as last served */
	struct metrics_cache *metrics_cache;	/* devs' /metrics samples, likewise */
	struct dma_table dma;
	struct owner_queue opened;	/* processes that opened a device: look at their fds */
	struct daemon_status status;
	struct server *srv;
	struct http_server *http[DAEMON_MAX_LISTEN];	/* one per --listen */
	int n_http;
	struct json_lines *jl;
	struct stall_tracker *stalls;
	int jlfd;		/* --json-lines: fires every --interval */
	struct ev_handler sig_ev, tick_ev, rb_ev, uevent_ev, settle_ev, jl_ev;
	int sigfd, tickfd, rbfd;
	int ueventfd;		/* the kernel's uevents; -1: none, poll instead */
	int settlefd;		/* fires once the vfio modules have held still */
	int ncpus;
	struct vtop_self_stats self_base;	/* from earlier attachments */
	uint64_t prog_misses_base;
	uint64_t identities_ms;	/* when sysfs was last read */
	bool identities_due;	/* a PCI uevent came: read sysfs at the next chance */
	bool identities_whole;	/* a PCI device was added: read every identity whole */
	const char *sysfs, *proc;
	struct pci_name_db *pci_names;	/* pci.ids, parsed only while names are looked up */
	unsigned long ticks;
	bool attach_failed;	/* don't retry until vfio is reloaded */
	bool modules_watched;	/* the modules were looked at once: changes settle */
	uint64_t released_until_ms;	/* released (vfiotop release) until then; 0: not */
	bool expire_due;
	bool stop;
};

/* how long the set of vfio modules must hold still before an attach */
#define SETTLE_MS	250
/* how long a release leaves the modules free to go before attaching again */
#define RELEASE_MS	60000

/*
 * Attaches when vfio-pci is loaded, once the set of vfio modules has held
 * still for SETTLE_MS; detaches (keeping totals) when the set changes.
 */
void daemon_watch_vfio_modules(struct daemon *d);
/* Detaches the capture, keeping its totals; nothing if not attached. */
void daemon_detach(struct daemon *d);
/*
 * vfiotop release, asked by uid: detaches so that the vfio modules can be
 * unloaded, and stays so until they are gone (then attaches when they come
 * back) or RELEASE_MS have passed with them still loaded. The answer: a JSON
 * document to free.
 */
char *daemon_release(struct daemon *d, uid_t uid);
/* Reads every device's per-CPU counters, the DMA totals and vfiotop's own. */
void daemon_refresh_stats(struct daemon *d);
/*
 * Devices bound to vfio and their identities: after a PCI uevent, for a
 * device never read, and every 30 s; without uevents at most once a second.
 */
void daemon_refresh_identities(struct daemon *d);
/* What every client gets: counters as of now, not as of the last tick. */
void daemon_refresh_for_client(struct daemon *d);

#endif
