/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every read of the BPF maps the daemon makes, in one place: the folders
 * above capture/ get plain arrays of keys and values and never call libbpf.
 * Which map to read is hooks.c's, which holds the fds.
 */
#ifndef VFIOTOP_MAP_READ_H
#define VFIOTOP_MAP_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfiotop.h"

/*
 * None of these reads is a map syscall (BPF_MAP_LOOKUP_ELEM, its batch):
 * the kernel holds bpf_prog_active raised on the caller's CPU through one,
 * and where it preempts there (7.x) the kprobe programs of the tasks run on
 * that CPU meanwhile are skipped. Hash batches lost 2,593 programs in one VM
 * run; key-by-key lookups 7 (two mmaps and a reset) in one run in eight.
 */

/*
 * The whole of the BPF_F_MMAPABLE array at fd, mapped read-only: entry i at
 * i times the value size (rounded up to 8). NULL if it cannot be; len gets
 * the length to give map_view_close().
 */
void *map_view_open(int fd, size_t *len);
void map_view_close(const void *mem, size_t len);

/*
 * Up to max records of key_size then value_size bytes read from fd into
 * keys[] and vals[]: what a map iterator writes (bpf/dma.bpf.c). Returns
 * how many it read; a record cut short at the end is dropped.
 */
uint32_t map_read_records(int fd, void *keys, size_t key_size, void *vals, size_t value_size,
			  uint32_t max);

/* The same, from a new iterator of the map iterator link at link_fd */
uint32_t map_read_iter(int link_fd, void *keys, size_t key_size, void *vals, size_t value_size,
		       uint32_t max);

/*
 * Whether the kernel refuses this process's reads of the map at fd with
 * EPERM, its gate (no such key, or a key, is an answer): for the
 * capabilities a read needs.
 */
bool map_read_refused(int fd);

/* The kernel memory one of vfiotopd's maps holds, by name (the kernel keeps 15 chars) */
struct map_memory {
	char name[16];
	uint64_t bytes;
};

#define MAPS_MAX	32

/*
 * What the kernel charges for the map at fd: its fdinfo's "memlock:" (an
 * array's value size times its entries, a PERCPU_ARRAY's times the possible
 * CPUs too, and the map's own struct); 0 where it says nothing. fdinfo_memlock reads the
 * same from fdinfo's text.
 */
uint64_t map_memlock(int fd);
uint64_t fdinfo_memlock(const char *text);

#endif
