// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The snapshot document (docs/json.md): render a known table, parse it back
 * with json-c and check the fields a client reads, including hostile comms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "names.h"
#include "dma_procs.h"
#include "snapshot_json.h"
#include "status.h"

#define HOSTILE_COMM "a\"b\\c\nd\x01"
#define COMM_15 "abcdefghijklmno"

_Static_assert(sizeof(COMM_15) == VTOP_COMM_LEN, "15 chars + NUL");

struct fixture {
	struct device_table t;
	struct hook_status hooks[3];
	struct daemon_status st;
	char *out;
	json_object *root;
};

static uint32_t key_of(unsigned int dom, unsigned int bus, unsigned int dev, unsigned int fn)
{
	return vtop_dev_key(dom, bus, dev << 3 | fn);
}

/* Follows "a.b.0.c": object keys, or array indexes for numeric parts. Fails if absent. */
static json_object *jget(json_object *o, const char *path)
{
	char buf[256], *save = NULL, *part;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
		json_object *next = NULL;

		if (json_object_is_type(o, json_type_array)) {
			char *end;
			long i = strtol(part, &end, 10);

			if (*end || i < 0 || (size_t)i >= json_object_array_length(o))
				fail_msg("%s: no index %s", path, part);
			next = json_object_array_get_idx(o, i);
		} else if (!json_object_object_get_ex(o, part, &next)) {
			fail_msg("%s: no key %s", path, part);
		}
		o = next;
	}
	return o;
}

static uint64_t ju64(json_object *root, const char *path)
{
	json_object *o = jget(root, path);

	if (!json_object_is_type(o, json_type_int))
		fail_msg("%s is not an integer", path);
	return json_object_get_uint64(o);
}

static const char *jstr(json_object *root, const char *path)
{
	json_object *o = jget(root, path);

	if (!json_object_is_type(o, json_type_string))
		fail_msg("%s is not a string", path);
	return json_object_get_string(o);
}

/* The object at path has exactly these keys (in any order). */
static void assert_keys_exactly(json_object *root, const char *path, const char *const *keys,
				size_t n)
{
	json_object *o = jget(root, path);

	assert_true(json_object_is_type(o, json_type_object));
	assert_int_equal(json_object_object_length(o), n);
	for (size_t i = 0; i < n; i++)
		if (!json_object_object_get_ex(o, keys[i], NULL))
			fail_msg("%s lacks key %s", path, keys[i]);
}

