// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the daemon serves besides the socket and /metrics: HTTP routing,
 * --listen parsing and --json-lines, whose line must stay the snapshot's
 * device object behind its envelope, byte for byte.
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

#include "devices.h"
#include "http_route.h"
#include "json_lines.h"
#include "json_writer.h"
#include "listen_addr.h"
#include "snapshot_json.h"
#include "status.h"

#define N_DEVICES 4

/* a second past the epoch's 2026-12-04T16:45:33, and 207.786045 ms */
static const struct snapshot_clock at = { .real_ns = 1796402733207786045ull,
					  .mono_ns = 7000000000ull };

/* four devices, one with an owner whose comm needs escapes and a power state */
static void four_devices(struct device_table *t, struct daemon_status *st)
{
	struct device *d;

	*st = (struct daemon_status){ .version = "t", .state = "attached" };
	snprintf(st->kernel_release, sizeof(st->kernel_release), "6.12.95+deb12-amd64");
	for (unsigned int i = 0; i < N_DEVICES; i++) {
		d = devtab_get(t, vtop_dev_key(0, i + 1, 0));
		d->id.present = true;
		d->id.vendor = 0x10de;
		d->id.iommu_group = i;
		snprintf(d->id.driver, sizeof(d->id.driver), "vfio-pci");
		snprintf(d->names.vendor_name, sizeof(d->names.vendor_name), "NVIDIA \"Corp\"");
		d->stats.faults = 10 * i;
		d->stats.fault_hist[12] = 10 * i;
	}
	d = &t->devs[1];
	device_owner_seen(d, 4242, "qemu\t\x01/\xff", OWNER_VIA_MMAP | OWNER_VIA_FD);
	d->power_known = true;
	d->power.state = VTOP_PWR_D3HOT;
}

/*
 * The line as json_line_build() made it before lines were written from the
 * table: the snapshot parsed back, an envelope from its members, then the
 * device's members, printed plain by json-c.
 */
static char *json_c_line(const char *snapshot, size_t i, const char *host, const char *timestamp)
{
	json_object *snap = json_tokener_parse(snapshot), *line = json_object_new_object();
	json_object *dev, *v;
	char *text;

	assert_non_null(snap);
	json_object_object_add(line, "timestamp", json_object_new_string(timestamp));
	assert_true(json_object_object_get_ex(snap, "time_ns", &v));
	json_object_object_add(line, "time_ns", json_object_get(v));
	json_object_object_add(line, "host", json_object_new_string(host));
	assert_true(json_object_object_get_ex(snap, "kernel", &v));
	assert_true(json_object_object_get_ex(v, "release", &v));
	json_object_object_add(line, "kernel_release", json_object_get(v));
	assert_true(json_object_object_get_ex(snap, "schema_version", &v));
	json_object_object_add(line, "schema_version", json_object_get(v));
	assert_true(json_object_object_get_ex(snap, "devices", &v));
	dev = json_object_array_get_idx(v, i);
	assert_non_null(dev);
	json_object_object_foreach(dev, key, val)
		json_object_object_add(line, key, json_object_get(val));
	text = strdup(json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(line);
	json_object_put(snap);
	return text;
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

/* each line is its device's object in the snapshot of the same moment, behind the envelope */
static void test_json_line(void **state)
{
	struct device_table t = { 0 };
	struct daemon_status st;
	char *snapshot;

	four_devices(&t, &st);
	snapshot = snapshot_render_at(&st, &t, false, true, &at);
	assert_non_null(snapshot);
	for (size_t i = 0; i < t.n; i++) {
		char *expected = json_c_line(snapshot, i, "host-a", "2026-12-04T16:45:33.207Z");
		struct json_writer w;
		char *line;

		jw_init(&w);
		json_line_json(&w, &st, &t.devs[i], &at, "host-a");
		line = jw_finish(&w);
		assert_non_null(line);
		assert_string_equal(line, expected);
		free(line);
		free(expected);
	}
	free(snapshot);
	devtab_free(&t);
}

/* a FIFO whose reader never reads: a write that blocked would end the test here */
static void test_json_lines_never_block(void **state)
{
	char dir[] = "/tmp/vfiotop-jl-XXXXXX", fifo[64], *buf;
	struct device_table t = { 0 };
	struct daemon_status st;
	struct json_lines *jl;
	size_t got = 0, lines = 0;
	uint64_t written = 0;
	int rd;
	ssize_t n;

	four_devices(&t, &st);
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
		int w = json_lines_write(jl, &st, &t);

		assert_true(w >= 0);
		written += w;
	}
	alarm(0);
	assert_true(*json_lines_dropped_count(jl) > 0);
	assert_int_equal(written + *json_lines_dropped_count(jl), 200 * N_DEVICES);
	/* what the reader gets is whole lines only: a line begun is finished first */
	buf = malloc(4 << 20);
	assert_non_null(buf);
	for (int round = 0; round < 2; round++) {
		while ((n = read(rd, buf + got, (4 << 20) - got - 1)) > 0)
			got += n;
		json_lines_write(jl, &st, &t);	/* room again: the rest of the line, and more */
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
	devtab_free(&t);
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
		cmocka_unit_test(test_json_lines_never_block),
		cmocka_unit_test(test_json_lines_refuse_planted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
