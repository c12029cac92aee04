// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What vfiotopd reads from sysfs and /proc: a device's identity files and
 * links, the devices bound to vfio, a vfio cdev's device link, processes'
 * fd links and comm. The input fills a fake tree (made once per process on
 * tmpfs, removed at exit; only what changed is rewritten), then the readers
 * walk it as they walk the real ones. Fields, separated by NUL:
 *
 *   0-4  vendor, device, class, subsystem_vendor, subsystem_device of
 *        0000:01:00.0 (file contents)
 *   5-6  its driver and iommu_group link targets
 *   7    another name in bus/pci/devices, a link to that device
 *   8    class/vfio-dev/vfio0/device's link target
 *   9-10 the targets of fds 3 and 4 of process 4242
 *   11   its comm
 *   12   another name in /proc, a link to 4242/
 *   13   a BDF for pci_identity_read()
 *   14   its first byte % 17: owners the device had before (odd ones dead)
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
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

#define NFIELDS 15
#define DEV "sys/devices/pci0000:00/0000:01:00.0"

enum { F_FILE, F_LINK, F_NAME };

static const struct {
	int kind;
	const char *path;	/* F_NAME: the folder the name goes in */
} fields[13] = {
	{ F_FILE, DEV "/vendor" },
	{ F_FILE, DEV "/device" },
	{ F_FILE, DEV "/class" },
	{ F_FILE, DEV "/subsystem_vendor" },
	{ F_FILE, DEV "/subsystem_device" },
	{ F_LINK, DEV "/driver" },
	{ F_LINK, DEV "/iommu_group" },
	{ F_NAME, "sys/bus/pci/devices" },
	{ F_LINK, "sys/class/vfio-dev/vfio0/device" },
	{ F_LINK, "proc/4242/fd/3" },
	{ F_LINK, "proc/4242/fd/4" },
	{ F_FILE, "proc/4242/comm" },
	{ F_NAME, "proc" },
};

static char root[128], sysfs[160], proc[160];
static char *last[NFIELDS];	/* what the tree holds now, per field */

static void at(char *out, size_t len, const char *rel)
{
	snprintf(out, len, "%s/%s", root, rel);
}

static void mk(const char *rel)
{
	char p[512];

	at(p, sizeof(p), rel);
	mkdir(p, 0755);
}

static void link_at(const char *rel, const char *target)
{
	char p[512];

	at(p, sizeof(p), rel);
	unlink(p);
	if (*target && symlink(target, p))
		return;	/* too long, say: then there is no link, as if unbound */
}

static void put(const char *rel, const char *text)
{
	char p[512];
	int fd;

	at(p, sizeof(p), rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, text, strlen(text)) < 0)
		unlink(p);	/* no file, as for an attribute the kernel does not have */
	close(fd);
}

/* a single path component, else no entry at all */
static bool good_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..") && strlen(s) < 256;
}

static void set_field(int i, const char *val)
{
	char rel[512];

	if (last[i] && !strcmp(last[i], val))
		return;
	switch (fields[i].kind) {
	case F_FILE:
		put(fields[i].path, val);
		break;
	case F_LINK:
		link_at(fields[i].path, val);
		break;
	case F_NAME:
		if (last[i] && good_name(last[i])) {
			snprintf(rel, sizeof(rel), "%s/%s", fields[i].path, last[i]);
			link_at(rel, "");
		}
		/* the fixed entries stay what they are */
		if (good_name(val) && strcmp(val, "0000:01:00.0") && strcmp(val, "4242")) {
			snprintf(rel, sizeof(rel), "%s/%s", fields[i].path, val);
			link_at(rel, i == 7 ? "../../../devices/pci0000:00/0000:01:00.0" : "4242");
		}
		break;
	}
	free(last[i]);
	last[i] = strdup(val);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void cleanup(void)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	for (int i = 0; i < NFIELDS; i++)
		free(last[i]);
}

static void make_tree(void)
{
	struct stat st;
	const char *base = !stat("/dev/shm", &st) && S_ISDIR(st.st_mode) &&
			   !access("/dev/shm", W_OK) ? "/dev/shm" :
			   getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	snprintf(root, sizeof(root), "%s/vfiotop-fuzz-sysfs-%d", base, (int)getpid());
	mk("");
	mk("sys");
	mk("sys/devices");
	mk("sys/devices/pci0000:00");
	mk(DEV);
	mk("sys/bus");
	mk("sys/bus/pci");
	mk("sys/bus/pci/devices");
	link_at("sys/bus/pci/devices/0000:01:00.0", "../../../devices/pci0000:00/0000:01:00.0");
	mk("sys/class");
	mk("sys/class/vfio-dev");
	mk("sys/class/vfio-dev/vfio0");
	mk("proc");
	mk("proc/4242");
	mk("proc/4242/fd");
	mk("proc/self");	/* not a pid: skipped */
	at(sysfs, sizeof(sysfs), "sys");
	at(proc, sizeof(proc), "proc");
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct device_table t = { 0 };
	struct pci_identity id;
	uint32_t keys[8], key;
	struct device *d;
	char *f[NFIELDS], *buf;
	int n, before, group;

	if (!root[0])
		make_tree();
	buf = fuzz_split(data, size, f, NFIELDS, &n);
	if (!buf)
		return 0;
	for (int i = n; i < NFIELDS; i++)
		f[i] = (char *)"";
	for (int i = 0; i < 13; i++)
		set_field(i, f[i]);

	n = pci_list_vfio_devices(sysfs, keys, 8);
	if (n < 0 || n > 8)
		abort();
	if (!bdf_parse(f[13], &key)) {
		pci_identity_read(sysfs, key, &id);
		if (!memchr(id.driver, '\0', sizeof(id.driver)))
			abort();
	}
	/* the daemon's table: the device, its identity, the owners it knew */
	d = devtab_get(&t, 0x100);
	if (d) {
		pci_identity_read(sysfs, d->key, &d->id);
		before = (unsigned char)f[14][0] % (DEVICE_MAX_OWNERS + 1);
		for (int i = 0; i < before; i++) {
			device_owner_seen(d, 4240 - i, i ? "old" : "", OWNER_VIA_MMAP);
			d->owners[d->n_owners - 1].alive = !(i & 1);
		}
		/* another device in the same group */
		group = d->id.iommu_group;
		d = devtab_get(&t, 0x200);
		if (d)
			d->id.iommu_group = group;
	}
	owners_refresh(&t, proc, sysfs);
	owners_check_alive(&t, proc);
	for (size_t i = 0; i < t.n; i++)
		if (t.devs[i].n_owners < 0 || t.devs[i].n_owners > DEVICE_MAX_OWNERS)
			abort();
	devtab_free(&t);
	free(buf);
	return 0;
}
