// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What vfiotopd reads from sysfs and /proc: a device's identity files and
 * links, a vfio cdev's device link, a process's fd links and comm. The input
 * fills a fake tree (fields separated by NUL), then the readers walk it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices.h"
#include "fuzz_split.h"
#include "owners.h"
#include "pci_sysfs.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void link_to(const char *rel, const char *target)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
	if (*target && symlink(target, path))
		return;
}

static void mk(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	mkdir(path, 0755);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *dev = "sys/bus/pci/devices/0000:01:00.0";
	char *f[12], *buf, path[256], sysfs[128], proc[128];
	struct device_table t = { 0 };
	struct pci_identity id;
	uint32_t keys[8], key;
	int n;

	if (!root[0]) {
		snprintf(root, sizeof(root), "/tmp/vfiotop-fuzz-tree-%d", (int)getpid());
		mk("");
		mk("sys");
		mk("sys/bus");
		mk("sys/bus/pci");
		mk("sys/bus/pci/devices");
		mk(dev);
		mk("sys/class");
		mk("sys/class/vfio-dev");
		mk("sys/class/vfio-dev/vfio0");
		mk("proc");
		mk("proc/4242");
		mk("proc/4242/fd");
	}
	buf = fuzz_split(data, size, f, 12, &n);
	if (!buf)
		return 0;
	for (int i = n; i < 12; i++)
		f[i] = (char *)"";
	snprintf(path, sizeof(path), "%s/vendor", dev);
	put(path, f[0]);
	snprintf(path, sizeof(path), "%s/device", dev);
	put(path, f[1]);
	snprintf(path, sizeof(path), "%s/class", dev);
	put(path, f[2]);
	snprintf(path, sizeof(path), "%s/subsystem_vendor", dev);
	put(path, f[3]);
	snprintf(path, sizeof(path), "%s/driver", dev);
	link_to(path, f[4]);
	snprintf(path, sizeof(path), "%s/iommu_group", dev);
	link_to(path, f[5]);
	link_to("sys/class/vfio-dev/vfio0/device", f[6]);
	link_to("proc/4242/fd/3", f[7]);
	link_to("proc/4242/fd/4", f[8]);
	put("proc/4242/comm", f[9]);

	snprintf(sysfs, sizeof(sysfs), "%s/sys", root);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	pci_list_vfio_devices(sysfs, keys, 8);
	if (!bdf_parse(f[10], &key))
		pci_identity_read(sysfs, key, &id);
	if (!bdf_parse("0000:01:00.0", &key)) {
		struct device *d = devtab_get(&t, key);

		if (d)
			pci_identity_read(sysfs, key, &d->id);
	}
	owners_refresh(&t, proc, sysfs);
	owners_check_alive(&t, proc);
	devtab_free(&t);
	free(buf);
	return 0;
}
