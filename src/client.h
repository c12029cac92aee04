/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Talking to vfiotopd over its unix socket. */
#ifndef VFIOTOP_CLIENT_H
#define VFIOTOP_CLIENT_H

#define CLIENT_MAX_RESPONSE (64u << 20)

/*
 * Sends one request line and returns the daemon's whole answer (malloc'ed,
 * NUL-terminated), or NULL with errno set and a message in err.
 */
char *client_request(const char *socket_path, const char *request, int timeout_ms,
		     char *err, size_t err_len);

#endif
