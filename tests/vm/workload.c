// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A known vfio-pci workload for vfiotop's VM tests.
 *
 * Runs inside the test guest against an emulated device bound to vfio-pci:
 * maps one BAR, faults it in page by page, toggles PCI_COMMAND_MEMORY (each
 * clear zaps the mapping), optionally provokes SIGBUS, pins the BAR for DMA
 * and resets the device. It then prints what it did as one line,
 *
 *	VFIOTOP-WORKLOAD {"bdf":"0000:01:00.0",...}
 *
 * so that the test can compare vfiotop's counters against the ground truth.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

/* vfio-pci puts each region at index << 40 in the device fd. */
_Static_assert(sizeof(off_t) == 8, "vfio region offsets need a 64-bit off_t");

#define PROG		"workload"
#define TAG		"VFIOTOP-WORKLOAD "
#define TOUCH_STRIDE	4096UL
#define WAIT_POLL_NS	(20 * 1000 * 1000L)
#define MAX_COUNT	1000000UL	/* rounds, resets, SIGBUS attempts */

struct options {
	const char *bdf;
	unsigned int bar;
	unsigned long rounds;
	bool dma_map;
	unsigned long resets;
	unsigned long sigbus;
	const char *wait_file;
	uint64_t iova;
	uint64_t align;		/* map at a multiple of this (0: where mmap puts it) */
	uint64_t offset;	/* ... plus this */
};

struct vfio {
	int container;
	int group;
	int device;
	off_t cmd_off;		/* PCI_COMMAND in the device fd */
	uint16_t cmd;		/* PCI_COMMAND as first read */
	uint64_t bar_size;
	off_t bar_off;
	volatile uint8_t *map;
};

/* What the workload did: the ground truth that gets printed. */
struct truth {
	unsigned long mem_disable_writes;
	unsigned long mem_enable_writes;
	unsigned long sigbus_delivered;
	bool dma_map_ok;
	int dma_map_errno;
	double dma_map_ms;
	bool dma_unmap_ok;
	int dma_unmap_errno;
	unsigned long resets_ok;
	unsigned long resets_failed;
	double *reset_ms;
	int *reset_errno;
	double touch_ms;	/* all rounds' touches: the cost of faulting the BAR in */
};

/* Only the SIGBUS handler's state is global: it cannot be handed a context. */
static sigjmp_buf sigbus_env;
static volatile sig_atomic_t sigbus_armed;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " --bdf DDDD:BB:DD.F [--bar 0-5] [--rounds N] [--dma-map]\n"
		"                [--resets K] [--sigbus M] [--wait-file PATH] [--iova ADDR]\n"
		"                [--align BYTES] [--offset BYTES]\n");
}

static void __attribute__((noreturn, format(printf, 1, 2))) bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	exit(2);
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Like die(), for a failed call: names the step and says why it failed. */
static void __attribute__((noreturn)) die_errno(const char *step)
{
	die("%s: %s", step, strerror(errno));
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t parse_u64(const char *opt, const char *s, int base, uint64_t max)
{
	unsigned long long v;
	char *end;

	/* strtoull() would quietly negate "-1" */
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		bad_usage("%s: '%s' is not a number", opt, s);
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end)
		bad_usage("%s: '%s' is not a number", opt, s);
	if (v > max)
		bad_usage("%s: %s is out of range (at most %" PRIu64 ")", opt, s, max);
	return v;
}

