/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vfio-pci's vectors in /proc/interrupts, by the names vfio-pci gives their
 * handlers: "vfio-intx(BDF)", "vfio-msi[N](BDF)", "vfio-msix[N](BDF)".
 */
#ifndef VFIOTOP_PROC_VECTORS_H
#define VFIOTOP_PROC_VECTORS_H

#include <stdbool.h>
#include <stdint.h>

struct proc_vector {
	uint32_t irq;
	uint32_t dev;		/* vtop_dev_key of the BDF */
	uint16_t index;		/* VTOP_IRQ_INTX, VTOP_IRQ_MSI or VTOP_IRQ_MSIX */
	uint16_t vector;	/* INTx: 0 */
};

/* One line of /proc/interrupts: true, and *v filled, for a vfio vector's. */
bool proc_vector_parse(const char *line, struct proc_vector *v);

#endif
