// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pci_sysfs.h"
#include "vfiotop.h"

void bdf_format(uint32_t key, char out[BDF_LEN])
{
	snprintf(out, BDF_LEN, "%04x:%02x:%02x.%x", key >> 16, (key >> 8) & 0xff,
		 (key >> 3) & 0x1f, key & 0x7);
}

/* exactly n hex digits at s, or -1: no sign, space or 0x that sscanf would take */
static long hex_digits(const char *s, int n)
{
	long v = 0;

	for (int i = 0; i < n; i++) {
		char c = s[i];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	return v;
}

int bdf_parse(const char *s, uint32_t *key)
{
	long dom = 0, bus, dev, fn;
	size_t len;

	if (!s)
		return -1;
	len = strlen(s);
	if (len == 12) {	/* dddd:bb:dd.f */
		if (s[4] != ':')
			return -1;
		dom = hex_digits(s, 4);
		s += 5;
	} else if (len != 7) {	/* bb:dd.f */
		return -1;
	}
	if (s[2] != ':' || s[5] != '.')
		return -1;
	bus = hex_digits(s, 2);
	dev = hex_digits(s + 3, 2);
	fn = hex_digits(s + 6, 1);
	if (dom < 0 || bus < 0 || dev < 0 || dev > 0x1f || fn < 0 || fn > 7)
		return -1;
	*key = vtop_dev_key(dom, bus, dev << 3 | fn);
	return 0;
}

int sysfs_line(const char *dir, const char *file, char *out, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	bool ok;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	ok = fgets(out, len, f) != NULL;
	fclose(f);
	if (!ok) {
		out[0] = '\0';
		return -1;
	}
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

/* a number in a sysfs file (base 16 or 10), or none when absent or not a number */
static long read_num(const char *dir, const char *file, int base, long none)
{
	char buf[32], *end;
	long v;

	if (sysfs_line(dir, file, buf, sizeof(buf)))
		return none;
	v = strtol(buf, &end, base);
	return end == buf ? none : v;
}

static long read_hex(const char *dir, const char *file)
{
	return read_num(dir, file, 16, -1);
}

/* basename of a symlink's target, "" when there is no link */
static void link_name(const char *dir, const char *file, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *base;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(out, len, "%s", base ? base + 1 : target);
}

/* "start end flags" per resource, in hex; the first six are the BARs */
static void read_bars(const char *dir, struct pci_identity *id)
{
	char path[PATH_MAX], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/resource", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	for (int i = 0; i < PCI_BARS && fgets(line, sizeof(line), f); i++) {
		unsigned long long start, end, flags;

		if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) != 3 || !end || end < start)
			continue;
		id->bar_start[i] = start;
		id->bar_size[i] = end - start + 1;
	}
	fclose(f);
}

/* what changes while the device stays bound, with no uevent: VFs enabled, the link retrained */
static void read_bound_changes(const char *dir, struct pci_identity *id)
{
	id->sriov_numvfs = read_num(dir, "sriov_numvfs", 10, -1);
	sysfs_line(dir, "current_link_speed", id->link_speed, sizeof(id->link_speed));
	id->link_width = read_num(dir, "current_link_width", 10, 0);
}

void pci_identity_read(const char *sysfs, uint32_t key, struct pci_identity *id)
{
	char bdf[BDF_LEN], dir[PATH_MAX], group[32];
	long v;

	memset(id, 0, sizeof(*id));
	id->iommu_group = -1;
	id->numa_node = -1;
	id->sriov_numvfs = -1;
	bdf_format(key, bdf);
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", sysfs, bdf);
	if (access(dir, F_OK))
		return;
	id->present = true;
	if ((v = read_hex(dir, "vendor")) >= 0)
		id->vendor = v;
	if ((v = read_hex(dir, "device")) >= 0)
		id->device = v;
	if ((v = read_hex(dir, "subsystem_vendor")) >= 0)
		id->subsys_vendor = v;
	if ((v = read_hex(dir, "subsystem_device")) >= 0)
		id->subsys_device = v;
	if ((v = read_hex(dir, "class")) >= 0)
		id->class_id = v;
	link_name(dir, "driver", id->driver, sizeof(id->driver));
	link_name(dir, "iommu_group", group, sizeof(group));
	if (group[0])
		id->iommu_group = atoi(group);
	read_bars(dir, id);
	id->numa_node = read_num(dir, "numa_node", 10, -1);
	link_name(dir, "physfn", id->physfn, sizeof(id->physfn));
	sysfs_line(dir, "max_link_speed", id->max_link_speed, sizeof(id->max_link_speed));
	id->max_link_width = read_num(dir, "max_link_width", 10, 0);
	read_bound_changes(dir, id);
}

void pci_identity_reread_bound(const char *sysfs, uint32_t key, struct pci_identity *id)
{
	char bdf[BDF_LEN], dir[PATH_MAX];

	bdf_format(key, bdf);
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", sysfs, bdf);
	read_bound_changes(dir, id);
}

bool pci_driver_read(const char *sysfs, uint32_t key, char *driver, size_t len)
{
	char bdf[BDF_LEN], dir[PATH_MAX];

	bdf_format(key, bdf);
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", sysfs, bdf);
	link_name(dir, "driver", driver, len);
	/* no driver link: unbound, or gone */
	return driver[0] || access(dir, F_OK) == 0;
}

int pci_bar_of(const struct pci_identity *id, uint64_t addr, uint64_t len)
{
	/* overlap, not containment: ioremap reserves whole pages around a small BAR */
	for (int i = 0; i < PCI_BARS; i++)
		if (id->bar_size[i] && addr < id->bar_start[i] + id->bar_size[i] &&
		    id->bar_start[i] < addr + (len ? len : 1))
			return i;
	return -1;
}

int pci_list_vfio_devices(const char *sysfs, uint32_t *keys, int max)
{
	char dir[PATH_MAX], drv[64];
	struct dirent *de;
	uint32_t key;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/bus/pci/devices", sysfs);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char devdir[PATH_MAX];

		if (bdf_parse(de->d_name, &key))
			continue;
		snprintf(devdir, sizeof(devdir), "%s/%s", dir, de->d_name);
		link_name(devdir, "driver", drv, sizeof(drv));
		/* vfio-pci and its variant drivers (mlx5_vfio_pci, ...) */
		if (strstr(drv, "vfio"))
			keys[n++] = key;
	}
	closedir(d);
	return n;
}
