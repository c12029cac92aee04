// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The socket request parser (docs/protocol.md). It reads bytes from any local
 * client, so it must refuse what it does not know rather than guess.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

/* Parses a C string (no NUL sent); req starts stale so fields left unset show. */
static enum parse_result parse(const char *s, struct request *req, const char **err)
{
	memset(req, 0, sizeof(*req));
	req->kind = (enum request_kind)0x5a;
	req->pretty = true;
	*err = NULL;
	return protocol_parse(s, strlen(s), req, err);
}

/* Refused, with a message; when want is not NULL the message must mention it. */
static void expect_error_about(const char *buf, size_t len, const char *want)
{
	struct request req;
	const char *err = NULL;

	if (protocol_parse(buf, len, &req, &err) != PARSE_ERROR)
		fail_msg("request \"%.*s\" was not refused", (int)len, buf);
	assert_non_null(err);
	assert_true(strlen(err) > 0);	/* a client shows it as is */
	if (want && !strstr(err, want))
		fail_msg("request \"%.*s\": error \"%s\" does not say \"%s\"", (int)len, buf,
			 err, want);
}

static void expect_error(const char *buf, size_t len)
{
	expect_error_about(buf, len, NULL);
}

static void test_snapshot(void **state)
{
	struct request req;
	const char *err;

	assert_int_equal(parse("snapshot\n", &req, &err), PARSE_OK);
	assert_int_equal(req.kind, REQ_SNAPSHOT);
	assert_false(req.pretty);	/* not left over from before */

	assert_int_equal(parse("snapshot pretty\n", &req, &err), PARSE_OK);
	assert_int_equal(req.kind, REQ_SNAPSHOT);
	assert_true(req.pretty);

	/* tabs separate words too; \r\n is a line end */
	assert_int_equal(parse("\tsnapshot\t pretty \r\n", &req, &err), PARSE_OK);
	assert_int_equal(req.kind, REQ_SNAPSHOT);
	assert_true(req.pretty);
}

static void test_ping_version(void **state)
{
	struct request req;
	const char *err;

	assert_int_equal(parse("  ping \r\n", &req, &err), PARSE_OK);
	assert_int_equal(req.kind, REQ_PING);
	assert_int_equal(parse("ping\n", &req, &err), PARSE_OK);
	assert_int_equal(req.kind, REQ_PING);
	assert_int_equal(parse("version\n", &req, &err), PARSE_OK);
	assert_int_equal(req.kind, REQ_VERSION);
	assert_false(req.pretty);
	/* release takes no option; who asks is the server's to say, never the line's */
	assert_int_equal(parse("release\n", &req, &err), PARSE_OK);
	assert_int_equal(req.kind, REQ_RELEASE);
	assert_true(req.peer_uid == (uid_t)-1);
	assert_int_equal(parse("release now\n", &req, &err), PARSE_ERROR);
}

/* Without a newline the server must keep reading, not answer a half request. */
static void test_incomplete(void **state)
{
	struct request req;
	const char *err;

	assert_int_equal(parse("snapshot", &req, &err), PARSE_INCOMPLETE);
	assert_int_equal(parse("snapshot pre", &req, &err), PARSE_INCOMPLETE);
	assert_int_equal(parse("", &req, &err), PARSE_INCOMPLETE);
	assert_int_equal(parse("ping\r", &req, &err), PARSE_INCOMPLETE);
}

/* The server's buffer is PROTOCOL_MAX_REQUEST bytes: a line that cannot end in it is refused. */
static void test_too_long(void **state)
{
	char buf[512];
	struct request req;
	const char *err;

	memset(buf, 'a', 300);
	assert_int_equal(protocol_parse(buf, 300, &req, &err), PARSE_ERROR);
	assert_non_null(strstr(err, "too long"));

	buf[299] = '\n';
	err = NULL;
	assert_int_equal(protocol_parse(buf, 300, &req, &err), PARSE_ERROR);
	assert_non_null(strstr(err, "too long"));

	/* boundary: 255 bytes + newline is allowed, 256 + newline is not (docs/protocol.md) */
	memset(buf, ' ', sizeof(buf));
	memcpy(buf, "snapshot", 8);
	buf[PROTOCOL_MAX_REQUEST - 1] = '\n';
	assert_int_equal(protocol_parse(buf, PROTOCOL_MAX_REQUEST, &req, &err), PARSE_OK);
	assert_int_equal(req.kind, REQ_SNAPSHOT);
	buf[PROTOCOL_MAX_REQUEST - 1] = ' ';
	buf[PROTOCOL_MAX_REQUEST] = '\n';
	err = NULL;
	assert_int_equal(protocol_parse(buf, PROTOCOL_MAX_REQUEST + 1, &req, &err), PARSE_ERROR);
	assert_non_null(strstr(err, "too long"));

	/* 255 bytes + "\r\n" is allowed too, also while the '\n' has not arrived */
	buf[PROTOCOL_MAX_REQUEST - 1] = '\r';
	assert_int_equal(protocol_parse(buf, PROTOCOL_MAX_REQUEST, &req, &err), PARSE_INCOMPLETE);
	buf[PROTOCOL_MAX_REQUEST] = '\n';
	assert_int_equal(protocol_parse(buf, PROTOCOL_MAX_REQUEST + 1, &req, &err), PARSE_OK);
	assert_int_equal(req.kind, REQ_SNAPSHOT);

	/* and without newline: 255 bytes may still end, 256 cannot */
	memset(buf, 'a', sizeof(buf));
	assert_int_equal(protocol_parse(buf, PROTOCOL_MAX_REQUEST - 1, &req, &err),
			 PARSE_INCOMPLETE);
	assert_int_equal(protocol_parse(buf, PROTOCOL_MAX_REQUEST, &req, &err), PARSE_ERROR);
}

