// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * vfiotopd's command line (daemon_opts.c): --listen is repeatable, each
 * address kept in order, up to DAEMON_MAX_LISTEN, and none that could not be
 * bound next to another (the same address, or a wildcard on the same port).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "daemon_opts.h"

static char err[256];

/* argv from a NULL-terminated list, "vfiotopd" first */
static enum opts_result parse(struct daemon_opts *o, const char *const *args)
{
	char *argv[32] = { "vfiotopd" };
	int argc = 1;

	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	return daemon_opts_parse(argc, argv, o, err, sizeof(err));
}

static void test_no_listen_no_http(void **state)
{
	struct daemon_opts o;

	assert_int_equal(parse(&o, (const char *[]){ NULL }), OPTS_RUN);
	assert_int_equal(o.n_listen, 0);
}

/* the unit's --listen and one from /etc/default/vfiotopd: both served */
static void test_listen_repeats(void **state)
{
	struct daemon_opts o;

	assert_int_equal(parse(&o, (const char *[]){ "--listen", "127.0.0.1:10230", "-l",
						     "192.0.2.7:10230", "--listen", "[::1]:10230",
						     NULL }), OPTS_RUN);
	assert_int_equal(o.n_listen, 3);
	assert_string_equal(o.listen[0].text, "127.0.0.1:10230");
	assert_string_equal(o.listen[1].text, "192.0.2.7:10230");
	assert_false(o.listen[1].loopback);
	assert_string_equal(o.listen[2].text, "[::1]:10230");
	/* another port beside a wildcard is fine */
	assert_int_equal(parse(&o, (const char *[]){ "-l", "0.0.0.0:10230", "-l", "10231", NULL }),
			 OPTS_RUN);
	assert_int_equal(o.n_listen, 2);
}

static void test_listen_at_most(void **state)
{
	struct daemon_opts o;

	assert_int_equal(parse(&o, (const char *[]){ "-l", "1", "-l", "2", "-l", "3", "-l", "4",
						     NULL }), OPTS_RUN);
	assert_int_equal(o.n_listen, DAEMON_MAX_LISTEN);
	assert_int_equal(parse(&o, (const char *[]){ "-l", "1", "-l", "2", "-l", "3", "-l", "4",
						     "-l", "5", NULL }), OPTS_USAGE);
	assert_non_null(strstr(err, "at most 4 addresses"));
}

static void test_listen_overlaps_refused(void **state)
{
	static const char *const pairs[][2] = {
		{ "10230", "127.0.0.1:10230" },		/* the same, spelled twice */
		{ "localhost:9", ":9" },
		{ "0.0.0.0:10230", "127.0.0.1:10230" },	/* the wildcard has it already */
		{ "127.0.0.1:10230", "0.0.0.0:10230" },
		{ "[::]:80", "[::1]:80" },
		{ "[::1]:80", "[0::1]:80" },
	};
	struct daemon_opts o;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(&o, (const char *[]){ "-l", pairs[i][0], "-l", pairs[i][1],
							     NULL }), OPTS_USAGE);
		assert_non_null(strstr(err, "cannot both be bound"));
	}
}

static void test_bad_listen_still_refused(void **state)
{
	struct daemon_opts o;

	assert_int_equal(parse(&o, (const char *[]){ "-l", "10230", "-l", "nope", NULL }),
			 OPTS_USAGE);
	assert_non_null(strstr(err, "--listen 'nope'"));
}

/* --metrics-exclude: comma lists, repeatable, each a vfiotop_ prefix */
static void test_metrics_exclude(void **state)
{
	struct daemon_opts o;

	assert_int_equal(parse(&o, (const char *[]){ NULL }), OPTS_RUN);
	assert_int_equal(o.metrics.exclude.n, 0);
	assert_int_equal(parse(&o, (const char *[]){ "--metrics-exclude",
						     "vfiotop_fault_duration_seconds,vfiotop_dma_",
						     "--metrics-exclude", "vfiotop_power_", NULL }),
			 OPTS_RUN);
	assert_int_equal(o.metrics.exclude.n, 3);
	assert_string_equal(o.metrics.exclude.prefix[0], "vfiotop_fault_duration_seconds");
	assert_string_equal(o.metrics.exclude.prefix[1], "vfiotop_dma_");
	assert_string_equal(o.metrics.exclude.prefix[2], "vfiotop_power_");
}

