// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * DMA: the BAR exported as DMA-BUFs, pinned for peer-to-peer DMA, and what a
 * VM's start maps (and fails to map) through the type1 IOMMU.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/vfio.h>

#include "workload.h"

/* uapi/linux/vfio.h of 7.x: the build host's headers may predate it */
#define WL_VFIO_DEVICE_FEATURE_DMA_BUF	11

struct wl_dma_buf_feature {
	struct vfio_device_feature hdr;
	uint32_t region_index;
	uint32_t open_flags;
	uint32_t flags;
	uint32_t nr_ranges;
	uint64_t offset;	/* one struct vfio_region_dma_range */
	uint64_t length;
};

/*
 * --dmabuf N: exports the BAR as N DMA-BUFs (the whole BAR, then 2 MiB
 * slices), kept open across the rounds and resets: every zap revokes them
 * and every memory enable restores them. Kernels before 7.x refuse
 * (ENOTTY): the attempts are the truth then.
 */
void export_dmabufs(const struct options *o, const struct vfio *v, struct truth *t)
{
	t->dmabuf_fds = calloc(o->dmabufs + 1, sizeof(int));
	if (!t->dmabuf_fds)
		die_errno("calloc");
	for (unsigned long i = 0; i < o->dmabufs; i++) {
		uint64_t len = i == 0 || v->bar_size < (2u << 20) ? v->bar_size : 2u << 20;
		struct wl_dma_buf_feature f = {
			.hdr = { .argsz = sizeof(f),
				 .flags = VFIO_DEVICE_FEATURE_GET | WL_VFIO_DEVICE_FEATURE_DMA_BUF },
			.region_index = o->bar,
			.open_flags = O_RDWR | O_CLOEXEC,
			.nr_ranges = 1,
			.offset = i == 0 ? 0 : ((i - 1) * len) % v->bar_size,
			.length = len,
		};
		int fd = ioctl(v->device, VFIO_DEVICE_FEATURE, &f);

		t->dmabuf_fds[i] = fd;
		if (fd < 0) {
			if (!t->dmabuf_errno)
				t->dmabuf_errno = errno;
			continue;
		}
		t->dmabufs_ok++;
		t->dmabuf_bytes += len;
	}
}

/* Pins the whole BAR mapping for (peer-to-peer) DMA, then unpins it. */
void run_dma_map(const struct options *o, const struct vfio *v, struct truth *t)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)v->map,
		.iova = o->iova,
		.size = v->bar_size,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = o->iova,
		.size = v->bar_size,
	};
	double start;

	if (!o->dma_map)
		return;
	start = now_ms();
	t->dma_map_calls++;
	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map)) {
		t->dma_map_errno = errno;
		t->last_map_end_ms = now_ms();
		t->dma_map_ms = now_ms() - start;
		fprintf(stderr, PROG ": VFIO_IOMMU_MAP_DMA: %s\n", strerror(errno));
		return;
	}
	t->last_map_end_ms = now_ms();
	t->dma_map_ms = t->last_map_end_ms - start;
	t->dma_map_ok = true;
	t->dma_unmap_calls++;
	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap)) {
		t->dma_unmap_errno = errno;
		fprintf(stderr, PROG ": VFIO_IOMMU_UNMAP_DMA: %s\n", strerror(errno));
		return;
	}
	t->dma_unmap_ok = true;
	t->unmap_bytes += unmap.size;
}

/* One VFIO_IOMMU_MAP_DMA; a failure is recorded with its range. */
static bool dma_map_try(const struct vfio *v, struct truth *t, uint64_t vaddr, uint64_t iova,
			uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = vaddr,
		.iova = iova,
		.size = size,
	};
	int err;

	t->dma_map_calls++;
	err = ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map) ? errno : 0;
	t->last_map_end_ms = now_ms();
	if (err && t->n_dma_failures < 4)
		t->dma_failures[t->n_dma_failures++] = (struct dma_failure){ err, vaddr, iova, size };
	return !err;
}

/*
 * --vm-start N: what a VM's start does to vfio, and the three ways users see
 * it fail. The harness sets vfio_iommu_type1's dma_entry_limit to N first.
 *  - a map of an address with nothing mapped: EFAULT;
 *  - a map at an IOVA past the emulated IOMMU's 39-bit width: EINVAL;
 *  - N maps of 1 MiB of RAM (pinned), then one more: ENOSPC;
 *  - one unmap of all N.
 */
void run_vm_start(const struct options *o, const struct vfio *v, struct truth *t)
{
	const uint64_t chunk = 1 << 20, base = 1ull << 32;
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap), .iova = base };
	uint8_t *ram, *hole;

	if (!o->vm_start)
		return;
	ram = mmap(NULL, (o->vm_start + 1) * chunk, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hole = mmap(NULL, chunk, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED || hole == MAP_FAILED || munmap(hole, chunk))
		die_errno("mmap guest RAM");
	dma_map_try(v, t, (uintptr_t)hole, base - 2 * chunk, chunk);
	dma_map_try(v, t, (uintptr_t)ram, 1ull << 40, chunk);
	for (unsigned long i = 0; i <= o->vm_start; i++) {
		if (dma_map_try(v, t, (uintptr_t)ram + i * chunk, base + i * chunk, chunk)) {
			t->ram_maps_ok++;
			t->ram_map_bytes += chunk;
		}
	}
	unmap.size = t->ram_maps_ok * chunk;
	t->dma_unmap_calls++;
	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		die_errno("VFIO_IOMMU_UNMAP_DMA of guest RAM");
	t->unmap_bytes += unmap.size;
	munmap(ram, (o->vm_start + 1) * chunk);
}