static void fill_first_device(struct device *d)
{
	struct device_stats *s = &d->stats;

	d->id.present = true;
	d->id.vendor = 0x1af4;
	d->id.device = 0x1110;
	d->id.subsys_vendor = 0x1b36;
	d->id.subsys_device = 0x0100;
	d->id.class_id = 0x050000;
	snprintf(d->id.driver, sizeof(d->id.driver), "vfio-pci");
	d->id.iommu_group = 7;

	s->faults = 100;
	s->faults_by_origin[VTOP_ORIGIN_USER] = 61;
	s->faults_by_origin[VTOP_ORIGIN_DMA_MAP] = 30;
	s->faults_by_origin[VTOP_ORIGIN_KERNEL] = 9;
	s->faults_by_result[VTOP_FRES_NOPAGE] = 93;
	s->faults_by_result[VTOP_FRES_SIGBUS] = 3;
	s->faults_by_result[VTOP_FRES_OOM] = 1;
	s->faults_by_result[VTOP_FRES_FALLBACK] = 3;
	s->fault_hist[10] = 99;
	s->fault_hist[20] = 1;
	s->fault_ns_sum = 99 * 1500 + 1500000;
	s->fault_ns_max = 1500000;

	s->pages[VTOP_PSIZE_4K] = 5;
	s->pages[VTOP_PSIZE_2M] = 3;
	s->pages[VTOP_PSIZE_1G] = 1;

	for (unsigned int m = 0; m < VTOP_MODE_MAX; m++)
		s->memtype_by_mode[m] = 100 + m;
	s->memtype_lookups = 615;
	s->rare.memtype_mismatch = 2;

	s->rare.zaps = 28;
	for (unsigned int op = 0; op < VTOP_OP_MAX; op++)
		s->rare.zaps_by_reason[op] = 10 + op;
	s->rare.zaps_failed = 1;
	s->rare.zap_vmas = 4;
	s->rare.zap_bytes = 1 << 21;
	s->rare.zap_ns_sum = 4444;

	s->rare.resets = 6;
	for (unsigned int op = 0; op < VTOP_OP_MAX; op++)
		s->rare.resets_by_origin[op] = 200 + op;
	s->rare.resets_by_method[VTOP_RESET_FUNCTION] = 5;
	s->rare.resets_by_method[VTOP_RESET_BUS] = 1;
	s->rare.reset_ns_max = 900;
	d->last_reset_ns = 321;
	d->last_reset_ret = -25;	/* ENOTTY: no reset method worked */
	d->last_reset_how = VTOP_PCIRESET_FLR;
	s->rare.resets_by_how[VTOP_PCIRESET_FLR] = 4;
	s->rare.reset_attempts[VTOP_PCIRESET_FLR] = 5;
	s->rare.reset_attempts_failed[VTOP_PCIRESET_FLR] = 1;
	s->rare.power_transitions[VTOP_PWR_D3HOT] = 2;
	d->power_known = true;
	d->power.state = VTOP_PWR_D3HOT;

	s->rare.mmaps = 2;
	s->rare.mmap_bytes = 3 << 20;
	s->rare.mmaps_failed = 7;

	device_owner_seen(d, 1234, HOSTILE_COMM, OWNER_VIA_MMAP);
	d->owners[0].bars = 1u << 0 | 1u << 2;
	device_owner_seen(d, 99, COMM_15, OWNER_VIA_FD);
	d->owners[1].alive = false;
	d->owners_dropped = 4;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct device *d;

	if (!f)
		return -1;
	/* inserted out of order: devices[] must come out sorted by address */
	d = devtab_get(&f->t, key_of(1, 0x80, 0x1f, 7));
	d->id.present = false;		/* gone, no iommu group */
	d->stats.faults = 1;
	fill_first_device(devtab_get(&f->t, key_of(0, 1, 0, 0)));

	snprintf(f->hooks[0].function, sizeof(f->hooks[0].function), "vfio_pci_mmap_fault");
	snprintf(f->hooks[0].mechanism, sizeof(f->hooks[0].mechanism), "fexit");
	snprintf(f->hooks[0].module, sizeof(f->hooks[0].module), "vfio_pci_core");
	snprintf(f->hooks[0].program, sizeof(f->hooks[0].program), "fexit_fault");
	f->hooks[0].attached = true;
	snprintf(f->hooks[1].function, sizeof(f->hooks[1].function), "vfio_pci_mmap_huge_fault");
	snprintf(f->hooks[1].mechanism, sizeof(f->hooks[1].mechanism), "fexit");
	snprintf(f->hooks[1].module, sizeof(f->hooks[1].module), "vfio_pci_core");
	snprintf(f->hooks[1].program, sizeof(f->hooks[1].program), "fexit_huge_fault");
	f->hooks[1].attached = false;
	f->hooks[0].selected = f->hooks[1].selected = true;
	/* the kprobe twin of an fexit hook that was used instead: in neither list */
	snprintf(f->hooks[2].function, sizeof(f->hooks[2].function), "vfio_pci_mmap_fault");
	snprintf(f->hooks[2].mechanism, sizeof(f->hooks[2].mechanism), "kretprobe");
	f->hooks[2].selected = false;
	snprintf(f->hooks[1].why, sizeof(f->hooks[1].why), "not in this kernel");

	f->st.version = "test-1.2";
	f->st.pid = 4321;
	f->st.started_at = 1700000000;
	f->st.state = "attached";
	snprintf(f->st.kernel_release, sizeof(f->st.kernel_release), "6.1.0-99-amd64");
	snprintf(f->st.kernel_version, sizeof(f->st.kernel_version), "#1 SMP Debian");
	f->st.hooks = f->hooks;
	f->st.n_hooks = 3;
	f->st.self.ringbuf_drops = 3;
	f->st.self.devmap_full = 4;
	f->st.prog_misses = 5;
	f->st.records_malformed = 6;
	f->st.n_maps = 2;
	snprintf(f->st.maps[0].name, sizeof(f->st.maps[0].name), "dev_hot");
	f->st.maps[0].bytes = 798720;
	snprintf(f->st.maps[1].name, sizeof(f->st.maps[1].name), "rodata");
	f->st.maps[1].bytes = 4096;

	f->out = snapshot_render(&f->st, &f->t, false);
	if (!f->out)
		return -1;
	f->root = json_tokener_parse(f->out);
	if (!f->root) {
		fprintf(stderr, "snapshot does not parse: %s\n", f->out);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	json_object_put(f->root);
	free(f->out);
	devtab_free(&f->t);
	free(f);
	return 0;
}

static void test_top_level(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ju64(f->root, "schema_version"), SNAPSHOT_SCHEMA_VERSION);
	assert_string_equal(jstr(f->root, "kernel.release"), "6.1.0-99-amd64");
	assert_string_equal(jstr(f->root, "kernel.version"), "#1 SMP Debian");
	assert_string_equal(jstr(f->root, "daemon.version"), "test-1.2");
	assert_int_equal(ju64(f->root, "daemon.pid"), 4321);
	assert_int_equal(ju64(f->root, "daemon.started_at"), 1700000000);
	assert_string_equal(jstr(f->root, "daemon.state"), "attached");
	assert_true(ju64(f->root, "time_ns") > 1600000000ull * 1000000000ull);
	/* lost_events = ring buffer drops + device map full + program recursion misses */
	assert_int_equal(ju64(f->root, "lost_events"), 3 + 4 + 5 + 6);
	assert_int_equal(ju64(f->root, "lost_events_by_cause.ringbuf_full"), 3);
	assert_int_equal(ju64(f->root, "lost_events_by_cause.device_map_full"), 4);
	assert_int_equal(ju64(f->root, "lost_events_by_cause.program_recursion"), 5);
	assert_int_equal(ju64(f->root, "lost_events_by_cause.malformed_record"), 6);
	assert_int_equal(ju64(f->root, "daemon.kernel_memory.bytes"), 798720 + 4096);
	assert_int_equal(ju64(f->root, "daemon.kernel_memory.maps.dev_hot"), 798720);
	assert_int_equal(ju64(f->root, "daemon.kernel_memory.maps.rodata"), 4096);
}

