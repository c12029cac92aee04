// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /metrics (metrics_prom.c): rendered from the typed model, as /json is. The
 * main test fills every counter of a device with its own value, renders both
 * documents and checks every sample of /metrics against the field of /json
 * it shows, and that every number of a device's JSON is shown or is on the
 * list of those /metrics leaves out on purpose.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_rows.h"
#include "devices.h"
#include "dma_procs.h"
#include "irq_vectors.h"
#include "json_path.h"
#include "metrics_prom.h"
#include "mono_clock.h"
#include "snapshot_json.h"
#include "status.h"

#define DEV0_LABELS "bdf=\"0000:01:00.0\",segment=\"0000\",bus=\"01\",device=\"00\"," \
		    "function=\"0\",vendor_id=\"0x1af4\",device_id=\"0x1110\",iommu_group=\"5\""

struct model {
	struct device_table t;
	struct dma_table dma;
	struct hook_status hooks[2];
	struct daemon_status st;
};

/* every __u64 of the stats its own value, so a sample read from the wrong counter shows */
static void fill_distinct(struct device_stats *s, uint64_t base)
{
	uint64_t *v = (uint64_t *)s;

	for (size_t i = 0; i < sizeof(*s) / sizeof(*v); i++)
		v[i] = base + i * 7;
	s->rare.memtype_reserved = VTOP_MODE_UC_MINUS + 1;
	s->rare.dmabuf_released = s->rare.dmabuf_exports - 2;
}

static void model_init(struct model *m)
{
	struct device *d = devtab_get(&m->t, vtop_dev_key(0, 1, 0));
	uint64_t *v = (uint64_t *)&m->dma.totals;

	memset(&m->st, 0, sizeof(m->st));
	fill_distinct(&d->stats, 1000);
	d->id.present = true;
	d->id.vendor = 0x1af4;
	d->id.device = 0x1110;
	d->id.subsys_vendor = 0x1af4;
	d->id.subsys_device = 0x1100;
	d->id.class_id = 0x050000;
	d->id.iommu_group = 5;
	d->id.numa_node = 1;
	snprintf(d->id.driver, sizeof(d->id.driver), "vfio-pci");
	snprintf(d->id.physfn, sizeof(d->id.physfn), "0000:00:01.0");
	snprintf(d->id.link_speed, sizeof(d->id.link_speed), "8.0 GT/s PCIe");
	d->id.link_width = 4;
	/* as pci_names_resolve() leaves them; the gone device below has none */
	d->names.resolved = true;
	snprintf(d->names.vendor_name, sizeof(d->names.vendor_name), "Red Hat, Inc.");
	snprintf(d->names.device_name, sizeof(d->names.device_name), "Inter-VM shared memory");
	snprintf(d->names.subsystem_name, sizeof(d->names.subsystem_name),
		 "Red Hat, Inc. QEMU Virtual Machine");
	snprintf(d->names.class_name, sizeof(d->names.class_name), "RAM memory");
	d->last_reset_ns = 7458771;
	d->last_reset_wait_ns = 55;
	d->power_known = true;
	d->power.state = VTOP_PWR_D3HOT;
	d->power.since_ns = UINT64_MAX / 2;	/* in the future: no running time, both equal */
	device_owner_seen(d, 10, "qemu", OWNER_VIA_FD);
	device_owner_seen(d, 11, "gone", OWNER_VIA_MMAP);
	d->owners[1].alive = false;
	/* the live owner names the VM; the dead one's name is not the device's now */
	d->owners[0].vm = (struct vm_ident){ .read = true, .source = VM_SOURCE_LIBVIRT,
					     .name = "gpu \"vm\"", .unit = "machine-qemu-1-x.scope" };
	d->owners[1].vm = (struct vm_ident){ .read = true, .source = VM_SOURCE_QEMU,
					     .name = "old-vm" };
	/* two vectors through the vec_stats the BPF side keeps, out of order */
	{
		const struct vtop_vec_stats vec[] = {
			{ .dev = vtop_dev_key(0, 1, 0), .index = VTOP_IRQ_MSIX, .vector = 3,
			  .irq = 40, .active = 1, .bypass = 1, .interrupts = 7001, .reads = 7003,
			  .wait_ns = 7004, .wait_max_ns = 7005 },
			{ .dev = vtop_dev_key(0, 1, 0), .index = VTOP_IRQ_INTX, .irq = 11,
			  .interrupts = 7002, .unhandled = 3, .unmasks = 7002, .masked_ns = 9 },
		};

		devtab_take_vectors(&m->t, vec, 2);
	}

	d = devtab_get(&m->t, vtop_dev_key(0, 2, 0));	/* gone, nothing known */
	fill_distinct(&d->stats, 5000);
	d->id.iommu_group = -1;
	d->id.numa_node = -1;

	for (size_t i = 0; i < sizeof(m->dma.totals) / sizeof(*v); i++)
		v[i] = 300 + i * 3;

	snprintf(m->hooks[0].function, sizeof(m->hooks[0].function), "vfio_pci_mmap_huge_fault");
	snprintf(m->hooks[0].mechanism, sizeof(m->hooks[0].mechanism), "kprobe");
	snprintf(m->hooks[0].module, sizeof(m->hooks[0].module), "vfio_pci_core");
	m->hooks[0].selected = m->hooks[0].attached = true;
	snprintf(m->hooks[1].function, sizeof(m->hooks[1].function), "vfio_pci_mmap_fault");
	snprintf(m->hooks[1].mechanism, sizeof(m->hooks[1].mechanism), "fentry");
	snprintf(m->hooks[1].why, sizeof(m->hooks[1].why), "not in this kernel");
	m->hooks[1].selected = true;
	m->st.version = "test-9";
	m->st.started_at = 1700000000;
	m->st.state = DAEMON_ATTACHED;
	snprintf(m->st.kernel_release, sizeof(m->st.kernel_release), "6.12.95+deb12-amd64");
	m->st.hooks = m->hooks;
	m->st.n_hooks = 2;
	m->st.self.ringbuf_drops = 1;
	m->st.self.devmap_full = 2;
	m->st.self.exits_missed = 3;
	m->st.prog_misses = 4;
	m->st.n_maps = 2;
	snprintf(m->st.maps[0].name, sizeof(m->st.maps[0].name), "dev_hot");
	m->st.maps[0].bytes = 798720;
	snprintf(m->st.maps[1].name, sizeof(m->st.maps[1].name), "rodata");
	m->st.maps[1].bytes = 4096;
	m->st.records_malformed = 5;
	m->st.dma = &m->dma;
	m->st.process = (struct process_stats){
		.valid = true, .cpu_ns = 12345678901, .resident_bytes = 13824000,
		.virtual_bytes = 31457280, .open_fds = 17, .max_fds = 524288,
		.start_time_ns = 1700000000230000000,
	};
}

