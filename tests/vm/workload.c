// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A known vfio-pci workload for vfiotop's VM tests.
 *
 * Runs inside the test guest against an emulated device bound to vfio-pci:
 * maps one BAR, faults it in page by page, toggles PCI_COMMAND_MEMORY (each
 * clear zaps the mapping), optionally provokes SIGBUS, pins the BAR for DMA
 * and resets the device. Two optional phases follow: many threads faulting
 * the same freshly zapped mapping at once (--race-threads), and resets while
 * threads keep faulting (--load-threads). It then prints what it did as one line,
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
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
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
#define MAX_THREADS	64		/* --race-threads, --load-threads */
#define RACE_PAGES	64UL		/* pages each race thread reads */
#define RACE_MAGIC	0x5646494f00000000ULL	/* "VFIO" above the page index */
#define RACE_ROUNDS	10UL		/* --race-rounds without it */
#define LOAD_MS		300UL		/* --load-ms without it */
#define LOAD_RESETS	1UL		/* --load-resets without it */

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
	unsigned int race_threads;	/* 0: no race phase */
	unsigned long race_rounds;
	unsigned int load_threads;	/* 0: no load phase */
	unsigned long load_ms;
	unsigned long load_resets;
	unsigned long hot_resets;
	unsigned long mmap_storm;	/* extra mmap+munmap pairs of the BAR */
	bool rt_resets;		/* time resets from a SCHED_FIFO thread: the load
				 * threads cannot delay the clock reads around them */
	unsigned int touch_threads;	/* threads touching every page in each round */
	unsigned long dmabufs;	/* BAR ranges to export as DMA-BUFs (7.x) */
	unsigned long vm_start;	/* MiB of RAM to map for DMA, 1 MiB per map (--vm-start) */
	unsigned long pm_cycles;	/* PMCSR writes D3hot then D0, this many times */
	bool wc_first;		/* map sysfs resourceN_wc before vfio reserves the BAR */
	bool low_power;		/* VFIO_DEVICE_FEATURE low-power entry, then exit */
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
	unsigned long mmaps_refused;	/* mmaps vfio-pci refused, as asked */
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
	double mmap_storm_ms;	/* the mmap+munmap pairs: the rare-event path of observers */
	unsigned long race_pages;
	unsigned long race_reads;
	unsigned long race_mismatches;
	unsigned long race_sigbus;
	unsigned long load_pages_touched;
	unsigned long load_sigbus;
	unsigned long load_resets_ok;
	double *load_reset_ms;
	int *load_reset_errno;
	unsigned long hot_resets_ok;
	double *hot_reset_ms;
	int *hot_reset_errno;
	unsigned int hot_reset_devices;	/* 0: not asked, or the kernel would not say */
	unsigned long dmabufs_ok;
	uint64_t dmabuf_bytes;
	int dmabuf_errno;	/* of the first export that failed */
	int *dmabuf_fds;
	unsigned int mem_bars;	/* memory BARs of the device (sysfs resource) */
	double open_start_ms, open_end_ms;	/* around the device's open */
	double last_map_end_ms;			/* after its latest VFIO_IOMMU_MAP_DMA */
	unsigned long dma_map_calls, dma_unmap_calls;
	unsigned long ram_maps_ok;
	uint64_t ram_map_bytes, unmap_bytes;
	struct dma_failure {
		int err;
		uint64_t vaddr, iova, size;
	} dma_failures[4];
	unsigned int n_dma_failures;
	unsigned int pm_cap;		/* config offset of the PM capability, 0: none */
	unsigned long pm_writes;	/* PMCSR writes that changed the state field */
	uint64_t wc_bytes;		/* --wc-first: the resourceN_wc mapping */
	int low_power_errno;		/* of the entry, 0 if it worked */
	bool low_power_suspended;	/* runtime PM said "suspended" before the exit */
};

/*
 * Only the SIGBUS handler's state is global: it cannot be handed a context.
 * It is per thread because SIGBUS goes to the thread that faulted, and the
 * race and load threads fault concurrently. The executable's own TLS is
 * static (no lazy allocation), so the handler may touch it.
 */
static _Thread_local sigjmp_buf sigbus_env;
static _Thread_local volatile sig_atomic_t sigbus_armed;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " --bdf DDDD:BB:DD.F [--bar 0-5] [--rounds N] [--dma-map]\n"
		"                [--resets K] [--sigbus M] [--wait-file PATH] [--iova ADDR]\n"
		"                [--align BYTES] [--offset BYTES] [--mmap-storm N]\n"
		"                [--race-threads 1-64 [--race-rounds R]]\n"
		"                [--load-threads 1-64 [--load-ms MS] [--load-resets K]\n"
		"                                     [--hot-resets H] [--rt-resets]]\n"
		"                [--touch-threads 1-64] [--dmabuf N] [--vm-start MIB]\n"
		"                [--pm-cycles N] [--wc-first] [--low-power]\n");
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

