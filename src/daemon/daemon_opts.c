// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon_opts.h"
#include "parse_num.h"
#include "server.h"
#include "stall.h"

#define MIN_INTERVAL	0.25	/* the daemon's tick */
#define MAX_INTERVAL	86400.0
#define MAX_FORGET_GONE	(366 * 86400UL)	/* a year: longer is "never", say 0 */

void daemon_usage(FILE *f)
{
	fprintf(f,
		"Usage: vfiotopd [OPTION]...\n"
		"Watch what vfio-pci does with PCI BAR mappings and serve it per device.\n\n"
		"  -s, --socket PATH   serve snapshots on PATH (default %s)\n"
		"      --socket-group GROUP  let GROUP read the socket (default: root only)\n"
		"  -l, --listen [HOST:]PORT  serve /metrics (Prometheus) and /json over\n"
		"                      HTTP; HOST is 127.0.0.1 unless given (numeric, or\n"
		"                      [IPV6]); vfiotop's registered port is %d. Up to %d\n"
		"                      addresses, one --listen each\n"
		"      --json-lines PATH|-  append one JSON object per device every\n"
		"                      --interval to PATH (SIGHUP reopens it) or stdout\n"
		"      --interval SECONDS  how often --json-lines writes (default 10)\n"
		"      --pin-dir DIR   keep the counters in BPF maps pinned under DIR, so a\n"
		"                      restarted vfiotopd continues them (default %s)\n"
		"      --no-pin        do not pin: counters start at zero every start\n"
		"      --reset         start the pinned counters afresh\n"
		"      --stall-threshold MS  a reset request, reset, zap or memory_lock\n"
		"                      wait longer than MS is a stall (default %d)\n"
		"      --report-dir DIR  write stall reports there (default %s)\n"
		"      --no-reports    record, but write no stall reports\n"
		"      --recorder-events N  events kept per device (default %d)\n"
		"      --allow-shared-dirs  accept a socket or report folder that another\n"
		"                      user owns or may write in, and a --json-lines file\n"
		"                      of another user (refused by default)\n"
		"      --metrics-exclude PREFIX[,PREFIX]...  leave out of /metrics every\n"
		"                      family whose name starts with a PREFIX (vfiotop_...;\n"
		"                      repeatable, up to %d); /json keeps them\n"
		"      --forget-gone SECONDS  drop from /metrics the series of a device\n"
		"                      gone from the PCI bus that long (default %d; 0: never)\n"
		"      --web-config FILE  TLS certificate and key, basic-auth users (bcrypt)\n"
		"                      for --listen, as Prometheus exporters' --web.config.file\n"
		"      --pin-modules   hook vfio module functions with fentry/fexit: cheaper\n"
		"                      than kprobes, but the modules cannot be unloaded\n"
		"                      while vfiotopd runs\n"
		"      --kprobes       use kprobes for every hook\n"
		"      --memtype-faults  count the PAT type each per-page or huge fault is\n"
		"                      given (one more hook on the fault path)\n"
		"  -v, --verbose       more logging (-vv: libbpf and verifier output)\n"
		"  -h, --help          this help\n"
		"  -V, --version       print the version\n\n"
		"Read it with: vfiotop, or vfiotop --json\n",
		PROTOCOL_DEFAULT_SOCKET, LISTEN_DEFAULT_PORT, DAEMON_MAX_LISTEN, DAEMON_DEFAULT_PIN_DIR,
		STALL_DEFAULT_THRESHOLD_MS, PROTOCOL_DEFAULT_REPORT_DIR, STALL_DEFAULT_EVENTS,
		METRICS_MAX_EXCLUDE, METRICS_DEFAULT_FORGET_GONE_S);
}

static int parse_interval(const char *s, double *out)
{
	double v;

	if (!parse_double(s, &v) || v < MIN_INTERVAL || v > MAX_INTERVAL)
		return -1;
	*out = v;
	return 0;
}

