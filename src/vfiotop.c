// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * vfiotop: reads vfiotopd's snapshots. --json prints one document as is; on a
 * terminal, the live view; otherwise (or with -b) the table as plain text.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "report_view.h"
#include "stall.h"
#include "server.h"
#include "top.h"

#define REQUEST_TIMEOUT_MS 5000

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vfiotop [OPTION]...\n"
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
		TOP_INTERVAL_MIN, SERVER_DEFAULT_SOCKET);
}

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "vfiotop: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'vfiotop --help'.\n");
	return 2;
}

static int parse_delay(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v))
		return bad("-d wants seconds, such as 1 or 0.5, not '%s'", s);
	if (v < TOP_INTERVAL_MIN || v > TOP_INTERVAL_MAX)
		return bad("-d %s: the interval must be between 0.1 and 86400 seconds", s);
	*out = v;
	return 0;
}

static int parse_count(const char *s, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	/* strtoul takes "-1" as ULONG_MAX: only digits are a count */
	if (errno || end == s || *end || s[strspn(s, " \t")] == '-' || !v)
		return bad("-n wants a positive number of iterations, not '%s'", s);
	*out = v;
	return 0;
}

static int parse_sort(const char *s, struct top_view *v)
{
	int c = top_col_by_name(s);

	if (c < 0) {
		fprintf(stderr, "vfiotop: no column '%s'; --sort takes one of:", s);
		for (int i = 0; i < COL_NR; i++)
			fprintf(stderr, " %s", top_columns[i].name);
		fprintf(stderr, "\n");
		return 2;
	}
	v->sort = c;
	return 0;
}

static int print_json(const char *sock, bool pretty)
{
	char err[512], *text;
	json_object *root = client_snapshot(sock, pretty, REQUEST_TIMEOUT_MS, &text, err,
					    sizeof(err));

	if (!root) {
		fprintf(stderr, "vfiotop: %s\n", err);
		return 1;
	}
	fputs(text, stdout);
	free(text);
	json_object_put(root);
	return 0;
}

/* vfiotop report FILE, vfiotop reports [DIR]: files, no daemon needed */
static int report_command(int argc, char **argv)
{
	if (!strcmp(argv[1], "report")) {
		if (argc != 3) {
			fprintf(stderr, "vfiotop: usage: vfiotop report FILE\n");
			return 2;
		}
		return report_print(argv[2], stdout);
	}
	if (argc > 3) {
		fprintf(stderr, "vfiotop: usage: vfiotop reports [DIR]\n");
		return 2;
	}
	return reports_list(argc == 3 ? argv[2] : STALL_DEFAULT_DIR, stdout);
}

int main(int argc, char **argv)
{
	enum { OPT_SORT = 256, OPT_FILTER };

	if (argc > 1 && (!strcmp(argv[1], "report") || !strcmp(argv[1], "reports")))
		return report_command(argc, argv);
	static const struct option opts[] = {
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
	struct top_opts o = {
		.sock = SERVER_DEFAULT_SOCKET,
		.interval = 1,
		.view = { .sort = COL_FLT_RATE },
	};
	bool json = false, pretty = false, batch = false;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "bn:d:jps:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			batch = true;
			break;
		case 'n':
			if ((rc = parse_count(optarg, &o.count)))
				return rc;
			break;
		case 'd':
			if ((rc = parse_delay(optarg, &o.interval)))
				return rc;
			break;
		case OPT_SORT:
			if ((rc = parse_sort(optarg, &o.view)))
				return rc;
			break;
		case OPT_FILTER:
			if (strlen(optarg) >= sizeof(o.view.filter))
				return bad("--filter '%s' is too long", optarg);
			snprintf(o.view.filter, sizeof(o.view.filter), "%s", optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'p':
			pretty = true;
			break;
		case 's':
			o.sock = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("vfiotop %s\n", VFIOTOP_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vfiotop: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	if (json)
		return print_json(o.sock, pretty);
	if (batch)
		return top_batch(&o);
	if (isatty(STDOUT_FILENO))
		return top_tui(&o);
	/* scripts that ran vfiotop for its one table still get exactly that */
	if (!o.count)
		o.count = 1;
	return top_batch(&o);
}
