// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array_size.h"
#include "device_paths.h"
#include "top_detail.h"

/* key k of keyed number n of dev */
#define KEYED_U64(dev, n, k) jpath_u64(dev, dnum_key(n, k, (char[96]){ 0 }, 96))

/* "0x1af4" -> "1af4" */
static const char *hex(const char *s)
{
	return strlen(s) > 2 ? s + 2 : "?";
}

struct ctx {
	struct top_lines *out;
	bool oom;
};

static struct top_line *add(struct ctx *c, enum top_line_kind kind, const char *fmt, ...)
{
	static struct top_line dummy;
	struct top_lines *l = c->out;
	struct top_line *line;
	va_list ap;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct top_line *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			c->oom = true;
			return &dummy;	/* callers need not check: top_detail() reports it */
		}
		l->v = v;
		l->cap = cap;
	}
	line = &l->v[l->n++];
	line->kind = kind;
	line->bar_at = 0;
	va_start(ap, fmt);
	vsnprintf(line->text, sizeof(line->text), fmt, ap);
	va_end(ap);
	return line;
}

/* "user 386  dma_map 128  kernel 0"; with nonzero, "none" when all are 0 */
static const char *kv_list(json_object *obj, bool nonzero, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (json_object_is_type(obj, json_type_object)) {
		json_object_object_foreach(obj, key, val) {
			uint64_t v = json_object_get_uint64(val);

			if ((nonzero && !v) || off >= len)
				continue;
			off += snprintf(buf + off, len - off, "%s%s %" PRIu64, off ? "  " : "", key,
					v);
		}
	}
	if (!buf[0])
		snprintf(buf, len, "%s", nonzero ? "none" : "-");
	return buf;
}

/* whether path is a member of object obj itself ("zaps.bytes" of "zaps") */
static bool member_of(const char *path, const char *obj)
{
	size_t n = strlen(obj);

	return !strncmp(path, obj, n) && path[n] == '.' && !strchr(path + n + 1, '.');
}

/* number p of dev as its unit reads (46, 1.7 KiB, 2.2us) into buf; false at 0 */
static bool shown_value(json_object *dev, const struct device_path *p, char *buf, size_t len)
{
	uint64_t v = jpath_u64(dev, p->path);

	if (!v)
		return false;
	if (p->unit == DN_BYTES)
		top_fmt_bytes(v, buf, len);
	else if (p->unit == DN_NS)
		top_fmt_ns(v, buf, len);
	else
		snprintf(buf, len, "%" PRIu64, v);
	return true;
}

/*
 * "sigbus 3  found mapped 46": the numbers device_numbers.h has the view
 * list for object obj, each as its unit reads; a row added there shows here
 * without an edit. Those at 0 are left out: a line must fit a terminal, and
 * what did not happen is the rule.
 */
static const char *listed(json_object *dev, const char *obj, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < DNUM_N && off < len; i++) {
		const struct device_path *p = &device_paths[i];
		char label[48], val[32];

		if (p->view != DN_SHOW || !member_of(p->path, obj) ||
		    !shown_value(dev, p, val, sizeof(val)))
			continue;
		snprintf(label, sizeof(label), "%s", strrchr(p->path, '.') + 1);
		if (strlen(label) > 3 && !strcmp(label + strlen(label) - 3, "_ns"))
			label[strlen(label) - 3] = '\0';
		for (char *u = label; *u; u++)
			if (*u == '_')
				*u = ' ';
		off += snprintf(buf + off, len - off, "%s%s %s", off ? "  " : "", label, val);
	}
	return buf;
}

/* the objects whose headings list their numbers (listed() above) */
static const char *const listing_objects[] = {
	"faults", "zaps", "memtype", "mmaps", "dmabuf", "dma", "power", "irqs", "accesses",
};

/* a line per region read or written through the device fd: counts, bytes, mean time */
static void trapped_regions(struct ctx *c, json_object *dev)
{
	json_object *reads = jpath_get(dev, dnum(DNUM_access_reads));

	if (!json_object_is_type(reads, json_type_object))
		return;
	json_object_object_foreach(reads, region, val) {
		uint64_t r = json_object_get_uint64(val);
		uint64_t w = KEYED_U64(dev, DNUM_access_writes, region);
		uint64_t ns = KEYED_U64(dev, DNUM_access_time, region);
		char bytes[32], mean[32];

		if (!r && !w)
			continue;
		top_fmt_bytes(KEYED_U64(dev, DNUM_access_bytes, region), bytes, sizeof(bytes));
		top_fmt_ns(ns / (r + w), mean, sizeof(mean));
		add(c, TL_TEXT, "  %-8s   reads %" PRIu64 "  writes %" PRIu64 "  %s  mean %s",
		    region, r, w, bytes, mean);
	}
}

