// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * PCI identity and owner discovery against fake sysfs and /proc trees built in
 * a temporary directory: the code takes their roots as parameters for this.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices.h"
#include "owners.h"
#include "pci_sysfs.h"

struct tree {
	char root[PATH_MAX];
	char sysfs[PATH_MAX];
	char proc[PATH_MAX];
};

#define KEY_VFIO	0x00000100u	/* 0000:01:00.0 */
#define KEY_NVME	0x00000200u	/* 0000:02:00.0 */
#define KEY_UNBOUND	0x00000300u	/* 0000:03:00.0 */
#define KEY_VARIANT	0x00000401u	/* 0000:04:00.1 */
#define KEY_MISSING	0x00000500u	/* 0000:05:00.0, not in sysfs */

/* ---- building the trees ---- */

static void mkdirs(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		fail_msg("mkdir %s: %s", path, strerror(errno));
}

static void write_file(const char *dir, const char *name, const char *content)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		fail_msg("create %s: %s", path, strerror(errno));
	fputs(content, f);
	fclose(f);
}

static void make_link(const char *dir, const char *name, const char *target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (symlink(target, path))
		fail_msg("symlink %s: %s", path, strerror(errno));
}

/* A device directory as sysfs has it; driver/group are symlinks, NULL for none. */
static void add_pci_device(const struct tree *t, const char *bdf, const char *vendor,
			   const char *device, const char *driver, const char *group)
{
	char dir[PATH_MAX], target[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", t->sysfs, bdf);
	mkdirs("%s", dir);
	write_file(dir, "vendor", vendor);
	write_file(dir, "device", device);
	write_file(dir, "subsystem_vendor", "0x1b36\n");
	write_file(dir, "subsystem_device", "0x0100\n");
	write_file(dir, "class", "0x050000\n");
	if (driver) {
		/* the target need not exist: only the link's name is read */
		snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", driver);
		make_link(dir, "driver", target);
	}
	if (group) {
		snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%s", group);
		make_link(dir, "iommu_group", target);
	}
}

static void add_process(const struct tree *t, int pid, const char *comm)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/%d", t->proc, pid);
	mkdirs("%s/fd", dir);
	if (comm)
		write_file(dir, "comm", comm);
}