/* Attached and unattached hooks go to separate arrays; only the latter say why. */
static void test_hooks(void **state)
{
	struct fixture *f = *state;
	json_object *h = jget(f->root, "hooks"), *u = jget(f->root, "hooks_unavailable");

	assert_int_equal(json_object_array_length(h), 1);
	assert_int_equal(json_object_array_length(u), 1);
	assert_string_equal(jstr(h, "0.function"), "vfio_pci_mmap_fault");
	assert_string_equal(jstr(h, "0.mechanism"), "fexit");
	assert_string_equal(jstr(h, "0.module"), "vfio_pci_core");
	assert_string_equal(jstr(h, "0.program"), "fexit_fault");
	assert_false(json_object_object_get_ex(jget(h, "0"), "why", NULL));
	assert_string_equal(jstr(u, "0.function"), "vfio_pci_mmap_huge_fault");
	assert_string_equal(jstr(u, "0.why"), "not in this kernel");
}

static void test_device_identity(void **state)
{
	struct fixture *f = *state;
	json_object *devs = jget(f->root, "devices");

	assert_int_equal(json_object_array_length(devs), 2);
	/* sorted by address, formatted dddd:bb:dd.f */
	assert_string_equal(jstr(devs, "0.bdf"), "0000:01:00.0");
	assert_string_equal(jstr(devs, "1.bdf"), "0001:80:1f.7");
	assert_string_equal(jstr(devs, "0.state"), "live");
	assert_string_equal(jstr(devs, "1.state"), "gone");
	assert_string_equal(jstr(devs, "0.vendor"), "0x1af4");
	assert_string_equal(jstr(devs, "0.device"), "0x1110");
	assert_string_equal(jstr(devs, "0.subsystem_vendor"), "0x1b36");
	assert_string_equal(jstr(devs, "0.subsystem_device"), "0x0100");	/* zero-padded */
	assert_string_equal(jstr(devs, "0.class"), "0x050000");
	assert_string_equal(jstr(devs, "0.driver"), "vfio-pci");
	assert_int_equal(ju64(devs, "0.iommu_group"), 7);
	/* no group is null, not -1 */
	assert_null(jget(devs, "1.iommu_group"));
	assert_string_equal(jstr(devs, "1.vendor"), "0x0000");
	assert_string_equal(jstr(devs, "1.driver"), "");
	assert_int_equal(ju64(devs, "1.faults.count"), 1);
}

static void test_faults(void **state)
{
	struct fixture *f = *state;
	json_object *d = jget(f->root, "devices.0");

	assert_int_equal(ju64(d, "faults.count"), 100);
	assert_int_equal(ju64(d, "faults.sigbus"), 3);
	assert_int_equal(ju64(d, "faults.oom"), 1);
	assert_int_equal(ju64(d, "faults.fallback"), 3);
	assert_int_equal(ju64(d, "faults.by_origin.user"), 61);
	assert_int_equal(ju64(d, "faults.by_origin.dma_map"), 30);
	assert_int_equal(ju64(d, "faults.by_origin.kernel"), 9);
}

static void test_latency(void **state)
{
	struct fixture *f = *state;
	json_object *lat = jget(f->root, "devices.0.faults.latency_ns"), *b;
	uint64_t p50 = ju64(lat, "p50"), p99 = ju64(lat, "p99"), max = ju64(lat, "max");
	uint64_t sum = 0;

	assert_int_equal(max, 1500000);
	/* 99 samples in [1024, 2047], one in slot 20: p50 and p99 stay in the fast slot */
	assert_in_range(p50, 1024, 2047);
	assert_in_range(p99, 1024, 2047);
	assert_true(p50 <= p99 && p99 <= max);
	assert_int_equal(ju64(lat, "sum"), 99 * 1500 + 1500000);
	assert_int_equal(ju64(lat, "mean"), (99 * 1500 + 1500000) / 100);

	/* only the non-empty slots, in order, and they add up to faults.count */
	b = jget(lat, "buckets");
	assert_int_equal(json_object_array_length(b), 2);
	for (size_t i = 0; i < json_object_array_length(b); i++) {
		json_object *s = json_object_array_get_idx(b, i);

		assert_true(ju64(s, "count") > 0);
		assert_true(ju64(s, "lo") <= ju64(s, "hi"));
		sum += ju64(s, "count");
	}
	assert_int_equal(sum, ju64(f->root, "devices.0.faults.count"));
	assert_int_equal(ju64(b, "0.lo"), 1024);
	assert_int_equal(ju64(b, "0.hi"), 2047);
	assert_int_equal(ju64(b, "0.count"), 99);
	assert_int_equal(ju64(b, "1.lo"), 1048576);
	assert_int_equal(ju64(b, "1.hi"), 2097151);
	assert_int_equal(ju64(b, "1.count"), 1);
}

