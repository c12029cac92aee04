// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci_sysfs.h"
#include "proc_vectors.h"
#include "vfiotop.h"

/* "BDF)" at p: the device's key in *dev */
static bool bdf_in_parens(const char *p, uint32_t *dev)
{
	const char *close = strchr(p, ')');
	char buf[16];

	if (!close || (size_t)(close - p) >= sizeof(buf))
		return false;
	memcpy(buf, p, close - p);
	buf[close - p] = '\0';
	return !bdf_parse(buf, dev);
}

bool proc_vector_parse(const char *line, struct proc_vector *v)
{
	static const struct {
		const char *prefix;
		uint16_t index;
	} kinds[] = {
		{ " vfio-msix[", VTOP_IRQ_MSIX }, { " vfio-msi[", VTOP_IRQ_MSI },
	};
	const char *name = NULL;
	unsigned long irq, vector;
	char *end;

	irq = strtoul(line, &end, 10);
	if (end == line || *end != ':' || irq > UINT32_MAX)
		return false;
	v->irq = (uint32_t)irq;
	/* a shared line lists every handler: the first vfio-intx is taken */
	name = strstr(end, " vfio-intx(");
	if (name) {
		v->index = VTOP_IRQ_INTX;
		v->vector = 0;
		return bdf_in_parens(name + strlen(" vfio-intx("), &v->dev);
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && !name; i++) {
		name = strstr(end, kinds[i].prefix);
		if (name) {
			name += strlen(kinds[i].prefix);
			v->index = kinds[i].index;
		}
	}
	if (!name)
		return false;
	vector = strtoul(name, &end, 10);
	if (end == name || vector > UINT16_MAX || strncmp(end, "](", 2))
		return false;
	v->vector = (uint16_t)vector;
	return bdf_in_parens(end + 2, &v->dev);
}
