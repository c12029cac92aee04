// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --msix-rounds N: MSI-X vectors of QEMU's e1000e (8086:10d3, 82574L), fired
 * one at a time, N rounds on each. The NIC maps its five interrupt causes
 * (RX queue 0 and 1, TX queue 0 and 1, other) to MSI-X vectors through IVAR;
 * writing a cause to the Interrupt Cause Set register raises the vector it
 * is mapped to. EIAC clears the cause once sent, and each round first writes
 * it to the mask set register again: QEMU's e1000e sends a cause only when it
 * is newly set in ICR & IMS. QEMU's e1000e may raise a vector again later
 * (its interrupt delay timers): after the rounds every cause is masked, late
 * interrupts get time to land, and the eventfds are read once more, so what
 * they received is all the device raised. What /proc/interrupts counted on
 * each vector's line is read before the tear-down, as the lines go with it.
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

#define E1000_ICS	0x000c8
#define E1000_IMS	0x000d0
#define E1000_IMC	0x000d8
#define E1000_EIAC	0x000dc
#define E1000_IVAR	0x000e4
#define E1000_ICR_RXQ0	0x00100000u	/* the five causes, in IVAR's order */
#define IVAR_VALID	0x8u
#define WAIT_MS		5000
#define SETTLE_US	50000	/* for interrupts the device raises late */

/* all the vectors in one VFIO_DEVICE_SET_IRQS, as QEMU enables MSI-X: an eventfd each */
void msix_on(const struct vfio *v, struct truth *t, int *efd)
{
	char buf[sizeof(struct vfio_irq_set) + MSIX_VECTORS * sizeof(int32_t)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;

	for (unsigned int k = 0; k < MSIX_VECTORS; k++) {
		efd[k] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (efd[k] < 0)
			die_errno("eventfd");
	}
	memset(buf, 0, sizeof(buf));
	s->argsz = sizeof(buf);
	s->flags = VFIO_IRQ_SET_ACTION_TRIGGER | VFIO_IRQ_SET_DATA_EVENTFD;
	s->index = VFIO_PCI_MSIX_IRQ_INDEX;
	s->count = MSIX_VECTORS;
	memcpy(s->data, efd, MSIX_VECTORS * sizeof(int32_t));
	count_set_irqs(t, s->index, s->flags);
	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, s))
		die("VFIO_DEVICE_SET_IRQS MSI-X x%u: %s", MSIX_VECTORS, strerror(errno));
	t->vectors_max = MSIX_VECTORS;
}

static void msix_off(const struct vfio *v, struct truth *t)
{
	struct vfio_irq_set s = {
		.argsz = sizeof(s),
		.flags = VFIO_IRQ_SET_ACTION_TRIGGER | VFIO_IRQ_SET_DATA_NONE,
		.index = VFIO_PCI_MSIX_IRQ_INDEX,
	};

	count_set_irqs(t, s.index, s.flags);
	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, &s))
		die("VFIO_DEVICE_SET_IRQS MSI-X off: %s", strerror(errno));
}

/* /proc/interrupts' count of vfio-msix[k](BDF), and its irq */
unsigned long msix_proc_line(const char *bdf, unsigned int k, unsigned int *irq)
{
	char name[64];

	snprintf(name, sizeof(name), "vfio-msix[%u](%s)", k, bdf);
	return proc_interrupts(name, irq);
}

void run_msix(const struct options *o, const struct vfio *v, struct truth *t)
{
	uint16_t cmd = htole16(v->cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	unsigned long before[MSIX_VECTORS];
	int efd[MSIX_VECTORS];
	uint32_t ivar = 0;

	if (!o->msix_rounds)
		return;
	/* an MSI-X message is the device writing to memory: bus mastering on */
	if (dev_pwrite(v, &cmd, sizeof(cmd), v->cmd_off, CAP_BASIC) != sizeof(cmd))
		die_errno("pwrite PCI_COMMAND bus master");
	t->mem_enable_writes++;
	for (unsigned int k = 0; k < MSIX_VECTORS; k++)
		ivar |= (IVAR_VALID | k) << (4 * k);	/* cause k to vector k */
	msix_on(v, t, efd);
	bar_write32(v, E1000_IMC, ~0u);
	bar_write32(v, E1000_IVAR, ivar);
	bar_write32(v, E1000_EIAC, E1000_ICR_RXQ0 * ((1u << MSIX_VECTORS) - 1));
	if (o->msix_after) {
		/* set up, as a VM already running when vfiotopd starts */
		printf("VFIOTOP-MSIX-READY\n");
		fflush(stdout);
		wait_for_file(o->msix_after);
	}
	for (unsigned int k = 0; k < MSIX_VECTORS; k++)
		before[k] = msix_proc_line(o->bdf, k, &t->msix_irq[k]);
	for (unsigned long r = 0; r < o->msix_rounds; r++) {
		for (unsigned int k = 0; k < MSIX_VECTORS; k++) {
			struct pollfd p = { .fd = efd[k], .events = POLLIN };
			uint64_t n;

			bar_write32(v, E1000_IMS, E1000_ICR_RXQ0 << k);
			bar_write32(v, E1000_ICS, E1000_ICR_RXQ0 << k);
			if (poll(&p, 1, WAIT_MS) != 1)
				die("MSI-X vector %u round %lu: no interrupt within %d ms", k, r,
				    WAIT_MS);
			if (read(efd[k], &n, sizeof(n)) != sizeof(n))
				die_errno("read eventfd");
			t->msix_signals[k] += n;
			t->msix_reads[k]++;
		}
	}
	bar_write32(v, E1000_IMC, ~0u);
	usleep(SETTLE_US);
	for (unsigned int k = 0; k < MSIX_VECTORS; k++) {
		uint64_t n;

		if (read(efd[k], &n, sizeof(n)) == sizeof(n)) {
			t->msix_signals[k] += n;
			t->msix_reads[k]++;
		}
		t->msix_proc[k] = msix_proc_line(o->bdf, k, &t->msix_irq[k]) - before[k];
	}
	msix_off(v, t);
	for (unsigned int k = 0; k < MSIX_VECTORS; k++)
		close(efd[k]);
}
