// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the daemon serves besides the socket: the Prometheus exposition of a
 * real recorded snapshot (6.12 guest, tests/data), HTTP routing, --listen
 * parsing and the --json-lines line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_server.h"
#include "json_lines.h"
#include "listen_addr.h"
#include "metrics_prom.h"

#define RECORDED "tests/data/snapshot-6.12-running.json"
#define DEV0_LABELS "bdf=\"0000:01:00.0\",segment=\"0000\",bus=\"01\",device=\"00\"," \
		    "function=\"0\",vendor_id=\"0x1af4\",device_id=\"0x1110\",iommu_group=\"5\""

static json_object *recorded(void)
{
	json_object *o = json_object_from_file(RECORDED);

	assert_non_null(o);
	return o;
}

/* the value of the one line that starts with prefix, or -1 */
static double value_of(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);
	double v = -1;
	int hits = 0;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, n) && p[n] == ' ') {
			v = strtod(p + n + 1, NULL);
			hits++;
		}
	assert_int_equal(hits, 1);
	return v;
}

static void test_metrics_values_match_snapshot(void **state)
{
	json_object *snap = recorded();
	char *m = metrics_render(snap);

	assert_non_null(m);
	/* by_origin user 386 + dma_map 128 in the recorded document */
	assert_true(value_of(m, "vfiotop_faults_total{" DEV0_LABELS ",origin=\"user\"}") == 386);
	assert_true(value_of(m, "vfiotop_faults_total{" DEV0_LABELS ",origin=\"dma_map\"}") == 128);
	assert_true(value_of(m, "vfiotop_faults_by_size_total{" DEV0_LABELS ",size=\"2m\"}") == 514);
	assert_true(value_of(m, "vfiotop_mapped_pages_total{" DEV0_LABELS ",size=\"2m\"}") == 512);
	assert_true(value_of(m, "vfiotop_zaps_total{" DEV0_LABELS ",reason=\"mem_disable\"}") == 4);
	assert_true(value_of(m, "vfiotop_memtype_reserved{" DEV0_LABELS ",mode=\"uc-\"}") == 1);
	assert_true(value_of(m, "vfiotop_device_up{" DEV0_LABELS "}") == 1);
	assert_true(value_of(m, "vfiotop_daemon_attached") == 1);
	/* ns become seconds */
	assert_true(value_of(m, "vfiotop_reset_last_seconds{" DEV0_LABELS "}") == 0.007458771);
	free(m);
	json_object_put(snap);
}

/* every hook is a 0/1 series, so an alert sees a hook that stopped attaching */
static void test_hook_attached_zero_and_one(void **state)
{
	json_object *snap = recorded();
	char *m = metrics_render_collected(snap, 0.0025);

	assert_non_null(m);
	assert_true(value_of(m, "vfiotop_hook_attached{function=\"vfio_pci_mmap_huge_fault\","
			     "mechanism=\"kprobe\",module=\"vfio_pci_core\"}") == 1);
	assert_true(value_of(m, "vfiotop_hook_attached{function=\"vfio_pci_mmap_fault\","
			     "mechanism=\"fentry\",module=\"\"}") == 0);
	assert_true(value_of(m, "vfiotop_scrape_collect_seconds") == 0.0025);
	free(m);
	m = metrics_render(snap);
	assert_null(strstr(m, "vfiotop_scrape_collect_seconds"));
	free(m);
	json_object_put(snap);
}

