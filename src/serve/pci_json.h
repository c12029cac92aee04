/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the PCI core did for a device (docs/json.md): how its resets were
 * done and waited for, and its power states.
 */
#ifndef VFIOTOP_PCI_JSON_H
#define VFIOTOP_PCI_JSON_H

#include "devices.h"
#include "json_writer.h"

/* Writes the PCI core's side of its resets, members of a device's "resets". */
void reset_how_json(struct json_writer *w, const struct device *d);
/* A device's "power"; now_ns is CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns(). */
void power_json(struct json_writer *w, const struct device *d, uint64_t now_ns);

#endif
