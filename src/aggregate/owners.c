// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "owners.h"

static void read_comm(const char *proc, pid_t pid, char *out, size_t len)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/%d", proc, pid);
	sysfs_line(dir, "comm", out, len);
}

/* /dev/vfio/devices/vfioN (cdev) → the PCI device behind it */
static int cdev_device_key(const char *sysfs, const char *name, uint32_t *key)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/class/vfio-dev/%s/device", sysfs, name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	base = strrchr(target, '/');
	return bdf_parse(base ? base + 1 : target, key);
}

static void note_fd_owner(struct device_table *t, const char *sysfs, const char *link,
			  pid_t pid, const char *comm)
{
	const char *rest;
	uint32_t key;
	char *end;
	long group;

	if (strncmp(link, "/dev/vfio/", 10))
		return;
	rest = link + 10;
	if (!strncmp(rest, "devices/", 8)) {
		struct device *d;

		if (!cdev_device_key(sysfs, rest + 8, &key) && (d = devtab_find(t, key)))
			device_owner_seen(d, pid, comm, OWNER_VIA_FD);
		return;
	}
	group = strtol(rest, &end, 10);
	if (end == rest || *end)
		return;	/* /dev/vfio/vfio, the container */
	for (size_t i = 0; i < t->n; i++)
		if (t->devs[i].id.iommu_group == group)
			device_owner_seen(&t->devs[i], pid, comm, OWNER_VIA_FD);
}

static void scan_pid_fds(struct device_table *t, const char *proc, const char *sysfs,
			 pid_t pid)
{
	char dir[PATH_MAX], comm[VTOP_COMM_LEN] = "";
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%d/fd", proc, pid);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX], link[PATH_MAX];
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strncmp(link, "/dev/vfio/", 10))
			continue;
		if (!comm[0])
			read_comm(proc, pid, comm, sizeof(comm));
		note_fd_owner(t, sysfs, link, pid, comm);
	}
	closedir(d);
}

bool pid_alive(const char *proc, pid_t pid, const char *comm)
{
	char now[VTOP_COMM_LEN];

	read_comm(proc, pid, now, sizeof(now));
	/* a recycled pid running something else is not our owner */
	return now[0] && (!comm[0] || !strcmp(now, comm));
}

static void check_alive(struct device_table *t, const char *proc, bool all)
{
	for (size_t i = 0; i < t->n; i++)
		for (int j = 0; j < t->devs[i].n_owners; j++) {
			struct owner *o = &t->devs[i].owners[j];

			if (all || o->alive)
				o->alive = pid_alive(proc, o->pid, o->comm);
			if (o->alive && !o->vm.read)
				vm_ident_read(&o->vm, proc, o->pid);
			else if (o->alive)
				vm_ident_poll(&o->vm, o->pid);
		}
}

/* between full scans, owners already seen dead are left for the next scan */
void owners_check_alive(struct device_table *t, const char *proc)
{
	check_alive(t, proc, false);
}

/* a device in sysfs now: only such a device can have an fd open on it */
static bool any_present(const struct device_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->devs[i].id.present)
			return true;
	return false;
}

void owners_refresh(struct device_table *t, const char *proc, const char *sysfs)
{
	struct dirent *de;
	DIR *d;

	check_alive(t, proc, true);
	if (!any_present(t))
		return;
	d = opendir(proc);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		scan_pid_fds(t, proc, sysfs, (pid_t)atoi(de->d_name));
	}
	closedir(d);
}

void owners_queue_open(struct owner_queue *q, pid_t pid, uint64_t open_ns)
{
	for (int i = 0; i < q->n; i++)
		if (q->q[i].pid == pid) {
			q->q[i].open_ns = open_ns;	/* the latest open: wait for its fd */
			return;
		}
	if (q->n == OWNER_QUEUE_MAX) {
		q->overflow = true;
		return;
	}
	q->q[q->n].pid = pid;
	q->q[q->n++].open_ns = open_ns;
}

void owners_scan_queued(struct owner_queue *q, struct device_table *t, const char *proc,
			const char *sysfs, uint64_t now_ns)
{
	int kept = 0;

	if (q->overflow) {
		owners_refresh(t, proc, sysfs);
		q->overflow = false;
		q->n = 0;
		return;
	}
	for (int i = 0; i < q->n; i++) {
		if (now_ns - q->q[i].open_ns < OWNER_OPEN_SETTLE_NS) {
			q->q[kept++] = q->q[i];
			continue;
		}
		scan_pid_fds(t, proc, sysfs, q->q[i].pid);
	}
	q->n = kept;
}
