// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts: the VFIO_DEVICE_SET_IRQS calls that set them up, and every
 * interrupt vfio-pci's handlers signal to the user, per vector.
 *
 * A handler sees its host irq and little else that stays the same across
 * kernels (6.1 passes the eventfd, later ones vfio's irq context). So the
 * irq is tied to its vector where vfio-pci requests it, inside
 * VFIO_DEVICE_SET_IRQS: irq_vecs[irq] names the vector's slot in
 * vec_stats, and a handler costs one hash lookup and an atomic add.
 * A vector keeps its slot for good: QEMU tears MSI-X down and sets it up
 * again, and the irqs it gets back need not be the same.
 */
#include "common.bpf.h"

#define VTOP_IRQ_HANDLED		1
#define VTOP_MAX_ERRNO			4095
#define IS_ERR_VALUE(x)			((x) >= (unsigned long)-VTOP_MAX_ERRNO)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, VTOP_MAX_VECTORS);
	__type(key, __u32);
	__type(value, struct vtop_vec_stats);
} vec_stats SEC(".maps");

/* device key << 32 | index << 16 | vector -> its slot in vec_stats */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);	/* kernel memory for the vectors there are */
	__uint(max_entries, VTOP_MAX_VECTORS);
	__type(key, __u64);
	__type(value, __u32);
} vec_slots SEC(".maps");

/*
 * a vector's eventfd (struct eventfd_ctx *) -> its slot: a read of it names
 * the vector. Vectors set up now, with --irq-waits: a quarter of
 * VTOP_MAX_VECTORS, whose buckets would take 64 KiB; beyond, a vector's
 * reads are not timed.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VTOP_MAX_VECTORS / 4);
	__type(key, __u64);
	__type(value, __u32);
} efd_vecs SEC(".maps");

/* host irq -> the slot of the vector vfio-pci requested it for */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, VTOP_MAX_VECTORS);
	__type(key, __u32);
	__type(value, __u32);
} irq_vecs SEC(".maps");

static __always_inline struct vtop_vec_stats *vec_at(__u32 slot)
{
	if (slot >= VTOP_MAX_VECTORS)
		return NULL;
	return bpf_map_lookup_elem(&vec_stats, &slot);
}

/* The vector's slot, given on first sight; ~0 when vec_stats is full. */
static __always_inline __u32 vec_slot_of(__u32 dev, __u32 index, __u32 vector)
{
	__u64 key = (__u64)dev << 32 | (index & 0xffff) << 16 | (vector & 0xffff);
	__u32 *slot = bpf_map_lookup_elem(&vec_slots, &key), s;
	struct vtop_vec_stats *v;

	if (slot)
		return *slot;
	s = __sync_fetch_and_add(&next_vec, 1);
	if (s >= VTOP_MAX_VECTORS) {
		__sync_fetch_and_add(&self_stats.vecmap_full, 1);
		return ~0u;
	}
	if (bpf_map_update_elem(&vec_slots, &key, &s, BPF_NOEXIST)) {
		slot = bpf_map_lookup_elem(&vec_slots, &key);
		return slot ? *slot : ~0u;
	}
	v = vec_at(s);
	if (v) {
		v->index = index;
		v->vector = vector;
		/* last: a reader takes a slot with a device as given */
		v->dev = dev;
	}
	return s;
}

static __always_inline void set_irqs_enter(void *vdev, __u32 flags, unsigned int index,
					   unsigned int start, unsigned int count)
{
	struct task_ctx *c;

	/*
	 * vfio-pci's own call as it closes a device with no interrupts set up
	 * (index VFIO_PCI_NUM_IRQS, -ENOTTY) is no user's request: vfio's
	 * argument checks refuse such an index from users before here
	 */
	if (index >= VTOP_IRQ_INDEX_MAX)
		return;
	c = ctx_get(true);
	if (!c)
		return;
	c->irqs_dev = vdev_key(vdev);
	c->irqs_index = index;
	c->irqs_vector = start;		/* INTx: 0; MSI and MSI-X: the first of the block */
	c->irqs_flags = flags;
	c->irqs_start_vec = start;
	c->irqs_count = count;
	c->irqs_trigger = 0;
	c->irqs_uarg = 0;	/* vfio's argument checks passed it */
	c->irqs_start = bpf_ktime_get_ns();
}

/* the vector's eventfd from now on (0: none); its reads are looked up by it */
static __always_inline void vec_set_trigger(struct vtop_vec_stats *v, __u32 slot, __u64 trigger)
{
	__u64 old = v->trigger;

	if (old == trigger)
		return;
	if (old)
		bpf_map_delete_elem(&efd_vecs, &old);
	v->signalled_at = 0;
	v->trigger = trigger;
	if (trigger)
		bpf_map_update_elem(&efd_vecs, &trigger, &slot, BPF_ANY);
}

/*
 * set-ups and tear-downs for the flight recorder: a VMM's are few, at its
 * start and as the guest's drivers load
 */
static __always_inline void irq_set_event(struct task_ctx *c, __u64 ns, int ret)
{
	struct vtop_rec_irq_set *e = event_new(VTOP_EV_IRQ_SET, c->irqs_dev, sizeof(*e));

	if (!e)
		return;
	e->h.ret = ret;
	e->index = c->irqs_index;
	e->start = c->irqs_start_vec;
	e->count = c->irqs_count;
	e->dur_ns = ns;
	event_submit(e);
}

static __always_inline void set_irqs_exit(int ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_rare *r;
	__u64 ns;

	if (!c || !c->irqs_start)
		return;
	ns = bpf_ktime_get_ns() - c->irqs_start;
	c->irqs_start = 0;
	r = rare_get(c->irqs_dev);
	if (!r)
		return;
	irq_set_count(r, c->irqs_index, c->irqs_flags, ret);
	if (((c->irqs_flags >> VTOP_IRQ_SET_ACTION_SHIFT) & 7) == 4)
		irq_set_event(c, ns, ret);
	/*
	 * 6.10 and later keep INTx's handler across a new trigger eventfd:
	 * an eventfd taken with no handler requested after it is INTx's new one
	 */
	if (!ret && c->irqs_trigger && c->irqs_index == VTOP_IRQ_INTX && r->intx_vec) {
		struct vtop_vec_stats *v = vec_at(r->intx_vec - 1);

		if (v && v->active)
			vec_set_trigger(v, r->intx_vec - 1, c->irqs_trigger);
	}
	c->irqs_trigger = 0;
	__sync_fetch_and_add(&r->irq_set_ns_sum, ns);
	atomic_max(&r->irq_set_ns_max, ns);
}

SEC("fentry/vfio_pci_set_irqs_ioctl")
int BPF_PROG(set_irqs_fentry, void *vdev, __u32 flags, unsigned int index, unsigned int start,
	     unsigned int count)
{
	set_irqs_enter(vdev, flags, index, start, count);
	return 0;
}

SEC("fexit/vfio_pci_set_irqs_ioctl")
int BPF_PROG(set_irqs_fexit, void *vdev, __u32 flags, unsigned int index, unsigned int start,
	     unsigned int count, void *data, int ret)
{
	set_irqs_exit(ret);
	return 0;
}

SEC("kprobe/vfio_pci_set_irqs_ioctl")
int BPF_KPROBE(set_irqs_kprobe, void *vdev, __u32 flags, unsigned int index, unsigned int start,
	       unsigned int count)
{
	set_irqs_enter(vdev, flags, index, start, count);
	return 0;
}

SEC("kretprobe/vfio_pci_set_irqs_ioctl")
int BPF_KRETPROBE(set_irqs_kretprobe, int ret)
{
	set_irqs_exit(ret);
	return 0;
}

