// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/bpf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "array_size.h"
#include "attach_targets.h"
#include "btf_probe.h"
#include "hooks.h"
#include "log.h"
#include "map_read.h"
#include "mono_clock.h"
#include "pin.h"
#include "seed_vectors.h"
#include "vfiotop.skel.h"

/* What a load of the capture programs holds: opaque outside this file. */
struct hooks {
	struct vfiotop_bpf *skel;
	struct bpf_link **links;
	struct hook_status *status;
	int n;
	int n_attached;
	struct ring_buffer *rb;
	bool pinned;		/* the counter maps outlive this load */
	uint64_t counters_since_ns;
	int ncpus;		/* possible CPUs: dev_hot has this many entries a slot */
	const struct vtop_dev_hot *hot;		/* dev_hot, mapped */
	size_t hot_len;
	const struct vtop_dev_rare *rare;	/* dev_rare, mapped */
	size_t rare_len;
	const struct vtop_vec_stats *vec;	/* vec_stats, mapped */
	size_t vec_len;
	struct bpf_link *dma_procs_iter;
};

static double now_ms(void)
{
	return mono_ns() / 1e6;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && log_verbosity() < 2)
		return 0;
	if (level == LIBBPF_INFO && log_verbosity() < 1)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

enum family { FAM_FENTRY, FAM_KPROBE, FAM_TRACEPOINT };

static enum family mechanism_family(const char *mech)
{
	if (!strcmp(mech, "tp_btf"))
		return FAM_TRACEPOINT;
	return !strncmp(mech, "kprobe", 6) || !strncmp(mech, "kretprobe", 9) ? FAM_KPROBE :
										FAM_FENTRY;
}

static bool is_exit(const char *mech)
{
	return !strcmp(mech, "fexit") || !strcmp(mech, "kretprobe");
}

/* a map iterator: how the daemon reads a hash map without holding off kprobes */
static bool is_reader(const char *mech)
{
	return !strcmp(mech, "iter");
}

/* what ends a function's context in BPF: attached first, so no entry goes unmatched */
static bool ends_context(const char *mech)
{
	return is_exit(mech) || !strcmp(mech, "tp_btf");
}

/*
 * A kernel tracepoint that tells all a function's hooks gathered: they are
 * not loaded where it is. kernel/patches 0005: vfio_pci_fault carries the
 * fault's duration and the protection (so the memtype) of the page it left.
 */
static const struct {
	const char *tracepoint, *function;
} tracepoint_replaces[] = {
	{ "vfio_pci_fault", "vfio_pci_mmap_fault" },
	{ "vfio_pci_fault", "lookup_memtype" },
};

/*
 * Modules no vfio module needs (kernel/patches 0004 defines the vfio_pci
 * tracepoints in one): a link that holds one keeps nothing from unloading.
 */
static bool is_leaf_module(const char *module)
{
	return !strcmp(module, "vfio_pci_trace");
}

/* what --irq-waits adds: the eventfd each vector takes, and every eventfd read */
static bool is_irq_wait_hook(const char *function)
{
	return !strcmp(function, "eventfd_ctx_fdget") || !strcmp(function, "eventfd_read");
}

static bool kprobes_supported(void)
{
	return access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0;
}

/* Is there a program of this family for the function? */
static bool has_family(const struct hooks *h, const char *func, enum family fam)
{
	for (int i = 0; i < h->n; i++)
		if (!strcmp(h->status[i].function, func) &&
		    mechanism_family(h->status[i].mechanism) == fam)
			return true;
	return false;
}

static bool in_list(char (*list)[64], int n, const char *func)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i], func))
			return true;
	return false;
}

/*
 * Where many tasks may be in the function at once and the kernel preempts
 * tasks in kernel code (7.x), a task preempted inside a trampoline's program
 * turns away every other task entering that program on its CPU until it
 * runs again (the program's recursion_misses): 4 threads reading config
 * space on 2 CPUs of 7.3 lost 28% of their accesses, each whole. A kprobe's
 * program runs with preemption off. A trapped access is a syscall into
 * the device: the kprobe pair's extra cost is small beside it.
 */
