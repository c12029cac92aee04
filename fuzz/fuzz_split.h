/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Splits a fuzz input into NUL-terminated fields (separator '\0'). */
#ifndef VFIOTOP_FUZZ_SPLIT_H
#define VFIOTOP_FUZZ_SPLIT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* buf: a NUL-terminated copy of the input (free it); fields point into it */
static inline char *fuzz_split(const uint8_t *data, size_t size, char **fields, int max, int *n)
{
	char *buf = malloc(size + 1), *p;

	*n = 0;
	if (!buf)
		return NULL;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (p = buf; *n < max && p <= buf + size; p += strlen(p) + 1)
		fields[(*n)++] = p;
	return buf;
}

#endif
