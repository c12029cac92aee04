// SPDX-License-Identifier: GPL-2.0
/*
 * The vfio-pci operation a task is in (ioctl, VFIO_DEVICE_FEATURE, config
 * write, open, close): it gives the zaps and resets below it their reason,
 * and names the device an address space or a memory_lock belongs to.
 */
#include "common.bpf.h"

/* lock contention on this device's memory_lock is then recognized */
static __always_inline void learn_lock(void *vdev)
{
	struct vfio_pci_core_device *v = vdev;

	if (bpf_core_field_exists(v->memory_lock))
		remember_dev(&lock_dev, (__u64)&v->memory_lock, vdev_key(vdev));
}

/* ---- the vfio-pci operation a task is in: reasons for zaps and resets -- */

static __always_inline void op_push(struct task_ctx *c, __u32 op, void *vdev)
{
	if (c->op_depth++ == 0) {
		c->op = op;
		c->op_dev = vdev_key(vdev);
	}
	learn_mapping(vdev);
	learn_lock(vdev);
}

/* the daemon then looks at this process's fds, not every process's */
static __always_inline void open_event(void *vdev)
{
	struct vtop_rec_hdr *e = event_new(VTOP_EV_OPEN, vdev_key(vdev), sizeof(*e));

	if (e)
		event_submit(e);
}

static __always_inline void op_enter(__u32 op, void *vdev)
{
	struct task_ctx *c = ctx_get(true);
	struct vtop_dma_proc *p;

	if (c)
		op_push(c, op, vdev);
	/* where a process's start-up begins: its DMA maps are timed from here */
	if (op == VTOP_OP_OPEN) {
		open_event(vdev);
		p = dma_proc_get();
		if (p && !p->first_open_ns)
			p->first_open_ns = bpf_ktime_get_ns();
	}
}

static __always_inline void op_exit(void)
{
	struct task_ctx *c = ctx_get(false);

	if (!c || !c->op_depth)
		return;
	if (--c->op_depth == 0)
		c->op = VTOP_OP_NONE;
}

static __always_inline void ioctl_enter(void *vdev, unsigned int cmd, unsigned long arg)
{
	struct vtop_rec_request *e;
	struct vtop_dev_rare *s;
	struct task_ctx *c;
	__u64 start;
	__u32 op;

	if (cmd == VTOP_VFIO_DEVICE_SET_IRQS) {
		c = ctx_get(true);
		if (c) {
			c->irqs_dev = vdev_key(vdev);
			c->irqs_uarg = arg;
		}
		return;
	}
	/*
	 * a SET_IRQS whose exit a kretprobe missed left its struct behind:
	 * this ioctl's failure is not that call's refusal
	 */
	c = ctx_get(false);
	if (c)
		c->irqs_uarg = 0;
	/*
	 * before vfio's get_region_info_caps op the ioctl handler answers it:
	 * counted here, and marked so that the hook of the function that does
	 * the work (region_info_enter) does not count it again
	 */
	if (cmd == VTOP_VFIO_DEVICE_GET_REGION_INFO) {
		s = rare_get(vdev_key(vdev));
		if (s)
			__sync_fetch_and_add(&s->region_info_requests, 1);
		if (!c)
			c = ctx_get(true);
		if (c)
			c->region_info = 1;
		return;
	}
	if (cmd == VTOP_VFIO_DEVICE_IOEVENTFD) {
		s = rare_get(vdev_key(vdev));
		if (s)
			__sync_fetch_and_add(&s->ioeventfd_sets, 1);
		return;
	}
	if (cmd == VTOP_VFIO_DEVICE_RESET)
		op = VTOP_OP_RESET;
	else if (cmd == VTOP_VFIO_DEVICE_PCI_HOT_RESET)
		op = VTOP_OP_HOT_RESET;
	else
		return;
	/*
	 * before the task's storage is made: that took 9.5 ms once on 7.3
	 * under TCG (80-300 us for a task's first request), all of it missing
	 * from the request's reported length
	 */
	start = bpf_ktime_get_ns();
	c = ctx_get(true);
	if (!c)
		return;
	c->ioctl_op = 1;
	c->ioctl_dev = vdev_key(vdev);
	c->ioctl_start = start;
	op_push(c, op, vdev);
	e = event_new(VTOP_EV_REQUEST_BEGIN, c->ioctl_dev, sizeof(*e));
	if (e) {
		e->reason = op;
		event_submit(e);
	}
}