static bool prefers_kprobe(const char *func)
{
	return !strcmp(func, "vfio_pci_rw");
}

static enum family choose_family(const struct hooks *h, const struct hooks_opts *opts,
				 const char *func, const char *module, bool force_kprobe)
{
	enum family want = FAM_FENTRY;

	if (opts->kprobes_only || force_kprobe || prefers_kprobe(func) ||
	    (strcmp(module, "vmlinux") && !opts->pin_modules))
		want = FAM_KPROBE;
	if (want == FAM_KPROBE && (!kprobes_supported() || !has_family(h, func, FAM_KPROBE)))
		want = FAM_FENTRY;
	if (want == FAM_FENTRY && !has_family(h, func, FAM_FENTRY))
		want = FAM_KPROBE;
	return want;
}

static bool selected(const struct hooks *h, const char *function)
{
	for (int i = 0; i < h->n; i++)
		if (h->status[i].selected && !strcmp(h->status[i].function, function))
			return true;
	return false;
}

static void replace_by_tracepoints(struct hooks *h)
{
	struct bpf_program *prog;

	for (size_t t = 0; t < ARRAY_SIZE(tracepoint_replaces); t++) {
		int i = 0;

		if (!selected(h, tracepoint_replaces[t].tracepoint))
			continue;
		bpf_object__for_each_program(prog, h->skel->obj) {
			struct hook_status *st = &h->status[i++];

			if (st->selected && !strcmp(st->function, tracepoint_replaces[t].function)) {
				st->selected = false;
				bpf_program__set_autoload(prog, false);
			}
		}
	}
}

/*
 * A function and the one that replaced it upstream: where a kernel has both
 * (the old one a wrapper of the new), count through the new one only.
 */
static const struct {
	const char *old, *new;
} superseded[] = {
	{ "zap_page_range_single", "zap_vma_range_batched" },
};

static bool located(const struct hooks *h, const char *func)
{
	for (int i = 0; i < h->n; i++)
		if (h->status[i].module[0] && !strcmp(h->status[i].function, func))
			return true;
	return false;
}

static bool is_superseded(const struct hooks *h, const char *func)
{
	for (size_t i = 0; i < ARRAY_SIZE(superseded); i++)
		if (!strcmp(func, superseded[i].old) && located(h, superseded[i].new))
			return true;
	return false;
}

/* Decides which programs load; forced: functions whose fentry would not attach. */
static void select_programs(struct hooks *h, const struct btf_set *btfs,
			    const struct hooks_opts *opts, char (*forced)[64], int n_forced)
{
	struct bpf_program *prog;
	int i = 0;

	bpf_object__for_each_program(prog, h->skel->obj) {
		struct hook_status *st = &h->status[i++];
		const char *sec = bpf_program__section_name(prog);
		const char *slash = strchr(sec, '/');

		memset(st, 0, sizeof(*st));
		snprintf(st->mechanism, sizeof(st->mechanism), "%.*s",
			 slash ? (int)(slash - sec) : 0, sec);
		snprintf(st->function, sizeof(st->function), "%s", slash ? slash + 1 : sec);
		snprintf(st->program, sizeof(st->program), "%s", bpf_program__name(prog));
	}
	locate_functions(h->status, h->n, btfs);
	i = 0;
	bpf_object__for_each_program(prog, h->skel->obj) {
		struct hook_status *st = &h->status[i++];
		const char *module = st->module;
		enum family fam;

		/* the daemon's readers, not hooks: always loaded, never listed */
		if (is_reader(st->mechanism)) {
			bpf_program__set_autoload(prog, true);
			continue;
		}
		if (mechanism_family(st->mechanism) == FAM_TRACEPOINT) {
			/*
			 * our patched kernel's tracepoints: optional, and a link on a
			 * module tracepoint holds the module, like a trampoline
			 */
			st->selected = module[0] &&
				       (opts->pin_modules || !strcmp(module, "vmlinux") ||
					is_leaf_module(module)) &&
				       !in_list(forced, n_forced, st->function);
			bpf_program__set_autoload(prog, st->selected);
			continue;
		}
		if (module[0] && is_superseded(h, st->function)) {
			st->selected = false;
			bpf_program__set_autoload(prog, false);
			continue;
		}
		if (!module[0]) {
			/* report the function once per fentry-family program */
			st->selected = mechanism_family(st->mechanism) == FAM_FENTRY ||
				       !has_family(h, st->function, FAM_FENTRY);
			snprintf(st->why, sizeof(st->why), "not in this kernel");
			bpf_program__set_autoload(prog, false);
			continue;
		}
		fam = choose_family(h, opts, st->function, module,
				    in_list(forced, n_forced, st->function));
		st->selected = mechanism_family(st->mechanism) == fam &&
			       (opts->memtype_faults || strcmp(st->function, "lookup_memtype")) &&
			       (opts->irq_waits || !is_irq_wait_hook(st->function));
		bpf_program__set_autoload(prog, st->selected);
	}
	replace_by_tracepoints(h);
}