static int setup(void **state)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return -1;
	model_init(m);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	struct model *m = *state;

	devtab_free(&m->t);
	free(m);
	return 0;
}

/* the value of the one line that starts with prefix, or -1 */
static double value_of(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);
	double v = -1;
	int hits = 0;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, n) && p[n] == ' ') {
			v = strtod(p + n + 1, NULL);
			hits++;
		}
	assert_int_equal(hits, 1);
	return v;
}

static void test_values_and_units(void **state)
{
	struct model *m = *state;
	const struct device_stats *s = &m->t.devs[0].stats;
	char *t = metrics_render(&m->st, &m->t, -1);

	assert_non_null(t);
	assert_true(value_of(t, "vfiotop_faults_total{" DEV0_LABELS ",origin=\"dma_map\"}") ==
		    s->faults_by_origin[VTOP_ORIGIN_DMA_MAP]);
	assert_true(value_of(t, "vfiotop_faults_by_size_total{" DEV0_LABELS ",size=\"2m\"}") ==
		    s->faults_by_order[1]);
	assert_true(value_of(t, "vfiotop_memtype_reserved{" DEV0_LABELS ",mode=\"uc-\"}") == 1);
	assert_true(value_of(t, "vfiotop_power_state{" DEV0_LABELS ",state=\"D3hot\"}") == 1);
	assert_true(value_of(t, "vfiotop_device_up{" DEV0_LABELS "}") == 1);
	assert_true(value_of(t, "vfiotop_device_processes{" DEV0_LABELS "}") == 1);
	assert_true(value_of(t, "vfiotop_daemon_attached") == 1);
	assert_true(value_of(t, "vfiotop_lost_events_total{cause=\"malformed_record\"}") == 5);
	/* the process_* families client libraries export, in their units */
	assert_true(value_of(t, "process_cpu_seconds_total") == 12.345678901);
	assert_true(value_of(t, "process_resident_memory_bytes") == 13824000);
	assert_true(value_of(t, "process_open_fds") == 17);
	assert_true(value_of(t, "process_max_fds") == 524288);
	assert_true(value_of(t, "process_start_time_seconds") == 1700000000.23);
	assert_non_null(strstr(t, "# TYPE process_cpu_seconds_total counter\n"));
	/* ns become seconds */
	assert_true(value_of(t, "vfiotop_reset_last_seconds{" DEV0_LABELS "}") == 0.007458771);
	/* the gone device: no iommu group, down, no state gauges */
	assert_non_null(strstr(t, "vfiotop_device_up{bdf=\"0000:02:00.0\""));
	assert_non_null(strstr(t, "iommu_group=\"-1\"} 0\n"));
	assert_null(strstr(t, "vfiotop_power_state{bdf=\"0000:02:00.0\""));
	free(t);
}

