/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The counter maps pinned under --pin-dir (bpffs), set up before each load. */
#ifndef VFIOTOP_PIN_H
#define VFIOTOP_PIN_H

#include "hooks.h"

/*
 * Before the load: the --stall-threshold and when the counters began, and
 * the pin paths of the counter maps, reused if a fitting map is there.
 */
void pin_maps(struct hooks *h, const struct hooks_opts *opts);

#endif
