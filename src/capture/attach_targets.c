// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/bpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array_size.h"
#include "attach_targets.h"
#include "log.h"

/* where a program attaches: BTF object fd (0: vmlinux) and type id (0: none) */
struct target {
	int btf_fd;
	__u32 btf_id;
};

/* one object loads at a time, from the daemon's main thread */
static struct {
	const struct bpf_object *obj;
	struct target *targets;
	int n;
	int fds[16];		/* the modules' BTF objects opened for it; -1 none */
	char fd_module[16][64];	/* their names */
	int n_fds;
} loading;

/* the slot of a module among those the load needs; -1 not among them */
static int module_slot(const char *module)
{
	for (int k = 0; k < loading.n_fds; k++)
		if (!strcmp(loading.fd_module[k], module))
			return k;
	return -1;
}

/* opens, in one pass over the kernel's BTF objects, those of the modules named */
static void open_module_btfs(void)
{
	__u32 id = 0;

	while (!bpf_btf_get_next_id(id, &id)) {
		char name[64] = "";
		struct bpf_btf_info info = { .name = (uintptr_t)name, .name_len = sizeof(name) };
		__u32 len = sizeof(info);
		int fd = bpf_btf_get_fd_by_id(id), k;

		if (fd < 0)
			continue;
		k = bpf_obj_get_info_by_fd(fd, &info, &len) || !info.kernel_btf ? -1 :
										    module_slot(name);
		if (k >= 0 && loading.fds[k] < 0)
			loading.fds[k] = fd;
		else
			close(fd);
	}
}

static int program_index(const struct bpf_program *prog)
{
	struct bpf_program *p;
	int i = 0;

	bpf_object__for_each_program(p, loading.obj) {
		if (p == prog)
			return i;
		i++;
	}
	return -1;
}

static int prepare_load(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	int i = loading.obj ? program_index(prog) : -1;

	if (i < 0 || i >= loading.n || !loading.targets[i].btf_id) {
		log_err("%s: no BTF id for its target", bpf_program__name(prog));
		return -ESRCH;
	}
	opts->attach_btf_obj_fd = loading.targets[i].btf_fd;
	opts->attach_btf_id = loading.targets[i].btf_id;
	return 0;
}

static int attach(const struct bpf_program *prog, long cookie, struct bpf_link **link)
{
	*link = bpf_program__attach_trace(prog);
	return *link ? 0 : -errno;
}

int attach_targets_register(void)
{
	static const struct {
		const char *sec;
		enum bpf_attach_type type;
	} secs[] = {
		{ "fentry+", BPF_TRACE_FENTRY },
		{ "fexit+", BPF_TRACE_FEXIT },
		{ "tp_btf+", BPF_TRACE_RAW_TP },
	};
	LIBBPF_OPTS(libbpf_prog_handler_opts, opts, .prog_prepare_load_fn = prepare_load,
		    .prog_attach_fn = attach);
	static bool registered;

	for (size_t i = 0; !registered && i < ARRAY_SIZE(secs); i++) {
		int err = libbpf_register_prog_handler(secs[i].sec, BPF_PROG_TYPE_TRACING,
						       secs[i].type, &opts);

		if (err < 0)
			return err;
	}
	registered = true;
	return 0;
}

/* a trampoline or tp_btf program that loads, with the target btf_probe.c found */
static bool needs_target(const struct bpf_program *prog, const struct hook_status *st)
{
	return bpf_program__autoload(prog) && st->btf_id &&
	       bpf_program__type(prog) == BPF_PROG_TYPE_TRACING;
}

int attach_targets_use(struct bpf_object *obj, const struct hook_status *status, int n)
{
	struct bpf_program *prog;
	int i = 0;

	attach_targets_done();
	loading.targets = calloc(n, sizeof(*loading.targets));
	if (!loading.targets)
		return -ENOMEM;
	loading.obj = obj;
	loading.n = n;
	/* the modules the programs attach in, then their BTF objects */
	bpf_object__for_each_program(prog, obj) {
		const struct hook_status *st = &status[i++];

		if (!needs_target(prog, st) || !strcmp(st->module, "vmlinux") ||
		    module_slot(st->module) >= 0)
			continue;
		if (loading.n_fds == (int)ARRAY_SIZE(loading.fds))
			return -E2BIG;
		snprintf(loading.fd_module[loading.n_fds], sizeof(loading.fd_module[0]), "%s",
			 st->module);
		loading.fds[loading.n_fds++] = -1;
	}
	open_module_btfs();
	i = 0;
	bpf_object__for_each_program(prog, obj) {
		const struct hook_status *st = &status[i];
		struct target *t = &loading.targets[i++];
		int k;

		if (!needs_target(prog, st))
			continue;
		k = module_slot(st->module);
		t->btf_fd = k < 0 ? 0 : loading.fds[k];
		if (t->btf_fd < 0) {
			log_err("%s: the kernel has no BTF object of %s", st->program, st->module);
			return -ENOENT;
		}
		t->btf_id = st->btf_id;
	}
	return 0;
}

void attach_targets_done(void)
{
	for (int k = 0; k < loading.n_fds; k++)
		if (loading.fds[k] >= 0)
			close(loading.fds[k]);
	free(loading.targets);
	memset(&loading, 0, sizeof(loading));
}