/* regions are sparse: a sample for a region read, none for one never read */
static void test_sparse_regions(void **state)
{
	struct model *m = *state;
	struct vtop_dev_rare *r = &m->t.devs[0].stats.rare;
	char *t;

	memset(r->access_reads, 0, sizeof(r->access_reads));
	memset(r->access_writes, 0, sizeof(r->access_writes));
	r->access_reads[VTOP_REGION_CONFIG] = 7;
	t = metrics_render(&m->st, &m->t, -1);
	assert_non_null(t);
	assert_true(value_of(t, "vfiotop_trapped_reads_total{" DEV0_LABELS ",region=\"config\"}") == 7);
	assert_null(strstr(t, "vfiotop_trapped_reads_total{" DEV0_LABELS ",region=\"bar1\"}"));
	assert_null(strstr(t, "vfiotop_trapped_writes_total{" DEV0_LABELS));
	assert_non_null(strstr(t, "# TYPE vfiotop_trapped_writes_total counter\n"));
	free(t);
}

/* every hook is a 0/1 series, so an alert sees a hook that stopped attaching */
static void test_hook_attached_zero_and_one(void **state)
{
	struct model *m = *state;
	char *t = metrics_render(&m->st, &m->t, 0.0025);

	assert_true(value_of(t, "vfiotop_hook_attached{function=\"vfio_pci_mmap_huge_fault\","
			     "mechanism=\"kprobe\",module=\"vfio_pci_core\"}") == 1);
	assert_true(value_of(t, "vfiotop_hook_attached{function=\"vfio_pci_mmap_fault\","
			     "mechanism=\"fentry\",module=\"\"}") == 0);
	assert_true(value_of(t, "vfiotop_hooks_unavailable") == 1);
	assert_true(value_of(t, "vfiotop_scrape_collect_seconds") == 0.0025);
	free(t);
	t = metrics_render(&m->st, &m->t, -1);
	assert_null(strstr(t, "vfiotop_scrape_collect_seconds"));
	free(t);
	/* /proc unreadable: no process_* family rather than zeros */
	m->st.process.valid = false;
	t = metrics_render(&m->st, &m->t, -1);
	assert_null(strstr(t, "process_"));
	free(t);
}

static void test_histogram_is_cumulative(void **state)
{
	struct model *m = *state;
	struct device_stats *s = &m->t.devs[0].stats;
	double prev = 0, v;
	char prefix[512], *t;

	memset(s->fault_hist, 0, sizeof(s->fault_hist));
	s->fault_hist[11] = 360;	/* 2048-4095 ns */
	s->fault_hist[12] = 134;	/* 4096-8191 ns */
	s->fault_hist[40] = 20;		/* ~18 minutes: above every bound */
	s->fault_ns_sum = 4640130;
	t = metrics_render(&m->st, &m->t, -1);
	snprintf(prefix, sizeof(prefix),
		 "vfiotop_fault_duration_seconds_bucket{" DEV0_LABELS ",le=\"4.096e-06\"}");
	assert_true(value_of(t, prefix) == 360);
	for (int e = 10; e <= 34; e++) {
		char le[32];

		snprintf(le, sizeof(le), "%.9g", (double)(1ull << e) / 1e9);
		snprintf(prefix, sizeof(prefix),
			 "vfiotop_fault_duration_seconds_bucket{" DEV0_LABELS ",le=\"%s\"}", le);
		v = value_of(t, prefix);
		assert_true(v >= prev);
		prev = v;
	}
	assert_true(prev == 494);
	assert_true(value_of(t, "vfiotop_fault_duration_seconds_bucket{" DEV0_LABELS
			     ",le=\"+Inf\"}") == 514);
	assert_true(value_of(t, "vfiotop_fault_duration_seconds_count{" DEV0_LABELS "}") == 514);
	assert_true(value_of(t, "vfiotop_fault_duration_seconds_sum{" DEV0_LABELS "}") ==
		    0.00464013);
	assert_non_null(strstr(t, "# TYPE vfiotop_fault_duration_seconds histogram\n"));
	free(t);
}

/* every family's HELP and TYPE once, before all its samples, never interleaved */
static void test_families_are_grouped(void **state)
{
	struct model *m = *state;
	char *t = metrics_render(&m->st, &m->t, -1), *save = NULL, *line;
	char fam[128] = "", seen[8192] = " ";
	int families = 0;

	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128], key[132];

		if (!strncmp(line, "# TYPE ", 7)) {
			sscanf(line + 7, "%127s", fam);
			snprintf(key, sizeof(key), " %s ", fam);
			assert_null(strstr(seen, key));
			strncat(seen, fam, sizeof(seen) - strlen(seen) - 2);
			strcat(seen, " ");
			families++;
			continue;
		}
		if (line[0] == '#')
			continue;
		sscanf(line, "%127[^{ ]", name);
		assert_int_equal(strncmp(name, fam, strlen(fam)), 0);
		assert_true(!strcmp(name, fam) || strstr(line, "_bucket{") ||
			    !strcmp(name + strlen(fam), "_sum") ||
			    !strcmp(name + strlen(fam), "_count"));
	}
	assert_true(families > 60);
	free(t);
}

