// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --kvm-irqfds N: what a VMM does to route a passthrough device's MSI-X
 * vectors into its guest. MSI-X is set up with one eventfd a vector, as in
 * --msix-rounds, then a KVM VM (with an in-kernel irqchip, no vCPU) gets an
 * irqfd on the eventfds of vectors 0..N-1. Where KVM registers the irqfd as
 * an irq-bypass consumer, the irqbypass module connects it to the vector's
 * producer, which vfio-pci registered under the same eventfd: the path that
 * posted interrupts take. The workload holds all of it until it is released;
 * its exit tears MSI-X down and the producers with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "workload.h"

/* a GSI past the IOAPIC's pins: the irqfd needs no route to be a consumer */
#define IRQFD_GSI_BASE	32

void run_kvm_irqfds(const struct options *o, const struct vfio *v, struct truth *t)
{
	int efd[MSIX_VECTORS], kvm, vm;

	if (!o->kvm_irqfds)
		return;
	msix_on(v, t, efd);
	for (unsigned int k = 0; k < MSIX_VECTORS; k++)
		msix_proc_line(o->bdf, k, &t->msix_irq[k]);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		t->kvm_errno = errno;
		return;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die_errno("KVM_CREATE_VM");
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0))
		die_errno("KVM_CREATE_IRQCHIP");
	for (unsigned int k = 0; k < o->kvm_irqfds; k++) {
		struct kvm_irqfd irqfd = { .fd = (__u32)efd[k], .gsi = IRQFD_GSI_BASE + k };

		if (ioctl(vm, KVM_IRQFD, &irqfd))
			die("KVM_IRQFD on MSI-X vector %u: %s", k, strerror(errno));
		t->kvm_irqfds++;
	}
	/* the VM, its irqfds and the eventfds live until the process exits */
	close(kvm);
}
