// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/btf.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hooks.h"
#include "log.h"
#include "vfiotop.skel.h"

#define SYS_BTF "/sys/kernel/btf"

bool hooks_vfio_present(void)
{
	return access(SYS_BTF "/vfio_pci_core", F_OK) == 0;
}

/* The BTF of vmlinux and of every loaded vfio module, searched in that order. */
struct btf_set {
	struct btf *btf[16];
	char name[16][64];
	int n;
};

static void btf_set_load(struct btf_set *s)
{
	struct dirent *de;
	DIR *d;

	memset(s, 0, sizeof(*s));
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
		if (strncmp(de->d_name, "vfio", 4))
			continue;
		s->btf[s->n] = btf__load_module_btf(de->d_name, s->btf[0]);
		if (!s->btf[s->n])
			continue;
		snprintf(s->name[s->n], sizeof(s->name[0]), "%s", de->d_name);
		s->n++;
	}
	closedir(d);
}

static void btf_set_free(struct btf_set *s)
{
	/* module BTFs are split on vmlinux's: free them first */
	for (int i = s->n - 1; i >= 0; i--)
		btf__free(s->btf[i]);
	s->n = 0;
}

static const char *btf_set_find_func(const struct btf_set *s, const char *func)
{
	for (int i = 0; i < s->n; i++)
		if (btf__find_by_name_kind(s->btf[i], func, BTF_KIND_FUNC) > 0)
			return s->name[i];
	return NULL;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && log_verbosity() < 2)
		return 0;
	if (level == LIBBPF_INFO && log_verbosity() < 1)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Decides which programs load: their target must exist in this kernel's BTF. */
static void select_programs(struct hooks *h, const struct btf_set *btfs)
{
	struct bpf_program *prog;
	int i = 0;

	bpf_object__for_each_program(prog, h->skel->obj) {
		struct hook_status *st = &h->status[i++];
		const char *sec = bpf_program__section_name(prog);
		const char *slash = strchr(sec, '/');
		const char *module;

		snprintf(st->mechanism, sizeof(st->mechanism), "%.*s",
			 slash ? (int)(slash - sec) : 0, sec);
		snprintf(st->function, sizeof(st->function), "%s", slash ? slash + 1 : sec);
		snprintf(st->program, sizeof(st->program), "%s", bpf_program__name(prog));
		module = btf_set_find_func(btfs, st->function);
		if (module) {
			snprintf(st->module, sizeof(st->module), "%s", module);
			continue;
		}
		bpf_program__set_autoload(prog, false);
		snprintf(st->why, sizeof(st->why), "not in this kernel");
		log_debug("hook %s: %s not in this kernel, skipped", st->program, st->function);
	}
}

static void attach_programs(struct hooks *h)
{
	struct bpf_program *prog;
	int i = 0;

	bpf_object__for_each_program(prog, h->skel->obj) {
		struct hook_status *st = &h->status[i];
		struct bpf_link *link;

		h->links[i++] = NULL;
		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			snprintf(st->why, sizeof(st->why), "attach failed: %s", strerror(errno));
			log_warn("hook %s (%s %s) not attached: %s", st->program, st->mechanism,
				 st->function, strerror(errno));
			continue;
		}
		h->links[i - 1] = link;
		st->attached = true;
		h->n_attached++;
	}
}

int hooks_start(struct hooks *h, ring_buffer_sample_fn on_event, void *ctx)
{
	struct bpf_program *prog;
	struct btf_set btfs;
	int err, n = 0;

	memset(h, 0, sizeof(*h));
	libbpf_set_print(libbpf_log);
	h->skel = vfiotop_bpf__open();
	if (!h->skel) {
		err = -errno;
		log_err("failed to open BPF object: %s", strerror(errno));
		return err;
	}
	bpf_object__for_each_program(prog, h->skel->obj)
		n++;
	h->n = n;
	h->status = calloc(n, sizeof(*h->status));
	h->links = calloc(n, sizeof(*h->links));
	if (!h->status || !h->links) {
		hooks_stop(h);
		return -ENOMEM;
	}

	btf_set_load(&btfs);
	select_programs(h, &btfs);
	btf_set_free(&btfs);

	err = vfiotop_bpf__load(h->skel);
	if (err) {
		log_err("failed to load BPF programs: %s (run with -vv for the verifier log)",
			strerror(-err));
		hooks_stop(h);
		return err;
	}
	attach_programs(h);
	h->rb = ring_buffer__new(bpf_map__fd(h->skel->maps.events), on_event, ctx, NULL);
	if (!h->rb) {
		err = -errno;
		log_err("failed to open the event ring buffer: %s", strerror(errno));
		hooks_stop(h);
		return err;
	}
	log_info("attached %d of %d hooks", h->n_attached, h->n);
	return 0;
}

void hooks_stop(struct hooks *h)
{
	ring_buffer__free(h->rb);
	for (int i = 0; h->links && i < h->n; i++)
		bpf_link__destroy(h->links[i]);
	vfiotop_bpf__destroy(h->skel);
	free(h->links);
	free(h->status);
	memset(h, 0, sizeof(*h));
}

int hooks_stats_map_fd(const struct hooks *h)
{
	return h->skel ? bpf_map__fd(h->skel->maps.dev_stats) : -1;
}

void hooks_self_stats(const struct hooks *h, struct vtop_self_stats *out)
{
	if (h->skel && h->skel->bss)
		*out = h->skel->bss->self_stats;
	else
		memset(out, 0, sizeof(*out));
}
