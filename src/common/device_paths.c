// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "device_paths.h"

#define PATH_NUM(id, path_, src, unit_, family, type, view_, help, doc)		\
	[DNUM_##id] = { .path = path_, .unit = DN_##unit_, .view = DN_##view_ },
#define PATH_KEYED(id, path_, keys, src, unit_, family, label, relabel, json, help, doc)	\
	[DNUM_##id] = { .path = path_, .unit = DN_##unit_, .view = DN_HIDE, .keyed = true },
#define PATH_PART(path, writer)

const struct device_path device_paths[DNUM_N] = {
	VTOP_DEVICE_NUMBERS(PATH_NUM, PATH_KEYED, PATH_PART)
};

const char *dnum_key(enum device_number n, const char *k, char *buf, size_t len)
{
	const char *path = device_paths[n].path, *flat = strstr(path, "%s");

	if (flat)
		snprintf(buf, len, "%.*s%s%s", (int)(flat - path), path, k, flat + 2);
	else
		snprintf(buf, len, "%s.%s", path, k);
	return buf;
}
