/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * JSON written straight into one growing buffer, member by member. The
 * snapshot is served every second to every client; json-c would allocate a
 * hash table per object and an object per number only to print them once.
 */
#ifndef VFIOTOP_JSON_WRITER_H
#define VFIOTOP_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_writer {
	char *buf;
	size_t len, cap;
	bool failed;		/* out of memory: jw_finish gives NULL */
	bool first;		/* the innermost container has no member yet */
	bool pretty;		/* indented as it is written: see jw_init_pretty */
	unsigned int depth;	/* containers open: the indent, when pretty */
};

void jw_init(struct json_writer *w);
/*
 * Indented for people, byte for byte as json-c's JSON_C_TO_STRING_PRETTY |
 * JSON_C_TO_STRING_SPACED printed it when --pretty parsed the document back
 * (two spaces a level, "key": value, an empty container's closing bracket
 * on a line of its own): clients that compare documents see no change.
 */
void jw_init_pretty(struct json_writer *w);
/* The text, NUL-terminated, for the caller to free; NULL if memory ran out. */
char *jw_finish(struct json_writer *w);

/* key: the member's name inside an object; NULL inside an array or at the top */
void jw_object(struct json_writer *w, const char *key);
void jw_object_end(struct json_writer *w);
void jw_array(struct json_writer *w, const char *key);
void jw_array_end(struct json_writer *w);
void jw_u64(struct json_writer *w, const char *key, uint64_t v);
void jw_int(struct json_writer *w, const char *key, int64_t v);
void jw_bool(struct json_writer *w, const char *key, bool v);
void jw_null(struct json_writer *w, const char *key);
/* NULL is written as null; bytes that are not UTF-8 as U+FFFD */
void jw_str(struct json_writer *w, const char *key, const char *s);

/*
 * Members a compact writer wrote earlier, s[0..n) of its text, as members of
 * the container open now (the separator before them added): what a cache of
 * rendered members puts back. jw_raw and jw_raw_u64 continue them, the
 * digits of a number that changed since.
 */
void jw_raw_members(struct json_writer *w, const char *s, size_t n);
void jw_raw(struct json_writer *w, const char *s, size_t n);
void jw_raw_u64(struct json_writer *w, uint64_t v);

#endif
