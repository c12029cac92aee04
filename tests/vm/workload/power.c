// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Power: D3hot and back through PMCSR, and the low-power feature. */
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "workload.h"

/*
 * --pm-cycles N: the device's user puts it in D3hot and back in D0 through
 * PMCSR, N times; vfio-pci turns each write into a power state change.
 */
void run_pm_cycles(const struct options *o, const struct vfio *v, struct truth *t)
{
	if (!o->pm_cycles)
		return;
	t->pm_cap = find_cap(v, PCI_CAP_ID_PM);
	if (!t->pm_cap)
		die("--pm-cycles: %s has no PM capability", o->bdf);
	for (unsigned long i = 0; i < 2 * o->pm_cycles; i++) {
		off_t at = v->cmd_off - PCI_COMMAND + t->pm_cap + PCI_PM_CTRL;
		uint16_t ctrl = config_read16(v, t->pm_cap + PCI_PM_CTRL), le;

		ctrl = (ctrl & ~PCI_PM_CTRL_STATE_MASK) | (i % 2 ? 0 : 3);	/* D3hot, D0 */
		le = htole16(ctrl);
		if (dev_pwrite(v, &le, sizeof(le), at, CAP_PM) != sizeof(le))
			die_errno("pwrite PMCSR");
		t->pm_writes++;
	}
}

static bool runtime_suspended(const char *bdf)
{
	char path[PATH_MAX], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/power/runtime_status", bdf);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !strncmp(buf, "suspended", 9);
}

static int low_power_feature(const struct vfio *v, uint32_t feature)
{
	struct vfio_device_feature f = {
		.argsz = sizeof(f),
		.flags = VFIO_DEVICE_FEATURE_SET | feature,
	};

	return ioctl(v->device, VFIO_DEVICE_FEATURE, &f) ? errno : 0;
}

/*
 * --low-power: the user puts the device in low power (VFIO_DEVICE_FEATURE
 * 3, what QEMU does for a guest's D3cold); runtime PM suspends it a moment
 * later, in a worker. Waits up to 5 s for that, then takes it back (5).
 */
void run_low_power(const struct options *o, const struct vfio *v, struct truth *t)
{
	const struct timespec tick = { .tv_nsec = WAIT_POLL_NS };

	if (!o->low_power)
		return;
	t->low_power_errno = low_power_feature(v, VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY);
	if (t->low_power_errno)
		return;
	for (int i = 0; i < 250 && !t->low_power_suspended; i++) {
		t->low_power_suspended = runtime_suspended(o->bdf);
		if (!t->low_power_suspended)
			nanosleep(&tick, NULL);
	}
	if (low_power_feature(v, VFIO_DEVICE_FEATURE_LOW_POWER_EXIT))
		die_errno("VFIO_DEVICE_FEATURE_LOW_POWER_EXIT");
}