static void test_label_values_escaped(void **state)
{
	struct model *m = *state;
	struct device *d = &m->t.devs[0];
	char *t;

	snprintf(d->id.driver, sizeof(d->id.driver), "ev\"il\\\ndrv\xff");
	t = metrics_render(&m->st, &m->t, -1);
	/* escaped as the text format says; a byte that is not UTF-8 is U+FFFD, as in JSON */
	assert_non_null(strstr(t, "driver=\"ev\\\"il\\\\\\ndrv\xef\xbf\xbd\""));
	/* never a pid, comm or address as a label */
	assert_null(strstr(t, "pid="));
	assert_null(strstr(t, "comm="));
	assert_null(strstr(t, "qemu"));
	free(t);
}

/*
 * Where each family's samples are in /json, for the families that are not
 * rows of device_numbers.h (those say it themselves): a path under the
 * device (or the document, for families without device labels) with %s for
 * the value of the family's own label, and the scale from the JSON number to
 * the sample.
 */
static const struct twin {
	const char *family, *path;
	double scale;
} twins[] = {
	{ "vfiotop_fault_duration_seconds_sum", "faults.latency_ns.sum", 1e-9 },
	{ "vfiotop_irq_wait_duration_seconds_sum", "irqs.wait_latency_ns.sum", 1e-9 },
	/* the document's own */
	{ "vfiotop_daemon_start_time_seconds", "daemon.started_at", 1 },
	{ "vfiotop_lost_events_total", "lost_events_by_cause.%s", 1 },
	{ "vfiotop_stall_reports_total", "stalls.reports", 1 },
	{ "vfiotop_recorder_overwritten_total", "stalls.recorder_overwritten", 1 },
	{ "vfiotop_json_lines_dropped_total", "daemon.json_lines_dropped", 1 },
	{ "vfiotop_kernel_memory_bytes", "daemon.kernel_memory.maps.%s", 1 },
	{ "vfiotop_dma_ioctls_total", "dma.%s.calls", 1 },
	{ "vfiotop_dma_ioctl_failures_total", "dma.%s.failed", 1 },
	{ "vfiotop_dma_ioctl_seconds_total", "dma.%s.time_ns", 1e-9 },
	{ "vfiotop_dma_errors_total", "dma.errors.%s", 1 },
	{ "vfiotop_dma_maps_total", "dma.by_target.%s.maps", 1 },
	{ "vfiotop_dma_mapped_bytes_total", "dma.by_target.%s.bytes", 1 },
	{ "vfiotop_dma_map_seconds_total", "dma.by_target.%s.time_ns", 1e-9 },
	{ "vfiotop_dma_unmapped_bytes_total", "dma.unmap.bytes", 1 },
	{ "vfiotop_dma_pinned_pages_total", "dma.pinned_pages", 1 },
	{ "process_cpu_seconds_total", "daemon.process.cpu_ns", 1e-9 },
	{ "process_resident_memory_bytes", "daemon.process.resident_bytes", 1 },
	{ "process_virtual_memory_bytes", "daemon.process.virtual_bytes", 1 },
	{ "process_open_fds", "daemon.process.open_fds", 1 },
	{ "process_max_fds", "daemon.process.max_fds", 1 },
	{ "process_start_time_seconds", "daemon.process.start_time_ns", 1e-9 },
};

/* the families compared some other way than a number at a path (see check_special) */
static const char *const special[] = {
	"vfiotop_build_info", "vfiotop_kernel_info", "vfiotop_daemon_attached",
	"vfiotop_hooks_unavailable", "vfiotop_hook_attached", "vfiotop_devices",
	"vfiotop_device_info", "vfiotop_device_up", "vfiotop_device_processes",
	"vfiotop_memtype_reserved", "vfiotop_power_state", "vfiotop_fault_duration_seconds_bucket",
	"vfiotop_fault_duration_seconds_count", "vfiotop_device_vm_info",
	"vfiotop_vector_interrupts_total", "vfiotop_irq_wait_duration_seconds_bucket",
	"vfiotop_irq_wait_duration_seconds_count",
};

/*
 * The numbers of a device's hand-written parts /metrics leaves out on
 * purpose: quantiles Prometheus takes from the histogram, identity carried
 * as labels, lists. (A row of device_numbers.h without a family is one too.)
 */
