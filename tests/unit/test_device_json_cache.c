// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Devices' members served from the cache (device_json_cache.h) are the bytes
 * a fresh render writes: for devices that did not change, that changed in a
 * counter, an owner or a string, whose power-state time moves with the
 * clock, with and without details, and after other members (a json-lines
 * envelope). Only the changed devices are rendered again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_json_cache.h"
#include "devices.h"
#include "irq_vectors.h"
#include "snapshot_json.h"
#include "status.h"

#define N_DEVICES 5

static void fill(struct device_table *t)
{
	for (int i = 0; i < N_DEVICES; i++) {
		struct device *d = devtab_get(t, vtop_dev_key(0, i + 1, 0));

		snprintf(d->bdf, sizeof(d->bdf), "0000:%02x:00.0", i + 1);
		d->id.present = true;
		d->stats.faults = 100 * i;
		d->stats.fault_hist[3] = i;
		if (i % 2) {	/* its time in the state grows with the clock */
			d->power_known = true;
			d->power.state = VTOP_PWR_D3HOT;
			d->power.since_ns = 1000;
			d->stats.rare.power_transitions[VTOP_PWR_D3HOT] = 1;
		}
		if (i == 3)
			device_owner_seen(d, 4242, "qemu \"vm\"\n", OWNER_VIA_MMAP);
	}
}

/* every device's members both ways, from the same writer state; both must agree */
static void assert_same(struct device_json_cache *c, const struct device_table *t,
			uint64_t now_ns, bool details, bool after_members)
{
	for (size_t i = 0; i < t->n; i++) {
		struct json_writer plain, cached;
		char *a, *b;

		jw_init(&plain);
		jw_init(&cached);
		jw_object(&plain, NULL);
		jw_object(&cached, NULL);
		if (after_members) {
			jw_str(&plain, "host", "h");
			jw_str(&cached, "host", "h");
		}
		snapshot_device_members(&plain, &t->devs[i], now_ns, details);
		device_json_members(c, &cached, &t->devs[i], now_ns, details);
		jw_object_end(&plain);
		jw_object_end(&cached);
		a = jw_finish(&plain);
		b = jw_finish(&cached);
		assert_non_null(a);
		assert_non_null(b);
		assert_string_equal(b, a);
		free(a);
		free(b);
	}
}

static void test_cached_bytes_equal_rendered(void **state)
{
	struct device_table t = { 0 };
	struct device_json_cache *c = device_json_cache_new();
	uint64_t rendered, reused;

	assert_non_null(c);
	fill(&t);
	assert_same(c, &t, 5000, true, false);
	device_json_cache_stats(c, &rendered, &reused);
	assert_int_equal(rendered, N_DEVICES);
	assert_int_equal(reused, 0);

	/* later: nothing changed but the clock, which only the power times follow */
	assert_same(c, &t, 123456789, true, false);
	device_json_cache_stats(c, &rendered, &reused);
	assert_int_equal(rendered, N_DEVICES);
	assert_int_equal(reused, N_DEVICES);

	/* a counter, an owner and the driver change: those three render again */
	t.devs[0].stats.faults++;
	device_owner_seen(&t.devs[3], 4243, "second", OWNER_VIA_FD);
	snprintf(t.devs[4].id.driver, sizeof(t.devs[4].id.driver), "vfio-pci");
	assert_same(c, &t, 987654321000ull, true, false);
	device_json_cache_stats(c, &rendered, &reused);
	assert_int_equal(rendered, N_DEVICES + 3);
	assert_int_equal(reused, 2 * N_DEVICES - 3);

	/* what no output shows: when the identity was read, the totals of earlier attachments */
	t.devs[1].identity_ms += 30000;
	t.devs[2].base.faults += 5;
	assert_same(c, &t, 987654321000ull, true, false);
	device_json_cache_stats(c, &rendered, &reused);
	assert_int_equal(rendered, N_DEVICES + 3);
	assert_int_equal(reused, 3 * N_DEVICES - 3);

	/* an owner's field, behind the pointer, changes in place */
	t.devs[3].owners[0].alive = !t.devs[3].owners[0].alive;
	assert_same(c, &t, 987654321001ull, true, false);
	device_json_cache_stats(c, &rendered, &reused);
	assert_int_equal(rendered, N_DEVICES + 4);

	/* a vector behind the pointer changes in place (its irq: no total follows it) */
	{
		struct vtop_vec_stats vec = { .dev = t.devs[2].key, .index = VTOP_IRQ_MSIX,
					      .vector = 1, .irq = 33, .interrupts = 5 };

		devtab_take_vectors(&t, &vec, 1);
		assert_same(c, &t, 987654321001ull, true, false);
		vec.irq = 34;
		/* each refresh composes the stats again before the vectors add to them */
		t.devs[2].stats.irq_interrupts[VTOP_IRQ_MSIX] = 0;
		devtab_take_vectors(&t, &vec, 1);
		assert_same(c, &t, 987654321001ull, true, false);
		device_json_cache_stats(c, &rendered, &reused);
		assert_int_equal(rendered, N_DEVICES + 6);
	}

	/* without details, kept apart from the text with them; then after an envelope */
	assert_same(c, &t, 987654321002ull, false, false);
	assert_same(c, &t, 987654321003ull, false, true);
	assert_same(c, &t, 987654321004ull, true, true);
	device_json_cache_stats(c, &rendered, &reused);
	assert_int_equal(rendered, 2 * N_DEVICES + 6);
	assert_int_equal(reused, 8 * N_DEVICES - 6);

	device_json_cache_free(c);
	devtab_free(&t);
}

/* the daemon's document from the cache is the one snapshot_render_at writes */
static void test_snapshot_from_cache(void **state)
{
	struct device_table t = { 0 };
	struct daemon_status st = { .version = "t", .state = "attached" };
	struct device_json_cache *c = device_json_cache_new();

	fill(&t);
	for (int round = 0; round < 4; round++) {
		struct snapshot_clock at = { .real_ns = 1700000000ull * 1000000000ull + round,
					     .mono_ns = 5000 + 1000000000ull * round };
		char *cached = snapshot_render_cached(&st, &t, round != 2, c, &at);
		char *plain = snapshot_render_at(&st, &t, false, round != 2, &at);

		assert_non_null(cached);
		assert_non_null(plain);
		assert_string_equal(cached, plain);
		free(cached);
		free(plain);
		t.devs[round].stats.faults += 7;
	}
	device_json_cache_free(c);
	devtab_free(&t);
}

/* no cache (out of memory at start): rendered every time */
static void test_no_cache(void **state)
{
	struct device_table t = { 0 };

	fill(&t);
	for (size_t i = 0; i < t.n; i++) {
		struct json_writer w;
		char *s;

		jw_init(&w);
		jw_object(&w, NULL);
		device_json_members(NULL, &w, &t.devs[i], 1, true);
		jw_object_end(&w);
		s = jw_finish(&w);
		assert_non_null(strstr(s, t.devs[i].bdf));
		free(s);
	}
	devtab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cached_bytes_equal_rendered),
		cmocka_unit_test(test_snapshot_from_cache),
		cmocka_unit_test(test_no_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