/* each MSI or MSI-X vector of a block: its handler is requested next */
static __always_inline void msi_vector_enter(unsigned int vector)
{
	struct task_ctx *c = ctx_get(false);

	if (c && c->irqs_start)
		c->irqs_vector = vector;
}

SEC("fentry/vfio_msi_set_vector_signal")
int BPF_PROG(msi_vector_fentry, void *vdev, unsigned int vector)
{
	msi_vector_enter(vector);
	return 0;
}

SEC("kprobe/vfio_msi_set_vector_signal")
int BPF_KPROBE(msi_vector_kprobe, void *vdev, unsigned int vector)
{
	msi_vector_enter(vector);
	return 0;
}

/* vfio-pci takes a vector's eventfd from its fd just before it requests the handler */
SEC("fexit/eventfd_ctx_fdget")
int BPF_PROG(eventfd_fdget_fexit, int fd, struct eventfd_ctx *ret)
{
	struct task_ctx *c = ctx_get(false);

	if (c && c->irqs_start && !IS_ERR_VALUE((unsigned long)ret))
		c->irqs_trigger = (__u64)ret;
	return 0;
}

SEC("fexit/request_threaded_irq")
int BPF_PROG(request_irq_fexit, unsigned int irq, void *handler, void *thread_fn,
	     unsigned long flags, const char *name, void *dev_id, int ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_vec_stats *v;
	struct vtop_dev_rare *r;
	__u32 slot;

	if (!c || !c->irqs_start || ret)
		return 0;
	if (c->irqs_index != VTOP_IRQ_INTX && c->irqs_index != VTOP_IRQ_MSI &&
	    c->irqs_index != VTOP_IRQ_MSIX)
		return 0;
	slot = vec_slot_of(c->irqs_dev, c->irqs_index, c->irqs_vector);
	v = vec_at(slot);
	if (!v)
		return 0;
	v->irq = irq;
	v->cookie = (__u64)dev_id;
	v->masked_since = 0;
	vec_set_trigger(v, slot, c->irqs_trigger);
	c->irqs_trigger = 0;
	bpf_map_update_elem(&irq_vecs, &irq, &slot, BPF_ANY);
	r = rare_get(c->irqs_dev);
	if (!r)
		return 0;
	if (!v->active) {
		v->active = 1;
		atomic_max(&r->irq_vectors_max,
			   __sync_add_and_fetch(&r->irq_vectors_active, 1));
	}
	if (c->irqs_index == VTOP_IRQ_INTX)
		r->intx_vec = slot + 1;
	return 0;
}

/* any free_irq: a vfio vector's irq is named by irq_vecs, and its handler by the cookie */
SEC("fentry/free_irq")
int BPF_PROG(free_irq_fentry, unsigned int irq, void *dev_id)
{
	__u32 *slot = bpf_map_lookup_elem(&irq_vecs, &irq);
	struct vtop_vec_stats *v;
	struct vtop_dev_rare *r;

	if (!slot)
		return 0;
	v = vec_at(*slot);
	/* no cookie: a vector vfiotopd found requested at its attach (seed_vectors.c) */
	if (!v || (v->cookie && v->cookie != (__u64)dev_id))
		return 0;
	bpf_map_delete_elem(&irq_vecs, &irq);
	vec_set_trigger(v, *slot, 0);
	/*
	 * vfio-pci unregisters a vector's producer before it frees the irq:
	 * this only clears a flag whose __disconnect() was missed
	 */
	v->bypass = 0;
	if (!v->active)
		return 0;
	v->active = 0;
	if (!v->cookie)		/* never counted in irq_vectors_active */
		return 0;
	r = rare_get(v->dev);
	if (r)
		__sync_fetch_and_sub(&r->irq_vectors_active, 1);
	return 0;
}

static __always_inline struct vtop_vec_stats *vec_of_irq(unsigned int irq)
{
	__u32 *slot = bpf_map_lookup_elem(&irq_vecs, &irq);

	return slot ? vec_at(*slot) : NULL;
}

