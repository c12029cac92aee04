// SPDX-License-Identifier: GPL-2.0
/*
 * 7.x: DMA-BUFs of BARs released, revoked and restored at every zap. Their
 * export is counted where VFIO_DEVICE_FEATURE is (ops.bpf.c).
 */
#include "common.bpf.h"

static __always_inline void dmabuf_release(__u64 dmabuf)
{
	struct vtop_dev_rare *s;
	__u32 *dev = bpf_map_lookup_elem(&dmabuf_dev, &dmabuf);

	if (!dev)
		return;
	s = rare_get(*dev);
	if (s)
		__sync_fetch_and_add(&s->dmabuf_released, 1);
	bpf_map_delete_elem(&dmabuf_dev, &dmabuf);
}

SEC("fentry/vfio_pci_dma_buf_release")
int BPF_PROG(dma_buf_release_fentry, void *dmabuf)
{
	dmabuf_release((__u64)dmabuf);
	return 0;
}

SEC("kprobe/vfio_pci_dma_buf_release")
int BPF_KPROBE(dma_buf_release_kprobe, void *dmabuf)
{
	dmabuf_release((__u64)dmabuf);
	return 0;
}

/*
 * Every zap site of 7.x revokes the device's dma-bufs (and a memory enable
 * restores them) under memory_lock; the revoke waits for every importer's
 * fences without bound. Timed only when the device has dma-bufs.
 */
static __always_inline void dmabuf_move_begin(void *vdev, bool revoked)
{
	struct vfio_pci_core_device___dmabufs *v = vdev;
	struct vfio_pci_dma_buf *first;
	struct list_head *next;
	struct task_ctx *c = ctx_get(false);

	/* a move left untimed must not end with the start of an older one */
	if (c)
		c->move_start = 0;
	if (!bpf_core_field_exists(v->dmabufs))
		return;
	next = BPF_CORE_READ(v, dmabufs.next);
	if (next == &v->dmabufs)
		return;
	/*
	 * A device's dma-bufs move together: when the first is already in the
	 * asked state (a memory enable while enabled), the call changes nothing.
	 */
	first = (void *)next - bpf_core_field_offset(struct vfio_pci_dma_buf, dmabufs_elm);
	if (BPF_CORE_READ_BITFIELD_PROBED(first, revoked) == revoked)
		return;
	c = ctx_get(true);
	if (!c)
		return;
	c->move_dev = vdev_key(vdev);
	c->move_revoked = revoked;
	c->move_start = bpf_ktime_get_ns();
}

static __always_inline void dmabuf_move_end(void)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_rare *s;
	struct vtop_rec_dmabuf_move *e;
	__u64 ns;

	if (!c || !c->move_start)
		return;
	ns = bpf_ktime_get_ns() - c->move_start;
	c->move_start = 0;
	s = rare_get(c->move_dev);
	if (s) {
		if (c->move_revoked)
			__sync_fetch_and_add(&s->dmabuf_revokes, 1);
		else
			__sync_fetch_and_add(&s->dmabuf_restores, 1);
		__sync_fetch_and_add(&s->dmabuf_move_ns_sum, ns);
		atomic_max(&s->dmabuf_move_ns_max, ns);
	}
	e = event_new(VTOP_EV_DMABUF_MOVE, c->move_dev, sizeof(*e));
	if (!e)
		return;
	e->dur_ns = ns;
	e->reason = c->op_depth && c->op < VTOP_OP_MAX ? c->op : VTOP_OP_OTHER;
	e->flags = c->move_revoked ? VTOP_DMABUF_REVOKED : 0;
	event_submit(e);
}

SEC("fentry/vfio_pci_dma_buf_move")
int BPF_PROG(dma_buf_move_fentry, void *vdev, bool revoked)
{
	dmabuf_move_begin(vdev, revoked);
	return 0;
}

SEC("fexit/vfio_pci_dma_buf_move")
int BPF_PROG(dma_buf_move_fexit)
{
	dmabuf_move_end();
	return 0;
}

SEC("kprobe/vfio_pci_dma_buf_move")
int BPF_KPROBE(dma_buf_move_kprobe, void *vdev, bool revoked)
{
	dmabuf_move_begin(vdev, revoked);
	return 0;
}

SEC("kretprobe/vfio_pci_dma_buf_move")
int BPF_KRETPROBE(dma_buf_move_kretprobe)
{
	dmabuf_move_end();
	return 0;
}