static void test_mapped_zaps_memtype_resets(void **state)
{
	static const char *const reasons[] = {
		"mem_disable", "power_state", "flr", "reset", "hot_reset", "low_power", "feature",
		"other",
	};
	static const char *const modes[] = { "wb", "wc", "uc-", "uc", "wt", "wp" };
	static const char *const origins[] = {
		"open", "reset", "hot_reset", "flr", "power_state", "close", "feature", "other",
	};
	struct fixture *f = *state;
	json_object *d = jget(f->root, "devices.0");

	assert_int_equal(ju64(d, "mapped.pages_4k"), 5);
	assert_int_equal(ju64(d, "mapped.pages_2m"), 3);
	assert_int_equal(ju64(d, "mapped.pages_1g"), 1);
	assert_int_equal(ju64(d, "mapped.bytes"), 5 * 4096ull + 3 * (2ull << 20) + (1ull << 30));

	/* zap reasons: each name carries its own enum slot's count */
	assert_keys_exactly(d, "zaps.by_reason", reasons, 8);
	assert_int_equal(ju64(d, "zaps.by_reason.mem_disable"), 10 + VTOP_OP_MEM_DISABLE);
	assert_int_equal(ju64(d, "zaps.by_reason.power_state"), 10 + VTOP_OP_POWER_STATE);
	assert_int_equal(ju64(d, "zaps.by_reason.flr"), 10 + VTOP_OP_FLR);
	assert_int_equal(ju64(d, "zaps.by_reason.reset"), 10 + VTOP_OP_RESET);
	assert_int_equal(ju64(d, "zaps.by_reason.hot_reset"), 10 + VTOP_OP_HOT_RESET);
	assert_int_equal(ju64(d, "zaps.by_reason.low_power"), 10 + VTOP_OP_LOW_POWER);
	assert_int_equal(ju64(d, "zaps.by_reason.other"), 10 + VTOP_OP_OTHER);
	assert_int_equal(ju64(d, "zaps.count"), 28);
	assert_int_equal(ju64(d, "zaps.failed"), 1);
	assert_int_equal(ju64(d, "zaps.vmas"), 4);
	assert_int_equal(ju64(d, "zaps.bytes"), 1 << 21);
	assert_int_equal(ju64(d, "zaps.time_ns"), 4444);

	assert_keys_exactly(d, "memtype.by_mode", modes, 6);
	assert_int_equal(ju64(d, "memtype.by_mode.wb"), 100 + VTOP_MODE_WB);
	assert_int_equal(ju64(d, "memtype.by_mode.wc"), 100 + VTOP_MODE_WC);
	assert_int_equal(ju64(d, "memtype.by_mode.uc-"), 100 + VTOP_MODE_UC_MINUS);
	assert_int_equal(ju64(d, "memtype.by_mode.uc"), 100 + VTOP_MODE_UC);
	assert_int_equal(ju64(d, "memtype.by_mode.wt"), 100 + VTOP_MODE_WT);
	assert_int_equal(ju64(d, "memtype.by_mode.wp"), 100 + VTOP_MODE_WP);
	assert_int_equal(ju64(d, "memtype.lookups"), 615);
	assert_int_equal(ju64(d, "memtype.mismatches"), 2);

	assert_keys_exactly(d, "resets.by_origin", origins, 8);
	assert_int_equal(ju64(d, "resets.by_origin.open"), 200 + VTOP_OP_OPEN);
	assert_int_equal(ju64(d, "resets.by_origin.reset"), 200 + VTOP_OP_RESET);
	assert_int_equal(ju64(d, "resets.by_origin.hot_reset"), 200 + VTOP_OP_HOT_RESET);
	assert_int_equal(ju64(d, "resets.by_origin.flr"), 200 + VTOP_OP_FLR);
	assert_int_equal(ju64(d, "resets.by_origin.power_state"), 200 + VTOP_OP_POWER_STATE);
	assert_int_equal(ju64(d, "resets.by_origin.close"), 200 + VTOP_OP_CLOSE);
	assert_int_equal(ju64(d, "resets.by_origin.other"), 200 + VTOP_OP_OTHER);
	assert_int_equal(ju64(d, "resets.by_method.function"), 5);
	assert_int_equal(ju64(d, "resets.by_method.bus"), 1);
	assert_int_equal(ju64(d, "resets.by_pci_method.flr"), 4);
	assert_int_equal(ju64(d, "resets.attempts.flr.failed"), 1);
	assert_string_equal(jstr(d, "resets.last_pci_method"), "flr");
	assert_string_equal(jstr(d, "resets.last_error"), "ENOTTY");
	assert_string_equal(jstr(d, "power.state"), "D3hot");
	assert_int_equal(ju64(d, "power.transitions.D3hot"), 2);
	assert_int_equal(ju64(d, "resets.count"), 6);
	assert_int_equal(ju64(d, "resets.max_ns"), 900);
	assert_int_equal(ju64(d, "resets.last_ns"), 321);

	assert_int_equal(ju64(d, "mmaps.count"), 2);
	assert_int_equal(ju64(d, "mmaps.bytes"), 3 << 20);
	assert_int_equal(ju64(d, "mmaps.failed"), 7);
	assert_int_equal(ju64(d, "owners_dropped"), 4);
}

