// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /metrics with each device's samples from the cache (metrics_cache.h) is
 * the document a render without one writes: at the first scrape, at the
 * next with nothing changed, and after a device changed in a counter, an
 * owner or a vector. Only changed devices are rendered again, and the power
 * states' time, which moves with the clock alone, is never kept. A document
 * read in blocks, as the HTTP server reads it, is the same text, and keeps
 * the samples it refers to after the device changed and the cache is gone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices.h"
#include "irq_vectors.h"
#include "metrics_cache.h"
#include "metrics_doc.h"
#include "metrics_prom.h"
#include "mono_clock.h"
#include "status.h"

#define N_DEVICES 5

struct model {
	struct device_table t;
	struct daemon_status st;
	struct metrics_cache *cache;
};

static int setup(void **state)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return -1;
	for (int i = 0; i < N_DEVICES; i++) {
		struct device *d = devtab_get(&m->t, vtop_dev_key(0, i + 1, 0));

		snprintf(d->bdf, sizeof(d->bdf), "0000:%02x:00.0", i + 1);
		snprintf(d->id.driver, sizeof(d->id.driver), "vfio-pci");
		d->id.present = true;
		d->id.iommu_group = i;
		d->stats.faults = 100 * i;
		d->stats.fault_hist[3] = i;
		d->stats.rare.access_reads[i] = 7 * i;
		/* in a state since a time still to come: no running time, documents comparable */
		d->power_known = true;
		d->power.state = VTOP_PWR_D0;
		d->power.since_ns = UINT64_MAX / 2;
		device_owner_seen(d, 4000 + i, "qemu \"vm\"\n", OWNER_VIA_FD);
	}
	m->st.version = "test";
	m->cache = metrics_cache_new();
	*state = m;
	return m->cache ? 0 : -1;
}

static int teardown(void **state)
{
	struct model *m = *state;

	metrics_cache_free(m->cache);
	devtab_free(&m->t);
	free(m);
	return 0;
}

/* the cached document and an uncached one, which must be the same bytes */
static void assert_same_document(struct model *m)
{
	char *cached = metrics_render_cached(&m->st, &m->t, -1, NULL, m->cache);
	char *plain = metrics_render(&m->st, &m->t, -1);

	assert_non_null(cached);
	assert_non_null(plain);
	assert_string_equal(cached, plain);
	free(cached);
	free(plain);
}

static void assert_counts(struct model *m, uint64_t rendered, uint64_t reused)
{
	uint64_t r, u;

	metrics_cache_stats(m->cache, &r, &u);
	assert_int_equal(r, rendered);
	assert_int_equal(u, reused);
}

static void test_unchanged_devices_reused(void **state)
{
	struct model *m = *state;

	assert_same_document(m);
	assert_counts(m, N_DEVICES, 0);
	assert_same_document(m);
	assert_counts(m, N_DEVICES, N_DEVICES);
}

static void test_changed_devices_rendered_again(void **state)
{
	struct model *m = *state;
	const struct vtop_vec_stats vec = { .dev = vtop_dev_key(0, 4, 0), .index = VTOP_IRQ_MSIX,
					    .vector = 2, .irq = 40, .active = 1,
					    .interrupts = 31337 };
	char *doc;

	assert_same_document(m);
	m->t.devs[1].stats.faults_found_mapped = 987654321;	/* a counter */
	m->t.devs[2].owners[0].alive = false;	/* an owner */
	devtab_take_vectors(&m->t, &vec, 1);	/* a vector */
	assert_same_document(m);
	assert_counts(m, N_DEVICES + 3, N_DEVICES - 3);
	doc = metrics_render_cached(&m->st, &m->t, -1, NULL, m->cache);
	assert_non_null(strstr(doc, "vfiotop_fault_found_mapped_total{bdf=\"0000:02:00.0\""));
	assert_non_null(strstr(doc, "iommu_group=\"1\"} 987654321\n"));
	assert_non_null(strstr(doc, "type=\"msix\",vector=\"2\"} 31337\n"));
	free(doc);
	assert_counts(m, N_DEVICES + 3, 2 * N_DEVICES - 3);
}

/* the value of the D0 time sample of the device in group 0 */
static double d0_seconds(const char *doc)
{
	const char *at = strstr(doc, "vfiotop_power_state_seconds_total{bdf=\"0000:01:00.0\"");

	assert_non_null(at);
	at = strstr(at, "state=\"D0\"} ");
	assert_non_null(at);
	return strtod(at + strlen("state=\"D0\"} "), NULL);
}

static void test_power_time_moves_on_a_kept_device(void **state)
{
	struct model *m = *state;
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	char *before, *after;

	m->t.devs[0].power.since_ns = mono_ns() - 2000000000ull;
	before = metrics_render_cached(&m->st, &m->t, -1, NULL, m->cache);
	nanosleep(&nap, NULL);
	after = metrics_render_cached(&m->st, &m->t, -1, NULL, m->cache);
	assert_non_null(before);
	assert_non_null(after);
	assert_counts(m, N_DEVICES, N_DEVICES);
	assert_true(d0_seconds(before) >= 2.0);
	assert_true(d0_seconds(after) >= d0_seconds(before) + 0.02);
	free(before);
	free(after);
}

/* the whole document read in blocks of block bytes */
static char *read_blocks(struct metrics_doc *doc, size_t block)
{
	size_t len = metrics_doc_len(doc), pos = 0, n;
	char *text = calloc(1, len + 1);

	assert_non_null(text);
	while ((n = metrics_doc_read(doc, pos, text + pos, len - pos < block ? len - pos : block)))
		pos += n;
	assert_int_equal(pos, len);
	return text;
}

static void test_document_in_blocks_outlives_its_samples(void **state)
{
	struct model *m = *state;
	struct metrics_doc *doc = metrics_render_doc(&m->st, &m->t, -1, NULL, m->cache);
	char *plain = metrics_render(&m->st, &m->t, -1);
	char *read, tail[64];
	size_t len;

	assert_non_null(doc);
	len = metrics_doc_len(doc);
	assert_int_equal(len, strlen(plain));
	/* the device changes and is rendered again, then the cache goes: the doc stays whole */
	m->t.devs[0].stats.faults_found_mapped = 4242;
	free(metrics_render_cached(&m->st, &m->t, -1, NULL, m->cache));
	metrics_cache_free(m->cache);
	m->cache = NULL;
	for (size_t block = 1; block <= 65536; block *= 37) {
		read = read_blocks(doc, block);
		assert_string_equal(read, plain);
		free(read);
	}
	/* a read that is not where the last one ended, and one past the end */
	assert_int_equal(metrics_doc_read(doc, len - 10, tail, sizeof(tail)), 10);
	assert_memory_equal(tail, plain + len - 10, 10);
	assert_int_equal(metrics_doc_read(doc, len, tail, sizeof(tail)), 0);
	assert_int_equal(metrics_doc_read(doc, 7, tail, 5), 5);
	assert_memory_equal(tail, plain + 7, 5);
	metrics_doc_free(doc);
	free(plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unchanged_devices_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_devices_rendered_again, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_power_time_moves_on_a_kept_device, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_document_in_blocks_outlives_its_samples, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