static bool attach_one(struct hooks *h, struct bpf_program *prog, int i)
{
	struct hook_status *st = &h->status[i];
	struct bpf_link *link = bpf_program__attach(prog);

	if (!link) {
		snprintf(st->why, sizeof(st->why), "attach failed: %s", strerror(errno));
		log_warn("hook %s (%s %s) not attached: %s", st->program, st->mechanism,
			 st->function, strerror(errno));
		return false;
	}
	h->links[i] = link;
	st->attached = true;
	h->n_attached++;
	return true;
}

/* An entry hook whose exit did not attach would leave its context open. */
static bool exit_failed(const struct hooks *h, const char *function)
{
	for (int i = 0; i < h->n; i++) {
		const struct hook_status *st = &h->status[i];

		if (st->selected && !st->attached && ends_context(st->mechanism) &&
		    !strcmp(st->function, function))
			return true;
	}
	return false;
}

/*
 * Attaches every selected program, the ones that end a context first: a task
 * entering the function meanwhile must not be left with an entry and no exit.
 * Returns a function to load again another way (kprobes for a trampoline,
 * the exit hook for a tracepoint), if any.
 */
static const char *attach_programs(struct hooks *h)
{
	const char *fallback = NULL;
	struct bpf_program *prog;

	for (int pass = 0; pass < 2; pass++) {
		int i = 0;

		bpf_object__for_each_program(prog, h->skel->obj) {
			struct hook_status *st = &h->status[i];
			enum family fam = mechanism_family(st->mechanism);

			if (pass == 0)
				h->links[i] = NULL;
			i++;
			if (!bpf_program__autoload(prog) || is_reader(st->mechanism) ||
			    ends_context(st->mechanism) == pass)
				continue;
			if (pass == 1 && exit_failed(h, st->function)) {
				snprintf(st->why, sizeof(st->why), "its exit hook did not attach");
				continue;
			}
			if (attach_one(h, prog, i - 1))
				continue;
			if (fam == FAM_TRACEPOINT ||
			    (fam == FAM_FENTRY && kprobes_supported() &&
			     has_family(h, st->function, FAM_KPROBE))) {
				fallback = fallback ?: st->function;
			}
		}
	}
	return fallback;
}

/*
 * What the daemon reads the maps through, none of it a map syscall (see
 * common.bpf.h): dev_hot and dev_rare mapped, dma_procs by its iterator;
 * .bss is the skeleton's mapping.
 */
/* vectors set up before this attach (seed_vectors.c): counted from now on */
static void seed_known_vectors(struct hooks *h)
{
	FILE *proc = fopen("/proc/interrupts", "re");
	int n;

	if (!proc) {
		log_warn("/proc/interrupts: %s: vectors set up before this attach are not counted",
			 strerror(errno));
		return;
	}
	n = seed_vectors(h->skel, proc);
	fclose(proc);
	if (n)
		log_info("%d interrupt vector%s set up before this attach: counted from now on", n,
			 n == 1 ? "" : "s");
}