static unsigned int parse_threads(const char *opt, const char *s)
{
	unsigned int n = (unsigned int)parse_u64(opt, s, 10, MAX_THREADS);

	if (!n)
		bad_usage("%s: at least 1 thread", opt);
	return n;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_BDF = 256, OPT_BAR, OPT_ROUNDS, OPT_DMA_MAP, OPT_RESETS,
	       OPT_SIGBUS, OPT_WAIT_FILE, OPT_IOVA, OPT_ALIGN, OPT_OFFSET,
	       OPT_RACE_THREADS, OPT_RACE_ROUNDS, OPT_LOAD_THREADS, OPT_LOAD_MS,
	       OPT_LOAD_RESETS, OPT_HOT_RESETS, OPT_MMAP_STORM, OPT_RT_RESETS, OPT_TOUCH_THREADS,
	       OPT_DMABUF, OPT_VM_START, OPT_PM_CYCLES, OPT_WC_FIRST, OPT_LOW_POWER, OPT_HELP };
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
		{ "mmap-storm",	required_argument, NULL, OPT_MMAP_STORM },
		{ "race-threads", required_argument, NULL, OPT_RACE_THREADS },
		{ "race-rounds", required_argument, NULL, OPT_RACE_ROUNDS },
		{ "load-threads", required_argument, NULL, OPT_LOAD_THREADS },
		{ "load-ms",	required_argument, NULL, OPT_LOAD_MS },
		{ "load-resets", required_argument, NULL, OPT_LOAD_RESETS },
		{ "hot-resets",	required_argument, NULL, OPT_HOT_RESETS },
		{ "rt-resets",	no_argument,	   NULL, OPT_RT_RESETS },
		{ "touch-threads", required_argument, NULL, OPT_TOUCH_THREADS },
		{ "dmabuf",	required_argument, NULL, OPT_DMABUF },
		{ "vm-start",	required_argument, NULL, OPT_VM_START },
		{ "pm-cycles",	required_argument, NULL, OPT_PM_CYCLES },
		{ "wc-first",	no_argument,	   NULL, OPT_WC_FIRST },
		{ "low-power",	no_argument,	   NULL, OPT_LOW_POWER },
		{ "help",	no_argument,	   NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	/* the phases' settings mean nothing without their threads */
	bool race_rounds = false, load_ms = false, load_resets = false, hot_resets = false;
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
		case OPT_MMAP_STORM:
			o->mmap_storm = parse_u64("--mmap-storm", optarg, 10, MAX_COUNT);
			break;
		case OPT_OFFSET:
			o->offset = parse_u64("--offset", optarg, 0, 1ULL << 40);
			if (o->offset & 4095)
				bad_usage("--offset: must be a multiple of 4096");
			break;
		case OPT_RACE_THREADS:
			o->race_threads = parse_threads("--race-threads", optarg);
			break;
		case OPT_RACE_ROUNDS:
			o->race_rounds = parse_u64("--race-rounds", optarg, 10, MAX_COUNT);
			race_rounds = true;
			break;
		case OPT_LOAD_THREADS:
			o->load_threads = parse_threads("--load-threads", optarg);
			break;
		case OPT_LOAD_MS:
			o->load_ms = parse_u64("--load-ms", optarg, 10, MAX_COUNT);
			load_ms = true;
			break;
		case OPT_LOAD_RESETS:
			o->load_resets = parse_u64("--load-resets", optarg, 10, MAX_COUNT);
			load_resets = true;
			break;
		case OPT_HOT_RESETS:
			o->hot_resets = parse_u64("--hot-resets", optarg, 10, MAX_COUNT);
			hot_resets = true;
			break;
		case OPT_TOUCH_THREADS:
			o->touch_threads = parse_threads("--touch-threads", optarg);
			break;
		case OPT_DMABUF:
			o->dmabufs = parse_u64("--dmabuf", optarg, 10, 64);
			break;
		case OPT_VM_START:
			o->vm_start = parse_u64("--vm-start", optarg, 10, 1024);
			break;
		case OPT_WC_FIRST:
			o->wc_first = true;
			break;
		case OPT_LOW_POWER:
			o->low_power = true;
			break;
		case OPT_PM_CYCLES:
			o->pm_cycles = parse_u64("--pm-cycles", optarg, 10, 1000);
			break;
		case OPT_RT_RESETS:
			o->rt_resets = true;
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
	if (race_rounds && !o->race_threads)
		bad_usage("--race-rounds needs --race-threads");
	if ((load_ms || load_resets || hot_resets) && !o->load_threads)
		bad_usage("--%s needs --load-threads",
			  load_ms ? "load-ms" : load_resets ? "load-resets" : "hot-resets");
	if (!o->bdf)
		bad_usage("--bdf is required");
	/* defaults only for a phase that runs: the ground truth shows 0 for one that does not */
	if (o->race_threads && !race_rounds)
		o->race_rounds = RACE_ROUNDS;
	if (o->load_threads && !load_ms)
		o->load_ms = LOAD_MS;
	if (o->load_threads && !load_resets)
		o->load_resets = LOAD_RESETS;
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

/* uapi/linux/vfio.h of 7.x: the build host's headers may predate it */
#define WL_VFIO_DEVICE_FEATURE_DMA_BUF	11

struct wl_dma_buf_feature {
	struct vfio_device_feature hdr;
	uint32_t region_index;
	uint32_t open_flags;
	uint32_t flags;
	uint32_t nr_ranges;
	uint64_t offset;	/* one struct vfio_region_dma_range */
	uint64_t length;
};

/*
 * --dmabuf N: exports the BAR as N DMA-BUFs (the whole BAR, then 2 MiB
 * slices), kept open across the rounds and resets: every zap revokes them
 * and every memory enable restores them. Kernels before 7.x refuse
 * (ENOTTY): the attempts are the truth then.
 */
static void export_dmabufs(const struct options *o, const struct vfio *v, struct truth *t)
{
	t->dmabuf_fds = calloc(o->dmabufs + 1, sizeof(int));
	if (!t->dmabuf_fds)
		die_errno("calloc");
	for (unsigned long i = 0; i < o->dmabufs; i++) {
		uint64_t len = i == 0 || v->bar_size < (2u << 20) ? v->bar_size : 2u << 20;
		struct wl_dma_buf_feature f = {
			.hdr = { .argsz = sizeof(f),
				 .flags = VFIO_DEVICE_FEATURE_GET | WL_VFIO_DEVICE_FEATURE_DMA_BUF },
			.region_index = o->bar,
			.open_flags = O_RDWR | O_CLOEXEC,
			.nr_ranges = 1,
			.offset = i == 0 ? 0 : ((i - 1) * len) % v->bar_size,
			.length = len,
		};
		int fd = ioctl(v->device, VFIO_DEVICE_FEATURE, &f);

		t->dmabuf_fds[i] = fd;
		if (fd < 0) {
			if (!t->dmabuf_errno)
				t->dmabuf_errno = errno;
			continue;
		}
		t->dmabufs_ok++;
		t->dmabuf_bytes += len;
	}
}

/* The device's memory BARs, as vfio-pci 7.x iomaps them all at open. */
static unsigned int count_mem_bars(const char *bdf)
{
	char path[PATH_MAX], line[128];
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "re");
	if (!f)
		die("open %s: %s", path, strerror(errno));
	for (int i = 0; i < 6 && fgets(line, sizeof(line), f); i++) {
		unsigned long long start, end, flags;

		/* IORESOURCE_MEM */
		if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) == 3 && end &&
		    (flags & 0x200))
			n++;
	}
	fclose(f);
	return n;
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