/* vfio wants the full name, as in /sys/bus/pci/devices: DDDD:BB:DD.F */
static bool bdf_valid(const char *s)
{
	unsigned int dom, bus, dev, fn;
	int n = -1;

	if (strlen(s) != 12 || strspn(s, "0123456789abcdefABCDEF:.") != 12)
		return false;
	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &n) != 4 || n != 12)
		return false;
	return dev < 32 && fn < 8;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_BDF = 256, OPT_BAR, OPT_ROUNDS, OPT_DMA_MAP, OPT_RESETS,
	       OPT_SIGBUS, OPT_WAIT_FILE, OPT_IOVA, OPT_ALIGN, OPT_OFFSET, OPT_HELP };
	static const struct option longopts[] = {
		{ "bdf",	required_argument, NULL, OPT_BDF },
		{ "bar",	required_argument, NULL, OPT_BAR },
		{ "rounds",	required_argument, NULL, OPT_ROUNDS },
		{ "dma-map",	no_argument,	   NULL, OPT_DMA_MAP },
		{ "resets",	required_argument, NULL, OPT_RESETS },
		{ "sigbus",	required_argument, NULL, OPT_SIGBUS },
		{ "wait-file",	required_argument, NULL, OPT_WAIT_FILE },
		{ "iova",	required_argument, NULL, OPT_IOVA },
		{ "align",	required_argument, NULL, OPT_ALIGN },
		{ "offset",	required_argument, NULL, OPT_OFFSET },
		{ "help",	no_argument,	   NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){
		.bar = VFIO_PCI_BAR2_REGION_INDEX,
		.rounds = 3,
		.resets = 1,
		.iova = 1ULL << 32,
	};
	/* our own messages only, one line per mistake; ':' reports a missing argument */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_BDF:
			if (!bdf_valid(optarg))
				bad_usage("--bdf: '%s' is not a PCI address like 0000:01:00.0",
					  optarg);
			o->bdf = optarg;
			break;
		case OPT_BAR:
			o->bar = (unsigned int)parse_u64("--bar", optarg, 10,
							 VFIO_PCI_BAR5_REGION_INDEX);
			break;
		case OPT_ROUNDS:
			o->rounds = parse_u64("--rounds", optarg, 10, MAX_COUNT);
			break;
		case OPT_DMA_MAP:
			o->dma_map = true;
			break;
		case OPT_RESETS:
			o->resets = parse_u64("--resets", optarg, 10, MAX_COUNT);
			break;
		case OPT_SIGBUS:
			o->sigbus = parse_u64("--sigbus", optarg, 10, MAX_COUNT);
			break;
		case OPT_WAIT_FILE:
			if (!*optarg)
				bad_usage("--wait-file: empty path");
			o->wait_file = optarg;
			break;
		case OPT_IOVA:
			o->iova = parse_u64("--iova", optarg, 0, UINT64_MAX);
			break;
		case OPT_ALIGN:
			o->align = parse_u64("--align", optarg, 0, 1ULL << 40);
			if (o->align & (o->align - 1) || (o->align && o->align < 4096))
				bad_usage("--align: must be a power of two >= 4096");
			break;
		case OPT_OFFSET:
			o->offset = parse_u64("--offset", optarg, 0, 1ULL << 40);
			if (o->offset & 4095)
				bad_usage("--offset: must be a multiple of 4096");
			break;
		case OPT_HELP:
			usage(stdout);
			exit(0);
		case ':':
			bad_usage("%s needs an argument", argv[optind - 1]);
		default:
			/* long options leave their own value (>= 256) or 0 in optopt */
			if (optopt > 0 && optopt < 256)
				bad_usage("unknown option '-%c'", optopt);
			bad_usage("unknown or malformed option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument '%s'", argv[optind]);
	if (!o->bdf)
		bad_usage("--bdf is required");
}

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

static void vfio_open(const char *bdf, struct vfio *v)
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
			struct vfio_region_info *info)
{
	/* no room for capabilities: the kernel then just reports the basics */
	*info = (struct vfio_region_info){ .argsz = sizeof(*info), .index = index };
	if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, info))
		die("VFIO_DEVICE_GET_REGION_INFO(%s): %s", what, strerror(errno));
}

static void vfio_regions(unsigned int bar, struct vfio *v)
{
	struct vfio_region_info info;
	char what[8];

	snprintf(what, sizeof(what), "BAR%u", bar);
	region_info(v, VFIO_PCI_BAR0_REGION_INDEX + bar, what, &info);
	if (!info.size)
		die("%s is not implemented by this device", what);
	if (!(info.flags & VFIO_REGION_INFO_FLAG_MMAP))
		die("%s cannot be mmapped (region flags 0x%x)", what, info.flags);
	if (info.size > SIZE_MAX || info.offset > (uint64_t)INT64_MAX)
		die("%s: size 0x%llx at 0x%llx does not fit this process", what,
		    (unsigned long long)info.size, (unsigned long long)info.offset);
	v->bar_size = info.size;
	v->bar_off = (off_t)info.offset;

	region_info(v, VFIO_PCI_CONFIG_REGION_INDEX, "config", &info);
	v->cmd_off = (off_t)info.offset + PCI_COMMAND;
}

