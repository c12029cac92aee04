/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The unix socket that serves snapshots. Non-blocking throughout: a client
 * that sends slowly, reads slowly or not at all cannot hold up the daemon.
 */
#ifndef VFIOTOP_SERVER_H
#define VFIOTOP_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

#include "protocol.h"

/*
 * Connections cannot be hoarded: a client has SERVER_REQUEST_TIMEOUT_MS to
 * send its request line and SERVER_CLIENT_TIMEOUT_MS in all; one user (but
 * root) holds at most SERVER_MAX_PER_UID connections; when either limit is
 * reached, the oldest connection still waiting for its request goes first.
 */
#define SERVER_MAX_CLIENTS 1024
#define SERVER_MAX_PER_UID 32
#define SERVER_REQUEST_TIMEOUT_MS 2000
#define SERVER_CLIENT_TIMEOUT_MS 5000

/* Returns the response body (a malloc'ed JSON document) for a request. */
typedef char *(*server_respond_fn)(const struct request *req, void *ctx);

struct server;

/*
 * group: who else may connect, (gid_t)-1 for root only (socket 0600 in a 0700
 * folder). The folder must be the daemon's and writable by no one else,
 * unless shared_dir_ok; a file at path that is not a socket is never removed.
 * other_fds: how many the rest of the daemon may hold at once beyond BPF
 * objects and files (HTTP connections), kept free of clients.
 */
struct server *server_open(const char *path, gid_t group, bool shared_dir_ok,
			   unsigned int other_fds, int epfd,
			   server_respond_fn respond, void *ctx);
/* Drops clients past their deadlines (request, then whole answer). */
void server_expire(struct server *s);
/* Connections dropped to make room for newer ones, and refused. */
void server_stats(const struct server *s, unsigned long *evicted, unsigned long *refused);
void server_close(struct server *s);

#endif