/*
 * One mmap vfio-pci must refuse, a page past the BAR's end, before the real
 * one: mmaps.failed counts it, nothing else may (it fails before the BAR's
 * region is requested or iomapped).
 */
static void refused_mmap(const struct vfio *v, struct truth *t)
{
	void *p = mmap(NULL, TOUCH_STRIDE, PROT_READ | PROT_WRITE, MAP_SHARED, v->device,
		       v->bar_off + v->bar_size);

	if (p != MAP_FAILED)
		die("an mmap past the end of BAR %u succeeded", (unsigned int)(v->bar_off >> 40));
	t->mmaps_refused++;
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

/* mmap and munmap the BAR again and again, untouched: one mmap event each */
static void run_mmap_storm(const struct options *o, const struct vfio *v, struct truth *t)
{
	double start = now_ms();

	for (unsigned long i = 0; i < o->mmap_storm; i++) {
		void *p = mmap(NULL, v->bar_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->device,
			       v->bar_off);

		if (p == MAP_FAILED)
			die_errno("mmap storm");
		munmap(p, v->bar_size);
	}
	t->mmap_storm_ms = now_ms() - start;
}

static void start_thread(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	int err = pthread_create(thread, NULL, fn, arg);

	if (err)
		die("pthread_create: %s", strerror(err));
}

static void join_thread(pthread_t thread)
{
	int err = pthread_join(thread, NULL);

	if (err)
		die("pthread_join: %s", strerror(err));
}

/* A touching thread: every page of the round, with the others at once. */
struct touch_worker {
	pthread_t thread;
	const struct vfio *v;
	pthread_barrier_t *start;
	uint8_t val;
};

static void *touch_thread(void *arg)
{
	struct touch_worker *w = arg;
	int err = pthread_barrier_wait(w->start);

	if (err && err != PTHREAD_BARRIER_SERIAL_THREAD)
		die("pthread_barrier_wait: %s", strerror(err));
	touch_pages(w->v, w->val);
	return NULL;
}

/*
 * --touch-threads: the round's touch done by several threads at once, each
 * over every page: their faults race for the same entries, and the pages
 * mapped must still be one per entry.
 */
static void touch_round(const struct options *o, const struct vfio *v, uint8_t val)
{
	struct touch_worker w[MAX_THREADS];
	pthread_barrier_t start;
	int err;

	if (o->touch_threads <= 1) {
		touch_pages(v, val);
		return;
	}
	err = pthread_barrier_init(&start, NULL, o->touch_threads);
	if (err)
		die("pthread_barrier_init: %s", strerror(err));
	for (unsigned int i = 0; i < o->touch_threads; i++) {
		w[i] = (struct touch_worker){ .v = v, .start = &start, .val = val };
		start_thread(&w[i].thread, touch_thread, &w[i]);
	}
	for (unsigned int i = 0; i < o->touch_threads; i++)
		join_thread(w[i].thread);
	pthread_barrier_destroy(&start);
}

static void run_rounds(const struct options *o, const struct vfio *v, struct truth *t)
{
	for (unsigned long r = 0; r < o->rounds; r++) {
		double start = now_ms();

		touch_round(o, v, (uint8_t)(r + 1));
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
	t->dma_map_calls++;
	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map)) {
		t->dma_map_errno = errno;
		t->last_map_end_ms = now_ms();
		t->dma_map_ms = now_ms() - start;
		fprintf(stderr, PROG ": VFIO_IOMMU_MAP_DMA: %s\n", strerror(errno));
		return;
	}
	t->last_map_end_ms = now_ms();
	t->dma_map_ms = t->last_map_end_ms - start;
	t->dma_map_ok = true;
	t->dma_unmap_calls++;
	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap)) {
		t->dma_unmap_errno = errno;
		fprintf(stderr, PROG ": VFIO_IOMMU_UNMAP_DMA: %s\n", strerror(errno));
		return;
	}
	t->dma_unmap_ok = true;
	t->unmap_bytes += unmap.size;
}