/*
 * Stamps the interrupt about to be signalled if the eventfd holds none
 * unread: a read took the last stamp, or a consumer that does not read
 * (KVM's irqfd) emptied the count.
 */
static __always_inline bool signal_is_first(const struct vtop_vec_stats *v)
{
	struct eventfd_ctx *efd = (void *)v->trigger;

	return irq_waits && efd && (!v->signalled_at || !BPF_CORE_READ(efd, count));
}

static __always_inline void msi_count(unsigned int irq)
{
	struct vtop_vec_stats *v = vec_of_irq(irq);

	if (!v)
		return;
	__sync_fetch_and_add(&v->interrupts, 1);
	if (signal_is_first(v))
		v->signalled_at = bpf_ktime_get_ns();
}

/* vfio's MSI and MSI-X handler always handles: it signals the vector's eventfd */
SEC("fentry/vfio_msihandler")
int BPF_PROG(msi_fentry, int irq)
{
	msi_count(irq);
	return 0;
}

SEC("kprobe/vfio_msihandler")
int BPF_KPROBE(msi_kprobe, int irq)
{
	msi_count(irq);
	return 0;
}

/*
 * INTx is level-triggered: a handled one stays masked until the user
 * unmasks it. The handler signals the eventfd before it returns, so the
 * user may unmask before an exit hook runs: the mask cycle starts at the
 * handler's entry, and is taken back at its exit if the line was not the
 * device's. Hard interrupt handlers do not nest: what the entry did is
 * kept per CPU.
 */
struct intx_entry {
	__u32 vec;		/* the vector's slot, ~0 for an irq not vfio's */
	__u32 stamped;		/* this entry stamped the interrupt (--irq-waits) */
	__u64 started;		/* the masked_since this entry set, 0 if none */
	__u64 entered;
	__u64 stamp_was;	/* the stamp it replaced */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct intx_entry);
} intx_cpu SEC(".maps");

static __always_inline void intx_enter(unsigned int irq)
{
	__u32 zero = 0, *slot = bpf_map_lookup_elem(&irq_vecs, &irq);
	struct intx_entry *e = bpf_map_lookup_elem(&intx_cpu, &zero);
	struct vtop_vec_stats *v;
	__u64 now;

	if (!e)
		return;
	e->vec = slot ? *slot : ~0u;
	e->started = 0;
	v = vec_at(e->vec);
	if (!v)
		return;
	now = bpf_ktime_get_ns();
	e->entered = now;
	/*
	 * stamped before the handler signals: a reader on another CPU may
	 * take the interrupt before the exit; taken back if it was not ours
	 */
	e->stamped = signal_is_first(v);
	if (e->stamped)
		e->stamp_was = __sync_lock_test_and_set(&v->signalled_at, now);
	if (!__sync_val_compare_and_swap(&v->masked_since, 0, now))
		e->started = now;
}

static __always_inline void intx_exit(int ret)
{
	__u32 zero = 0;
	struct intx_entry *e = bpf_map_lookup_elem(&intx_cpu, &zero);
	struct vtop_vec_stats *v;

	if (!e)
		return;
	v = vec_at(e->vec);
	if (!v)
		return;
	if (ret == VTOP_IRQ_HANDLED) {
		__sync_fetch_and_add(&v->interrupts, 1);
		return;
	}
	__sync_fetch_and_add(&v->unhandled, 1);
	if (e->stamped)
		__sync_val_compare_and_swap(&v->signalled_at, e->entered, e->stamp_was);
	if (e->started)
		__sync_val_compare_and_swap(&v->masked_since, e->started, 0);
}

SEC("fentry/vfio_intx_handler")
int BPF_PROG(intx_fentry, int irq)
{
	intx_enter(irq);
	return 0;
}

SEC("fexit/vfio_intx_handler")
int BPF_PROG(intx_fexit, int irq, void *dev_id, int ret)
{
	intx_exit(ret);
	return 0;
}

