/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every read of the BPF maps the daemon makes, in one place: the folders
 * above capture/ get plain arrays of keys and values and never call libbpf.
 * Which map to read is the caller's (the fds come from hooks.h).
 */
#ifndef VFIOTOP_MAP_READ_H
#define VFIOTOP_MAP_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfiotop.h"

/* slots whose per-CPU counters one system call reads */
#define STATS_CHUNK	8

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

/*
 * Whether the kernel refuses this process's reads of the map at fd with
 * EPERM, its gate (no such key, or a key, is an answer): for the
 * capabilities a read needs.
 */
bool map_read_refused(int fd);

/* One slot's counters as read: percpu holds one struct per possible CPU. */
typedef void (*map_slot_fn)(void *ctx, uint32_t slot, const struct vtop_dev_stats *percpu);

/*
 * The per-CPU counters (fd: the dev_stats array) of every slot below used
 * whose want[slot] is set, handed to take() and cleared in want[] as each
 * is read. buf has room for STATS_CHUNK slots of ncpus counters each.
 */
void map_read_slot_stats(int fd, bool *want, uint32_t used, struct vtop_dev_stats *buf,
			 int ncpus, map_slot_fn take, void *ctx);

/* The kernel memory one of vfiotopd's maps holds, by name (the kernel keeps 15 chars) */
struct map_memory {
	char name[16];
	uint64_t bytes;
};

#define MAPS_MAX	32

/*
 * What the kernel charges for the map at fd: its fdinfo's "memlock:" (a
 * PERCPU_ARRAY's value size times its entries times the possible CPUs, and
 * the map's own struct); 0 where it says nothing. fdinfo_memlock reads the
 * same from fdinfo's text.
 */
uint64_t map_memlock(int fd);
uint64_t fdinfo_memlock(const char *text);

#endif