static void test_histogram_is_cumulative(void **state)
{
	json_object *snap = recorded();
	char *m = metrics_render(snap);
	double prev = 0, v;
	char prefix[512];

	/* buckets 2048-4095: 360, 4096-8191: 134 -> le=4.096e-06 holds 360 */
	snprintf(prefix, sizeof(prefix),
		 "vfiotop_fault_duration_seconds_bucket{" DEV0_LABELS ",le=\"4.096e-06\"}");
	assert_true(value_of(m, prefix) == 360);
	for (int e = 10; e <= 34; e++) {
		char le[32];

		snprintf(le, sizeof(le), "%.9g", (double)(1ull << e) / 1e9);
		snprintf(prefix, sizeof(prefix),
			 "vfiotop_fault_duration_seconds_bucket{" DEV0_LABELS ",le=\"%s\"}", le);
		v = value_of(m, prefix);
		assert_true(v >= prev);
		prev = v;
	}
	v = value_of(m, "vfiotop_fault_duration_seconds_bucket{" DEV0_LABELS ",le=\"+Inf\"}");
	assert_true(v == 514);
	assert_true(v == prev);		/* nothing above 17 s */
	assert_true(value_of(m, "vfiotop_fault_duration_seconds_count{" DEV0_LABELS "}") == 514);
	assert_true(value_of(m, "vfiotop_fault_duration_seconds_sum{" DEV0_LABELS "}") == 0.00464013);
	free(m);
	json_object_put(snap);
}

/* every family's HELP and TYPE once, before all its samples, never interleaved */
static void test_families_are_grouped(void **state)
{
	json_object *snap = recorded();
	char *m = metrics_render(snap), *save = NULL, *line;
	char fam[128] = "", seen[8192] = " ";
	int families = 0;

	for (line = strtok_r(m, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128], key[132];

		if (!strncmp(line, "# TYPE ", 7)) {
			sscanf(line + 7, "%127s", fam);
			snprintf(key, sizeof(key), " %s ", fam);
			assert_null(strstr(seen, key));
			strncat(seen, fam, sizeof(seen) - strlen(seen) - 2);
			strcat(seen, " ");
			families++;
			continue;
		}
		if (line[0] == '#')
			continue;
		sscanf(line, "%127[^{ ]", name);
		assert_int_equal(strncmp(name, fam, strlen(fam)), 0);
		assert_true(!strcmp(name, fam) || strstr(line, "_bucket{") ||
			    !strcmp(name + strlen(fam), "_sum") ||
			    !strcmp(name + strlen(fam), "_count"));
	}
	assert_true(families > 30);
	free(m);
	json_object_put(snap);
}

static void test_label_values_escaped_and_bounded(void **state)
{
	json_object *snap = recorded(), *devs, *d;
	char *m;

	json_object_object_get_ex(snap, "devices", &devs);
	d = json_object_array_get_idx(devs, 0);
	json_object_object_add(d, "driver", json_object_new_string("ev\"il\\\ndrv"));
	m = metrics_render(snap);
	assert_non_null(strstr(m, "driver=\"ev\\\"il\\\\\\ndrv\""));
	/* never a pid, comm or address as a label */
	assert_null(strstr(m, "pid="));
	assert_null(strstr(m, "comm="));
	assert_null(strstr(m, "workload"));
	free(m);
	json_object_put(snap);
}

static void test_metrics_of_garbage_do_not_crash(void **state)
{
	const char *docs[] = {
		"{}", "[]", "{\"devices\":7}", "{\"devices\":[1,\"x\",null,{}]}",
		"{\"devices\":[{\"bdf\":\"zz\",\"faults\":{\"by_origin\":[1],\"latency_ns\":"
		"{\"buckets\":[{\"hi\":\"x\"},3]}}}]}",
		"{\"hooks\":{\"a\":1},\"lost_events_by_cause\":[],\"daemon\":\"x\"}",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		json_object *o = json_tokener_parse(docs[i]);
		char *m = metrics_render(o);

		assert_non_null(m);
		free(m);
		json_object_put(o);
	}
}

static void route(const char *method, const char *path, const char *k, const char *v,
		  struct http_route *r)
{
	const char *keys[1] = { k }, *vals[1] = { v };

	http_route_request(method, path, k || v ? 1 : 0, keys, vals, r);
}

