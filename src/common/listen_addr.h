/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The --listen argument: where the HTTP exporter binds. Loopback unless the
 * user names another address; numeric addresses only, so a typo never turns
 * into a DNS lookup or a bind on every interface.
 *
 *   PORT, :PORT           127.0.0.1:PORT
 *   localhost:PORT        127.0.0.1:PORT
 *   IPV4:PORT             e.g. 0.0.0.0:10230
 *   [IPV6]:PORT           e.g. [::1]:10230
 */
#ifndef VFIOTOP_LISTEN_ADDR_H
#define VFIOTOP_LISTEN_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Registered in docs/metrics.md: outside Prometheus' full 9100-9999 range. */
#define LISTEN_DEFAULT_PORT 10230

struct listen_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	bool loopback;
	char text[64];		/* as it will be logged: "127.0.0.1:10230" */
};

/* 0, or -1 with a message for the user in err. */
int listen_addr_parse(const char *spec, struct listen_addr *out, char *err, size_t errlen);
/*
 * Whether two addresses cannot both be bound: the same family and port, and
 * the same address or either one the wildcard (0.0.0.0 or [::]).
 */
bool listen_addr_overlap(const struct listen_addr *a, const struct listen_addr *b);

#endif
