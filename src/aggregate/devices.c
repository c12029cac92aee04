// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "array_size.h"
#include "counters.h"
#include "devices.h"

void devtab_free(struct device_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->devs[i].owners);
		free(t->devs[i].vectors);
	}
	free(t->devs);
	memset(t, 0, sizeof(*t));
}

struct device *devtab_find(const struct device_table *t, uint32_t key)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->devs[mid].key == key)
			return &t->devs[mid];
		if (t->devs[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct device *devtab_get(struct device_table *t, uint32_t key)
{
	struct device *d = devtab_find(t, key);
	size_t pos = 0;

	if (d)
		return d;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct device *n = realloc(t->devs, cap * sizeof(*n));

		if (!n)
			return NULL;
		t->devs = n;
		t->cap = cap;
	}
	while (pos < t->n && t->devs[pos].key < key)
		pos++;
	memmove(&t->devs[pos + 1], &t->devs[pos], (t->n - pos) * sizeof(*d));
	t->n++;
	d = &t->devs[pos];
	memset(d, 0, sizeof(*d));
	d->key = key;
	d->id.iommu_group = -1;
	d->id.numa_node = -1;
	d->id.sriov_numvfs = -1;
	bdf_format(key, d->bdf);
	return d;
}

void devtab_keep_totals(struct device_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		t->devs[i].base = t->devs[i].stats;
}

const struct vm_ident *device_vm(const struct device *d)
{
	for (int i = d->n_owners - 1; i >= 0; i--)
		if (d->owners[i].alive && d->owners[i].vm.name[0])
			return &d->owners[i].vm;
	return NULL;
}

const char *devtab_owner_vm(const struct device_table *t, pid_t pid)
{
	for (size_t i = 0; i < t->n; i++)
		for (int j = 0; j < t->devs[i].n_owners; j++)
			if (t->devs[i].owners[j].pid == pid && t->devs[i].owners[j].vm.name[0])
				return t->devs[i].owners[j].vm.name;
	return NULL;
}

static bool owners_grow(struct device *d)
{
	int cap = d->owners_cap ? d->owners_cap * 2 : 1;
	struct owner *n;

	if (cap > DEVICE_MAX_OWNERS)
		cap = DEVICE_MAX_OWNERS;
	n = realloc(d->owners, (size_t)cap * sizeof(*n));
	if (!n)
		return false;
	d->owners = n;
	d->owners_cap = cap;
	return true;
}

void device_owner_seen(struct device *d, pid_t pid, const char *comm, unsigned int via)
{
	struct owner *o = NULL;

	for (int i = 0; i < d->n_owners; i++) {
		if (d->owners[i].pid == pid) {
			o = &d->owners[i];
			break;
		}
	}
	if (!o && d->n_owners == DEVICE_MAX_OWNERS) {
		/* a VM restarted many times: its old processes give way */
		for (int i = 0; i < d->n_owners && !o; i++)
			if (!d->owners[i].alive)
				o = &d->owners[i];
		if (!o) {
			d->owners_dropped++;
			return;
		}
		memset(o, 0, sizeof(*o));
		o->pid = pid;
	} else if (!o) {
		if (d->n_owners == d->owners_cap && !owners_grow(d)) {
			d->owners_dropped++;
			return;
		}
		o = &d->owners[d->n_owners++];
		memset(o, 0, sizeof(*o));
		o->pid = pid;
	}
	/* seen again after it was found gone: another process with its pid */
	if (!o->alive)
		memset(&o->vm, 0, sizeof(o->vm));
	if (comm && comm[0]) {
		strncpy(o->comm, comm, sizeof(o->comm) - 1);
		o->comm[sizeof(o->comm) - 1] = '\0';
	}
	o->via |= via;
	o->alive = true;
}

static void mapping_seen(struct device *d, const struct vtop_event *e)
{
	struct bar_mapping *m;

	if (d->n_mappings == DEVICE_MAX_MAPPINGS) {
		memmove(d->mappings, d->mappings + 1, sizeof(d->mappings) - sizeof(d->mappings[0]));
		d->n_mappings--;
	}
	m = &d->mappings[d->n_mappings++];
	m->pid = e->pid;
	m->bar = e->mmap.bar;
	m->addr = e->mmap.addr;
	m->len = e->mmap.len;
	m->bar_off = e->mmap.bar_off;
}

void devtab_apply_event(struct device_table *t, const struct vtop_event *e)
{
	struct device *d = devtab_get(t, e->dev);
	char comm[VTOP_COMM_LEN];

	if (!d)
		return;
	d->events++;
	memcpy(comm, e->comm, sizeof(comm));
	comm[sizeof(comm) - 1] = '\0';
	switch (e->type) {
	case VTOP_EV_MMAP:
		if (e->ret)
			break;
		device_owner_seen(d, e->pid, comm, OWNER_VIA_MMAP);
		for (int i = 0; i < d->n_owners; i++)
			if (d->owners[i].pid == (pid_t)e->pid && e->mmap.bar < 32)
				d->owners[i].bars |= 1u << e->mmap.bar;
		mapping_seen(d, e);
		break;
	case VTOP_EV_RESERVE: {
		int bar = pci_bar_of(&d->id, e->reserve.addr, e->reserve.len);

		if (e->ret)
			break;
		if (bar < 0) {
			d->reserved_elsewhere++;
			break;
		}
		d->reserved[bar].count++;
		d->reserved[bar].mode = e->reserve.granted;
		d->reserved[bar].requested = e->reserve.requested;
		break;
	}
	case VTOP_EV_DMABUF_EXPORT:
		if (e->ret < 0)
			break;
		device_owner_seen(d, e->pid, comm, OWNER_VIA_DMABUF);
		for (int i = 0; i < d->n_owners; i++)
			if (d->owners[i].pid == (pid_t)e->pid)
				d->owners[i].dmabufs++;
		break;
	case VTOP_EV_RESET:
		d->last_reset_ns = e->dur_ns;
		d->last_reset_ret = e->ret;
		d->last_reset_how = e->reset.pci_method;
		d->last_reset_wait_ns = e->reset.wait_ns;
		break;
	default:
		break;
	}
}

void device_note_presence(struct device *d, uint64_t now_ms)
{
	if (d->id.present)
		d->gone_ms = 0;
	else if (!d->gone_ms)
		d->gone_ms = now_ms ? now_ms : 1;	/* 0 says present */
}
