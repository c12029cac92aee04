// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_text.h"
#include "utf8.h"

/*
 * Label values are ours or sysfs': a quote or newline must not break a line,
 * and bytes that are not UTF-8 become U+FFFD, as in JSON.
 */
static void put_escaped(FILE *f, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;

	while (*s) {
		const unsigned char *run = s;
		int n;

		/* printable ASCII but '"' and '\\' goes out in runs: most values are all of it */
		while (*s >= 0x20 && *s < 0x80 && *s != '"' && *s != '\\')
			s++;
		if (s > run)
			fwrite(run, 1, s - run, f);
		if (!*s)
			break;
		n = utf8_seq_len(s);
		if (!n) {
			fputs(UTF8_REPLACEMENT, f);
			s++;
			continue;
		}
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fwrite(s, 1, n, f);
		s += n;
	}
}

void prom_label(FILE *f, const char *k, const char *v, bool *first)
{
	fputc(*first ? '{' : ',', f);
	fputs(k, f);
	fputs("=\"", f);
	put_escaped(f, v);
	fputc('"', f);
	*first = false;
}

void prom_int_label(FILE *f, const char *k, long long v, bool known, bool *first)
{
	char buf[24] = "";

	if (known)
		snprintf(buf, sizeof(buf), "%lld", v);
	prom_label(f, k, buf, first);
}

static void prom_hex_label(FILE *f, const char *k, unsigned int v, int width, bool *first)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%0*x", width, v);
	prom_label(f, k, buf, first);
}

/*
 * The labels node_exporter's pcidevice collector puts on the same device
 * (segment, bus, device, function as %04x/%02x/%02x/%x), so a PromQL join finds it.
 */
static void device_labels(FILE *f, const struct device *d, bool *first)
{
	unsigned int seg, bus, slot, fn;
	char buf[4][8];

	prom_label(f, "bdf", d->bdf, first);
	if (sscanf(d->bdf, "%4x:%2x:%2x.%1x", &seg, &bus, &slot, &fn) == 4) {
		snprintf(buf[0], sizeof(buf[0]), "%04x", seg);
		snprintf(buf[1], sizeof(buf[1]), "%02x", bus);
		snprintf(buf[2], sizeof(buf[2]), "%02x", slot);
		snprintf(buf[3], sizeof(buf[3]), "%x", fn);
		prom_label(f, "segment", buf[0], first);
		prom_label(f, "bus", buf[1], first);
		prom_label(f, "device", buf[2], first);
		prom_label(f, "function", buf[3], first);
	}
	prom_hex_label(f, "vendor_id", d->id.vendor, 4, first);
	prom_hex_label(f, "device_id", d->id.device, 4, first);
	prom_int_label(f, "iommu_group", d->id.iommu_group >= 0 ? d->id.iommu_group : -1, true, first);
}

void prom_header(FILE *f, const char *name, enum prom_kind kind, const char *help)
{
	/* text format 0.0.4: the family is named as its samples, _total included */
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		kind == PROM_COUNTER ? "counter" : kind == PROM_GAUGE ? "gauge" : "histogram");
}

/* every sample of a device repeats its labels: render them once per scrape */
char *prom_device_labels(const struct device *d)
{
	char *buf = NULL;
	size_t len = 0;
	bool first = true;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	device_labels(f, d, &first);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

void prom_sample(FILE *f, const char *name, const char *dev_labels, const char *k,
		  const char *v)
{
	bool first = !dev_labels;

	fputs(name, f);
	if (dev_labels)
		fputs(dev_labels, f);
	if (k)
		prom_label(f, k, v, &first);
	if (!first)
		fputc('}', f);
}

void prom_value(FILE *f, uint64_t n, double scale)
{
	char digits[24];
	int i = sizeof(digits);

	if (scale != 1) {
		fprintf(f, " %.9g\n", n * scale);
		return;
	}
	/* most samples: no printf for them */
	digits[--i] = '\n';
	do {
		digits[--i] = '0' + n % 10;
		n /= 10;
	} while (n);
	digits[--i] = ' ';
	fwrite(digits + i, 1, sizeof(digits) - i, f);
}

uint64_t prom_array_at(const void *arg, unsigned int index)
{
	return ((const __u64 *)arg)[index];
}

void prom_keyed(FILE *f, const char *name, const char *dev_labels, const char *lbl,
		const struct key_set *ks, const char *(*relabel)(unsigned int index),
		prom_value_fn value, const void *arg, double scale, bool sparse)
{
	for (unsigned int k = 0; k < ks->n; k++) {
		unsigned int idx = key_index(ks, k);
		uint64_t v = value(arg, idx);

		if (sparse && !v)
			continue;
		prom_sample(f, name, dev_labels, lbl, relabel ? relabel(idx) : ks->name(idx));
		prom_value(f, v, scale);
	}
}
