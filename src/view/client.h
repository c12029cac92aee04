/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Talking to vfiotopd over its unix socket. */
#ifndef VFIOTOP_CLIENT_H
#define VFIOTOP_CLIENT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#define CLIENT_MAX_RESPONSE (64u << 20)

/*
 * Sends one request line and returns the daemon's whole answer (malloc'ed,
 * NUL-terminated), or NULL with errno set and a message in err.
 */
char *client_request(const char *socket_path, const char *request, int timeout_ms,
		     char *err, size_t err_len);

/*
 * One snapshot, parsed. The daemon's text goes to *text when text is not NULL
 * (free it). NULL with a message in err when the daemon cannot be reached,
 * sends no JSON object, or answers with an error.
 */
json_object *client_snapshot(const char *socket_path, bool pretty, int timeout_ms, char **text,
			     char *err, size_t err_len);

#endif
