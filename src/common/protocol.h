/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The unix socket protocol (docs/protocol.md): a client sends one request
 * line, the daemon answers with one JSON document and closes.
 *
 *   snapshot [pretty]    the snapshot document
 *   ping                 {"pong": true}
 *   version              {"version": "...", "schema_version": N}
 *   release              detach from the vfio modules so they can be unloaded
 *                        (root only): {"released": true, ...}
 */
#ifndef VFIOTOP_PROTOCOL_H
#define VFIOTOP_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PROTOCOL_MAX_REQUEST 256

/* Where daemon and client meet unless told otherwise (--socket, --report-dir) */
#define PROTOCOL_DEFAULT_SOCKET	"/run/vfiotop/vfiotopd.sock"
#define PROTOCOL_DEFAULT_REPORT_DIR	"/var/lib/vfiotop/reports"

enum request_kind {
	REQ_SNAPSHOT,
	REQ_PING,
	REQ_VERSION,
	REQ_RELEASE,
	REQ_LAST = REQ_RELEASE,	/* keep on the newest kind: checks bound by it */
};

struct request {
	enum request_kind kind;
	bool pretty;
	uid_t peer_uid;		/* who asks (SO_PEERCRED): set by the server, not parsed */
};

enum parse_result {
	PARSE_OK,
	PARSE_INCOMPLETE,	/* no newline yet: read more */
	PARSE_ERROR,
};

/*
 * Parses buf[0..len) (not NUL-terminated). A request ends at '\n' (a '\r'
 * before it is ignored). On PARSE_ERROR *err says why, in words a client
 * can show as is.
 */
enum parse_result protocol_parse(const char *buf, size_t len, struct request *req,
				 const char **err);

/* {"error": msg} as a string to free */
char *protocol_error_json(const char *msg);

#endif
