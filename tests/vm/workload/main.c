// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A known vfio-pci workload for vfiotop's VM tests.
 *
 * Runs inside the test guest against an emulated device bound to vfio-pci:
 * maps one BAR, faults it in page by page, toggles PCI_COMMAND_MEMORY (each
 * clear zaps the mapping), optionally provokes SIGBUS, pins the BAR for DMA
 * and resets the device. Two optional phases follow: many threads faulting
 * the same freshly zapped mapping at once (--race-threads), and resets while
 * threads keep faulting (--load-threads). It then prints what it did as one line,
 *
 *	VFIOTOP-WORKLOAD {"bdf":"0000:01:00.0",...}
 *
 * so that the test can compare vfiotop's counters against the ground truth.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

int main(int argc, char **argv)
{
	struct options o;
	struct vfio v = { .container = -1, .group = -1, .device = -1 };
	struct truth t = { 0 };

	/*
	 * "workload -name guest=NAME,... --bdf ...": argv as QEMU's starts, for
	 * vfiotop to find the VM's name in /proc/PID/cmdline; ours to skip
	 */
	if (argc > 2 && !strcmp(argv[1], "-name")) {
		argv[2] = argv[0];
		argv += 2;
		argc -= 2;
	}
	parse_options(argc, argv, &o);
	/* +1: calloc(0) may return NULL */
	t.reset_ms = calloc(o.resets + 1, sizeof(*t.reset_ms));
	t.reset_errno = calloc(o.resets + 1, sizeof(*t.reset_errno));
	t.load_reset_ms = calloc(o.load_resets + 1, sizeof(*t.load_reset_ms));
	t.load_reset_errno = calloc(o.load_resets + 1, sizeof(*t.load_reset_errno));
	t.hot_reset_ms = calloc(o.hot_resets + 1, sizeof(*t.hot_reset_ms));
	t.hot_reset_errno = calloc(o.hot_resets + 1, sizeof(*t.hot_reset_errno));
	if (!t.reset_ms || !t.reset_errno || !t.load_reset_ms || !t.load_reset_errno ||
	    !t.hot_reset_ms || !t.hot_reset_errno)
		die_errno("calloc");

	t.mem_bars = count_mem_bars(o.bdf);
	map_resource_wc(&o, &t);
	t.open_start_ms = now_ms();
	vfio_open(o.bdf, &v);
	v.acc = &t.acc;
	t.open_end_ms = now_ms();
	vfio_regions(o.bar, &v, &t);

	/* decoding may start off in vfio-pci's virtual PCI_COMMAND: faults would SIGBUS */
	v.cmd = read_command(&v);
	write_command(&v, true, &t);
	refused_mmap(&v, &t);
	map_bar(&v, &o);
	export_dmabufs(&o, &v, &t);

	install_sigbus_handler();
	run_rounds(&o, &v, &t);
	run_sigbus(&o, &v, &t);
	run_vm_start(&o, &v, &t);
	run_dma_map(&o, &v, &t);
	run_pm_cycles(&o, &v, &t);
	run_low_power(&o, &v, &t);
	run_irqs(&o, &v, &t);
	run_accesses(&o, &v, &t);
	run_msix(&o, &v, &t);
	run_kvm_irqfds(&o, &v, &t);
	run_resets(&o, &v, &t);
	run_race(&o, &v, &t);
	run_load(&o, &v, &t);
	run_mmap_storm(&o, &v, &t);

	print_truth(&o, &v, &t);
	if (o.wait_file)
		wait_for_file(o.wait_file);

	/* the dma-bufs go before the device: released, no longer alive */
	for (unsigned long i = 0; i < o.dmabufs; i++)
		if (t.dmabuf_fds[i] >= 0)
			close(t.dmabuf_fds[i]);
	free(t.dmabuf_fds);
	vfio_close(&v);
	free(t.reset_ms);
	free(t.reset_errno);
	free(t.load_reset_ms);
	free(t.load_reset_errno);
	free(t.hot_reset_ms);
	free(t.hot_reset_errno);
	return 0;
}
