// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the running kernel has to hook: the BTF of vmlinux, of the loaded
 * vfio modules and of irqbypass. Probing only: choosing among the hooks is
 * hooks.c's.
 */
#include <bpf/btf.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf_probe.h"
#include "log.h"

#define SYS_BTF "/sys/kernel/btf"

bool vfio_modules_present(void)
{
	return access(SYS_BTF "/vfio_pci_core", F_OK) == 0;
}

void btf_set_load(struct btf_set *s)
{
	struct dirent *de;
	DIR *d;

	memset(s, 0, sizeof(*s));
	/*
	 * parsed for each attach and freed after it: kept, it held 6 MiB of the
	 * daemon's RSS for good, to spare a module reload 12 ms (0.2 s in TCG)
	 */
	s->btf[0] = btf__load_vmlinux_btf();
	if (!s->btf[0]) {
		log_warn("kernel BTF not readable (%s): no hook can be attached", strerror(errno));
		return;
	}
	snprintf(s->name[0], sizeof(s->name[0]), "vmlinux");
	s->n = 1;
	d = opendir(SYS_BTF);
	if (!d)
		return;
	while ((de = readdir(d)) && s->n < 16) {
		/* irqbypass: every vfio-pci depends on it, and it pairs vectors with KVM */
		if (strncmp(de->d_name, "vfio", 4) && strcmp(de->d_name, "irqbypass"))
			continue;
		s->btf[s->n] = btf__load_module_btf(de->d_name, s->btf[0]);
		if (!s->btf[s->n])
			continue;
		snprintf(s->name[s->n], sizeof(s->name[0]), "%s", de->d_name);
		s->n++;
	}
	closedir(d);
}

void btf_set_free(struct btf_set *s)
{
	/* the modules' BTF is split on vmlinux's: them first */
	for (int i = s->n - 1; i >= 0; i--)
		btf__free(s->btf[i]);
	s->n = 0;
}

/* a function's name, and where a BTF of the set has it */
struct located {
	const char *function;
	int btf;			/* index in the set; -1 not found */
	__u32 func_id, trace_id;	/* its FUNC, its btf_trace_ typedef */
};

static int cmp_located(const void *a, const void *b)
{
	return strcmp(((const struct located *)a)->function, ((const struct located *)b)->function);
}

/*
 * Fills in status[].module and .btf_id for the functions a BTF has: one pass
 * over its FUNCs with a binary search in a sorted list, instead of a linear
 * btf__find_by_name_kind() per program (seconds under TCG).
 */
void locate_functions(struct hook_status *status, int n, const struct btf_set *s)
{
	struct located *sorted = calloc(n, sizeof(*sorted));

	if (!sorted)
		return;
	for (int i = 0; i < n; i++)
		sorted[i] = (struct located){ .function = status[i].function, .btf = -1 };
	qsort(sorted, n, sizeof(*sorted), cmp_located);
	for (int b = 0; b < s->n; b++) {
		/* a module's split BTF numbers its own types after vmlinux's */
		__u32 first = b ? btf__type_cnt(s->btf[0]) : 1, last = btf__type_cnt(s->btf[b]);

		for (__u32 id = first; id < last; id++) {
			const struct btf_type *t = btf__type_by_id(s->btf[b], id);
			struct located key, *hit;
			const char *name;

			/* a tracepoint X has a typedef btf_trace_X */
			if (!btf_is_func(t) && !btf_is_typedef(t))
				continue;
			name = btf__name_by_offset(s->btf[b], t->name_off);
			if (btf_is_typedef(t)) {
				if (strncmp(name, "btf_trace_", 10))
					continue;
				name += 10;
			}
			key.function = name;
			hit = bsearch(&key, sorted, n, sizeof(*sorted), cmp_located);
			/* the first BTF that has it, vmlinux before the modules */
			if (!hit || (hit->btf >= 0 && hit->btf != b))
				continue;
			hit->btf = b;
			if (btf_is_func(t))
				hit->func_id = hit->func_id ?: id;
			else
				hit->trace_id = hit->trace_id ?: id;
		}
	}
	for (int i = 0; i < n; i++) {
		struct located key = { .function = status[i].function }, *hit;

		/* duplicates of a name sort together, and were all filled alike but one */
		hit = bsearch(&key, sorted, n, sizeof(*sorted), cmp_located);
		while (hit > sorted && !strcmp(hit[-1].function, key.function))
			hit--;
		for (; hit < sorted + n && !strcmp(hit->function, key.function); hit++) {
			if (hit->btf < 0)
				continue;
			snprintf(status[i].module, sizeof(status[i].module), "%s",
				 s->name[hit->btf]);
			status[i].btf_id = !strcmp(status[i].mechanism, "tp_btf") ? hit->trace_id :
										    hit->func_id;
		}
	}
	free(sorted);
}

void vfio_modules_signature(char *buf, size_t len)
{
	struct dirent *de;
	size_t off = 0;
	DIR *d;

	buf[0] = '\0';
	d = opendir(SYS_BTF);
	if (!d)
		return;
	/* readdir order is stable for an unchanged directory */
	while ((de = readdir(d)) && off < len) {
		/* the modules that hold hooked functions, not the vfio-pci driver stub */
		if (strcmp(de->d_name, "vfio") && strcmp(de->d_name, "vfio_pci_core") &&
		    strcmp(de->d_name, "vfio_iommu_type1") && strcmp(de->d_name, "vfio_pci_trace"))
			continue;
		off += snprintf(buf + off, len - off, "%s:%lu ", de->d_name,
				(unsigned long)de->d_ino);
	}
	closedir(d);
}
