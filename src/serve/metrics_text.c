// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_path.h"
#include "metrics_text.h"

/* label values are ours or sysfs', but a quote or newline must not break a line */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

void label(FILE *f, const char *k, const char *v, bool *first)
{
	fprintf(f, "%s%s=\"", *first ? "{" : ",", k);
	put_escaped(f, v);
	fputc('"', f);
	*first = false;
}

/* an integer field as a label value, "" when it is null or absent */
void int_label(FILE *f, const char *k, json_object *v, bool *first)
{
	char buf[24] = "";

	if (v && json_object_is_type(v, json_type_int))
		snprintf(buf, sizeof(buf), "%" PRId64, json_object_get_int64(v));
	label(f, k, buf, first);
}

/*
 * The labels node_exporter's pcidevice collector puts on the same device
 * (segment, bus, device, function as %04x/%02x/%02x/%x), so a PromQL join finds it.
 */
static void device_labels(FILE *f, json_object *dev, bool *first)
{
	const char *bdf = jpath_str(dev, "bdf");
	unsigned int seg, bus, slot, fn;
	char buf[4][8], grp[16];
	json_object *g;

	label(f, "bdf", bdf, first);
	if (sscanf(bdf, "%4x:%2x:%2x.%1x", &seg, &bus, &slot, &fn) == 4) {
		snprintf(buf[0], sizeof(buf[0]), "%04x", seg);
		snprintf(buf[1], sizeof(buf[1]), "%02x", bus);
		snprintf(buf[2], sizeof(buf[2]), "%02x", slot);
		snprintf(buf[3], sizeof(buf[3]), "%x", fn);
		label(f, "segment", buf[0], first);
		label(f, "bus", buf[1], first);
		label(f, "device", buf[2], first);
		label(f, "function", buf[3], first);
	}
	label(f, "vendor_id", jpath_str(dev, "vendor"), first);
	label(f, "device_id", jpath_str(dev, "device"), first);
	g = jpath_get(dev, "iommu_group");
	snprintf(grp, sizeof(grp), "%" PRId64, g ? json_object_get_int64(g) : -1);
	label(f, "iommu_group", grp, first);
}

void header(FILE *f, const char *name, enum kind kind, const char *help)
{
	/* text format 0.0.4: the family is named as its samples, _total included */
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		kind == COUNTER ? "counter" : "gauge");
}

json_object *dev_at(struct ctx *c, size_t i)
{
	return json_object_array_get_idx(c->devs, i);
}

/* every sample of a device repeats its labels: render them once per scrape */
char *render_labels(json_object *dev)
{
	char *buf = NULL;
	size_t len = 0;
	bool first = true;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	device_labels(f, dev, &first);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

void sample_start(FILE *f, const char *name, const char *dev_labels, const char *k,
			 const char *v)
{
	bool first = !dev_labels;

	fputs(name, f);
	if (dev_labels)
		fputs(dev_labels, f);
	if (k)
		label(f, k, v, &first);
	if (!first)
		fputc('}', f);
}

/* one sample per device from a number at path, scaled (ns -> s) if scale != 1 */
void per_device(struct ctx *c, const char *name, enum kind kind, const char *help,
		       const char *path, double scale)
{
	header(c->f, name, kind, help);
	for (size_t i = 0; i < c->ndevs; i++) {
		json_object *d = dev_at(c, i);

		sample_start(c->f, name, c->labels[i], NULL, NULL);
		if (scale == 1)
			fprintf(c->f, " %" PRIu64 "\n", jpath_u64(d, path));
		else
			fprintf(c->f, " %.9g\n", jpath_u64(d, path) * scale);
	}
}

/*
 * One sample per key of each device's object at path, labelled lbl (renamed
 * if rename): {"user": 3} -> {origin="user"} 3; with field, an object of
 * objects: {"flr": {"count": 2}} -> {method="flr"} 2; scaled (ns -> s).
 */
void keyed_samples(struct ctx *c, const char *name, const char *path, const char *lbl,
			  const char *(*rename)(const char *), const char *field, double scale)
{
	for (size_t i = 0; i < c->ndevs; i++) {
		json_object *o = jpath_get(dev_at(c, i), path);

		if (!o || !json_object_is_type(o, json_type_object))
			continue;
		json_object_object_foreach(o, k, v) {
			uint64_t n = field ? jpath_u64(v, field) : json_object_get_uint64(v);

			sample_start(c->f, name, c->labels[i], lbl, rename ? rename(k) : k);
			if (scale == 1)
				fprintf(c->f, " %" PRIu64 "\n", n);
			else
				fprintf(c->f, " %.9g\n", n * scale);
		}
	}
}

void per_key(struct ctx *c, const char *name, const char *help, const char *path,
		    const char *lbl, const char *(*rename)(const char *))
{
	header(c->f, name, COUNTER, help);
	keyed_samples(c, name, path, lbl, rename, NULL, 1);
}

void per_key_field(struct ctx *c, const char *name, const char *help, const char *path,
			  const char *lbl, const char *field)
{
	header(c->f, name, COUNTER, help);
	keyed_samples(c, name, path, lbl, NULL, field, 1);
}
