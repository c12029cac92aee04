/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* /metrics' per-device families, from each device of the typed model. */
#ifndef VFIOTOP_METRICS_DEVICE_H
#define VFIOTOP_METRICS_DEVICE_H

#include "metrics_text.h"

void device_metrics(struct prom_ctx *c);

#endif
