// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "metrics_filter.h"

#define FAMILY_PREFIX	"vfiotop_"

static bool name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == ':';
}

static int add_one(struct metrics_exclude *x, const char *p, size_t len, char *err, size_t errlen)
{
	if (!len) {
		snprintf(err, errlen, "--metrics-exclude: an empty prefix");
		return -1;
	}
	if (len >= METRICS_PREFIX_LEN || len < strlen(FAMILY_PREFIX) ||
	    strncmp(p, FAMILY_PREFIX, strlen(FAMILY_PREFIX))) {
		snprintf(err, errlen, "--metrics-exclude '%.*s': a family name or prefix "
			 "starting with vfiotop_, under %d bytes", (int)(len < 60 ? len : 60), p,
			 METRICS_PREFIX_LEN);
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		if (!name_char(p[i])) {
			snprintf(err, errlen, "--metrics-exclude '%.*s': letters, digits, _ "
				 "and : only", (int)(len < 60 ? len : 60), p);
			return -1;
		}
	if (x->n == METRICS_MAX_EXCLUDE) {
		snprintf(err, errlen, "--metrics-exclude: at most %d prefixes",
			 METRICS_MAX_EXCLUDE);
		return -1;
	}
	memcpy(x->prefix[x->n], p, len);
	x->prefix[x->n][len] = '\0';
	x->n++;
	return 0;
}

int metrics_exclude_add(struct metrics_exclude *x, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (add_one(x, p, len, err, errlen))
			return -1;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

bool metrics_family_excluded(const struct metrics_exclude *x, const char *name, size_t len)
{
	for (int i = 0; i < x->n; i++) {
		size_t plen = strlen(x->prefix[i]);

		if (plen <= len && !memcmp(name, x->prefix[i], plen))
			return true;
	}
	return false;
}

/* the family a "# HELP name ..." line opens, as name and length; false for other lines */
static bool help_line(const char *line, size_t len, const char **name, size_t *name_len)
{
	static const char help[] = "# HELP ";
	size_t n = 0;

	if (len < sizeof(help) - 1 || memcmp(line, help, sizeof(help) - 1))
		return false;
	*name = line + sizeof(help) - 1;
	while (*name + n < line + len && (*name)[n] != ' ')
		n++;
	*name_len = n;
	return true;
}

size_t metrics_exclude_apply(const struct metrics_exclude *x, char *text, size_t len)
{
	size_t in = 0, out = 0;
	bool dropping = false;

	if (!x || !x->n)
		return len;
	while (in < len) {
		const char *nl = memchr(text + in, '\n', len - in);
		size_t line = nl ? (size_t)(nl - (text + in)) + 1 : len - in;
		const char *name;
		size_t name_len;

		/* every family starts with its # HELP (metrics_text.c prom_header) */
		if (help_line(text + in, line, &name, &name_len))
			dropping = metrics_family_excluded(x, name, name_len);
		if (!dropping) {
			memmove(text + out, text + in, line);
			out += line;
		}
		in += line;
	}
	text[out] = '\0';
	return out;
}

bool metrics_device_forgotten(const struct device *d, uint64_t now_ms, uint64_t forget_ms)
{
	return forget_ms && !d->id.present && d->gone_ms && now_ms - d->gone_ms >= forget_ms;
}
