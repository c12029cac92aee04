// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * vfiotop: reads vfiotopd's snapshots. --json prints one document as is; on a
 * terminal, the live view; otherwise (or with -b) the table as plain text.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "client_opts.h"
#include "report_view.h"
#include "stall.h"
#include "top.h"

#define REQUEST_TIMEOUT_MS 5000

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
	struct client_opts o;
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "report") || !strcmp(argv[1], "reports")))
		return report_command(argc, argv);
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