/*
 * the first vectors as "msix[3] 1234", the active ones marked *; one that
 * KVM's irqfd is connected to says so: if posted, its count stops growing
 */
static const char *vector_list(json_object *dev, char *buf, size_t len)
{
	json_object *vs = jpath_get(dev, "irqs.by_vector");
	size_t n = jpath_len(vs), off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		json_object *v = json_object_array_get_idx(vs, i);

		off += snprintf(buf + off, len - off, "%s%s[%" PRIu64 "]%s %" PRIu64 "%s",
				off ? "  " : "", jpath_str(v, "type"), jpath_u64(v, "vector"),
				jpath_u64(v, "active") ? "*" : "", jpath_u64(v, "interrupts"),
				jpath_u64(v, "bypass") ? " bypass" : "");
	}
	if (!buf[0])
		snprintf(buf, len, "none");
	return buf;
}

/*
 * The numbers marked SHOW that no heading lists (a new object, or one the
 * detail does not know): under one heading of their own, by path, so that
 * a row added anywhere shows without an edit here.
 */
static void other_numbers(struct ctx *c, json_object *dev)
{
	bool heading = false;

	for (int i = 0; i < DNUM_N; i++) {
		const struct device_path *p = &device_paths[i];
		bool listing = false;
		char val[32];

		for (size_t k = 0; k < ARRAY_SIZE(listing_objects); k++)
			listing |= member_of(p->path, listing_objects[k]);
		if (p->view != DN_SHOW || listing || !shown_value(dev, p, val, sizeof(val)))
			continue;
		if (!heading)
			add(c, TL_HEADING, "Other numbers");
		heading = true;
		add(c, TL_TEXT, "  %-40s %s", p->path, val);
	}
}

static void histogram(struct ctx *c, json_object *dev, int width)
{
	json_object *b = jpath_get(dev, "faults.latency_ns.buckets");
	size_t n = jpath_len(b);
	uint64_t most = 0;
	char p50[16], p99[16], max[16], mean[16];
	int barw;

	top_fmt_ns(jpath_u64(dev, "faults.latency_ns.p50"), p50, sizeof(p50));
	top_fmt_ns(jpath_u64(dev, "faults.latency_ns.p99"), p99, sizeof(p99));
	top_fmt_ns(jpath_u64(dev, "faults.latency_ns.max"), max, sizeof(max));
	top_fmt_ns(jpath_u64(dev, "faults.latency_ns.mean"), mean, sizeof(mean));
	add(c, TL_HEADING, "Fault latency histogram   p50 %s  p99 %s  max %s  mean %s", p50, p99,
	    max, mean);
	if (!n) {
		add(c, TL_TEXT, "  no faults timed");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (jpath_u64(json_object_array_get_idx(b, i), "count") > most)
			most = jpath_u64(json_object_array_get_idx(b, i), "count");
	/* the label is 30 columns wide: "  %7s .. %-7s %9s " */
	barw = width - 31;
	if (barw > (int)sizeof(((struct top_line *)0)->text) - 40)
		barw = sizeof(((struct top_line *)0)->text) - 40;
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(b, i);
		uint64_t cnt = jpath_u64(s, "count");
		char lo[16], hi[16];
		struct top_line *l;
		int len = 0;

		top_fmt_ns(jpath_u64(s, "lo"), lo, sizeof(lo));
		top_fmt_ns(jpath_u64(s, "hi"), hi, sizeof(hi));
		l = add(c, TL_BAR, "  %7s .. %-7s %9" PRIu64 " ", lo, hi, cnt);
		l->bar_at = strlen(l->text);
		/* rounded up: a slot with one sample still shows */
		if (barw > 0 && most)
			len = (int)((cnt * (uint64_t)barw + most - 1) / most);
		for (int k = 0; k < len && l->bar_at + k + 1 < (int)sizeof(l->text); k++)
			l->text[l->bar_at + k] = '#', l->text[l->bar_at + k + 1] = '\0';
	}
}