static uint16_t config_read16(const struct vfio *v, unsigned int off)
{
	uint16_t le;

	if (pread(v->device, &le, sizeof(le), v->cmd_off - PCI_COMMAND + off) != sizeof(le))
		die_errno("pread config space");
	return le16toh(le);
}

/* The PM capability in the config space vfio-pci shows, 0 if there is none. */
static unsigned int find_pm_cap(const struct vfio *v)
{
	unsigned int pos = config_read16(v, PCI_CAPABILITY_LIST) & 0xfc;

	for (int hops = 0; pos && hops < 48; hops++) {
		uint16_t id_next = config_read16(v, pos);

		if ((id_next & 0xff) == PCI_CAP_ID_PM)
			return pos;
		pos = (id_next >> 8) & 0xfc;
	}
	return 0;
}

/*
 * --pm-cycles N: the device's user puts it in D3hot and back in D0 through
 * PMCSR, N times; vfio-pci turns each write into a power state change.
 */
static void run_pm_cycles(const struct options *o, const struct vfio *v, struct truth *t)
{
	if (!o->pm_cycles)
		return;
	t->pm_cap = find_pm_cap(v);
	if (!t->pm_cap)
		die("--pm-cycles: %s has no PM capability", o->bdf);
	for (unsigned long i = 0; i < 2 * o->pm_cycles; i++) {
		off_t at = v->cmd_off - PCI_COMMAND + t->pm_cap + PCI_PM_CTRL;
		uint16_t ctrl = config_read16(v, t->pm_cap + PCI_PM_CTRL), le;

		ctrl = (ctrl & ~PCI_PM_CTRL_STATE_MASK) | (i % 2 ? 0 : 3);	/* D3hot, D0 */
		le = htole16(ctrl);
		if (pwrite(v->device, &le, sizeof(le), at) != sizeof(le))
			die_errno("pwrite PMCSR");
		t->pm_writes++;
	}
}

static bool runtime_suspended(const char *bdf)
{
	char path[PATH_MAX], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/power/runtime_status", bdf);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !strncmp(buf, "suspended", 9);
}

static int low_power_feature(const struct vfio *v, uint32_t feature)
{
	struct vfio_device_feature f = {
		.argsz = sizeof(f),
		.flags = VFIO_DEVICE_FEATURE_SET | feature,
	};

	return ioctl(v->device, VFIO_DEVICE_FEATURE, &f) ? errno : 0;
}

/*
 * --low-power: the user puts the device in low power (VFIO_DEVICE_FEATURE
 * 3, what QEMU does for a guest's D3cold); runtime PM suspends it a moment
 * later, in a worker. Waits up to 5 s for that, then takes it back (5).
 */
static void run_low_power(const struct options *o, const struct vfio *v, struct truth *t)
{
	const struct timespec tick = { .tv_nsec = WAIT_POLL_NS };

	if (!o->low_power)
		return;
	t->low_power_errno = low_power_feature(v, VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY);
	if (t->low_power_errno)
		return;
	for (int i = 0; i < 250 && !t->low_power_suspended; i++) {
		t->low_power_suspended = runtime_suspended(o->bdf);
		if (!t->low_power_suspended)
			nanosleep(&tick, NULL);
	}
	if (low_power_feature(v, VFIO_DEVICE_FEATURE_LOW_POWER_EXIT))
		die_errno("VFIO_DEVICE_FEATURE_LOW_POWER_EXIT");
}

/*
 * --wc-first: what a framebuffer or a tool mapping sysfs resourceN_wc does
 * before the device's user: the BAR's range is reserved write-combining, and
 * vfio-pci's own (uncached) reservation of it is granted WC instead.
 */
static void map_resource_wc(const struct options *o, struct truth *t)
{
	char path[PATH_MAX];
	struct stat st;
	void *p;
	int fd;

	if (!o->wc_first)
		return;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%u_wc", o->bdf, o->bar);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		die("--wc-first: %s: %s", path, strerror(errno));
	p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("--wc-first: mmap %s: %s", path, strerror(errno));
	close(fd);
	t->wc_bytes = st.st_size;	/* mapped until the workload exits */
}

/* One VFIO_IOMMU_MAP_DMA; a failure is recorded with its range. */
static bool dma_map_try(const struct vfio *v, struct truth *t, uint64_t vaddr, uint64_t iova,
			uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = vaddr,
		.iova = iova,
		.size = size,
	};
	int err;

	t->dma_map_calls++;
	err = ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map) ? errno : 0;
	t->last_map_end_ms = now_ms();
	if (err && t->n_dma_failures < 4)
		t->dma_failures[t->n_dma_failures++] = (struct dma_failure){ err, vaddr, iova, size };
	return !err;
}

