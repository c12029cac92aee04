// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "client_opts.h"
#include "parse_num.h"
#include "protocol.h"

void client_usage(FILE *f)
{
	fprintf(f,
		"Usage: vfiotop [OPTION]...\n"
		"       vfiotop reports [DIR]     list stall reports (default: the running\n"
		"                                 daemon's --report-dir)\n"
		"       vfiotop report FILE       print one stall report\n"
		"       vfiotop release [-s PATH] let the vfio modules be unloaded (root)\n"
		"Show what vfio-pci does with each device's BAR mappings, as seen by vfiotopd.\n"
		"On a terminal, a live view (press h in it for the keys); otherwise one table.\n\n"
		"  -b, --batch         plain text every interval, like top -b\n"
		"  -n, --iterations N  stop after N tables (batch: default unlimited;\n"
		"                      not a terminal and no -b: 1)\n"
		"  -d, --delay SECONDS refresh interval, fractions allowed (default 1, min %g)\n"
		"      --sort COLUMN   sort by COLUMN, a header name such as FLT/s (default)\n"
		"      --filter TEXT   only devices whose BDF, vendor:device or owner has TEXT\n"
		"  -j, --json          print one snapshot as a JSON document and exit\n"
		"  -p, --pretty        indent the JSON\n"
		"  -s, --socket PATH   vfiotopd's socket (default %s)\n"
		"  -h, --help          this help\n"
		"  -V, --version       print the version\n\n"
		"The JSON schema is described in docs/json.md.\n",
		TOP_INTERVAL_MIN, PROTOCOL_DEFAULT_SOCKET);
}

static int bad(FILE *err, const char *fmt, const char *arg)
{
	fprintf(err, "vfiotop: ");
	fprintf(err, fmt, arg);
	fprintf(err, "\nTry 'vfiotop --help'.\n");
	return 2;
}

static int parse_delay(FILE *err, const char *s, double *out)
{
	double v;

	if (!parse_double(s, &v))
		return bad(err, "-d wants seconds, such as 1 or 0.5, not '%s'", s);
	if (v < TOP_INTERVAL_MIN || v > TOP_INTERVAL_MAX)
		return bad(err, "-d %s: the interval must be between 0.1 and 86400 seconds", s);
	*out = v;
	return 0;
}

static int parse_count(FILE *err, const char *s, unsigned long *out)
{
	unsigned long v;

	if (!parse_ulong(s, &v) || !v)
		return bad(err, "-n wants a positive number of iterations, not '%s'", s);
	*out = v;
	return 0;
}

static int parse_sort(FILE *err, const char *s, struct top_view *v)
{
	int c = top_col_by_name(s);

	if (c < 0) {
		fprintf(err, "vfiotop: no column '%s'; --sort takes one of:", s);
		for (int i = 0; i < COL_NR; i++)
			fprintf(err, " %s", top_columns[i].name);
		fprintf(err, "\n");
		return 2;
	}
	v->sort = c;
	return 0;
}

enum { OPT_SORT = 256, OPT_FILTER };

/* the command line: the bash completion offers exactly these (tests/host/completion.sh) */
const struct option client_long_options[] = {
	{ "batch", no_argument, NULL, 'b' },
	{ "iterations", required_argument, NULL, 'n' },
	{ "delay", required_argument, NULL, 'd' },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "filter", required_argument, NULL, OPT_FILTER },
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "socket", required_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 }
};

int client_opts_parse(int argc, char *const *argv, struct client_opts *o, FILE *out, FILE *err)
{
	int opt, rc;

	*o = (struct client_opts){
		.top = {
			.sock = PROTOCOL_DEFAULT_SOCKET,
			.interval = 1,
			.view = { .sort = COL_FLT_RATE },
		},
	};
	optind = 0;	/* 0: getopt re-initializes, so repeated calls (fuzzing) work */
	opterr = err == stderr;
	while ((opt = getopt_long(argc, argv, "bn:d:jps:hV", client_long_options, NULL)) != -1) {
		switch (opt) {
		case 'b':
			o->batch = true;
			break;
		case 'n':
			if ((rc = parse_count(err, optarg, &o->top.count)))
				return rc;
			break;
		case 'd':
			if ((rc = parse_delay(err, optarg, &o->top.interval)))
				return rc;
			break;
		case OPT_SORT:
			if ((rc = parse_sort(err, optarg, &o->top.view)))
				return rc;
			break;
		case OPT_FILTER:
			if (strlen(optarg) >= sizeof(o->top.view.filter))
				return bad(err, "--filter '%s' is too long", optarg);
			snprintf(o->top.view.filter, sizeof(o->top.view.filter), "%s", optarg);
			break;
		case 'j':
			o->json = true;
			break;
		case 'p':
			o->pretty = true;
			break;
		case 's':
			o->top.sock = optarg;
			break;
		case 'h':
			client_usage(out);
			return 0;
		case 'V':
			fprintf(out, "vfiotop %s\n", VFIOTOP_VERSION);
			return 0;
		default:
			client_usage(err);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(err, "vfiotop: unexpected argument '%s'\n", argv[optind]);
		client_usage(err);
		return 2;
	}
	return CLIENT_OPTS_RUN;
}
