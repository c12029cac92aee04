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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_listen_no_http),
		cmocka_unit_test(test_listen_repeats),
		cmocka_unit_test(test_listen_at_most),
		cmocka_unit_test(test_listen_overlaps_refused),
		cmocka_unit_test(test_bad_listen_still_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