/* A process picks its own comm: quotes, backslashes and control bytes must be escaped. */
static void test_hostile_comm(void **state)
{
	struct fixture *f = *state;
	json_object *p = jget(f->root, "devices.0.processes"), *comm, *bars;

	assert_int_equal(json_object_array_length(p), 2);
	comm = jget(p, "0.comm");
	assert_int_equal(json_object_get_string_len(comm), strlen(HOSTILE_COMM));
	assert_memory_equal(json_object_get_string(comm), HOSTILE_COMM, strlen(HOSTILE_COMM));
	/* compact output is one line: the newline and \x01 went out escaped */
	for (const char *c = f->out; *c; c++)
		if ((unsigned char)*c < 0x20)
			fail_msg("raw control byte 0x%02x in compact snapshot", *c);

	assert_int_equal(ju64(p, "0.pid"), 1234);
	assert_true(json_object_get_boolean(jget(p, "0.alive")));
	assert_true(json_object_get_boolean(jget(p, "0.mapped")));
	assert_false(json_object_get_boolean(jget(p, "0.holds_fd")));
	bars = jget(p, "0.bars");
	assert_int_equal(json_object_array_length(bars), 2);
	assert_int_equal(ju64(bars, "0"), 0);
	assert_int_equal(ju64(bars, "1"), 2);
}

/* The longest comm the kernel gives (15 chars) is not cut. */
static void test_comm_15_chars(void **state)
{
	struct fixture *f = *state;
	json_object *p = jget(f->root, "devices.0.processes.1");

	assert_string_equal(jstr(p, "comm"), COMM_15);
	assert_int_equal(ju64(p, "pid"), 99);
	assert_false(json_object_get_boolean(jget(p, "alive")));
	assert_false(json_object_get_boolean(jget(p, "mapped")));
	assert_true(json_object_get_boolean(jget(p, "holds_fd")));
	assert_int_equal(json_object_array_length(jget(p, "bars")), 0);
}

/*
 * What --pretty printed when it parsed the plain document back with json-c
 * and printed the tree indented; the caller frees it.
 */
static char *json_c_pretty(const char *plain)
{
	json_object *root = json_tokener_parse(plain);
	char *s;

	assert_non_null(root);
	s = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_NOSLASHESCAPE |
						  JSON_C_TO_STRING_PRETTY |
						  JSON_C_TO_STRING_SPACED));
	json_object_put(root);
	return s;
}

/* The writer's pretty document is byte for byte what the parse-back gave. */
static void assert_pretty_is_parse_back(const struct daemon_status *st,
					const struct device_table *t, bool details)
{
	struct snapshot_clock at = { .real_ns = 1796414282418654274ull, .mono_ns = 5000000000ull };
	char *plain = snapshot_render_at(st, t, false, details, &at);
	char *pretty = snapshot_render_at(st, t, true, details, &at);
	char *expected;

	assert_non_null(plain);
	assert_non_null(pretty);
	expected = json_c_pretty(plain);
	assert_string_equal(pretty, expected);
	free(expected);
	free(pretty);
	free(plain);
}

static void test_pretty_is_parse_back(void **state)
{
	struct fixture *f = *state;
	struct device_table empty = { 0 };

	assert_pretty_is_parse_back(&f->st, &f->t, true);
	assert_pretty_is_parse_back(&f->st, &f->t, false);
	/* no devices, no hooks: the empty arrays json-c broke over two lines */
	assert_pretty_is_parse_back(&f->st, &empty, true);
}

/* snapshot pretty: indented, still valid, same content. */
static void test_pretty(void **state)
{
	struct fixture *f = *state;
	char *s = snapshot_render(&f->st, &f->t, true);
	json_object *root;

	assert_non_null(s);
	assert_non_null(strchr(s, '\n'));	/* actually indented */
	root = json_tokener_parse(s);
	assert_non_null(root);
	assert_int_equal(ju64(root, "devices.0.faults.count"), 100);
	assert_string_equal(jstr(root, "devices.1.bdf"), "0001:80:1f.7");
	assert_string_equal(jstr(root, "devices.0.processes.0.comm"), HOSTILE_COMM);
	assert_int_equal(ju64(root, "lost_events"), 3 + 4 + 5 + 6);
	json_object_put(root);
	free(s);
}

