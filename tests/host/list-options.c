// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The long options vfiotopd's and vfiotop's parsers take, one "--name" a
 * line, from their own tables (daemon_opts.c, client_opts.c): what
 * tests/host/completion.sh holds the bash completion's offers against.
 *   list-options vfiotopd|vfiotop
 */
#include <stdio.h>
#include <string.h>

#include "client_opts.h"
#include "daemon_opts.h"

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "vfiotopd") && strcmp(argv[1], "vfiotop"))) {
		fprintf(stderr, "usage: list-options vfiotopd|vfiotop\n");
		return 2;
	}
	if (!strcmp(argv[1], "vfiotopd")) {
		for (const struct daemon_opt *d = daemon_options; d->name; d++)
			printf("--%s\n", d->name);
		return 0;
	}
	for (const struct option *o = client_long_options; o->name; o++)
		printf("--%s\n", o->name);
	return 0;
}