static void processes(struct ctx *c, json_object *dev)
{
	json_object *procs = jpath_get(dev, "processes");
	size_t n = jpath_len(procs);

	add(c, TL_HEADING, "Processes   %zu known, %" PRIu64 " not kept", n,
	    jpath_u64(dev, dnum(DNUM_owners_dropped)));
	if (!n)
		return;
	add(c, TL_TEXT, "  %7s  %-16s %-5s  %-6s  %-3s  %s", "PID", "COMM", "ALIVE", "MAPPED",
	    "FD", "BARS");
	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(procs, i), *bars, *v;
		char bs[64] = "-", comm[17];
		size_t nb, off = 0;

		bars = jpath_get(p, "bars");
		nb = jpath_len(bars);
		for (size_t k = 0; k < nb && off < sizeof(bs); k++)
			off += snprintf(bs + off, sizeof(bs) - off, "%s%d", k ? "," : "",
					json_object_get_int(json_object_array_get_idx(bars, k)));
		/* comm is the process's to choose: no escape codes on our terminal */
		snprintf(comm, sizeof(comm), "%s", jpath_opt_str(p, "comm"));
		for (char *s = comm; *s; s++)
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				*s = '?';
#define YN(key) (json_object_object_get_ex(p, key, &v) && json_object_get_boolean(v) ? "yes" : "no")
		add(c, TL_TEXT, "  %7" PRIu64 "  %-16s %-5s  %-6s  %-3s  %s", jpath_opt_u64(p, "pid"),
		    comm, YN("alive"), YN("mapped"), YN("holds_fd"), bs);
#undef YN
	}
}

static void reserved_bars(struct ctx *c, json_object *dev)
{
	json_object *bars = jpath_get(dev, "memtype.bars");
	char sz[32];

	for (size_t i = 0; i < jpath_len(bars); i++) {
		json_object *b = json_object_array_get_idx(bars, i);

		top_fmt_bytes(jpath_u64(b, "bytes"), sz, sizeof(sz));
		add(c, TL_TEXT, "  BAR %" PRIu64 "      %s, %s, reserved %" PRIu64 " times",
		    jpath_u64(b, "bar"), jpath_str(b, "mode"), sz, jpath_u64(b, "reservations"));
	}
}

/* where each BAR mapping landed, and what that allows a huge fault */
static void mappings(struct ctx *c, json_object *dev)
{
	json_object *maps = jpath_get(dev, "mappings");
	char sz[32];

	for (size_t i = 0; i < jpath_len(maps); i++) {
		json_object *m = json_object_array_get_idx(maps, i);
		/* null where the largest page was allowed; pid and addr left out over HTTP */
		const char *why = jpath_opt_str(m, "huge_fallback");

		top_fmt_bytes(jpath_u64(m, "bytes"), sz, sizeof(sz));
		add(c, TL_TEXT, "  pid %" PRIu64 " BAR %" PRIu64 " %s at 0x%" PRIx64
		    ": pages up to %s%s%s", jpath_opt_u64(m, "pid"), jpath_u64(m, "bar"), sz,
		    jpath_opt_u64(m, "addr"), jpath_str(m, "largest_page"), *why ? "; " : "", why);
	}
}

static void dmabufs(struct ctx *c, json_object *dev)
{
	char a[512];

	if (!jpath_u64(dev, dnum(DNUM_dmabuf_exports)) &&
	    !jpath_u64(dev, dnum(DNUM_dmabuf_exports_failed)))
		return;
	add(c, TL_HEADING, "DMA-BUFs   %s", listed(dev, "dmabuf", a, sizeof(a)));
}

/* What the PCI core did: how it reset the device, its waits, its power states */
static void pci_core(struct ctx *c, json_object *dev)
{
	char a[256], b[256], x[32], y[32];

	if (jpath_u64(dev, dnum(DNUM_resets_count))) {
		top_fmt_ns(jpath_u64(dev, dnum(DNUM_reset_wait_time)), x, sizeof(x));
		top_fmt_ns(jpath_u64(dev, dnum(DNUM_reset_wait_max)), y, sizeof(y));
		add(c, TL_TEXT, "  pci method %s   ready waits %" PRIu64 " (%s, longest %s, "
		    "gave up %" PRIu64 ")",
		    kv_list(jpath_get(dev, dnum(DNUM_resets_by_pci_method)), true, a, sizeof(a)),
		    jpath_u64(dev, dnum(DNUM_reset_waits)), x, y,
		    jpath_u64(dev, dnum(DNUM_reset_waits_failed)));
	}
	/* power.state is null until the first change is seen */
	if (!*jpath_opt_str(dev, "power.state") && !jpath_u64(dev, dnum(DNUM_power_failed)))
		return;
	top_fmt_ns(jpath_u64(dev, dnum(DNUM_power_in_state)), x, sizeof(x));
	add(c, TL_HEADING, "Power   %s for %s   %s",
	    *jpath_opt_str(dev, "power.state") ? jpath_opt_str(dev, "power.state") : "?", x,
	    listed(dev, "power", b, sizeof(b)));
	add(c, TL_TEXT, "  entered    %s", kv_list(jpath_get(dev, dnum(DNUM_power_transitions)),
						      true, a, sizeof(a)));
}

