// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Interrupts of QEMU's edu device (1234:11e8): writing BAR0 0x60 raises one
 * (MSI when enabled, else level INTx), 0x64 acknowledges it. Each round
 * raises, waits for the eventfd, acknowledges; INTx also unmasks, as a VMM
 * does at the guest's end of interrupt. What /proc/interrupts counted on the
 * vector's line is read before its tear-down, as the line goes with it.
 * Before them, three calls vfio's argument checks refuse.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "workload.h"

#define EDU_RAISE	0x60
#define EDU_ACK		0x64
#define EDU_IRQ_BIT	1u
#define WAIT_MS		5000
/* a round of every --irq-pause-every reads its eventfd this late: it waited that long */
#define PAUSE_US	4000

/* a call by index and action (VFIO_IRQ_SET_ACTION_*), as the workload's record */
void count_set_irqs(struct truth *t, uint32_t index, uint32_t flags)
{
	if (index < 5)
		t->set_irqs[index]++;
	/* one action each: vfio refuses more, and such a call has none to count it by */
	switch (flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) {
	case VFIO_IRQ_SET_ACTION_MASK:
		t->set_irq_actions[0]++;
		break;
	case VFIO_IRQ_SET_ACTION_UNMASK:
		t->set_irq_actions[1]++;
		break;
	case VFIO_IRQ_SET_ACTION_TRIGGER:
		t->set_irq_actions[2]++;
		break;
	}
}

/* One VFIO_DEVICE_SET_IRQS: fd < -1 none (DATA_NONE), else one eventfd (-1 tears down) */
static int set_irqs(const struct vfio *v, struct truth *t, unsigned int index, uint32_t action,
		    unsigned int count, int fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;
	int32_t efd = fd;

	memset(buf, 0, sizeof(buf));
	s->argsz = sizeof(*s);
	s->flags = action | VFIO_IRQ_SET_DATA_NONE;
	s->index = index;
	s->count = count;
	if (fd >= -1 && count) {
		s->argsz = sizeof(buf);
		s->flags = action | VFIO_IRQ_SET_DATA_EVENTFD;
		memcpy(s->data, &efd, sizeof(efd));
	}
	count_set_irqs(t, index, s->flags);
	return ioctl(v->device, VFIO_DEVICE_SET_IRQS, s);
}

/* the eventfd's count once it is signalled; the round raised its interrupt at raised_ms */
static uint64_t wait_signal(const struct options *o, int efd, const char *what,
			    unsigned long round, double raised_ms, struct irq_waits *waits)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t n;

	if (o->irq_pause_every && round % o->irq_pause_every == o->irq_pause_every - 1) {
		usleep(PAUSE_US);
		waits->paused_ms += PAUSE_US / 1e3;
	}
	if (poll(&p, 1, WAIT_MS) != 1)
		die("%s round %lu: no interrupt within %d ms", what, round, WAIT_MS);
	if (read(efd, &n, sizeof(n)) != sizeof(n))
		die_errno("read eventfd");
	waits->bound_ms += now_ms() - raised_ms;
	waits->reads++;
	return n;
}

/* /proc/interrupts: the line whose name is name, its irq and its count summed over CPUs */
unsigned long proc_interrupts(const char *name, unsigned int *irq)
{
	FILE *f = fopen("/proc/interrupts", "re");
	char line[4096];
	unsigned long total = 0;

	if (!f)
		die_errno("/proc/interrupts");
	*irq = 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		if (!strstr(line, name))
			continue;
		*irq = (unsigned int)strtoul(p, &end, 10);
		p = end + 1;	/* past "NN:" */
		for (;;) {
			unsigned long n = strtoul(p, &end, 10);

			if (end == p)
				break;
			total += n;
			p = end;
		}
		break;
	}
	fclose(f);
	if (!*irq)
		die("/proc/interrupts has no %s", name);
	return total;
}

/* an eventfd as the index's trigger; the vector's /proc/interrupts count so far in *before */
static int irq_on(const struct vfio *v, struct truth *t, unsigned int index, const char *name,
		  unsigned int *irq, unsigned long *before)
{
	int efd = eventfd(0, EFD_CLOEXEC);

	if (efd < 0)
		die_errno("eventfd");
	if (set_irqs(v, t, index, VFIO_IRQ_SET_ACTION_TRIGGER, 1, efd))
		die("VFIO_DEVICE_SET_IRQS %s: %s", name, strerror(errno));
	if (!t->vectors_max)
		t->vectors_max = 1;
	*before = proc_interrupts(name, irq);
	return efd;
}

