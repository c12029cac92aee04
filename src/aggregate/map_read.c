// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/bpf.h>
#include <stdbool.h>
#include <string.h>

#include "map_read.h"

uint32_t map_read_all(int fd, void *keys, size_t key_size, void *vals, size_t value_size,
		      uint32_t max)
{
	char *k = keys, *v = vals, prev[16];
	bool prev_set = false;
	uint32_t n = 0;

	if (key_size > sizeof(prev))
		return 0;
	while (n < max && !bpf_map_get_next_key(fd, prev_set ? prev : NULL, k + n * key_size)) {
		memcpy(prev, k + n * key_size, key_size);
		prev_set = true;
		/* gone between the two calls: the next key still follows it */
		if (!bpf_map_lookup_elem(fd, k + n * key_size, v + n * value_size))
			n++;
	}
	return n;
}
