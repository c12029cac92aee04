/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The ring buffer's records (struct vtop_rec_*) as the daemon keeps them (event.h). */
#ifndef VFIOTOP_EVENT_DECODE_H
#define VFIOTOP_EVENT_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

/*
 * Decodes one ring-buffer record of len bytes. False, and *e untouched, for a
 * record of an unknown type or shorter than its type's struct.
 */
bool event_decode(const void *rec, size_t len, struct vtop_event *e);

#endif
