// SPDX-License-Identifier: GPL-2.0
/*
 * What the PCI core does for vfio devices: which reset method a reset used
 * and how long the device took to answer after it, every power state
 * change, and BAR region requests that failed. All vmlinux functions, each
 * called a few times per reset, power change or open, never on the fault
 * path.
 */
#include "common.bpf.h"

/*
 * How a reset was done, from the hooks that already run in it rather than a
 * trampoline per method: the wait after an FLR, an AF FLR or a PM reset says
 * which it was (pci_dev_wait's reset_type), a secondary bus reset of a
 * conventional device may not wait at all and is seen by its function.
 * Methods that neither wait nor reset the bus (device_specific, acpi,
 * cxl_bus) are named at the reset's end from the device's first method.
 */
static __always_inline __u32 wait_method(const char *reset_type)
{
	char t[8] = {};

	bpf_probe_read_kernel_str(t, sizeof(t), reset_type);
	if (t[0] == 'F' && t[1] == 'L' && t[2] == 'R')
		return VTOP_PCIRESET_FLR;
	if (t[0] == 'A' && t[1] == 'F' && t[2] == '_')
		return VTOP_PCIRESET_AF_FLR;
	if (t[0] == 'P' && t[1] == 'M' && t[2] == ' ')
		return VTOP_PCIRESET_PM;
	if (t[0] == 'b' && t[1] == 'u' && t[2] == 's')
		return VTOP_PCIRESET_BUS;
	return VTOP_PCIRESET_UNKNOWN;	/* "power up ...": not a method's wait */
}

static __always_inline void method_tried(struct task_ctx *c, __u32 how, int ret)
{
	struct vtop_dev_rare *s = rare_get(c->reset_dev);

	c->reset_how = how;
	if (!s)
		return;
	__sync_fetch_and_add(&s->reset_attempts[idx(how, VTOP_PCIRESET_MAX)], 1);
	if (ret)
		__sync_fetch_and_add(&s->reset_attempts_failed[idx(how, VTOP_PCIRESET_MAX)], 1);
}

/* probe true: the PCI core asking whether the method applies, not a reset */
SEC("fexit/pci_reset_bus_function")
int BPF_PROG(reset_bus_function_fexit, struct pci_dev *dev, bool probe, int ret)
{
	struct task_ctx *c = ctx_get(false);

	/* only resets vfio-pci asked for (reset_begin) */
	if (!probe && c && c->reset_depth)
		method_tried(c, VTOP_PCIRESET_BUS, ret);
	return 0;
}

/*
 * pci_dev_wait(dev, reset_type, timeout): polls config space until the
 * device answers after an FLR, a PM or bus reset; on timeout it logs
 * "not ready ... giving up" and returns -ENOTTY, and the PCI core tries the
 * device's next method.
 */
SEC("fentry/pci_dev_wait")
int BPF_PROG(dev_wait_fentry, struct pci_dev *dev)
{
	struct task_ctx *c = ctx_get(false);

	if (c && c->reset_depth)
		c->wait_start = bpf_ktime_get_ns();
	return 0;
}

SEC("fexit/pci_dev_wait")
int BPF_PROG(dev_wait_fexit, struct pci_dev *dev, char *reset_type, int timeout, int ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_rare *s;
	__u32 how;
	__u64 ns;

	if (!c || !c->wait_start)
		return 0;
	ns = bpf_ktime_get_ns() - c->wait_start;
	c->wait_start = 0;
	c->reset_wait_ns += ns;
	how = wait_method(reset_type);
	/* a bus reset's wait: its method was counted by pci_reset_bus_function */
	if (how != VTOP_PCIRESET_UNKNOWN && how != VTOP_PCIRESET_BUS)
		method_tried(c, how, ret);
	s = rare_get(c->reset_dev);
	if (!s)
		return 0;
	__sync_fetch_and_add(&s->reset_waits, 1);
	if (ret)
		__sync_fetch_and_add(&s->reset_waits_failed, 1);
	__sync_fetch_and_add(&s->reset_wait_ns_sum, ns);
	atomic_max(&s->reset_wait_ns_max, ns);
	return 0;
}