static int open_readers(struct hooks *h)
{
	union bpf_iter_link_info linfo = { .map.map_fd = bpf_map__fd(h->skel->maps.dma_procs) };
	LIBBPF_OPTS(bpf_iter_attach_opts, iter, .link_info = &linfo,
		    .link_info_len = sizeof(linfo));
	int err;

	h->hot = map_view_open(bpf_map__fd(h->skel->maps.dev_hot), &h->hot_len);
	if (h->hot)
		h->rare = map_view_open(bpf_map__fd(h->skel->maps.dev_rare), &h->rare_len);
	if (h->rare)
		h->vec = map_view_open(bpf_map__fd(h->skel->maps.vec_stats), &h->vec_len);
	if (!h->hot || !h->rare || !h->vec) {
		err = -errno;
		log_err("cannot map the counters (%s): %s",
			!h->hot ? "dev_hot" : !h->rare ? "dev_rare" : "vec_stats", strerror(errno));
		return err;
	}
	h->dma_procs_iter = bpf_program__attach_iter(h->skel->progs.dump_dma_procs, &iter);
	if (!h->dma_procs_iter) {
		err = -errno;
		log_err("cannot attach the DMA process reader: %s", strerror(errno));
		return err;
	}
	return 0;
}

/* One attempt: open, select, load, attach. */
static int hooks_try(struct hooks *h, const struct hooks_opts *opts, char (*forced)[64],
		     int n_forced, char *fallback, size_t fallback_len)
{
	struct bpf_program *prog;
	struct btf_set btfs;
	const char *failed;
	double t0, t1, t2;
	int err, n = 0;

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
	if (!h->status || !h->links)
		return -ENOMEM;

	h->ncpus = libbpf_num_possible_cpus();
	if (h->ncpus <= 0)
		return h->ncpus ?: -EINVAL;
	h->skel->rodata->stats_cpus = h->ncpus;
	err = bpf_map__set_max_entries(h->skel->maps.dev_hot,
				       VTOP_MAX_DEVICES * (uint32_t)h->ncpus);
	if (err)
		return err;
	h->pinned = prepare_maps(h->skel, opts->pin_dir, opts->stall_ns);

	t0 = now_ms();
	btf_set_load(&btfs);
	select_programs(h, &btfs, opts, forced, n_forced);
	btf_set_free(&btfs);
	h->skel->rodata->fault_by_tracepoint = selected(h, "vfio_pci_fault");
	h->skel->rodata->irq_waits = selected(h, "eventfd_read") &&
				     selected(h, "eventfd_ctx_fdget");
	t1 = now_ms();
	err = attach_targets_use(h->skel->obj, h->status, h->n);
	if (err) {
		attach_targets_done();
		return err;
	}
	err = vfiotop_bpf__load(h->skel);
	attach_targets_done();
	t2 = now_ms();
	if (err && selected(h, "vfio_pci_fault")) {
		/*
		 * the program reads the arguments kernel/patches 0005 gives it: a
		 * patched vfio-pci of an older vfiotop has fewer
		 */
		log_warn("the vfio_pci_fault tracepoint's program did not load (%s): vfio-pci "
			 "patched by another vfiotop version? Loading again without it",
			 strerror(-err));
		snprintf(fallback, fallback_len, "vfio_pci_fault");
		return 0;
	}
	if (err) {
		log_err("failed to load BPF programs: %s (run with -vv for the verifier log)",
			strerror(-err));
		return err;
	}
	h->counters_since_ns = h->skel->bss->counters_since_ns;
	err = open_readers(h);
	if (err)
		return err;
	seed_known_vectors(h);
	failed = attach_programs(h);
	log_info("hooks: BTF lookups %.0f ms, load %.0f ms, attach %.0f ms", t1 - t0, t2 - t1,
		 now_ms() - t2);
	fallback[0] = '\0';
	if (failed)
		snprintf(fallback, fallback_len, "%s", failed);
	return 0;
}

