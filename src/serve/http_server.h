/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The HTTP exporter (libmicrohttpd, driven from the daemon's epoll loop, so
 * requests are served between ticks and never race the aggregate):
 *   GET /metrics   Prometheus text format (docs/metrics.md)
 *   GET /json      the snapshot document, as `vfiotop --json` ([?pretty])
 *   GET /          what is served here
 * Anything else gets a 4xx; bounded connections, memory and time per client.
 */
#ifndef VFIOTOP_HTTP_SERVER_H
#define VFIOTOP_HTTP_SERVER_H

#include <stdbool.h>

#include "http_route.h"
#include "listen_addr.h"
#include "web_config.h"

#define HTTP_MAX_CONNECTIONS	32
#define HTTP_TIMEOUT_S		5
#define HTTP_MEMORY_LIMIT	(16 * 1024)	/* per connection: the request line and headers */

/* Returns the body (malloc'ed), NULL on failure (answered with 500). */
typedef char *(*http_render_fn)(enum http_doc doc, bool pretty, void *ctx);

struct http_server;

/* wc: TLS and users, or NULL for plain HTTP to anyone who reaches the address */
struct http_server *http_open(const struct listen_addr *addr, const struct web_config *wc,
			      int epfd, http_render_fn render, void *ctx);
/* Runs timeouts; call it now and then (the daemon's tick). */
void http_tick(struct http_server *h);
void http_close(struct http_server *h);

#endif
