// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the client prints from the kernel, the daemon or a report: terminal
 * escapes, C1 controls, bidi overrides and bytes that are not UTF-8 come out
 * as \xHH; text, accents and CJK as they are; a whole JSON tree in place.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "term_safe.h"

static void expect(const char *in, const char *out)
{
	char buf[256];

	assert_string_equal(term_escape(in, buf, sizeof(buf)), out);
	assert_int_equal(term_is_safe(in), !strcmp(in, out));
}

static void test_escapes(void **state)
{
	expect("qemu-kvm", "qemu-kvm");
	expect("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
	expect("\x1b]0;OWNED\x07\x1b[2J", "\\x1b]0;OWNED\\x07\\x1b[2J");
	expect("a\tb\nc\x7f", "a\\x09b\\x0ac\\x7f");
	expect("\xc2\x9b" "2J", "\\xc2\\x9b" "2J");	/* CSI, as one C1 character */
	expect("\xe2\x80\xae" "exe", "\\xe2\\x80\\xae" "exe");	/* right-to-left override */
	expect("\xe2\x81\xa6x", "\\xe2\\x81\\xa6x");	/* left-to-right isolate */
	expect("\xff\xc3", "\\xff\\xc3");	/* not UTF-8, and cut short */
	expect("\xc2\xa0", "\xc2\xa0");		/* no-break space is text */
}

static void test_truncation_keeps_whole_pieces(void **state)
{
	char buf[8];

	/* "ab\x1b" needs 2 + 4 bytes: the escape does not fit whole, so it goes */
	assert_string_equal(term_escape("ab\x1b" "cd", buf, 6), "ab");
	assert_string_equal(term_escape("\xe6\x97\xa5\xe6\x97\xa5", buf, 5), "\xe6\x97\xa5");
	assert_string_equal(term_escape(NULL, buf, sizeof(buf)), "");
}

static void test_json_tree(void **state)
{
	json_object *o = json_tokener_parse(
		"{\"comm\":\"\\u001b]0;x\\u0007\",\"ok\":\"fine\",\"list\":[\"\\u009b\",{\"a\\u001bb\":"
		"[\"\\u202e\"]}],\"n\":7,\"\\u001b[2J\":1}");
	json_object *v, *list, *inner;
	char *text;

	assert_non_null(o);
	assert_int_equal(json_term_safe(o), 0);
	assert_true(json_object_object_get_ex(o, "comm", &v));
	assert_string_equal(json_object_get_string(v), "\\x1b]0;x\\x07");
	assert_true(json_object_object_get_ex(o, "ok", &v));
	assert_string_equal(json_object_get_string(v), "fine");
	assert_true(json_object_object_get_ex(o, "\\x1b[2J", &v));
	assert_int_equal(json_object_get_int(v), 1);
	assert_true(json_object_object_get_ex(o, "list", &list));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(list, 0)),
			    "\\xc2\\x9b");
	assert_true(json_object_object_get_ex(json_object_array_get_idx(list, 1), "a\\x1bb",
					      &inner));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(inner, 0)),
			    "\\xe2\\x80\\xae");
	json_object_put(o);

	/* the JSON text keeps its meaning; what JSON allows raw comes out escaped */
	text = json_text_term_safe("{\"s\":\"a\xc2\x9b" "b\xe2\x80\xae\",\"t\":\"\xc3\xa9\"}");
	assert_string_equal(text, "{\"s\":\"a\\u009bb\\u202e\",\"t\":\"\xc3\xa9\"}");
	o = json_tokener_parse(text);
	assert_non_null(o);
	json_object_put(o);
	free(text);

	/* raw controls json-c would take inside a string, a byte that is not UTF-8 */
	text = json_text_term_safe("{\"x\":\"\x1b]0;pwn\x07\x7f\xff\"}\n");
	assert_string_equal(text, "{\"x\":\"\\u001b]0;pwn\\u0007\\u007f\\ufffd\"}\n");
	o = json_tokener_parse(text);
	assert_non_null(o);
	json_object_put(o);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_truncation_keeps_whole_pieces),
		cmocka_unit_test(test_json_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
