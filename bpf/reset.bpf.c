// SPDX-License-Identifier: GPL-2.0
/*
 * Resets vfio-pci asks the PCI core for, and how long they take.
 */
#include "common.bpf.h"

/* ---- resets made by vfio-pci ------------------------------------------ */

static __always_inline void reset_begin(struct pci_dev *pdev, __u32 method)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_rec_reset_begin *e;

	/* only resets vfio-pci asked for: pci core calls these for others too */
	if (!c || !c->op_depth)
		return;
	if (c->reset_depth++)
		return;
	c->reset_dev = pdev_key(pdev);
	c->reset_pdev = pdev;
	c->reset_method = method;
	c->reset_how = method == VTOP_RESET_BUS ? VTOP_PCIRESET_BUS : VTOP_PCIRESET_UNKNOWN;
	c->reset_wait_ns = 0;
	c->reset_start = bpf_ktime_get_ns();
	e = event_new(VTOP_EV_RESET_BEGIN, c->reset_dev, sizeof(*e));
	if (e) {
		e->reason = c->op < VTOP_OP_MAX ? c->op : VTOP_OP_OTHER;
		e->method = method;
		event_submit(e);
	}
}

/*
 * A function reset that neither waited after itself nor reset the bus
 * (pci.bpf.c): device_specific, acpi or cxl_bus. The PCI core tried the
 * device's methods in order; the first is the one that worked unless it
 * answered -ENOTTY. pci_reset_fn_methods[] indexes are enum vtop_pci_reset.
 */
static __always_inline __u32 first_reset_method(struct pci_dev *pdev)
{
	__u8 m = 0;

	if (!bpf_core_field_exists(pdev->reset_methods))
		return VTOP_PCIRESET_UNKNOWN;
	bpf_core_read(&m, sizeof(m), &pdev->reset_methods[0]);
	return m < VTOP_PCIRESET_MAX ? m : VTOP_PCIRESET_UNKNOWN;
}

static __always_inline void reset_end(int ret)
{
	struct task_ctx *c = ctx_get(false);
	struct vtop_dev_rare *s;
	struct vtop_rec_reset *e;
	__u32 origin;
	__u64 ns;

	if (!c || !c->reset_depth || --c->reset_depth)
		return;
	ns = bpf_ktime_get_ns() - c->reset_start;
	origin = c->op < VTOP_OP_MAX ? c->op : VTOP_OP_OTHER;
	if (!ret && c->reset_how == VTOP_PCIRESET_UNKNOWN)
		c->reset_how = first_reset_method(c->reset_pdev);

	s = rare_get(c->reset_dev);
	if (s) {
		__sync_fetch_and_add(&s->resets, 1);
		__sync_fetch_and_add(&s->resets_by_origin[idx(origin, VTOP_OP_MAX)], 1);
		__sync_fetch_and_add(&s->resets_by_method[idx(c->reset_method,
							       VTOP_RESET_METHOD_MAX)], 1);
		if (ret)
			__sync_fetch_and_add(&s->resets_failed, 1);
		__sync_fetch_and_add(&s->reset_ns_sum, ns);
		atomic_max(&s->reset_ns_max, ns);
		__sync_fetch_and_add(&s->resets_by_how[idx(c->reset_how, VTOP_PCIRESET_MAX)], 1);
	}
	e = event_new(VTOP_EV_RESET, c->reset_dev, sizeof(*e));
	if (!e)
		return;
	e->dur_ns = ns;
	e->how = c->reset_how;
	e->wait_ns = c->reset_wait_ns;
	e->h.ret = ret;
	e->reason = origin;
	e->method = c->reset_method;
	event_submit(e);
}

#define VTOP_RESET_HOOK(func, method)					\
SEC("fentry/" #func)							\
int BPF_PROG(func##_fentry, struct pci_dev *pdev)			\
{									\
	reset_begin(pdev, method);					\
	return 0;							\
}									\
SEC("fexit/" #func)							\
int BPF_PROG(func##_fexit, struct pci_dev *pdev, int ret)		\
{									\
	reset_end(ret);							\
	return 0;							\
}

VTOP_RESET_HOOK(pci_try_reset_function, VTOP_RESET_FUNCTION)
VTOP_RESET_HOOK(pci_reset_function, VTOP_RESET_FUNCTION)
VTOP_RESET_HOOK(__pci_reset_function_locked, VTOP_RESET_FUNCTION)
VTOP_RESET_HOOK(pci_reset_bus, VTOP_RESET_BUS)
