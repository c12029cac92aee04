// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * vfiotop: reads vfiotopd's snapshots. --json prints one document as is; on a
 * terminal, the live view; otherwise (or with -b) the table as plain text.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "client_opts.h"
#include "protocol.h"
#include "report_view.h"
#include "top.h"

#define REQUEST_TIMEOUT_MS 5000
/*
 * The daemon answers a release once it has detached: each trampoline's link
 * waits for RCU tasks as it goes: over 5 s for 63 of them on 6.1 under TCG.
 */
#define RELEASE_TIMEOUT_MS 30000

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

static const char *const report_usage =
	"Usage: vfiotop report FILE\n"
	"Print a stall report of vfiotopd: its explanation, the timeline of the\n"
	"operations and memory_lock waits, the longest wait's kernel stack\n"
	"(symbolized in the boot that recorded it). docs/stalls.md.\n";
static const char *const reports_usage =
	"Usage: vfiotop reports [-s SOCKET] [DIR]\n"
	"List vfiotopd's stall reports, oldest first. Without DIR, the folder the\n"
	"running daemon writes to (its --report-dir, asked on SOCKET), or " PROTOCOL_DEFAULT_REPORT_DIR "\n"
	"when no daemon answers.\n";

static const char *const release_usage =
	"Usage: vfiotop release [-s SOCKET]\n"
	"Ask vfiotopd to let go of the vfio modules, so that rmmod or modprobe -r can\n"
	"unload them (its programs on their functions hold them). It detaches now and\n"
	"attaches again when they are loaded again, or in 60 s if they stay. Root only.\n"
	"No daemon on SOCKET holds nothing: that is success too.\n";

/* vfiotop release [-s SOCKET] */
static int release_command(int argc, char **argv)
{
	const char *sock = PROTOCOL_DEFAULT_SOCKET;
	json_object *answer, *msg;
	char err[512], *text;
	int rc = 1;

	if (argc == 3 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
		fputs(release_usage, stdout);
		return 0;
	}
	if (argc == 4 && (!strcmp(argv[2], "-s") || !strcmp(argv[2], "--socket"))) {
		sock = argv[3];
	} else if (argc != 2) {
		fputs(release_usage, stderr);
		return 2;
	}
	text = client_request(sock, "release", RELEASE_TIMEOUT_MS, err, sizeof(err));
	if (!text) {
		if (errno == ENOENT || errno == ECONNREFUSED) {
			printf("vfiotop: no vfiotopd on %s: nothing holds the vfio modules\n", sock);
			return 0;
		}
		fprintf(stderr, "vfiotop: %s\n", err);
		return 1;
	}
	answer = json_tokener_parse(text);
	if (answer && json_object_object_get_ex(answer, "released", &msg) &&
	    json_object_get_boolean(msg)) {
		printf("vfiotop: vfiotopd let go of the vfio modules; it attaches again when "
		       "they are loaded again, or in 60 s if they stay\n");
		rc = 0;
	} else if (answer && json_object_object_get_ex(answer, "error", &msg)) {
		fprintf(stderr, "vfiotop: %s\n", json_object_get_string(msg));
	} else {
		fprintf(stderr, "vfiotop: unexpected answer from vfiotopd: %.200s\n", text);
	}
	json_object_put(answer);
	free(text);
	return rc;
}

/* The running daemon's report folder, or the default one. */
static const char *daemon_report_dir(const char *sock, char *buf, size_t len)
{
	char err[256], *text = NULL;
	json_object *snap = client_snapshot(sock, false, REQUEST_TIMEOUT_MS, &text, err,
					    sizeof(err));
	json_object *stalls, *dir;

	snprintf(buf, len, "%s", PROTOCOL_DEFAULT_REPORT_DIR);
	if (snap && json_object_object_get_ex(snap, "stalls", &stalls) &&
	    json_object_object_get_ex(stalls, "report_dir", &dir) &&
	    json_object_is_type(dir, json_type_string))
		snprintf(buf, len, "%s", json_object_get_string(dir));
	free(text);
	json_object_put(snap);
	return buf;
}

/* vfiotop report FILE, vfiotop reports [-s SOCKET] [DIR]: files, the daemon optional */
static int report_command(int argc, char **argv)
{
	const char *sock = PROTOCOL_DEFAULT_SOCKET;
	char dir[4096];
	int i = 2;

	if (argc > 2 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
		fputs(!strcmp(argv[1], "report") ? report_usage : reports_usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "report")) {
		if (argc != 3 || argv[2][0] == '-') {
			fputs(report_usage, stderr);
			return 2;
		}
		return report_print(argv[2], stdout);
	}
	if (argc > 3 && (!strcmp(argv[2], "-s") || !strcmp(argv[2], "--socket"))) {
		sock = argv[3];
		i = 4;
	}
	if (argc > i + 1 || (argc == i + 1 && argv[i][0] == '-')) {
		fputs(reports_usage, stderr);
		return 2;
	}
	return reports_list(argc == i + 1 ? argv[i] : daemon_report_dir(sock, dir, sizeof(dir)),
			    stdout);
}

int main(int argc, char **argv)
{
	struct client_opts o;
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "report") || !strcmp(argv[1], "reports")))
		return report_command(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "release"))
		return release_command(argc, argv);
	rc = client_opts_parse(argc, argv, &o, stdout, stderr);
	if (rc != CLIENT_OPTS_RUN)
		return rc;

	if (o.json)
		return print_json(o.top.sock, o.pretty);
	if (o.batch)
		return top_batch(&o.top);
	if (isatty(STDOUT_FILENO))
		return top_tui(&o.top);
	/* scripts that ran vfiotop for its one table still get exactly that */
	if (!o.top.count)
		o.top.count = 1;
	return top_batch(&o.top);
}