SEC("kprobe/vfio_intx_handler")
int BPF_KPROBE(intx_kprobe, int irq)
{
	intx_enter(irq);
	return 0;
}

SEC("kretprobe/vfio_intx_handler")
int BPF_KRETPROBE(intx_kretprobe, int ret)
{
	intx_exit(ret);
	return 0;
}

/*
 * The device's INTx vector's slot + 1, 0 for none. Its request sets it; an
 * INTx found requested at the attach (seed_vectors.c) has only its slot in
 * vec_slots, taken here at its first unmask.
 */
static __always_inline __u32 intx_vec_of(__u32 dev, struct vtop_dev_rare *r)
{
	__u64 key = (__u64)dev << 32 | VTOP_IRQ_INTX << 16;
	__u32 *slot;

	if (r->intx_vec)
		return r->intx_vec;
	slot = bpf_map_lookup_elem(&vec_slots, &key);
	if (!slot)
		return 0;
	r->intx_vec = *slot + 1;
	return r->intx_vec;
}

/*
 * Every unmask of INTx, by VFIO_DEVICE_SET_IRQS, a config write or the
 * unmask eventfd (KVM's resampler), goes through vfio_pci_intx_unmask_handler,
 * in a task; it returns 0 unmasked, 1 when the line was still raised and
 * the interrupt sent again, still masked. Its entry takes the cycle's start:
 * an interrupt between the hardware unmask and the exit starts the next.
 */
static __always_inline void unmask_enter(void *vdev)
{
	struct task_ctx *c = ctx_get(true);
	struct vtop_dev_rare *r;
	struct vtop_vec_stats *v;
	__u32 dev = vdev_key(vdev), vec;

	if (!c)
		return;
	c->unmask_vec = 0;
	r = rare_get(dev);
	if (!r)
		return;
	vec = intx_vec_of(dev, r);
	if (!vec)
		return;
	v = vec_at(vec - 1);
	if (!v)
		return;
	c->unmask_vec = vec;
	c->unmask_since = __sync_lock_test_and_set(&v->masked_since, 0);
}

/* a long mask, for the flight recorder: the guest took that long to end its interrupt */
static __always_inline void intx_unmask_event(__u32 dev, __u64 masked_ns)
{
	struct vtop_rec_intx_unmask *e = event_new(VTOP_EV_INTX_UNMASK, dev, sizeof(*e));

	if (!e)
		return;
	e->masked_ns = masked_ns;
	event_submit(e);
}

static __always_inline void unmask_exit(int ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_vec_stats *v;
	__u64 since, masked;

	if (!c || !c->unmask_vec)
		return;
	v = vec_at(c->unmask_vec - 1);
	since = c->unmask_since;
	c->unmask_vec = 0;
	if (!v || !since)
		return;
	if (ret) {
		/* still masked: the cycle goes on */
		__sync_val_compare_and_swap(&v->masked_since, 0, since);
		return;
	}
	masked = bpf_ktime_get_ns() - since;
	__sync_fetch_and_add(&v->unmasks, 1);
	__sync_fetch_and_add(&v->masked_ns, masked);
	if (masked >= stack_threshold_ns)
		intx_unmask_event(v->dev, masked);
}

SEC("fentry/vfio_pci_intx_unmask_handler")
int BPF_PROG(intx_unmask_fentry, void *vdev)
{
	unmask_enter(vdev);
	return 0;
}

SEC("fexit/vfio_pci_intx_unmask_handler")
int BPF_PROG(intx_unmask_fexit, void *vdev, void *data, int ret)
{
	unmask_exit(ret);
	return 0;
}

SEC("kprobe/vfio_pci_intx_unmask_handler")
int BPF_KPROBE(intx_unmask_kprobe, void *vdev)
{
	unmask_enter(vdev);
	return 0;
}

SEC("kretprobe/vfio_pci_intx_unmask_handler")
int BPF_KRETPROBE(intx_unmask_kretprobe, int ret)
{
	unmask_exit(ret);
	return 0;
}