int hooks_start(struct hooks *h, const struct hooks_opts *opts, ring_buffer_sample_fn on_event,
		void *ctx)
{
	char forced[8][64], fallback[64];
	int err, n_forced = 0;

	libbpf_set_print(libbpf_log);
	err = attach_targets_register();
	if (err) {
		log_err("cannot register the trampoline programs' loader: %s", strerror(-err));
		return err;
	}
	if (opts->pin_dir && opts->reset) {
		log_info("--reset: removing the counters pinned in %s", opts->pin_dir);
		unpin_maps(opts->pin_dir);
	}
	for (;;) {
		memset(h, 0, sizeof(*h));
		err = hooks_try(h, opts, forced, n_forced, fallback, sizeof(fallback));
		if (err) {
			hooks_stop(h);
			return err;
		}
		if (!fallback[0] || n_forced == 8)
			break;
		/*
		 * a trampoline refused this function: load again with kprobes for it;
		 * or a tracepoint failed: with the hooks it replaces
		 */
		if (strcmp(fallback, "vfio_pci_fault"))
			log_info("%s: fentry/fexit did not attach, falling back to kprobes",
				 fallback);
		snprintf(forced[n_forced++], sizeof(forced[0]), "%s", fallback);
		hooks_stop(h);
	}
	h->rb = ring_buffer__new(bpf_map__fd(h->skel->maps.events), on_event, ctx, NULL);
	if (!h->rb) {
		err = -errno;
		log_err("failed to open the event ring buffer: %s", strerror(errno));
		hooks_stop(h);
		return err;
	}
	log_info("attached %d hooks", h->n_attached);
	for (int i = 0; i < h->n; i++)
		if (h->status[i].attached)
			log_debug("  %-10s %s (%s)", h->status[i].mechanism, h->status[i].function,
				  h->status[i].module);
	return 0;
}

void hooks_stop(struct hooks *h)
{
	ring_buffer__free(h->rb);
	for (int i = 0; h->links && i < h->n; i++)
		bpf_link__destroy(h->links[i]);
	bpf_link__destroy(h->dma_procs_iter);
	map_view_close(h->hot, h->hot_len);
	map_view_close(h->rare, h->rare_len);
	map_view_close(h->vec, h->vec_len);
	vfiotop_bpf__destroy(h->skel);
	free(h->links);
	free(h->status);
	memset(h, 0, sizeof(*h));
}

struct hooks *hooks_new(void)
{
	return calloc(1, sizeof(struct hooks));
}

void hooks_free(struct hooks *h)
{
	if (!h)
		return;
	hooks_stop(h);
	free(h);
}

bool hooks_running(const struct hooks *h)
{
	return h->rb != NULL;
}

int hooks_ring_fd(const struct hooks *h)
{
	return h->rb ? ring_buffer__epoll_fd(h->rb) : -1;
}

void hooks_consume(struct hooks *h)
{
	if (h->rb)
		ring_buffer__consume(h->rb);
}

bool hooks_pinned(const struct hooks *h, uint64_t *counters_since_ns)
{
	if (h->pinned && counters_since_ns)
		*counters_since_ns = h->counters_since_ns;
	return h->pinned;
}

const struct hook_status *hooks_status(const struct hooks *h, int *n)
{
	*n = h->n;
	return h->status;
}

int hooks_map_memory(const struct hooks *h, struct map_memory *out, int max)
{
	struct bpf_map *map;
	int n = 0;

	if (!h->skel)
		return 0;
	bpf_object__for_each_map(map, h->skel->obj) {
		const char *name = bpf_map__name(map), *dot = strrchr(name, '.');

		if (n == max || bpf_map__fd(map) < 0)
			continue;
		/* libbpf's own are "vfiotop_.rodata", ".bss": no dot in a JSON path */
		snprintf(out[n].name, sizeof(out[n].name), "%s", dot ? dot + 1 : name);
		out[n++].bytes = map_memlock(bpf_map__fd(map));
	}
	return n;
}