/*
 * --vm-start N: what a VM's start does to vfio, and the three ways users see
 * it fail. The harness sets vfio_iommu_type1's dma_entry_limit to N first.
 *  - a map of an address with nothing mapped: EFAULT;
 *  - a map at an IOVA past the emulated IOMMU's 39-bit width: EINVAL;
 *  - N maps of 1 MiB of RAM (pinned), then one more: ENOSPC;
 *  - one unmap of all N.
 */
static void run_vm_start(const struct options *o, const struct vfio *v, struct truth *t)
{
	const uint64_t chunk = 1 << 20, base = 1ull << 32;
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap), .iova = base };
	uint8_t *ram, *hole;

	if (!o->vm_start)
		return;
	ram = mmap(NULL, (o->vm_start + 1) * chunk, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hole = mmap(NULL, chunk, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED || hole == MAP_FAILED || munmap(hole, chunk))
		die_errno("mmap guest RAM");
	dma_map_try(v, t, (uintptr_t)hole, base - 2 * chunk, chunk);
	dma_map_try(v, t, (uintptr_t)ram, 1ull << 40, chunk);
	for (unsigned long i = 0; i <= o->vm_start; i++) {
		if (dma_map_try(v, t, (uintptr_t)ram + i * chunk, base + i * chunk, chunk)) {
			t->ram_maps_ok++;
			t->ram_map_bytes += chunk;
		}
	}
	unmap.size = t->ram_maps_ok * chunk;
	t->dma_unmap_calls++;
	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		die_errno("VFIO_IOMMU_UNMAP_DMA of guest RAM");
	t->unmap_bytes += unmap.size;
	munmap(ram, (o->vm_start + 1) * chunk);
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

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}


static uint64_t race_pattern(unsigned long page)
{
	return RACE_MAGIC | page;
}

static volatile uint64_t *race_word(const struct vfio *v, unsigned long page)
{
	return (volatile uint64_t *)(v->map + page * TOUCH_STRIDE);
}

/* One race thread's round. Volatile: what it counted must survive a siglongjmp. */
struct race_worker {
	pthread_t thread;
	const struct vfio *v;
	pthread_barrier_t *start;
	unsigned long pages;
	volatile unsigned long next;	/* the page to read next */
	volatile unsigned long reads;
	volatile unsigned long mismatches;
	unsigned long sigbus;
};

/*
 * Reads and checks the pages from w->next on; true if one raised SIGBUS,
 * with w->next still at that page. All state lives in *w, for the siglongjmp.
 */
static bool race_read_raises_sigbus(struct race_worker *w)
{
	if (sigsetjmp(sigbus_env, 1))
		return true;
	sigbus_armed = 1;
	for (; w->next < w->pages; w->next++) {
		uint64_t got = *race_word(w->v, w->next);

		w->reads++;
		if (got != race_pattern(w->next))
			w->mismatches++;
	}
	sigbus_armed = 0;
	return false;
}

static void *race_thread(void *arg)
{
	struct race_worker *w = arg;
	int err = pthread_barrier_wait(w->start);

	if (err && err != PTHREAD_BARRIER_SERIAL_THREAD)
		die("pthread_barrier_wait: %s", strerror(err));
	/* a page that raised SIGBUS was not read: go on with the next one */
	while (race_read_raises_sigbus(w)) {
		w->sigbus++;
		w->next++;
	}
	return NULL;
}

/*
 * Concurrent faults on the same fresh vma: each round zaps the mapping, then
 * all threads are let go at once to read the same pages, so that their first
 * faults race. Each page holds its own pattern: a fault that maps the wrong
 * pfn shows up as a mismatch (counted, not fatal).
 */
static void run_race(const struct options *o, const struct vfio *v, struct truth *t)
{
	struct race_worker *w;
	pthread_barrier_t start;
	int err;

	if (!o->race_threads)
		return;
	t->race_pages = pages_per_round(v) < RACE_PAGES ? pages_per_round(v) : RACE_PAGES;
	/* memory is enabled again after every earlier phase: these writes just fault */
	for (unsigned long p = 0; p < t->race_pages; p++)
		*race_word(v, p) = race_pattern(p);

	w = calloc(o->race_threads, sizeof(*w));
	if (!w)
		die_errno("calloc");
	err = pthread_barrier_init(&start, NULL, o->race_threads);
	if (err)
		die("pthread_barrier_init: %s", strerror(err));
	for (unsigned long r = 0; r < o->race_rounds; r++) {
		write_command(v, false, t);
		write_command(v, true, t);
		/* the barrier lets them go only once the last one has started */
		for (unsigned int i = 0; i < o->race_threads; i++) {
			w[i] = (struct race_worker){ .v = v, .start = &start, .pages = t->race_pages };
			start_thread(&w[i].thread, race_thread, &w[i]);
		}
		for (unsigned int i = 0; i < o->race_threads; i++) {
			join_thread(w[i].thread);
			t->race_reads += w[i].reads;
			t->race_mismatches += w[i].mismatches;
			t->race_sigbus += w[i].sigbus;
		}
	}
	pthread_barrier_destroy(&start);
	free(w);
	if (t->race_mismatches || t->race_sigbus)
		fprintf(stderr, PROG ": race: %lu mismatches and %lu SIGBUS in %lu reads\n",
			t->race_mismatches, t->race_sigbus, t->race_reads);
}

