// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "device_values.h"
#include "names.h"

const char *device_state(const struct device *d)
{
	if (!d->id.present)
		return "gone";
	return strstr(d->id.driver, "vfio") ? "live" : "unbound";
}

uint64_t device_mapped_bytes(const struct device_stats *s)
{
	return (s->pages[VTOP_PSIZE_4K] << 12) + (s->pages[VTOP_PSIZE_2M] << 21) +
	       (s->pages[VTOP_PSIZE_1G] << 30);
}

uint64_t device_dmabufs_alive(const struct device_stats *s)
{
	return s->rare.dmabuf_exports > s->rare.dmabuf_released ? s->rare.dmabuf_exports - s->rare.dmabuf_released : 0;
}

/* derived from the counters rather than compared on the fault path */
uint64_t device_memtype_mismatches(const struct device_stats *s)
{
	uint64_t given = 0, n = s->rare.memtype_mismatch;

	for (unsigned int i = 0; i < VTOP_MODE_MAX; i++)
		given += s->memtype_by_mode[i];
	if (s->rare.memtype_reserved && s->rare.memtype_reserved <= VTOP_MODE_MAX)
		n += given - s->memtype_by_mode[s->rare.memtype_reserved - 1];
	return n;
}

const char *device_memtype_reserved(const struct device_stats *s)
{
	return s->rare.memtype_reserved ? cache_mode_name(s->rare.memtype_reserved - 1) : NULL;
}

size_t device_processes_alive(const struct device *d)
{
	size_t n = 0;

	for (int i = 0; i < d->n_owners; i++)
		n += d->owners[i].alive;
	return n;
}

static bool power_known(const struct device *d)
{
	return d->power_known && d->power.state < VTOP_PWR_MAX;
}

const char *device_power_state(const struct device *d)
{
	return power_known(d) ? power_state_name(d->power.state) : NULL;
}

uint64_t device_power_in_state_ns(const struct device *d, uint64_t now_ns)
{
	return power_known(d) && now_ns > d->power.since_ns ? now_ns - d->power.since_ns : 0;
}

uint64_t device_power_time_ns(const struct device *d, unsigned int st, uint64_t now_ns)
{
	if (st >= VTOP_PWR_MAX)
		return 0;
	return d->stats.rare.power_ns[st] +
	       (power_known(d) && d->power.state == st ? device_power_in_state_ns(d, now_ns) : 0);
}
