// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
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
		"      --kprobe-modules  hook vfio module functions with kprobes, which\n"
		"                      leave them free to unload (rmmod) while vfiotopd\n"
		"                      runs, at a higher cost per fault. By default\n"
		"                      fentry/fexit hold them until 'vfiotop release'\n"
		"                      (modprobe -r runs it through the package's rule)\n"
		"      --pin-modules   fentry/fexit on vfio module functions: the default\n"
		"      --kprobes       use kprobes for every hook\n"
		"      --memtype-faults  count the PAT type each per-page or huge fault is\n"
		"                      given (one more hook on the fault path; patched\n"
		"                      6.1's fault tracepoint carries it anyway)\n"
		"      --irq-waits     count how long interrupts wait in their eventfds for\n"
		"                      the user's read (QEMU's own handler, DPDK, SPDK):\n"
		"                      one more hook, on every eventfd read of the host\n"
		"  -v, --verbose       more logging (-vv: libbpf and verifier output)\n"
		"  -h, --help          this help\n"
		"  -V, --version       print the version\n\n"
		"Read it with: vfiotop, or vfiotop --json\n",
		PROTOCOL_DEFAULT_SOCKET, LISTEN_DEFAULT_PORT, DAEMON_MAX_LISTEN, DAEMON_DEFAULT_PIN_DIR,
		STALL_DEFAULT_THRESHOLD_MS, PROTOCOL_DEFAULT_REPORT_DIR, STALL_DEFAULT_EVENTS,
		METRICS_MAX_EXCLUDE, METRICS_DEFAULT_FORGET_GONE_S);
}

/* what one parse carries from option to option, beside the result */
struct daemon_parse {
	struct daemon_opts *o;
	bool no_pin;		/* checked against --reset once all are read */
	bool pin_modules;	/* asked for by name, though the default: it may
				 * contradict --kprobe-modules and --kprobes */
	bool kprobe_modules;
	char *err;
	size_t errlen;
};

#define OPT(n, c, arg, fn)	.name = (n), .short_name = (c), .has_arg = (arg), .set = (fn)
#define FIELD(m)	.field = offsetof(struct daemon_opts, m)

static void *field_of(struct daemon_parse *p, const struct daemon_opt *d)
{
	return (char *)p->o + d->field;
}

/* a path the daemon creates things in: no newline (it is logged), fits a sun_path */
static enum opts_result set_path(struct daemon_parse *p, const struct daemon_opt *d,
				 const char *arg)
{
	if (!arg[0] || strchr(arg, '\n') || strlen(arg) >= 108) {
		snprintf(p->err, p->errlen, "--%s: a path under 108 bytes", d->name);
		return OPTS_USAGE;
	}
	*(const char **)field_of(p, d) = arg;
	return OPTS_RUN;
}

/* a name or a file path: logged, so one line */
static enum opts_result set_text(struct daemon_parse *p, const struct daemon_opt *d,
				 const char *arg)
{
	if (!arg[0] || strchr(arg, '\n')) {
		snprintf(p->err, p->errlen, "--%s: %s", d->name, d->what);
		return OPTS_USAGE;
	}
	*(const char **)field_of(p, d) = arg;
	return OPTS_RUN;
}

static enum opts_result out_of_range(struct daemon_parse *p, const struct daemon_opt *d,
				     const char *arg)
{
	snprintf(p->err, p->errlen, "--%s '%.32s': %s", d->name, arg, d->what);
	return OPTS_USAGE;
}

static enum opts_result set_double(struct daemon_parse *p, const struct daemon_opt *d,
				   const char *arg)
{
	double v;

	if (!parse_double(arg, &v) || v < d->min || v > d->max)
		return out_of_range(p, d, arg);
	*(double *)field_of(p, d) = v;
	return OPTS_RUN;
}

static enum opts_result set_ulong(struct daemon_parse *p, const struct daemon_opt *d,
				  const char *arg)
{
	unsigned long v;

	if (!parse_ulong(arg, &v) || v < d->min || v > d->max)
		return out_of_range(p, d, arg);
	*(unsigned long *)field_of(p, d) = v;
	return OPTS_RUN;
}

/* metrics.forget_gone_ms is not the unit it is given in */
static enum opts_result set_forget_gone(struct daemon_parse *p, const struct daemon_opt *d,
				       const char *arg)
{
	unsigned long secs;

	if (!parse_ulong(arg, &secs) || secs > MAX_FORGET_GONE) {
		snprintf(p->err, p->errlen, "--forget-gone '%.32s': seconds from 0 (never) "
			 "to %lu", arg, MAX_FORGET_GONE);
		return OPTS_USAGE;
	}
	p->o->metrics.forget_gone_ms = secs * 1000ULL;
	return OPTS_RUN;
}

