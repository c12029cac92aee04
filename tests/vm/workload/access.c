// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --access-rounds N: what a VMM traps instead of mapping, on QEMU's edu
 * device (1234:11e8). Each round reads config space (a dword, and 64 bytes
 * that vfio-pci splits into pieces), reads and writes BAR0's liveness
 * register (0x04 reads back inverted) and writes the MSI capability's data
 * register back as it was. Then one read of the ROM region (edu has none:
 * however the kernel answers, it is counted as it answered), and an
 * ioeventfd on BAR0 0x04 signalled N times: vfio-pci does each write.
 * --access-threads T: then T threads read config space and BAR0 at once,
 * 100 N times each, as a VM's vCPUs trapping together.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "workload.h"

#define EDU_LIVENESS	0x04
#define IOEVENTFD_DATA	0x5a5a0000u
#define THREAD_READS	100	/* per thread and access round */

/* MSI's message data register: after the 64-bit address where the capability has one */
static off_t msi_data_at(const struct vfio *v, unsigned int msi)
{
	uint16_t flags = config_read16(v, msi + PCI_MSI_FLAGS);

	return v->cmd_off - PCI_COMMAND + msi +
	       (flags & PCI_MSI_FLAGS_64BIT ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32);
}

static void config_rounds(const struct options *o, const struct vfio *v)
{
	off_t config = v->cmd_off - PCI_COMMAND;
	unsigned int msi = find_cap(v, PCI_CAP_ID_MSI);
	uint8_t header[64];
	uint16_t data;

	if (!msi)
		die("--access-rounds: %s has no MSI capability", o->bdf);
	for (unsigned long r = 0; r < o->access_rounds; r++) {
		if (dev_pread(v, header, 4, config) != 4 ||
		    dev_pread(v, header, sizeof(header), config) != sizeof(header))
			die_errno("pread config space");
		if (dev_pread(v, &data, sizeof(data), msi_data_at(v, msi)) != sizeof(data) ||
		    dev_pwrite(v, &data, sizeof(data), msi_data_at(v, msi), CAP_MSI) != sizeof(data))
			die_errno("MSI data register");
	}
}

static void bar_rounds(const struct options *o, const struct vfio *v)
{
	for (unsigned long r = 0; r < o->access_rounds; r++) {
		bar_write32(v, EDU_LIVENESS, (uint32_t)r);
		if (bar_read32(v, EDU_LIVENESS) != ~(uint32_t)r)
			die("edu liveness: wrote 0x%lx, read back 0x%x", r,
			    bar_read32(v, EDU_LIVENESS));
	}
}

static int ioeventfd(const struct vfio *v, struct truth *t, int fd)
{
	struct vfio_device_ioeventfd e = {
		.argsz = sizeof(e),
		.flags = VFIO_DEVICE_IOEVENTFD_32,
		.offset = (uint64_t)v->bar_off + EDU_LIVENESS,
		.data = IOEVENTFD_DATA,
		.fd = fd,
	};

	t->acc.ioeventfd_sets++;
	return ioctl(v->device, VFIO_DEVICE_IOEVENTFD, &e);
}

/* each signal makes vfio-pci write the data to the register, as KVM's ioeventfd would */
static void ioeventfd_rounds(const struct options *o, const struct vfio *v, struct truth *t)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	uint64_t one = 1;
	uint32_t got;

	if (efd < 0)
		die_errno("eventfd");
	if (ioeventfd(v, t, efd))
		die_errno("VFIO_DEVICE_IOEVENTFD");
	for (unsigned long r = 0; r < o->access_rounds; r++) {
		bar_write32(v, EDU_LIVENESS, 0);
		if (write(efd, &one, sizeof(one)) != sizeof(one))
			die_errno("write ioeventfd");
		t->acc.ioeventfd_signals++;
		/* the write is done in the signal's wake-up, or by a thread soon after */
		for (int tries = 0; (got = bar_read32(v, EDU_LIVENESS)) != ~IOEVENTFD_DATA &&
				    tries < 1000; tries++)
			usleep(1000);
		if (got != ~IOEVENTFD_DATA)
			die("ioeventfd round %lu: BAR0 0x%x reads 0x%x", r, EDU_LIVENESS, got);
	}
	if (ioeventfd(v, t, -1))
		die_errno("VFIO_DEVICE_IOEVENTFD removal");
	close(efd);
}

struct reader {
	pthread_t thread;
	const struct vfio *v;
	unsigned long reads;
};

static void *reader_thread(void *arg)
{
	struct reader *r = arg;
	off_t config = r->v->cmd_off - PCI_COMMAND;
	uint32_t dword;

	for (unsigned long i = 0; i < r->reads; i++) {
		if (dev_pread(r->v, &dword, sizeof(dword), config) != sizeof(dword))
			die_errno("pread config space (thread)");
		bar_read32(r->v, EDU_LIVENESS);
	}
	return NULL;
}

static void thread_rounds(const struct options *o, const struct vfio *v)
{
	struct reader r[64];

	for (unsigned int i = 0; i < o->access_threads; i++) {
		r[i] = (struct reader){ .v = v, .reads = o->access_rounds * THREAD_READS };
		start_thread(&r[i].thread, reader_thread, &r[i]);
	}
	for (unsigned int i = 0; i < o->access_threads; i++)
		join_thread(r[i].thread);
}

void run_accesses(const struct options *o, const struct vfio *v, struct truth *t)
{
	uint32_t rom;

	if (!o->access_rounds)
		return;
	config_rounds(o, v);
	bar_rounds(o, v);
	dev_pread(v, &rom, sizeof(rom), (off_t)((unsigned long long)ACC_ROM << 40));
	ioeventfd_rounds(o, v, t);
	thread_rounds(o, v);
}