/* what /proc/interrupts counted since irq_on(), then the index torn down */
static unsigned long irq_off(const struct vfio *v, struct truth *t, unsigned int index,
			     const char *name, unsigned int *irq, unsigned long before, int efd)
{
	unsigned long n = proc_interrupts(name, irq) - before;

	if (set_irqs(v, t, index, VFIO_IRQ_SET_ACTION_TRIGGER, 0, -2))
		die("VFIO_DEVICE_SET_IRQS %s off: %s", name, strerror(errno));
	close(efd);
	return n;
}

/*
 * Calls vfio's argument checks refuse with EINVAL before vfio-pci acts: an
 * index no device has, more MSI vectors than edu's one, two data types
 */
static void refused_set_irqs(const struct vfio *v, struct truth *t)
{
	static const struct vfio_irq_set calls[] = {
		{ .flags = VFIO_IRQ_SET_ACTION_TRIGGER | VFIO_IRQ_SET_DATA_NONE, .index = 9 },
		{ .flags = VFIO_IRQ_SET_ACTION_UNMASK | VFIO_IRQ_SET_DATA_NONE,
		  .index = VFIO_PCI_MSI_IRQ_INDEX, .count = 64 },
		{ .flags = VFIO_IRQ_SET_ACTION_TRIGGER | VFIO_IRQ_SET_DATA_NONE |
			   VFIO_IRQ_SET_DATA_BOOL, .index = VFIO_PCI_INTX_IRQ_INDEX, .count = 1 },
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		struct vfio_irq_set s = calls[i];

		s.argsz = sizeof(s);
		count_set_irqs(t, s.index, s.flags);
		if (!ioctl(v->device, VFIO_DEVICE_SET_IRQS, &s) || errno != EINVAL)
			die("VFIO_DEVICE_SET_IRQS refused call %zu: %s, not EINVAL", i,
			    strerror(errno));
		t->set_irqs_refused++;
		t->set_irqs_refused_indexed += s.index < 5;
	}
}

static void run_msi(const struct options *o, const struct vfio *v, struct truth *t)
{
	char name[64];
	unsigned long before;
	int efd;

	snprintf(name, sizeof(name), "vfio-msi[0](%s)", o->bdf);
	efd = irq_on(v, t, VFIO_PCI_MSI_IRQ_INDEX, name, &t->msi_irq, &before);
	for (unsigned long r = 0; r < o->msi_rounds; r++) {
		double raised = now_ms();

		bar_write32(v, EDU_RAISE, EDU_IRQ_BIT);
		t->msi_signals += wait_signal(o, efd, "MSI", r, raised, &t->msi_waits);
		bar_write32(v, EDU_ACK, EDU_IRQ_BIT);
	}
	t->msi_proc = irq_off(v, t, VFIO_PCI_MSI_IRQ_INDEX, name, &t->msi_irq, before, efd);
}

static void run_intx(const struct options *o, const struct vfio *v, struct truth *t)
{
	char name[64];
	unsigned long before;
	int efd;

	snprintf(name, sizeof(name), "vfio-intx(%s)", o->bdf);
	efd = irq_on(v, t, VFIO_PCI_INTX_IRQ_INDEX, name, &t->intx_irq, &before);
	if (o->intx_after) {
		/* set up, as a VM already running when vfiotopd starts */
		printf("VFIOTOP-INTX-READY\n");
		fflush(stdout);
		wait_for_file(o->intx_after);
		before = proc_interrupts(name, &t->intx_irq);
	}
	for (unsigned long r = 0; r < o->intx_rounds; r++) {
		double raised = now_ms();

		bar_write32(v, EDU_RAISE, EDU_IRQ_BIT);
		t->intx_signals += wait_signal(o, efd, "INTx", r, raised, &t->intx_waits);
		/* the line drops with the acknowledgement; then the unmask finds it low */
		bar_write32(v, EDU_ACK, EDU_IRQ_BIT);
		if (set_irqs(v, t, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK, 1, -2))
			die_errno("VFIO_DEVICE_SET_IRQS INTx unmask");
		t->intx_unmasks++;
	}
	t->intx_proc = irq_off(v, t, VFIO_PCI_INTX_IRQ_INDEX, name, &t->intx_irq, before, efd);
}

void run_irqs(const struct options *o, const struct vfio *v, struct truth *t)
{
	uint16_t cmd = htole16(v->cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);

	if (!o->msi_rounds && !o->intx_rounds)
		return;
	/* an MSI is the device writing to memory: bus mastering on */
	if (dev_pwrite(v, &cmd, sizeof(cmd), v->cmd_off, CAP_BASIC) != sizeof(cmd))
		die_errno("pwrite PCI_COMMAND bus master");
	t->mem_enable_writes++;
	refused_set_irqs(v, t);
	if (o->msi_rounds)
		run_msi(o, v, t);
	if (o->intx_rounds)
		run_intx(o, v, t);
}
