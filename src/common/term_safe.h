/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Strings from the kernel (a task's comm), the daemon or a report file may
 * hold terminal escapes: "\e]0;OWNED\a\e[2J" retitles and clears the screen
 * of whoever prints it. Every printer of the client shows them escaped.
 */
#ifndef VFIOTOP_TERM_SAFE_H
#define VFIOTOP_TERM_SAFE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Whether s shows as it is: valid UTF-8 without C0 or C1 controls, DEL or
 * bidirectional overrides.
 */
bool term_is_safe(const char *s);
/*
 * s with every byte of what term_is_safe() refuses as \xHH, truncated to
 * len - 1 bytes (never inside a character or an escape); returns out.
 */
char *term_escape(const char *s, char *out, size_t len);
/* The same, malloc'ed whole; NULL when out of memory. */
char *term_escape_dup(const char *s);
/*
 * JSON text whose strings hold C1 controls or bidirectional overrides, which
 * JSON allows raw, with those as \u escapes: the same document, safe to show.
 * malloc'ed; NULL when out of memory.
 */
char *json_text_term_safe(const char *text);
/* Every string and member name in the tree, escaped in place; 0 or -ENOMEM. */
int json_term_safe(json_object *o);

#endif
