// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The counter maps pinned on bpffs: a restarted vfiotopd reuses them and
 * its counts go on; a build whose maps no longer fit starts afresh.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stddef.h>
#include <libgen.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "array_size.h"
#include "log.h"
#include "pin.h"
#include "vfiotop.h"	/* the skeleton's .bss has its structs */
#include "vfiotop.skel.h"

/*
 * dmabuf_dev too: a DMA-BUF exported before a restart is released after it;
 * dma_procs: a process's start-up spans a restart; .bss: the time in the
 * current power state too
 */
#define SKEL_MAP(name)	offsetof(struct vfiotop_bpf, maps.name)
static const struct {
	const char *file;	/* in the pin folder */
	size_t map;		/* where the skeleton keeps its struct bpf_map * */
} pinned_maps[] = {
	{ "dev_hot", SKEL_MAP(dev_hot) }, { "dev_rare", SKEL_MAP(dev_rare) },
	{ "dev_slots", SKEL_MAP(dev_slots) },
	{ "bss", SKEL_MAP(bss) }, { "dmabuf_dev", SKEL_MAP(dmabuf_dev) },
	{ "dma_procs", SKEL_MAP(dma_procs) },
	/* a vector set up before a restart keeps its irq, its eventfd and its counts */
	{ "vec_stats", SKEL_MAP(vec_stats) }, { "vec_slots", SKEL_MAP(vec_slots) },
	{ "irq_vecs", SKEL_MAP(irq_vecs) }, { "efd_vecs", SKEL_MAP(efd_vecs) },
};

/* what earlier builds pinned and this one does not: removed with the rest */
static const char *const retired_pins[] = { "power_now", "dev_stats" };

static struct bpf_map *skel_map(const struct vfiotop_bpf *skel, size_t i)
{
	return *(struct bpf_map **)((char *)skel + pinned_maps[i].map);
}

static void pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

void unpin_maps(const char *dir)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(pinned_maps) + ARRAY_SIZE(retired_pins); i++) {
		pin_path(path, sizeof(path), dir, i < ARRAY_SIZE(pinned_maps) ?
			 pinned_maps[i].file : retired_pins[i - ARRAY_SIZE(pinned_maps)]);
		if (unlink(path) && errno != ENOENT)
			log_err("cannot remove %s: %s", path, strerror(errno));
	}
}

/* absent, or a map this object can reuse (libbpf would refuse the load otherwise) */
static bool pinned_map_fits(const char *path, const struct bpf_map *map)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);
	bool fits;

	if (fd < 0)
		return errno == ENOENT;
	fits = !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       info.type == bpf_map__type(map) && info.key_size == bpf_map__key_size(map) &&
	       info.value_size == bpf_map__value_size(map) &&
	       info.max_entries == bpf_map__max_entries(map);
	close(fd);
	return fits;
}

/*
 * The counters live in maps pinned under pin_dir (a bpffs folder): libbpf
 * reuses them if they are there, pins them if not. Anywhere but on bpffs
 * pinning cannot work: say so and count without it.
 */
bool prepare_maps(struct vfiotop_bpf *skel, const char *pin_dir, uint64_t stall_ns)
{
	char path[PATH_MAX], parent[PATH_MAX];
	struct statfs fs;
	struct timespec now;

	if (stall_ns)
		skel->rodata->stack_threshold_ns = stall_ns;
	clock_gettime(CLOCK_REALTIME, &now);
	skel->bss->counters_since_ns = (uint64_t)now.tv_sec * 1000000000ull + now.tv_nsec;
	if (!pin_dir)
		return false;
	snprintf(parent, sizeof(parent), "%s", pin_dir);
	if (statfs(dirname(parent), &fs) || fs.f_type != BPF_FS_MAGIC) {
		log_err("%s is not on a bpffs mount: counters will not survive a restart",
			pin_dir);
		return false;
	}
	if (mkdir(pin_dir, 0700) && errno != EEXIST) {
		log_err("cannot create %s: %s: counters will not survive a restart",
			pin_dir, strerror(errno));
		return false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(pinned_maps); i++) {
		pin_path(path, sizeof(path), pin_dir, pinned_maps[i].file);
		if (!pinned_map_fits(path, skel_map(skel, i))) {
			log_err("%s was pinned by another vfiotop build: starting the counters afresh",
				path);
			unpin_maps(pin_dir);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(pinned_maps); i++) {
		pin_path(path, sizeof(path), pin_dir, pinned_maps[i].file);
		if (bpf_map__set_pin_path(skel_map(skel, i), path))
			return false;
	}
	return true;
}