static const char *const json_only[] = {
	"iommu_group", "numa_node", "sriov.numvfs", "link.width", "link.max_width",
	"faults.latency_ns.p50", "faults.latency_ns.p99", "faults.latency_ns.max",
	"faults.latency_ns.mean", "faults.latency_ns.buckets", "memtype.bars", "mappings",
	"processes", "irqs.by_vector", "accesses.latency_ns.p50", "accesses.latency_ns.p99",
	"accesses.latency_ns.max", "accesses.latency_ns.mean", "accesses.latency_ns.sum",
	"accesses.latency_ns.buckets", "irqs.wait_latency_ns.p50", "irqs.wait_latency_ns.p99",
	"irqs.wait_latency_ns.max", "irqs.wait_latency_ns.mean", "irqs.wait_latency_ns.buckets",
};

struct sample {
	char family[96];
	char bdf[16];		/* "" for the document's own */
	char key[64];		/* the family's own label's value, "" if none */
	char le[32];
	double value;
};

/* one sample line into its parts; the family's own label is the one after the device's */
static bool parse_sample(const char *line, struct sample *s)
{
	const char *brace = strchr(line, '{'), *sp = strrchr(line, ' '), *p;

	memset(s, 0, sizeof(*s));
	if (line[0] == '#' || !sp)
		return false;
	snprintf(s->family, sizeof(s->family), "%.*s",
		 (int)((brace && brace < sp ? brace : sp) - line), line);
	s->value = strtod(sp + 1, NULL);
	if ((p = strstr(line, "bdf=\"")))
		sscanf(p + 5, "%15[^\"]", s->bdf);
	if ((p = strstr(line, "le=\"")))
		sscanf(p + 4, "%31[^\"]", s->le);
	if (brace && !strstr(line, "iommu_group=\"") && (p = strchr(brace, '=')))
		sscanf(p + 2, "%63[^\"]", s->key);
	else if ((p = strstr(line, "iommu_group=\"")) && (p = strchr(p + 13, ',')))
		sscanf(strchr(p, '=') + 2, "%63[^\"]", s->key);
	return true;
}

static json_object *device_json(json_object *root, const char *bdf)
{
	json_object *devs = jpath_get(root, "devices");

	for (size_t i = 0; i < jpath_len(devs); i++)
		if (!strcmp(jpath_str(json_object_array_get_idx(devs, i), "bdf"), bdf))
			return json_object_array_get_idx(devs, i);
	fail_msg("no device %s in /json", bdf);
	return NULL;
}

/*
 * The /json path of a family that is a row of device_numbers.h, for the
 * value of its label: a keyed row's JSON key is the key's name, its label
 * value that or what relabel calls it.
 */
static const struct device_row *row_twin(const struct sample *s, char *path, size_t len)
{
	for (size_t i = 0; i < device_rows_n; i++) {
		const struct device_row *r = &device_rows[i];
		const char *key = s->key;

		if (r->kind == ROW_PART || strcmp(r->family, s->family))
			continue;
		if (r->kind == ROW_NUM) {
			snprintf(path, len, "%s", r->path);
			return r;
		}
		for (unsigned int k = 0; r->relabel && k < r->keys->n; k++)
			if (!strcmp(r->relabel(key_index(r->keys, k)), s->key))
				key = r->keys->name(key_index(r->keys, k));
		if (strstr(r->path, "%s")) {
			snprintf(path, len, r->path, key);
		} else {
			snprintf(path, len, "%s.%s", r->path, key);
		}
		return r;
	}
	return NULL;
}

static int vm_seen;	/* vfiotop_device_vm_info samples: one device's owner has a VM */