/*
 * A VFIO_DEVICE_SET_IRQS that vfio's argument checks refused before
 * vfio-pci's vfio_pci_set_irqs_ioctl() (a count beyond the device's
 * vectors, an index it lacks, two data flags, a short argsz): counted by
 * the index and action it asked for, from the caller's struct.
 */
static __always_inline void set_irqs_refused(struct task_ctx *c, long ret)
{
	struct vtop_dev_rare *r = rare_get(c->irqs_dev);
	__u32 hdr[3] = {};	/* argsz, flags, index of struct vfio_irq_set */

	if (!r)
		return;
	if (bpf_probe_read_user(hdr, sizeof(hdr), (void *)c->irqs_uarg))
		hdr[2] = VTOP_IRQ_INDEX_MAX;	/* unreadable: no index, no action */
	irq_set_count(r, hdr[2], hdr[1], ret);
	__sync_fetch_and_add(&r->irq_sets_refused, 1);
}

/*
 * A reset request is counted with its result: a hot reset that loses its
 * trylock to running faults returns -EBUSY before any zap or reset happens.
 */
static __always_inline void ioctl_exit(long ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_rare *s;
	struct vtop_rec_request *e;
	__u32 req;

	if (!c)
		return;
	c->region_info = 0;
	if (c->irqs_uarg) {
		if (ret)
			set_irqs_refused(c, ret);
		c->irqs_uarg = 0;
	}
	if (!c->ioctl_op)
		return;
	c->ioctl_op = 0;
	req = c->op == VTOP_OP_HOT_RESET ? VTOP_REQ_HOT_RESET : VTOP_REQ_RESET;
	s = rare_get(c->ioctl_dev);
	if (s) {
		__sync_fetch_and_add(&s->reset_requests[idx(req, VTOP_REQ_MAX)], 1);
		if (ret)
			__sync_fetch_and_add(&s->reset_requests_failed[idx(req, VTOP_REQ_MAX)], 1);
	}
	e = event_new(VTOP_EV_REQUEST, c->ioctl_dev, sizeof(*e));
	if (e) {
		e->dur_ns = e->h.ts_ns - c->ioctl_start;
		e->h.ret = ret;
		e->reason = c->op;
		event_submit(e);
	}
	op_exit();
}

SEC("fentry/vfio_pci_core_ioctl")
int BPF_PROG(core_ioctl_fentry, void *core_vdev, unsigned int cmd, unsigned long arg)
{
	ioctl_enter(core_vdev, cmd, arg);
	return 0;
}

SEC("fexit/vfio_pci_core_ioctl")
int BPF_PROG(core_ioctl_fexit, void *core_vdev, unsigned int cmd, unsigned long arg, long ret)
{
	ioctl_exit(ret);
	return 0;
}

SEC("kprobe/vfio_pci_core_ioctl")
int BPF_KPROBE(core_ioctl_kprobe, void *core_vdev, unsigned int cmd, unsigned long arg)
{
	ioctl_enter(core_vdev, cmd, arg);
	return 0;
}

SEC("kretprobe/vfio_pci_core_ioctl")
int BPF_KRETPROBE(core_ioctl_kretprobe, long ret)
{
	ioctl_exit(ret);
	return 0;
}

/*
 * Kernels with vfio's get_region_info_caps op (upstream late 2025, so 7.x)
 * answer VFIO_DEVICE_GET_REGION_INFO in vfio's core through the driver's op,
 * vfio_pci_ioctl_get_region_info, without vfio_pci_core_ioctl. Before, that
 * function is static and may be inlined; where it is not, the ioctl above has
 * counted the request already.
 */
