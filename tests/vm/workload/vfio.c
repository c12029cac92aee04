// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The device: found in sysfs, opened through VFIO's container and group,
 * its regions, its config space and PCI_COMMAND, and its BAR mapped.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "workload.h"

/* The group number is the name of the device's iommu_group link target. */
static void read_iommu_group(const char *bdf, char *group, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *name;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		die("readlink %s: %s", path, strerror(errno));
	target[n] = '\0';
	name = strrchr(target, '/');
	name = name ? name + 1 : target;
	if (!*name || strlen(name) >= len)
		die("readlink %s: odd iommu group '%s'", path, target);
	strcpy(group, name);
}

void vfio_open(const char *bdf, struct vfio *v)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char group[64], path[96];
	int ret;

	read_iommu_group(bdf, group, sizeof(group));

	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0)
		die_errno("open /dev/vfio/vfio");
	ret = ioctl(v->container, VFIO_GET_API_VERSION);
	if (ret < 0)
		die_errno("VFIO_GET_API_VERSION");
	if (ret != VFIO_API_VERSION)
		die("VFIO_GET_API_VERSION: kernel has %d, built for %d", ret, VFIO_API_VERSION);
	ret = ioctl(v->container, VFIO_CHECK_EXTENSION, (unsigned long)VFIO_TYPE1_IOMMU);
	if (ret < 0)
		die_errno("VFIO_CHECK_EXTENSION(VFIO_TYPE1_IOMMU)");
	if (!ret)
		die("VFIO_CHECK_EXTENSION: VFIO_TYPE1_IOMMU not supported");

	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0)
		die("open %s: %s", path, strerror(errno));
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status))
		die_errno("VFIO_GROUP_GET_STATUS");
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("VFIO_GROUP_GET_STATUS: group %s is not viable "
		    "(bind every device in it to vfio-pci)", group);
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		die_errno("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(v->container, VFIO_SET_IOMMU, (unsigned long)VFIO_TYPE1_IOMMU))
		die_errno("VFIO_SET_IOMMU(VFIO_TYPE1_IOMMU)");
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (v->device < 0)
		die_errno("VFIO_GROUP_GET_DEVICE_FD");
}

static void region_info(const struct vfio *v, unsigned int index, const char *what,
			struct vfio_region_info *info, struct truth *t)
{
	/* no room for capabilities: the kernel then just reports the basics */
	*info = (struct vfio_region_info){ .argsz = sizeof(*info), .index = index };
	t->region_infos++;
	if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, info))
		die("VFIO_DEVICE_GET_REGION_INFO(%s): %s", what, strerror(errno));
}

void vfio_regions(unsigned int bar, struct vfio *v, struct truth *t)
{
	struct vfio_region_info info;
	char what[8];

	snprintf(what, sizeof(what), "BAR%u", bar);
	region_info(v, VFIO_PCI_BAR0_REGION_INDEX + bar, what, &info, t);
	if (!info.size)
		die("%s is not implemented by this device", what);
	if (!(info.flags & VFIO_REGION_INFO_FLAG_MMAP))
		die("%s cannot be mmapped (region flags 0x%x)", what, info.flags);
	if (info.size > SIZE_MAX || info.offset > (uint64_t)INT64_MAX)
		die("%s: size 0x%llx at 0x%llx does not fit this process", what,
		    (unsigned long long)info.size, (unsigned long long)info.offset);
	v->bar_size = info.size;
	v->bar_off = (off_t)info.offset;

	region_info(v, VFIO_PCI_CONFIG_REGION_INDEX, "config", &info, t);
	v->cmd_off = (off_t)info.offset + PCI_COMMAND;
}

/* The device's memory BARs, as vfio-pci 7.x iomaps them all at open. */
unsigned int count_mem_bars(const char *bdf)
{
	char path[PATH_MAX], line[128];
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "re");
	if (!f)
		die("open %s: %s", path, strerror(errno));
	for (int i = 0; i < 6 && fgets(line, sizeof(line), f); i++) {
		unsigned long long start, end, flags;

		/* IORESOURCE_MEM */
		if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) == 3 && end &&
		    (flags & 0x200))
			n++;
	}
	fclose(f);
	return n;
}

/* the region of a device fd offset, and whether the access counted there */
static void count_access(const struct vfio *v, bool write, ssize_t n, off_t off, int cap)
{
	unsigned long region = (unsigned long long)off >> 40;
	struct access_truth *a = v->acc;

	if (!a)
		return;
	if (n < 0) {
		__atomic_fetch_add(&a->failed, 1, __ATOMIC_RELAXED);
		return;
	}
	if (region >= ACC_REGIONS)
		return;
	__atomic_fetch_add(write ? &a->writes[region] : &a->reads[region], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&a->bytes[region], (unsigned long)n, __ATOMIC_RELAXED);
	if (write && region == ACC_CONFIG && cap >= 0 && cap < CAP_KINDS)
		__atomic_fetch_add(&a->config_writes[cap], 1, __ATOMIC_RELAXED);
}

ssize_t dev_pread(const struct vfio *v, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(v->device, buf, len, off);

	count_access(v, false, n, off, CAP_NONE);
	return n;
}

/* cap: the capability a config write lands in (CAP_*), CAP_NONE elsewhere */
ssize_t dev_pwrite(const struct vfio *v, const void *buf, size_t len, off_t off, int cap)
{
	ssize_t n = pwrite(v->device, buf, len, off);

	count_access(v, true, n, off, cap);
	return n;
}

