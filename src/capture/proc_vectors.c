// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci_sysfs.h"
#include "proc_vectors.h"
#include "vfiotop.h"

bool proc_vector_parse(const char *line, struct proc_vector *v)
{
	static const struct {
		const char *prefix;
		uint16_t index;
	} kinds[] = {
		{ " vfio-msix[", VTOP_IRQ_MSIX }, { " vfio-msi[", VTOP_IRQ_MSI },
	};
	const char *name = NULL, *bdf, *close;
	char buf[16];
	unsigned long irq, vector;
	char *end;

	irq = strtoul(line, &end, 10);
	if (end == line || *end != ':' || irq > UINT32_MAX)
		return false;
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
	bdf = end + 2;
	close = strchr(bdf, ')');
	if (!close || (size_t)(close - bdf) >= sizeof(buf))
		return false;
	memcpy(buf, bdf, close - bdf);
	buf[close - bdf] = '\0';
	if (bdf_parse(buf, &v->dev))
		return false;
	v->irq = (uint32_t)irq;
	v->vector = (uint16_t)vector;
	return true;
}
