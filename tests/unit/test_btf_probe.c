// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * locate_functions() (capture/btf_probe.c): which BTF has each hooked
 * function and its type id there, the FUNC for a trampoline and the
 * btf_trace_ typedef for a tp_btf program, as the kernel wants them at
 * load (capture/attach_targets.c hands them to libbpf). Built on a small
 * "vmlinux" BTF and a module's split BTF above it, as the kernel's are.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <bpf/btf.h>
#include <stdio.h>
#include <string.h>

#include "btf_probe.h"

struct ids {
	int vm_reset, vm_tp_reset;		/* vmlinux: FUNC, btf_trace_ typedef */
	int mod_mmap, mod_fault_tp, mod_dup;	/* module: FUNC, typedef, FUNC also in vmlinux */
	int vm_dup;
};

static int add_func(struct btf *b, const char *name, int proto)
{
	return btf__add_func(b, name, BTF_FUNC_GLOBAL, proto);
}

static void build(struct btf_set *s, struct ids *id)
{
	struct btf *vm = btf__new_empty(), *mod;
	int proto, ptr;

	assert_non_null(vm);
	proto = btf__add_func_proto(vm, 0);
	ptr = btf__add_ptr(vm, proto);
	add_func(vm, "unrelated", proto);
	id->vm_reset = add_func(vm, "pci_try_reset_function", proto);
	id->vm_tp_reset = btf__add_typedef(vm, "btf_trace_pci_reset", ptr);
	id->vm_dup = add_func(vm, "in_both", proto);
	btf__add_typedef(vm, "not_a_tracepoint", ptr);

	mod = btf__new_empty_split(vm);
	assert_non_null(mod);
	id->mod_mmap = add_func(mod, "vfio_pci_core_mmap", proto);
	id->mod_fault_tp = btf__add_typedef(mod, "btf_trace_vfio_pci_fault", ptr);
	id->mod_dup = add_func(mod, "in_both", proto);
	/* a split BTF numbers its types after its base's */
	assert_true(id->mod_mmap > id->vm_dup);

	memset(s, 0, sizeof(*s));
	s->btf[0] = vm;
	s->btf[1] = mod;
	snprintf(s->name[0], sizeof(s->name[0]), "vmlinux");
	snprintf(s->name[1], sizeof(s->name[1]), "vfio_pci_core");
	s->n = 2;
}

static void status(struct hook_status *st, const char *mech, const char *func)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->mechanism, sizeof(st->mechanism), "%s", mech);
	snprintf(st->function, sizeof(st->function), "%s", func);
}

static void test_locate(void **state)
{
	struct btf_set s;
	struct ids id;
	struct hook_status st[9];

	build(&s, &id);
	status(&st[0], "fentry", "vfio_pci_core_mmap");
	status(&st[1], "fexit", "vfio_pci_core_mmap");
	status(&st[2], "kprobe", "vfio_pci_core_mmap");
	status(&st[3], "tp_btf", "vfio_pci_fault");
	status(&st[4], "fexit", "pci_try_reset_function");
	status(&st[5], "tp_btf", "pci_reset");
	status(&st[6], "fentry", "in_both");
	status(&st[7], "fentry", "not_in_this_kernel");
	status(&st[8], "tp_btf", "not_a_tracepoint");
	locate_functions(st, 9, &s);

	for (int i = 0; i < 3; i++) {
		assert_string_equal(st[i].module, "vfio_pci_core");
		assert_int_equal(st[i].btf_id, id.mod_mmap);
	}
	assert_string_equal(st[3].module, "vfio_pci_core");
	assert_int_equal(st[3].btf_id, id.mod_fault_tp);
	assert_string_equal(st[4].module, "vmlinux");
	assert_int_equal(st[4].btf_id, id.vm_reset);
	assert_string_equal(st[5].module, "vmlinux");
	assert_int_equal(st[5].btf_id, id.vm_tp_reset);
	/* vmlinux's copy first, as the kernel's own lookup would take it */
	assert_string_equal(st[6].module, "vmlinux");
	assert_int_equal(st[6].btf_id, id.vm_dup);
	assert_string_equal(st[7].module, "");
	assert_int_equal(st[7].btf_id, 0);
	/* a typedef that is not btf_trace_<name> names no tracepoint */
	assert_string_equal(st[8].module, "");
	assert_int_equal(st[8].btf_id, 0);
	btf__free(s.btf[1]);
	btf__free(s.btf[0]);
}

/* a tracepoint and a function of one name: each mechanism gets its own kind */
static void test_same_name_two_kinds(void **state)
{
	struct btf_set s;
	struct ids id;
	struct hook_status st[2];
	int func;

	build(&s, &id);
	func = add_func(s.btf[1], "vfio_pci_fault", 1);
	status(&st[0], "tp_btf", "vfio_pci_fault");
	status(&st[1], "fentry", "vfio_pci_fault");
	locate_functions(st, 2, &s);
	assert_int_equal(st[0].btf_id, id.mod_fault_tp);
	assert_int_equal(st[1].btf_id, func);
	btf__free(s.btf[1]);
	btf__free(s.btf[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_same_name_two_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
