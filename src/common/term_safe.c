// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term_safe.h"
#include "utf8.h"

/* bytes of the shown sequence at s, 0 if it must be escaped (its first byte) */
static int shown_len(const unsigned char *s)
{
	int n = utf8_seq_len(s);

	if (n == 1)
		return s[0] >= 0x20 && s[0] != 0x7f;
	if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		return 0;	/* C1 controls: U+0080..U+009F, CSI among them */
	/* bidi embeddings and overrides U+202A..U+202E, isolates U+2066..U+2069 */
	if (n == 3 && s[0] == 0xe2 && ((s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae) ||
				       (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)))
		return 0;
	return n;
}

bool term_is_safe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int n = shown_len(p);

		if (!n)
			return false;
		p += n;
	}
	return true;
}

/* writes the escaped form of s into out (when not NULL); returns its length */
static size_t escape(const char *s, char *out, size_t len)
{
	size_t off = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int n = shown_len(p);
		char esc[8];
		const char *piece = (const char *)p;
		size_t plen = n;

		if (!n) {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			piece = esc;
			plen = strlen(esc);
			n = 1;
		}
		/* whole pieces only: never half of a character or of an escape */
		if (out && off + plen >= len)
			break;
		if (out)
			memcpy(out + off, piece, plen);
		off += plen;
		p += n;
	}
	if (out)
		out[off] = '\0';
	return off;
}

char *term_escape(const char *s, char *out, size_t len)
{
	if (!len)
		return out;
	escape(s ? s : "", out, len);
	return out;
}

char *term_escape_dup(const char *s)
{
	size_t len = escape(s, NULL, 0) + 1;
	char *out = malloc(len);

	return out ? term_escape(s, out, len) : NULL;
}

static int safe_members(json_object *o)
{
	struct lh_entry *e = lh_table_head(json_object_get_object(o));

	while (e) {
		const char *key = lh_entry_k(e);
		json_object *v = (json_object *)lh_entry_v(e);
		char *safe;

		e = lh_entry_next(e);
		if (json_term_safe(v))
			return -ENOMEM;
		if (term_is_safe(key))
			continue;
		/* renamed: the member moves to the end, where this walk sees it safe */
		safe = term_escape_dup(key);
		if (!safe)
			return -ENOMEM;
		json_object_get(v);
		json_object_object_del(o, key);
		if (json_object_object_add(o, safe, v))
			json_object_put(v);
		free(safe);
	}
	return 0;
}

int json_term_safe(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_string: {
		const char *s = json_object_get_string(o);
		char *safe;
		int err;

		if (term_is_safe(s))
			return 0;
		safe = term_escape_dup(s);
		if (!safe)
			return -ENOMEM;
		err = json_object_set_string(o, safe) ? 0 : -ENOMEM;
		free(safe);
		return err;
	}
	case json_type_object:
		return safe_members(o);
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++)
			if (json_term_safe(json_object_array_get_idx(o, i)))
				return -ENOMEM;
		return 0;
	default:
		return 0;
	}
}

char *json_text_term_safe(const char *text)
{
	size_t len = strlen(text), off = 0;
	/* each byte at most becomes 6 ("\u001b") */
	char *out = malloc(len * 6 + 1);

	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)text; *p;) {
		int n = utf8_seq_len(p);

		/*
		 * raw controls have no place in JSON text, but json-c parses them
		 * inside strings: a peer's ESC or BEL must not reach the terminal
		 * (JSON's own white space stays); nor a byte that is not UTF-8
		 */
		if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f) &&
			       *p != '\n' && *p != '\t' && *p != '\r')) {
			off += n ? sprintf(out + off, "\\u%04x", *p) :
				   sprintf(out + off, "\\ufffd");
			p++;
			continue;
		}
		/* what JSON lets through is escaped */
		if (n > 1 && !shown_len(p)) {
			unsigned int cp = n == 2 ? (p[0] & 0x1f) << 6 | (p[1] & 0x3f) :
					  (p[0] & 0x0f) << 12 | (p[1] & 0x3f) << 6 | (p[2] & 0x3f);

			off += sprintf(out + off, "\\u%04x", cp);
			p += n;
			continue;
		}
		while (n--)
			out[off++] = *p++;
	}
	out[off] = '\0';
	return out;
}