static bool check_special(const struct sample *s, json_object *root, json_object *dev,
			  const char *line)
{
	bool wait = !strncmp(s->family, "vfiotop_irq_wait_duration_seconds_", 34);

	if (!strcmp(s->family, "vfiotop_fault_duration_seconds_bucket") ||
	    !strcmp(s->family, "vfiotop_fault_duration_seconds_count") ||
	    !strcmp(s->family, "vfiotop_irq_wait_duration_seconds_bucket") ||
	    !strcmp(s->family, "vfiotop_irq_wait_duration_seconds_count")) {
		json_object *b = jpath_get(dev, wait ? "irqs.wait_latency_ns.buckets" :
						       "faults.latency_ns.buckets");
		/* the bounds are powers of two ns, printed with 9 digits: 2^30 is "1.07374182" */
		double le = s->le[0] == '+' || !s->le[0] ? INFINITY :
			    exp2(round(log2(strtod(s->le, NULL) * 1e9)));
		uint64_t n = 0;

		for (size_t i = 0; i < jpath_len(b); i++) {
			json_object *slot = json_object_array_get_idx(b, i);

			if ((double)jpath_u64(slot, "hi") < le)
				n += jpath_u64(slot, "count");
		}
		if (s->value != n)
			fail_msg("%s: /json's buckets hold %" PRIu64, line, n);
	} else if (!strcmp(s->family, "vfiotop_vector_interrupts_total")) {
		json_object *vs = jpath_get(dev, "irqs.by_vector");
		const char *at = strstr(line, "vector=\"");
		bool found = false;

		assert_non_null(at);
		for (size_t i = 0; i < jpath_len(vs); i++) {
			json_object *v = json_object_array_get_idx(vs, i);

			if (!strcmp(jpath_str(v, "type"), s->key) &&
			    jpath_u64(v, "vector") == strtoull(at + 8, NULL, 10)) {
				found = true;
				if (s->value != jpath_u64(v, "interrupts"))
					fail_msg("%s: /json's vector has %" PRIu64, line,
						 jpath_u64(v, "interrupts"));
			}
		}
		if (!found)
			fail_msg("%s: no such vector in /json", line);
	} else if (!strcmp(s->family, "vfiotop_devices")) {
		assert_true(s->value == jpath_len(jpath_get(root, "devices")));
	} else if (!strcmp(s->family, "vfiotop_daemon_attached")) {
		assert_true(s->value == !strcmp(jpath_str(root, "daemon.state"), "attached"));
	} else if (!strcmp(s->family, "vfiotop_hooks_unavailable")) {
		assert_true(s->value == jpath_len(jpath_get(root, "hooks_unavailable")));
	} else if (!strcmp(s->family, "vfiotop_device_up")) {
		assert_true(s->value == !strcmp(jpath_str(dev, "state"), "live"));
	} else if (!strcmp(s->family, "vfiotop_device_processes")) {
		json_object *p = jpath_get(dev, "processes");
		uint64_t alive = 0;

		for (size_t i = 0; i < jpath_len(p); i++)
			alive += jpath_u64(json_object_array_get_idx(p, i), "alive");
		assert_true(s->value == alive);
	} else if (!strcmp(s->family, "vfiotop_memtype_reserved")) {
		assert_string_equal(s->key, jpath_str(dev, "memtype.reserved"));
	} else if (!strcmp(s->family, "vfiotop_power_state")) {
		assert_string_equal(s->key, jpath_str(dev, "power.state"));
	} else if (!strcmp(s->family, "vfiotop_device_info")) {
		char want[512];

		snprintf(want, sizeof(want), "driver=\"%s\",class_id=\"%s\",subsystem_vendor_id=\"%s\""
			 ",subsystem_device_id=\"%s\"", jpath_str(dev, "driver"),
			 jpath_str(dev, "class"), jpath_str(dev, "subsystem_vendor"),
			 jpath_str(dev, "subsystem_device"));
		assert_non_null(strstr(line, want));
		snprintf(want, sizeof(want), "physfn=\"%s\",link_speed=\"%s\"",
			 jpath_str(dev, "sriov.physfn"), jpath_str(dev, "link.speed"));
		assert_non_null(strstr(line, want));
		snprintf(want, sizeof(want), "vendor_name=\"%s\",device_name=\"%s\","
			 "subsystem_name=\"%s\",class_name=\"%s\"",
			 jpath_str(dev, "vendor_name"), jpath_str(dev, "device_name"),
			 jpath_str(dev, "subsystem_name"), jpath_str(dev, "class_name"));
		if (!strstr(line, want))
			fail_msg("%s: /json's names are %s", line, want);
		/* the model's names, not "" on both sides */
		if (!strcmp(s->bdf, "0000:01:00.0"))
			assert_string_equal(jpath_str(dev, "device_name"), "Inter-VM shared memory");
	} else if (!strcmp(s->family, "vfiotop_device_vm_info")) {
		char want[256];

		assert_string_equal(jpath_str(dev, "vm"), "gpu \"vm\"");
		snprintf(want, sizeof(want), ",vm=\"gpu \\\"vm\\\"\",source=\"libvirt\"} 1");
		assert_non_null(strstr(line, want));
		vm_seen++;
	} else if (!strcmp(s->family, "vfiotop_build_info")) {
		assert_non_null(strstr(line, jpath_str(root, "daemon.version")));
	} else if (!strcmp(s->family, "vfiotop_kernel_info")) {
		assert_non_null(strstr(line, jpath_str(root, "kernel.release")));
	} else if (!strcmp(s->family, "vfiotop_hook_attached")) {
		json_object *list = jpath_get(root, s->value ? "hooks" : "hooks_unavailable");
		char fn[64];

		sscanf(strstr(line, "function=\"") + 10, "%63[^\"]", fn);
		assert_int_equal(jpath_len(list), 1);
		assert_string_equal(jpath_str(json_object_array_get_idx(list, 0), "function"), fn);
	} else {
		return false;
	}
	return true;
}

/* the JSON paths every sample was checked against, to find the numbers none showed */
static char used[512][96];
static size_t n_used;