/* No devices and no hooks (waiting for vfio-pci): empty arrays, not missing keys. */
static void test_empty(void **state)
{
	struct device_table t = { 0 };
	struct daemon_status st = { 0 };
	json_object *root;
	char *s;

	st.version = "v";
	st.state = "waiting for vfio-pci";
	s = snapshot_render(&st, &t, false);
	assert_non_null(s);
	root = json_tokener_parse(s);
	assert_non_null(root);
	assert_int_equal(json_object_array_length(jget(root, "devices")), 0);
	assert_int_equal(json_object_array_length(jget(root, "hooks")), 0);
	assert_int_equal(json_object_array_length(jget(root, "hooks_unavailable")), 0);
	assert_int_equal(ju64(root, "lost_events"), 0);
	assert_string_equal(jstr(root, "daemon.state"), "waiting for vfio-pci");
	json_object_put(root);
	free(s);
}

/*
 * A process can name itself any bytes (prctl PR_SET_NAME): the document must
 * stay valid UTF-8, which json-c's strict tokener and every JSON client check.
 * Valid multi-byte characters pass through; invalid bytes become U+FFFD.
 */
static void test_comm_invalid_utf8(void **state)
{
	static const char *const comms[] = { "q\xff\xfe\xc3", "\xed\xa0\x80", "\xc0\xaf",
					      "\xf4\x90\x80\x80", "caf\xc3" };
	struct device_table t = { 0 };
	struct daemon_status st = { .version = "v", .state = "attached" };
	struct device *d = devtab_get(&t, key_of(0, 1, 0, 0));

	for (size_t i = 0; i < sizeof(comms) / sizeof(comms[0]); i++)
		device_owner_seen(d, 100 + i, comms[i], OWNER_VIA_MMAP);
	device_owner_seen(d, 200, "gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac", OWNER_VIA_MMAP);

	char *s = snapshot_render(&st, &t, false);
	json_tokener *tok = json_tokener_new();
	json_object *root;

	assert_non_null(s);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, s, strlen(s));
	assert_int_equal(json_tokener_get_error(tok), json_tokener_success);
	assert_string_equal(jstr(root, "devices.0.processes.0.comm"), "q\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(jstr(root, "devices.0.processes.5.comm"), "gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac");
	json_object_put(root);
	json_tokener_free(tok);
	free(s);
	assert_pretty_is_parse_back(&st, &t, true);
	devtab_free(&t);
}

/*
 * The BAR's reserved mode against the modes faults were given: the
 * mismatches are derived from the counters (faults given another mode, plus
 * reservations granted another mode than requested).
 */
static void test_memtype_reserved_and_mismatch(void **state)
{
	struct device_table t = { 0 };
	struct daemon_status st = { .version = "v", .state = "attached" };
	struct device *ok = devtab_get(&t, key_of(0, 1, 0, 0));
	struct device *bad = devtab_get(&t, key_of(0, 2, 0, 0));
	struct device *unknown = devtab_get(&t, key_of(0, 3, 0, 0));
	json_object *root;
	char *s;

	ok->stats.rare.memtype_reserved = VTOP_MODE_UC_MINUS + 1;
	ok->stats.rare.memtype_reservations = 2;
	ok->stats.memtype_by_mode[VTOP_MODE_UC_MINUS] = 65536;
	bad->stats.rare.memtype_reserved = VTOP_MODE_WC + 1;
	bad->stats.memtype_by_mode[VTOP_MODE_WC] = 10;
	bad->stats.memtype_by_mode[VTOP_MODE_UC_MINUS] = 3;
	bad->stats.rare.memtype_mismatch = 1;
	unknown->stats.memtype_by_mode[VTOP_MODE_UC] = 5;
	s = snapshot_render(&st, &t, false);
	root = json_tokener_parse(s);
	assert_non_null(root);
	assert_string_equal(jstr(root, "devices.0.memtype.reserved"), "uc-");
	assert_int_equal(ju64(root, "devices.0.memtype.reservations"), 2);
	assert_int_equal(ju64(root, "devices.0.memtype.mismatches"), 0);
	assert_false(json_object_get_boolean(jget(root, "devices.0.memtype.mismatch")));
	assert_string_equal(jstr(root, "devices.1.memtype.reserved"), "wc");
	assert_int_equal(ju64(root, "devices.1.memtype.mismatches"), 3 + 1);
	assert_true(json_object_get_boolean(jget(root, "devices.1.memtype.mismatch")));
	/* no reservation seen (daemon started after the mmap): null, nothing to compare */
	assert_true(json_object_is_type(jget(root, "devices.2.memtype.reserved"), json_type_null));
	assert_int_equal(ju64(root, "devices.2.memtype.mismatches"), 0);
	json_object_put(root);
	free(s);
	devtab_free(&t);
}

