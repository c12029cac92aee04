/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vfiotop's command line (report and reports aside): parsed without side
 * effects but its messages, which go to the streams given, so it can be fuzzed.
 */
#ifndef VFIOTOP_CLIENT_OPTS_H
#define VFIOTOP_CLIENT_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "top.h"

struct client_opts {
	struct top_opts top;	/* socket, interval, count, initial sort and filter */
	bool json, pretty, batch;
};

#define CLIENT_OPTS_RUN (-1)

/*
 * Returns CLIENT_OPTS_RUN to go on, else the exit status: 0 once --help or
 * --version went to out, 2 once a usage error went to err. getopt's own
 * messages (unknown option, missing value) go to stderr, and only when err is
 * stderr. argv is not modified; o points into it.
 */
int client_opts_parse(int argc, char *const *argv, struct client_opts *o, FILE *out, FILE *err);
void client_usage(FILE *f);
/* every long option, ending with a zeroed entry */
extern const struct option client_long_options[];

#endif