/* a register of the BAR the workload was given, through the device fd */
uint32_t bar_read32(const struct vfio *v, unsigned int off)
{
	uint32_t val;

	if (dev_pread(v, &val, sizeof(val), v->bar_off + off) != sizeof(val))
		die("pread BAR 0x%x: %s", off, strerror(errno));
	return val;
}

void bar_write32(const struct vfio *v, unsigned int off, uint32_t val)
{
	if (dev_pwrite(v, &val, sizeof(val), v->bar_off + off, CAP_NONE) != sizeof(val))
		die("pwrite BAR 0x%x: %s", off, strerror(errno));
}

uint16_t read_command(const struct vfio *v)
{
	uint16_t le;
	ssize_t n = dev_pread(v, &le, sizeof(le), v->cmd_off);

	if (n < 0)
		die_errno("pread PCI_COMMAND");
	if (n != sizeof(le))
		die("pread PCI_COMMAND: short read (%zd bytes)", n);
	return le16toh(le);
}

/*
 * One 2-byte config write of PCI_COMMAND, counted by the direction of its
 * memory-enable bit: vfio-pci zaps the BAR mappings on every clearing write.
 */
void write_command(const struct vfio *v, bool mem_on, struct truth *t)
{
	uint16_t cmd = mem_on ? v->cmd | PCI_COMMAND_MEMORY : v->cmd & ~PCI_COMMAND_MEMORY;
	uint16_t le = htole16(cmd);
	ssize_t n = dev_pwrite(v, &le, sizeof(le), v->cmd_off, CAP_BASIC);

	if (n < 0)
		die("pwrite PCI_COMMAND=0x%04x: %s", cmd, strerror(errno));
	if (n != sizeof(le))
		die("pwrite PCI_COMMAND=0x%04x: short write (%zd bytes)", cmd, n);
	if (mem_on)
		t->mem_enable_writes++;
	else
		t->mem_disable_writes++;
}

/*
 * Where the BAR lands decides the fault sizes on kernels with huge faults:
 * --align 2M maps it on a PMD boundary, --offset 4K just off it (4 KiB faults
 * only), --align 1G on a PUD boundary. A PROT_NONE reservation holds the range.
 */
void map_bar(struct vfio *v, const struct options *o)
{
	void *want = NULL, *p;
	int flags = MAP_SHARED;

	if (o->align || o->offset) {
		uint64_t span = v->bar_size + o->align + o->offset;
		void *r = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			       -1, 0);
		uintptr_t a;

		if (r == MAP_FAILED)
			die_errno("mmap reservation");
		a = (uintptr_t)r;
		if (o->align)
			a = (a + o->align - 1) & ~(uintptr_t)(o->align - 1);
		want = (void *)(a + o->offset);
		flags |= MAP_FIXED;
	}
	p = mmap(want, v->bar_size, PROT_READ | PROT_WRITE, flags, v->device, v->bar_off);
	if (p == MAP_FAILED)
		die_errno("mmap BAR");
	v->map = p;
}

/*
 * One mmap vfio-pci must refuse, a page past the BAR's end, before the real
 * one: mmaps.failed counts it, nothing else may (it fails before the BAR's
 * region is requested or iomapped).
 */
void refused_mmap(const struct vfio *v, struct truth *t)
{
	void *p = mmap(NULL, TOUCH_STRIDE, PROT_READ | PROT_WRITE, MAP_SHARED, v->device,
		       v->bar_off + v->bar_size);

	if (p != MAP_FAILED)
		die("an mmap past the end of BAR %u succeeded", (unsigned int)(v->bar_off >> 40));
	t->mmaps_refused++;
}

uint16_t config_read16(const struct vfio *v, unsigned int off)
{
	uint16_t le;

	if (dev_pread(v, &le, sizeof(le), v->cmd_off - PCI_COMMAND + off) != sizeof(le))
		die_errno("pread config space");
	return le16toh(le);
}

/* Capability id's offset in the config space vfio-pci shows, 0 if there is none. */
unsigned int find_cap(const struct vfio *v, unsigned int id)
{
	unsigned int pos = config_read16(v, PCI_CAPABILITY_LIST) & 0xfc;

	for (int hops = 0; pos && hops < 48; hops++) {
		uint16_t id_next = config_read16(v, pos);

		if ((id_next & 0xff) == id)
			return pos;
		pos = (id_next >> 8) & 0xfc;
	}
	return 0;
}

/*
 * --wc-first: what a framebuffer or a tool mapping sysfs resourceN_wc does
 * before the device's user: the BAR's range is reserved write-combining, and
 * vfio-pci's own (uncached) reservation of it is granted WC instead.
 */
void map_resource_wc(const struct options *o, struct truth *t)
{
	char path[PATH_MAX];
	struct stat st;
	void *p;
	int fd;

	if (!o->wc_first)
		return;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%u_wc", o->bdf, o->bar);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		die("--wc-first: %s: %s", path, strerror(errno));
	p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("--wc-first: mmap %s: %s", path, strerror(errno));
	close(fd);
	t->wc_bytes = st.st_size;	/* mapped until the workload exits */
}

void vfio_close(struct vfio *v)
{
	if (munmap((void *)v->map, v->bar_size))
		die_errno("munmap BAR");
	close(v->device);
	close(v->group);
	close(v->container);
}