/* One load thread: reads the BAR page by page until told to stop. */
struct load_worker {
	pthread_t thread;
	const struct vfio *v;
	atomic_bool *stop;
	volatile unsigned long pages;	/* volatile: must survive a siglongjmp */
	unsigned long sigbus;
};

/*
 * One pass over the BAR, one byte read per 4 KiB page (a fault wherever the
 * mapping was zapped); true if a read raised SIGBUS. Stops early when told to:
 * a pass over a zapped 1 GiB BAR can take longer than the whole load.
 */
static bool load_pass_raises_sigbus(struct load_worker *w)
{
	if (sigsetjmp(sigbus_env, 1))
		return true;
	sigbus_armed = 1;
	for (uint64_t off = 0; off < w->v->bar_size && !atomic_load(w->stop); off += TOUCH_STRIDE) {
		(void)w->v->map[off];	/* a volatile read, even in a void context */
		w->pages++;
	}
	sigbus_armed = 0;
	return false;
}

static void *load_thread(void *arg)
{
	struct load_worker *w = arg;

	/* SIGBUS is a bug to count here, not to die of: the next pass starts over */
	while (!atomic_load(w->stop))
		if (load_pass_raises_sigbus(w))
			w->sigbus++;
	return NULL;
}

/*
 * How many devices our hot reset would reset: asked first with room for none
 * (ENOSPC then says how many), then with room for them all.
 */
static unsigned int hot_reset_devices(const struct vfio *v)
{
	struct vfio_pci_hot_reset_info hdr = { .argsz = sizeof(hdr) };
	struct vfio_pci_hot_reset_info *info;
	unsigned int count;
	size_t size;

	if (!ioctl(v->device, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &hdr))
		return hdr.count;
	if (errno != ENOSPC) {
		fprintf(stderr, PROG ": VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: %s\n", strerror(errno));
		return 0;
	}
	count = hdr.count;
	size = sizeof(*info) + (size_t)count * sizeof(info->devices[0]);
	info = calloc(1, size);
	if (!info)
		die_errno("calloc");
	info->argsz = (uint32_t)size;
	if (ioctl(v->device, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info))
		fprintf(stderr, PROG ": VFIO_DEVICE_GET_PCI_HOT_RESET_INFO(%u devices): %s\n",
			count, strerror(errno));
	else
		count = info->count;
	free(info);
	if (count > 1)
		fprintf(stderr, PROG ": a hot reset would reset %u devices, we hold one group\n",
			count);
	return count;
}

/* A timed reset ioctl: its errno, or 0 if it worked. */
static int timed_reset(const struct vfio *v, unsigned long request, void *arg, double *ms)
{
	double start = now_ms();
	int ret = ioctl(v->device, request, arg);
	int err = ret ? errno : 0;

	*ms = now_ms() - start;
	return err;
}

static void report_failures(const char *what, unsigned long attempted, unsigned long ok,
			    const int *errnos)
{
	unsigned long busy = 0;
	int last = 0;

	if (ok == attempted)
		return;
	for (unsigned long i = 0; i < attempted; i++) {
		busy += errnos[i] == EBUSY;
		if (errnos[i])
			last = errnos[i];
	}
	fprintf(stderr, PROG ": load: %s failed %lu of %lu times (%lu EBUSY; last: %s)\n",
		what, attempted - ok, attempted, busy, strerror(last));
}

/*
 * Resets while faults are running: the threads keep faulting the BAR back in,
 * the resets keep zapping it. Hot resets may lose their trylocks to the faults
 * and fail with EBUSY: that is an outcome to record, not an error.
 */
