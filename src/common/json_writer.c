// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"
#include "utf8.h"

void jw_init(struct json_writer *w)
{
	*w = (struct json_writer){ .first = true };
}

void jw_init_pretty(struct json_writer *w)
{
	jw_init(w);
	w->pretty = true;
}

static bool reserve(struct json_writer *w, size_t n);

char *jw_finish(struct json_writer *w)
{
	char *out = NULL;

	if (reserve(w, 0)) {
		w->buf[w->len] = '\0';
		out = w->buf;
	} else {
		free(w->buf);
	}
	w->buf = NULL;
	w->len = w->cap = 0;
	return out;
}

/* room for n more bytes and the final NUL */
static bool reserve(struct json_writer *w, size_t n)
{
	size_t cap = w->cap ? w->cap : 4096;
	char *buf;

	if (w->failed)
		return false;
	if (w->len + n < w->cap)
		return true;
	while (w->len + n >= cap)
		cap *= 2;
	buf = realloc(w->buf, cap);
	if (!buf) {
		w->failed = true;
		return false;
	}
	w->buf = buf;
	w->cap = cap;
	return true;
}

static inline void put(struct json_writer *w, const char *s, size_t n)
{
	if (w->len + n < w->cap || reserve(w, n)) {
		memcpy(w->buf + w->len, s, n);
		w->len += n;
	}
}

/* most of a document's calls: inline, with the room check first */
static inline void put_char(struct json_writer *w, char c)
{
	if (w->len + 1 < w->cap || reserve(w, 1))
		w->buf[w->len++] = c;
}

/* a string's body: JSON escapes, and U+FFFD for bytes that are not UTF-8 */
static void put_escaped(struct json_writer *w, const char *str)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;

	put_char(w, '"');
	while (*s) {
		const unsigned char *run = s;
		int n;

		/* plain ASCII goes out in runs */
		while (*s >= 0x20 && *s < 0x80 && *s != '"' && *s != '\\')
			s++;
		put(w, (const char *)run, s - run);
		if (!*s)
			break;
		if (*s >= 0x80) {
			n = utf8_seq_len(s);
			if (n) {
				put(w, (const char *)s, n);
				s += n;
			} else {
				put(w, UTF8_REPLACEMENT, 3);
				s++;
			}
			continue;
		}
		switch (*s) {
		case '"': put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\r': put(w, "\\r", 2); break;
		case '\t': put(w, "\\t", 2); break;
		case '\b': put(w, "\\b", 2); break;
		case '\f': put(w, "\\f", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[*s >> 4], hex[*s & 15] };

			put(w, u, sizeof(u));
		}
		}
		s++;
	}
	put_char(w, '"');
}

/* a new line at the indent of a container depth levels in */
static void newline(struct json_writer *w, unsigned int depth)
{
	put_char(w, '\n');
	for (unsigned int i = 0; i < depth; i++)
		put(w, "  ", 2);
}

/* the separator and the name before a member's value */
static void member(struct json_writer *w, const char *key)
{
	if (!w->first)
		put_char(w, ',');
	w->first = false;
	if (w->pretty && w->depth)
		newline(w, w->depth);
	if (key) {
		put_escaped(w, key);
		if (w->pretty)
			put(w, ": ", 2);
		else
			put_char(w, ':');
	}
}

static void open_container(struct json_writer *w, const char *key, char bracket)
{
	member(w, key);
	put_char(w, bracket);
	w->first = true;
	w->depth++;
}

/* on a line of its own even when empty, as json-c did: "[\n<indent>]" */
static void close_container(struct json_writer *w, char bracket)
{
	w->depth--;
	if (w->pretty)
		newline(w, w->depth);
	put_char(w, bracket);
	w->first = false;
}

void jw_object(struct json_writer *w, const char *key)
{
	open_container(w, key, '{');
}

void jw_object_end(struct json_writer *w)
{
	close_container(w, '}');
}

void jw_array(struct json_writer *w, const char *key)
{
	open_container(w, key, '[');
}

void jw_array_end(struct json_writer *w)
{
	close_container(w, ']');
}

/* two digits a division: numbers are most of a snapshot */
static void put_u64(struct json_writer *w, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	char digits[20];
	int i = sizeof(digits);

	while (v >= 100) {
		unsigned int r = v % 100;

		v /= 100;
		i -= 2;
		memcpy(digits + i, pairs + 2 * r, 2);
	}
	if (v >= 10) {
		i -= 2;
		memcpy(digits + i, pairs + 2 * v, 2);
	} else {
		digits[--i] = '0' + v;
	}
	put(w, digits + i, sizeof(digits) - i);
}

void jw_u64(struct json_writer *w, const char *key, uint64_t v)
{
	member(w, key);
	put_u64(w, v);
}

void jw_int(struct json_writer *w, const char *key, int64_t v)
{
	member(w, key);
	if (v < 0) {
		put_char(w, '-');
		put_u64(w, -(uint64_t)v);
	} else {
		put_u64(w, v);
	}
}

void jw_bool(struct json_writer *w, const char *key, bool v)
{
	member(w, key);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jw_null(struct json_writer *w, const char *key)
{
	member(w, key);
	put(w, "null", 4);
}

void jw_str(struct json_writer *w, const char *key, const char *s)
{
	member(w, key);
	if (s)
		put_escaped(w, s);
	else
		put(w, "null", 4);
}

void jw_raw_members(struct json_writer *w, const char *s, size_t n)
{
	if (!n)
		return;
	if (!w->first)
		put_char(w, ',');
	w->first = false;
	put(w, s, n);
}

void jw_raw(struct json_writer *w, const char *s, size_t n)
{
	put(w, s, n);
}

void jw_raw_u64(struct json_writer *w, uint64_t v)
{
	put_u64(w, v);
}
