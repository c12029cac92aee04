/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef VFIOTOP_MONO_CLOCK_H
#define VFIOTOP_MONO_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in ns: the clock of bpf_ktime_get_ns(), so events compare with it */
static inline uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

#endif
