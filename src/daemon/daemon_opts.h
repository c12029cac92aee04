/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* vfiotopd's command line: parsed without side effects, so it can be fuzzed. */
#ifndef VFIOTOP_DAEMON_OPTS_H
#define VFIOTOP_DAEMON_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "hooks.h"
#include "listen_addr.h"
#include "metrics_filter.h"
#include "stall.h"

#define DAEMON_DEFAULT_PIN_DIR "/sys/fs/bpf/vfiotop"
/*
 * --listen is repeatable: the unit's loopback address plus, say, the host's
 * own address for a remote Prometheus. Each is one HTTP server of up to
 * HTTP_MAX_CONNECTIONS clients in the loop: a few, not a fleet of them.
 */
#define DAEMON_MAX_LISTEN 4

struct daemon_opts {
	const char *socket;
	struct listen_addr listen[DAEMON_MAX_LISTEN];
	int n_listen;			/* 0: no HTTP */
	const char *json_lines;
	double interval;		/* --json-lines, seconds */
	struct hooks_opts hooks;
	const char *pin_dir;		/* NULL: --no-pin */
	bool reset;			/* start the pinned counters afresh */
	const char *socket_group;	/* may read the socket */
	double stall_ms;		/* a longer reset, zap, lock wait or DMA-BUF
					 * move is a stall */
	const char *report_dir;		/* stall reports; NULL: none */
	unsigned long recorder_events;	/* flight recorder, per device */
	const char *web_config;		/* TLS and basic auth for HTTP (web_config.h) */
	bool shared_dirs_ok;		/* --allow-shared-dirs */
	struct metrics_opts metrics;	/* --metrics-exclude, --forget-gone */
	int verbose;
};

enum opts_result {
	OPTS_RUN,
	OPTS_HELP,	/* print usage to stdout, exit 0 */
	OPTS_VERSION,
	OPTS_USAGE,	/* err says why; print usage to stderr, exit 2 */
};

/* argv is not modified; err gets a one-line message for OPTS_USAGE. */
enum opts_result daemon_opts_parse(int argc, char *const *argv, struct daemon_opts *o,
				   char *err, size_t errlen);
void daemon_usage(FILE *f);

struct daemon_parse;
struct daemon_opt;
/* checks an option's value and keeps it; anything but OPTS_RUN ends the parse */
typedef enum opts_result daemon_opt_set(struct daemon_parse *p, const struct daemon_opt *d,
					const char *arg);

/* one option of the command line: daemon_opts_parse reads them from this alone */
struct daemon_opt {
	const char *name;	/* --name */
	char short_name;	/* -c; 0: none */
	bool has_arg;
	daemon_opt_set *set;
	size_t field;		/* where set_path and the like keep it, in daemon_opts */
	double min, max;	/* set_double's and set_ulong's range */
	const char *what;	/* what a usage error says the value should be */
};

/* every option, ending with a zeroed entry */
extern const struct daemon_opt daemon_options[];

#endif