static void test_names(void **state)
{
	assert_string_equal(op_name(VTOP_OP_MEM_DISABLE), "mem_disable");
	assert_string_equal(op_name(VTOP_OP_HOT_RESET), "hot_reset");
	assert_string_equal(op_name(VTOP_OP_MAX), "other");	/* out of range from BPF */
	assert_string_equal(op_name(1000), "other");
	assert_string_equal(cache_mode_name(VTOP_MODE_UC_MINUS), "uc-");
	assert_string_equal(cache_mode_name(VTOP_MODE_MAX), "unknown");
}

/*
 * 7.x: reservation events named by BAR from sysfs ranges, a mapping's
 * alignment, DMA-BUFs alive and by whom; racing faults are not pages.
 */
static void test_bars_mappings_dmabufs(void **state)
{
	struct device_table t = { 0 };
	struct daemon_status st = { .version = "t", .state = "attached" };
	struct device *d = devtab_get(&t, key_of(0, 1, 0, 0));
	struct vtop_event e = { .dev = key_of(0, 1, 0, 0), .pid = 77 };
	json_object *root, *dev;
	char *text;

	assert_non_null(d);
	d->id.present = true;
	d->id.bar_start[0] = 0xfe000000;
	d->id.bar_size[0] = 256;
	d->id.bar_start[2] = 0x800000000ull;
	d->id.bar_size[2] = 64ull << 20;
	snprintf(e.comm, sizeof(e.comm), "qemu");
	e.type = VTOP_EV_RESERVE;	/* at open, 7.x: both memory BARs */
	e.reserve.requested = VTOP_MODE_UC_MINUS;
	e.reserve.granted = VTOP_MODE_UC_MINUS;
	e.reserve.addr = 0xfe000000;
	devtab_apply_event(&t, &e);
	e.reserve.addr = 0x800000000ull + 4096;
	e.reserve.granted = VTOP_MODE_WC;	/* a resource2_wc mapping had it first: granted wc */
	devtab_apply_event(&t, &e);
	e.ret = -16;			/* a failed one names no BAR's mode */
	e.reserve.granted = VTOP_MODE_UC;
	devtab_apply_event(&t, &e);
	e.ret = 0;
	e.reserve.addr = 0x1000;	/* no BAR holds it */
	devtab_apply_event(&t, &e);
	e = (struct vtop_event){ .type = VTOP_EV_MMAP, .dev = e.dev, .pid = 77,
				 .mmap = { .bar = 2, .addr = 0x7f0000201000ull,
					   .len = 64ull << 20 } };
	devtab_apply_event(&t, &e);
	e.mmap.addr = 0x7f0040000000ull;
	e.mmap.len = 1ull << 30;
	devtab_apply_event(&t, &e);
	e.mmap.addr = 0x7f0080201000ull;	/* 4 KiB into the BAR, 4 KiB past 2 MiB: aligned */
	e.mmap.bar_off = 4096;
	e.mmap.len = 8ull << 20;
	devtab_apply_event(&t, &e);
	e = (struct vtop_event){ .type = VTOP_EV_DMABUF_EXPORT, .dev = e.dev, .pid = 77,
				 .dmabuf_export.len = 2 << 20 };
	devtab_apply_event(&t, &e);
	e.ret = -25;			/* ENOTTY: not an owner's export */
	e.pid = 78;
	devtab_apply_event(&t, &e);
	d->stats.rare.dmabuf_exports = 3;
	d->stats.rare.dmabuf_released = 1;
	d->stats.faults_found_mapped = 43;

	assert_pretty_is_parse_back(&st, &t, true);
	text = snapshot_render(&st, &t, false);
	root = json_tokener_parse(text);
	assert_non_null(root);
	dev = jget(root, "devices.0");
	assert_int_equal(json_object_array_length(jget(dev, "memtype.bars")), 2);
	assert_int_equal(ju64(dev, "memtype.reservations_outside_bars"), 1);
	assert_int_equal(ju64(dev, "memtype.bars.0.bar"), 0);
	assert_int_equal(ju64(dev, "memtype.bars.1.bar"), 2);
	assert_int_equal(ju64(dev, "memtype.bars.1.bytes"), 64ull << 20);
	assert_string_equal(jstr(dev, "memtype.bars.1.mode"), "wc");
	assert_string_equal(jstr(dev, "memtype.bars.1.requested"), "uc-");
	assert_int_equal(ju64(dev, "memtype.bars.1.reservations"), 1);
	assert_string_equal(jstr(dev, "memtype.bars.0.mode"), "uc-");
	assert_int_equal(json_object_array_length(jget(dev, "mappings")), 3);
	assert_string_equal(jstr(dev, "mappings.2.largest_page"), "2m");
	assert_int_equal(ju64(dev, "mappings.2.offset_from_2m"), 0);
	assert_int_equal(ju64(dev, "mappings.2.bar_offset"), 4096);
	assert_string_equal(jstr(dev, "mappings.0.largest_page"), "4k");
	assert_int_equal(ju64(dev, "mappings.0.offset_from_2m"), 4096);
	assert_string_equal(jstr(dev, "mappings.0.huge_fallback"),
			    "mapped 4 KiB off a 2 MiB boundary: huge faults fall back to 4 KiB pages");
	assert_string_equal(jstr(dev, "mappings.1.largest_page"), "1g");
	assert_true(json_object_is_type(jget(dev, "mappings.1.huge_fallback"), json_type_null));
	assert_int_equal(ju64(dev, "dmabuf.alive"), 2);
	assert_int_equal(ju64(dev, "faults.found_mapped"), 43);
	assert_int_equal(json_object_array_length(jget(dev, "processes")), 1);
	assert_int_equal(ju64(dev, "processes.0.dmabufs"), 1);
	json_object_put(root);
	free(text);
	devtab_free(&t);
}

