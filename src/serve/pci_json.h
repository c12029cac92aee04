/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the PCI core did for a device (docs/json.md): how its resets were
 * done and waited for, and its power states.
 */
#ifndef VFIOTOP_PCI_JSON_H
#define VFIOTOP_PCI_JSON_H

#include <json-c/json.h>

#include "devices.h"

/* Adds the PCI core's side of its resets to a device's "resets" object. */
void reset_how_json(json_object *resets, const struct device *d);
/* A device's "power"; now_ns is CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns(). */
json_object *power_json(const struct device *d, uint64_t now_ns);

#endif
