// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The ground truth, printed as two JSON lines for the test to check. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

#define TAG		"VFIOTOP-WORKLOAD "

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

static void json_ulong_array(FILE *f, const char *key, const unsigned long *v, unsigned int n)
{
	fprintf(f, ",\"%s\":[", key);
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "%s%lu", i ? "," : "", v[i]);
	fputc(']', f);
}

/* what went through the device fd: arrays by region index and by capability */
static void print_accesses(FILE *f, const struct options *o, const struct access_truth *a)
{
	fprintf(f, TAG "{\"access_rounds\":%lu,\"accesses\":{\"failed\":%lu"
		",\"ioeventfd_sets\":%lu,\"ioeventfd_signals\":%lu", o->access_rounds,
		a->failed, a->ioeventfd_sets, a->ioeventfd_signals);
	json_ulong_array(f, "reads", a->reads, ACC_REGIONS);
	json_ulong_array(f, "writes", a->writes, ACC_REGIONS);
	json_ulong_array(f, "bytes", a->bytes, ACC_REGIONS);
	json_ulong_array(f, "config_writes", a->config_writes, CAP_KINDS);
	fputs("}}\n", f);
}

/* the MSI-X phase, by vector */
static void print_msix(FILE *f, const struct options *o, const struct truth *t)
{
	unsigned long irqs[MSIX_VECTORS];

	for (unsigned int k = 0; k < MSIX_VECTORS; k++)
		irqs[k] = t->msix_irq[k];
	fprintf(f, TAG "{\"msix_rounds\":%lu", o->msix_rounds);
	json_ulong_array(f, "msix_signals", t->msix_signals, MSIX_VECTORS);
	json_ulong_array(f, "msix_proc", t->msix_proc, MSIX_VECTORS);
	json_ulong_array(f, "msix_irq", irqs, MSIX_VECTORS);
	json_ulong_array(f, "msix_reads", t->msix_reads, MSIX_VECTORS);
	fprintf(f, ",\"kvm_irqfds\":%u,\"kvm_errno\":%d}\n", t->kvm_irqfds, t->kvm_errno);
}

void print_truth(const struct options *o, const struct vfio *v, const struct truth *t)
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
	fprintf(f, ",\"region_info_requests\":%lu", t->region_infos);
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
		",\"msi_rounds\":%lu,\"intx_rounds\":%lu,\"set_irqs\":[%lu,%lu,%lu,%lu,%lu]"
		",\"intx_unmasks\":%lu,\"msi_signals\":%lu,\"intx_signals\":%lu"
		",\"msi_proc\":%lu,\"intx_proc\":%lu,\"msi_irq\":%u,\"intx_irq\":%u"
		",\"vectors_max\":%lu,\"set_irq_actions\":[%lu,%lu,%lu]"
		",\"set_irqs_refused\":%lu,\"set_irqs_refused_indexed\":%lu"
		",\"dma_failures\":[", o->vm_start, t->open_start_ms, t->open_end_ms,
		t->last_map_end_ms, t->dma_map_calls, t->dma_unmap_calls, t->ram_maps_ok,
		t->ram_map_bytes, t->unmap_bytes, o->pm_cycles, t->pm_cap, t->pm_writes, t->wc_bytes,
		o->low_power, t->low_power_errno, t->low_power_suspended, o->msi_rounds,
		o->intx_rounds, t->set_irqs[0], t->set_irqs[1], t->set_irqs[2], t->set_irqs[3],
		t->set_irqs[4], t->intx_unmasks, t->msi_signals, t->intx_signals, t->msi_proc,
		t->intx_proc, t->msi_irq, t->intx_irq, t->vectors_max, t->set_irq_actions[0],
		t->set_irq_actions[1], t->set_irq_actions[2], t->set_irqs_refused,
		t->set_irqs_refused_indexed);
	for (unsigned int i = 0; i < t->n_dma_failures; i++)
		fprintf(f, "%s{\"errno\":%d,\"vaddr\":%" PRIu64 ",\"iova\":%" PRIu64
			",\"size\":%" PRIu64 "}", i ? "," : "", t->dma_failures[i].err,
			t->dma_failures[i].vaddr, t->dma_failures[i].iova, t->dma_failures[i].size);
	fputs("]}\n", f);
	print_accesses(f, o, &t->acc);
	fprintf(f, TAG "{\"msi_reads\":%lu,\"msi_wait_bound_ns\":%.0f,\"msi_paused_ns\":%.0f"
		",\"intx_reads\":%lu,\"intx_wait_bound_ns\":%.0f,\"intx_paused_ns\":%.0f}\n",
		t->msi_waits.reads, t->msi_waits.bound_ms * 1e6, t->msi_waits.paused_ms * 1e6,
		t->intx_waits.reads, t->intx_waits.bound_ms * 1e6, t->intx_waits.paused_ms * 1e6);
	print_msix(f, o, t);
	if (fflush(f) || ferror(f))
		die_errno("writing the result to stdout");
}