/* one more --listen: at most DAEMON_MAX_LISTEN, none bound twice */
static int add_listen(const char *spec, struct daemon_opts *o, char *err, size_t errlen)
{
	struct listen_addr a;

	if (listen_addr_parse(spec, &a, err, errlen))
		return -1;
	if (o->n_listen == DAEMON_MAX_LISTEN) {
		snprintf(err, errlen, "--listen '%.60s': at most %d addresses", spec,
			 DAEMON_MAX_LISTEN);
		return -1;
	}
	for (int i = 0; i < o->n_listen; i++)
		if (listen_addr_overlap(&a, &o->listen[i])) {
			snprintf(err, errlen, "--listen %s and --listen %s cannot both be bound "
				 "(the same address, or a wildcard on the same port)",
				 o->listen[i].text, a.text);
			return -1;
		}
	o->listen[o->n_listen++] = a;
	return 0;
}

/* a path the daemon creates things in: no newline (it is logged), fits a sun_path */
static bool good_path(const char *p)
{
	return p[0] && !strchr(p, '\n') && strlen(p) < 108;
}

enum { O_JSON_LINES = 256, O_INTERVAL, O_PIN_MODULES, O_KPROBES, O_MEMTYPE,
       O_PIN_DIR, O_NO_PIN, O_RESET, O_SOCKET_GROUP, O_STALL, O_REPORT_DIR, O_NO_REPORTS,
       O_RECORDER, O_WEB_CONFIG, O_SHARED_DIRS, O_METRICS_EXCLUDE, O_FORGET_GONE };

/* the command line: the bash completion offers exactly these (tests/host/completion.sh) */
const struct option daemon_long_options[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "socket-group", required_argument, NULL, O_SOCKET_GROUP },
	{ "listen", required_argument, NULL, 'l' },
	{ "json-lines", required_argument, NULL, O_JSON_LINES },
	{ "interval", required_argument, NULL, O_INTERVAL },
	{ "pin-dir", required_argument, NULL, O_PIN_DIR },
	{ "no-pin", no_argument, NULL, O_NO_PIN },
	{ "reset", no_argument, NULL, O_RESET },
	{ "stall-threshold", required_argument, NULL, O_STALL },
	{ "report-dir", required_argument, NULL, O_REPORT_DIR },
	{ "no-reports", no_argument, NULL, O_NO_REPORTS },
	{ "recorder-events", required_argument, NULL, O_RECORDER },
	{ "web-config", required_argument, NULL, O_WEB_CONFIG },
	{ "metrics-exclude", required_argument, NULL, O_METRICS_EXCLUDE },
	{ "forget-gone", required_argument, NULL, O_FORGET_GONE },
	{ "allow-shared-dirs", no_argument, NULL, O_SHARED_DIRS },
	{ "pin-modules", no_argument, NULL, O_PIN_MODULES },
	{ "kprobes", no_argument, NULL, O_KPROBES },
	{ "memtype-faults", no_argument, NULL, O_MEMTYPE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 }
};

