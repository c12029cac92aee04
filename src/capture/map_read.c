// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "map_read.h"

bool map_read_refused(int fd)
{
	unsigned char key[64];

	return bpf_map_get_next_key(fd, NULL, key) && errno == EPERM;
}

void *map_view_open(int fd, size_t *len)
{
	struct bpf_map_info info = { 0 };
	__u32 info_len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	void *mem;

	if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
		return NULL;
	/* the kernel rounds each value up to 8 bytes, the whole up to a page */
	*len = (size_t)info.max_entries * ((info.value_size + 7) & ~7u);
	*len = (*len + page - 1) / page * page;
	mem = mmap(NULL, *len, PROT_READ, MAP_SHARED, fd, 0);
	return mem == MAP_FAILED ? NULL : mem;
}

void map_view_close(const void *mem, size_t len)
{
	if (mem)
		munmap((void *)mem, len);
}

uint32_t map_read_records(int fd, void *keys, size_t key_size, void *vals, size_t value_size,
			  uint32_t max)
{
	size_t rec = key_size + value_size, have = 0;
	char buf[8192];
	uint32_t n = 0;
	ssize_t got;

	if (rec > sizeof(buf))
		return 0;
	while (n < max && (got = read(fd, buf + have, sizeof(buf) - have)) > 0) {
		size_t at = 0;

		have += (size_t)got;
		for (; have - at >= rec && n < max; at += rec, n++) {
			memcpy((char *)keys + n * key_size, buf + at, key_size);
			memcpy((char *)vals + n * value_size, buf + at + key_size, value_size);
		}
		memmove(buf, buf + at, have - at);
		have -= at;
	}
	return n;
}

uint32_t map_read_iter(int link_fd, void *keys, size_t key_size, void *vals, size_t value_size,
		       uint32_t max)
{
	int fd = bpf_iter_create(link_fd);
	uint32_t n;

	if (fd < 0)
		return 0;
	n = map_read_records(fd, keys, key_size, vals, value_size, max);
	close(fd);
	return n;
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