static enum opts_result set_flag(struct daemon_parse *p, const struct daemon_opt *d,
				 const char *arg)
{
	*(bool *)field_of(p, d) = true;
	return OPTS_RUN;
}

static enum opts_result set_pin_modules(struct daemon_parse *p, const struct daemon_opt *d,
				       const char *arg)
{
	p->pin_modules = true;
	return OPTS_RUN;
}

static enum opts_result set_kprobe_modules(struct daemon_parse *p, const struct daemon_opt *d,
					  const char *arg)
{
	p->kprobe_modules = true;
	return OPTS_RUN;
}

static enum opts_result set_no_pin(struct daemon_parse *p, const struct daemon_opt *d,
				   const char *arg)
{
	p->no_pin = true;
	return OPTS_RUN;
}

static enum opts_result set_no_reports(struct daemon_parse *p, const struct daemon_opt *d,
				       const char *arg)
{
	p->o->report_dir = NULL;
	return OPTS_RUN;
}

static enum opts_result set_verbose(struct daemon_parse *p, const struct daemon_opt *d,
				    const char *arg)
{
	p->o->verbose++;
	return OPTS_RUN;
}

static enum opts_result set_exclude(struct daemon_parse *p, const struct daemon_opt *d,
				    const char *arg)
{
	if (metrics_exclude_add(&p->o->metrics.exclude, arg, p->err, p->errlen))
		return OPTS_USAGE;
	return OPTS_RUN;
}

/* one more --listen: at most DAEMON_MAX_LISTEN, none bound twice */
static enum opts_result set_listen(struct daemon_parse *p, const struct daemon_opt *d,
				   const char *spec)
{
	struct daemon_opts *o = p->o;
	struct listen_addr a;

	if (listen_addr_parse(spec, &a, p->err, p->errlen))
		return OPTS_USAGE;
	if (o->n_listen == DAEMON_MAX_LISTEN) {
		snprintf(p->err, p->errlen, "--listen '%.60s': at most %d addresses", spec,
			 DAEMON_MAX_LISTEN);
		return OPTS_USAGE;
	}
	for (int i = 0; i < o->n_listen; i++)
		if (listen_addr_overlap(&a, &o->listen[i])) {
			snprintf(p->err, p->errlen, "--listen %s and --listen %s cannot both be "
				 "bound (the same address, or a wildcard on the same port)",
				 o->listen[i].text, a.text);
			return OPTS_USAGE;
		}
	o->listen[o->n_listen++] = a;
	return OPTS_RUN;
}

static enum opts_result answer_help(struct daemon_parse *p, const struct daemon_opt *d,
				    const char *arg)
{
	return OPTS_HELP;
}

static enum opts_result answer_version(struct daemon_parse *p, const struct daemon_opt *d,
				       const char *arg)
{
	return OPTS_VERSION;
}

/*
 * The command line: the bash completion offers exactly these
 * (tests/host/completion.sh). The order is getopt's for abbreviations and
 * for the list of an ambiguous one's candidates: keep it.
 */
const struct daemon_opt daemon_options[] = {
	{ OPT("socket", 's', true, set_path), FIELD(socket) },
	{ OPT("socket-group", 0, true, set_text), FIELD(socket_group),
	  .what = "a group name or number" },
	{ OPT("listen", 'l', true, set_listen) },
	/* "-" passes as any one-line name would */
	{ OPT("json-lines", 0, true, set_text), FIELD(json_lines),
	  .what = "a file path, or - for stdout" },
	{ OPT("interval", 0, true, set_double), FIELD(interval),
	  .min = MIN_INTERVAL, .max = MAX_INTERVAL, .what = "a number of seconds from 0.25 to 86400" },
	{ OPT("pin-dir", 0, true, set_path), FIELD(pin_dir) },
	{ OPT("no-pin", 0, false, set_no_pin) },
	{ OPT("reset", 0, false, set_flag), FIELD(reset) },
	{ OPT("stall-threshold", 0, true, set_double), FIELD(stall_ms),
	  .min = 1, .max = 3600000, .what = "milliseconds from 1 to 3600000" },
	{ OPT("report-dir", 0, true, set_path), FIELD(report_dir) },
	{ OPT("no-reports", 0, false, set_no_reports) },
	{ OPT("recorder-events", 0, true, set_ulong), FIELD(recorder_events),
	  .min = 16, .max = 65536, .what = "a number from 16 to 65536" },
	{ OPT("web-config", 0, true, set_text), FIELD(web_config), .what = "a file path" },
	{ OPT("metrics-exclude", 0, true, set_exclude) },
	{ OPT("forget-gone", 0, true, set_forget_gone) },
	{ OPT("allow-shared-dirs", 0, false, set_flag), FIELD(shared_dirs_ok) },
	{ OPT("pin-modules", 0, false, set_pin_modules) },
	{ OPT("kprobe-modules", 0, false, set_kprobe_modules) },
	{ OPT("kprobes", 0, false, set_flag), FIELD(hooks.kprobes_only) },
	{ OPT("memtype-faults", 0, false, set_flag), FIELD(hooks.memtype_faults) },
	{ OPT("irq-waits", 0, false, set_flag), FIELD(hooks.irq_waits) },
	{ OPT("verbose", 'v', false, set_verbose) },
	{ OPT("help", 'h', false, answer_help) },
	{ OPT("version", 'V', false, answer_version) },
	{ 0 }
};