static void add_fd(const struct tree *t, int pid, int fd, const char *target)
{
	char dir[PATH_MAX], name[16];

	snprintf(dir, sizeof(dir), "%s/%d/fd", t->proc, pid);
	snprintf(name, sizeof(name), "%d", fd);
	make_link(dir, name, target);
}

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	const char *tmp = getenv("TMPDIR");

	if (!t)
		return -1;
	snprintf(t->root, sizeof(t->root), "%s/vfiotop-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(t->root)) {
		free(t);
		return -1;
	}
	snprintf(t->sysfs, sizeof(t->sysfs), "%s/sys", t->root);
	snprintf(t->proc, sizeof(t->proc), "%s/proc", t->root);

	add_pci_device(t, "0000:01:00.0", "0x1af4\n", "0x1110\n", "vfio-pci", "7");
	{
		char dir[PATH_MAX];

		/* ivshmem: BAR0 registers, BAR2 shared memory (64-bit: BAR3 empty) */
		snprintf(dir, sizeof(dir), "%s/bus/pci/devices/0000:01:00.0", t->sysfs);
		write_file(dir, "resource",
			   "0x00000000fe800000 0x00000000fe8000ff 0x0000000000040200\n"
			   "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
			   "0x0000000800000000 0x0000000803ffffff 0x000000000014220c\n"
			   "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
		write_file(dir, "numa_node", "1\n");
		write_file(dir, "current_link_speed", "8.0 GT/s PCIe\n");
		write_file(dir, "current_link_width", "8\n");
		write_file(dir, "max_link_speed", "16.0 GT/s PCIe\n");
		write_file(dir, "max_link_width", "16\n");
		write_file(dir, "sriov_numvfs", "0\n");
	}
	add_pci_device(t, "0000:02:00.0", "0x144d\n", "0xa808\n", "nvme", "8");
	add_pci_device(t, "0000:03:00.0", "0x8086\n", "0x10d3\n", NULL, NULL);
	mkdirs("%s/proc", t->root);
	*state = t;
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown(void **state)
{
	struct tree *t = *state;
	int ret = nftw(t->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);

	free(t);
	return ret;
}

/* ---- pci_sysfs ---- */

static void test_identity_vfio(void **state)
{
	struct tree *t = *state;
	struct pci_identity id;

	memset(&id, 0xab, sizeof(id));
	pci_identity_read(t->sysfs, KEY_VFIO, &id);
	assert_true(id.present);
	assert_int_equal(id.vendor, 0x1af4);
	assert_int_equal(id.device, 0x1110);
	assert_int_equal(id.subsys_vendor, 0x1b36);
	assert_int_equal(id.subsys_device, 0x0100);
	assert_int_equal(id.class_id, 0x050000);
	assert_string_equal(id.driver, "vfio-pci");	/* basename of the link */
	assert_int_equal(id.iommu_group, 7);
	assert_true(id.bar_start[0] == 0xfe800000 && id.bar_size[0] == 256);
	assert_true(id.bar_start[2] == 0x800000000ull && id.bar_size[2] == 64ull << 20);
	assert_true(id.bar_size[1] == 0 && id.bar_size[3] == 0 && id.bar_size[5] == 0);
	assert_int_equal(pci_bar_of(&id, 0x800000000ull + (64ull << 20) - 1, 1), 2);
	assert_int_equal(pci_bar_of(&id, 0x800000000ull + (64ull << 20), 4096), -1);
	assert_int_equal(pci_bar_of(&id, 0xfe800080, 0), 0);
	assert_int_equal(id.numa_node, 1);
	assert_string_equal(id.link_speed, "8.0 GT/s PCIe");
	assert_int_equal(id.link_width, 8);
	assert_string_equal(id.max_link_speed, "16.0 GT/s PCIe");
	assert_int_equal(id.max_link_width, 16);
	assert_int_equal(id.sriov_numvfs, 0);
	assert_string_equal(id.physfn, "");
	/* a reservation rounded down to the page below a small, unaligned BAR */
	id.bar_start[0] = 0xfe800100;
	assert_int_equal(pci_bar_of(&id, 0xfe800000, 4096), 0);
}

/* the link retrained and VFs enabled, read again without the rest */
static void test_identity_reread_bound(void **state)
{
	struct tree *t = *state;
	struct pci_identity id;
	char dir[PATH_MAX];

	pci_identity_read(t->sysfs, KEY_VFIO, &id);
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/0000:01:00.0", t->sysfs);
	write_file(dir, "current_link_speed", "2.5 GT/s PCIe\n");
	write_file(dir, "current_link_width", "1\n");
	write_file(dir, "sriov_numvfs", "4\n");
	write_file(dir, "vendor", "0x8086\n");
	pci_identity_reread_bound(t->sysfs, KEY_VFIO, &id);
	assert_string_equal(id.link_speed, "2.5 GT/s PCIe");
	assert_int_equal(id.link_width, 1);
	assert_int_equal(id.sriov_numvfs, 4);
	/* what a bound device cannot change is what the whole read found */
	assert_int_equal(id.vendor, 0x1af4);
	assert_string_equal(id.max_link_speed, "16.0 GT/s PCIe");
	assert_int_equal(id.iommu_group, 7);
	pci_identity_read(t->sysfs, KEY_VFIO, &id);
	assert_int_equal(id.vendor, 0x8086);
}

static void test_identity_other_driver_and_unbound(void **state)
{
	struct tree *t = *state;
	struct pci_identity id;

	pci_identity_read(t->sysfs, KEY_NVME, &id);
	assert_true(id.present);
	assert_int_equal(id.vendor, 0x144d);
	assert_int_equal(id.device, 0xa808);
	assert_string_equal(id.driver, "nvme");
	assert_int_equal(id.iommu_group, 8);

	/* unbound: present, no driver, no group (-1, not 0: group 0 exists) */
	memset(&id, 0xab, sizeof(id));
	pci_identity_read(t->sysfs, KEY_UNBOUND, &id);
	assert_true(id.present);
	assert_int_equal(id.vendor, 0x8086);
	assert_string_equal(id.driver, "");
	assert_int_equal(id.iommu_group, -1);
}

static void test_identity_missing(void **state)
{
	struct tree *t = *state;
	struct pci_identity id;

	memset(&id, 0xab, sizeof(id));	/* nothing stale survives */
	pci_identity_read(t->sysfs, KEY_MISSING, &id);
	assert_false(id.present);
	assert_int_equal(id.iommu_group, -1);
	assert_int_equal(id.vendor, 0);
	assert_int_equal(id.class_id, 0);
	assert_string_equal(id.driver, "");

	/* a sysfs root that does not exist at all */
	pci_identity_read("/nonexistent/vfiotop-sysfs", KEY_VFIO, &id);
	assert_false(id.present);
	assert_int_equal(id.iommu_group, -1);
}

/* the daemon's cheap look each second: the driver, or that the device is gone */
static void test_driver_read(void **state)
{
	struct tree *t = *state;
	char drv[64];

	assert_true(pci_driver_read(t->sysfs, KEY_VFIO, drv, sizeof(drv)));
	assert_string_equal(drv, "vfio-pci");
	assert_true(pci_driver_read(t->sysfs, KEY_NVME, drv, sizeof(drv)));
	assert_string_equal(drv, "nvme");
	assert_true(pci_driver_read(t->sysfs, KEY_UNBOUND, drv, sizeof(drv)));
	assert_string_equal(drv, "");
	assert_false(pci_driver_read(t->sysfs, KEY_MISSING, drv, sizeof(drv)));
	assert_string_equal(drv, "");
	assert_false(pci_driver_read("/nonexistent/vfiotop-sysfs", KEY_VFIO, drv, sizeof(drv)));
}

static void test_list_vfio_only(void **state)
{
	struct tree *t = *state;
	uint32_t keys[8] = { 0 };

	/* an entry that is not a PCI address is skipped, not parsed as one */
	mkdirs("%s/bus/pci/devices/not-a-bdf", t->sysfs);
	assert_int_equal(pci_list_vfio_devices(t->sysfs, keys, 8), 1);
	assert_int_equal(keys[0], KEY_VFIO);
	assert_int_equal(pci_list_vfio_devices("/nonexistent/vfiotop-sysfs", keys, 8), 0);
}

/* vfio variant drivers (mlx5_vfio_pci, ...) count; max bounds what is written. */
static void test_list_variant_and_max(void **state)
{
	struct tree *t = *state;
	uint32_t keys[8] = { 0 };
	int n;

	add_pci_device(t, "0000:04:00.1", "0x15b3\n", "0x101e\n", "mlx5_vfio_pci", "9");
	n = pci_list_vfio_devices(t->sysfs, keys, 8);
	assert_int_equal(n, 2);
	/* readdir order is arbitrary */
	assert_true((keys[0] == KEY_VFIO && keys[1] == KEY_VARIANT) ||
		    (keys[0] == KEY_VARIANT && keys[1] == KEY_VFIO));

	keys[1] = 0xdeadbeef;
	assert_int_equal(pci_list_vfio_devices(t->sysfs, keys, 1), 1);
	assert_true(keys[0] == KEY_VFIO || keys[0] == KEY_VARIANT);
	assert_int_equal(keys[1], 0xdeadbeef);	/* nothing past max */
}

/* an SR-IOV VF names its PF; a device without a link or NUMA node says none */
static void test_identity_vf_physfn(void **state)
{
	struct tree *t = *state;
	struct pci_identity id;
	char dir[PATH_MAX];

	add_pci_device(t, "0000:04:00.1", "0x15b3\n", "0x101e\n", "mlx5_vfio_pci", "9");
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/0000:04:00.1", t->sysfs);
	make_link(dir, "physfn", "../0000:04:00.0");
	write_file(dir, "numa_node", "-1\n");
	pci_identity_read(t->sysfs, KEY_VARIANT, &id);
	assert_string_equal(id.physfn, "0000:04:00.0");
	assert_int_equal(id.numa_node, -1);
	assert_int_equal(id.sriov_numvfs, -1);
	assert_string_equal(id.link_speed, "");
	assert_int_equal(id.link_width, 0);
}

/* ---- owners ---- */

/* A table as the daemon has it: the vfio device in group 7, the nvme one in group 8. */
static void table_for(const struct tree *t, struct device_table *tab)
{
	struct device *d;

	memset(tab, 0, sizeof(*tab));
	d = devtab_get(tab, KEY_VFIO);
	pci_identity_read(t->sysfs, KEY_VFIO, &d->id);
	d = devtab_get(tab, KEY_NVME);
	pci_identity_read(t->sysfs, KEY_NVME, &d->id);
}

static void qemu_with_group_7(const struct tree *t)
{
	add_process(t, 1234, "qemu\n");
	add_fd(t, 1234, 5, "/dev/vfio/7");
	add_fd(t, 1234, 6, "/dev/vfio/vfio");	/* the container: no device */
	add_fd(t, 1234, 7, "/dev/null");
	add_process(t, 99, "cat\n");
	add_fd(t, 99, 3, "/dev/null");
	mkdirs("%s/sys/fs", t->proc);		/* non-pid entries are skipped */
}

/*
 * An open event's process is looked at alone, once its fd can be in place;
 * a queue that overflowed makes the next look a full scan.
 */
static void test_owners_from_open_events(void **state)
{
	struct tree *t = *state;
	struct owner_queue q = { 0 };
	struct device_table tab;
	struct device *vfio;

	qemu_with_group_7(t);
	table_for(t, &tab);
	vfio = devtab_find(&tab, KEY_VFIO);
	owners_queue_open(&q, 1234, 1000000000ull);
	owners_queue_open(&q, 1234, 1000000000ull);	/* once per process */
	assert_int_equal(q.n, 1);
	owners_scan_queued(&q, &tab, t->proc, t->sysfs, 1000000000ull + 50000000);
	assert_int_equal(vfio->n_owners, 0);	/* too soon: still queued */
	assert_int_equal(q.n, 1);
	owners_scan_queued(&q, &tab, t->proc, t->sysfs, 1000000000ull + OWNER_OPEN_SETTLE_NS);
	assert_int_equal(vfio->n_owners, 1);
	assert_int_equal(vfio->owners[0].pid, 1234);
	assert_true(vfio->owners[0].via & OWNER_VIA_FD);
	assert_int_equal(q.n, 0);
	devtab_free(&tab);

	/* more opens than the queue holds: every process is looked at */
	table_for(t, &tab);
	for (pid_t pid = 5000; pid < 5000 + OWNER_QUEUE_MAX + 1; pid++)
		owners_queue_open(&q, pid, 0);
	assert_true(q.overflow);
	owners_scan_queued(&q, &tab, t->proc, t->sysfs, 0);
	assert_int_equal(devtab_find(&tab, KEY_VFIO)->n_owners, 1);
	assert_int_equal(q.n, 0);
	assert_false(q.overflow);
	devtab_free(&tab);
}

/* no device in sysfs: nothing can hold one open, and /proc is not walked */
static void test_no_scan_without_devices(void **state)
{
	struct tree *t = *state;
	struct device_table tab;

	qemu_with_group_7(t);
	table_for(t, &tab);
	for (size_t i = 0; i < tab.n; i++)
		tab.devs[i].id.present = false;
	owners_refresh(&tab, t->proc, t->sysfs);
	assert_int_equal(devtab_find(&tab, KEY_VFIO)->n_owners, 0);
	devtab_find(&tab, KEY_VFIO)->id.present = true;
	owners_refresh(&tab, t->proc, t->sysfs);
	assert_int_equal(devtab_find(&tab, KEY_VFIO)->n_owners, 1);
	devtab_free(&tab);
}

static void test_owners_from_group_fd(void **state)
{
	struct tree *t = *state;
	struct device_table tab;
	struct device *vfio, *nvme;

	qemu_with_group_7(t);
	table_for(t, &tab);
	assert_int_equal(devtab_find(&tab, KEY_VFIO)->id.iommu_group, 7);
	owners_refresh(&tab, t->proc, t->sysfs);

	vfio = devtab_find(&tab, KEY_VFIO);
	nvme = devtab_find(&tab, KEY_NVME);
	assert_int_equal(vfio->n_owners, 1);
	assert_int_equal(vfio->owners[0].pid, 1234);
	assert_string_equal(vfio->owners[0].comm, "qemu");	/* newline stripped */
	assert_true(vfio->owners[0].via & OWNER_VIA_FD);
	assert_false(vfio->owners[0].via & OWNER_VIA_MMAP);
	assert_true(vfio->owners[0].alive);
	assert_int_equal(vfio->owners[0].bars, 0);
	assert_int_equal(nvme->n_owners, 0);

	/* refreshing again finds the same owner, not a second copy */
	owners_refresh(&tab, t->proc, t->sysfs);
	assert_int_equal(vfio->n_owners, 1);
	assert_int_equal(nvme->n_owners, 0);
	devtab_free(&tab);
}

/* A process seen mmapping earlier that has exited stays listed, as not alive. */
static void test_owner_gone(void **state)
{
	struct tree *t = *state;
	struct device_table tab;
	struct device *nvme;

	qemu_with_group_7(t);
	table_for(t, &tab);
	nvme = devtab_find(&tab, KEY_NVME);
	device_owner_seen(nvme, 555, "exited", OWNER_VIA_MMAP);
	nvme->owners[0].bars = 1;
	assert_true(nvme->owners[0].alive);

	owners_refresh(&tab, t->proc, t->sysfs);
	assert_int_equal(nvme->n_owners, 1);
	assert_int_equal(nvme->owners[0].pid, 555);
	assert_false(nvme->owners[0].alive);
	assert_string_equal(nvme->owners[0].comm, "exited");
	assert_int_equal(nvme->owners[0].bars, 1);
	/* the live one on the other device is unaffected */
	assert_true(devtab_find(&tab, KEY_VFIO)->owners[0].alive);
	devtab_free(&tab);
}

/* A pid now running another program is not the owner we saw; one still running is. */
static void test_owner_pid_reuse(void **state)
{
	struct tree *t = *state;
	struct device_table tab;
	struct device *nvme;

	qemu_with_group_7(t);
	table_for(t, &tab);
	nvme = devtab_find(&tab, KEY_NVME);
	device_owner_seen(nvme, 99, "dpdk-app", OWNER_VIA_MMAP);	/* /proc/99 is "cat" now */
	device_owner_seen(nvme, 1234, "qemu", OWNER_VIA_MMAP);	/* still qemu */
	nvme->owners[0].alive = nvme->owners[1].alive = false;

	owners_refresh(&tab, t->proc, t->sysfs);
	assert_int_equal(nvme->n_owners, 2);
	assert_false(nvme->owners[0].alive);
	assert_true(nvme->owners[1].alive);
	/* qemu holds group 7, not 8: no fd ownership gained here */
	assert_int_equal(nvme->owners[1].via, OWNER_VIA_MMAP);
	devtab_free(&tab);
}

/* The iommufd cdev path: /dev/vfio/devices/vfioN resolved through class/vfio-dev. */
static void test_owner_from_cdev(void **state)
{
	struct tree *t = *state;
	struct device_table tab;
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/class/vfio-dev/vfio3", t->sysfs);
	mkdirs("%s", dir);
	make_link(dir, "device", "../../../devices/pci0000:00/0000:00:1c.0/0000:02:00.0");
	add_process(t, 4321, "cloud-hv\n");
	add_fd(t, 4321, 10, "/dev/vfio/devices/vfio3");
	add_fd(t, 4321, 11, "/dev/vfio/devices/vfio9");	/* no such cdev: ignored */

	table_for(t, &tab);
	owners_refresh(&tab, t->proc, t->sysfs);
	assert_int_equal(devtab_find(&tab, KEY_VFIO)->n_owners, 0);
	assert_int_equal(devtab_find(&tab, KEY_NVME)->n_owners, 1);
	assert_int_equal(devtab_find(&tab, KEY_NVME)->owners[0].pid, 4321);
	assert_string_equal(devtab_find(&tab, KEY_NVME)->owners[0].comm, "cloud-hv");
	assert_int_equal(devtab_find(&tab, KEY_NVME)->owners[0].via, OWNER_VIA_FD);
	devtab_free(&tab);
}

/* No /proc at all: owners already known are marked not alive, nothing crashes. */
static void test_owners_no_proc(void **state)
{
	struct tree *t = *state;
	struct device_table tab;
	struct device *vfio;

	table_for(t, &tab);
	vfio = devtab_find(&tab, KEY_VFIO);
	device_owner_seen(vfio, 1234, "qemu", OWNER_VIA_MMAP);
	owners_refresh(&tab, "/nonexistent/vfiotop-proc", t->sysfs);
	assert_int_equal(vfio->n_owners, 1);
	assert_false(vfio->owners[0].alive);
	devtab_free(&tab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity_vfio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_reread_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_other_driver_and_unbound, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_identity_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_vfio_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_vf_physfn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_variant_and_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_scan_without_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owners_from_open_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owners_from_group_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_pid_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_from_cdev, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owners_no_proc, setup, teardown),
	};

	return cmocka_run_group_tests_name("pci_sysfs_owners", tests, NULL, NULL);
}