static void test_metrics_exclude_refused(void **state)
{
	static const char *const bad[] = { "", ",", "vfiotop_dma_,", "dma_", "process_",
					   "vfiotop", "vfiotop_a b", "vfiotop_\n", "vfiotop_\"x" };
	char many[40 * 12] = "vfiotop_a";
	struct daemon_opts o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(&o, (const char *[]){ "--metrics-exclude", bad[i], NULL }),
				 OPTS_USAGE);
		assert_non_null(strstr(err, "--metrics-exclude"));
	}
	for (int i = 1; i <= METRICS_MAX_EXCLUDE; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), ",vfiotop_%d", i);
	assert_int_equal(parse(&o, (const char *[]){ "--metrics-exclude", many, NULL }),
			 OPTS_USAGE);
	assert_non_null(strstr(err, "at most"));
}

static void test_forget_gone(void **state)
{
	struct daemon_opts o;

	assert_int_equal(parse(&o, (const char *[]){ NULL }), OPTS_RUN);
	assert_true(o.metrics.forget_gone_ms == METRICS_DEFAULT_FORGET_GONE_S * 1000ULL);
	assert_int_equal(parse(&o, (const char *[]){ "--forget-gone", "0", NULL }), OPTS_RUN);
	assert_true(o.metrics.forget_gone_ms == 0);
	assert_int_equal(parse(&o, (const char *[]){ "--forget-gone", "90", NULL }), OPTS_RUN);
	assert_true(o.metrics.forget_gone_ms == 90000);
	assert_int_equal(parse(&o, (const char *[]){ "--forget-gone", "-1", NULL }), OPTS_USAGE);
	assert_int_equal(parse(&o, (const char *[]){ "--forget-gone", "1h", NULL }), OPTS_USAGE);
	assert_int_equal(parse(&o, (const char *[]){ "--forget-gone", "99999999999", NULL }),
			 OPTS_USAGE);
	assert_non_null(strstr(err, "--forget-gone"));
}

/* fentry on module functions unless asked for kprobes; --pin-modules names the default */
static void test_module_hooks(void **state)
{
	struct daemon_opts o;

	assert_int_equal(parse(&o, (const char *[]){ NULL }), OPTS_RUN);
	assert_true(o.hooks.pin_modules);
	assert_false(o.hooks.kprobes_only);
	assert_int_equal(parse(&o, (const char *[]){ "--pin-modules", NULL }), OPTS_RUN);
	assert_true(o.hooks.pin_modules);
	assert_int_equal(parse(&o, (const char *[]){ "--kprobe-modules", NULL }), OPTS_RUN);
	assert_false(o.hooks.pin_modules);
	assert_false(o.hooks.kprobes_only);
	assert_int_equal(parse(&o, (const char *[]){ "--kprobes", NULL }), OPTS_RUN);
	assert_false(o.hooks.pin_modules);
	assert_true(o.hooks.kprobes_only);
	assert_int_equal(parse(&o, (const char *[]){ "--kprobe-modules", "--pin-modules", NULL }),
			 OPTS_USAGE);
	assert_non_null(strstr(err, "--kprobe-modules"));
	assert_int_equal(parse(&o, (const char *[]){ "--pin-modules", "--kprobes", NULL }),
			 OPTS_USAGE);
	assert_non_null(strstr(err, "contradict"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_listen_no_http),
		cmocka_unit_test(test_listen_repeats),
		cmocka_unit_test(test_listen_at_most),
		cmocka_unit_test(test_listen_overlaps_refused),
		cmocka_unit_test(test_bad_listen_still_refused),
		cmocka_unit_test(test_metrics_exclude),
		cmocka_unit_test(test_metrics_exclude_refused),
		cmocka_unit_test(test_forget_gone),
		cmocka_unit_test(test_module_hooks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
