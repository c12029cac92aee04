/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Interrupt vectors into the devices they belong to: vec_stats (vfiotop.h)
 * holds every vector ever set up, each naming its device.
 */
#ifndef VFIOTOP_IRQ_VECTORS_H
#define VFIOTOP_IRQ_VECTORS_H

#include <stdint.h>

#include "devices.h"

/*
 * Gives every device its vectors from the n given slots of vec (a device
 * seen for the first time is added), sorted by index and vector, and adds
 * their counts to its stats (device_stats' irq_* fields): call after the
 * stats were composed, every refresh.
 */
void devtab_take_vectors(struct device_table *t, const struct vtop_vec_stats *vec, uint32_t n);

#endif