/*
 * irq-bypass: vfio-pci registers a producer for each MSI and MSI-X vector
 * under its eventfd, KVM a consumer for each irqfd under the same eventfd,
 * and irqbypass.ko connects the two where they meet, on either side's
 * registration. Connected, the vector can be posted straight to a vCPU
 * (VT-d posted interrupts, AMD AVIC with the IOMMU): where it is, the host
 * handler no longer runs and the vector's count stops. The flag says why.
 * __connect() and __disconnect() see every pair on every kernel supported;
 * the producer's irq names the vector.
 */
static __always_inline void bypass_set(int irq, __u16 on)
{
	struct vtop_vec_stats *v = vec_of_irq(irq);

	if (v)
		v->bypass = on;
}

SEC("fexit/__connect")
int BPF_PROG(bypass_connect_fexit, struct irq_bypass_producer *prod, void *cons, int ret)
{
	if (!ret)
		bypass_set(BPF_CORE_READ(prod, irq), 1);
	return 0;
}

SEC("fentry/__disconnect")
int BPF_PROG(bypass_disconnect_fentry, struct irq_bypass_producer *prod)
{
	bypass_set(BPF_CORE_READ(prod, irq), 0);
	return 0;
}

SEC("kprobe/__connect")
int BPF_KPROBE(bypass_connect_kprobe, struct irq_bypass_producer *prod)
{
	struct task_ctx *c = ctx_get(true);

	if (c)
		c->bypass_irq = BPF_CORE_READ(prod, irq) + 1;
	return 0;
}

SEC("kretprobe/__connect")
int BPF_KRETPROBE(bypass_connect_kretprobe, int ret)
{
	struct task_ctx *c = ctx_get(false);

	if (!c || !c->bypass_irq)
		return 0;
	if (!ret)
		bypass_set(c->bypass_irq - 1, 1);
	c->bypass_irq = 0;
	return 0;
}

SEC("kprobe/__disconnect")
int BPF_KPROBE(bypass_disconnect_kprobe, struct irq_bypass_producer *prod)
{
	bypass_set(BPF_CORE_READ(prod, irq), 0);
	return 0;
}

/*
 * A read of any eventfd that returned its count: the host-wide cost is a
 * trampoline and a hash lookup per read, hence loaded with --irq-waits
 * only. One of a vector's takes the stamp of the first interrupt it held
 * unread. An interrupt signalled while the read returns may lend its
 * stamp to this read (a shorter wait) and leave the next read none (not
 * counted).
 */
SEC("fexit/eventfd_read")
int BPF_PROG(eventfd_read_fexit, struct kiocb *iocb, struct iov_iter *to, ssize_t ret)
{
	__u64 efd, since, wait;
	struct vtop_vec_stats *v;
	struct vtop_dev_rare *r;
	__u32 *slot, hs;

	if (ret != sizeof(__u64))
		return 0;
	efd = (__u64)BPF_CORE_READ(iocb, ki_filp, private_data);
	slot = bpf_map_lookup_elem(&efd_vecs, &efd);
	if (!slot)
		return 0;
	v = vec_at(*slot);
	if (!v)
		return 0;
	since = __sync_lock_test_and_set(&v->signalled_at, 0);
	if (!since)
		return 0;
	wait = bpf_ktime_get_ns() - since;
	__sync_fetch_and_add(&v->reads, 1);
	__sync_fetch_and_add(&v->wait_ns, wait);
	atomic_max(&v->wait_max_ns, wait);
	r = rare_get(v->dev);
	if (!r)
		return 0;
	hs = shifted_hist_slot(wait, VTOP_DELIVERY_HIST_SHIFT, VTOP_DELIVERY_HIST_SLOTS);
	__sync_fetch_and_add(&r->delivery_hist[idx(hs, VTOP_DELIVERY_HIST_SLOTS)], 1);
	return 0;
}
