/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * device_numbers.h as a client reads it: each number's path in a device's
 * JSON object, its unit and whether the live view lists it. A client names
 * a number by its row (DNUM_zaps_count), never by a path typed again.
 */
#ifndef VFIOTOP_DEVICE_PATHS_H
#define VFIOTOP_DEVICE_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "device_numbers.h"

#define DNUM_ENUM_NUM(id, ...)		DNUM_##id,
#define DNUM_ENUM_KEYED(id, ...)	DNUM_##id,
#define DNUM_ENUM_PART(...)
enum device_number {
	VTOP_DEVICE_NUMBERS(DNUM_ENUM_NUM, DNUM_ENUM_KEYED, DNUM_ENUM_PART)
	DNUM_N
};
#undef DNUM_ENUM_NUM
#undef DNUM_ENUM_KEYED
#undef DNUM_ENUM_PART

struct device_path {
	const char *path;	/* a keyed row's: "a.b" an object of keys, "a.b_%s" flat */
	enum dn_unit unit;
	enum dn_view view;
	bool keyed;
};

extern const struct device_path device_paths[DNUM_N];

/* the path of number n, the one a jpath_ function reads */
static inline const char *dnum(enum device_number n)
{
	return device_paths[n].path;
}

/* the path of key k of keyed number n, in buf: "faults.by_order.9", "mapped.pages_4k" */
const char *dnum_key(enum device_number n, const char *k, char *buf, size_t len);

#endif