static void run_load(const struct options *o, const struct vfio *v, struct truth *t)
{
	struct vfio_pci_hot_reset *hot = NULL;
	struct load_worker *w;
	atomic_bool stop;
	unsigned long steps = o->load_resets > o->hot_resets ? o->load_resets : o->hot_resets;

	if (!o->load_threads)
		return;
	/* everything a reset needs is ready before the load starts */
	if (o->hot_resets) {
		size_t size = sizeof(*hot) + sizeof(hot->group_fds[0]);

		t->hot_reset_devices = hot_reset_devices(v);
		hot = calloc(1, size);
		if (!hot)
			die_errno("calloc");
		/* the device is alone in its group and behind its port: our group is all */
		hot->argsz = (uint32_t)size;
		hot->count = 1;
		hot->group_fds[0] = v->group;
	}
	w = calloc(o->load_threads, sizeof(*w));
	if (!w)
		die_errno("calloc");
	atomic_init(&stop, false);
	for (unsigned int i = 0; i < o->load_threads; i++) {
		w[i] = (struct load_worker){ .v = v, .stop = &stop };
		start_thread(&w[i].thread, load_thread, &w[i]);
	}

	sleep_ms(o->load_ms / 2);
	if (o->rt_resets &&
	    pthread_setschedparam(pthread_self(), SCHED_FIFO, &(struct sched_param){ .sched_priority = 1 }))
		fprintf(stderr, PROG ": --rt-resets: SCHED_FIFO refused\n");
	/* interleaved, so each kind of reset meets running faults */
	for (unsigned long i = 0; i < steps; i++) {
		if (i < o->load_resets) {
			t->load_reset_errno[i] = timed_reset(v, VFIO_DEVICE_RESET, NULL,
							     &t->load_reset_ms[i]);
			t->load_resets_ok += !t->load_reset_errno[i];
		}
		if (i < o->hot_resets) {
			t->hot_reset_errno[i] = timed_reset(v, VFIO_DEVICE_PCI_HOT_RESET, hot,
							    &t->hot_reset_ms[i]);
			t->hot_resets_ok += !t->hot_reset_errno[i];
		}
	}
	if (o->rt_resets)
		pthread_setschedparam(pthread_self(), SCHED_OTHER, &(struct sched_param){ 0 });
	sleep_ms(o->load_ms - o->load_ms / 2);

	atomic_store(&stop, true);
	for (unsigned int i = 0; i < o->load_threads; i++) {
		join_thread(w[i].thread);
		t->load_pages_touched += w[i].pages;
		t->load_sigbus += w[i].sigbus;
	}
	free(w);
	free(hot);
	report_failures("VFIO_DEVICE_RESET", o->load_resets, t->load_resets_ok,
			t->load_reset_errno);
	report_failures("VFIO_DEVICE_PCI_HOT_RESET", o->hot_resets, t->hot_resets_ok,
			t->hot_reset_errno);
	if (t->load_sigbus)
		fprintf(stderr, PROG ": load: %lu SIGBUS in %lu page reads\n",
			t->load_sigbus, t->load_pages_touched);
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

static void json_ms_array(FILE *f, const char *key, const double *ms, unsigned long n)
{
	fprintf(f, ",\"%s\":[", key);
	for (unsigned long i = 0; i < n; i++)
		fprintf(f, "%s%.3f", i ? "," : "", ms[i]);
	fputc(']', f);
}

static void json_int_array(FILE *f, const char *key, const int *v, unsigned long n)
{
	fprintf(f, ",\"%s\":[", key);
	for (unsigned long i = 0; i < n; i++)
		fprintf(f, "%s%d", i ? "," : "", v[i]);
	fputc(']', f);
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, as vfiotopd dates its reports' kernel times */
static int64_t mono_to_real_ns(void)
{
	struct timespec m, r;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((int64_t)r.tv_sec - m.tv_sec) * 1000000000 + (r.tv_nsec - m.tv_nsec);
}

static void print_truth(const struct options *o, const struct vfio *v, const struct truth *t)
{
	char comm[64];
	FILE *f = stdout;

	read_comm(comm, sizeof(comm));
	fputs(TAG "{\"bdf\":", f);
	json_string(f, o->bdf);
	fprintf(f, ",\"pid\":%d,\"mono_to_real_ns\":%" PRId64 ",\"comm\":", (int)getpid(),
		mono_to_real_ns());
	json_string(f, comm);
	fprintf(f, ",\"bar\":%u,\"bar_size\":%" PRIu64 ",\"page_size\":%lu,\"mmaps\":1",
		o->bar, v->bar_size, TOUCH_STRIDE);
	fprintf(f, ",\"rounds\":%lu,\"pages_touched_per_round\":%lu,\"touch_ms\":%.3f",
		o->rounds, pages_per_round(v), t->touch_ms);
	fprintf(f, ",\"mmap_storm\":%lu,\"mmap_storm_ms\":%.3f", o->mmap_storm, t->mmap_storm_ms);
	fprintf(f, ",\"map_addr\":%" PRIu64 ",\"align\":%" PRIu64 ",\"offset\":%" PRIu64,
		(uint64_t)(uintptr_t)v->map, o->align, o->offset);
	fprintf(f, ",\"pci_command_initial\":%u,\"mem_enable_initial\":1",
		(unsigned int)v->cmd);
	fprintf(f, ",\"mem_disable_writes\":%lu,\"mem_enable_writes\":%lu",
		t->mem_disable_writes, t->mem_enable_writes);
	fprintf(f, ",\"mmaps_failed\":%lu", t->mmaps_refused);
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
	fputc(']', f);
	fprintf(f, ",\"race_threads\":%u,\"race_rounds\":%lu,\"race_pages\":%lu"
		",\"race_reads\":%lu,\"race_mismatches\":%lu,\"race_sigbus\":%lu",
		o->race_threads, o->race_rounds, t->race_pages, t->race_reads,
		t->race_mismatches, t->race_sigbus);
	fprintf(f, ",\"load_threads\":%u,\"load_ms\":%lu,\"load_pages_touched\":%lu",
		o->load_threads, o->load_ms, t->load_pages_touched);
	fprintf(f, ",\"load_resets_attempted\":%lu,\"load_resets_ok\":%lu",
		o->load_resets, t->load_resets_ok);
	json_int_array(f, "load_reset_errno", t->load_reset_errno, o->load_resets);
	json_ms_array(f, "load_reset_ms", t->load_reset_ms, o->load_resets);
	fprintf(f, ",\"hot_resets_attempted\":%lu,\"hot_resets_ok\":%lu",
		o->hot_resets, t->hot_resets_ok);
	json_int_array(f, "hot_reset_errno", t->hot_reset_errno, o->hot_resets);
	json_ms_array(f, "hot_reset_ms", t->hot_reset_ms, o->hot_resets);
	fprintf(f, ",\"hot_reset_devices\":%u,\"load_sigbus\":%lu",
		t->hot_reset_devices, t->load_sigbus);
	fprintf(f, ",\"touch_threads\":%u,\"dmabuf_attempts\":%lu,\"dmabufs_ok\":%lu"
		",\"dmabuf_bytes\":%" PRIu64 ",\"dmabuf_errno\":%d,\"mem_bars\":%u}\n",
		o->touch_threads ? o->touch_threads : 1, o->dmabufs, t->dmabufs_ok,
		t->dmabuf_bytes, t->dmabuf_errno, t->mem_bars);
	fprintf(f, TAG "{\"vm_start\":%lu,\"open_start_ms\":%.3f,\"open_end_ms\":%.3f"
		",\"last_map_end_ms\":%.3f,\"dma_map_calls\":%lu,\"dma_unmap_calls\":%lu"
		",\"ram_maps_ok\":%lu,\"ram_map_bytes\":%" PRIu64 ",\"unmap_bytes\":%" PRIu64
		",\"pm_cycles\":%lu,\"pm_cap\":%u,\"pm_writes\":%lu,\"wc_bytes\":%" PRIu64
		",\"low_power\":%d,\"low_power_errno\":%d,\"low_power_suspended\":%d"
		",\"dma_failures\":[", o->vm_start, t->open_start_ms, t->open_end_ms,
		t->last_map_end_ms, t->dma_map_calls, t->dma_unmap_calls, t->ram_maps_ok,
		t->ram_map_bytes, t->unmap_bytes, o->pm_cycles, t->pm_cap, t->pm_writes, t->wc_bytes,
		o->low_power, t->low_power_errno, t->low_power_suspended);
	for (unsigned int i = 0; i < t->n_dma_failures; i++)
		fprintf(f, "%s{\"errno\":%d,\"vaddr\":%" PRIu64 ",\"iova\":%" PRIu64
			",\"size\":%" PRIu64 "}", i ? "," : "", t->dma_failures[i].err,
			t->dma_failures[i].vaddr, t->dma_failures[i].iova, t->dma_failures[i].size);
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

	/*
	 * "workload -name guest=NAME,... --bdf ...": argv as QEMU's starts, for
	 * vfiotop to find the VM's name in /proc/PID/cmdline; ours to skip
	 */
	if (argc > 2 && !strcmp(argv[1], "-name")) {
		argv[2] = argv[0];
		argv += 2;
		argc -= 2;
	}
	parse_options(argc, argv, &o);
	/* +1: calloc(0) may return NULL */
	t.reset_ms = calloc(o.resets + 1, sizeof(*t.reset_ms));
	t.reset_errno = calloc(o.resets + 1, sizeof(*t.reset_errno));
	t.load_reset_ms = calloc(o.load_resets + 1, sizeof(*t.load_reset_ms));
	t.load_reset_errno = calloc(o.load_resets + 1, sizeof(*t.load_reset_errno));
	t.hot_reset_ms = calloc(o.hot_resets + 1, sizeof(*t.hot_reset_ms));
	t.hot_reset_errno = calloc(o.hot_resets + 1, sizeof(*t.hot_reset_errno));
	if (!t.reset_ms || !t.reset_errno || !t.load_reset_ms || !t.load_reset_errno ||
	    !t.hot_reset_ms || !t.hot_reset_errno)
		die_errno("calloc");

	t.mem_bars = count_mem_bars(o.bdf);
	map_resource_wc(&o, &t);
	t.open_start_ms = now_ms();
	vfio_open(o.bdf, &v);
	t.open_end_ms = now_ms();
	vfio_regions(o.bar, &v);

	/* decoding may start off in vfio-pci's virtual PCI_COMMAND: faults would SIGBUS */
	v.cmd = read_command(&v);
	write_command(&v, true, &t);
	refused_mmap(&v, &t);
	map_bar(&v, &o);
	export_dmabufs(&o, &v, &t);

	install_sigbus_handler();
	run_rounds(&o, &v, &t);
	run_sigbus(&o, &v, &t);
	run_vm_start(&o, &v, &t);
	run_dma_map(&o, &v, &t);
	run_pm_cycles(&o, &v, &t);
	run_low_power(&o, &v, &t);
	run_resets(&o, &v, &t);
	run_race(&o, &v, &t);
	run_load(&o, &v, &t);
	run_mmap_storm(&o, &v, &t);

	print_truth(&o, &v, &t);
	if (o.wait_file)
		wait_for_file(o.wait_file);

	/* the dma-bufs go before the device: released, no longer alive */
	for (unsigned long i = 0; i < o.dmabufs; i++)
		if (t.dmabuf_fds[i] >= 0)
			close(t.dmabuf_fds[i]);
	free(t.dmabuf_fds);
	vfio_close(&v);
	free(t.reset_ms);
	free(t.reset_errno);
	free(t.load_reset_ms);
	free(t.load_reset_errno);
	free(t.hot_reset_ms);
	free(t.hot_reset_errno);
	return 0;
}