static uint16_t read_command(const struct vfio *v)
{
	uint16_t le;
	ssize_t n = pread(v->device, &le, sizeof(le), v->cmd_off);

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
static void write_command(const struct vfio *v, bool mem_on, struct truth *t)
{
	uint16_t cmd = mem_on ? v->cmd | PCI_COMMAND_MEMORY : v->cmd & ~PCI_COMMAND_MEMORY;
	uint16_t le = htole16(cmd);
	ssize_t n = pwrite(v->device, &le, sizeof(le), v->cmd_off);

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
static void map_bar(struct vfio *v, const struct options *o)
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

static unsigned long pages_per_round(const struct vfio *v)
{
	return (v->bar_size + TOUCH_STRIDE - 1) / TOUCH_STRIDE;
}

/* One write per 4 KiB page: each is a fault if the mapping was zapped. */
static void touch_pages(const struct vfio *v, uint8_t val)
{
	for (uint64_t off = 0; off < v->bar_size; off += TOUCH_STRIDE)
		v->map[off] = val;
}

static void on_sigbus(int sig)
{
	static const char msg[] = PROG ": unexpected SIGBUS\n";
	ssize_t n;

	(void)sig;
	if (!sigbus_armed) {
		n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
		(void)n;
		_exit(1);
	}
	sigbus_armed = 0;
	/* a fault cannot be returned from: the write would just be retried */
	siglongjmp(sigbus_env, 1);
}

static void install_sigbus_handler(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL))
		die_errno("sigaction SIGBUS");
}

/*
 * Writes one byte; true if that raised SIGBUS. Kept tiny so that nothing
 * live across sigsetjmp() can be clobbered by the siglongjmp().
 */
static bool touch_raises_sigbus(volatile uint8_t *p)
{
	/* savemask: SIGBUS is blocked inside the handler we jump out of */
	if (sigsetjmp(sigbus_env, 1))
		return true;
	sigbus_armed = 1;
	*p = 0x5a;
	sigbus_armed = 0;
	return false;
}

static void run_rounds(const struct options *o, const struct vfio *v, struct truth *t)
{
	for (unsigned long r = 0; r < o->rounds; r++) {
		double start = now_ms();

		touch_pages(v, (uint8_t)(r + 1));
		t->touch_ms += now_ms() - start;
		write_command(v, false, t);
		write_command(v, true, t);
	}
}

static void run_sigbus(const struct options *o, const struct vfio *v, struct truth *t)
{
	if (!o->sigbus)
		return;
	/* the clear zaps the mapping, so every touch below faults */
	write_command(v, false, t);
	for (unsigned long i = 0; i < o->sigbus; i++)
		if (touch_raises_sigbus(v->map))
			t->sigbus_delivered++;
	write_command(v, true, t);
}

/* Pins the whole BAR mapping for (peer-to-peer) DMA, then unpins it. */
static void run_dma_map(const struct options *o, const struct vfio *v, struct truth *t)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)v->map,
		.iova = o->iova,
		.size = v->bar_size,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = o->iova,
		.size = v->bar_size,
	};
	double start;

	if (!o->dma_map)
		return;
	start = now_ms();
	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map)) {
		t->dma_map_errno = errno;
		t->dma_map_ms = now_ms() - start;
		fprintf(stderr, PROG ": VFIO_IOMMU_MAP_DMA: %s\n", strerror(errno));
		return;
	}
	t->dma_map_ms = now_ms() - start;
	t->dma_map_ok = true;
	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap)) {
		t->dma_unmap_errno = errno;
		fprintf(stderr, PROG ": VFIO_IOMMU_UNMAP_DMA: %s\n", strerror(errno));
		return;
	}
	t->dma_unmap_ok = true;
}

static void run_resets(const struct options *o, const struct vfio *v, struct truth *t)
{
	int last_errno = 0;

	for (unsigned long i = 0; i < o->resets; i++) {
		double start = now_ms();
		int ret = ioctl(v->device, VFIO_DEVICE_RESET);

		t->reset_ms[i] = now_ms() - start;
		if (ret) {
			last_errno = errno;
			t->reset_errno[i] = last_errno;
			t->resets_failed++;
		} else {
			t->resets_ok++;
		}
	}
	if (t->resets_failed)
		fprintf(stderr, PROG ": VFIO_DEVICE_RESET failed %lu of %lu times (last: %s)\n",
			t->resets_failed, o->resets, strerror(last_errno));
}