static void test_http_routes(void **state)
{
	struct http_route r;

	route("GET", "/metrics", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.doc, HTTP_DOC_METRICS);
	route("HEAD", "/json", "pretty", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(r.pretty);
	route("GET", "/json", "pretty", "0", &r);
	assert_int_equal(r.status, 200);
	assert_false(r.pretty);
	route("GET", "/", NULL, NULL, &r);
	assert_true(r.status == 200 && r.index);
	route("POST", "/metrics", NULL, NULL, &r);
	assert_int_equal(r.status, 405);
	route("GET", "/metrics/", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	route("GET", "/metrics", "x", "1", &r);
	assert_int_equal(r.status, 400);
	route("GET", "/json", "pretty", "maybe", &r);
	assert_int_equal(r.status, 400);
	route("GET", "/json", NULL, "1", &r);	/* a value without a key */
	assert_int_equal(r.status, 400);
	route(NULL, "/", NULL, NULL, &r);
	assert_int_equal(r.status, 400);
}

static void test_listen_addr(void **state)
{
	struct listen_addr a;
	char err[160];
	const char *bad[] = {
		"", "0", "65536", "abc", ":", "127.0.0.1:", "example.com:80", "::1:80",
		"[::1]80", "[zz]:80", "1.2.3.4:80x", "-1", "+80", "127.0.0.1:0080000",
	};

	assert_int_equal(listen_addr_parse("10230", &a, err, sizeof(err)), 0);
	assert_true(a.loopback);
	assert_string_equal(a.text, "127.0.0.1:10230");
	assert_int_equal(listen_addr_parse(":9", &a, err, sizeof(err)), 0);
	assert_string_equal(a.text, "127.0.0.1:9");
	assert_int_equal(listen_addr_parse("localhost:80", &a, err, sizeof(err)), 0);
	assert_true(a.loopback);
	assert_int_equal(listen_addr_parse("0.0.0.0:10230", &a, err, sizeof(err)), 0);
	assert_false(a.loopback);
	assert_int_equal(listen_addr_parse("[::1]:10230", &a, err, sizeof(err)), 0);
	assert_true(a.loopback);
	assert_int_equal(a.ss.ss_family, AF_INET6);
	assert_int_equal(listen_addr_parse("[::]:1", &a, err, sizeof(err)), 0);
	assert_false(a.loopback);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(listen_addr_parse(bad[i], &a, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "--listen"));
	}
}

static void test_json_line(void **state)
{
	json_object *snap = recorded(), *devs, *line, *v;

	json_object_object_get_ex(snap, "devices", &devs);
	line = json_line_build(snap, json_object_array_get_idx(devs, 1), "host-a");
	assert_non_null(line);
	/* time_ns 1795436728660943526 */
	assert_true(json_object_object_get_ex(line, "timestamp", &v));
	assert_string_equal(json_object_get_string(v), "2026-11-23T12:25:28.660Z");
	assert_true(json_object_object_get_ex(line, "host", &v));
	assert_string_equal(json_object_get_string(v), "host-a");
	assert_true(json_object_object_get_ex(line, "bdf", &v));
	assert_string_equal(json_object_get_string(v), "0000:02:00.0");
	assert_true(json_object_object_get_ex(line, "kernel_release", &v));
	assert_string_equal(json_object_get_string(v), "6.12.95+deb12-amd64");
	assert_true(json_object_object_get_ex(line, "faults", &v));
	json_object_put(line);
	json_object_put(snap);
}

/* the fuzzer's find: json-c's foreach read a NULL table for a device not an object */
static void test_json_line_of_garbage(void **state)
{
	const char *devs[] = { "1", "null", "\"x\"", "[]", "{}" };

	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		json_object *snap = json_tokener_parse("{\"time_ns\":-1,\"kernel\":7}");
		json_object *dev = json_tokener_parse(devs[i]), *line, *v;

		line = json_line_build(snap, dev, "h");
		assert_non_null(line);
		assert_true(json_object_object_get_ex(line, "host", &v));
		json_object_put(line);
		json_object_put(dev);
		json_object_put(snap);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_values_match_snapshot),
		cmocka_unit_test(test_hook_attached_zero_and_one),
		cmocka_unit_test(test_histogram_is_cumulative),
		cmocka_unit_test(test_families_are_grouped),
		cmocka_unit_test(test_label_values_escaped_and_bounded),
		cmocka_unit_test(test_metrics_of_garbage_do_not_crash),
		cmocka_unit_test(test_http_routes),
		cmocka_unit_test(test_listen_addr),
		cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_json_line_of_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