static __always_inline void region_info_enter(void *vdev)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_rare *s;

	if (c && c->region_info)
		return;
	s = rare_get(vdev_key(vdev));
	if (s)
		__sync_fetch_and_add(&s->region_info_requests, 1);
}

SEC("fentry/vfio_pci_ioctl_get_region_info")
int BPF_PROG(region_info_fentry, void *vdev)
{
	region_info_enter(vdev);
	return 0;
}

SEC("kprobe/vfio_pci_ioctl_get_region_info")
int BPF_KPROBE(region_info_kprobe, void *vdev)
{
	region_info_enter(vdev);
	return 0;
}

/* Each function's first argument is the device (vdev, or its embedded vfio_device). */
#define VTOP_OP_HOOK(name, func, op)				\
SEC("fentry/" #func)						\
int BPF_PROG(name##_fentry, void *vdev)				\
{								\
	op_enter(op, vdev);					\
	return 0;						\
}								\
SEC("fexit/" #func)						\
int BPF_PROG(name##_fexit)					\
{								\
	op_exit();						\
	return 0;						\
}								\
SEC("kprobe/" #func)						\
int BPF_KPROBE(name##_kprobe, void *vdev)			\
{								\
	op_enter(op, vdev);					\
	return 0;						\
}								\
SEC("kretprobe/" #func)						\
int BPF_KRETPROBE(name##_kretprobe)				\
{								\
	op_exit();						\
	return 0;						\
}

/* VFIO_DEVICE_FEATURE(device, flags, arg, argsz): labelled by its feature */
static __always_inline __u32 feature_op(__u32 flags)
{
	__u32 feature = flags & VTOP_VFIO_DEVICE_FEATURE_MASK;

	if (feature >= VTOP_VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY &&
	    feature <= VTOP_VFIO_DEVICE_FEATURE_LOW_POWER_EXIT)
		return VTOP_OP_LOW_POWER;
	if (feature == VTOP_VFIO_DEVICE_FEATURE_DMA_BUF)
		return VTOP_OP_DMA_BUF;
	return VTOP_OP_FEATURE;
}

/*
 * VFIO_DEVICE_FEATURE_DMA_BUF returns the dma-buf's fd: counted with the
 * size and address dma_buf_export() saw, and the exporting task.
 */
static __always_inline void feature_exit(long ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_rare *s;
	struct vtop_rec_dmabuf_export *e;

	if (!c || !c->op_depth)
		return;
	/* a PROBE (or a GET that found nothing to do) returns 0 and exports nothing */
	if (c->op_depth == 1 && c->op == VTOP_OP_DMA_BUF && (c->dmabuf || ret < 0)) {
		s = rare_get(c->op_dev);
		if (s && ret >= 0) {
			__sync_fetch_and_add(&s->dmabuf_exports, 1);
			__sync_fetch_and_add(&s->dmabuf_export_bytes, c->dmabuf_size);
		} else if (s) {
			__sync_fetch_and_add(&s->dmabuf_exports_failed, 1);
		}
		/* a dma-buf made but not handed out is released, not alive */
		if (ret < 0 && c->dmabuf)
			bpf_map_delete_elem(&dmabuf_dev, &c->dmabuf);
		e = event_new(VTOP_EV_DMABUF_EXPORT, c->op_dev, sizeof(*e));
		if (e) {
			e->h.ret = ret;
			e->len = c->dmabuf_size;
			e->addr = c->dmabuf_paddr;
			event_submit(e);
		}
		c->dmabuf = c->dmabuf_size = c->dmabuf_paddr = 0;
	}
	op_exit();
}

static __always_inline void feature_enter(void *vdev, __u32 flags)
{
	struct task_ctx *c = ctx_get(true);

	if (!c)
		return;
	/* an export whose exit was missed leaves nothing for this one to take */
	if (!c->op_depth)
		c->dmabuf = c->dmabuf_size = c->dmabuf_paddr = 0;
	op_push(c, feature_op(flags), vdev);
}

SEC("fentry/vfio_pci_core_ioctl_feature")
int BPF_PROG(ioctl_feature_fentry, void *vdev, __u32 flags)
{
	feature_enter(vdev, flags);
	return 0;
}

SEC("fexit/vfio_pci_core_ioctl_feature")
int BPF_PROG(ioctl_feature_fexit, void *vdev, __u32 flags, void *arg, size_t argsz, int ret)
{
	feature_exit(ret);
	return 0;
}

SEC("kprobe/vfio_pci_core_ioctl_feature")
int BPF_KPROBE(ioctl_feature_kprobe, void *vdev, __u32 flags)
{
	feature_enter(vdev, flags);
	return 0;
}

SEC("kretprobe/vfio_pci_core_ioctl_feature")
int BPF_KRETPROBE(ioctl_feature_kretprobe, int ret)
{
	feature_exit(ret);
	return 0;
}

/* the dma-buf vfio-pci exports: its size and first physical range */
SEC("fexit/dma_buf_export")
int BPF_PROG(dma_buf_export_fexit, const struct dma_buf_export_info___vtop *info, void *ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vfio_pci_dma_buf *priv;
	__u64 key = (__u64)ret;

	/* dma_buf_export() is there before vfio-pci exports BARs (7.x) */
	if (!bpf_core_type_exists(struct vfio_pci_dma_buf))
		return 0;
	if (!c || !c->op_depth || c->op != VTOP_OP_DMA_BUF)
		return 0;
	if (key >= (__u64)-4095)	/* IS_ERR() */
		return 0;
	priv = BPF_CORE_READ(info, priv);
	c->dmabuf = key;
	c->dmabuf_size = BPF_CORE_READ(info, size);
	c->dmabuf_paddr = BPF_CORE_READ(priv, phys_vec, paddr);
	bpf_map_update_elem(&dmabuf_dev, &key, &c->op_dev, BPF_ANY);
	return 0;
}

VTOP_OP_HOOK(core_enable, vfio_pci_core_enable, VTOP_OP_OPEN)
VTOP_OP_HOOK(core_disable, vfio_pci_core_disable, VTOP_OP_CLOSE)

/*
 * A write to PCI_COMMAND: its memory bit, for the flight recorder. Clearing
 * it zaps the BARs (counted there); setting it again is recorded here only.
 */
static __always_inline void command_write(void *vdev, int count, int offset, __u32 val)
{
	struct vtop_rec_mem_write *e;
	int shift = (4 - offset) * 8;	/* PCI_COMMAND is at 4 */

	op_enter(VTOP_OP_MEM_DISABLE, vdev);
	if (offset > 4 || offset + count <= 4 || shift < 0 || shift > 24)
		return;
	e = event_new(VTOP_EV_MEM_WRITE, vdev_key(vdev), sizeof(*e));
	if (!e)
		return;
	e->flags = (val >> shift) & 0x2 ? VTOP_MEM_ENABLE : 0;
	event_submit(e);
}

SEC("fentry/vfio_basic_config_write")
int BPF_PROG(basic_config_write_fentry, void *vdev, int pos, int count, void *perm, int offset,
	     __u32 val)
{
	command_write(vdev, count, offset, val);
	return 0;
}

SEC("fexit/vfio_basic_config_write")
int BPF_PROG(basic_config_write_fexit)
{
	op_exit();
	return 0;
}

/* the sixth argument: libbpf's BPF_KPROBE stops at five */
SEC("kprobe/vfio_basic_config_write")
int BPF_KPROBE(basic_config_write_kprobe, void *vdev, int pos, int count, void *perm, int offset)
{
	command_write(vdev, count, offset, (__u32)ctx->r9);
	return 0;
}

SEC("kretprobe/vfio_basic_config_write")
int BPF_KRETPROBE(basic_config_write_kretprobe)
{
	op_exit();
	return 0;
}
VTOP_OP_HOOK(pm_config_write, vfio_pm_config_write, VTOP_OP_POWER_STATE)
VTOP_OP_HOOK(exp_config_write, vfio_exp_config_write, VTOP_OP_FLR)
VTOP_OP_HOOK(af_config_write, vfio_af_config_write, VTOP_OP_FLR)