/* /proc/self/comm, as the kernel (and so vfiotop) names this task */
static void read_comm(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/comm", "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void print_truth(const struct options *o, const struct vfio *v, const struct truth *t)
{
	char comm[64];
	FILE *f = stdout;

	read_comm(comm, sizeof(comm));
	fputs(TAG "{\"bdf\":", f);
	json_string(f, o->bdf);
	fprintf(f, ",\"pid\":%d,\"comm\":", (int)getpid());
	json_string(f, comm);
	fprintf(f, ",\"bar\":%u,\"bar_size\":%" PRIu64 ",\"page_size\":%lu,\"mmaps\":1",
		o->bar, v->bar_size, TOUCH_STRIDE);
	fprintf(f, ",\"rounds\":%lu,\"pages_touched_per_round\":%lu,\"touch_ms\":%.3f",
		o->rounds, pages_per_round(v), t->touch_ms);
	fprintf(f, ",\"map_addr\":%" PRIu64 ",\"align\":%" PRIu64 ",\"offset\":%" PRIu64,
		(uint64_t)(uintptr_t)v->map, o->align, o->offset);
	fprintf(f, ",\"pci_command_initial\":%u,\"mem_enable_initial\":1",
		(unsigned int)v->cmd);
	fprintf(f, ",\"mem_disable_writes\":%lu,\"mem_enable_writes\":%lu",
		t->mem_disable_writes, t->mem_enable_writes);
	fprintf(f, ",\"sigbus_attempts\":%lu,\"sigbus_delivered\":%lu",
		o->sigbus, t->sigbus_delivered);
	fprintf(f, ",\"dma_map\":%d,\"dma_map_ok\":%d,\"dma_map_errno\":%d"
		",\"dma_map_ms\":%.3f,\"dma_iova\":%" PRIu64
		",\"dma_unmap_ok\":%d,\"dma_unmap_errno\":%d",
		o->dma_map, t->dma_map_ok, t->dma_map_errno, t->dma_map_ms, o->iova,
		t->dma_unmap_ok, t->dma_unmap_errno);
	fprintf(f, ",\"resets_attempted\":%lu,\"resets_ok\":%lu,\"resets_failed\":%lu",
		o->resets, t->resets_ok, t->resets_failed);
	fputs(",\"reset_ms\":[", f);
	for (unsigned long i = 0; i < o->resets; i++)
		fprintf(f, "%s%.3f", i ? "," : "", t->reset_ms[i]);
	fputs("],\"reset_errno\":[", f);
	for (unsigned long i = 0; i < o->resets; i++)
		fprintf(f, "%s%d", i ? "," : "", t->reset_errno[i]);
	fputs("]}\n", f);
	if (fflush(f) || ferror(f))
		die_errno("writing the result to stdout");
}

/* The harness creates the file once it has taken its snapshot. */
static void wait_for_file(const char *path)
{
	const struct timespec tick = { .tv_nsec = WAIT_POLL_NS };

	while (access(path, F_OK)) {
		if (errno != ENOENT)
			die("waiting for %s: %s", path, strerror(errno));
		nanosleep(&tick, NULL);
	}
}

static void vfio_close(struct vfio *v)
{
	if (munmap((void *)v->map, v->bar_size))
		die_errno("munmap BAR");
	close(v->device);
	close(v->group);
	close(v->container);
}

int main(int argc, char **argv)
{
	struct options o;
	struct vfio v = { .container = -1, .group = -1, .device = -1 };
	struct truth t = { 0 };

	parse_options(argc, argv, &o);
	/* +1: calloc(0) may return NULL */
	t.reset_ms = calloc(o.resets + 1, sizeof(*t.reset_ms));
	t.reset_errno = calloc(o.resets + 1, sizeof(*t.reset_errno));
	if (!t.reset_ms || !t.reset_errno)
		die_errno("calloc");

	vfio_open(o.bdf, &v);
	vfio_regions(o.bar, &v);

	/* decoding may start off in vfio-pci's virtual PCI_COMMAND: faults would SIGBUS */
	v.cmd = read_command(&v);
	write_command(&v, true, &t);
	map_bar(&v, &o);

	install_sigbus_handler();
	run_rounds(&o, &v, &t);
	run_sigbus(&o, &v, &t);
	run_dma_map(&o, &v, &t);
	run_resets(&o, &v, &t);

	print_truth(&o, &v, &t);
	if (o.wait_file)
		wait_for_file(o.wait_file);

	vfio_close(&v);
	free(t.reset_ms);
	free(t.reset_errno);
	return 0;
}
