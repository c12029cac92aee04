/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A hash of everything a device's outputs are rendered from: struct device
 * before its bookkeeping, its owners and its vectors. The caches of rendered
 * devices (JSON, /metrics) render a device again when it changes; padding
 * that differs only renders once more.
 */
#ifndef VFIOTOP_DEVICE_HASH_H
#define VFIOTOP_DEVICE_HASH_H

#include <stdint.h>

#include "devices.h"

uint64_t device_content_hash(const struct device *d);

#endif
