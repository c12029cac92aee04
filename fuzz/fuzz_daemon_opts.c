// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Both command lines: vfiotopd's and vfiotop's, every flag and value. The
 * input is argv[1..] separated by NUL; both parsers get the same argv.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_opts.h"
#include "daemon_opts.h"
#include "fuzz_split.h"

#define MAX_ARGS 32

static FILE *devnull;

static void close_devnull(void)
{
	fclose(devnull);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[MAX_ARGS], *argv[MAX_ARGS + 2], *buf, err[256];
	struct daemon_opts d;
	struct client_opts c;
	int n;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		if (!devnull)
			abort();
		atexit(close_devnull);
	}
	buf = fuzz_split(data, size, f, MAX_ARGS, &n);
	if (!buf)
		return 0;
	for (int i = 0; i < n; i++)
		argv[i + 1] = f[i];
	argv[n + 1] = NULL;

	argv[0] = (char *)"vfiotopd";
	if (daemon_opts_parse(n + 1, argv, &d, err, sizeof(err)) == OPTS_RUN &&
	    (!d.socket || !d.socket[0] || d.interval < 0.25 || d.recorder_events < 16))
		abort();	/* what the daemon relies on after a successful parse */

	/* help, version and errors go to /dev/null; getopt's own stay quiet */
	argv[0] = (char *)"vfiotop";
	if (client_opts_parse(n + 1, argv, &c, devnull, devnull) == CLIENT_OPTS_RUN &&
	    (!c.top.sock || c.top.interval < TOP_INTERVAL_MIN ||
	     (unsigned)c.top.view.sort >= COL_NR || !memchr(c.top.view.filter, 0,
							   sizeof(c.top.view.filter))))
		abort();
	free(buf);
	return 0;
}