#define N_OPTIONS	(sizeof(daemon_options) / sizeof(daemon_options[0]) - 1)
#define LONG_ONLY	256	/* getopt's value for row i is LONG_ONLY + i */

/* getopt_long's tables from daemon_options: shorts gets ":s:l:vhV" */
static void getopt_tables(struct option *longs, char *shorts)
{
	*shorts++ = ':';	/* a missing value is ':', not '?' */
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct daemon_opt *d = &daemon_options[i];

		longs[i] = (struct option){ d->name, d->has_arg ? required_argument : no_argument,
					    NULL, LONG_ONLY + (int)i };
		if (d->short_name) {
			*shorts++ = d->short_name;
			if (d->has_arg)
				*shorts++ = ':';
		}
	}
	longs[N_OPTIONS] = (struct option){ 0 };
	*shorts = '\0';
}

/* the row getopt_long's answer is, NULL for none */
static const struct daemon_opt *option_of(int opt)
{
	if (opt >= LONG_ONLY)
		return &daemon_options[opt - LONG_ONLY];
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (daemon_options[i].short_name == opt)
			return &daemon_options[i];
	return NULL;
}

static void set_defaults(struct daemon_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->socket = PROTOCOL_DEFAULT_SOCKET;
	o->interval = 10;
	o->pin_dir = DAEMON_DEFAULT_PIN_DIR;
	o->stall_ms = STALL_DEFAULT_THRESHOLD_MS;
	o->report_dir = PROTOCOL_DEFAULT_REPORT_DIR;
	o->recorder_events = STALL_DEFAULT_EVENTS;
	o->metrics.forget_gone_ms = METRICS_DEFAULT_FORGET_GONE_S * 1000ULL;
}

/* what only the whole command line shows */
static enum opts_result check_together(struct daemon_parse *p)
{
	struct daemon_opts *o = p->o;

	if (p->no_pin && o->reset) {
		snprintf(p->err, p->errlen, "--reset has nothing to reset with --no-pin");
		return OPTS_USAGE;
	}
	if (p->no_pin)
		o->pin_dir = NULL;
	if (p->pin_modules && (p->kprobe_modules || o->hooks.kprobes_only)) {
		snprintf(p->err, p->errlen, "--pin-modules and %s contradict each other",
			 p->kprobe_modules ? "--kprobe-modules" : "--kprobes");
		return OPTS_USAGE;
	}
	o->hooks.pin_modules = !p->kprobe_modules && !o->hooks.kprobes_only;
	return OPTS_RUN;
}

enum opts_result daemon_opts_parse(int argc, char *const *argv, struct daemon_opts *o,
				   char *err, size_t errlen)
{
	struct daemon_parse p = { .o = o, .err = err, .errlen = errlen };
	struct option longs[N_OPTIONS + 1];
	char shorts[1 + 2 * N_OPTIONS + 1];
	enum opts_result r;
	int opt;

	set_defaults(o);
	getopt_tables(longs, shorts);
	err[0] = '\0';
	optind = 0;	/* 0: getopt re-initializes, so repeated calls (tests, fuzzing) work */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct daemon_opt *d = option_of(opt);

		if (opt == ':') {
			snprintf(err, errlen, "option '%.40s' needs a value", argv[optind - 1]);
			return OPTS_USAGE;
		}
		if (!d) {
			snprintf(err, errlen, "unknown option '%.40s'", argv[optind - 1]);
			return OPTS_USAGE;
		}
		r = d->set(&p, d, optarg);
		if (r != OPTS_RUN)
			return r;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%.40s'", argv[optind]);
		return OPTS_USAGE;
	}
	return check_together(&p);
}
