/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The unix socket that serves snapshots. Non-blocking throughout: a client
 * that sends slowly, reads slowly or not at all cannot hold up the daemon.
 */
#ifndef VFIOTOP_SERVER_H
#define VFIOTOP_SERVER_H

#include <sys/types.h>

#include "protocol.h"

#define SERVER_MAX_CLIENTS 256	/* beyond that a new client is closed at once */
#define SERVER_CLIENT_TIMEOUT_MS 5000

/* Returns the response body (a malloc'ed JSON document) for a request. */
typedef char *(*server_respond_fn)(const struct request *req, void *ctx);

struct server;

/* group: who else may connect, (gid_t)-1 for root only (socket 0600 in a 0700 folder) */
struct server *server_open(const char *path, gid_t group, int epfd, server_respond_fn respond,
			   void *ctx);
/* Drops clients that have been connected longer than the timeout. */
void server_expire(struct server *s);
void server_close(struct server *s);

#endif