int hooks_stats_map_fd(const struct hooks *h)
{
	return h->skel ? bpf_map__fd(h->skel->maps.dev_hot) : -1;
}

uint32_t hooks_slot_devices(const struct hooks *h, uint32_t *keys, bool *given, uint32_t max)
{
	uint32_t used;

	if (!h->skel || !h->skel->bss)
		return 0;
	used = __atomic_load_n(&h->skel->bss->next_slot, __ATOMIC_ACQUIRE);
	if (used > max)
		used = max;
	if (used > VTOP_MAX_DEVICES)
		used = VTOP_MAX_DEVICES;
	for (uint32_t s = 0; s < used; s++) {
		uint64_t v = __atomic_load_n(&h->skel->bss->slot_dev[s], __ATOMIC_ACQUIRE);

		/* taken by a CPU that lost the race for its device, or not yet written */
		given[s] = v & VTOP_SLOT_USED;
		keys[s] = (uint32_t)v;
	}
	return used;
}

bool hooks_slot_counters(const struct hooks *h, uint32_t slot, const struct vtop_dev_hot **percpu,
			 const struct vtop_dev_rare **rare)
{
	if (!h->hot || !h->rare || slot >= VTOP_MAX_DEVICES)
		return false;
	*percpu = h->hot + vtop_stats_index(slot, 0, h->ncpus);
	*rare = h->rare + slot;
	return true;
}

bool hooks_slot_power(const struct hooks *h, uint32_t slot, struct vtop_power_now *out)
{
	if (!h->skel || !h->skel->bss || slot >= VTOP_MAX_DEVICES)
		return false;
	*out = h->skel->bss->power_now[slot];
	return out->since_ns != 0;
}

uint32_t hooks_dma_procs(const struct hooks *h, uint32_t *tgids, struct vtop_dma_proc *procs,
			 uint32_t max)
{
	if (!h->dma_procs_iter)
		return 0;
	return map_read_iter(bpf_link__fd(h->dma_procs_iter), tgids, sizeof(*tgids), procs,
			     sizeof(*procs), max);
}

const struct vtop_vec_stats *hooks_vectors(const struct hooks *h, uint32_t *n)
{
	uint32_t given;

	if (!h->vec || !h->skel || !h->skel->bss) {
		*n = 0;
		return NULL;
	}
	given = __atomic_load_n(&h->skel->bss->next_vec, __ATOMIC_ACQUIRE);
	*n = given < VTOP_MAX_VECTORS ? given : VTOP_MAX_VECTORS;
	return h->vec;
}

void hooks_dma_totals(const struct hooks *h, struct vtop_dma_stats *out)
{
	if (h->skel && h->skel->bss)
		*out = h->skel->bss->dma_totals;
	else
		memset(out, 0, sizeof(*out));
}

void hooks_self_stats(const struct hooks *h, struct vtop_self_stats *out)
{
	if (h->skel && h->skel->bss)
		*out = h->skel->bss->self_stats;
	else
		memset(out, 0, sizeof(*out));
}

uint64_t hooks_prog_misses(const struct hooks *h)
{
	struct bpf_program *prog;
	uint64_t n = 0;

	if (!h->skel)
		return 0;
	int i = 0;

	bpf_object__for_each_program(prog, h->skel->obj) {
		const struct hook_status *st = &h->status[i++];
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		/*
		 * vmlinux functions run for every driver: most of their misses
		 * are not vfio's, so only the vfio modules' hooks are counted
		 */
		if (!st->attached || !strcmp(st->module, "vmlinux"))
			continue;
		memset(&info, 0, sizeof(info));
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			n += info.recursion_misses;
	}
	return n;
}
