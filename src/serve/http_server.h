/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The HTTP exporter: libmicrohttpd in a thread of its own (connections, TLS,
 * requests waiting), the documents rendered in the daemon's epoll loop, so
 * they never race the aggregate:
 *   GET /metrics   Prometheus text format (docs/metrics.md)
 *   GET /json      the snapshot document, as `vfiotop --json` ([?pretty])
 *   GET /          what is served here
 * Anything else gets a 4xx; bounded connections, memory and time per client.
 * With basic auth, passwords are checked off the loop (http_auth.c); without
 * it, /json leaves out pids, comms and addresses (docs/json.md).
 */
#ifndef VFIOTOP_HTTP_SERVER_H
#define VFIOTOP_HTTP_SERVER_H

#include <stdbool.h>

#include "http_route.h"
#include "listen_addr.h"
#include "web_config.h"

/* past this many, the connection idle the longest is closed for a newcomer */
#define HTTP_MAX_CONNECTIONS	128
#define HTTP_SPARE_CONNECTIONS	64	/* accepted beyond it while the oldest close */
#define HTTP_REQUEST_DEADLINE_MS 3000	/* from accept to the request's headers, TLS included */
#define HTTP_TIMEOUT_S		5	/* silence in a request, or between two */
#define HTTP_MEMORY_LIMIT	(16 * 1024)	/* per connection: the request line and headers */

/*
 * A rendered document: malloc'ed text, or a source the server's thread
 * reads in blocks and then releases. Neither: the render failed.
 */
struct http_body {
	char *text;
	void *src;
	size_t len;		/* of src's document */
	size_t (*read)(void *src, uint64_t pos, char *buf, size_t max);
	void (*release)(void *src);
};

/*
 * Returns the body; one with neither text nor src is answered with 500.
 * details: the request passed basic auth, pids, comms and addresses may go in.
 */
typedef struct http_body (*http_render_fn)(enum http_doc doc, bool pretty, bool details,
					   void *ctx);

struct http_server;

/*
 * Binds the listener (before the daemon drops its privileges); addr and wc
 * (TLS and users, or NULL for plain HTTP to anyone who reaches the address)
 * must outlive it. Documents are rendered in the loop of epfd.
 */
struct http_server *http_open(const struct listen_addr *addr, const struct web_config *wc,
			      int epfd, http_render_fn render, void *ctx);
/* Starts serving, in a thread of its own: call it after dropping privileges. 0 or -1. */
int http_start(struct http_server *h);
/* Closes connections past their deadline; call it now and then (the daemon's tick). */
void http_tick(struct http_server *h);
void http_close(struct http_server *h);

#endif
