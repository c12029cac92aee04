/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* epoll registrations carry one of these; the main loop just calls it. */
#ifndef VFIOTOP_EVLOOP_H
#define VFIOTOP_EVLOOP_H

#include <stddef.h>
#include <stdint.h>

struct ev_handler {
	void (*on_event)(struct ev_handler *h, uint32_t events);
};

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif
