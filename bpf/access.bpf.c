// SPDX-License-Identifier: GPL-2.0
/*
 * Trapped accesses: the reads and writes vfio-pci serves through the device
 * fd instead of a mapping (config space, BARs or parts of them a VMM does
 * not mmap, ROM, VGA), and the writes it does for a signalled ioeventfd.
 *
 * vfio_pci_core_read() and _write() tail-call vfio_pci_rw(), which every
 * vfio-pci driver's read and write reach; it has the region in the offset's
 * top bits. An access is a syscall of microseconds: two trampolines and an
 * atomic add on the device's shared entry are cheap beside it.
 */
#include "common.bpf.h"

#define VTOP_REGION_OFFSET_MASK	((1ULL << VTOP_VFIO_PCI_OFFSET_SHIFT) - 1)

/* the capability vfio-pci's config map names at the offset, as vfio_config_do_rw() does */
static __always_inline __u8 config_cap(void *vdev, __u64 pos)
{
	__u8 *map = BPF_CORE_READ((struct vfio_pci_core_device *)vdev, pci_config_map);
	__u8 id = VTOP_PCI_CAP_ID_INVALID_VIRT;

	if (map)
		bpf_probe_read_kernel(&id, sizeof(id), map + (pos & 0xfff));
	if (id >= VTOP_PCI_CAP_ID_INVALID_VIRT)
		return VTOP_CAP_UNASSIGNED;
	if (pos >= VTOP_PCI_CFG_SPACE_SIZE)
		return VTOP_CAP_EXTENDED;
	switch (id) {
	case VTOP_PCI_CAP_ID_BASIC:
		return VTOP_CAP_BASIC;
	case VTOP_PCI_CAP_ID_PM:
		return VTOP_CAP_PM;
	case VTOP_PCI_CAP_ID_MSI:
		return VTOP_CAP_MSI;
	case VTOP_PCI_CAP_ID_MSIX:
		return VTOP_CAP_MSIX;
	case VTOP_PCI_CAP_ID_EXP:
		return VTOP_CAP_PCIE;
	case VTOP_PCI_CAP_ID_AF:
		return VTOP_CAP_AF;
	}
	return VTOP_CAP_OTHER;
}

static __always_inline void access_enter(void *vdev, loff_t *ppos, bool iswrite)
{
	struct task_ctx *c = ctx_get(true);
	__u64 pos = 0, region;

	if (!c)
		return;
	/* only the exit knows the bytes and the result: the last access is lost */
	if (c->access_start)
		__sync_fetch_and_add(&self_stats.access_exits_missed, 1);
	bpf_probe_read_kernel(&pos, sizeof(pos), ppos);
	region = pos >> VTOP_VFIO_PCI_OFFSET_SHIFT;
	c->access_dev = vdev_key(vdev);
	c->access_region = region < VTOP_REGION_MAX ? region : VTOP_REGION_MAX;
	c->access_write = iswrite;
	c->access_cap = VTOP_CAP_MAX;
	if (iswrite && region == VTOP_REGION_CONFIG)
		c->access_cap = config_cap(vdev, pos & VTOP_REGION_OFFSET_MASK);
	c->access_start = bpf_ktime_get_ns();
}

static __always_inline void access_exit(long ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_rare *r;
	__u64 ns, slot;
	__u32 region;

	if (!c || !c->access_start)
		return;
	ns = bpf_ktime_get_ns() - c->access_start;
	c->access_start = 0;
	r = rare_get(c->access_dev);
	if (!r)
		return;
	if (ret < 0) {
		__sync_fetch_and_add(&r->access_failed, 1);
		return;
	}
	region = c->access_region;
	if (region >= VTOP_REGION_MAX)	/* a device-specific region (IGD's OpRegion, ...) */
		return;
	region = idx(region, VTOP_REGION_MAX);
	if (c->access_write)
		__sync_fetch_and_add(&r->access_writes[region], 1);
	else
		__sync_fetch_and_add(&r->access_reads[region], 1);
	__sync_fetch_and_add(&r->access_bytes[region], ret);
	__sync_fetch_and_add(&r->access_ns[region], ns);
	atomic_max(&r->access_ns_max, ns);
	slot = shifted_hist_slot(ns, VTOP_ACCESS_HIST_SHIFT, VTOP_ACCESS_HIST_SLOTS);
	__sync_fetch_and_add(&r->access_hist[idx(slot, VTOP_ACCESS_HIST_SLOTS)], 1);
	if (c->access_cap < VTOP_CAP_MAX)
		__sync_fetch_and_add(&r->config_writes_by_cap[idx(c->access_cap, VTOP_CAP_MAX)], 1);
}

SEC("fentry/vfio_pci_rw")
int BPF_PROG(rw_fentry, void *vdev, char *buf, size_t count, loff_t *ppos, bool iswrite)
{
	access_enter(vdev, ppos, iswrite);
	return 0;
}

SEC("fexit/vfio_pci_rw")
int BPF_PROG(rw_fexit, void *vdev, char *buf, size_t count, loff_t *ppos, bool iswrite,
	     long ret)
{
	access_exit(ret);
	return 0;
}

SEC("kprobe/vfio_pci_rw")
int BPF_KPROBE(rw_kprobe, void *vdev, char *buf, size_t count, loff_t *ppos, bool iswrite)
{
	access_enter(vdev, ppos, iswrite);
	return 0;
}

SEC("kretprobe/vfio_pci_rw")
int BPF_KRETPROBE(rw_kretprobe, long ret)
{
	access_exit(ret);
	return 0;
}

static __always_inline void ioeventfd_hit(struct vfio_pci_ioeventfd *ioeventfd)
{
	struct vtop_dev_rare *r = rare_get(vdev_key(BPF_CORE_READ(ioeventfd, vdev)));

	if (r)
		__sync_fetch_and_add(&r->ioeventfd_hits, 1);
}

/* from the eventfd's wake-up, once a signal: the write is done here or by its thread */
SEC("fentry/vfio_pci_ioeventfd_handler")
int BPF_PROG(ioeventfd_fentry, struct vfio_pci_ioeventfd *ioeventfd)
{
	ioeventfd_hit(ioeventfd);
	return 0;
}

SEC("kprobe/vfio_pci_ioeventfd_handler")
int BPF_KPROBE(ioeventfd_kprobe, struct vfio_pci_ioeventfd *ioeventfd)
{
	ioeventfd_hit(ioeventfd);
	return 0;
}