static void test_empty(void **state)
{
	struct request req;
	const char *err;

	assert_int_equal(parse("\n", &req, &err), PARSE_ERROR);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(parse(" \t \r\n", &req, &err), PARSE_ERROR);
	assert_non_null(strstr(err, "empty"));
}

static void test_unknown(void **state)
{
	static const char *const bad[] = {
		"bogus\n",
		"ping extra\n",
		"version 2\n",
		"snapshot ugly\n",
		"snapshot pretty ugly\n",
		"a b c d\n",
		"snapshot pretty pretty pretty\n",
		"PING\n",		/* case matters */
		"snapshots\n",		/* prefixes do not match */
		"snap\n",
		"pingping\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i], strlen(bad[i]));
}

/*
 * A NUL or control byte is refused as such (not as an unknown word, not as a
 * word end): the message tells the client what was wrong.
 */
static void test_control_chars(void **state)
{
	static const char nul[] = "snap\0shot\n";
	static const char nul_after[] = "ping\0\n";

	expect_error_about(nul, sizeof(nul) - 1, "control");
	expect_error_about(nul_after, sizeof(nul_after) - 1, "control");
	expect_error_about("ping\x01\n", 6, "control");
	expect_error_about("ping \x01\n", 7, "control");
	expect_error_about("\x1bping\n", 6, "control");
	/* a \r only counts right before \n */
	expect_error_about("snapshot\rpretty\n", 16, "control");
	expect_error_about("ping\r\r\n", 7, "control");
}

/* One request per connection: whatever follows the first line is not read. */
static void test_first_line_only(void **state)
{
	struct request req;
	const char *err;

	assert_int_equal(parse("ping\nsnapshot\n", &req, &err), PARSE_OK);
	assert_int_equal(req.kind, REQ_PING);
	assert_int_equal(parse("version\n\x01garbage", &req, &err), PARSE_OK);
	assert_int_equal(req.kind, REQ_VERSION);
	/* and a long tail after a short first line is not "too long" */
	{
		char buf[600];

		memset(buf, 'x', sizeof(buf));
		memcpy(buf, "ping\n", 5);
		assert_int_equal(protocol_parse(buf, sizeof(buf), &req, &err), PARSE_OK);
		assert_int_equal(req.kind, REQ_PING);
	}
}

static void check_error_json(const char *msg)
{
	char *s = protocol_error_json(msg);
	json_object *root, *e;

	assert_non_null(s);
	root = json_tokener_parse(s);
	if (!root)
		fail_msg("not JSON: %s", s);
	assert_true(json_object_object_get_ex(root, "error", &e));
	assert_string_equal(json_object_get_string(e), msg);
	assert_int_equal(json_object_object_length(root), 1);
	assert_null(strchr(s, '\n'));	/* one line: the server appends the newline */
	json_object_put(root);
	free(s);
}

static void test_error_json(void **state)
{
	struct request req;
	const char *err;

	check_error_json("unknown request");
	check_error_json("say \"hi\" \\ back\nnow");
	/* every message the parser gives round-trips */
	assert_int_equal(parse("bogus\n", &req, &err), PARSE_ERROR);
	check_error_json(err);
	assert_int_equal(parse("a b c d\n", &req, &err), PARSE_ERROR);
	check_error_json(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_ping_version),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_control_chars),
		cmocka_unit_test(test_first_line_only),
		cmocka_unit_test(test_error_json),
	};

	return cmocka_run_group_tests_name("protocol", tests, NULL, NULL);
}
