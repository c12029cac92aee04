// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * vfiotop: reads vfiotopd's snapshot. --json prints the document as is;
 * without it, one plain-text table of the devices.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "server.h"

#define REQUEST_TIMEOUT_MS 5000

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vfiotop [OPTION]...\n"
		"Show what vfio-pci does with each device's BAR mappings, as seen by vfiotopd.\n\n"
		"  -j, --json          print one snapshot as a JSON document and exit\n"
		"  -p, --pretty        indent the JSON\n"
		"  -s, --socket PATH   vfiotopd's socket (default %s)\n"
		"  -h, --help          this help\n"
		"  -V, --version       print the version\n\n"
		"The JSON schema is described in docs/json.md.\n",
		SERVER_DEFAULT_SOCKET);
}

static uint64_t get_u64(json_object *o, const char *path)
{
	char buf[128], *save = NULL, *tok;
	json_object *cur = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(cur, tok, &cur))
			return 0;
	return cur ? json_object_get_uint64(cur) : 0;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static void print_table(json_object *root)
{
	json_object *devs, *v;
	size_t n;

	printf("kernel %s, vfiotopd %s, lost events %" PRIu64 "\n",
	       json_object_object_get_ex(root, "kernel", &v) ? get_str(v, "release") : "?",
	       json_object_object_get_ex(root, "daemon", &v) ? get_str(v, "state") : "?",
	       get_u64(root, "lost_events"));
	printf("%-13s %-9s %-5s %8s %7s %10s %10s %10s %8s %6s %6s %6s\n", "BDF", "ID", "STATE",
	       "FAULTS", "SIGBUS", "P50(ns)", "P99(ns)", "PAGES4K", "PAGES2M", "ZAPS", "RESETS",
	       "MMAPS");
	if (!json_object_object_get_ex(root, "devices", &devs))
		return;
	n = json_object_array_length(devs);
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(devs, i);
		char id[16];

		snprintf(id, sizeof(id), "%.4s:%.4s", get_str(d, "vendor") + 2,
			 get_str(d, "device") + 2);
		printf("%-13s %-9s %-5s %8" PRIu64 " %7" PRIu64 " %10" PRIu64 " %10" PRIu64
		       " %10" PRIu64 " %8" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 "\n",
		       get_str(d, "bdf"), id, get_str(d, "state"), get_u64(d, "faults.count"),
		       get_u64(d, "faults.sigbus"), get_u64(d, "faults.latency_ns.p50"),
		       get_u64(d, "faults.latency_ns.p99"), get_u64(d, "mapped.pages_4k"),
		       get_u64(d, "mapped.pages_2m"), get_u64(d, "zaps.count"),
		       get_u64(d, "resets.count"), get_u64(d, "mmaps.count"));
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *sock = SERVER_DEFAULT_SOCKET;
	bool json = false, pretty = false;
	json_object *root, *e;
	char err[512], *resp;
	int opt;

	while ((opt = getopt_long(argc, argv, "jps:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'p':
			pretty = true;
			break;
		case 's':
			sock = optarg;
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

	resp = client_request(sock, pretty ? "snapshot pretty" : "snapshot", REQUEST_TIMEOUT_MS,
			      err, sizeof(err));
	if (!resp) {
		fprintf(stderr, "vfiotop: %s\n", err);
		return 1;
	}
	root = json_tokener_parse(resp);
	if (!root || !json_object_is_type(root, json_type_object)) {
		fprintf(stderr, "vfiotop: vfiotopd sent something that is not a JSON object\n");
		free(resp);
		json_object_put(root);
		return 1;
	}
	if (json_object_object_get_ex(root, "error", &e)) {
		fprintf(stderr, "vfiotop: vfiotopd says: %s\n", json_object_get_string(e));
		free(resp);
		json_object_put(root);
		return 1;
	}
	if (json)
		fputs(resp, stdout);
	else
		print_table(root);
	free(resp);
	json_object_put(root);
	return 0;
}
