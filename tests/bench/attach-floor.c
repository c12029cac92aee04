// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * make bench's floor for vfiotopd's attach: the least a loader can do to
 * attach empty programs to the hooks the daemon attached, timed in the
 * daemon's three phases (src/capture/hooks.c: "hooks: BTF lookups, load,
 * attach").
 *
 *   attach-floor [--hold] [FILE]   (FILE, or stdin: "MECHANISM FUNCTION MODULE" a line)
 *
 * MECHANISM is fentry, fexit, kprobe, kretprobe or tp_btf; MODULE is vmlinux
 * or the module whose BTF has the function. Each hook gets one program that
 * returns 0, loaded and attached the way libbpf 1.1 does it for the daemon:
 *  - BTF lookups: vmlinux's BTF and each module's from /sys/kernel/btf, the
 *    module's BTF object in the kernel (its fd), and one pass over each BTF
 *    for the functions (FUNC) and tracepoints (typedef btf_trace_<name>) as
 *    the daemon does (btf_probe.c); kprobes need none of it.
 *  - load: BPF_PROG_LOAD of two instructions, with the attach BTF id.
 *  - attach: BPF_LINK_CREATE for trampolines and BTF tracepoints (libbpf
 *    falls back to RAW_TRACEPOINT_OPEN), the kprobe PMU's perf event plus a
 *    perf link for kprobes (bpf_program__attach_kprobe's way).
 * Everything stays attached until the last hook is, then all is closed;
 * with --hold, until SIGINT or SIGTERM: make bench's floor of a program per
 * fault on the patched kernel's tracepoint (an empty tp_btf program).
 * Prints "ATTACH_FLOOR n=N btf_ms=X load_ms=Y attach_ms=Z total_ms=T failed=K"
 * (N hooks read, K of them not attached, each said on stderr); exits 0 when
 * all attached, 1 when some did not, 2 when the input cannot be read.
 */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BPF_MOV64_IMM(dst, val) \
	((struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = (dst), .imm = (val) })
#define BPF_EXIT_INSN() ((struct bpf_insn){ .code = BPF_JMP | BPF_EXIT })

enum kind { K_FENTRY, K_FEXIT, K_KPROBE, K_KRETPROBE, K_TP_BTF, K_BAD };

static const char *const kind_names[] = { "fentry", "fexit", "kprobe", "kretprobe", "tp_btf" };
static const enum bpf_attach_type attach_type[] = {
	[K_FENTRY] = BPF_TRACE_FENTRY, [K_FEXIT] = BPF_TRACE_FEXIT, [K_TP_BTF] = BPF_TRACE_RAW_TP,
};

/* a BTF to look functions up in: vmlinux's, or a module's split on it */
struct btf_src {
	char name[64];
	struct btf *btf;
	int obj_fd;		/* the module's BTF object in the kernel; 0 for vmlinux */
	int err;		/* why there is no btf */
};

struct hook {
	enum kind kind;
	char mech[32], func[128], module[64];
	char key[160];		/* the BTF name: the function, or btf_trace_<tracepoint> */
	struct btf_src *src;
	__u32 btf_id;
	int prog_fd, pfd, link_fd;
	char why[256];		/* empty while it is going well */
};

static struct hook *hooks;
static int n_hooks;
static struct btf_src srcs[16];
static int n_srcs;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void fail(struct hook *h, const char *phase, const char *what, int err)
{
	snprintf(h->why, sizeof(h->why), "%s: %s%s%s", phase, what, err ? ": " : "",
		 err ? strerror(err) : "");
	fprintf(stderr, "attach-floor: %s %s %s: %s\n", h->mech, h->func, h->module, h->why);
}

static bool uses_btf(const struct hook *h)
{
	return h->kind == K_FENTRY || h->kind == K_FEXIT || h->kind == K_TP_BTF;
}

static int read_hooks(FILE *f)
{
	char line[512], mech[32], func[128], module[64];
	int cap = 0;

	while (fgets(line, sizeof(line), f)) {
		struct hook *h;
		int fields;

		if (line[strspn(line, " \t\r\n")] == '\0' || line[strspn(line, " \t")] == '#')
			continue;
		if (n_hooks == cap) {
			struct hook *more = realloc(hooks, (cap = cap ? 2 * cap : 64) * sizeof(*hooks));

			if (!more)
				return -ENOMEM;
			hooks = more;
		}
		h = &hooks[n_hooks++];
		memset(h, 0, sizeof(*h));
		h->prog_fd = h->pfd = h->link_fd = -1;
		fields = sscanf(line, "%31s %127s %63s", mech, func, module);
		snprintf(h->mech, sizeof(h->mech), "%s", mech);
		snprintf(h->func, sizeof(h->func), "%s", fields >= 2 ? func : "?");
		snprintf(h->module, sizeof(h->module), "%s", fields >= 3 ? module : "?");
		for (h->kind = 0; h->kind < K_BAD; h->kind++)
			if (!strcmp(mech, kind_names[h->kind]))
				break;
		if (fields != 3)
			fail(h, "input", "not \"MECHANISM FUNCTION MODULE\"", 0);
		else if (h->kind == K_BAD)
			fail(h, "input", "unknown mechanism", 0);
		snprintf(h->key, sizeof(h->key), "%s%s", h->kind == K_TP_BTF ? "btf_trace_" : "",
			 h->func);
	}
	return ferror(f) ? -EIO : 0;
}

/* The module's BTF object in the kernel, as libbpf finds it: by name among all BTF ids. */
static int module_btf_fd(const char *name)
{
	__u32 id = 0;

	while (!bpf_btf_get_next_id(id, &id)) {
		char buf[64] = "";
		struct bpf_btf_info info = { .name = (__u64)(unsigned long)buf,
					     .name_len = sizeof(buf) };
		__u32 len = sizeof(info);
		int fd = bpf_btf_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.kernel_btf &&
		    !strcmp(buf, name))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

/* srcs[0] is vmlinux's (btf_phase loads it first); a module's is split on it */
static struct btf_src *get_src(const char *name)
{
	struct btf_src *s;

	for (int i = 0; i < n_srcs; i++)
		if (!strcmp(srcs[i].name, name)) {
			errno = srcs[i].err;
			return srcs[i].btf ? &srcs[i] : NULL;
		}
	if (n_srcs == (int)(sizeof(srcs) / sizeof(srcs[0]))) {
		errno = ENOSPC;
		return NULL;
	}
	s = &srcs[n_srcs++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	if (!strcmp(name, "vmlinux"))
		s->btf = btf__load_vmlinux_btf();
	else if (srcs[0].btf)
		s->btf = btf__load_module_btf(name, srcs[0].btf);
	else
		errno = srcs[0].err;
	if (s->btf && n_srcs > 1) {
		s->obj_fd = module_btf_fd(name);
		if (s->obj_fd < 0) {
			errno = -s->obj_fd;
			btf__free(s->btf);
			s->btf = NULL;
		}
	}
	s->err = s->btf ? 0 : errno;
	return s->btf ? s : NULL;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp((*(struct hook *const *)a)->key, (*(struct hook *const *)b)->key);
}

/* One pass over each BTF's own types: a search in the sorted hooks for each FUNC and typedef. */
static void find_btf_ids(void)
{
	struct hook **sorted = calloc(n_hooks, sizeof(*sorted));
	int n = 0;

	if (!sorted)
		return;
	for (int i = 0; i < n_hooks; i++)
		if (!hooks[i].why[0] && hooks[i].src)
			sorted[n++] = &hooks[i];
	qsort(sorted, n, sizeof(*sorted), cmp_key);
	for (int b = 0; b < n_srcs; b++) {
		const struct btf_src *s = &srcs[b];
		__u32 last, id;

		if (!s->btf)
			continue;
		last = btf__type_cnt(s->btf);
		/* a module's split BTF numbers its own types after vmlinux's */
		id = b ? btf__type_cnt(srcs[0].btf) : 1;
		for (; id < last; id++) {
			const struct btf_type *t = btf__type_by_id(s->btf, id);
			struct hook key, *kp = &key, **hit;

			if (!btf_is_func(t) && !btf_is_typedef(t))
				continue;
			snprintf(key.key, sizeof(key.key), "%s", btf__name_by_offset(s->btf, t->name_off));
			hit = bsearch(&kp, sorted, n, sizeof(*sorted), cmp_key);
			if (!hit)
				continue;
			while (hit > sorted && !strcmp(hit[-1]->key, key.key))
				hit--;
			for (; hit < sorted + n && !strcmp((*hit)->key, key.key); hit++)
				if ((*hit)->src == s && !(*hit)->btf_id &&
				    btf_is_typedef(t) == ((*hit)->kind == K_TP_BTF))
					(*hit)->btf_id = id;
		}
	}
	free(sorted);
}

static void btf_phase(void)
{
	for (int i = 0; i < n_hooks && !n_srcs; i++)
		if (!hooks[i].why[0] && uses_btf(&hooks[i]))
			get_src("vmlinux");
	for (int i = 0; i < n_hooks; i++) {
		struct hook *h = &hooks[i];

		if (h->why[0] || !uses_btf(h))
			continue;
		h->src = get_src(h->module);
		if (!h->src)
			fail(h, "BTF", "no BTF for its module", errno);
	}
	find_btf_ids();
	for (int i = 0; i < n_hooks; i++)
		if (!hooks[i].why[0] && hooks[i].src && !hooks[i].btf_id)
			fail(&hooks[i], "BTF", hooks[i].kind == K_TP_BTF ? "no such tracepoint" :
							 "no such function", 0);
}

static void load_one(struct hook *h, int i)
{
	const struct bpf_insn insns[] = { BPF_MOV64_IMM(BPF_REG_0, 0), BPF_EXIT_INSN() };
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	enum bpf_prog_type type = BPF_PROG_TYPE_KPROBE;
	char name[16], log[4096];

	snprintf(name, sizeof(name), "floor_%d", i);
	if (uses_btf(h)) {
		type = BPF_PROG_TYPE_TRACING;
		opts.expected_attach_type = attach_type[h->kind];
		opts.attach_btf_id = h->btf_id;
		opts.attach_btf_obj_fd = h->src->obj_fd;
	}
	h->prog_fd = bpf_prog_load(type, name, "GPL", insns, 2, &opts);
	if (h->prog_fd >= 0)
		return;
	/* again with the verifier's log, for the reason */
	opts.log_buf = log;
	opts.log_size = sizeof(log);
	opts.log_level = 1;
	log[0] = '\0';
	if (bpf_prog_load(type, name, "GPL", insns, 2, &opts) < 0 && log[0]) {
		char *nl;

		while ((nl = strrchr(log, '\n')) && !nl[1])
			*nl = '\0';
		fail(h, "load", (nl = strrchr(log, '\n')) ? nl + 1 : log, 0);
		return;
	}
	fail(h, "load", "BPF_PROG_LOAD", errno);
}

/* the kprobe PMU's type and its retprobe bit, from sysfs (once) */
static int kprobe_pmu(int *type, int *retbit)
{
	static int t = -1, bit = -1;
	FILE *f;

	if (t < 0 && (f = fopen("/sys/bus/event_source/devices/kprobe/type", "r"))) {
		if (fscanf(f, "%d", &t) != 1)
			t = -1;
		fclose(f);
	}
	if (bit < 0 && (f = fopen("/sys/bus/event_source/devices/kprobe/format/retprobe", "r"))) {
		if (fscanf(f, "config:%d", &bit) != 1)
			bit = -1;
		fclose(f);
	}
	*type = t;
	*retbit = bit;
	return t < 0 || bit < 0 ? -ENOENT : 0;
}

static void attach_kprobe(struct hook *h)
{
	struct perf_event_attr attr = { .size = sizeof(attr) };
	int type, retbit;

	if (kprobe_pmu(&type, &retbit)) {
		fail(h, "attach", "no kprobe PMU (/sys/bus/event_source/devices/kprobe)", 0);
		return;
	}
	attr.type = type;
	attr.config = h->kind == K_KRETPROBE ? 1ULL << retbit : 0;
	attr.config1 = (__u64)(unsigned long)h->func;
	h->pfd = syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (h->pfd < 0) {
		fail(h, "attach", "perf_event_open", errno);
		return;
	}
	h->link_fd = bpf_link_create(h->prog_fd, h->pfd, BPF_PERF_EVENT, NULL);
	if (h->link_fd < 0 && ioctl(h->pfd, PERF_EVENT_IOC_SET_BPF, h->prog_fd) < 0) {
		fail(h, "attach", "BPF_LINK_CREATE and PERF_EVENT_IOC_SET_BPF", errno);
		return;
	}
	if (ioctl(h->pfd, PERF_EVENT_IOC_ENABLE, 0) < 0)
		fail(h, "attach", "PERF_EVENT_IOC_ENABLE", errno);
}

static void attach_one(struct hook *h)
{
	if (!uses_btf(h)) {
		attach_kprobe(h);
		return;
	}
	h->link_fd = bpf_link_create(h->prog_fd, 0, attach_type[h->kind], NULL);
	if (h->link_fd < 0)
		fail(h, "attach", "BPF_LINK_CREATE", errno);
}

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* Waits for SIGINT or SIGTERM, the programs attached. */
static void hold(void)
{
	struct sigaction sa = { .sa_handler = on_stop };
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(int argc, char **argv)
{
	double t0, t1, t2, t3;
	FILE *in = stdin;
	int err, failed = 0, held = 0;

	if (argc > 1 && !strcmp(argv[1], "--hold")) {
		held = 1;
		argv++;
		argc--;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-' && argv[1][1])) {
		fprintf(stderr, "usage: attach-floor [--hold] [FILE]   "
			"(\"MECHANISM FUNCTION MODULE\" a line)\n");
		return 2;
	}
	if (argc == 2 && strcmp(argv[1], "-") && !(in = fopen(argv[1], "r"))) {
		fprintf(stderr, "attach-floor: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	err = read_hooks(in);
	if (err) {
		fprintf(stderr, "attach-floor: cannot read the hooks: %s\n", strerror(-err));
		return 2;
	}
	t0 = now_ms();
	btf_phase();
	t1 = now_ms();
	for (int i = 0; i < n_hooks; i++)
		if (!hooks[i].why[0])
			load_one(&hooks[i], i);
	t2 = now_ms();
	for (int i = 0; i < n_hooks; i++)
		if (!hooks[i].why[0])
			attach_one(&hooks[i]);
	t3 = now_ms();
	for (int i = 0; i < n_hooks; i++)
		failed += hooks[i].why[0] != '\0';
	printf("ATTACH_FLOOR n=%d btf_ms=%.1f load_ms=%.1f attach_ms=%.1f total_ms=%.1f failed=%d\n",
	       n_hooks, t1 - t0, t2 - t1, t3 - t2, t3 - t0, failed);
	fflush(stdout);
	if (held)
		hold();
	for (int i = 0; i < n_hooks; i++) {
		struct hook *h = &hooks[i];

		if (h->link_fd >= 0)
			close(h->link_fd);
		if (h->pfd >= 0)
			close(h->pfd);
		if (h->prog_fd >= 0)
			close(h->prog_fd);
	}
	for (int b = 0; b < n_srcs; b++) {
		if (srcs[b].obj_fd > 0)
			close(srcs[b].obj_fd);
		btf__free(srcs[b].btf);
	}
	free(hooks);
	return failed ? 1 : 0;
}
