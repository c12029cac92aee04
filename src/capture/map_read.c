// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

bool map_read_refused(int fd)
{
	unsigned char key[64];

	return bpf_map_get_next_key(fd, NULL, key) && errno == EPERM;
}

/*
 * STATS_CHUNK slots per system call (a slot is ncpus * 1.5 KiB: the buffer
 * stays small on hosts with many CPUs). An array's batch copies entry by
 * entry, each as a single lookup does: it holds off kprobe programs no
 * longer than they would (unlike a hash's).
 */
void map_read_slot_stats(int fd, bool *want, uint32_t used, struct vtop_dev_stats *buf,
			 int ncpus, map_slot_fn take, void *ctx)
{
	uint32_t keys[STATS_CHUNK], batch = 0, count;
	int err;

	for (uint32_t first = 0; first < used; first += count) {
		count = STATS_CHUNK;
		err = bpf_map_lookup_batch(fd, first ? &batch : NULL, &batch, keys, buf, &count,
					   NULL);
		if (err && errno != ENOENT)
			break;
		for (uint32_t i = 0; i < count; i++) {
			if (keys[i] >= used || !want[keys[i]])
				continue;
			take(ctx, keys[i], buf + (size_t)i * ncpus);
			want[keys[i]] = false;
		}
		if (err || !count)
			return;
	}
	/* no batch lookups: one slot at a time */
	for (uint32_t slot = 0; slot < used; slot++)
		if (want[slot] && !bpf_map_lookup_elem(fd, &slot, buf))
			take(ctx, slot, buf);
}

uint64_t fdinfo_memlock(const char *text)
{
	const char *at = strstr(text, "\nmemlock:");

	if (!at && !strncmp(text, "memlock:", 8))
		at = text - 1;
	return at ? strtoull(at + 9, NULL, 10) : 0;
}

uint64_t map_memlock(int fd)
{
	char path[64], text[1024];
	ssize_t len;
	int info;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	info = open(path, O_RDONLY | O_CLOEXEC);
	if (info < 0)
		return 0;
	len = read(info, text, sizeof(text) - 1);
	close(info);
	if (len <= 0)
		return 0;
	text[len] = '\0';
	return fdinfo_memlock(text);
}