static bool has_text(const char *doc, const char *needle)
{
	return strstr(doc, needle) != NULL;
}

/*
 * What unauthenticated HTTP gets: every pid, comm and address left out (the
 * socket is 0600 for them), every counter kept. Distinct values, so a leak
 * of any of them is seen in the text.
 */
static void test_without_details(void **state)
{
	struct fixture *f = *state;
	struct device *d = devtab_find(&f->t, key_of(0, 1, 0, 0));
	struct vtop_event e = { .type = VTOP_EV_MMAP, .dev = key_of(0, 1, 0, 0), .pid = 31337,
				.mmap = { .bar = 2, .addr = 0x7f0123400000ull, .len = 2 << 20 } };
	struct dma_table *dma = calloc(1, sizeof(*dma));
	char *full, *bare;
	json_object *root;

	assert_non_null(d);
	assert_non_null(dma);
	devtab_apply_event(&f->t, &e);
	dma->n = 1;
	dma->procs[0].pid = 4242;
	snprintf(dma->procs[0].bpf.comm, sizeof(dma->procs[0].bpf.comm), "qemu-dma");
	dma->procs[0].bpf.s.calls[VTOP_DMA_MAP] = 6;
	dma->last_failure = (struct dma_failure){ .ts_ns = 1, .pid = 4242, .err = 14,
						  .vaddr = 0x7fbeef000000ull,
						  .iova = 0xcafe0000ull, .size = 8192 };
	snprintf(dma->last_failure.comm, sizeof(dma->last_failure.comm), "qemu-dma");
	dma->procs[0].last_failure = dma->last_failure;
	f->st.dma = dma;

	full = snapshot_render_for(&f->st, &f->t, false, true);
	bare = snapshot_render_for(&f->st, &f->t, false, false);
	assert_non_null(full);
	assert_non_null(bare);
	/* the values are there with details: the checks below can fail */
	assert_true(has_text(full, "\"pid\":4321") && has_text(full, "31337") &&
		    has_text(full, "\"pid\":1234") && has_text(full, "qemu-dma") &&
		    has_text(full, "4242"));
	assert_true(has_text(full, "139642863091712") && has_text(full, "140458030268416"));
	assert_false(has_text(bare, "\"pid\""));
	assert_false(has_text(bare, "\"comm\""));
	assert_false(has_text(bare, "\"addr\""));
	assert_false(has_text(bare, "\"vaddr\""));
	assert_false(has_text(bare, "\"iova\""));
	assert_false(has_text(bare, "qemu-dma") || has_text(bare, "31337") ||
		     has_text(bare, "4242") || has_text(bare, "139642863091712") ||
		     has_text(bare, "140458030268416"));
	/* the rest stays: owners counted, the mapping's alignment, the DMA counts */
	root = json_tokener_parse(bare);
	assert_non_null(root);
	assert_int_equal(json_object_array_length(jget(root, "devices.0.processes")), 3);
	assert_string_equal(jstr(root, "devices.0.mappings.0.largest_page"), "2m");
	assert_int_equal(ju64(root, "devices.0.mappings.0.bar"), 2);
	assert_int_equal(ju64(root, "dma.processes.0.dma.map.calls"), 6);
	assert_int_equal(ju64(root, "dma.last_failure.size"), 8192);
	assert_string_equal(jstr(root, "dma.last_failure.error"), "EFAULT");
	json_object_put(root);
	/* the socket's document is the detailed one */
	free(bare);
	bare = snapshot_render(&f->st, &f->t, false);
	assert_true(has_text(bare, "\"pid\":31337") && has_text(bare, "qemu-dma"));
	free(full);
	free(bare);
	f->st.dma = NULL;
	free(dma);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_top_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hooks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mapped_zaps_memtype_resets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_comm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_comm_15_chars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pretty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pretty_is_parse_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_details, setup, teardown),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_comm_invalid_utf8),
		cmocka_unit_test(test_memtype_reserved_and_mismatch),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bars_mappings_dmabufs),
	};

	return cmocka_run_group_tests_name("snapshot_json", tests, NULL, NULL);
}
