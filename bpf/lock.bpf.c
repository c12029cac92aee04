// SPDX-License-Identifier: GPL-2.0
/*
 * Waits for a device's memory_lock (lock:contention_begin/end, 5.19+), and
 * who held it.
 */
#include "common.bpf.h"

/* ---- memory_lock waits (lock:contention_begin/end, 5.19+) -------------- */

/*
 * Every contended lock in the kernel passes here: one hash lookup tells a
 * vfio device's memory_lock from the rest.
 */
SEC("tp_btf/contention_begin")
int BPF_PROG(contention_begin, void *lock, unsigned int flags)
{
	__u64 key = (__u64)lock;
	struct rw_semaphore *sem = lock;
	struct task_struct *holder;
	struct task_ctx *c;
	__u32 *dev;
	long owner;

	dev = bpf_map_lookup_elem(&lock_dev, &key);
	if (!dev)
		return 0;
	c = ctx_get(true);
	if (!c)
		return 0;
	c->lock_start = bpf_ktime_get_ns();
	c->lock_addr = key;
	c->lock_dev = *dev;
	c->lock_flags = flags;
	c->holder_pid = c->holder_tid = 0;
	c->holder_comm[0] = '\0';
	owner = BPF_CORE_READ(sem, owner.counter);
	if (owner & VTOP_RWSEM_READER_OWNED)
		return 0;	/* readers hold it: no one task to name */
	holder = (struct task_struct *)(owner & ~VTOP_RWSEM_OWNER_MASK);
	if (!holder)
		return 0;
	c->holder_pid = BPF_CORE_READ(holder, tgid);
	c->holder_tid = BPF_CORE_READ(holder, pid);
	BPF_CORE_READ_STR_INTO(&c->holder_comm, holder, comm);
	return 0;
}

#define VTOP_PF_KTHREAD	0x00200000	/* task_struct.flags: a kernel thread */

/*
 * Was the waiter in a BAR fault? Its fault context says so, but where the
 * kernel's vfio_pci_fault tracepoint is the fault's only program (patched
 * 6.1) there is none. There memory_lock is waited for reading in three
 * places: the fault, a trapped BAR access (vfio_pci_rw, whose hook marks the
 * task) and the ioeventfd worker, a kernel thread; so a read wait by a user
 * task outside an access is a fault's.
 */
static __always_inline bool lock_wait_in_fault(const struct task_ctx *c)
{
	if (c->fault.start)
		return true;
	return fault_by_tracepoint && (c->lock_flags & VTOP_LOCK_READ) && !c->access_start &&
	       !(bpf_get_current_task_btf()->flags & VTOP_PF_KTHREAD);
}

SEC("tp_btf/contention_end")
int BPF_PROG(contention_end, void *lock, int ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_rec_lock_wait *e;

	if (!c || !c->lock_start || c->lock_addr != (__u64)lock)
		return 0;
	e = event_new(VTOP_EV_LOCK_WAIT, c->lock_dev, sizeof(*e));
	if (e) {
		e->dur_ns = e->h.ts_ns - c->lock_start;
		e->h.ret = ret;
		e->addr = c->lock_addr;
		e->flags = c->lock_flags & (VTOP_LOCK_READ | VTOP_LOCK_WRITE);
		if (lock_wait_in_fault(c))
			e->flags |= VTOP_LOCK_IN_FAULT;
		e->holder_pid = c->holder_pid;
		e->holder_tid = c->holder_tid;
		__builtin_memcpy(e->holder_comm, c->holder_comm, sizeof(e->holder_comm));
		if (e->dur_ns >= stack_threshold_ns) {
			long n = bpf_get_stack(ctx, e->stack, sizeof(e->stack), 0);

			e->nr_stack = n > 0 ? n / sizeof(__u64) : 0;
		}
		event_submit(e);
	}
	c->lock_start = 0;
	return 0;
}
