// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The command line: --help, and the options with their checks and defaults. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "workload.h"

#define MAX_COUNT	1000000UL	/* rounds, resets, SIGBUS attempts */
#define RACE_ROUNDS	10UL		/* --race-rounds without it */
#define LOAD_MS		300UL		/* --load-ms without it */
#define LOAD_RESETS	1UL		/* --load-resets without it */

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
		"                [--pm-cycles N] [--wc-first] [--low-power]\n"
		"                [--msi-rounds N] [--intx-rounds N [--intx-after PATH]]\n"
		"                [--irq-pause-every N]\n"
		"                [--access-rounds N [--access-threads 1-64]]  (QEMU's edu device)\n"
		"                [--msix-rounds N [--msix-after PATH]] [--kvm-irqfds 1-5]\n"
		"                (QEMU's e1000e)\n");
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

void parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_BDF = 256, OPT_BAR, OPT_ROUNDS, OPT_DMA_MAP, OPT_RESETS,
	       OPT_SIGBUS, OPT_WAIT_FILE, OPT_IOVA, OPT_ALIGN, OPT_OFFSET,
	       OPT_RACE_THREADS, OPT_RACE_ROUNDS, OPT_LOAD_THREADS, OPT_LOAD_MS,
	       OPT_LOAD_RESETS, OPT_HOT_RESETS, OPT_MMAP_STORM, OPT_RT_RESETS, OPT_TOUCH_THREADS,
	       OPT_DMABUF, OPT_VM_START, OPT_PM_CYCLES, OPT_WC_FIRST, OPT_LOW_POWER,
	       OPT_MSI_ROUNDS, OPT_INTX_ROUNDS, OPT_IRQ_PAUSE_EVERY, OPT_MSIX_AFTER, OPT_INTX_AFTER, OPT_ACCESS_ROUNDS, OPT_ACCESS_THREADS, OPT_MSIX_ROUNDS, OPT_KVM_IRQFDS,
	       OPT_HELP };
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
		{ "msi-rounds",	required_argument, NULL, OPT_MSI_ROUNDS },
		{ "intx-rounds", required_argument, NULL, OPT_INTX_ROUNDS },
		{ "irq-pause-every", required_argument, NULL, OPT_IRQ_PAUSE_EVERY },
		{ "msix-after", required_argument, NULL, OPT_MSIX_AFTER },
		{ "intx-after", required_argument, NULL, OPT_INTX_AFTER },
		{ "access-rounds", required_argument, NULL, OPT_ACCESS_ROUNDS },
		{ "access-threads", required_argument, NULL, OPT_ACCESS_THREADS },
		{ "msix-rounds", required_argument, NULL, OPT_MSIX_ROUNDS },
		{ "kvm-irqfds",	required_argument, NULL, OPT_KVM_IRQFDS },
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
		case OPT_MSI_ROUNDS:
			o->msi_rounds = parse_u64("--msi-rounds", optarg, 10, MAX_COUNT);
			break;
		case OPT_MSIX_AFTER:
			if (!*optarg)
				bad_usage("--msix-after: empty path");
			o->msix_after = optarg;
			break;
		case OPT_ACCESS_THREADS:
			o->access_threads = parse_threads("--access-threads", optarg);
			break;
		case OPT_INTX_AFTER:
			if (!*optarg)
				bad_usage("--intx-after: empty path");
			o->intx_after = optarg;
			break;
		case OPT_IRQ_PAUSE_EVERY:
			o->irq_pause_every = parse_u64("--irq-pause-every", optarg, 10, MAX_COUNT);
			break;
		case OPT_INTX_ROUNDS:
			o->intx_rounds = parse_u64("--intx-rounds", optarg, 10, MAX_COUNT);
			break;
		case OPT_ACCESS_ROUNDS:
			o->access_rounds = parse_u64("--access-rounds", optarg, 10, MAX_COUNT);
			break;
		case OPT_MSIX_ROUNDS:
			o->msix_rounds = parse_u64("--msix-rounds", optarg, 10, MAX_COUNT);
			break;
		case OPT_KVM_IRQFDS:
			o->kvm_irqfds = parse_u64("--kvm-irqfds", optarg, 10, MSIX_VECTORS);
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
