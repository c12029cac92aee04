// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * json_writer: what it writes is the JSON json-c reads back, value for
 * value: separators at every depth, escapes, numbers at their limits, and
 * strings from outside that are not UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "json_writer.h"

/* strict, UTF-8 checking parse, as a careful client would */
static json_object *parse_strict(const char *s)
{
	json_tokener *tok = json_tokener_new();
	json_object *o;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, strlen(s));
	assert_int_equal(json_tokener_get_error(tok), json_tokener_success);
	json_tokener_free(tok);
	assert_non_null(o);
	return o;
}

static json_object *at(json_object *o, const char *k)
{
	json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, k, &v));
	return v;
}

static void test_nesting(void **state)
{
	struct json_writer w;
	json_object *root, *a;
	char *s;

	(void)state;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_object(&w, "empty");
	jw_object_end(&w);
	jw_array(&w, "list");
	jw_object(&w, NULL);
	jw_u64(&w, "n", 1);
	jw_array(&w, "inner");
	jw_array_end(&w);
	jw_object_end(&w);
	jw_int(&w, NULL, -2);
	jw_null(&w, NULL);
	jw_bool(&w, NULL, false);
	jw_array_end(&w);
	jw_bool(&w, "last", true);
	jw_object_end(&w);
	s = jw_finish(&w);
	assert_string_equal(s, "{\"empty\":{},\"list\":[{\"n\":1,\"inner\":[]},-2,null,false],"
			       "\"last\":true}");
	root = parse_strict(s);
	a = at(root, "list");
	assert_int_equal(json_object_array_length(a), 4);
	json_object_put(root);
	free(s);
}

static void test_numbers(void **state)
{
	struct json_writer w;
	json_object *root;
	char *s;

	(void)state;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_u64(&w, "zero", 0);
	jw_u64(&w, "max", UINT64_MAX);
	jw_int(&w, "min", INT64_MIN);
	jw_int(&w, "neg", -1234567);
	jw_object_end(&w);
	s = jw_finish(&w);
	assert_string_equal(s, "{\"zero\":0,\"max\":18446744073709551615,"
			       "\"min\":-9223372036854775808,\"neg\":-1234567}");
	root = parse_strict(s);
	assert_true(json_object_get_uint64(at(root, "max")) == UINT64_MAX);
	assert_true(json_object_get_int64(at(root, "min")) == INT64_MIN);
	json_object_put(root);
	free(s);
}

static void test_strings(void **state)
{
	/* every control byte, the escapes, a valid 2-, 3- and 4-byte sequence */
	char hostile[64] = "\"\\/\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	size_t n = strlen(hostile);
	struct json_writer w;
	json_object *root;
	char *s;

	(void)state;
	for (int c = 1; c < 0x20; c++)
		hostile[n++] = (char)c;
	hostile[n] = '\0';
	jw_init(&w);
	jw_object(&w, NULL);
	jw_str(&w, "hostile", hostile);
	jw_str(&w, "bad\xff key", "cut \xe2\x82 here \xc0\xaf and \xed\xa0\x80");
	jw_str(&w, "none", NULL);
	jw_object_end(&w);
	s = jw_finish(&w);
	root = parse_strict(s);
	assert_string_equal(json_object_get_string(at(root, "hostile")), hostile);
	/* a cut sequence, an overlong '/' and a surrogate: one U+FFFD per byte */
	assert_string_equal(json_object_get_string(at(root, "bad\xef\xbf\xbd key")),
			    "cut \xef\xbf\xbd\xef\xbf\xbd here \xef\xbf\xbd\xef\xbf\xbd and "
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_true(json_object_is_type(at(root, "none"), json_type_null));
	json_object_put(root);
	free(s);
}

/* past the first buffer: growth keeps what was written */
static void test_growth(void **state)
{
	struct json_writer w;
	json_object *root;
	char *s;

	(void)state;
	jw_init(&w);
	jw_array(&w, NULL);
	for (uint64_t i = 0; i < 100000; i++)
		jw_u64(&w, NULL, i * 1000003);
	jw_array_end(&w);
	s = jw_finish(&w);
	root = parse_strict(s);
	assert_int_equal(json_object_array_length(root), 100000);
	assert_true(json_object_get_uint64(json_object_array_get_idx(root, 99999)) ==
		    99999ull * 1000003);
	json_object_put(root);
	free(s);
	jw_init(&w);
	s = jw_finish(&w);
	assert_string_equal(s, "");
	free(s);
}

/* every shape a document has, written plain or pretty */
static void write_shapes(struct json_writer *w)
{
	jw_object(w, NULL);
	jw_object(w, "empty_object");
	jw_object_end(w);
	jw_array(w, "empty_array");
	jw_array_end(w);
	jw_array(w, "objects");
	jw_object(w, NULL);
	jw_str(w, "s", "a\"b\\c\n/\x01\x7f\xc3\xa9");
	jw_array(w, "inner");
	jw_array_end(w);
	jw_object(w, "inner_object");
	jw_object_end(w);
	jw_object_end(w);
	jw_object(w, NULL);
	jw_object_end(w);
	jw_array(w, NULL);
	jw_int(w, NULL, -1);
	jw_array_end(w);
	jw_array_end(w);
	jw_object(w, "nested");
	jw_object(w, "deeper");
	jw_u64(w, "max", UINT64_MAX);
	jw_int(w, "min", INT64_MIN);
	jw_bool(w, "t", true);
	jw_bool(w, "f", false);
	jw_null(w, "n");
	jw_str(w, "null_str", NULL);
	jw_object_end(w);
	jw_object_end(w);
	jw_array(w, "numbers");
	jw_u64(w, NULL, 0);
	jw_u64(w, NULL, 1);
	jw_array_end(w);
	jw_object_end(w);
}

/*
 * Pretty is what --pretty printed when it parsed the plain text back with
 * json-c: byte for byte, empty containers and escapes included.
 */
static void test_pretty_is_json_c_pretty(void **state)
{
	struct json_writer w;
	json_object *root;
	char *plain, *pretty;

	(void)state;
	jw_init(&w);
	write_shapes(&w);
	plain = jw_finish(&w);
	jw_init_pretty(&w);
	write_shapes(&w);
	pretty = jw_finish(&w);
	root = parse_strict(plain);
	assert_string_equal(pretty, json_object_to_json_string_ext(root,
			    JSON_C_TO_STRING_NOSLASHESCAPE | JSON_C_TO_STRING_PRETTY |
			    JSON_C_TO_STRING_SPACED));
	json_object_put(root);
	free(plain);
	free(pretty);
}

/* a bare value, and a container at the top: nothing before them, no newline after */
static void test_pretty_top_level(void **state)
{
	struct json_writer w;
	char *s;

	(void)state;
	jw_init_pretty(&w);
	jw_u64(&w, NULL, 7);
	s = jw_finish(&w);
	assert_string_equal(s, "7");
	free(s);
	jw_init_pretty(&w);
	jw_array(&w, NULL);
	jw_array_end(&w);
	s = jw_finish(&w);
	assert_string_equal(s, "[\n]");
	free(s);
	jw_init_pretty(&w);
	jw_object(&w, NULL);
	jw_object_end(&w);
	s = jw_finish(&w);
	assert_string_equal(s, "{\n}");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_pretty_is_json_c_pretty),
		cmocka_unit_test(test_pretty_top_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