enum opts_result daemon_opts_parse(int argc, char *const *argv, struct daemon_opts *o,
				   char *err, size_t errlen)
{
	bool no_pin = false;
	int opt;

	memset(o, 0, sizeof(*o));
	o->socket = PROTOCOL_DEFAULT_SOCKET;
	o->interval = 10;
	o->pin_dir = DAEMON_DEFAULT_PIN_DIR;
	o->stall_ms = STALL_DEFAULT_THRESHOLD_MS;
	o->report_dir = PROTOCOL_DEFAULT_REPORT_DIR;
	o->recorder_events = STALL_DEFAULT_EVENTS;
	o->metrics.forget_gone_ms = METRICS_DEFAULT_FORGET_GONE_S * 1000ULL;
	err[0] = '\0';
	optind = 0;	/* 0: getopt re-initializes, so repeated calls (tests, fuzzing) work */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":s:l:vhV", daemon_long_options, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (!good_path(optarg)) {
				snprintf(err, errlen, "--socket: a path under 108 bytes");
				return OPTS_USAGE;
			}
			o->socket = optarg;
			break;
		case O_SOCKET_GROUP:
			if (!*optarg || strchr(optarg, '\n')) {
				snprintf(err, errlen, "--socket-group: a group name or number");
				return OPTS_USAGE;
			}
			o->socket_group = optarg;
			break;
		case 'l':
			if (add_listen(optarg, o, err, errlen))
				return OPTS_USAGE;
			break;
		case O_JSON_LINES:
			if (strcmp(optarg, "-") && (!*optarg || strchr(optarg, '\n'))) {
				snprintf(err, errlen, "--json-lines: a file path, or - for stdout");
				return OPTS_USAGE;
			}
			o->json_lines = optarg;
			break;
		case O_INTERVAL:
			if (parse_interval(optarg, &o->interval)) {
				snprintf(err, errlen, "--interval '%.32s': a number of seconds from "
					 "0.25 to 86400", optarg);
				return OPTS_USAGE;
			}
			break;
		case O_PIN_DIR:
			if (!good_path(optarg)) {
				snprintf(err, errlen, "--pin-dir: a path under 108 bytes");
				return OPTS_USAGE;
			}
			o->pin_dir = optarg;
			break;
		case O_STALL: {
			if (!parse_double(optarg, &o->stall_ms) || o->stall_ms < 1 ||
			    o->stall_ms > 3600000) {
				snprintf(err, errlen, "--stall-threshold '%.32s': milliseconds from 1 "
					 "to 3600000", optarg);
				return OPTS_USAGE;
			}
			break;
		}
		case O_REPORT_DIR:
			if (!good_path(optarg)) {
				snprintf(err, errlen, "--report-dir: a path under 108 bytes");
				return OPTS_USAGE;
			}
			o->report_dir = optarg;
			break;
		case O_NO_REPORTS:
			o->report_dir = NULL;
			break;
		case O_WEB_CONFIG:
			if (!*optarg || strchr(optarg, '\n')) {
				snprintf(err, errlen, "--web-config: a file path");
				return OPTS_USAGE;
			}
			o->web_config = optarg;
			break;
		case O_METRICS_EXCLUDE:
			if (metrics_exclude_add(&o->metrics.exclude, optarg, err, errlen))
				return OPTS_USAGE;
			break;
		case O_FORGET_GONE: {
			unsigned long secs;

			if (!parse_ulong(optarg, &secs) || secs > MAX_FORGET_GONE) {
				snprintf(err, errlen, "--forget-gone '%.32s': seconds from 0 (never) "
					 "to %lu", optarg, MAX_FORGET_GONE);
				return OPTS_USAGE;
			}
			o->metrics.forget_gone_ms = secs * 1000ULL;
			break;
		}
		case O_RECORDER: {
			if (!parse_ulong(optarg, &o->recorder_events) || o->recorder_events < 16 ||
			    o->recorder_events > 65536) {
				snprintf(err, errlen, "--recorder-events '%.32s': a number from 16 "
					 "to 65536", optarg);
				return OPTS_USAGE;
			}
			break;
		}
		case O_NO_PIN:
			no_pin = true;
			break;
		case O_SHARED_DIRS:
			o->shared_dirs_ok = true;
			break;
		case O_RESET:
			o->reset = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case O_PIN_MODULES:
			o->hooks.pin_modules = true;
			break;
		case O_KPROBES:
			o->hooks.kprobes_only = true;
			break;
		case O_MEMTYPE:
			o->hooks.memtype_faults = true;
			break;
		case 'h':
			return OPTS_HELP;
		case 'V':
			return OPTS_VERSION;
		case ':':
			snprintf(err, errlen, "option '%.40s' needs a value", argv[optind - 1]);
			return OPTS_USAGE;
		default:
			snprintf(err, errlen, "unknown option '%.40s'", argv[optind - 1]);
			return OPTS_USAGE;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%.40s'", argv[optind]);
		return OPTS_USAGE;
	}
	if (no_pin && o->reset) {
		snprintf(err, errlen, "--reset has nothing to reset with --no-pin");
		return OPTS_USAGE;
	}
	if (no_pin)
		o->pin_dir = NULL;
	if (o->hooks.pin_modules && o->hooks.kprobes_only) {
		snprintf(err, errlen, "--pin-modules and --kprobes contradict each other");
		return OPTS_USAGE;
	}
	return OPTS_RUN;
}
