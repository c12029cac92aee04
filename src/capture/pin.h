/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The counter maps pinned under --pin-dir (bpffs), set up before each load. */
#ifndef VFIOTOP_PIN_H
#define VFIOTOP_PIN_H

#include <stdbool.h>
#include <stdint.h>

/* the skeleton's object: pin.c reads its maps, nothing of struct hooks */
struct vfiotop_bpf;

/*
 * Before the load: the --stall-threshold and when the counters began, and
 * (with a pin folder) the pin paths of the counter maps, reused if a
 * fitting map is there. Returns whether the maps will be pinned.
 */
bool prepare_maps(struct vfiotop_bpf *skel, const char *pin_dir, uint64_t stall_ns);
/* Removes the maps pinned in dir: the next load starts from zero. */
void unpin_maps(const char *dir);

#endif
