/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The counter maps pinned under --pin-dir (bpffs), set up before each load. */
#ifndef VFIOTOP_PIN_H
#define VFIOTOP_PIN_H

#include "hooks.h"

/*
 * Before the load: the --stall-threshold and when the counters began, and
 * (with a pin folder) the pin paths of the counter maps, reused if a
 * fitting map is there.
 */
void prepare_maps(struct hooks *h, const struct hooks_opts *opts);
/* Removes the maps pinned in dir: the next load starts from zero. */
void unpin_maps(const char *dir);

#endif