static void check_sample(const struct sample *s, json_object *root, const char *line)
{
	json_object *dev = s->bdf[0] ? device_json(root, s->bdf) : NULL;
	const struct device_row *row;
	char path[160];
	double scale;
	size_t i;

	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (!strcmp(s->family, special[i])) {
			assert_true(check_special(s, root, dev, line));
			return;
		}
	row = row_twin(s, path, sizeof(path));
	for (i = 0; !row && i < sizeof(twins) / sizeof(twins[0]); i++)
		if (!strcmp(s->family, twins[i].family))
			break;
	if (!row && i == sizeof(twins) / sizeof(twins[0]))
		fail_msg("%s has no twin in /json: add it to twins[]", s->family);
	if (row)
		scale = device_row_scale(row);
	else
		snprintf(path, sizeof(path), twins[i].path, s->key), scale = twins[i].scale;
	if (!jpath_get(dev ? dev : root, path))
		fail_msg("%s: /json has no %s", line, path);
	if (fabs(jpath_u64(dev ? dev : root, path) * scale - s->value) >
	    1e-9 * fabs(s->value))
		fail_msg("%s: /json %s is %" PRIu64, line, path, jpath_u64(dev ? dev : root, path));
	if (dev && n_used < 512)
		snprintf(used[n_used++], sizeof(used[0]), "%s", path);
}

static bool shown(const char *path)
{
	for (size_t i = 0; i < n_used; i++)
		if (!strcmp(used[i], path))
			return true;
	for (size_t i = 0; i < sizeof(json_only) / sizeof(json_only[0]); i++)
		if (!strncmp(path, json_only[i], strlen(json_only[i])))
			return true;
	for (size_t i = 0; i < device_rows_n; i++)
		if (device_rows[i].kind == ROW_NUM && !device_rows[i].family[0] &&
		    !strcmp(device_rows[i].path, path))
			return true;
	return false;
}

/* every integer of a device's JSON, by dotted path */
static void check_leaves(json_object *o, const char *prefix)
{
	if (json_object_is_type(o, json_type_int)) {
		if (!shown(prefix))
			fail_msg("/json's %s is in no /metrics family (or add it to json_only[])",
				 prefix);
		return;
	}
	if (json_object_is_type(o, json_type_array)) {
		if (!shown(prefix))
			fail_msg("/json's array %s is in no /metrics family", prefix);
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, k, v) {
		char path[160];

		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", k);
		check_leaves(v, path);
	}
}

static void test_every_sample_equals_json(void **state)
{
	struct model *m = *state;
	char *t = metrics_render(&m->st, &m->t, -1), *js = snapshot_render(&m->st, &m->t, false);
	json_object *root = json_tokener_parse(js);
	char *save = NULL, *line;
	int samples = 0;

	assert_non_null(root);
	n_used = 0;
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct sample s;

		if (!parse_sample(line, &s))
			continue;
		check_sample(&s, root, line);
		samples++;
	}
	assert_true(samples > 200);
	assert_int_equal(vm_seen, 1);
	check_leaves(device_json(root, "0000:01:00.0"), "");
	json_object_put(root);
	free(js);
	free(t);
}

static const char *const excluded[] = {
	"vfiotop_fault_duration_seconds", "vfiotop_dma_", "vfiotop_power_state",
};

/* whether a line's metric (the family of # HELP/# TYPE, else the sample's) is excluded */
static bool line_excluded(const char *line)
{
	char name[128] = "";

	if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7))
		sscanf(line + 7, "%127s", name);
	else
		sscanf(line, "%127[^{ ]", name);
	for (size_t i = 0; i < sizeof(excluded) / sizeof(excluded[0]); i++)
		if (!strncmp(name, excluded[i], strlen(excluded[i])))
			return true;
	return false;
}

/*
 * --metrics-exclude: the families named by a prefix lose their # HELP,
 * # TYPE and every sample (a histogram's _bucket, _sum and _count too);
 * every other line is as without it, in the same order.
 */
static void test_excluded_families_left_out(void **state)
{
	struct model *m = *state;
	struct metrics_opts o = { .forget_gone_ms = 0 };
	char *all = metrics_render(&m->st, &m->t, -1), *cut, *expect, *save = NULL, *line;
	size_t n = 0;
	int dropped = 0;

	assert_non_null(all);
	for (size_t i = 0; i < sizeof(excluded) / sizeof(excluded[0]); i++)
		strcpy(o.exclude.prefix[o.exclude.n++], excluded[i]);
	cut = metrics_render_opts(&m->st, &m->t, -1, &o);
	assert_non_null(cut);
	expect = calloc(1, strlen(all) + 1);
	for (line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line_excluded(line)) {
			dropped++;
			continue;
		}
		n += sprintf(expect + n, "%s\n", line);
	}
	/* the model has all three: 9 DMA families, the histogram, 2 power families */
	assert_true(dropped > 12 * 2 + 40);
	assert_string_equal(cut, expect);
	assert_null(strstr(cut, "vfiotop_fault_duration_seconds"));
	assert_null(strstr(cut, "vfiotop_dma_"));
	assert_null(strstr(cut, "vfiotop_power_state"));
	assert_non_null(strstr(cut, "# TYPE vfiotop_faults_total counter\n"));
	assert_non_null(strstr(cut, "# TYPE process_open_fds gauge\n"));
	free(expect);
	free(cut);
	free(all);
}

