/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * BPF maps read whole from the daemon, every second: with batch lookups
 * (5.6+) a map costs one or a few system calls instead of two per entry.
 */
#ifndef VFIOTOP_MAP_READ_H
#define VFIOTOP_MAP_READ_H

#include <stddef.h>
#include <stdint.h>

/*
 * Up to max entries of a hash map into keys[] and vals[] (arrays of
 * key_size and value_size bytes); walks it key by key where the kernel has
 * no batch lookup. Returns how many entries it read.
 */
uint32_t map_read_all(int fd, void *keys, size_t key_size, void *vals, size_t value_size,
		      uint32_t max);

#endif