/* VFIO_IOMMU_MAP_DMA of its BARs: what a VM's start spent on this device */
static void dma_maps(struct ctx *c, json_object *dev)
{
	char bytes[32], a[256];

	if (!jpath_u64(dev, dnum(DNUM_dma_maps)) && !jpath_u64(dev, dnum(DNUM_dma_failed)))
		return;
	top_fmt_bytes(jpath_u64(dev, dnum(DNUM_dma_bytes)), bytes, sizeof(bytes));
	add(c, TL_HEADING, "DMA maps of its BARs   %" PRIu64 " (%s)  %s",
	    jpath_u64(dev, dnum(DNUM_dma_maps)), bytes, listed(dev, "dma", a, sizeof(a)));
}

int top_detail(const struct top_row *r, int width, struct top_lines *out)
{
	struct ctx c = { .out = out };
	json_object *dev = r->dev, *iommu = jpath_opt_get(dev, "iommu_group");	/* may be null */
	char a[512], b[512], x[32], y[32], z[32], w[32];

	out->n = 0;
	snprintf(a, sizeof(a), "%" PRId64, json_object_get_int64(iommu));
	add(&c, TL_HEADING, "%s  %s  subsystem %.4s:%.4s  class %s  driver %s  iommu group %s  %s",
	    r->bdf, r->id, hex(jpath_str(dev, "subsystem_vendor")),
	    hex(jpath_str(dev, "subsystem_device")),
	    jpath_str(dev, "class"), *jpath_str(dev, "driver") ? jpath_str(dev, "driver") : "none",
	    iommu && json_object_is_type(iommu, json_type_int) ? a : "none",
	    r->state);
	add(&c, TL_TEXT, "");

	top_fmt_rate(r->fault_rate, x, sizeof(x));
	add(&c, TL_HEADING, "Faults   %" PRIu64 " total, %s/s   %s", r->faults, x,
	    listed(dev, "faults", a, sizeof(a)));
	add(&c, TL_TEXT, "  by origin  %s",
	    kv_list(jpath_get(dev, dnum(DNUM_faults_by_origin)), false, a, sizeof(a)));
	/* orders are page-size shifts: "9" reads better as 2M */
	add(&c, TL_TEXT, "  by order   4K %" PRIu64 "  2M %" PRIu64 "  1G %" PRIu64
	    "  whole_vma %" PRIu64, KEYED_U64(dev, DNUM_faults_by_order, "0"),
	    KEYED_U64(dev, DNUM_faults_by_order, "9"), KEYED_U64(dev, DNUM_faults_by_order, "18"),
	    KEYED_U64(dev, DNUM_faults_by_order, "whole_vma"));
	histogram(&c, dev, width);

	top_fmt_rate(r->map4k_rate, x, sizeof(x));
	top_fmt_rate(r->map2m_rate, y, sizeof(y));
	top_fmt_rate(r->map1g_rate, z, sizeof(z));
	top_fmt_bytes(jpath_u64(dev, dnum(DNUM_mapped_bytes)), w, sizeof(w));
	add(&c, TL_HEADING, "Pages mapped   4K %" PRIu64 " (%s/s)  2M %" PRIu64 " (%s/s)  1G %"
	    PRIu64 " (%s/s)   %s", KEYED_U64(dev, DNUM_mapped_pages, "4k"), x,
	    KEYED_U64(dev, DNUM_mapped_pages, "2m"), y, KEYED_U64(dev, DNUM_mapped_pages, "1g"), z,
	    w);

	top_fmt_rate(r->zap_rate, x, sizeof(x));
	add(&c, TL_HEADING, "Zaps by reason   %" PRIu64 " total, %s/s   %s", r->zaps, x,
	    listed(dev, "zaps", a, sizeof(a)));
	add(&c, TL_TEXT, "  %s", kv_list(jpath_get(dev, dnum(DNUM_zaps_by_reason)), true, a,
					    sizeof(a)));

	top_fmt_rate(r->irq_rate, x, sizeof(x));
	add(&c, TL_HEADING, "Interrupts   %s/s   %s", x, listed(dev, "irqs", a, sizeof(a)));
	add(&c, TL_TEXT, "  by type    %s",
	    kv_list(jpath_get(dev, dnum(DNUM_irq_interrupts)), true, a, sizeof(a)));
	add(&c, TL_TEXT, "  vectors    %s", vector_list(dev, a, sizeof(a)));
	if (jpath_u64(dev, dnum(DNUM_irq_reads))) {
		top_fmt_ns(jpath_u64(dev, "irqs.wait_latency_ns.p50"), x, sizeof(x));
		top_fmt_ns(jpath_u64(dev, "irqs.wait_latency_ns.p99"), y, sizeof(y));
		top_fmt_ns(jpath_u64(dev, dnum(DNUM_irq_wait_max)), z, sizeof(z));
		add(&c, TL_TEXT, "  read wait  p50 %s  p99 %s  max %s", x, y, z);
	}

	top_fmt_ns(jpath_u64(dev, "accesses.latency_ns.p50"), x, sizeof(x));
	top_fmt_ns(jpath_u64(dev, "accesses.latency_ns.p99"), y, sizeof(y));
	add(&c, TL_HEADING, "Trapped accesses   p50 %s  p99 %s   %s", x, y,
	    listed(dev, "accesses", a, sizeof(a)));
	trapped_regions(&c, dev);
	add(&c, TL_TEXT, "  config writes  %s",
	    kv_list(jpath_get(dev, dnum(DNUM_config_writes)), true, a, sizeof(a)));

	add(&c, TL_HEADING, "Memtype   reserved %s   %s%s",
	    *jpath_opt_str(dev, "memtype.reserved") ? jpath_opt_str(dev, "memtype.reserved") : "-",
	    listed(dev, "memtype", a, sizeof(a)), r->mismatch ? "  MISMATCH" : "");
	add(&c, TL_TEXT, "  by mode    %s",
	    kv_list(jpath_get(dev, dnum(DNUM_memtype_by_mode)), true, a, sizeof(a)));
	reserved_bars(&c, dev);

	top_fmt_ns(jpath_u64(dev, dnum(DNUM_resets_last)), x, sizeof(x));
	top_fmt_ns(jpath_u64(dev, dnum(DNUM_resets_max)), y, sizeof(y));
	top_fmt_ns(jpath_u64(dev, dnum(DNUM_resets_time)), z, sizeof(z));
	add(&c, TL_HEADING, "Resets   %" PRIu64 " total  failed %" PRIu64 "  last %s  max %s"
	    "  total time %s", r->resets, jpath_u64(dev, dnum(DNUM_resets_failed)),
	    r->resets ? x : "-", r->resets ? y : "-", z);
	add(&c, TL_TEXT, "  by origin  %s",
	    kv_list(jpath_get(dev, dnum(DNUM_resets_by_origin)), true, a, sizeof(a)));
	add(&c, TL_TEXT, "  by method  %s", kv_list(jpath_get(dev, dnum(DNUM_resets_by_method)),
						      false, a, sizeof(a)));
	add(&c, TL_TEXT, "  requests   %s   failed: %s",
	    kv_list(jpath_get(dev, dnum(DNUM_reset_requests)), false, a, sizeof(a)),
	    kv_list(jpath_get(dev, dnum(DNUM_reset_requests_failed)), false, b, sizeof(b)));
	pci_core(&c, dev);

	top_fmt_bytes(jpath_u64(dev, dnum(DNUM_mmaps_bytes)), x, sizeof(x));
	add(&c, TL_HEADING, "Mmaps   %" PRIu64 ", %s   %s", jpath_u64(dev, dnum(DNUM_mmaps_count)),
	    x, listed(dev, "mmaps", a, sizeof(a)));
	mappings(&c, dev);
	dmabufs(&c, dev);
	dma_maps(&c, dev);
	other_numbers(&c, dev);
	processes(&c, dev);
	return c.oom ? -1 : 0;
}

void top_lines_free(struct top_lines *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