/*
 * --forget-gone: a device gone longer than it has no series; one gone for
 * less, or with 0 (never), keeps them. The times are 10 s against 1 s and
 * 1 h: no scheduling delay decides.
 */
static void test_gone_device_forgotten(void **state)
{
	struct model *m = *state;
	struct device *gone = devtab_find(&m->t, vtop_dev_key(0, 2, 0));
	struct metrics_opts o = { .forget_gone_ms = 1000 };
	uint64_t now_ms = mono_ns() / 1000000;
	char *t;

	assert_non_null(gone);
	assert_true(now_ms > 20000);
	device_note_presence(gone, now_ms - 10000);
	assert_true(gone->gone_ms == now_ms - 10000);
	device_note_presence(gone, now_ms);	/* still gone: since the first time */
	assert_true(gone->gone_ms == now_ms - 10000);

	t = metrics_render_opts(&m->st, &m->t, -1, &o);
	assert_non_null(t);
	assert_null(strstr(t, "0000:02:00.0"));
	assert_true(value_of(t, "vfiotop_devices") == 1);
	assert_true(value_of(t, "vfiotop_device_up{" DEV0_LABELS "}") == 1);
	free(t);

	o.forget_gone_ms = 3600000;
	t = metrics_render_opts(&m->st, &m->t, -1, &o);
	assert_non_null(strstr(t, "vfiotop_device_up{bdf=\"0000:02:00.0\""));
	assert_true(value_of(t, "vfiotop_devices") == 2);
	free(t);

	o.forget_gone_ms = 0;
	t = metrics_render_opts(&m->st, &m->t, -1, &o);
	assert_non_null(strstr(t, "vfiotop_device_up{bdf=\"0000:02:00.0\""));
	free(t);

	/* back on the bus: not gone, whatever it was before */
	o.forget_gone_ms = 1000;
	gone->id.present = true;
	device_note_presence(gone, now_ms);
	assert_true(gone->gone_ms == 0);
	t = metrics_render_opts(&m->st, &m->t, -1, &o);
	assert_non_null(strstr(t, "vfiotop_device_up{bdf=\"0000:02:00.0\""));
	free(t);
}

/*
 * A document larger than the last one is written again into a larger buffer:
 * 300 devices (~7 MB) after the fixture's two, then again, then the two: the
 * grown one is the bytes written at once into a buffer of its size.
 */
static void test_growing_document_whole(void **state)
{
	struct model *m = *state;
	char *small = metrics_render(&m->st, &m->t, -1), *big, *again, bdf[32];
	struct device_table many = { 0 };
	size_t small_len;

	assert_non_null(small);
	small_len = strlen(small);
	for (int i = 0; i < 300; i++) {
		struct device *d = devtab_get(&many, vtop_dev_key(0, 1 + i / 32, (i % 32) << 3));

		snprintf(d->bdf, sizeof(d->bdf), "0000:%02x:%02x.0", 1 + i / 32, i % 32);
		d->id.present = true;
		d->stats.faults = 1000 + i;
	}
	big = metrics_render(&m->st, &many, -1);
	assert_non_null(big);
	assert_true(strlen(big) > 4 * 1024 * 1024);
	assert_true(value_of(big, "vfiotop_devices") == 300);
	for (int i = 0; i < 300; i += 37) {
		char want[160];

		snprintf(bdf, sizeof(bdf), "0000:%02x:%02x.0", 1 + i / 32, i % 32);
		snprintf(want, sizeof(want), "vfiotop_faults_total{bdf=\"%s\"", bdf);
		assert_non_null(strstr(big, want));
	}
	/* written at once into a buffer of its size now: the same bytes */
	again = metrics_render(&m->st, &many, -1);
	assert_non_null(again);
	assert_string_equal(again, big);
	free(again);
	again = metrics_render(&m->st, &m->t, -1);
	assert_non_null(again);
	assert_int_equal(strlen(again), small_len);
	assert_string_equal(again, small);
	free(small);
	free(big);
	free(again);
	devtab_free(&many);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_values_and_units, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sparse_regions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hook_attached_zero_and_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_histogram_is_cumulative, setup, teardown),
		cmocka_unit_test_setup_teardown(test_families_are_grouped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_label_values_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_sample_equals_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_excluded_families_left_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_device_forgotten, setup, teardown),
		cmocka_unit_test_setup_teardown(test_growing_document_whole, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
