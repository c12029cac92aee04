// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc_vectors.h"
#include "vfiotop.h"

bool proc_vector_parse(const char *line, struct proc_vector *v)
{
	unsigned int domain, bus, dev, fn, vector;
	const char *name;
	char *end;
	unsigned long irq;
	char close;
	int n = 0;

	while (*line == ' ')
		line++;
	irq = strtoul(line, &end, 10);
	if (end == line || *end != ':' || irq > UINT32_MAX)
		return false;
	/* the handler's name ends the line; msix before msi: the one is in the other */
	name = strstr(end, " vfio-msix[");
	v->index = VTOP_IRQ_MSIX;
	if (name) {
		name += strlen(" vfio-msix[");
	} else {
		name = strstr(end, " vfio-msi[");
		if (!name)
			return false;
		name += strlen(" vfio-msi[");
		v->index = VTOP_IRQ_MSI;
	}
	if (sscanf(name, "%u](%x:%x:%x.%x%c%n", &vector, &domain, &bus, &dev, &fn, &close,
		   &n) != 6 || close != ')' || vector > UINT16_MAX || domain > 0xffff ||
	    bus > 0xff || dev > 0x1f || fn > 7)
		return false;
	v->irq = (uint32_t)irq;
	v->dev = vtop_dev_key(domain, bus, dev << 3 | fn);
	v->vector = (uint16_t)vector;
	return true;
}
