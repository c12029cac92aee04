// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the daemon serves besides the socket and /metrics: HTTP routing,
 * --listen parsing and the --json-lines line of a real recorded snapshot
 * (6.12 guest, tests/unit/data).
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
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_route.h"
#include "json_lines.h"
#include "listen_addr.h"

#define RECORDED "tests/unit/data/snapshot-6.12-running.json"

static json_object *recorded(void)
{
	json_object *o = json_object_from_file(RECORDED);

	assert_non_null(o);
	return o;
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
	/* time_ns 1796402733207786045 */
	assert_true(json_object_object_get_ex(line, "timestamp", &v));
	assert_string_equal(json_object_get_string(v), "2026-12-04T16:45:33.207Z");
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

/* a FIFO whose reader never reads: a write that blocked would end the test here */
static void test_json_lines_never_block(void **state)
{
	char dir[] = "/tmp/vfiotop-jl-XXXXXX", fifo[64], *buf;
	json_object *snap = recorded();
	struct json_lines *jl;
	size_t got = 0, lines = 0;
	uint64_t written = 0;
	int rd;
	ssize_t n;

	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* nobody reads it yet: refused at once, not waited for */
	assert_null(json_lines_open(fifo, false));
	rd = open(fifo, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	jl = json_lines_open(fifo, false);
	assert_non_null(jl);
	alarm(20);
	/* 4 devices a call, ~2 KiB each: 200 calls are ten times the pipe's 64 KiB */
	for (int i = 0; i < 200; i++) {
		int w = json_lines_write(jl, snap);

		assert_true(w >= 0);
		written += w;
	}
	alarm(0);
	assert_true(json_lines_dropped(jl) > 0);
	assert_int_equal(written + json_lines_dropped(jl), 200 * 4);
	/* what the reader gets is whole lines only: a line begun is finished first */
	buf = malloc(4 << 20);
	assert_non_null(buf);
	for (int round = 0; round < 2; round++) {
		while ((n = read(rd, buf + got, (4 << 20) - got - 1)) > 0)
			got += n;
		json_lines_write(jl, snap);	/* room again: the rest of the line, and more */
	}
	buf[got] = '\0';
	assert_true(got > 0 && buf[got - 1] == '\n');
	for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		json_object *o;

		*nl = '\0';
		o = json_tokener_parse(line);
		assert_non_null(o);
		assert_true(json_object_is_type(o, json_type_object));
		json_object_put(o);
		lines++;
	}
	assert_true(lines >= written);
	free(buf);
	json_lines_close(jl);
	close(rd);
	unlink(fifo);
	rmdir(dir);
	json_object_put(snap);
}

/* what a local user could plant at a --json-lines path */
static void test_json_lines_refuse_planted(void **state)
{
	char dir[] = "/tmp/vfiotop-jl-XXXXXX", path[64], victim[64], other[64];
	struct json_lines *jl;
	struct stat st;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lines", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	fd = open(victim, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	/* a link to a file of the daemon's */
	assert_int_equal(symlink(victim, path), 0);
	assert_null(json_lines_open(path, false));
	assert_null(json_lines_open(path, true));
	unlink(path);
	/* a second name for it */
	assert_int_equal(link(victim, path), 0);
	assert_null(json_lines_open(path, false));
	unlink(path);
	/* a file of another user's, who would read every line */
	fd = open(other, O_WRONLY | O_CREAT | O_EXCL, 0666);
	assert_true(fd >= 0);
	close(fd);
	if (geteuid() == 0) {
		assert_int_equal(chown(other, 65534, 65534), 0);
		assert_null(json_lines_open(other, false));
		jl = json_lines_open(other, true);	/* --allow-shared-dirs */
		assert_non_null(jl);
		json_lines_close(jl);
	}
	/* not a file */
	assert_null(json_lines_open("/dev/null", false));
	/* a new file is made 0640, a file of its own is appended to */
	jl = json_lines_open(path, false);
	assert_non_null(jl);
	json_lines_close(jl);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	jl = json_lines_open(path, false);
	assert_non_null(jl);
	json_lines_close(jl);
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_size, 0);
	unlink(path);
	unlink(victim);
	unlink(other);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_routes),
		cmocka_unit_test(test_listen_addr),
		cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_json_line_of_garbage),
		cmocka_unit_test(test_json_lines_never_block),
		cmocka_unit_test(test_json_lines_refuse_planted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