/* Power changes of other drivers' devices are not ours: "vfio" in the driver's name. */
static __always_inline bool vfio_driven(struct pci_dev *dev)
{
	const char *p = BPF_CORE_READ(dev, dev.driver, name);
	char name[24] = {};

	if (!p || bpf_probe_read_kernel_str(name, sizeof(name), p) < 0)
		return false;
	for (int i = 0; i < (int)sizeof(name) - 4; i++)
		if (name[i] == 'v' && name[i + 1] == 'f' && name[i + 2] == 'i' &&
		    name[i + 3] == 'o')
			return true;
	return false;
}

/*
 * vfio-pci requests a BAR's region before mapping it (at mmap or first
 * access up to 6.x, at open on 7.x): another driver or a firmware range
 * holding it fails the request, the kernel logs "BAR n: can't reserve".
 */
SEC("fexit/pci_request_selected_regions")
int BPF_PROG(request_regions_fexit, struct pci_dev *dev, int bars, const char *name, int ret)
{
	struct vtop_dev_rare *s;
	struct vtop_rec_region_fail *e;
	__u32 key;

	if (!ret || !vfio_driven(dev))
		return 0;
	key = pdev_key(dev);
	s = rare_get(key);
	if (s)
		__sync_fetch_and_add(&s->region_request_failures, 1);
	e = event_new(VTOP_EV_REGION_FAIL, key, sizeof(*e));
	if (e) {
		e->bars = bars;
		e->h.ret = ret;
		event_submit(e);
	}
	return 0;
}

static __always_inline void power_begin(struct pci_dev *dev)
{
	struct task_ctx *c = ctx_get(true);

	/* __pci_set_power_state(D0) calls pci_power_up(): count the outer one */
	if (c && c->pm_depth++ == 0)
		c->pm_from = BPF_CORE_READ(dev, current_state);
}

static __always_inline void power_end(struct pci_dev *dev, int ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_power_now *pn;
	struct vtop_dev_rare *s;
	struct vtop_rec_power *e;
	__u32 key, slot, from, to;
	__u64 now;

	if (!c || !c->pm_depth || --c->pm_depth)
		return;
	from = c->pm_from;
	to = BPF_CORE_READ(dev, current_state);
	/* no PM capability: D3hot is refused (-EIO), the device stays in D0 */
	if ((from == to && ret >= 0) || !BPF_CORE_READ(dev, pm_cap) || !vfio_driven(dev))
		return;
	key = pdev_key(dev);
	slot = slot_of(key);
	s = rare_at(slot);
	if (!s)
		return;
	now = bpf_ktime_get_ns();
	if (ret < 0) {
		__sync_fetch_and_add(&s->power_failures, 1);
	} else if (to < VTOP_PWR_MAX) {
		__sync_fetch_and_add(&s->power_transitions[idx(to, VTOP_PWR_MAX)], 1);
		if (c->op_depth && c->op == VTOP_OP_POWER_STATE)
			__sync_fetch_and_add(&s->power_requested, 1);
		/* time in a state is counted at its next change */
		pn = &power_now[idx(slot, VTOP_MAX_DEVICES)];
		if (pn->since_ns && pn->state < VTOP_PWR_MAX)
			__sync_fetch_and_add(&s->power_ns[idx(pn->state, VTOP_PWR_MAX)],
					     now - pn->since_ns);
		pn->state = to;
		pn->since_ns = now;
	}
	e = event_new(VTOP_EV_POWER, key, sizeof(*e));
	if (!e)
		return;
	e->h.ret = ret;
	e->from = from;
	e->to = to;
	e->reason = c->op_depth ? c->op : VTOP_OP_NONE;
	event_submit(e);
}

SEC("fentry/__pci_set_power_state")
int BPF_PROG(set_power_fentry, struct pci_dev *dev)
{
	power_begin(dev);
	return 0;
}

SEC("fexit/__pci_set_power_state")
int BPF_PROG(set_power_fexit, struct pci_dev *dev, int state, bool locked, int ret)
{
	power_end(dev, ret);
	return 0;
}

/* runtime resume (a device opened while idle in D3hot) comes back through here only */
SEC("fentry/pci_power_up")
int BPF_PROG(power_up_fentry, struct pci_dev *dev)
{
	power_begin(dev);
	return 0;
}

SEC("fexit/pci_power_up")
int BPF_PROG(power_up_fexit, struct pci_dev *dev, int ret)
{
	power_end(dev, ret);
	return 0;
}
